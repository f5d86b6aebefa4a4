//! The year's work plan as tasks: plans read from a file (a draft until the openness office
//! confirms them), their tasks and responsible units, the units' progress reports, and the
//! units' aliases the plan's phrases are matched against. Reached as `store.plans()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::plan::{Tree, UnitRef};
use serde::Serialize;

/// Plans' repository.
#[derive(Clone, Copy)]
pub struct Plans<'a>(&'a Store);

impl Store {
    /// Plans' repository.
    pub fn plans(&self) -> Plans<'_> {
        Plans(self)
    }
}

/// A plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PlanRow {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Title.
    pub title: String,
    /// Preamble.
    pub preamble: String,
    /// The file it was read from.
    pub source_name: String,
    /// What the reader left out, one per line.
    pub ignored: String,
    /// `draft`, `confirmed` or `withdrawn`.
    pub state: String,
    /// Who imported it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// Confirmed when.
    pub confirmed_at: Option<String>,
}

const PLAN_COLUMNS: &str =
    "id, year, title, preamble, source_name, ignored, state, created_by, created_at, confirmed_at";

/// A task (a point of a plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// The plan.
    pub plan_id: i64,
    /// 1, 2, …
    pub number: i64,
    /// Heading.
    pub heading: String,
    /// Body.
    pub body: String,
    /// The words of its responsibility clause.
    pub responsibility: Option<String>,
    /// Phrases the import could not resolve, one per line.
    pub unresolved: String,
    /// `open` or `done`.
    pub state: String,
    /// Marked done when.
    pub done_at: Option<String>,
    /// The office's note on completion.
    pub done_note: String,
}

const TASK_COLUMNS: &str =
    "id, plan_id, number, heading, body, responsibility, unresolved, state, done_at, done_note";

/// A task's responsible unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TaskUnit {
    /// The task.
    pub task_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// The phrase it came from ('' when the office picked it).
    pub phrase: String,
}

/// A progress report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Report {
    /// Id.
    pub id: i64,
    /// The task.
    pub task_id: i64,
    /// The reporting unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// What was done.
    pub body: String,
    /// Links (published items), one per line.
    pub links: String,
    /// Who.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

/// A point to store with a new plan.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// 1, 2, …
    pub number: i64,
    /// Heading.
    pub heading: String,
    /// Body.
    pub body: String,
    /// Clause words.
    pub responsibility: Option<String>,
    /// The units resolved from the clause: (unit, phrase).
    pub units: Vec<(i64, String)>,
    /// What could not be resolved, one per line.
    pub unresolved: String,
}

/// A new plan, as read and resolved.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// Year.
    pub year: i64,
    /// Title.
    pub title: String,
    /// Preamble.
    pub preamble: String,
    /// File name.
    pub source_name: String,
    /// What the reader left out, one per line.
    pub ignored: String,
    /// Its points.
    pub tasks: Vec<NewTask>,
}

/// A task with its plan's year and its units, for a unit's desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UnitTask {
    /// The task.
    pub id: i64,
    /// The plan's year.
    pub year: i64,
    /// Number.
    pub number: i64,
    /// Heading.
    pub heading: String,
    /// State.
    pub state: String,
    /// Reports the unit filed.
    pub reports: i64,
}

/// An evidence file of a task, filed by a responsible unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct TaskFile {
    /// Id.
    pub id: i64,
    /// The task.
    pub task_id: i64,
    /// The unit that filed it.
    pub unit_id: i64,
    /// File name.
    pub filename: String,
    /// Type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Content address.
    pub sha256: String,
    /// Filed by.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

const TASK_FILE: &str =
    "id, task_id, unit_id, filename, content_type, size, sha256, created_by, created_at";

