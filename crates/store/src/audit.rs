//! The audit trail: appending entries inside the transaction of the change they record, listing
//! them, and verifying the whole hash chain.

use crate::{Actor, Backend, Result, Store, StoreError, now_text};
use gongkai_domain::audit::{
    AuditAction, AuditEntry, ChainError, ChainVerifier, GENESIS, entry_hash,
};
use sqlx::{Any, Transaction};

/// Advisory-lock key that serialises audit appends on PostgreSQL (SQLite serialises writers).
const AUDIT_LOCK: i64 = 0x0061_7564_6974;

/// What an audited change records besides its [`AuditAction`] (which also names the kind of
/// record): the unit, the record's id, its canonical text before and after, and a readable
/// summary. Written through [`crate::write::Write::record`], the one way to audit a change.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The unit the record belongs to.
    pub unit_id: Option<i64>,
    /// Id of the record.
    pub entity_id: String,
    /// Canonical text of the record before (empty: created).
    pub before: String,
    /// Canonical text of the record after.
    pub after: String,
    /// Readable summary.
    pub detail: String,
}

fn digest_or_empty(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        gongkai_domain::audit::digest(text)
    }
}

/// Takes the write-order lock until the transaction ends (PostgreSQL; SQLite has one writer at
/// a time anyway). Audited writes and search-outbox rows take it before they take a sequence
/// number, so those numbers become visible in order: a reader that has seen number n has seen
/// every number below it. Taking it twice in one transaction is harmless.
pub(crate) async fn lock_order(tx: &mut Transaction<'static, Any>, backend: Backend) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Appends one entry to the chain inside `tx`, in the same transaction as the change (called
/// only by [`crate::write::Write`]).
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    actor: &Actor,
    action: AuditAction,
    change: Record,
) -> Result<i64> {
    lock_order(tx, backend).await?;
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&mut **tx)
            .await?;
    let (prev_seq, prev_hash) = head.unwrap_or((0, GENESIS.to_string()));
    let mut e = AuditEntry {
        seq: prev_seq + 1,
        at: now_text(),
        actor_id: actor.id,
        actor: actor.name.clone(),
        unit_id: change.unit_id,
        action: action.code().to_string(),
        entity: action.entity().to_string(),
        entity_id: change.entity_id,
        before_digest: digest_or_empty(&change.before),
        after_digest: digest_or_empty(&change.after),
        detail: change.detail,
        prev_hash,
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor, unit_id, action, entity, entity_id, before_digest, after_digest, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(e.seq)
    .bind(&e.at)
    .bind(e.actor_id)
    .bind(&e.actor)
    .bind(e.unit_id)
    .bind(&e.action)
    .bind(&e.entity)
    .bind(&e.entity_id)
    .bind(&e.before_digest)
    .bind(&e.after_digest)
    .bind(&e.detail)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(e.seq)
    .bind(&e.hash)
    .execute(&mut **tx)
    .await?;
    Ok(e.seq)
}

