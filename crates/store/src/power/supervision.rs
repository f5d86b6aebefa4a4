//! E-supervision (电子监察) alerts. Each open case with an alert level still to come has one
//! narrow row on the watch list (`case_watch`: the next day its level changes, the yellow day
//! then the red day); the scan reads only the rows whose day has come (an index on
//! `watch_on`), raises one alert per case, step and level in set-based statements, and moves
//! those rows on or off the list, never touching the wide `cases` rows. Alerts of a step are
//! resolved when the case moves on, is suspended or closes.

use super::Power;
use crate::audit::Record;
use crate::{Actor, Backend, Result, Store, Unrecorded, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// An alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Alert {
    /// Id.
    pub id: i64,
    /// Unit concerned.
    pub unit_id: i64,
    /// `case_step`, `discretion`, `publicity_late` or `withdraw_late`.
    pub kind: String,
    /// `yellow` or `red`.
    pub level: String,
    /// The case.
    pub case_id: Option<i64>,
    /// The decision.
    pub decision_id: Option<i64>,
    /// The disclosure application.
    pub application_id: Option<i64>,
    /// The message (messages' alerts).
    pub message_id: Option<i64>,
    /// The bad rating (ratings' alerts).
    pub rating_id: Option<i64>,
    /// The oversight notice (notices' alerts).
    pub notice_id: Option<i64>,
    /// What it is about.
    pub detail: String,
    /// When it was raised.
    pub raised_at: String,
}

/// What one scan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    /// New yellow alerts.
    pub yellow: u64,
    /// New red alerts.
    pub red: u64,
}

impl Power<'_> {
    /// Raises the alerts of `today` (Beijing date): red for open cases past their step's due
    /// date, yellow for those from their yellow date. Audited when it raised anything.
    pub async fn scan_alerts(&self, actor: &Actor, today: &str) -> Result<ScanSummary> {
        let (yellow, red) = scan_watch(self.0, actor, today, &CASES).await?;
        Ok(ScanSummary { yellow, red })
    }

    /// Open alerts, newest first; one unit or all.
    pub async fn open_alerts(&self, unit_id: Option<i64>, limit: i64) -> Result<Vec<Alert>> {
        const COLS: &str = "id, unit_id, kind, level, case_id, decision_id, application_id, message_id, rating_id, notice_id, detail, raised_at";
        Ok(match unit_id {
            Some(u) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM supervision_alerts WHERE resolved_at IS NULL AND unit_id = $1 ORDER BY id DESC LIMIT $2"
            )))
            .bind(u)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
            None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM supervision_alerts WHERE resolved_at IS NULL ORDER BY id DESC LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
        })
    }

    /// Open alerts per unit and level: (unit id, level, count).
    pub async fn alert_counts(&self) -> Result<Vec<(i64, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT unit_id, level, COUNT(*) FROM supervision_alerts WHERE resolved_at IS NULL \
             GROUP BY unit_id, level ORDER BY unit_id, level",
        )
        .fetch_all(self.0.pool())
        .await?)
    }
}

/// One e-supervision watch list: a narrow table with one row per open record whose alert level
/// has yet to change (`watch_on`: the day it changes next; `red_on`: the day after the due
/// date), written with the record in the same transaction and removed when the record no
/// longer needs watching. Each field is a piece of SQL; `w` is the watch row, `$1` the day of
/// the scan and `$2` the time of the alerts.
pub(crate) struct WatchList {
    /// The table (`message_watch`).
    pub table: &'static str,
    /// The record's column, in the watch table and in `supervision_alerts` (`message_id`).
    pub subject: &'static str,
    /// Tables joined to the watch row for what the alert says (`" JOIN cases c ON …"`), or "".
    pub join: &'static str,
    /// What makes the alert unique beside its level and the scan's time.
    pub key: &'static str,
    /// The unit the alert goes to.
    pub unit: &'static str,
    /// The alert's kind.
    pub kind: &'static str,
    /// What the alert says.
    pub detail: &'static str,
    /// Whether a row whose day has come has reached its last level (unqualified columns): it
    /// leaves the list.
    pub last: &'static str,
    /// The next day to watch of a row whose day has come and that stays (unqualified columns).
    pub next: &'static str,
    /// The audit entry's words for (red, yellow) new alerts.
    pub audit: fn(u64, u64) -> String,
}

/// The mark of a watch row that has reached its last level, removed at the end of the scan.
const DONE: &str = "9999-12-31";

/// An alert's level on the day of the scan.
const LEVEL: &str = "CASE WHEN w.red_on <= $1 THEN 'red' ELSE 'yellow' END";

/// The e-supervision watch list of power-list cases (alerts of the current step).
const CASES: WatchList = WatchList {
    table: "case_watch",
    subject: "case_id",
    join: " JOIN cases c ON c.id = w.case_id",
    key: "'case:' || c.id || ':' || c.step_key || ':' || c.step_started_on",
    unit: "c.unit_id",
    kind: "'case_step'",
    detail: "'办件 ' || c.case_no || ' 当前环节' || CASE WHEN w.red_on <= $1 THEN '已超期' ELSE '即将到期' END || '（期限 ' || c.due_on || '）'",
    last: "red_on <= $1",
    next: "red_on",
    audit: |red, yellow| format!("电子监察扫描：新增红牌{red}个、黄牌{yellow}个"),
};

