//! The openness office's oversight notices: the five-step loop's ledger (台账), each step
//! guarded by the state the caller saw and audited, the watch list of open notices for the
//! e-supervision scan, and the units' deductions for the evaluation. Reached as
//! `store.oversight()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// Notices' repository.
#[derive(Clone, Copy)]
pub struct Oversight<'a>(&'a Store);

impl Store {
    /// Notices' repository.
    pub fn oversight(&self) -> Oversight<'_> {
        Oversight(self)
    }
}

/// A notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Notice {
    /// Id.
    pub id: i64,
    /// Its number (整改通知编号).
    pub notice_no: String,
    /// The unit notified.
    pub unit_id: i64,
    /// `manual` or `inspection`.
    pub source: String,
    /// What is wrong.
    pub finding: String,
    /// Where it was seen.
    pub evidence: String,
    /// What to do.
    pub requirement: String,
    /// Day notified.
    pub issued_on: String,
    /// Deadline.
    pub due_on: String,
    /// [`gongkai_domain::oversight::State`] code.
    pub state: String,
    /// The unit's latest rectification.
    pub rectification: String,
    /// Day it was filed.
    pub rectified_on: Option<String>,
    /// The office's latest review note.
    pub review_note: String,
    /// Day accepted.
    pub closed_on: Option<String>,
}

const COLUMNS: &str = "id, notice_no, unit_id, source, finding, evidence, requirement, issued_on, due_on, state, rectification, rectified_on, review_note, closed_on";

/// A step taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NoticeEvent {
    /// Step code (`notify`, `rectify`, `accept`, `return`).
    pub step: String,
    /// What was said.
    pub note: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: String,
}

/// A new notice.
#[derive(Debug, Clone)]
pub struct NewNotice<'a> {
    /// The unit.
    pub unit_id: i64,
    /// `manual` or `inspection`.
    pub source: &'a str,
    /// Checked fields.
    pub input: &'a gongkai_domain::oversight::NoticeInput,
    /// Day notified.
    pub issued_on: &'a str,
    /// Deadline.
    pub due_on: &'a str,
    /// Watch days: (due soon, overdue).
    pub watch: (&'a str, &'a str),
}

/// An evidence file of a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NoticeFile {
    /// Id.
    pub id: i64,
    /// The notice.
    pub notice_id: i64,
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

/// A step to take.
#[derive(Debug, Clone)]
pub struct NoticeStep<'a> {
    /// The state the caller saw.
    pub from: &'a str,
    /// The state after.
    pub to: &'a str,
    /// Step code.
    pub step: &'a str,
    /// The rectification or the review note.
    pub note: &'a str,
    /// Today (Beijing).
    pub today: &'a str,
    /// Watch days when the notice goes back to the unit: (due soon, overdue).
    pub watch: Option<(&'a str, &'a str)>,
}

/// Filters of the ledger.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    /// One unit.
    pub unit_id: Option<i64>,
    /// One state.
    pub state: Option<String>,
    /// Issued in this year.
    pub year: Option<i64>,
    /// Page: ids below this.
    pub before: Option<i64>,
}

