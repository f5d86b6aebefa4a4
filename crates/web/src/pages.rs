//! Public pages: home, the list of units, display preferences, health, static files, errors.

use crate::AppState;
use crate::auth::{MaybeStaff, cookie};
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_store::auth::Session;
use serde::Deserialize;

/// Cookie that keeps the display preferences (large font, high contrast).
pub const PREFS_COOKIE: &str = "gk_prefs";

/// Built-in static files: (path, content type, bytes).
const STATIC: &[(&str, &str, &str)] = &[(
    "site.css",
    "text/css; charset=utf-8",
    include_str!("../../../static/site.css"),
)];

/// Percent-encodes a string for a URL query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An XLSX download: `ascii_name` for every client, and `name` (UTF-8, e.g. Chinese) for those
/// that read `filename*`. Not cached: the data behind it changes.
pub fn xlsx_download(ascii_name: &str, name: Option<&str>, bytes: Vec<u8>) -> Response {
    use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
    let mut disposition = format!("attachment; filename=\"{ascii_name}\"");
    if let Some(name) = name {
        disposition.push_str(&format!(
            "; filename*=UTF-8''{}",
            url_encode(&name.replace('/', "-"))
        ));
    }
    (
        [
            (
                CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "no-cache".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The display preferences from the cookie.
fn read_prefs(headers: &HeaderMap) -> (bool, bool) {
    let v = cookie(headers, PREFS_COOKIE).unwrap_or_default();
    (v.contains("large"), v.contains("contrast"))
}

/// Renders a page in the site layout. `session` adds the staff member and the CSRF token.
pub fn render(
    state: &AppState,
    headers: &HeaderMap,
    template: &str,
    title: &str,
    ctx: minijinja::Value,
    session: Option<&Session>,
) -> Response {
    match render_string(state, headers, template, title, ctx, session) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, template, "render failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

/// Renders a page in the site layout to a string.
pub fn render_string(
    state: &AppState,
    headers: &HeaderMap,
    template: &str,
    title: &str,
    ctx: minijinja::Value,
    session: Option<&Session>,
) -> Result<String, AppError> {
    let (large, contrast) = read_prefs(headers);
    let full = minijinja::context! {
        site => minijinja::Value::from(minijinja::value::Serde(SiteView::from(&state.config.site))),
        title,
        large,
        contrast,
        user => session.map(|s| minijinja::context! {
            id => s.staff.id, username => &s.staff.username, display_name => &s.staff.display_name,
            role => s.staff.role.label(), unit_id => s.staff.unit_id,
        }),
        csrf => session.map(|s| s.csrf_token.as_str()),
        ..ctx
    };
    state.templates.render(template, full)
}

/// The display-preference part of a cache key.
pub fn prefs_key(headers: &HeaderMap) -> (bool, bool) {
    read_prefs(headers)
}

#[derive(serde::Serialize)]
struct SiteView<'a> {
    name: &'a str,
    domain: &'a str,
    site_id_code: &'a str,
    sponsor: &'a str,
    icp: &'a str,
    police_filing: &'a str,
    police_filing_url: &'a str,
    error_report_url: &'a str,
    dzjg_url: &'a str,
    phone: &'a str,
    address: &'a str,
    email: &'a str,
    logo: &'a str,
}

impl<'a> From<&'a crate::SiteConfig> for SiteView<'a> {
    fn from(s: &'a crate::SiteConfig) -> Self {
        SiteView {
            name: &s.name,
            domain: &s.domain,
            site_id_code: &s.site_id_code,
            sponsor: &s.sponsor,
            icp: &s.icp,
            police_filing: &s.police_filing,
            police_filing_url: &s.police_filing_url,
            error_report_url: &s.error_report_url,
            dzjg_url: &s.dzjg_url,
            phone: &s.phone,
            address: &s.address,
            email: &s.email,
            logo: &s.logo,
        }
    }
}

/// Renders an error page in the site layout.
pub async fn error_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    message: &str,
) -> Response {
    let ctx = minijinja::context! { status => status.as_u16(), message };
    // The header shows who is logged in, as on every other page (a failed lookup just leaves
    // it out: the error page must render whatever else is wrong).
    let session = match crate::auth::cookie(headers, crate::auth::SESSION_COOKIE) {
        Some(token) => state
            .store
            .find_session(&crate::auth::token_hash(&token))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let mut resp = render(
        state,
        headers,
        "error.html",
        "出错了",
        ctx,
        session.as_ref(),
    );
    *resp.status_mut() = status;
    resp
}

/// `GET /`: the home page.
pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let count =
        |t: gongkai_domain::org::UnitType| units.iter().filter(|u| u.unit_type == t).count();
    use gongkai_domain::org::UnitType::*;
    let (_, latest) = state.public_page(None, None, 10, 0).await?;
    let ctx = minijinja::context! {
        latest => latest.iter().map(crate::disclosure::portal::item_row).collect::<Vec<_>>(),
        departments => count(Department), towns => count(Town), streets => count(Street),
        villages => count(Village) + count(Community),
        column => minijinja::context! { name => "首页", description => "政务公开首页", keywords => "政务公开,政府信息公开", kind => "首页" },
    };
    Ok(render(
        &state,
        &headers,
        "home.html",
        "首页",
        ctx,
        s.as_ref(),
    ))
}

/// A breadcrumb step (当前位置): a name and, except for the page itself, its address.
pub fn crumb(name: &str, href: Option<&str>) -> minijinja::Value {
    minijinja::context! { name, href }
}

/// `GET /sitemap`: the site map (网站地图): every section and every unit's catalog.
pub async fn site_map(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let rows: Vec<minijinja::Value> = tree_order(&units)
        .into_iter()
        .map(|(depth, u)| minijinja::context! { depth, name => &u.name, code => &u.code })
        .collect();
    let ctx = minijinja::context! {
        units => rows,
        column => minijinja::context! { name => "网站地图", description => "本网站各栏目导航", keywords => "网站地图", kind => "其他" },
    };
    Ok(render(
        &state,
        &headers,
        "sitemap.html",
        "网站地图",
        ctx,
        s.as_ref(),
    ))
}

/// A page of fixed text in the site layout (its column named for the page's metadata).
async fn text_page(
    state: &AppState,
    headers: &HeaderMap,
    s: Option<&Session>,
    template: &str,
    name: &str,
    description: &str,
) -> Result<Response, AppError> {
    let ctx = minijinja::context! {
        column => minijinja::context! { name, description, keywords => name, kind => "其他" },
    };
    Ok(render(state, headers, template, name, ctx, s))
}

/// `GET /contact`: 联系我们 — the site's sponsor and how to reach it.
pub async fn contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
) -> Result<Response, AppError> {
    text_page(
        &state,
        &headers,
        s.as_ref(),
        "contact.html",
        "联系我们",
        "网站主办单位联系方式",
    )
    .await
}

/// `GET /privacy`: 隐私声明 — what the site collects and keeps.
pub async fn privacy(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
) -> Result<Response, AppError> {
    text_page(
        &state,
        &headers,
        s.as_ref(),
        "privacy.html",
        "隐私声明",
        "本网站隐私声明",
    )
    .await
}

/// `GET /units`: the units of the district as a tree.
pub async fn units(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let rows: Vec<minijinja::Value> = tree_order(&units)
        .into_iter()
        .map(|(depth, u)| {
            minijinja::context! { depth, name => &u.name, kind => u.unit_type.label(), code => &u.code,
                uscc => &u.uscc, address => &u.address, phone => &u.phone, office_hours => &u.office_hours }
        })
        .collect();
    let ctx = minijinja::context! {
        units => rows,
        column => minijinja::context! { name => "机构设置", description => "本区各单位及其政务公开工作机构", keywords => "机构设置,政务公开", kind => "其他" },
    };
    Ok(render(
        &state,
        &headers,
        "units.html",
        "机构设置",
        ctx,
        s.as_ref(),
    ))
}

/// Categories in depth-first tree order with their depth.
pub fn category_tree(
    cats: &[gongkai_store::disclosure::Category],
) -> Vec<(usize, &gongkai_store::disclosure::Category)> {
    fn walk<'a>(
        cats: &'a [gongkai_store::disclosure::Category],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(usize, &'a gongkai_store::disclosure::Category)>,
    ) {
        for c in cats.iter().filter(|c| c.parent_id == parent) {
            out.push((depth, c));
            walk(cats, Some(c.id), depth + 1, out);
        }
    }
    let mut out = Vec::with_capacity(cats.len());
    walk(cats, None, 0, &mut out);
    out
}

