//! The annual report on government information disclosure (政府信息公开工作年度报告, in the format of
//! 国办公开办函〔2021〕30号): the three national tables built from counts, the identity
//! 一 + 二 = 三(七) + 四 checked in every column, and the layout as rows and cells that the HTML
//! page, the JSON output and the XLSX workbook all read.

use super::{ApplicantType, Outcome};
use serde::Serialize;
use std::collections::BTreeMap;

/// The second table's columns: the applicant types in the report's order, then 总计.
pub const COLUMNS: usize = 7;

fn column_of(t: ApplicantType) -> usize {
    ApplicantType::ALL
        .iter()
        .position(|x| *x == t)
        .unwrap_or(COLUMNS - 2)
}

/// Counts per applicant type (the last cell is the total, filled by [`Figures::total`]).
pub type Figures = [i64; COLUMNS];

fn total(mut f: Figures) -> Figures {
    f[COLUMNS - 1] = f[..COLUMNS - 1].iter().sum();
    f
}

/// What the report is built from: counts read from storage.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The year.
    pub year: i32,
    /// The reporting body (a unit, or the district summing its units).
    pub unit: String,
    /// Published 规章 and 行政规范性文件: (category code `GZ`/`GFXWJ`, validity code, year formed,
    /// year last published, count).
    pub regulations: Vec<(String, String, i32, i32, i64)>,
    /// Decisions made in the year by kind (`licence`, `penalty`, not withdrawn) and enforcement
    /// cases closed in it (`enforcement`), from the case module.
    pub decisions: Vec<(String, i64)>,
    /// Figures entered in the back office: licences, penalties, enforcement decisions, fees in
    /// 万元 (text, as entered).
    pub manual: (i64, i64, i64, String),
    /// Applications received in the year, per applicant type code.
    pub received: Vec<(String, i64)>,
    /// Applications received before the year and still open at its start.
    pub carried_in: Vec<(String, i64)>,
    /// Applications finished in the year: (applicant type code, outcome code, count).
    pub decided: Vec<(String, String, i64)>,
    /// Applications received by the year's end and still open after it.
    pub carried_out: Vec<(String, i64)>,
    /// Remedies filed in the year: (kind, result as of the year's end, count).
    pub remedies: Vec<(String, String, i64)>,
    /// The free-text sections: 总体情况, 存在的主要问题及改进情况, 其他需要报告的事项.
    pub texts: (String, String, String),
}

/// A row of the first table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveRow {
    /// The article and item of the regulation (第二十条第（一）项 …).
    pub article: &'static str,
    /// What is counted.
    pub label: &'static str,
    /// The figures, as the row's columns name them.
    pub values: Vec<String>,
}

/// A row of the second table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// A stable key (`received`, `carried_in`, an outcome code, `group:…`, `decided`,
    /// `carried_out`).
    pub key: String,
    /// The top label (一、… 四、).
    pub head: &'static str,
    /// The group under 三 ((一) … (七)), empty elsewhere.
    pub group: &'static str,
    /// The item under a group (1. … 8.), empty elsewhere.
    pub item: String,
    /// The figures: the applicant types, then the total.
    pub values: Figures,
}

/// The third table: per group (行政复议, 未经复议直接起诉, 复议后起诉), 维持 / 纠正 / 其他 / 尚未审结 / 总计.
pub type RemedyFigures = [[i64; 5]; 3];

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualReport {
    /// The year.
    pub year: i32,
    /// The reporting body.
    pub unit: String,
    /// 主动公开政府信息情况.
    pub active: Vec<ActiveRow>,
    /// 收到和处理政府信息公开申请情况.
    pub applications: Vec<Line>,
    /// 政府信息公开行政复议、行政诉讼情况.
    pub remedies: RemedyFigures,
    /// 总体情况.
    pub overview: String,
    /// 存在的主要问题及改进情况.
    pub problems: String,
    /// 其他需要报告的事项.
    pub other: String,
}

/// The second table's headings of groups (三、 …) in the report's order, with their outcomes.
fn groups() -> Vec<(&'static str, Vec<Outcome>)> {
    let all = Outcome::all();
    let pick = |f: fn(&Outcome) -> bool| all.iter().copied().filter(f).collect::<Vec<_>>();
    vec![
        (
            "（一）予以公开",
            pick(|o| matches!(o, Outcome::Disclosed | Outcome::AlreadyPublished)),
        ),
        (
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            vec![Outcome::PartlyDisclosed],
        ),
        (
            "（三）不予公开",
            pick(|o| matches!(o, Outcome::Withheld(_))),
        ),
        (
            "（四）无法提供",
            pick(|o| matches!(o, Outcome::CannotProvide(_))),
        ),
        (
            "（五）不予处理",
            pick(|o| matches!(o, Outcome::NotHandled(_))),
        ),
        ("（六）其他处理", pick(|o| matches!(o, Outcome::Other(_)))),
    ]
}

