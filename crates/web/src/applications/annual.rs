//! The annual report (政府信息公开工作年度报告): built from the data (`store.applications()
//! .report_inputs`, `domain::application::report`), laid out once as the national forms
//! (merged headers and labels) and written from that one layout as HTML tables and as an XLSX
//! workbook; the unit's hand-entered figures and free text edited in the back office; the
//! finished report turned into a draft item of the unit's 信息公开年报 category, which then goes
//! through the normal review workflow. The CLI (`gongkai report annual`) uses [`build`],
//! [`html_document`] and [`xlsx`].

use super::today;
use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use gongkai_domain::access::Action;
use gongkai_domain::application::Outcome;
use gongkai_domain::application::report::{
    AnnualReport, COLUMNS, REMEDY_COLUMNS, REMEDY_GROUPS, column_names,
};
use gongkai_extract::sheet::{Cell, Layout, Style};
use gongkai_store::Store;
use gongkai_store::applications::ReportEntry;
use serde::{Deserialize, Serialize};

/// Why a report cannot be produced.
#[derive(Debug)]
pub struct Unbalanced {
    /// The columns that break 一 + 二 = 三(七) + 四.
    pub columns: Vec<gongkai_domain::application::report::Imbalance>,
    /// The applications that break it: (tracking number, why).
    pub applications: Vec<(String, String)>,
}

impl std::fmt::Display for Unbalanced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "年度报告不平衡：“一 + 二 = 三（七）+ 四”在以下列不成立，报告未生成："
        )?;
        for c in &self.columns {
            writeln!(
                f,
                "  {}：{} + {} ≠ {} + {}",
                c.column, c.figures[0], c.figures[1], c.figures[2], c.figures[3]
            )?;
        }
        if !self.applications.is_empty() {
            writeln!(f, "造成不平衡的申请：")?;
            for (no, why) in &self.applications {
                writeln!(f, "  {no}：{why}")?;
            }
        }
        Ok(())
    }
}

/// Builds the report of `year` for a unit (its subtree: a district sums its units) or for
/// every unit (`None`); refuses one that does not balance, naming the applications.
pub async fn build(
    store: &Store,
    unit_id: Option<i64>,
    year: i32,
) -> Result<Result<AnnualReport, Unbalanced>, gongkai_store::StoreError> {
    let apps = store.applications();
    let units = match unit_id {
        Some(u) => Some(apps.subtree(u).await?),
        None => None,
    };
    let inputs = apps.report_inputs(year, units.as_deref(), unit_id).await?;
    let mut report = AnnualReport::build(&inputs);
    if report.unit.is_empty() {
        report.unit = "全区".into();
    }
    let columns = report.imbalances();
    if columns.is_empty() {
        return Ok(Ok(report));
    }
    let valid: Vec<String> = Outcome::all().into_iter().map(|o| o.code()).collect();
    let applications = apps
        .report_anomalies(year, units.as_deref(), &valid, 50)
        .await?;
    Ok(Err(Unbalanced {
        columns,
        applications,
    }))
}

fn cell(row: u32, col: u16, rows: u32, cols: u16, text: impl Into<String>, style: Style) -> Cell {
    Cell {
        row,
        col,
        rows,
        cols,
        text: text.into(),
        style,
    }
}

