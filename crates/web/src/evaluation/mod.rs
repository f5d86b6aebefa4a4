//! The units' yearly assessment (考评, work plan §12): the district's ranking with the five
//! indicators, each unit's scorecard with the figures and the late records behind them, the
//! office's archives grades, the XLSX export, and publication of a frozen copy on the public
//! page `/evaluation` (withdrawn copies are kept). The rules are `domain::evaluation`, the
//! weights `[evaluation]` in the configuration.

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::{day, render, ser, today};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::evaluation::{Indicator, Scorecard, evaluate};
use gongkai_store::evaluation::LateKind;
use gongkai_store::org::Unit;
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/evaluation", get(public_list))
        .route("/evaluation/{year}", get(public_year))
        .route("/admin/evaluation", get(ranking))
        .route("/admin/evaluation.xlsx", get(export))
        .route("/admin/evaluation/publish", post(publish))
        .route("/admin/evaluation/published/{id}/withdraw", post(withdraw))
        .route("/admin/units/{id}/evaluation", get(scorecard))
        .route("/admin/units/{id}/evaluation/grade", post(grade))
}

/// `?year=`.
#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i64>,
}

impl YearQuery {
    fn year(&self) -> i64 {
        self.year
            .filter(|y| (2000..=2100).contains(y))
            .unwrap_or_else(|| i64::from(today().year()))
    }
}

/// Every unit's scorecard of `year` as of today, in rank order.
pub(crate) async fn scorecards(state: &AppState, year: i64) -> Result<Vec<Scorecard>, AppError> {
    Ok(assess(
        &state.store,
        &state.config.evaluation,
        &state.config.oversight.weights(),
        year,
        &day(today()),
    )
    .await?)
}

/// Every unit's scorecard of `year` as of day `t` (YYYY-MM-DD), in rank order: the store's
/// counts, the notices' rectification scores, scored by `domain::evaluation`. Shared by the
/// pages and `gongkai evaluation`.
pub async fn assess(
    store: &gongkai_store::Store,
    rules: &gongkai_domain::evaluation::Rules,
    weights: &gongkai_domain::oversight::Weights,
    year: i64,
    t: &str,
) -> Result<Vec<Scorecard>, gongkai_store::StoreError> {
    let mut facts = store.evaluation().facts(year, t).await?;
    for (unit, score) in crate::oversight::rectification(store, weights, year, t).await? {
        facts.entry(unit).or_default().rectification = Some(score);
    }
    let units = store.list_units().await?;
    let all: Vec<_> = units
        .iter()
        .map(|u| (u.id, facts.remove(&u.id).unwrap_or_default()))
        .collect();
    Ok(evaluate(&all, rules))
}

/// A scorecard as the pages and the published copy show it.
#[derive(Serialize, Deserialize, Clone)]
struct Row {
    id: i64,
    unit: String,
    code: String,
    rank: Option<u32>,
    total: Option<f64>,
    scores: Vec<Option<f64>>,
    cases: u64,
    little_data: bool,
}

fn rows(cards: &[Scorecard], units: &[Unit]) -> Vec<Row> {
    cards
        .iter()
        .filter_map(|c| {
            let u = units.iter().find(|u| u.id == c.unit_id)?;
            Some(Row {
                id: u.id,
                unit: u.name.clone(),
                code: u.code.clone(),
                rank: c.rank,
                total: c.total,
                scores: c.indicators.iter().map(|i| i.score).collect(),
                cases: c.cases,
                little_data: c.little_data,
            })
        })
        .collect()
}

fn indicators(state: &AppState) -> Vec<minijinja::Value> {
    let r = &state.config.evaluation;
    Indicator::ALL
        .iter()
        .map(|i| {
            let w = match i {
                Indicator::Routine => r.routine,
                Indicator::Tasks => r.tasks,
                Indicator::Archives => r.archives,
                Indicator::Online => r.online,
                Indicator::Social => r.social,
            };
            minijinja::context! { label => i.label(), code => i.code(), weight => w }
        })
        .collect()
}

/// A publication as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct PublishForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
}

