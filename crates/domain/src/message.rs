//! Messages to the government (政民互动: 咨询、投诉、建议、领导信箱): what a message must hold, its
//! kind's answer limit in working days (local numbers, configurable), and the national website
//! indicators' single-veto rule — a message unanswered for three months (DOMAIN.md §4). Pure
//! rules; the same reading on every path (the portal form, the API).

use crate::calendar::{Calendar, CalendarError, Coverage};
use crate::disclosure::FieldError;
use chrono::{Months, NaiveDate};

/// The kind of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// 咨询.
    Consultation,
    /// 投诉.
    Complaint,
    /// 建议.
    Suggestion,
    /// 领导信箱.
    LeaderMailbox,
}

impl MessageKind {
    /// Every kind, in the form's order.
    pub const ALL: [MessageKind; 4] = [
        MessageKind::Consultation,
        MessageKind::Complaint,
        MessageKind::Suggestion,
        MessageKind::LeaderMailbox,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            MessageKind::Consultation => "consultation",
            MessageKind::Complaint => "complaint",
            MessageKind::Suggestion => "suggestion",
            MessageKind::LeaderMailbox => "leader",
        }
    }

    /// The kind of a stored code.
    pub fn from_code(c: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.code() == c)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Consultation => "咨询",
            MessageKind::Complaint => "投诉",
            MessageKind::Suggestion => "建议",
            MessageKind::LeaderMailbox => "领导信箱",
        }
    }
}

/// Answer limits per kind, in working days (`[messages]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// 咨询.
    pub consultation: u32,
    /// 投诉.
    pub complaint: u32,
    /// 建议.
    pub suggestion: u32,
    /// 领导信箱.
    pub leader: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            consultation: 5,
            complaint: 15,
            suggestion: 15,
            leader: 15,
        }
    }
}

impl Limits {
    /// The limit of a kind.
    pub fn of(&self, kind: MessageKind) -> u32 {
        match kind {
            MessageKind::Consultation => self.consultation,
            MessageKind::Complaint => self.complaint,
            MessageKind::Suggestion => self.suggestion,
            MessageKind::LeaderMailbox => self.leader,
        }
    }
}

/// When a message must be answered, and why (one line).
pub fn due_date(
    cal: &Calendar,
    kind: MessageKind,
    received: NaiveDate,
    limits: &Limits,
) -> Result<(NaiveDate, String), CalendarError> {
    let n = limits.of(kind);
    let due = cal.add_workdays(received, n, Coverage::Strict)?;
    Ok((
        due,
        format!(
            "{}类留言，收到之日 {received} 后第{n}个工作日答复，即 {due}",
            kind.label()
        ),
    ))
}

/// Months after which an unanswered message is the single-veto item of the national website
/// indicators (留言办理: 超过3个月未办结).
pub const VETO_MONTHS: u32 = 3;

/// The first day a message received on `received` and still unanswered counts against the site
/// (the day after three calendar months).
pub fn veto_from(received: NaiveDate) -> NaiveDate {
    received
        .checked_add_months(Months::new(VETO_MONTHS))
        .and_then(|d| d.succ_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// A message as sent, before it is read.
#[derive(Debug, Clone, Default)]
pub struct MessageFields<'a> {
    /// [`MessageKind`] code.
    pub kind: &'a str,
    /// The writer's name.
    pub name: &'a str,
    /// Phone.
    pub phone: &'a str,
    /// E-mail.
    pub email: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// The message.
    pub body: &'a str,
    /// `yes` when the writer agrees that the exchange may be published.
    pub publish: &'a str,
}

/// A message read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInput {
    /// Kind.
    pub kind: MessageKind,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Subject.
    pub subject: String,
    /// The message.
    pub body: String,
    /// Whether the exchange may be published (masked).
    pub publish_ok: bool,
}

/// The longest message, in characters.
pub const MAX_BODY: usize = 5000;

