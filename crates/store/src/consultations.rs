//! Public consultation on drafts (意见征集): opening one (version 1), revising it (a new version
//! whose paragraphs carry the keys of those they continue, so comments stay attached without
//! being rewritten), comments (once per form, masked copy for the public, hidden with a reason
//! but never deleted), the adoption of comments, and the report published with the decision.
//! Reached as `store.consultations()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::consultation::{Alignment, Change};
use serde::Serialize;

/// Consultations' repository.
#[derive(Clone, Copy)]
pub struct Consultations<'a>(&'a Store);

impl Store {
    /// Consultations' repository.
    pub fn consultations(&self) -> Consultations<'_> {
        Consultations(self)
    }
}

/// A consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Consultation {
    /// Id.
    pub id: i64,
    /// The unit consulting.
    pub unit_id: i64,
    /// The draft's title.
    pub title: String,
    /// The explanation (起草说明).
    pub explanation: String,
    /// How to comment.
    pub how_to_comment: String,
    /// Contact.
    pub contact: String,
    /// First day.
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
    /// Why the period is shorter than 30 days (shown publicly), or empty.
    pub short_reason: String,
    /// The current version.
    pub version: i64,
    /// Visible comments.
    pub comments: i64,
    /// The adoption report.
    pub report: String,
    /// The final decision (text or reference).
    pub decision: String,
    /// Day the report was published.
    pub report_published_on: Option<String>,
}

const COLUMNS: &str = "id, unit_id, title, explanation, how_to_comment, contact, starts_on, ends_on, short_reason, version, comments, report, decision, report_published_on";

/// A paragraph of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Paragraph {
    /// Position in its version, from 0.
    pub position: i64,
    /// Stable key.
    pub para_key: String,
    /// Text.
    pub text: String,
    /// `same`, `modified`, `added` (against the previous version).
    pub change: String,
    /// A modified paragraph's previous text.
    pub previous_text: String,
}

/// A version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Version {
    /// Number.
    pub version: i64,
    /// Day published.
    pub published_on: String,
    /// What changed and why.
    pub note: String,
}

/// A comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Comment {
    /// Id.
    pub id: i64,
    /// The version commented on.
    pub version: i64,
    /// The paragraph's key, or none for the whole draft.
    pub para_key: Option<String>,
    /// Name as given (staff only).
    pub name: String,
    /// Contact (staff only).
    pub contact: String,
    /// Text as written (staff only).
    pub body: String,
    /// Name as shown.
    pub public_name: String,
    /// Text as shown (masked).
    pub public_body: String,
    /// Why hidden, or empty.
    pub hidden_reason: String,
    /// The adoption it is part of.
    pub adoption_id: Option<i64>,
    /// When.
    pub created_at: String,
}

const COMMENT_COLUMNS: &str = "id, version, para_key, name, contact, body, public_name, public_body, hidden_reason, adoption_id, created_at";

/// An adoption decision on a comment or a group of similar comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AdoptionRow {
    /// Id.
    pub id: i64,
    /// [`gongkai_domain::consultation::Adoption`] code.
    pub outcome: String,
    /// Why.
    pub reason: String,
}

/// A new consultation.
#[derive(Debug, Clone)]
pub struct NewConsultation<'a> {
    /// Unit.
    pub unit_id: i64,
    /// Title.
    pub title: &'a str,
    /// Explanation.
    pub explanation: &'a str,
    /// How to comment.
    pub how_to_comment: &'a str,
    /// Contact.
    pub contact: &'a str,
    /// First day.
    pub starts_on: &'a str,
    /// Last day.
    pub ends_on: &'a str,
    /// Reason for a short period.
    pub short_reason: &'a str,
    /// Paragraphs of the draft.
    pub paragraphs: &'a [String],
    /// Day published.
    pub today: &'a str,
}

/// A revision of a draft.
#[derive(Debug, Clone, Copy)]
pub struct Revision<'a> {
    /// The version it revises (the current one when read).
    pub from_version: i64,
    /// The new version's paragraphs.
    pub paragraphs: &'a [String],
    /// Their alignment with the revised version's.
    pub alignment: &'a Alignment,
    /// What changed and why.
    pub note: &'a str,
    /// Day published.
    pub today: &'a str,
}

/// A new comment.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    /// The paragraph's key, or none for the whole draft.
    pub para_key: Option<&'a str>,
    /// Name.
    pub name: &'a str,
    /// Contact.
    pub contact: &'a str,
    /// Text.
    pub body: &'a str,
    /// Name as shown.
    pub public_name: &'a str,
    /// Text as shown (masked).
    pub public_body: &'a str,
    /// The form's key (hashed).
    pub submission_key: &'a str,
    /// Address.
    pub client_addr: &'a str,
}

