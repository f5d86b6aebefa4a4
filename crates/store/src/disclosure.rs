//! Proactive disclosure storage: the catalog, information items and their revisions, scan
//! findings, attachments (metadata; the bytes live content-addressed on disk), the search outbox
//! and the sensitive-word list.

use crate::audit::{Record, corrupt};
use crate::webhooks::enqueue_item_event;
use crate::write::Write;
use crate::{Actor, Result, Store, StoreError, conflict, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::disclosure::{
    RevisionState, STANDARD_CATALOG, Validity, index_number, normalize_doc_no,
};
use gongkai_domain::scan::Finding;
use gongkai_domain::webhook::Event;
use serde::Serialize;

/// Proactive disclosure's repository: catalog categories, information items and their
/// revisions, scan findings, attachments, the search outbox and the sensitive-word list.
/// Reached as `store.disclosure()`.
#[derive(Clone, Copy)]
pub struct Disclosure<'a>(&'a Store);

impl Store {
    /// Proactive disclosure's repository.
    pub fn disclosure(&self) -> Disclosure<'_> {
        Disclosure(self)
    }
}

/// A catalog category (standard when `unit_id` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Category {
    /// Id.
    pub id: i64,
    /// The unit that added it; `None` for the district standard.
    pub unit_id: Option<i64>,
    /// Parent category.
    pub parent_id: Option<i64>,
    /// Short code used in index numbers.
    pub code: String,
    /// Name.
    pub name: String,
    /// Order among siblings.
    pub position: i64,
}

/// An information item's identity and publication record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// Publishing unit.
    pub unit_id: i64,
    /// Category.
    pub category_id: i64,
    /// 索引号.
    pub index_no: String,
    /// The revision the public sees.
    pub published_revision: Option<i64>,
    /// When it first went public.
    pub first_published_at: Option<String>,
    /// When the current public revision went public (发布日期).
    pub published_at: Option<String>,
    /// Working days past the 20-day limit at first publication.
    pub days_late: i64,
    /// Withdrawn (kept, no longer shown as current).
    pub withdrawn_at: Option<String>,
    /// Why it was withdrawn.
    pub withdrawn_reason: Option<String>,
    /// The policy this item interprets (政策解读 → 政策).
    pub interpretation_of: Option<i64>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

/// One revision of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// Item.
    pub item_id: i64,
    /// Revision number, from 1.
    pub revision: i64,
    /// Workflow state.
    pub state: RevisionState,
    /// 标题.
    pub title: String,
    /// 文号.
    pub doc_no: String,
    /// 成文日期 (YYYY-MM-DD).
    pub formed_on: String,
    /// 有效性.
    pub validity: Validity,
    /// 主题分类.
    pub topic: String,
    /// 摘要.
    pub summary: String,
    /// 正文.
    pub body: String,
    /// Scheduled publication time.
    pub scheduled_at: Option<String>,
    /// Last workflow note (rejection reason, etc.).
    pub note: String,
    /// Author.
    pub created_by: String,
    /// Created.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    item_id: i64,
    revision: i64,
    state: String,
    title: String,
    doc_no: String,
    formed_on: String,
    validity: String,
    topic: String,
    summary: String,
    body: String,
    scheduled_at: Option<String>,
    note: String,
    created_by: String,
    created_at: String,
    updated_at: String,
}

impl TryFrom<RevisionRow> for Revision {
    type Error = StoreError;
    fn try_from(r: RevisionRow) -> Result<Revision> {
        Ok(Revision {
            item_id: r.item_id,
            revision: r.revision,
            state: RevisionState::from_code(&r.state).ok_or_else(|| corrupt("revision state"))?,
            title: r.title,
            doc_no: r.doc_no,
            formed_on: r.formed_on,
            validity: Validity::from_code(&r.validity).ok_or_else(|| corrupt("validity"))?,
            topic: r.topic,
            summary: r.summary,
            body: r.body,
            scheduled_at: r.scheduled_at,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

macro_rules! rev_columns {
    () => {
        "item_id, revision, state, title, doc_no, formed_on, validity, topic, summary, body, scheduled_at, note, created_by, created_at, updated_at"
    };
}
macro_rules! item_columns {
    () => {
        "id, unit_id, category_id, index_no, published_revision, first_published_at, published_at, days_late, withdrawn_at, withdrawn_reason, interpretation_of, created_by, created_at"
    };
}

/// The editable content of a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionContent {
    /// 标题.
    pub title: String,
    /// 文号.
    pub doc_no: String,
    /// 成文日期 (YYYY-MM-DD).
    pub formed_on: String,
    /// 有效性.
    pub validity: Validity,
    /// 主题分类.
    pub topic: String,
    /// 摘要.
    pub summary: String,
    /// 正文.
    pub body: String,
}

impl RevisionContent {
    fn canonical(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            self.title,
            self.doc_no,
            self.formed_on,
            self.validity.code(),
            self.topic,
            self.summary,
            self.body
        )
    }
}

/// A stored scan finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StoredFinding {
    /// Id.
    pub id: i64,
    /// Item.
    pub item_id: i64,
    /// Revision.
    pub revision: i64,
    /// `body` or `attachment:NAME`.
    pub source: String,
    /// Kind code (`id_number`, ...).
    pub kind: String,
    /// Byte offset in the source text.
    pub start_offset: i64,
    /// End byte offset.
    pub end_offset: i64,
    /// Line.
    pub line: i64,
    /// Column.
    pub col: i64,
    /// Masked preview.
    pub masked: String,
    /// `open`, `masked` or `overridden`.
    pub status: String,
    /// The reviewer's written reason for an override.
    pub reason: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
}

/// A stored attachment's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// Item.
    pub item_id: i64,
    /// Revision it belongs to.
    pub revision: i64,
    /// Original file name.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the content (its storage key).
    pub sha256: String,
    /// Why its text could not be read (`None`: it was read and scanned).
    pub unreadable: Option<String>,
}

/// A workflow transition of one revision.
#[derive(Debug, Clone, Copy)]
pub struct Transition<'a> {
    /// Item.
    pub item_id: i64,
    /// Revision.
    pub revision: i64,
    /// The state it must still be in.
    pub from: RevisionState,
    /// The new state.
    pub to: RevisionState,
    /// Note (rejection reason, reviewer's remark).
    pub note: &'a str,
    /// Scheduled publication time (RFC 3339 UTC), for `Scheduled`.
    pub scheduled_at: Option<&'a str>,
    /// On submit: the scan findings, each with its source (`body`, `title`, `附件：NAME`).
    pub findings: Option<&'a [(String, Finding)]>,
}

/// What the back office's item list is filtered by (every field optional: empty passes all).
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// A working-revision state code, or `returned` (drafts sent back), `new_draft` (drafts not
    /// sent back), `unpublished` (never public, not withdrawn), `withdrawn`.
    pub status: String,
    /// The category.
    pub category_id: Option<i64>,
    /// 成文日期 from (YYYY-MM-DD, inclusive).
    pub formed_from: String,
    /// 成文日期 to (inclusive).
    pub formed_to: String,
    /// `late` or `on_time` (published late, or unpublished and past its limit), or empty.
    pub lateness: String,
    /// For `lateness`: an unpublished item formed before this date is past its limit today
    /// (see `gongkai_domain::disclosure::late_if_formed_before`).
    pub late_if_formed_before: String,
    /// Words in the title or 文号.
    pub text: String,
    /// Oldest 成文日期 first (the deadline list) instead of newest item first.
    pub oldest_formed_first: bool,
}

/// One publication of a bulk approval (see [`Disclosure::publish_all`]).
#[derive(Debug, Clone, Copy)]
pub struct Publication<'a> {
    /// Item.
    pub item_id: i64,
    /// The revision to publish.
    pub revision: i64,
    /// The state it must still be in.
    pub from: RevisionState,
    /// Working days past the limit.
    pub days_late: i64,
    /// The approver's note.
    pub note: &'a str,
}

