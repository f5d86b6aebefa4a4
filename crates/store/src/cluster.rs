//! Several servers on one database: leases for work that runs in one server at a time, and the
//! change notifications (PostgreSQL `LISTEN`/`NOTIFY`) that wake other servers at once.
//!
//! A lease is a row (`leases`): its holder does the named work until `expires_at`. The holder
//! renews it well before; a server that stops releases it; a server that dies leaves it to
//! expire, after which any server takes it. Times are the servers' clocks, so the lease time
//! must exceed their skew by a wide margin (NTP keeps it to milliseconds).
//!
//! Notifications are a wake-up only: the search outbox stays the source of truth, and a server
//! that misses one (its listening connection dropped) catches up at the next poll.

use crate::{Backend, Result, Store, Unrecorded, time_text};
use chrono::{DateTime, Utc};

/// The channel every outbox change is announced on.
pub const CHANGES_CHANNEL: &str = "gongkai_changes";

/// The lease repository. Reached as `store.leases()`.
#[derive(Clone, Copy)]
pub struct Leases<'a>(&'a Store);

impl Store {
    /// The lease repository.
    pub fn leases(&self) -> Leases<'_> {
        Leases(self)
    }
}

/// A lease as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Lease {
    /// The work it covers.
    pub name: String,
    /// The server holding it.
    pub holder: String,
    /// Until when (RFC 3339 UTC).
    pub expires_at: String,
    /// When this holder took it.
    pub acquired_at: String,
    /// When this holder last renewed it.
    pub renewed_at: String,
}

impl Leases<'_> {
    /// Takes or renews lease `name` for `holder` until `now + ttl`, if it is free, expired or
    /// already `holder`'s. Returns whether `holder` holds it now.
    pub async fn acquire(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> Result<bool> {
        let (at, until) = (time_text(now), time_text(now + ttl));
        let pool = self.0.unrecorded_pool(Unrecorded::Lease);
        let renewed = sqlx::query(
            "UPDATE leases SET holder = $1, expires_at = $2, renewed_at = $3, \
             acquired_at = CASE WHEN holder = $1 THEN acquired_at ELSE $3 END \
             WHERE name = $4 AND (holder = $1 OR expires_at < $3)",
        )
        .bind(holder)
        .bind(&until)
        .bind(&at)
        .bind(name)
        .execute(pool)
        .await?
        .rows_affected();
        if renewed > 0 {
            return Ok(true);
        }
        let inserted = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at, acquired_at, renewed_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING",
        )
        .bind(name)
        .bind(holder)
        .bind(&until)
        .bind(&at)
        .execute(pool)
        .await?
        .rows_affected();
        Ok(inserted > 0)
    }

    /// Gives lease `name` up if `holder` has it (a server stopping): another server may take
    /// it at once.
    pub async fn release(&self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("UPDATE leases SET expires_at = $1 WHERE name = $2 AND holder = $3")
            .bind(time_text(DateTime::<Utc>::UNIX_EPOCH))
            .bind(name)
            .bind(holder)
            .execute(self.0.unrecorded_pool(Unrecorded::Lease))
            .await?;
        Ok(())
    }

    /// Every lease, by name.
    pub async fn all(&self) -> Result<Vec<Lease>> {
        Ok(sqlx::query_as(
            "SELECT name, holder, expires_at, acquired_at, renewed_at FROM leases ORDER BY name",
        )
        .fetch_all(self.0.pool())
        .await?)
    }
}

/// Announces, in the transaction `tx`, that the search outbox has new rows: on PostgreSQL a
/// `NOTIFY`, delivered to every listening server when (and only if) the transaction commits.
/// Nothing on SQLite (one server).
pub(crate) async fn announce(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANGES_CHANNEL)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Announces a change to the other servers outside any transaction (after a commit whose
    /// change does not go through the search outbox: the power list's public pages). Nothing on
    /// SQLite.
    pub async fn announce_change(&self) -> Result<()> {
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(CHANGES_CHANNEL)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }
}

/// A PostgreSQL connection listening for [`CHANGES_CHANNEL`].
pub struct ChangeListener(sqlx::postgres::PgListener);

impl ChangeListener {
    /// Waits for the next change announcement. An error means the connection broke: the
    /// caller falls back to polling and connects again later.
    pub async fn next(&mut self) -> Result<()> {
        self.0.recv().await?;
        Ok(())
    }
}

impl Store {
    /// A listener for other servers' changes, on PostgreSQL (`None` on SQLite, where one
    /// server is the only writer). Opens its own connection to the store's database.
    pub async fn listen(&self) -> Result<Option<ChangeListener>> {
        let Some(url) = self.url.as_deref() else {
            return Ok(None);
        };
        let mut l = sqlx::postgres::PgListener::connect(url).await?;
        l.listen(CHANGES_CHANNEL).await?;
        Ok(Some(ChangeListener(l)))
    }
}
