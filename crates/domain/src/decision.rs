//! Major administrative decisions (重大行政决策, 重大行政决策程序暂行条例; DOMAIN.md §5): the
//! statutory steps in order and their gates — hearing materials out 7 days before the hearing
//! (Art. 16), at least 7 working days for the legality review (Art. 26), no collective
//! discussion without a passed legality review (Art. 25), no publication without explaining how
//! opinions were adopted (Art. 32). Pure rules.

use crate::calendar::Calendar;
use crate::message::workdays_between;
use chrono::NaiveDate;

/// A step of the procedure, in statutory order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepKind {
    /// 公众参与 (a consultation on the draft, and other ways of hearing the public).
    Participation,
    /// 听证会 (optional, may be held more than once).
    Hearing,
    /// 专家论证.
    ExpertReview,
    /// 风险评估.
    RiskAssessment,
    /// 合法性审查 (repeated after a failed review).
    LegalityReview,
    /// 集体讨论决定.
    CollectiveDiscussion,
    /// 决策公布 (with how public and expert opinions were adopted).
    Publication,
    /// 立卷归档.
    Archiving,
    /// 决策后评估.
    PostEvaluation,
}

impl StepKind {
    /// Every step, in order.
    pub const ALL: [StepKind; 9] = [
        StepKind::Participation,
        StepKind::Hearing,
        StepKind::ExpertReview,
        StepKind::RiskAssessment,
        StepKind::LegalityReview,
        StepKind::CollectiveDiscussion,
        StepKind::Publication,
        StepKind::Archiving,
        StepKind::PostEvaluation,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            StepKind::Participation => "participation",
            StepKind::Hearing => "hearing",
            StepKind::ExpertReview => "expert_review",
            StepKind::RiskAssessment => "risk_assessment",
            StepKind::LegalityReview => "legality_review",
            StepKind::CollectiveDiscussion => "collective_discussion",
            StepKind::Publication => "publication",
            StepKind::Archiving => "archiving",
            StepKind::PostEvaluation => "post_evaluation",
        }
    }

    /// The step of a stored code.
    pub fn from_code(c: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|s| s.code() == c)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Participation => "公众参与",
            StepKind::Hearing => "听证",
            StepKind::ExpertReview => "专家论证",
            StepKind::RiskAssessment => "风险评估",
            StepKind::LegalityReview => "合法性审查",
            StepKind::CollectiveDiscussion => "集体讨论决定",
            StepKind::Publication => "决策公布",
            StepKind::Archiving => "立卷归档",
            StepKind::PostEvaluation => "决策后评估",
        }
    }

    /// The step that must be done before this one (the hearing needs the participation
    /// started; everything else follows the statutory order, the hearing being optional).
    fn requires(self) -> Option<StepKind> {
        match self {
            StepKind::Participation => None,
            StepKind::Hearing | StepKind::ExpertReview => Some(StepKind::Participation),
            StepKind::RiskAssessment => Some(StepKind::ExpertReview),
            StepKind::LegalityReview => Some(StepKind::RiskAssessment),
            StepKind::CollectiveDiscussion => Some(StepKind::LegalityReview),
            StepKind::Publication => Some(StepKind::CollectiveDiscussion),
            StepKind::Archiving => Some(StepKind::Publication),
            StepKind::PostEvaluation => Some(StepKind::Archiving),
        }
    }

    /// Whether the step may be recorded more than once.
    fn repeatable(self) -> bool {
        matches!(self, StepKind::Hearing | StepKind::LegalityReview)
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Done,
    /// Not needed for this decision (expert review, risk assessment), with the reason.
    NotApplicable,
    /// The legality review passed.
    Passed,
    /// The legality review did not pass (the draft is revised and reviewed again).
    Failed,
}

impl Outcome {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::NotApplicable => "not_applicable",
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
        }
    }

    /// The outcome of a stored code.
    pub fn from_code(c: &str) -> Option<Outcome> {
        [
            Outcome::Done,
            Outcome::NotApplicable,
            Outcome::Passed,
            Outcome::Failed,
        ]
        .into_iter()
        .find(|o| o.code() == c)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Done => "已完成",
            Outcome::NotApplicable => "不适用",
            Outcome::Passed => "审查通过",
            Outcome::Failed => "审查未通过",
        }
    }
}

