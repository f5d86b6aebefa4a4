//! Disclosure applications (依申请公开), the public side: the online application form (no
//! account, no JavaScript) and following an application by its tracking number and query code.
//! Reading and the clock are `domain::application`; storage is `store.applications()`.

use crate::AppState;
use crate::auth::{ClientIp, constant_time_eq, query_code, random_token, token_hash};
use crate::error::AppError;
use crate::pages::render;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use gongkai_domain::application::{
    ApplicantType, ApplicationFields, Channel, DELIVERIES, DueState, FORMS, ReceiptFacts,
    read_application, read_clock, receipt_date,
};
use gongkai_domain::disclosure::FieldError;
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/apply", get(form_page).post(submit))
        .route("/apply/track", get(track))
}

/// The application form's fields; `request_key` (hidden, one per form shown) makes a form sent
/// twice one application.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ApplyForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    applicant_type: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_document: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    delivery: String,
    #[serde(default)]
    request_key: String,
}

async fn form_render(
    state: &AppState,
    headers: &HeaderMap,
    f: &ApplyForm,
    errors: &[FieldError],
) -> Result<Response, AppError> {
    let units: Vec<minijinja::Value> = crate::pages::tree_order(&state.store.list_units().await?)
        .into_iter()
        .map(|(depth, u)| minijinja::context! { depth, code => &u.code, name => &u.name, selected => u.code == f.unit })
        .collect();
    let ctx = minijinja::context! {
        units, f => minijinja::Value::from(minijinja::value::Serde(f)),
        errors => minijinja::Value::from(minijinja::value::Serde(errors)),
        types => ApplicantType::ALL.iter().map(|t| minijinja::context! { code => t.code(), label => t.label() }).collect::<Vec<_>>(),
        forms => FORMS.iter().map(|(c, l)| minijinja::context! { code => *c, label => *l }).collect::<Vec<_>>(),
        deliveries => DELIVERIES.iter().map(|(c, l)| minijinja::context! { code => *c, label => *l }).collect::<Vec<_>>(),
        column => minijinja::context! { name => "依申请公开", description => "政府信息公开申请", keywords => "依申请公开,政府信息公开申请", kind => "互动交流" },
    };
    let resp = render(
        state,
        headers,
        "applications/apply.html",
        "政府信息公开申请",
        ctx,
        None,
    );
    Ok(crate::forms::invalid_if(!errors.is_empty(), resp))
}

/// `GET /apply`: the online application form.
pub async fn form_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let f = ApplyForm {
        request_key: random_token(),
        form: "electronic".into(),
        delivery: "email".into(),
        ..ApplyForm::default()
    };
    form_render(&state, &headers, &f, &[]).await
}

/// `POST /apply`: receives an application; the applicant gets its tracking number and a query
/// code (shown once). Online, the date of receipt is the day both sides confirm it: today, when
/// the system confirms at once (条例第三十一条).
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ApplyForm>,
) -> Result<Response, AppError> {
    let read = read_application(&ApplicationFields {
        applicant_type: &f.applicant_type,
        name: &f.name,
        id_document: &f.id_document,
        phone: &f.phone,
        email: &f.email,
        address: &f.address,
        content: &f.content,
        purpose: &f.purpose,
        form: &f.form,
        delivery: &f.delivery,
    });
    let unit = state.store.find_unit_by_code(f.unit.trim()).await?;
    let mut errors = read.as_ref().err().cloned().unwrap_or_default();
    if unit.is_none() {
        errors.insert(
            0,
            FieldError {
                field: "unit",
                message: "请选择受理申请的机关".into(),
            },
        );
    }
    if f.request_key.len() < 16 {
        errors.push(FieldError {
            field: "request_key",
            message: "表单已失效，请刷新页面后重新填写提交".into(),
        });
    }
    let (Some(unit), Ok(input), true) = (unit, read, errors.is_empty()) else {
        let f = ApplyForm {
            request_key: if f.request_key.len() < 16 {
                random_token()
            } else {
                f.request_key.clone()
            },
            ..f
        };
        return form_render(&state, &headers, &f, &errors).await;
    };
    let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
    let (received_on, note) = receipt_date(
        Channel::Online,
        &ReceiptFacts {
            confirmed: Some(today),
            ..ReceiptFacts::default()
        },
    )
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let code = query_code();
    let received_on = received_on.to_string();
    let received = state
        .store
        .applications()
        .receive(
            &gongkai_store::Actor::system("public"),
            &gongkai_store::applications::NewApplication {
                unit_id: unit.id,
                input: &input,
                channel: "online",
                received_on: &received_on,
                receipt_note: &note,
                secret_hash: &token_hash(&code),
                submission_key: &token_hash(&f.request_key),
            },
        )
        .await?;
    let a = &received.application;
    let ctx = minijinja::context! {
        tracking_no => &a.tracking_no, code => (!received.repeated).then_some(code),
        unit_name => &unit.name, received_on => &a.received_on, receipt_note => &a.receipt_note,
        column => minijinja::context! { name => "依申请公开", description => "政府信息公开申请", keywords => "依申请公开", kind => "互动交流" },
    };
    Ok(render(
        &state,
        &headers,
        "applications/submitted.html",
        "申请已提交",
        ctx,
        None,
    ))
}

