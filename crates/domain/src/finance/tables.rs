//! The budget and final-account tables (财预〔2016〕143号): what each is called, how it is laid
//! out, which columns it must have and which of them add up, and the reading of a workbook's
//! sheets into [`Table`]s. A sheet is recognised by its title (the first rows' text), its
//! amounts' unit by the header line (单位：万元 / 元), its columns by the two header rows
//! (a top cell spanning the sub-headers below it), its codes from one 科目编码 column or from
//! 类/款/项 columns (a blank 类 or 款 continues the row above's).

use serde::{Deserialize, Serialize};

use super::codes::CodeKind;
use super::{Money, Phase};

/// How a table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Rows by classification code (functional or economic) with a 合计 row.
    Coded(CodeKind),
    /// An overview: income on the left (收入 项目 | amounts), expenditure on the right.
    Paired,
    /// One row of figures (the "three public" expenses).
    Plain,
}

/// One table of a set.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Key in the database and the addresses.
    pub key: &'static str,
    /// The national title (found in the sheet's title).
    pub title: &'static str,
    /// Whether it belongs to the final-account set (else the budget set).
    pub final_set: bool,
    /// The layout.
    pub layout: Layout,
    /// Amount columns it must have (`top/sub` or a sub-header alone).
    pub columns: &'static [&'static str],
    /// Per-row identities: the column that is the sum of the others (`*`: every other amount
    /// column of the same side).
    pub identities: &'static [(&'static str, &'static [&'static str])],
    /// Overview rows that add up: (side, total row, part rows), matched by name.
    pub row_sums: &'static [(&'static str, &'static str, &'static [&'static str])],
    /// Whether the table may be empty (published as 空表 with its note).
    pub may_be_empty: bool,
}

const GENERAL_PARTS: &[&str] = &[
    "支出/一般公共预算",
    "支出/政府性基金预算",
    "支出/国有资本经营预算",
];

