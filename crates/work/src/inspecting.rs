//! The back office's website inspections as jobs (kind `inspection`): the office queues one by
//! hand or the schedule does (`store.inspections()`); this worker claims it with a lease,
//! crawls the site politely (`inspect::crawl`, on a blocking thread), judges it by the
//! national indicators (`domain::inspection::inspect`; for this gongkai's own portal the
//! interaction veto from its messages) and stores the report with its findings, or why it
//! could not be made. A job performed twice does not crawl twice.

use crate::inspect::{Options, crawl};
use gongkai_domain::inspection::{Report, Rules, inspect};
use gongkai_store::jobs::{Job, JobAttempt, JobNext};
use gongkai_store::{Actor, Store, StoreError};
use std::sync::Arc;
use std::time::Instant;

/// The inspection worker of one server.
pub struct Inspector {
    worker: String,
    rules: Rules,
    options: Options,
    wake: tokio::sync::Notify,
}

impl Inspector {
    /// A worker named `worker`, judging by `rules`, crawling with `options`.
    pub fn new(worker: &str, rules: Rules, options: Options) -> Arc<Inspector> {
        Arc::new(Inspector {
            worker: worker.into(),
            rules,
            options,
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Wakes the worker (an inspection was just queued).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Performs every inspection due now. Returns how many.
    pub async fn run_due(&self, store: &Store) -> Result<usize, StoreError> {
        crate::queue::run_due(self, store).await
    }

    async fn one(&self, store: &Store, job: &Job) -> Result<(), StoreError> {
        let started_at = gongkai_store::now_text();
        let clock = Instant::now();
        let id = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v["inspection_id"].as_i64());
        let result = match id {
            None => Err(format!("检查任务内容无效：{}", job.payload)),
            Some(id) => self.inspect_one(store, id).await?,
        };
        let (next, error) = match result {
            Ok(()) => (JobNext::Delivered, String::new()),
            Err(e) => (JobNext::Failed, e),
        };
        let attempt = JobAttempt {
            job_id: job.id,
            attempt: job.attempts,
            worker: self.worker.clone(),
            started_at,
            duration_ms: clock.elapsed().as_millis() as i64,
            status_code: None,
            error,
            response: String::new(),
        };
        store
            .jobs()
            .finish_job(&self.worker, job, &attempt, &next)
            .await?;
        Ok(())
    }

    /// Crawls and stores one inspection; `Err(why)` when the site could not be inspected
    /// (recorded on the inspection).
    async fn inspect_one(&self, store: &Store, id: i64) -> Result<Result<(), String>, StoreError> {
        let actor = Actor::system("inspection");
        if !store.inspections().start(id).await? {
            return Ok(Ok(()));
        }
        let i = store.inspections().get(id).await?;
        let site = store.inspections().site(i.site_id).await?;
        let (url, opts) = (i.url.clone(), self.options.clone());
        let crawled = tokio::task::spawn_blocking(move || crawl(&url, &opts, &|_, _| {}))
            .await
            .map_err(|e| format!("检查线程异常：{e}"))
            .and_then(|r| r.map_err(|e| e.to_string()));
        let c = match crawled {
            Ok(c) => c,
            Err(why) => {
                store.inspections().fail(&actor, id, &why).await?;
                return Ok(Err(why));
            }
        };
        let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
        let unanswered = if site.own == 1 {
            let year_ago = today - chrono::Duration::days(365);
            store
                .messages()
                .unanswered_past_veto(
                    &today.format("%Y-%m-%d").to_string(),
                    &year_ago.format("%Y-%m-%d").to_string(),
                    100,
                )
                .await?
        } else {
            Vec::new()
        };
        let scanner = gongkai_domain::scan::Scanner::new::<&str>(&[]);
        let mut report = inspect(
            today,
            &c.pages,
            &c.broken,
            &unanswered,
            &scanner,
            &self.rules,
        );
        // the week's availability probes of the home page
        let week_ago = gongkai_store::time_text(chrono::Utc::now() - chrono::Duration::days(7));
        let (total, failed) = store.inspections().probes_since(site.id, &week_ago).await?;
        gongkai_domain::inspection::judge_availability(
            &mut report,
            total.max(0) as u64,
            failed.max(0) as u64,
            &self.rules,
        );
        let json = serde_json::json!({
            "report": report, "broken_links": c.broken,
            "skipped": c.skipped.iter().map(|(u, why)| serde_json::json!({"url": u, "why": why})).collect::<Vec<_>>(),
        })
        .to_string();
        let outcome = gongkai_store::inspections::Outcome {
            day: today.format("%Y-%m-%d").to_string(),
            pages: c.pages.len() as i64,
            passed: report.passed,
            score: (report.score * 10.0).round() as i64,
            report: json,
            findings: findings(&report),
        };
        store.inspections().finish(&actor, id, &outcome).await?;
        Ok(Ok(()))
    }
}

/// Probes every active listed site's home page once (a GET that must answer below 400 within
/// the rules' probe timeout) and records the outcome. Returns how many failed.
pub async fn probe_sites(store: &Store, rules: &Rules) -> Result<usize, StoreError> {
    let timeout = std::time::Duration::from_secs(rules.probe_timeout_secs.max(1));
    let mut failed = 0;
    for site in store.inspections().sites().await? {
        if site.active != 1 {
            continue;
        }
        let url = site.url.clone();
        let at = gongkai_store::now_text();
        let (ok, status, ms) = tokio::task::spawn_blocking(move || probe(&url, timeout))
            .await
            .unwrap_or((false, 0, 0));
        if !ok {
            failed += 1;
        }
        store
            .inspections()
            .record_probe(site.id, &at, ok, status, ms)
            .await?;
    }
    Ok(failed)
}

/// One probe: (loaded in time, HTTP status or 0, milliseconds).
fn probe(url: &str, timeout: std::time::Duration) -> (bool, i64, i64) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .proxy(None)
        .user_agent(crate::inspect::USER_AGENT)
        .build()
        .into();
    let started = Instant::now();
    let r = agent.get(url).call().and_then(|mut r| {
        let status = r.status().as_u16();
        // loaded: the whole page read within the time
        r.body_mut().read_to_vec().map(|_| status)
    });
    let ms = started.elapsed().as_millis() as i64;
    match r {
        Ok(status) => (status < 400, i64::from(status), ms),
        Err(_) => (false, 0, ms),
    }
}

/// A report's findings one per piece of evidence: (kind, item, evidence, points in tenths; a
/// deduction's points shared among its evidence).
pub fn findings(r: &Report) -> Vec<(String, String, String, i64)> {
    let mut out = Vec::new();
    for v in &r.vetoes {
        if v.evidence.is_empty() {
            out.push(("veto".into(), v.item.clone(), String::new(), 0));
        }
        for e in &v.evidence {
            out.push(("veto".into(), v.item.clone(), e.clone(), 0));
        }
    }
    for d in &r.deductions {
        let n = d.evidence.len().max(1);
        let tenths = (d.points * 10.0).round() as i64;
        if d.evidence.is_empty() {
            out.push(("deduction".into(), d.item.clone(), String::new(), tenths));
        }
        for (k, e) in d.evidence.iter().enumerate() {
            // the shares add up to the deduction
            let share = tenths / n as i64 + i64::from((k as i64) < tenths % n as i64);
            out.push(("deduction".into(), d.item.clone(), e.clone(), share));
        }
    }
    out
}

impl crate::queue::JobKind for Inspector {
    const KIND: &'static str = "inspection";
    fn worker(&self) -> &str {
        &self.worker
    }
    fn lease(&self) -> chrono::Duration {
        // a crawl of 1,000 pages at the polite interval takes minutes
        chrono::Duration::seconds(1800)
    }
    fn wake_signal(&self) -> &tokio::sync::Notify {
        &self.wake
    }
    async fn perform(&self, store: &Store, job: Job) -> Result<(), StoreError> {
        self.one(store, &job).await
    }
}
