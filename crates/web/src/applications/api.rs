//! Disclosure applications in the JSON API: the public submits (no account, the same reading,
//! limits and receipt rule as the form); staff with a token register applications received
//! otherwise, read them and take handling steps (the same [`super::handling::take`] as the
//! desk); the annual report as JSON.

use super::handling::{self, STAFF_CHANNELS, StepForm};
use crate::AppState;
use crate::api::token_only;
use crate::auth::{ApiCaller, ClientIp, permit, token_hash};
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::application::handling::Step;
use gongkai_domain::application::{Channel, ReceiptFacts};
use gongkai_domain::disclosure::FieldError;
use gongkai_store::applications::Application;
use serde::Deserialize;
use serde_json::{Value, json};

use super::handling::ApplicationForm as ApplicationBody;

fn invalid(errors: &[FieldError]) -> (StatusCode, Json<Value>) {
    let status = if errors.iter().any(|e| e.field == handling::RATE_LIMITED) {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let message = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("；");
    (
        status,
        Json(json!({ "error": { "code": "invalid", "message": message, "fields": errors } })),
    )
}

fn json_body<T>(
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
        ApiError(AppError::BadRequest(format!(
            "请求体不是有效的JSON：{}",
            e.body_text()
        )))
    })
}

fn received_json(a: &Application, repeated: bool, code: &str) -> Value {
    json!({
        "id": a.id, "tracking_no": a.tracking_no, "repeated": repeated,
        "query_code": (!repeated).then_some(code),
        "received_on": a.received_on, "receipt_note": a.receipt_note,
        "due_on": a.due_on, "due_note": a.due_note, "duplicate_of": a.duplicate_of,
    })
}

/// `POST /api/v1/applications`: the public applies (JSON, no account). 201 with the tracking
/// number and query code (shown once); 200 when the same `request_key` was already received;
/// 422 naming every problem; 429 past the per-address limit.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<Json<ApplicationBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = json_body(body)?;
    let mut errors = b.read().err().unwrap_or_default();
    let unit = state.store.find_unit_by_code(b.unit.trim()).await?;
    if unit.is_none() {
        errors.push(FieldError {
            field: "unit",
            message: "请选择受理申请的机关（unit：单位代码）".into(),
        });
    }
    if b.request_key.trim().len() < 16 {
        errors.push(FieldError {
            field: "request_key",
            message:
                "request_key 至少16个字符（客户端为每次提交生成，重复提交同一键只生成一件申请）"
                    .into(),
        });
    }
    let (Some(unit), Ok(input), true) = (unit, b.read(), errors.is_empty()) else {
        return Ok(invalid(&errors));
    };
    let facts = ReceiptFacts {
        confirmed: Some(super::today()),
        ..ReceiptFacts::default()
    };
    match handling::receive(
        &state,
        &gongkai_store::Actor::system("public"),
        unit.id,
        &input,
        &handling::Arrival {
            channel: Channel::Online,
            facts,
            submission_key: token_hash(&format!("api:{}", b.request_key.trim())),
            client_addr: &ip,
            identity: None,
        },
    )
    .await
    {
        Ok((a, repeated, code)) => Ok((
            if repeated {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            },
            Json(received_json(&a, repeated, &code)),
        )),
        Err(errors) => Ok(invalid(&errors)),
    }
}

/// `POST /api/v1/units/{id}/applications`: staff register an application received in person,
/// by mail, fax or e-mail (`channel` and its date decide the date of receipt).
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiCaller(staff): ApiCaller,
    Path(unit_id): Path<i64>,
    body: Result<Json<ApplicationBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    token_only(&headers)?;
    permit(&staff, Action::HandleApplications, unit_id)?;
    let b = json_body(body)?;
    let mut errors = b.read().err().unwrap_or_default();
    let channel = STAFF_CHANNELS
        .iter()
        .find(|(c, _)| *c == b.channel)
        .map(|(_, ch)| *ch);
    if channel.is_none() {
        errors.push(FieldError {
            field: "channel",
            message: "channel 应为 in_person、registered_mail、ordinary_mail、fax 或 email".into(),
        });
    }
    let mut date = |field: &'static str, v: &str| {
        if v.trim().is_empty() {
            return None;
        }
        let d = chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
        if d.is_none() {
            errors.push(FieldError {
                field,
                message: format!("{field} 日期格式应为 YYYY-MM-DD"),
            });
        }
        d
    };
    let facts = ReceiptFacts {
        submitted: date("submitted", &b.submitted),
        signed_for: date("signed_for", &b.signed_for),
        confirmed: date("confirmed", &b.confirmed),
    };
    if b.request_key.trim().len() < 16 {
        errors.push(FieldError {
            field: "request_key",
            message: "request_key 至少16个字符".into(),
        });
    }
    let (Some(channel), Ok(input), true) = (channel, b.read(), errors.is_empty()) else {
        return Ok(invalid(&errors));
    };
    state.store.get_unit(unit_id).await?;
    let actor = gongkai_store::Actor::of(&staff);
    match handling::receive(
        &state,
        &actor,
        unit_id,
        &input,
        &handling::Arrival {
            channel,
            facts,
            submission_key: token_hash(&format!("api:{}", b.request_key.trim())),
            client_addr: "",
            identity: None,
        },
    )
    .await
    {
        Ok((a, repeated, code)) => Ok((
            if repeated {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            },
            Json(received_json(&a, repeated, &code)),
        )),
        Err(errors) => Ok(invalid(&errors)),
    }
}