/// Reads a message the same way on every path; every problem at once, each with its field.
pub fn read_message(f: &MessageFields<'_>) -> Result<MessageInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: &'static str, message: String| errors.push(FieldError { field, message });
    let kind = MessageKind::from_code(f.kind.trim());
    if kind.is_none() {
        err(
            "kind",
            "请选择留言类型（咨询、投诉、建议或领导信箱）".into(),
        );
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        err("name", "请填写姓名（不超过50字）".into());
    }
    let (phone, email) = (f.phone.trim(), f.email.trim());
    if phone.is_empty() && email.is_empty() {
        err("phone", "请至少填写一种联系方式（电话或电子邮箱）".into());
    }
    if !phone.is_empty()
        && (phone.chars().count() > 30
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || "-+ ()".contains(c)))
    {
        err("phone", "电话号码只能包含数字和“-”".into());
    }
    if !email.is_empty() && (email.len() > 100 || !email.contains('@') || email.contains(' ')) {
        err("email", "电子邮箱格式不正确".into());
    }
    let subject = f.subject.trim();
    if subject.is_empty() || subject.chars().count() > 100 {
        err("subject", "请填写标题（不超过100字）".into());
    }
    let body = f.body.trim();
    let n = body.chars().count();
    if n < 5 {
        err("body", "请写明留言内容（至少5个字）".into());
    } else if n > MAX_BODY {
        err(
            "body",
            format!("留言内容不超过{MAX_BODY}字（现有{n}字），可分为几条留言"),
        );
    }
    match (kind, errors.is_empty()) {
        (Some(kind), true) => Ok(MessageInput {
            kind,
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            subject: subject.into(),
            body: body.into(),
            publish_ok: f.publish.trim() == "yes",
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn limits_count_working_days_by_kind() {
        let cal = Calendar::shipped().unwrap();
        let l = Limits::default();
        // Friday 2026-09-25: five working days skip the National Day holiday (10-01 to 10-08)
        let (due, why) = due_date(&cal, MessageKind::Consultation, d("2026-09-25"), &l).unwrap();
        assert_eq!(
            due,
            cal.add_workdays(d("2026-09-25"), 5, Coverage::Strict)
                .unwrap()
        );
        assert!(due > d("2026-10-08"), "{due}");
        assert!(why.contains("咨询") && why.contains("第5个工作日"), "{why}");
        let (due, _) = due_date(&cal, MessageKind::Complaint, d("2026-03-02"), &l).unwrap();
        assert_eq!(
            due,
            cal.add_workdays(d("2026-03-02"), 15, Coverage::Strict)
                .unwrap()
        );
        assert_eq!(veto_from(d("2026-03-02")), d("2026-06-03"));
        assert_eq!(veto_from(d("2026-11-30")), d("2027-03-01"));
    }

    #[test]
    fn a_message_is_read_with_every_problem_named() {
        let bad = read_message(&MessageFields {
            kind: "rant",
            body: "短",
            ..MessageFields::default()
        })
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "name", "phone", "subject", "body"]);
        let long = "字".repeat(MAX_BODY + 1);
        let too_long = read_message(&MessageFields {
            kind: "complaint",
            name: "王五",
            phone: "13812345678",
            subject: "噪音扰民",
            body: &long,
            ..MessageFields::default()
        })
        .unwrap_err();
        assert!(too_long[0].message.contains("不超过5000字"));
        let ok = read_message(&MessageFields {
            kind: "complaint",
            name: " 王五 ",
            phone: "13812345678",
            subject: "夜间施工噪音",
            body: "小区旁工地夜间施工，影响休息。",
            publish: "yes",
            ..MessageFields::default()
        })
        .unwrap();
        assert_eq!(ok.kind, MessageKind::Complaint);
        assert_eq!(ok.name, "王五");
        assert!(ok.publish_ok);
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Received by the unit it is with; not yet accepted.
    Received,
    /// Accepted: the unit is working on it.
    Accepted,
    /// Waiting for the writer's further information.
    MoreInfo,
    /// The answer is drafted and waits for review.
    Drafted,
    /// Answered (the answer went out after review).
    Answered,
    /// Marked abusive by a reviewer, with the reason (kept, not deleted).
    Abusive,
}

impl State {
    /// Every state.
    pub const ALL: [State; 6] = [
        State::Received,
        State::Accepted,
        State::MoreInfo,
        State::Drafted,
        State::Answered,
        State::Abusive,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Accepted => "accepted",
            State::MoreInfo => "more_info",
            State::Drafted => "drafted",
            State::Answered => "answered",
            State::Abusive => "abusive",
        }
    }

    /// The state of a stored code.
    pub fn from_code(c: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == c)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            State::Received => "待受理",
            State::Accepted => "办理中",
            State::MoreInfo => "待留言人补充",
            State::Drafted => "答复待审核",
            State::Answered => "已答复",
            State::Abusive => "已标记为不当留言",
        }
    }
}

