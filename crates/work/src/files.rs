//! Where file bytes live: attachments, case documents, the files of applications, messages,
//! oversight notices and plan tasks — content-addressed by SHA-256, written once, never changed.
//!
//! - [`FileStore::Dir`]: a directory (`ab/abcdef…`), the default on SQLite (one server).
//! - [`FileStore::Database`]: the database itself (`store.files()`, chunked), the default on
//!   PostgreSQL, so that every server on the database reads every file. A file not found there
//!   is looked for in the old directory (a deployment that has not run `gongkai files migrate`
//!   yet), with a warning.
//!
//! Reads go out in pieces ([`FileStore::read`] sends them over a channel as they are read), so a
//! download or a migration never holds a whole file in memory.

use gongkai_store::Store;
use gongkai_store::files::CHUNK;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::mpsc;

/// Which kind of file store (`[files] store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The data directory's `files/`.
    Dir,
    /// The database.
    Database,
}

impl Kind {
    /// Parses `dir` or `database`.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "dir" => Some(Kind::Dir),
            "database" | "db" => Some(Kind::Database),
            _ => None,
        }
    }

    /// The name used in configuration and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dir => "dir",
            Kind::Database => "database",
        }
    }
}

/// What can go wrong storing or reading a file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The directory could not be written or read.
    #[error("文件存储读写失败（file store I/O）：{0}")]
    Io(#[from] std::io::Error),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] gongkai_store::StoreError),
    /// The bytes read do not hash to the file's name.
    #[error("文件内容与其哈希不符（file {0} is corrupt）")]
    Corrupt(String),
}

/// A file store. Cheap to clone.
#[derive(Debug, Clone)]
pub enum FileStore {
    /// A directory.
    Dir(PathBuf),
    /// The database, with the directory files were kept in before (read only, as a fallback).
    Database {
        /// The database.
        store: Store,
        /// The earlier directory.
        fallback: Option<PathBuf>,
    },
}

/// The size of a stored file, and where it is.
#[derive(Debug, Clone)]
pub struct Found {
    /// Length in bytes.
    pub size: u64,
    at: At,
}

#[derive(Debug, Clone)]
enum At {
    Path(PathBuf),
    Db(String),
}

fn dir_path(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(sha256.get(..2).unwrap_or("00")).join(sha256)
}