/// Labels of the report's rows.
pub const RECEIVED: &str = "一、本年新收政府信息公开申请数量";
/// 二.
pub const CARRIED_IN: &str = "二、上年结转政府信息公开申请数量";
/// 三.
pub const DECIDED: &str = "三、本年度办理结果";
/// 四.
pub const CARRIED_OUT: &str = "四、结转下年度继续办理";

fn figures(rows: &[(String, i64)]) -> Figures {
    let mut f = [0; COLUMNS];
    for (t, n) in rows {
        if let Some(t) = ApplicantType::from_code(t) {
            f[column_of(t)] += n;
        }
    }
    total(f)
}

/// A column that breaks the identity: its name and the four figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imbalance {
    /// The column (自然人, 商业企业, …, 总计).
    pub column: &'static str,
    /// 一、二、三(七)、四.
    pub figures: [i64; 4],
}

/// The second table's column names.
pub fn column_names() -> [&'static str; COLUMNS] {
    let mut names = [""; COLUMNS];
    for (i, t) in ApplicantType::ALL.iter().enumerate() {
        names[i] = t.label();
    }
    names[COLUMNS - 1] = "总计";
    names
}

impl AnnualReport {
    /// Builds the report from its counts. Outcome codes that are not rows of the report are
    /// ignored here (and break the identity, which names them).
    pub fn build(i: &Inputs) -> AnnualReport {
        let mut applications = vec![
            Line {
                key: "received".into(),
                head: RECEIVED,
                group: "",
                item: String::new(),
                values: figures(&i.received),
            },
            Line {
                key: "carried_in".into(),
                head: CARRIED_IN,
                group: "",
                item: String::new(),
                values: figures(&i.carried_in),
            },
        ];
        let mut by_outcome: BTreeMap<String, Figures> = BTreeMap::new();
        for (t, o, n) in &i.decided {
            let Some(t) = ApplicantType::from_code(t) else {
                continue;
            };
            by_outcome.entry(o.clone()).or_insert([0; COLUMNS])[column_of(t)] += n;
        }
        let mut all = [0; COLUMNS];
        for (group, outcomes) in groups() {
            let single = outcomes.len() == 1 || matches!(outcomes[0], Outcome::Disclosed);
            let mut sum = [0; COLUMNS];
            for o in &outcomes {
                let f = by_outcome.get(&o.code()).copied().unwrap_or([0; COLUMNS]);
                for k in 0..COLUMNS {
                    sum[k] += f[k];
                }
            }
            let sum = total(sum);
            for k in 0..COLUMNS {
                all[k] += sum[k];
            }
            if single {
                applications.push(Line {
                    key: format!("group:{}", outcomes[0].group()),
                    head: DECIDED,
                    group,
                    item: String::new(),
                    values: sum,
                });
            } else {
                for (n, o) in outcomes.iter().enumerate() {
                    let f = total(by_outcome.get(&o.code()).copied().unwrap_or([0; COLUMNS]));
                    applications.push(Line {
                        key: o.code(),
                        head: DECIDED,
                        group,
                        item: format!("{}.{}", n + 1, o.label()),
                        values: f,
                    });
                }
            }
        }
        applications.push(Line {
            key: "decided".into(),
            head: DECIDED,
            group: "（七）总计",
            item: String::new(),
            values: all,
        });
        applications.push(Line {
            key: "carried_out".into(),
            head: CARRIED_OUT,
            group: "",
            item: String::new(),
            values: figures(&i.carried_out),
        });
        let count = |code: &str, validity: Option<&str>, f: &dyn Fn(i32, i32) -> bool| {
            i.regulations
                .iter()
                .filter(|(c, v, formed, published, _)| {
                    c == code && validity.is_none_or(|x| x == v) && f(*formed, *published)
                })
                .map(|r| r.4)
                .sum::<i64>()
        };
        let y = i.year;
        let regulation_row = |code: &str, label| ActiveRow {
            article: "第二十条第（一）项",
            label,
            values: vec![
                count(code, None, &|formed, _| formed == y).to_string(),
                count(code, Some("repealed"), &|_, published| published == y).to_string(),
                count(code, Some("in_force"), &|formed, _| formed <= y).to_string(),
            ],
        };
        let decided = |kind: &str| {
            i.decisions
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, n)| n)
                .sum::<i64>()
        };
        let active = vec![
            regulation_row("GZ", "规章"),
            regulation_row("GFXWJ", "行政规范性文件"),
            ActiveRow {
                article: "第二十条第（五）项",
                label: "行政许可",
                values: vec![(decided("licence") + i.manual.0).to_string()],
            },
            ActiveRow {
                article: "第二十条第（六）项",
                label: "行政处罚",
                values: vec![(decided("penalty") + i.manual.1).to_string()],
            },
            ActiveRow {
                article: "第二十条第（六）项",
                label: "行政强制",
                values: vec![(decided("enforcement") + i.manual.2).to_string()],
            },
            ActiveRow {
                article: "第二十条第（八）项",
                label: "行政事业性收费",
                values: vec![if i.manual.3.trim().is_empty() {
                    "0".into()
                } else {
                    i.manual.3.trim().to_string()
                }],
            },
        ];
        let mut remedies = [[0i64; 5]; 3];
        for (kind, result, n) in &i.remedies {
            let g = match kind.as_str() {
                "reconsideration" => 0,
                "litigation_direct" => 1,
                "litigation_after" => 2,
                _ => continue,
            };
            let c = match result.as_str() {
                "upheld" => 0,
                "corrected" => 1,
                "other" => 2,
                _ => 3,
            };
            remedies[g][c] += n;
            remedies[g][4] += n;
        }
        AnnualReport {
            year: i.year,
            unit: i.unit.clone(),
            active,
            applications,
            remedies,
            overview: i.texts.0.clone(),
            problems: i.texts.1.clone(),
            other: i.texts.2.clone(),
        }
    }

    fn line(&self, key: &str) -> Figures {
        self.applications
            .iter()
            .find(|l| l.key == key)
            .map_or([0; COLUMNS], |l| l.values)
    }

    /// The columns where 一 + 二 ≠ 三(七) + 四 (none: the report balances).
    pub fn imbalances(&self) -> Vec<Imbalance> {
        let (a, b, c, d) = (
            self.line("received"),
            self.line("carried_in"),
            self.line("decided"),
            self.line("carried_out"),
        );
        let names = column_names();
        (0..COLUMNS)
            .filter(|k| a[*k] + b[*k] != c[*k] + d[*k])
            .map(|k| Imbalance {
                column: names[k],
                figures: [a[k], b[k], c[k], d[k]],
            })
            .collect()
    }
}