/// The budget set and the final-account set.
pub const SPECS: &[Spec] = &[
    Spec {
        key: "overview",
        title: "部门收支总表",
        final_set: false,
        layout: Layout::Paired,
        columns: &["收入/预算数", "支出/预算数"],
        identities: &[],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "income",
        title: "部门收入总表",
        final_set: false,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计"],
        identities: &[("合计", &["*"])],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "expenditure",
        title: "部门支出总表",
        final_set: false,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计", "基本支出", "项目支出"],
        identities: &[("合计", &["*"])],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "fiscal_overview",
        title: "财政拨款收支总表",
        final_set: false,
        layout: Layout::Paired,
        columns: &[
            "收入/预算数",
            "支出/合计",
            "支出/一般公共预算",
            "支出/政府性基金预算",
            "支出/国有资本经营预算",
        ],
        identities: &[("支出/合计", GENERAL_PARTS)],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "general",
        title: "一般公共预算支出表",
        final_set: false,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计", "基本支出", "项目支出"],
        identities: &[("合计", &["基本支出", "项目支出"])],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "basic",
        title: "一般公共预算基本支出表",
        final_set: false,
        layout: Layout::Coded(CodeKind::Economic),
        columns: &["合计", "人员经费", "公用经费"],
        identities: &[("合计", &["人员经费", "公用经费"])],
        row_sums: &[],
        may_be_empty: true,
    },
    Spec {
        key: "three_public",
        title: "一般公共预算三公经费支出表",
        final_set: false,
        layout: Layout::Plain,
        columns: &[
            "合计",
            "因公出国(境)费",
            "小计",
            "公务用车购置费",
            "公务用车运行费",
            "公务接待费",
        ],
        identities: &[
            ("合计", &["因公出国(境)费", "小计", "公务接待费"]),
            ("小计", &["公务用车购置费", "公务用车运行费"]),
        ],
        row_sums: &[],
        may_be_empty: true,
    },
    Spec {
        key: "fund",
        title: "政府性基金预算支出表",
        final_set: false,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计", "基本支出", "项目支出"],
        identities: &[("合计", &["基本支出", "项目支出"])],
        row_sums: &[],
        may_be_empty: true,
    },
    Spec {
        key: "capital",
        title: "国有资本经营预算支出表",
        final_set: false,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计", "基本支出", "项目支出"],
        identities: &[("合计", &["基本支出", "项目支出"])],
        row_sums: &[],
        may_be_empty: true,
    },
    Spec {
        key: "overview",
        title: "收入支出决算总表",
        final_set: true,
        layout: Layout::Paired,
        columns: &["收入/决算数", "支出/决算数"],
        identities: &[],
        row_sums: &[
            (
                "收入",
                "收入总计",
                &["本年收入合计", "使用非财政拨款结余", "年初结转和结余"],
            ),
            (
                "支出",
                "支出总计",
                &["本年支出合计", "结余分配", "年末结转和结余"],
            ),
        ],
        may_be_empty: false,
    },
    Spec {
        key: "income",
        title: "收入决算表",
        final_set: true,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计"],
        identities: &[("合计", &["*"])],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "expenditure",
        title: "支出决算表",
        final_set: true,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &[
            "合计",
            "基本支出",
            "项目支出",
            "上缴上级支出",
            "经营支出",
            "对附属单位补助支出",
        ],
        identities: &[("合计", &["*"])],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "fiscal_overview",
        title: "财政拨款收入支出决算总表",
        final_set: true,
        layout: Layout::Paired,
        columns: &[
            "收入/决算数",
            "支出/合计",
            "支出/一般公共预算",
            "支出/政府性基金预算",
            "支出/国有资本经营预算",
        ],
        identities: &[("支出/合计", GENERAL_PARTS)],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "general",
        title: "一般公共预算财政拨款支出决算表",
        final_set: true,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计", "基本支出", "项目支出"],
        identities: &[("合计", &["基本支出", "项目支出"])],
        row_sums: &[],
        may_be_empty: false,
    },
    Spec {
        key: "basic",
        title: "一般公共预算财政拨款基本支出决算表",
        final_set: true,
        layout: Layout::Coded(CodeKind::Economic),
        columns: &["合计", "人员经费", "公用经费"],
        identities: &[("合计", &["人员经费", "公用经费"])],
        row_sums: &[],
        may_be_empty: true,
    },
    Spec {
        key: "fund",
        title: "政府性基金预算财政拨款收入支出决算表",
        final_set: true,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计", "基本支出", "项目支出"],
        identities: &[("合计", &["基本支出", "项目支出"])],
        row_sums: &[],
        may_be_empty: true,
    },
    Spec {
        key: "capital",
        title: "国有资本经营预算财政拨款支出决算表",
        final_set: true,
        layout: Layout::Coded(CodeKind::Functional),
        columns: &["合计", "基本支出", "项目支出"],
        identities: &[("合计", &["基本支出", "项目支出"])],
        row_sums: &[],
        may_be_empty: true,
    },
    Spec {
        key: "three_public",
        title: "财政拨款三公经费支出决算表",
        final_set: true,
        layout: Layout::Plain,
        columns: &[
            "预算数/合计",
            "预算数/因公出国(境)费",
            "预算数/公务用车购置费",
            "预算数/公务用车运行费",
            "预算数/公务接待费",
            "决算数/合计",
            "决算数/因公出国(境)费",
            "决算数/公务用车购置费",
            "决算数/公务用车运行费",
            "决算数/公务接待费",
        ],
        identities: &[
            (
                "预算数/合计",
                &[
                    "预算数/因公出国(境)费",
                    "预算数/公务用车购置费",
                    "预算数/公务用车运行费",
                    "预算数/公务接待费",
                ],
            ),
            (
                "决算数/合计",
                &[
                    "决算数/因公出国(境)费",
                    "决算数/公务用车购置费",
                    "决算数/公务用车运行费",
                    "决算数/公务接待费",
                ],
            ),
        ],
        row_sums: &[],
        may_be_empty: true,
    },
];

/// The tables of a phase's set, in the national order.
pub fn specs(phase: Phase) -> impl Iterator<Item = &'static Spec> {
    SPECS
        .iter()
        .filter(move |s| s.final_set == phase.is_final())
}

/// The spec of a table key in a phase.
pub fn spec(phase: Phase, key: &str) -> Option<&'static Spec> {
    specs(phase).find(|s| s.key == key)
}

/// Text as compared: no spaces, no quotes, half-width parentheses.
pub fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '“' | '”' | '"' | '‘' | '’' | '\''))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            c => c,
        })
        .collect()
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Col {
    /// A classification code (whole, or its 类/款/项 part).
    Code,
    /// A name (科目名称, 项目).
    Name,
    /// An amount.
    Amount,
}

