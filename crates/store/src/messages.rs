//! Messages to the government (政民互动): receiving them (once per submission key), finding one
//! by its tracking number, a unit's list. Reached as `store.messages()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::message::{MessageInput, PublicCopy};
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
    /// The topic chosen or the routing rule's.
    pub topic: String,
    /// The answer (drafted, or sent).
    pub answer: String,
    /// Who drafted the answer.
    pub drafted_by: String,
    /// Why a reviewer marked it abusive.
    pub abusive_reason: String,
    /// Working days the answer took.
    pub answer_workdays: Option<i64>,
    /// When the exchange was published (masked), if it was.
    pub published_at: Option<String>,
}

const COLUMNS: &str = "id, unit_id, tracking_no, kind, name, phone, email, subject, body, publish_ok, state, received_on, due_on, due_note, veto_on, duplicate_of, answered_on, created_at, topic, answer, drafted_by, abusive_reason, answer_workdays, published_at";

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
    /// The topic chosen or the routing rule's, or empty.
    pub topic: &'a str,
    /// The e-supervision watch list's days: (due soon, overdue).
    pub watch: (&'a str, &'a str),
    /// How it was routed (a rule's topic, or empty when the writer chose the unit).
    pub routed_by: &'a str,
    /// Files attached (already stored content-addressed).
    pub files: &'a [NewMessageFile<'a>],
}

