//! Proactive disclosure (主动公开): the back office of information items (`items`: drafting,
//! the pre-publication scan, review, approval, scheduled publication, revision, withdrawal,
//! categories and the sensitive-word list) and the public portal (`portal`: unit catalogs,
//! item pages, the guide, lists, downloads). The worked example of a web module: one folder,
//! one [`routes`] merged by `app`.

pub mod items;
pub mod list;
pub mod portal;

use crate::{AppState, BodyLimits};
use axum::Router;
use axum::routing::{get, post};

/// The module's pages: public first, then the back office.
pub fn routes(limits: &BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/list", get(portal::latest))
        .route("/units/{code}", get(portal::unit_catalog))
        .route("/units/{code}/guide", get(portal::guide))
        .route("/items/{index_no}", get(portal::item))
        .route("/files/{id}/{name}", get(portal::download))
        .route(
            "/admin/units/{id}/items",
            get(list::unit_items)
                .post(items::create_item)
                .layer(limits.text()),
        )
        .route("/admin/units/{id}/items/bulk", post(list::bulk))
        .route("/admin/units/{id}/items/new", get(items::new_item))
        .route("/admin/items/{id}", get(items::item_page))
        .route("/admin/attachments/{id}", get(items::attachment))
        .route(
            "/admin/attachments/{id}/remove",
            post(items::remove_attachment),
        )
        .route(
            "/admin/items/{id}/edit",
            post(items::edit_item).layer(limits.text()),
        )
        .route(
            "/admin/items/{id}/attachments",
            post(items::upload).layer(limits.upload()),
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
            get(items::words_page)
                .post(items::words_save)
                .layer(limits.text()),
        )
        .route("/admin/units/{id}/categories", post(items::create_category))
}
