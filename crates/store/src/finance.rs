//! Public finance: the yearly classification imported over the shipped lists, units' budget
//! and final-account sets (checked by `domain::finance` before they reach here, stored whole in
//! one transaction, then reviewed and published like any publication), and villages' postings
//! with their committee's review. Reached as `store.finance()`.

use std::collections::BTreeMap;

use gongkai_domain::audit::AuditAction;
use gongkai_domain::finance::codes::{self, CodeBook};
use gongkai_domain::finance::tables::Table;
use gongkai_domain::finance::village::{Line, Period, Review};
use gongkai_domain::finance::{Phase, Summary};
use serde::Serialize;

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};

/// Public finance's repository.
#[derive(Clone, Copy)]
pub struct Finance<'a>(&'a Store);

impl Store {
    /// Public finance's repository.
    pub fn finance(&self) -> Finance<'_> {
        Finance(self)
    }
}

/// A unit's budget or final-account set (one version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Set {
    /// Id.
    pub id: i64,
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its type code (department, town, …).
    pub unit_type: String,
    /// The year.
    pub year: i64,
    /// [`Phase`] code.
    pub phase: String,
    /// Version within (unit, year, phase), from 1.
    pub version: i64,
    /// draft, submitted, published, superseded, withdrawn.
    pub state: String,
    /// The day of approval (YYYY-MM-DD).
    pub approved_on: String,
    /// The last day to publish on time (YYYY-MM-DD).
    pub publish_by: String,
    /// The imported file's name.
    pub file_name: String,
    /// Its SHA-256.
    pub file_sha256: String,
    /// The explanatory text: JSON object of [`gongkai_domain::finance::EXPLANATION`] keys.
    pub explanation: String,
    /// [`Summary`] as JSON.
    pub summary: String,
    /// Total expenditure, 分.
    pub expenditure: i64,
    /// "Three public" total, 分.
    pub three_public: i64,
    /// 1 when the general budget reaches 项 on every line.
    pub to_item_level: i64,
    /// Imported by.
    pub created_by: String,
    /// Imported when.
    pub created_at: String,
    /// Submitted for review when.
    pub submitted_at: Option<String>,
    /// Why the reviewer sent it back (last time).
    pub return_reason: String,
    /// Published when.
    pub published_at: Option<String>,
    /// Published by.
    pub published_by: Option<String>,
    /// Withdrawn when.
    pub withdrawn_at: Option<String>,
    /// Why.
    pub withdrawn_reason: String,
}

const SET: &str = "s.id, s.unit_id, u.name AS unit_name, u.unit_type, s.year, s.phase, s.version, s.state, s.approved_on, s.publish_by, s.file_name, s.file_sha256, s.explanation, s.summary, s.expenditure, s.three_public, s.to_item_level, s.created_by, s.created_at, s.submitted_at, s.return_reason, s.published_at, s.published_by, s.withdrawn_at, s.withdrawn_reason";

impl Set {
    /// The phase.
    pub fn phase(&self) -> Phase {
        Phase::from_code(&self.phase).unwrap_or(Phase::Budget)
    }

    /// The summary figures.
    pub fn summary(&self) -> Summary {
        serde_json::from_str(&self.summary).unwrap_or_default()
    }

    /// The explanatory text by key.
    pub fn explanation(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.explanation).unwrap_or_default()
    }
}

/// A checked set to store.
#[derive(Debug, Clone)]
pub struct NewSet<'a> {
    /// The unit.
    pub unit_id: i64,
    /// The year.
    pub year: i64,
    /// The phase.
    pub phase: Phase,
    /// The day of approval.
    pub approved_on: chrono::NaiveDate,
    /// The last day to publish on time.
    pub publish_by: chrono::NaiveDate,
    /// The file's name.
    pub file_name: &'a str,
    /// Its SHA-256 (hex).
    pub file_sha256: &'a str,
    /// The tables.
    pub tables: &'a [Table],
    /// The summary.
    pub summary: &'a Summary,
}

