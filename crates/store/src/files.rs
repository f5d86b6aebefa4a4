//! File bytes kept in the database, content-addressed: the shared file store of several servers
//! on one PostgreSQL database (and available on SQLite, where the data directory is the default).
//!
//! A file is written in fixed-size chunks ([`CHUNK`]) inside one transaction, header last, and
//! checked against its SHA-256 before the commit ([`FilePut::finish`]); a file already present is
//! not written again (deduplicated by hash, also between two servers writing the same file at
//! once). Reading goes chunk by chunk, so neither side holds a whole file in memory. Rows are
//! never changed or removed: the records that name a hash (attachments, case documents, …) are
//! the audited part.

use crate::{Result, Store, StoreError, Unrecorded, now_text};
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

/// Bytes per stored chunk (256 KiB): large enough that a file of a few MB is a handful of rows,
/// small enough that a range request reads little more than it sends.
pub const CHUNK: usize = 256 * 1024;

/// The stored-files repository. Reached as `store.files()`.
#[derive(Clone, Copy)]
pub struct Files<'a>(&'a Store);

impl Store {
    /// The stored-files repository.
    pub fn files(&self) -> Files<'_> {
        Files(self)
    }
}

/// A stored file's header.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredFile {
    /// The SHA-256 of the bytes, lower-case hex: the file's name.
    pub sha256: String,
    /// Length in bytes.
    pub size: i64,
    /// Number of chunks.
    pub chunks: i64,
    /// When it was stored.
    pub stored_at: String,
}

/// A file being written: chunks go in as they come, the hash is checked at the end.
pub struct FilePut {
    tx: Transaction<'static, Any>,
    sha256: String,
    hasher: Sha256,
    buf: Vec<u8>,
    seq: i64,
    size: i64,
}

impl Files<'_> {
    /// The header of a stored file.
    pub async fn info(&self, sha256: &str) -> Result<Option<StoredFile>> {
        Ok(sqlx::query_as(
            "SELECT sha256, size, chunks, stored_at FROM stored_files WHERE sha256 = $1",
        )
        .bind(sha256)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// Starts writing the file named `sha256`; `None` when it is stored already.
    pub async fn begin_put(&self, sha256: &str) -> Result<Option<FilePut>> {
        if self.info(sha256).await?.is_some() {
            return Ok(None);
        }
        Ok(Some(FilePut {
            tx: self.0.unrecorded(Unrecorded::FileBytes).await?,
            sha256: sha256.to_string(),
            hasher: Sha256::new(),
            buf: Vec::with_capacity(CHUNK),
            seq: 0,
            size: 0,
        }))
    }

    /// Stores `bytes` under their hash (nothing when present). Returns the hash.
    pub async fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        if let Some(mut put) = self.begin_put(&sha256).await? {
            put.write(bytes).await?;
            put.finish().await?;
        }
        Ok(sha256)
    }

    /// Chunk `seq` (0-based) of a stored file.
    pub async fn chunk(&self, sha256: &str, seq: i64) -> Result<Vec<u8>> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT data FROM stored_file_chunks WHERE sha256 = $1 AND seq = $2")
                .bind(sha256)
                .bind(seq)
                .fetch_optional(self.0.pool())
                .await?;
        row.map(|(d,)| d)
            .ok_or_else(|| StoreError::Corrupt(format!("file {sha256} lacks chunk {seq}")))
    }

    /// Stored files in hash order after `after`, at most `limit`: for migration and checks.
    pub async fn list(&self, after: &str, limit: i64) -> Result<Vec<StoredFile>> {
        Ok(sqlx::query_as(
            "SELECT sha256, size, chunks, stored_at FROM stored_files WHERE sha256 > $1 ORDER BY sha256 LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Every hash a record names (attachments, case documents, the files of applications,
    /// messages, oversight notices and plan tasks), in order, once each: what a file store must
    /// hold for the records to be whole.
    pub async fn referenced(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT sha256 FROM attachments UNION SELECT sha256 FROM case_documents \
             UNION SELECT sha256 FROM application_files UNION SELECT sha256 FROM message_files \
             UNION SELECT sha256 FROM oversight_notice_files UNION SELECT sha256 FROM plan_task_files \
             ORDER BY 1",
        )
        .fetch_all(self.0.pool())
        .await?;
        Ok(rows.into_iter().map(|(h,)| h).collect())
    }
}

impl FilePut {
    /// Appends bytes; full chunks are written as they fill.
    pub async fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        self.hasher.update(bytes);
        self.size += bytes.len() as i64;
        while !bytes.is_empty() {
            let take = (CHUNK - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buf.len() == CHUNK {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        // on the transaction `begin_put` opened with `unrecorded(Unrecorded::FileBytes)`
        sqlx::query(
            "INSERT INTO stored_file_chunks (sha256, seq, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(&self.sha256)
        .bind(self.seq)
        .bind(&self.buf[..])
        .execute(&mut *self.tx)
        .await?;
        self.seq += 1;
        self.buf.clear();
        Ok(())
    }

    /// Writes the last chunk and the header and commits, if the bytes hash to the name given;
    /// otherwise nothing is stored.
    pub async fn finish(mut self) -> Result<StoredFile> {
        let got = hex::encode(std::mem::take(&mut self.hasher).finalize());
        if got != self.sha256 {
            return Err(StoreError::Corrupt(format!(
                "file named {} hashes to {got}: not stored",
                self.sha256
            )));
        }
        if !self.buf.is_empty() || self.seq == 0 {
            self.flush().await?;
        }
        // the header, last, on the transaction opened with `unrecorded(Unrecorded::FileBytes)`
        let file = StoredFile {
            sha256: self.sha256.clone(),
            size: self.size,
            chunks: self.seq,
            stored_at: now_text(),
        };
        sqlx::query(
            "INSERT INTO stored_files (sha256, size, chunks, stored_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&file.sha256)
        .bind(file.size)
        .bind(file.chunks)
        .bind(&file.stored_at)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(file)
    }
}
