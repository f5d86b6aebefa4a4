//! The consistency rules (DOMAIN.md §13) a set must pass before anything is stored: every
//! code exists for the year and in the right classification; every parent equals the sum of its
//! children; the total row equals the sum of the 类 rows; each table's columns add up (合计 =
//! 基本支出 + 项目支出, 基本支出 = 人员经费 + 公用经费, 三公 合计 = 出国 + 车购置 + 车运行 +
//! 接待); 收入总计 = 支出总计; the overview totals agree with the detail tables; an empty table
//! carries its note. Every failure names the sheet, the row and the two figures.

use std::collections::HashMap;

use super::codes::{CodeBook, CodeKind, parent};
use super::tables::{Failure, Layout, Table};
use super::{Phase, Rules, Summary};

/// A checked set: its tables and the figures lists need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The tables in the national order.
    pub tables: Vec<Table>,
    /// The summary figures.
    pub summary: Summary,
}

/// Reads and checks a workbook's sheets: the set, or every failed rule.
pub fn import(
    phase: Phase,
    sheets: &[(String, Vec<Vec<String>>)],
    codes: &CodeBook,
    rules: &Rules,
) -> Result<Checked, Vec<Failure>> {
    let (tables, mut failures) = super::tables::read_workbook(phase, sheets);
    failures.extend(check(phase, &tables, codes, rules.tolerance_fen()));
    if failures.is_empty() {
        let summary = summary(phase, &tables);
        Ok(Checked { tables, summary })
    } else {
        Err(failures)
    }
}

fn at(t: &Table, row: Option<u32>, message: String) -> Failure {
    Failure {
        sheet: t.sheet.clone(),
        row,
        message,
    }
}

fn show(t: &Table, fen: i64) -> String {
    format!("{} {}", t.money.show(fen), t.money.label())
}

/// Every failed rule of a set's tables (reading problems aside).
pub fn check(phase: Phase, tables: &[Table], codes: &CodeBook, tol: i64) -> Vec<Failure> {
    let mut out = Vec::new();
    for t in tables {
        let Some(spec) = t.spec(phase) else { continue };
        if t.empty {
            if !spec.may_be_empty {
                out.push(at(
                    t,
                    None,
                    format!("{}没有数字，不能作为空表公开", spec.title),
                ));
            } else if t.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                out.push(at(
                    t,
                    None,
                    "这是一张空表：须在表下注明原因（如“注：本单位无政府性基金预算支出，此表为空表。”）"
                        .into(),
                ));
            }
            continue;
        }
        if let Layout::Coded(kind) = spec.layout {
            codes_and_tree(t, kind, codes, tol, &mut out);
        }
        for (total, parts) in spec.identities {
            identity(t, total, parts, tol, &mut out);
        }
        if spec.layout == Layout::Paired {
            overview(t, spec.row_sums, tol, &mut out);
        }
    }
    across(phase, tables, tol, &mut out);
    out
}

fn codes_and_tree(t: &Table, kind: CodeKind, codes: &CodeBook, tol: i64, out: &mut Vec<Failure>) {
    let amount_cols: Vec<usize> = (0..t.cols.len())
        .filter(|&c| t.cols[c] == super::tables::Col::Amount)
        .collect();
    let mut by_code: HashMap<&str, usize> = HashMap::new();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in t.rows.iter().enumerate() {
        let Some(code) = r.code.as_deref() else {
            continue;
        };
        if CodeKind::of(code) != Some(kind) {
            out.push(at(
                t,
                Some(r.line),
                format!("科目编码 {code} 不是{}科目", kind.label()),
            ));
            continue;
        }
        if codes.name(code).is_none() {
            out.push(at(
                t,
                Some(r.line),
                format!(
                    "科目编码 {code}（{}）不在{}年政府收支分类科目中",
                    t.name(r, ""),
                    codes.year
                ),
            ));
        }
        if by_code.insert(code, i).is_some() {
            out.push(at(
                t,
                Some(r.line),
                format!("科目编码 {code} 在表中出现两次"),
            ));
        }
        if let Some(p) = parent(code) {
            children.entry(p).or_default().push(i);
        }
    }
    for (p, kids) in &children {
        let Some(&pi) = by_code.get(p) else {
            let r = &t.rows[kids[0]];
            out.push(at(
                t,
                Some(r.line),
                format!(
                    "科目 {} 的上级科目 {p} 不在表中",
                    r.code.as_deref().unwrap_or("")
                ),
            ));
            continue;
        };
        let pr = &t.rows[pi];
        for &c in &amount_cols {
            let sum: i64 = kids.iter().map(|&k| t.amount(&t.rows[k], c)).sum();
            let own = t.amount(pr, c);
            if (own - sum).abs() > tol {
                out.push(at(
                    t,
                    Some(pr.line),
                    format!(
                        "{p} {}的“{}” {} ≠ 下级科目之和 {}",
                        t.name(pr, ""),
                        t.col_key(c),
                        show(t, own),
                        show(t, sum)
                    ),
                ));
            }
        }
    }
    if let Some(total) = t.total_row() {
        for &c in &amount_cols {
            let sum: i64 = t
                .rows
                .iter()
                .filter(|r| r.code.as_ref().is_some_and(|c| c.len() == 3))
                .map(|r| t.amount(r, c))
                .sum();
            let own = t.amount(total, c);
            if (own - sum).abs() > tol {
                out.push(at(
                    t,
                    Some(total.line),
                    format!(
                        "合计行的“{}” {} ≠ 各类之和 {}",
                        t.col_key(c),
                        show(t, own),
                        show(t, sum)
                    ),
                ));
            }
        }
    }
}

