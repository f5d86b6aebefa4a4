//! The jobs table: background work of any kind (webhook deliveries, reminder mail, …), queued in
//! the transaction of the change that causes it, claimed by any server's worker with a lease
//! ([`Jobs::claim_job`]), performed, and recorded ([`Jobs::finish_job`]); a job whose worker died
//! is claimed again when its lease runs out. Every attempt stays in `job_attempts`: that is the
//! log staff read.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, Unrecorded, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// The jobs table's repository. Reached as `store.jobs()`.
#[derive(Clone, Copy)]
pub struct Jobs<'a>(&'a Store);

impl Store {
    /// The jobs table's repository.
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs(self)
    }
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

pub(crate) const JOB_COLUMNS: &str = "id, job_key, webhook_id, event, payload, state, attempts, run_after, last_error, created_at, updated_at";

impl Jobs<'_> {
    /// Jobs by state, for metrics.
    pub async fn job_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state")
                .fetch_all(self.0.pool())
                .await?,
        )
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