impl Plans<'_> {
    /// A responsible unit files an evidence file with an open task of a confirmed plan;
    /// audited. Refused when the task is done or the unit is not responsible.
    pub async fn add_file(
        &self,
        actor: &Actor,
        task_id: i64,
        unit_id: i64,
        file: (&str, &str, i64, &str),
    ) -> Result<i64> {
        let (filename, content_type, size, sha256) = file;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO plan_task_files (task_id, unit_id, filename, content_type, size, sha256, created_by, created_at) \
             SELECT t.id, tu.unit_id, $3, $4, $5, $6, $7, $8 FROM plan_tasks t \
             JOIN plan_task_units tu ON tu.task_id = t.id AND tu.unit_id = $2 \
             JOIN plans p ON p.id = t.plan_id AND p.state = 'confirmed' \
             WHERE t.id = $1 AND t.state = 'open' RETURNING id",
        )
        .bind(task_id)
        .bind(unit_id)
        .bind(filename)
        .bind(content_type)
        .bind(size)
        .bind(sha256)
        .bind(&actor.name)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id,)) = row else {
            return Err(StoreError::Conflict(
                "该任务已办结或不在已确认的计划中，不能再上传材料".into(),
            ));
        };
        tx.record(
            AuditAction::PlanTaskFile,
            Record {
                unit_id: Some(unit_id),
                entity_id: task_id.to_string(),
                after: format!("{filename}|{sha256}"),
                detail: format!("上传工作任务材料：{filename}（{size} 字节）"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A task's evidence files, oldest first.
    pub async fn files(&self, task_id: i64) -> Result<Vec<TaskFile>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_FILE} FROM plan_task_files WHERE task_id = $1 ORDER BY id LIMIT 500"
        )))
        .bind(task_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One evidence file.
    pub async fn file(&self, id: i64) -> Result<TaskFile> {
        let f: Option<TaskFile> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_FILE} FROM plan_task_files WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        f.ok_or_else(|| StoreError::NotFound(format!("任务材料 {id}")))
    }

    /// What the resolver needs: every unit with its aliases, and the units the collective
    /// phrases stand for (penalty and licensing powers on the published power list,
    /// departments with units under them).
    pub async fn tree(&self) -> Result<Tree> {
        let units = self.0.list_units().await?;
        let aliases: Vec<(i64, String)> =
            sqlx::query_as("SELECT unit_id, alias FROM unit_aliases ORDER BY unit_id, alias")
                .fetch_all(self.0.pool())
                .await?;
        let holding = |category: &'static str| async move {
            let ids: Vec<(i64,)> = sqlx::query_as(
                "SELECT DISTINCT unit_id FROM power_items WHERE category = $1 \
                 AND published_version IS NOT NULL AND retired_at IS NULL ORDER BY unit_id",
            )
            .bind(category)
            .fetch_all(self.0.pool())
            .await?;
            Ok::<_, StoreError>(ids.into_iter().map(|(id,)| id).collect::<Vec<_>>())
        };
        let with_penalty_powers = holding("penalty").await?;
        let window_units = holding("licensing").await?;
        let with_sub_units = units
            .iter()
            .filter(|u| {
                u.unit_type == gongkai_domain::org::UnitType::Department
                    && units.iter().any(|c| c.parent_id == Some(u.id))
            })
            .map(|u| u.id)
            .collect();
        Ok(Tree {
            units: units
                .iter()
                .map(|u| UnitRef {
                    id: u.id,
                    name: u.name.clone(),
                    aliases: aliases
                        .iter()
                        .filter(|(id, _)| *id == u.id)
                        .map(|(_, a)| a.clone())
                        .collect(),
                    unit_type: u.unit_type,
                })
                .collect(),
            with_penalty_powers,
            window_units,
            with_sub_units,
        })
    }

    /// A unit's aliases.
    pub async fn aliases(&self, unit_id: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT alias FROM unit_aliases WHERE unit_id = $1 ORDER BY alias")
                .bind(unit_id)
                .fetch_all(self.0.pool())
                .await?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    /// Replaces a unit's aliases (trimmed, empty ones dropped); audited with before and after.
    pub async fn set_aliases(&self, actor: &Actor, unit_id: i64, aliases: &[String]) -> Result<()> {
        let before = self.aliases(unit_id).await?;
        let mut after: Vec<String> = aliases
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        after.sort();
        after.dedup();
        let mut tx = self.0.write(actor).await?;
        sqlx::query("DELETE FROM unit_aliases WHERE unit_id = $1")
            .bind(unit_id)
            .execute(&mut *tx)
            .await?;
        for a in &after {
            sqlx::query("INSERT INTO unit_aliases (unit_id, alias) VALUES ($1, $2)")
                .bind(unit_id)
                .bind(a)
                .execute(&mut *tx)
                .await?;
        }
        tx.record(
            AuditAction::UnitAliases,
            Record {
                unit_id: Some(unit_id),
                entity_id: unit_id.to_string(),
                before: before.join("、"),
                after: after.join("、"),
                detail: format!("单位别称：{}", after.join("、")),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Stores a plan as read, as a draft for the office to confirm; audited.
    pub async fn create(&self, actor: &Actor, p: &NewPlan) -> Result<PlanRow> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO plans (year, title, preamble, source_name, ignored, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7) RETURNING id",
        )
        .bind(p.year)
        .bind(&p.title)
        .bind(&p.preamble)
        .bind(&p.source_name)
        .bind(&p.ignored)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        for t in &p.tasks {
            let (task_id,): (i64,) = sqlx::query_as(
                "INSERT INTO plan_tasks (plan_id, number, heading, body, responsibility, unresolved, state) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id",
            )
            .bind(id)
            .bind(t.number)
            .bind(&t.heading)
            .bind(&t.body)
            .bind(&t.responsibility)
            .bind(&t.unresolved)
            .fetch_one(&mut *tx)
            .await?;
            for (unit_id, phrase) in &t.units {
                sqlx::query(
                    "INSERT INTO plan_task_units (task_id, unit_id, phrase) VALUES ($1, $2, $3) \
                     ON CONFLICT (task_id, unit_id) DO NOTHING",
                )
                .bind(task_id)
                .bind(unit_id)
                .bind(phrase)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.record(
            AuditAction::PlanImport,
            Record {
                entity_id: id.to_string(),
                after: format!("{}|{}", p.year, p.tasks.len()),
                detail: format!(
                    "导入{}年度工作计划（草稿，{}项）：{}",
                    p.year,
                    p.tasks.len(),
                    p.title
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// One plan.
    pub async fn get(&self, id: i64) -> Result<PlanRow> {
        let p: Option<PlanRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        p.ok_or_else(|| StoreError::NotFound(format!("工作计划 {id}")))
    }

    /// Every plan, newest first.
    pub async fn list(&self) -> Result<Vec<PlanRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PLAN_COLUMNS} FROM plans ORDER BY year DESC, id DESC LIMIT 200"
        )))
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The confirmed plan of a year.
    pub async fn confirmed(&self, year: i64) -> Result<Option<PlanRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PLAN_COLUMNS} FROM plans WHERE year = $1 AND state = 'confirmed'"
        )))
        .bind(year)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// Years with a confirmed plan, newest first.
    pub async fn years(&self) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT year FROM plans WHERE state = 'confirmed' ORDER BY year DESC")
                .fetch_all(self.0.pool())
                .await?;
        Ok(rows.into_iter().map(|(y,)| y).collect())
    }

    /// A plan's tasks, in order.
    pub async fn tasks(&self, plan_id: i64) -> Result<Vec<Task>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM plan_tasks WHERE plan_id = $1 ORDER BY number"
        )))
        .bind(plan_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One task.
    pub async fn task(&self, id: i64) -> Result<Task> {
        let t: Option<Task> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM plan_tasks WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        t.ok_or_else(|| StoreError::NotFound(format!("工作任务 {id}")))
    }

    /// The responsible units of a plan's tasks.
    pub async fn task_units(&self, plan_id: i64) -> Result<Vec<TaskUnit>> {
        Ok(sqlx::query_as(
            "SELECT tu.task_id, tu.unit_id, u.name AS unit_name, tu.phrase FROM plan_task_units tu \
             JOIN plan_tasks t ON t.id = tu.task_id JOIN units u ON u.id = tu.unit_id \
             WHERE t.plan_id = $1 ORDER BY t.number, u.id",
        )
        .bind(plan_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Confirms a draft: the office's picks are added to the tasks' units (each pick: task
    /// id, unit id), every task must then have at least one unit, and the plan becomes the
    /// year's (one confirmed plan a year). Audited.
    pub async fn confirm(&self, actor: &Actor, id: i64, picks: &[(i64, i64)]) -> Result<()> {
        let plan = self.get(id).await?;
        if plan.state != "draft" {
            return Err(StoreError::Conflict("该计划已确认或已撤销".into()));
        }
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        for (task_id, unit_id) in picks {
            sqlx::query(
                "INSERT INTO plan_task_units (task_id, unit_id, phrase) \
                 SELECT id, $2, '' FROM plan_tasks WHERE id = $1 AND plan_id = $3 \
                 ON CONFLICT (task_id, unit_id) DO NOTHING",
            )
            .bind(task_id)
            .bind(unit_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let empty: Vec<(i64,)> = sqlx::query_as(
            "SELECT t.number FROM plan_tasks t WHERE t.plan_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM plan_task_units tu WHERE tu.task_id = t.id) ORDER BY t.number",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        if !empty.is_empty() {
            let list: Vec<String> = empty.iter().map(|(n,)| format!("第{n}项")).collect();
            return Err(StoreError::Conflict(format!(
                "{}还没有负责单位，请选择后再确认",
                list.join("、")
            )));
        }
        let done = sqlx::query(
            "UPDATE plans SET state = 'confirmed', confirmed_by = $1, confirmed_at = $2 WHERE id = $3 AND state = 'draft'",
        )
        .bind(&actor.name)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match crate::conflict("")(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "{}年已有确认的工作计划：请先撤销原计划，再确认本计划",
                plan.year
            )),
            other => other,
        })?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::Conflict("该计划已确认或已撤销".into()));
        }
        tx.record(
            AuditAction::PlanConfirm,
            Record {
                entity_id: id.to_string(),
                before: "draft".into(),
                after: "confirmed".into(),
                detail: format!("确认{}年度工作计划：{}", plan.year, plan.title),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }

    /// Withdraws a plan (a draft, or a confirmed plan to be replaced); kept, audited.
    pub async fn withdraw(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        let plan = self.get(id).await?;
        let mut tx = self.0.write(actor).await?;
        let n = sqlx::query(
            "UPDATE plans SET state = 'withdrawn' WHERE id = $1 AND state <> 'withdrawn'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("该计划已撤销".into()));
        }
        tx.record(
            AuditAction::PlanWithdraw,
            Record {
                entity_id: id.to_string(),
                before: plan.state.clone(),
                after: "withdrawn".into(),
                detail: format!(
                    "撤销{}年度工作计划：{}（{}）",
                    plan.year, plan.title, reason
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }

    /// The tasks a unit is responsible for in confirmed plans, newest year first, with the
    /// number of reports it filed.
    pub async fn unit_tasks(&self, unit_id: i64) -> Result<Vec<UnitTask>> {
        Ok(sqlx::query_as(
            "SELECT t.id, p.year, t.number, t.heading, t.state, \
             (SELECT COUNT(*) FROM plan_reports r WHERE r.task_id = t.id AND r.unit_id = $1) AS reports \
             FROM plan_task_units tu JOIN plan_tasks t ON t.id = tu.task_id JOIN plans p ON p.id = t.plan_id \
             WHERE tu.unit_id = $1 AND p.state = 'confirmed' ORDER BY p.year DESC, t.number LIMIT 500",
        )
        .bind(unit_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Whether a unit is responsible for a task.
    pub async fn is_responsible(&self, task_id: i64, unit_id: i64) -> Result<bool> {
        let n: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM plan_task_units WHERE task_id = $1 AND unit_id = $2")
                .bind(task_id)
                .bind(unit_id)
                .fetch_optional(self.0.pool())
                .await?;
        Ok(n.is_some())
    }

    /// A responsible unit reports progress on an open task of a confirmed plan; audited.
    pub async fn report(
        &self,
        actor: &Actor,
        task_id: i64,
        unit_id: i64,
        body: &str,
        links: &str,
    ) -> Result<i64> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let id: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO plan_reports (task_id, unit_id, body, links, created_by, created_at) \
             SELECT t.id, $2, $3, $4, $5, $6 FROM plan_tasks t JOIN plans p ON p.id = t.plan_id \
             WHERE t.id = $1 AND t.state = 'open' AND p.state = 'confirmed' \
             AND EXISTS (SELECT 1 FROM plan_task_units tu WHERE tu.task_id = t.id AND tu.unit_id = $2) \
             RETURNING id",
        )
        .bind(task_id)
        .bind(unit_id)
        .bind(body)
        .bind(links)
        .bind(&actor.name)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id,)) = id else {
            return Err(StoreError::Conflict(
                "该任务已办结或计划未确认，不能再报送进展".into(),
            ));
        };
        tx.record(
            AuditAction::PlanReport,
            Record {
                unit_id: Some(unit_id),
                entity_id: task_id.to_string(),
                after: id.to_string(),
                detail: format!(
                    "报送工作任务进展：{}",
                    body.chars().take(60).collect::<String>()
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A task's reports, oldest first.
    pub async fn reports(&self, task_id: i64) -> Result<Vec<Report>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.task_id, r.unit_id, u.name AS unit_name, r.body, r.links, r.created_by, r.created_at \
             FROM plan_reports r JOIN units u ON u.id = r.unit_id WHERE r.task_id = $1 ORDER BY r.id LIMIT 1000",
        )
        .bind(task_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The office marks an open task done with a note; audited.
    pub async fn mark_done(&self, actor: &Actor, task_id: i64, note: &str) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let n = sqlx::query(
            "UPDATE plan_tasks SET state = 'done', done_at = $1, done_by = $2, done_note = $3 \
             WHERE id = $4 AND state = 'open' \
             AND plan_id IN (SELECT id FROM plans WHERE state = 'confirmed')",
        )
        .bind(&now)
        .bind(&actor.name)
        .bind(note)
        .bind(task_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            self.task(task_id).await?;
            return Err(StoreError::Conflict("该任务已办结或计划未确认".into()));
        }
        tx.record(
            AuditAction::PlanTaskDone,
            Record {
                entity_id: task_id.to_string(),
                before: "open".into(),
                after: "done".into(),
                detail: format!("工作任务办结：{note}"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }
}