/// Appends many entries inside `tx` with one read of the chain head, multi-row inserts and one
/// head update (bulk imports). Same chain as calling [`append`] for each, in order.
pub(crate) async fn append_many(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    actor: &Actor,
    changes: Vec<(AuditAction, Record)>,
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut **tx)
            .await?;
    }
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&mut **tx)
            .await?;
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
    let at = now_text();
    let mut entries = Vec::with_capacity(changes.len());
    for (action, change) in changes {
        seq += 1;
        let mut e = AuditEntry {
            seq,
            at: at.clone(),
            actor_id: actor.id,
            actor: actor.name.clone(),
            unit_id: change.unit_id,
            action: action.code().to_string(),
            entity: action.entity().to_string(),
            entity_id: change.entity_id,
            before_digest: digest_or_empty(&change.before),
            after_digest: digest_or_empty(&change.after),
            detail: change.detail,
            prev_hash: prev,
            hash: String::new(),
        };
        e.hash = entry_hash(&e);
        prev = e.hash.clone();
        entries.push(e);
    }
    for chunk in entries.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, actor_id, actor, unit_id, action, entity, entity_id, before_digest, after_digest, detail, prev_hash, hash) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            let b = i * 13;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11,
                b + 12,
                b + 13
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(e.seq)
                .bind(&e.at)
                .bind(e.actor_id)
                .bind(&e.actor)
                .bind(e.unit_id)
                .bind(&e.action)
                .bind(&e.entity)
                .bind(&e.entity_id)
                .bind(&e.before_digest)
                .bind(&e.after_digest)
                .bind(&e.detail)
                .bind(&e.prev_hash)
                .bind(&e.hash);
        }
        q.execute(&mut **tx).await?;
    }
    sqlx::query("INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")
        .bind(seq)
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    at: String,
    actor_id: Option<i64>,
    actor: String,
    unit_id: Option<i64>,
    action: String,
    entity: String,
    entity_id: String,
    before_digest: String,
    after_digest: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl From<Row> for AuditEntry {
    fn from(r: Row) -> Self {
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor: r.actor,
            unit_id: r.unit_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before_digest: r.before_digest,
            after_digest: r.after_digest,
            detail: r.detail,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

macro_rules! audit_columns {
    () => {
        "seq, at, actor_id, actor, unit_id, action, entity, entity_id, before_digest, after_digest, detail, prev_hash, hash"
    };
}

/// The outcome of verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: i64,
    /// The first problem, if any.
    pub problem: Option<ChainError>,
}

impl Store {
    /// Audit entries, newest first, optionally for one unit; `limit`/`offset` page through them.
    pub async fn list_audit(
        &self,
        unit_id: Option<i64>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditEntry>> {
        let rows: Vec<Row> = match unit_id {
            Some(u) => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    audit_columns!(),
                    " FROM audit_log WHERE unit_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3"
                ))
                .bind(u)
                .bind(limit)
                .bind(offset)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    audit_columns!(),
                    " FROM audit_log ORDER BY seq DESC LIMIT $1 OFFSET $2"
                ))
                .bind(limit)
                .bind(offset)
                .fetch_all(self.pool())
                .await?
            }
        };
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }

    /// Number of audit entries, optionally for one unit.
    pub async fn count_audit(&self, unit_id: Option<i64>) -> Result<i64> {
        let (n,): (i64,) = match unit_id {
            Some(u) => {
                sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE unit_id = $1")
                    .bind(u)
                    .fetch_one(self.pool())
                    .await?
            }
            None => {
                sqlx::query_as("SELECT COUNT(*) FROM audit_log")
                    .fetch_one(self.pool())
                    .await?
            }
        };
        Ok(n)
    }

    /// Walks the whole chain in pages and checks every link and hash and the recorded head.
    pub async fn verify_audit(&self) -> Result<VerifyReport> {
        let mut v = ChainVerifier::default();
        let mut after = 0i64;
        let mut entries = 0i64;
        loop {
            let rows: Vec<Row> = sqlx::query_as(concat!(
                "SELECT ",
                audit_columns!(),
                " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"
            ))
            .bind(after)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let e = AuditEntry::from(r);
                after = e.seq;
                if let Err(problem) = v.push(&e) {
                    return Ok(VerifyReport {
                        entries,
                        problem: Some(problem),
                    });
                }
                entries += 1;
            }
        }
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(self.pool())
                .await?;
        let problem = v.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))).err();
        Ok(VerifyReport { entries, problem })
    }

    /// Runs raw SQL against the store. Only for tests and tools that must simulate tampering;
    /// never used by the application.
    #[doc(hidden)]
    pub async fn execute_raw_for_tests(&self, sql: &str) -> Result<u64> {
        let r = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected())
    }
}

/// Explains a corrupt stored value.
pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
