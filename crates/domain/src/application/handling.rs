//! Handling an application: the steps a unit takes, in which state each is allowed, what each
//! needs, and the state it leaves. Pure: the caller passes where the application stands (its
//! state and clock events, read from storage) and gets back the new state and the clock event to
//! store, or the reason in Chinese why the step is refused. Every step that touches the clock is
//! checked by running the whole clock again ([`read_clock`]), so the regulation's limits (one
//! correction within 7 working days, one extension of at most 20) hold on every path.

use super::{ClockError, ClockEvent, DueState, Outcome, Reading, read_clock};
use crate::calendar::{Calendar, Coverage};
use chrono::NaiveDate;

/// Working days a third party has to answer a consultation (Art. 32).
pub const THIRD_PARTY_WORKDAYS: u32 = 15;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Received; the clock runs.
    Received,
    /// Waiting for the applicant's correction.
    Correcting,
    /// Waiting for a consultation's reply; the clock is stopped.
    Consulting,
    /// Waiting for the fee; the clock is stopped.
    AwaitingFee,
    /// The answer is drafted and waits for the leader's approval.
    Drafted,
    /// The answer is approved and waits to be delivered.
    Approved,
    /// Finished: answered and delivered, or closed (abandoned, unpaid).
    Closed,
}

impl State {
    /// Every state, in handling order.
    pub const ALL: [State; 7] = [
        State::Received,
        State::Correcting,
        State::Consulting,
        State::AwaitingFee,
        State::Drafted,
        State::Approved,
        State::Closed,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Correcting => "correcting",
            State::Consulting => "consulting",
            State::AwaitingFee => "fee",
            State::Drafted => "drafted",
            State::Approved => "approved",
            State::Closed => "closed",
        }
    }

    /// The state for a stored code.
    pub fn from_code(c: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == c)
    }

    /// The Chinese name, as the applicant and staff see it.
    pub fn label(self) -> &'static str {
        match self {
            State::Received => "办理中",
            State::Correcting => "待申请人补正",
            State::Consulting => "征求意见中",
            State::AwaitingFee => "待缴费",
            State::Drafted => "答复待审批",
            State::Approved => "答复待送达",
            State::Closed => "已办结",
        }
    }

    /// Whether the application is still open (counts on the e-supervision dashboard and is
    /// carried over at the year's end).
    pub fn is_open(self) -> bool {
        self != State::Closed
    }
}

/// Whom a consultation asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// A third party whose rights are concerned (Art. 32): 15 working days, silence lets the
    /// unit decide.
    ThirdParty,
    /// Another agency (Art. 33 para 2, 35).
    Agency,
}

impl Party {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Party::ThirdParty => "third_party",
            Party::Agency => "agency",
        }
    }

    /// The party for a stored code.
    pub fn from_code(c: &str) -> Option<Party> {
        [Party::ThirdParty, Party::Agency]
            .into_iter()
            .find(|p| p.code() == c)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Party::ThirdParty => "第三方",
            Party::Agency => "其他机关",
        }
    }
}

/// A step a unit takes on an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Note for the file (internal; never shown to the applicant).
    Note(String),
    /// Ask the applicant to correct the application (补正告知), once, within 7 working days.
    RequestCorrection {
        /// The day the notice went out.
        on: NaiveDate,
        /// What to correct.
        what: String,
    },
    /// The corrected application arrived: the period starts again.
    CorrectionReceived {
        /// The day it arrived.
        on: NaiveDate,
    },
    /// The correction period ran out: closed as abandoned (其他处理 1).
    Abandon {
        /// The day it was closed.
        on: NaiveDate,
    },
    /// Send a consultation letter; the clock stops.
    Consult {
        /// The day it went out.
        on: NaiveDate,
        /// Whom.
        party: Party,
        /// Their name.
        name: String,
        /// What they are asked.
        question: String,
    },
    /// The consultation ended: their reply arrived, or a third party stayed silent for 15
    /// working days.
    ConsultEnded {
        /// The day.
        on: NaiveDate,
        /// What they said (empty when silent).
        reply: String,
    },
    /// Extend the answer period (approved by the head of the openness body, notified).
    Extend {
        /// The day.
        on: NaiveDate,
        /// Working days added (1-20).
        days: u32,
        /// Why.
        reason: String,
    },
    /// Send a fee notice (收费通知书); the clock stops until it is paid.
    FeeNotice {
        /// The day.
        on: NaiveDate,
        /// Amount in yuan (by the monthly bands).
        amount: u32,
    },
    /// The fee was paid.
    FeePaid {
        /// The day.
        on: NaiveDate,
    },
    /// The fee was not paid in time: closed (其他处理 2).
    FeeUnpaid {
        /// The day.
        on: NaiveDate,
    },
    /// Draft the answer: its outcome (a row of the annual report), reason, pointer and text.
    Draft {
        /// The outcome.
        outcome: Outcome,
        /// The reason (what is withheld and why, …).
        reason: String,
        /// Where it is published, which agency holds it, which application it repeats.
        pointer: String,
        /// The answer's own words.
        text: String,
    },
    /// The leader approves the drafted answer.
    Approve,
    /// The drafted answer goes back to the handler.
    SendBack {
        /// Why.
        reason: String,
    },
    /// The answer was delivered: the application is finished on this day.
    Deliver {
        /// The day.
        on: NaiveDate,
        /// How (a [`super::DELIVERIES`] code).
        how: String,
    },
}

