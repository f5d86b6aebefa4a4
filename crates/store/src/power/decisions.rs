//! Decisions under double publicity (双公示): recorded with the national credit-information
//! fields (personal data already masked by the caller), public at once, withdrawn with a reason
//! but never deleted. The public list is paged by keyset on (published_on, id), so any page of a
//! million decisions is one index seek.

use super::Power;
use crate::audit::Record;
use crate::{Actor, Result, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// A published decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Decision {
    /// Id.
    pub id: i64,
    /// The case it closed, if any.
    pub case_id: Option<i64>,
    /// Deciding unit.
    pub unit_id: i64,
    /// Power item.
    pub item_id: i64,
    /// `licence` or `penalty`.
    pub kind: String,
    /// 行政相对人名称.
    pub party_name: String,
    /// 行政相对人类别 code.
    pub party_type: String,
    /// Credit code, or the masked ID number.
    pub party_code: String,
    /// 决定文书号.
    pub doc_no: String,
    /// 处罚类别 / 许可类别.
    pub category: String,
    /// 决定内容 (masked).
    pub content: String,
    /// Fine in fen.
    pub fine_fen: i64,
    /// Penalty class code.
    pub penalty_class: String,
    /// The violation of the benchmark.
    pub violation: String,
    /// The tier.
    pub tier: String,
    /// Why the decision departs from its tier (e-supervision flags it).
    pub discretion_flag: String,
    /// 决定日期.
    pub decided_on: String,
    /// 有效期至.
    pub valid_until: Option<String>,
    /// 决定机关.
    pub authority: String,
    /// 决定机关统一社会信用代码.
    pub authority_uscc: String,
    /// Last day it may be published.
    pub due_on: String,
    /// Published (time).
    pub published_at: String,
    /// Published (Beijing date).
    pub published_on: String,
    /// Last day on the public list.
    pub public_until: Option<String>,
    /// Withdrawn (time).
    pub withdrawn_at: Option<String>,
    /// Why.
    pub withdraw_reason: String,
    /// When the decision was changed, revoked or found unlawful (the 3-day clock's start).
    pub changed_on: Option<String>,
}

/// A withdrawal: why, when the decision changed, and when the publication must be gone.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    /// The reason, shown on record.
    pub reason: String,
    /// The day the decision was changed, revoked or found unlawful.
    pub changed_on: String,
    /// The last day to withdraw (3 days after `changed_on`).
    pub due_on: String,
    /// Today (Beijing).
    pub today: String,
}

/// A decision to record.
#[derive(Debug, Clone, Default)]
pub struct NewDecision {
    /// The case it closes.
    pub case_id: Option<i64>,
    /// Deciding unit.
    pub unit_id: i64,
    /// Power item.
    pub item_id: i64,
    /// `licence` or `penalty`.
    pub kind: String,
    /// Party name.
    pub party_name: String,
    /// Party type code.
    pub party_type: String,
    /// Public party code (masked for natural persons).
    pub party_code: String,
    /// Document number.
    pub doc_no: String,
    /// Category text.
    pub category: String,
    /// Content (masked).
    pub content: String,
    /// Fine, fen.
    pub fine_fen: i64,
    /// Penalty class code.
    pub penalty_class: String,
    /// Violation.
    pub violation: String,
    /// Tier.
    pub tier: String,
    /// Discretion flag (empty when within the tier).
    pub discretion_flag: String,
    /// Decision date.
    pub decided_on: String,
    /// Valid until.
    pub valid_until: Option<String>,
    /// Authority.
    pub authority: String,
    /// Authority's credit code.
    pub authority_uscc: String,
    /// Last day to publish.
    pub due_on: String,
    /// Today (Beijing).
    pub today: String,
    /// Last day on the public list.
    pub public_until: Option<String>,
}

const DECISION_COLUMNS: &str = "id, case_id, unit_id, item_id, kind, party_name, party_type, party_code, doc_no, category, \
    content, fine_fen, penalty_class, violation, tier, discretion_flag, decided_on, valid_until, authority, authority_uscc, \
    due_on, published_at, published_on, public_until, withdrawn_at, withdraw_reason, changed_on";