impl Oversight<'_> {
    /// Notifies a unit: the notice, its first event and its watch row; audited.
    pub async fn notify(&self, actor: &Actor, n: &NewNotice<'_>) -> Result<Notice> {
        let mut tx = self.0.write(actor).await?;
        let id = notify_in(&mut tx, actor, n).await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Notifies the unit of an inspection's finding (source `inspection`) and links the
    /// finding to the notice, in one transaction; refused when the finding already has one.
    pub async fn notify_finding(
        &self,
        actor: &Actor,
        n: &NewNotice<'_>,
        inspection_id: i64,
        position: i64,
    ) -> Result<Notice> {
        let mut tx = self.0.write(actor).await?;
        let id = notify_in(&mut tx, actor, n).await?;
        let linked = sqlx::query(
            "UPDATE inspection_findings SET notice_id = $1 WHERE inspection_id = $2 AND position = $3 AND notice_id IS NULL",
        )
        .bind(id)
        .bind(inspection_id)
        .bind(position)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if linked == 0 {
            return Err(StoreError::Conflict(
                "该问题已下发整改通知（或不存在）".into(),
            ));
        }
        tx.commit().await?;
        self.get(id).await
    }

    /// Files an evidence file with a notice not yet accepted; audited. Refused once accepted.
    pub async fn add_file(
        &self,
        actor: &Actor,
        notice_id: i64,
        filename: &str,
        content_type: &str,
        size: i64,
        sha256: &str,
    ) -> Result<i64> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO oversight_notice_files (notice_id, filename, content_type, size, sha256, created_by, created_at) \
             SELECT id, $2, $3, $4, $5, $6, $7 FROM oversight_notices WHERE id = $1 AND state <> 'accepted' RETURNING id",
        )
        .bind(notice_id)
        .bind(filename)
        .bind(content_type)
        .bind(size)
        .bind(sha256)
        .bind(&actor.name)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id,)) = row else {
            let n = self.get(notice_id).await?;
            return Err(StoreError::Conflict(format!(
                "整改通知 {} 已整改通过，不能再上传整改材料",
                n.notice_no
            )));
        };
        let unit: (i64,) = sqlx::query_as("SELECT unit_id FROM oversight_notices WHERE id = $1")
            .bind(notice_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.record(
            AuditAction::NoticeFile,
            Record {
                unit_id: Some(unit.0),
                entity_id: notice_id.to_string(),
                after: format!("{filename}|{sha256}"),
                detail: format!("上传整改材料：{filename}（{size} 字节）"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A notice's evidence files, oldest first.
    pub async fn files(&self, notice_id: i64) -> Result<Vec<NoticeFile>> {
        Ok(sqlx::query_as(
            "SELECT id, notice_id, filename, content_type, size, sha256, created_by, created_at \
             FROM oversight_notice_files WHERE notice_id = $1 ORDER BY id LIMIT 200",
        )
        .bind(notice_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One evidence file.
    pub async fn file(&self, id: i64) -> Result<NoticeFile> {
        let f: Option<NoticeFile> = sqlx::query_as(
            "SELECT id, notice_id, filename, content_type, size, sha256, created_by, created_at \
             FROM oversight_notice_files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        f.ok_or_else(|| StoreError::NotFound(format!("整改材料 {id}")))
    }

    /// One notice.
    pub async fn get(&self, id: i64) -> Result<Notice> {
        let n: Option<Notice> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM oversight_notices WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        n.ok_or_else(|| StoreError::NotFound(format!("整改通知 {id}")))
    }

    /// A notice's steps, oldest first.
    pub async fn events(&self, id: i64) -> Result<Vec<NoticeEvent>> {
        Ok(sqlx::query_as(
            "SELECT step, note, actor, at FROM oversight_notice_events WHERE notice_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Takes a step guarded by the state the caller saw: the rectification (filed day kept),
    /// the acceptance (closed, off the watch list, alerts resolved) or the return (back on
    /// the watch list); audited.
    pub async fn take_step(&self, actor: &Actor, id: i64, s: &NoticeStep<'_>) -> Result<Notice> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "UPDATE oversight_notices SET state = $1, updated_at = $2, \
             rectification = CASE WHEN $3 = 'rectify' THEN $4 ELSE rectification END, \
             rectified_on = CASE WHEN $3 = 'rectify' THEN $5 ELSE rectified_on END, \
             review_note = CASE WHEN $3 = 'rectify' THEN review_note ELSE $4 END, \
             closed_on = CASE WHEN $3 = 'accept' THEN $5 ELSE closed_on END \
             WHERE id = $6 AND state = $7 RETURNING unit_id, notice_no, due_on",
        )
        .bind(s.to)
        .bind(&now)
        .bind(s.step)
        .bind(s.note)
        .bind(s.today)
        .bind(id)
        .bind(s.from)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((unit_id, notice_no, due_on)) = row else {
            self.get(id).await?;
            return Err(StoreError::Conflict(
                "该通知的状态已变化（可能已被他人处理），请刷新后重试".into(),
            ));
        };
        event(&mut tx, id, s.step, s.note, &actor.name, &now).await?;
        match s.step {
            "rectify" | "accept" => {
                sqlx::query("DELETE FROM notice_watch WHERE notice_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE supervision_alerts SET resolved_at = $1 WHERE notice_id = $2 AND resolved_at IS NULL",
                )
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            _ => {
                if let Some(w) = s.watch {
                    watch(&mut tx, id, unit_id, &notice_no, &due_on, w).await?;
                }
            }
        }
        tx.record(
            AuditAction::NoticeStep,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                before: s.from.to_string(),
                after: s.to.to_string(),
                detail: format!("整改通知 {notice_no}：{}（{}）", s.step, s.note),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// The ledger (台账), newest first, 50 a page by keyset (`before`).
    pub async fn ledger(&self, f: &LedgerFilter, limit: i64) -> Result<Vec<Notice>> {
        let (from, to) = match f.year {
            Some(y) => (format!("{y}-01-01"), format!("{y}-12-31")),
            None => ("0000".into(), "9999".into()),
        };
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM oversight_notices WHERE ($1 IS NULL OR unit_id = $1) \
             AND ($2 IS NULL OR state = $2) AND issued_on >= $3 AND issued_on <= $4 \
             AND ($5 IS NULL OR id < $5) ORDER BY id DESC LIMIT $6"
        )))
        .bind(f.unit_id)
        .bind(f.state.as_deref())
        .bind(from)
        .bind(to)
        .bind(f.before)
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Every notice issued in a year, for the units' evaluation: (unit, state, due, filed).
    pub async fn year_outcomes(
        &self,
        year: i64,
    ) -> Result<Vec<(i64, String, String, Option<String>)>> {
        Ok(sqlx::query_as(
            "SELECT unit_id, state, due_on, rectified_on FROM oversight_notices \
             WHERE issued_on >= $1 AND issued_on <= $2 ORDER BY unit_id, id",
        )
        .bind(format!("{year}-01-01"))
        .bind(format!("{year}-12-31"))
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Raises the e-supervision alerts of `today` for notices near or past their deadline
    /// (see [`scan_watch`](crate::power::supervision::scan_watch)). Returns (yellow, red).
    pub async fn scan_alerts(&self, actor: &Actor, today: &str) -> Result<(u64, u64)> {
        crate::power::supervision::scan_watch(self.0, actor, today, &WATCH).await
    }
}

/// Inserts a notice with its first event, watch row and audit entry.
async fn notify_in(
    tx: &mut crate::write::Write<'_>,
    actor: &Actor,
    n: &NewNotice<'_>,
) -> Result<i64> {
    let now = now_text();
    let year = n.issued_on.get(..4).unwrap_or("0000");
    let (seq,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) + 1 FROM oversight_notices WHERE issued_on >= $1 AND issued_on <= $2",
    )
    .bind(format!("{year}-01-01"))
    .bind(format!("{year}-12-31"))
    .fetch_one(&mut **tx)
    .await?;
    let notice_no = format!("GKZG-{year}-{seq:04}");
    let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO oversight_notices (notice_no, unit_id, source, finding, evidence, requirement, issued_on, due_on, state, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'notified', $9, $10, $10) RETURNING id",
        )
        .bind(&notice_no)
        .bind(n.unit_id)
        .bind(n.source)
        .bind(&n.input.finding)
        .bind(&n.input.evidence)
        .bind(&n.input.requirement)
        .bind(n.issued_on)
        .bind(n.due_on)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut **tx)
        .await
        .map_err(crate::conflict("该编号的整改通知"))?;
    event(tx, id, "notify", &n.input.requirement, &actor.name, &now).await?;
    watch(tx, id, n.unit_id, &notice_no, n.due_on, n.watch).await?;
    tx.record(
        AuditAction::NoticeIssue,
        Record {
            unit_id: Some(n.unit_id),
            entity_id: id.to_string(),
            after: format!("{notice_no}|{}|{}", n.due_on, n.input.finding),
            detail: format!(
                "下发整改通知 {notice_no}（{}前整改）：{}",
                n.due_on, n.input.finding
            ),
            ..Record::default()
        },
    )
    .await?;
    Ok(id)
}

async fn event(
    tx: &mut crate::write::Write<'_>,
    id: i64,
    step: &str,
    note: &str,
    actor: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO oversight_notice_events (notice_id, step, note, actor, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(step)
    .bind(note)
    .bind(actor)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn watch(
    tx: &mut crate::write::Write<'_>,
    id: i64,
    unit_id: i64,
    notice_no: &str,
    due_on: &str,
    (soon, red): (&str, &str),
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notice_watch (notice_id, unit_id, notice_no, due_on, watch_on, red_on) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (notice_id) DO UPDATE SET watch_on = excluded.watch_on, red_on = excluded.red_on",
    )
    .bind(id)
    .bind(unit_id)
    .bind(notice_no)
    .bind(due_on)
    .bind(soon)
    .bind(red)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The e-supervision watch list of open notices.
const WATCH: crate::power::supervision::WatchList = crate::power::supervision::WatchList {
    table: "notice_watch",
    subject: "notice_id",
    join: "",
    key: "'notice:' || w.notice_id || ':' || w.due_on",
    unit: "w.unit_id",
    kind: "'notice_due'",
    detail: "'整改通知 ' || w.notice_no || CASE WHEN w.red_on <= $1 THEN ' 已超过整改期限' ELSE ' 整改即将到期' END || '（期限 ' || w.due_on || '）'",
    last: "red_on <= $1",
    next: "red_on",
    audit: |red, yellow| format!("电子监察扫描（整改通知）：新增超期{red}件、即将到期{yellow}件"),
};
