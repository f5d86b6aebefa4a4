//! Disclosure applications (依申请公开), the public side: the online application form (no
//! account, no JavaScript) and following an application by its tracking number and query code.
//! Reading and the clock are `domain::application`; storage is `store.applications()`.

use crate::AppState;
use crate::auth::{ClientIp, Lookup, random_token, token_hash};
use crate::error::AppError;
use crate::pages::render;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use gongkai_domain::application::{ApplicantType, Channel, DELIVERIES, FORMS, ReceiptFacts};
use gongkai_domain::disclosure::FieldError;
use serde::{Deserialize, Serialize};

pub mod annual;
mod api;
pub(crate) mod handling;
pub(crate) mod letters;

/// The module's pages.
pub fn routes(limits: &crate::BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/apply", get(form_page).post(submit).layer(limits.upload()))
        .route("/apply/track", get(track))
        .route("/apply/register", get(register_page))
        .route(
            "/admin/applications/{id}/register",
            post(handling::register_action),
        )
        .route("/admin/applications/{id}/to-item", post(handling::to_item))
        .route("/admin/applications", get(handling::supervision))
        .route("/admin/units/{id}/applications", get(handling::unit_list))
        .route(
            "/admin/units/{id}/applications/new",
            get(handling::register_form).post(handling::register),
        )
        .route("/admin/applications/{id}", get(handling::desk))
        .route("/admin/applications/{id}/step", post(handling::step))
        .route("/admin/applications/{id}/assign", post(handling::assign))
        .route("/admin/applications/{id}/remedies", post(handling::remedy))
        .route(
            "/admin/applications/{id}/files",
            post(handling::upload).layer(limits.upload()),
        )
        .route("/admin/application-files/{id}", get(handling::download))
        .route(
            "/admin/applications/{id}/letters/{kind}",
            get(letters::download),
        )
        .route("/apply/track/letters/{kind}", get(letters::public_download))
        .route(
            "/admin/units/{id}/annual-report",
            get(annual::page).post(annual::save),
        )
        .route(
            "/admin/units/{id}/annual-report/publish",
            post(annual::publish),
        )
        .route(
            "/admin/letter-templates",
            get(letters::templates_page).post(letters::save_template),
        )
}

/// The module's routes in the JSON API (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/applications", post(api::submit))
        .route("/applications/{id}", get(api::get_one))
        .route("/applications/{id}/steps", post(api::step))
        .route("/units/{id}/applications", post(api::register))
        .route("/units/{id}/annual-report", get(api::annual_report))
}

/// Today in Beijing.
pub(crate) fn today() -> chrono::NaiveDate {
    gongkai_domain::calendar::beijing_date(chrono::Utc::now())
}

fn ser<T: Serialize>(v: &T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(v))
}

/// Reads a record to be released to an applicant and scans it for personal data (not the
/// applicant's own: `own` lists their identity number, phone and e-mail). Returns what was
/// found, each in words; a record that cannot be read is a finding, never clean.
pub(crate) async fn scan_release(
    state: &AppState,
    name: &str,
    bytes: &[u8],
    own: &[&str],
) -> Result<Vec<String>, AppError> {
    let content_type =
        crate::disclosure::items::content_type_of(name, bytes).map_err(AppError::BadRequest)?;
    let (sandbox, limits, file) = (
        state.config.sandbox.clone(),
        state.config.extract_limits,
        bytes.to_vec(),
    );
    let read = state
        .cpu
        .run(move || sandbox.read(content_type, &file, &limits))
        .await?;
    let text = match read {
        Ok(crate::sandbox::Reading::Text(t)) => t,
        Ok(crate::sandbox::Reading::Unreadable(reason)) => {
            return Ok(vec![format!("{name} 未能检查：{reason}")]);
        }
        Err(e) => return Err(AppError::BadRequest(e.chinese())),
    };
    let scanner = gongkai_domain::scan::Scanner::new::<&str>(&[]);
    Ok(scanner
        .scan(&text)
        .into_iter()
        .filter(|f| {
            let found: String = text[f.start..f.end]
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '@' || *c == '.')
                .collect();
            !own.iter()
                .any(|o| !o.is_empty() && found.eq_ignore_ascii_case(o))
        })
        .map(|f| {
            format!(
                "第{}行第{}列 {}（{}）",
                f.line,
                f.column,
                f.kind.label(),
                f.masked
            )
        })
        .collect())
}

