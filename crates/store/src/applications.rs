//! Disclosure applications (依申请公开): receiving them (online or registered by staff), finding
//! one by its tracking number, and a unit's list. Reached as `store.applications()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::application::ApplicationInput;
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// Applications' repository.
#[derive(Clone, Copy)]
pub struct Applications<'a>(&'a Store);

impl Store {
    /// Disclosure applications' repository.
    pub fn applications(&self) -> Applications<'_> {
        Applications(self)
    }
}

/// A stored application (without its tracking secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Application {
    /// Id.
    pub id: i64,
    /// The unit asked.
    pub unit_id: i64,
    /// The number the applicant follows it by.
    pub tracking_no: String,
    /// Applicant type code.
    pub applicant_type: String,
    /// Name.
    pub name: String,
    /// Identity document number.
    pub id_document: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Postal address.
    pub address: String,
    /// The information sought.
    pub content: String,
    /// Purpose.
    pub purpose: String,
    /// Preferred form code.
    pub form: String,
    /// Delivery code.
    pub delivery: String,
    /// Channel it arrived by.
    pub channel: String,
    /// Date of receipt (YYYY-MM-DD), by the channel's rule.
    pub received_on: String,
    /// Why that is the date of receipt.
    pub receipt_note: String,
    /// State code (`domain::application::handling::State`).
    pub state: String,
    /// When it was stored (RFC 3339 UTC).
    pub created_at: String,
    /// The handler's account name (empty: not assigned).
    pub handler: String,
    /// The answer's due date while the clock runs (none while paused or finished).
    pub due_on: Option<String>,
    /// Why that is the due date: the clock's steps, one per line.
    pub due_note: String,
    /// The drafted or final outcome code (empty: none yet).
    pub outcome: String,
    /// The outcome's reason.
    pub outcome_reason: String,
    /// Where it is published, which agency holds it, which application it repeats.
    pub outcome_pointer: String,
    /// The answer's own words.
    pub answer_text: String,
    /// The day it was finished (answered and delivered, or closed).
    pub closed_on: Option<String>,
    /// 1 when it was finished after its due date.
    pub late: i64,
    /// The fee noticed, in yuan.
    pub fee_yuan: i64,
    /// The earlier application of the same applicant to the same unit that this one nearly
    /// repeats (tracking number; empty: none).
    pub duplicate_of: String,
    /// In the public register since (none: not in it).
    pub registered_at: Option<String>,
}

const COLUMNS: &str = "id, unit_id, tracking_no, applicant_type, name, id_document, phone, email, address, content, purpose, form, delivery, channel, received_on, receipt_note, state, created_at, handler, due_on, due_note, outcome, outcome_reason, outcome_pointer, answer_text, closed_on, late, fee_yuan, duplicate_of, registered_at";

/// The clock after a step: the due date, why, and the e-supervision watch days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueDates {
    /// The answer's due date (none while paused).
    pub due_on: Option<String>,
    /// Why, one line per rule.
    pub due_note: String,
    /// The first "due soon" day and the first overdue day; none takes it off the watch list.
    pub watch: Option<(String, String)>,
}

/// One step taken on an application, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApplicationEvent {
    /// When it was recorded (RFC 3339 UTC).
    pub at: String,
    /// The day it happened (YYYY-MM-DD).
    pub on_date: String,
    /// Who recorded it.
    pub actor: String,
    /// Kind (`domain::application::handling::Step::kind`, or `received`, `assigned`).
    pub kind: String,
    /// Working days (extensions).
    pub days: i64,
    /// Consulted party code.
    pub party: String,
    /// A name (the consulted party, the handler).
    pub name: String,
    /// The step's text (what to correct, the reply, the reason, the note).
    pub note: String,
    /// Yuan (fee notices).
    pub amount: i64,
    /// The due date after it.
    pub due_on: Option<String>,
}

/// A step to store: the caller (domain `take_step`) has checked it.
#[derive(Debug, Clone, Default)]
pub struct StepRecord {
    /// The state the caller saw: the step applies only if the application is still in it.
    pub from_state: String,
    /// The state after it.
    pub to_state: String,
    /// Event kind.
    pub kind: String,
    /// Its Chinese name (for the audit trail).
    pub label: String,
    /// The day (YYYY-MM-DD).
    pub on_date: String,
    /// Working days.
    pub days: i64,
    /// Party code.
    pub party: String,
    /// Name.
    pub name: String,
    /// Text.
    pub note: String,
    /// Yuan.
    pub amount: i64,
    /// The clock after it.
    pub due: DueDates,
    /// The outcome it drafts or closes with: (code, reason, pointer, answer text).
    pub outcome: Option<(String, String, String, String)>,
    /// The day it finishes the application on, and whether that is late.
    pub closes: Option<(String, bool)>,
}

/// A new application and how it arrived.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    /// The unit asked.
    pub unit_id: i64,
    /// What was asked, read and checked.
    pub input: &'a ApplicationInput,
    /// Channel code.
    pub channel: &'a str,
    /// Date of receipt (YYYY-MM-DD).
    pub received_on: &'a str,
    /// Why that is the date of receipt.
    pub receipt_note: &'a str,
    /// SHA-256 hex of the tracking secret (the caller makes the secret and shows it once).
    pub secret_hash: &'a str,
    /// The form's one-time key: the same key sent again finds the application already stored.
    pub submission_key: &'a str,
    /// The clock at receipt.
    pub due: DueDates,
    /// The address an online application came from (empty for staff registrations).
    pub client_addr: &'a str,
    /// The earlier application it nearly repeats (tracking number), or empty.
    pub duplicate_of: &'a str,
    /// A scan of the identity document sent with it (the bytes already stored
    /// content-addressed), filed in the same transaction.
    pub identity_file: Option<NewApplicationFile<'a>>,
}

