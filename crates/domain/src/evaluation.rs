//! The units' yearly assessment (考评, work plan §12): five indicators — routine work (平时工作),
//! task completion (任务完成), archives (资料档案), online inspection (网上查评) and social
//! evaluation (社会评议) — each scored out of 100 from the year's data, weighted into a total
//! and ranked.
//!
//! Fairness to units with little data: a rate (items on time, applications answered in time,
//! satisfied ratings, …) of a unit with few cases is pulled towards the district's rate for the
//! same measure, as if the unit also had `prior` cases at the district's rate (a Bayesian
//! average). One late answer out of one does not put a small unit below a large one with a
//! hundred late; a measure a unit has no cases for is left out, not counted as zero; an
//! indicator without data is left out and the others' weights are scaled up.
//!
//! Pure: the counts come from the store, the rules from the configuration (`[evaluation]`).

use serde::{Deserialize, Serialize};

/// The configurable rules: the indicators' weights, the fairness prior, the credit for a task
/// reported but not yet done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Weight of routine work (平时工作).
    pub routine: f64,
    /// Weight of task completion (任务完成).
    pub tasks: f64,
    /// Weight of archives (资料档案).
    pub archives: f64,
    /// Weight of online inspection (网上查评).
    pub online: f64,
    /// Weight of social evaluation (社会评议).
    pub social: f64,
    /// How many cases at the district's rate a unit's rates are averaged with.
    pub prior: f64,
    /// Credit (0–1) for a task the unit reported progress on that the office has not marked done.
    pub reported_credit: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            routine: 40.0,
            tasks: 20.0,
            archives: 10.0,
            online: 20.0,
            social: 10.0,
            prior: 10.0,
            reported_credit: 0.5,
        }
    }
}

impl Rules {
    /// Checks the rules; the message says which value is wrong.
    pub fn check(&self) -> Result<(), String> {
        let w = [
            self.routine,
            self.tasks,
            self.archives,
            self.online,
            self.social,
        ];
        if w.iter().any(|x| !x.is_finite() || *x < 0.0) || w.iter().sum::<f64>() <= 0.0 {
            return Err(
                "[evaluation] 各项权重应为不小于0的数，且合计大于0（routine, tasks, archives, online, social）"
                    .into(),
            );
        }
        if !self.prior.is_finite() || self.prior < 0.0 {
            return Err("[evaluation] prior 应为不小于0的数".into());
        }
        if !(0.0..=1.0).contains(&self.reported_credit) {
            return Err("[evaluation] reported_credit 应在0到1之间".into());
        }
        Ok(())
    }

    fn weight(&self, i: Indicator) -> f64 {
        match i {
            Indicator::Routine => self.routine,
            Indicator::Tasks => self.tasks,
            Indicator::Archives => self.archives,
            Indicator::Online => self.online,
            Indicator::Social => self.social,
        }
    }
}

/// One of the five indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 平时工作: items on time, applications, messages and cases answered in time, bad ratings
    /// rectified in time.
    Routine,
    /// 任务完成: the work plan's tasks the unit is responsible for.
    Tasks,
    /// 资料档案: the office's grade of the unit's records.
    Archives,
    /// 网上查评: website inspections and rectification notices.
    Online,
    /// 社会评议: the public's service ratings.
    Social,
}

impl Indicator {
    /// Every indicator, in display order.
    pub const ALL: [Indicator; 5] = [
        Indicator::Routine,
        Indicator::Tasks,
        Indicator::Archives,
        Indicator::Online,
        Indicator::Social,
    ];

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Indicator::Routine => "平时工作",
            Indicator::Tasks => "任务完成",
            Indicator::Archives => "资料档案",
            Indicator::Online => "网上查评",
            Indicator::Social => "社会评议",
        }
    }

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::Routine => "routine",
            Indicator::Tasks => "tasks",
            Indicator::Archives => "archives",
            Indicator::Online => "online",
            Indicator::Social => "social",
        }
    }
}

/// Cases of one measure: how many were good (on time, satisfied) of how many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Good ones.
    pub good: u64,
    /// All.
    pub total: u64,
}

impl Count {
    fn add(&mut self, o: Count) {
        self.good += o.good;
        self.total += o.total;
    }
}

/// A unit's work plan tasks of the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tasks {
    /// Tasks the unit is responsible for.
    pub total: u64,
    /// Marked done by the office.
    pub done: u64,
    /// Not done, but the unit reported progress.
    pub reported: u64,
}

