//! Major administrative decisions (重大行政决策): the public catalog of the year and each
//! decision's timeline of statutory steps; the back office puts decisions in the catalog,
//! records each step (checked by `domain::decision`: order, the 7-day hearing notice, the
//! 7-working-day legality review, no discussion without a passed review, no publication
//! without the adoption explanation), and sees which decisions are behind their plan.

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::{day, parse_day, render, ser, today};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::decision::{Outcome, StepInput, StepKind, check_step, standing};
use gongkai_store::decisions::{DecisionStep, MajorDecision, NewDecision};
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/major-decisions", get(catalog))
        .route("/major-decisions/{id}", get(timeline))
        .route("/admin/major-decisions", get(office))
        .route("/admin/units/{id}/major-decisions", post(create))
        .route("/admin/major-decisions/{id}", get(desk))
        .route("/admin/major-decisions/{id}/steps", post(record))
}

fn column() -> minijinja::Value {
    minijinja::context! { name => "重大行政决策", description => "重大行政决策事项目录及决策过程", keywords => "重大行政决策,决策事项目录,合法性审查,听证", kind => "信息公开" }
}

fn row(d: &MajorDecision, units: &[gongkai_store::org::Unit], today: &str) -> minijinja::Value {
    minijinja::context! {
        id => d.id, title => &d.title, planned_on => &d.planned_on, standing => if d.standing.is_empty() { "尚未启动" } else { d.standing.as_str() },
        unit => units.iter().find(|u| u.id == d.unit_id).map(|u| u.name.clone()),
        published_on => &d.published_on, behind => d.published_on.is_none() && d.planned_on.as_str() < today,
    }
}

/// `?year=` of the catalog.
#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i64>,
}

/// `GET /major-decisions`: the year's catalog of major decisions (决策事项目录).
pub async fn catalog(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let year = q.year.unwrap_or_else(|| i64::from(today().year()));
    let store = state.store.decisions();
    let units = state.store.list_units().await?;
    let t = day(today());
    let rows: Vec<_> = store
        .catalog(year)
        .await?
        .iter()
        .map(|d| row(d, &units, &t))
        .collect();
    let ctx = minijinja::context! { year, years => store.years().await?, rows, column => column() };
    Ok(render(
        &state,
        &headers,
        "decisions/catalog.html",
        &format!("{year}年度重大行政决策事项目录"),
        ctx,
        None,
    ))
}

fn steps_view(steps: &[DecisionStep]) -> Vec<minijinja::Value> {
    steps
        .iter()
        .map(|s| {
            minijinja::context! {
                step => StepKind::from_code(&s.step).map(StepKind::label), started_on => &s.started_on,
                finished_on => &s.finished_on, outcome => Outcome::from_code(&s.outcome).map(Outcome::label),
                materials_on => &s.materials_on, documents => s.documents.lines().map(str::to_string).collect::<Vec<_>>(),
                note => &s.note, adoption => &s.adoption,
            }
        })
        .collect()
}

async fn decision_ctx(state: &AppState, d: &MajorDecision) -> Result<minijinja::Value, AppError> {
    let unit = state.store.get_unit(d.unit_id).await?;
    let steps = state.store.decisions().steps(d.id).await?;
    let consultation = match d.consultation_id {
        Some(c) => Some(state.store.consultations().get(c).await?),
        None => None,
    };
    let done: Vec<StepKind> = steps
        .iter()
        .filter_map(|s| StepKind::from_code(&s.step))
        .collect();
    Ok(minijinja::context! {
        d => ser(d), unit => minijinja::context! { id => unit.id, name => &unit.name },
        steps => steps_view(&steps),
        pending => StepKind::ALL.iter().filter(|k| !done.contains(k) && **k != StepKind::Hearing).map(|k| k.label()).collect::<Vec<_>>(),
        consultation => consultation.map(|c| minijinja::context! { id => c.id, title => c.title, report => c.report_published_on.is_some() }),
        behind => d.published_on.is_none() && d.planned_on < day(today()),
    })
}

/// `GET /major-decisions/{id}`: the public timeline of one decision: every step with its dates,
/// documents and outcome, and the steps still to come.
pub async fn timeline(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let d = state.store.decisions().get(id).await?;
    let ctx = minijinja::context! { v => decision_ctx(&state, &d).await?, column => column() };
    Ok(render(
        &state,
        &headers,
        "decisions/timeline.html",
        &d.title,
        ctx,
        None,
    ))
}

/// A catalog entry as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    consultation: String,
}