/// What receiving gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The application.
    pub application: Application,
    /// Whether this submission key had already been received (a double submit): nothing new
    /// was stored.
    pub repeated: bool,
}

impl Applications<'_> {
    /// Receives an application: stored with its tracking number (`YSQ`, the year, the unit's
    /// code and a serial), audited in the same transaction. A submission key already used
    /// returns the application it created, changing nothing.
    pub async fn receive(&self, actor: &Actor, a: &NewApplication<'_>) -> Result<Received> {
        if let Some(existing) = self.by_submission_key(a.submission_key).await? {
            return Ok(Received {
                application: existing,
                repeated: true,
            });
        }
        let unit = self.0.get_unit(a.unit_id).await?;
        let now = now_text();
        let i = a.input;
        let mut tx = self.0.write(actor).await?;
        // a provisional number, unique, replaced by the readable one once the id is known
        let provisional = format!("pending-{}", a.submission_key);
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO applications (unit_id, tracking_no, secret_hash, submission_key, applicant_type, name, id_document, phone, email, address, content, purpose, form, delivery, channel, received_on, receipt_note, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'received', $18, $18) RETURNING id",
        )
        .bind(a.unit_id)
        .bind(&provisional)
        .bind(a.secret_hash)
        .bind(a.submission_key)
        .bind(i.applicant_type.code())
        .bind(&i.name)
        .bind(&i.id_document)
        .bind(&i.phone)
        .bind(&i.email)
        .bind(&i.address)
        .bind(&i.content)
        .bind(&i.purpose)
        .bind(&i.form)
        .bind(&i.delivery)
        .bind(a.channel)
        .bind(a.received_on)
        .bind(a.receipt_note)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Ok(row) => row,
            // the same form sent twice at once: the other submission stored it
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                drop(tx);
                let application = self
                    .by_submission_key(a.submission_key)
                    .await?
                    .ok_or_else(|| StoreError::Conflict("该申请正在提交，请稍后查询".into()))?;
                return Ok(Received {
                    application,
                    repeated: true,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let year = a.received_on.get(..4).unwrap_or("0000");
        let tracking_no = format!("YSQ{year}-{}-{id:06}", unit.code);
        sqlx::query(
            "UPDATE applications SET tracking_no = $1, due_on = $3, due_note = $4, client_addr = $5, duplicate_of = $6 WHERE id = $2",
        )
        .bind(&tracking_no)
        .bind(id)
        .bind(&a.due.due_on)
        .bind(&a.due.due_note)
        .bind(a.client_addr)
        .bind(a.duplicate_of)
        .execute(&mut *tx)
        .await?;
        watch(tx.tx(), (id, a.unit_id, &tracking_no), &a.due).await?;
        if let Some(f) = &a.identity_file {
            sqlx::query(
                "INSERT INTO application_files (application_id, kind, filename, content_type, size, sha256, findings, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(f.kind)
            .bind(f.filename)
            .bind(f.content_type)
            .bind(f.size)
            .bind(f.sha256)
            .bind(f.findings)
            .bind(&actor.name)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(
            tx.tx(),
            id,
            &now,
            actor,
            &StepRecord {
                kind: "received".into(),
                on_date: a.received_on.to_string(),
                name: a.channel.to_string(),
                note: a.receipt_note.to_string(),
                due: a.due.clone(),
                ..StepRecord::default()
            },
        )
        .await?;
        tx.record(
            AuditAction::ApplicationSubmit,
            Record {
                unit_id: Some(a.unit_id),
                entity_id: id.to_string(),
                after: format!("{tracking_no}|{}|{}", a.channel, a.received_on),
                detail: format!(
                    "收到政府信息公开申请 {tracking_no}（{}，收到之日 {}）",
                    a.channel, a.received_on
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        let application = self.get(id).await?;
        Ok(Received {
            application,
            repeated: false,
        })
    }

    /// The application a submission key created, if any.
    pub async fn by_submission_key(&self, key: &str) -> Result<Option<Application>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM applications WHERE submission_key = $1"
        )))
        .bind(key)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// One application.
    pub async fn get(&self, id: i64) -> Result<Application> {
        let a: Option<Application> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM applications WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        a.ok_or_else(|| StoreError::NotFound(format!("申请 {id}")))
    }

    /// An application by tracking number, with its secret's hash (the caller compares in
    /// constant time).
    pub async fn by_tracking_no(&self, tracking_no: &str) -> Result<Option<(Application, String)>> {
        let a: Option<Application> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM applications WHERE tracking_no = $1"
        )))
        .bind(tracking_no)
        .fetch_optional(self.0.pool())
        .await?;
        let Some(a) = a else { return Ok(None) };
        let (hash,): (String,) =
            sqlx::query_as("SELECT secret_hash FROM applications WHERE id = $1")
                .bind(a.id)
                .fetch_one(self.0.pool())
                .await?;
        Ok(Some((a, hash)))
    }

    /// A unit's applications, newest receipt first, with their total.
    pub async fn for_unit(
        &self,
        unit_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<Application>)> {
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM applications WHERE unit_id = $1")
                .bind(unit_id)
                .fetch_one(self.0.pool())
                .await?;
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM applications WHERE unit_id = $1 ORDER BY received_on DESC, id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(unit_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.0.pool())
        .await?;
        Ok((total, rows))
    }
}