/// A step as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInput {
    /// Which.
    pub kind: StepKind,
    /// First day (for the legality review: the day it was sent for review; for a hearing: the
    /// day of the hearing).
    pub started_on: NaiveDate,
    /// Last day.
    pub finished_on: NaiveDate,
    /// How it ended.
    pub outcome: Outcome,
    /// A hearing's materials published on.
    pub materials_on: Option<NaiveDate>,
    /// The documents (titles, numbers or links), one per line.
    pub documents: String,
    /// Notes (a not-applicable step's reason).
    pub note: String,
    /// Publication: how public and expert opinions were adopted.
    pub adoption: String,
}

/// Days the hearing materials must be public before the hearing (Art. 16).
pub const HEARING_NOTICE_DAYS: i64 = 7;
/// Working days the legality review must be given at least (Art. 26).
pub const LEGALITY_WORKDAYS: u32 = 7;

/// Checks a step against the steps recorded so far (kind and outcome, in order) and today;
/// gives why it is refused, in Chinese.
pub fn check_step(
    cal: &Calendar,
    done: &[(StepKind, Outcome)],
    s: &StepInput,
    today: NaiveDate,
) -> Result<(), String> {
    let has = |k: StepKind| done.iter().any(|(d, _)| *d == k);
    if s.finished_on < s.started_on {
        return Err("结束日期不能早于开始日期".into());
    }
    if s.finished_on > today {
        return Err("只能登记已经完成的步骤（结束日期不能晚于今天）".into());
    }
    if has(s.kind) && !s.kind.repeatable() {
        return Err(format!("“{}”已经登记", s.kind.label()));
    }
    if let Some(before) = s.kind.requires()
        && !has(before)
    {
        return Err(format!(
            "须先完成“{}”，才能登记“{}”",
            before.label(),
            s.kind.label()
        ));
    }
    let allowed: &[Outcome] = match s.kind {
        StepKind::ExpertReview | StepKind::RiskAssessment => {
            &[Outcome::Done, Outcome::NotApplicable]
        }
        StepKind::LegalityReview => &[Outcome::Passed, Outcome::Failed],
        _ => &[Outcome::Done],
    };
    if !allowed.contains(&s.outcome) {
        return Err(format!(
            "“{}”的结果不能是“{}”",
            s.kind.label(),
            s.outcome.label()
        ));
    }
    if s.outcome == Outcome::NotApplicable && s.note.trim().is_empty() {
        return Err("不适用的，须说明理由".into());
    }
    if s.outcome != Outcome::NotApplicable && s.documents.trim().is_empty() {
        return Err("请登记本步骤形成的材料（名称、文号或链接）".into());
    }
    match s.kind {
        StepKind::Hearing => {
            if has(StepKind::CollectiveDiscussion) {
                return Err("已集体讨论决定，不能再登记听证".into());
            }
            let Some(m) = s.materials_on else {
                return Err("请填写听证材料的公布日期".into());
            };
            if (s.started_on - m).num_days() < HEARING_NOTICE_DAYS {
                return Err(format!(
                    "听证材料须在听证会{HEARING_NOTICE_DAYS}日前公布（{m} 公布，{} 听证）",
                    s.started_on
                ));
            }
        }
        StepKind::LegalityReview => {
            if done
                .iter()
                .any(|(k, o)| *k == StepKind::LegalityReview && *o == Outcome::Passed)
            {
                return Err("合法性审查已经通过".into());
            }
            let days = workdays_between(cal, s.started_on, s.finished_on);
            if days < LEGALITY_WORKDAYS {
                return Err(format!(
                    "合法性审查时间一般不少于{LEGALITY_WORKDAYS}个工作日（{} 送审至 {} 仅{days}个工作日）",
                    s.started_on, s.finished_on
                ));
            }
        }
        StepKind::CollectiveDiscussion => {
            let passed = done
                .iter()
                .rev()
                .find(|(k, _)| *k == StepKind::LegalityReview)
                .is_some_and(|(_, o)| *o == Outcome::Passed);
            if !passed {
                return Err("合法性审查未通过，不得提交集体讨论".into());
            }
        }
        StepKind::Publication if s.adoption.trim().is_empty() => {
            return Err("决策公布须说明公众意见、专家意见的采纳情况".into());
        }
        _ => {}
    }
    Ok(())
}

