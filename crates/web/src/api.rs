//! The JSON API under `/api/v1`, described by `openapi.json` (served at `/api/v1/openapi.json`).
//! Errors are `{"error": {"code", "message"}}` with the matching HTTP status.

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::calendar::{CalendarError, Coverage};
use serde::Deserialize;
use serde_json::{Value, json};

/// The OpenAPI document of this API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Fallback for unknown API paths.
pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

/// `GET /api/v1/units`: every unit (public information).
pub async fn units(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let units = state.store.list_units().await?;
    Ok(Json(json!({ "units": units })))
}

fn parse_date(s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError(AppError::BadRequest(format!(
            "日期“{s}”格式错误，应为 YYYY-MM-DD"
        )))
    })
}

fn calendar_error(e: CalendarError) -> ApiError {
    ApiError(AppError::BadRequest(e.to_string()))
}

/// Query of `/calendar/days`.
#[derive(Deserialize)]
pub struct DaysQuery {
    dates: String,
    #[serde(default)]
    assume_weekends: bool,
}

fn coverage(assume: bool) -> Coverage {
    if assume {
        Coverage::AssumeWeekends
    } else {
        Coverage::Strict
    }
}

/// `GET /api/v1/calendar/days?dates=2026-10-01,2026-10-10`.
pub async fn calendar_days(
    State(state): State<AppState>,
    q: Result<Query<DaysQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|_| {
        ApiError(AppError::BadRequest(
            "缺少参数 dates（YYYY-MM-DD，逗号分隔）".into(),
        ))
    })?;
    let cal = state.store.calendar().await?;
    let mut days = Vec::new();
    for d in q
        .dates
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .take(366)
    {
        let info = cal
            .day(parse_date(d)?, coverage(q.assume_weekends))
            .map_err(calendar_error)?;
        days.push(json!({ "date": info.date, "workday": info.workday, "reason": info.reason_text(), "assumed": info.assumed }));
    }
    Ok(Json(json!({ "days": days })))
}

/// Query of `/calendar/add`.
#[derive(Deserialize)]
pub struct AddQuery {
    date: String,
    n: String,
    #[serde(default)]
    assume_weekends: bool,
}

/// `GET /api/v1/calendar/add?date=2026-09-30&n=20`: the n-th working day after the date.
pub async fn calendar_add(
    State(state): State<AppState>,
    q: Result<Query<AddQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|_| ApiError(AppError::BadRequest("缺少参数 date 或 n".into())))?;
    let start = parse_date(&q.date)?;
    let n: u32 = q.n.trim().parse().map_err(|_| {
        ApiError(AppError::BadRequest(format!(
            "工作日数“{}”应为0到3650之间的整数",
            q.n
        )))
    })?;
    if n > 3650 {
        return Err(ApiError(AppError::BadRequest(
            "工作日数不能超过3650".into(),
        )));
    }
    let cal = state.store.calendar().await?;
    let (end, steps) = cal
        .explain_add(start, n, coverage(q.assume_weekends))
        .map_err(calendar_error)?;
    Ok(Json(
        json!({ "start": start, "n": n, "result": end, "assumed": steps.iter().any(|s| s.assumed) }),
    ))
}

/// `GET /api/v1/me`: the calling account.
pub async fn me(ApiCaller(staff): ApiCaller) -> Json<Value> {
    Json(json!({ "staff": staff }))
}

fn require(staff: &gongkai_store::org::Staff, action: Action, unit: i64) -> Result<(), ApiError> {
    if allowed(staff.role, staff.unit_id, action, unit) {
        Ok(())
    } else {
        Err(ApiError(AppError::Forbidden("无权访问该单位的数据".into())))
    }
}

/// `GET /api/v1/units/{id}/staff`.
pub async fn unit_staff(
    State(state): State<AppState>,
    ApiCaller(staff): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    require(&staff, Action::ViewUnitStaff, id)?;
    state.store.get_unit(id).await?;
    Ok(Json(json!({ "staff": state.store.list_staff(id).await? })))
}

/// Paging query.
#[derive(Deserialize)]
pub struct Page {
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default)]
    offset: i64,
}

fn default_limit() -> i64 {
    50
}

/// `GET /api/v1/units/{id}/audit`.
pub async fn unit_audit(
    State(state): State<AppState>,
    ApiCaller(staff): ApiCaller,
    Path(id): Path<i64>,
    Query(p): Query<Page>,
) -> Result<Json<Value>, ApiError> {
    require(&staff, Action::ViewAudit, id)?;
    state.store.get_unit(id).await?;
    let limit = p.limit.clamp(1, 500);
    let entries: Vec<Value> = state
        .store
        .list_audit(Some(id), limit, p.offset.max(0))
        .await?
        .into_iter()
        .map(|e| json!({ "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity, "entity_id": e.entity_id, "detail": e.detail, "hash": e.hash }))
        .collect();
    Ok(Json(
        json!({ "total": state.store.count_audit(Some(id)).await?, "entries": entries }),
    ))
}
