//! The webhook delivery worker: claims due jobs from the database's jobs table, POSTs each
//! event to its subscriber, and records every attempt.
//!
//! Each server runs one worker (the `webhook` [`crate::queue::JobKind`], run by
//! [`crate::queue::work`]); several servers on one PostgreSQL database
//! share the queue safely because a job is claimed with a lease. A delivery is idempotent for
//! the receiver: every attempt of the same event carries the same `X-Gongkai-Delivery` /
//! `Idempotency-Key` header, and the body is the snapshot taken when the event happened.

use gongkai_domain::webhook::{Outcome, RetryPolicy, judge, sign};
use gongkai_store::Store;
use gongkai_store::jobs::{Job, JobAttempt, JobNext};
use serde::Deserialize;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// `[webhooks]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Attempts per event, the first included.
    pub max_attempts: u32,
    /// Wait after the first failure, in seconds (doubled after each further failure).
    pub base_delay_secs: u64,
    /// Longest wait between attempts, in seconds.
    pub max_delay_secs: u64,
    /// How long one request may take, in seconds.
    pub timeout_secs: u64,
    /// How often the worker looks for due jobs, in seconds (it is also woken at once by this
    /// server's own publications).
    pub poll_secs: u64,
    /// Internal networks webhooks may still reach (CIDR blocks or addresses); by default none:
    /// no delivery goes to this host, a private network or any reserved address.
    pub allow_networks: Vec<gongkai_domain::net::Net>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        let p = RetryPolicy::default();
        WebhookConfig {
            max_attempts: p.max_attempts,
            base_delay_secs: p.base_delay_secs,
            max_delay_secs: p.max_delay_secs,
            timeout_secs: 10,
            poll_secs: 5,
            allow_networks: Vec::new(),
        }
    }
}

impl WebhookConfig {
    /// The retry policy.
    pub fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_attempts,
            base_delay_secs: self.base_delay_secs,
            max_delay_secs: self.max_delay_secs,
        }
    }
}

/// Sends queued webhook events.
pub struct Deliverer {
    worker: String,
    config: WebhookConfig,
    site_base: String,
    agent: ureq::Agent,
    wake: Notify,
}

/// How long a claimed job stays ours before another worker may take it.
fn lease(config: &WebhookConfig) -> chrono::Duration {
    chrono::Duration::seconds((config.timeout_secs as i64).saturating_mul(3).max(30))
}