/// The three national tables as laid-out sheets.
pub fn layouts(r: &AnnualReport) -> Vec<Layout> {
    use Style::*;
    // 主动公开政府信息情况
    let mut t1 = vec![cell(
        0,
        0,
        1,
        4,
        format!("{}{}年 二、主动公开政府信息情况", r.unit, r.year),
        Title,
    )];
    let mut row = 1;
    let mut article = "";
    for a in &r.active {
        if a.article != article {
            article = a.article;
            t1.push(cell(row, 0, 1, 4, a.article, Head));
            row += 1;
            t1.push(cell(row, 0, 1, 1, "信息内容", Head));
            match a.values.len() {
                3 => {
                    for (k, h) in ["本年制发件数", "本年废止件数", "现行有效件数"]
                        .iter()
                        .enumerate()
                    {
                        t1.push(cell(row, 1 + k as u16, 1, 1, *h, Head));
                    }
                }
                _ => t1.push(cell(
                    row,
                    1,
                    1,
                    3,
                    if a.label == "行政事业性收费" {
                        "本年收费金额（单位：万元）"
                    } else {
                        "本年处理决定数量"
                    },
                    Head,
                )),
            }
            row += 1;
        }
        t1.push(cell(row, 0, 1, 1, a.label, Label));
        if a.values.len() == 3 {
            for (k, v) in a.values.iter().enumerate() {
                t1.push(cell(row, 1 + k as u16, 1, 1, v, Number));
            }
        } else {
            t1.push(cell(row, 1, 1, 3, a.values.join(""), Number));
        }
        row += 1;
    }
    // 收到和处理政府信息公开申请情况
    let names = column_names();
    let mut t2 = vec![
        cell(
            0,
            0,
            1,
            3 + COLUMNS as u16,
            format!("{}{}年 三、收到和处理政府信息公开申请情况", r.unit, r.year),
            Title,
        ),
        cell(
            1,
            0,
            3,
            3,
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            Head,
        ),
        cell(1, 3, 1, COLUMNS as u16, "申请人情况", Head),
        cell(2, 3, 2, 1, names[0], Head),
        cell(2, 4, 1, 5, "法人或其他组织", Head),
        cell(2, 9, 2, 1, names[COLUMNS - 1], Head),
    ];
    for (k, n) in names[1..COLUMNS - 1].iter().enumerate() {
        t2.push(cell(3, 4 + k as u16, 1, 1, *n, Head));
    }
    let first = 4u32;
    let decided_rows: Vec<usize> = r
        .applications
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.group.is_empty())
        .map(|(i, _)| i)
        .collect();
    let mut k = 0;
    while k < r.applications.len() {
        let l = &r.applications[k];
        let at = first + k as u32;
        if l.group.is_empty() {
            t2.push(cell(at, 0, 1, 3, l.head, Label));
        } else {
            if Some(&k) == decided_rows.first() {
                t2.push(cell(at, 0, decided_rows.len() as u32, 1, l.head, Label));
            }
            if l.item.is_empty() {
                t2.push(cell(at, 1, 1, 2, l.group, Label));
            } else {
                let span = r.applications[k..]
                    .iter()
                    .take_while(|x| x.group == l.group)
                    .count();
                if k == 0 || r.applications[k - 1].group != l.group {
                    t2.push(cell(at, 1, span as u32, 1, l.group, Label));
                }
                t2.push(cell(at, 2, 1, 1, l.item.clone(), Label));
            }
        }
        for (c, v) in l.values.iter().enumerate() {
            t2.push(cell(at, 3 + c as u16, 1, 1, v.to_string(), Number));
        }
        k += 1;
    }
    // 政府信息公开行政复议、行政诉讼情况
    let mut t3 = vec![
        cell(
            0,
            0,
            1,
            15,
            format!(
                "{}{}年 四、政府信息公开行政复议、行政诉讼情况",
                r.unit, r.year
            ),
            Title,
        ),
        cell(1, 0, 2, 5, REMEDY_GROUPS[0], Head),
        cell(1, 5, 1, 10, "行政诉讼", Head),
        cell(2, 5, 1, 5, "未经复议直接起诉", Head),
        cell(2, 10, 1, 5, "复议后起诉", Head),
    ];
    for g in 0..3u16 {
        for (c, h) in REMEDY_COLUMNS.iter().enumerate() {
            t3.push(cell(3, g * 5 + c as u16, 1, 1, *h, Head));
            t3.push(cell(
                4,
                g * 5 + c as u16,
                1,
                1,
                r.remedies[g as usize][c].to_string(),
                Number,
            ));
        }
    }
    vec![
        Layout {
            name: "主动公开".into(),
            widths: vec![24.0, 16.0, 16.0, 16.0],
            cells: t1,
        },
        Layout {
            name: "依申请公开".into(),
            widths: vec![16.0, 18.0, 30.0, 9.0, 9.0, 9.0, 11.0, 11.0, 9.0, 9.0],
            cells: t2,
        },
        Layout {
            name: "复议诉讼".into(),
            widths: vec![9.0; 15],
            cells: t3,
        },
    ]
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A laid-out sheet as an HTML table (rowspan and colspan from the merges; header cells as
/// `th` with a scope, the title as the caption).
pub fn html_table(l: &Layout) -> String {
    let mut out = String::from("<table class=\"data report\">");
    let rows = l.cells.iter().map(|c| c.row).max().unwrap_or(0);
    for row in 0..=rows {
        let mut cells: Vec<&Cell> = l.cells.iter().filter(|c| c.row == row).collect();
        cells.sort_by_key(|c| c.col);
        if cells.iter().any(|c| c.style == Style::Title) {
            for c in cells {
                out.push_str(&format!("<caption>{}</caption>", escape(&c.text)));
            }
            continue;
        }
        out.push_str("<tr>");
        for c in cells {
            let span = format!(
                "{}{}",
                if c.rows > 1 {
                    format!(" rowspan=\"{}\"", c.rows)
                } else {
                    String::new()
                },
                if c.cols > 1 {
                    format!(" colspan=\"{}\"", c.cols)
                } else {
                    String::new()
                }
            );
            match c.style {
                Style::Head => {
                    out.push_str(&format!("<th scope=\"col\"{span}>{}</th>", escape(&c.text)))
                }
                Style::Label => {
                    out.push_str(&format!("<th scope=\"row\"{span}>{}</th>", escape(&c.text)))
                }
                _ => out.push_str(&format!("<td class=\"num\"{span}>{}</td>", escape(&c.text))),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// The report's body as HTML: the free-text sections and the three tables, in the national
/// order (一 总体情况 … 六 其他需要报告的事项).
pub fn html_body(r: &AnnualReport) -> String {
    let tables: Vec<String> = layouts(r).iter().map(html_table).collect();
    let para = |t: &str| {
        if t.trim().is_empty() {
            "<p>（未填写）</p>".to_string()
        } else {
            t.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| format!("<p>{}</p>", escape(l.trim())))
                .collect()
        }
    };
    format!(
        "<h2>一、总体情况</h2>{}<h2>二、主动公开政府信息情况</h2>{}<h2>三、收到和处理政府信息公开申请情况</h2>{}\
         <h2>四、政府信息公开行政复议、行政诉讼情况</h2>{}<h2>五、存在的主要问题及改进情况</h2>{}<h2>六、其他需要报告的事项</h2>{}",
        para(&r.overview),
        tables[0],
        tables[1],
        tables[2],
        para(&r.problems),
        para(&r.other)
    )
}

/// A whole HTML document of the report (the CLI's `--format html`).
pub fn html_document(r: &AnnualReport) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{unit}{year}年政府信息公开工作年度报告</title>\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:auto}}table{{border-collapse:collapse;margin:1rem 0}}\
         th,td{{border:1px solid #444;padding:.25rem .5rem}}td.num{{text-align:right}}caption{{font-weight:bold}}</style></head>\
         <body><h1>{unit}{year}年政府信息公开工作年度报告</h1>{body}</body></html>",
        unit = escape(&r.unit),
        year = r.year,
        body = html_body(r)
    )
}

/// The report as an XLSX workbook in the national layout (one sheet per table).
pub fn xlsx(r: &AnnualReport) -> Result<Vec<u8>, gongkai_extract::ExtractError> {
    gongkai_extract::sheet::write_layouts(&layouts(r))
}

/// `?year=&format=` of the report page.
#[derive(Deserialize, Default)]
pub struct ReportQuery {
    year: Option<i32>,
    format: Option<String>,
    saved: Option<String>,
}

/// `GET /admin/units/{id}/annual-report?year=&format=html|xlsx|json`: the unit's report (a
/// district's sums its units), the form for the hand-entered figures and texts, and the button
/// that turns it into a draft item.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    let year = q.year.unwrap_or(today().year() - 1);
    if !(2019..=2100).contains(&year) {
        return Err(AppError::BadRequest("年份无效".into()));
    }
    let unit = state.store.get_unit(unit_id).await?;
    let built = build(&state.store, Some(unit_id), year).await?;
    match (q.format.as_deref(), &built) {
        (Some("xlsx"), Ok(r)) => {
            let bytes = xlsx(r).map_err(|e| AppError::Internal(e.to_string()))?;
            return Ok(crate::pages::xlsx_download(
                &format!("annual-report-{year}.xlsx"),
                Some(&format!(
                    "{}{year}年政府信息公开工作年度报告.xlsx",
                    unit.name
                )),
                bytes,
            ));
        }
        (Some("json"), Ok(r)) => return Ok(axum::Json(r).into_response()),
        (Some("xlsx" | "json"), Err(u)) => return Err(AppError::Conflict(u.to_string())),
        _ => {}
    }
    let entry = state
        .store
        .applications()
        .report_entry(unit_id, year)
        .await?;
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        year, years => (2019..=today().year()).rev().collect::<Vec<_>>(),
        body => built.as_ref().ok().map(|r| minijinja::Value::from_safe_string(html_body(r))),
        unbalanced => built.as_ref().err().map(|u| u.to_string()),
        entry => super::ser(&entry), saved => q.saved,
        can_edit => gongkai_domain::access::allowed(s.staff().role, s.staff().unit_id, Action::WorkOnItems, unit_id),
    };
    Ok(crate::pages::render(
        &state,
        &headers,
        "admin/annual_report.html",
        &format!("{}{year}年政府信息公开工作年度报告", unit.name),
        ctx,
        Some(&s.session),
    ))
}

