//! HTTP for gongkai: the public portal, the staff back office, the JSON API under `/api/v1`,
//! authentication, CSRF protection, metrics and health.
//!
//! [`app`] builds the whole router from an [`AppState`]; tests drive it with
//! `tower::ServiceExt::oneshot`, the binary serves it on a socket. Handlers stay thin: they
//! extract, ask [`gongkai_domain::access::allowed`], call the store, and render a template or
//! JSON. No SQL here, and no HTML outside the templates.

mod admin;
mod api;
pub mod auth;
mod cache;
pub mod config;
pub mod cpu;
mod error;
mod feeds;
pub mod forms;
pub mod indexing;
pub mod items;
pub mod jobs;
pub mod mail;
mod metrics;
mod pages;
mod portal;
pub mod power;
mod reports;
pub mod sandbox;
mod search;
mod standards;
mod templates;
mod webhooks;

pub use config::{LoginConfig, PowerConfig, SiteConfig, WebConfig};
pub use error::AppError;
pub use jobs::WebhookConfig;
pub use metrics::Metrics;

use axum::Router;
use axum::routing::{get, post};
use gongkai_store::Store;
use std::sync::Arc;

/// Shared state of the web application.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// The database.
    pub store: Store,
    /// Web configuration.
    pub config: WebConfig,
    /// Request metrics.
    pub metrics: Metrics,
    /// This server's search index.
    pub indexer: Arc<indexing::Indexer>,
    /// Rendered public pages for anonymous visitors, dropped whenever the record changes.
    pub page_cache: cache::PageCache,
    /// This server's webhook delivery worker (spawned by the binary; woken after publications).
    pub deliverer: Arc<jobs::Deliverer>,
    /// This server's alert-reminder mail worker (spawned by the binary; woken after scans).
    pub reminders: Arc<power::reminders::Reminders>,
    /// The power module's public pages for anonymous visitors.
    pub power_cache: power::PublicCache,
    /// The bounded pool for CPU-heavy work and searches.
    pub cpu: cpu::Cpu,
    templates: templates::Templates,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state; loads the templates (and the deployment's overrides, if configured).
    pub fn new(
        store: Store,
        config: WebConfig,
        indexer: Arc<indexing::Indexer>,
    ) -> Result<AppState, AppError> {
        let templates = templates::Templates::load(config.template_dir.as_deref())?;
        let worker = format!(
            "{}-{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "gongkai".into()),
            std::process::id()
        );
        let deliverer = jobs::Deliverer::new(
            &worker,
            config.webhooks.clone(),
            &format!("https://{}", config.site.domain),
        );
        let reminders = power::reminders::Reminders::new(&worker, config.power.mail.clone());
        let power_cache = power::PublicCache::new(config.power.public_cache_secs);
        Ok(AppState(Arc::new(Inner {
            deliverer,
            reminders,
            power_cache,
            store,
            config,
            metrics: Metrics::default(),
            indexer,
            page_cache: cache::PageCache::new(10_000),
            cpu: cpu::Cpu::default(),
            templates,
        })))
    }
}

impl AppState {
    /// The first sheet of an uploaded XLSX as a grid, read on the bounded CPU pool within the
    /// configured limits; the outer error is the server's, the inner one the file's.
    pub(crate) async fn read_sheet(
        &self,
        bytes: &[u8],
    ) -> Result<Result<Vec<Vec<String>>, gongkai_extract::ExtractError>, AppError> {
        let (file, limits) = (bytes.to_vec(), self.config.extract_limits);
        self.cpu
            .run(move || gongkai_extract::sheet::read_grid_with(&file, &limits))
            .await
    }
}