/// `?no=&code=`.
#[derive(Deserialize, Default)]
pub struct TrackQuery {
    #[serde(default)]
    no: String,
    #[serde(default)]
    code: String,
}

/// `GET /apply/track`: an application's state and due date, for whoever holds its number and
/// query code. A wrong number and a wrong code get the same answer (the code is compared as a
/// hash, in constant time).
pub async fn track(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<TrackQuery>,
) -> Result<Response, AppError> {
    let asked = !q.no.trim().is_empty() || !q.code.trim().is_empty();
    let found = if asked {
        // guessing codes is throttled like guessing passwords: after ten failed lookups from
        // one address each further one waits, longer each time
        let attempt = state.store.begin_login_attempt(LOOKUP, &ip).await?;
        let wait = crate::auth::throttle_wait(
            &state,
            attempt,
            LOOKUP,
            &ip,
            10,
            state.config.login.max_failures_per_ip,
        )
        .await?;
        if wait > 0 {
            state.store.finish_login_attempt(attempt, None).await?;
            let ctx = minijinja::context! {
                no => q.no.trim(), throttled => wait,
                column => minijinja::context! { name => "申请查询", description => "政府信息公开申请办理进度查询", keywords => "依申请公开,查询", kind => "互动交流" },
            };
            let mut resp = render(
                &state,
                &headers,
                "applications/track.html",
                "申请查询",
                ctx,
                None,
            );
            *resp.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            return Ok(resp);
        }
        let found = match state
            .store
            .applications()
            .by_tracking_no(q.no.trim())
            .await?
        {
            Some((a, hash))
                if constant_time_eq(hash.as_bytes(), token_hash(q.code.trim()).as_bytes()) =>
            {
                Some(a)
            }
            _ => None,
        };
        state
            .store
            .finish_login_attempt(attempt, Some(found.is_some()))
            .await?;
        found
    } else {
        None
    };
    let due = match &found {
        Some(a) => {
            let cal = state.store.calendar().await?;
            let received = chrono::NaiveDate::parse_from_str(&a.received_on, "%Y-%m-%d")
                .map_err(|e| AppError::Internal(e.to_string()))?;
            match read_clock(&cal, received, &[], 15) {
                Ok(r) => match r.state {
                    DueState::Due(d) => Some((d.to_string(), r.steps)),
                    _ => None,
                },
                Err(e) => Some((String::new(), vec![e.to_string()])),
            }
        }
        None => None,
    };
    let ctx = minijinja::context! {
        no => q.no.trim(), asked, found => found.as_ref().map(|a| minijinja::context! {
            tracking_no => &a.tracking_no, received_on => &a.received_on, receipt_note => &a.receipt_note,
            state => match a.state.as_str() { "received" => "已收到，正在办理", other => other },
        }),
        due => due.as_ref().map(|(d, steps)| minijinja::context! { date => d, steps => steps }),
        column => minijinja::context! { name => "申请查询", description => "政府信息公开申请办理进度查询", keywords => "依申请公开,查询", kind => "互动交流" },
    };
    let mut resp = render(
        &state,
        &headers,
        "applications/track.html",
        "申请查询",
        ctx,
        None,
    );
    if asked && found.is_none() {
        *resp.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(resp)
}

/// The name failed lookups are counted under (with the address) for throttling.
const LOOKUP: &str = "lookup:application";