/// A file attached to a new message.
#[derive(Debug, Clone)]
pub struct NewMessageFile<'a> {
    /// Name as sent.
    pub filename: &'a str,
    /// MIME type (checked from the bytes).
    pub content_type: &'a str,
    /// Bytes.
    pub size: i64,
    /// Content hash.
    pub sha256: &'a str,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MessageFile {
    /// Id.
    pub id: i64,
    /// The message.
    pub message_id: i64,
    /// Name.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Content hash.
    pub sha256: String,
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
             state, received_on, due_on, due_note, veto_on, client_addr, duplicate_of, created_at, updated_at, topic) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'received', $12, $13, $14, $15, $16, $17, $18, $18, $19) RETURNING id",
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
        .bind(m.topic)
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
        .bind(if m.routed_by.is_empty() {
            m.due.1.to_string()
        } else {
            format!("按“{}”分办规则转至本单位。{}", m.routed_by, m.due.1)
        })
        .execute(&mut *tx)
        .await?;
        bump_received(tx.tx(), m.unit_id, 1).await?;
        for f in m.files {
            sqlx::query(
                "INSERT INTO message_files (message_id, filename, content_type, size, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(f.filename)
            .bind(f.content_type)
            .bind(f.size)
            .bind(f.sha256)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO message_watch (message_id, unit_id, tracking_no, due_on, watch_on, red_on, veto_on) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(m.unit_id)
        .bind(&tracking_no)
        .bind(m.due.0)
        .bind(m.watch.0)
        .bind(m.watch.1)
        .bind(m.veto_on)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::MessageSubmit,
            Record {
                unit_id: Some(m.unit_id),
                entity_id: id.to_string(),
                after: format!("{tracking_no}|{}|{}", i.kind.code(), m.files.len()),
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

async fn bump_received(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    unit_id: i64,
    by: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO message_unit_stats (unit_id, received) VALUES ($1, $2) \
         ON CONFLICT (unit_id) DO UPDATE SET received = message_unit_stats.received + $2",
    )
    .bind(unit_id)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One recorded event of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MessageEvent {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who (`public` for the writer).
    pub actor: String,
    /// [`gongkai_domain::message::Step::kind`], or `received`.
    pub kind: String,
    /// The unit it left (transfers).
    pub from_unit: Option<i64>,
    /// The unit it reached (receipt, transfers).
    pub to_unit: Option<i64>,
    /// The reason, the request, the answer drafted.
    pub note: String,
}

/// What a step stores, decided by the caller from the domain's rules.
#[derive(Debug, Clone, Default)]
pub struct MessageStep {
    /// The state it must be in (else the step is refused as taken by someone else meanwhile).
    pub from_state: String,
    /// The unit it must be with.
    pub from_unit: i64,
    /// The state after.
    pub to_state: String,
    /// The event kind.
    pub kind: String,
    /// What the audit trail says, in Chinese.
    pub label: String,
    /// The reason, the request, the text.
    pub note: String,
    /// A transfer's new unit.
    pub to_unit: Option<i64>,
    /// A drafted answer (kept when the draft is sent back).
    pub draft: Option<String>,
    /// The abuse mark's reason.
    pub abusive_reason: Option<String>,
    /// An approval: the day, the working days the answer took, and the public copy when the
    /// writer agreed.
    pub answered: Option<(String, i64, Option<PublicCopy>)>,
}

/// A published exchange, as the public sees it (masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PublicMessage {
    /// Id.
    pub id: i64,
    /// The unit that answered.
    pub unit_id: i64,
    /// Number.
    pub tracking_no: String,
    /// Kind code.
    pub kind: String,
    /// Topic.
    pub topic: String,
    /// Writer, masked.
    pub public_name: String,
    /// Subject, masked.
    pub public_subject: String,
    /// The message, masked.
    pub public_body: String,
    /// The answer, masked.
    pub public_answer: String,
    /// Received.
    pub received_on: String,
    /// Answered.
    pub answered_on: Option<String>,
    /// Working days the answer took.
    pub answer_workdays: Option<i64>,
}

const PUBLIC_COLUMNS: &str = "id, unit_id, tracking_no, kind, topic, public_name, public_subject, public_body, public_answer, received_on, answered_on, answer_workdays";
/// The list's columns: the texts are not shown there.
const LIST_COLUMNS: &str = "id, unit_id, tracking_no, kind, topic, public_name, public_subject, '' AS public_body, '' AS public_answer, received_on, answered_on, answer_workdays";

/// A unit's figures on the public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UnitStats {
    /// Unit.
    pub unit_id: i64,
    /// The unit's code.
    pub code: String,
    /// The unit's name.
    pub name: String,
    /// Messages with the unit.
    pub received: i64,
    /// Answered.
    pub answered: i64,
    /// Working days all answers took.
    pub total_workdays: i64,
    /// The longest answer, in working days.
    pub longest_workdays: i64,
    /// Exchanges published.
    pub published: i64,
}

/// A routing rule as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Route {
    /// Id.
    pub id: i64,
    /// Topic.
    pub topic: String,
    /// Keywords, as typed.
    pub keywords: String,
    /// Unit.
    pub unit_id: i64,
    /// 1 when in use.
    pub active: i64,
    /// Last change.
    pub updated_at: String,
}