impl Step {
    /// The stored kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Note(_) => "note",
            Step::RequestCorrection { .. } => "correction_requested",
            Step::CorrectionReceived { .. } => "correction_received",
            Step::Abandon { .. } => "abandoned",
            Step::Consult { .. } => "consultation_sent",
            Step::ConsultEnded { .. } => "consultation_ended",
            Step::Extend { .. } => "extended",
            Step::FeeNotice { .. } => "fee_notice",
            Step::FeePaid { .. } => "fee_paid",
            Step::FeeUnpaid { .. } => "fee_unpaid",
            Step::Draft { .. } => "drafted",
            Step::Approve => "approved",
            Step::SendBack { .. } => "sent_back",
            Step::Deliver { .. } => "delivered",
        }
    }

    /// The Chinese name of a stored kind.
    pub fn kind_label(kind: &str) -> &'static str {
        match kind {
            "received" => "收到申请",
            "note" => "备注",
            "assigned" => "指定承办人",
            "correction_requested" => "告知补正",
            "correction_received" => "收到补正",
            "abandoned" => "逾期未补正，终止办理",
            "consultation_sent" => "征求意见",
            "consultation_ended" => "征求意见结束",
            "extended" => "延期答复",
            "fee_notice" => "收费通知",
            "fee_paid" => "已缴费",
            "fee_unpaid" => "逾期未缴费，终止办理",
            "drafted" => "拟定答复",
            "approved" => "审批通过",
            "sent_back" => "退回修改",
            "delivered" => "答复送达",
            _ => "其他",
        }
    }

    /// The day the step happened, when it names one.
    pub fn on(&self) -> Option<NaiveDate> {
        match self {
            Step::RequestCorrection { on, .. }
            | Step::CorrectionReceived { on }
            | Step::Abandon { on }
            | Step::Consult { on, .. }
            | Step::ConsultEnded { on, .. }
            | Step::Extend { on, .. }
            | Step::FeeNotice { on, .. }
            | Step::FeePaid { on }
            | Step::FeeUnpaid { on }
            | Step::Deliver { on, .. } => Some(*on),
            Step::Note(_) | Step::Draft { .. } | Step::Approve | Step::SendBack { .. } => None,
        }
    }

    /// Whether the step needs the approval power of the openness body's head (extensions and
    /// answers).
    pub fn needs_leader(&self) -> bool {
        matches!(
            self,
            Step::Extend { .. } | Step::Approve | Step::SendBack { .. }
        )
    }
}

/// Local numbers the regulation leaves to the agency (`[applications]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Working days the applicant is given to correct.
    pub correction_workdays: u32,
    /// Working days the applicant is given to pay a fee.
    pub fee_workdays: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            correction_workdays: 15,
            fee_workdays: 20,
        }
    }
}

/// Where an application stands, as read from storage.
#[derive(Debug, Clone)]
pub struct Standing {
    /// Its state.
    pub state: State,
    /// The date of receipt.
    pub received: NaiveDate,
    /// Its clock events so far, in order.
    pub events: Vec<ClockEvent>,
    /// The open consultation: when it went out and to whom.
    pub consulting: Option<(NaiveDate, Party)>,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// The state after it.
    pub state: State,
    /// The clock event it adds.
    pub clock: Option<ClockEvent>,
    /// The outcome it records (a draft, or a closing step's own).
    pub outcome: Option<Outcome>,
    /// The clock's reading after it.
    pub reading: Reading,
    /// The day it finishes the application on.
    pub closes_on: Option<NaiveDate>,
}

