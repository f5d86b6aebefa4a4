//! Demonstration sites: batches, candidates and the office's decisions. Reached as
//! `store.demo_sites()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// Demonstration sites' repository.
#[derive(Clone, Copy)]
pub struct DemoSites<'a>(&'a Store);

impl Store {
    /// Demonstration sites' repository.
    pub fn demo_sites(&self) -> DemoSites<'_> {
        DemoSites(self)
    }
}

/// A batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Batch {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Name ("第二批").
    pub name: String,
    /// The criteria, as published.
    pub criteria: String,
    /// Score below which a named site is flagged.
    pub threshold: i64,
    /// Published when.
    pub published_at: Option<String>,
}

const BATCH: &str = "id, year, name, criteria, threshold, published_at";

/// A candidate or site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Site {
    /// Id.
    pub id: i64,
    /// The batch.
    pub batch_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// `applied` or `nominated`.
    pub how: String,
    /// What the unit (or the office) says for it.
    pub statement: String,
    /// [`gongkai_domain::demo_site::State`] code.
    pub state: String,
    /// Reason of the last decision.
    pub reason: String,
    /// Decided when.
    pub decided_at: Option<String>,
}

const SITE: &str = "s.id, s.batch_id, s.unit_id, u.name AS unit_name, s.how, s.statement, s.state, s.reason, s.decided_at";

impl DemoSites<'_> {
    /// Opens a batch with its criteria; audited.
    pub async fn create_batch(
        &self,
        actor: &Actor,
        year: i64,
        name: &str,
        criteria: &str,
        threshold: i64,
    ) -> Result<i64> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO demo_batches (year, name, criteria, threshold, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(year)
        .bind(name)
        .bind(criteria)
        .bind(threshold)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::conflict(&format!("{year}年{name}")))?;
        tx.record(
            AuditAction::DemoBatchCreate,
            Record {
                entity_id: id.to_string(),
                after: format!("{year}|{name}|{threshold}"),
                detail: format!("启动{year}年{name}政务公开示范点创建"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every batch, newest first.
    pub async fn batches(&self) -> Result<Vec<Batch>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {BATCH} FROM demo_batches ORDER BY year DESC, id DESC LIMIT 100"
        )))
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One batch.
    pub async fn batch(&self, id: i64) -> Result<Batch> {
        let b: Option<Batch> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {BATCH} FROM demo_batches WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        b.ok_or_else(|| StoreError::NotFound(format!("示范点批次 {id}")))
    }

    /// A batch's candidates and sites.
    pub async fn sites(&self, batch_id: i64) -> Result<Vec<Site>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SITE} FROM demo_sites s JOIN units u ON u.id = s.unit_id WHERE s.batch_id = $1 ORDER BY s.id"
        )))
        .bind(batch_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One site.
    pub async fn site(&self, id: i64) -> Result<Site> {
        let s: Option<Site> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SITE} FROM demo_sites s JOIN units u ON u.id = s.unit_id WHERE s.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        s.ok_or_else(|| StoreError::NotFound(format!("示范点 {id}")))
    }

    /// A unit applies, or the office nominates it, for a batch not yet published; audited.
    pub async fn propose(
        &self,
        actor: &Actor,
        batch_id: i64,
        unit_id: i64,
        how: &str,
        statement: &str,
    ) -> Result<i64> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let id: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO demo_sites (batch_id, unit_id, how, statement, state, created_by, created_at) \
             SELECT id, $2, $3, $4, 'candidate', $5, $6 FROM demo_batches WHERE id = $1 AND published_at IS NULL RETURNING id",
        )
        .bind(batch_id)
        .bind(unit_id)
        .bind(how)
        .bind(statement)
        .bind(&actor.name)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(crate::conflict("该单位在本批次的申报"))?;
        let Some((id,)) = id else {
            self.batch(batch_id).await?;
            return Err(StoreError::Conflict(
                "该批次名单已公布，不再受理申报".into(),
            ));
        };
        tx.record(
            AuditAction::DemoSitePropose,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                after: format!("{batch_id}|{how}"),
                detail: format!(
                    "{}示范点：{statement}",
                    if how == "nominated" {
                        "推荐"
                    } else {
                        "申报"
                    }
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The office's decision, guarded by the state it saw; audited.
    pub async fn decide(
        &self,
        actor: &Actor,
        id: i64,
        from: &str,
        to: &str,
        reason: &str,
    ) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE demo_sites SET state = $1, reason = $2, decided_at = $3 WHERE id = $4 AND state = $5 RETURNING unit_id",
        )
        .bind(to)
        .bind(reason)
        .bind(&now)
        .bind(id)
        .bind(from)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((unit_id,)) = row else {
            self.site(id).await?;
            return Err(StoreError::Conflict(
                "该申报的状态已变化，请刷新后重试".into(),
            ));
        };
        tx.record(
            AuditAction::DemoSiteDecide,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                before: from.to_string(),
                after: to.to_string(),
                detail: format!("示范点评审：{to}（{reason}）"),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Publishes a batch's list of named sites; audited. Refused when nothing is named or a
    /// candidate is still undecided.
    pub async fn publish(&self, actor: &Actor, batch_id: i64) -> Result<()> {
        let b = self.batch(batch_id).await?;
        let sites = self.sites(batch_id).await?;
        if sites.iter().any(|s| s.state == "candidate") {
            return Err(StoreError::Conflict(
                "还有未评审的申报，请先作出决定".into(),
            ));
        }
        if !sites.iter().any(|s| s.state == "named") {
            return Err(StoreError::Conflict("本批次还没有命名的示范点".into()));
        }
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let n = sqlx::query(
            "UPDATE demo_batches SET published_at = $1 WHERE id = $2 AND published_at IS NULL",
        )
        .bind(&now)
        .bind(batch_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("该批次名单已公布".into()));
        }
        tx.record(
            AuditAction::DemoBatchPublish,
            Record {
                entity_id: batch_id.to_string(),
                after: now.clone(),
                detail: format!("公布{}年{}政务公开示范点名单", b.year, b.name),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }

    /// Named sites of published batches, for the public list.
    pub async fn published(&self) -> Result<Vec<(Batch, Vec<Site>)>> {
        let mut out = Vec::new();
        for b in self.batches().await? {
            if b.published_at.is_some() {
                let sites = self
                    .sites(b.id)
                    .await?
                    .into_iter()
                    .filter(|s| s.state == "named")
                    .collect();
                out.push((b, sites));
            }
        }
        Ok(out)
    }
}