/// Largest body of a form or JSON request that carries no file and no document text (login,
/// workflow steps, settings): bodies beyond it are refused before a handler reads them.
pub const FORM_BODY_LIMIT: usize = 256 * 1024;
/// Largest body of a request carrying an item's text (2 MB of text, URL-encoded) or a word list.
pub const TEXT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The whole application: portal, back office, API, health and metrics.
pub fn app(state: AppState) -> Router {
    let text = || axum::extract::DefaultBodyLimit::max(TEXT_BODY_LIMIT);
    let upload =
        axum::extract::DefaultBodyLimit::max(state.config.max_attachment_bytes + 1024 * 1024);
    let api = Router::new()
        .route("/openapi.json", get(api::openapi))
        .route("/units", get(api::units))
        .route("/catalog", get(api::catalog))
        .route("/items", get(api::items))
        .route("/items/{index_no}", get(api::item))
        .route(
            "/units/{id}/items",
            axum::routing::post(api::create_item).layer(text()),
        )
        .route("/items/{index_no}/{step}", axum::routing::post(api::step))
        .route("/search", get(search::api))
        .route("/calendar/days", get(api::calendar_days))
        .route("/calendar/add", get(api::calendar_add))
        .route("/me", get(api::me))
        .route("/units/{id}/staff", get(api::unit_staff))
        .route("/units/{id}/audit", get(api::unit_audit))
        .merge(power::api_routes())
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn(error::api_json_errors));
    Router::new()
        .route("/", get(pages::home))
        .route("/units", get(pages::units))
        .route("/prefs", get(pages::prefs))
        .route("/healthz", get(pages::healthz))
        .route("/metrics", get(metrics::render))
        .route("/static/{*path}", get(pages::static_file))
        .route("/list", get(portal::latest))
        .route("/feeds/atom.xml", get(feeds::site))
        .route("/units/{code}/atom.xml", get(feeds::unit))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/robots.txt", get(feeds::robots))
        .route("/search", get(search::page))
        .route("/standards", get(standards::page))
        .route("/standards.xlsx", get(standards::export))
        .route("/units/{code}", get(portal::unit_catalog))
        .route("/units/{code}/guide", get(portal::guide))
        .route("/items/{index_no}", get(portal::item))
        .route("/files/{id}/{name}", get(portal::download))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/admin", get(admin::desk))
        .route("/admin/units", post(admin::create_unit))
        .route("/admin/units/{id}", get(admin::unit_desk))
        .route(
            "/admin/units/{id}/staff",
            get(admin::unit_staff).post(admin::create_staff),
        )
        .route("/admin/units/{id}/profile", post(admin::update_profile))
        .route("/admin/units/{id}/audit", get(admin::unit_audit))
        .route(
            "/admin/calendar",
            get(admin::calendar_page).post(admin::calendar_import),
        )
        .route("/admin/account", get(admin::account))
        .route("/admin/account/totp", post(admin::totp_enable))
        .route("/admin/account/totp/disable", post(admin::totp_disable))
        .route("/admin/account/tokens", post(admin::token_create))
        .route(
            "/admin/account/tokens/{id}/revoke",
            post(admin::token_revoke),
        )
        .route(
            "/admin/units/{id}/items",
            get(items::unit_items)
                .post(items::create_item)
                .layer(text()),
        )
        .route("/admin/units/{id}/items/new", get(items::new_item))
        .route("/admin/items/{id}", get(items::item_page))
        .route(
            "/admin/items/{id}/edit",
            post(items::edit_item).layer(text()),
        )
        .route(
            "/admin/items/{id}/attachments",
            post(items::upload).layer(upload),
        )
        .route("/admin/items/{id}/submit", post(items::submit))
        .route("/admin/items/{id}/review", post(items::review))
        .route("/admin/items/{id}/reject", post(items::reject))
        .route("/admin/items/{id}/approve", post(items::approve))
        .route("/admin/items/{id}/mask", post(items::mask))
        .route("/admin/items/{id}/revise", post(items::revise))
        .route("/admin/items/{id}/withdraw", post(items::withdraw))
        .route(
            "/admin/findings/{id}/override",
            post(items::override_finding),
        )
        .route(
            "/admin/words",
            get(items::words_page).post(items::words_save).layer(text()),
        )
        .route("/admin/units/{id}/categories", post(items::create_category))
        .route(
            "/admin/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/admin/webhooks/{id}",
            get(webhooks::show).post(webhooks::update),
        )
        .route("/admin/jobs/{id}/retry", post(webhooks::retry))
        .route("/admin/timeliness", get(reports::page))
        .route("/admin/timeliness.xlsx", get(reports::export))
        .route("/admin/standards", get(standards::admin))
        .route(
            "/admin/standards/import",
            post(standards::import).layer(upload),
        )
        .route("/admin/standards/{id}/retire", post(standards::retire))
        .merge(power::routes(upload, text()))
        .nest("/api/v1", api)
        .layer(axum::extract::DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}
