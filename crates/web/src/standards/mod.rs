//! The standard disclosure catalog of grassroots government affairs (基层政务公开标准目录): a
//! public page and XLSX export, and the back office where the openness office imports it from
//! XLSX (every bad row reported, nothing imported from a file with errors) and retires entries.

use crate::AppState;
use crate::auth::StaffSession;
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::forms::Paging;
use crate::forms::Upload;
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::Action;
use gongkai_domain::standard::{HEADER_SUB, HEADER_TOP, RowError, parse_grid, to_grid};
use gongkai_store::standards::{ImportSummary, StoredEntry};
use serde::{Deserialize, Serialize};

/// Largest spreadsheet accepted, in bytes.
const MAX_SHEET_BYTES: usize = 10 * 1024 * 1024;

fn ser<T: Serialize>(v: &T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(v))
}

fn require(s: &StaffSession) -> Result<(), AppError> {
    crate::auth::permit(s.staff(), Action::ManageStandards, s.staff().unit_id)
}

/// `?area=` filter and flash.
#[derive(Deserialize, Default)]
pub struct AreaQuery {
    area: Option<String>,
    page: Option<i64>,
    ok: Option<String>,
    added: Option<usize>,
    updated: Option<usize>,
    unchanged: Option<usize>,
}

impl AreaQuery {
    fn area(&self) -> Option<&str> {
        self.area
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
    }
}

#[derive(Serialize)]
struct EntryView<'a> {
    id: i64,
    #[serde(flatten)]
    e: &'a gongkai_domain::standard::StandardEntry,
    channels_text: String,
    audience: String,
    mode: String,
    level: String,
}

fn views(entries: &[StoredEntry]) -> Vec<EntryView<'_>> {
    entries
        .iter()
        .map(|s| EntryView {
            id: s.id,
            e: &s.entry,
            channels_text: s.entry.channels.join("、"),
            audience: s.entry.audience_text(),
            mode: s.entry.mode_text(),
            level: s.entry.level_text(),
        })
        .collect()
}

/// Entries shown per page of the catalog.
const PAGE: i64 = 200;
/// Rows one import may carry.
pub const MAX_IMPORT_ROWS: usize = 5_000;
/// Current entries the catalog may hold in all (the national catalog has a few thousand).
pub const MAX_ENTRIES: i64 = 50_000;

/// One page of the catalog (one area or all) and the paging context for the template.
async fn page_of(
    state: &AppState,
    areas: &[(String, i64)],
    area: Option<&str>,
    page: Option<i64>,
) -> Result<(Vec<StoredEntry>, minijinja::Value), AppError> {
    let total: i64 = areas
        .iter()
        .filter(|(a, _)| area.is_none_or(|x| x == a))
        .map(|(_, n)| n)
        .sum();
    let paging = Paging::new(page, PAGE);
    let pages = paging.pages(total);
    let paging = paging.up_to(pages);
    let page = paging.page;
    let entries = state
        .store
        .standards()
        .standard_entries_page(area, paging.limit(), paging.offset())
        .await?;
    let area_q = area.map(|a| format!("area={}&", crate::pages::url_encode(a)));
    Ok((
        entries,
        minijinja::context! {
            page, pages, total,
            prev => (page > 1).then(|| format!("?{}page={}", area_q.clone().unwrap_or_default(), page - 1)),
            next => (page < pages).then(|| format!("?{}page={}", area_q.clone().unwrap_or_default(), page + 1)),
        },
    ))
}

/// `GET /standards`: the catalog for the public, one area or all.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AreaQuery>,
) -> Result<Response, AppError> {
    let areas = state.store.standards().standard_areas().await?;
    let (entries, paging) = page_of(&state, &areas, q.area(), q.page).await?;
    let ctx = minijinja::context! {
        areas => ser(&areas),
        area => q.area(),
        entries => ser(&views(&entries)),
        paging,
    };
    Ok(render(
        &state,
        &headers,
        "standards.html",
        "基层政务公开标准目录",
        ctx,
        None,
    ))
}

