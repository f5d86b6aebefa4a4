//! Website inspection in the back office (定期网查): the sites on the office's list with their
//! schedule, the inspections queued on the jobs table (kind `inspection`) and their stored
//! reports, the findings one per row (for comparing two inspections of a site and for turning
//! a finding into a rectification notice). Reached as `store.inspections()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// The inspections' repository.
#[derive(Clone, Copy)]
pub struct Inspections<'a>(&'a Store);

impl Store {
    /// The inspections' repository.
    pub fn inspections(&self) -> Inspections<'_> {
        Inspections(self)
    }
}

/// A site on the office's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Site {
    /// Id.
    pub id: i64,
    /// The unit responsible for it.
    pub unit_id: i64,
    /// Name.
    pub name: String,
    /// Home page address.
    pub url: String,
    /// This gongkai's own portal.
    pub own: i64,
    /// Days between scheduled inspections.
    pub every_days: i64,
    /// The next scheduled day (None: by hand only).
    pub next_on: Option<String>,
    /// On the list.
    pub active: i64,
}

/// An inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Inspection {
    /// Id.
    pub id: i64,
    /// The site.
    pub site_id: i64,
    /// Its unit.
    pub unit_id: i64,
    /// Address inspected.
    pub url: String,
    /// queued, running, done, failed.
    pub state: String,
    /// Who asked (or `schedule`).
    pub requested_by: String,
    /// When.
    pub requested_at: String,
    /// When finished.
    pub finished_at: Option<String>,
    /// The day judged by.
    pub day: Option<String>,
    /// Pages looked at.
    pub pages: i64,
    /// Passed (1), failed (0).
    pub passed: Option<i64>,
    /// Score in tenths.
    pub score: Option<i64>,
    /// The report (JSON), when done.
    pub report: String,
    /// Why it failed.
    pub error: String,
}

const COLUMNS: &str = "id, site_id, unit_id, url, state, requested_by, requested_at, finished_at, day, pages, passed, score, report, error";

/// One finding of an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Finding {
    /// The inspection.
    pub inspection_id: i64,
    /// Its place in the report.
    pub position: i64,
    /// veto or deduction.
    pub kind: String,
    /// The indicator.
    pub item: String,
    /// What shows it.
    pub evidence: String,
    /// Points in tenths (0 for a veto).
    pub points: i64,
    /// The notice it became, if any.
    pub notice_id: Option<i64>,
}

/// A finished inspection as the worker stores it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The day judged by.
    pub day: String,
    /// Pages looked at.
    pub pages: i64,
    /// Passed.
    pub passed: bool,
    /// Score in tenths.
    pub score: i64,
    /// The report (JSON).
    pub report: String,
    /// Findings: (kind, item, evidence, points in tenths).
    pub findings: Vec<(String, String, String, i64)>,
}

/// A site as the office enters it.
#[derive(Debug, Clone, Copy)]
pub struct NewSite<'a> {
    /// The unit responsible for it.
    pub unit_id: i64,
    /// Name.
    pub name: &'a str,
    /// Home page address.
    pub url: &'a str,
    /// This gongkai's own portal.
    pub own: bool,
    /// Days between scheduled inspections.
    pub every_days: i64,
    /// The first scheduled day (None: by hand only).
    pub next_on: Option<&'a str>,
}

