//! Keeping this server's search index in step with the database.
//!
//! Publishing, revising and withdrawing write a row to the database's search outbox in the same
//! transaction. Each server remembers how far into the outbox its own index is (a file beside the
//! index) and applies what came after: items still public are (re)indexed, the rest removed. A
//! server calls [`Indexer::sync`] right after its own publications and every few seconds for
//! everyone else's, so several servers on one PostgreSQL database converge within seconds.

use gongkai_search::{IndexDoc, SearchIndex};
use gongkai_store::Store;
use gongkai_store::disclosure::PublishedRow;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Errors while indexing.
#[derive(Debug, thiserror::Error)]
pub enum IndexingError {
    /// The database.
    #[error(transparent)]
    Store(#[from] gongkai_store::StoreError),
    /// The index.
    #[error(transparent)]
    Search(#[from] gongkai_search::SearchError),
    /// The position file.
    #[error("索引位置文件错误：{0}")]
    Io(#[from] std::io::Error),
}

/// The index and its position in the outbox.
pub struct Indexer {
    /// The index.
    pub index: Arc<SearchIndex>,
    position_file: Option<PathBuf>,
    position: Mutex<i64>,
    generation: std::sync::atomic::AtomicU64,
}

/// Builds the index document of a published item.
pub fn index_doc(row: &PublishedRow, attachments: Option<&String>) -> IndexDoc {
    let ts = chrono::DateTime::parse_from_rfc3339(&row.published_at)
        .map(|t| t.timestamp())
        .unwrap_or(0);
    IndexDoc {
        id: row.id as u64,
        index_no: row.index_no.clone(),
        title: row.title.clone(),
        doc_no: row.doc_no.clone(),
        body: gongkai_search::indexed_body(
            &row.summary,
            &gongkai_domain::richtext::to_text(&row.body),
            attachments.map(String::as_str).unwrap_or(""),
        ),
        unit_id: row.unit_id as u64,
        unit_name: row.unit_name.clone(),
        category_id: row.category_id as u64,
        category_name: row.category_name.clone(),
        year: row
            .formed_on
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0),
        published_ts: ts,
        published_on: gongkai_domain::calendar::beijing_minutes(&row.published_at)
            .get(..10)
            .unwrap_or("")
            .to_string(),
    }
}

/// The index documents of the given items, read in bulk; ids not public are returned apart.
async fn docs_for(store: &Store, ids: &[i64]) -> Result<(Vec<IndexDoc>, Vec<u64>), IndexingError> {
    let rows = store.disclosure().published_rows(ids).await?;
    let texts = store.disclosure().published_attachment_text(ids).await?;
    let docs: Vec<IndexDoc> = rows
        .iter()
        .map(|r| index_doc(r, texts.get(&r.id)))
        .collect();
    let removed = ids
        .iter()
        .filter(|id| !rows.iter().any(|r| r.id == **id))
        .map(|id| *id as u64)
        .collect();
    Ok((docs, removed))
}

impl Indexer {
    /// Bumped whenever the public record this server shows changes (cached pages are then stale).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    fn bump(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// The outbox position applied so far, unless a sync is running right now.
    pub fn position(&self) -> Option<i64> {
        self.position.try_lock().ok().map(|p| *p)
    }

    /// An indexer over the index in `dir`, resuming from the position saved there.
    pub fn open(dir: &std::path::Path) -> Result<Indexer, IndexingError> {
        let index = SearchIndex::open(dir)?;
        let position_file = dir.join("outbox_position");
        let position = std::fs::read_to_string(&position_file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        Ok(Indexer {
            index: Arc::new(index),
            position_file: Some(position_file),
            position: Mutex::new(position),
            generation: Default::default(),
        })
    }

    /// An indexer over an in-memory index (starts from the beginning of the outbox).
    pub fn in_memory() -> Result<Indexer, IndexingError> {
        Ok(Indexer {
            index: Arc::new(SearchIndex::in_memory()?),
            position_file: None,
            position: Mutex::new(0),
            generation: Default::default(),
        })
    }

    async fn save(&self, position: i64) -> Result<(), IndexingError> {
        if let Some(f) = &self.position_file {
            let tmp = f.with_extension("tmp");
            tokio::fs::write(&tmp, position.to_string()).await?;
            tokio::fs::rename(&tmp, f).await?;
        }
        Ok(())
    }

    /// Applies every outbox entry after this index's position. Returns how many items changed.
    pub async fn sync(&self, store: &Store) -> Result<usize, IndexingError> {
        let mut position = self.position.lock().await;
        let mut changed = 0;
        loop {
            let batch = store.disclosure().outbox_after(*position, 500).await?;
            let Some(last) = batch.last().map(|(p, _)| *p) else {
                break;
            };
            let mut ids: Vec<i64> = batch.iter().map(|(_, id)| *id).collect();
            ids.sort_unstable();
            ids.dedup();
            let (upsert, remove) = docs_for(store, &ids).await?;
            changed += upsert.len() + remove.len();
            let index = self.index.clone();
            tokio::task::spawn_blocking(move || index.apply(&upsert, &remove))
                .await
                .map_err(|e| IndexingError::Io(std::io::Error::other(e.to_string())))??;
            *position = last;
            self.save(last).await?;
            self.bump();
        }
        Ok(changed)
    }

    /// Rebuilds the whole index from the database. `progress` is called after each batch with
    /// the number of items indexed so far.
    pub async fn rebuild(
        &self,
        store: &Store,
        mut progress: impl FnMut(usize),
    ) -> Result<usize, IndexingError> {
        let mut position = self.position.lock().await;
        let head = store.disclosure().outbox_max().await?;
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.clear())
            .await
            .map_err(|e| IndexingError::Io(std::io::Error::other(e.to_string())))??;
        let (mut after, mut done) = (0i64, 0usize);
        loop {
            let batch = store.disclosure().published_ids_after(after, 1000).await?;
            let Some(last) = batch.last().copied() else {
                break;
            };
            let (docs, _) = docs_for(store, &batch).await?;
            done += docs.len();
            let index = self.index.clone();
            tokio::task::spawn_blocking(move || index.apply(&docs, &[]))
                .await
                .map_err(|e| IndexingError::Io(std::io::Error::other(e.to_string())))??;
            progress(done);
            after = last;
        }
        *position = head;
        self.save(head).await?;
        self.bump();
        Ok(done)
    }
}