/// Checks `step` against where the application stands on `today` and says what it does, or
/// why it is refused (in Chinese).
pub fn take_step(
    cal: &Calendar,
    limits: Limits,
    now: &Standing,
    step: &Step,
    today: NaiveDate,
) -> Result<Effect, String> {
    use State::*;
    if let Some(on) = step.on() {
        if on > today {
            return Err(format!("日期 {on} 晚于今天，不能预先记录"));
        }
        if on < now.received {
            return Err(format!("日期 {on} 早于收到申请之日 {}", now.received));
        }
        if let Some(last) = now.events.last().map(ClockEvent::on)
            && on < last
        {
            return Err(format!("日期 {on} 早于上一步骤的日期 {last}"));
        }
    }
    let allowed: &[State] = match step {
        Step::Note(_) => &State::ALL,
        Step::RequestCorrection { .. } | Step::Consult { .. } | Step::FeeNotice { .. } => {
            &[Received]
        }
        Step::CorrectionReceived { .. } | Step::Abandon { .. } => &[Correcting],
        Step::ConsultEnded { .. } => &[Consulting],
        Step::FeePaid { .. } | Step::FeeUnpaid { .. } => &[AwaitingFee],
        Step::Extend { .. } => &[Received, Drafted],
        Step::Draft { .. } => &[Received, Drafted],
        Step::Approve | Step::SendBack { .. } => &[Drafted],
        Step::Deliver { .. } => &[Approved],
    };
    if !allowed.contains(&now.state) {
        return Err(format!(
            "申请当前状态为“{}”，不能{}",
            now.state.label(),
            Step::kind_label(step.kind())
        ));
    }
    let read = |events: &[ClockEvent]| {
        read_clock(cal, now.received, events, limits.correction_workdays)
            .map_err(|e: ClockError| e.to_string())
    };
    let current = read(&now.events)?;
    let with = |e: ClockEvent| {
        let mut events = now.events.clone();
        events.push(e);
        read(&events).map(|r| (Some(e), r))
    };
    let nothing = || Ok::<_, String>((None, current.clone()));
    let mut outcome = None;
    let mut closes_on = None;
    let (state, (clock, reading)) = match step {
        Step::Note(text) => {
            if text.trim().is_empty() {
                return Err("请填写备注内容".into());
            }
            (now.state, nothing()?)
        }
        Step::RequestCorrection { on, what } => {
            if what.trim().is_empty() {
                return Err("请写明需要补正的内容".into());
            }
            (Correcting, with(ClockEvent::CorrectionRequested(*on))?)
        }
        Step::CorrectionReceived { on } => (Received, with(ClockEvent::CorrectionReceived(*on))?),
        Step::Abandon { on } => {
            let DueState::AwaitingCorrection(by) = current.state else {
                return Err("没有待补正的期限".into());
            };
            if *on <= by {
                return Err(format!("补正期限至 {by}，期满后方可按逾期未补正终止办理"));
            }
            outcome = Some(Outcome::Other(1));
            closes_on = Some(*on);
            (Closed, nothing()?)
        }
        Step::Consult {
            on, name, question, ..
        } => {
            if name.trim().is_empty() || question.trim().is_empty() {
                return Err("请填写征求意见的对象和事项".into());
            }
            (Consulting, with(ClockEvent::ConsultationSent(*on))?)
        }
        Step::ConsultEnded { on, reply } => {
            let Some((sent, party)) = now.consulting else {
                return Err("没有进行中的征求意见".into());
            };
            if reply.trim().is_empty() {
                if party != Party::ThirdParty {
                    return Err("请记录其他机关的答复内容".into());
                }
                let by = cal
                    .add_workdays(sent, THIRD_PARTY_WORKDAYS, Coverage::Strict)
                    .map_err(|e| e.to_string())?;
                if *on <= by {
                    return Err(format!(
                        "第三方答复期限至 {by}（{THIRD_PARTY_WORKDAYS}个工作日），期满未答复方可由本机关决定；已答复的请记录答复内容"
                    ));
                }
            }
            (Received, with(ClockEvent::ConsultationEnded(*on))?)
        }
        Step::Extend { on, days, reason } => {
            if reason.trim().is_empty() {
                return Err("请写明延期理由".into());
            }
            (now.state, with(ClockEvent::Extended(*on, *days))?)
        }
        Step::FeeNotice { on, amount } => {
            if *amount == 0 {
                return Err("本月前10件申请不收费，无需发出收费通知".into());
            }
            (AwaitingFee, with(ClockEvent::FeeNotified(*on))?)
        }
        Step::FeePaid { on } => (Received, with(ClockEvent::FeePaid(*on))?),
        Step::FeeUnpaid { on } => {
            let Some(ClockEvent::FeeNotified(sent)) = now
                .events
                .iter()
                .rev()
                .find(|e| matches!(e, ClockEvent::FeeNotified(_)))
                .copied()
            else {
                return Err("没有待缴的费用".into());
            };
            let by = cal
                .add_workdays(sent, limits.fee_workdays, Coverage::Strict)
                .map_err(|e| e.to_string())?;
            if *on <= by {
                return Err(format!("缴费期限至 {by}，期满后方可按逾期未缴费终止办理"));
            }
            outcome = Some(Outcome::Other(2));
            closes_on = Some(*on);
            (Closed, nothing()?)
        }
        Step::Draft {
            outcome: o,
            reason,
            pointer,
            text,
        } => {
            o.check(reason, pointer)?;
            if matches!(o, Outcome::Other(1) | Outcome::Other(2)) {
                return Err(format!(
                    "“{}”由“逾期未补正”“逾期未缴费”步骤记录，不能直接选择",
                    o.label()
                ));
            }
            if text.trim().is_empty() {
                return Err("请填写答复正文".into());
            }
            outcome = Some(*o);
            (Drafted, nothing()?)
        }
        Step::Approve => (Approved, nothing()?),
        Step::SendBack { reason } => {
            if reason.trim().is_empty() {
                return Err("请写明退回理由".into());
            }
            (Received, nothing()?)
        }
        Step::Deliver { on, how } => {
            if !super::DELIVERIES.iter().any(|(c, _)| c == how) && how != "on_site" {
                return Err("请选择送达方式".into());
            }
            closes_on = Some(*on);
            (Closed, nothing()?)
        }
    };
    Ok(Effect {
        state,
        clock,
        outcome,
        reading,
        closes_on,
    })
}

