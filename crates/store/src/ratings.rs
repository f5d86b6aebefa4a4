//! Service ratings (好差评): window visits and their slips, one rating per service event, the
//! handling of bad ratings (rectification, appeal, the office's decision), the published figures
//! per unit and service (kept in each change's transaction), and the overdue scan. Reached as
//! `store.ratings()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// Ratings' repository.
#[derive(Clone, Copy)]
pub struct Ratings<'a>(&'a Store);

impl Store {
    /// Ratings' repository.
    pub fn ratings(&self) -> Ratings<'_> {
        Ratings(self)
    }
}

/// A registered window visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Visit {
    /// Id.
    pub id: i64,
    /// Unit.
    pub unit_id: i64,
    /// Number on the slip.
    pub visit_no: String,
    /// The service.
    pub service_name: String,
    /// Day served.
    pub served_on: String,
    /// The window's account.
    pub served_by: String,
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Rating {
    /// Id.
    pub id: i64,
    /// [`gongkai_domain::rating::EventKind`] code.
    pub event_kind: String,
    /// The event's id.
    pub event_id: i64,
    /// The event's number.
    pub event_no: String,
    /// The unit rated.
    pub unit_id: i64,
    /// The service's code (a power item's code; `message`, `visit`).
    pub service_code: String,
    /// The service's name.
    pub service_name: String,
    /// 1 (非常不满意) to 5 (非常满意).
    pub score: i64,
    /// The rater's words.
    pub comment: String,
    /// [`gongkai_domain::rating::State`] code.
    pub state: String,
    /// Day rated.
    pub rated_on: String,
    /// A bad rating's due date.
    pub due_on: Option<String>,
    /// Why.
    pub due_note: String,
    /// What the unit verified.
    pub verification: String,
    /// What it put right.
    pub rectification: String,
    /// Its answer to the rater.
    pub answer: String,
    /// The unit's appeal.
    pub appeal_reason: String,
    /// The office's decision on it.
    pub office_note: String,
    /// Day rectified.
    pub rectified_on: Option<String>,
    /// 1 when rectified by the due date.
    pub in_time: Option<i64>,
}

const COLUMNS: &str = "id, event_kind, event_id, event_no, unit_id, service_code, service_name, score, comment, state, rated_on, \
     due_on, due_note, verification, rectification, answer, appeal_reason, office_note, rectified_on, in_time";

/// A bad rating's clock: due date, why, and the watch list's days (due soon, overdue).
#[derive(Debug, Clone, Default)]
pub struct RatingDue {
    /// Due date.
    pub due_on: String,
    /// Why.
    pub note: String,
    /// Yellow from.
    pub soon: String,
    /// Red from.
    pub red: String,
}

/// A new rating.
#[derive(Debug, Clone)]
pub struct NewRating<'a> {
    /// Event kind code.
    pub event_kind: &'a str,
    /// Event id.
    pub event_id: i64,
    /// Event number.
    pub event_no: &'a str,
    /// Unit rated.
    pub unit_id: i64,
    /// Service code.
    pub service_code: &'a str,
    /// Service name.
    pub service_name: &'a str,
    /// Score 1..=5.
    pub score: i64,
    /// Comment.
    pub comment: &'a str,
    /// Day rated.
    pub rated_on: &'a str,
    /// A bad rating's clock.
    pub due: Option<RatingDue>,
    /// The rater's address.
    pub client_addr: &'a str,
}

/// What a step on a bad rating stores.
#[derive(Debug, Clone, Default)]
pub struct RatingStep {
    /// The state it must be in.
    pub from_state: String,
    /// The state after.
    pub to_state: String,
    /// Event kind.
    pub kind: String,
    /// What the audit trail says.
    pub label: String,
    /// The note of the event.
    pub note: String,
    /// Rectification: verification, rectification, answer, the day, whether in time.
    pub rectify: Option<(String, String, String, String, bool)>,
    /// The unit's appeal reason.
    pub appeal_reason: Option<String>,
    /// The office's decision note.
    pub office_note: Option<String>,
    /// A new clock (an overturned appeal).
    pub due: Option<RatingDue>,
    /// The rating no longer counts (an upheld appeal).
    pub void: bool,
}

/// Published figures of one service of one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ServiceStats {
    /// Unit.
    pub unit_id: i64,
    /// Service code.
    pub service_code: String,
    /// Service name.
    pub service_name: String,
    /// 非常不满意.
    pub n1: i64,
    /// 不满意.
    pub n2: i64,
    /// 基本满意.
    pub n3: i64,
    /// 满意.
    pub n4: i64,
    /// 非常满意.
    pub n5: i64,
    /// Bad ratings rectified.
    pub rectified: i64,
    /// Of which in time.
    pub rectified_in_time: i64,
}