impl Messages<'_> {
    /// Takes a step: one guarded update (the state and unit it was read in), the event, the
    /// unit figures, the watch list and alerts, the published copy, and the audit entry, in one
    /// transaction.
    pub async fn take_step(&self, actor: &Actor, id: i64, s: &MessageStep) -> Result<Message> {
        let before = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let unit = s.to_unit.unwrap_or(s.from_unit);
        let (answered_on, workdays, public) = match &s.answered {
            Some((on, days, public)) => (Some(on.clone()), Some(*days), public.clone()),
            None => (None, None, None),
        };
        let p = public.clone().unwrap_or_default();
        let done = sqlx::query(
            "UPDATE messages SET state = $1, unit_id = $2, answer = COALESCE($3, answer), \
             drafted_by = CASE WHEN $3 IS NULL THEN drafted_by ELSE $4 END, \
             abusive_reason = COALESCE($5, abusive_reason), answered_on = COALESCE($6, answered_on), \
             answer_workdays = COALESCE($7, answer_workdays), \
             published_at = CASE WHEN $8 = 1 THEN $9 ELSE published_at END, \
             public_name = CASE WHEN $8 = 1 THEN $10 ELSE public_name END, \
             public_subject = CASE WHEN $8 = 1 THEN $11 ELSE public_subject END, \
             public_body = CASE WHEN $8 = 1 THEN $12 ELSE public_body END, \
             public_answer = CASE WHEN $8 = 1 THEN $13 ELSE public_answer END, updated_at = $9 \
             WHERE id = $14 AND state = $15 AND unit_id = $16",
        )
        .bind(&s.to_state)
        .bind(unit)
        .bind(s.draft.as_deref())
        .bind(&actor.name)
        .bind(s.abusive_reason.as_deref())
        .bind(answered_on.as_deref())
        .bind(workdays)
        .bind(i64::from(public.is_some()))
        .bind(&now)
        .bind(&p.name)
        .bind(&p.subject)
        .bind(&p.body)
        .bind(&p.answer)
        .bind(id)
        .bind(&s.from_state)
        .bind(s.from_unit)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "留言状态已变化（可能已被他人办理或转办），请刷新后重试".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO message_events (message_id, at, actor, kind, from_unit, to_unit, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&now)
        .bind(&actor.name)
        .bind(&s.kind)
        .bind(s.to_unit.map(|_| s.from_unit))
        .bind(s.to_unit)
        .bind(&s.note)
        .execute(&mut *tx)
        .await?;
        if let Some(to) = s.to_unit {
            bump_received(tx.tx(), s.from_unit, -1).await?;
            bump_received(tx.tx(), to, 1).await?;
            sqlx::query("UPDATE message_watch SET unit_id = $1 WHERE message_id = $2")
                .bind(to)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE supervision_alerts SET unit_id = $1 WHERE message_id = $2 AND resolved_at IS NULL",
            )
            .bind(to)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if s.to_state == "answered" || s.to_state == "abusive" {
            sqlx::query("DELETE FROM message_watch WHERE message_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE supervision_alerts SET resolved_at = $1 WHERE message_id = $2 AND resolved_at IS NULL",
            )
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(days) = workdays {
            sqlx::query(
                "INSERT INTO message_unit_stats (unit_id, answered, total_workdays, longest_workdays, published) VALUES ($1, 1, $2, $2, $3) \
                 ON CONFLICT (unit_id) DO UPDATE SET answered = message_unit_stats.answered + 1, \
                 total_workdays = message_unit_stats.total_workdays + $2, \
                 longest_workdays = CASE WHEN message_unit_stats.longest_workdays > $2 THEN message_unit_stats.longest_workdays ELSE $2 END, \
                 published = message_unit_stats.published + $3",
            )
            .bind(unit)
            .bind(days)
            .bind(i64::from(public.is_some()))
            .execute(&mut *tx)
            .await?;
        }
        tx.record(
            AuditAction::MessageStep,
            Record {
                unit_id: Some(unit),
                entity_id: id.to_string(),
                before: before.state.clone(),
                after: s.to_state.clone(),
                detail: format!(
                    "留言 {} {}{}",
                    before.tracking_no,
                    s.label,
                    if public.is_some() {
                        "，已公开（已脱敏）"
                    } else {
                        ""
                    }
                ),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// A message's attached files.
    pub async fn files(&self, id: i64) -> Result<Vec<MessageFile>> {
        Ok(sqlx::query_as(
            "SELECT id, message_id, filename, content_type, size, sha256 FROM message_files WHERE message_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One attached file.
    pub async fn file(&self, file_id: i64) -> Result<MessageFile> {
        let f: Option<MessageFile> = sqlx::query_as(
            "SELECT id, message_id, filename, content_type, size, sha256 FROM message_files WHERE id = $1",
        )
        .bind(file_id)
        .fetch_optional(self.0.pool())
        .await?;
        f.ok_or_else(|| StoreError::NotFound(format!("留言附件 {file_id}")))
    }

    /// A message's events, oldest first.
    pub async fn events(&self, id: i64) -> Result<Vec<MessageEvent>> {
        Ok(sqlx::query_as(
            "SELECT at, actor, kind, from_unit, to_unit, note FROM message_events WHERE message_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// A unit's messages in one state (or all), newest first, one page (keyset).
    pub async fn list(
        &self,
        unit_id: i64,
        state: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Message>> {
        match state {
            None => self.for_unit(unit_id, before, limit).await,
            Some(st) => Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM messages WHERE unit_id = $1 AND state = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
            )))
            .bind(unit_id)
            .bind(st)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?),
        }
    }

    /// A unit's open messages per state (the desk's counts).
    pub async fn state_counts(&self, unit_id: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT state, COUNT(*) FROM messages WHERE unit_id = $1 AND state IN ('received', 'accepted', 'more_info', 'drafted') GROUP BY state",
        )
        .bind(unit_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The same writer's recent messages (same address or phone since `since`), newest first:
    /// (tracking number, subject, body), for near-duplicate detection.
    pub async fn recent_from_writer(
        &self,
        addr: &str,
        phone: &str,
        since: &str,
    ) -> Result<Vec<(String, String, String)>> {
        let mut rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, tracking_no, subject, body FROM messages WHERE client_addr = $1 AND client_addr <> '' AND created_at >= $2 ORDER BY id DESC LIMIT 20",
        )
        .bind(addr)
        .bind(since)
        .fetch_all(self.0.pool())
        .await?;
        if !phone.is_empty() {
            rows.extend(
                sqlx::query_as::<_, (i64, String, String, String)>(
                    "SELECT id, tracking_no, subject, body FROM messages WHERE phone = $1 AND created_at >= $2 ORDER BY id DESC LIMIT 20",
                )
                .bind(phone)
                .bind(since)
                .fetch_all(self.0.pool())
                .await?,
            );
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.0));
        rows.dedup_by_key(|r| r.0);
        Ok(rows.into_iter().map(|(_, n, s, b)| (n, s, b)).collect())
    }

    /// Published exchanges, newest first, of one unit or all, one page (keyset); without their
    /// texts (the list shows subjects).
    pub async fn published(
        &self,
        unit_id: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<PublicMessage>> {
        let before = before.unwrap_or(i64::MAX);
        Ok(match unit_id {
            Some(u) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {LIST_COLUMNS} FROM messages WHERE unit_id = $1 AND published_at IS NOT NULL AND id < $2 ORDER BY id DESC LIMIT $3"
            )))
            .bind(u)
            .bind(before)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
            None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {LIST_COLUMNS} FROM messages WHERE published_at IS NOT NULL AND id < $1 ORDER BY id DESC LIMIT $2"
            )))
            .bind(before)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
        })
    }

    /// One published exchange.
    pub async fn published_one(&self, id: i64) -> Result<PublicMessage> {
        let m: Option<PublicMessage> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PUBLIC_COLUMNS} FROM messages WHERE id = $1 AND published_at IS NOT NULL"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        m.ok_or_else(|| StoreError::NotFound(format!("公开留言 {id}")))
    }

    /// Every unit's figures with its code and name (one row per unit that has had a message,
    /// in unit order): one statement for the public page.
    pub async fn unit_stats(&self) -> Result<Vec<UnitStats>> {
        Ok(sqlx::query_as(
            "SELECT s.unit_id, u.code, u.name, s.received, s.answered, s.total_workdays, s.longest_workdays, s.published              FROM message_unit_stats s JOIN units u ON u.id = s.unit_id ORDER BY s.unit_id",
        )
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The routing rules, active first.
    pub async fn routes(&self) -> Result<Vec<Route>> {
        Ok(sqlx::query_as(
            "SELECT id, topic, keywords, unit_id, active, updated_at FROM message_routes ORDER BY active DESC, id",
        )
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Adds a routing rule or changes the rule of the same topic (switching it on or off).
    /// Audited with the rule before and after.
    pub async fn save_route(
        &self,
        actor: &Actor,
        topic: &str,
        keywords: &str,
        unit_id: i64,
        active: bool,
    ) -> Result<()> {
        let unit = self.0.get_unit(unit_id).await?;
        let before: Option<Route> = sqlx::query_as(
            "SELECT id, topic, keywords, unit_id, active, updated_at FROM message_routes WHERE topic = $1",
        )
        .bind(topic)
        .fetch_optional(self.0.pool())
        .await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        sqlx::query(
            "INSERT INTO message_routes (topic, keywords, unit_id, active, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (topic) DO UPDATE SET keywords = excluded.keywords, unit_id = excluded.unit_id, active = excluded.active, updated_at = excluded.updated_at",
        )
        .bind(topic)
        .bind(keywords)
        .bind(unit_id)
        .bind(i64::from(active))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::MessageRoute,
            Record {
                unit_id: Some(unit_id),
                entity_id: topic.to_string(),
                before: before
                    .map(|r| format!("{}|{}|{}", r.keywords, r.unit_id, r.active))
                    .unwrap_or_default(),
                after: format!("{keywords}|{unit_id}|{}", i64::from(active)),
                detail: format!(
                    "留言分办规则“{topic}”→ {}{}",
                    unit.name,
                    if active { "" } else { "（停用）" }
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Messages received since `since` and still unanswered after their single-veto day on
    /// `today` (the website indicators' "valid message unanswered for over three months"),
    /// abusive ones left out: tracking numbers, the longest overdue first, at most `limit`.
    pub async fn unanswered_past_veto(
        &self,
        today: &str,
        since: &str,
        limit: i64,
    ) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT tracking_no FROM messages WHERE answered_on IS NULL AND due_on <= $1 AND veto_on <= $1 \
             AND received_on >= $2 AND state <> 'abusive' ORDER BY due_on LIMIT $3",
        )
        .bind(today)
        .bind(since)
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    /// Raises the e-supervision alerts of `today` for messages: yellow from the "due soon" day,
    /// red from the day after the due date, and from three months on the website indicators'
    /// single-veto alert; reminders are queued in the same transaction. Reads only the watch
    /// list's rows whose day has come. Audited when it raised anything. Returns (yellow, red).
    pub async fn scan_alerts(&self, actor: &Actor, today: &str) -> Result<(u64, u64)> {
        crate::power::supervision::scan_watch(self.0, actor, today, &WATCH).await
    }
}

/// A message loaded in bulk (benchmarks).
#[derive(Debug, Clone)]
pub struct BulkMessage {
    /// Unit.
    pub unit_id: i64,
    /// Number (unique).
    pub tracking_no: String,
    /// Kind code.
    pub kind: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// Received.
    pub received_on: String,
    /// Due.
    pub due_on: String,
    /// Single-veto day.
    pub veto_on: String,
    /// Answered on, the working days it took, and the answer (published, masked, when set).
    pub answered: Option<(String, i64, String)>,
    /// Watch days of an open message: (due soon, overdue).
    pub watch: Option<(String, String)>,
}

impl Messages<'_> {
    /// Loads messages in multi-row statements of 500 with their watch rows, then rebuilds the
    /// per-unit figures; one audit entry (benchmarks and migrations of old systems' data).
    pub async fn bulk_load(&self, actor: &Actor, rows: &[BulkMessage]) -> Result<usize> {
        const COLS: usize = 12;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        for chunk in rows.chunks(500) {
            let values = crate::values_rows(chunk.len(), COLS, |r| {
                format!(
                    ", 'bulk:' || ${}, '市民', '', '', '', 1, '', '{now}', '{now}', CASE WHEN ${} IS NULL THEN NULL ELSE '{now}' END, '市*'",
                    r * COLS + 2,
                    r * COLS + 10
                )
            });
            let sql = format!(
                "INSERT INTO messages (unit_id, tracking_no, kind, subject, body, received_on, due_on, veto_on, state, answered_on, answer_workdays, answer, \
                 submission_key, name, phone, email, secret_hash, publish_ok, due_note, created_at, updated_at, published_at, public_name) VALUES {values}"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for m in chunk {
                let (on, days, answer) = match &m.answered {
                    Some((on, days, a)) => (Some(on.clone()), Some(*days), a.clone()),
                    None => (None, None, String::new()),
                };
                q = q
                    .bind(m.unit_id)
                    .bind(m.tracking_no.clone())
                    .bind(m.kind.clone())
                    .bind(m.subject.clone())
                    .bind(m.body.clone())
                    .bind(m.received_on.clone())
                    .bind(m.due_on.clone())
                    .bind(m.veto_on.clone())
                    .bind(if on.is_some() { "answered" } else { "received" })
                    .bind(on)
                    .bind(days)
                    .bind(answer);
            }
            q.execute(&mut *tx).await?;
            let watch: Vec<&BulkMessage> = chunk.iter().filter(|m| m.watch.is_some()).collect();
            if !watch.is_empty() {
                let selects: Vec<String> = (0..watch.len())
                    .map(|r| {
                        format!(
                            "SELECT id, unit_id, tracking_no, due_on, ${}, ${}, veto_on FROM messages WHERE tracking_no = ${}",
                            3 * r + 2,
                            3 * r + 3,
                            3 * r + 1
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO message_watch (message_id, unit_id, tracking_no, due_on, watch_on, red_on, veto_on) {}",
                    selects.join(" UNION ALL ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for m in watch {
                    let (soon, red) = m.watch.clone().unwrap_or_default();
                    q = q.bind(m.tracking_no.clone()).bind(soon).bind(red);
                }
                q.execute(&mut *tx).await?;
            }
        }
        // the published copies of the answered ones are their (generated) texts
        sqlx::query(
            "UPDATE messages SET public_subject = subject, public_body = body, public_answer = answer \
             WHERE submission_key LIKE 'bulk:%' AND published_at IS NOT NULL AND public_subject = ''",
        )
        .execute(&mut *tx)
        .await?;
        rebuild_stats(tx.tx()).await?;
        tx.record(
            AuditAction::MessageSubmit,
            Record {
                entity_id: String::new(),
                detail: format!("批量导入留言 {} 条", rows.len()),
                ..Record::default()
            },
        )
        .await?;
        tx.finish().await?;
        Ok(rows.len())
    }
}

/// Recomputes every unit's figures from the messages (after a bulk load).
async fn rebuild_stats(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<()> {
    sqlx::query("DELETE FROM message_unit_stats")
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO message_unit_stats (unit_id, received, answered, total_workdays, longest_workdays, published) \
         SELECT unit_id, COUNT(*), COUNT(answered_on), COALESCE(SUM(answer_workdays), 0), COALESCE(MAX(answer_workdays), 0), COUNT(published_at) \
         FROM messages GROUP BY unit_id",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The e-supervision watch list of open messages: due soon, overdue, then three months.
const WATCH: crate::power::supervision::WatchList = crate::power::supervision::WatchList {
    table: "message_watch",
    subject: "message_id",
    join: "",
    key: "'message:' || w.message_id || ':' || w.due_on || ':' || CASE WHEN w.veto_on <= $1 THEN 'message_veto' ELSE 'message_due' END",
    unit: "w.unit_id",
    kind: "CASE WHEN w.veto_on <= $1 THEN 'message_veto' ELSE 'message_due' END",
    detail: "'留言 ' || w.tracking_no || CASE WHEN w.veto_on <= $1 THEN ' 超过3个月未答复（网站单项否决指标）' WHEN w.red_on <= $1 THEN ' 已超过答复期限' ELSE ' 即将到期' END || '（答复期限 ' || w.due_on || '）'",
    last: "veto_on <= $1",
    next: "CASE WHEN red_on <= $1 THEN veto_on ELSE red_on END",
    audit: |red, yellow| format!("电子监察扫描（留言）：新增超期{red}件、即将到期{yellow}件"),
};