/// The third table's group and column names.
pub const REMEDY_GROUPS: [&str; 3] = [
    "行政复议",
    "行政诉讼（未经复议直接起诉）",
    "行政诉讼（复议后起诉）",
];
/// The third table's columns within a group.
pub const REMEDY_COLUMNS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn the_tables_follow_the_counts_and_the_identity_is_checked() {
        let i = Inputs {
            year: 2026,
            unit: "区教育局".into(),
            received: vec![(s("natural_person"), 10), (s("business"), 3)],
            carried_in: vec![(s("natural_person"), 2)],
            decided: vec![
                (s("natural_person"), s("disclosed"), 4),
                (s("natural_person"), s("already_published"), 1),
                (s("natural_person"), s("withheld_4"), 2),
                (s("business"), s("partly_disclosed"), 2),
                (s("natural_person"), s("other_1"), 1),
            ],
            carried_out: vec![(s("natural_person"), 4), (s("business"), 1)],
            remedies: vec![
                (s("reconsideration"), s("upheld"), 1),
                (s("litigation_direct"), s("pending"), 1),
            ],
            regulations: vec![
                (s("GFXWJ"), s("in_force"), 2026, 2026, 3),
                (s("GFXWJ"), s("in_force"), 2024, 2024, 5),
                (s("GFXWJ"), s("repealed"), 2020, 2026, 2),
            ],
            decisions: vec![(s("licence"), 7)],
            manual: (1, 0, 2, s("1.5")),
            ..Inputs::default()
        };
        let r = AnnualReport::build(&i);
        assert!(r.imbalances().is_empty(), "{:?}", r.imbalances());
        let line = |k: &str| r.applications.iter().find(|l| l.key == k).unwrap().values;
        assert_eq!(line("received"), [10, 3, 0, 0, 0, 0, 13]);
        assert_eq!(line("group:（一）予以公开"), [5, 0, 0, 0, 0, 0, 5]);
        assert_eq!(line("withheld_4"), [2, 0, 0, 0, 0, 0, 2]);
        assert_eq!(line("decided"), [8, 2, 0, 0, 0, 0, 10]);
        assert_eq!(r.applications.len(), 2 + 2 + 8 + 3 + 5 + 3 + 1 + 1);
        assert_eq!(r.active[1].values, vec!["3", "2", "8"]);
        assert_eq!(r.active[2].values, vec!["8"]);
        assert_eq!(r.active[5].values, vec!["1.5"]);
        assert_eq!(r.remedies[0], [1, 0, 0, 0, 1]);
        assert_eq!(r.remedies[1], [0, 0, 0, 1, 1]);
        // one more received than handled or carried: the columns that break are named
        let mut broken = i.clone();
        broken.received[1].1 = 4;
        let bad = AnnualReport::build(&broken).imbalances();
        assert_eq!(
            bad.iter().map(|b| b.column).collect::<Vec<_>>(),
            vec!["商业企业", "总计"]
        );
    }
}
