//! Webhook subscriptions and the jobs table that delivers their events.
//!
//! Publication events are queued in the same transaction as the publication itself
//! ([`enqueue_item_event`]), one job per active subscriber, with a unique key so that the same
//! event is never queued twice. Any server's worker claims a due job with a lease
//! ([`Store::claim_job`]), sends it, and records the attempt ([`Store::finish_job`]); a job whose
//! worker died is claimed again when its lease runs out. Every attempt stays in `job_attempts`:
//! that is the delivery log staff read.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, Unrecorded, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::webhook::{Event, event_id, store_events};
use serde::Serialize;

/// Webhooks' repository: subscriptions, the jobs table and the attempts log. Reached as `store.webhooks()`.
#[derive(Clone, Copy)]
pub struct Webhooks<'a>(&'a Store);

impl Store {
    /// Webhooks' repository: subscriptions, the jobs table and the attempts log.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks(self)
    }
}

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Webhook {
    /// Id.
    pub id: i64,
    /// Name staff recognise.
    pub name: String,
    /// Where events are POSTed.
    pub url: String,
    /// The signing secret.
    pub secret: String,
    /// Subscribed event codes, stored as `,a,b,`.
    pub events: String,
    /// 1 when active.
    pub active: i64,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

/// A subscription with its delivery counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct WebhookStats {
    /// Id.
    pub id: i64,
    /// Jobs waiting (queued or being sent).
    pub pending: i64,
    /// Jobs delivered.
    pub delivered: i64,
    /// Jobs that ran out of attempts.
    pub failed: i64,
}

/// A queued delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Unique key (event id and subscription): the idempotency key receivers see.
    pub job_key: String,
    /// The subscription.
    pub webhook_id: Option<i64>,
    /// Event code.
    pub event: String,
    /// The JSON body, fixed when the event happened.
    pub payload: String,
    /// `queued`, `running`, `delivered`, `failed`, `cancelled`.
    pub state: String,
    /// Attempts made (counting the one in progress).
    pub attempts: i64,
    /// Not before this time.
    pub run_after: String,
    /// The last error, if any.
    pub last_error: String,
    /// Queued at.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

/// One delivery attempt, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JobAttempt {
    /// The job.
    pub job_id: i64,
    /// 1-based attempt number.
    pub attempt: i64,
    /// Which server sent it.
    pub worker: String,
    /// When it started.
    pub started_at: String,
    /// How long it took.
    pub duration_ms: i64,
    /// The HTTP status, when a response came.
    pub status_code: Option<i64>,
    /// What went wrong (empty on success).
    pub error: String,
    /// The start of the response body.
    pub response: String,
}

/// What happens to a job after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobNext {
    /// Done.
    Delivered,
    /// Try again at this time.
    RetryAt(String),
    /// No attempts left.
    Failed,
    /// The subscription is gone or inactive: not sent.
    Cancelled,
}

impl JobNext {
    fn state(&self) -> &'static str {
        match self {
            JobNext::Delivered => "delivered",
            JobNext::RetryAt(_) => "queued",
            JobNext::Failed => "failed",
            JobNext::Cancelled => "cancelled",
        }
    }
}

const WEBHOOK_COLUMNS: &str = "id, name, url, secret, events, active, created_by, created_at";
const JOB_COLUMNS: &str = "id, job_key, webhook_id, event, payload, state, attempts, run_after, last_error, created_at, updated_at";

fn canonical(name: &str, url: &str, events: &str, active: bool) -> String {
    format!("name={name}\nurl={url}\nevents={events}\nactive={active}")
}

