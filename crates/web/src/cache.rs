//! A cache of rendered public pages for anonymous visitors. An entry is valid only for the
//! record generation it was rendered at ([`crate::indexing::Indexer::generation`]): any
//! publication, revision or withdrawal — by this server or, through the outbox, by another —
//! makes every cached page stale at once. Pages with a logged-in user are never cached.

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::RwLock;

/// The cache.
pub struct PageCache {
    entries: RwLock<HashMap<String, (u64, Bytes)>>,
    capacity: usize,
}

impl PageCache {
    /// A cache holding at most `capacity` pages.
    pub fn new(capacity: usize) -> PageCache {
        PageCache {
            entries: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    /// The page for `key` if it was rendered at `generation` (shared, not copied).
    pub fn get(&self, key: &str, generation: u64) -> Option<Bytes> {
        let map = self.entries.read().ok()?;
        map.get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, html)| html.clone())
    }

    /// Stores a page rendered at `generation`; when full, stale entries go first, then all.
    pub fn put(&self, key: String, generation: u64, html: Bytes) {
        if let Ok(mut map) = self.entries.write() {
            if map.len() >= self.capacity {
                map.retain(|_, (g, _)| *g == generation);
                if map.len() >= self.capacity {
                    map.clear();
                }
            }
            map.insert(key, (generation, html));
        }
    }
}

/// A cached public response: status 200, its headers and body.
#[derive(Clone)]
struct Cached {
    generation: u64,
    at: std::time::Instant,
    headers: axum::http::HeaderMap,
    body: Bytes,
}

/// Whole responses of the public pages anonymous visitors read most (home, unit list, unit
/// catalogs and categories, the list, item pages, guides, feeds, sitemaps), kept for the record
/// generation they were rendered at and at most `ttl` (the generation follows every
/// publication, revision and withdrawal; the time limit bounds how long a change that does not
/// move it — a unit's contact details, a new category — takes to show).
pub struct ResponseCache {
    /// The responses, and the bytes of their bodies (kept as they change, never recounted).
    entries: RwLock<(HashMap<String, Cached>, usize)>,
    /// Bytes the bodies may take together.
    budget: usize,
    ttl: std::time::Duration,
}

impl ResponseCache {
    /// A cache of responses whose bodies together take at most `budget` bytes, each kept at
    /// most `ttl`.
    pub fn new(budget: usize, ttl: std::time::Duration) -> ResponseCache {
        ResponseCache {
            entries: RwLock::new((HashMap::new(), 0)),
            budget,
            ttl,
        }
    }

    fn get(&self, key: &str, generation: u64) -> Option<Cached> {
        let entries = self.entries.read().ok()?;
        entries
            .0
            .get(key)
            .filter(|c| c.generation == generation && c.at.elapsed() < self.ttl)
            .cloned()
    }

    fn put(&self, key: String, c: Cached) {
        if self.ttl.is_zero() || c.body.len() > self.budget / 8 {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            let (map, used) = &mut *entries;
            if *used + c.body.len() > self.budget {
                let (generation, ttl) = (c.generation, self.ttl);
                map.retain(|_, e| e.generation == generation && e.at.elapsed() < ttl);
                // still full of live pages: drop the older half (deep pages come and go)
                if map.values().map(|e| e.body.len()).sum::<usize>() + c.body.len() > self.budget {
                    let mut ages: Vec<std::time::Instant> = map.values().map(|e| e.at).collect();
                    ages.sort_unstable();
                    if let Some(cut) = ages.get(ages.len() / 2).copied() {
                        map.retain(|_, e| e.at > cut);
                    }
                }
                *used = map.values().map(|e| e.body.len()).sum();
            }
            *used += c.body.len();
            if let Some(old) = map.insert(key, c) {
                *used -= old.body.len();
            }
        }
    }
}

