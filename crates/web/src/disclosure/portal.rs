//! The public portal of proactive disclosure: each unit's catalog, item pages with the standard
//! metadata block, the disclosure guide, lists and attachment downloads. Only published,
//! current information is shown; withdrawn items say so, with their reason.

use crate::AppState;
use crate::auth::MaybeStaff;
use crate::error::AppError;
use crate::forms::Paging;
use crate::pages::{category_tree, render};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use gongkai_store::disclosure::ItemSummary;
use serde::Deserialize;

/// The list query: page, category.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<i64>,
    category: Option<i64>,
}

/// A row of an item list, for templates.
pub fn item_row(i: &ItemSummary) -> minijinja::Value {
    minijinja::context! {
        index_no => &i.item.index_no, title => &i.revision.title, doc_no => &i.revision.doc_no,
        unit => &i.unit_name, category => &i.category_name,
        published_on => i.item.published_at.as_deref().and_then(|p| p.get(..10)).unwrap_or(""),
        formed_on => &i.revision.formed_on,
    }
}

/// `GET /units/{code}`: a unit's disclosure catalog (信息公开目录), with its latest items per
/// category, or one category's items when `?category=` is given.
pub async fn unit_catalog(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let unit = state
        .store
        .find_unit_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let categories = state
        .store
        .disclosure()
        .list_categories(Some(unit.id))
        .await?;
    let paging = Paging::new(q.page, 20);
    let selected = q
        .category
        .and_then(|id| categories.iter().find(|c| c.id == id));
    if q.category.is_some() && selected.is_none() {
        return Err(AppError::NotFound);
    }
    let (total, items) = state
        .public_page(
            Some(unit.id),
            selected.map(|c| c.id),
            paging.limit(),
            paging.offset(),
        )
        .await?;
    // each category's count includes its sub-categories', as its page lists them
    let own: std::collections::HashMap<i64, i64> =
        state.category_counts(unit.id).await?.into_iter().collect();
    let count_of = |id: i64| -> i64 {
        let mut total = 0;
        let mut stack = vec![id];
        while let Some(c) = stack.pop() {
            total += own.get(&c).copied().unwrap_or(0);
            stack.extend(
                categories
                    .iter()
                    .filter(|x| x.parent_id == Some(c))
                    .map(|x| x.id),
            );
        }
        total
    };
    let tree: Vec<minijinja::Value> = category_tree(&categories)
        .into_iter()
        .map(|(depth, c)| minijinja::context! { id => c.id, name => &c.name, depth, count => count_of(c.id), selected => selected.is_some_and(|s| s.id == c.id) })
        .collect();
    let title = match selected {
        Some(c) => format!("{} · {}", unit.name, c.name),
        None => format!("{} · 政府信息公开", unit.name),
    };
    let unit_href = format!("/units/{}", unit.code);
    let mut crumbs = vec![
        crate::pages::crumb("政府信息公开", Some("/list")),
        crate::pages::crumb(&unit.name, selected.is_some().then_some(unit_href.as_str())),
    ];
    if let Some(c) = selected {
        // the categories above it, each a link
        let mut above = Vec::new();
        let mut parent = c.parent_id;
        while let Some(p) = parent.and_then(|id| categories.iter().find(|x| x.id == id)) {
            above.push(p);
            parent = p.parent_id;
        }
        for p in above.iter().rev() {
            let href = format!("/units/{}?category={}", unit.code, p.id);
            crumbs.push(crate::pages::crumb(&p.name, Some(&href)));
        }
        crumbs.push(crate::pages::crumb(&c.name, None));
    }
    let ctx = minijinja::context! {
        crumbs,
        unit => minijinja::Value::from(minijinja::value::Serde(&unit)), categories => tree,
        category => selected.map(|c| c.name.clone()), category_id => selected.map(|c| c.id),
        items => items.iter().map(item_row).collect::<Vec<_>>(), total, page => paging.page, pages => paging.pages(total),
        column => minijinja::context! { name => selected.map_or("政府信息公开", |c| c.name.as_str()), description => format!("{}政府信息公开目录", unit.name), keywords => "政府信息公开,公开目录", kind => "信息公开" },
    };
    let mut resp = render(
        &state,
        &headers,
        "portal/catalog.html",
        &title,
        ctx,
        s.as_ref(),
    );
    if paging.page > paging.pages(total).max(1) {
        *resp.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(resp)
}

/// `GET /units/{code}/guide`: the unit's disclosure guide (公开指南, 条例 Art. 12).
pub async fn guide(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = state
        .store
        .find_unit_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let cats: Vec<minijinja::Value> = category_tree(
        &state
            .store
            .disclosure()
            .list_categories(Some(unit.id))
            .await?,
    )
    .into_iter()
    .map(|(depth, c)| minijinja::context! { name => &c.name, depth })
    .collect();
    let unit_href = format!("/units/{}", unit.code);
    let ctx = minijinja::context! {
        guide => state.store.unit_guide(unit.id).await?,
        crumbs => vec![
            crate::pages::crumb("政府信息公开", Some("/list")),
            crate::pages::crumb(&unit.name, Some(&unit_href)),
            crate::pages::crumb("政府信息公开指南", None),
        ],
        unit => minijinja::Value::from(minijinja::value::Serde(&unit)), categories => cats,
        column => minijinja::context! { name => "政府信息公开指南", description => format!("{}政府信息公开指南", unit.name), keywords => "公开指南", kind => "其他" },
    };
    Ok(render(
        &state,
        &headers,
        "portal/guide.html",
        &format!("{} · 政府信息公开指南", unit.name),
        ctx,
        s.as_ref(),
    ))
}

/// `GET /items/{index_no}`: the public page of an item, with the standard metadata block.
pub async fn item(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
    Path(index_no): Path<String>,
) -> Result<Response, AppError> {
    // anonymous visitors are answered from memory by `cache::public_pages`
    let item = state
        .store
        .disclosure()
        .find_item_by_index_no(&index_no)
        .await?
        .ok_or(AppError::NotFound)?;
    let revision = item.published_revision.ok_or(AppError::NotFound)?;
    let rev = state
        .store
        .disclosure()
        .get_revision(item.id, revision)
        .await?;
    let unit = state.store.get_unit(item.unit_id).await?;
    let category = state
        .store
        .disclosure()
        .get_category(item.category_id)
        .await?;
    let attachments: Vec<minijinja::Value> = state
        .store
        .disclosure().attachments(item.id, revision)
        .await?
        .iter()
        .map(|(a, _)| minijinja::context! { id => a.id, filename => &a.filename, size_kb => (a.size + 1023) / 1024 })
        .collect();
    let history: Vec<minijinja::Value> = state
        .store
        .disclosure().revisions(item.id)
        .await?
        .iter()
        .filter(|r| matches!(r.state, gongkai_domain::disclosure::RevisionState::Published | gongkai_domain::disclosure::RevisionState::Superseded))
        .map(|r| minijinja::context! { revision => r.revision, updated_at => beijing_minutes(&r.updated_at).get(..10).unwrap_or("").to_string(), title => &r.title, current => r.revision == revision })
        .collect();
    let interprets = match item.interpretation_of {
        Some(id) => {
            let p = state.store.disclosure().get_item(id).await?;
            match p.published_revision {
                Some(r) => Some(
                    minijinja::context! { index_no => &p.index_no, title => state.store.disclosure().get_revision(p.id, r).await?.title },
                ),
                None => None,
            }
        }
        None => None,
    };
    let interpretations: Vec<minijinja::Value> = state
        .store
        .disclosure()
        .interpretations_of(item.id)
        .await?
        .iter()
        .map(|i| minijinja::context! { index_no => &i.item.index_no, title => &i.revision.title })
        .collect();
    let body_html = gongkai_domain::richtext::to_html(&rev.body);
    let published_at = item
        .published_at
        .as_deref()
        .map(beijing_minutes)
        .unwrap_or_default();
    let (unit_href, category_href) = (
        format!("/units/{}", unit.code),
        format!("/units/{}?category={}", unit.code, category.id),
    );
    let ctx = minijinja::context! {
        crumbs => vec![
            crate::pages::crumb("政府信息公开", Some("/list")),
            crate::pages::crumb(&unit.name, Some(&unit_href)),
            crate::pages::crumb(&category.name, Some(&category_href)),
            crate::pages::crumb("正文", None),
        ],
        item => minijinja::Value::from(minijinja::value::Serde(&item)),
        rev => minijinja::Value::from(minijinja::value::Serde(&rev)),
        validity => rev.validity.label(), unit_name => &unit.name, unit_code => &unit.code, category_name => &category.name,
        published_at => &published_at, body_html, attachments, history, interprets, interpretations,
        column => minijinja::context! { name => &category.name, description => format!("{}{}", unit.name, category.name), keywords => &category.name, kind => "信息公开" },
        article => minijinja::context! { title => &rev.title, pub_date => &published_at, source => &unit.name },
    };
    let html: axum::body::Bytes = crate::pages::render_string(
        &state,
        &headers,
        "portal/item.html",
        &rev.title,
        ctx,
        s.as_ref(),
    )?
    .into();
    Ok(html_response(html))
}

/// An HTML response from shared bytes (a cached page is sent without copying it).
fn html_response(html: axum::body::Bytes) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}

