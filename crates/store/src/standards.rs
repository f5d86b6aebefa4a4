//! The standard disclosure catalog of grassroots government affairs (基层政务公开标准目录):
//! entries imported from spreadsheets, matched by (area, matter, sub_matter), versions kept in
//! the audit trail, retired rather than deleted.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::standard::StandardEntry;
use serde::Serialize;

/// The standard catalog's repository (基层政务公开标准目录 entries). Reached as `store.standards()`.
#[derive(Clone, Copy)]
pub struct Standards<'a>(&'a Store);

impl Store {
    /// The standard catalog's repository (基层政务公开标准目录 entries).
    pub fn standards(&self) -> Standards<'_> {
        Standards(self)
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEntry {
    /// Id.
    pub id: i64,
    /// The entry.
    pub entry: StandardEntry,
    /// Last change.
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    area: String,
    seq: i64,
    matter: String,
    sub_matter: String,
    content: String,
    basis: String,
    time_limit: String,
    subject: String,
    channels: String,
    to_public: i64,
    to_specific: i64,
    proactive: i64,
    on_request: i64,
    county_level: i64,
    township_level: i64,
    retired_at: Option<String>,
    updated_at: String,
}

impl From<Row> for StoredEntry {
    fn from(r: Row) -> Self {
        StoredEntry {
            id: r.id,
            entry: StandardEntry {
                area: r.area,
                seq: r.seq,
                matter: r.matter,
                sub_matter: r.sub_matter,
                content: r.content,
                basis: r.basis,
                time_limit: r.time_limit,
                subject: r.subject,
                channels: r
                    .channels
                    .split('、')
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
                to_public: r.to_public == 1,
                to_specific: r.to_specific == 1,
                proactive: r.proactive == 1,
                on_request: r.on_request == 1,
                county_level: r.county_level == 1,
                township_level: r.township_level == 1,
            },
            updated_at: r.updated_at,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// New entries.
    pub added: usize,
    /// Existing entries whose content changed (or that were retired and came back).
    pub updated: usize,
    /// Existing entries that were already the same.
    pub unchanged: usize,
}

/// Binds an entry's content as `$1`–`$12` (seq, content, basis, time limit, subject, channels,
/// then the six flags), the same for inserting and updating.
macro_rules! bind_content {
    ($query:expr, $e:expr) => {
        $query
            .bind($e.seq)
            .bind(&$e.content)
            .bind(&$e.basis)
            .bind(&$e.time_limit)
            .bind(&$e.subject)
            .bind($e.channels.join("、"))
            .bind(i64::from($e.to_public))
            .bind(i64::from($e.to_specific))
            .bind(i64::from($e.proactive))
            .bind(i64::from($e.on_request))
            .bind(i64::from($e.county_level))
            .bind(i64::from($e.township_level))
    };
}

const COLUMNS: &str = "id, area, seq, matter, sub_matter, content, basis, time_limit, subject, channels, \
    to_public, to_specific, proactive, on_request, county_level, township_level, retired_at, updated_at";

impl Standards<'_> {
    /// Imports entries (already validated) in one transaction: new keys are added, known keys
    /// updated where they differ; each change is audited with the entry's before and after.
    pub async fn import_standard_entries(
        &self,
        actor: &Actor,
        entries: &[StandardEntry],
    ) -> Result<ImportSummary> {
        let now = now_text();
        let mut summary = ImportSummary::default();
        let mut changes = Vec::new();
        let mut tx = self.0.write(actor).await?;
        for e in entries {
            let existing: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM standard_entries WHERE area = $1 AND matter = $2 AND sub_matter = $3"
            )))
            .bind(&e.area)
            .bind(&e.matter)
            .bind(&e.sub_matter)
            .fetch_optional(&mut *tx)
            .await?;
            match existing {
                None => {
                    let (id,): (i64,) = bind_content!(
                        sqlx::query_as(
                            "INSERT INTO standard_entries (seq, content, basis, time_limit, subject, channels, \
                             to_public, to_specific, proactive, on_request, county_level, township_level, \
                             area, matter, sub_matter, created_by, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
                        ),
                        e
                    )
                    .bind(&e.area)
                    .bind(&e.matter)
                    .bind(&e.sub_matter)
                    .bind(&actor.name)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?;
                    summary.added += 1;
                    changes.push((
                        AuditAction::StandardAdd,
                        Record {
                            entity_id: id.to_string(),
                            after: e.canonical(),
                            detail: format!("标准目录新增：{}／{}", e.area, e.matter),
                            ..Record::default()
                        },
                    ));
                }
                Some(row) => {
                    let id = row.id;
                    let retired = row.retired_at.clone();
                    let before = StoredEntry::from(row).entry;
                    if before == *e && retired.is_none() {
                        summary.unchanged += 1;
                        continue;
                    }
                    bind_content!(
                        sqlx::query(
                            "UPDATE standard_entries SET seq = $1, content = $2, basis = $3, time_limit = $4, subject = $5, channels = $6, \
                             to_public = $7, to_specific = $8, proactive = $9, on_request = $10, county_level = $11, township_level = $12, \
                             retired_at = NULL, updated_at = $13 WHERE id = $14",
                        ),
                        e
                    )
                    .bind(&now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    summary.updated += 1;
                    changes.push((
                        AuditAction::StandardUpdate,
                        Record {
                            entity_id: id.to_string(),
                            before: before.canonical(),
                            after: e.canonical(),
                            detail: format!("标准目录更新：{}／{}", e.area, e.matter),
                            ..Record::default()
                        },
                    ));
                }
            }
        }
        tx.record_many(changes).await?;
        tx.finish().await?;
        Ok(summary)
    }