/// Which sets a list shows.
#[derive(Debug, Clone, Default)]
pub struct SetFilter {
    /// Only this unit's.
    pub unit_id: Option<i64>,
    /// Only this year's.
    pub year: Option<i64>,
    /// Only published ones (the public's lists).
    pub published: bool,
    /// Keyset paging: ids below this.
    pub before: Option<i64>,
    /// Page size.
    pub limit: i64,
}

/// A published set's headline figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Figures {
    /// The set.
    pub id: i64,
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// The year.
    pub year: i64,
    /// [`Phase`] code.
    pub phase: String,
    /// Total expenditure, 分.
    pub expenditure: i64,
    /// "Three public" total, 分.
    pub three_public: i64,
}

/// A village posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Posting {
    /// Id.
    pub id: i64,
    /// The village.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// The period's key (2026Q3, 2026-07), none for a special matter.
    pub period_key: Option<String>,
    /// A category of the eight, or a special matter's code.
    pub matter: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// The ledger lines as JSON.
    pub lines: String,
    /// draft, reviewed, posted, withdrawn.
    pub state: String,
    /// The committee's review as JSON (empty before review).
    pub review: String,
    /// Drafted by.
    pub created_by: String,
    /// Drafted when.
    pub created_at: String,
    /// Reviewed when.
    pub reviewed_at: Option<String>,
    /// Posted when.
    pub posted_at: Option<String>,
    /// Withdrawn when.
    pub withdrawn_at: Option<String>,
}

const POSTING: &str = "p.id, p.unit_id, u.name AS unit_name, p.period_key, p.matter, p.title, p.body, p.lines, p.state, p.review, p.created_by, p.created_at, p.reviewed_at, p.posted_at, p.withdrawn_at";

impl Posting {
    /// The ledger lines.
    pub fn lines(&self) -> Vec<Line> {
        serde_json::from_str(&self.lines).unwrap_or_default()
    }

    /// The committee's review.
    pub fn review(&self) -> Option<Review> {
        serde_json::from_str(&self.review).ok()
    }

    /// The period.
    pub fn period(&self) -> Option<Period> {
        self.period_key.as_deref().and_then(Period::parse)
    }
}

/// A posting to store as a draft.
#[derive(Debug, Clone)]
pub struct NewPosting<'a> {
    /// The village.
    pub unit_id: i64,
    /// The period (none: a special matter posted at once).
    pub period: Option<Period>,
    /// A category code or special matter code.
    pub matter: &'a str,
    /// Title.
    pub title: &'a str,
    /// Text.
    pub body: &'a str,
    /// Ledger lines.
    pub lines: &'a [Line],
}

/// A village under a town, with the periods it has posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillagePosted {
    /// The village.
    pub unit_id: i64,
    /// Its name.
    pub name: String,
    /// Period keys posted (standing postings).
    pub periods: Vec<String>,
}

fn stale(what: &str) -> StoreError {
    StoreError::Conflict(format!("{what}的状态已变化，请刷新后重试"))
}