/// Whether a path is one of the cached public pages.
fn cacheable(path: &str) -> bool {
    matches!(
        path,
        "/" | "/units" | "/list" | "/sitemap.xml" | "/robots.txt"
    ) || ["/units/", "/items/", "/feeds/", "/sitemaps/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Middleware: answers a cached public page from memory, or renders it and keeps it. Only
/// anonymous GETs (no session cookie) are cached, keyed by path, query and the display
/// preferences (large font, high contrast); only complete 200 responses without cookies.
pub async fn public_pages(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let key = (req.method() == axum::http::Method::GET
        && cacheable(req.uri().path())
        && crate::auth::cookie(req.headers(), crate::auth::SESSION_COOKIE).is_none())
    .then(|| {
        let (large, contrast) = crate::pages::prefs_key(req.headers());
        format!(
            "{}?{}|{}{}",
            req.uri().path(),
            req.uri().query().unwrap_or(""),
            u8::from(large),
            u8::from(contrast)
        )
    });
    let Some(key) = key else {
        return next.run(req).await;
    };
    let generation = state.indexer.generation();
    if let Some(c) = state.responses.get(&key, generation) {
        return (c.headers, c.body).into_response();
    }
    let resp = next.run(req).await;
    if resp.status() != axum::http::StatusCode::OK
        || resp.headers().contains_key(axum::http::header::SET_COOKIE)
        || resp.extensions().get::<crate::error::ErrorPage>().is_some()
    {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // public pages are small; a body that does not fit is sent as an error, not half-cached
    match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
        Ok(bytes) => {
            state.responses.put(
                key,
                Cached {
                    generation,
                    at: std::time::Instant::now(),
                    headers: parts.headers.clone(),
                    body: bytes.clone(),
                },
            );
            axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
        }
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A unit's public items per category: (category, count).
type CategoryCounts = Vec<(i64, i64)>;

/// The totals of public lists (the site, a unit, a category), counted once per record
/// generation: a deep page then costs its own rows only, not a count of a million.
#[derive(Default)]
pub struct CountCache {
    entries: std::sync::Mutex<HashMap<(i64, i64), (u64, i64)>>,
    by_category: std::sync::Mutex<HashMap<i64, (u64, CategoryCounts)>>,
}

impl CountCache {
    /// The total for (unit, category) at `generation`, if counted.
    pub fn get(&self, key: (i64, i64), generation: u64) -> Option<i64> {
        let map = self.entries.lock().ok()?;
        map.get(&key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, n)| *n)
    }

    /// A unit's public items per category at `generation`, if counted.
    pub fn categories(&self, unit_id: i64, generation: u64) -> Option<Vec<(i64, i64)>> {
        let map = self.by_category.lock().ok()?;
        map.get(&unit_id)
            .filter(|(g, _)| *g == generation)
            .map(|(_, v)| v.clone())
    }

    /// Keeps a unit's counts per category.
    pub fn put_categories(&self, unit_id: i64, generation: u64, counts: Vec<(i64, i64)>) {
        if let Ok(mut map) = self.by_category.lock() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(unit_id, (generation, counts));
        }
    }

    /// Keeps a total counted at `generation`.
    pub fn put(&self, key: (i64, i64), generation: u64, total: i64) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() > 100_000 {
                map.clear();
            }
            map.insert(key, (generation, total));
        }
    }
}

/// Sort keys (publication time, id) of rows of a list.
type Anchors = Vec<(String, i64)>;

/// Rows between two anchors of a deep list.
pub const ANCHOR_STEP: i64 = 1000;

/// Sort keys of every [`ANCHOR_STEP`]-th row of public lists, per record generation: the
/// anchors deep pages start from (`AppState::public_page`).
#[derive(Default)]
pub struct AnchorCache {
    entries: std::sync::Mutex<HashMap<(i64, i64), (u64, Anchors)>>,
}

impl AnchorCache {
    /// For a list at `generation`: how many anchors are known, anchor `k` if known (the sort key
    /// of row `(k + 1) * ANCHOR_STEP - 1`, counting from 0), and the last one known. Only these
    /// are copied, not the whole list.
    pub fn lookup(&self, key: (i64, i64), generation: u64, k: usize) -> AnchorLookup {
        let Ok(m) = self.entries.lock() else {
            return AnchorLookup::default();
        };
        match m.get(&key).filter(|(g, _)| *g == generation) {
            Some((_, v)) => AnchorLookup {
                known: v.len(),
                wanted: v.get(k).cloned(),
                last: v.last().cloned(),
            },
            None => AnchorLookup::default(),
        }
    }

    /// Appends anchors found after the first `known` of a list; ignored if the list changed
    /// meanwhile (another request extended it, or a new generation began).
    pub fn extend(&self, key: (i64, i64), generation: u64, known: usize, more: Anchors) {
        if let Ok(mut m) = self.entries.lock() {
            let entry = m.entry(key).or_insert_with(|| (generation, Vec::new()));
            if entry.0 != generation {
                *entry = (generation, Vec::new());
            }
            if entry.1.len() == known {
                entry.1.extend(more);
            }
            if m.len() > 10_000 {
                m.retain(|_, (g, _)| *g == generation);
            }
        }
    }
}

/// What [`AnchorCache::lookup`] found.
#[derive(Debug, Default)]
pub struct AnchorLookup {
    /// Anchors known.
    pub known: usize,
    /// The anchor asked for, if known.
    pub wanted: Option<(String, i64)>,
    /// The last anchor known (where to continue laying them down).
    pub last: Option<(String, i64)>,
}