/// A cell: text (codes and names) or an amount in 分 (blank: `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// Text.
    Text(String),
    /// An amount in 分.
    Amount(Option<i64>),
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The row number in the sheet (1-based, as staff see it).
    pub line: u32,
    /// The whole classification code, when the row has one.
    pub code: Option<String>,
    /// The cells, one per column.
    pub cells: Vec<Cell>,
}

/// A table as read from its sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The spec's key.
    pub key: String,
    /// The title as written.
    pub title: String,
    /// The sheet's name.
    pub sheet: String,
    /// The amounts' unit.
    pub money: Money,
    /// The header: top and sub cell of each column.
    pub head: Vec<[String; 2]>,
    /// What each column holds.
    pub cols: Vec<Col>,
    /// The data rows.
    pub rows: Vec<Row>,
    /// The note under the table (注：…).
    pub note: Option<String>,
    /// Whether the table has no figures (published as 空表 with its note).
    pub empty: bool,
}

/// A failed rule: where, and what disagrees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The sheet (empty for the workbook as a whole).
    pub sheet: String,
    /// The row in the sheet (1-based).
    pub row: Option<u32>,
    /// What is wrong, with the figures.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.sheet.is_empty(), self.row) {
            (true, _) => write!(f, "{}", self.message),
            (false, None) => write!(f, "工作表“{}”：{}", self.sheet, self.message),
            (false, Some(r)) => write!(f, "工作表“{}”第{}行：{}", self.sheet, r, self.message),
        }
    }
}

impl Table {
    /// The spec of the table.
    pub fn spec(&self, phase: Phase) -> Option<&'static Spec> {
        spec(phase, &self.key)
    }

    /// The column's key: `top/sub`, or the top alone.
    pub fn col_key(&self, i: usize) -> String {
        let [t, s] = &self.head[i];
        if s.is_empty() {
            norm(t)
        } else {
            format!("{}/{}", norm(t), norm(s))
        }
    }

    /// The column a name refers to: the whole key, or the sub-header (or top) alone.
    pub fn find(&self, name: &str) -> Option<usize> {
        let name = norm(name);
        (0..self.head.len()).find(|&i| {
            let [t, s] = &self.head[i];
            self.cols[i] == Col::Amount
                && (self.col_key(i) == name
                    || (!name.contains('/')
                        && (norm(s) == name || (s.is_empty() && norm(t) == name))))
        })
    }

    /// The side of a column in an overview (`收入` or `支出`), or "".
    pub fn side(&self, i: usize) -> &str {
        let t = self.head[i][0].trim();
        if t.starts_with("收入") {
            "收入"
        } else if t.starts_with("支出") {
            "支出"
        } else {
            ""
        }
    }

    /// The amount of a cell in 分 (blank counts as 0).
    pub fn amount(&self, row: &Row, col: usize) -> i64 {
        match row.cells.get(col) {
            Some(Cell::Amount(Some(v))) => *v,
            _ => 0,
        }
    }

    /// The name of a row: its first name column, or for an overview the name on `side`.
    pub fn name<'a>(&self, row: &'a Row, side: &str) -> &'a str {
        for (i, c) in self.cols.iter().enumerate() {
            if *c == Col::Name
                && (side.is_empty() || self.side(i) == side)
                && let Some(Cell::Text(t)) = row.cells.get(i)
            {
                return t.as_str();
            }
        }
        ""
    }

    /// The row carrying the table's total (合计/总计 without a code), if any.
    pub fn total_row(&self) -> Option<&Row> {
        self.rows.iter().find(|r| {
            r.code.is_none() && {
                let n = norm(self.name(r, ""));
                n == "合计" || n == "总计" || n.ends_with("合计") && n.len() <= 12
            }
        })
    }

    /// The total of an amount column: the 合计 row, or the sum of the 类 rows (a Plain table:
    /// its first row).
    pub fn total(&self, col: usize) -> i64 {
        if let Some(r) = self.total_row() {
            return self.amount(r, col);
        }
        if self.rows.iter().any(|r| r.code.is_some()) {
            self.rows
                .iter()
                .filter(|r| r.code.as_ref().is_some_and(|c| c.len() == 3))
                .map(|r| self.amount(r, col))
                .sum()
        } else {
            self.rows.first().map_or(0, |r| self.amount(r, col))
        }
    }

    /// The overview row whose name on `side` matches `name` (numbering like “一、” ignored).
    pub fn named_row(&self, side: &str, name: &str) -> Option<&Row> {
        let want = norm(name);
        self.rows
            .iter()
            .find(|r| strip_numbering(&norm(self.name(r, side))) == want)
    }
}