/// A new attachment's metadata and extracted text.
#[derive(Debug, Clone, Copy)]
pub struct NewAttachment<'a> {
    /// Original file name.
    pub filename: &'a str,
    /// MIME type.
    pub content_type: &'a str,
    /// Bytes.
    pub size: i64,
    /// SHA-256 (storage key).
    pub sha256: &'a str,
    /// Extracted text (scanned and searchable).
    pub text: &'a str,
    /// Why the text could not be read, if it could not.
    pub unreadable: Option<&'a str>,
    /// The attachment of the same draft it replaces (removed in the same transaction).
    pub replaces: Option<i64>,
}

/// An item as listed: identity, the revision shown, unit and category names.
#[derive(Debug, Clone, Serialize)]
pub struct ItemSummary {
    /// Item.
    pub item: Item,
    /// The revision shown (published, or the working one in the back office).
    pub revision: Revision,
    /// Unit name.
    pub unit_name: String,
    /// Category name.
    pub category_name: String,
}

fn today_year(formed_on: &str) -> i64 {
    formed_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

impl Disclosure<'_> {
    /// Creates the standard catalog categories that are missing (idempotent).
    pub async fn ensure_standard_catalog(&self, actor: &Actor) -> Result<usize> {
        let existing = self.list_categories(None).await?;
        let mut created = 0;
        for (pos, (code, name, parent)) in STANDARD_CATALOG.iter().enumerate() {
            if existing
                .iter()
                .any(|c| c.unit_id.is_none() && c.code == *code)
            {
                continue;
            }
            let all = self.list_categories(None).await?;
            let parent_id = parent.and_then(|p| {
                all.iter()
                    .find(|c| c.unit_id.is_none() && c.code == p)
                    .map(|c| c.id)
            });
            self.create_category(actor, None, parent_id, code, name, pos as i64)
                .await?;
            created += 1;
        }
        Ok(created)
    }

    /// The standard categories plus, when `unit_id` is given, that unit's own.
    pub async fn list_categories(&self, unit_id: Option<i64>) -> Result<Vec<Category>> {
        Ok(sqlx::query_as(
            "SELECT id, unit_id, parent_id, code, name, position FROM catalog_categories \
             WHERE unit_id IS NULL OR unit_id = $1 ORDER BY position, id",
        )
        .bind(unit_id.unwrap_or(-1))
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One category.
    pub async fn get_category(&self, id: i64) -> Result<Category> {
        let c: Option<Category> = sqlx::query_as("SELECT id, unit_id, parent_id, code, name, position FROM catalog_categories WHERE id = $1")
            .bind(id)
            .fetch_optional(self.0.pool())
            .await?;
        c.ok_or_else(|| StoreError::NotFound(format!("栏目 {id}")))
    }

    /// Adds a category (standard when `unit_id` is `None`).
    pub async fn create_category(
        &self,
        actor: &Actor,
        unit_id: Option<i64>,
        parent_id: Option<i64>,
        code: &str,
        name: &str,
        position: i64,
    ) -> Result<Category> {
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO catalog_categories (unit_id, parent_id, code, name, position, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(unit_id)
        .bind(parent_id)
        .bind(code)
        .bind(name)
        .bind(position)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict(&format!("栏目代码 {code}")))?;
        tx.record(
            AuditAction::CatalogCreate,
            Record {
                unit_id,
                entity_id: id.to_string(),
                after: format!("{id}|{unit_id:?}|{parent_id:?}|{code}|{name}"),
                detail: format!("新建栏目“{name}”（{code}）"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Category {
            id,
            unit_id,
            parent_id,
            code: code.into(),
            name: name.into(),
            position,
        })
    }

    /// Creates an item with its first (draft) revision and a new index number.
    pub async fn create_item(
        &self,
        actor: &Actor,
        unit_id: i64,
        category_id: i64,
        content: &RevisionContent,
        interpretation_of: Option<i64>,
    ) -> Result<Item> {
        let unit = self.0.get_unit(unit_id).await?;
        let category = self.get_category(category_id).await?;
        let year = today_year(&content.formed_on);
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        sqlx::query(
            "INSERT INTO index_serials (unit_id, category_code, year, last) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (unit_id, category_code, year) DO UPDATE SET last = index_serials.last + 1",
        )
        .bind(unit_id)
        .bind(&category.code)
        .bind(year)
        .execute(&mut *tx)
        .await?;
        let (serial,): (i64,) = sqlx::query_as("SELECT last FROM index_serials WHERE unit_id = $1 AND category_code = $2 AND year = $3")
            .bind(unit_id)
            .bind(&category.code)
            .bind(year)
            .fetch_one(&mut *tx)
            .await?;
        let index_no = index_number(&unit.code, &category.code, year as i32, serial);
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO items (unit_id, category_id, index_no, interpretation_of, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(unit_id)
        .bind(category_id)
        .bind(&index_no)
        .bind(interpretation_of)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict(&format!("索引号 {index_no}")))?;
        insert_revision(
            tx.tx(),
            id,
            1,
            RevisionState::Draft,
            content,
            &actor.name,
            &now,
        )
        .await?;
        tx.record(
            AuditAction::ItemCreate,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                after: content.canonical(),
                detail: format!("新建信息“{}”（{index_no}）", content.title),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        self.get_item(id).await
    }

    /// One item.
    pub async fn get_item(&self, id: i64) -> Result<Item> {
        let item: Option<Item> = sqlx::query_as(concat!(
            "SELECT ",
            item_columns!(),
            " FROM items WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        item.ok_or_else(|| StoreError::NotFound(format!("信息 {id}")))
    }

    /// One item by index number.
    pub async fn find_item_by_index_no(&self, index_no: &str) -> Result<Option<Item>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            item_columns!(),
            " FROM items WHERE index_no = $1"
        ))
        .bind(index_no)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// One revision.
    pub async fn get_revision(&self, item_id: i64, revision: i64) -> Result<Revision> {
        let r: Option<RevisionRow> = sqlx::query_as(concat!(
            "SELECT ",
            rev_columns!(),
            " FROM item_revisions WHERE item_id = $1 AND revision = $2"
        ))
        .bind(item_id)
        .bind(revision)
        .fetch_optional(self.0.pool())
        .await?;
        r.ok_or_else(|| StoreError::NotFound(format!("信息 {item_id} 版本 {revision}")))?
            .try_into()
    }

    /// The newest revision (the one being worked on, or the published one if none is).
    pub async fn working_revision(&self, item_id: i64) -> Result<Revision> {
        let r: Option<RevisionRow> = sqlx::query_as(concat!(
            "SELECT ",
            rev_columns!(),
            " FROM item_revisions WHERE item_id = $1 ORDER BY revision DESC LIMIT 1"
        ))
        .bind(item_id)
        .fetch_optional(self.0.pool())
        .await?;
        r.ok_or_else(|| StoreError::NotFound(format!("信息 {item_id}")))?
            .try_into()
    }

    /// Every revision of an item, newest first.
    pub async fn revisions(&self, item_id: i64) -> Result<Vec<Revision>> {
        let rows: Vec<RevisionRow> = sqlx::query_as(concat!(
            "SELECT ",
            rev_columns!(),
            " FROM item_revisions WHERE item_id = $1 ORDER BY revision DESC"
        ))
        .bind(item_id)
        .fetch_all(self.0.pool())
        .await?;
        rows.into_iter().map(Revision::try_from).collect()
    }

    /// Changes the content of a draft revision (refused unless it is a draft).
    pub async fn update_draft(
        &self,
        actor: &Actor,
        item_id: i64,
        revision: i64,
        content: &RevisionContent,
    ) -> Result<()> {
        let item = self.get_item(item_id).await?;
        let before = self.get_revision(item_id, revision).await?;
        let mut tx = self.0.write(actor).await?;
        let r = sqlx::query(
            "UPDATE item_revisions SET title = $1, doc_no = $2, doc_no_norm = $3, formed_on = $4, validity = $5, topic = $6, summary = $7, body = $8, updated_at = $9 \
             WHERE item_id = $10 AND revision = $11 AND state = 'draft'",
        )
        .bind(&content.title)
        .bind(&content.doc_no)
        .bind(normalize_doc_no(&content.doc_no))
        .bind(&content.formed_on)
        .bind(content.validity.code())
        .bind(&content.topic)
        .bind(&content.summary)
        .bind(&content.body)
        .bind(now_text())
        .bind(item_id)
        .bind(revision)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("只有草稿可以修改".into()));
        }
        tx.record(
            AuditAction::ItemEdit,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: format!("{item_id}/{revision}"),
                before: format!("{}|{}|{}", before.title, before.doc_no, before.body),
                after: content.canonical(),
                detail: format!("修改草稿“{}”", content.title),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a revision from one state to another (only if it is still in `from`), with a note.
    /// On submit, `findings` replaces the revision's scan findings in the same transaction.
    pub async fn transition(&self, actor: &Actor, t: &Transition<'_>) -> Result<()> {
        self.transition_all(actor, std::slice::from_ref(t)).await
    }

    /// Several transitions in one transaction (a bulk action): all of them, or none.
    pub async fn transition_all(&self, actor: &Actor, all: &[Transition<'_>]) -> Result<()> {
        let mut items = Vec::with_capacity(all.len());
        for t in all {
            items.push(self.get_item(t.item_id).await?);
        }
        let mut tx = self.0.write(actor).await?;
        for (t, item) in all.iter().zip(&items) {
            let Transition {
                item_id,
                revision,
                from,
                to,
                note,
                scheduled_at,
                findings,
            } = *t;
            let r = sqlx::query("UPDATE item_revisions SET state = $1, note = $2, scheduled_at = $3, updated_at = $4 WHERE item_id = $5 AND revision = $6 AND state = $7")
                .bind(to.code())
                .bind(note)
                .bind(scheduled_at)
                .bind(now_text())
                .bind(item_id)
                .bind(revision)
                .bind(from.code())
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "“{}”（{}）的状态已被他人改变，请刷新后重试",
                    item.index_no, item_id
                )));
            }
            if let Some(findings) = findings {
                sqlx::query("DELETE FROM scan_findings WHERE item_id = $1 AND revision = $2 AND status = 'open'")
                    .bind(item_id)
                    .bind(revision)
                    .execute(&mut *tx)
                    .await?;
                insert_findings(tx.tx(), item_id, revision, findings).await?;
            }
            require_clean_scan(&mut tx, item_id, revision, to).await?;
            tx.record(
                AuditAction::ItemTransition,
                Record {
                    unit_id: Some(item.unit_id),
                    entity_id: format!("{item_id}/{revision}"),
                    before: from.code().to_string(),
                    after: to.code().to_string(),
                    detail: format!(
                        "{} → {}{}{}",
                        from.label(),
                        to.label(),
                        if note.is_empty() { "" } else { "：" },
                        note
                    ),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Publishes a reviewed or scheduled revision: the previous public revision becomes history,
    /// the item's publication dates are set, and the search outbox is told.
    pub async fn publish(
        &self,
        actor: &Actor,
        item_id: i64,
        revision: i64,
        from: RevisionState,
        days_late: i64,
        note: &str,
    ) -> Result<()> {
        let p = Publication {
            item_id,
            revision,
            from,
            days_late,
            note,
        };
        self.publish_all(actor, &[p]).await
    }

    /// Several publications in one transaction (a bulk approval): all of them, or none.
    pub async fn publish_all(&self, actor: &Actor, all: &[Publication<'_>]) -> Result<()> {
        let mut items = Vec::with_capacity(all.len());
        for p in all {
            items.push(self.get_item(p.item_id).await?);
        }
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        for (p, item) in all.iter().zip(&items) {
            let Publication {
                item_id,
                revision,
                from,
                days_late,
                note,
            } = *p;
            let r = sqlx::query("UPDATE item_revisions SET state = 'published', updated_at = $1 WHERE item_id = $2 AND revision = $3 AND state = $4")
                .bind(&now)
                .bind(item_id)
                .bind(revision)
                .bind(from.code())
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "“{}”的状态已被他人改变，请刷新后重试",
                    item.index_no
                )));
            }
            require_clean_scan(&mut tx, item_id, revision, RevisionState::Published).await?;
            sqlx::query("UPDATE item_revisions SET state = 'superseded' WHERE item_id = $1 AND revision <> $2 AND state = 'published'")
                .bind(item_id)
                .bind(revision)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE items SET published_revision = $1, published_at = $2, first_published_at = COALESCE(first_published_at, $2), \
                 days_late = CASE WHEN first_published_at IS NULL THEN $3 ELSE days_late END, withdrawn_at = NULL, withdrawn_reason = NULL, updated_at = $2 WHERE id = $4",
            )
            .bind(revision)
            .bind(&now)
            .bind(days_late)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
            enqueue_index(tx.tx(), self.0.backend(), item_id, &now).await?;
            let event = if item.first_published_at.is_none() {
                Event::ItemPublished
            } else {
                Event::ItemRevised
            };
            enqueue_item_event(tx.tx(), event, item_id, revision, &now).await?;
            tx.record(
                AuditAction::ItemPublish,
                Record {
                    unit_id: Some(item.unit_id),
                    entity_id: item_id.to_string(),
                    before: item
                        .published_revision
                        .map(|r| r.to_string())
                        .unwrap_or_default(),
                    after: revision.to_string(),
                    detail: format!(
                        "发布 {} 第{revision}版{}{}{}",
                        item.index_no,
                        if days_late > 0 {
                            format!("（超期{days_late}个工作日）")
                        } else {
                            String::new()
                        },
                        if note.is_empty() { "" } else { "：" },
                        note
                    ),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Starts a new draft revision from the published one (revisions keep history).
    pub async fn new_revision(&self, actor: &Actor, item_id: i64) -> Result<i64> {
        let item = self.get_item(item_id).await?;
        let working = self.working_revision(item_id).await?;
        if working.state != RevisionState::Published {
            return Err(StoreError::Conflict("已有未发布的修订稿".into()));
        }
        let next = working.revision + 1;
        let now = now_text();
        let content = RevisionContent {
            title: working.title.clone(),
            doc_no: working.doc_no.clone(),
            formed_on: working.formed_on.clone(),
            validity: working.validity,
            topic: working.topic.clone(),
            summary: working.summary.clone(),
            body: working.body.clone(),
        };
        let mut tx = self.0.write(actor).await?;
        insert_revision(
            tx.tx(),
            item_id,
            next,
            RevisionState::Draft,
            &content,
            &actor.name,
            &now,
        )
        .await?;
        tx.record(
            AuditAction::ItemRevise,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: format!("{item_id}/{next}"),
                after: content.canonical(),
                detail: format!("新建修订稿 第{next}版"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Withdraws a published item: it stays on record with its reason and history.
    pub async fn withdraw(&self, actor: &Actor, item_id: i64, reason: &str) -> Result<()> {
        let item = self.get_item(item_id).await?;
        if item.published_revision.is_none() || item.withdrawn_at.is_some() {
            return Err(StoreError::Conflict("只有已发布的信息可以撤回".into()));
        }
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        // Guarded: a withdrawal racing another one (or a withdrawal of an item that was never
        // published) changes nothing and is refused, inside the transaction.
        let r = sqlx::query(
            "UPDATE items SET withdrawn_at = $1, withdrawn_reason = $2, updated_at = $1 \
             WHERE id = $3 AND withdrawn_at IS NULL AND published_revision IS NOT NULL",
        )
        .bind(&now)
        .bind(reason)
        .bind(item_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("只有已发布的信息可以撤回".into()));
        }
        enqueue_index(tx.tx(), self.0.backend(), item_id, &now).await?;
        if let Some(revision) = item.published_revision {
            enqueue_item_event(tx.tx(), Event::ItemWithdrawn, item_id, revision, &now).await?;
        }
        tx.record(
            AuditAction::ItemWithdraw,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: item_id.to_string(),
                before: "published".into(),
                after: "withdrawn".into(),
                detail: format!("撤回 {}：{reason}", item.index_no),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The scan findings of a revision.
    pub async fn findings(&self, item_id: i64, revision: i64) -> Result<Vec<StoredFinding>> {
        Ok(sqlx::query_as(
            "SELECT id, item_id, revision, source, kind, start_offset, end_offset, line, col, masked, status, reason, resolved_by \
             FROM scan_findings WHERE item_id = $1 AND revision = $2 ORDER BY source, start_offset",
        )
        .bind(item_id)
        .bind(revision)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Resolves one open finding: `masked` (the text was masked) or `overridden` with the
    /// reviewer's written reason (audited).
    pub async fn resolve_finding(
        &self,
        actor: &Actor,
        finding_id: i64,
        status: &str,
        reason: &str,
    ) -> Result<StoredFinding> {
        let f: Option<StoredFinding> = sqlx::query_as(
            "SELECT id, item_id, revision, source, kind, start_offset, end_offset, line, col, masked, status, reason, resolved_by FROM scan_findings WHERE id = $1",
        )
        .bind(finding_id)
        .fetch_optional(self.0.pool())
        .await?;
        let f = f.ok_or_else(|| StoreError::NotFound(format!("发现项 {finding_id}")))?;
        let item = self.get_item(f.item_id).await?;
        let mut tx = self.0.write(actor).await?;
        let r = sqlx::query("UPDATE scan_findings SET status = $1, reason = $2, resolved_by = $3, resolved_at = $4 WHERE id = $5 AND status = 'open'")
            .bind(status)
            .bind(reason)
            .bind(&actor.name)
            .bind(now_text())
            .bind(finding_id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("该项已处理".into()));
        }
        tx.record(
            if status == "overridden" {
                AuditAction::ScanOverride
            } else {
                AuditAction::ScanMask
            },
            Record {
                unit_id: Some(item.unit_id),
                entity_id: finding_id.to_string(),
                before: "open".into(),
                after: status.into(),
                detail: format!(
                    "{} {} {}{}",
                    if status == "overridden" {
                        "放行"
                    } else {
                        "脱敏"
                    },
                    f.kind,
                    f.masked,
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!("，理由：{reason}")
                    }
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(StoredFinding {
            status: status.into(),
            reason: Some(reason.into()),
            resolved_by: Some(actor.name.clone()),
            ..f
        })
    }

    /// Replaces the body of a revision under review with its masked form and marks the body's
    /// open findings masked, in one transaction.
    pub async fn mask_body(
        &self,
        actor: &Actor,
        item_id: i64,
        revision: i64,
        masked_body: &str,
    ) -> Result<usize> {
        let item = self.get_item(item_id).await?;
        let before = self.get_revision(item_id, revision).await?;
        let mut tx = self.0.write(actor).await?;
        sqlx::query("UPDATE item_revisions SET body = $1, updated_at = $2 WHERE item_id = $3 AND revision = $4 AND state IN ('draft', 'in_review')")
            .bind(masked_body)
            .bind(now_text())
            .bind(item_id)
            .bind(revision)
            .execute(&mut *tx)
            .await?;
        let r = sqlx::query("UPDATE scan_findings SET status = 'masked', resolved_by = $1, resolved_at = $2 WHERE item_id = $3 AND revision = $4 AND source = 'body' AND status = 'open'")
            .bind(&actor.name)
            .bind(now_text())
            .bind(item_id)
            .bind(revision)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::ScanMask,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: format!("{item_id}/{revision}"),
                before: before.body,
                after: masked_body.to_string(),
                detail: format!("正文一键脱敏：{} 处", r.rows_affected()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(r.rows_affected() as usize)
    }

    /// Number of open findings of a revision.
    pub async fn open_findings(&self, item_id: i64, revision: i64) -> Result<usize> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM scan_findings WHERE item_id = $1 AND revision = $2 AND status = 'open'")
            .bind(item_id)
            .bind(revision)
            .fetch_one(self.0.pool())
            .await?;
        Ok(n as usize)
    }

    /// Records an attachment of a revision (the bytes are stored by the caller, keyed by hash).
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        item_id: i64,
        revision: i64,
        a: &NewAttachment<'_>,
    ) -> Result<Attachment> {
        let NewAttachment {
            filename,
            content_type,
            size,
            sha256,
            text,
            unreadable,
            replaces,
        } = *a;
        let item = self.get_item(item_id).await?;
        let mut tx = self.0.write(actor).await?;
        if let Some(old) = replaces {
            detach(&mut tx, item.unit_id, old, item_id, revision).await?;
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO attachments (item_id, revision, filename, content_type, size, sha256, text, created_at, unreadable) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(item_id)
        .bind(revision)
        .bind(filename)
        .bind(content_type)
        .bind(size)
        .bind(sha256)
        .bind(text)
        .bind(now_text())
        .bind(unreadable)
        .fetch_one(&mut *tx)
        .await?;
        tx.record(
            AuditAction::ItemAttach,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: id.to_string(),
                after: format!("{filename}|{size}|{sha256}"),
                detail: format!("添加附件“{filename}”"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Attachment {
            id,
            item_id,
            revision,
            filename: filename.into(),
            content_type: content_type.into(),
            size,
            sha256: sha256.into(),
            unreadable: unreadable.map(String::from),
        })
    }

    /// Removes an attachment from a draft revision (`revision` of `item_id`, which the caller
    /// checked is a draft). Audited with its name and hash.
    pub async fn remove_attachment(
        &self,
        actor: &Actor,
        id: i64,
        item_id: i64,
        revision: i64,
    ) -> Result<()> {
        let item = self.get_item(item_id).await?;
        let mut tx = self.0.write(actor).await?;
        detach(&mut tx, item.unit_id, id, item_id, revision).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The attachments of a revision, with their extracted text.
    pub async fn attachments(
        &self,
        item_id: i64,
        revision: i64,
    ) -> Result<Vec<(Attachment, String)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            item_id: i64,
            revision: i64,
            filename: String,
            content_type: String,
            size: i64,
            sha256: String,
            text: String,
            unreadable: Option<String>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, item_id, revision, filename, content_type, size, sha256, text, unreadable FROM attachments WHERE item_id = $1 AND revision = $2 ORDER BY id",
        )
        .bind(item_id)
        .bind(revision)
        .fetch_all(self.0.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let a = Attachment {
                    id: r.id,
                    item_id: r.item_id,
                    revision: r.revision,
                    filename: r.filename,
                    content_type: r.content_type,
                    size: r.size,
                    sha256: r.sha256,
                    unreadable: r.unreadable,
                };
                (a, r.text)
            })
            .collect())
    }

    /// The item a scan finding belongs to.
    pub async fn finding_item(&self, finding_id: i64) -> Result<i64> {
        let r: Option<(i64,)> = sqlx::query_as("SELECT item_id FROM scan_findings WHERE id = $1")
            .bind(finding_id)
            .fetch_optional(self.0.pool())
            .await?;
        r.map(|r| r.0)
            .ok_or_else(|| StoreError::NotFound(format!("发现项 {finding_id}")))
    }

    /// One attachment by id.
    pub async fn get_attachment(&self, id: i64) -> Result<Attachment> {
        let a: Option<Attachment> = sqlx::query_as("SELECT id, item_id, revision, filename, content_type, size, sha256, unreadable FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(self.0.pool())
            .await?;
        a.ok_or_else(|| StoreError::NotFound(format!("附件 {id}")))
    }

    /// The summaries of (item, revision) pairs, in the given order, read in four queries
    /// whatever their number (items, their revisions, unit and category names).
    async fn summaries(&self, rows: Vec<(i64, i64)>) -> Result<Vec<ItemSummary>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let list = crate::placeholders(ids.len());
        let bind_all = |sql: String| {
            let mut q = sqlx::query_as::<_, Item>(sqlx::AssertSqlSafe(sql));
            for id in &ids {
                q = q.bind(*id);
            }
            q
        };
        let items: std::collections::HashMap<i64, Item> = bind_all(format!(
            "SELECT {} FROM items WHERE id IN ({list})",
            item_columns!()
        ))
        .fetch_all(self.0.pool())
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
        let mut q = sqlx::query_as::<_, RevisionRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM item_revisions WHERE item_id IN ({list})",
            rev_columns!()
        )));
        for id in &ids {
            q = q.bind(*id);
        }
        let mut revisions = std::collections::HashMap::new();
        for r in q.fetch_all(self.0.pool()).await? {
            let r: Revision = r.try_into()?;
            revisions.insert((r.item_id, r.revision), r);
        }
        let mut q = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(format!(
            "SELECT i.id, u.name, c.name FROM items i JOIN units u ON u.id = i.unit_id \
             JOIN catalog_categories c ON c.id = i.category_id WHERE i.id IN ({list})"
        )));
        for id in &ids {
            q = q.bind(*id);
        }
        let names: std::collections::HashMap<i64, (String, String)> = q
            .fetch_all(self.0.pool())
            .await?
            .into_iter()
            .map(|(id, unit, category)| (id, (unit, category)))
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for (item_id, revision) in rows {
            let (Some(item), Some(revision)) = (
                items.get(&item_id).cloned(),
                revisions.remove(&(item_id, revision)),
            ) else {
                return Err(StoreError::NotFound(format!(
                    "信息 {item_id} 版本 {revision}"
                )));
            };
            let (unit_name, category_name) = names.get(&item_id).cloned().unwrap_or_default();
            out.push(ItemSummary {
                item,
                revision,
                unit_name,
                category_name,
            });
        }
        Ok(out)
    }

    /// The public summaries of the given items (their published revision), skipping any that
    /// are not published.
    pub async fn summaries_of(&self, ids: &[i64]) -> Result<Vec<ItemSummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT id, published_revision FROM items WHERE published_revision IS NOT NULL AND id IN ({})",
            crate::placeholders(ids.len())
        )));
        for id in ids {
            q = q.bind(*id);
        }
        let published: std::collections::HashMap<i64, i64> =
            q.fetch_all(self.0.pool()).await?.into_iter().collect();
        let rows = ids
            .iter()
            .filter_map(|id| published.get(id).map(|r| (*id, *r)))
            .collect();
        self.summaries(rows).await
    }

    /// Public items, newest first, of the whole site, one unit, or one category and every
    /// category below it; with their total.
    pub async fn list_published(
        &self,
        unit_id: Option<i64>,
        category_id: Option<i64>,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<ItemSummary>)> {
        let total = self.count_published(unit_id, category_id).await?;
        let page = self
            .page_published(unit_id, category_id, limit, offset)
            .await?;
        Ok((total, page))
    }

    /// The categories a category's page lists: itself and every category below it.
    async fn category_subtree(&self, category_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT) \
             UNION ALL SELECT c.id FROM catalog_categories c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub",
        )
        .bind(category_id)
        .fetch_all(self.0.pool())
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The filter of a public list, one statement shape per case so that each uses its own
    /// partial index (`items_public*`), and the values to bind.
    async fn public_filter(
        &self,
        unit_id: Option<i64>,
        category_id: Option<i64>,
    ) -> Result<(String, Vec<i64>)> {
        const PUBLIC: &str = "published_revision IS NOT NULL AND withdrawn_at IS NULL";
        Ok(match (unit_id, category_id) {
            (_, Some(c)) => {
                let ids = self.category_subtree(c).await?;
                // one category (most are leaves): an equality, so the index gives the order
                let mut sql = if ids.len() == 1 {
                    format!("FROM items WHERE {PUBLIC} AND category_id = $1")
                } else if unit_id.is_some() {
                    // several categories of one unit: walk the unit's list in order (its index
                    // holds the category), not each category apart and then sort
                    format!(
                        "FROM items WHERE {PUBLIC} AND +category_id IN ({})",
                        crate::placeholders(ids.len())
                    )
                } else {
                    format!(
                        "FROM items WHERE {PUBLIC} AND category_id IN ({})",
                        crate::placeholders(ids.len())
                    )
                };
                if let Some(u) = unit_id {
                    sql.push_str(&format!(" AND unit_id = ${}", ids.len() + 1));
                    let mut binds = ids;
                    binds.push(u);
                    return Ok((sql, binds));
                }
                (sql, ids)
            }
            (Some(u), None) => (
                format!("FROM items WHERE {PUBLIC} AND unit_id = $1"),
                vec![u],
            ),
            (None, None) => (format!("FROM items WHERE {PUBLIC}"), Vec::new()),
        })
    }

    /// How many public items a list has (see [`Disclosure::list_published`]).
    pub async fn count_published(
        &self,
        unit_id: Option<i64>,
        category_id: Option<i64>,
    ) -> Result<i64> {
        let (filter, binds) = self.public_filter(unit_id, category_id).await?;
        let mut q =
            sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {filter}")));
        for b in &binds {
            q = q.bind(*b);
        }
        Ok(q.fetch_one(self.0.pool()).await?.0)
    }

    /// Anchors for deep pages of a public list: after the row with sort key `after` (publication
    /// time, id; `None`: from the start), the sort key of every `step`-th row among the next
    /// `rows`. A page far down the list then starts from the nearest anchor instead of skipping
    /// every row before it.
    pub async fn public_anchors(
        &self,
        unit_id: Option<i64>,
        category_id: Option<i64>,
        after: Option<&(String, i64)>,
        rows: i64,
        step: i64,
    ) -> Result<Vec<(String, i64)>> {
        let (filter, binds) = self.public_filter(unit_id, category_id).await?;
        let n = binds.len();
        let seek = if after.is_some() {
            format!(" AND (published_at, id) < (${}, ${})", n + 1, n + 2)
        } else {
            String::new()
        };
        let limit_at = if after.is_some() { n + 3 } else { n + 1 };
        let sql = format!(
            "SELECT published_at, id FROM (SELECT published_at, id, ROW_NUMBER() OVER (ORDER BY published_at DESC, id DESC) AS rn \
             FROM (SELECT published_at, id {filter}{seek} ORDER BY published_at DESC, id DESC LIMIT ${limit_at}) w) t \
             WHERE rn % ${} = 0 ORDER BY rn",
            limit_at + 1
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(*b);
        }
        if let Some((at, id)) = after {
            q = q.bind(at.as_str()).bind(*id);
        }
        Ok(q.bind(rows).bind(step).fetch_all(self.0.pool()).await?)
    }

    /// One page of a public list starting after the row with sort key `after` (see
    /// [`Disclosure::public_anchors`]), skipping `offset` rows from there.
    pub async fn page_published_after(
        &self,
        unit_id: Option<i64>,
        category_id: Option<i64>,
        after: &(String, i64),
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ItemSummary>> {
        let (filter, binds) = self.public_filter(unit_id, category_id).await?;
        let n = binds.len();
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT id, published_revision {filter} AND (published_at, id) < (${}, ${}) ORDER BY published_at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        )));
        for b in &binds {
            q = q.bind(*b);
        }
        let rows = q
            .bind(after.0.as_str())
            .bind(after.1)
            .bind(limit)
            .bind(offset)
            .fetch_all(self.0.pool())
            .await?;
        self.summaries(rows).await
    }

    /// One page of a public list, newest first (see [`Disclosure::list_published`]).
    pub async fn page_published(
        &self,
        unit_id: Option<i64>,
        category_id: Option<i64>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ItemSummary>> {
        let (filter, binds) = self.public_filter(unit_id, category_id).await?;
        let n = binds.len();
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT id, published_revision {filter} ORDER BY published_at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        )));
        for b in &binds {
            q = q.bind(*b);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.0.pool()).await?;
        self.summaries(rows).await
    }

    /// How many public items each category of a unit holds (its own, not its sub-categories').
    pub async fn published_counts(&self, unit_id: i64) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT category_id, COUNT(*) FROM items WHERE unit_id = $1 AND published_revision IS NOT NULL AND withdrawn_at IS NULL GROUP BY category_id",
        )
        .bind(unit_id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// A unit's items with their working revision, newest first (back office).
    pub async fn list_unit_items(
        &self,
        unit_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<ItemSummary>)> {
        self.find_unit_items(unit_id, &ItemFilter::default(), limit, offset)
            .await
    }

    /// A unit's items that pass `filter`, with their working revision, newest first.
    pub async fn find_unit_items(
        &self,
        unit_id: i64,
        f: &ItemFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<ItemSummary>)> {
        const FROM: &str = "FROM items i JOIN item_revisions r ON r.item_id = i.id \
             AND r.revision = (SELECT MAX(x.revision) FROM item_revisions x WHERE x.item_id = i.id) \
             WHERE i.unit_id = $1 \
             AND ($2 = '' OR ($2 = 'withdrawn' AND i.withdrawn_at IS NOT NULL) \
                  OR ($2 = 'returned' AND r.state = 'draft' AND COALESCE(r.note, '') <> '') \
                  OR ($2 = 'new_draft' AND r.state = 'draft' AND COALESCE(r.note, '') = '' AND i.withdrawn_at IS NULL) \
                  OR ($2 = 'unpublished' AND i.published_revision IS NULL AND i.withdrawn_at IS NULL) \
                  OR (r.state = $2 AND i.withdrawn_at IS NULL)) \
             AND ($3 = 0 OR i.category_id IN (WITH RECURSIVE sub(id) AS (SELECT CAST($3 AS BIGINT) \
                  UNION ALL SELECT c.id FROM catalog_categories c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub)) \
             AND ($4 = '' OR r.formed_on >= $4) AND ($5 = '' OR r.formed_on <= $5) \
             AND ($6 = '' \
                  OR ($6 = 'late' AND ((i.published_revision IS NOT NULL AND i.days_late > 0) \
                      OR (i.published_revision IS NULL AND i.withdrawn_at IS NULL AND r.formed_on <> '' AND r.formed_on < $7))) \
                  OR ($6 = 'on_time' AND ((i.published_revision IS NOT NULL AND i.days_late = 0) \
                      OR (i.published_revision IS NULL AND (r.formed_on = '' OR r.formed_on >= $7))))) \
             AND ($8 = '' OR r.title LIKE $8 OR r.doc_no LIKE $8)";
        let like = if f.text.trim().is_empty() {
            String::new()
        } else {
            format!("%{}%", f.text.trim())
        };
        macro_rules! bind_filter {
            ($q:expr) => {
                $q.bind(unit_id)
                    .bind(f.status.as_str())
                    .bind(f.category_id.unwrap_or(0))
                    .bind(f.formed_from.as_str())
                    .bind(f.formed_to.as_str())
                    .bind(f.lateness.as_str())
                    .bind(f.late_if_formed_before.as_str())
                    .bind(like.as_str())
            };
        }
        let (total,): (i64,) = bind_filter!(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) {FROM}"
        ))))
        .fetch_one(self.0.pool())
        .await?;
        let order = if f.oldest_formed_first {
            "r.formed_on, i.id"
        } else {
            "i.id DESC"
        };
        let rows: Vec<(i64, i64)> = bind_filter!(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT i.id, r.revision {FROM} ORDER BY {order} LIMIT $9 OFFSET $10"
        ))))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.0.pool())
        .await?;
        Ok((total, self.summaries(rows).await?))
    }

    /// Published interpretations (政策解读) of an item.
    pub async fn interpretations_of(&self, item_id: i64) -> Result<Vec<ItemSummary>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, published_revision FROM items WHERE interpretation_of = $1 AND published_revision IS NOT NULL AND withdrawn_at IS NULL ORDER BY id",
        )
        .bind(item_id)
        .fetch_all(self.0.pool())
        .await?;
        self.summaries(rows).await
    }

    /// Scheduled revisions whose time has come.
    pub async fn due_scheduled(&self, now: &str) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as("SELECT item_id, revision FROM item_revisions WHERE state = 'scheduled' AND scheduled_at <= $1 ORDER BY scheduled_at")
            .bind(now)
            .fetch_all(self.0.pool())
            .await?)
    }

    /// Items whose public version changed after outbox position `after`: (position, item id).
    pub async fn outbox_after(&self, after: i64, limit: i64) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, item_id FROM search_outbox WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// How many items are public (published, not withdrawn).
    pub async fn count_public(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM items WHERE published_revision IS NOT NULL AND withdrawn_at IS NULL",
        )
        .fetch_one(self.0.pool())
        .await?;
        Ok(n)
    }

    /// Index numbers and publication times of public items in id order, `limit` after skipping
    /// `offset` (the item files of the sitemap; one statement, no per-item reads).
    pub async fn public_locations(
        &self,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<(String, Option<String>)>> {
        Ok(sqlx::query_as(
            "SELECT index_no, published_at FROM items WHERE published_revision IS NOT NULL AND withdrawn_at IS NULL \
             ORDER BY id LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Ids of published, not withdrawn items after `after_id`, in id order.
    pub async fn published_ids_after(&self, after_id: i64, limit: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM items WHERE published_revision IS NOT NULL AND withdrawn_at IS NULL AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after_id)
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The newest outbox position (0 when empty).
    pub async fn outbox_max(&self) -> Result<i64> {
        let (n,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM search_outbox")
            .fetch_one(self.0.pool())
            .await?;
        Ok(n.unwrap_or(0))
    }

    /// The sensitive-word list.
    pub async fn sensitive_words(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT word FROM sensitive_words ORDER BY word")
            .fetch_all(self.0.pool())
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Replaces the sensitive-word list (audited with a digest of both lists).
    pub async fn set_sensitive_words(&self, actor: &Actor, words: &[String]) -> Result<()> {
        let before = self.sensitive_words().await?;
        let mut tx = self.0.write(actor).await?;
        sqlx::query("DELETE FROM sensitive_words")
            .execute(&mut *tx)
            .await?;
        let now = now_text();
        let mut unique: Vec<&String> = words.iter().collect();
        unique.sort();
        unique.dedup();
        for w in &unique {
            sqlx::query(
                "INSERT INTO sensitive_words (word, added_by, added_at) VALUES ($1, $2, $3)",
            )
            .bind(w.as_str())
            .bind(&actor.name)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.record(
            AuditAction::SensitiveWords,
            Record {
                unit_id: None,
                entity_id: "all".into(),
                before: before.join("\n"),
                after: unique
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                detail: format!("更新敏感词表：{} 个词", unique.len()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Refuses a move into a state that needs a clean scan while the revision has open findings,
/// inside the transaction of the move (the web layer's earlier check is only for the message).
async fn require_clean_scan(
    tx: &mut Write<'_>,
    item_id: i64,
    revision: i64,
    to: RevisionState,
) -> Result<()> {
    if !to.needs_clean_scan() {
        return Ok(());
    }
    let (open,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM scan_findings WHERE item_id = $1 AND revision = $2 AND status = 'open'",
    )
    .bind(item_id)
    .bind(revision)
    .fetch_one(&mut **tx)
    .await?;
    if open > 0 {
        return Err(StoreError::Conflict(format!(
            "还有{open}处个人信息或敏感词未处理：请脱敏，或由审核人员填写理由后放行"
        )));
    }
    Ok(())
}

/// Tells every server's search index that an item's public version changed (same transaction),
/// and wakes the other servers when it commits ([`crate::cluster::announce`]). The outbox id is
/// taken under the write-order lock: indexers read ids above their position, so a smaller id
/// committed after a larger one would never be read.
async fn enqueue_index(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: crate::Backend,
    item_id: i64,
    now: &str,
) -> Result<()> {
    crate::audit::lock_order(tx, backend).await?;
    sqlx::query("INSERT INTO search_outbox (item_id, created_at) VALUES ($1, $2)")
        .bind(item_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    crate::cluster::announce(tx, backend).await
}

/// Removes attachment `id` of a draft, only if it belongs to `revision` of `item_id` and that
/// revision is still a draft; records it.
async fn detach(
    tx: &mut Write<'_>,
    unit_id: i64,
    id: i64,
    item_id: i64,
    revision: i64,
) -> Result<()> {
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT a.filename, a.sha256 FROM attachments a JOIN item_revisions r ON r.item_id = a.item_id AND r.revision = a.revision \
         WHERE a.id = $1 AND a.item_id = $2 AND a.revision = $3 AND r.state = 'draft'",
    )
    .bind(id)
    .bind(item_id)
    .bind(revision)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((filename, sha256)) = found else {
        return Err(StoreError::Conflict(
            "只能删除或替换本草稿的附件（该附件不存在，或信息已不是草稿）".into(),
        ));
    };
    sqlx::query("DELETE FROM attachments WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    tx.record(
        AuditAction::ItemDetach,
        Record {
            unit_id: Some(unit_id),
            entity_id: id.to_string(),
            before: format!("{filename}|{sha256}"),
            detail: format!("删除草稿附件“{filename}”"),
            ..Record::default()
        },
    )
    .await?;
    Ok(())
}

/// Records a revision's open scan findings.
async fn insert_findings(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    item_id: i64,
    revision: i64,
    findings: &[(String, Finding)],
) -> Result<()> {
    for (source, f) in findings {
        sqlx::query(
            "INSERT INTO scan_findings (item_id, revision, source, kind, start_offset, end_offset, line, col, masked, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open')",
        )
        .bind(item_id)
        .bind(revision)
        .bind(source)
        .bind(f.kind.code())
        .bind(f.start as i64)
        .bind(f.end as i64)
        .bind(f.line as i64)
        .bind(f.column as i64)
        .bind(&f.masked)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_revision(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    item_id: i64,
    revision: i64,
    state: RevisionState,
    c: &RevisionContent,
    by: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO item_revisions (item_id, revision, state, title, doc_no, doc_no_norm, formed_on, validity, topic, summary, body, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(item_id)
    .bind(revision)
    .bind(state.code())
    .bind(&c.title)
    .bind(&c.doc_no)
    .bind(normalize_doc_no(&c.doc_no))
    .bind(&c.formed_on)
    .bind(c.validity.code())
    .bind(&c.topic)
    .bind(&c.summary)
    .bind(&c.body)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One item to import as already published (moving an old site over).
#[derive(Debug, Clone)]
pub struct ImportItem {
    /// Unit.
    pub unit_id: i64,
    /// Unit code (for the index number).
    pub unit_code: String,
    /// Category.
    pub category_id: i64,
    /// Category code (for the index number).
    pub category_code: String,
    /// Content.
    pub content: RevisionContent,
    /// When it was published on the old site (RFC 3339 UTC).
    pub published_at: String,
    /// Working days past the limit.
    pub days_late: i64,
    /// Attachments: metadata and extracted text (bytes already stored by the caller).
    pub attachments: Vec<ImportAttachment>,
    /// The key of the source row (see [`Store::imported_keys`]); empty for none.
    pub import_key: String,
    /// What the pre-publication scan found, each with its source. Empty: the item is imported
    /// as published. Otherwise it is imported unpublished, waiting in review with these open
    /// findings, exactly as if its author had submitted it.
    pub findings: Vec<(String, Finding)>,
}

/// One attachment of an imported item.
#[derive(Debug, Clone)]
pub struct ImportAttachment {
    /// File name.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 (storage key; the bytes are stored by the caller).
    pub sha256: String,
    /// Extracted text.
    pub text: String,
    /// Why the text could not be read, if it could not.
    pub unreadable: Option<String>,
}

/// One published item with everything the search index needs, read in bulk.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublishedRow {
    /// Item id.
    pub id: i64,
    /// 索引号.
    pub index_no: String,
    /// Unit.
    pub unit_id: i64,
    /// Unit name.
    pub unit_name: String,
    /// Category.
    pub category_id: i64,
    /// Category name.
    pub category_name: String,
    /// Public revision number.
    pub revision: i64,
    /// Title.
    pub title: String,
    /// 文号.
    pub doc_no: String,
    /// 成文日期.
    pub formed_on: String,
    /// Summary.
    pub summary: String,
    /// Body.
    pub body: String,
    /// Publication time.
    pub published_at: String,
}

impl Disclosure<'_> {
    /// Imports already-published items in one transaction: index numbers, the published
    /// revision, attachments, the search outbox and one audit entry per item. Returns their ids.
    pub async fn import_published(&self, actor: &Actor, items: &[ImportItem]) -> Result<Vec<i64>> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        // in write order from the start: the serials read below are written back at the end, and
        // the outbox ids must commit in order
        crate::audit::lock_order(tx.tx(), self.0.backend()).await?;
        // index-number serials: read once per (unit, category, year), written back once
        let mut serials: std::collections::HashMap<(i64, String, i64), i64> =
            std::collections::HashMap::new();
        for it in items {
            let key = (
                it.unit_id,
                it.category_code.clone(),
                today_year(&it.content.formed_on),
            );
            if let std::collections::hash_map::Entry::Vacant(e) = serials.entry(key.clone()) {
                let last: Option<(i64,)> = sqlx::query_as("SELECT last FROM index_serials WHERE unit_id = $1 AND category_code = $2 AND year = $3")
                    .bind(key.0)
                    .bind(&key.1)
                    .bind(key.2)
                    .fetch_optional(&mut *tx)
                    .await?;
                e.insert(last.map_or(0, |l| l.0));
            }
        }
        let mut ids = Vec::with_capacity(items.len());
        let mut changes = Vec::with_capacity(items.len());
        for it in items {
            let year = today_year(&it.content.formed_on);
            let serial = serials
                .entry((it.unit_id, it.category_code.clone(), year))
                .or_insert(0);
            *serial += 1;
            let index_no = index_number(&it.unit_code, &it.category_code, year as i32, *serial);
            // an item the scan held back is not public: no publication, no lateness yet
            let held = !it.findings.is_empty();
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO items (unit_id, category_id, index_no, published_revision, first_published_at, published_at, days_late, created_by, created_at, updated_at, import_key) \
                 VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $8, $9) RETURNING id",
            )
            .bind(it.unit_id)
            .bind(it.category_id)
            .bind(&index_no)
            .bind((!held).then_some(1i64))
            .bind((!held).then_some(it.published_at.as_str()))
            .bind(if held { 0 } else { it.days_late })
            .bind(&actor.name)
            .bind(&now)
            .bind((!it.import_key.is_empty()).then_some(it.import_key.as_str()))
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict(&format!("索引号 {index_no}或导入行")))?;
            ids.push(id);
            changes.push((
                AuditAction::ItemImport,
                Record {
                    unit_id: Some(it.unit_id),
                    entity_id: id.to_string(),
                    after: it.content.canonical(),
                    detail: if held {
                        format!(
                            "导入信息“{}”（{index_no}）：发布前检查发现 {} 处问题，未公开，转入待审核",
                            it.content.title,
                            it.findings.len()
                        )
                    } else {
                        format!("导入已公开信息“{}”（{index_no}）", it.content.title)
                    },
                    ..Record::default()
                },
            ));
        }
        for ((unit_id, code, year), last) in &serials {
            sqlx::query(
                "INSERT INTO index_serials (unit_id, category_code, year, last) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (unit_id, category_code, year) DO UPDATE SET last = excluded.last",
            )
            .bind(unit_id)
            .bind(code)
            .bind(year)
            .bind(last)
            .execute(&mut *tx)
            .await?;
        }
        // revisions and outbox rows, many per statement
        let pairs: Vec<(&i64, &ImportItem)> = ids.iter().zip(items).collect();
        for chunk in pairs.chunks(50) {
            let mut sql = String::from(
                "INSERT INTO item_revisions (item_id, revision, state, title, doc_no, doc_no_norm, formed_on, validity, topic, summary, body, created_by, created_at, updated_at) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 13;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, 1, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11,
                    b + 12,
                    b + 13
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, it) in chunk {
                let c = &it.content;
                let state = if it.findings.is_empty() {
                    RevisionState::Published
                } else {
                    RevisionState::InReview
                };
                q = q
                    .bind(**id)
                    .bind(state.code())
                    .bind(&c.title)
                    .bind(&c.doc_no)
                    .bind(normalize_doc_no(&c.doc_no))
                    .bind(&c.formed_on)
                    .bind(c.validity.code())
                    .bind(&c.topic)
                    .bind(&c.summary)
                    .bind(&c.body)
                    .bind(&actor.name)
                    .bind(&now)
                    .bind(&now);
            }
            q.execute(&mut *tx).await?;
            // only what went public is indexed
            let public: Vec<i64> = chunk
                .iter()
                .filter(|(_, it)| it.findings.is_empty())
                .map(|(id, _)| **id)
                .collect();
            if public.is_empty() {
                continue;
            }
            let mut sql = String::from("INSERT INTO search_outbox (item_id, created_at) VALUES ");
            for i in 0..public.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("(${}, ${})", i * 2 + 1, i * 2 + 2));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &public {
                q = q.bind(*id).bind(&now);
            }
            q.execute(&mut *tx).await?;
        }
        crate::cluster::announce(tx.tx(), self.0.backend()).await?;
        for (id, it) in &pairs {
            for a in &it.attachments {
                sqlx::query("INSERT INTO attachments (item_id, revision, filename, content_type, size, sha256, text, created_at, unreadable) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(**id)
                    .bind(&a.filename)
                    .bind(&a.content_type)
                    .bind(a.size)
                    .bind(&a.sha256)
                    .bind(&a.text)
                    .bind(&now)
                    .bind(a.unreadable.as_deref())
                    .execute(&mut *tx)
                    .await?;
            }
            insert_findings(tx.tx(), **id, 1, &it.findings).await?;
        }
        tx.record_many(changes).await?;
        tx.finish().await?;
        Ok(ids)
    }

    /// The public rows of the given items in one query (items not public are left out).
    pub async fn published_rows(&self, ids: &[i64]) -> Result<Vec<PublishedRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = crate::placeholders(ids.len());
        let sql = format!(
            "SELECT i.id, i.index_no, i.unit_id, u.name AS unit_name, i.category_id, c.name AS category_name, r.revision, r.title, r.doc_no, r.formed_on, r.summary, r.body, i.published_at \
             FROM items i JOIN item_revisions r ON r.item_id = i.id AND r.revision = i.published_revision \
             JOIN units u ON u.id = i.unit_id JOIN catalog_categories c ON c.id = i.category_id \
             WHERE i.withdrawn_at IS NULL AND i.id IN ({})",
            placeholders
        );
        let mut q = sqlx::query_as::<_, PublishedRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(self.0.pool()).await?)
    }

    /// Which of `keys` earlier imports already brought in (each item keeps the key of its row).
    pub async fn imported_keys(
        &self,
        keys: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT import_key FROM items WHERE import_key IN ({})",
                crate::placeholders(chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k);
            }
            found.extend(q.fetch_all(self.0.pool()).await?.into_iter().map(|(k,)| k));
        }
        Ok(found)
    }

    /// Attachment text of the public revisions of the given items, joined per item.
    pub async fn published_attachment_text(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>> {
        let mut out = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let placeholders = crate::placeholders(ids.len());
        let sql = format!(
            "SELECT a.item_id, a.text FROM attachments a JOIN items i ON i.id = a.item_id AND a.revision = i.published_revision WHERE a.item_id IN ({}) ORDER BY a.id",
            placeholders
        );
        let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        for (id, text) in q.fetch_all(self.0.pool()).await? {
            let e: &mut String = out.entry(id).or_default();
            e.push('\n');
            e.push_str(&text);
        }
        Ok(out)
    }
}

/// One unit's publication timeliness over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Timeliness {
    /// Unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Items first published in the period.
    pub published: i64,
    /// Of which later than the limit.
    pub late: i64,
    /// The most working days late.
    pub max_late: i64,
    /// Working days late, summed.
    pub total_late: i64,
}

/// A late item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LateItem {
    /// Item.
    pub id: i64,
    /// 索引号.
    pub index_no: String,
    /// Title of the public (or last published) revision.
    pub title: String,
    /// 成文日期.
    pub formed_on: String,
    /// First publication.
    pub first_published_at: String,
    /// Working days late.
    pub days_late: i64,
}

impl Disclosure<'_> {
    /// Timeliness of every unit for items first published in `[from, to)` (stored UTC times); a
    /// unit that published nothing has a row of zeros.
    pub async fn timeliness(&self, from: &str, to: &str) -> Result<Vec<Timeliness>> {
        Ok(sqlx::query_as(
            "SELECT u.id AS unit_id, u.name AS unit_name, COUNT(i.id) AS published, \
             CAST(COALESCE(SUM(CASE WHEN i.days_late > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS late, \
             CAST(COALESCE(MAX(i.days_late), 0) AS BIGINT) AS max_late, \
             CAST(COALESCE(SUM(i.days_late), 0) AS BIGINT) AS total_late \
             FROM units u LEFT JOIN items i ON i.unit_id = u.id \
             AND i.first_published_at >= $1 AND i.first_published_at < $2 \
             GROUP BY u.id, u.name ORDER BY u.id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// A unit's items first published late in `[from, to)`, latest first.
    pub async fn late_items(&self, unit_id: i64, from: &str, to: &str) -> Result<Vec<LateItem>> {
        Ok(sqlx::query_as(
            "SELECT i.id, i.index_no, r.title, r.formed_on, i.first_published_at, i.days_late \
             FROM items i JOIN item_revisions r ON r.item_id = i.id \
             AND r.revision = (SELECT MIN(r2.revision) FROM item_revisions r2 WHERE r2.item_id = i.id AND r2.state IN ('published', 'superseded')) \
             WHERE i.unit_id = $1 AND i.days_late > 0 AND i.first_published_at >= $2 AND i.first_published_at < $3 \
             ORDER BY i.first_published_at DESC",
        )
        .bind(unit_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.0.pool())
        .await?)
    }
}

/// A published item loaded in bulk (benchmarks of the lists and the assessment): one revision,
/// titled by its index number and formed on its publication day, without attachments, search
/// outbox entries or webhook events.
#[derive(Debug, Clone)]
pub struct BulkItem {
    /// Unit.
    pub unit_id: i64,
    /// Category of the unit's catalog.
    pub category_id: i64,
    /// 索引号 (unique).
    pub index_no: String,
    /// Publication time (as stored, UTC).
    pub published_at: String,
    /// Working days past the publication limit.
    pub days_late: i64,
}

impl Disclosure<'_> {
    /// Loads published items in multi-row statements of 500 with their published revisions;
    /// one audit entry. For benchmarks: nothing goes to the search index.
    pub async fn bulk_items(&self, actor: &Actor, rows: &[BulkItem]) -> Result<usize> {
        const COLS: usize = 6;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (before,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM items")
            .fetch_one(&mut *tx)
            .await?;
        for chunk in rows.chunks(500) {
            let values = crate::values_rows(chunk.len(), COLS, |_| {
                format!(", 1, 'bulk', '{now}', '{now}'")
            });
            let sql = format!(
                "INSERT INTO items (unit_id, category_id, index_no, first_published_at, published_at, days_late, \
                 published_revision, created_by, created_at, updated_at) VALUES {values}"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(r.unit_id)
                    .bind(r.category_id)
                    .bind(r.index_no.clone())
                    .bind(r.published_at.clone())
                    .bind(r.published_at.clone())
                    .bind(r.days_late);
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO item_revisions (item_id, revision, state, title, doc_no, doc_no_norm, formed_on, validity, topic, summary, body, created_by, created_at, updated_at) \
             SELECT id, 1, 'published', index_no, '', '', SUBSTR(published_at, 1, 10), 'in_force', '', '', '', 'bulk', created_at, created_at FROM items WHERE id > $1",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::ItemImport,
            Record {
                entity_id: String::new(),
                detail: format!("批量导入信息 {} 条（基准测试）", rows.len()),
                ..Record::default()
            },
        )
        .await?;
        tx.finish().await?;
        Ok(rows.len())
    }
}