impl Inspections<'_> {
    /// Puts a site on the list (or changes its name, unit and schedule); audited.
    pub async fn save_site(&self, actor: &Actor, site: &NewSite<'_>) -> Result<i64> {
        let NewSite {
            unit_id,
            name,
            url,
            own,
            every_days,
            next_on,
        } = *site;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO inspection_sites (unit_id, name, url, own, every_days, next_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (url) DO UPDATE SET unit_id = excluded.unit_id, name = excluded.name, own = excluded.own, \
             every_days = excluded.every_days, next_on = excluded.next_on, active = 1 RETURNING id",
        )
        .bind(unit_id)
        .bind(name)
        .bind(url)
        .bind(i64::from(own))
        .bind(every_days)
        .bind(next_on)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.record(
            AuditAction::InspectionSite,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                after: format!("{url}|{every_days}|{}", next_on.unwrap_or("")),
                detail: format!("网站检查清单：{name}（{url}），每{every_days}天检查一次"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The sites on the list.
    pub async fn sites(&self) -> Result<Vec<Site>> {
        Ok(sqlx::query_as(
            "SELECT id, unit_id, name, url, own, every_days, next_on, active FROM inspection_sites ORDER BY id LIMIT 1000",
        )
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One site.
    pub async fn site(&self, id: i64) -> Result<Site> {
        let s: Option<Site> = sqlx::query_as(
            "SELECT id, unit_id, name, url, own, every_days, next_on, active FROM inspection_sites WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        s.ok_or_else(|| StoreError::NotFound(format!("检查网站 {id}")))
    }

    /// Queues an inspection of a site (a row and its `inspection` job, one transaction);
    /// audited. Refused while one of the site is queued or running.
    pub async fn request(&self, actor: &Actor, site_id: i64) -> Result<i64> {
        let mut tx = self.0.write(actor).await?;
        let id = request_in(&mut tx, site_id, &actor.name).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Queues an inspection of every active site whose scheduled day has come, moving its
    /// day on first (so two servers queue it once). Returns the inspections queued.
    pub async fn schedule_due(&self, actor: &Actor, today: &str) -> Result<Vec<i64>> {
        let due: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, next_on, every_days FROM inspection_sites WHERE active = 1 AND next_on <= $1 ORDER BY next_on, id LIMIT 100",
        )
        .bind(today)
        .fetch_all(self.0.pool())
        .await?;
        let mut out = Vec::new();
        for (site, on, every) in due {
            let next = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d")
                .map(|d| {
                    (d + chrono::Duration::days(every.max(1)))
                        .format("%Y-%m-%d")
                        .to_string()
                })
                .map_err(|e| StoreError::Corrupt(format!("today {today}: {e}")))?;
            let mut tx = self.0.write(actor).await?;
            let moved = sqlx::query(
                "UPDATE inspection_sites SET next_on = $1 WHERE id = $2 AND next_on = $3",
            )
            .bind(&next)
            .bind(site)
            .bind(&on)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                continue;
            }
            match request_in(&mut tx, site, "schedule").await {
                Ok(id) => {
                    tx.commit().await?;
                    out.push(id);
                }
                // one still queued or running: nothing queued, the day stays (next tick)
                Err(StoreError::Conflict(_)) => drop(tx),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// One inspection.
    pub async fn get(&self, id: i64) -> Result<Inspection> {
        let i: Option<Inspection> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM inspections WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        i.ok_or_else(|| StoreError::NotFound(format!("网站检查 {id}")))
    }

    /// Inspections, newest first, of a site or of all (`before`: keyset), without reports.
    pub async fn list(
        &self,
        site_id: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Inspection>> {
        Ok(sqlx::query_as(
            "SELECT id, site_id, unit_id, url, state, requested_by, requested_at, finished_at, day, pages, passed, score, '' AS report, error \
             FROM inspections WHERE ($1 IS NULL OR site_id = $1) AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(site_id)
        .bind(before)
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// The site's last finished inspection before `id`, if any (for the comparison).
    pub async fn previous(&self, site_id: i64, id: i64) -> Result<Option<i64>> {
        let r: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM inspections WHERE site_id = $1 AND id < $2 AND state = 'done' ORDER BY id DESC LIMIT 1",
        )
        .bind(site_id)
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        Ok(r.map(|(i,)| i))
    }

    /// An inspection's findings in report order.
    pub async fn findings(&self, id: i64) -> Result<Vec<Finding>> {
        Ok(sqlx::query_as(
            "SELECT inspection_id, position, kind, item, evidence, points, notice_id FROM inspection_findings \
             WHERE inspection_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Marks a queued inspection running (the worker took it); false when it is not queued
    /// (done already: a job performed twice does not crawl twice).
    pub async fn start(&self, id: i64) -> Result<bool> {
        let mut tx = self.0.unrecorded(crate::Unrecorded::JobQueue).await?;
        let n = sqlx::query(
            "UPDATE inspections SET state = 'running' WHERE id = $1 AND state IN ('queued', 'running')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Stores a finished inspection with its findings; audited.
    pub async fn finish(&self, actor: &Actor, id: i64, o: &Outcome) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let row: Option<(i64, String)> = sqlx::query_as(
            "UPDATE inspections SET state = 'done', finished_at = $1, day = $2, pages = $3, passed = $4, score = $5, report = $6 \
             WHERE id = $7 AND state = 'running' RETURNING unit_id, url",
        )
        .bind(&now)
        .bind(&o.day)
        .bind(o.pages)
        .bind(i64::from(o.passed))
        .bind(o.score)
        .bind(&o.report)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((unit_id, url)) = row else {
            return Err(StoreError::Conflict("该检查不在进行中".into()));
        };
        for (i, (kind, item, evidence, points)) in o.findings.iter().enumerate() {
            sqlx::query(
                "INSERT INTO inspection_findings (inspection_id, position, kind, item, evidence, points) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(kind)
            .bind(item)
            .bind(evidence)
            .bind(points)
            .execute(&mut *tx)
            .await?;
        }
        tx.record(
            AuditAction::InspectionFinish,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                after: format!("{}|{}", o.passed, o.score),
                detail: format!(
                    "网站检查完成：{url}，{}，得分 {}.{}，问题 {} 项",
                    if o.passed { "合格" } else { "不合格" },
                    o.score / 10,
                    o.score % 10,
                    o.findings.len()
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }

    /// Records why an inspection could not be made; audited.
    pub async fn fail(&self, actor: &Actor, id: i64, error: &str) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let row: Option<(i64, String)> = sqlx::query_as(
            "UPDATE inspections SET state = 'failed', finished_at = $1, error = $2 WHERE id = $3 AND state IN ('queued', 'running') RETURNING unit_id, url",
        )
        .bind(&now)
        .bind(error)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((unit_id, url)) = row else {
            return Err(StoreError::Conflict("该检查已结束".into()));
        };
        tx.record(
            AuditAction::InspectionFinish,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                after: "failed".into(),
                detail: format!("网站检查未能完成：{url}：{error}"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }

    /// Records one availability probe of a site's home page (monitoring, not audited).
    pub async fn record_probe(
        &self,
        site_id: i64,
        at: &str,
        ok: bool,
        status: i64,
        ms: i64,
    ) -> Result<()> {
        let mut tx = self.0.unrecorded(crate::Unrecorded::SiteProbe).await?;
        sqlx::query(
            "INSERT INTO inspection_probes (site_id, at, ok, status, ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (site_id, at) DO NOTHING",
        )
        .bind(site_id)
        .bind(at)
        .bind(i64::from(ok))
        .bind(status)
        .bind(ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A site's probes since `since` (a stored time): (all, failed).
    pub async fn probes_since(&self, site_id: i64, since: &str) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN ok = 0 THEN 1 ELSE 0 END), 0) FROM inspection_probes \
             WHERE site_id = $1 AND at >= $2",
        )
        .bind(site_id)
        .bind(since)
        .fetch_one(self.0.pool())
        .await?)
    }

    /// Each unit's mean inspection score (tenths) over its inspections finished in `year`.
    pub async fn year_scores(&self, year: i64) -> Result<Vec<(i64, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT unit_id, COUNT(*), CAST(SUM(score) AS BIGINT) FROM inspections WHERE state = 'done' AND day >= $1 AND day <= $2 GROUP BY unit_id",
        )
        .bind(format!("{year}-01-01"))
        .bind(format!("{year}-12-31"))
        .fetch_all(self.0.pool())
        .await?)
    }
}

async fn request_in(tx: &mut crate::write::Write<'_>, site_id: i64, by: &str) -> Result<i64> {
    let now = now_text();
    let site: Option<(i64, String, String)> =
        sqlx::query_as("SELECT unit_id, url, name FROM inspection_sites WHERE id = $1")
            .bind(site_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((unit_id, url, name)) = site else {
        return Err(StoreError::NotFound(format!("检查网站 {site_id}")));
    };
    let busy: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM inspections WHERE site_id = $1 AND state IN ('queued', 'running') LIMIT 1",
    )
    .bind(site_id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some((other,)) = busy {
        return Err(StoreError::Conflict(format!(
            "该网站已有一次检查在进行中（第{other}次），请等它完成"
        )));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO inspections (site_id, unit_id, url, state, requested_by, requested_at) VALUES ($1, $2, $3, 'queued', $4, $5) RETURNING id",
    )
    .bind(site_id)
    .bind(unit_id)
    .bind(&url)
    .bind(by)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO jobs (kind, job_key, webhook_id, event, payload, state, attempts, run_after, last_error, created_at, updated_at) \
         VALUES ('inspection', $1, NULL, 'inspection', $2, 'queued', 0, $3, '', $3, $3)",
    )
    .bind(format!("inspection:{id}"))
    .bind(serde_json::json!({ "inspection_id": id }).to_string())
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    tx.record(
        AuditAction::InspectionRequest,
        Record {
            unit_id: Some(unit_id),
            entity_id: id.to_string(),
            after: url.clone(),
            detail: format!("安排网站检查：{name}（{url}）"),
            ..Record::default()
        },
    )
    .await?;
    Ok(id)
}
