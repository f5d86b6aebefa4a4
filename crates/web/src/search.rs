//! Search: the portal's search page and the API's search endpoint, over this server's index.

use crate::AppState;
use crate::auth::MaybeStaff;
use crate::error::{ApiError, AppError};
use crate::forms::Paging;
use crate::pages::render;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gongkai_search::{SearchRequest, SearchResults, SortBy};
use serde::Deserialize;

/// Query parameters of `/search` and `/api/v1/search`.
#[derive(Deserialize, Default, Debug)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    unit: Option<String>,
    category: Option<String>,
    year: Option<String>,
    kind: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

const PER_PAGE: usize = 10;

fn request(q: &SearchQuery) -> Result<(SearchRequest, usize), AppError> {
    let num = |name: &str, v: &Option<String>| -> Result<Option<u64>, AppError> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => t
                .parse()
                .map(Some)
                .map_err(|_| AppError::BadRequest(format!("参数 {name} 应为数字"))),
        }
    };
    if q.q.chars().count() > 100 {
        return Err(AppError::BadRequest("搜索词不超过100个字".into()));
    }
    // Deep pages of a search are never needed: the thousandth page is the last one served.
    let asked = num("page", &q.page)?.map(|p| i64::try_from(p).unwrap_or(i64::MAX));
    let paging = Paging::new(asked, PER_PAGE as i64).up_to(1000);
    let page = usize::try_from(paging.page).unwrap_or(1);
    let sort = match q.sort.as_deref() {
        None | Some("") | Some("relevance") => SortBy::Relevance,
        Some("date") => SortBy::Date,
        Some(_) => {
            return Err(AppError::BadRequest(
                "排序方式只能是 relevance 或 date".into(),
            ));
        }
    };
    Ok((
        SearchRequest {
            query: q.q.clone(),
            unit_id: num("unit", &q.unit)?,
            category_id: num("category", &q.category)?,
            year: num("year", &q.year)?,
            kind: match num("kind", &q.kind)? {
                Some(k) if k as usize >= gongkai_domain::disclosure::DOC_KINDS.len() => {
                    return Err(AppError::BadRequest("参数 kind 不是已知的文种编号".into()));
                }
                k => k,
            },
            sort,
            offset: usize::try_from(paging.offset()).unwrap_or(0),
            limit: PER_PAGE,
        },
        page,
    ))
}

async fn run(state: &AppState, req: SearchRequest) -> Result<SearchResults, AppError> {
    let index = state.indexer.index.clone();
    state
        .cpu
        .search(move || index.search(&req))
        .await?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The address of a search: the query and the request's filters and order, with some
/// parameters replaced (an empty value drops the filter). The page is left out.
fn search_url(query: &str, req: &SearchRequest, replace: &[(&str, String)]) -> String {
    let own = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut params: Vec<(&str, String)> = vec![
        ("unit", own(req.unit_id)),
        ("category", own(req.category_id)),
        ("year", own(req.year)),
        ("kind", own(req.kind)),
        (
            "sort",
            if req.sort == SortBy::Date {
                "date"
            } else {
                "relevance"
            }
            .to_string(),
        ),
    ];
    for (k, v) in replace {
        if let Some(p) = params.iter_mut().find(|(name, _)| name == k) {
            p.1 = v.clone();
        }
    }
    let mut url = format!("/search?q={}", crate::pages::url_encode(query));
    for (k, v) in params {
        if !v.is_empty() {
            url.push_str(&format!("&{k}={}", crate::pages::url_encode(&v)));
        }
    }
    url
}

/// `GET /search`.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(s): MaybeStaff,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let (req, page) = request(&q)?;
    let searched = !q.q.trim().is_empty()
        || req.unit_id.is_some()
        || req.category_id.is_some()
        || req.year.is_some();
    let results = if searched {
        Some(run(&state, req.clone()).await?)
    } else {
        None
    };
    let units: Vec<minijinja::Value> = state
        .store
        .list_units()
        .await?
        .iter()
        .map(|u| minijinja::context! { id => u.id, name => &u.name, selected => req.unit_id == Some(u.id as u64) })
        .collect();
    let total = results.as_ref().map_or(0, |r| r.total);
    let pages = total.div_ceil(PER_PAGE);
    let base = search_url(&q.q, &req, &[]);
    // each facet value links to the same search narrowed by it; a chosen one links back out
    let facet = |values: &[gongkai_search::FacetValue], key: &'static str, chosen: Option<u64>| {
        values
            .iter()
            .map(|v| {
                let on = chosen == Some(v.id);
                let value = if on { String::new() } else { v.id.to_string() };
                minijinja::context! {
                    name => &v.name, count => v.count, on,
                    href => search_url(&q.q, &req, &[(key, value)]),
                }
            })
            .collect::<Vec<_>>()
    };
    let facets = results.as_ref().map(|r| {
        vec![
            minijinja::context! { title => "发布机构", values => facet(&r.facets.units, "unit", req.unit_id) },
            minijinja::context! { title => "栏目", values => facet(&r.facets.categories, "category", req.category_id) },
            minijinja::context! { title => "成文年份", values => facet(&r.facets.years, "year", req.year) },
            minijinja::context! { title => "文种", values => facet(&r.facets.kinds, "kind", req.kind) },
        ]
    });
    let suggestions: Vec<minijinja::Value> = results
        .as_ref()
        .map(|r| {
            r.suggestions
                .iter()
                .map(|s| {
                    minijinja::context! {
                        query => &s.query, reason => &s.reason, total => s.total,
                        href => search_url(&s.query, &req, &[]),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    // what was searched for, when folding changed what was typed (Traditional, full-width)
    let searched_as = results.as_ref().and_then(|r| {
        let typed: Vec<&str> = q.q.split_whitespace().collect();
        (r.words.len() == typed.len() && r.words.iter().zip(&typed).any(|(w, t)| w != t))
            .then(|| r.words.join(" "))
    });
    let ctx = minijinja::context! {
        q => &q.q, units, year => req.year, by_date => req.sort == SortBy::Date, searched,
        hits => results.as_ref().map(|r| minijinja::Value::from(minijinja::value::Serde(&r.hits))),
        total, page, pages, base, facets, suggestions, searched_as,
        category => req.category_id, kind => req.kind,
        column => minijinja::context! { name => "搜索", description => "政府信息检索", keywords => "搜索,政府信息公开", kind => "搜索" },
    };
    Ok(render(
        &state,
        &headers,
        "search.html",
        "搜索",
        ctx,
        s.as_ref(),
    ))
}

/// `GET /api/v1/search`.
pub async fn api(
    State(state): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let (req, _) = request(&q)?;
    Ok(Json(run(&state, req).await?))
}
