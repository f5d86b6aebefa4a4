//! Service ratings (好差评, 国办发〔2019〕51号; DOMAIN.md §11): five levels, one rating per
//! service event by the person served; a bad rating (不满意, 非常不满意) is verified, rectified
//! and answered within a local number of working days, or disputed by the unit (an appeal the
//! openness office upholds or overturns). Published results use a smoothed average so a unit
//! with three ratings does not top the ranking. Pure rules.

/// The five levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 非常不满意.
    VeryDissatisfied = 1,
    /// 不满意.
    Dissatisfied = 2,
    /// 基本满意.
    Fair = 3,
    /// 满意.
    Satisfied = 4,
    /// 非常满意.
    VerySatisfied = 5,
}

impl Level {
    /// From best to worst, the form's order.
    pub const ALL: [Level; 5] = [
        Level::VerySatisfied,
        Level::Satisfied,
        Level::Fair,
        Level::Dissatisfied,
        Level::VeryDissatisfied,
    ];

    /// The score, 5 (非常满意) to 1 (非常不满意); also the stored code.
    pub fn score(self) -> i64 {
        self as i64
    }

    /// The level of a score.
    pub fn from_score(n: i64) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.score() == n)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Level::VerySatisfied => "非常满意",
            Level::Satisfied => "满意",
            Level::Fair => "基本满意",
            Level::Dissatisfied => "不满意",
            Level::VeryDissatisfied => "非常不满意",
        }
    }

    /// 不满意 and 非常不满意 are bad ratings: verified, rectified and answered.
    pub fn is_bad(self) -> bool {
        self <= Level::Dissatisfied
    }
}

/// What was rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A case of the power list (办件), once closed.
    Case,
    /// A visit to a service window, registered by the window.
    Visit,
    /// A message's answer.
    Message,
}

impl EventKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Case => "case",
            EventKind::Visit => "visit",
            EventKind::Message => "message",
        }
    }

    /// The kind of a stored code.
    pub fn from_code(c: &str) -> Option<EventKind> {
        [EventKind::Case, EventKind::Visit, EventKind::Message]
            .into_iter()
            .find(|k| k.code() == c)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Case => "办件",
            EventKind::Visit => "窗口办事",
            EventKind::Message => "留言答复",
        }
    }

    /// The kind a number names: messages `LY…`, visits `FW…`, cases the rest.
    pub fn of_number(no: &str) -> EventKind {
        let no = no.trim();
        if no.starts_with("LY") {
            EventKind::Message
        } else if no.starts_with("FW") {
            EventKind::Visit
        } else {
            EventKind::Case
        }
    }
}

/// The number of a window visit: `FW`, the year, the unit code, a serial.
pub fn visit_no(unit_code: &str, year: i32, serial: i64) -> String {
    format!("FW{year}-{unit_code}-{serial:06}")
}

/// Where a rating stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// A good rating: nothing to do.
    Good,
    /// A bad rating waiting for verification, rectification and an answer.
    Pending,
    /// Rectified and answered.
    Rectified,
    /// Disputed by the unit; the office decides.
    Appealed,
    /// The office upheld the unit's appeal: kept, but not counted.
    Void,
}

impl State {
    /// Every state.
    pub const ALL: [State; 5] = [
        State::Good,
        State::Pending,
        State::Rectified,
        State::Appealed,
        State::Void,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            State::Good => "good",
            State::Pending => "pending",
            State::Rectified => "rectified",
            State::Appealed => "appealed",
            State::Void => "void",
        }
    }

    /// The state of a stored code.
    pub fn from_code(c: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == c)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            State::Good => "无需整改",
            State::Pending => "待核实整改",
            State::Rectified => "已整改并回复",
            State::Appealed => "单位申诉中",
            State::Void => "申诉成立（不计入统计）",
        }
    }
}

/// A step on a bad rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The unit verified the complaint, rectified and answers the rater.
    Rectify {
        /// What was verified.
        verification: String,
        /// What was put right.
        rectification: String,
        /// The answer to the rater.
        answer: String,
    },
    /// The unit disputes the rating (a malicious or mistaken rating), with the reason.
    Appeal(String),
    /// The office upholds the appeal: the rating stays on record but is not counted.
    Uphold(String),
    /// The office overturns the appeal: the unit must rectify after all.
    Overturn(String),
}

impl Step {
    /// The stored event kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Rectify { .. } => "rectified",
            Step::Appeal(_) => "appealed",
            Step::Uphold(_) => "upheld",
            Step::Overturn(_) => "overturned",
        }
    }

    /// What an event of a kind is called.
    pub fn kind_label(kind: &str) -> &'static str {
        match kind {
            "rated" => "评价",
            "rectified" => "核实整改并回复",
            "appealed" => "单位申诉",
            "upheld" => "申诉成立",
            "overturned" => "申诉不成立",
            _ => "其他",
        }
    }

    /// Whether the step is the openness office's (deciding an appeal).
    pub fn is_office(&self) -> bool {
        matches!(self, Step::Uphold(_) | Step::Overturn(_))
    }
}