use handling::ApplicationForm as ApplyForm;

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
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    crate::forms::PublicForm(up): crate::forms::PublicForm,
) -> Result<Response, AppError> {
    let f: ApplyForm =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&up.fields).unwrap_or_default())
            .map_err(|e| AppError::BadRequest(format!("表单内容无效（{e}）")))?;
    // an optional scan of the identity document: an image or PDF, kept private
    let scan = match up.file("id_scan") {
        None => Ok(None),
        Some(file) => identity_scan(&state, &file.file_name, &file.bytes).await,
    };
    let read = f.read();
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
    let scan = match scan {
        Ok(s) => s,
        Err(message) => {
            errors.push(FieldError {
                field: "id_scan",
                message,
            });
            None
        }
    };
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
    let facts = ReceiptFacts {
        confirmed: Some(today()),
        ..ReceiptFacts::default()
    };
    let (a, repeated, code) = match handling::receive(
        &state,
        &gongkai_store::Actor::system("public"),
        unit.id,
        &input,
        &handling::Arrival {
            channel: Channel::Online,
            facts,
            submission_key: token_hash(&f.request_key),
            client_addr: &ip,
            identity: scan,
        },
    )
    .await
    {
        Ok(r) => r,
        Err(errors) => {
            let limited = errors.iter().any(|e| e.field == handling::RATE_LIMITED);
            let mut resp = form_render(&state, &headers, &f, &errors).await?;
            if limited {
                *resp.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            }
            return Ok(resp);
        }
    };
    let received = gongkai_store::applications::Received {
        application: a,
        repeated,
    };
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
        match lookup(&state, &ip, &q.no, &q.code).await? {
            Lookup::Found(a) => Some(a),
            Lookup::NotFound => None,
            Lookup::Throttled(wait) => {
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
        }
    } else {
        None
    };
    let (events, letters) = match &found {
        Some(a) => {
            let events = state.store.applications().events(a.id).await?;
            let letters: Vec<_> = letters::available(a, &events)
                .into_iter()
                .filter(|(k, _)| {
                    letters::KINDS
                        .iter()
                        .any(|(code, _, to_applicant)| code == k && *to_applicant)
                        && (*k != "answer" || a.state == "closed")
                })
                .collect();
            (events, letters)
        }
        None => (Vec::new(), Vec::new()),
    };
    let ctx = minijinja::context! {
        no => q.no.trim(), code => q.code.trim(), asked, found => found.as_ref().map(|a| minijinja::context! {
            tracking_no => &a.tracking_no, received_on => &a.received_on, receipt_note => &a.receipt_note,
            content => &a.content,
            state => gongkai_domain::application::handling::State::from_code(&a.state).map_or("办理中", |s| s.label()),
            due_on => &a.due_on, due_steps => a.due_note.lines().map(str::to_string).collect::<Vec<_>>(), closed_on => &a.closed_on,
            outcome => gongkai_domain::application::Outcome::from_code(&a.outcome).filter(|_| a.state == "closed").map(|o| o.label()),
        }),
        // the applicant sees what happened and when, not the unit's internal notes
        events => events.iter().filter(|e| !matches!(e.kind.as_str(), "note" | "assigned" | "drafted" | "approved" | "sent_back" | "consultation_sent" | "consultation_ended")).map(|e| minijinja::context! {
            on_date => &e.on_date, what => gongkai_domain::application::handling::Step::kind_label(&e.kind),
        }).collect::<Vec<_>>(),
        letters,
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

/// Checks and stores a scan of an identity document sent with an application: PNG, JPEG or
/// PDF (recognised from the bytes, not the name), at most `[applications] max_scan_mb`.
/// Returns (file name, MIME type, size, hash), or what is wrong.
async fn identity_scan(
    state: &AppState,
    name: &str,
    bytes: &[u8],
) -> Result<Option<(String, &'static str, i64, String)>, String> {
    let limit = state.config.applications.max_scan_mb << 20;
    if bytes.len() > limit {
        return Err(format!(
            "身份证件扫描件不超过{}MB",
            state.config.applications.max_scan_mb
        ));
    }
    let name = crate::forms::safe_file_name(name, "证件扫描件");
    let wrong = || {
        "身份证件扫描件须为 PNG、JPEG 图片或 PDF 文件（所选文件不是这几种格式，或已损坏）"
            .to_string()
    };
    let content_type =
        crate::disclosure::items::content_type_of(&name, bytes).map_err(|_| wrong())?;
    if !matches!(content_type, "image/png" | "image/jpeg" | "application/pdf") {
        return Err(wrong());
    }
    let hash = crate::disclosure::items::store_file(&state.files, bytes)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some((name, content_type, bytes.len() as i64, hash)))
}

/// `?unit=&before=` of the public register.
#[derive(Deserialize, Default)]
pub struct RegisterQuery {
    #[serde(default)]
    unit: String,
    before: Option<i64>,
}

/// `GET /apply/register`: the public register of answered applications the units chose to
/// publish — what was asked and the answer, with personal data masked and no applicant's name
/// — newest first, 20 a page.
pub async fn register_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let unit = units.iter().find(|u| u.code == q.unit.trim());
    let list = state
        .store
        .applications()
        .register(unit.map(|u| u.id), q.before, 21)
        .await?;
    let more = list.len() > 20;
    let list = &list[..list.len().min(20)];
    let name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map_or(String::new(), |u| u.name.clone())
    };
    let rows: Vec<_> = list
        .iter()
        .map(|e| {
            minijinja::context! {
                tracking_no => &e.tracking_no, unit => name(e.unit_id), received_on => &e.received_on,
                closed_on => &e.closed_on, content => &e.register_content, answer => &e.register_answer,
                outcome => gongkai_domain::application::Outcome::from_code(&e.outcome).map(|o| o.label()),
            }
        })
        .collect();
    let ctx = minijinja::context! {
        rows, unit_code => unit.map(|u| u.code.clone()), unit_name => unit.map(|u| u.name.clone()),
        next => more.then(|| list.last().map(|e| e.id)).flatten(),
        units => units.iter().map(|u| (u.code.clone(), u.name.clone())).collect::<Vec<_>>(),
        column => minijinja::context! { name => "依申请公开目录", description => "已答复的政府信息公开申请", keywords => "依申请公开,答复", kind => "互动交流" },
    };
    Ok(render(
        &state,
        &headers,
        "applications/register.html",
        "依申请公开目录",
        ctx,
        None,
    ))
}

/// The name failed lookups are counted under (with the address) for throttling.
const LOOKUP: &str = "lookup:application";

/// Finds an application by its number and query code, for the applicant
/// ([`crate::auth::lookup_by_code`]: constant-time, throttled).
pub(crate) async fn lookup(
    state: &AppState,
    ip: &str,
    no: &str,
    code: &str,
) -> Result<Lookup<gongkai_store::applications::Application>, AppError> {
    let find = async { Ok(state.store.applications().by_tracking_no(no.trim()).await?) };
    crate::auth::lookup_by_code(state, ip, LOOKUP, code, find).await
}
