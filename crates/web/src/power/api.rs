//! The power list in the open JSON API (`/api/v1`, public, read-only): the published list, one
//! item with its flow and version history, the double-publicity list, and a case looked up by
//! number and query code.

use super::{date_text, parse_date, today};
use crate::AppState;
use crate::auth::token_hash;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use gongkai_domain::power::Category;
use gongkai_domain::power::double_publicity::DecisionKind;
use gongkai_domain::power::flow::layout;
use gongkai_store::power::ItemFilter;
use gongkai_store::power::decisions::DecisionPage;
use serde::Deserialize;
use serde_json::{Value, json};

/// `?category=&unit=&after=&limit=` of `/powers`.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    category: Option<String>,
    unit: Option<String>,
    after: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/powers`: published items, by id (keyset: `after` the last id of a page).
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let category = match q.category.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            Category::parse(c)
                .ok_or_else(|| AppError::BadRequest(format!("未知的事项类型“{c}”")))?
                .code()
                .to_string(),
        ),
    };
    let unit = match q.unit.as_deref().filter(|u| !u.is_empty()) {
        None => None,
        Some(code) => Some(
            state
                .store
                .find_unit_by_code(code)
                .await?
                .ok_or(AppError::NotFound)?
                .id,
        ),
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let items = state
        .store
        .power()
        .items(&ItemFilter {
            unit_id: unit,
            category,
            public_only: true,
            after_id: q.after,
            limit,
        })
        .await?;
    let next = (items.len() as i64 == limit)
        .then(|| items.last().map(|i| i.id))
        .flatten();
    Ok(Json(json!({ "items": items, "next_after": next })))
}

/// `GET /api/v1/powers/{code}`: the published version with its flow (and the flowchart's
/// layout), and the version history.
pub async fn item(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let power = state.store.power();
    let item = power.item_by_code(&code).await?.ok_or(AppError::NotFound)?;
    let published = item.published_version.ok_or(AppError::NotFound)?;
    let v = power.version(item.id, published).await?;
    let history: Vec<Value> = power
        .versions(item.id)
        .await?
        .into_iter()
        .filter(|v| v.published_at.is_some())
        .map(|v| json!({ "version": v.version, "state": v.state, "published_at": v.published_at }))
        .collect();
    Ok(Json(json!({
        "item": item,
        "version": published,
        "content": v.content,
        "flowchart": layout(&v.content.flow),
        "versions": history,
    })))
}

/// `?kind=&before=&limit=` of `/double-publicity`.
#[derive(Deserialize, Default)]
pub struct PublicityQuery {
    kind: Option<String>,
    before: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/double-publicity`: decisions on the public list, newest first; `before` is the
/// `next_before` of the previous page.
pub async fn double_publicity(
    State(state): State<AppState>,
    Query(q): Query<PublicityQuery>,
) -> Result<Json<Value>, ApiError> {
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(
            DecisionKind::from_code(k)
                .ok_or_else(|| {
                    AppError::BadRequest(format!("类别应为 licence 或 penalty（现为“{k}”）"))
                })?
                .code()
                .to_string(),
        ),
    };
    let before = match q.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => Some(
            b.split_once('_')
                .and_then(|(d, id)| Some((parse_date(d).map(date_text)?, id.parse().ok()?)))
                .ok_or_else(|| {
                    AppError::BadRequest(format!("before 格式应为 YYYY-MM-DD_编号（现为“{b}”）"))
                })?,
        ),
    };
    let limit = q.limit.unwrap_or(20).clamp(1, 200);
    let page = state
        .store
        .power()
        .public_decisions(&DecisionPage {
            kind,
            today: date_text(today()),
            before,
            limit,
        })
        .await?;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|d| format!("{}_{}", d.published_on, d.id)))
        .flatten();
    let decisions: Vec<Value> = page
        .iter()
        .map(|d| {
            json!({
                "kind": d.kind, "party_name": d.party_name, "party_type": d.party_type,
                "party_code": d.party_code, "doc_no": d.doc_no, "category": d.category,
                "content": d.content, "fine_fen": d.fine_fen, "decided_on": d.decided_on,
                "valid_until": d.valid_until, "authority": d.authority,
                "authority_uscc": d.authority_uscc, "published_on": d.published_on,
            })
        })
        .collect();
    Ok(Json(json!({ "decisions": decisions, "next_before": next })))
}

/// `?code=` of a case lookup.
#[derive(Deserialize, Default)]
pub struct CaseQuery {
    code: Option<String>,
}

/// `GET /api/v1/cases/{case_no}?code=`: a case's state and steps, for its applicant.
pub async fn case(
    State(state): State<AppState>,
    Path(case_no): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Result<Json<Value>, ApiError> {
    let power = state.store.power();
    let code = q.code.unwrap_or_default();
    let c = power
        .case_by_no(&case_no)
        .await?
        .filter(|c| !code.is_empty() && token_hash(code.trim()) == c.query_hash)
        .ok_or(AppError::NotFound)?;
    let events = power.case_events(c.id).await?;
    Ok(Json(json!({
        "case_no": c.case_no,
        "state": c.state,
        "step": c.step_key,
        "due_on": c.due_on,
        "suspension": c.suspension_kind,
        "opened_on": c.opened_on,
        "closed_on": c.closed_on,
        "outcome": c.outcome,
        "events": events.iter().map(|e| json!({
            "on_date": e.on_date, "kind": e.kind, "from": e.from_step, "to": e.to_step,
            "label": e.label, "due_on": e.due_on,
        })).collect::<Vec<_>>(),
    })))
}