async fn ranking_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    year: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageEvaluation, st.unit_id)?;
    let units = state.store.list_units().await?;
    let rows = rows(&scorecards(state, year).await?, &units);
    let published = state.store.evaluation().published().await?;
    let invalid = error.is_some();
    let ctx = minijinja::context! {
        year, rows => ser(&rows), indicators => indicators(state), error,
        published => ser(&published), prior => state.config.evaluation.prior,
        default_title => format!("{year}年度政务公开工作考评结果"),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/evaluation.html",
            "政务公开考评",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/evaluation?year=`: the district's ranking (the office); a unit's staff are sent
/// to their own scorecard.
pub async fn ranking(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let st = s.staff();
    if !allowed(st.role, st.unit_id, Action::ManageEvaluation, st.unit_id) {
        return Ok(Redirect::to(&format!(
            "/admin/units/{}/evaluation?year={}",
            st.unit_id,
            q.year()
        ))
        .into_response());
    }
    ranking_page(&state, &headers, &s, q.year(), None).await
}

/// `GET /admin/evaluation.xlsx?year=`: the year's assessment as a spreadsheet.
pub async fn export(
    State(state): State<AppState>,
    s: StaffSession,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageEvaluation, st.unit_id)?;
    let year = q.year();
    let units = state.store.list_units().await?;
    let cards = scorecards(&state, year).await?;
    let bytes = workbook(&cards, &units, &state.config.evaluation, year)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::pages::xlsx_download(
        &format!("evaluation-{year}.xlsx"),
        Some(&format!("{year}年度政务公开考评.xlsx")),
        bytes,
    ))
}

/// The year's assessment as an XLSX workbook: rank, unit, the five indicators with their
/// weights, the total, and the figures behind each rate. Shared by the page and the CLI.
pub fn workbook(
    cards: &[Scorecard],
    units: &[Unit],
    r: &gongkai_domain::evaluation::Rules,
    year: i64,
) -> Result<Vec<u8>, gongkai_extract::ExtractError> {
    let shown = |x: Option<f64>| x.map_or_else(|| "无数据".to_string(), |v| format!("{v:.1}"));
    let mut out = Vec::new();
    for c in cards {
        let Some(u) = units.iter().find(|u| u.id == c.unit_id) else {
            continue;
        };
        let mut row = vec![
            c.rank.map_or_else(|| "—".into(), |r| r.to_string()),
            u.name.clone(),
        ];
        row.extend(c.indicators.iter().map(|i| shown(i.score)));
        row.push(shown(c.total));
        row.push(c.cases.to_string());
        // the figures behind each rate: good / all
        let parts: Vec<String> = c
            .indicators
            .iter()
            .flat_map(|i| i.parts.iter())
            .filter(|p| p.total > 0)
            .map(|p| format!("{} {}/{}", p.label, p.good, p.total))
            .collect();
        row.push(parts.join("；"));
        out.push(row);
    }
    let headers: Vec<String> = [
        "名次".to_string(),
        "单位".to_string(),
        format!("平时工作（权重{}）", r.routine),
        format!("任务完成（{}）", r.tasks),
        format!("资料档案（{}）", r.archives),
        format!("网上查评（{}）", r.online),
        format!("社会评议（{}）", r.social),
        "总分".to_string(),
        "依据件数".to_string(),
        "依据".to_string(),
    ]
    .to_vec();
    let header: Vec<&str> = headers.iter().map(String::as_str).collect();
    let title = format!("{year}年度政务公开工作考评");
    gongkai_extract::sheet::write_table(&gongkai_extract::sheet::Table {
        sheet: "考评",
        title: &title,
        header: &header,
        sub_header: None,
        widths: &[8.0, 24.0, 14.0, 12.0, 12.0, 12.0, 12.0, 10.0, 10.0, 60.0],
        rows: &out,
    })
}

/// The late records' kinds, with their labels and back-office pages.
const LATE: [(LateKind, &str, &str, &str); 5] = [
    (LateKind::Items, "items", "超期发布的信息", "/admin/items/"),
    (
        LateKind::Applications,
        "applications",
        "逾期答复或逾期未答复的依申请公开",
        "/admin/applications/",
    ),
    (
        LateKind::Messages,
        "messages",
        "逾期答复或逾期未答复的留言",
        "/admin/messages/",
    ),
    (
        LateKind::Cases,
        "cases",
        "逾期办结或逾期未办结的办件",
        "/admin/cases/",
    ),
    (
        LateKind::BadRatings,
        "bad_ratings",
        "未按时整改的差评",
        "/admin/ratings/",
    ),
];

async fn scorecard_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    year: i64,
    failed: Option<(String, GradeForm)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ViewUnitDesk, id)?;
    let unit = state.store.get_unit(id).await?;
    let cards = scorecards(state, year).await?;
    let card = cards
        .iter()
        .find(|c| c.unit_id == unit.id)
        .ok_or(AppError::NotFound)?;
    let t = day(today());
    let mut late = Vec::new();
    for (kind, key, label, link) in LATE {
        let part = card
            .indicators
            .iter()
            .flat_map(|i| i.parts.iter())
            .find(|p| p.key == key);
        if part.is_none_or(|p| p.good == p.total) {
            continue;
        }
        let list = state
            .store
            .evaluation()
            .late(kind, unit.id, year, &t, 50)
            .await?;
        late.push(minijinja::context! {
            label, link, list => ser(&list), items => key == "items",
            more => part.map_or(0, |p| p.total - p.good) > list.len() as u64,
        });
    }
    let grade = state
        .store
        .evaluation()
        .grades(year)
        .await?
        .into_iter()
        .find(|g| g.unit_id == unit.id);
    let manage = allowed(st.role, st.unit_id, Action::ManageEvaluation, unit.id);
    let invalid = failed.is_some();
    let (error, f) = match failed {
        Some((e, f)) => (Some(e), f),
        None => (
            None,
            GradeForm {
                year: year.to_string(),
                grade: grade
                    .as_ref()
                    .map(|g| format!("{}.{}", g.grade / 10, g.grade % 10))
                    .unwrap_or_default(),
                note: grade.as_ref().map(|g| g.note.clone()).unwrap_or_default(),
            },
        ),
    };
    let ranked = cards.iter().filter(|c| c.rank.is_some()).count();
    let ctx = minijinja::context! {
        year, unit => minijinja::context! { id => unit.id, name => &unit.name, code => &unit.code },
        card => ser(card), late, manage, error, f => ser(&f), ranked,
        grade => grade.as_ref().map(ser), prior => state.config.evaluation.prior,
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/scorecard.html",
            &format!("{}{}年度考评", unit.name, year),
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/units/{id}/evaluation?year=`: a unit's scorecard with the evidence.
pub async fn scorecard(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    scorecard_page(&state, &headers, &s, id, q.year(), None).await
}

/// An archives grade as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct GradeForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    note: String,
}

