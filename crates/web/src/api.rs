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
use gongkai_domain::access::Action;
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
    crate::auth::permit(staff, action, unit).map_err(ApiError)
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

/// A unit by code, or 404.
async fn unit_by_code(state: &AppState, code: &str) -> Result<gongkai_store::org::Unit, ApiError> {
    state
        .store
        .find_unit_by_code(code)
        .await?
        .ok_or(ApiError(AppError::NotFound))
}

/// Query of `/catalog`.
#[derive(Deserialize)]
pub struct CatalogQuery {
    unit: Option<String>,
}

/// `GET /api/v1/catalog?unit=CODE`: the standard catalog plus the unit's own categories.
pub async fn catalog(
    State(state): State<AppState>,
    Query(q): Query<CatalogQuery>,
) -> Result<Json<Value>, ApiError> {
    let unit_id = match q.unit.as_deref() {
        Some(code) => Some(unit_by_code(&state, code).await?.id),
        None => None,
    };
    Ok(Json(
        json!({ "categories": state.store.disclosure().list_categories(unit_id).await? }),
    ))
}

/// Query of `/items`.
#[derive(Deserialize)]
pub struct ItemsQuery {
    unit: Option<String>,
    category: Option<i64>,
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default)]
    offset: i64,
}

fn item_json(i: &gongkai_store::disclosure::ItemSummary) -> Value {
    json!({
        "id": i.item.id, "index_no": i.item.index_no, "title": i.revision.title, "doc_no": i.revision.doc_no,
        "unit": i.unit_name, "unit_id": i.item.unit_id, "category": i.category_name, "category_id": i.item.category_id,
        "formed_on": i.revision.formed_on, "published_at": i.item.published_at, "first_published_at": i.item.first_published_at,
        "validity": i.revision.validity, "topic": i.revision.topic, "summary": i.revision.summary, "revision": i.revision.revision,
        "withdrawn_at": i.item.withdrawn_at, "withdrawn_reason": i.item.withdrawn_reason,
    })
}

/// `GET /api/v1/items`: published items, newest first.
pub async fn items(
    State(state): State<AppState>,
    Query(q): Query<ItemsQuery>,
) -> Result<Json<Value>, ApiError> {
    let unit_id = match q.unit.as_deref() {
        Some(code) => Some(unit_by_code(&state, code).await?.id),
        None => None,
    };
    let (total, items) = state
        .store
        .disclosure()
        .list_published(unit_id, q.category, q.limit.clamp(1, 100), q.offset.max(0))
        .await?;
    Ok(Json(
        json!({ "total": total, "items": items.iter().map(item_json).collect::<Vec<_>>() }),
    ))
}

/// `GET /api/v1/items/{index_no}`: one published item with its body and attachments.
pub async fn item(
    State(state): State<AppState>,
    Path(index_no): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let item = state
        .store
        .disclosure()
        .find_item_by_index_no(&index_no)
        .await?
        .ok_or(ApiError(AppError::NotFound))?;
    let summary = match (item.published_revision, &item.withdrawn_at) {
        (Some(_), _) => state
            .store
            .disclosure()
            .summaries_of(&[item.id])
            .await?
            .pop()
            .ok_or(ApiError(AppError::NotFound))?,
        _ => return Err(ApiError(AppError::NotFound)),
    };
    let attachments: Vec<Value> = state
        .store
        .disclosure().attachments(item.id, summary.revision.revision)
        .await?
        .iter()
        .map(|(a, _)| json!({ "id": a.id, "filename": a.filename, "size": a.size, "content_type": a.content_type, "url": format!("/files/{}/{}", a.id, crate::pages::url_encode(&a.filename)) }))
        .collect();
    let mut v = item_json(&summary);
    v["body"] = json!(summary.revision.body);
    v["attachments"] = json!(attachments);
    Ok(Json(v))
}

/// The body of `POST /api/v1/units/{id}/items`.
#[derive(Deserialize)]
pub struct NewItemBody {
    category_id: i64,
    title: String,
    #[serde(default)]
    doc_no: String,
    formed_on: String,
    #[serde(default)]
    validity: Option<String>,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    summary: String,
    body: String,
}

/// Only API tokens may change state through the API (a browser session would need CSRF).
pub(crate) fn token_only(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        Ok(())
    } else {
        Err(ApiError(AppError::Forbidden(
            "写操作须使用接口令牌（Authorization: Bearer）".into(),
        )))
    }
}

