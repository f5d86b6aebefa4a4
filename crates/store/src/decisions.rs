//! Major administrative decisions (重大行政决策): the yearly catalog and each decision's steps
//! as recorded (the caller checked them against `domain::decision`). Reached as
//! `store.decisions()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// Major decisions' repository.
#[derive(Clone, Copy)]
pub struct Decisions<'a>(&'a Store);

impl Store {
    /// Major decisions' repository.
    pub fn decisions(&self) -> Decisions<'_> {
        Decisions(self)
    }
}

/// A decision in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MajorDecision {
    /// Id.
    pub id: i64,
    /// Catalog year.
    pub year: i64,
    /// The deciding unit.
    pub unit_id: i64,
    /// The matter.
    pub title: String,
    /// Legal and policy basis.
    pub basis: String,
    /// What is to be decided.
    pub summary: String,
    /// Planned completion (publication).
    pub planned_on: String,
    /// The public consultation on its draft.
    pub consultation_id: Option<i64>,
    /// Steps recorded.
    pub steps_done: i64,
    /// The last step, in words.
    pub standing: String,
    /// Day published.
    pub published_on: Option<String>,
}

const COLUMNS: &str = "id, year, unit_id, title, basis, summary, planned_on, consultation_id, steps_done, standing, published_on";

/// A recorded step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DecisionStep {
    /// [`gongkai_domain::decision::StepKind`] code.
    pub step: String,
    /// First day.
    pub started_on: String,
    /// Last day.
    pub finished_on: String,
    /// [`gongkai_domain::decision::Outcome`] code.
    pub outcome: String,
    /// A hearing's materials published on.
    pub materials_on: Option<String>,
    /// Documents, one per line.
    pub documents: String,
    /// Notes.
    pub note: String,
    /// How opinions were adopted (publication).
    pub adoption: String,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A new catalog entry.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    /// Year.
    pub year: i64,
    /// Unit.
    pub unit_id: i64,
    /// Title.
    pub title: &'a str,
    /// Basis.
    pub basis: &'a str,
    /// Summary.
    pub summary: &'a str,
    /// Planned completion.
    pub planned_on: &'a str,
    /// Linked consultation.
    pub consultation_id: Option<i64>,
}

impl Decisions<'_> {
    /// Puts a decision in the year's catalog; audited.
    pub async fn create(&self, actor: &Actor, d: &NewDecision<'_>) -> Result<MajorDecision> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO major_decisions (year, unit_id, title, basis, summary, planned_on, consultation_id, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(d.year)
        .bind(d.unit_id)
        .bind(d.title)
        .bind(d.basis)
        .bind(d.summary)
        .bind(d.planned_on)
        .bind(d.consultation_id)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.record(
            AuditAction::DecisionCreate,
            Record {
                unit_id: Some(d.unit_id),
                entity_id: id.to_string(),
                after: format!("{}|{}", d.year, d.planned_on),
                detail: format!("列入{}年度重大行政决策事项目录：{}", d.year, d.title),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// One decision.
    pub async fn get(&self, id: i64) -> Result<MajorDecision> {
        let d: Option<MajorDecision> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM major_decisions WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        d.ok_or_else(|| StoreError::NotFound(format!("重大行政决策 {id}")))
    }

    /// A year's catalog, in order of entry.
    pub async fn catalog(&self, year: i64) -> Result<Vec<MajorDecision>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM major_decisions WHERE year = $1 ORDER BY id LIMIT 1000"
        )))
        .bind(year)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The years that have a catalog, newest first.
    pub async fn years(&self) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT DISTINCT year FROM major_decisions ORDER BY year DESC")
                .fetch_all(self.0.pool())
                .await?;
        Ok(rows.into_iter().map(|(y,)| y).collect())
    }

    /// Decisions not published by their planned day (`today` excluded), oldest plan first.
    pub async fn behind(&self, today: &str) -> Result<Vec<MajorDecision>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM major_decisions WHERE published_on IS NULL AND planned_on < $1 ORDER BY planned_on, id LIMIT 500"
        )))
        .bind(today)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// A decision's steps, in the order recorded.
    pub async fn steps(&self, id: i64) -> Result<Vec<DecisionStep>> {
        Ok(sqlx::query_as(
            "SELECT step, started_on, finished_on, outcome, materials_on, documents, note, adoption, recorded_by \
             FROM major_decision_steps WHERE decision_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Records a step, guarded by the number of steps the caller checked it against (a step
    /// recorded meanwhile refuses it); a publication sets the published day; audited.
    pub async fn record_step(
        &self,
        actor: &Actor,
        id: i64,
        steps_seen: i64,
        s: &DecisionStep,
        standing: &str,
    ) -> Result<MajorDecision> {
        let d = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let published = (s.step == "publication").then(|| s.finished_on.clone());
        let done = sqlx::query(
            "UPDATE major_decisions SET steps_done = steps_done + 1, standing = $1, published_on = COALESCE($2, published_on), updated_at = $3 \
             WHERE id = $4 AND steps_done = $5",
        )
        .bind(standing)
        .bind(published)
        .bind(&now)
        .bind(id)
        .bind(steps_seen)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "该决策刚登记了其他步骤，请刷新后重试".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO major_decision_steps (decision_id, step, started_on, finished_on, outcome, materials_on, documents, note, adoption, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(&s.step)
        .bind(&s.started_on)
        .bind(&s.finished_on)
        .bind(&s.outcome)
        .bind(&s.materials_on)
        .bind(&s.documents)
        .bind(&s.note)
        .bind(&s.adoption)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::DecisionStep,
            Record {
                unit_id: Some(d.unit_id),
                entity_id: id.to_string(),
                before: d.standing.clone(),
                after: standing.to_string(),
                detail: format!("重大行政决策《{}》登记：{standing}", d.title),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }
}
