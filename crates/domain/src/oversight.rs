//! The openness office's five-step loop (检查、告知、整改、反馈、考评): a problem found by an
//! inspection or recorded by hand (检查) becomes a notice to the responsible unit with a
//! deadline in working days (告知); the unit files its rectification with evidence (整改); the
//! office reviews the feedback and accepts it or sends it back (反馈); the outcome counts in the
//! unit's evaluation (考评): a rectification accepted late, or a notice still open past its
//! deadline, costs the unit points on the rectification indicator.

use serde::Serialize;

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Notified, waiting for the unit's rectification (also after being sent back).
    Notified,
    /// The unit filed its rectification; waiting for the office's review.
    Rectified,
    /// The office accepted the rectification: closed and evaluated.
    Accepted,
}

impl State {
    /// Storage code.
    pub fn code(self) -> &'static str {
        match self {
            State::Notified => "notified",
            State::Rectified => "rectified",
            State::Accepted => "accepted",
        }
    }

    /// From storage.
    pub fn from_code(code: &str) -> Option<State> {
        [State::Notified, State::Rectified, State::Accepted]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            State::Notified => "待整改",
            State::Rectified => "已反馈，待审核",
            State::Accepted => "整改通过",
        }
    }
}

/// A step on a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The unit files its rectification (整改) with evidence.
    Rectify,
    /// The office accepts the feedback (反馈 → 考评).
    Accept,
    /// The office sends it back with what is still wrong.
    Return,
}

impl Step {
    /// Form code.
    pub fn code(self) -> &'static str {
        match self {
            Step::Rectify => "rectify",
            Step::Accept => "accept",
            Step::Return => "return",
        }
    }

    /// From a form.
    pub fn from_code(code: &str) -> Option<Step> {
        [Step::Rectify, Step::Accept, Step::Return]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Step::Rectify => "报送整改情况",
            Step::Accept => "审核通过",
            Step::Return => "退回重新整改",
        }
    }

    /// Whether the office takes it (else the notified unit).
    pub fn by_office(self) -> bool {
        !matches!(self, Step::Rectify)
    }
}

/// A step that does not fit the notice's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("该通知{state}，不能{step}")]
pub struct StepError {
    state: &'static str,
    step: &'static str,
}

/// The state after `step` from `state`, or why not.
pub fn take_step(state: State, step: Step) -> Result<State, StepError> {
    match (state, step) {
        (State::Notified, Step::Rectify) => Ok(State::Rectified),
        (State::Rectified, Step::Accept) => Ok(State::Accepted),
        (State::Rectified, Step::Return) => Ok(State::Notified),
        (s, st) => Err(StepError {
            state: s.label(),
            step: st.label(),
        }),
    }
}

/// A notice as the office writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeInput {
    /// What is wrong.
    pub finding: String,
    /// Where it was seen (a page, a document), evidence.
    pub evidence: String,
    /// What the unit must do.
    pub requirement: String,
    /// Working days given.
    pub workdays: u32,
}

/// Longest deadline, in working days.
pub const MAX_WORKDAYS: u32 = 60;

/// Checks a notice's fields; the message says what is wrong.
pub fn read_notice(
    finding: &str,
    evidence: &str,
    requirement: &str,
    workdays: &str,
) -> Result<NoticeInput, String> {
    let (finding, evidence, requirement) = (finding.trim(), evidence.trim(), requirement.trim());
    if finding.is_empty() || finding.chars().count() > 500 {
        return Err("请填写发现的问题（不超过500字）".into());
    }
    if requirement.is_empty() || requirement.chars().count() > 500 {
        return Err("请填写整改要求（不超过500字）".into());
    }
    if evidence.chars().count() > 2000 {
        return Err("问题依据过长（不超过2000字）".into());
    }
    let workdays = workdays
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_WORKDAYS).contains(d))
        .ok_or_else(|| format!("整改期限应为1至{MAX_WORKDAYS}个工作日"))?;
    Ok(NoticeInput {
        finding: finding.into(),
        evidence: evidence.into(),
        requirement: requirement.into(),
        workdays,
    })
}

/// Points a unit loses on the rectification indicator (configurable).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    /// A rectification accepted, but filed after the deadline.
    pub late: f64,
    /// A notice still not rectified past its deadline.
    pub overdue: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            late: 1.0,
            overdue: 2.0,
        }
    }
}

/// What one notice costs its unit on `today`: nothing when accepted on time or still within
/// its deadline; `late` when accepted after filing late; `overdue` while open past the deadline
/// (filed or not: a rectification sent back does not stop the clock).
pub fn deduction(
    state: State,
    due_on: &str,
    rectified_on: Option<&str>,
    today: &str,
    w: &Weights,
) -> f64 {
    match state {
        State::Accepted => match rectified_on {
            Some(r) if r > due_on => w.late,
            _ => 0.0,
        },
        State::Notified | State::Rectified => {
            if today > due_on {
                w.overdue
            } else {
                0.0
            }
        }
    }
}

/// The rectification indicator's score out of 100 after the deductions.
pub fn score(deductions: impl IntoIterator<Item = f64>) -> f64 {
    (100.0 - deductions.into_iter().sum::<f64>()).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_steps_and_no_others() {
        let s = take_step(State::Notified, Step::Rectify).unwrap();
        assert_eq!(s, State::Rectified);
        assert_eq!(take_step(s, Step::Return).unwrap(), State::Notified);
        assert_eq!(take_step(s, Step::Accept).unwrap(), State::Accepted);
        let e = take_step(State::Accepted, Step::Rectify).unwrap_err();
        assert_eq!(e.to_string(), "该通知整改通过，不能报送整改情况");
        assert!(take_step(State::Notified, Step::Accept).is_err());
    }

    #[test]
    fn notices_are_checked() {
        assert!(read_notice("栏目长期未更新", "", "两周内更新", "10").is_ok());
        assert_eq!(
            read_notice("", "", "更新", "10").unwrap_err(),
            "请填写发现的问题（不超过500字）"
        );
        assert!(
            read_notice("x", "", "y", "0")
                .unwrap_err()
                .contains("1至60")
        );
        assert!(read_notice("x", "", "y", "十").is_err());
    }

    #[test]
    fn lateness_costs_points() {
        let w = Weights::default();
        let d = |s, r: Option<&str>, today| deduction(s, "2026-12-10", r, today, &w);
        assert_eq!(d(State::Accepted, Some("2026-12-09"), "2026-12-20"), 0.0);
        assert_eq!(d(State::Accepted, Some("2026-12-11"), "2026-12-20"), 1.0);
        assert_eq!(d(State::Notified, None, "2026-12-10"), 0.0);
        assert_eq!(d(State::Notified, None, "2026-12-11"), 2.0);
        assert_eq!(d(State::Rectified, Some("2026-12-09"), "2026-12-11"), 2.0);
        assert_eq!(score([1.0, 2.0]), 97.0);
        assert_eq!(score(vec![60.0, 60.0]), 0.0);
    }
}