/// The stored kinds that are clock events, and the event each is.
pub fn clock_event(kind: &str, on: NaiveDate, days: u32) -> Option<ClockEvent> {
    Some(match kind {
        "correction_requested" => ClockEvent::CorrectionRequested(on),
        "correction_received" => ClockEvent::CorrectionReceived(on),
        "consultation_sent" => ClockEvent::ConsultationSent(on),
        "consultation_ended" => ClockEvent::ConsultationEnded(on),
        "extended" => ClockEvent::Extended(on, days),
        "fee_notice" => ClockEvent::FeeNotified(on),
        "fee_paid" => ClockEvent::FeePaid(on),
        _ => return None,
    })
}

/// The e-supervision watch days of an answer due on `due`: "due soon" from `soon_workdays`
/// working days before it (not before `from`, the day the period started), overdue from the
/// day after it.
pub fn watch_days(
    cal: &Calendar,
    due: NaiveDate,
    soon_workdays: u32,
    from: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), crate::calendar::CalendarError> {
    let soon = crate::power::case::workdays_before(cal, due, soon_workdays)?.max(from);
    let red = due
        .succ_opt()
        .ok_or(crate::calendar::CalendarError::OutOfRange)?;
    Ok((soon, red))
}

/// Where an application stands, from its stored state and events (kind, day, working days,
/// party code), oldest first.
pub fn standing_of<'a>(
    state: State,
    received: NaiveDate,
    events: impl IntoIterator<Item = (&'a str, NaiveDate, u32, &'a str)>,
) -> Standing {
    let mut clock = Vec::new();
    let mut consulting = None;
    for (kind, on, days, party) in events {
        if let Some(e) = clock_event(kind, on, days) {
            clock.push(e);
        }
        match kind {
            "consultation_sent" => {
                consulting = Some((on, Party::from_code(party).unwrap_or(Party::Agency)))
            }
            "consultation_ended" => consulting = None,
            _ => {}
        }
    }
    Standing {
        state,
        received,
        events: clock,
        consulting,
    }
}