/// What the year's data says about one unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Items first published in the year; good: within the time limit.
    pub items: Count,
    /// Applications closed in the year or open past their due date; good: closed in time.
    pub applications: Count,
    /// Messages answered in the year or open past their due date; good: answered in time.
    pub messages: Count,
    /// Cases closed in the year or open past their due date; good: closed in time.
    pub cases: Count,
    /// Bad ratings of the year; good: rectified in time.
    pub bad_ratings: Count,
    /// The work plan's tasks.
    pub tasks: Tasks,
    /// The office's archives grade (0–100), if given.
    pub archives: Option<f64>,
    /// Mean score of the year's website inspections of the unit's site, if any.
    pub inspections: Option<f64>,
    /// The rectification score of the year's notices (`oversight::score`), if any.
    pub rectification: Option<f64>,
    /// Ratings of the year (void ones left out); good: satisfied (基本满意 and above).
    pub ratings: Count,
}

/// The measures that are rates, in the order they are shown.
const RATES: [(&str, &str, Indicator); 6] = [
    ("items", "信息按时发布", Indicator::Routine),
    ("applications", "依申请公开按时答复", Indicator::Routine),
    ("messages", "留言按时答复", Indicator::Routine),
    ("cases", "办件按时办结", Indicator::Routine),
    ("bad_ratings", "差评按时整改", Indicator::Routine),
    ("ratings", "服务满意率", Indicator::Social),
];

fn rate_of(f: &Facts, key: &str) -> Count {
    match key {
        "items" => f.items,
        "applications" => f.applications,
        "messages" => f.messages,
        "cases" => f.cases,
        "bad_ratings" => f.bad_ratings,
        _ => f.ratings,
    }
}

/// One figure behind an indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// Measure code (`items`, `applications`, …, `tasks`, `archives`, `inspections`,
    /// `rectification`).
    pub key: &'static str,
    /// In words.
    pub label: &'static str,
    /// Good cases (for rates and tasks; 0 otherwise).
    pub good: u64,
    /// All cases (for rates and tasks; 0 otherwise).
    pub total: u64,
    /// The plain rate or grade ×100 (None: no data).
    pub raw: Option<f64>,
    /// The score counted (a rate averaged with the district's; None: no data).
    pub score: Option<f64>,
}

/// One indicator of a scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorScore {
    /// Which.
    pub indicator: Indicator,
    /// Its label.
    pub label: &'static str,
    /// Its configured weight.
    pub weight: f64,
    /// Score out of 100 (None: no data; left out of the total).
    pub score: Option<f64>,
    /// The figures behind it.
    pub parts: Vec<Part>,
}

/// A unit's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// The unit.
    pub unit_id: i64,
    /// The five indicators.
    pub indicators: Vec<IndicatorScore>,
    /// Weighted total out of 100, one decimal (None: no data at all).
    pub total: Option<f64>,
    /// Rank among units with a total (ties share a rank).
    pub rank: Option<u32>,
    /// How many cases the rates rest on.
    pub cases: u64,
    /// Whether they are fewer than the prior (the rates lean on the district's).
    pub little_data: bool,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Scores and ranks every unit. Returned in rank order, units without data last.