/// Inserts a version's paragraphs in one statement per 200 rows.
async fn insert_paragraphs(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    version: i64,
    rows: &[(String, String, &'static str, String)],
) -> Result<()> {
    for (chunk_no, chunk) in rows.chunks(200).enumerate() {
        let mut sql = String::from(
            "INSERT INTO consultation_paragraphs (consultation_id, version, position, para_key, text, change, previous_text) VALUES ",
        );
        for k in 0..chunk.len() {
            let b = k * 5;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "($1, $2, ${}, ${}, ${}, ${}, ${})",
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(version);
        for (k, (key, text, change, prev)) in chunk.iter().enumerate() {
            q = q
                .bind(i64::try_from(chunk_no * 200 + k).unwrap_or(i64::MAX))
                .bind(key)
                .bind(text)
                .bind(*change)
                .bind(prev);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Consultations<'_> {
    /// Opens a consultation: version 1 of the draft, audited.
    pub async fn open(&self, actor: &Actor, c: &NewConsultation<'_>) -> Result<Consultation> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO consultations (unit_id, title, explanation, how_to_comment, contact, starts_on, ends_on, short_reason, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(c.unit_id)
        .bind(c.title)
        .bind(c.explanation)
        .bind(c.how_to_comment)
        .bind(c.contact)
        .bind(c.starts_on)
        .bind(c.ends_on)
        .bind(c.short_reason)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO consultation_versions (consultation_id, version, published_on, note) VALUES ($1, 1, $2, '')",
        )
        .bind(id)
        .bind(c.today)
        .execute(&mut *tx)
        .await?;
        let rows: Vec<_> = c
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("1.{i}"), t.clone(), "added", String::new()))
            .collect();
        insert_paragraphs(tx.tx(), id, 1, &rows).await?;
        tx.record(
            AuditAction::ConsultationOpen,
            Record {
                unit_id: Some(c.unit_id),
                entity_id: id.to_string(),
                after: format!("{}|{}|{}", c.starts_on, c.ends_on, c.paragraphs.len()),
                detail: format!(
                    "发布征求意见稿《{}》（{} 至 {}）",
                    c.title, c.starts_on, c.ends_on
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// One consultation.
    pub async fn get(&self, id: i64) -> Result<Consultation> {
        let c: Option<Consultation> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM consultations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        c.ok_or_else(|| StoreError::NotFound(format!("征求意见 {id}")))
    }

    /// Consultations, newest first, of one unit or all, one page (keyset).
    pub async fn list(
        &self,
        unit_id: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Consultation>> {
        let before = before.unwrap_or(i64::MAX);
        Ok(match unit_id {
            Some(u) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM consultations WHERE unit_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
            )))
            .bind(u)
            .bind(before)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
            None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM consultations WHERE id < $1 ORDER BY id DESC LIMIT $2"
            )))
            .bind(before)
            .bind(limit)
            .fetch_all(self.0.pool())
            .await?,
        })
    }

    /// The versions, oldest first.
    pub async fn versions(&self, id: i64) -> Result<Vec<Version>> {
        Ok(sqlx::query_as(
            "SELECT version, published_on, note FROM consultation_versions WHERE consultation_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// A version's paragraphs, in order.
    pub async fn paragraphs(&self, id: i64, version: i64) -> Result<Vec<Paragraph>> {
        Ok(sqlx::query_as(
            "SELECT position, para_key, text, change, previous_text FROM consultation_paragraphs \
             WHERE consultation_id = $1 AND version = $2 ORDER BY position",
        )
        .bind(id)
        .bind(version)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Revises the draft: the next version, whose paragraphs keep the keys of those they
    /// continue (`alignment` of the current version's paragraphs with `paragraphs`). The
    /// comments are not touched. Guarded by the version it was read at; audited.
    pub async fn revise(&self, actor: &Actor, id: i64, r: &Revision<'_>) -> Result<Consultation> {
        let Revision {
            from_version,
            paragraphs,
            alignment,
            note,
            today,
        } = *r;
        let c = self.get(id).await?;
        let old = self.paragraphs(id, from_version).await?;
        let next = from_version + 1;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let done = sqlx::query(
            "UPDATE consultations SET version = $1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(next)
        .bind(&now)
        .bind(id)
        .bind(from_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "征求意见稿已被他人修订，请刷新后重试".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO consultation_versions (consultation_id, version, published_on, note) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(next)
        .bind(today)
        .bind(note)
        .execute(&mut *tx)
        .await?;
        let rows: Vec<_> = paragraphs
            .iter()
            .enumerate()
            .map(|(j, text)| {
                let (from, change) = alignment
                    .new
                    .get(j)
                    .copied()
                    .unwrap_or((None, Change::Added));
                let prev = from.and_then(|i| old.get(i));
                let key = prev.map_or(format!("{next}.{j}"), |p| p.para_key.clone());
                let previous_text = match change {
                    Change::Modified(_) => prev.map(|p| p.text.clone()).unwrap_or_default(),
                    _ => String::new(),
                };
                (key, text.clone(), change.code(), previous_text)
            })
            .collect();
        insert_paragraphs(tx.tx(), id, next, &rows).await?;
        tx.record(
            AuditAction::ConsultationRevise,
            Record {
                unit_id: Some(c.unit_id),
                entity_id: id.to_string(),
                before: from_version.to_string(),
                after: next.to_string(),
                detail: format!(
                    "修订征求意见稿《{}》为第{next}稿（删去{}段）：{note}",
                    c.title,
                    alignment.removed.len()
                ),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Stores a comment once per form key (a key already used returns the comment it made,
    /// `true`); counts it; audited.
    pub async fn comment(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        c: &NewComment<'_>,
    ) -> Result<(Comment, bool)> {
        if let Some(existing) = self.comment_by_key(c.submission_key).await? {
            return Ok((existing, true));
        }
        let con = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO consultation_comments (consultation_id, version, para_key, name, contact, body, public_name, public_body, submission_key, client_addr, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(id)
        .bind(version)
        .bind(c.para_key)
        .bind(c.name)
        .bind(c.contact)
        .bind(c.body)
        .bind(c.public_name)
        .bind(c.public_body)
        .bind(c.submission_key)
        .bind(c.client_addr)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await;
        let (cid,) = match inserted {
            Ok(row) => row,
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                drop(tx);
                let existing = self
                    .comment_by_key(c.submission_key)
                    .await?
                    .ok_or_else(|| StoreError::Conflict("意见正在提交，请稍后刷新".into()))?;
                return Ok((existing, true));
            }
            Err(e) => return Err(e.into()),
        };
        sqlx::query("UPDATE consultations SET comments = comments + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::ConsultationComment,
            Record {
                unit_id: Some(con.unit_id),
                entity_id: cid.to_string(),
                after: format!("{id}|{version}|{}", c.para_key.unwrap_or("")),
                detail: format!("《{}》收到意见", con.title),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok((self.comment_one(cid).await?, false))
    }

    async fn comment_by_key(&self, key: &str) -> Result<Option<Comment>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COMMENT_COLUMNS} FROM consultation_comments WHERE submission_key = $1"
        )))
        .bind(key)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// One comment and its consultation's id.
    pub async fn comment_one(&self, comment_id: i64) -> Result<Comment> {
        let c: Option<Comment> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COMMENT_COLUMNS} FROM consultation_comments WHERE id = $1"
        )))
        .bind(comment_id)
        .fetch_optional(self.0.pool())
        .await?;
        c.ok_or_else(|| StoreError::NotFound(format!("意见 {comment_id}")))
    }

    /// The consultation a comment belongs to.
    pub async fn consultation_of_comment(&self, comment_id: i64) -> Result<Consultation> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT consultation_id FROM consultation_comments WHERE id = $1")
                .bind(comment_id)
                .fetch_optional(self.0.pool())
                .await?;
        let (id,) = row.ok_or_else(|| StoreError::NotFound(format!("意见 {comment_id}")))?;
        self.get(id).await
    }

    /// Comments, oldest first, one page (keyset: ids above `after`).
    pub async fn comments(&self, id: i64, after: Option<i64>, limit: i64) -> Result<Vec<Comment>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COMMENT_COLUMNS} FROM consultation_comments WHERE consultation_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        )))
        .bind(id)
        .bind(after.unwrap_or(0))
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Visible comments per paragraph key (`None`: on the whole draft).
    pub async fn counts(&self, id: i64) -> Result<Vec<(Option<String>, i64)>> {
        Ok(sqlx::query_as(
            "SELECT para_key, COUNT(*) FROM consultation_comments WHERE consultation_id = $1 AND hidden_reason = '' GROUP BY para_key",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Visible comments without an adoption decision.
    pub async fn unadopted(&self, id: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM consultation_comments WHERE consultation_id = $1 AND hidden_reason = '' AND adoption_id IS NULL",
        )
        .bind(id)
        .fetch_one(self.0.pool())
        .await?;
        Ok(n)
    }

    /// Hides a comment with the reason (kept; uncounted); audited.
    pub async fn hide(&self, actor: &Actor, comment_id: i64, reason: &str) -> Result<()> {
        let con = self.consultation_of_comment(comment_id).await?;
        let mut tx = self.0.write(actor).await?;
        let done = sqlx::query(
            "UPDATE consultation_comments SET hidden_reason = $1 WHERE id = $2 AND hidden_reason = ''",
        )
        .bind(reason)
        .bind(comment_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("该意见已经隐藏".into()));
        }
        sqlx::query("UPDATE consultations SET comments = comments - 1 WHERE id = $1")
            .bind(con.id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::ConsultationModerate,
            Record {
                unit_id: Some(con.unit_id),
                entity_id: comment_id.to_string(),
                after: "hidden".into(),
                detail: format!("隐藏《{}》的一条意见：{reason}", con.title),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records how a comment or a group of comments was taken up: every comment must be a
    /// visible, undecided comment of this consultation, else nothing is stored. Audited.
    pub async fn adopt(
        &self,
        actor: &Actor,
        id: i64,
        outcome: &str,
        reason: &str,
        comment_ids: &[i64],
    ) -> Result<i64> {
        let con = self.get(id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (aid,): (i64,) = sqlx::query_as(
            "INSERT INTO consultation_adoptions (consultation_id, outcome, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id)
        .bind(outcome)
        .bind(reason)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        for cid in comment_ids {
            let done = sqlx::query(
                "UPDATE consultation_comments SET adoption_id = $1 WHERE id = $2 AND consultation_id = $3 AND hidden_reason = '' AND adoption_id IS NULL",
            )
            .bind(aid)
            .bind(cid)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "意见 {cid} 不属于本次征求意见、已隐藏或已作出采纳决定"
                )));
            }
        }
        tx.record(
            AuditAction::ConsultationAdopt,
            Record {
                unit_id: Some(con.unit_id),
                entity_id: aid.to_string(),
                after: format!("{outcome}|{}", comment_ids.len()),
                detail: format!(
                    "《{}》{}条意见的采纳情况：{outcome}",
                    con.title,
                    comment_ids.len()
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(aid)
    }

    /// The adoption decisions, oldest first.
    pub async fn adoptions(&self, id: i64) -> Result<Vec<AdoptionRow>> {
        Ok(sqlx::query_as(
            "SELECT id, outcome, reason FROM consultation_adoptions WHERE consultation_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Publishes the adoption report with the decision. The caller checked the period is over;
    /// here, in the same transaction, every visible comment must have its adoption decision.
    /// Audited.
    pub async fn publish_report(
        &self,
        actor: &Actor,
        id: i64,
        report: &str,
        decision: &str,
        today: &str,
    ) -> Result<Consultation> {
        let con = self.get(id).await?;
        let mut tx = self.0.write(actor).await?;
        let (open,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM consultation_comments WHERE consultation_id = $1 AND hidden_reason = '' AND adoption_id IS NULL",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(StoreError::Conflict(format!(
                "还有{open}条意见未作出采纳决定，不能发布采纳情况"
            )));
        }
        let done = sqlx::query(
            "UPDATE consultations SET report = $1, decision = $2, report_published_on = $3, updated_at = $4 WHERE id = $5 AND report_published_on IS NULL",
        )
        .bind(report)
        .bind(decision)
        .bind(today)
        .bind(now_text())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("采纳情况已经发布".into()));
        }
        tx.record(
            AuditAction::ConsultationReport,
            Record {
                unit_id: Some(con.unit_id),
                entity_id: id.to_string(),
                after: today.to_string(),
                detail: format!("发布《{}》意见采纳情况及决定", con.title),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }
}

impl Consultations<'_> {
    /// Loads comments in multi-row statements of 500 (benchmarks): `(paragraph key or none,
    /// text)` on `version`, counted; one audit entry.
    pub async fn bulk_comments(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        rows: &[(Option<String>, String)],
    ) -> Result<usize> {
        const COLS: usize = 3;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        for (n, chunk) in rows.chunks(500).enumerate() {
            let values = crate::values_rows(chunk.len(), COLS, |r| {
                format!(
                    ", {id}, {version}, '', '', '匿名', 'bulk:{id}:{}', '{now}'",
                    n * 500 + r
                )
            });
            let sql = format!(
                "INSERT INTO consultation_comments (para_key, body, public_body, consultation_id, version, name, contact, public_name, submission_key, created_at) VALUES {values}"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (key, body) in chunk {
                q = q.bind(key.clone()).bind(body.clone()).bind(body.clone());
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE consultations SET comments = comments + $1 WHERE id = $2")
            .bind(i64::try_from(rows.len()).unwrap_or(i64::MAX))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::ConsultationComment,
            Record {
                entity_id: id.to_string(),
                detail: format!("批量导入意见 {} 条", rows.len()),
                ..Record::default()
            },
        )
        .await?;
        tx.finish().await?;
        Ok(rows.len())
    }
}
