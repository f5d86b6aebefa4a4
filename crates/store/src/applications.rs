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
    /// State code.
    pub state: String,
    /// When it was stored (RFC 3339 UTC).
    pub created_at: String,
}

const COLUMNS: &str = "id, unit_id, tracking_no, applicant_type, name, id_document, phone, email, address, content, purpose, form, delivery, channel, received_on, receipt_note, state, created_at";

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
        sqlx::query("UPDATE applications SET tracking_no = $1 WHERE id = $2")
            .bind(&tracking_no)
            .bind(id)
            .execute(&mut *tx)
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

    async fn by_submission_key(&self, key: &str) -> Result<Option<Application>> {
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