/// The hand-entered figures and texts.
#[derive(Deserialize, Serialize, Default)]
pub struct EntryForm {
    #[serde(default)]
    year: i32,
    #[serde(default)]
    licences: String,
    #[serde(default)]
    penalties: String,
    #[serde(default)]
    enforcements: String,
    #[serde(default)]
    fees_wan: String,
    #[serde(default)]
    overview: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    other: String,
}

/// `POST /admin/units/{id}/annual-report`: saves the hand-entered figures and texts.
pub async fn save(
    State(state): State<AppState>,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<EntryForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::WorkOnItems, unit_id)?;
    if !(2019..=2100).contains(&f.year) {
        return Err(AppError::BadRequest("年份无效".into()));
    }
    let count = |v: &str, what: &str| -> Result<i64, AppError> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(0);
        }
        v.parse::<i64>()
            .ok()
            .filter(|n| (0..=100_000_000).contains(n))
            .ok_or_else(|| AppError::BadRequest(format!("{what}应为不小于0的整数")))
    };
    let fees = f.fees_wan.trim();
    if !fees.is_empty() && !fees.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0) {
        return Err(AppError::BadRequest(
            "收费金额应为不小于0的数（单位：万元）".into(),
        ));
    }
    let long = |t: &str| t.chars().count() > 20_000;
    if long(&f.overview) || long(&f.problems) || long(&f.other) {
        return Err(AppError::BadRequest("每一部分不超过20000字".into()));
    }
    let entry = ReportEntry {
        licences: count(&f.licences, "行政许可件数")?,
        penalties: count(&f.penalties, "行政处罚件数")?,
        enforcements: count(&f.enforcements, "行政强制件数")?,
        fees_wan: if fees.is_empty() {
            "0".into()
        } else {
            fees.into()
        },
        overview: f.overview.trim().to_string(),
        problems: f.problems.trim().to_string(),
        other: f.other.trim().to_string(),
    };
    state
        .store
        .applications()
        .save_report_entry(&s.actor(), unit_id, f.year, &entry)
        .await?;
    Ok(Redirect::to(&format!(
        "/admin/units/{unit_id}/annual-report?year={}&saved=1",
        f.year
    ))
    .into_response())
}

