//! Village affairs disclosure (村务公开, 村民委员会组织法 §30): a village posts its collective
//! finances at least every quarter (monthly where business is frequent, at once for major
//! matters) in eight categories, and the special matters; its 村务监督委员会 (民主理财小组)
//! reviews each posting before it is posted. A quarter is posted once; the town sees which
//! villages have not posted a quarter whose day has passed.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The eight categories of a village's finances.
pub const CATEGORIES: [(&str, &str); 8] = [
    ("plan", "财务计划"),
    ("income", "各项收入"),
    ("expense", "各项支出"),
    ("assets", "各项资产"),
    ("resources", "各类资源"),
    ("debts", "债权债务"),
    ("distribution", "收益分配"),
    ("other", "其他"),
];

/// The special matters posted at once.
pub const MATTERS: [(&str, &str); 4] = [
    ("land", "征地补偿及分配"),
    ("lease", "资产资源发包租赁"),
    ("tender", "工程招投标"),
    ("levy", "一事一议筹资筹劳"),
];

/// The category code of a label or code (`各项收入`, `收入`, `income`).
pub fn category(text: &str) -> Option<&'static str> {
    let t = text.trim();
    CATEGORIES
        .iter()
        .find(|(k, l)| {
            *k == t || *l == t || l.trim_start_matches("各项").trim_start_matches("各类") == t
        })
        .map(|(k, _)| *k)
}

/// The label of a category or matter code.
pub fn label(code: &str) -> &'static str {
    CATEGORIES
        .iter()
        .chain(MATTERS.iter())
        .find(|(k, _)| *k == code)
        .map_or("", |(_, l)| *l)
}

/// The period a posting covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Period {
    /// A quarter (1–4).
    Quarter {
        /// Year.
        year: i32,
        /// Quarter.
        quarter: u32,
    },
    /// A month (1–12), for villages with frequent business.
    Month {
        /// Year.
        year: i32,
        /// Month.
        month: u32,
    },
}

impl Period {
    /// Parses `2026Q3` or `2026-07`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        if let Some((y, q)) = s.split_once(['Q', 'q']) {
            let (year, quarter) = (y.parse().ok()?, q.parse().ok()?);
            return (1..=4)
                .contains(&quarter)
                .then_some(Period::Quarter { year, quarter });
        }
        let (y, m) = s.split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        (1..=12)
            .contains(&month)
            .then_some(Period::Month { year, month })
    }

    /// The key (`2026Q3`, `2026-07`): a village posts each key once.
    pub fn key(self) -> String {
        match self {
            Period::Quarter { year, quarter } => format!("{year}Q{quarter}"),
            Period::Month { year, month } => format!("{year}-{month:02}"),
        }
    }

    /// The Chinese name (2026年第3季度, 2026年7月).
    pub fn label(self) -> String {
        match self {
            Period::Quarter { year, quarter } => format!("{year}年第{quarter}季度"),
            Period::Month { year, month } => format!("{year}年{month}月"),
        }
    }

    /// The quarter the period falls in.
    pub fn quarter(self) -> Period {
        match self {
            Period::Month { year, month } => Period::Quarter {
                year,
                quarter: (month - 1) / 3 + 1,
            },
            q => q,
        }
    }

    /// The last day of the period.
    pub fn end(self) -> NaiveDate {
        let (year, last_month) = match self {
            Period::Quarter { year, quarter } => (year, quarter * 3),
            Period::Month { year, month } => (year, month),
        };
        let next = if last_month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, last_month + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MIN)
    }

    /// Whether the period has ended by `day`.
    pub fn ended_by(self, day: NaiveDate) -> bool {
        self.end() < day
    }
}

/// The latest quarter whose posting day (`days` after its end) has passed on `today`.
pub fn last_due_quarter(today: NaiveDate, days: i64) -> Period {
    let mut q = Period::Quarter {
        year: today.year(),
        quarter: (today.month() - 1) / 3 + 1,
    };
    loop {
        if q.end() + chrono::Duration::days(days) < today {
            return q;
        }
        q = match q {
            Period::Quarter { year, quarter: 1 } => Period::Quarter {
                year: year - 1,
                quarter: 4,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter - 1,
            },
            m => m.quarter(),
        };
    }
}

/// Whether a village with postings for `posted` (period keys) is late on `today`: the last due
/// quarter has neither its quarterly posting nor a monthly one for its last month.
pub fn is_late(posted: &[String], today: NaiveDate, days: i64) -> Option<Period> {
    let due = last_due_quarter(today, days);
    let Period::Quarter { year, quarter } = due else {
        return None;
    };
    let month = Period::Month {
        year,
        month: quarter * 3,
    };
    let covered = posted.iter().any(|k| *k == due.key() || *k == month.key());
    (!covered).then_some(due)
}

/// One line of a posting's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The category's code.
    pub category: String,
    /// The item (摘要).
    pub item: String,
    /// The amount in 分 (元 with two decimals), if the line has one.
    pub fen: Option<i64>,
    /// A note.
    pub note: String,
}

/// The committee's review of a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The members who reviewed, by name.
    pub members: Vec<String>,
    /// Their opinion (同意公开, or what must change).
    pub opinion: String,
    /// The day of the review.
    pub day: NaiveDate,
}

