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

    /// What an event of this kind (a [`Step::kind`], or `received`) is called, in Chinese.
    pub fn kind_label(kind: &str) -> &'static str {
        match kind {
            "received" => "收到留言",
            "transferred" => "转办",
            "accepted" => "受理",
            "more_asked" => "请留言人补充",
            "more_received" => "留言人已补充",
            "drafted" => "拟写答复",
            "answered" => "审核通过，答复",
            "sent_back" => "审核退回",
            "abusive" => "标记为不当留言",
            _ => "其他",
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

/// How alike two texts are, from 0 to 1: the Jaccard index of their character bigrams after
/// dropping whitespace and punctuation (a message sent again with a word changed scores high).
pub fn similarity(a: &str, b: &str) -> f64 {
    fn grams(s: &str) -> std::collections::HashSet<(char, char)> {
        let chars: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (x, y) = (grams(a), grams(b));
    if x.is_empty() && y.is_empty() {
        return if a.trim() == b.trim() { 1.0 } else { 0.0 };
    }
    let common = x.intersection(&y).count();
    let all = x.len() + y.len() - common;
    common as f64 / all as f64
}

/// From this similarity on, a message from the same writer is a near-duplicate of an earlier one.
pub const NEAR_DUPLICATE: f64 = 0.8;

/// A routing rule the openness office edits: messages on `topic`, or mentioning one of the
/// keywords, go to `unit_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRule {
    /// The topic the writer can choose (e.g. 教育).
    pub topic: String,
    /// Words that route a message without a topic (any one is enough).
    pub keywords: Vec<String>,
    /// The unit.
    pub unit_id: i64,
}

/// Where a message to the district goes: the rule of the topic chosen, else the first rule with
/// a keyword in the subject or text, else nowhere (the openness office routes it by hand).
/// Gives the unit and the rule's topic.
pub fn route<'a>(rules: &'a [RouteRule], topic: &str, text: &str) -> Option<(i64, &'a str)> {
    let topic = topic.trim();
    if !topic.is_empty()
        && let Some(r) = rules.iter().find(|r| r.topic == topic)
    {
        return Some((r.unit_id, &r.topic));
    }
    rules
        .iter()
        .find(|r| {
            r.keywords
                .iter()
                .any(|k| !k.trim().is_empty() && text.contains(k.trim()))
        })
        .map(|r| (r.unit_id, r.topic.as_str()))
}

/// Reads a rule's keyword list (separated by commas, 、, ；, spaces or lines).
pub fn parse_keywords(s: &str) -> Vec<String> {
    s.split(|c: char| {
        c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c.is_whitespace()
    })
    .map(str::trim)
    .filter(|k| !k.is_empty())
    .map(str::to_string)
    .collect()
}

/// Working days from `from` (excluded) to `to` (included): how long an answer took. Days the
/// calendar does not cover count by weekday.
pub fn workdays_between(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        let Some(next) = d.succ_opt() else { break };
        d = next;
        if cal
            .is_workday(d, Coverage::AssumeWeekends)
            .unwrap_or(!crate::calendar::is_weekend(d))
        {
            n += 1;
        }
    }
    n
}

/// The writer's name as published: the family name and a star for each other character.
pub fn masked_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first)
            .chain(chars.map(|_| '*'))
            .collect::<String>()
            .chars()
            .take(4)
            .collect(),
        None => "匿名".into(),
    }
}

/// The copy of an exchange that goes public: every finding of the scanner (personal data and
/// the district's sensitive words) masked, the writer's name reduced to the family name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicCopy {
    /// The writer's name, masked.
    pub name: String,
    /// Subject.
    pub subject: String,
    /// The message.
    pub body: String,
    /// The answer.
    pub answer: String,
}

impl PublicCopy {
    /// The masked copy of a message and its answer.
    pub fn of(
        scanner: &crate::scan::Scanner,
        name: &str,
        subject: &str,
        body: &str,
        answer: &str,
    ) -> PublicCopy {
        let masked = |t: &str| crate::scan::mask_all(t, &scanner.scan(t));
        PublicCopy {
            name: masked_name(name),
            subject: masked(subject),
            body: masked(body),
            answer: masked(answer),
        }
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn near_duplicates_score_high_and_different_texts_low() {
        let a = "小区旁工地夜间施工，噪音很大，影响休息，请尽快处理。";
        let b = "小区旁工地夜间施工，噪音太大，影响休息，请尽快处理！";
        assert!(similarity(a, b) >= NEAR_DUPLICATE, "{}", similarity(a, b));
        assert!(similarity(a, "请问低保的申请条件是什么？") < 0.2);
        assert_eq!(similarity("", ""), 1.0);
    }

    #[test]
    fn messages_route_by_topic_then_keyword() {
        let rules = vec![
            RouteRule {
                topic: "教育".into(),
                keywords: parse_keywords("学校、入学，学籍"),
                unit_id: 5,
            },
            RouteRule {
                topic: "民政".into(),
                keywords: parse_keywords("低保 养老"),
                unit_id: 6,
            },
        ];
        assert_eq!(route(&rules, "民政", "学校的事"), Some((6, "民政")));
        assert_eq!(route(&rules, "", "孩子入学需要什么材料"), Some((5, "教育")));
        assert_eq!(route(&rules, "其他", "养老院收费"), Some((6, "民政")));
        assert_eq!(route(&rules, "", "路灯坏了"), None);
        assert_eq!(
            parse_keywords(" 学校、入学，学籍 "),
            ["学校", "入学", "学籍"]
        );
    }

    #[test]
    fn answer_time_counts_working_days() {
        let cal = Calendar::shipped().unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Monday to the next Monday: five working days
        assert_eq!(workdays_between(&cal, d("2026-03-02"), d("2026-03-09")), 5);
        assert_eq!(workdays_between(&cal, d("2026-03-02"), d("2026-03-02")), 0);
        assert_eq!(masked_name("王小明"), "王**");
        assert_eq!(masked_name(" "), "匿名");
    }

    #[test]
    fn the_public_copy_masks_personal_data() {
        let scanner = crate::scan::Scanner::new(&["内部"]);
        let c = PublicCopy::of(
            &scanner,
            "王小明",
            "噪音",
            "我的电话13812345678，身份证11010519491231002X。",
            "已转内部处理。",
        );
        assert_eq!(c.name, "王**");
        assert!(!c.body.contains("13812345678") && !c.body.contains("11010519491231002X"));
        assert!(c.body.contains("138") && c.body.contains('*'), "{}", c.body);
        assert!(!c.answer.contains("内部"), "{}", c.answer);
    }
}
