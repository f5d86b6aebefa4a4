//! Cases (办件) and their events. A case is opened under one published version of its power
//! item and moves only along that version's flow (the caller checks the move against the flow;
//! here the move is guarded by the step the caller saw, so two handlers cannot both move it).
//! The step's due dates are given by the caller (computed by `domain::power::case`).

use super::Power;
use crate::audit::Record;
use crate::{Actor, Result, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// The dates a running step is judged by (from `domain::power::case::step_clock`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    /// Last day of the step.
    pub due_on: String,
    /// First yellow day.
    pub yellow_on: String,
    /// First red day.
    pub red_on: String,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Case {
    /// Id.
    pub id: i64,
    /// Handling unit.
    pub unit_id: i64,
    /// The power item.
    pub item_id: i64,
    /// The item's version whose flow the case follows.
    pub version: i64,
    /// 办件编号.
    pub case_no: String,
    /// Hash of the query code the applicant got.
    #[serde(skip)]
    pub query_hash: String,
    /// Channel code.
    pub channel: String,
    /// Applicant or party.
    pub applicant_name: String,
    /// Party type code.
    pub applicant_type: String,
    /// Identity document or credit code (never public).
    #[serde(skip)]
    pub applicant_code: String,
    /// Contact (never public).
    #[serde(skip)]
    pub contact: String,
    /// What the case is about.
    pub subject: String,
    /// `open`, `suspended` or `closed`.
    pub state: String,
    /// The current step.
    pub step_key: String,
    /// The day the current step started (or resumed from the start).
    pub step_started_on: String,
    /// Working days the current step has been suspended so far.
    pub step_suspended_days: i64,
    /// The step's due date.
    pub due_on: Option<String>,
    /// From when the step is yellow.
    pub yellow_on: Option<String>,
    /// Suspended since.
    pub suspended_on: Option<String>,
    /// Suspension kind code.
    pub suspension_kind: Option<String>,
    /// Why.
    pub suspension_reason: String,
    /// Opened (time).
    pub opened_at: String,
    /// Opened (Beijing date).
    pub opened_on: String,
    /// Closed (Beijing date).
    pub closed_on: Option<String>,
    /// The end state reached.
    pub outcome: String,
    /// From when the step is red (past its limit).
    pub red_on: Option<String>,
}

impl Case {
    /// The alert level the case's own dates give on `today` (Beijing date): `red` past its
    /// step's limit, `yellow` from its yellow day; none unless open.
    pub fn alert_on(&self, today: &str) -> Option<&'static str> {
        if self.state != "open" {
            return None;
        }
        if self.red_on.as_deref().is_some_and(|d| d <= today) {
            Some("red")
        } else if self.yellow_on.as_deref().is_some_and(|d| d <= today) {
            Some("yellow")
        } else {
            None
        }
    }
}