impl Finance<'_> {
    /// Imports a year's classification (new codes added, names updated; none removed, since
    /// stored sets refer to them); audited.
    pub async fn import_codes(&self, actor: &Actor, book: &CodeBook) -> Result<usize> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let entries: Vec<(&String, &String)> = book.names.iter().collect();
        for chunk in entries.chunks(300) {
            let mut sql =
                String::from("INSERT INTO finance_codes (year, code, name, imported_at) VALUES ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let b = i * 3;
                sql.push_str(&format!("($1, ${}, ${}, ${})", b + 2, b + 3, b + 4));
            }
            sql.push_str(" ON CONFLICT (year, code) DO UPDATE SET name = excluded.name, imported_at = excluded.imported_at");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(book.year));
            for (code, name) in chunk {
                q = q.bind(*code).bind(*name).bind(&now);
            }
            q.execute(&mut *tx).await?;
        }
        tx.record(
            AuditAction::FinanceCodesImport,
            Record {
                entity_id: book.year.to_string(),
                after: format!("{}|{}", book.year, book.len()),
                detail: format!("导入{}年政府收支分类科目 {} 个", book.year, book.len()),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(book.len())
    }

    /// The classification of a year: the shipped list with the imported codes laid over it;
    /// `None` when the year has neither.
    pub async fn codes(&self, year: i32) -> Result<Option<CodeBook>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT code, name FROM finance_codes WHERE year = $1")
                .bind(i64::from(year))
                .fetch_all(self.0.pool())
                .await?;
        let mut book = codes::shipped(year);
        if rows.is_empty() {
            return Ok(book);
        }
        let b = book.get_or_insert_with(|| CodeBook {
            year,
            names: BTreeMap::new(),
        });
        b.names.extend(rows);
        Ok(book)
    }

    /// Stores a checked set as a new draft version (the explanatory text carried over from the
    /// previous version); audited.
    pub async fn import(&self, actor: &Actor, new: &NewSet<'_>) -> Result<i64> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let prev: Option<(i64, String)> = sqlx::query_as(
            "SELECT version, explanation FROM finance_sets WHERE unit_id = $1 AND year = $2 AND phase = $3 ORDER BY version DESC LIMIT 1",
        )
        .bind(new.unit_id)
        .bind(new.year)
        .bind(new.phase.code())
        .fetch_optional(&mut *tx)
        .await?;
        let (version, explanation) = prev.map_or((1, "{}".to_string()), |(v, e)| (v + 1, e));
        let summary = serde_json::to_string(new.summary).unwrap_or_default();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO finance_sets (unit_id, year, phase, version, state, approved_on, publish_by, file_name, file_sha256, explanation, summary, expenditure, three_public, to_item_level, created_by, created_at, changed_at) \
             VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
        )
        .bind(new.unit_id)
        .bind(new.year)
        .bind(new.phase.code())
        .bind(version)
        .bind(new.approved_on.to_string())
        .bind(new.publish_by.to_string())
        .bind(new.file_name)
        .bind(new.file_sha256)
        .bind(&explanation)
        .bind(&summary)
        .bind(new.summary.expenditure)
        .bind(new.summary.three_public[0])
        .bind(i64::from(new.summary.to_item_level))
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::conflict("该版本"))?;
        for (i, t) in new.tables.iter().enumerate() {
            sqlx::query(
                "INSERT INTO finance_tables (set_id, position, key, data) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(&t.key)
            .bind(serde_json::to_string(t).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        }
        tx.record(
            AuditAction::FinanceImport,
            Record {
                unit_id: Some(new.unit_id),
                entity_id: id.to_string(),
                after: format!(
                    "{}|{}|{}|{}|{}",
                    new.year,
                    new.phase.code(),
                    version,
                    new.file_sha256,
                    summary
                ),
                detail: format!(
                    "导入{}年部门{}（第{}版，{}张表，文件 {}）",
                    new.year,
                    new.phase.label(),
                    version,
                    new.tables.len(),
                    new.file_name
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One set.
    pub async fn set(&self, id: i64) -> Result<Set> {
        let s: Option<Set> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SET} FROM finance_sets s JOIN units u ON u.id = s.unit_id WHERE s.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        s.ok_or_else(|| StoreError::NotFound(format!("预决算 {id}")))
    }

    /// A set's tables, in order.
    pub async fn tables(&self, id: i64) -> Result<Vec<Table>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT data FROM finance_tables WHERE set_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(self.0.pool())
                .await?;
        rows.into_iter()
            .map(|(d,)| {
                serde_json::from_str(&d)
                    .map_err(|e| StoreError::Corrupt(format!("finance_tables {id}: {e}")))
            })
            .collect()
    }

    /// Sets, newest first, a page at a time (keyset by id).
    pub async fn sets(&self, f: &SetFilter) -> Result<Vec<Set>> {
        let mut sql = format!(
            "SELECT {SET} FROM finance_sets s JOIN units u ON u.id = s.unit_id WHERE 1 = 1"
        );
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if f.unit_id.is_some() {
            sql.push_str(&format!(" AND s.unit_id = ${}", next()));
        }
        if f.year.is_some() {
            sql.push_str(&format!(" AND s.year = ${}", next()));
        }
        if f.before.is_some() {
            sql.push_str(&format!(" AND s.id < ${}", next()));
        }
        if f.published {
            sql.push_str(" AND s.state = 'published'");
        }
        sql.push_str(&format!(" ORDER BY s.id DESC LIMIT ${}", next()));
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        if let Some(u) = f.unit_id {
            q = q.bind(u);
        }
        if let Some(y) = f.year {
            q = q.bind(y);
        }
        if let Some(b) = f.before {
            q = q.bind(b);
        }
        Ok(q.bind(f.limit.clamp(1, 500))
            .fetch_all(self.0.pool())
            .await?)
    }

    /// A unit's published sets of a range of years (its page's comparisons).
    pub async fn published_of(&self, unit_id: i64, from: i64, to: i64) -> Result<Vec<Set>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SET} FROM finance_sets s JOIN units u ON u.id = s.unit_id WHERE s.unit_id = $1 AND s.state = 'published' AND s.year BETWEEN $2 AND $3 ORDER BY s.year, s.phase"
        )))
        .bind(unit_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Every published set's headline figures of a range of years, by unit name (the district
    /// view reads these, never the tables or the texts).
    pub async fn figures(&self, from: i64, to: i64) -> Result<Vec<Figures>> {
        Ok(sqlx::query_as(
            "SELECT s.id, s.unit_id, u.name AS unit_name, s.year, s.phase, s.expenditure, s.three_public \
             FROM finance_sets s JOIN units u ON u.id = s.unit_id \
             WHERE s.state = 'published' AND s.year BETWEEN $1 AND $2 ORDER BY u.name, s.unit_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The district's published expenditure per year and phase: (year, phase, total in 分).
    pub async fn totals(&self, from: i64, to: i64) -> Result<Vec<(i64, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT year, phase, CAST(SUM(expenditure) AS BIGINT) FROM finance_sets \
             WHERE state = 'published' AND year BETWEEN $1 AND $2 GROUP BY year, phase ORDER BY year",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The latest version of each unit's set of a year and phase, whatever its state (the
    /// oversight report).
    pub async fn latest(&self, year: i64, phase: Phase) -> Result<Vec<Set>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SET} FROM finance_sets s JOIN units u ON u.id = s.unit_id \
             WHERE s.year = $1 AND s.phase = $2 AND s.version = (SELECT MAX(version) FROM finance_sets x WHERE x.unit_id = s.unit_id AND x.year = s.year AND x.phase = s.phase) \
             ORDER BY u.name"
        )))
        .bind(year)
        .bind(phase.code())
        .fetch_all(self.0.pool())
        .await?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn step(
        &self,
        actor: &Actor,
        id: i64,
        from: &str,
        set_sql: &str,
        binds: &[&str],
        action: AuditAction,
        detail: String,
    ) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let sql = format!(
            "UPDATE finance_sets SET changed_at = $1, {set_sql} WHERE id = ${} AND state = ${} RETURNING unit_id, state",
            binds.len() + 2,
            binds.len() + 3
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&now);
        for b in binds {
            q = q.bind(*b);
        }
        let row: Option<(i64, String)> = q.bind(id).bind(from).fetch_optional(&mut *tx).await?;
        let Some((unit_id, to)) = row else {
            self.set(id).await?;
            return Err(stale("该预决算"));
        };
        tx.record(
            action,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                before: from.to_string(),
                after: to,
                detail,
            },
        )
        .await?;
        tx.commit().await
    }

    /// Saves the explanatory text of a draft; audited.
    pub async fn explain(
        &self,
        actor: &Actor,
        id: i64,
        text: &BTreeMap<String, String>,
    ) -> Result<()> {
        let json = serde_json::to_string(text).unwrap_or_default();
        self.step(
            actor,
            id,
            "draft",
            "explanation = $2",
            &[&json],
            AuditAction::FinanceExplain,
            format!("修改预决算说明（{} 字）", json.chars().count()),
        )
        .await
    }

    /// Submits a draft for review; audited.
    pub async fn submit(&self, actor: &Actor, id: i64) -> Result<()> {
        self.step(
            actor,
            id,
            "draft",
            "state = 'submitted', submitted_at = $1",
            &[],
            AuditAction::FinanceSubmit,
            "提交审核".into(),
        )
        .await
    }

    /// Sends a submitted set back with a reason; audited.
    pub async fn send_back(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        self.step(
            actor,
            id,
            "submitted",
            "state = 'draft', return_reason = $2, submitted_at = NULL",
            &[reason],
            AuditAction::FinanceReturn,
            format!("退回修改：{reason}"),
        )
        .await
    }

    /// Publishes a submitted set: the version published before it (if any) is superseded in
    /// the same transaction; audited. `at` records a publication made before gongkai (the
    /// demo's history, a migration); `None` is now.
    pub async fn publish(&self, actor: &Actor, id: i64, at: Option<&str>) -> Result<()> {
        let set = self.set(id).await?;
        let now = at.map_or_else(now_text, str::to_string);
        let mut tx = self.0.write(actor).await?;
        let done = sqlx::query(
            "UPDATE finance_sets SET state = 'published', published_at = $1, changed_at = $1, published_by = $2 WHERE id = $3 AND state = 'submitted'",
        )
        .bind(&now)
        .bind(&actor.name)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(stale("该预决算"));
        }
        let superseded: Vec<(i64,)> = sqlx::query_as(
            "UPDATE finance_sets SET state = 'superseded', changed_at = $5 WHERE unit_id = $1 AND year = $2 AND phase = $3 AND state = 'published' AND id <> $4 RETURNING id",
        )
        .bind(set.unit_id)
        .bind(set.year)
        .bind(&set.phase)
        .bind(id)
        .bind(&now)
        .fetch_all(&mut *tx)
        .await?;
        let old: Vec<String> = superseded.iter().map(|(i,)| i.to_string()).collect();
        tx.record(
            AuditAction::FinancePublish,
            Record {
                unit_id: Some(set.unit_id),
                entity_id: id.to_string(),
                before: "submitted".into(),
                after: format!("published|superseded:{}", old.join(",")),
                detail: format!(
                    "公开{}年{}（第{}版，批复日期 {}，应于 {} 前公开）",
                    set.year,
                    set.phase().label(),
                    set.version,
                    set.approved_on,
                    set.publish_by
                ),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Withdraws a published set (kept, no longer shown); audited.
    pub async fn withdraw(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        self.step(
            actor,
            id,
            "published",
            "state = 'withdrawn', withdrawn_at = $1, withdrawn_reason = $2",
            &[reason],
            AuditAction::FinanceWithdraw,
            format!("撤回：{reason}"),
        )
        .await
    }

    /// Stores a village's posting as a draft; a period already posted (and standing) is a
    /// conflict; audited.
    pub async fn save_posting(&self, actor: &Actor, p: &NewPosting<'_>) -> Result<i64> {
        let now = now_text();
        let key = p.period.map(|x| x.key());
        let label = p.period.map_or_else(|| "该事项".to_string(), |x| x.label());
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO village_postings (unit_id, period_key, period_slot, matter, title, body, lines, state, created_by, created_at, changed_at) \
             VALUES ($1, $2, $2, $3, $4, $5, $6, 'draft', $7, $8, $8) RETURNING id",
        )
        .bind(p.unit_id)
        .bind(&key)
        .bind(p.matter)
        .bind(p.title)
        .bind(p.body)
        .bind(serde_json::to_string(p.lines).unwrap_or_default())
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(format!(
                "{label}的财务公开已经登记过，不能重复公开（如需更正，请先撤回原公开）"
            )),
            _ => StoreError::Db(e),
        })?;
        tx.record(
            AuditAction::VillagePostingSave,
            Record {
                unit_id: Some(p.unit_id),
                entity_id: id.to_string(),
                after: format!(
                    "{}|{}|{}|{}",
                    key.unwrap_or_default(),
                    p.matter,
                    p.title,
                    p.lines.len()
                ),
                detail: format!(
                    "登记村务公开：{}（{}，{} 行）",
                    p.title,
                    label,
                    p.lines.len()
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One posting.
    pub async fn posting(&self, id: i64) -> Result<Posting> {
        let p: Option<Posting> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {POSTING} FROM village_postings p JOIN units u ON u.id = p.unit_id WHERE p.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        p.ok_or_else(|| StoreError::NotFound(format!("村务公开 {id}")))
    }

    /// A village's postings, newest first (only posted ones for the public).
    pub async fn postings(
        &self,
        unit_id: i64,
        posted_only: bool,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Posting>> {
        let state = if posted_only {
            " AND p.state = 'posted'"
        } else {
            ""
        };
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {POSTING} FROM village_postings p JOIN units u ON u.id = p.unit_id WHERE p.unit_id = $1 AND p.id < $2{state} ORDER BY p.id DESC LIMIT $3"
        )))
        .bind(unit_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit.clamp(1, 500))
        .fetch_all(self.0.pool())
        .await?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn posting_step(
        &self,
        actor: &Actor,
        id: i64,
        from: &str,
        set_sql: &str,
        bind: Option<&str>,
        action: AuditAction,
        detail: String,
    ) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let n = if bind.is_some() { 3 } else { 2 };
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE village_postings SET changed_at = $1, {set_sql} WHERE id = ${n} AND state = ${} RETURNING unit_id, state",
            n + 1
        )))
        .bind(&now);
        if let Some(b) = bind {
            q = q.bind(b);
        }
        let row: Option<(i64, String)> = q.bind(id).bind(from).fetch_optional(&mut *tx).await?;
        let Some((unit_id, to)) = row else {
            let p = self.posting(id).await?;
            return Err(match (from, p.state.as_str()) {
                ("reviewed", "draft") => {
                    StoreError::Conflict("这项公开还没有经村务监督委员会审核，不能公开".into())
                }
                _ => stale("该村务公开"),
            });
        };
        tx.record(
            action,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                before: from.to_string(),
                after: format!("{to}|{}", bind.unwrap_or_default()),
                detail,
            },
        )
        .await?;
        tx.commit().await
    }

    /// Records the committee's review of a draft; audited.
    pub async fn review_posting(&self, actor: &Actor, id: i64, review: &Review) -> Result<()> {
        let json = serde_json::to_string(review).unwrap_or_default();
        self.posting_step(
            actor,
            id,
            "draft",
            "state = 'reviewed', reviewed_at = $1, review = $2",
            Some(&json),
            AuditAction::VillagePostingReview,
            format!(
                "村务监督委员会审核（{}）：{}",
                review.members.join("、"),
                review.opinion
            ),
        )
        .await
    }

    /// Posts a reviewed posting (a draft is refused: the committee reviews first); audited.
    pub async fn post(&self, actor: &Actor, id: i64) -> Result<()> {
        self.posting_step(
            actor,
            id,
            "reviewed",
            "state = 'posted', posted_at = $1",
            None,
            AuditAction::VillagePostingPost,
            "公开".into(),
        )
        .await
    }

    /// Withdraws a posting — posted, or still waiting for the committee or for posting (a
    /// mistaken draft must not block its period): kept, and its period may be posted again;
    /// audited.
    pub async fn withdraw_posting(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        let seen = self.posting(id).await?.state;
        let from = match seen.as_str() {
            "draft" => "draft",
            "reviewed" => "reviewed",
            _ => "posted",
        };
        self.posting_step(
            actor,
            id,
            from,
            "state = 'withdrawn', withdrawn_at = $1, period_slot = NULL, withdrawn_reason = $2",
            Some(reason),
            AuditAction::VillagePostingWithdraw,
            format!("撤回村务公开：{reason}"),
        )
        .await
    }

    /// The villages under a town (or street) with the periods each has posted.
    pub async fn villages_of(&self, town_id: i64) -> Result<Vec<VillagePosted>> {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT u.id, u.name, p.period_key FROM units u LEFT JOIN village_postings p ON p.unit_id = u.id AND p.state = 'posted' AND p.period_key IS NOT NULL \
             WHERE u.parent_id = $1 AND u.unit_type IN ('village', 'community') ORDER BY u.name, u.id",
        )
        .bind(town_id)
        .fetch_all(self.0.pool())
        .await?;
        let mut out: Vec<VillagePosted> = Vec::new();
        for (id, name, key) in rows {
            if out.last().is_none_or(|v| v.unit_id != id) {
                out.push(VillagePosted {
                    unit_id: id,
                    name,
                    periods: Vec::new(),
                });
            }
            if let (Some(k), Some(v)) = (key, out.last_mut()) {
                v.periods.push(k);
            }
        }
        Ok(out)
    }
}