/// Puts an application on the e-supervision watch list (its "due soon" day, then its overdue
/// day), or takes it off with `None`.
async fn watch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    a: (i64, i64, &str),
    due: &DueDates,
) -> Result<()> {
    let (id, unit_id, tracking_no) = a;
    match (&due.watch, &due.due_on) {
        (Some((soon, red)), Some(due_on)) => {
            sqlx::query(
                "INSERT INTO application_watch (application_id, unit_id, tracking_no, due_on, watch_on, red_on) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (application_id) DO UPDATE SET due_on = excluded.due_on, watch_on = excluded.watch_on, red_on = excluded.red_on",
            )
            .bind(id)
            .bind(unit_id)
            .bind(tracking_no)
            .bind(due_on)
            .bind(soon)
            .bind(red)
            .execute(&mut **tx)
            .await?;
        }
        _ => {
            sqlx::query("DELETE FROM application_watch WHERE application_id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    now: &str,
    actor: &Actor,
    r: &StepRecord,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO application_events (application_id, at, on_date, actor, kind, days, party, name, note, amount, due_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(now)
    .bind(&r.on_date)
    .bind(&actor.name)
    .bind(&r.kind)
    .bind(r.days)
    .bind(&r.party)
    .bind(&r.name)
    .bind(&r.note)
    .bind(r.amount)
    .bind(&r.due.due_on)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which applications a list shows.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    /// One unit, or all.
    pub unit_id: Option<i64>,
    /// One state code, or all.
    pub state: Option<String>,
    /// Only those with an id below this (the next page).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: i64,
}

/// One unit's e-supervision figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitFigures {
    /// The unit.
    pub unit_id: i64,
    /// Open and past the due date.
    pub overdue: i64,
    /// Open and due within the "soon" window.
    pub due_soon: i64,
    /// Waiting for a consultation's reply.
    pub consulting: i64,
}

/// A remedy (reconsideration or lawsuit) about an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Remedy {
    /// Id.
    pub id: i64,
    /// The application.
    pub application_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// `reconsideration`, `litigation_direct` or `litigation_after`.
    pub kind: String,
    /// Filed (YYYY-MM-DD).
    pub filed_on: String,
    /// `pending`, `upheld`, `corrected` or `other`.
    pub result: String,
    /// Decided (YYYY-MM-DD).
    pub decided_on: Option<String>,
    /// Notes.
    pub note: String,
}

/// A private file of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApplicationFile {
    /// Id.
    pub id: i64,
    /// The application.
    pub application_id: i64,
    /// `identity`, `consultation` or `released`.
    pub kind: String,
    /// File name.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Content hash (the file is stored content-addressed).
    pub sha256: String,
    /// The scan's findings on a released record (empty: clean or not scanned yet).
    pub findings: String,
    /// Who filed it.
    pub uploaded_by: String,
    /// When.
    pub created_at: String,
}

/// A file to file.
#[derive(Debug, Clone)]
pub struct NewApplicationFile<'a> {
    /// Kind.
    pub kind: &'a str,
    /// Name.
    pub filename: &'a str,
    /// MIME type.
    pub content_type: &'a str,
    /// Bytes.
    pub size: i64,
    /// Content hash.
    pub sha256: &'a str,
    /// Scan findings, summarised (released records).
    pub findings: &'a str,
}