    /// One page of the current entries (not retired), by area and sequence; one area or all.
    pub async fn standard_entries_page(
        &self,
        area: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredEntry>> {
        let rows: Vec<Row> = match area {
            Some(a) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM standard_entries WHERE retired_at IS NULL AND area = $1 ORDER BY seq, id LIMIT $2 OFFSET $3"
                )))
                .bind(a)
                .bind(limit)
                .bind(offset)
                .fetch_all(self.0.pool())
                .await?
            }
            None => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM standard_entries WHERE retired_at IS NULL ORDER BY area, seq, id LIMIT $1 OFFSET $2"
                )))
                .bind(limit)
                .bind(offset)
                .fetch_all(self.0.pool())
                .await?
            }
        };
        Ok(rows.into_iter().map(StoredEntry::from).collect())
    }

    /// Current entries (not retired), by area and sequence; one area or all.
    pub async fn standard_entries(&self, area: Option<&str>) -> Result<Vec<StoredEntry>> {
        let rows: Vec<Row> = match area {
            Some(a) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM standard_entries WHERE retired_at IS NULL AND area = $1 ORDER BY seq, id"
                )))
                .bind(a)
                .fetch_all(self.0.pool())
                .await?
            }
            None => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM standard_entries WHERE retired_at IS NULL ORDER BY area, seq, id"
                )))
                .fetch_all(self.0.pool())
                .await?
            }
        };
        Ok(rows.into_iter().map(StoredEntry::from).collect())
    }

    /// The areas with current entries and how many each has.
    pub async fn standard_areas(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT area, COUNT(*) FROM standard_entries WHERE retired_at IS NULL GROUP BY area ORDER BY area",
        )
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Retires an entry (it stays on record; importing it again brings it back). Audited.
    pub async fn retire_standard_entry(&self, actor: &Actor, id: i64) -> Result<()> {
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM standard_entries WHERE id = $1 AND retired_at IS NULL"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(format!("标准目录条目 {id}")));
        };
        let entry = StoredEntry::from(row).entry;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        sqlx::query("UPDATE standard_entries SET retired_at = $1, updated_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::StandardRetire,
            Record {
                entity_id: id.to_string(),
                before: entry.canonical(),
                detail: format!("标准目录停用：{}／{}", entry.area, entry.matter),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