/// The last step done, in words, for lists.
pub fn standing(done: &[(StepKind, Outcome)]) -> String {
    match done.last() {
        None => "尚未启动".into(),
        Some((k, o)) => format!("{}（{}）", k.label(), o.label()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn step(kind: StepKind, from: &str, to: &str, outcome: Outcome) -> StepInput {
        StepInput {
            kind,
            started_on: d(from),
            finished_on: d(to),
            outcome,
            materials_on: None,
            documents: "材料".into(),
            note: String::new(),
            adoption: String::new(),
        }
    }

    #[test]
    fn the_gates_hold() {
        let cal = Calendar::shipped().unwrap();
        let today = d("2026-06-30");
        use StepKind::*;
        let mut done = vec![];
        // out of order
        let e = check_step(
            &cal,
            &done,
            &step(ExpertReview, "2026-03-02", "2026-03-03", Outcome::Done),
            today,
        )
        .unwrap_err();
        assert!(e.contains("须先完成“公众参与”"), "{e}");
        done.push((Participation, Outcome::Done));
        // a hearing with materials out only 5 days before
        let mut h = step(Hearing, "2026-03-10", "2026-03-10", Outcome::Done);
        h.materials_on = Some(d("2026-03-05"));
        assert!(
            check_step(&cal, &done, &h, today)
                .unwrap_err()
                .contains("7日前公布")
        );
        h.materials_on = Some(d("2026-03-03"));
        assert_eq!(check_step(&cal, &done, &h, today), Ok(()));
        // not applicable needs a reason
        let mut na = step(
            ExpertReview,
            "2026-03-11",
            "2026-03-11",
            Outcome::NotApplicable,
        );
        assert!(
            check_step(&cal, &done, &na, today)
                .unwrap_err()
                .contains("说明理由")
        );
        na.note = "不涉及专业技术问题".into();
        assert_eq!(check_step(&cal, &done, &na, today), Ok(()));
        done.push((ExpertReview, Outcome::NotApplicable));
        done.push((RiskAssessment, Outcome::Done));
        // a discussion without a passed legality review
        let talk = step(
            CollectiveDiscussion,
            "2026-04-01",
            "2026-04-01",
            Outcome::Done,
        );
        assert!(
            check_step(&cal, &done, &talk, today)
                .unwrap_err()
                .contains("须先完成“合法性审查”")
        );
        // a legality review of 4 working days is too short
        let short = step(LegalityReview, "2026-03-16", "2026-03-20", Outcome::Passed);
        assert!(
            check_step(&cal, &done, &short, today)
                .unwrap_err()
                .contains("不少于7个工作日")
        );
        done.push((LegalityReview, Outcome::Failed));
        assert!(
            check_step(&cal, &done, &talk, today)
                .unwrap_err()
                .contains("合法性审查未通过")
        );
        let ok = step(LegalityReview, "2026-03-16", "2026-03-25", Outcome::Passed);
        assert_eq!(check_step(&cal, &done, &ok, today), Ok(()));
        done.push((LegalityReview, Outcome::Passed));
        assert_eq!(check_step(&cal, &done, &talk, today), Ok(()));
        done.push((CollectiveDiscussion, Outcome::Done));
        let publish = step(Publication, "2026-04-10", "2026-04-10", Outcome::Done);
        assert!(
            check_step(&cal, &done, &publish, today)
                .unwrap_err()
                .contains("采纳情况")
        );
        // future dates and repeats are refused
        let future = step(Archiving, "2026-07-01", "2026-07-02", Outcome::Done);
        assert!(check_step(&cal, &done, &future, today).is_err());
        assert!(
            check_step(&cal, &done, &talk, today)
                .unwrap_err()
                .contains("已经登记")
        );
        assert_eq!(standing(&done), "集体讨论决定（已完成）");
    }
}
