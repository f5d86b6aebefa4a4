//! The units' yearly assessment (考评): the counts a year's scorecards rest on, read per unit
//! in one grouped query per measure; the office's archives grades; the published assessments.
//! Reached as `store.evaluation()`. The scoring itself is `domain::evaluation`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::evaluation::{Count, Facts};
use serde::Serialize;
use std::collections::BTreeMap;

/// The assessment's repository.
#[derive(Clone, Copy)]
pub struct Evaluation<'a>(&'a Store);

impl Store {
    /// The assessment's repository.
    pub fn evaluation(&self) -> Evaluation<'_> {
        Evaluation(self)
    }
}

/// An archives grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Grade {
    /// The unit.
    pub unit_id: i64,
    /// Tenths of a point (0–1000).
    pub grade: i64,
    /// What it rests on.
    pub note: String,
    /// By whom.
    pub graded_by: String,
    /// When.
    pub graded_at: String,
}

/// A published assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Published {
    /// Id.
    pub id: i64,
    /// Year assessed.
    pub year: i64,
    /// Title.
    pub title: String,
    /// The scorecards as published (JSON).
    pub snapshot: String,
    /// By whom.
    pub published_by: String,
    /// When.
    pub published_at: String,
    /// Withdrawn when.
    pub withdrawn_at: Option<String>,
    /// Why.
    pub withdrawn_reason: String,
}

/// A late record behind a scorecard's figure: its number and dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Late {
    /// Record id.
    pub id: i64,
    /// Its number (索引号, tracking number, case number, rating slip).
    pub number: String,
    /// Due date (or working days late, for items).
    pub due: String,
    /// Closed on (empty: still open).
    pub done: String,
}

/// What a measure's late records are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateKind {
    /// Items published late.
    Items,
    /// Applications answered late or open past due.
    Applications,
    /// Messages answered late or open past due.
    Messages,
    /// Cases closed late or open past due.
    Cases,
    /// Bad ratings not rectified in time.
    BadRatings,
}

/// The first instant of Beijing's year `y`, as stored (UTC).
fn year_start(y: i64) -> String {
    format!("{}-12-31T16:00:00", y - 1)
}

