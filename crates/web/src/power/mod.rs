//! The power list and online operation over HTTP: the public power list with flowcharts
//! (`items`), cases opened online, at a window or ex officio and looked up by the public
//! (`cases`), the double-publicity list (`cases::publicity`), and e-supervision dashboards
//! (`supervision`). `routes()` is this module's whole router.

mod api;
mod cases;
pub(crate) mod items;
pub use gongkai_work::reminders;
mod supervision;

pub use supervision::run_scan;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};

/// Every route of the module.
pub fn routes(limits: &crate::BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/powers", get(items::public_list))
        .route("/powers/{code}", get(items::public_page))
        .route(
            "/powers/{code}/apply",
            get(cases::apply_page).post(cases::apply),
        )
        .route("/cases", get(cases::lookup))
        .route("/double-publicity", get(cases::double_publicity_list))
        .route("/double-publicity.csv", get(cases::double_publicity_csv))
        .route("/double-publicity.xlsx", get(cases::double_publicity_xlsx))
        .route(
            "/admin/units/{id}/powers",
            get(items::unit_list)
                .post(items::create)
                .layer(limits.text()),
        )
        .route("/admin/units/{id}/powers/new", get(items::new_page))
        .route("/admin/units/{id}/powers.xlsx", get(items::export))
        .route(
            "/admin/units/{id}/powers/import",
            post(items::import).layer(limits.upload()),
        )
        .route("/admin/powers/{id}", get(items::desk))
        .route(
            "/admin/powers/{id}/edit",
            post(items::edit).layer(limits.text()),
        )
        .route("/admin/powers/{id}/submit", post(items::submit))
        .route("/admin/powers/{id}/review", post(items::review))
        .route("/admin/powers/{id}/revise", post(items::revise))
        .route("/admin/powers/{id}/retire", post(items::retire))
        .route("/admin/power-reviews", get(items::review_desk))
        .route(
            "/admin/units/{id}/cases",
            get(cases::unit_cases).post(cases::open_at_window),
        )
        .route("/admin/cases/{id}", get(cases::desk))
        .route("/admin/cases/{id}/move", post(cases::move_case))
        .route("/admin/cases/{id}/suspend", post(cases::suspend))
        .route("/admin/cases/{id}/resume", post(cases::resume))
        .route(
            "/admin/cases/{id}/documents",
            post(cases::upload_document).layer(limits.upload()),
        )
        .route("/admin/case-documents/{id}", get(cases::download_document))
        .route(
            "/admin/decisions/{id}/withdraw",
            post(cases::withdraw_decision),
        )
        .route("/admin/supervision", get(supervision::dashboard))
        .route("/admin/supervision/scan", post(supervision::scan))
        .route("/admin/supervision/reform", get(supervision::reform))
}

/// The module's public pages as rendered for anonymous visitors: valid for `[power]
/// public_cache_secs` (so another server's change shows within that time), and dropped at once
/// when this server publishes, retires, decides or withdraws.
pub struct PublicCache {
    pages: crate::cache::PageCache,
    writes: std::sync::atomic::AtomicU64,
    ttl_secs: u64,
}

/// After a change to the power list's public pages: this server's cache is dropped at once,
/// and the other servers on the database are told (they drop theirs on the notification).
pub(crate) async fn changed(state: &AppState) {
    state.power_cache.bump();
    if let Err(e) = state.store.announce_change().await {
        tracing::warn!(error = %e, "change not announced to the other servers");
    }
}

impl PublicCache {
    /// A cache whose pages live `ttl_secs` (0: no caching).
    pub fn new(ttl_secs: u64) -> PublicCache {
        PublicCache {
            pages: crate::cache::PageCache::new(4096),
            writes: std::sync::atomic::AtomicU64::new(0),
            ttl_secs,
        }
    }

    fn generation(&self) -> u64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        (now / self.ttl_secs.max(1)) << 20
            | (self.writes.load(std::sync::atomic::Ordering::Relaxed) & 0xF_FFFF)
    }

    /// Drops every page (after a change made by this server).
    pub fn bump(&self) {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The page for `key`, if fresh.
    fn get(&self, key: &str) -> Option<axum::body::Bytes> {
        (self.ttl_secs > 0)
            .then(|| self.pages.get(key, self.generation()))
            .flatten()
    }

    fn put(&self, key: String, html: axum::body::Bytes) {
        if self.ttl_secs > 0 {
            self.pages.put(key, self.generation(), html);
        }
    }
}

/// Serves an anonymous visitor's public page from the cache, or renders it with `render` and
/// keeps it; logged-in staff always get a fresh page showing who they are.
pub(crate) async fn public_page<F, Fut>(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    uri: &axum::http::Uri,
    session: Option<&gongkai_store::auth::Session>,
    render: F,
) -> Result<axum::response::Response, crate::error::AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<
            Output = Result<(String, minijinja::Value, String), crate::error::AppError>,
        >,
{
    let key = session
        .is_none()
        .then(|| format!("{uri}|{:?}", crate::pages::prefs_key(headers)));
    if let Some(html) = key.as_deref().and_then(|k| state.power_cache.get(k)) {
        return Ok(html_response(html));
    }
    let (template, ctx, title) = render().await?;
    let html: axum::body::Bytes =
        crate::pages::render_string(state, headers, &template, &title, ctx, session)?.into();
    if let Some(key) = key {
        state.power_cache.put(key, html.clone());
    }
    Ok(html_response(html))
}

fn html_response(html: axum::body::Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}

/// The module's routes in the JSON API (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/powers", get(api::list))
        .route("/powers/{code}", get(api::item))
        .route("/double-publicity", get(api::double_publicity))
        .route("/cases/{case_no}", get(api::case))
}

/// Today in Beijing.
pub(crate) fn today() -> NaiveDate {
    gongkai_domain::calendar::beijing_date(Utc::now())
}

/// A date as stored.
pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Parses a stored date.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn ser<T: serde::Serialize>(v: &T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(v))
}