/// The daily scan of one watch list: reads only the rows whose day has come (an index on
/// `watch_on`), raises one alert for each at its level of the day (one level only, however
/// many days the scan missed), moves each row on to its next day or off the list, queues the
/// units' reminders, and records what it raised; in one transaction. Returns (yellow, red).
///
/// The rows are claimed by the statement that moves them: on PostgreSQL the alerts are
/// inserted from the rows the `UPDATE` returns, so two servers scanning at once, or a
/// scan racing a record's answer, raise each alert once and none for a record already off the
/// list; SQLite has one writer at a time. An alert's key starts with the scan's time, so each
/// scan's keys sit together in the unique index instead of landing on a random page each.
pub(crate) async fn scan_watch(
    store: &Store,
    actor: &Actor,
    today: &str,
    list: &WatchList,
) -> Result<(u64, u64)> {
    let now = now_text();
    let mut tx = store.write(actor).await?;
    let WatchList {
        table,
        subject,
        join,
        key,
        unit,
        kind,
        detail,
        last,
        next,
        audit,
    } = list;
    let insert = format!(
        "INSERT INTO supervision_alerts (alert_key, unit_id, kind, level, {subject}, detail, raised_at) \
         SELECT $2 || ' ' || {key} || ':' || {LEVEL}, {unit}, {kind}, {LEVEL}, w.{subject}, {detail}, $2"
    );
    let advance = format!(
        "UPDATE {table} SET watch_on = CASE WHEN {last} THEN '{DONE}' ELSE {next} END WHERE watch_on <= $1"
    );
    let counts: Vec<(String, i64)> = match tx.backend() {
        Backend::Postgres => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "WITH due AS ({advance} RETURNING *), raised AS ({insert} FROM due w{join} RETURNING level) \
                 SELECT level, COUNT(*) FROM raised GROUP BY level"
            )))
            .bind(today)
            .bind(&now)
            .fetch_all(&mut *tx)
            .await?
        }
        Backend::Sqlite => {
            let counts = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {LEVEL}, COUNT(*) FROM {table} w{join} WHERE w.watch_on <= $1 GROUP BY 1"
            )))
            .bind(today)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{insert} FROM {table} w{join} WHERE w.watch_on <= $1"
            )))
            .bind(today)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(advance))
                .bind(today)
                .execute(&mut *tx)
                .await?;
            counts
        }
    };
    // the rows at their last level were marked by `advance` (one pass over the day's rows)
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE watch_on = '{DONE}'"
    )))
    .execute(&mut *tx)
    .await?;
    let (mut yellow, mut red) = (0, 0);
    for (level, n) in counts {
        let n = u64::try_from(n).unwrap_or(0);
        if level == "red" {
            red = n;
        } else {
            yellow = n;
        }
    }
    if yellow + red > 0 {
        enqueue_reminders(tx.tx(), &now).await?;
        tx.record(
            AuditAction::SupervisionScan,
            Record {
                entity_id: today.to_string(),
                detail: audit(red, yellow),
                ..Record::default()
            },
        )
        .await?;
    }
    // With no alert raised, only the watch list (derived from the records) moved on.
    tx.commit_derived(Unrecorded::CaseWatch).await?;
    Ok((yellow, red))
}

/// Queues one reminder job per unit (kind `reminder`, payload `unit id|raised_at`) for the
/// alerts raised at `raised_at`, in the transaction that raised them: each unit gets one digest
/// per scan, not one mail per case.
pub(crate) async fn enqueue_reminders(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    raised_at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO jobs (kind, job_key, webhook_id, event, payload, state, attempts, run_after, last_error, created_at, updated_at) \
         SELECT 'reminder', 'reminder:' || CAST(unit_id AS TEXT) || ':' || $1, NULL, 'alerts', CAST(unit_id AS TEXT) || '|' || $1, \
         'queued', 0, $1, '', $1, $1 \
         FROM supervision_alerts WHERE raised_at = $1 GROUP BY unit_id \
         ON CONFLICT (job_key) DO NOTHING",
    )
    .bind(raised_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Power<'_> {
    /// The alerts of a unit raised at one time (a reminder's digest), red first, at most
    /// `limit`, and how many there are in all.
    pub async fn alerts_raised(
        &self,
        unit_id: i64,
        raised_at: &str,
        limit: i64,
    ) -> Result<(Vec<Alert>, i64)> {
        let list = sqlx::query_as(
            "SELECT id, unit_id, kind, level, case_id, decision_id, application_id, message_id, rating_id, notice_id, detail, raised_at FROM supervision_alerts \
             WHERE raised_at = $1 AND unit_id = $2 ORDER BY level, id LIMIT $3",
        )
        .bind(raised_at)
        .bind(unit_id)
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?;
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM supervision_alerts WHERE raised_at = $1 AND unit_id = $2",
        )
        .bind(raised_at)
        .bind(unit_id)
        .fetch_one(self.0.pool())
        .await?;
        Ok((list, n))
    }
}
