//! Oversight reports in the back office. The publication-timeliness report: per unit, how many
//! items were first published in a year, how many later than the limit of working days after
//! they were formed (条例 Art. 26, DOMAIN.md §2), and which. District-wide roles see every unit,
//! everyone else their own; the table downloads as XLSX.

use crate::AppState;
use crate::auth::StaffSession;
use crate::error::AppError;
use crate::pages::render;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use gongkai_domain::access::{Action, allowed};
use gongkai_store::disclosure::Timeliness;
use serde::{Deserialize, Serialize};

/// `?year=&unit=`.
#[derive(Deserialize, Default)]
pub struct ReportQuery {
    year: Option<i32>,
    unit: Option<i64>,
}

/// The UTC bounds of a year in Beijing time, as stored times.
fn year_bounds(year: i32) -> (String, String) {
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc() - chrono::Duration::hours(8))
            .map(gongkai_store::time_text)
            .unwrap_or_default()
    };
    (start(year), start(year + 1))
}

#[derive(Serialize)]
struct Row {
    unit_id: i64,
    unit_name: String,
    published: i64,
    on_time: i64,
    late: i64,
    rate: String,
    max_late: i64,
    avg_late: String,
}

fn rows(stats: Vec<Timeliness>) -> Vec<Row> {
    stats
        .into_iter()
        .map(|t| Row {
            on_time: t.published - t.late,
            rate: if t.published == 0 {
                "—".into()
            } else {
                format!(
                    "{:.1}%",
                    100.0 * (t.published - t.late) as f64 / t.published as f64
                )
            },
            avg_late: if t.late == 0 {
                "0".into()
            } else {
                format!("{:.1}", t.total_late as f64 / t.late as f64)
            },
            unit_id: t.unit_id,
            unit_name: t.unit_name,
            published: t.published,
            late: t.late,
            max_late: t.max_late,
        })
        .collect()
}

async fn visible_rows(state: &AppState, s: &StaffSession, year: i32) -> Result<Vec<Row>, AppError> {
    let (from, to) = year_bounds(year);
    let st = s.staff();
    let stats = state.store.disclosure().timeliness(&from, &to).await?;
    Ok(rows(
        stats
            .into_iter()
            .filter(|t| allowed(st.role, st.unit_id, Action::ViewUnitDesk, t.unit_id))
            .collect(),
    ))
}

fn year_of(q: &ReportQuery) -> Result<i32, AppError> {
    let this = chrono::Utc::now().year();
    let year = q.year.unwrap_or(this);
    if !(2008..=this + 1).contains(&year) {
        return Err(AppError::BadRequest(format!(
            "年份应在2008至{}之间",
            this + 1
        )));
    }
    Ok(year)
}

/// `GET /admin/timeliness?year=&unit=`: the report, and one unit's late items.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let year = year_of(&q)?;
    let table = visible_rows(&state, &s, year).await?;
    let (published, late) = table
        .iter()
        .fold((0, 0), |(p, l), r| (p + r.published, l + r.late));
    let st = s.staff();
    let detail = match q.unit {
        Some(unit) => {
            crate::auth::permit(st, Action::ViewUnitDesk, unit)?;
            let (from, to) = year_bounds(year);
            let unit_name = state.store.get_unit(unit).await?.name;
            let items = state
                .store
                .disclosure()
                .late_items(unit, &from, &to)
                .await?;
            Some(minijinja::context! {
                unit_name,
                items => minijinja::Value::from(minijinja::value::Serde(&items)),
            })
        }
        None => None,
    };
    let this = chrono::Utc::now().year();
    let ctx = minijinja::context! {
        year,
        years => ((this - 4)..=this).rev().collect::<Vec<_>>(),
        limit => state.config.publish_limit_workdays,
        rows => minijinja::Value::from(minijinja::value::Serde(&table)),
        published,
        late,
        detail,
    };
    Ok(render(
        &state,
        &headers,
        "admin/timeliness.html",
        "信息发布及时性",
        ctx,
        Some(&s.session),
    ))
}

/// `GET /admin/timeliness.xlsx?year=`: the same table as a spreadsheet.
pub async fn export(
    State(state): State<AppState>,
    s: StaffSession,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let year = year_of(&q)?;
    let table = visible_rows(&state, &s, year).await?;
    let data: Vec<Vec<String>> = table
        .iter()
        .map(|r| {
            vec![
                r.unit_name.clone(),
                r.published.to_string(),
                r.on_time.to_string(),
                r.late.to_string(),
                r.rate.clone(),
                r.max_late.to_string(),
                r.avg_late.clone(),
            ]
        })
        .collect();
    let title = format!("{year}年信息发布及时性统计");
    let bytes = gongkai_extract::sheet::write_table(&gongkai_extract::sheet::Table {
        sheet: "及时性",
        title: &title,
        header: &[
            "单位",
            "首次发布条数",
            "按时",
            "超期",
            "按时率",
            "最长超期（工作日）",
            "平均超期（工作日）",
        ],
        sub_header: None,
        widths: &[24.0, 12.0, 8.0, 8.0, 10.0, 16.0, 16.0],
        rows: &data,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::pages::xlsx_download(
        &format!("timeliness-{year}.xlsx"),
        Some(&format!("{title}.xlsx")),
        bytes,
    ))
}

/// The module's pages: the publication-timeliness report and its spreadsheet.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/admin/timeliness", get(page))
        .route("/admin/timeliness.xlsx", get(export))
}