/// Whether an application answered on `answered` was late, against its due date.
pub fn answered_late(due: Option<NaiveDate>, answered: NaiveDate) -> bool {
    due.is_some_and(|d| answered > d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn standing(state: State, events: Vec<ClockEvent>) -> Standing {
        Standing {
            state,
            received: d("2026-03-02"),
            events,
            consulting: None,
        }
    }

    #[test]
    fn steps_follow_the_states_and_the_clock() {
        let cal = Calendar::shipped().unwrap();
        let l = Limits::default();
        let today = d("2026-06-30");
        let now = standing(State::Received, vec![]);
        let e = take_step(
            &cal,
            l,
            &now,
            &Step::RequestCorrection {
                on: d("2026-03-05"),
                what: "请写明文件名称".into(),
            },
            today,
        )
        .unwrap();
        assert_eq!(e.state, State::Correcting);
        assert_eq!(
            e.clock,
            Some(ClockEvent::CorrectionRequested(d("2026-03-05")))
        );
        // too late: the 7th working day after 2026-03-02 is 2026-03-11
        let late = take_step(
            &cal,
            l,
            &now,
            &Step::RequestCorrection {
                on: d("2026-03-12"),
                what: "x".into(),
            },
            today,
        )
        .unwrap_err();
        assert!(late.contains("7个工作日内"), "{late}");
        // a second correction request: refused by state
        let corr = standing(
            State::Correcting,
            vec![ClockEvent::CorrectionRequested(d("2026-03-05"))],
        );
        let again = take_step(
            &cal,
            l,
            &corr,
            &Step::RequestCorrection {
                on: d("2026-03-06"),
                what: "x".into(),
            },
            today,
        )
        .unwrap_err();
        assert!(again.contains("待申请人补正"), "{again}");
        // abandon only after the correction period (15 working days from 03-05 = 03-26)
        let early = take_step(
            &cal,
            l,
            &corr,
            &Step::Abandon {
                on: d("2026-03-26"),
            },
            today,
        )
        .unwrap_err();
        assert!(early.contains("2026-03-26"), "{early}");
        let closed = take_step(
            &cal,
            l,
            &corr,
            &Step::Abandon {
                on: d("2026-03-27"),
            },
            today,
        )
        .unwrap();
        assert_eq!(closed.state, State::Closed);
        assert_eq!(closed.outcome, Some(Outcome::Other(1)));
        // a second extension
        let ext = standing(
            State::Received,
            vec![ClockEvent::Extended(d("2026-03-20"), 10)],
        );
        let twice = take_step(
            &cal,
            l,
            &ext,
            &Step::Extend {
                on: d("2026-03-25"),
                days: 5,
                reason: "复杂".into(),
            },
            today,
        )
        .unwrap_err();
        assert!(twice.contains("只能一次"), "{twice}");
        // an outcome without its reason
        let bare = take_step(
            &cal,
            l,
            &now,
            &Step::Draft {
                outcome: Outcome::Withheld(4),
                reason: String::new(),
                pointer: String::new(),
                text: "答复".into(),
            },
            today,
        )
        .unwrap_err();
        assert!(bare.contains("须写明理由"), "{bare}");
        // deliver only once approved
        let early = take_step(
            &cal,
            l,
            &now,
            &Step::Deliver {
                on: d("2026-03-20"),
                how: "email".into(),
            },
            today,
        )
        .unwrap_err();
        assert!(early.contains("不能答复送达"), "{early}");
        // a future date
        let future = take_step(
            &cal,
            l,
            &now,
            &Step::CorrectionReceived {
                on: d("2026-07-01"),
            },
            today,
        )
        .unwrap_err();
        assert!(future.contains("晚于今天"), "{future}");
    }

    #[test]
    fn a_silent_third_party_lets_the_unit_decide_after_fifteen_workdays() {
        let cal = Calendar::shipped().unwrap();
        let mut now = standing(
            State::Consulting,
            vec![ClockEvent::ConsultationSent(d("2026-03-04"))],
        );
        now.consulting = Some((d("2026-03-04"), Party::ThirdParty));
        let silent = |on| {
            take_step(
                &cal,
                Limits::default(),
                &now,
                &Step::ConsultEnded {
                    on: d(on),
                    reply: String::new(),
                },
                d("2026-06-30"),
            )
        };
        // 15 working days from 03-04 is 03-25
        assert!(silent("2026-03-25").unwrap_err().contains("2026-03-25"));
        let e = silent("2026-03-26").unwrap();
        assert_eq!(e.state, State::Received);
        // 20 + 16 paused working days from 03-02
        assert_eq!(
            e.reading.state,
            DueState::Due(
                cal.add_workdays(d("2026-03-02"), 36, Coverage::Strict)
                    .unwrap()
            )
        );
    }

    #[test]
    fn states_round_trip() {
        for s in State::ALL {
            assert_eq!(State::from_code(s.code()), Some(s));
            assert!(!s.label().is_empty());
        }
    }
}