/// Units in depth-first tree order with their depth.
pub fn tree_order(units: &[gongkai_store::org::Unit]) -> Vec<(usize, &gongkai_store::org::Unit)> {
    fn walk<'a>(
        units: &'a [gongkai_store::org::Unit],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(usize, &'a gongkai_store::org::Unit)>,
    ) {
        for u in units.iter().filter(|u| u.parent_id == parent) {
            out.push((depth, u));
            walk(units, Some(u.id), depth + 1, out);
        }
    }
    let mut out = Vec::with_capacity(units.len());
    walk(units, None, 0, &mut out);
    out
}

/// Query of `/prefs`.
#[derive(Deserialize)]
pub struct PrefsQuery {
    font: Option<String>,
    contrast: Option<String>,
    back: Option<String>,
}

/// Whether a redirect target stays on this site: a path from the root, never `//host`, and
/// nothing a browser would turn into one (a backslash anywhere, whitespace or control
/// characters, which browsers drop: `/\thost` becomes `//host`). The one rule for every
/// redirect to a target that came from a request.
pub fn is_local_path(target: &str) -> bool {
    let b = target.as_bytes();
    b.first() == Some(&b'/')
        && b.get(1) != Some(&b'/')
        && !target.contains('\\')
        && !target.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A request's redirect target as a `Location` value, if it stays on this site
/// ([`is_local_path`]); characters beyond ASCII percent-encoded.
pub fn local_target(target: &str) -> Option<String> {
    if !is_local_path(target) {
        return None;
    }
    let mut out = String::with_capacity(target.len());
    for c in target.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Some(out)
}

/// `GET /prefs`: switches large font / high contrast without JavaScript, then goes back.
pub async fn prefs_handler(headers: &HeaderMap, q: PrefsQuery) -> Response {
    let (mut large, mut contrast) = read_prefs(headers);
    match q.font.as_deref() {
        Some("large") => large = true,
        Some("normal") => large = false,
        _ => {}
    }
    match q.contrast.as_deref() {
        Some("high") => contrast = true,
        Some("normal") => contrast = false,
        _ => {}
    }
    let value = [large.then_some("large"), contrast.then_some("contrast")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("-");
    // Back to the page the link was clicked on: `?back=`, or else the page the browser says it
    // came from (same site only: its path, checked by the one redirect rule).
    let referer_path = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| !p.starts_with("/prefs"));
    let back = q
        .back
        .as_deref()
        .and_then(local_target)
        .or_else(|| referer_path.as_deref().and_then(local_target))
        .unwrap_or_else(|| "/".into());
    let mut resp = Redirect::to(&back).into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        crate::auth::set_cookie(PREFS_COOKIE, &value, Some(365 * 86400), false),
    );
    resp
}