impl Evaluation<'_> {
    /// Every unit's countable facts of `year` as of `today` (tasks, rates; archives grades and
    /// inspection means too). Units without any data are absent. Rectification is filled by
    /// the caller (it depends on the oversight weights).
    pub async fn facts(&self, year: i64, today: &str) -> Result<BTreeMap<i64, Facts>> {
        let pool = self.0.pool();
        let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
        let (ts_from, ts_to) = (year_start(year), year_start(year + 1));
        let end = if today < to.as_str() { today } else { &to };
        let mut out: BTreeMap<i64, Facts> = BTreeMap::new();
        let mut put = |rows: Vec<(i64, i64, i64)>, f: fn(&mut Facts) -> &mut Count| {
            for (unit, total, good) in rows {
                let c = f(out.entry(unit).or_default());
                c.total += total as u64;
                c.good += good as u64;
            }
        };
        let rows = sqlx::query_as(
            "SELECT unit_id, COUNT(*), SUM(CASE WHEN days_late = 0 THEN 1 ELSE 0 END) FROM items \
             WHERE first_published_at >= $1 AND first_published_at < $2 GROUP BY unit_id",
        )
        .bind(&ts_from)
        .bind(&ts_to)
        .fetch_all(pool)
        .await?;
        put(rows, |f| &mut f.items);
        // closed in the year (good unless late), and open past a due date in the year (late)
        let rows = sqlx::query_as(
            "SELECT unit_id, COUNT(*), SUM(CASE WHEN late = 0 THEN 1 ELSE 0 END) FROM applications \
             WHERE closed_on >= $1 AND closed_on <= $2 GROUP BY unit_id",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await?;
        put(rows, |f| &mut f.applications);
        let rows = sqlx::query_as(
            "SELECT unit_id, COUNT(*), 0 FROM applications \
             WHERE closed_on IS NULL AND due_on >= $1 AND due_on < $2 GROUP BY unit_id",
        )
        .bind(&from)
        .bind(end)
        .fetch_all(pool)
        .await?;
        put(rows, |f| &mut f.applications);
        let rows = sqlx::query_as(
            "SELECT unit_id, COUNT(*), SUM(CASE WHEN answered_on <= due_on THEN 1 ELSE 0 END) FROM messages \
             WHERE answered_on >= $1 AND answered_on <= $2 AND state <> 'abusive' GROUP BY unit_id",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await?;
        put(rows, |f| &mut f.messages);
        let rows = sqlx::query_as(
            "SELECT unit_id, COUNT(*), 0 FROM messages \
             WHERE answered_on IS NULL AND due_on >= $1 AND due_on < $2 AND state <> 'abusive' GROUP BY unit_id",
        )
        .bind(&from)
        .bind(end)
        .fetch_all(pool)
        .await?;
        put(rows, |f| &mut f.messages);
        let rows = sqlx::query_as(
            "SELECT unit_id, COUNT(*), SUM(CASE WHEN due_on IS NULL OR closed_on <= due_on THEN 1 ELSE 0 END) FROM cases \
             WHERE closed_on >= $1 AND closed_on <= $2 GROUP BY unit_id",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await?;
        put(rows, |f| &mut f.cases);
        let rows = sqlx::query_as(
            "SELECT unit_id, COUNT(*), 0 FROM cases \
             WHERE closed_on IS NULL AND state = 'open' AND suspended_on IS NULL AND due_on >= $1 AND due_on < $2 GROUP BY unit_id",
        )
        .bind(&from)
        .bind(end)
        .fetch_all(pool)
        .await?;
        put(rows, |f| &mut f.cases);
        // ratings of the year: satisfied (4, 5) of all not void; bad (1, 2) rectified in time
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT unit_id, COUNT(*), SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN score <= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN score <= 2 AND in_time = 1 THEN 1 ELSE 0 END) \
             FROM ratings WHERE rated_on >= $1 AND rated_on <= $2 AND state <> 'void' GROUP BY unit_id",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await?;
        for (unit, total, good, bad, fixed) in rows {
            let f = out.entry(unit).or_default();
            f.ratings.total += total as u64;
            f.ratings.good += good as u64;
            f.bad_ratings.total += bad as u64;
            f.bad_ratings.good += fixed as u64;
        }
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT tu.unit_id, COUNT(*), SUM(CASE WHEN t.state = 'done' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN t.state <> 'done' AND EXISTS (SELECT 1 FROM plan_reports r WHERE r.task_id = t.id AND r.unit_id = tu.unit_id) THEN 1 ELSE 0 END) \
             FROM plan_task_units tu JOIN plan_tasks t ON t.id = tu.task_id JOIN plans p ON p.id = t.plan_id \
             WHERE p.year = $1 AND p.state = 'confirmed' GROUP BY tu.unit_id",
        )
        .bind(year)
        .fetch_all(pool)
        .await?;
        for (unit, total, done, reported) in rows {
            let t = &mut out.entry(unit).or_default().tasks;
            t.total = total as u64;
            t.done = done as u64;
            t.reported = reported as u64;
        }
        for (unit, n, sum) in self.0.inspections().year_scores(year).await? {
            if n > 0 {
                out.entry(unit).or_default().inspections = Some(sum as f64 / n as f64 / 10.0);
            }
        }
        for g in self.grades(year).await? {
            out.entry(g.unit_id).or_default().archives = Some(g.grade as f64 / 10.0);
        }
        Ok(out)
    }

    /// A unit's late records of a measure in `year` (as counted by [`facts`](Self::facts)),
    /// at most `limit`: the evidence behind a scorecard's rate.
    pub async fn late(
        &self,
        kind: LateKind,
        unit_id: i64,
        year: i64,
        today: &str,
        limit: i64,
    ) -> Result<Vec<Late>> {
        let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
        let end = if today < to.as_str() {
            today.to_string()
        } else {
            to.clone()
        };
        let sql = match kind {
            LateKind::Items => {
                "SELECT id, index_no AS number, CAST(days_late AS TEXT) AS due, COALESCE(first_published_at, '') AS done FROM items \
                 WHERE unit_id = $1 AND first_published_at >= $2 AND first_published_at < $3 AND days_late > 0 AND $4 = $4 ORDER BY id LIMIT $5"
            }
            LateKind::Applications => {
                "SELECT id, tracking_no AS number, COALESCE(due_on, '') AS due, COALESCE(closed_on, '') AS done FROM applications \
                 WHERE unit_id = $1 AND ((closed_on >= $2 AND closed_on <= $3 AND late <> 0) \
                 OR (closed_on IS NULL AND due_on >= $2 AND due_on < $4)) ORDER BY id LIMIT $5"
            }
            LateKind::Messages => {
                "SELECT id, tracking_no AS number, due_on AS due, COALESCE(answered_on, '') AS done FROM messages \
                 WHERE unit_id = $1 AND state <> 'abusive' AND ((answered_on >= $2 AND answered_on <= $3 AND answered_on > due_on) \
                 OR (answered_on IS NULL AND due_on >= $2 AND due_on < $4)) ORDER BY id LIMIT $5"
            }
            LateKind::Cases => {
                "SELECT id, case_no AS number, COALESCE(due_on, '') AS due, COALESCE(closed_on, '') AS done FROM cases \
                 WHERE unit_id = $1 AND ((closed_on >= $2 AND closed_on <= $3 AND closed_on > due_on) \
                 OR (closed_on IS NULL AND state = 'open' AND suspended_on IS NULL AND due_on >= $2 AND due_on < $4)) ORDER BY id LIMIT $5"
            }
            LateKind::BadRatings => {
                "SELECT id, event_no AS number, COALESCE(due_on, '') AS due, COALESCE(rectified_on, '') AS done FROM ratings \
                 WHERE unit_id = $1 AND rated_on >= $2 AND rated_on <= $3 AND state <> 'void' AND score <= 2 \
                 AND COALESCE(in_time, 0) <> 1 AND $4 = $4 ORDER BY id LIMIT $5"
            }
        };
        let (a, b) = if kind == LateKind::Items {
            (year_start(year), year_start(year + 1))
        } else {
            (from, to)
        };
        Ok(sqlx::query_as(sql)
            .bind(unit_id)
            .bind(a)
            .bind(b)
            .bind(end)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?)
    }

    /// The archives grades of a year.
    pub async fn grades(&self, year: i64) -> Result<Vec<Grade>> {
        Ok(sqlx::query_as(
            "SELECT unit_id, grade, note, graded_by, graded_at FROM evaluation_grades WHERE year = $1 ORDER BY unit_id",
        )
        .bind(year)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Grades a unit's archives for `year` (tenths of a point), replacing an earlier grade;
    /// audited with the earlier grade.
    pub async fn grade(
        &self,
        actor: &Actor,
        year: i64,
        unit_id: i64,
        tenths: i64,
        note: &str,
    ) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let before: Option<(i64,)> =
            sqlx::query_as("SELECT grade FROM evaluation_grades WHERE year = $1 AND unit_id = $2")
                .bind(year)
                .bind(unit_id)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO evaluation_grades (year, unit_id, grade, note, graded_by, graded_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (year, unit_id) DO UPDATE SET grade = excluded.grade, note = excluded.note, \
             graded_by = excluded.graded_by, graded_at = excluded.graded_at",
        )
        .bind(year)
        .bind(unit_id)
        .bind(tenths)
        .bind(note)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let shown = |t: i64| format!("{}.{}", t / 10, t % 10);
        tx.record(
            AuditAction::EvaluationGrade,
            Record {
                unit_id: Some(unit_id),
                entity_id: unit_id.to_string(),
                before: before.map(|(g,)| shown(g)).unwrap_or_default(),
                after: shown(tenths),
                detail: format!("{year}年度资料档案评定：{}分（{note}）", shown(tenths)),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Publishes a year's assessment (a frozen copy); one shown per year; audited.
    pub async fn publish(
        &self,
        actor: &Actor,
        year: i64,
        title: &str,
        snapshot: &str,
    ) -> Result<i64> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO evaluations (year, title, snapshot, published_by, published_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(year)
        .bind(title)
        .bind(snapshot)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::conflict("该年度已公布的考评结果"))?;
        tx.record(
            AuditAction::EvaluationPublish,
            Record {
                entity_id: id.to_string(),
                after: title.to_string(),
                detail: format!("公布{year}年度考评结果：{title}"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Withdraws a published assessment (kept); audited.
    pub async fn withdraw(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let n = sqlx::query(
            "UPDATE evaluations SET withdrawn_at = $1, withdrawn_reason = $2 WHERE id = $3 AND withdrawn_at IS NULL",
        )
        .bind(&now)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("该考评结果不存在或已撤回".into()));
        }
        tx.record(
            AuditAction::EvaluationWithdraw,
            Record {
                entity_id: id.to_string(),
                after: reason.to_string(),
                detail: format!("撤回考评结果：{reason}"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }

    /// Published assessments, newest first (withdrawn ones too, marked).
    pub async fn published(&self) -> Result<Vec<Published>> {
        Ok(sqlx::query_as(
            "SELECT id, year, title, '' AS snapshot, published_by, published_at, withdrawn_at, withdrawn_reason \
             FROM evaluations ORDER BY year DESC, id DESC LIMIT 200",
        )
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The assessment shown for a year, if one is published.
    pub async fn shown(&self, year: i64) -> Result<Option<Published>> {
        Ok(sqlx::query_as(
            "SELECT id, year, title, snapshot, published_by, published_at, withdrawn_at, withdrawn_reason \
             FROM evaluations WHERE year = $1 AND withdrawn_at IS NULL",
        )
        .bind(year)
        .fetch_optional(self.0.pool())
        .await?)
    }
}
