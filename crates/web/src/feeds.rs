//! Machine-readable views of the public record: Atom feeds (site, unit, unit category),
//! `sitemap.xml` and `robots.txt`.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use gongkai_store::disclosure::ItemSummary;
use serde::Deserialize;

/// Entries per feed.
const FEED_SIZE: i64 = 50;
/// Largest sitemap (the protocol's limit).
const SITEMAP_MAX: i64 = 50_000;

fn base(state: &AppState) -> String {
    format!("https://{}", state.config.site.domain)
}

fn xml(body: String, content_type: &'static str) -> Response {
    ([(CONTENT_TYPE, content_type)], body).into_response()
}

fn render_feed(
    state: &AppState,
    title: &str,
    self_path: &str,
    html_path: &str,
    items: &[ItemSummary],
) -> Result<Response, AppError> {
    let entries: Vec<minijinja::Value> = items
        .iter()
        .map(|i| {
            let summary = if i.revision.summary.is_empty() { gongkai_domain::richtext::to_text(&i.revision.body).chars().take(200).collect() } else { i.revision.summary.clone() };
            minijinja::context! {
                index_no => &i.item.index_no, title => &i.revision.title, unit => &i.unit_name, category => &i.category_name,
                published => i.item.first_published_at.as_deref().unwrap_or(""), updated => i.item.published_at.as_deref().unwrap_or(""), summary,
            }
        })
        .collect();
    let updated = items
        .first()
        .and_then(|i| i.item.published_at.clone())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let ctx = minijinja::context! {
        base => base(state), title, self_path, html_path, updated, entries,
        site => minijinja::context! { name => &state.config.site.name, sponsor => &state.config.site.sponsor },
    };
    Ok(xml(
        state.templates.render("feeds/atom.xml", ctx)?,
        "application/atom+xml; charset=utf-8",
    ))
}

/// `GET /feeds/atom.xml`: the whole site's latest publications.
pub async fn site(State(state): State<AppState>) -> Result<Response, AppError> {
    let (_, items) = state.public_page(None, None, FEED_SIZE, 0).await?;
    render_feed(
        &state,
        &format!("{} · 最新公开", state.config.site.name),
        "/feeds/atom.xml",
        "/list",
        &items,
    )
}

/// Optional category of a unit feed.
#[derive(Deserialize, Default)]
pub struct FeedQuery {
    category: Option<i64>,
}

/// `GET /units/{code}/atom.xml[?category=ID]`: one unit's (or one of its categories') feed.
pub async fn unit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let unit = state
        .store
        .find_unit_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let category = match q.category {
        Some(id) => Some(
            state
                .store
                .disclosure()
                .list_categories(Some(unit.id))
                .await?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let (_, items) = state
        .public_page(Some(unit.id), category.as_ref().map(|c| c.id), FEED_SIZE, 0)
        .await?;
    let (title, suffix) = match &category {
        Some(c) => (
            format!("{} · {}", unit.name, c.name),
            format!("?category={}", c.id),
        ),
        None => (format!("{} · 政府信息公开", unit.name), String::new()),
    };
    render_feed(
        &state,
        &title,
        &format!("/units/{code}/atom.xml{suffix}"),
        &format!("/units/{code}{suffix}"),
        &items,
    )
}

/// `GET /sitemap.xml`: the sitemap index (sitemaps.org): the site's pages, then one file per
/// 50,000 public items, so every item is listed at any size.
pub async fn sitemap(State(state): State<AppState>) -> Result<Response, AppError> {
    let items = state.store.disclosure().count_public().await?;
    let files = (items + SITEMAP_MAX - 1) / SITEMAP_MAX;
    let mut maps = vec!["pages.xml".to_string()];
    maps.extend((1..=files).map(|n| format!("items-{n}.xml")));
    let ctx = minijinja::context! { base => base(&state), maps };
    Ok(xml(
        state.templates.render("feeds/sitemap_index.xml", ctx)?,
        "application/xml; charset=utf-8",
    ))
}

/// `GET /sitemaps/{name}`: `pages.xml` (home, lists, every unit's catalog and guide) or
/// `items-N.xml` (the N-th 50,000 public items, in id order).
pub async fn sitemap_file(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let mut urls = Vec::new();
    if name == "pages.xml" {
        for path in [
            "/",
            "/list",
            "/units",
            "/standards",
            "/powers",
            "/double-publicity",
        ] {
            urls.push(minijinja::context! { path });
        }
        for u in state.store.list_units().await? {
            urls.push(minijinja::context! { path => format!("/units/{}", u.code) });
            urls.push(minijinja::context! { path => format!("/units/{}/guide", u.code) });
        }
    } else {
        let n: i64 = name
            .strip_prefix("items-")
            .and_then(|r| r.strip_suffix(".xml"))
            .and_then(|n| n.parse().ok())
            .filter(|n| *n >= 1)
            .ok_or(AppError::NotFound)?;
        let rows = state
            .store
            .disclosure()
            .public_locations(SITEMAP_MAX, (n - 1).saturating_mul(SITEMAP_MAX))
            .await?;
        if rows.is_empty() {
            return Err(AppError::NotFound);
        }
        for (index_no, published_at) in rows {
            urls.push(minijinja::context! { path => format!("/items/{index_no}"), lastmod => published_at.as_deref().and_then(|p| p.get(..10)).map(str::to_string) });
        }
    }
    let ctx = minijinja::context! { base => base(&state), urls };
    Ok(xml(
        state.templates.render("feeds/sitemap.xml", ctx)?,
        "application/xml; charset=utf-8",
    ))
}

/// `GET /robots.txt`.
pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /login\n\nSitemap: {}/sitemap.xml\n",
        base(&state)
    );
    ([(CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