/// `POST /api/v1/units/{id}/items`: creates a draft (JSON). Every field problem is reported.
pub async fn create_item(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiCaller(staff): ApiCaller,
    Path(unit_id): Path<i64>,
    body: Result<Json<NewItemBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    token_only(&headers)?;
    // Access before anything about the body: another unit's staff learn nothing from it.
    require(&staff, Action::WorkOnItems, unit_id)?;
    let Json(b) = body.map_err(|e| {
        ApiError(AppError::BadRequest(format!(
            "请求体不是有效的JSON：{}",
            e.body_text()
        )))
    })?;
    let fields = gongkai_domain::disclosure::ItemFields {
        title: &b.title,
        doc_no: &b.doc_no,
        formed_on: &b.formed_on,
        validity: b.validity.as_deref().unwrap_or(""),
        topic: &b.topic,
        summary: &b.summary,
        body: &b.body,
    };
    let read = gongkai_domain::disclosure::read_item(
        &fields,
        gongkai_domain::calendar::beijing_date(chrono::Utc::now()),
    );
    let mut errors = read.as_ref().err().cloned().unwrap_or_default();
    if !state
        .store
        .disclosure()
        .list_categories(Some(unit_id))
        .await?
        .iter()
        .any(|c| c.id == b.category_id)
    {
        errors.push(gongkai_domain::disclosure::FieldError {
            field: "category_id",
            message: "栏目不存在".into(),
        });
    }
    if !errors.is_empty() {
        let body =
            json!({ "error": { "code": "invalid", "message": "请求内容有误", "fields": errors } });
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Json(body)));
    }
    let Ok((input, validity)) = read else {
        return Err(ApiError(AppError::BadRequest("请求内容有误".into())));
    };
    let content = crate::disclosure::items::content_of(input, validity);
    let actor = gongkai_store::Actor::of(&staff);
    let item = state
        .store
        .disclosure()
        .create_item(&actor, unit_id, b.category_id, &content, None)
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "id": item.id, "index_no": item.index_no, "state": "draft" })),
    ))
}

/// The body of a workflow step.
#[derive(Deserialize, Default)]
pub struct StepBody {
    #[serde(default)]
    note: String,
    #[serde(default)]
    scheduled_at: Option<String>,
}

/// `POST /api/v1/items/{index_no}/{step}`: `submit`, `review`, `reject` or `approve`.
pub async fn step(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiCaller(staff): ApiCaller,
    Path((index_no, step)): Path<(String, String)>,
    body: Option<Json<StepBody>>,
) -> Result<Json<Value>, ApiError> {
    token_only(&headers)?;
    let item_id = state
        .store
        .disclosure()
        .find_item_by_index_no(&index_no)
        .await?
        .ok_or(ApiError(AppError::NotFound))?
        .id;
    let b = body.map(|Json(b)| b).unwrap_or_default();
    let result = match step.as_str() {
        "submit" => crate::disclosure::items::op_submit(&state, &staff, item_id)
            .await
            .map(|n| json!({ "findings": n })),
        "review" => crate::disclosure::items::op_review(&state, &staff, item_id, &b.note)
            .await
            .map(|_| json!({})),
        "reject" => crate::disclosure::items::op_reject(&state, &staff, item_id, &b.note)
            .await
            .map(|_| json!({})),
        "approve" => {
            let when = match b.scheduled_at.as_deref() {
                None | Some("") => None,
                Some(t) => Some(
                    chrono::DateTime::parse_from_rfc3339(t)
                        .map_err(|_| {
                            ApiError(AppError::BadRequest(
                                "scheduled_at 应为 RFC 3339 时间".into(),
                            ))
                        })?
                        .with_timezone(&chrono::Utc),
                ),
            };
            if when.is_some_and(|w| w <= chrono::Utc::now()) {
                return Err(ApiError(AppError::BadRequest(
                    "定时发布时间应晚于当前时间".into(),
                )));
            }
            let when = when.map(gongkai_store::time_text);
            crate::disclosure::items::op_approve(&state, &staff, item_id, &b.note, when.as_deref())
                .await
                .map(|s| json!({ "state": s.code() }))
        }
        _ => return Err(ApiError(AppError::NotFound)),
    };
    let mut v = result.map_err(|e| ApiError(e.into()))?;
    let rev = state.store.disclosure().working_revision(item_id).await?;
    v["item_id"] = json!(item_id);
    v["revision"] = json!(rev.revision);
    v["revision_state"] = json!(rev.state.code());
    Ok(Json(v))
}