pub fn evaluate(units: &[(i64, Facts)], rules: &Rules) -> Vec<Scorecard> {
    // the district's rate for each measure (1.0 where nobody has a case)
    let district: Vec<f64> = RATES
        .iter()
        .map(|(key, _, _)| {
            let mut c = Count::default();
            for (_, f) in units {
                c.add(rate_of(f, key));
            }
            if c.total == 0 {
                1.0
            } else {
                c.good as f64 / c.total as f64
            }
        })
        .collect();
    let mut cards: Vec<Scorecard> = units
        .iter()
        .map(|(id, f)| card(*id, f, rules, &district))
        .collect();
    cards.sort_by(|a, b| {
        b.total
            .partial_cmp(&a.total)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut prev: Option<(f64, u32)> = None;
    for (i, c) in cards.iter_mut().enumerate() {
        let Some(t) = c.total else { continue };
        let rank = match prev {
            Some((p, r)) if p == t => r,
            _ => i as u32 + 1,
        };
        c.rank = Some(rank);
        prev = Some((t, rank));
    }
    cards
}

fn card(unit_id: i64, f: &Facts, rules: &Rules, district: &[f64]) -> Scorecard {
    let mut indicators: Vec<IndicatorScore> = Indicator::ALL
        .iter()
        .map(|&i| IndicatorScore {
            indicator: i,
            label: i.label(),
            weight: rules.weight(i),
            score: None,
            parts: Vec::new(),
        })
        .collect();
    let mut cases = 0;
    for ((key, label, ind), p) in RATES.iter().zip(district) {
        let c = rate_of(f, key);
        cases += c.total;
        let (raw, score) = if c.total == 0 {
            (None, None)
        } else {
            let raw = c.good as f64 / c.total as f64;
            let adj = (c.good as f64 + rules.prior * p) / (c.total as f64 + rules.prior);
            (Some(round1(raw * 100.0)), Some(round1(adj * 100.0)))
        };
        let slot = Indicator::ALL.iter().position(|i| i == ind).unwrap_or(0);
        indicators[slot].parts.push(Part {
            key,
            label,
            good: c.good,
            total: c.total,
            raw,
            score,
        });
    }
    let t = f.tasks;
    let tasks = (t.total > 0).then(|| {
        round1(
            (t.done as f64 + rules.reported_credit * t.reported.min(t.total - t.done) as f64)
                / t.total as f64
                * 100.0,
        )
    });
    indicators[1].parts.push(Part {
        key: "tasks",
        label: "工作要点任务完成",
        good: t.done,
        total: t.total,
        raw: tasks,
        score: tasks,
    });
    let grade = f.archives.map(|g| round1(g.clamp(0.0, 100.0)));
    indicators[2].parts.push(Part {
        key: "archives",
        label: "资料档案评定",
        good: 0,
        total: 0,
        raw: grade,
        score: grade,
    });
    for (key, label, v) in [
        ("inspections", "网站检查得分", f.inspections),
        ("rectification", "整改通知得分", f.rectification),
    ] {
        let v = v.map(|x| round1(x.clamp(0.0, 100.0)));
        indicators[3].parts.push(Part {
            key,
            label,
            good: 0,
            total: 0,
            raw: v,
            score: v,
        });
    }
    for ind in &mut indicators {
        let scores: Vec<f64> = ind.parts.iter().filter_map(|p| p.score).collect();
        if !scores.is_empty() {
            ind.score = Some(round1(scores.iter().sum::<f64>() / scores.len() as f64));
        }
    }
    let (sum, weights) = indicators
        .iter()
        .filter_map(|i| i.score.map(|s| (s * i.weight, i.weight)))
        .fold((0.0, 0.0), |(a, b), (s, w)| (a + s, b + w));
    let total = (weights > 0.0).then(|| round1(sum / weights));
    Scorecard {
        unit_id,
        indicators,
        total,
        rank: None,
        cases,
        little_data: (cases as f64) < rules.prior,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(good: u64, total: u64) -> Count {
        Count { good, total }
    }

    #[test]
    fn one_late_answer_does_not_sink_a_small_unit() {
        let big = Facts {
            applications: c(900, 1000),
            ..Facts::default()
        };
        let small = Facts {
            applications: c(0, 1),
            ..Facts::default()
        };
        let cards = evaluate(&[(1, big), (2, small)], &Rules::default());
        // district rate 900/1001; the small unit: (0 + 10 × 0.8991) / 11 = 81.7
        let small = cards.iter().find(|c| c.unit_id == 2).unwrap();
        assert_eq!(small.indicators[0].parts[1].raw, Some(0.0));
        assert_eq!(small.indicators[0].parts[1].score, Some(81.7));
        assert!(small.little_data);
        let big = cards.iter().find(|c| c.unit_id == 1).unwrap();
        assert_eq!(big.indicators[0].score, Some(90.0));
        assert_eq!(big.rank, Some(1));
        assert_eq!(small.rank, Some(2));
    }

    #[test]
    fn missing_data_is_left_out_not_zero() {
        let f = Facts {
            items: c(10, 10),
            tasks: Tasks {
                total: 4,
                done: 2,
                reported: 1,
            },
            ..Facts::default()
        };
        let card = &evaluate(&[(1, f)], &Rules::default())[0];
        assert_eq!(card.indicators[0].score, Some(100.0));
        assert_eq!(card.indicators[1].score, Some(62.5));
        assert_eq!(card.indicators[2].score, None);
        // (100 × 40 + 62.5 × 20) / 60
        assert_eq!(card.total, Some(87.5));
    }

    #[test]
    fn ties_share_a_rank_and_empty_units_have_none() {
        let f = Facts {
            archives: Some(90.0),
            ..Facts::default()
        };
        let cards = evaluate(
            &[(1, f.clone()), (2, Facts::default()), (3, f)],
            &Rules::default(),
        );
        let ranks: Vec<_> = cards.iter().map(|c| (c.unit_id, c.rank)).collect();
        assert_eq!(ranks, vec![(1, Some(1)), (3, Some(1)), (2, None)]);
    }

    #[test]
    fn online_combines_inspection_and_rectification() {
        let f = Facts {
            inspections: Some(80.0),
            rectification: Some(96.0),
            ..Facts::default()
        };
        let card = &evaluate(&[(1, f)], &Rules::default())[0];
        assert_eq!(card.indicators[3].score, Some(88.0));
        assert_eq!(card.total, Some(88.0));
    }

    #[test]
    fn rules_are_checked() {
        assert!(Rules::default().check().is_ok());
        let r = Rules {
            routine: -1.0,
            ..Rules::default()
        };
        assert!(r.check().unwrap_err().contains("权重"));
        let r = Rules {
            reported_credit: 2.0,
            ..Rules::default()
        };
        assert!(r.check().is_err());
    }
}
