//! CPU-heavy work off the request threads, bounded: file parsing, sanitising and password
//! hashing run on the blocking pool, at most one task per core at a time (others wait their
//! turn); searches are limited separately and answer 503 when too many run at once. A burst of
//! uploads, logins or searches then slows itself, not every other page.

use crate::error::AppError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The two limits.
#[derive(Debug, Clone)]
pub struct Cpu {
    heavy: Arc<Semaphore>,
    search: Arc<Semaphore>,
}

impl Default for Cpu {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Cpu {
            heavy: Arc::new(Semaphore::new(cores)),
            search: Arc::new(Semaphore::new(cores * 4)),
        }
    }
}

impl Cpu {
    /// Runs `f` on the blocking pool once a core's turn is free.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _turn = self
            .heavy
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(format!("cpu pool: {e}")))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| AppError::Internal(format!("cpu task: {e}")))
    }

    /// Runs a search on the blocking pool; when the searches already running do not leave
    /// room within 2 seconds, answers 503 (busy) instead of queueing without end.
    pub async fn search<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let turn =
            tokio::time::timeout(Duration::from_secs(2), self.search.clone().acquire_owned())
                .await
                .map_err(|_| AppError::Busy)?
                .map_err(|e| AppError::Internal(format!("search pool: {e}")))?;
        let out = tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| AppError::Internal(format!("search task: {e}")));
        drop(turn);
        out
    }
}