pub use gongkai_domain::calendar::beijing_minutes;

/// `GET /files/{id}/{name}`: an attachment of a published revision.
pub async fn download(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path((id, _name)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let a = state.store.disclosure().get_attachment(id).await?;
    let item = state.store.disclosure().get_item(a.item_id).await?;
    let rev = state
        .store
        .disclosure()
        .get_revision(a.item_id, a.revision)
        .await?;
    if !matches!(
        rev.state,
        gongkai_domain::disclosure::RevisionState::Published
            | gongkai_domain::disclosure::RevisionState::Superseded
    ) || item.withdrawn_at.is_some()
    {
        return Err(AppError::NotFound);
    }
    send_attachment(&state, &headers, &a, "public, max-age=86400").await
}

/// Sends an attachment's file as a download (never shown inline), with `cache` as its
/// `Cache-Control` (the back office's copies are never stored: `no-store`).
pub async fn send_attachment(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    a: &gongkai_store::disclosure::Attachment,
    cache: &str,
) -> Result<Response, AppError> {
    crate::pages::send_stored_file(
        state,
        headers,
        &a.sha256,
        &a.content_type,
        &a.filename,
        cache,
    )
    .await
}

/// `GET /list`: every unit's latest published items.
pub async fn latest(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let paging = Paging::new(q.page, 20);
    let (total, items) = state
        .public_page(None, None, paging.limit(), paging.offset())
        .await?;
    let ctx = minijinja::context! {
        items => items.iter().map(item_row).collect::<Vec<_>>(), total, page => paging.page, pages => paging.pages(total),
        column => minijinja::context! { name => "最新公开", description => "全区最新主动公开的政府信息", keywords => "政府信息公开", kind => "信息公开" },
    };
    let mut resp = render(
        &state,
        &headers,
        "portal/list.html",
        "最新公开",
        ctx,
        s.as_ref(),
    );
    if paging.page > paging.pages(total).max(1) {
        *resp.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(resp)
}