/// Checks a committee review: at least two named members and an opinion; the day not in the
/// future.
pub fn check_review(r: &Review, today: NaiveDate) -> Result<(), String> {
    let named = r.members.iter().filter(|m| !m.trim().is_empty()).count();
    if named < 2 {
        return Err("村务监督委员会审核须写明至少两名参加审核的成员".into());
    }
    if r.opinion.trim().is_empty() {
        return Err("请填写村务监督委员会的审核意见".into());
    }
    if r.day > today {
        return Err("审核日期不能晚于今天".into());
    }
    Ok(())
}

/// Reads a quarterly ledger (XLSX or CSV grid): the columns 类别, 项目 (or 摘要), 金额（元）
/// and optionally 备注. Every bad row is named; nothing is returned unless all pass.
pub fn read_ledger(grid: &[Vec<String>]) -> Result<Vec<Line>, Vec<String>> {
    use super::tables::norm;
    let header = grid.iter().take(10).position(|r| {
        r.iter().any(|c| norm(c) == "类别") && r.iter().any(|c| norm(c).starts_with("金额"))
    });
    let Some(h) = header else {
        return Err(vec![
            "找不到表头：须有“类别”“项目”“金额（元）”三列（在前十行内）".into(),
        ]);
    };
    let col = |f: &dyn Fn(&str) -> bool| grid[h].iter().position(|c| f(&norm(c)));
    let cat = col(&|c| c == "类别").unwrap_or(0);
    let item = col(&|c| c == "项目" || c == "摘要" || c == "事项");
    let amount = col(&|c| c.starts_with("金额")).unwrap_or(2);
    let note = col(&|c| c == "备注" || c == "说明");
    let money = if norm(&grid[h][amount]).contains("万元") {
        super::Money::Wan
    } else {
        super::Money::Yuan
    };
    let Some(item) = item else {
        return Err(vec![format!("第{}行：缺少“项目”或“摘要”栏", h + 1)]);
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in grid.iter().enumerate().skip(h + 1) {
        let get = |c: usize| r.get(c).map_or("", |s| s.trim());
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = i + 1;
        let Some(category) = category(get(cat)) else {
            problems.push(format!(
                "第{line}行：类别“{}”不是八类之一（财务计划、各项收入、各项支出、各项资产、各类资源、债权债务、收益分配、其他）",
                get(cat)
            ));
            continue;
        };
        if get(item).is_empty() {
            problems.push(format!("第{line}行：没有填写项目"));
            continue;
        }
        let fen = match super::tables::parse_amount(get(amount), money) {
            Ok(v) => v,
            Err(()) => {
                problems.push(format!("第{line}行：金额“{}”不是数字", get(amount)));
                continue;
            }
        };
        out.push(Line {
            category: category.to_string(),
            item: get(item).to_string(),
            fen,
            note: note.map_or("", get).to_string(),
        });
    }
    if out.is_empty() && problems.is_empty() {
        problems.push("台账中没有数据行".into());
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods() {
        let q = Period::parse("2026Q3").unwrap();
        assert_eq!(q.key(), "2026Q3");
        assert_eq!(q.end(), d("2026-09-30"));
        assert_eq!(Period::parse("2026-12").unwrap().end(), d("2026-12-31"));
        assert_eq!(Period::parse("2026-12").unwrap().quarter().key(), "2026Q4");
        assert!(Period::parse("2026Q5").is_none());
        assert!(Period::parse("2026-13").is_none());
    }

    #[test]
    fn lateness_follows_the_last_due_quarter() {
        assert_eq!(last_due_quarter(d("2026-10-10"), 10).key(), "2026Q2");
        assert_eq!(last_due_quarter(d("2026-10-11"), 10).key(), "2026Q3");
        assert_eq!(last_due_quarter(d("2026-01-20"), 10).key(), "2025Q4");
        assert_eq!(
            is_late(&["2026Q2".into()], d("2026-12-02"), 10)
                .unwrap()
                .key(),
            "2026Q3"
        );
        assert_eq!(is_late(&["2026Q3".into()], d("2026-12-02"), 10), None);
        assert_eq!(is_late(&["2026-09".into()], d("2026-12-02"), 10), None);
    }

    #[test]
    fn ledgers_name_their_bad_rows() {
        let g = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        };
        let ok = read_ledger(&g(&[
            &["某村2026年第3季度财务公开"],
            &["类别", "项目", "金额（元）", "备注"],
            &["各项收入", "土地承包费", "12,000.50", ""],
            &["支出", "道路维修", "3000", "一事一议"],
        ]))
        .unwrap();
        assert_eq!(ok[0].fen, Some(1_200_050));
        assert_eq!(ok[1].category, "expense");
        let e = read_ledger(&g(&[
            &["类别", "项目", "金额（元）"],
            &["奖金", "x", "1"],
            &["收入", "", "1"],
            &["收入", "租金", "一千"],
        ]))
        .unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].contains("第2行") && e[1].contains("第3行") && e[2].contains("第4行"));
    }

    #[test]
    fn reviews_need_members_and_an_opinion() {
        let r = Review {
            members: vec!["张三".into(), "李四".into()],
            opinion: "同意公开".into(),
            day: d("2026-10-05"),
        };
        assert!(check_review(&r, d("2026-10-05")).is_ok());
        assert!(
            check_review(
                &Review {
                    members: vec!["张三".into()],
                    ..r.clone()
                },
                d("2026-10-05")
            )
            .is_err()
        );
        assert!(
            check_review(
                &Review {
                    opinion: " ".into(),
                    ..r.clone()
                },
                d("2026-10-05")
            )
            .is_err()
        );
        assert!(check_review(&r, d("2026-10-04")).is_err());
    }
}