/// Checks a step against the state and gives the state after it, or why it is refused.
pub fn take_step(now: State, step: &Step) -> Result<State, String> {
    let need = |t: &str, what: &str| {
        if t.trim().is_empty() {
            Err(format!("请填写{what}"))
        } else {
            Ok(())
        }
    };
    let allowed: &[State] = match step {
        Step::Rectify { .. } | Step::Appeal(_) => &[State::Pending],
        Step::Uphold(_) | Step::Overturn(_) => &[State::Appealed],
    };
    if !allowed.contains(&now) {
        return Err(format!("该评价当前状态为“{}”，不能进行此操作", now.label()));
    }
    Ok(match step {
        Step::Rectify {
            verification,
            rectification,
            answer,
        } => {
            need(verification, "核实情况")?;
            need(rectification, "整改情况")?;
            need(answer, "给评价人的回复")?;
            State::Rectified
        }
        Step::Appeal(t) => {
            need(t, "申诉理由")?;
            State::Appealed
        }
        Step::Uphold(t) => {
            need(t, "审核意见")?;
            State::Void
        }
        Step::Overturn(t) => {
            need(t, "审核意见")?;
            State::Pending
        }
    })
}

/// Counts per level of one unit or service: index 0 is 非常不满意 … 4 非常满意.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts(pub [i64; 5]);

impl Counts {
    /// All ratings counted.
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }

    /// Bad ratings.
    pub fn bad(&self) -> i64 {
        self.0[0] + self.0[1]
    }

    /// The sum of scores.
    pub fn score_sum(&self) -> i64 {
        self.0
            .iter()
            .enumerate()
            .map(|(i, n)| (i as i64 + 1) * n)
            .sum()
    }

    /// The plain average score, if any ratings.
    pub fn average(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| self.score_sum() as f64 / n as f64)
    }

    /// The share of bad ratings, in percent.
    pub fn bad_percent(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| self.bad() as f64 * 100.0 / n as f64)
    }
}

/// The smoothed (Bayesian) average that ranks units: as if each unit also had `prior` ratings
/// at the district's mean, so few ratings stay near the mean and many speak for themselves.
pub fn smoothed_average(c: &Counts, district_mean: f64, prior: f64) -> f64 {
    (prior * district_mean + c.score_sum() as f64) / (prior + c.total() as f64)
}

/// Ranks units by smoothed average (best first), leaving out those with fewer than
/// `min_ratings`; gives (index into `units`, smoothed average).
pub fn rank(units: &[Counts], min_ratings: i64, prior: f64) -> Vec<(usize, f64)> {
    let all = units.iter().fold(Counts::default(), |mut acc, c| {
        for i in 0..5 {
            acc.0[i] += c.0[i];
        }
        acc
    });
    let mean = all.average().unwrap_or(3.0);
    let mut ranked: Vec<(usize, f64)> = units
        .iter()
        .enumerate()
        .filter(|(_, c)| c.total() >= min_ratings.max(1))
        .map(|(i, c)| (i, smoothed_average(c, mean, prior)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_bad_ratings() {
        assert!(Level::VeryDissatisfied.is_bad() && Level::Dissatisfied.is_bad());
        assert!(!Level::Fair.is_bad());
        for l in Level::ALL {
            assert_eq!(Level::from_score(l.score()), Some(l));
        }
        assert_eq!(
            EventKind::of_number("LY2026-JYJ-000001"),
            EventKind::Message
        );
        assert_eq!(EventKind::of_number("FW2026-ZWJ-000002"), EventKind::Visit);
        assert_eq!(EventKind::of_number("SJJ-2026-000123"), EventKind::Case);
        assert_eq!(visit_no("ZWJ", 2026, 7), "FW2026-ZWJ-000007");
    }

    #[test]
    fn a_bad_rating_is_rectified_or_appealed() {
        let rectify = Step::Rectify {
            verification: "情况属实".into(),
            rectification: "已培训窗口人员".into(),
            answer: "感谢您的监督".into(),
        };
        assert_eq!(take_step(State::Pending, &rectify), Ok(State::Rectified));
        assert!(take_step(State::Good, &rectify).is_err());
        assert!(
            take_step(
                State::Pending,
                &Step::Rectify {
                    verification: "x".into(),
                    rectification: " ".into(),
                    answer: "y".into()
                }
            )
            .unwrap_err()
            .contains("整改情况")
        );
        assert_eq!(
            take_step(State::Pending, &Step::Appeal("恶意评价".into())),
            Ok(State::Appealed)
        );
        assert_eq!(
            take_step(State::Appealed, &Step::Overturn("理由不足".into())),
            Ok(State::Pending)
        );
        assert_eq!(
            take_step(State::Appealed, &Step::Uphold("经核实属误评".into())),
            Ok(State::Void)
        );
        assert!(take_step(State::Pending, &Step::Uphold("x".into())).is_err());
    }

    #[test]
    fn a_unit_with_three_ratings_does_not_top_the_ranking() {
        let few = Counts([0, 0, 0, 0, 3]); // three 非常满意
        let many = Counts([2, 3, 10, 60, 125]); // 200 ratings, mostly good
        let poor = Counts([20, 20, 20, 20, 20]);
        let ranked = rank(&[few, many, poor], 5, 10.0);
        assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2]);
        let ranked = rank(&[few, many, poor], 1, 10.0);
        assert_eq!(ranked[0].0, 1, "{ranked:?}");
        assert!(few.average() > many.average());
        assert_eq!(many.bad(), 5);
        assert_eq!(many.bad_percent(), Some(2.5));
    }
}