/// A row name without its leading numbering (“一、”, “1.”, “（一）”).
pub fn strip_numbering(s: &str) -> String {
    let t = s.trim_start_matches(|c: char| "一二三四五六七八九十0123456789()、.．".contains(c));
    t.to_string()
}

/// The spec a sheet's title names, longest title first (收入支出决算总表 is part of
/// 财政拨款收入支出决算总表).
fn spec_for_title(phase: Phase, text: &str) -> Option<&'static Spec> {
    let text = norm(text);
    let mut all: Vec<&Spec> = specs(phase).collect();
    all.sort_by_key(|s| std::cmp::Reverse(s.title.chars().count()));
    all.into_iter().find(|s| text.contains(&norm(s.title)))
}

/// The unit an amount header line names: `Ok(None)` when the line names none. A cell names
/// the unit when it starts with 单位： (or holds 金额单位：); 单位名称：, 编制单位： name the body.
fn money_in(row: &[String]) -> Result<Option<Money>, String> {
    for cell in row {
        let t = norm(cell);
        let t = t.trim_start_matches(['(', '[']);
        let after = if let Some(a) = t.strip_prefix("单位:") {
            a
        } else if let Some(at) = t.find("金额单位:") {
            &t[at + "金额单位:".len()..]
        } else {
            continue;
        };
        if after.starts_with("万元") {
            return Ok(Some(Money::Wan));
        } else if after.starts_with('元') {
            return Ok(Some(Money::Yuan));
        }
        let named: String = after.chars().take(6).collect();
        return Err(format!(
            "金额单位“{named}”不是万元或元（表头须写明“单位：万元”或“单位：元”）"
        ));
    }
    Ok(None)
}

/// The lines of a workbook's sheets that name another body than `unit` (单位名称：…, 编制单位：…
/// in a table's first rows): the workbook of another unit, chosen by mistake. A name passes when
/// it is `unit` or one contains the other (区财政局 and 某某区财政局); sheets naming no body pass.
pub fn other_bodies(sheets: &[(String, Vec<Vec<String>>)], unit: &str) -> Vec<Failure> {
    let unit_n = norm(unit);
    let mut out = Vec::new();
    for (sheet, grid) in sheets {
        for (r, row) in grid.iter().take(6).enumerate() {
            for cell in row {
                if !is_info_line(cell) {
                    continue;
                }
                let t = norm(cell);
                let Some((_, name)) = t.split_once(':') else {
                    continue;
                };
                let name: String = name.chars().take_while(|c| *c != '(').collect();
                if name.is_empty() || unit_n.is_empty() {
                    continue;
                }
                if !name.contains(&unit_n) && !unit_n.contains(&name) {
                    out.push(Failure {
                        sheet: sheet.clone(),
                        row: Some(r as u32 + 1),
                        message: format!(
                            "表中的单位名称“{name}”与导入的单位“{unit}”不符：请确认所选单位和文件"
                        ),
                    });
                }
            }
        }
    }
    out
}

