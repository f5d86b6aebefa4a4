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
    /// A pool with `heavy` turns for CPU work and `search` for searches.
    pub fn with_limits(heavy: usize, search: usize) -> Self {
        Cpu {
            heavy: Arc::new(Semaphore::new(heavy.max(1))),
            search: Arc::new(Semaphore::new(search.max(1))),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Heavy work waits its turn: never more tasks at once than turns.
    #[tokio::test]
    async fn heavy_work_takes_turns() {
        let cpu = Cpu::with_limits(1, 1);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let task = |running: Arc<AtomicUsize>, most: Arc<AtomicUsize>| {
            move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(150));
                running.fetch_sub(1, Ordering::SeqCst);
            }
        };
        let (a, b) = (cpu.clone(), cpu.clone());
        let first = tokio::spawn({
            let t = task(running.clone(), most.clone());
            async move { a.run(t).await }
        });
        let second = tokio::spawn({
            let t = task(running.clone(), most.clone());
            async move { b.run(t).await }
        });
        first.await.unwrap().unwrap();
        second.await.unwrap().unwrap();
        assert_eq!(most.load(Ordering::SeqCst), 1, "one turn at a time");
    }

    /// While heavy work blocks, the runtime's only thread stays free: the work waits for a
    /// signal this thread sends after the work has started (were the work on this thread, the
    /// signal could never be sent and the work would give up after 10 s).
    #[tokio::test(flavor = "current_thread")]
    async fn heavy_work_leaves_the_request_thread_free() {
        let cpu = Cpu::with_limits(1, 1);
        let (started_tx, started) = tokio::sync::oneshot::channel::<()>();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let work = tokio::spawn(async move {
            cpu.run(move || {
                let _ = started_tx.send(());
                wait.recv_timeout(Duration::from_secs(10)).is_ok()
            })
            .await
        });
        started.await.unwrap();
        go.send(()).unwrap();
        assert!(
            work.await.unwrap().unwrap(),
            "the signal reached the blocked work"
        );
    }

    /// A search that finds no free turn within 2 s answers busy instead of queueing.
    #[tokio::test]
    async fn searches_beyond_the_limit_answer_busy() {
        let cpu = Cpu::with_limits(1, 1);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let holder = {
            let cpu = cpu.clone();
            tokio::spawn(async move { cpu.search(move || wait.recv().is_ok()).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let refused = cpu.search(|| 1).await;
        assert!(matches!(refused, Err(AppError::Busy)), "{refused:?}");
        release.send(()).unwrap();
        assert!(holder.await.unwrap().unwrap());
        assert_eq!(cpu.search(|| 2).await.unwrap(), 2, "free again");
    }
}