/// `GET /prefs`.
pub async fn prefs(headers: HeaderMap, Query(q): Query<PrefsQuery>) -> Response {
    prefs_handler(&headers, q).await
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok", "database": "ok"})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "error", "database": "unreachable"})),
            )
                .into_response()
        }
    }
}

/// `GET /healthz/ready`: whether a proxy should send this server requests (readiness, beside
/// `/healthz`'s liveness): 200 when the database answers and the search index caught up with
/// the outbox within the last `max(10, 5 × [cluster] poll_secs)` seconds; 503 while the server
/// starts, when its index falls behind, or once it is stopping. The body says which, with the
/// index position, the outbox head and whether this server runs the once-per-cluster work.
pub async fn ready(State(state): State<AppState>) -> Response {
    use std::sync::atomic::Ordering::Relaxed;
    let db = state.store.ping().await.is_ok();
    let head = if db {
        state.store.disclosure().outbox_max().await.ok()
    } else {
        None
    };
    let synced_at = state.synced_at.load(Relaxed);
    let age = chrono::Utc::now().timestamp() - synced_at;
    let fresh = synced_at > 0 && age <= (state.config.cluster.poll_secs as i64 * 5).max(10);
    let status = if state.draining.load(Relaxed) {
        "stopping"
    } else if !db {
        "database unreachable"
    } else if !fresh {
        "index catching up"
    } else {
        "ready"
    };
    let code = if status == "ready" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        [(CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({
            "status": status,
            "server": state.server_id,
            "index_position": state.indexer.position(),
            "outbox_head": head,
            "synced_secs_ago": (synced_at > 0).then_some(age),
            "runs_periodic_work": *state.leader.borrow(),
        })),
    )
        .into_response()
}