/// A line naming the body the table is of (单位名称：…, 编制单位：…), not a header.
fn is_info_line(text: &str) -> bool {
    let t = norm(text);
    ["单位名称", "编制单位", "部门名称", "部门:", "填报单位"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// An amount cell's text in 分, in the table's unit: blank and dashes are `None`.
#[allow(clippy::result_unit_err)]
pub fn parse_amount(text: &str, money: Money) -> Result<Option<i64>, ()> {
    let t: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .collect();
    if t.is_empty() || matches!(t.as_str(), "-" | "—" | "--" | "——") {
        return Ok(None);
    }
    let v: f64 = t.parse().map_err(|_| ())?;
    if !v.is_finite() || v.abs() > 1e13 {
        return Err(());
    }
    Ok(Some((v * money.fen() as f64).round() as i64))
}

fn column_kind(top: &str, sub: &str) -> Col {
    let (t, s) = (norm(top), norm(sub));
    let last = if s.is_empty() { &t } else { &s };
    if matches!(last.as_str(), "类" | "款" | "项") || last.contains("编码") {
        Col::Code
    } else if last.contains("名称") || last == "项目" {
        Col::Name
    } else {
        Col::Amount
    }
}

/// Reads one sheet as the table its title names, or `None` when the title names no table of
/// the phase. Failures are reading problems (no unit, a cell that is not a number).
pub fn read_sheet(
    phase: Phase,
    sheet: &str,
    grid: &[Vec<String>],
) -> Option<Result<Table, Vec<Failure>>> {
    let first = grid
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()))?;
    let title_text: String = grid[first].join("");
    let spec = spec_for_title(phase, &title_text)?;
    let fail = |row: Option<usize>, message: String| Failure {
        sheet: sheet.to_string(),
        row: row.map(|r| r as u32 + 1),
        message,
    };
    let mut failures = Vec::new();
    // The unit line: any line between the title and the header naming 单位.
    let mut money = None;
    let mut header = None;
    for (i, row) in grid.iter().enumerate().skip(first + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let text = row.join(" ");
        match money_in(row) {
            Ok(Some(m)) => {
                money = Some(m);
                continue;
            }
            Err(e) => {
                failures.push(fail(Some(i), e));
                continue;
            }
            Ok(None) if header.is_none() && !is_info_line(&text) => {
                header = Some(i);
                break;
            }
            Ok(None) => {}
        }
    }
    let Some(h) = header else {
        failures.push(fail(None, "找不到表头".into()));
        return Some(Err(failures));
    };
    let Some(money) = money else {
        if failures.is_empty() {
            failures.push(fail(
                None,
                "表头没有写明金额单位（须写“单位：万元”或“单位：元”）".into(),
            ));
        }
        return Some(Err(failures));
    };
    let width = grid
        .iter()
        .skip(h)
        .map(|r| {
            r.iter()
                .rposition(|c| !c.trim().is_empty())
                .map_or(0, |p| p + 1)
        })
        .max()
        .unwrap_or(0);
    let cell = |r: usize, c: usize| {
        grid.get(r)
            .and_then(|row| row.get(c))
            .map_or("", |s| s.trim())
    };
    let mut head: Vec<[String; 2]> = Vec::with_capacity(width);
    let mut top = String::new();
    for c in 0..width {
        let (t, s) = (cell(h, c), cell(h + 1, c));
        if !t.is_empty() {
            top = t.to_string();
        } else if s.is_empty() {
            top.clear();
        }
        head.push([
            if t.is_empty() {
                top.clone()
            } else {
                t.to_string()
            },
            s.to_string(),
        ]);
    }
    let cols: Vec<Col> = head.iter().map(|[t, s]| column_kind(t, s)).collect();
    let mut table = Table {
        key: spec.key.to_string(),
        title: title_text.trim().to_string(),
        sheet: sheet.to_string(),
        money,
        head,
        cols,
        rows: Vec::new(),
        note: None,
        empty: false,
    };
    for name in spec.columns {
        if table.find(name).is_none() {
            failures.push(fail(
                Some(h),
                format!(
                    "缺少“{}”栏（{}须有此栏）",
                    name.replace('/', "—"),
                    spec.title
                ),
            ));
        }
    }
    let code_cols: Vec<(usize, String)> = (0..width)
        .filter(|&c| table.cols[c] == Col::Code)
        .map(|c| {
            (
                c,
                norm(if table.head[c][1].is_empty() {
                    &table.head[c][0]
                } else {
                    &table.head[c][1]
                }),
            )
        })
        .collect();
    let (mut lei, mut kuan) = (String::new(), String::new());
    let mut note: Vec<String> = Vec::new();
    for (i, row) in grid.iter().enumerate().skip(h + 2) {
        let texts: Vec<&str> = (0..width).map(|c| cell(i, c)).collect();
        if texts.iter().all(|t| t.is_empty()) && row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let lead = row
            .iter()
            .map(|c| c.trim())
            .find(|c| !c.is_empty())
            .unwrap_or("");
        if !note.is_empty() || lead.starts_with("注") || lead.starts_with("说明") {
            note.push(row.iter().map(|c| c.trim()).collect::<Vec<_>>().join(""));
            continue;
        }
        let mut cells = Vec::with_capacity(width);
        for (c, text) in texts.iter().enumerate() {
            cells.push(match table.cols[c] {
                Col::Amount => match parse_amount(text, money) {
                    Ok(v) => Cell::Amount(v),
                    Err(()) => {
                        failures.push(fail(
                            Some(i),
                            format!("“{}”栏的“{}”不是数字", table.col_key(c), text),
                        ));
                        Cell::Amount(None)
                    }
                },
                _ => Cell::Text(text.to_string()),
            });
        }
        let code = assemble_code(&code_cols, &texts, &mut lei, &mut kuan)
            .map_err(|e| failures.push(fail(Some(i), e)))
            .ok()
            .flatten();
        table.rows.push(Row {
            line: i as u32 + 1,
            code,
            cells,
        });
    }
    if !note.is_empty() {
        table.note = Some(note.join("\n"));
    }
    table.empty = table.rows.iter().all(|r| {
        r.cells
            .iter()
            .all(|c| matches!(c, Cell::Text(_) | Cell::Amount(None | Some(0))))
    });
    if failures.is_empty() {
        Some(Ok(table))
    } else {
        Some(Err(failures))
    }
}