/// The publish form.
#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    year: i32,
}

/// `POST /admin/units/{id}/annual-report/publish`: makes the report a draft item in the unit's
/// 信息公开年报 category (rich text: the sections and tables); it is published through the
/// normal review workflow.
pub async fn publish(
    State(state): State<AppState>,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<PublishForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::WorkOnItems, unit_id)?;
    let report = match build(&state.store, Some(unit_id), f.year).await? {
        Ok(r) => r,
        Err(u) => return Err(AppError::Conflict(u.to_string())),
    };
    let dis = state.store.disclosure();
    let category = dis
        .list_categories(Some(unit_id))
        .await?
        .into_iter()
        .find(|c| c.code == "GKNB")
        .ok_or_else(|| AppError::BadRequest("本单位目录中没有“信息公开年报”栏目".into()))?;
    let body = gongkai_domain::richtext::clean_body(&html_body(&report))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let item = dis
        .create_item(
            &s.actor(),
            unit_id,
            category.id,
            &gongkai_store::disclosure::RevisionContent {
                title: format!("{}{}年政府信息公开工作年度报告", report.unit, report.year),
                doc_no: String::new(),
                formed_on: super::handling::day(today()),
                validity: gongkai_domain::disclosure::Validity::InForce,
                topic: "其他".into(),
                summary: format!(
                    "{}{}年政府信息公开工作年度报告（依据《中华人民共和国政府信息公开条例》第五十条）",
                    report.unit, report.year
                ),
                body,
            },
            None,
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{}", item.id)).into_response())
}
