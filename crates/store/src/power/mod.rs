//! The power list and online operation, as one repository reached through [`Store::power`]:
//! power items and their versions (this file), cases and their events ([`cases`]), decisions
//! under double publicity ([`decisions`]) and e-supervision alerts ([`supervision`]).
//!
//! Every state change checks the state it starts from inside its own transaction with a guarded
//! `UPDATE … WHERE state = …`, so two staff members racing cannot both pass a check; every one
//! writes its audit entry in the same transaction. Rules (validation, clocks, codes) come from
//! `gongkai_domain::power`; this module only stores what it is given.

pub mod cases;
pub mod decisions;
pub mod supervision;

use crate::audit::Record;
use crate::org::Unit;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::power::{Category, PowerContent, ReviewStage, VersionState, power_code};
use serde::Serialize;

/// The power-list repository.
#[derive(Debug, Clone, Copy)]
pub struct Power<'a>(&'a Store);

impl Store {
    /// The power list, cases, decisions and alerts.
    pub fn power(&self) -> Power<'_> {
        Power(self)
    }
}

/// A power item (the record that stays while versions come and go).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PowerItem {
    /// Id.
    pub id: i64,
    /// Owning unit.
    pub unit_id: i64,
    /// Stable code, e.g. `33019900SJJ-XK-0001`.
    pub code: String,
    /// Category code.
    pub category: String,
    /// Name (of the published version, or of the first draft).
    pub name: String,
    /// The version the public sees (`None`: never published).
    pub published_version: Option<i64>,
    /// When it was retired.
    pub retired_at: Option<String>,
    /// Why.
    pub retired_reason: String,
    /// Last change.
    pub updated_at: String,
}

/// One version of a power item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// The item.
    pub item_id: i64,
    /// 1, 2, …
    pub version: i64,
    /// Where it is.
    pub state: VersionState,
    /// Its content.
    pub content: PowerContent,
    /// The last reviewer's note (why it was sent back).
    pub note: String,
    /// Who drafted it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// Establishment office reviewer and time.
    pub establishment: Option<(String, String)>,
    /// Legal affairs reviewer and time.
    pub legal: Option<(String, String)>,
    /// When it was published.
    pub published_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    item_id: i64,
    version: i64,
    state: String,
    content: String,
    note: String,
    created_by: String,
    created_at: String,
    establishment_by: Option<String>,
    establishment_at: Option<String>,
    legal_by: Option<String>,
    legal_at: Option<String>,
    published_at: Option<String>,
}

impl TryFrom<VersionRow> for Version {
    type Error = StoreError;
    fn try_from(r: VersionRow) -> Result<Version> {
        Ok(Version {
            item_id: r.item_id,
            version: r.version,
            state: VersionState::from_code(&r.state)
                .ok_or_else(|| StoreError::Corrupt(format!("power version state {}", r.state)))?,
            content: serde_json::from_str(&r.content)
                .map_err(|e| StoreError::Corrupt(format!("power version content: {e}")))?,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
            establishment: r.establishment_by.zip(r.establishment_at),
            legal: r.legal_by.zip(r.legal_at),
            published_at: r.published_at,
        })
    }
}

const ITEM_COLUMNS: &str =
    "id, unit_id, code, category, name, published_version, retired_at, retired_reason, updated_at";
const VERSION_COLUMNS: &str = "item_id, version, state, content, note, created_by, created_at, \
    establishment_by, establishment_at, legal_by, legal_at, published_at";

/// A filter of the power list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// One unit.
    pub unit_id: Option<i64>,
    /// One category (code).
    pub category: Option<String>,
    /// Only items with a published version that are not retired (the public list).
    pub public_only: bool,
    /// Items with an id greater than this (keyset paging).
    pub after_id: Option<i64>,
    /// Page size.
    pub limit: i64,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// New items (first drafts).
    pub added: usize,
    /// Items whose draft was replaced, or that got a new draft version.
    pub revised: usize,
    /// Items already the same.
    pub unchanged: usize,
}

