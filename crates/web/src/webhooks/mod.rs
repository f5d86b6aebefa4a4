//! Back office for webhooks: the subscriptions (openness office and administrators), their
//! delivery log with every attempt, and the manual retry of a failed delivery.

use crate::AppState;
use crate::auth::StaffSession;
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::forms::Paging;
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::Action;
use gongkai_domain::webhook::{Event, WebhookInput, parse_events};
use serde::{Deserialize, Serialize};

const PAGE_SIZE: i64 = 20;

fn ser<T: Serialize>(v: &T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(v))
}

fn require(s: &StaffSession) -> Result<(), AppError> {
    crate::auth::permit(s.staff(), Action::ManageWebhooks, s.staff().unit_id)
}

/// The domain's checks, then the URL as the sender will read it: parsed by the HTTP client's
/// own parser, its host checked again (so the two parsers cannot disagree about where a
/// delivery goes).
fn validate(input: &WebhookInput, allow: &[gongkai_domain::net::Net]) -> Result<(), Vec<String>> {
    let mut errors = gongkai_domain::webhook::validate(input, allow)
        .err()
        .unwrap_or_default();
    if errors.iter().all(|e| !e.contains("地址")) {
        match input.url.trim().parse::<ureq::http::Uri>() {
            Err(_) => errors.push("地址格式无效".to_string()),
            Ok(uri) => match uri.host() {
                None => errors.push("地址缺少主机名".to_string()),
                Some(host) => {
                    if let Err(e) = gongkai_domain::net::check_host(host, allow) {
                        errors.push(e);
                    }
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
/// The subscription form. Each event is a checkbox of its own (`published`, `revised`,
/// `withdrawn`), so the form needs no repeated fields.
#[derive(Deserialize, Default, Clone, Serialize)]
pub struct WebhookForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    revised: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    /// `on` when the box is ticked (edit form only).
    #[serde(default)]
    active: Option<String>,
}

/// The form field of each event.
fn field(e: Event) -> &'static str {
    match e {
        Event::ItemPublished => "published",
        Event::ItemRevised => "revised",
        Event::ItemWithdrawn => "withdrawn",
    }
}

impl WebhookForm {
    fn input(&self) -> WebhookInput {
        let ticked = |e: Event| match e {
            Event::ItemPublished => self.published.is_some(),
            Event::ItemRevised => self.revised.is_some(),
            Event::ItemWithdrawn => self.withdrawn.is_some(),
        };
        WebhookInput {
            name: self.name.trim().to_string(),
            url: self.url.trim().to_string(),
            events: Event::ALL.into_iter().filter(|e| ticked(*e)).collect(),
        }
    }

    fn of(hook: &gongkai_store::webhooks::Webhook) -> WebhookForm {
        let events = parse_events(&hook.events);
        let on = |e: Event| events.contains(&e).then(|| "on".to_string());
        WebhookForm {
            name: hook.name.clone(),
            url: hook.url.clone(),
            published: on(Event::ItemPublished),
            revised: on(Event::ItemRevised),
            withdrawn: on(Event::ItemWithdrawn),
            active: (hook.active == 1).then(|| "on".to_string()),
        }
    }
}

#[derive(Serialize)]
struct EventView {
    field: &'static str,
    code: &'static str,
    label: &'static str,
}

fn event_views() -> Vec<EventView> {
    Event::ALL
        .into_iter()
        .map(|e| EventView {
            field: field(e),
            code: e.code(),
            label: e.label(),
        })
        .collect()
}

fn labels(stored: &str) -> String {
    parse_events(stored)
        .into_iter()
        .map(Event::label)
        .collect::<Vec<_>>()
        .join("、")
}

/// Paging and flash.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<i64>,
    ok: Option<String>,
}

/// `GET /admin/webhooks`: the subscriptions and their counts, and the form for a new one.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    require(&s)?;
    list_render(
        &state,
        &headers,
        &s,
        &WebhookForm::default(),
        &[],
        q.ok.as_deref(),
    )
    .await
}

async fn list_render(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    form: &WebhookForm,
    errors: &[String],
    ok: Option<&str>,
) -> Result<Response, AppError> {
    let hooks = state.store.webhooks().list_webhooks().await?;
    let stats = state.store.webhooks().webhook_stats().await?;
    let rows: Vec<minijinja::Value> = hooks
        .iter()
        .map(|h| {
            let st = stats.iter().find(|x| x.id == h.id);
            minijinja::context! {
                id => h.id,
                name => h.name.clone(),
                url => h.url.clone(),
                events => labels(&h.events),
                active => h.active == 1,
                pending => st.map_or(0, |x| x.pending),
                delivered => st.map_or(0, |x| x.delivered),
                failed => st.map_or(0, |x| x.failed),
            }
        })
        .collect();
    let ctx = minijinja::context! {
        hooks => rows,
        form => ser(form),
        events => ser(&event_views()),
        errors => ser(&errors),
        flash => match ok {
            Some("created") => Some("推送接口已创建"),
            _ => None,
        },
    };
    Ok(render(
        state,
        headers,
        "admin/webhooks.html",
        "推送接口",
        ctx,
        Some(&s.session),
    ))
}

fn new_secret() -> String {
    hex::encode(crate::auth::random_bytes(24))
}

/// `POST /admin/webhooks`: creates a subscription with a fresh signing secret (audited).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<WebhookForm>,
) -> Result<Response, AppError> {
    require(&s)?;
    let input = f.input();
    if let Err(errors) = validate(&input, &state.config.webhooks.allow_networks) {
        return list_render(&state, &headers, &s, &f, &errors, None).await;
    }
    let id = state
        .store
        .webhooks()
        .create_webhook(
            &s.actor(),
            &input.name,
            &input.url,
            &input.events,
            &new_secret(),
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}?ok=created")).into_response())
}