/// One event of a rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RatingEvent {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// Kind.
    pub kind: String,
    /// Note.
    pub note: String,
}

async fn watch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    unit_id: i64,
    no: &str,
    due: &RatingDue,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rating_watch (rating_id, unit_id, event_no, due_on, watch_on, red_on) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (rating_id) DO UPDATE SET due_on = excluded.due_on, watch_on = excluded.watch_on, red_on = excluded.red_on",
    )
    .bind(id)
    .bind(unit_id)
    .bind(no)
    .bind(&due.due_on)
    .bind(&due.soon)
    .bind(&due.red)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Ratings<'_> {
    /// Registers a window visit and numbers its slip (`FW`, year, unit code, serial). Audited.
    pub async fn register_visit(
        &self,
        actor: &Actor,
        unit_id: i64,
        service_name: &str,
        served_on: &str,
        secret_hash: &str,
    ) -> Result<Visit> {
        let unit = self.0.get_unit(unit_id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO service_visits (unit_id, visit_no, secret_hash, service_name, served_on, served_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(unit_id)
        .bind(format!("pending-{secret_hash}"))
        .bind(secret_hash)
        .bind(service_name)
        .bind(served_on)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let year = served_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let no = gongkai_domain::rating::visit_no(&unit.code, year, id);
        sqlx::query("UPDATE service_visits SET visit_no = $1 WHERE id = $2")
            .bind(&no)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::VisitRegister,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                after: no.clone(),
                detail: format!("登记窗口办事 {no}（{service_name}）"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.visit(id).await
    }

    async fn visit(&self, id: i64) -> Result<Visit> {
        let v: Option<Visit> = sqlx::query_as(
            "SELECT id, unit_id, visit_no, service_name, served_on, served_by FROM service_visits WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        v.ok_or_else(|| StoreError::NotFound(format!("窗口办事 {id}")))
    }

    /// A visit by number, with its code's hash.
    pub async fn visit_by_no(&self, no: &str) -> Result<Option<(Visit, String)>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, secret_hash FROM service_visits WHERE visit_no = $1")
                .bind(no)
                .fetch_optional(self.0.pool())
                .await?;
        match row {
            Some((id, hash)) => Ok(Some((self.visit(id).await?, hash))),
            None => Ok(None),
        }
    }

    /// The rating of an event, if rated.
    pub async fn of_event(&self, kind: &str, event_id: i64) -> Result<Option<Rating>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM ratings WHERE event_kind = $1 AND event_id = $2"
        )))
        .bind(kind)
        .bind(event_id)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// One rating.
    pub async fn get(&self, id: i64) -> Result<Rating> {
        let r: Option<Rating> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM ratings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        r.ok_or_else(|| StoreError::NotFound(format!("评价 {id}")))
    }

    /// Stores a rating, once per event (a second one is refused), with its event, the figures of
    /// its unit and service, and, when bad, its clock on the watch list; audited.
    pub async fn rate(&self, actor: &Actor, r: &NewRating<'_>) -> Result<Rating> {
        let level = gongkai_domain::rating::Level::from_score(r.score)
            .ok_or_else(|| StoreError::Conflict("评价等级无效".into()))?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let state = if r.due.is_some() { "pending" } else { "good" };
        let due = r.due.clone().unwrap_or_default();
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO ratings (event_kind, event_id, event_no, unit_id, service_code, service_name, score, comment, state, rated_on, \
             due_on, due_note, client_addr, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(r.event_kind)
        .bind(r.event_id)
        .bind(r.event_no)
        .bind(r.unit_id)
        .bind(r.service_code)
        .bind(r.service_name)
        .bind(r.score)
        .bind(r.comment)
        .bind(state)
        .bind(r.rated_on)
        .bind(r.due.as_ref().map(|d| d.due_on.clone()))
        .bind(&due.note)
        .bind(r.client_addr)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Ok(row) => row,
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                return Err(StoreError::Conflict(
                    "该服务已经评价过，每次服务只能评价一次".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        sqlx::query(
            "INSERT INTO rating_events (rating_id, at, actor, kind, note) VALUES ($1, $2, $3, 'rated', $4)",
        )
        .bind(id)
        .bind(&now)
        .bind(&actor.name)
        .bind(format!("{}：{}", level.label(), r.comment))
        .execute(&mut *tx)
        .await?;
        let col = format!("n{}", r.score);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO rating_stats (unit_id, service_code, service_name, {col}) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (unit_id, service_code) DO UPDATE SET {col} = rating_stats.{col} + 1, service_name = excluded.service_name"
        )))
        .bind(r.unit_id)
        .bind(r.service_code)
        .bind(r.service_name)
        .execute(&mut *tx)
        .await?;
        if r.due.is_some() {
            watch(tx.tx(), id, r.unit_id, r.event_no, &due).await?;
        }
        tx.record(
            AuditAction::RatingSubmit,
            Record {
                unit_id: Some(r.unit_id),
                entity_id: id.to_string(),
                after: format!("{}|{}", r.event_no, r.score),
                detail: format!("{} 收到评价：{}", r.event_no, level.label()),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Takes a step on a bad rating in one guarded, audited transaction with its event, the
    /// figures and the watch list.
    pub async fn take_step(&self, actor: &Actor, id: i64, s: &RatingStep) -> Result<Rating> {
        let before = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (verification, rectification, answer, on, in_time) = match &s.rectify {
            Some((v, r, a, on, t)) => (
                Some(v.clone()),
                Some(r.clone()),
                Some(a.clone()),
                Some(on.clone()),
                Some(i64::from(*t)),
            ),
            None => (None, None, None, None, None),
        };
        let done = sqlx::query(
            "UPDATE ratings SET state = $1, verification = COALESCE($2, verification), rectification = COALESCE($3, rectification), \
             answer = COALESCE($4, answer), rectified_on = COALESCE($5, rectified_on), in_time = COALESCE($6, in_time), \
             appeal_reason = COALESCE($7, appeal_reason), office_note = COALESCE($8, office_note), \
             due_on = COALESCE($9, due_on), due_note = COALESCE($10, due_note), updated_at = $11 WHERE id = $12 AND state = $13",
        )
        .bind(&s.to_state)
        .bind(verification)
        .bind(rectification)
        .bind(answer)
        .bind(on)
        .bind(in_time)
        .bind(s.appeal_reason.as_deref())
        .bind(s.office_note.as_deref())
        .bind(s.due.as_ref().map(|d| d.due_on.clone()))
        .bind(s.due.as_ref().map(|d| d.note.clone()))
        .bind(&now)
        .bind(id)
        .bind(&s.from_state)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "评价的办理状态已变化，请刷新后重试".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO rating_events (rating_id, at, actor, kind, note) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&now)
        .bind(&actor.name)
        .bind(&s.kind)
        .bind(&s.note)
        .execute(&mut *tx)
        .await?;
        if let Some((.., in_time)) = &s.rectify {
            sqlx::query(
                "UPDATE rating_stats SET rectified = rectified + 1, rectified_in_time = rectified_in_time + $1 \
                 WHERE unit_id = $2 AND service_code = $3",
            )
            .bind(i64::from(*in_time))
            .bind(before.unit_id)
            .bind(&before.service_code)
            .execute(&mut *tx)
            .await?;
        }
        if s.void {
            let col = format!("n{}", before.score);
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE rating_stats SET {col} = {col} - 1 WHERE unit_id = $1 AND service_code = $2"
            )))
            .bind(before.unit_id)
            .bind(&before.service_code)
            .execute(&mut *tx)
            .await?;
        }
        match &s.due {
            Some(due) => watch(tx.tx(), id, before.unit_id, &before.event_no, due).await?,
            None => {
                sqlx::query("DELETE FROM rating_watch WHERE rating_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE supervision_alerts SET resolved_at = $1 WHERE rating_id = $2 AND resolved_at IS NULL",
                )
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.record(
            AuditAction::RatingStep,
            Record {
                unit_id: Some(before.unit_id),
                entity_id: id.to_string(),
                before: before.state.clone(),
                after: s.to_state.clone(),
                detail: format!("评价 {}（{}）{}", id, before.event_no, s.label),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// A rating's events, oldest first.
    pub async fn events(&self, id: i64) -> Result<Vec<RatingEvent>> {
        Ok(sqlx::query_as(
            "SELECT at, actor, kind, note FROM rating_events WHERE rating_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// A unit's ratings in one state (or all), newest first, one page (keyset).
    pub async fn list(
        &self,
        unit_id: i64,
        state: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Rating>> {
        let before = before.unwrap_or(i64::MAX);
        Ok(match state {
            Some(st) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM ratings WHERE unit_id = $1 AND state = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
            )))
            .bind(unit_id)
            .bind(st)
            .bind(before)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
            None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM ratings WHERE unit_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
            )))
            .bind(unit_id)
            .bind(before)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
        })
    }

    /// Every unit's and service's published figures.
    pub async fn stats(&self) -> Result<Vec<ServiceStats>> {
        Ok(sqlx::query_as(
            "SELECT unit_id, service_code, service_name, n1, n2, n3, n4, n5, rectified, rectified_in_time FROM rating_stats ORDER BY unit_id, service_code",
        )
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Raises the e-supervision alerts of `today` for bad ratings waiting for rectification:
    /// yellow from the "due soon" day, red from the day after the due date; reads only the
    /// watch list's rows whose day has come; reminders queued in the same transaction; audited
    /// when it raised anything. Returns (yellow, red).
    pub async fn scan_alerts(&self, actor: &Actor, today: &str) -> Result<(u64, u64)> {
        crate::power::supervision::scan_watch(self.0, actor, today, &WATCH).await
    }
}

/// A rating loaded in bulk (benchmarks): a bad one waiting for rectification when `due` is set.
#[derive(Debug, Clone)]
pub struct BulkRating {
    /// Unit.
    pub unit_id: i64,
    /// The event's number (unique; the event kind is `bulk`).
    pub event_no: String,
    /// The event's id (unique).
    pub event_id: i64,
    /// Score 1..=5.
    pub score: i64,
    /// Day rated.
    pub rated_on: String,
    /// A bad rating's due date and watch days (due, due soon, overdue).
    pub due: Option<(String, String, String)>,
}

impl Ratings<'_> {
    /// Loads ratings in multi-row statements of 500 with their watch rows, then rebuilds the
    /// published figures; one audit entry (benchmarks).
    pub async fn bulk_load(&self, actor: &Actor, rows: &[BulkRating]) -> Result<usize> {
        const COLS: usize = 7;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        for chunk in rows.chunks(500) {
            let values = crate::values_rows(chunk.len(), COLS, |_| {
                format!(", 'bulk', 'visit:窗口办事', '窗口办事', '', '', '{now}', '{now}'")
            });
            let sql = format!(
                "INSERT INTO ratings (unit_id, event_no, event_id, score, rated_on, due_on, state, event_kind, service_code, service_name, comment, due_note, created_at, updated_at) VALUES {values}"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(r.unit_id)
                    .bind(r.event_no.clone())
                    .bind(r.event_id)
                    .bind(r.score)
                    .bind(r.rated_on.clone())
                    .bind(r.due.as_ref().map(|d| d.0.clone()))
                    .bind(if r.due.is_some() { "pending" } else { "good" });
            }
            q.execute(&mut *tx).await?;
            let watch: Vec<&BulkRating> = chunk.iter().filter(|r| r.due.is_some()).collect();
            if !watch.is_empty() {
                let selects: Vec<String> = (0..watch.len())
                    .map(|r| {
                        format!(
                            "SELECT id, unit_id, event_no, due_on, ${}, ${} FROM ratings WHERE event_kind = 'bulk' AND event_id = ${}",
                            3 * r + 2,
                            3 * r + 3,
                            3 * r + 1
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO rating_watch (rating_id, unit_id, event_no, due_on, watch_on, red_on) {}",
                    selects.join(" UNION ALL ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for r in watch {
                    let (_, soon, red) = r.due.clone().unwrap_or_default();
                    q = q.bind(r.event_id).bind(soon).bind(red);
                }
                q.execute(&mut *tx).await?;
            }
        }
        sqlx::query("DELETE FROM rating_stats")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO rating_stats (unit_id, service_code, service_name, n1, n2, n3, n4, n5, rectified, rectified_in_time) \
             SELECT unit_id, service_code, MAX(service_name), \
             SUM(CASE WHEN score = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN score = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN score = 3 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN score = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN score = 5 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN rectified_on IS NULL THEN 0 ELSE 1 END), SUM(COALESCE(in_time, 0)) \
             FROM ratings WHERE state <> 'void' GROUP BY unit_id, service_code",
        )
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::RatingSubmit,
            Record {
                entity_id: String::new(),
                detail: format!("批量导入评价 {} 条", rows.len()),
                ..Record::default()
            },
        )
        .await?;
        tx.finish().await?;
        Ok(rows.len())
    }
}

/// The e-supervision watch list of bad ratings waiting for rectification.
const WATCH: crate::power::supervision::WatchList = crate::power::supervision::WatchList {
    table: "rating_watch",
    subject: "rating_id",
    join: "",
    key: "'rating:' || w.rating_id || ':' || w.due_on",
    unit: "w.unit_id",
    kind: "'rating_due'",
    detail: "'差评 ' || w.event_no || CASE WHEN w.red_on <= $1 THEN ' 已超过整改回复期限' ELSE ' 整改回复即将到期' END || '（期限 ' || w.due_on || '）'",
    last: "red_on <= $1",
    next: "red_on",
    audit: |red, yellow| format!("电子监察扫描（好差评）：新增超期{red}件、即将到期{yellow}件"),
};
