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