/// `GET /static/*`: the deployment's override directory first, then the built-in files.
pub async fn static_file(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    if path.contains("..") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let content_type = |p: &str| match p.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    };
    if let Some(dir) = &state.config.static_dir
        && let Ok(bytes) = tokio::fs::read(dir.join(&path)).await
    {
        return (
            [
                (CONTENT_TYPE, content_type(&path)),
                (CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes,
        )
            .into_response();
    }
    match STATIC.iter().find(|(p, _, _)| *p == path) {
        Some((_, ct, body)) => (
            [(CONTENT_TYPE, *ct), (CACHE_CONTROL, "public, max-age=3600")],
            *body,
        )
            .into_response(),
        None => AppError::NotFound.into_response(),
    }
}

/// Fallback: 404 page.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// Sends a stored file (`AppState::files`: the data directory or the database) as a download
/// under its own name, with the given `Cache-Control`: attachments, case documents and the
/// private files of applications all go out this way. The bytes stream out in pieces; the
/// file's hash is its `ETag` (`If-None-Match` answers 304), and a single `Range` (with
/// `If-Range`) answers 206 with that part, or 416 when it lies outside the file.
pub async fn send_stored_file(
    state: &crate::AppState,
    headers: &HeaderMap,
    sha256: &str,
    content_type: &str,
    filename: &str,
    cache: &str,
) -> Result<Response, crate::error::AppError> {
    use axum::http::header::{
        ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE,
        CONTENT_TYPE, ETAG, IF_NONE_MATCH, IF_RANGE, RANGE,
    };
    let found = state
        .files
        .find(sha256)
        .await
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))?
        .ok_or_else(|| {
            crate::error::AppError::Internal(format!("stored file {sha256} is missing"))
        })?;
    let etag = format!("\"{sha256}\"");
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
    };
    let common = [
        (ETAG, etag.clone()),
        (CACHE_CONTROL, cache.to_string()),
        (ACCEPT_RANGES, "bytes".to_string()),
    ];
    if header(IF_NONE_MATCH).is_some_and(|v| {
        v.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*")
    }) {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let range = header(RANGE)
        .filter(|_| header(IF_RANGE).is_none_or(|v| v.trim() == etag))
        .and_then(|v| byte_range(v, found.size));
    let (status, start, end) = match range {
        None => (StatusCode::OK, 0, found.size),
        Some(Some((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b),
        Some(None) => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                common,
                [(CONTENT_RANGE, format!("bytes */{}", found.size))],
            )
                .into_response());
        }
    };
    let body = axum::body::Body::from_stream(Pieces(state.files.read(&found, start, end)));
    let mut resp = (
        status,
        common,
        [
            (CONTENT_TYPE, content_type.to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", url_encode(filename)),
            ),
            (CONTENT_LENGTH, (end - start).to_string()),
        ],
        body,
    )
        .into_response();
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) =
            axum::http::HeaderValue::from_str(&format!("bytes {start}-{}/{}", end - 1, found.size))
    {
        resp.headers_mut().insert(CONTENT_RANGE, v);
    }
    Ok(resp)
}

