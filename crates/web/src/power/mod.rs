//! The power list and online operation over HTTP: the public power list with flowcharts
//! (`items`), cases opened online, at a window or ex officio and looked up by the public
//! (`cases`), the double-publicity list (`cases::publicity`), and e-supervision dashboards
//! (`supervision`). `routes()` is this module's whole router.

mod cases;
mod items;
pub mod reminders;
mod supervision;

pub use supervision::run_scan;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};

/// Every route of the module.
pub fn routes() -> Router<AppState> {
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
        .route(
            "/admin/units/{id}/powers",
            get(items::unit_list).post(items::create),
        )
        .route("/admin/units/{id}/powers/new", get(items::new_page))
        .route("/admin/units/{id}/powers.xlsx", get(items::export))
        .route("/admin/units/{id}/powers/import", post(items::import))
        .route("/admin/powers/{id}", get(items::desk))
        .route("/admin/powers/{id}/edit", post(items::edit))
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
            "/admin/decisions/{id}/withdraw",
            post(cases::withdraw_decision),
        )
        .route("/admin/supervision", get(supervision::dashboard))
        .route("/admin/supervision/scan", post(supervision::scan))
        .route("/admin/supervision/reform", get(supervision::reform))
}

/// Today in Beijing.
pub(crate) fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
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