/// Reads a grade "0"–"100" with at most one decimal, as tenths.
fn read_grade(text: &str) -> Option<i64> {
    let v: f64 = text.trim().parse().ok()?;
    let tenths = (v * 10.0).round();
    ((0.0..=1000.0).contains(&tenths) && ((v * 10.0) - tenths).abs() < 1e-6)
        .then_some(tenths as i64)
}

/// `POST /admin/units/{id}/evaluation/grade`: the office grades the unit's archives.
pub async fn grade(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<GradeForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageEvaluation, id)?;
    let unit = state.store.get_unit(id).await?;
    let year = f
        .year
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let tenths = read_grade(&f.grade);
    let note = f.note.trim().to_string();
    let problem = if year.is_none() {
        Some("年度应为四位数字")
    } else if tenths.is_none() {
        Some("评分应为0至100之间的数，最多一位小数")
    } else if note.is_empty() || note.chars().count() > 500 {
        Some("请写明评定依据（不超过500字）")
    } else {
        None
    };
    let (Some(year), Some(tenths), None) = (year, tenths, problem) else {
        let y = year.unwrap_or_else(|| i64::from(today().year()));
        let e = problem.unwrap_or_default().to_string();
        return scorecard_page(&state, &headers, &s, id, y, Some((e, f))).await;
    };
    state
        .store
        .evaluation()
        .grade(&s.actor(), year, unit.id, tenths, &note)
        .await?;
    Ok(Redirect::to(&format!("/admin/units/{id}/evaluation?year={year}")).into_response())
}