impl Webhooks<'_> {
    /// Creates a subscription (input already validated by `domain::webhook::validate`).
    pub async fn create_webhook(
        &self,
        actor: &Actor,
        name: &str,
        url: &str,
        events: &[Event],
        secret: &str,
    ) -> Result<i64> {
        let now = now_text();
        let stored = store_events(events);
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO webhooks (name, url, secret, events, active, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $6) RETURNING id",
        )
        .bind(name)
        .bind(url)
        .bind(secret)
        .bind(&stored)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.record(
            AuditAction::WebhookCreate,
            Record {
                entity_id: id.to_string(),
                after: canonical(name, url, &stored, true),
                detail: format!("新增推送接口“{name}”"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a subscription; deactivating it stops new events (queued ones are cancelled
    /// when their turn comes).
    pub async fn update_webhook(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
        url: &str,
        events: &[Event],
        active: bool,
    ) -> Result<()> {
        let before = self.get_webhook(id).await?;
        let now = now_text();
        let stored = store_events(events);
        let mut tx = self.0.write(actor).await?;
        sqlx::query(
            "UPDATE webhooks SET name = $1, url = $2, events = $3, active = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(name)
        .bind(url)
        .bind(&stored)
        .bind(i64::from(active))
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::WebhookUpdate,
            Record {
                entity_id: id.to_string(),
                before: canonical(
                    &before.name,
                    &before.url,
                    &before.events,
                    before.active == 1,
                ),
                after: canonical(name, url, &stored, active),
                detail: format!(
                    "修改推送接口“{name}”{}",
                    if active { "" } else { "（已停用）" }
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One subscription.
    pub async fn get_webhook(&self, id: i64) -> Result<Webhook> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("推送接口 {id}")))
    }

    /// Every subscription, oldest first.
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"
        )))
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Delivery counts per subscription.
    pub async fn webhook_stats(&self) -> Result<Vec<WebhookStats>> {
        Ok(sqlx::query_as(
            "SELECT webhook_id AS id, \
             SUM(CASE WHEN state IN ('queued', 'running') THEN 1 ELSE 0 END) AS pending, \
             SUM(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END) AS delivered, \
             SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed \
             FROM jobs WHERE webhook_id IS NOT NULL GROUP BY webhook_id",
        )
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Jobs by state, for metrics.
    pub async fn job_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state")
                .fetch_all(self.0.pool())
                .await?,
        )
    }

    /// A subscription's jobs, newest first, with the total.
    pub async fn webhook_jobs(
        &self,
        webhook_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Job>, i64)> {
        let jobs = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(webhook_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.0.pool())
        .await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE webhook_id = $1")
            .bind(webhook_id)
            .fetch_one(self.0.pool())
            .await?;
        Ok((jobs, total))
    }

    /// One job.
    pub async fn get_job(&self, id: i64) -> Result<Job> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("推送任务 {id}")))
    }

    /// The attempts of the given jobs, in order.
    pub async fn job_attempts(&self, job_ids: &[i64]) -> Result<Vec<JobAttempt>> {
        if job_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = crate::placeholders(job_ids.len());
        let sql = format!(
            "SELECT job_id, attempt, worker, started_at, duration_ms, status_code, error, response FROM job_attempts \
             WHERE job_id IN ({}) ORDER BY job_id, attempt",
            placeholders
        );
        let mut q = sqlx::query_as::<_, JobAttempt>(sqlx::AssertSqlSafe(sql));
        for id in job_ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(self.0.pool()).await?)
    }

    /// Claims the next due job of `kind` (`webhook`, `reminder`) for `worker` until `lease_until`: a queued job whose time has
    /// come, or a running one whose worker's lease ran out. Two workers never get the same job.
    pub async fn claim_job(
        &self,
        kind: &str,
        worker: &str,
        now: &str,
        lease_until: &str,
    ) -> Result<Option<Job>> {
        const DUE: &str = "kind = $4 AND ((state = 'queued' AND run_after <= $3) OR (state = 'running' AND locked_until < $3))";
        let sql = format!(
            "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs WHERE {DUE} ORDER BY run_after, id LIMIT 1) AND {DUE} \
             RETURNING {JOB_COLUMNS}"
        );
        let mut tx = self.0.unrecorded(Unrecorded::JobQueue).await?;
        let job: Option<Job> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .bind(kind)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(job)
    }

    /// Records an attempt and moves the job on. Does nothing (returns `false`) when the job is
    /// no longer leased to `worker` (its lease ran out and another worker took it).
    pub async fn finish_job(
        &self,
        worker: &str,
        job: &Job,
        attempt: &JobAttempt,
        next: &JobNext,
    ) -> Result<bool> {
        let now = now_text();
        let run_after = match next {
            JobNext::RetryAt(t) => t.clone(),
            _ => job.run_after.clone(),
        };
        let mut tx = self.0.unrecorded(Unrecorded::JobQueue).await?;
        let r = sqlx::query(
            "UPDATE jobs SET state = $1, run_after = $2, locked_by = NULL, locked_until = NULL, last_error = $3, updated_at = $4 \
             WHERE id = $5 AND state = 'running' AND locked_by = $6 AND attempts = $7",
        )
        .bind(next.state())
        .bind(&run_after)
        .bind(&attempt.error)
        .bind(&now)
        .bind(job.id)
        .bind(worker)
        .bind(job.attempts)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        if *next != JobNext::Cancelled {
            sqlx::query(
                "INSERT INTO job_attempts (job_id, attempt, worker, started_at, duration_ms, status_code, error, response) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(job.id)
            .bind(job.attempts)
            .bind(worker)
            .bind(&attempt.started_at)
            .bind(attempt.duration_ms)
            .bind(attempt.status_code)
            .bind(&attempt.error)
            .bind(&attempt.response)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Puts a failed or cancelled job back in the queue now (staff's "retry"), audited.
    pub async fn retry_job(&self, actor: &Actor, id: i64) -> Result<()> {
        let job = self.get_job(id).await?;
        if job.state != "failed" && job.state != "cancelled" {
            return Err(StoreError::Conflict(
                "只有发送失败或已取消的任务可以重发".into(),
            ));
        }
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        sqlx::query(
            "UPDATE jobs SET state = 'queued', run_after = $1, updated_at = $1 WHERE id = $2 AND state = $3",
        )
        .bind(&now)
        .bind(id)
        .bind(&job.state)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::JobRetry,
            Record {
                entity_id: id.to_string(),
                before: job.state.clone(),
                after: "queued".into(),
                detail: format!("重新推送 {}", job.job_key),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Queues `event` for every active subscriber, inside the transaction of the change itself.
/// The payload is a snapshot of the item's public record at that moment. Queuing the same
/// event twice has no effect (unique job key).
pub(crate) async fn enqueue_item_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    event: Event,
    item_id: i64,
    revision: i64,
    now: &str,
) -> Result<()> {
    let pattern = format!("%,{},%", event.code());
    let (subscribers,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM webhooks WHERE active = 1 AND events LIKE $1")
            .bind(&pattern)
            .fetch_one(&mut **tx)
            .await?;
    if subscribers == 0 {
        return Ok(());
    }
    let row: Option<PayloadRow> = sqlx::query_as(
        "SELECT i.index_no, u.code AS unit_code, u.name AS unit_name, c.code AS category_code, c.name AS category_name, \
         r.title, r.doc_no, r.formed_on, r.summary, i.published_at, i.first_published_at, i.withdrawn_at, i.withdrawn_reason \
         FROM items i JOIN item_revisions r ON r.item_id = i.id AND r.revision = $2 \
         JOIN units u ON u.id = i.unit_id JOIN catalog_categories c ON c.id = i.category_id WHERE i.id = $1",
    )
    .bind(item_id)
    .bind(revision)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Err(StoreError::NotFound(format!("信息 {item_id}/{revision}")));
    };
    let id = event_id(event, item_id, revision);
    let payload = serde_json::json!({
        "id": id,
        "event": event.code(),
        "occurred_at": now,
        "item": {
            "index_no": row.index_no,
            "revision": revision,
            "title": row.title,
            "doc_no": row.doc_no,
            "formed_on": row.formed_on,
            "summary": row.summary,
            "unit": { "code": row.unit_code, "name": row.unit_name },
            "category": { "code": row.category_code, "name": row.category_name },
            "published_at": row.published_at,
            "first_published_at": row.first_published_at,
            "withdrawn_at": row.withdrawn_at,
            "withdrawn_reason": row.withdrawn_reason,
            "path": format!("/items/{}", row.index_no),
        }
    })
    .to_string();
    sqlx::query(
        "INSERT INTO jobs (kind, job_key, webhook_id, event, payload, state, attempts, run_after, last_error, created_at, updated_at) \
         SELECT 'webhook', $1 || ':' || CAST(id AS TEXT), id, $2, $3, 'queued', 0, $4, '', $4, $4 \
         FROM webhooks WHERE active = 1 AND events LIKE $5 \
         ON CONFLICT (job_key) DO NOTHING",
    )
    .bind(&id)
    .bind(event.code())
    .bind(&payload)
    .bind(now)
    .bind(&pattern)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PayloadRow {
    index_no: String,
    unit_code: String,
    unit_name: String,
    category_code: String,
    category_name: String,
    title: String,
    doc_no: String,
    formed_on: String,
    summary: String,
    published_at: Option<String>,
    first_published_at: Option<String>,
    withdrawn_at: Option<String>,
    withdrawn_reason: Option<String>,
}