async fn office_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    chosen: Option<i64>,
    failed: Option<(String, NewForm)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let units = state.store.list_units().await?;
    let store = state.store.decisions();
    let t = day(today());
    let year = i64::from(today().year());
    let visible =
        |d: &&MajorDecision| allowed(st.role, st.unit_id, Action::ViewUnitDesk, d.unit_id);
    let behind: Vec<_> = store
        .behind(&t)
        .await?
        .iter()
        .filter(visible)
        .map(|d| row(d, &units, &t))
        .collect();
    let rows: Vec<_> = store
        .catalog(year)
        .await?
        .iter()
        .filter(visible)
        .map(|d| row(d, &units, &t))
        .collect();
    let manageable: Vec<_> = units
        .iter()
        .filter(|u| allowed(st.role, st.unit_id, Action::ManageDecisions, u.id))
        .map(
            |u| minijinja::context! { id => u.id, name => &u.name, chosen => Some(u.id) == chosen },
        )
        .collect();
    let target = units
        .iter()
        .filter(|u| allowed(st.role, st.unit_id, Action::ManageDecisions, u.id))
        .find(|u| chosen.is_none_or(|c| c == u.id))
        .map(|u| minijinja::context! { id => u.id, name => &u.name });
    let f = failed.as_ref().map(|(_, f)| f.clone()).unwrap_or(NewForm {
        year: year.to_string(),
        ..NewForm::default()
    });
    let ctx = minijinja::context! {
        year, rows, behind, manageable, target, f => ser(&f), error => failed.as_ref().map(|(e, _)| e.clone()),
    };
    Ok(crate::forms::invalid_if(
        failed.is_some(),
        render(
            state,
            headers,
            "admin/decisions.html",
            "重大行政决策",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `?unit=` of the office page: the unit the new-decision form is for.
#[derive(Deserialize, Default)]
pub struct OfficeQuery {
    unit: Option<i64>,
}

/// `GET /admin/major-decisions`: this year's catalog and the decisions behind their plan (the
/// office sees every unit's; a unit its own), and the form that puts a decision of a unit the
/// viewer manages in the catalog.
pub async fn office(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<OfficeQuery>,
) -> Result<Response, AppError> {
    office_page(&state, &headers, &s, q.unit, None).await
}

/// `POST /admin/units/{id}/major-decisions`: puts a decision of the unit in a year's catalog.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<NewForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ManageDecisions, unit_id)?;
    let year: Option<i64> = f
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2019..=2100).contains(y));
    let planned = parse_day(&f.planned_on);
    let consultation = match f.consultation.trim() {
        "" => Ok(None),
        c => match c.parse::<i64>() {
            Ok(id) => match state.store.consultations().get(id).await {
                Ok(c) => Ok(Some(c.id)),
                Err(gongkai_store::StoreError::NotFound(_)) => Err(()),
                Err(e) => return Err(e.into()),
            },
            Err(_) => Err(()),
        },
    };
    let problem = if f.title.trim().is_empty() || f.title.trim().chars().count() > 200 {
        Some("请填写决策事项名称（不超过200字）")
    } else if year.is_none() {
        Some("请填写目录年度（如2026）")
    } else if f.basis.trim().is_empty() {
        Some("请填写决策依据")
    } else if planned.is_none() {
        Some("请按“2026-12-01”的格式填写计划完成时间")
    } else if consultation.is_err() {
        Some("关联的征求意见编号不存在")
    } else {
        None
    };
    let found = crate::pages::scan_for_publication(
        &state,
        &[
            ("决策事项", f.title.trim()),
            ("决策依据", f.basis.trim()),
            ("决策内容", f.summary.trim()),
        ],
    )
    .await?;
    let problem = match (problem, found.as_deref()) {
        (Some(p), _) => Some(p.to_string()),
        (None, Some(found)) => Some(found.to_string()),
        (None, None) => None,
    };
    let (Some(year), Some(planned), Ok(consultation), None) =
        (year, planned, consultation, problem.as_ref())
    else {
        return office_page(
            &state,
            &headers,
            &s,
            Some(unit_id),
            Some((problem.unwrap_or_else(|| "请检查填写的内容".into()), f)),
        )
        .await;
    };
    let d = state
        .store
        .decisions()
        .create(
            &s.actor(),
            &NewDecision {
                year,
                unit_id,
                title: f.title.trim(),
                basis: f.basis.trim(),
                summary: f.summary.trim(),
                planned_on: &day(planned),
                consultation_id: consultation,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/major-decisions/{}", d.id)).into_response())
}

/// A step as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    started_on: String,
    #[serde(default)]
    finished_on: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    materials_on: String,
    #[serde(default)]
    documents: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    adoption: String,
    #[serde(default)]
    seen: i64,
}

async fn desk_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    failed: Option<(String, StepForm)>,
) -> Result<Response, AppError> {
    let d = state.store.decisions().get(id).await?;
    permit(s.staff(), Action::ViewUnitDesk, d.unit_id)?;
    let st = s.staff();
    let ctx = minijinja::context! {
        v => decision_ctx(state, &d).await?,
        kinds => StepKind::ALL.iter().map(|k| (k.code(), k.label())).collect::<Vec<_>>(),
        outcomes => [Outcome::Done, Outcome::NotApplicable, Outcome::Passed, Outcome::Failed].iter().map(|o| (o.code(), o.label())).collect::<Vec<_>>(),
        can_manage => allowed(st.role, st.unit_id, Action::ManageDecisions, d.unit_id),
        f => ser(&failed.as_ref().map(|(_, f)| f.clone()).unwrap_or_default()),
        error => failed.as_ref().map(|(e, _)| e.clone()),
    };
    Ok(crate::forms::invalid_if(
        failed.is_some(),
        render(
            state,
            headers,
            "admin/decision.html",
            &d.title,
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/major-decisions/{id}`: the decision, its steps and the form for the next one.
pub async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    desk_page(&state, &headers, &s, id, None).await
}

/// `POST /admin/major-decisions/{id}/steps`: records a step after the domain's checks; a step
/// out of order or failing a gate is refused with the reason and nothing stored.
pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let store = state.store.decisions();
    let d = store.get(id).await?;
    permit(s.staff(), Action::ManageDecisions, d.unit_id)?;
    let steps = store.steps(id).await?;
    let done: Vec<(StepKind, Outcome)> = steps
        .iter()
        .filter_map(|s| {
            Some((
                StepKind::from_code(&s.step)?,
                Outcome::from_code(&s.outcome)?,
            ))
        })
        .collect();
    let input = match (
        StepKind::from_code(&f.step),
        parse_day(&f.started_on),
        parse_day(&f.finished_on),
        Outcome::from_code(&f.outcome),
    ) {
        (Some(kind), Some(started_on), Some(finished_on), Some(outcome)) => Ok(StepInput {
            kind,
            started_on,
            finished_on,
            outcome,
            materials_on: parse_day(&f.materials_on),
            documents: f.documents.trim().into(),
            note: f.note.trim().into(),
            adoption: f.adoption.trim().into(),
        }),
        (None, ..) => Err("请选择步骤".to_string()),
        (_, None, ..) | (_, _, None, _) => {
            Err("请按“2026-12-01”的格式填写开始和结束日期".to_string())
        }
        (.., None) => Err("请选择结果".to_string()),
    };
    let cal = state.store.calendar().await?;
    let mut checked = input.and_then(|i| check_step(&cal, &done, &i, today()).map(|()| i));
    if let Ok(i) = &checked
        && let Some(found) = crate::pages::scan_for_publication(
            &state,
            &[
                ("材料", &i.documents),
                ("说明", &i.note),
                ("采纳情况", &i.adoption),
            ],
        )
        .await?
    {
        checked = Err(found);
    }
    let i = match checked {
        Ok(i) => i,
        Err(e) => return desk_page(&state, &headers, &s, id, Some((e, f))).await,
    };
    let mut after = done.clone();
    after.push((i.kind, i.outcome));
    // checked against the steps read now; written only if no step was recorded meanwhile,
    // and only if the form was filled in on the steps it was checked against
    let seen = i64::try_from(steps.len()).unwrap_or(i64::MAX);
    if f.seen != seen {
        let e = "该决策在您填写期间登记了其他步骤，请核对后重新提交".to_string();
        return desk_page(&state, &headers, &s, id, Some((e, f))).await;
    }
    let stored = store
        .record_step(
            &s.actor(),
            id,
            seen,
            &DecisionStep {
                step: i.kind.code().into(),
                started_on: day(i.started_on),
                finished_on: day(i.finished_on),
                outcome: i.outcome.code().into(),
                materials_on: i.materials_on.map(day),
                documents: i.documents,
                note: i.note,
                adoption: i.adoption,
                recorded_by: s.staff().username.clone(),
            },
            &standing(&after),
        )
        .await;
    match stored {
        Ok(_) => Ok(Redirect::to(&format!("/admin/major-decisions/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(m)) => {
            desk_page(&state, &headers, &s, id, Some((m, f))).await
        }
        Err(e) => Err(e.into()),
    }
}