impl Deliverer {
    /// A worker named `worker` (shown in the delivery log); `site_base` (e.g.
    /// `https://www.example.gov.cn`) makes the item's `url` in each body.
    pub fn new(worker: &str, config: WebhookConfig, site_base: &str) -> Arc<Deliverer> {
        let agent_config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(config.timeout_secs.max(1))))
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            // a proxy from the environment would resolve the target itself, past the guard
            .proxy(None)
            .user_agent(concat!("gongkai/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = ureq::Agent::with_parts(
            agent_config,
            ureq::unversioned::transport::DefaultConnector::default(),
            GuardedResolver {
                allow: config.allow_networks.clone(),
            },
        );
        Arc::new(Deliverer {
            worker: worker.to_string(),
            config,
            site_base: site_base.trim_end_matches('/').to_string(),
            agent,
            wake: Notify::new(),
        })
    }

    /// Asks the worker to look at the queue now (after this server published something).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends every job due now, one after the other. Returns how many attempts were made.
    pub async fn run_due(&self, store: &Store) -> Result<usize, gongkai_store::StoreError> {
        crate::queue::run_due(self, store).await
    }

    async fn deliver(&self, store: &Store, job: Job) -> Result<(), gongkai_store::StoreError> {
        let started_at = gongkai_store::now_text();
        let hook = match job.webhook_id {
            Some(id) => Some(store.webhooks().get_webhook(id).await?),
            None => None,
        };
        let Some(hook) = hook.filter(|h| h.active == 1) else {
            let attempt = JobAttempt {
                job_id: job.id,
                attempt: job.attempts,
                worker: self.worker.clone(),
                started_at,
                duration_ms: 0,
                status_code: None,
                error: "推送接口已停用，未发送".into(),
                response: String::new(),
            };
            store
                .jobs()
                .finish_job(&self.worker, &job, &attempt, &JobNext::Cancelled)
                .await?;
            return Ok(());
        };
        let body = self.body(&job.payload);
        let request = Request {
            url: hook.url.clone(),
            signature: sign(&hook.secret, body.as_bytes()),
            key: job.job_key.clone(),
            event: job.event.clone(),
            attempt: job.attempts,
            body,
        };
        let agent = self.agent.clone();
        let clock = Instant::now();
        let result = tokio::task::spawn_blocking(move || send(&agent, &request))
            .await
            .unwrap_or_else(|e| Err(format!("发送线程异常：{e}")));
        let duration_ms = clock.elapsed().as_millis() as i64;
        let (status, response, error) = match result {
            Ok((status, response)) => {
                let error = if judge(Some(status)) == Outcome::Delivered {
                    String::new()
                } else {
                    format!("对方返回 HTTP {status}")
                };
                (Some(status), response, error)
            }
            Err(e) => (None, String::new(), e),
        };
        let next = match judge(status) {
            Outcome::Delivered => JobNext::Delivered,
            Outcome::Retry => {
                match self
                    .config
                    .policy()
                    .delay_after(u32::try_from(job.attempts).unwrap_or(u32::MAX))
                {
                    Some(secs) => JobNext::RetryAt(gongkai_store::time_text(
                        chrono::Utc::now() + chrono::Duration::seconds(secs as i64),
                    )),
                    None => JobNext::Failed,
                }
            }
        };
        let attempt = JobAttempt {
            job_id: job.id,
            attempt: job.attempts,
            worker: self.worker.clone(),
            started_at,
            duration_ms,
            status_code: status.map(i64::from),
            error,
            response,
        };
        let recorded = store
            .jobs()
            .finish_job(&self.worker, &job, &attempt, &next)
            .await?;
        if !recorded {
            tracing::warn!(
                job = job.id,
                "webhook job lease expired before the attempt was recorded"
            );
        }
        match next {
            JobNext::Delivered => tracing::info!(job = job.id, hook = hook.id, "webhook delivered"),
            JobNext::Failed => {
                tracing::warn!(job = job.id, hook = hook.id, error = %attempt.error, "webhook failed for good")
            }
            _ => {
                tracing::info!(job = job.id, hook = hook.id, error = %attempt.error, "webhook will be retried")
            }
        }
        Ok(())
    }

    /// The stored snapshot with the item's full address added.
    fn body(&self, payload: &str) -> String {
        match serde_json::from_str::<serde_json::Value>(payload) {
            Ok(mut v) => {
                if let Some(item) = v.get_mut("item").and_then(|i| i.as_object_mut())
                    && let Some(path) = item.get("path").and_then(|p| p.as_str())
                {
                    let url = format!("{}{path}", self.site_base);
                    item.insert("url".into(), serde_json::Value::String(url));
                }
                v.to_string()
            }
            Err(_) => payload.to_string(),
        }
    }
}

/// Resolves a webhook's host and keeps only the addresses a delivery may go to
/// (`gongkai_domain::net::deliverable`); the connection is made to those addresses alone, so a
/// name that resolves to an internal address (or changes between checks) reaches nothing.
#[derive(Debug)]
struct GuardedResolver {
    allow: Vec<gongkai_domain::net::Net>,
}

impl ureq::unversioned::resolver::Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let all = ureq::unversioned::resolver::DefaultResolver::default()
            .resolve(uri, config, timeout)?;
        let mut ok = self.empty();
        for a in all
            .iter()
            .filter(|a| gongkai_domain::net::deliverable(a.ip(), &self.allow))
        {
            ok.push(*a);
        }
        if ok.is_empty() {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "目标地址属于本机、内网或保留地址，已拒绝推送",
            )));
        }
        Ok(ok)
    }
}

struct Request {
    url: String,
    signature: String,
    key: String,
    event: String,
    attempt: i64,
    body: String,
}

/// One POST; returns the status and the start of the response body, or a readable error.
fn send(agent: &ureq::Agent, r: &Request) -> Result<(u16, String), String> {
    let mut response = agent
        .post(&r.url)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("X-Gongkai-Event", &r.event)
        .header("X-Gongkai-Delivery", &r.key)
        .header("Idempotency-Key", &r.key)
        .header("X-Gongkai-Attempt", r.attempt.to_string())
        .header("X-Gongkai-Signature", &r.signature)
        .send(r.body.as_bytes())
        .map_err(|e| format!("发送失败：{e}"))?;
    let status = response.status().as_u16();
    let mut head = Vec::new();
    // The log keeps the first 512 bytes of what the receiver said, as text without control
    // characters; a broken body is not an error.
    let _ = response
        .body_mut()
        .as_reader()
        .take(512)
        .read_to_end(&mut head);
    let text = String::from_utf8_lossy(&head)
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    Ok((status, text))
}

impl crate::queue::JobKind for Deliverer {
    const KIND: &'static str = "webhook";
    fn worker(&self) -> &str {
        &self.worker
    }
    fn lease(&self) -> chrono::Duration {
        lease(&self.config)
    }
    fn wake_signal(&self) -> &Notify {
        &self.wake
    }
    async fn perform(&self, store: &Store, job: Job) -> Result<(), gongkai_store::StoreError> {
        self.deliver(store, job).await
    }
}
