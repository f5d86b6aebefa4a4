//! HTTP for gongkai: the public portal, the staff back office, the JSON API under `/api/v1`,
//! authentication, CSRF protection, metrics and health.
//!
//! [`app`] builds the whole router from an [`AppState`]; tests drive it with
//! `tower::ServiceExt::oneshot`, the binary serves it on a socket. Handlers stay thin: they
//! extract, ask [`gongkai_domain::access::allowed`], call the store, and render a template or
//! JSON. No SQL here, and no HTML outside the templates.

mod api;
pub mod applications;
pub mod auth;
mod cache;
pub mod config;
mod consultations;
pub mod cpu;
mod decisions;
mod demo_sites;
pub mod disclosure;
mod error;
pub mod evaluation;
mod feeds;
pub mod finance;
pub mod forms;
mod inspections;
mod messages;
mod metrics;
mod org;
mod oversight;
mod pages;
pub mod plans;
pub mod power;
mod ratings;
mod reports;
mod search;
mod standards;
mod templates;
mod training;
mod webhooks;
pub mod work;

pub use config::{
    ApplicationsConfig, LoginConfig, MessagesConfig, OversightConfig, PowerConfig, RatingsConfig,
    SiteConfig, WebConfig,
};
pub use error::AppError;
pub use gongkai_work::webhooks::WebhookConfig;
/// Work shared with the CLI, re-exported under the names the web modules use.
pub use gongkai_work::{indexing, mail, sandbox, webhooks as jobs};
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
    /// Whole public responses for anonymous visitors ([`cache::public_pages`]).
    pub responses: cache::ResponseCache,
    /// Totals of public lists per record generation.
    pub counts: cache::CountCache,
    /// Anchors of deep pages of public lists per record generation.
    pub anchors: cache::AnchorCache,
    /// This server's webhook delivery worker (spawned by the binary; woken after publications).
    pub deliverer: Arc<jobs::Deliverer>,
    /// This server's alert-reminder mail worker (spawned by the binary; woken after scans).
    pub reminders: Arc<power::reminders::Reminders>,
    /// This server's website-inspection worker (spawned by the binary; woken when queued).
    pub inspector: Arc<gongkai_work::inspecting::Inspector>,
    /// The power module's public pages for anonymous visitors.
    pub power_cache: power::PublicCache,
    /// The bounded pool for CPU-heavy work and searches.
    pub cpu: cpu::Cpu,
    /// Where file bytes are stored (the data directory, or the database every server reads).
    pub files: gongkai_work::files::FileStore,
    /// This server's name among several on one database (host and process): lease holder and
    /// job worker.
    pub server_id: String,
    /// When this server's search index last caught up with the outbox (Unix seconds; 0:
    /// never): `/readyz` answers 503 when it is too long ago.
    pub synced_at: std::sync::atomic::AtomicI64,
    /// Set when the server is stopping: `/readyz` answers 503 so that proxies stop sending.
    pub draining: std::sync::atomic::AtomicBool,
    /// Woken by other servers' change notifications: the index sync runs at once.
    pub changed: tokio::sync::Notify,
    /// Whether this server holds the lease of the once-per-cluster periodic work.
    pub leader: tokio::sync::watch::Sender<bool>,
    templates: templates::Templates,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// One page of a public list (the site, a unit, a category and those below it) and the
    /// list's total, counted once per record generation.
    pub(crate) async fn public_page(
        &self,
        unit_id: Option<i64>,
        category_id: Option<i64>,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<gongkai_store::disclosure::ItemSummary>), AppError> {
        let generation = self.indexer.generation();
        let key = (unit_id.unwrap_or(-1), category_id.unwrap_or(-1));
        let total = match self.counts.get(key, generation) {
            Some(n) => n,
            None => {
                let n = self
                    .store
                    .disclosure()
                    .count_published(unit_id, category_id)
                    .await?;
                self.counts.put(key, generation, n);
                n
            }
        };
        let step = cache::ANCHOR_STEP;
        let block = offset / step;
        let page = if offset >= total {
            Vec::new()
        } else if block == 0 {
            self.store
                .disclosure()
                .page_published(unit_id, category_id, limit, offset)
                .await?
        } else {
            // deep: start from the anchor before the page, found (or laid down) once per
            // generation, instead of skipping every row before it
            let wanted = block as usize - 1;
            let found = self.anchors.lookup(key, generation, wanted);
            let after = match found.wanted {
                Some(a) => Some(a),
                None => {
                    let more = self
                        .store
                        .disclosure()
                        .public_anchors(
                            unit_id,
                            category_id,
                            found.last.as_ref(),
                            (block - found.known as i64) * step,
                            step,
                        )
                        .await?;
                    let a = more.get(wanted - found.known).cloned();
                    self.anchors.extend(key, generation, found.known, more);
                    a
                }
            };
            match after {
                Some(after) => {
                    self.store
                        .disclosure()
                        .page_published_after(
                            unit_id,
                            category_id,
                            &after,
                            limit,
                            offset - block * step,
                        )
                        .await?
                }
                // the list is shorter than the count said (changed meanwhile): read it plainly
                None => {
                    self.store
                        .disclosure()
                        .page_published(unit_id, category_id, limit, offset)
                        .await?
                }
            }
        };
        Ok((total, page))
    }

    /// A unit's public items per category (each its own, not its sub-categories'), counted
    /// once per record generation.
    pub(crate) async fn category_counts(&self, unit_id: i64) -> Result<Vec<(i64, i64)>, AppError> {
        let generation = self.indexer.generation();
        if let Some(c) = self.counts.categories(unit_id, generation) {
            return Ok(c);
        }
        let c = self.store.disclosure().published_counts(unit_id).await?;
        self.counts.put_categories(unit_id, generation, c.clone());
        Ok(c)
    }

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
        let inspector = gongkai_work::inspecting::Inspector::new(
            &worker,
            config.inspection.clone(),
            gongkai_work::inspect::Options {
                read_files: Some(config.sandbox.clone()),
                ..Default::default()
            },
        );
        let power_cache = power::PublicCache::new(config.power.public_cache_secs);
        let responses = cache::ResponseCache::new(
            64 * 1024 * 1024,
            std::time::Duration::from_secs(config.page_cache_secs),
        );
        let files = gongkai_work::files::FileStore::new(
            config.file_store,
            &store,
            config.files_dir.clone(),
        );
        Ok(AppState(Arc::new(Inner {
            files,
            server_id: worker,
            synced_at: std::sync::atomic::AtomicI64::new(0),
            draining: std::sync::atomic::AtomicBool::new(false),
            changed: tokio::sync::Notify::new(),
            leader: tokio::sync::watch::Sender::new(false),
            deliverer,
            reminders,
            inspector,
            power_cache,
            store,
            config,
            metrics: Metrics::default(),
            indexer,
            responses,
            counts: cache::CountCache::default(),
            anchors: cache::AnchorCache::default(),
            cpu: cpu::Cpu::default(),
            templates,
        })))
    }
}

