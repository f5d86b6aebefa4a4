//! The one way a store function changes state.
//!
//! [`Store::write`] opens the transaction of an audited change: the function reads what it must
//! check, makes guarded updates (`… WHERE state = …`, so a race cannot skip the check), records
//! what it did with [`Write::record`] (a typed [`AuditAction`], one record format) and commits
//! with [`Write::commit`], which refuses to commit a transaction that recorded nothing: a state
//! change cannot reach the database without its audit entry. Dropping a `Write` without
//! committing rolls it back.
//!
//! The few writes that are not part of the public record (sessions, login attempts, job leases,
//! the watch list of the alert scan) go through [`Store::unrecorded`] / [`Store::unrecorded_pool`],
//! which name the reason ([`Unrecorded`]). The tidy test checks that no other store code writes.

use crate::audit::{Record, append, append_many};
use crate::{Actor, Backend, Result, Store, StoreError};
use gongkai_domain::audit::AuditAction;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use std::ops::{Deref, DerefMut};

/// An open, audited write transaction. Statements run on it as on a connection
/// (`.execute(&mut *w)`); helpers that take the transaction get [`Write::tx`].
pub struct Write<'a> {
    tx: Transaction<'static, Any>,
    backend: Backend,
    actor: &'a Actor,
    recorded: usize,
}

/// Why a write is not part of the public record, and so not audited. Each reason is a promise
/// about what the write touches; it is named where the write happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unrecorded {
    /// Sign-in attempts: a throttle counter, purged after the window (they would flood the trail
    /// with every failed guess; the successful sign-in is audited as `auth.login`).
    LoginAttempt,
    /// The purge of expired sessions and old login attempts.
    SessionUpkeep,
    /// An API token's last-used time (a statistic; issuing and revoking are audited).
    TokenUse,
    /// The used TOTP time step of an account (replay protection, not a change of the account).
    TotpStep,
    /// Claiming, finishing and logging job attempts: the queue's own bookkeeping, visible to
    /// staff in the delivery log (queuing is part of the audited change that caused it).
    JobQueue,
    /// The e-supervision watch lists: when a case's, an application's or a message's alert
    /// level is next due (derived from it; the alerts themselves are audited).
    CaseWatch,
    /// Availability probes of the inspected sites: monitoring measurements, many a day (an
    /// inspection that judges them is audited).
    SiteProbe,
    /// File bytes stored by hash: immutable, never removed, named by audited records (an
    /// attachment, a case document, …) whose own writes are the record.
    FileBytes,
    /// Leases of the work that runs in one server at a time: coordination between servers.
    Lease,
}

impl Store {
    /// Opens an audited write for `actor`. See the module documentation.
    pub(crate) async fn write<'a>(&self, actor: &'a Actor) -> Result<Write<'a>> {
        Ok(Write {
            tx: self.begin().await?,
            backend: self.backend(),
            actor,
            recorded: 0,
        })
    }

    /// Opens a transaction for a write that is not part of the public record, naming why.
    pub(crate) async fn unrecorded(&self, why: Unrecorded) -> Result<Transaction<'static, Any>> {
        let _ = why;
        self.begin().await
    }

    /// The pool, for a single-statement write that is not part of the public record.
    pub(crate) fn unrecorded_pool(&self, why: Unrecorded) -> &AnyPool {
        let _ = why;
        self.pool()
    }
}

impl Write<'_> {
    /// Records one change in the audit trail, in this transaction. Returns its sequence number.
    pub(crate) async fn record(&mut self, action: AuditAction, record: Record) -> Result<i64> {
        let seq = append(&mut self.tx, self.backend, self.actor, action, record).await?;
        self.recorded += 1;
        Ok(seq)
    }

    /// Records many changes at once (bulk imports): one read of the chain head, multi-row
    /// inserts. Same chain as calling [`Write::record`] for each, in order.
    pub(crate) async fn record_many(&mut self, records: Vec<(AuditAction, Record)>) -> Result<()> {
        let n = records.len();
        append_many(&mut self.tx, self.backend, self.actor, records).await?;
        self.recorded += n;
        Ok(())
    }

    /// The transaction, for helpers that take one.
    pub(crate) fn tx(&mut self) -> &mut Transaction<'static, Any> {
        &mut self.tx
    }

    /// The actor the change is recorded for.
    pub(crate) fn actor(&self) -> &Actor {
        self.actor
    }

    /// The database engine the transaction runs on.
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Commits the change with its audit entries. Refuses (and rolls back) when nothing was
    /// recorded: that is a bug in the calling function, never a user error.
    pub(crate) async fn commit(self) -> Result<()> {
        if self.recorded == 0 {
            self.tx.rollback().await?;
            return Err(StoreError::Unaudited);
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// Ends a write that turned out to change nothing (e.g. a scan that found no alert to
    /// raise): commits what was recorded, or rolls back when nothing was.
    pub(crate) async fn finish(self) -> Result<()> {
        if self.recorded == 0 {
            self.tx.rollback().await?;
        } else {
            self.tx.commit().await?;
        }
        Ok(())
    }
}

impl Write<'_> {
    /// Commits a write whose only change, when nothing was recorded, is of the unrecorded kind
    /// `why` (e.g. the alert scan moving its watch list on when it raised no alert).
    pub(crate) async fn commit_derived(self, why: Unrecorded) -> Result<()> {
        let _ = why;
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for Write<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Write<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ConnectOptions;

    async fn store() -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("gongkai_write_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(ConnectOptions::new(&crate::sqlite_url_for_dir(&dir)))
            .await
            .unwrap();
        (store, dir)
    }

    async fn units(store: &Store) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM units")
            .fetch_one(store.pool())
            .await
            .unwrap();
        n
    }

    #[tokio::test]
    async fn a_change_without_its_record_is_refused_and_a_recorded_one_commits() {
        let (store, dir) = store().await;
        let actor = Actor::system("test");
        let insert = "INSERT INTO units (parent_id, name, unit_type, code, uscc, created_at, updated_at) \
                      VALUES (NULL, 'x', 'district', 'X', '', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')";

        let mut w = store.write(&actor).await.unwrap();
        sqlx::query(insert).execute(&mut *w).await.unwrap();
        assert!(matches!(w.commit().await, Err(StoreError::Unaudited)));
        assert_eq!(
            units(&store).await,
            0,
            "the unrecorded change was rolled back"
        );

        let mut w = store.write(&actor).await.unwrap();
        sqlx::query(insert).execute(&mut *w).await.unwrap();
        w.record(
            AuditAction::UnitCreate,
            Record {
                entity_id: "1".into(),
                detail: "test".into(),
                ..Record::default()
            },
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        assert_eq!(units(&store).await, 1);
        let trail = store.list_audit(None, 10, 0).await.unwrap();
        assert_eq!(trail[0].action, "unit.create");
        assert_eq!(trail[0].entity, "unit");

        // finish(): nothing recorded means nothing kept.
        let mut w = store.write(&actor).await.unwrap();
        sqlx::query("UPDATE units SET name = 'y'")
            .execute(&mut *w)
            .await
            .unwrap();
        w.finish().await.unwrap();
        let (name,): (String,) = sqlx::query_as("SELECT name FROM units")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(name, "x");
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