/// `GET /standards.xlsx`: the catalog (one area or all) in the official two-row layout, ready
/// to be edited and imported again.
pub async fn export(
    State(state): State<AppState>,
    Query(q): Query<AreaQuery>,
) -> Result<Response, AppError> {
    let entries: Vec<_> = state
        .store
        .standards()
        .standard_entries(q.area())
        .await?
        .into_iter()
        .map(|s| s.entry)
        .collect();
    let title = match q.area() {
        Some(a) => format!("{a}领域基层政务公开标准目录"),
        None => "基层政务公开标准目录".to_string(),
    };
    let rows = to_grid(&entries);
    let bytes = gongkai_extract::sheet::write_table(&gongkai_extract::sheet::Table {
        sheet: "标准目录",
        title: &title,
        header: &HEADER_TOP,
        sub_header: Some(&HEADER_SUB),
        widths: &[
            10.0, 6.0, 14.0, 14.0, 30.0, 30.0, 16.0, 14.0, 20.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0,
        ],
        rows: &rows,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::pages::xlsx_download(
        "standards.xlsx",
        Some(&format!("{title}.xlsx")),
        bytes,
    ))
}

/// `GET /admin/standards`: the catalog with the import form and retire buttons.
pub async fn admin(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<AreaQuery>,
) -> Result<Response, AppError> {
    require(&s)?;
    let flash = (q.ok.as_deref() == Some("imported")).then(|| {
        format!(
            "导入完成：新增{}条，更新{}条，未变{}条",
            q.added.unwrap_or(0),
            q.updated.unwrap_or(0),
            q.unchanged.unwrap_or(0)
        )
    });
    let flash = flash.or_else(|| {
        (q.ok.as_deref() == Some("retired")).then(|| "已停用该条目（记录保留）".to_string())
    });
    admin_render(&state, &headers, &s, q.area(), q.page, &[], flash).await
}

async fn admin_render(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    area: Option<&str>,
    page: Option<i64>,
    errors: &[RowError],
    flash: Option<String>,
) -> Result<Response, AppError> {
    let areas = state.store.standards().standard_areas().await?;
    let (entries, paging) = page_of(state, &areas, area, page).await?;
    let ctx = minijinja::context! {
        areas => ser(&areas),
        area,
        entries => ser(&views(&entries)),
        errors => ser(&errors),
        flash,
        paging,
    };
    Ok(render(
        state,
        headers,
        "admin/standards.html",
        "标准目录维护",
        ctx,
        Some(&s.session),
    ))
}

/// `POST /admin/standards/import` (multipart: `csrf`, `area`, `file`): validates every row and
/// imports all or nothing.
pub async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    up: Upload,
) -> Result<Response, AppError> {
    let area = up.text("area").to_string();
    let file = up.file("file").map(|f| f.bytes.clone());
    require(&s)?;
    let fail = |message: String| vec![RowError { row: 0, message }];
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return admin_render(
            &state,
            &headers,
            &s,
            None,
            None,
            &fail("请选择要导入的 XLSX 文件".into()),
            None,
        )
        .await;
    };
    if bytes.len() > MAX_SHEET_BYTES {
        return admin_render(
            &state,
            &headers,
            &s,
            None,
            None,
            &fail(format!(
                "文件过大（不超过{}MB）",
                MAX_SHEET_BYTES / 1024 / 1024
            )),
            None,
        )
        .await;
    }
    let parsed = state.read_sheet(&bytes).await?;
    let grid = match parsed {
        Ok(g) => g,
        Err(e) => {
            return admin_render(&state, &headers, &s, None, None, &fail(e.to_string()), None)
                .await;
        }
    };
    let entries = match parse_grid(&grid, &area) {
        Ok(entries) => entries,
        Err(errors) => return admin_render(&state, &headers, &s, None, None, &errors, None).await,
    };
    let current: i64 = state
        .store
        .standards()
        .standard_areas()
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    if entries.len() > MAX_IMPORT_ROWS || current + entries.len() as i64 > MAX_ENTRIES {
        let message = if entries.len() > MAX_IMPORT_ROWS {
            format!(
                "一次最多导入{MAX_IMPORT_ROWS}条（本文件{}条），请按领域分批导入",
                entries.len()
            )
        } else {
            format!("标准目录最多{MAX_ENTRIES}条（现有{current}条），请先停用不再使用的条目")
        };
        return admin_render(&state, &headers, &s, None, None, &fail(message), None).await;
    }
    let ImportSummary {
        added,
        updated,
        unchanged,
    } = state
        .store
        .standards()
        .import_standard_entries(&s.actor(), &entries)
        .await?;
    Ok(Redirect::to(&format!(
        "/admin/standards?ok=imported&added={added}&updated={updated}&unchanged={unchanged}"
    ))
    .into_response())
}

/// `POST /admin/standards/{id}/retire`: retires an entry (kept on record; audited).
pub async fn retire(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    require(&s)?;
    state
        .store
        .standards()
        .retire_standard_entry(&s.actor(), id)
        .await?;
    Ok(Redirect::to("/admin/standards?ok=retired").into_response())
}

/// The module's pages: the public catalog, its spreadsheet, and the office's maintenance.
pub fn routes(limits: &crate::BodyLimits) -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/standards", get(page))
        .route("/standards.xlsx", get(export))
        .route("/admin/standards", get(admin))
        .route(
            "/admin/standards/import",
            post(import).layer(limits.upload()),
        )
        .route("/admin/standards/{id}/retire", post(retire))
}