impl Applications<'_> {
    /// Takes a checked step: the application moves from the state the caller saw to the next,
    /// its clock and watch-list days are replaced, the event is stored, and the change is
    /// audited, all in one transaction. A concurrent change (another handler moved it first)
    /// is a conflict and changes nothing.
    pub async fn take_step(&self, actor: &Actor, id: i64, r: &StepRecord) -> Result<Application> {
        let before = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (outcome, reason, pointer, text) = r.outcome.clone().unwrap_or_else(|| {
            (
                before.outcome.clone(),
                before.outcome_reason.clone(),
                before.outcome_pointer.clone(),
                before.answer_text.clone(),
            )
        });
        let (closed_on, late) = match &r.closes {
            Some((d, late)) => (Some(d.clone()), i64::from(*late)),
            None => (None, 0),
        };
        let fee = if r.kind == "fee_notice" {
            r.amount
        } else {
            before.fee_yuan
        };
        let done = sqlx::query(
            "UPDATE applications SET state = $1, due_on = $2, due_note = $3, outcome = $4, outcome_reason = $5, \
             outcome_pointer = $6, answer_text = $7, closed_on = $8, late = $9, fee_yuan = $10, updated_at = $11 \
             WHERE id = $12 AND state = $13",
        )
        .bind(&r.to_state)
        .bind(&r.due.due_on)
        .bind(&r.due.due_note)
        .bind(&outcome)
        .bind(&reason)
        .bind(&pointer)
        .bind(&text)
        .bind(&closed_on)
        .bind(late)
        .bind(fee)
        .bind(&now)
        .bind(id)
        .bind(&r.from_state)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "申请状态已变化（可能已被他人办理），请刷新后重试".into(),
            ));
        }
        watch(tx.tx(), (id, before.unit_id, &before.tracking_no), &r.due).await?;
        if r.due.watch.is_none() || r.from_state != r.to_state {
            resolve_alerts(tx.tx(), id, &now).await?;
        }
        insert_event(tx.tx(), id, &now, actor, r).await?;
        tx.record(
            AuditAction::ApplicationStep,
            Record {
                unit_id: Some(before.unit_id),
                entity_id: id.to_string(),
                before: before.state.clone(),
                after: r.to_state.clone(),
                detail: format!("申请 {} {}（{}）", before.tracking_no, r.label, r.on_date),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Assigns the handler (an account of the unit; the caller checks it). Audited.
    pub async fn assign(&self, actor: &Actor, id: i64, handler: &str, today: &str) -> Result<()> {
        let before = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        sqlx::query("UPDATE applications SET handler = $1, updated_at = $2 WHERE id = $3")
            .bind(handler)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_event(
            tx.tx(),
            id,
            &now,
            actor,
            &StepRecord {
                kind: "assigned".into(),
                on_date: today.into(),
                name: handler.into(),
                due: DueDates {
                    due_on: before.due_on.clone(),
                    ..DueDates::default()
                },
                ..StepRecord::default()
            },
        )
        .await?;
        tx.record(
            AuditAction::ApplicationAssign,
            Record {
                unit_id: Some(before.unit_id),
                entity_id: id.to_string(),
                before: before.handler.clone(),
                after: handler.into(),
                detail: format!("申请 {} 指定承办人 {handler}", before.tracking_no),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The steps taken on an application, in order.
    pub async fn events(&self, id: i64) -> Result<Vec<ApplicationEvent>> {
        Ok(sqlx::query_as(
            "SELECT at, on_date, actor, kind, days, party, name, note, amount, due_on \
             FROM application_events WHERE application_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Applications, newest first, one page (keyset: `before` the last id shown).
    pub async fn list(&self, f: &ApplicationFilter) -> Result<Vec<Application>> {
        let mut sql = format!("SELECT {COLUMNS} FROM applications WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if f.unit_id.is_some() {
            sql.push_str(&format!(" AND unit_id = {}", next()));
        }
        if f.state.is_some() {
            sql.push_str(&format!(" AND state = {}", next()));
        }
        if f.before.is_some() {
            sql.push_str(&format!(" AND id < {}", next()));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", next()));
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        if let Some(u) = f.unit_id {
            q = q.bind(u);
        }
        if let Some(s) = &f.state {
            q = q.bind(s.clone());
        }
        if let Some(b) = f.before {
            q = q.bind(b);
        }
        Ok(q.bind(f.limit).fetch_all(self.0.pool()).await?)
    }

    /// How many applications the same applicant (identity document) had received by the unit's
    /// district in the calendar month of `day`, up to and including this one: the fee band's
    /// count (国办函〔2020〕109号 counts per applicant per month).
    pub async fn applicant_month_count(&self, id_document: &str, day: &str) -> Result<i64> {
        let month = day.get(..7).unwrap_or(day);
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM applications WHERE id_document = $1 AND received_on >= $2 AND received_on <= $3",
        )
        .bind(id_document)
        .bind(format!("{month}-01"))
        .bind(day)
        .fetch_one(self.0.pool())
        .await?;
        Ok(n)
    }

    /// The e-supervision figures of open applications per unit on `today`: overdue (due date
    /// passed), due soon (due on or before `soon`), consulting. Read from the open-application
    /// indexes only: the rows not due soon are never read.
    pub async fn figures(&self, today: &str, soon: &str) -> Result<Vec<UnitFigures>> {
        let due: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT unit_id, SUM(CASE WHEN due_on < $1 THEN 1 ELSE 0 END), SUM(CASE WHEN due_on >= $1 THEN 1 ELSE 0 END) \
             FROM applications WHERE closed_on IS NULL AND due_on <= $2 GROUP BY unit_id",
        )
        .bind(today)
        .bind(soon)
        .fetch_all(self.0.pool())
        .await?;
        let consulting: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT unit_id, COUNT(*) FROM applications WHERE closed_on IS NULL AND state = 'consulting' GROUP BY unit_id",
        )
        .fetch_all(self.0.pool())
        .await?;
        let mut out: std::collections::BTreeMap<i64, UnitFigures> = Default::default();
        for (unit_id, overdue, due_soon) in due {
            let f = out.entry(unit_id).or_insert(UnitFigures {
                unit_id,
                ..UnitFigures::default()
            });
            f.overdue = overdue;
            f.due_soon = due_soon;
        }
        for (unit_id, n) in consulting {
            out.entry(unit_id)
                .or_insert(UnitFigures {
                    unit_id,
                    ..UnitFigures::default()
                })
                .consulting = n;
        }
        Ok(out.into_values().collect())
    }

    /// Open applications due on or before `soon` (overdue first), one unit or all, at most
    /// `limit`, with their due dates and why.
    pub async fn due_list(
        &self,
        unit_id: Option<i64>,
        soon: &str,
        limit: i64,
    ) -> Result<Vec<Application>> {
        Ok(match unit_id {
            Some(u) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM applications WHERE closed_on IS NULL AND due_on <= $1 AND unit_id = $2 ORDER BY due_on, id LIMIT $3"
            )))
            .bind(soon)
            .bind(u)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
            None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM applications WHERE closed_on IS NULL AND due_on <= $1 ORDER BY due_on, id LIMIT $2"
            )))
            .bind(soon)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
        })
    }

    /// Applications finished late, per unit and month (`YYYY-MM`) from `from` to `to`.
    pub async fn late_by_month(&self, from: &str, to: &str) -> Result<Vec<(i64, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT unit_id, SUBSTR(closed_on, 1, 7), COUNT(*) FROM applications \
             WHERE closed_on >= $1 AND closed_on <= $2 AND late = 1 GROUP BY unit_id, SUBSTR(closed_on, 1, 7) ORDER BY 1, 2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Raises the e-supervision alerts of `today` for applications: yellow from the "due soon"
    /// day, red from the day after the due date, one per application, due date and level;
    /// reminders are queued in the same transaction (see
    /// [`scan_watch`](crate::power::supervision::scan_watch)). Audited when it raised
    /// anything. Returns (yellow, red).
    pub async fn scan_alerts(&self, actor: &Actor, today: &str) -> Result<(u64, u64)> {
        crate::power::supervision::scan_watch(self.0, actor, today, &WATCH).await
    }

    /// Files a private file on an application. Audited.
    pub async fn add_file(
        &self,
        actor: &Actor,
        id: i64,
        f: &NewApplicationFile<'_>,
    ) -> Result<i64> {
        let a = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (file_id,): (i64,) = sqlx::query_as(
            "INSERT INTO application_files (application_id, kind, filename, content_type, size, sha256, findings, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(id)
        .bind(f.kind)
        .bind(f.filename)
        .bind(f.content_type)
        .bind(f.size)
        .bind(f.sha256)
        .bind(f.findings)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.record(
            AuditAction::ApplicationFile,
            Record {
                unit_id: Some(a.unit_id),
                entity_id: id.to_string(),
                detail: format!(
                    "申请 {} 归档文件（{}）{}（{} 字节，SHA-256 {}）",
                    a.tracking_no, f.kind, f.filename, f.size, f.sha256
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(file_id)
    }

    /// The files of an application, in filing order.
    pub async fn files(&self, id: i64) -> Result<Vec<ApplicationFile>> {
        Ok(sqlx::query_as(
            "SELECT id, application_id, kind, filename, content_type, size, sha256, findings, uploaded_by, created_at \
             FROM application_files WHERE application_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One file.
    pub async fn file(&self, file_id: i64) -> Result<ApplicationFile> {
        sqlx::query_as(
            "SELECT id, application_id, kind, filename, content_type, size, sha256, findings, uploaded_by, created_at \
             FROM application_files WHERE id = $1",
        )
        .bind(file_id)
        .fetch_optional(self.0.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("申请文件 {file_id}")))
    }

    /// Records a reconsideration or lawsuit, or updates its result (`id` given). Audited.
    pub async fn save_remedy(&self, actor: &Actor, r: &Remedy) -> Result<i64> {
        let a = self.get(r.application_id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let id = if r.id == 0 {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO application_remedies (application_id, unit_id, kind, filed_on, result, decided_on, note, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(r.application_id)
            .bind(a.unit_id)
            .bind(&r.kind)
            .bind(&r.filed_on)
            .bind(&r.result)
            .bind(&r.decided_on)
            .bind(&r.note)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            id
        } else {
            let done = sqlx::query(
                "UPDATE application_remedies SET result = $1, decided_on = $2, note = $3, updated_at = $4 \
                 WHERE id = $5 AND application_id = $6",
            )
            .bind(&r.result)
            .bind(&r.decided_on)
            .bind(&r.note)
            .bind(&now)
            .bind(r.id)
            .bind(r.application_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("复议诉讼记录 {}", r.id)));
            }
            r.id
        };
        tx.record(
            AuditAction::ApplicationRemedy,
            Record {
                unit_id: Some(a.unit_id),
                entity_id: r.application_id.to_string(),
                after: format!("{}|{}|{}", r.kind, r.filed_on, r.result),
                detail: format!(
                    "申请 {} 的{}（{}提起）：{}",
                    a.tracking_no, r.kind, r.filed_on, r.result
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The remedies about an application.
    pub async fn remedies(&self, id: i64) -> Result<Vec<Remedy>> {
        Ok(sqlx::query_as(
            "SELECT id, application_id, unit_id, kind, filed_on, result, decided_on, note \
             FROM application_remedies WHERE application_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }
}

/// Resolves the open alerts of an application (its due date moved, or it was finished).
async fn resolve_alerts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE supervision_alerts SET resolved_at = $1 WHERE application_id = $2 AND resolved_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Applications<'_> {
    /// The letter templates the openness office has edited: (key, body).
    pub async fn letter_templates(&self) -> Result<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT template_key, body FROM letter_templates ORDER BY template_key")
                .fetch_all(self.0.pool())
                .await?,
        )
    }

    /// Saves a letter template (the caller checked that it renders). Audited with the old and
    /// new text.
    pub async fn save_letter_template(&self, actor: &Actor, key: &str, body: &str) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let before: Option<(String,)> =
            sqlx::query_as("SELECT body FROM letter_templates WHERE template_key = $1")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO letter_templates (template_key, body, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (template_key) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(body)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::LetterTemplateEdit,
            Record {
                entity_id: key.to_string(),
                before: before.map(|b| b.0).unwrap_or_default(),
                after: body.to_string(),
                detail: format!("修改答复文书模板 {key}"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A unit's hand-entered annual report figures and texts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReportEntry {
    /// Licence decisions made outside gongkai's case module.
    pub licences: i64,
    /// Penalty decisions made outside the case module.
    pub penalties: i64,
    /// Enforcement decisions (行政强制).
    pub enforcements: i64,
    /// Fees collected, in 万元 (as entered).
    pub fees_wan: String,
    /// 总体情况.
    pub overview: String,
    /// 存在的主要问题及改进情况.
    pub problems: String,
    /// 其他需要报告的事项.
    pub other: String,
}

/// `unit_id IN ($n, …)` over `units`, numbering placeholders from `from`; empty for all units.
fn unit_clause(column: &str, units: Option<&[i64]>, from: usize) -> String {
    match units {
        None => String::new(),
        Some([]) => " AND 1 = 0".into(),
        Some(ids) => format!(
            " AND {column} IN ({})",
            (0..ids.len())
                .map(|k| format!("${}", from + k))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Applications<'_> {
    /// The units of `unit_id`'s subtree (itself included): a district's report sums them.
    pub async fn subtree(&self, unit_id: i64) -> Result<Vec<i64>> {
        let units = self.0.list_units().await?;
        let mut out = vec![unit_id];
        let mut at = 0;
        while at < out.len() {
            let parent = out[at];
            out.extend(
                units
                    .iter()
                    .filter(|u| u.parent_id == Some(parent))
                    .map(|u| u.id),
            );
            at += 1;
        }
        Ok(out)
    }

    async fn grouped<T>(
        &self,
        sql: String,
        year_binds: &[String],
        units: Option<&[i64]>,
    ) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql));
        for b in year_binds {
            q = q.bind(b.clone());
        }
        for u in units.unwrap_or(&[]) {
            q = q.bind(*u);
        }
        Ok(q.fetch_all(self.0.pool()).await?)
    }

    /// The counts the annual report of `year` is built from, over `units` (all when `None`):
    /// received in the year; received before it and open at its start; finished in it, by
    /// outcome; received by its end and open after it; remedies filed in it with their result
    /// at its end; published 规章 and 行政规范性文件; decisions of the case module; and the
    /// unit's hand-entered figures and texts (`entry_unit`). Each is one grouped statement
    /// over an index.
    pub async fn report_inputs(
        &self,
        year: i32,
        units: Option<&[i64]>,
        entry_unit: Option<i64>,
    ) -> Result<gongkai_domain::application::report::Inputs> {
        let first = format!("{year}-01-01");
        let last = format!("{year}-12-31");
        let u = |col: &str, from: usize| unit_clause(col, units, from);
        let received: Vec<(String, i64)> = self
            .grouped(
                format!("SELECT applicant_type, COUNT(*) FROM applications WHERE received_on >= $1 AND received_on <= $2{} GROUP BY applicant_type", u("unit_id", 3)),
                &[first.clone(), last.clone()],
                units,
            )
            .await?;
        let carried_in: Vec<(String, i64)> = self
            .grouped(
                format!("SELECT applicant_type, COUNT(*) FROM applications WHERE received_on < $1 AND (closed_on IS NULL OR closed_on >= $1){} GROUP BY applicant_type", u("unit_id", 2)),
                std::slice::from_ref(&first),
                units,
            )
            .await?;
        let decided: Vec<(String, String, i64)> = self
            .grouped(
                format!("SELECT applicant_type, outcome, COUNT(*) FROM applications WHERE closed_on >= $1 AND closed_on <= $2{} GROUP BY applicant_type, outcome", u("unit_id", 3)),
                &[first.clone(), last.clone()],
                units,
            )
            .await?;
        let carried_out: Vec<(String, i64)> = self
            .grouped(
                format!("SELECT applicant_type, COUNT(*) FROM applications WHERE received_on <= $1 AND (closed_on IS NULL OR closed_on > $1){} GROUP BY applicant_type", u("unit_id", 2)),
                std::slice::from_ref(&last),
                units,
            )
            .await?;
        let remedies: Vec<(String, String, i64)> = self
            .grouped(
                format!(
                    "SELECT kind, CASE WHEN decided_on IS NOT NULL AND decided_on <= $2 THEN result ELSE 'pending' END, COUNT(*) \
                     FROM application_remedies WHERE filed_on >= $1 AND filed_on <= $2{} GROUP BY 1, 2",
                    u("unit_id", 3)
                ),
                &[first.clone(), last.clone()],
                units,
            )
            .await?;
        let regulations: Vec<(String, String, String, String, i64)> = self
            .grouped(
                format!(
                    "SELECT c.code, r.validity, SUBSTR(r.formed_on, 1, 4), SUBSTR(i.published_at, 1, 4), COUNT(*) \
                     FROM items i JOIN catalog_categories c ON c.id = i.category_id \
                     JOIN item_revisions r ON r.item_id = i.id AND r.revision = i.published_revision \
                     WHERE c.code IN ('GZ', 'GFXWJ') AND i.withdrawn_at IS NULL AND i.published_revision IS NOT NULL \
                     AND i.published_at <= $1{} GROUP BY 1, 2, 3, 4",
                    u("i.unit_id", 2)
                ),
                &[format!("{last}T99")],
                units,
            )
            .await?;
        // the case module's figures, as `power().report_counts` counts them district-wide
        let mut decisions: Vec<(String, i64)> = self
            .grouped(
                format!("SELECT kind, COUNT(*) FROM decisions WHERE decided_on >= $1 AND decided_on <= $2 AND withdrawn_at IS NULL{} GROUP BY kind", u("unit_id", 3)),
                &[first.clone(), last.clone()],
                units,
            )
            .await?;
        let enforcement: Vec<(String, i64)> = self
            .grouped(
                format!(
                    "SELECT 'enforcement', COUNT(*) FROM cases c JOIN power_items i ON i.id = c.item_id \
                     WHERE i.category = 'enforcement' AND c.state = 'closed' AND c.closed_on >= $1 AND c.closed_on <= $2{}",
                    u("c.unit_id", 3)
                ),
                &[first.clone(), last.clone()],
                units,
            )
            .await?;
        decisions.extend(enforcement);
        let entry = match entry_unit {
            Some(unit) => self.report_entry(unit, year).await?,
            None => ReportEntry::default(),
        };
        let unit = match entry_unit {
            Some(id) => self.0.get_unit(id).await?.name,
            None => String::new(),
        };
        let year_of = |s: &str| s.parse::<i32>().unwrap_or(0);
        Ok(gongkai_domain::application::report::Inputs {
            year,
            unit,
            regulations: regulations
                .into_iter()
                .map(|(c, v, f, p, n)| (c, v, year_of(&f), year_of(&p), n))
                .collect(),
            decisions,
            manual: (
                entry.licences,
                entry.penalties,
                entry.enforcements,
                entry.fees_wan.clone(),
            ),
            received,
            carried_in,
            decided,
            carried_out,
            remedies,
            texts: (entry.overview, entry.problems, entry.other),
        })
    }

    /// The applications that break the report's identity for `year`: finished before they were
    /// received, or finished without an outcome of the report. (tracking number, why), at most
    /// `limit`.
    pub async fn report_anomalies(
        &self,
        year: i32,
        units: Option<&[i64]>,
        valid_outcomes: &[String],
        limit: i64,
    ) -> Result<Vec<(String, String)>> {
        let first = format!("{year}-01-01");
        let last = format!("{year}-12-31");
        let rows: Vec<(String, String, Option<String>, String)> = self
            .grouped(
                format!(
                    "SELECT tracking_no, received_on, closed_on, outcome FROM applications \
                     WHERE closed_on IS NOT NULL AND closed_on <= $2 AND (closed_on >= $1 OR received_on >= $1) \
                     AND (closed_on < received_on OR outcome = '' OR received_on > $2){} ORDER BY id LIMIT {limit}",
                    unit_clause("unit_id", units, 3)
                ),
                &[first.clone(), last.clone()],
                units,
            )
            .await?;
        let mut out: Vec<(String, String)> = rows
            .into_iter()
            .map(|(no, received, closed, outcome)| {
                let closed = closed.unwrap_or_default();
                let why = if closed < received {
                    format!("办结日期 {closed} 早于收到日期 {received}")
                } else {
                    "已办结但没有办理结果".to_string()
                };
                let _ = outcome;
                (no, why)
            })
            .collect();
        // outcomes that are not rows of the report
        let odd: Vec<(String, String)> = self
            .grouped(
                format!(
                    "SELECT tracking_no, outcome FROM applications WHERE closed_on >= $1 AND closed_on <= $2 AND outcome <> ''{} ORDER BY id",
                    unit_clause("unit_id", units, 3)
                ),
                &[first, last],
                units,
            )
            .await?;
        out.extend(
            odd.into_iter()
                .filter(|(_, o)| !valid_outcomes.contains(o))
                .take(usize::try_from(limit).unwrap_or(0))
                .map(|(no, o)| (no, format!("办理结果“{o}”不是年度报告中的一项"))),
        );
        Ok(out)
    }

    /// A unit's hand-entered report figures and texts for `year` (empty when none yet).
    pub async fn report_entry(&self, unit_id: i64, year: i32) -> Result<ReportEntry> {
        Ok(sqlx::query_as(
            "SELECT licences, penalties, enforcements, fees_wan, overview, problems, other FROM annual_reports WHERE unit_id = $1 AND year = $2",
        )
        .bind(unit_id)
        .bind(i64::from(year))
        .fetch_optional(self.0.pool())
        .await?
        .unwrap_or_default())
    }

    /// Saves a unit's hand-entered report figures and texts. Audited.
    pub async fn save_report_entry(
        &self,
        actor: &Actor,
        unit_id: i64,
        year: i32,
        e: &ReportEntry,
    ) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        sqlx::query(
            "INSERT INTO annual_reports (unit_id, year, licences, penalties, enforcements, fees_wan, overview, problems, other, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (unit_id, year) DO UPDATE SET licences = excluded.licences, penalties = excluded.penalties, \
             enforcements = excluded.enforcements, fees_wan = excluded.fees_wan, overview = excluded.overview, \
             problems = excluded.problems, other = excluded.other, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(unit_id)
        .bind(i64::from(year))
        .bind(e.licences)
        .bind(e.penalties)
        .bind(e.enforcements)
        .bind(&e.fees_wan)
        .bind(&e.overview)
        .bind(&e.problems)
        .bind(&e.other)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::AnnualReportEdit,
            Record {
                unit_id: Some(unit_id),
                entity_id: format!("{unit_id}:{year}"),
                after: format!(
                    "许可{} 处罚{} 强制{} 收费{}万元",
                    e.licences, e.penalties, e.enforcements, e.fees_wan
                ),
                detail: format!("编辑{year}年政府信息公开工作年度报告"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Applications<'_> {
    /// Online applications received from `addr` since `since` (RFC 3339): the per-address rate
    /// limit's count.
    pub async fn count_from_address(&self, addr: &str, since: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM applications WHERE client_addr = $1 AND created_at >= $2",
        )
        .bind(addr)
        .bind(since)
        .fetch_one(self.0.pool())
        .await?;
        Ok(n)
    }

    /// The same applicant's applications to `unit_id` received on or after `since`
    /// (YYYY-MM-DD), newest first, at most 50: (tracking number, content).
    pub async fn recent_of_applicant(
        &self,
        id_document: &str,
        unit_id: i64,
        since: &str,
    ) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT tracking_no, content FROM applications WHERE id_document = $1 AND received_on >= $2 AND unit_id = $3 \
             ORDER BY received_on DESC, id DESC LIMIT 50",
        )
        .bind(id_document)
        .bind(since)
        .bind(unit_id)
        .fetch_all(self.0.pool())
        .await?)
    }
}

/// One application of a bulk load (benchmarks, migration from an old system): stored as
/// given, already checked by the caller.
#[derive(Debug, Clone, Default)]
pub struct BulkApplication {
    /// The unit.
    pub unit_id: i64,
    /// Tracking number.
    pub tracking_no: String,
    /// Applicant type code.
    pub applicant_type: String,
    /// Name.
    pub name: String,
    /// Identity document.
    pub id_document: String,
    /// The information sought.
    pub content: String,
    /// Date of receipt.
    pub received_on: String,
    /// State code.
    pub state: String,
    /// Due date while open.
    pub due_on: Option<String>,
    /// Why.
    pub due_note: String,
    /// Outcome code (finished ones).
    pub outcome: String,
    /// Day finished.
    pub closed_on: Option<String>,
    /// The e-supervision watch days (open ones).
    pub watch: Option<(String, String)>,
    /// Finished after its due date.
    pub late: bool,
}

impl Applications<'_> {
    /// Loads applications in multi-row statements of 500, with their watch-list rows; one
    /// audit entry.
    pub async fn bulk_load(&self, actor: &Actor, rows: &[BulkApplication]) -> Result<usize> {
        const COLS: usize = 13;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        for chunk in rows.chunks(500) {
            // the submission key: `bulk:` and the (unique) tracking number
            let values = crate::values_rows(chunk.len(), COLS, |r| {
                format!(
                    ", '', 'bulk:' || ${}, '', '', '', '', 'paper', 'post', 'in_person', '', '{now}', '{now}'",
                    r * COLS + 2
                )
            });
            let sql = format!(
                "INSERT INTO applications (unit_id, tracking_no, applicant_type, name, id_document, content, received_on, state, \
                 due_on, due_note, outcome, closed_on, late, secret_hash, submission_key, phone, email, address, purpose, form, delivery, \
                 channel, receipt_note, created_at, updated_at) VALUES {values}"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in chunk {
                q = q
                    .bind(a.unit_id)
                    .bind(a.tracking_no.clone())
                    .bind(a.applicant_type.clone())
                    .bind(a.name.clone())
                    .bind(a.id_document.clone())
                    .bind(a.content.clone())
                    .bind(a.received_on.clone())
                    .bind(a.state.clone())
                    .bind(a.due_on.clone())
                    .bind(a.due_note.clone())
                    .bind(a.outcome.clone())
                    .bind(a.closed_on.clone())
                    .bind(i64::from(a.late));
            }
            q.execute(&mut *tx).await?;
            let watch: Vec<&BulkApplication> = chunk.iter().filter(|a| a.watch.is_some()).collect();
            if !watch.is_empty() {
                // one SELECT per row (portable: SQLite names no columns of a VALUES list)
                let selects: Vec<String> = (0..watch.len())
                    .map(|r| {
                        format!(
                            "SELECT id, unit_id, tracking_no, due_on, ${}, ${} FROM applications WHERE tracking_no = ${} AND due_on IS NOT NULL",
                            3 * r + 2,
                            3 * r + 3,
                            3 * r + 1
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO application_watch (application_id, unit_id, tracking_no, due_on, watch_on, red_on) {}",
                    selects.join(" UNION ALL ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for a in watch {
                    let (soon, red) = a.watch.clone().unwrap_or_default();
                    q = q.bind(a.tracking_no.clone()).bind(soon).bind(red);
                }
                q.execute(&mut *tx).await?;
            }
        }
        tx.record(
            AuditAction::ApplicationSubmit,
            Record {
                entity_id: String::new(),
                detail: format!("批量导入政府信息公开申请 {} 件", rows.len()),
                ..Record::default()
            },
        )
        .await?;
        tx.finish().await?;
        Ok(rows.len())
    }
}

/// An entry of the public register of answered applications (masked; no applicant's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RegisterEntry {
    /// Id.
    pub id: i64,
    /// The unit.
    pub unit_id: i64,
    /// Tracking number.
    pub tracking_no: String,
    /// Received.
    pub received_on: String,
    /// Answered.
    pub closed_on: Option<String>,
    /// Outcome code.
    pub outcome: String,
    /// What was asked, masked.
    pub register_content: String,
    /// The answer, masked.
    pub register_answer: String,
    /// In the register since.
    pub registered_at: Option<String>,
}

impl Applications<'_> {
    /// Puts an answered application in the public register with its masked texts, or takes
    /// it out (`None`: the texts stay on record, the audit trail says who and why). Audited.
    pub async fn set_register(
        &self,
        actor: &Actor,
        id: i64,
        texts: Option<(&str, &str)>,
        reason: &str,
    ) -> Result<()> {
        let a = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let done = match texts {
            Some((content, answer)) => {
                sqlx::query(
                    "UPDATE applications SET register_content = $1, register_answer = $2, registered_at = $3, updated_at = $3 \
                     WHERE id = $4 AND state = 'closed'",
                )
                .bind(content)
                .bind(answer)
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?
            }
            None => {
                sqlx::query(
                    "UPDATE applications SET registered_at = NULL, updated_at = $1 WHERE id = $2 AND registered_at IS NOT NULL",
                )
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?
            }
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(if texts.is_some() {
                "只有已办结的申请可以公开到申请目录".into()
            } else {
                "该申请不在公开目录中".into()
            }));
        }
        tx.record(
            AuditAction::ApplicationRegister,
            Record {
                unit_id: Some(a.unit_id),
                entity_id: id.to_string(),
                after: texts.map(|(c, a)| format!("{c}|{a}")).unwrap_or_default(),
                detail: match texts {
                    Some(_) => format!("申请 {} 公开到依申请公开目录（已脱敏）", a.tracking_no),
                    None => format!("申请 {} 从依申请公开目录撤下：{reason}", a.tracking_no),
                },
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The public register, newest first, one page (keyset: ids below `before`); one unit or
    /// all.
    pub async fn register(
        &self,
        unit_id: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<RegisterEntry>> {
        const COLS: &str = "id, unit_id, tracking_no, received_on, closed_on, outcome, register_content, register_answer, registered_at";
        let before = before.unwrap_or(i64::MAX);
        Ok(match unit_id {
            Some(u) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM applications WHERE registered_at IS NOT NULL AND id < $1 AND unit_id = $2 ORDER BY id DESC LIMIT $3"
            )))
            .bind(before)
            .bind(u)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
            None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM applications WHERE registered_at IS NOT NULL AND id < $1 ORDER BY id DESC LIMIT $2"
            )))
            .bind(before)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
        })
    }
}

impl Applications<'_> {
    /// A unit's open applications per state (the desk's counts).
    pub async fn open_counts(&self, unit_id: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT state, COUNT(*) FROM applications WHERE closed_on IS NULL AND unit_id = $1 GROUP BY state",
        )
        .bind(unit_id)
        .fetch_all(self.0.pool())
        .await?)
    }
}

/// The e-supervision watch list of open applications.
const WATCH: crate::power::supervision::WatchList = crate::power::supervision::WatchList {
    table: "application_watch",
    subject: "application_id",
    join: "",
    key: "'application:' || w.application_id || ':' || w.due_on",
    unit: "w.unit_id",
    kind: "'application_due'",
    detail: "'政府信息公开申请 ' || w.tracking_no || CASE WHEN w.red_on <= $1 THEN ' 已超过答复期限' ELSE ' 即将到期' END || '（答复期限 ' || w.due_on || '）'",
    last: "red_on <= $1",
    next: "red_on",
    audit: |red, yellow| format!("电子监察扫描（依申请公开）：新增超期{red}件、即将到期{yellow}件"),
};
