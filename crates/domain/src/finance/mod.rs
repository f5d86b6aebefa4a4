//! Public finance (预决算公开, work plan §10 and §14): the yearly classification of government
//! expenditure as data (`codes`), the budget and final-account tables the finance bureaus
//! produce — found by title in a workbook, read with their two-row headers and amounts in 万元
//! or 元 (`tables`) — the consistency rules checked before anything is stored (`check`), a
//! realistic department budget set for tests, benchmarks and the demo (`sample`), and the
//! villages' quarterly postings (`village`).
//!
//! Amounts are integers in 分 (hundredths of a yuan) from the moment they are read: 1 万元 is
//! 1,000,000 分, so sums never drift.

pub mod chart;
pub mod check;
pub mod codes;
pub mod sample;
pub mod tables;
pub mod village;

use serde::{Deserialize, Serialize};

/// The phase of a set of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 预算: the budget approved at the start of the year.
    Budget,
    /// 调整预算: the budget as adjusted during the year (the budget tables).
    Adjusted,
    /// 决算: the final accounts after the year.
    Final,
}

impl Phase {
    /// Every phase.
    pub const ALL: [Phase; 3] = [Phase::Budget, Phase::Adjusted, Phase::Final];

    /// The code in the database, the CLI and the API.
    pub fn code(self) -> &'static str {
        match self {
            Phase::Budget => "budget",
            Phase::Adjusted => "adjusted",
            Phase::Final => "final",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Budget => "预算",
            Phase::Adjusted => "调整预算",
            Phase::Final => "决算",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.code() == code)
    }

    /// Whether the phase uses the final-account tables.
    pub fn is_final(self) -> bool {
        self == Phase::Final
    }
}

/// The unit amounts are written in, as a table's header names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Money {
    /// 万元 (ten thousand yuan).
    Wan,
    /// 元.
    Yuan,
}

impl Money {
    /// 分 in one of this unit.
    pub fn fen(self) -> i64 {
        match self {
            Money::Wan => 1_000_000,
            Money::Yuan => 100,
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Money::Wan => "万元",
            Money::Yuan => "元",
        }
    }

    /// An amount in 分 written in this unit with two decimals (`1234.50`).
    pub fn show(self, fen: i64) -> String {
        let per = self.fen();
        let hundredths = (fen as i128 * 100).div_euclid(per as i128)
            + i128::from((fen as i128 * 100).rem_euclid(per as i128) * 2 >= per as i128);
        let sign = if hundredths < 0 { "-" } else { "" };
        let h = hundredths.abs();
        format!("{sign}{}.{:02}", h / 100, h % 100)
    }
}

/// An amount in 分 shown in 万元 with two decimals.
pub fn wan(fen: i64) -> String {
    Money::Wan.show(fen)
}

/// The configurable rules (`[finance]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// The difference two figures may have and still agree, in 万元 (rounding to two decimals
    /// across many rows).
    pub tolerance_wan: f64,
    /// Calendar days from approval (the finance bureau's reply, the congress's approval) within
    /// which a set must be public (预算法实施条例 Art. 6: 20).
    pub publish_days: i64,
    /// Days after a quarter's end within which a village posts that quarter.
    pub village_post_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            tolerance_wan: 0.05,
            publish_days: 20,
            village_post_days: 10,
        }
    }
}

impl Rules {
    /// Checks the rules; the message says which value is wrong.
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=100.0).contains(&self.tolerance_wan) || self.tolerance_wan.is_nan() {
            return Err(format!(
                "[finance] tolerance_wan 须在 0 到 100 万元之间，现为 {}",
                self.tolerance_wan
            ));
        }
        if !(1..=366).contains(&self.publish_days) {
            return Err(format!(
                "[finance] publish_days 须在 1 到 366 之间，现为 {}",
                self.publish_days
            ));
        }
        if !(0..=92).contains(&self.village_post_days) {
            return Err(format!(
                "[finance] village_post_days 须在 0 到 92 之间，现为 {}",
                self.village_post_days
            ));
        }
        Ok(())
    }

    /// The tolerance in 分.
    pub fn tolerance_fen(&self) -> i64 {
        (self.tolerance_wan * 1_000_000.0).round() as i64
    }

    /// The last day a set approved on `approved` may be published on time.
    pub fn publish_by(&self, approved: chrono::NaiveDate) -> chrono::NaiveDate {
        approved + chrono::Duration::days(self.publish_days)
    }
}

/// The parts of the explanatory text published with a set (部门预决算说明), in order: key,
/// heading.
pub const EXPLANATION: [(&str, &str); 8] = [
    ("duties", "部门职责"),
    ("structure", "机构设置"),
    ("changes", "收支增减变化情况"),
    ("running_costs", "机关运行经费"),
    ("procurement", "政府采购情况"),
    ("assets", "国有资产占用情况"),
    ("three_public", "“三公”经费增减变化及原因"),
    ("glossary", "名词解释"),
];

/// The explanatory parts still empty, by heading.
pub fn missing_explanation(text: &std::collections::BTreeMap<String, String>) -> Vec<&'static str> {
    EXPLANATION
        .iter()
        .filter(|(k, _)| text.get(*k).is_none_or(|v| v.trim().is_empty()))
        .map(|(_, h)| *h)
        .collect()
}

/// The figures of a checked set the lists and comparisons need without reading its tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Total expenditure (支出合计 of the expenditure table), 分.
    pub expenditure: i64,
    /// Basic expenditure, 分.
    pub basic: i64,
    /// Project expenditure, 分.
    pub project: i64,
    /// General public budget expenditure (一般公共预算支出 total), 分.
    pub general: i64,
    /// "Three public" expenses: total, trips abroad, receptions, car purchase, car running
    /// (the actual figures for final accounts), 分.
    pub three_public: [i64; 5],
    /// For final accounts: the budgeted "three public" expenses, same order.
    pub three_public_budget: Option<[i64; 5]>,
    /// Whether the general public budget table reaches the 项 level on every line.
    pub to_item_level: bool,
    /// Tables published as 空表.
    pub empty_tables: Vec<String>,
}
