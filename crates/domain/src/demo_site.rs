//! Demonstration sites of government openness (示范点, work plan §13): units apply, or are
//! nominated, for a batch against its published criteria; the office names the sites or turns
//! them down, publishes the batch, and reviews named sites dynamically: a site whose score
//! falls below the batch's threshold is flagged and may be revoked with a reason.

use serde::Serialize;

/// Where a candidate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Applied or nominated, waiting for the office.
    Candidate,
    /// Named a demonstration site.
    Named,
    /// Turned down.
    Rejected,
    /// Named, then revoked.
    Revoked,
}

impl State {
    /// Storage code.
    pub fn code(self) -> &'static str {
        match self {
            State::Candidate => "candidate",
            State::Named => "named",
            State::Rejected => "rejected",
            State::Revoked => "revoked",
        }
    }

    /// From storage.
    pub fn from_code(code: &str) -> Option<State> {
        [
            State::Candidate,
            State::Named,
            State::Rejected,
            State::Revoked,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            State::Candidate => "待评审",
            State::Named => "示范点",
            State::Rejected => "未通过",
            State::Revoked => "已撤销",
        }
    }
}

/// A decision of the office on a candidate or a named site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Name the candidate.
    Name,
    /// Turn the candidate down.
    Reject,
    /// Revoke a named site.
    Revoke,
}

impl Decision {
    /// Form code.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Name => "name",
            Decision::Reject => "reject",
            Decision::Revoke => "revoke",
        }
    }

    /// From a form.
    pub fn from_code(code: &str) -> Option<Decision> {
        [Decision::Name, Decision::Reject, Decision::Revoke]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

/// The state after `decision`, or why not.
pub fn decide(state: State, decision: Decision) -> Result<State, String> {
    match (state, decision) {
        (State::Candidate, Decision::Name) => Ok(State::Named),
        (State::Candidate, Decision::Reject) => Ok(State::Rejected),
        (State::Named, Decision::Revoke) => Ok(State::Revoked),
        (s, _) => Err(format!("该单位{}，不能进行此操作", s.label())),
    }
}

/// Checks a decision's reason: a rejection and a revocation need one.
pub fn check_reason(decision: Decision, reason: &str) -> Result<(), String> {
    let n = reason.trim().chars().count();
    if n > 1000 {
        return Err("理由过长（不超过1000字）".into());
    }
    if n == 0 && decision != Decision::Name {
        return Err(match decision {
            Decision::Revoke => "撤销示范点须说明理由",
            _ => "未通过须说明理由",
        }
        .into());
    }
    Ok(())
}

/// Whether a named site's score flags it for review.
pub fn flagged(score: f64, threshold: f64) -> bool {
    score < threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_follow_the_states() {
        assert_eq!(decide(State::Candidate, Decision::Name), Ok(State::Named));
        assert_eq!(decide(State::Named, Decision::Revoke), Ok(State::Revoked));
        assert!(decide(State::Revoked, Decision::Name).is_err());
        assert!(decide(State::Candidate, Decision::Revoke).is_err());
        assert!(check_reason(Decision::Revoke, " ").is_err());
        assert!(check_reason(Decision::Name, "").is_ok());
        assert!(flagged(79.0, 80.0) && !flagged(80.0, 80.0));
    }
}