/// `POST /admin/evaluation/publish`: the office publishes the year's assessment as it stands
/// (one shown per year; a corrected one replaces it after the first is withdrawn).
pub async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<PublishForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageEvaluation, st.unit_id)?;
    let Some(year) = f
        .year
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        let y = i64::from(today().year());
        return ranking_page(&state, &headers, &s, y, Some("年度应为四位数字".into())).await;
    };
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return ranking_page(
            &state,
            &headers,
            &s,
            year,
            Some("请填写标题（不超过100字）".into()),
        )
        .await;
    }
    if let Some(p) = crate::pages::scan_for_publication(&state, &[("标题", title)]).await? {
        return ranking_page(&state, &headers, &s, year, Some(p)).await;
    }
    let units = state.store.list_units().await?;
    let rows: Vec<Row> = rows(&scorecards(&state, year).await?, &units)
        .into_iter()
        .filter(|r| r.rank.is_some())
        .collect();
    if rows.is_empty() {
        return ranking_page(
            &state,
            &headers,
            &s,
            year,
            Some("该年度尚无可公布的考评结果".into()),
        )
        .await;
    }
    let snapshot = serde_json::json!({
        "rules": state.config.evaluation,
        "as_of": day(today()),
        "rows": rows,
    })
    .to_string();
    match state
        .store
        .evaluation()
        .publish(&s.actor(), year, title, &snapshot)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/evaluation/{year}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            ranking_page(&state, &headers, &s, year, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A withdrawal as the form sends it.
#[derive(Deserialize, Default)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/evaluation/published/{id}/withdraw`: the office withdraws a published
/// assessment with a reason (kept, no longer shown).
pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<WithdrawForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageEvaluation, st.unit_id)?;
    let reason = f.reason.trim();
    let y = i64::from(today().year());
    if reason.is_empty() || reason.chars().count() > 500 {
        return ranking_page(
            &state,
            &headers,
            &s,
            y,
            Some("请说明撤回的原因（不超过500字）".into()),
        )
        .await;
    }
    match state
        .store
        .evaluation()
        .withdraw(&s.actor(), id, reason)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/evaluation").into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            ranking_page(&state, &headers, &s, y, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

fn column() -> minijinja::Value {
    minijinja::context! { name => "考评结果", description => "政务公开工作年度考评结果", keywords => "政务公开,考评,考核结果", kind => "政务公开" }
}

/// `GET /evaluation`: the published assessments.
pub async fn public_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let list: Vec<_> = state
        .store
        .evaluation()
        .published()
        .await?
        .into_iter()
        .filter(|p| p.withdrawn_at.is_none())
        .collect();
    let ctx = minijinja::context! { list => ser(&list), column => column() };
    Ok(render(
        &state,
        &headers,
        "evaluation.html",
        "政务公开考评结果",
        ctx,
        None,
    ))
}

/// `GET /evaluation/{year}`: a year's published assessment, as published.
pub async fn public_year(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(year): Path<i64>,
) -> Result<Response, AppError> {
    let p = state
        .store
        .evaluation()
        .shown(year)
        .await?
        .ok_or(AppError::NotFound)?;
    let snap: serde_json::Value = serde_json::from_str(&p.snapshot)
        .map_err(|e| AppError::Internal(format!("考评结果 {}: {e}", p.id)))?;
    let ctx = minijinja::context! {
        p => ser(&p), rows => ser(&snap["rows"]),
        rules => ser(&snap["rules"]), as_of => snap["as_of"].as_str(),
        indicators => Indicator::ALL.iter().map(|i| minijinja::context! { label => i.label(), code => i.code() }).collect::<Vec<_>>(),
        column => column(),
    };
    Ok(render(
        &state,
        &headers,
        "evaluation_year.html",
        &p.title,
        ctx,
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::read_grade;

    #[test]
    fn grades_are_read_in_tenths() {
        assert_eq!(read_grade("95"), Some(950));
        assert_eq!(read_grade(" 87.5 "), Some(875));
        assert_eq!(read_grade("100"), Some(1000));
        assert_eq!(read_grade("100.5"), None);
        assert_eq!(read_grade("-1"), None);
        assert_eq!(read_grade("87.25"), None);
        assert_eq!(read_grade("九十"), None);
    }
}