/// The pieces of a stored file as a body stream.
struct Pieces(tokio::sync::mpsc::Receiver<Result<Vec<u8>, gongkai_work::files::FileError>>);

impl futures_core::Stream for Pieces {
    type Item = Result<axum::body::Bytes, gongkai_work::files::FileError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0
            .poll_recv(cx)
            .map(|o| o.map(|r| r.map(axum::body::Bytes::from)))
    }
}

/// The byte range a `Range` header asks of a file of `size` bytes, as `start..end`:
/// `None` when the header is not one range of bytes (then the whole file is sent, as RFC 9110
/// allows), `Some(None)` when the range lies outside the file (416).
pub(crate) fn byte_range(header: &str, size: u64) -> Option<Option<(u64, u64)>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (n > 0 && size > 0).then(|| (size.saturating_sub(n), size))
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            size
        } else {
            let last: u64 = b.parse().ok()?;
            if last < start {
                return None;
            }
            (last + 1).min(size)
        };
        (start < size).then_some((start, end))
    };
    Some(range)
}

/// Scans staff-written texts that are published directly (a consultation's draft and report, a
/// major decision's record) with the pre-publication scanner — personal data and the district's
/// sensitive words — and gives what it found, each with the field it is in, or `None` when
/// clean: nothing unscanned is published, on these paths as on items'.
pub async fn scan_for_publication(
    state: &AppState,
    texts: &[(&str, &str)],
) -> Result<Option<String>, AppError> {
    let scanner =
        gongkai_domain::scan::Scanner::new(&state.store.disclosure().sensitive_words().await?);
    let found: Vec<String> = texts
        .iter()
        .flat_map(|(field, text)| {
            scanner.scan(text).into_iter().map(move |f| {
                format!(
                    "{field}第{}行第{}列 {}（{}）",
                    f.line,
                    f.column,
                    f.kind.label(),
                    f.masked
                )
            })
        })
        .collect();
    Ok((!found.is_empty()).then(|| {
        format!(
            "发现个人信息或敏感词，请删除或改写后再发布：{}",
            found.join("；")
        )
    }))
}

/// Today in Beijing.
pub(crate) fn today() -> chrono::NaiveDate {
    gongkai_domain::calendar::beijing_date(chrono::Utc::now())
}

/// The stored form of a day (`YYYY-MM-DD`).
pub(crate) fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A day typed as `YYYY-MM-DD`.
pub(crate) fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// A serialisable value for a template.
pub(crate) fn ser<T: serde::Serialize>(v: &T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(v))
}

#[cfg(test)]
mod range_tests {
    use super::byte_range;

    #[test]
    fn ranges_as_rfc_9110_reads_them() {
        assert_eq!(byte_range("bytes=0-99", 1000), Some(Some((0, 100))));
        assert_eq!(byte_range("bytes=900-", 1000), Some(Some((900, 1000))));
        assert_eq!(byte_range("bytes=-100", 1000), Some(Some((900, 1000))));
        assert_eq!(byte_range("bytes=-5000", 1000), Some(Some((0, 1000))));
        assert_eq!(byte_range("bytes=990-2000", 1000), Some(Some((990, 1000))));
        assert_eq!(byte_range("bytes=1000-", 1000), Some(None));
        assert_eq!(byte_range("bytes=-0", 1000), Some(None));
        assert_eq!(byte_range("bytes=5-1", 1000), None);
        assert_eq!(byte_range("bytes=0-1,5-9", 1000), None);
        assert_eq!(byte_range("items=0-1", 1000), None);
        assert_eq!(byte_range("bytes=x-1", 1000), None);
    }
}
