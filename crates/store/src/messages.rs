//! Messages to the government (政民互动): receiving them (once per submission key), finding one
//! by its tracking number, a unit's list. Reached as `store.messages()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::message::MessageInput;
use serde::Serialize;

/// Messages' repository.
#[derive(Clone, Copy)]
pub struct Messages<'a>(&'a Store);

impl Store {
    /// Messages' repository.
    pub fn messages(&self) -> Messages<'_> {
        Messages(self)
    }
}

/// A stored message (without its tracking secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Message {
    /// Id.
    pub id: i64,
    /// The unit it is with.
    pub unit_id: i64,
    /// The number the writer follows it by.
    pub tracking_no: String,
    /// Kind code.
    pub kind: String,
    /// Writer's name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Subject.
    pub subject: String,
    /// The message.
    pub body: String,
    /// 1 when the writer agreed to publication.
    pub publish_ok: i64,
    /// State code.
    pub state: String,
    /// Day received.
    pub received_on: String,
    /// Answer due.
    pub due_on: String,
    /// Why.
    pub due_note: String,
    /// From this day, unanswered, it is the website indicators' single-veto item.
    pub veto_on: String,
    /// A recent message of the same writer to the same unit it nearly repeats, or empty.
    pub duplicate_of: String,
    /// Day answered.
    pub answered_on: Option<String>,
    /// Stored at (RFC 3339 UTC).
    pub created_at: String,
}

const COLUMNS: &str = "id, unit_id, tracking_no, kind, name, phone, email, subject, body, publish_ok, state, received_on, due_on, due_note, veto_on, duplicate_of, answered_on, created_at";

/// A new message and where it came from.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// The unit it is routed to.
    pub unit_id: i64,
    /// What was written, read and checked.
    pub input: &'a MessageInput,
    /// Day received.
    pub received_on: &'a str,
    /// Answer due, and why.
    pub due: (&'a str, &'a str),
    /// Single-veto day.
    pub veto_on: &'a str,
    /// SHA-256 hex of the tracking secret.
    pub secret_hash: &'a str,
    /// The form's one-time key (hashed).
    pub submission_key: &'a str,
    /// The sender's address.
    pub client_addr: &'a str,
    /// The message it nearly repeats, or empty.
    pub duplicate_of: &'a str,
}

impl Messages<'_> {
    /// Receives a message: stored with its tracking number (`LY`, the year, the unit's code and
    /// a serial) and audited in one transaction. A submission key already used returns the
    /// message it created (`true`), changing nothing.
    pub async fn receive(&self, actor: &Actor, m: &NewMessage<'_>) -> Result<(Message, bool)> {
        if let Some(existing) = self.by_submission_key(m.submission_key).await? {
            return Ok((existing, true));
        }
        let unit = self.0.get_unit(m.unit_id).await?;
        let now = now_text();
        let i = m.input;
        let mut tx = self.0.write(actor).await?;
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO messages (unit_id, tracking_no, secret_hash, submission_key, kind, name, phone, email, subject, body, publish_ok, \
             state, received_on, due_on, due_note, veto_on, client_addr, duplicate_of, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'received', $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id",
        )
        .bind(m.unit_id)
        .bind(format!("pending-{}", m.submission_key))
        .bind(m.secret_hash)
        .bind(m.submission_key)
        .bind(i.kind.code())
        .bind(&i.name)
        .bind(&i.phone)
        .bind(&i.email)
        .bind(&i.subject)
        .bind(&i.body)
        .bind(i64::from(i.publish_ok))
        .bind(m.received_on)
        .bind(m.due.0)
        .bind(m.due.1)
        .bind(m.veto_on)
        .bind(m.client_addr)
        .bind(m.duplicate_of)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Ok(row) => row,
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                drop(tx);
                let existing = self
                    .by_submission_key(m.submission_key)
                    .await?
                    .ok_or_else(|| StoreError::Conflict("该留言正在提交，请稍后查询".into()))?;
                return Ok((existing, true));
            }
            Err(e) => return Err(e.into()),
        };
        let year = m.received_on.get(..4).unwrap_or("0000");
        let tracking_no = format!("LY{year}-{}-{id:06}", unit.code);
        sqlx::query("UPDATE messages SET tracking_no = $1 WHERE id = $2")
            .bind(&tracking_no)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO message_events (message_id, at, actor, kind, to_unit, note) VALUES ($1, $2, $3, 'received', $4, $5)",
        )
        .bind(id)
        .bind(&now)
        .bind(&actor.name)
        .bind(m.unit_id)
        .bind(m.due.1)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::MessageSubmit,
            Record {
                unit_id: Some(m.unit_id),
                entity_id: id.to_string(),
                after: format!("{tracking_no}|{}", i.kind.code()),
                detail: format!("收到{}留言 {tracking_no}", i.kind.label()),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok((self.get(id).await?, false))
    }

    async fn by_submission_key(&self, key: &str) -> Result<Option<Message>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM messages WHERE submission_key = $1"
        )))
        .bind(key)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// One message.
    pub async fn get(&self, id: i64) -> Result<Message> {
        let m: Option<Message> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM messages WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        m.ok_or_else(|| StoreError::NotFound(format!("留言 {id}")))
    }

    /// A message by tracking number, with its secret's hash (compared by the caller in
    /// constant time).
    pub async fn by_tracking_no(&self, no: &str) -> Result<Option<(Message, String)>> {
        let m: Option<Message> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM messages WHERE tracking_no = $1"
        )))
        .bind(no)
        .fetch_optional(self.0.pool())
        .await?;
        let Some(m) = m else { return Ok(None) };
        let (hash,): (String,) = sqlx::query_as("SELECT secret_hash FROM messages WHERE id = $1")
            .bind(m.id)
            .fetch_one(self.0.pool())
            .await?;
        Ok(Some((m, hash)))
    }

    /// A unit's messages, newest first, one page (keyset: ids below `before`).
    pub async fn for_unit(
        &self,
        unit_id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Message>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM messages WHERE unit_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        )))
        .bind(unit_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Messages received from `addr` since `since` (RFC 3339): the per-address limit's count.
    pub async fn count_from_address(&self, addr: &str, since: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM messages WHERE client_addr = $1 AND created_at >= $2",
        )
        .bind(addr)
        .bind(since)
        .fetch_one(self.0.pool())
        .await?;
        Ok(n)
    }
}