fn identity(t: &Table, total: &str, parts: &[&str], tol: i64, out: &mut Vec<Failure>) {
    let Some(tc) = t.find(total) else { return };
    let side = t.side(tc).to_string();
    let pcs: Vec<usize> = if parts == ["*"] {
        (0..t.cols.len())
            .filter(|&c| c != tc && t.cols[c] == super::tables::Col::Amount && t.side(c) == side)
            .collect()
    } else {
        parts.iter().filter_map(|p| t.find(p)).collect()
    };
    if pcs.is_empty() {
        return;
    }
    let names: Vec<String> = pcs.iter().map(|&c| format!("“{}”", t.col_key(c))).collect();
    for r in &t.rows {
        if matches!(r.cells.get(tc), Some(super::tables::Cell::Amount(None)))
            && !t.side(tc).is_empty()
        {
            continue;
        }
        let own = t.amount(r, tc);
        let sum: i64 = pcs.iter().map(|&c| t.amount(r, c)).sum();
        if (own - sum).abs() > tol {
            let label = r.code.as_deref().map_or_else(
                || t.name(r, &side).to_string(),
                |c| format!("{c} {}", t.name(r, "")),
            );
            out.push(at(
                t,
                Some(r.line),
                format!(
                    "{label}：“{}” {} ≠ {} 之和 {}",
                    t.col_key(tc),
                    show(t, own),
                    names.join("+"),
                    show(t, sum)
                ),
            ));
        }
    }
}

fn first_amount(t: &Table, side: &str) -> Option<usize> {
    (0..t.cols.len()).find(|&c| t.cols[c] == super::tables::Col::Amount && t.side(c) == side)
}

fn overview(t: &Table, row_sums: &[(&str, &str, &[&str])], tol: i64, out: &mut Vec<Failure>) {
    let (Some(lc), Some(rc)) = (first_amount(t, "收入"), first_amount(t, "支出")) else {
        out.push(at(t, None, "找不到收入、支出两侧的金额栏".into()));
        return;
    };
    let income = t.named_row("收入", "收入总计");
    let spend = t.named_row("支出", "支出总计");
    match (income, spend) {
        (Some(i), Some(s)) => {
            let (a, b) = (t.amount(i, lc), t.amount(s, rc));
            if (a - b).abs() > tol {
                out.push(at(
                    t,
                    Some(i.line.max(s.line)),
                    format!("收入总计 {} ≠ 支出总计 {}", show(t, a), show(t, b)),
                ));
            }
        }
        _ => out.push(at(t, None, "找不到“收入总计”或“支出总计”行".into())),
    }
    for (side, total, parts) in row_sums {
        let c = if *side == "收入" { lc } else { rc };
        let Some(tr) = t.named_row(side, total) else {
            continue;
        };
        let sum: i64 = parts
            .iter()
            .filter_map(|p| t.named_row(side, p))
            .map(|r| t.amount(r, c))
            .sum();
        let own = t.amount(tr, c);
        if (own - sum).abs() > tol {
            out.push(at(
                t,
                Some(tr.line),
                format!(
                    "{total} {} ≠ {} 之和 {}",
                    show(t, own),
                    parts.join("+"),
                    show(t, sum)
                ),
            ));
        }
    }
}

