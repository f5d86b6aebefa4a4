//! Messages to the government (政民互动), the public side: writing one (no account, no
//! JavaScript; at most `[messages] per_address_per_hour` from one address) and following it by
//! its tracking number and query code (compared as digests, throttled). Reading and limits are
//! `domain::message`; storage is `store.messages()`.

mod handling;

use crate::AppState;
use crate::auth::{ClientIp, Lookup, query_code, random_token, token_hash};
use crate::error::AppError;
use crate::pages::{day, render, ser, today};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use gongkai_domain::application::handling::watch_days;
use gongkai_domain::disclosure::FieldError;
use gongkai_domain::message::{
    MessageFields, MessageKind, NEAR_DUPLICATE, RouteRule, due_date, parse_keywords, read_message,
    route, similarity, veto_from,
};
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes(limits: &crate::BodyLimits) -> Router<AppState> {
    Router::new()
        .route(
            "/messages/new",
            get(form_page).post(submit).layer(limits.upload()),
        )
        .route("/admin/message-files/{id}", get(handling::download))
        .route("/messages/track", get(track))
        .route("/messages", get(public_list))
        .route("/messages/{id}", get(public_one))
        .route("/admin/units/{id}/messages", get(handling::unit_list))
        .route("/admin/messages/{id}", get(handling::desk))
        .route(
            "/admin/messages/{id}/step",
            axum::routing::post(handling::step),
        )
        .route(
            "/admin/message-routes",
            get(handling::routes_list).post(handling::routes_save),
        )
}

/// Attachments a message may carry.
const MAX_FILES: usize = 3;

/// The kinds of attachment accepted (checked from the bytes).
const ATTACHMENT_TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

fn column() -> minijinja::Value {
    minijinja::context! { name => "政民互动", description => "咨询、投诉、建议和领导信箱", keywords => "政民互动,留言,咨询,投诉,建议,领导信箱", kind => "互动交流" }
}

/// The message form; `request_key` (hidden, one per form shown) makes a form sent twice one
/// message.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct MessageForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    publish: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    request_key: String,
}

