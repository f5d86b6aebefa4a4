//! E-supervision (电子监察) alerts. Each open case with an alert level still to come has one
//! narrow row on the watch list (`case_watch`: the next day its level changes, the yellow day
//! then the red day); the scan reads only the rows whose day has come (an index on
//! `watch_on`), raises one alert per case, step and level in set-based statements, and moves
//! those rows on or off the list, never touching the wide `cases` rows. Alerts of a step are
//! resolved when the case moves on, is suspended or closes.

use super::Power;
use crate::audit::Record;
use crate::{Actor, Result, Unrecorded, now_text};
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
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let mut summary = ScanSummary::default();
        // Only the watch list's rows whose day has come are read: once to raise their alerts,
        // then to move them on to their red day or off the list.
        const LEVEL: &str = "CASE WHEN w.red_on <= $1 THEN 'red' ELSE 'yellow' END";
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO supervision_alerts (alert_key, unit_id, kind, level, case_id, detail, raised_at) \
             SELECT 'case:' || c.id || ':' || c.step_key || ':' || c.step_started_on || ':' || {LEVEL}, c.unit_id, 'case_step', {LEVEL}, c.id, \
             '办件 ' || c.case_no || ' 当前环节' || CASE WHEN w.red_on <= $1 THEN '已超期' ELSE '即将到期' END || '（期限 ' || c.due_on || '）', $2 \
             FROM case_watch w JOIN cases c ON c.id = w.case_id WHERE w.watch_on <= $1 \
             ON CONFLICT (alert_key) DO NOTHING"
        )))
        .bind(today)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM case_watch WHERE watch_on <= $1 AND red_on <= $1")
            .bind(today)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE case_watch SET watch_on = red_on WHERE watch_on <= $1")
            .bind(today)
            .execute(&mut *tx)
            .await?;
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT level, COUNT(*) FROM supervision_alerts WHERE raised_at = $1 GROUP BY level",
        )
        .bind(&now)
        .fetch_all(&mut *tx)
        .await?;
        for (level, n) in counts {
            let n = u64::try_from(n).unwrap_or(0);
            if level == "red" {
                summary.red = n;
            } else {
                summary.yellow = n;
            }
        }
        if summary.red + summary.yellow > 0 {
            enqueue_reminders(tx.tx(), &now).await?;
            tx.record(
                AuditAction::SupervisionScan,
                Record {
                    entity_id: today.to_string(),
                    detail: format!(
                        "电子监察扫描：新增红牌{}个、黄牌{}个",
                        summary.red, summary.yellow
                    ),
                    ..Record::default()
                },
            )
            .await?;
        }
        // With no alert raised, only the watch list (derived from the cases) moved on.
        tx.commit_derived(Unrecorded::CaseWatch).await?;
        Ok(summary)
    }

    /// Open alerts, newest first; one unit or all.
    pub async fn open_alerts(&self, unit_id: Option<i64>, limit: i64) -> Result<Vec<Alert>> {
        const COLS: &str = "id, unit_id, kind, level, case_id, decision_id, application_id, message_id, rating_id, detail, raised_at";
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
            "SELECT id, unit_id, kind, level, case_id, decision_id, application_id, message_id, rating_id, detail, raised_at FROM supervision_alerts \
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