/// A figure of one table for a rule across tables.
enum Sel {
    /// The total of a column.
    Total(&'static str),
    /// An overview row's figure in a column, the first of the names present.
    Row(&'static str, &'static [&'static str], &'static str),
}

fn figure(t: &Table, sel: &Sel) -> Option<(i64, Option<u32>, String)> {
    if t.empty {
        return Some((0, None, "（空表）".into()));
    }
    match sel {
        Sel::Total(col) => {
            let c = t.find(col)?;
            Some((
                t.total(c),
                t.total_row().map(|r| r.line),
                format!("“{}”合计", t.col_key(c)),
            ))
        }
        Sel::Row(side, names, col) => {
            let c = t.find(col)?;
            let (name, r) = names
                .iter()
                .find_map(|n| t.named_row(side, n).map(|r| (n, r)))?;
            Some((t.amount(r, c), Some(r.line), format!("“{name}”")))
        }
    }
}

fn across(phase: Phase, tables: &[Table], tol: i64, out: &mut Vec<Failure>) {
    let get = |k: &str| tables.iter().find(|t| t.key == k);
    let (inc_col, exp_col): (&'static str, &'static str) = if phase.is_final() {
        ("收入/决算数", "支出/决算数")
    } else {
        ("收入/预算数", "支出/预算数")
    };
    let rules: Vec<(&str, Sel, &str, Sel)> = vec![
        (
            "general",
            Sel::Total("基本支出"),
            "basic",
            Sel::Total("合计"),
        ),
        (
            "overview",
            Sel::Row("支出", &["本年支出合计", "支出总计"], exp_col),
            "expenditure",
            Sel::Total("合计"),
        ),
        (
            "overview",
            Sel::Row("收入", &["本年收入合计", "收入总计"], inc_col),
            "income",
            Sel::Total("合计"),
        ),
        (
            "fiscal_overview",
            Sel::Row("支出", &["支出总计"], "支出/一般公共预算"),
            "general",
            Sel::Total("合计"),
        ),
        (
            "fiscal_overview",
            Sel::Row("支出", &["支出总计"], "支出/政府性基金预算"),
            "fund",
            Sel::Total("合计"),
        ),
        (
            "fiscal_overview",
            Sel::Row("支出", &["支出总计"], "支出/国有资本经营预算"),
            "capital",
            Sel::Total("合计"),
        ),
    ];
    for (ka, sa, kb, sb) in rules {
        let (Some(a), Some(b)) = (get(ka), get(kb)) else {
            continue;
        };
        let (Some((va, line, what_a)), Some((vb, _, what_b))) = (figure(a, &sa), figure(b, &sb))
        else {
            continue;
        };
        if (va - vb).abs() > tol {
            let ta = a.spec(phase).map_or("", |s| s.title);
            let tb = b.spec(phase).map_or("", |s| s.title);
            out.push(at(
                a,
                line,
                format!(
                    "{ta}的{what_a} {} ≠ {tb}的{what_b} {}（总表与明细表须一致）",
                    show(a, va),
                    show(b, vb)
                ),
            ));
        }
    }
}

/// The summary figures of a checked set.
pub fn summary(phase: Phase, tables: &[Table]) -> Summary {
    let get = |k: &str| tables.iter().find(|t| t.key == k);
    let total = |k: &str, col: &str| {
        get(k)
            .and_then(|t| t.find(col).map(|c| t.total(c)))
            .unwrap_or(0)
    };
    let three = |group: &str| -> [i64; 5] {
        let Some(t) = get("three_public") else {
            return [0; 5];
        };
        let names = [
            "合计",
            "因公出国(境)费",
            "公务接待费",
            "公务用车购置费",
            "公务用车运行费",
        ];
        let mut v = [0; 5];
        for (i, n) in names.iter().enumerate() {
            let name = if group.is_empty() {
                n.to_string()
            } else {
                format!("{group}/{n}")
            };
            v[i] = t.find(&name).map_or(0, |c| t.total(c));
        }
        v
    };
    let to_item_level = get("general").is_some_and(|t| {
        let codes: std::collections::HashSet<&str> =
            t.rows.iter().filter_map(|r| r.code.as_deref()).collect();
        !codes.is_empty()
            && codes.iter().all(|c| {
                c.len() == 7
                    || codes
                        .iter()
                        .any(|o| o.len() == c.len() + 2 && o.starts_with(c))
            })
    });
    Summary {
        expenditure: total("expenditure", "合计"),
        basic: total("expenditure", "基本支出"),
        project: total("expenditure", "项目支出"),
        general: total("general", "合计"),
        three_public: if phase.is_final() {
            three("决算数")
        } else {
            three("")
        },
        three_public_budget: phase.is_final().then(|| three("预算数")),
        to_item_level,
        empty_tables: tables
            .iter()
            .filter(|t| t.empty)
            .filter_map(|t| t.spec(phase).map(|s| s.title.to_string()))
            .collect(),
    }
}

/// One figure of a set for reuse (Fiscal Data Package style): a coded table's amount in a
/// column, with its classification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    /// The table's key.
    pub table: String,
    /// The functional classification code, when the table is by function.
    pub functional: Option<String>,
    /// The economic classification code, when the table is by economic kind.
    pub economic: Option<String>,
    /// The code's name as written.
    pub name: String,
    /// The column (合计, 基本支出, …).
    pub column: String,
    /// The amount in 分.
    pub fen: i64,
}

/// The figures of a set's coded tables, line by line (blank cells left out).
pub fn records(phase: Phase, tables: &[Table]) -> Vec<Record> {
    let mut out = Vec::new();
    for t in tables {
        let Some(Layout::Coded(kind)) = t.spec(phase).map(|s| s.layout) else {
            continue;
        };
        for r in &t.rows {
            let Some(code) = &r.code else { continue };
            for (c, cell) in r.cells.iter().enumerate() {
                if let super::tables::Cell::Amount(Some(v)) = cell {
                    out.push(Record {
                        table: t.key.clone(),
                        functional: (kind == CodeKind::Functional).then(|| code.clone()),
                        economic: (kind == CodeKind::Economic).then(|| code.clone()),
                        name: t.name(r, "").to_string(),
                        column: t.col_key(c),
                        fen: *v,
                    });
                }
            }
        }
    }
    out
}