async fn form_render(
    state: &AppState,
    headers: &HeaderMap,
    f: &MessageForm,
    errors: &[FieldError],
    status: StatusCode,
) -> Result<Response, AppError> {
    let units: Vec<minijinja::Value> = crate::pages::tree_order(&state.store.list_units().await?)
        .into_iter()
        .map(|(depth, u)| minijinja::context! { depth, code => &u.code, name => &u.name, selected => u.code == f.unit })
        .collect();
    let limits = state.config.messages.limits();
    let ctx = minijinja::context! {
        units, f => minijinja::Value::from(minijinja::value::Serde(f)),
        errors => minijinja::Value::from(minijinja::value::Serde(errors)),
        topics => state.store.messages().routes().await?.into_iter().filter(|r| r.active == 1).map(|r| r.topic).collect::<Vec<_>>(),
        kinds => MessageKind::ALL.iter().map(|k| minijinja::context! { code => k.code(), label => k.label(), days => limits.of(*k) }).collect::<Vec<_>>(),
        column => column(),
    };
    let mut resp = render(state, headers, "messages/new.html", "我要留言", ctx, None);
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /messages/new`: the message form.
pub async fn form_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let f = MessageForm {
        request_key: random_token(),
        kind: "consultation".into(),
        ..MessageForm::default()
    };
    form_render(&state, &headers, &f, &[], StatusCode::OK).await
}

/// `POST /messages/new`: receives a message, routed to the unit chosen; the writer gets its
/// tracking number and a query code (shown once) and the day it is due.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    crate::forms::PublicForm(up): crate::forms::PublicForm,
) -> Result<Response, AppError> {
    let f: MessageForm =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&up.fields).unwrap_or_default())
            .map_err(|e| AppError::BadRequest(format!("表单内容无效（{e}）")))?;
    let read = read_message(&MessageFields {
        kind: &f.kind,
        name: &f.name,
        phone: &f.phone,
        email: &f.email,
        subject: &f.subject,
        body: &f.body,
        publish: &f.publish,
    });
    let unit = state.store.find_unit_by_code(f.unit.trim()).await?;
    let mut errors = read.as_ref().err().cloned().unwrap_or_default();
    if unit.is_none() {
        errors.insert(
            0,
            FieldError {
                field: "unit",
                message: "请选择留言的单位".into(),
            },
        );
    }
    if f.request_key.len() < 16 {
        errors.push(FieldError {
            field: "request_key",
            message: "表单已失效，请刷新页面后重新填写提交".into(),
        });
    }
    // optional attachments: at most three photos or documents, kept private to the unit
    let sent: Vec<&crate::forms::UploadedFile> = up
        .files
        .iter()
        .filter(|u| u.field == "attachment" && !u.bytes.is_empty())
        .collect();
    let mut attachments: Vec<(String, &'static str, &[u8])> = Vec::new();
    if sent.len() > MAX_FILES {
        errors.push(FieldError {
            field: "attachment",
            message: format!("附件最多{MAX_FILES}个"),
        });
    }
    for u in sent.iter().take(MAX_FILES) {
        let name: String = u
            .file_name
            .chars()
            .filter(|c| !c.is_control() && !"/\\".contains(*c))
            .take(100)
            .collect();
        match gongkai_extract::content_type_of(&name, &u.bytes) {
            Ok(t) if ATTACHMENT_TYPES.contains(&t) => attachments.push((
                if name.is_empty() {
                    "附件".into()
                } else {
                    name
                },
                t,
                &u.bytes,
            )),
            _ => errors.push(FieldError {
                field: "attachment",
                message: format!(
                    "附件“{name}”须为图片（PNG、JPEG）、PDF、Word（DOCX）或 Excel（XLSX）文件"
                ),
            }),
        }
    }
    let retry = |f: &MessageForm| MessageForm {
        request_key: if f.request_key.len() < 16 {
            random_token()
        } else {
            f.request_key.clone()
        },
        ..f.clone()
    };
    let (Some(unit), Ok(input), true) = (unit, read, errors.is_empty()) else {
        return form_render(
            &state,
            &headers,
            &retry(&f),
            &errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let messages = state.store.messages();
    let key = token_hash(&f.request_key);
    let since = (chrono::Utc::now() - chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if messages.count_from_address(&ip, &since).await?
        >= i64::from(state.config.messages.per_address_per_hour)
    {
        state.metrics.count_abuse("rate_limited");
        let errors = [FieldError {
            field: "rate_limit",
            message: format!(
                "同一网络地址每小时最多留言{}条，请稍后再试",
                state.config.messages.per_address_per_hour
            ),
        }];
        return form_render(
            &state,
            &headers,
            &retry(&f),
            &errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    // a message to the district goes where the office's rules send it (else the office routes it)
    let rules: Vec<RouteRule> = messages
        .routes()
        .await?
        .into_iter()
        .filter(|r| r.active == 1)
        .map(|r| RouteRule {
            topic: r.topic,
            keywords: parse_keywords(&r.keywords),
            unit_id: r.unit_id,
        })
        .collect();
    let topic = f.topic.trim();
    if !topic.is_empty() && !rules.iter().any(|r| r.topic == topic) {
        let errors = [FieldError {
            field: "topic",
            message: "请从列出的事项类别中选择，或不选".into(),
        }];
        return form_render(
            &state,
            &headers,
            &retry(&f),
            &errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let (unit_id, topic, routed_by) = if unit.parent_id.is_none() {
        match route(&rules, topic, &format!("{}\n{}", input.subject, input.body)) {
            Some((u, t)) => (u, t.to_string(), t.to_string()),
            None => (unit.id, topic.to_string(), String::new()),
        }
    } else {
        (unit.id, topic.to_string(), String::new())
    };
    let unit = state.store.get_unit(unit_id).await?;
    // the same writer (address or phone) sending nearly the same text again
    let window = chrono::Utc::now()
        - chrono::Duration::days(i64::from(state.config.messages.duplicate_window_days));
    let text = format!("{}\n{}", input.subject, input.body);
    let duplicate_of = messages
        .recent_from_writer(
            &ip,
            &input.phone,
            &window.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
        .await?
        .into_iter()
        .find(|(_, subj, body)| similarity(&format!("{subj}\n{body}"), &text) >= NEAR_DUPLICATE)
        .map(|(no, _, _)| no)
        .unwrap_or_default();
    if !duplicate_of.is_empty() {
        state.metrics.count_abuse("near_duplicate");
    }
    let cal = state.store.calendar().await?;
    let received = today();
    let (due, why) = due_date(&cal, input.kind, received, &state.config.messages.limits())
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (soon, red) = watch_days(&cal, due, state.config.messages.due_soon_workdays, received)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut stored = Vec::with_capacity(attachments.len());
    for (name, content_type, bytes) in &attachments {
        let hash = crate::disclosure::items::store_file(&state.files, bytes).await?;
        stored.push((name.clone(), *content_type, bytes.len() as i64, hash));
    }
    let files: Vec<gongkai_store::messages::NewMessageFile<'_>> = stored
        .iter()
        .map(
            |(name, t, size, hash)| gongkai_store::messages::NewMessageFile {
                filename: name,
                content_type: t,
                size: *size,
                sha256: hash,
            },
        )
        .collect();
    let code = query_code();
    let (m, repeated) = messages
        .receive(
            &gongkai_store::Actor::system("public"),
            &gongkai_store::messages::NewMessage {
                unit_id: unit.id,
                input: &input,
                received_on: &day(received),
                due: (&day(due), &why),
                veto_on: &day(veto_from(received)),
                secret_hash: &token_hash(&code),
                submission_key: &key,
                client_addr: &ip,
                duplicate_of: &duplicate_of,
                topic: &topic,
                watch: (&day(soon), &day(red)),
                routed_by: &routed_by,
                files: &files,
            },
        )
        .await?;
    let ctx = minijinja::context! {
        tracking_no => &m.tracking_no, code => (!repeated).then_some(code), unit_name => &unit.name,
        kind => MessageKind::from_code(&m.kind).map(MessageKind::label), due_on => &m.due_on, due_note => &m.due_note,
        column => column(),
    };
    Ok(render(
        &state,
        &headers,
        "messages/submitted.html",
        "留言已提交",
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

/// The name failed lookups are counted under (with the address) for throttling.
const LOOKUP: &str = "lookup:message";

/// `GET /messages/track`: a message's state and due date, for whoever holds its number and
/// query code (a wrong number and a wrong code get one answer; throttled like sign-ins).
pub async fn track(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<TrackQuery>,
) -> Result<Response, AppError> {
    let asked = !q.no.trim().is_empty() || !q.code.trim().is_empty();
    let (mut throttled, mut found) = (0, None);
    if asked {
        let find = async { Ok(state.store.messages().by_tracking_no(q.no.trim()).await?) };
        match crate::auth::lookup_by_code(&state, &ip, LOOKUP, &q.code, find).await? {
            Lookup::Found(m) => found = Some(m),
            Lookup::NotFound => {}
            Lookup::Throttled(wait) => throttled = wait,
        }
    }
    let ctx = minijinja::context! {
        no => q.no.trim(), asked, throttled,
        found => found.as_ref().map(|m| minijinja::context! {
            tracking_no => &m.tracking_no, subject => &m.subject,
            kind => MessageKind::from_code(&m.kind).map(MessageKind::label),
            received_on => &m.received_on, due_on => &m.due_on, due_note => &m.due_note,
            state => gongkai_domain::message::State::from_code(&m.state).map_or("办理中", |s| match s {
                gongkai_domain::message::State::Answered => "已答复",
                gongkai_domain::message::State::MoreInfo => "请补充情况（见下方说明，可重新留言补充）",
                gongkai_domain::message::State::Abusive => "不予处理",
                _ => "办理中",
            }),
            answer => m.answered_on.as_ref().map(|_| &m.answer), answered_on => &m.answered_on,
            published => m.published_at.is_some(), id => m.id,
        }),
        column => column(),
    };
    let mut resp = render(
        &state,
        &headers,
        "messages/track.html",
        "留言查询",
        ctx,
        None,
    );
    if throttled > 0 {
        *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    } else if asked && found.is_none() {
        *resp.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(resp)
}

/// `?unit=&before=` of the public list.
#[derive(Deserialize, Default)]
pub struct PublicQuery {
    #[serde(default)]
    unit: String,
    before: Option<i64>,
}

/// `GET /messages`: published exchanges, newest first, 20 a page (keyset), of all units or one,
/// and per unit the messages received and answered, the average and the longest answer time
/// (read from the per-unit figures, one row per unit).
pub async fn public_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PublicQuery>,
) -> Result<Response, AppError> {
    let messages = state.store.messages();
    // the figures carry each unit's code and name: two statements in all
    let stats = messages.unit_stats().await?;
    let unit = match q.unit.trim() {
        "" => None,
        code => match stats.iter().find(|s| s.code == code) {
            Some(s) => Some((s.unit_id, s.code.clone(), s.name.clone())),
            None => {
                let u = state
                    .store
                    .find_unit_by_code(code)
                    .await?
                    .ok_or(AppError::NotFound)?;
                Some((u.id, u.code, u.name))
            }
        },
    };
    let list = messages
        .published(unit.as_ref().map(|u| u.0), q.before, 21)
        .await?;
    let more = list.len() > 20;
    let list = &list[..list.len().min(20)];
    let name = |id: i64| {
        stats
            .iter()
            .find(|s| s.unit_id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let figures: Vec<_> = stats
        .iter()
        .filter(|s| s.received > 0 || s.answered > 0)
        .map(|s| minijinja::context! {
            name => &s.name, code => &s.code,
            received => s.received, answered => s.answered, published => s.published,
            average => (s.answered > 0).then(|| format!("{:.1}", s.total_workdays as f64 / s.answered as f64)),
            longest => (s.answered > 0).then_some(s.longest_workdays),
        })
        .collect();
    let ctx = minijinja::context! {
        rows => list.iter().map(|m| minijinja::context! {
            id => m.id, subject => &m.public_subject, unit => name(m.unit_id),
            kind => MessageKind::from_code(&m.kind).map(MessageKind::label), topic => &m.topic,
            received_on => &m.received_on, answered_on => &m.answered_on, workdays => m.answer_workdays,
        }).collect::<Vec<_>>(),
        stats => figures, unit => unit.as_ref().map(|u| minijinja::context! { code => &u.1, name => &u.2 }),
        next => more.then(|| list.last().map(|m| m.id)).flatten(),
        column => column(),
    };
    Ok(render(
        &state,
        &headers,
        "messages/list.html",
        &unit.as_ref().map_or("政民互动".to_string(), |u| {
            format!("{} · 政民互动", u.2)
        }),
        ctx,
        None,
    ))
}

/// `GET /messages/{id}`: one published exchange (masked), with the unit's answer.
pub async fn public_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, AppError> {
    let m = state.store.messages().published_one(id).await?;
    let unit = state.store.get_unit(m.unit_id).await?;
    let ctx = minijinja::context! {
        m => minijinja::context! {
            tracking_no => &m.tracking_no, name => &m.public_name, subject => &m.public_subject,
            body => &m.public_body, answer => &m.public_answer,
            kind => MessageKind::from_code(&m.kind).map(MessageKind::label), topic => &m.topic,
            received_on => &m.received_on, answered_on => &m.answered_on, workdays => m.answer_workdays,
        },
        unit => minijinja::context! { code => &unit.code, name => &unit.name },
        column => column(),
    };
    Ok(render(
        &state,
        &headers,
        "messages/one.html",
        &m.public_subject,
        ctx,
        None,
    ))
}