/// Puts a case on the e-supervision watch list from its yellow day (replacing its old place),
/// or takes it off with `None`.
async fn watch(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    case_id: i64,
    due: Option<(&str, &str)>,
) -> Result<()> {
    match due {
        Some((yellow_on, red_on)) => {
            sqlx::query(
                "INSERT INTO case_watch (case_id, watch_on, red_on) VALUES ($1, $2, $3) \
                 ON CONFLICT (case_id) DO UPDATE SET watch_on = excluded.watch_on, red_on = excluded.red_on",
            )
            .bind(case_id)
            .bind(yellow_on)
            .bind(red_on)
            .execute(&mut **tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM case_watch WHERE case_id = $1")
                .bind(case_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// One event of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseEvent {
    /// When.
    pub at: String,
    /// Beijing date.
    pub on_date: String,
    /// Who.
    pub actor: String,
    /// `open`, `move`, `suspend`, `resume`, `decide`.
    pub kind: String,
    /// From step key.
    pub from_step: String,
    /// To step key.
    pub to_step: String,
    /// The transition's or suspension's label.
    pub label: String,
    /// Note.
    pub note: String,
    /// The due date the new step got.
    pub due_on: Option<String>,
}

/// A case to open.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    /// Handling unit.
    pub unit_id: i64,
    /// Unit code (for the case number).
    pub unit_code: String,
    /// Power item.
    pub item_id: i64,
    /// Its published version.
    pub version: i64,
    /// Hash of the query code.
    pub query_hash: String,
    /// A key that makes a double-submitted form open one case.
    pub request_key: Option<String>,
    /// Channel code.
    pub channel: String,
    /// Applicant.
    pub applicant_name: String,
    /// Party type code.
    pub applicant_type: String,
    /// Identity document or credit code.
    pub applicant_code: String,
    /// Contact.
    pub contact: String,
    /// Subject.
    pub subject: String,
    /// The start step.
    pub step_key: String,
    /// Today (Beijing).
    pub today: String,
    /// The start step's due dates.
    pub due: Option<Due>,
}

/// A move of a case to another step.
#[derive(Debug, Clone, Default)]
pub struct Move {
    /// The step the handler saw the case in.
    pub from_step: String,
    /// The step it goes to.
    pub to_step: String,
    /// The transition's label.
    pub label: String,
    /// The handler's note.
    pub note: String,
    /// Today (Beijing).
    pub today: String,
    /// The new step's due dates (`None`: no limit).
    pub due: Option<Due>,
    /// The new step ends the case: its outcome.
    pub outcome: Option<String>,
}

/// A case already under way, for bulk loading (benchmarks and migrations from an old system).
#[derive(Debug, Clone, Default)]
pub struct BulkCase {
    /// Unit.
    pub unit_id: i64,
    /// Item.
    pub item_id: i64,
    /// Version.
    pub version: i64,
    /// Case number (unique).
    pub case_no: String,
    /// Applicant.
    pub applicant_name: String,
    /// Subject.
    pub subject: String,
    /// Current step.
    pub step_key: String,
    /// When it started.
    pub step_started_on: String,
    /// Its due date.
    pub due_on: String,
    /// Its yellow date.
    pub yellow_on: String,
    /// Its red date.
    pub red_on: String,
    /// Opened on.
    pub opened_on: String,
    /// Closed on (None: open, on the watch list).
    pub closed_on: Option<String>,
}

const CASE_COLUMNS: &str = "id, unit_id, item_id, version, case_no, query_hash, channel, applicant_name, applicant_type, \
    applicant_code, contact, subject, state, step_key, step_started_on, step_suspended_days, due_on, yellow_on, \
    suspended_on, suspension_kind, suspension_reason, opened_at, opened_on, closed_on, outcome, red_on";

impl Power<'_> {
    /// Opens a case with the next number of its unit and year; a repeated `request_key` returns
    /// the case already opened (a double-submitted form). Audited.
    pub async fn open_case(&self, actor: &Actor, c: &NewCase) -> Result<(i64, String)> {
        if let Some(key) = &c.request_key
            && let Some(existing) = self.case_by_request_key(key).await?
        {
            return Ok((existing.id, existing.case_no));
        }
        let year: i64 = c
            .today
            .get(..4)
            .and_then(|y| y.parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("date {}", c.today)))?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        sqlx::query(
            "INSERT INTO case_serials (unit_id, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (unit_id, year) DO UPDATE SET last = case_serials.last + 1",
        )
        .bind(c.unit_id)
        .bind(year)
        .execute(&mut *tx)
        .await?;
        let (serial,): (i64,) =
            sqlx::query_as("SELECT last FROM case_serials WHERE unit_id = $1 AND year = $2")
                .bind(c.unit_id)
                .bind(year)
                .fetch_one(&mut *tx)
                .await?;
        let case_no = gongkai_domain::power::case::case_no(&c.unit_code, year as i32, serial);
        let due = c.due.as_ref().map(|d| d.due_on.clone());
        let yellow = c.due.as_ref().map(|d| d.yellow_on.clone());
        let red = c.due.as_ref().map(|d| d.red_on.clone());
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO cases (unit_id, item_id, version, case_no, query_hash, request_key, channel, applicant_name, \
             applicant_type, applicant_code, contact, subject, state, step_key, step_started_on, due_on, yellow_on, \
             opened_at, opened_on, updated_at, red_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', $13, $14, $15, $16, $17, $14, $17, $18) RETURNING id",
        )
        .bind(c.unit_id)
        .bind(c.item_id)
        .bind(c.version)
        .bind(&case_no)
        .bind(&c.query_hash)
        .bind(&c.request_key)
        .bind(&c.channel)
        .bind(c.applicant_name.trim())
        .bind(&c.applicant_type)
        .bind(c.applicant_code.trim())
        .bind(c.contact.trim())
        .bind(c.subject.trim())
        .bind(&c.step_key)
        .bind(&c.today)
        .bind(&due)
        .bind(&yellow)
        .bind(&now)
        .bind(&red)
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Ok(row) => row,
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() && c.request_key.is_some() => {
                drop(tx);
                let key = c.request_key.as_deref().unwrap_or_default();
                let existing = self
                    .case_by_request_key(key)
                    .await?
                    .ok_or_else(|| StoreError::Conflict("办件编号冲突，请重试".into()))?;
                return Ok((existing.id, existing.case_no));
            }
            Err(e) => return Err(e.into()),
        };
        if let (Some(y), Some(r)) = (&yellow, &red) {
            watch(tx.tx(), id, Some((y, r))).await?;
        }
        event(
            tx.tx(),
            id,
            &now,
            &c.today,
            actor,
            "open",
            "",
            &c.step_key,
            "受理登记",
            "",
            due.as_deref(),
        )
        .await?;
        tx.record(
            AuditAction::CaseOpen,
            Record {
                unit_id: Some(c.unit_id),
                entity_id: id.to_string(),
                after: format!("{case_no} {} {}", c.channel, c.step_key),
                detail: format!("办件 {case_no} 登记（{}）", c.subject.trim()),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok((id, case_no))
    }

    /// Loads cases in multi-row statements of 500 (no events), the open ones on the watch
    /// list; one audit entry.
    pub async fn bulk_cases(&self, actor: &Actor, rows: &[BulkCase]) -> Result<usize> {
        const COLS: usize = 14;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (before,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM cases")
            .fetch_one(&mut *tx)
            .await?;
        for chunk in rows.chunks(500) {
            let values = crate::values_rows(chunk.len(), COLS, |_| {
                format!(", '', 'window', 'organisation', '', '', '{now}', '{now}'")
            });
            let sql = format!(
                "INSERT INTO cases (unit_id, item_id, version, case_no, applicant_name, subject, step_key, step_started_on, \
                 due_on, yellow_on, red_on, opened_on, closed_on, state, query_hash, channel, applicant_type, applicant_code, contact, \
                 opened_at, updated_at) VALUES {values}"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                q = q
                    .bind(c.unit_id)
                    .bind(c.item_id)
                    .bind(c.version)
                    .bind(c.case_no.clone())
                    .bind(c.applicant_name.clone())
                    .bind(c.subject.clone())
                    .bind(c.step_key.clone())
                    .bind(c.step_started_on.clone())
                    .bind(c.due_on.clone())
                    .bind(c.yellow_on.clone())
                    .bind(c.red_on.clone())
                    .bind(c.opened_on.clone())
                    .bind(c.closed_on.clone())
                    .bind(if c.closed_on.is_some() {
                        "closed"
                    } else {
                        "open"
                    });
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO case_watch (case_id, watch_on, red_on) SELECT id, yellow_on, red_on FROM cases \
             WHERE id > $1 AND state = 'open' AND yellow_on IS NOT NULL AND red_on IS NOT NULL",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::CaseImport,
            Record {
                entity_id: String::new(),
                detail: format!("批量导入办件 {} 件", rows.len()),
                ..Record::default()
            },
        )
        .await?;
        tx.finish().await?;
        Ok(rows.len())
    }

    async fn case_by_request_key(&self, key: &str) -> Result<Option<Case>> {
        Ok(sqlx::query_as::<_, Case>(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE request_key = $1"
        )))
        .bind(key)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// The case.
    pub async fn case(&self, id: i64) -> Result<Case> {
        sqlx::query_as::<_, Case>(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("办件 {id}")))
    }

    /// The case with this number.
    pub async fn case_by_no(&self, case_no: &str) -> Result<Option<Case>> {
        Ok(sqlx::query_as::<_, Case>(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE case_no = $1"
        )))
        .bind(case_no)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// A unit's cases, newest first, one keyset page (`before_id`).
    pub async fn unit_cases(
        &self,
        unit_id: i64,
        state: Option<&str>,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Case>> {
        let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE unit_id = $1 AND id < $2");
        if state.is_some() {
            sql.push_str(" AND state = $4");
        }
        sql.push_str(" ORDER BY id DESC LIMIT $3");
        let mut q = sqlx::query_as::<_, Case>(sqlx::AssertSqlSafe(sql))
            .bind(unit_id)
            .bind(before_id.unwrap_or(i64::MAX))
            .bind(limit.clamp(1, 500));
        if let Some(s) = state {
            q = q.bind(s.to_string());
        }
        Ok(q.fetch_all(self.0.pool()).await?)
    }

    /// The cases of a unit closed between two Beijing dates (inclusive): item, version, opened,
    /// closed, working days suspended.
    pub async fn closed_cases(
        &self,
        unit_id: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<(i64, i64, String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT item_id, version, opened_on, closed_on, suspended_days FROM cases \
             WHERE unit_id = $1 AND closed_on >= $2 AND closed_on <= $3 AND state = 'closed'",
        )
        .bind(unit_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// For the annual report: licence and penalty decisions dated in the period (not
    /// withdrawn), and enforcement cases closed in it.
    pub async fn report_counts(&self, from: &str, to: &str) -> Result<(i64, i64, i64)> {
        let (licences, penalties): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN kind = 'licence' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN kind = 'penalty' THEN 1 ELSE 0 END), 0) \
             FROM decisions WHERE decided_on >= $1 AND decided_on <= $2 AND withdrawn_at IS NULL",
        )
        .bind(from)
        .bind(to)
        .fetch_one(self.0.pool())
        .await?;
        let (enforcement,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM cases c JOIN power_items i ON i.id = c.item_id \
             WHERE i.category = 'enforcement' AND c.state = 'closed' AND c.closed_on >= $1 AND c.closed_on <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(self.0.pool())
        .await?;
        Ok((licences, penalties, enforcement))
    }

    /// The events of a case, in order.
    pub async fn case_events(&self, case_id: i64) -> Result<Vec<CaseEvent>> {
        Ok(sqlx::query_as(
            "SELECT at, on_date, actor, kind, from_step, to_step, label, note, due_on FROM case_events \
             WHERE case_id = $1 ORDER BY id",
        )
        .bind(case_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Moves an open case from the step the handler saw to the next; an end step closes it.
    /// Open alerts of the old step are resolved. Audited.
    /// A closing move may carry the decision to publish (double publicity), recorded in the
    /// same transaction.
    pub async fn move_case(
        &self,
        actor: &Actor,
        case_id: i64,
        m: &Move,
        decision: Option<&super::decisions::NewDecision>,
    ) -> Result<()> {
        let case = self.case(case_id).await?;
        let now = now_text();
        let due = m.due.as_ref().map(|d| d.due_on.clone());
        let yellow = m.due.as_ref().map(|d| d.yellow_on.clone());
        let red = m.due.as_ref().map(|d| d.red_on.clone());
        let mut tx = self.0.write(actor).await?;
        let r = match &m.outcome {
            None => {
                sqlx::query(
                    "UPDATE cases SET step_key = $1, step_started_on = $2, step_suspended_days = 0, due_on = $3, \
                     yellow_on = $4, red_on = $8, updated_at = $5 \
                     WHERE id = $6 AND state = 'open' AND step_key = $7",
                )
                .bind(&m.to_step)
                .bind(&m.today)
                .bind(&due)
                .bind(&yellow)
                .bind(&now)
                .bind(case_id)
                .bind(&m.from_step)
                .bind(&red)
                .execute(&mut *tx)
                .await?
            }
            Some(outcome) => {
                sqlx::query(
                    "UPDATE cases SET step_key = $1, state = 'closed', closed_at = $2, closed_on = $3, outcome = $4, \
                     due_on = NULL, yellow_on = NULL, red_on = NULL, updated_at = $2 \
                     WHERE id = $5 AND state = 'open' AND step_key = $6",
                )
                .bind(&m.to_step)
                .bind(&now)
                .bind(&m.today)
                .bind(outcome)
                .bind(case_id)
                .bind(&m.from_step)
                .execute(&mut *tx)
                .await?
            }
        };
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "办件状态已变化（已被他人办理、已暂停或已办结），请刷新后重试".into(),
            ));
        }
        resolve_case_alerts(tx.tx(), case_id, &now).await?;
        let next = match (&m.outcome, &yellow, &red) {
            (None, Some(y), Some(r)) => Some((y.as_str(), r.as_str())),
            _ => None,
        };
        watch(tx.tx(), case_id, next).await?;
        if let Some(d) = decision {
            super::decisions::insert_decision(&mut tx, d).await?;
        }
        event(
            tx.tx(),
            case_id,
            &now,
            &m.today,
            actor,
            "move",
            &m.from_step,
            &m.to_step,
            &m.label,
            m.note.trim(),
            due.as_deref(),
        )
        .await?;
        tx.record(
            if m.outcome.is_some() {
                AuditAction::CaseClose
            } else {
                AuditAction::CaseMove
            },
            Record {
                unit_id: Some(case.unit_id),
                entity_id: case_id.to_string(),
                before: m.from_step.clone(),
                after: m.to_step.clone(),
                detail: format!(
                    "办件 {} {}：{} → {}",
                    case.case_no, m.label, m.from_step, m.to_step
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops the clock of an open case (补正, 听证, …) with the reason. Audited.
    pub async fn suspend_case(
        &self,
        actor: &Actor,
        case_id: i64,
        kind: &str,
        label: &str,
        reason: &str,
        today: &str,
    ) -> Result<()> {
        let case = self.case(case_id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let r = sqlx::query(
            "UPDATE cases SET state = 'suspended', suspended_on = $1, suspension_kind = $2, suspension_reason = $3, \
             updated_at = $4 WHERE id = $5 AND state = 'open'",
        )
        .bind(today)
        .bind(kind)
        .bind(reason.trim())
        .bind(&now)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("只有办理中的办件可以暂停计时".into()));
        }
        resolve_case_alerts(tx.tx(), case_id, &now).await?;
        watch(tx.tx(), case_id, None).await?;
        event(
            tx.tx(),
            case_id,
            &now,
            today,
            actor,
            "suspend",
            &case.step_key,
            &case.step_key,
            label,
            reason.trim(),
            None,
        )
        .await?;
        tx.record(
            AuditAction::CaseSuspend,
            Record {
                unit_id: Some(case.unit_id),
                entity_id: case_id.to_string(),
                detail: format!(
                    "办件 {} 暂停计时（{label}）：{}",
                    case.case_no,
                    reason.trim()
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Restarts the clock of a suspended case: `suspended_days` is the step's total of suspended
    /// working days so far, `due` its new due dates. Audited.
    pub async fn resume_case(
        &self,
        actor: &Actor,
        case_id: i64,
        today: &str,
        suspended_days: i64,
        due: Option<Due>,
        note: &str,
    ) -> Result<()> {
        let case = self.case(case_id).await?;
        let now = now_text();
        let due_on = due.as_ref().map(|d| d.due_on.clone());
        let yellow_on = due.as_ref().map(|d| d.yellow_on.clone());
        let red_on = due.as_ref().map(|d| d.red_on.clone());
        let mut tx = self.0.write(actor).await?;
        let r = sqlx::query(
            "UPDATE cases SET state = 'open', suspended_on = NULL, suspension_kind = NULL, suspension_reason = '', \
             suspended_days = suspended_days + ($1 - step_suspended_days), \
             step_suspended_days = $1, due_on = $2, yellow_on = $3, red_on = $6, updated_at = $4 \
             WHERE id = $5 AND state = 'suspended'",
        )
        .bind(suspended_days)
        .bind(&due_on)
        .bind(&yellow_on)
        .bind(&now)
        .bind(case_id)
        .bind(&red_on)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("该办件未在暂停中".into()));
        }
        if let (Some(y), Some(r)) = (&yellow_on, &red_on) {
            watch(tx.tx(), case_id, Some((y, r))).await?;
        }
        event(
            tx.tx(),
            case_id,
            &now,
            today,
            actor,
            "resume",
            &case.step_key,
            &case.step_key,
            "恢复计时",
            note.trim(),
            due_on.as_deref(),
        )
        .await?;
        tx.record(
            AuditAction::CaseResume,
            Record {
                unit_id: Some(case.unit_id),
                entity_id: case_id.to_string(),
                detail: format!(
                    "办件 {} 恢复计时（暂停{suspended_days}个工作日）",
                    case.case_no
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn resolve_case_alerts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    case_id: i64,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE supervision_alerts SET resolved_at = $1 WHERE case_id = $2 AND kind = 'case_step' AND resolved_at IS NULL",
    )
    .bind(now)
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[expect(clippy::too_many_arguments, reason = "one row of the event log")]
async fn event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    case_id: i64,
    at: &str,
    on_date: &str,
    actor: &Actor,
    kind: &str,
    from: &str,
    to: &str,
    label: &str,
    note: &str,
    due_on: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_events (case_id, at, on_date, actor, kind, from_step, to_step, label, note, due_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(case_id)
    .bind(at)
    .bind(on_date)
    .bind(&actor.name)
    .bind(kind)
    .bind(from)
    .bind(to)
    .bind(label)
    .bind(note)
    .bind(due_on)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An outcome document filed on a case (the bytes live content-addressed in the files
/// directory, keyed by `sha256`). Private to the handling unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseDocument {
    /// Id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// The step it was filed at.
    pub step: String,
    /// What it is (e.g. 受理通知书).
    pub title: String,
    /// Original file name.
    pub filename: String,
    /// Detected content type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Content hash.
    pub sha256: String,
    /// Who filed it.
    pub uploaded_by: String,
    /// When.
    pub created_at: String,
}

/// A document to file on a case (bytes already stored by the caller).
#[derive(Debug, Clone)]
pub struct NewCaseDocument<'a> {
    /// What it is.
    pub title: &'a str,
    /// Original file name.
    pub filename: &'a str,
    /// Detected content type.
    pub content_type: &'a str,
    /// Bytes.
    pub size: i64,
    /// Content hash.
    pub sha256: &'a str,
}

impl Power<'_> {
    /// Files an outcome document on a case at its current step. Audited.
    pub async fn add_case_document(
        &self,
        actor: &Actor,
        case_id: i64,
        doc: &NewCaseDocument<'_>,
    ) -> Result<CaseDocument> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let case: Option<(i64, String, String)> =
            sqlx::query_as("SELECT unit_id, step_key, case_no FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (unit_id, step, case_no) =
            case.ok_or_else(|| StoreError::NotFound(format!("办件 {case_id}")))?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO case_documents (case_id, step, title, filename, content_type, size, sha256, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(case_id)
        .bind(&step)
        .bind(doc.title.trim())
        .bind(doc.filename)
        .bind(doc.content_type)
        .bind(doc.size)
        .bind(doc.sha256)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.record(
            AuditAction::CaseDocument,
            Record {
                unit_id: Some(unit_id),
                entity_id: case_id.to_string(),
                detail: format!(
                    "办件 {case_no} 归档文书《{}》（{}，{} 字节，SHA-256 {}）",
                    doc.title.trim(),
                    doc.filename,
                    doc.size,
                    doc.sha256
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CaseDocument {
            id,
            case_id,
            step,
            title: doc.title.trim().to_string(),
            filename: doc.filename.to_string(),
            content_type: doc.content_type.to_string(),
            size: doc.size,
            sha256: doc.sha256.to_string(),
            uploaded_by: actor.name.clone(),
            created_at: now,
        })
    }

    /// The documents of a case, in filing order.
    pub async fn case_documents(&self, case_id: i64) -> Result<Vec<CaseDocument>> {
        Ok(sqlx::query_as(
            "SELECT id, case_id, step, title, filename, content_type, size, sha256, uploaded_by, created_at \
             FROM case_documents WHERE case_id = $1 ORDER BY id",
        )
        .bind(case_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One case document.
    pub async fn case_document(&self, id: i64) -> Result<CaseDocument> {
        sqlx::query_as(
            "SELECT id, case_id, step, title, filename, content_type, size, sha256, uploaded_by, created_at \
             FROM case_documents WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("办件文书 {id}")))
    }
}
