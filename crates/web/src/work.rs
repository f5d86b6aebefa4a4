//! A server's background work, declared once.
//!
//! - Job kinds ([`JobKind`], in `gongkai_work::queue`): each kind of row in the jobs table
//!   (webhook deliveries, reminder mail, and the next modules' mail, crawls, …) says only what
//!   is particular to it; [`run_due`] and [`work`] are the one claim loop for all of them.
//! - Periodic tasks ([`Periodic`]): a name, an interval and one step (index sync, scheduled
//!   publication, session purge, the e-supervision scan). [`periodic`] lists them; [`spawn`]
//!   starts them and the job workers for `gongkai serve`. A failing step is logged with the
//!   task's name and tried again at the next tick.
//! - Several servers on one database: a task marked `once` runs only in the server that holds
//!   the `periodic` lease ([`keep_lease`]: renewed every third of `[cluster] lease_secs`,
//!   released on shutdown by [`stop`], taken over by another server when it expires), and runs
//!   at once when this server takes the lease over. The index sync runs in every server, at
//!   once when another server announces a change ([`listen`], PostgreSQL `NOTIFY`) and every
//!   `[cluster] poll_secs` as the fallback.

use crate::AppState;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::task::JoinHandle;

pub use gongkai_work::queue::{JobKind, run_due, work};

/// One step of a periodic task: what it did worth logging (`None`: nothing), or why it failed.
pub type Step = Pin<Box<dyn Future<Output = Result<Option<String>, String>> + Send>>;

/// The lease of the once-per-cluster periodic work.
pub const LEASE: &str = "periodic";

/// A periodic task: a name (in logs), an interval, and its step.
pub struct Periodic {
    /// Name in logs.
    pub name: &'static str,
    /// Time between steps.
    pub every: Duration,
    /// Runs in one server of those on the database (the lease holder), not in each.
    pub once: bool,
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
            once: true,
            step: Box::new(move || Box::pin(step())),
        }
    }

    /// The same task, run by every server.
    fn in_every_server(mut self) -> Self {
        self.once = false;
        self
    }

    /// Runs the task until it is dropped: a step at each tick (a `once` task only while this
    /// server holds the lease, and at once when it takes the lease over), and when `wake` is
    /// notified.
    pub async fn run(self, state: AppState, wake: bool) {
        let mut tick = tokio::time::interval(self.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut leader = state.leader.subscribe();
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = state.changed.notified(), if wake => {}
                gained = leader.changed(), if self.once => {
                    if gained.is_err() || !*leader.borrow_and_update() {
                        continue;
                    }
                }
            }
            if self.once && !*leader.borrow() {
                continue;
            }
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
    let s = state.clone();
    tasks.push(
        Periodic::new(
            "index-sync",
            Duration::from_secs(state.config.cluster.poll_secs.max(1)),
            move || {
                let s = s.clone();
                async move {
                    s.indexer.sync(&s.store).await.map_err(|e| e.to_string())?;
                    s.mark_synced();
                    Ok(None)
                }
            },
        )
        .in_every_server(),
    );
    let s = state.clone();
    tasks.push(Periodic::new(
        "scheduled-publication",
        Duration::from_secs(state.config.schedule_check_secs.max(1)),
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

/// Starts a server's background work: the lease keeper, the change listener, the periodic
/// tasks and a worker per job kind. Abort the handles to stop, then call [`stop`].
pub fn spawn(state: &AppState) -> Vec<JoinHandle<()>> {
    let mut handles: Vec<JoinHandle<()>> = periodic(state)
        .into_iter()
        .map(|p| {
            let wake = p.name == "index-sync";
            tokio::spawn(p.run(state.clone(), wake))
        })
        .collect();
    handles.push(tokio::spawn(keep_lease(state.clone())));
    handles.push(tokio::spawn(listen(state.clone())));
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

/// Holds the `periodic` lease while this server can: tries to take or renew it every third of
/// `[cluster] lease_secs`, and tells the `once` tasks ([`crate::Inner::leader`]). A server
/// that cannot reach the database, or whose renewal came too late, stops the work at once
/// (before its lease can expire and another server take over).
pub async fn keep_lease(state: AppState) {
    let ttl = Duration::from_secs(state.config.cluster.lease_secs.max(3));
    let mut tick = tokio::time::interval(ttl / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let asked = std::time::Instant::now();
        let held = state
            .store
            .leases()
            .acquire(
                LEASE,
                &state.server_id,
                chrono::Utc::now(),
                chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(15)),
            )
            .await;
        // an answer that took a third of the lease is not trusted: the lease may be nearly over
        let held = match held {
            Ok(h) => h && asked.elapsed() < ttl / 3,
            Err(e) => {
                tracing::warn!(error = %e, "lease of the periodic work not renewed");
                false
            }
        };
        let was = *state.leader.borrow();
        if held != was {
            if held {
                tracing::info!(server = %state.server_id, "this server now runs the once-per-cluster periodic work");
            } else {
                tracing::warn!(server = %state.server_id, "this server no longer runs the once-per-cluster periodic work");
            }
            state.leader.send_replace(held);
        }
    }
}

/// Wakes the index sync and drops the power list's cached pages whenever a server announces a
/// change (PostgreSQL `LISTEN`);
/// reconnects after a broken connection (polling covers the gap). Returns at once on SQLite.
pub async fn listen(state: AppState) {
    loop {
        match state.store.listen().await {
            Ok(None) => return,
            Ok(Some(mut l)) => {
                // changes made while no one listened
                state.changed.notify_one();
                state.power_cache.bump();
                while l.next().await.is_ok() {
                    state.changed.notify_one();
                    state.power_cache.bump();
                }
                tracing::warn!("change notifications interrupted: reconnecting");
            }
            Err(e) => tracing::warn!(error = %e, "cannot listen for change notifications"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// A stopping server's last step: not ready for new requests, and the lease handed over so that
/// another server takes the periodic work at once.
pub async fn stop(state: &AppState) {
    state
        .draining
        .store(true, std::sync::atomic::Ordering::Relaxed);
    if *state.leader.borrow() {
        state.leader.send_replace(false);
        if let Err(e) = state.store.leases().release(LEASE, &state.server_id).await {
            tracing::warn!(error = %e, "lease not released");
        }
    }
}