/// A row's code from its code columns: one whole code, or 类/款/项 parts, a blank part
/// continuing the row above's.
fn assemble_code(
    cols: &[(usize, String)],
    texts: &[&str],
    lei: &mut String,
    kuan: &mut String,
) -> Result<Option<String>, String> {
    let get = |label: &str| {
        cols.iter()
            .find(|(_, l)| l == label)
            .map(|(c, _)| texts[*c].trim_end_matches(".0").to_string())
    };
    let (l, k, x) = (get("类"), get("款"), get("项"));
    let code = if l.is_none() && k.is_none() && x.is_none() {
        let whole = cols
            .first()
            .map(|(c, _)| texts[*c].trim_end_matches(".0").to_string())
            .unwrap_or_default();
        if whole.is_empty() {
            return Ok(None);
        }
        whole
    } else {
        let (l, k, x) = (
            l.unwrap_or_default(),
            k.unwrap_or_default(),
            x.unwrap_or_default(),
        );
        if l.is_empty() && k.is_empty() && x.is_empty() {
            return Ok(None);
        }
        if l.len() > 3 {
            l
        } else if !l.is_empty() {
            if k.is_empty() && !x.is_empty() {
                return Err(format!("科目编码有类“{l}”和项“{x}”却没有款"));
            }
            format!("{l}{k}{x}")
        } else if !k.is_empty() {
            if lei.is_empty() {
                return Err(format!("款“{k}”前没有类"));
            }
            format!("{lei}{k}{x}")
        } else {
            if kuan.is_empty() {
                return Err(format!("项“{x}”前没有款"));
            }
            format!("{kuan}{x}")
        }
    };
    if CodeKind::of(&code).is_none() {
        return Err(format!("科目编码“{code}”格式不对（应为3、5或7位数字）"));
    }
    match code.len() {
        3 => {
            *lei = code.clone();
            kuan.clear();
        }
        5 => {
            *lei = code[..3].to_string();
            *kuan = code.clone();
        }
        _ => {}
    }
    Ok(Some(code))
}