impl AppState {
    /// Notes that the search index has just caught up with the outbox.
    pub fn mark_synced(&self) {
        self.synced_at.store(
            chrono::Utc::now().timestamp(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

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

    /// Every sheet of an uploaded XLSX (name and grid), read like [`AppState::read_sheet`].
    pub(crate) async fn read_sheets(
        &self,
        bytes: &[u8],
    ) -> Result<Result<Vec<(String, Vec<Vec<String>>)>, gongkai_extract::ExtractError>, AppError>
    {
        let (file, limits) = (bytes.to_vec(), self.config.extract_limits);
        self.cpu
            .run(move || gongkai_extract::sheet::read_sheets_with(&file, &limits))
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
    let limits = BodyLimits {
        upload_bytes: state.config.max_attachment_bytes + 1024 * 1024,
    };
    let api = Router::new()
        .route("/openapi.json", get(api::openapi))
        .route("/units", get(api::units))
        .route("/catalog", get(api::catalog))
        .route("/items", get(api::items))
        .route("/items/{index_no}", get(api::item))
        .route(
            "/units/{id}/items",
            axum::routing::post(api::create_item).layer(limits.text()),
        )
        .route("/items/{index_no}/{step}", axum::routing::post(api::step))
        .route("/search", get(search::api))
        .route("/calendar/days", get(api::calendar_days))
        .route("/calendar/add", get(api::calendar_add))
        .route("/me", get(api::me))
        .route("/units/{id}/staff", get(api::unit_staff))
        .route("/units/{id}/audit", get(api::unit_audit))
        .merge(power::api_routes())
        .merge(applications::api_routes())
        .merge(finance::api_routes())
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn(error::api_json_errors));
    // The site's own pages; each module brings its routes (one line per module).
    Router::new()
        .route("/", get(pages::home))
        .route("/units", get(pages::units))
        .route("/sitemap", get(pages::site_map))
        .route("/contact", get(pages::contact))
        .route("/privacy", get(pages::privacy))
        .route("/prefs", get(pages::prefs))
        .route("/healthz", get(pages::healthz))
        .route("/healthz/ready", get(pages::ready))
        .route("/metrics", get(metrics::render))
        .route("/static/{*path}", get(pages::static_file))
        .route("/feeds/atom.xml", get(feeds::site))
        .route("/units/{code}/atom.xml", get(feeds::unit))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/sitemaps/{name}", get(feeds::sitemap_file))
        .route("/robots.txt", get(feeds::robots))
        .route("/search", get(search::page))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .merge(org::routes())
        .merge(disclosure::routes(&limits))
        .merge(standards::routes(&limits))
        .merge(webhooks::routes())
        .merge(reports::routes())
        .merge(power::routes(&limits))
        .merge(applications::routes(&limits))
        .merge(messages::routes(&limits))
        .merge(ratings::routes())
        .merge(consultations::routes(&limits))
        .merge(decisions::routes())
        .merge(plans::routes(&limits))
        .merge(oversight::routes(&limits))
        .merge(evaluation::routes())
        .merge(inspections::routes())
        .merge(training::routes())
        .merge(demo_sites::routes())
        .merge(finance::routes(&limits))
        .nest("/api/v1", api)
        .layer(axum::extract::DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::public_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// The body limits routes raise above [`FORM_BODY_LIMIT`]: long texts and file uploads.
pub struct BodyLimits {
    upload_bytes: usize,
}

impl BodyLimits {
    /// For routes that take long texts (item bodies, word lists): [`TEXT_BODY_LIMIT`].
    pub fn text(&self) -> axum::extract::DefaultBodyLimit {
        axum::extract::DefaultBodyLimit::max(TEXT_BODY_LIMIT)
    }

    /// For routes that take files: the attachment limit and room for the form around it.
    pub fn upload(&self) -> axum::extract::DefaultBodyLimit {
        axum::extract::DefaultBodyLimit::max(self.upload_bytes)
    }
}