/// `GET /admin/webhooks/{id}`: one subscription, its secret, and its delivery log.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    require(&s)?;
    let hook = state.store.webhooks().get_webhook(id).await?;
    let form = WebhookForm::of(&hook);
    show_render(
        &state,
        &headers,
        &s,
        &hook,
        &form,
        &[],
        q.page.unwrap_or(1),
        q.ok.as_deref(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn show_render(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    hook: &gongkai_store::webhooks::Webhook,
    form: &WebhookForm,
    errors: &[String],
    page: i64,
    ok: Option<&str>,
) -> Result<Response, AppError> {
    let id = hook.id;
    let paging = Paging::new(Some(page), PAGE_SIZE);
    let (jobs, total) = state
        .store
        .webhooks()
        .webhook_jobs(id, paging.limit(), paging.offset())
        .await?;
    let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
    let attempts = state.store.jobs().job_attempts(&ids).await?;
    let rows: Vec<minijinja::Value> = jobs
        .iter()
        .map(|j| {
            let mine: Vec<_> = attempts.iter().filter(|a| a.job_id == j.id).collect();
            minijinja::context! {
                id => j.id,
                key => j.job_key.clone(),
                event => Event::from_code(&j.event).map_or_else(|| j.event.clone(), |e| e.label().to_string()),
                state => state_label(&j.state),
                state_code => j.state.clone(),
                attempts => ser(&mine),
                run_after => j.run_after.clone(),
                created_at => j.created_at.clone(),
                retryable => j.state == "failed" || j.state == "cancelled",
            }
        })
        .collect();
    let ctx = minijinja::context! {
        hook => minijinja::context! { id => hook.id, secret => hook.secret.clone(), created_by => hook.created_by.clone(), created_at => hook.created_at.clone() },
        form => ser(form),
        events => ser(&event_views()),
        errors => ser(&errors),
        jobs => rows,
        page => paging.page,
        pages => paging.pages(total),
        total => total,
        flash => match ok {
            Some("created") => Some("推送接口已创建。接收方可用下面的签名密钥校验每次推送。"),
            Some("saved") => Some("已保存"),
            Some("retry") => Some("已重新排队，稍后发送"),
            _ => None,
        },
    };
    Ok(render(
        state,
        headers,
        "admin/webhook.html",
        &format!("推送接口：{}", hook.name),
        ctx,
        Some(&s.session),
    ))
}

fn state_label(code: &str) -> &'static str {
    match code {
        "queued" => "等待发送",
        "running" => "发送中",
        "delivered" => "已送达",
        "failed" => "发送失败",
        "cancelled" => "已取消",
        _ => "未知",
    }
}

/// `POST /admin/webhooks/{id}`: changes a subscription (audited).
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<WebhookForm>,
) -> Result<Response, AppError> {
    require(&s)?;
    let hook = state.store.webhooks().get_webhook(id).await?;
    let input = f.input();
    if let Err(errors) = validate(&input, &state.config.webhooks.allow_networks) {
        return show_render(&state, &headers, &s, &hook, &f, &errors, 1, None).await;
    }
    state
        .store
        .webhooks()
        .update_webhook(
            &s.actor(),
            id,
            &input.name,
            &input.url,
            &input.events,
            f.active.is_some(),
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}?ok=saved")).into_response())
}

/// `POST /admin/jobs/{id}/retry`: sends a failed delivery again (audited).
pub async fn retry(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    require(&s)?;
    let job = state.store.jobs().get_job(id).await?;
    if job.state != "failed" && job.state != "cancelled" {
        return Err(AppError::BadRequest(
            "只有发送失败或已取消的推送可以重发".into(),
        ));
    }
    state.store.jobs().retry_job(&s.actor(), id).await?;
    state.deliverer.wake();
    let hook = job.webhook_id.unwrap_or(0);
    Ok(Redirect::to(&format!("/admin/webhooks/{hook}?ok=retry")).into_response())
}

/// The module's pages: subscriptions, their delivery log, and retrying a job.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/webhooks", get(list).post(create))
        .route("/admin/webhooks/{id}", get(show).post(update))
        .route("/admin/jobs/{id}/retry", post(retry))
}