/// A step a unit takes on a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Hand it to another unit, with the reason (every hop is kept).
    Transfer {
        /// The unit it goes to.
        to_unit: i64,
        /// Why.
        reason: String,
    },
    /// Accept it.
    Accept,
    /// Ask the writer for more.
    AskMore(String),
    /// The writer's further information arrived.
    MoreReceived(String),
    /// Draft the answer.
    Draft(String),
    /// The reviewer lets the answer go out.
    Approve,
    /// The reviewer sends the draft back.
    SendBack(String),
    /// A reviewer marks it abusive, with the reason.
    MarkAbusive(String),
}

impl Step {
    /// The stored event kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Transfer { .. } => "transferred",
            Step::Accept => "accepted",
            Step::AskMore(_) => "more_asked",
            Step::MoreReceived(_) => "more_received",
            Step::Draft(_) => "drafted",
            Step::Approve => "answered",
            Step::SendBack(_) => "sent_back",
            Step::MarkAbusive(_) => "abusive",
        }
    }

    /// Whether the step is a reviewer's (approving, sending back, marking abusive).
    pub fn needs_reviewer(&self) -> bool {
        matches!(
            self,
            Step::Approve | Step::SendBack(_) | Step::MarkAbusive(_)
        )
    }
}

/// Checks a step against where the message stands (`unit`: the unit it is with) and gives the
/// state after it, or why it is refused (in Chinese).
pub fn take_step(now: State, unit: i64, step: &Step) -> Result<State, String> {
    use State::*;
    let text = |t: &str, what: &str| {
        if t.trim().is_empty() {
            Err(format!("请填写{what}"))
        } else {
            Ok(())
        }
    };
    let allowed: &[State] = match step {
        Step::Transfer { .. } => &[Received, Accepted],
        Step::Accept => &[Received],
        Step::AskMore(_) => &[Accepted],
        Step::MoreReceived(_) => &[MoreInfo],
        Step::Draft(_) => &[Accepted, Drafted],
        Step::Approve | Step::SendBack(_) => &[Drafted],
        Step::MarkAbusive(_) => &[Received, Accepted, MoreInfo, Drafted],
    };
    if !allowed.contains(&now) {
        return Err(format!("留言当前状态为“{}”，不能进行此操作", now.label()));
    }
    Ok(match step {
        Step::Transfer { to_unit, reason } => {
            if *to_unit == unit {
                return Err("请选择另一个单位".into());
            }
            text(reason, "转办理由")?;
            Received
        }
        Step::Accept => Accepted,
        Step::AskMore(t) => {
            text(t, "需要补充的内容")?;
            MoreInfo
        }
        Step::MoreReceived(t) => {
            text(t, "补充的内容")?;
            Accepted
        }
        Step::Draft(t) => {
            text(t, "答复内容")?;
            Drafted
        }
        Step::Approve => Answered,
        Step::SendBack(t) => {
            text(t, "退回理由")?;
            Accepted
        }
        Step::MarkAbusive(t) => {
            text(t, "标记理由")?;
            Abusive
        }
    })
}

#[cfg(test)]
mod step_tests {
    use super::*;

    #[test]
    fn steps_follow_the_states() {
        let t = |now, step: Step| take_step(now, 1, &step);
        assert_eq!(
            t(
                State::Received,
                Step::Transfer {
                    to_unit: 2,
                    reason: "属于民政职责".into()
                }
            ),
            Ok(State::Received)
        );
        assert!(
            t(
                State::Received,
                Step::Transfer {
                    to_unit: 1,
                    reason: "x".into()
                }
            )
            .unwrap_err()
            .contains("另一个单位")
        );
        assert!(
            t(
                State::Received,
                Step::Transfer {
                    to_unit: 2,
                    reason: " ".into()
                }
            )
            .unwrap_err()
            .contains("转办理由")
        );
        assert_eq!(t(State::Received, Step::Accept), Ok(State::Accepted));
        assert_eq!(
            t(State::Accepted, Step::Draft("答复".into())),
            Ok(State::Drafted)
        );
        assert!(
            t(State::Received, Step::Draft("答复".into()))
                .unwrap_err()
                .contains("待受理")
        );
        assert_eq!(t(State::Drafted, Step::Approve), Ok(State::Answered));
        assert!(
            t(
                State::Answered,
                Step::Transfer {
                    to_unit: 2,
                    reason: "x".into()
                }
            )
            .is_err()
        );
        assert_eq!(
            t(State::Drafted, Step::MarkAbusive("辱骂".into())),
            Ok(State::Abusive)
        );
        for s in State::ALL {
            assert_eq!(State::from_code(s.code()), Some(s));
        }
    }
}
