//! Webhook subscriptions and their deliveries.
//!
//! Publication events are queued in the same transaction as the publication itself
//! ([`enqueue_item_event`]), one `webhook` job per active subscriber, with a unique key so that
//! the same event is never queued twice; the jobs table itself is [`crate::jobs`].

use crate::audit::Record;
use crate::jobs::{JOB_COLUMNS, Job};
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::webhook::{Event, event_id, store_events};
use serde::Serialize;

/// Webhooks' repository: subscriptions and their delivery jobs. Reached as `store.webhooks()`.
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

const WEBHOOK_COLUMNS: &str = "id, name, url, secret, events, active, created_by, created_at";

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