/// Whether `s` is a SHA-256 in lower-case hex (file names come from records and URLs).
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl FileStore {
    /// The store of `kind` on `store`, with `dir` as the directory (or the fallback).
    pub fn new(kind: Kind, store: &Store, dir: PathBuf) -> FileStore {
        match kind {
            Kind::Dir => FileStore::Dir(dir),
            Kind::Database => FileStore::Database {
                store: store.clone(),
                fallback: Some(dir),
            },
        }
    }

    /// Which kind this is.
    pub fn kind(&self) -> Kind {
        match self {
            FileStore::Dir(_) => Kind::Dir,
            FileStore::Database { .. } => Kind::Database,
        }
    }

    /// Stores `bytes` (nothing when a file with their hash is stored). Returns the hash.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, FileError> {
        match self {
            FileStore::Dir(dir) => {
                let hash = hex::encode(Sha256::digest(bytes));
                let path = dir_path(dir, &hash);
                if !path.exists() {
                    let sub = path.parent().unwrap_or(dir);
                    tokio::fs::create_dir_all(sub).await?;
                    let tmp = sub.join(format!("{hash}.tmp{}", std::process::id()));
                    tokio::fs::write(&tmp, bytes).await?;
                    tokio::fs::rename(&tmp, &path).await?;
                }
                Ok(hash)
            }
            FileStore::Database { store, .. } => Ok(store.files().put(bytes).await?),
        }
    }

    /// Where file `sha256` is and how long, or `None` when it is not stored.
    pub async fn find(&self, sha256: &str) -> Result<Option<Found>, FileError> {
        if !is_hash(sha256) {
            return Ok(None);
        }
        let in_dir = |dir: &Path| -> Option<Found> {
            let path = dir_path(dir, sha256);
            let meta = std::fs::metadata(&path).ok()?;
            Some(Found {
                size: meta.len(),
                at: At::Path(path),
            })
        };
        match self {
            FileStore::Dir(dir) => Ok(in_dir(dir)),
            FileStore::Database { store, fallback } => {
                if let Some(f) = store.files().info(sha256).await? {
                    return Ok(Some(Found {
                        size: f.size as u64,
                        at: At::Db(f.sha256),
                    }));
                }
                let found = fallback.as_deref().and_then(in_dir);
                if found.is_some() {
                    tracing::warn!(
                        sha256,
                        "file read from the data directory, not the database: run `gongkai files migrate --to database`"
                    );
                }
                Ok(found)
            }
        }
    }

    /// Sends bytes `start..end` of a found file in pieces over the returned channel (a read
    /// error ends it with the error). Reading stops when the receiver is dropped.
    pub fn read(
        &self,
        found: &Found,
        start: u64,
        end: u64,
    ) -> mpsc::Receiver<Result<Vec<u8>, FileError>> {
        let (tx, rx) = mpsc::channel(2);
        let (at, store) = (
            found.at.clone(),
            match self {
                FileStore::Database { store, .. } => Some(store.clone()),
                FileStore::Dir(_) => None,
            },
        );
        tokio::spawn(async move {
            let result = match (&at, store) {
                (At::Path(p), _) => send_from_path(p, start, end, &tx).await,
                (At::Db(h), Some(store)) => send_from_db(&store, h, start, end, &tx).await,
                (At::Db(_), None) => Ok(()),
            };
            if let Err(e) = result {
                let _ = tx.send(Err(e)).await;
            }
        });
        rx
    }

    /// Reads a whole file into memory (small files only: letters, a workbook to re-read).
    pub async fn read_all(&self, sha256: &str) -> Result<Option<Vec<u8>>, FileError> {
        let Some(found) = self.find(sha256).await? else {
            return Ok(None);
        };
        let mut rx = self.read(&found, 0, found.size);
        let mut out = Vec::with_capacity(found.size as usize);
        while let Some(piece) = rx.recv().await {
            out.extend_from_slice(&piece?);
        }
        Ok(Some(out))
    }

    /// Copies file `sha256` from `self` into `to`, streaming, and checks the copy's hash as it
    /// is written: `Ok(false)` when `to` had it already.
    pub async fn copy_to(&self, sha256: &str, to: &FileStore) -> Result<bool, FileError> {
        if to.find(sha256).await?.is_some() {
            return Ok(false);
        }
        let Some(found) = self.find(sha256).await? else {
            return Err(FileError::Corrupt(format!(
                "{sha256}（源中不存在 missing at the source）"
            )));
        };
        let mut rx = self.read(&found, 0, found.size);
        match to {
            FileStore::Database { store, .. } => {
                let Some(mut put) = store.files().begin_put(sha256).await? else {
                    return Ok(false);
                };
                while let Some(piece) = rx.recv().await {
                    put.write(&piece?).await?;
                }
                put.finish()
                    .await
                    .map_err(|_| FileError::Corrupt(sha256.to_string()))?;
            }
            FileStore::Dir(dir) => {
                use tokio::io::AsyncWriteExt;
                let path = dir_path(dir, sha256);
                let sub = path.parent().unwrap_or(dir);
                tokio::fs::create_dir_all(sub).await?;
                let tmp = sub.join(format!("{sha256}.tmp{}", std::process::id()));
                let mut f = tokio::fs::File::create(&tmp).await?;
                let mut hasher = Sha256::new();
                while let Some(piece) = rx.recv().await {
                    let piece = piece?;
                    hasher.update(&piece);
                    f.write_all(&piece).await?;
                }
                f.sync_all().await?;
                drop(f);
                if hex::encode(hasher.finalize()) != sha256 {
                    let _ = tokio::fs::remove_file(&tmp).await;
                    return Err(FileError::Corrupt(sha256.to_string()));
                }
                tokio::fs::rename(&tmp, &path).await?;
            }
        }
        Ok(true)
    }

    /// Reads file `sha256` through and checks that it hashes to its name.
    pub async fn verify(&self, sha256: &str) -> Result<bool, FileError> {
        let Some(found) = self.find(sha256).await? else {
            return Ok(false);
        };
        let mut rx = self.read(&found, 0, found.size);
        let mut hasher = Sha256::new();
        while let Some(piece) = rx.recv().await {
            hasher.update(&piece?);
        }
        Ok(hex::encode(hasher.finalize()) == sha256)
    }

    /// The hashes this store holds, in order: the directory's file names, or the database's
    /// headers.
    pub async fn hashes(&self) -> Result<Vec<String>, FileError> {
        match self {
            FileStore::Dir(dir) => {
                let mut out = Vec::new();
                let Ok(mut subs) = std::fs::read_dir(dir) else {
                    return Ok(out);
                };
                while let Some(Ok(sub)) = subs.next() {
                    if let Ok(files) = std::fs::read_dir(sub.path()) {
                        for f in files.flatten() {
                            let name = f.file_name().to_string_lossy().into_owned();
                            if is_hash(&name) {
                                out.push(name);
                            }
                        }
                    }
                }
                out.sort();
                Ok(out)
            }
            FileStore::Database { store, .. } => {
                let mut out = Vec::new();
                let mut after = String::new();
                loop {
                    let page = store.files().list(&after, 1000).await?;
                    let Some(last) = page.last() else { break };
                    after = last.sha256.clone();
                    out.extend(page.into_iter().map(|f| f.sha256));
                }
                Ok(out)
            }
        }
    }
}

type Sender = mpsc::Sender<Result<Vec<u8>, FileError>>;

async fn send_from_path(path: &Path, start: u64, end: u64, tx: &Sender) -> Result<(), FileError> {
    let mut f = tokio::fs::File::open(path).await?;
    f.seek(std::io::SeekFrom::Start(start)).await?;
    let mut left = end.saturating_sub(start);
    while left > 0 {
        let mut buf = vec![0; (left as usize).min(64 * 1024)];
        let n = f.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        buf.truncate(n);
        left -= n as u64;
        if tx.send(Ok(buf)).await.is_err() {
            break;
        }
    }
    Ok(())
}

async fn send_from_db(
    store: &Store,
    sha256: &str,
    start: u64,
    end: u64,
    tx: &Sender,
) -> Result<(), FileError> {
    let chunk = CHUNK as u64;
    let mut seq = start / chunk;
    while seq * chunk < end {
        let data = store.files().chunk(sha256, seq as i64).await?;
        let base = seq * chunk;
        let from = start.saturating_sub(base) as usize;
        let to = ((end - base) as usize).min(data.len());
        if from < to && tx.send(Ok(data[from..to].to_vec())).await.is_err() {
            break;
        }
        seq += 1;
    }
    Ok(())
}
