//! A server's background work, declared once.
//!
//! - Job kinds ([`JobKind`], in `gongkai_work::queue`): each kind of row in the jobs table
//!   (webhook deliveries, reminder mail, and the next modules' mail, crawls, …) says only what
//!   is particular to it; [`run_due`] and [`work`] are the one claim loop for all of them.
//! - Periodic tasks ([`Periodic`]): a name, an interval and one step (index sync, scheduled
//!   publication, session purge, the e-supervision scan). [`periodic`] lists them; [`spawn`]
//!   starts them and the job workers for `gongkai serve`. A failing step is logged with the
//!   task's name and tried again at the next tick.

use crate::AppState;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::task::JoinHandle;

pub use gongkai_work::queue::{JobKind, run_due, work};

/// One step of a periodic task: what it did worth logging (`None`: nothing), or why it failed.
pub type Step = Pin<Box<dyn Future<Output = Result<Option<String>, String>> + Send>>;

/// A periodic task: a name (in logs), an interval, and its step.
pub struct Periodic {
    /// Name in logs.
    pub name: &'static str,
    /// Time between steps.
    pub every: Duration,
    /// The step.
    pub step: Box<dyn Fn() -> Step + Send + Sync>,
}

impl Periodic {
    fn new<F, Fut>(name: &'static str, every: Duration, step: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<String>, String>> + Send + 'static,
    {
        Periodic {
            name,
            every,
            step: Box::new(move || Box::pin(step())),
        }
    }

    /// Runs the task until it is dropped.
    pub async fn run(self) {
        let mut tick = tokio::time::interval(self.every);
        loop {
            tick.tick().await;
            match (self.step)().await {
                Ok(None) => {}
                Ok(Some(done)) => tracing::info!(task = self.name, "{done}"),
                Err(e) => tracing::warn!(task = self.name, error = %e, "periodic task failed"),
            }
        }
    }
}

/// The periodic tasks of a server.
pub fn periodic(state: &AppState) -> Vec<Periodic> {
    let mut tasks = Vec::new();
    let (store, indexer) = (state.store.clone(), state.indexer.clone());
    tasks.push(Periodic::new(
        "index-sync",
        Duration::from_secs(2),
        move || {
            let (store, indexer) = (store.clone(), indexer.clone());
            async move {
                indexer
                    .sync(&store)
                    .await
                    .map(|_| None)
                    .map_err(|e| e.to_string())
            }
        },
    ));
    let s = state.clone();
    tasks.push(Periodic::new(
        "scheduled-publication",
        Duration::from_secs(30),
        move || {
            let s = s.clone();
            async move {
                match crate::disclosure::items::publish_due(&s).await {
                    Ok(0) => Ok(None),
                    Ok(n) => Ok(Some(format!("{n} scheduled items published"))),
                    Err(e) => Err(e.to_string()),
                }
            }
        },
    ));
    let store = state.store.clone();
    tasks.push(Periodic::new(
        "session-purge",
        Duration::from_secs(3600),
        move || {
            let store = store.clone();
            async move {
                store
                    .purge_expired(chrono::Utc::now() - chrono::Duration::days(30))
                    .await
                    .map(|_| None)
                    .map_err(|e| e.to_string())
            }
        },
    ));
    let (store, wake) = (state.store.clone(), state.reminders.clone());
    tasks.push(Periodic::new(
        "alert-scan",
        Duration::from_secs(state.config.power.scan_secs.max(10)),
        move || {
            let (store, wake) = (store.clone(), wake.clone());
            async move {
                let actor = gongkai_store::Actor::system("supervision");
                match crate::power::run_scan(&store, &actor).await {
                    Ok(r) if r.red + r.yellow > 0 => {
                        wake.wake();
                        Ok(Some(format!(
                            "e-supervision alerts raised: {} red, {} yellow",
                            r.red, r.yellow
                        )))
                    }
                    Ok(_) => Ok(None),
                    Err(e) => Err(e.to_string()),
                }
            }
        },
    ));
    let (store, rules) = (state.store.clone(), state.config.inspection.clone());
    tasks.push(Periodic::new(
        "availability-probe",
        Duration::from_secs(state.config.inspection.probe_minutes.max(1) * 60),
        move || {
            let (store, rules) = (store.clone(), rules.clone());
            async move {
                match gongkai_work::inspecting::probe_sites(&store, &rules).await {
                    Ok(0) => Ok(None),
                    Ok(n) => Ok(Some(format!("{n} listed sites did not answer a probe"))),
                    Err(e) => Err(e.to_string()),
                }
            }
        },
    ));
    let (store, inspector) = (state.store.clone(), state.inspector.clone());
    tasks.push(Periodic::new(
        "inspection-schedule",
        Duration::from_secs(600),
        move || {
            let (store, inspector) = (store.clone(), inspector.clone());
            async move {
                let actor = gongkai_store::Actor::system("inspection");
                let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now())
                    .format("%Y-%m-%d")
                    .to_string();
                match store.inspections().schedule_due(&actor, &today).await {
                    Ok(q) if q.is_empty() => Ok(None),
                    Ok(q) => {
                        inspector.wake();
                        Ok(Some(format!(
                            "{} scheduled website inspections queued",
                            q.len()
                        )))
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
        },
    ));
    tasks
}

/// Starts a server's background work: the periodic tasks and a worker per job kind. Abort the
/// handles to stop.
pub fn spawn(state: &AppState) -> Vec<JoinHandle<()>> {
    let mut handles: Vec<JoinHandle<()>> = periodic(state)
        .into_iter()
        .map(|p| tokio::spawn(p.run()))
        .collect();
    handles.push(tokio::spawn(work(
        state.deliverer.clone(),
        state.store.clone(),
        Duration::from_secs(state.config.webhooks.poll_secs.max(1)),
    )));
    handles.push(tokio::spawn(work(
        state.reminders.clone(),
        state.store.clone(),
        Duration::from_secs(30),
    )));
    handles.push(tokio::spawn(work(
        state.inspector.clone(),
        state.store.clone(),
        Duration::from_secs(60),
    )));
    handles
}