impl Power<'_> {
    /// Imports a unit's list in one transaction: rows without a code become new items (first
    /// drafts); rows with a code of this unit replace its draft or start a new draft version
    /// (items under review are refused). All or nothing; each change audited.
    pub async fn import_items(
        &self,
        actor: &Actor,
        unit: &Unit,
        region: &str,
        rows: &[(Option<String>, PowerContent)],
    ) -> Result<ImportSummary> {
        let mut summary = ImportSummary::default();
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        for (code, content) in rows {
            let Some(code) = code else {
                insert_item(&mut tx, unit, region, content).await?;
                summary.added += 1;
                continue;
            };
            let item: Option<PowerItem> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ITEM_COLUMNS} FROM power_items WHERE code = $1"
            )))
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(item) = item.filter(|i| i.unit_id == unit.id) else {
                return Err(StoreError::Conflict(format!(
                    "事项编码 {code} 不是本单位的事项"
                )));
            };
            if item.category != content.category {
                return Err(StoreError::Conflict(format!(
                    "事项 {code} 的类型不能更改（事项编码保持不变）"
                )));
            }
            if item.retired_at.is_some() {
                return Err(StoreError::Conflict(format!(
                    "事项 {code} 已停用，不能导入修改"
                )));
            }
            let latest: (i64, String, String) = sqlx::query_as(
                "SELECT version, state, content FROM power_versions WHERE item_id = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(item.id)
            .fetch_one(&mut *tx)
            .await?;
            let (version, state, stored) = latest;
            if stored == content.canonical() {
                summary.unchanged += 1;
                continue;
            }
            match state.as_str() {
                "draft" => {
                    sqlx::query(
                        "UPDATE power_versions SET content = $1, updated_at = $2 WHERE item_id = $3 AND version = $4 AND state = 'draft'",
                    )
                    .bind(content.canonical())
                    .bind(&now)
                    .bind(item.id)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?;
                }
                "published" | "superseded" => {
                    sqlx::query(
                        "INSERT INTO power_versions (item_id, version, state, content, created_by, created_at, updated_at) \
                         VALUES ($1, $2, 'draft', $3, $4, $5, $5)",
                    )
                    .bind(item.id)
                    .bind(version + 1)
                    .bind(content.canonical())
                    .bind(&actor.name)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                }
                _ => {
                    return Err(StoreError::Conflict(format!(
                        "事项 {code} 正在审核中，审核结束后才能导入修改"
                    )));
                }
            }
            tx.record(
                AuditAction::PowerImport,
                Record {
                    unit_id: Some(unit.id),
                    entity_id: item.id.to_string(),
                    before: stored,
                    after: content.canonical(),
                    detail: format!("导入修改权力事项 {code}"),
                },
            )
            .await?;
            summary.revised += 1;
        }
        tx.finish().await?;
        Ok(summary)
    }

    /// The published content of every current item of a unit.
    pub async fn published_contents(&self, unit_id: i64) -> Result<Vec<PowerContent>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT v.content FROM power_items i JOIN power_versions v ON v.item_id = i.id AND v.version = i.published_version \
             WHERE i.unit_id = $1 AND i.retired_at IS NULL",
        )
        .bind(unit_id)
        .fetch_all(self.0.pool())
        .await?;
        rows.into_iter()
            .map(|(c,)| {
                serde_json::from_str(&c)
                    .map_err(|e| StoreError::Corrupt(format!("power version content: {e}")))
            })
            .collect()
    }

    /// Every item of a unit with its latest version's content (for the export).
    pub async fn unit_contents(&self, unit_id: i64) -> Result<Vec<(PowerItem, PowerContent)>> {
        let items: Vec<PowerItem> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM power_items WHERE unit_id = $1 AND retired_at IS NULL ORDER BY id"
        )))
        .bind(unit_id)
        .fetch_all(self.0.pool())
        .await?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let (content,): (String,) = sqlx::query_as(
                "SELECT content FROM power_versions WHERE item_id = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(item.id)
            .fetch_one(self.0.pool())
            .await?;
            let content = serde_json::from_str(&content)
                .map_err(|e| StoreError::Corrupt(format!("power version content: {e}")))?;
            out.push((item, content));
        }
        Ok(out)
    }

    /// Creates a power item with its first draft; the code is generated from the region, the
    /// unit and the category, with the next serial of that unit and category. Audited.
    pub async fn create_item(
        &self,
        actor: &Actor,
        unit: &Unit,
        region: &str,
        content: &PowerContent,
    ) -> Result<i64> {
        let mut tx = self.0.write(actor).await?;
        let id = insert_item(&mut tx, unit, region, content).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The item.
    pub async fn item(&self, id: i64) -> Result<PowerItem> {
        sqlx::query_as::<_, PowerItem>(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM power_items WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("权力事项 {id}")))
    }

    /// The item with `code`.
    pub async fn item_by_code(&self, code: &str) -> Result<Option<PowerItem>> {
        Ok(sqlx::query_as::<_, PowerItem>(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM power_items WHERE code = $1"
        )))
        .bind(code)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// Items, ordered by id, one keyset page.
    pub async fn items(&self, f: &ItemFilter) -> Result<Vec<PowerItem>> {
        let mut sql = format!("SELECT {ITEM_COLUMNS} FROM power_items WHERE id > $1");
        let mut n = 1;
        if f.unit_id.is_some() {
            n += 1;
            sql.push_str(&format!(" AND unit_id = ${n}"));
        }
        if f.category.is_some() {
            n += 1;
            sql.push_str(&format!(" AND category = ${n}"));
        }
        if f.public_only {
            sql.push_str(" AND published_version IS NOT NULL AND retired_at IS NULL");
        }
        sql.push_str(&format!(" ORDER BY id LIMIT ${}", n + 1));
        let mut q =
            sqlx::query_as::<_, PowerItem>(sqlx::AssertSqlSafe(sql)).bind(f.after_id.unwrap_or(0));
        if let Some(u) = f.unit_id {
            q = q.bind(u);
        }
        if let Some(c) = &f.category {
            q = q.bind(c.clone());
        }
        Ok(q.bind(f.limit.clamp(1, 500))
            .fetch_all(self.0.pool())
            .await?)
    }

    /// Every version of an item, newest first.
    pub async fn versions(&self, item_id: i64) -> Result<Vec<Version>> {
        let rows: Vec<VersionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM power_versions WHERE item_id = $1 ORDER BY version DESC"
        )))
        .bind(item_id)
        .fetch_all(self.0.pool())
        .await?;
        rows.into_iter().map(Version::try_from).collect()
    }

    /// One version.
    pub async fn version(&self, item_id: i64, version: i64) -> Result<Version> {
        let row: Option<VersionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM power_versions WHERE item_id = $1 AND version = $2"
        )))
        .bind(item_id)
        .bind(version)
        .fetch_optional(self.0.pool())
        .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("权力事项 {item_id} 第{version}版")))?
            .try_into()
    }

    /// Replaces the content of the item's draft. The category (and so the code) cannot change.
    pub async fn update_draft(
        &self,
        actor: &Actor,
        item_id: i64,
        version: i64,
        content: &PowerContent,
    ) -> Result<()> {
        let item = self.item(item_id).await?;
        if content.category != item.category {
            return Err(StoreError::Conflict(
                "事项类型创建后不能更改（事项编码保持不变）".into(),
            ));
        }
        let before = self.version(item_id, version).await?;
        let mut tx = self.0.write(actor).await?;
        let r = sqlx::query(
            "UPDATE power_versions SET content = $1, updated_at = $2 \
             WHERE item_id = $3 AND version = $4 AND state = 'draft'",
        )
        .bind(content.canonical())
        .bind(now_text())
        .bind(item_id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "只有草稿可以修改，该版本已提交审核或已发布".into(),
            ));
        }
        if item.published_version.is_none() {
            sqlx::query("UPDATE power_items SET name = $1, updated_at = $2 WHERE id = $3")
                .bind(content.name.trim())
                .bind(now_text())
                .bind(item_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.record(
            AuditAction::PowerEdit,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: item_id.to_string(),
                before: before.content.canonical(),
                after: content.canonical(),
                detail: format!("修改权力事项 {} 第{version}版草稿", item.code),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a new draft from the published version (only one draft or review at a time).
    pub async fn new_version(&self, actor: &Actor, item_id: i64) -> Result<i64> {
        let item = self.item(item_id).await?;
        if item.retired_at.is_some() {
            return Err(StoreError::Conflict("该事项已停用，不能再修订".into()));
        }
        let Some(published) = item.published_version else {
            return Err(StoreError::Conflict(
                "该事项尚未发布，请直接修改草稿".into(),
            ));
        };
        let current = self.version(item_id, published).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let open: Option<(i64,)> = sqlx::query_as(
            "SELECT version FROM power_versions WHERE item_id = $1 AND state IN ('draft', 'establishment_review', 'legal_review')",
        )
        .bind(item_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((v,)) = open {
            return Err(StoreError::Conflict(format!("第{v}版尚在修订或审核中")));
        }
        let (last,): (i64,) =
            sqlx::query_as("SELECT MAX(version) FROM power_versions WHERE item_id = $1")
                .bind(item_id)
                .fetch_one(&mut *tx)
                .await?;
        let version = last + 1;
        sqlx::query(
            "INSERT INTO power_versions (item_id, version, state, content, created_by, created_at, updated_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5, $5)",
        )
        .bind(item_id)
        .bind(version)
        .bind(current.content.canonical())
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(crate::conflict(&format!("第{version}版")))?;
        tx.record(
            AuditAction::PowerRevise,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: item_id.to_string(),
                detail: format!("权力事项 {} 起草第{version}版", item.code),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Submits a draft for review by the establishment office.
    pub async fn submit(&self, actor: &Actor, item_id: i64, version: i64) -> Result<()> {
        self.transition(
            actor,
            item_id,
            version,
            VersionState::Draft,
            VersionState::EstablishmentReview,
            AuditAction::PowerSubmit,
            "提交编办审核",
            "",
        )
        .await
    }

    /// Passes (`pass`) or sends back a version at a review stage, with a note. The legal review's
    /// pass publishes the version: the previous published version is superseded.
    pub async fn review(
        &self,
        actor: &Actor,
        item_id: i64,
        version: i64,
        stage: ReviewStage,
        pass: bool,
        note: &str,
    ) -> Result<()> {
        let (from, to) = VersionState::after_pass(stage);
        let stage_name = match stage {
            ReviewStage::Establishment => "编办审核",
            ReviewStage::Legal => "法制审核",
        };
        if pass {
            let (action, detail) = match stage {
                ReviewStage::Establishment => (AuditAction::PowerEstablishmentPass, "编办审核通过"),
                ReviewStage::Legal => (AuditAction::PowerPublish, "法制审核通过并发布"),
            };
            self.transition(actor, item_id, version, from, to, action, detail, note)
                .await
        } else {
            self.transition(
                actor,
                item_id,
                version,
                from,
                VersionState::Draft,
                AuditAction::PowerSendBack,
                &format!("{stage_name}退回修改"),
                note,
            )
            .await
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one private step of the workflow"
    )]
    async fn transition(
        &self,
        actor: &Actor,
        item_id: i64,
        version: i64,
        from: VersionState,
        to: VersionState,
        action: AuditAction,
        detail: &str,
        note: &str,
    ) -> Result<()> {
        let item = self.item(item_id).await?;
        if item.retired_at.is_some() {
            return Err(StoreError::Conflict("该事项已停用".into()));
        }
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        // What the step records besides the state: the reviewer, or the note sent back.
        let (set, fifth) = match to {
            VersionState::LegalReview => (
                ", establishment_by = $5, establishment_at = $2",
                actor.name.clone(),
            ),
            VersionState::Published => (
                ", legal_by = $5, legal_at = $2, published_at = $2",
                actor.name.clone(),
            ),
            _ => (", note = $5", note.trim().to_string()),
        };
        let sql = format!(
            "UPDATE power_versions SET state = $1, updated_at = $2{set} \
             WHERE item_id = $3 AND version = $4 AND state = '{}'",
            from.code()
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to.code())
            .bind(&now)
            .bind(item_id)
            .bind(version)
            .bind(fifth);
        let r = q.execute(&mut *tx).await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "该版本不在“{}”状态，无法{detail}（可能已被他人处理）",
                from.label()
            )));
        }
        if to == VersionState::Published {
            sqlx::query(
                "UPDATE power_versions SET state = 'superseded', updated_at = $1 \
                 WHERE item_id = $2 AND state = 'published' AND version <> $3",
            )
            .bind(&now)
            .bind(item_id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
            let (content,): (String,) = sqlx::query_as(
                "SELECT content FROM power_versions WHERE item_id = $1 AND version = $2",
            )
            .bind(item_id)
            .bind(version)
            .fetch_one(&mut *tx)
            .await?;
            let content: PowerContent = serde_json::from_str(&content)
                .map_err(|e| StoreError::Corrupt(format!("power version content: {e}")))?;
            sqlx::query(
                "UPDATE power_items SET published_version = $1, name = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(version)
            .bind(content.name.trim())
            .bind(&now)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
        }
        let note_text = if note.trim().is_empty() {
            String::new()
        } else {
            format!("（意见：{}）", note.trim())
        };
        tx.record(
            action,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: item_id.to_string(),
                before: from.code().to_string(),
                after: to.code().to_string(),
                detail: format!("权力事项 {} 第{version}版：{detail}{note_text}", item.code),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Retires an item: it leaves the public list, stays on record with its versions. Audited.
    pub async fn retire(&self, actor: &Actor, item_id: i64, reason: &str) -> Result<()> {
        let item = self.item(item_id).await?;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let r = sqlx::query(
            "UPDATE power_items SET retired_at = $1, retired_reason = $2, updated_at = $1 \
             WHERE id = $3 AND retired_at IS NULL",
        )
        .bind(&now)
        .bind(reason.trim())
        .bind(item_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("该事项已停用".into()));
        }
        tx.record(
            AuditAction::PowerRetire,
            Record {
                unit_id: Some(item.unit_id),
                entity_id: item_id.to_string(),
                detail: format!("停用权力事项 {}：{}", item.code, reason.trim()),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Items with a version waiting at `state` (the review desks), oldest first, in one query.
    pub async fn waiting(&self, state: VersionState, limit: i64) -> Result<Vec<(PowerItem, i64)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            item: PowerItem,
            version: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT i.id, i.unit_id, i.code, i.category, i.name, i.published_version, i.retired_at, \
             i.retired_reason, i.updated_at, v.version FROM power_versions v JOIN power_items i ON i.id = v.item_id \
             WHERE v.state = $1 ORDER BY v.updated_at, v.item_id LIMIT $2",
        )
        .bind(state.code())
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?;
        Ok(rows.into_iter().map(|r| (r.item, r.version)).collect())
    }

    /// The category counts of a unit's published items (for the public list's headings).
    pub async fn category_counts(&self, unit_id: Option<i64>) -> Result<Vec<(Category, i64)>> {
        let rows: Vec<(String, i64)> = match unit_id {
            Some(u) => sqlx::query_as(
                "SELECT category, COUNT(*) FROM power_items WHERE unit_id = $1 AND published_version IS NOT NULL \
                 AND retired_at IS NULL GROUP BY category",
            )
            .bind(u)
            .fetch_all(self.0.pool())
            .await?,
            None => sqlx::query_as(
                "SELECT category, COUNT(*) FROM power_items WHERE published_version IS NOT NULL \
                 AND retired_at IS NULL GROUP BY category",
            )
            .fetch_all(self.0.pool())
            .await?,
        };
        Ok(Category::ALL
            .into_iter()
            .filter_map(|c| {
                rows.iter()
                    .find(|(code, _)| code == c.code())
                    .map(|(_, n)| (c, *n))
            })
            .collect())
    }
}

/// Inserts an item and its first draft inside `tx` (creation and import).
async fn insert_item(
    tx: &mut crate::write::Write<'_>,
    unit: &Unit,
    region: &str,
    content: &PowerContent,
) -> Result<i64> {
    let actor = tx.actor().clone();
    let category = content
        .category()
        .ok_or_else(|| StoreError::Conflict("事项类型无效".into()))?;
    let now = now_text();
    sqlx::query(
        "INSERT INTO power_serials (unit_id, category, last) VALUES ($1, $2, 1) \
         ON CONFLICT (unit_id, category) DO UPDATE SET last = power_serials.last + 1",
    )
    .bind(unit.id)
    .bind(category.code())
    .execute(&mut **tx)
    .await?;
    let (serial,): (i64,) =
        sqlx::query_as("SELECT last FROM power_serials WHERE unit_id = $1 AND category = $2")
            .bind(unit.id)
            .bind(category.code())
            .fetch_one(&mut **tx)
            .await?;
    let code = power_code(region, &unit.code, category, serial);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO power_items (unit_id, code, category, name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(unit.id)
    .bind(&code)
    .bind(category.code())
    .bind(content.name.trim())
    .bind(&now)
    .fetch_one(&mut **tx)
    .await
    .map_err(crate::conflict(&format!("权力事项编码 {code}")))?;
    sqlx::query(
        "INSERT INTO power_versions (item_id, version, state, content, created_by, created_at, updated_at) \
         VALUES ($1, 1, 'draft', $2, $3, $4, $4)",
    )
    .bind(id)
    .bind(content.canonical())
    .bind(&actor.name)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    tx.record(
        AuditAction::PowerCreate,
        Record {
            unit_id: Some(unit.id),
            entity_id: id.to_string(),
            after: content.canonical(),
            detail: format!("新建权力事项 {code}：{}", content.name.trim()),
            ..Record::default()
        },
    )
    .await?;
    Ok(id)
}