fn application_json(a: &Application, identity: bool) -> Value {
    json!({
        "id": a.id, "unit_id": a.unit_id, "tracking_no": a.tracking_no, "state": a.state,
        "applicant_type": a.applicant_type, "name": a.name,
        "id_document": if identity { a.id_document.clone() } else { gongkai_domain::scan::mask(gongkai_domain::scan::FindingKind::IdNumber, &a.id_document) },
        "content": a.content, "channel": a.channel, "received_on": a.received_on,
        "receipt_note": a.receipt_note, "handler": a.handler, "due_on": a.due_on,
        "due_note": a.due_note, "outcome": a.outcome, "outcome_reason": a.outcome_reason,
        "outcome_pointer": a.outcome_pointer, "closed_on": a.closed_on, "late": a.late == 1,
        "fee_yuan": a.fee_yuan, "duplicate_of": a.duplicate_of,
    })
}

/// `GET /api/v1/applications/{id}`: an application with its steps (the identity document
/// whole only for those who handle the unit's applications).
pub async fn get_one(
    State(state): State<AppState>,
    ApiCaller(staff): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let apps = state.store.applications();
    let a = apps.get(id).await?;
    permit(&staff, Action::ViewUnitDesk, a.unit_id)?;
    let identity = allowed(
        staff.role,
        staff.unit_id,
        Action::HandleApplications,
        a.unit_id,
    );
    let mut v = application_json(&a, identity);
    v["events"] = json!(apps.events(id).await?);
    Ok(Json(v))
}

/// `POST /api/v1/applications/{id}/steps`: one handling step (JSON: `action` and its fields,
/// as on the desk: `request_correction`, `correction_received`, `abandon`, `consult`,
/// `consult_ended`, `extend`, `fee_notice`, `fee_paid`, `fee_unpaid`, `draft`, `approve`,
/// `send_back`, `deliver`, `note`). Answers the application after the step.
pub async fn step(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiCaller(staff): ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<StepForm>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    token_only(&headers)?;
    let a = state.store.applications().get(id).await?;
    permit(&staff, Action::HandleApplications, a.unit_id)?;
    let f = json_body(body)?;
    let step: Step = handling::step_of(&state, &a, &f).await?;
    let actor = gongkai_store::Actor::of(&staff);
    let after = handling::take(&state, &actor, &staff, &a, &step).await?;
    Ok(Json(application_json(&after, true)))
}

/// `?year=`.
#[derive(Deserialize)]
pub struct YearQuery {
    year: i32,
}

/// `GET /api/v1/units/{id}/annual-report?year=`: the unit's annual report tables (a district's
/// sums its units); 409 naming the applications when it does not balance.
pub async fn annual_report(
    State(state): State<AppState>,
    ApiCaller(staff): ApiCaller,
    Path(unit_id): Path<i64>,
    q: Result<Query<YearQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    permit(&staff, Action::ViewUnitDesk, unit_id)?;
    let Query(q) = q.map_err(|_| ApiError(AppError::BadRequest("缺少参数 year".into())))?;
    state.store.get_unit(unit_id).await?;
    match super::annual::build(&state.store, Some(unit_id), q.year).await? {
        Ok(r) => Ok(Json(json!(r))),
        Err(u) => Err(ApiError(AppError::Conflict(u.to_string()))),
    }
}
