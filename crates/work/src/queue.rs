//! The one claim loop of the jobs table. Each kind of job ([`JobKind`]) says only what is
//! particular to it: its `kind`, its lease, what wakes it and how to perform one job. A job is
//! claimed with a lease (so several servers share one queue), performed, and its attempt
//! recorded by the kind's `perform` through `Store::jobs().finish_job`.

use gongkai_store::jobs::Job;
use gongkai_store::{Store, StoreError};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// A kind of job in the jobs table.
pub trait JobKind: Send + Sync + 'static {
    /// The `kind` column of its rows.
    const KIND: &'static str;
    /// This server's worker name (leases and the attempt log).
    fn worker(&self) -> &str;
    /// How long a claimed job stays leased to this worker before another may take it.
    fn lease(&self) -> chrono::Duration;
    /// What wakes the worker before its next poll (e.g. this server's own publication).
    fn wake_signal(&self) -> &Notify;
    /// Performs one claimed job and records its attempt (`Store::finish_job`).
    fn perform(
        &self,
        store: &Store,
        job: Job,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Performs every job of `K` that is due now, one after the other. Returns how many.
pub async fn run_due<K: JobKind>(kind: &K, store: &Store) -> Result<usize, StoreError> {
    let mut n = 0;
    loop {
        let now = chrono::Utc::now();
        let job = store
            .jobs()
            .claim_job(
                K::KIND,
                kind.worker(),
                &gongkai_store::time_text(now),
                &gongkai_store::time_text(now + kind.lease()),
            )
            .await?;
        let Some(job) = job else {
            return Ok(n);
        };
        kind.perform(store, job).await?;
        n += 1;
    }
}

/// Runs the worker of `K` until the task is dropped: every `poll`, or when woken.
pub async fn work<K: JobKind>(kind: Arc<K>, store: Store, poll: Duration) {
    loop {
        if let Err(e) = run_due(kind.as_ref(), &store).await {
            tracing::warn!(kind = K::KIND, error = %e, "job worker failed; will retry");
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = kind.wake_signal().notified() => {}
        }
    }
}