/// A filter and keyset page of the public list.
#[derive(Debug, Clone, Default)]
pub struct DecisionPage {
    /// `licence` or `penalty`.
    pub kind: Option<String>,
    /// Show entries still public on this day (Beijing date).
    pub today: String,
    /// Entries after this (published_on, id), in descending order.
    pub before: Option<(String, i64)>,
    /// Page size.
    pub limit: i64,
}

impl Power<'_> {
    /// The decision.
    pub async fn decision(&self, id: i64) -> Result<Decision> {
        sqlx::query_as::<_, Decision>(sqlx::AssertSqlSafe(format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("决定 {id}")))
    }

    /// The decision that closed a case.
    pub async fn decision_of_case(&self, case_id: i64) -> Result<Option<Decision>> {
        Ok(sqlx::query_as::<_, Decision>(sqlx::AssertSqlSafe(format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE case_id = $1"
        )))
        .bind(case_id)
        .fetch_optional(self.0.pool())
        .await?)
    }

    /// Withdraws a publication (changed, revoked or found unlawful) with its reason; it leaves
    /// the public list and stays on record. A withdrawal after its 3-day limit raises a red
    /// alert in the same transaction. Audited.
    pub async fn withdraw_decision(&self, actor: &Actor, id: i64, w: &Withdrawal) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let d: Option<(i64, Option<i64>, String)> = sqlx::query_as(
            "UPDATE decisions SET withdrawn_at = $1, withdraw_reason = $2, changed_on = $3 \
             WHERE id = $4 AND withdrawn_at IS NULL RETURNING unit_id, case_id, doc_no",
        )
        .bind(&now)
        .bind(w.reason.trim())
        .bind(&w.changed_on)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((unit_id, case_id, doc_no)) = d else {
            // unknown id or already withdrawn: tell which
            self.decision(id).await?;
            return Err(StoreError::Conflict("该公示已撤下".into()));
        };
        if w.today > w.due_on {
            sqlx::query(
                "INSERT INTO supervision_alerts (alert_key, unit_id, kind, level, case_id, decision_id, detail, raised_at) \
                 VALUES ($1, $2, 'withdraw_late', 'red', $3, $4, $5, $6)",
            )
            .bind(format!("decision:{id}:withdraw_late"))
            .bind(unit_id)
            .bind(case_id)
            .bind(id)
            .bind(format!(
                "决定 {doc_no} 于 {} 变更或撤销，{} 才撤下公示，超过3日期限（应于 {} 前）",
                w.changed_on, w.today, w.due_on
            ))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.record(
            AuditAction::DecisionWithdraw,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                detail: format!(
                    "撤下双公示 {doc_no}：{}（{} 变更或撤销）",
                    w.reason.trim(),
                    w.changed_on
                ),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One page of the public list, newest first: not withdrawn, still in its public period.
    pub async fn public_decisions(&self, p: &DecisionPage) -> Result<Vec<Decision>> {
        let mut sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE withdrawn_at IS NULL \
             AND (public_until IS NULL OR public_until >= $1) \
             AND (published_on, id) < ($2, $3)"
        );
        if p.kind.is_some() {
            sql.push_str(" AND kind = $5");
        }
        sql.push_str(" ORDER BY published_on DESC, id DESC LIMIT $4");
        let (on, id) = p
            .before
            .clone()
            .unwrap_or_else(|| ("9999-12-31".to_string(), i64::MAX));
        let mut q = sqlx::query_as::<_, Decision>(sqlx::AssertSqlSafe(sql))
            .bind(&p.today)
            .bind(on)
            .bind(id)
            .bind(p.limit.clamp(1, 1000));
        if let Some(k) = &p.kind {
            q = q.bind(k.clone());
        }
        Ok(q.fetch_all(self.0.pool()).await?)
    }

    /// Bulk insert of already-published decisions (benchmarks and migrations from an old
    /// system), in multi-row statements of 500, without alerts; one audit entry for the batch.
    pub async fn import_decisions(&self, actor: &Actor, rows: &[NewDecision]) -> Result<usize> {
        const COLS: usize = 24;
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        for chunk in rows.chunks(500) {
            let values = crate::values_rows(chunk.len(), COLS, |_| String::new());
            let sql = format!(
                "INSERT INTO decisions (case_id, unit_id, item_id, kind, party_name, party_type, party_code, doc_no, category, \
                 content, fine_fen, penalty_class, violation, tier, discretion_flag, decided_on, valid_until, authority, \
                 authority_uscc, due_on, published_at, published_on, public_until, created_by) VALUES {values}"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for d in chunk {
                q = q
                    .bind(d.case_id)
                    .bind(d.unit_id)
                    .bind(d.item_id)
                    .bind(d.kind.clone())
                    .bind(d.party_name.clone())
                    .bind(d.party_type.clone())
                    .bind(d.party_code.clone())
                    .bind(d.doc_no.clone())
                    .bind(d.category.clone())
                    .bind(d.content.clone())
                    .bind(d.fine_fen)
                    .bind(d.penalty_class.clone())
                    .bind(d.violation.clone())
                    .bind(d.tier.clone())
                    .bind(d.discretion_flag.clone())
                    .bind(d.decided_on.clone())
                    .bind(d.valid_until.clone())
                    .bind(d.authority.clone())
                    .bind(d.authority_uscc.clone())
                    .bind(d.due_on.clone())
                    .bind(now.clone())
                    .bind(d.today.clone())
                    .bind(d.public_until.clone())
                    .bind(actor.name.clone());
            }
            q.execute(&mut *tx).await?;
        }
        tx.record(
            AuditAction::DecisionImport,
            Record {
                entity_id: String::new(),
                detail: format!("批量导入双公示决定 {} 条", rows.len()),
                ..Record::default()
            },
        )
        .await?;
        tx.finish().await?;
        Ok(rows.len())
    }
}

/// Inserts a decision and its alerts inside `tx` (also used by a case's closing move).
pub(super) async fn insert_decision(
    tx: &mut crate::write::Write<'_>,
    d: &NewDecision,
) -> Result<i64> {
    let actor = tx.actor().clone();
    let now = now_text();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO decisions (case_id, unit_id, item_id, kind, party_name, party_type, party_code, doc_no, category, \
         content, fine_fen, penalty_class, violation, tier, discretion_flag, decided_on, valid_until, authority, \
         authority_uscc, due_on, published_at, published_on, public_until, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) \
         RETURNING id",
    )
    .bind(d.case_id)
    .bind(d.unit_id)
    .bind(d.item_id)
    .bind(&d.kind)
    .bind(d.party_name.trim())
    .bind(&d.party_type)
    .bind(&d.party_code)
    .bind(d.doc_no.trim())
    .bind(d.category.trim())
    .bind(d.content.trim())
    .bind(d.fine_fen)
    .bind(&d.penalty_class)
    .bind(&d.violation)
    .bind(&d.tier)
    .bind(&d.discretion_flag)
    .bind(&d.decided_on)
    .bind(&d.valid_until)
    .bind(&d.authority)
    .bind(&d.authority_uscc)
    .bind(&d.due_on)
    .bind(&now)
    .bind(&d.today)
    .bind(&d.public_until)
    .bind(&actor.name)
    .fetch_one(&mut **tx)
    .await
    .map_err(crate::conflict("该办件的决定"))?;
    let mut alerts = Vec::new();
    if !d.discretion_flag.is_empty() {
        alerts.push(("discretion", "red", d.discretion_flag.clone()));
    }
    if d.today > d.due_on {
        alerts.push((
            "publicity_late",
            "red",
            format!(
                "决定 {} 于 {} 公示，超过7个工作日期限（应于 {} 前）",
                d.doc_no.trim(),
                d.today,
                d.due_on
            ),
        ));
    }
    for (kind, level, detail) in alerts {
        sqlx::query(
            "INSERT INTO supervision_alerts (alert_key, unit_id, kind, level, case_id, decision_id, detail, raised_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(format!("decision:{id}:{kind}"))
        .bind(d.unit_id)
        .bind(kind)
        .bind(level)
        .bind(d.case_id)
        .bind(id)
        .bind(&detail)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    super::supervision::enqueue_reminders(tx.tx(), &now).await?;
    tx.record(
        AuditAction::DecisionPublish,
        Record {
            unit_id: Some(d.unit_id),
            entity_id: id.to_string(),
            after: format!(
                "{} {} {} {}",
                d.kind,
                d.doc_no.trim(),
                d.party_name.trim(),
                d.fine_fen
            ),
            detail: format!("双公示：{} {}", d.doc_no.trim(), d.party_name.trim()),
            ..Record::default()
        },
    )
    .await?;
    Ok(id)
}