/// Reads every sheet of a workbook: the tables of the phase found by title (a sheet whose title
/// names no table is left alone), every reading problem, and a failure for each required table
/// missing or found twice.
pub fn read_workbook(
    phase: Phase,
    sheets: &[(String, Vec<Vec<String>>)],
) -> (Vec<Table>, Vec<Failure>) {
    let mut tables: Vec<Table> = Vec::new();
    let mut failures = Vec::new();
    let mut seen: Vec<(&str, String)> = Vec::new();
    for (name, grid) in sheets {
        match read_sheet(phase, name, grid) {
            None => {}
            Some(Ok(t)) => {
                if let Some((_, other)) = seen.iter().find(|(k, _)| *k == t.key) {
                    failures.push(Failure {
                        sheet: name.clone(),
                        row: None,
                        message: format!("与工作表“{other}”是同一张表，只能有一张"),
                    });
                } else {
                    seen.push((t.spec(phase).map_or("", |s| s.key), name.clone()));
                    tables.push(t);
                }
            }
            Some(Err(f)) => {
                if let Some(s) = grid
                    .iter()
                    .find(|r| r.iter().any(|c| !c.trim().is_empty()))
                    .and_then(|r| spec_for_title(phase, &r.join("")))
                {
                    seen.push((s.key, name.clone()));
                }
                failures.extend(f);
            }
        }
    }
    for s in specs(phase) {
        if !seen.iter().any(|(k, _)| *k == s.key) {
            failures.push(Failure {
                sheet: String::new(),
                row: None,
                message: format!(
                    "缺少必备表：{}（{}公开须有这张表；按表名识别工作表）",
                    s.title,
                    phase.label()
                ),
            });
        }
    }
    let order = |k: &str| specs(phase).position(|s| s.key == k).unwrap_or(usize::MAX);
    tables.sort_by_key(|t| order(&t.key));
    (tables, failures)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_workbook_of_another_unit_is_named() {
        let sheets = vec![(
            "表1".to_string(),
            vec![
                vec!["部门收支总表".to_string()],
                vec!["单位名称：区财政局".to_string(), "单位：万元".to_string()],
            ],
        )];
        assert!(other_bodies(&sheets, "区财政局").is_empty());
        assert!(other_bodies(&sheets, "示范区财政局").is_empty());
        let f = other_bodies(&sheets, "青山镇青山村民委员会");
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].sheet.as_str(), f[0].row), ("表1", Some(2)));
        assert!(f[0].message.contains("区财政局") && f[0].message.contains("青山村"));
    }

    use super::*;

    fn g(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_split_code_table_is_read_with_its_header_and_unit() {
        let grid = g(&[
            &["2026年一般公共预算支出表", "", "", "", "", "", ""],
            &["单位名称：区财政局", "", "", "", "", "单位：万元", ""],
            &["科目编码", "", "", "科目名称", "一般公共预算支出", "", ""],
            &["类", "款", "项", "", "合计", "基本支出", "项目支出"],
            &["", "", "", "合计", "30", "20", "10"],
            &["201", "", "", "一般公共服务支出", "30", "20", "10"],
            &["", "06", "", "财政事务", "30", "20", "10"],
            &["", "", "01", "行政运行", "20", "20", ""],
            &["", "", "02", "一般行政管理事务", "10", "", "10"],
        ]);
        let t = read_sheet(Phase::Budget, "表5", &grid).unwrap().unwrap();
        assert_eq!(t.key, "general");
        assert_eq!(t.money, Money::Wan);
        let codes: Vec<_> = t.rows.iter().map(|r| r.code.clone()).collect();
        assert_eq!(
            codes,
            [
                None,
                Some("201".into()),
                Some("20106".into()),
                Some("2010601".into()),
                Some("2010602".into())
            ]
        );
        let c = t.find("基本支出").unwrap();
        assert_eq!(t.total(c), 20_000_000);
        assert_eq!(t.amount(&t.rows[3], c), 20_000_000);
        assert_eq!(t.rows[3].line, 8);
    }

    #[test]
    fn an_unnamed_unit_is_refused() {
        let grid = g(&[
            &["部门收入总表"],
            &["单位：千元"],
            &["科目编码", "科目名称", "合计"],
        ]);
        let e = read_sheet(Phase::Budget, "s", &grid).unwrap().unwrap_err();
        assert!(e[0].message.contains("千元"), "{e:?}");
        let grid = g(&[
            &["部门收入总表"],
            &["科目编码", "科目名称", "合计"],
            &["", ""],
        ]);
        let e = read_sheet(Phase::Budget, "s", &grid).unwrap().unwrap_err();
        assert!(e[0].message.contains("金额单位"), "{e:?}");
    }

    #[test]
    fn titles_pick_the_longest_match() {
        assert_eq!(
            spec_for_title(Phase::Final, "2025年财政拨款收入支出决算总表")
                .unwrap()
                .key,
            "fiscal_overview"
        );
        assert_eq!(
            spec_for_title(Phase::Final, "收入支出决算总表")
                .unwrap()
                .key,
            "overview"
        );
        assert_eq!(
            spec_for_title(Phase::Budget, "一般公共预算“三公”经费支出表")
                .unwrap()
                .key,
            "three_public"
        );
        assert_eq!(
            spec_for_title(Phase::Budget, "一般公共预算基本支出表")
                .unwrap()
                .key,
            "basic"
        );
        assert!(spec_for_title(Phase::Budget, "目录").is_none());
    }

    #[test]
    fn amounts_are_exact_in_fen() {
        assert_eq!(
            parse_amount("1,234.56", Money::Wan),
            Ok(Some(1_234_560_000))
        );
        assert_eq!(parse_amount("0.01", Money::Yuan), Ok(Some(1)));
        assert_eq!(parse_amount("-", Money::Wan), Ok(None));
        assert!(parse_amount("一百", Money::Wan).is_err());
        assert_eq!(Money::Wan.show(1_234_560_000), "1234.56");
        assert_eq!(Money::Wan.show(-15_000), "-0.01");
    }
}
