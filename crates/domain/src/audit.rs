//! The audit trail's hash chain.
//!
//! Each entry carries the hash of the entry before it (the first carries [`GENESIS`]) and its
//! own hash over all its fields. Altering a row breaks its own hash; removing or inserting a row
//! breaks the sequence or the link to the previous hash. [`verify_chain`] walks the entries in
//! order and names the first one that does not fit.

use sha2::{Digest, Sha256};

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, starting at 1 with no gaps.
    pub seq: i64,
    /// When, as RFC 3339 UTC text.
    pub at: String,
    /// Who: staff id, or `None` for the system or the public.
    pub actor_id: Option<i64>,
    /// Who, as a readable name (account name, `system`, `cli`).
    pub actor: String,
    /// The unit the change belongs to, if any.
    pub unit_id: Option<i64>,
    /// What was done, e.g. `staff.create`.
    pub action: String,
    /// The kind of record changed, e.g. `staff`.
    pub entity: String,
    /// The id of the record changed.
    pub entity_id: String,
    /// SHA-256 of the record before the change (empty when it was created).
    pub before_digest: String,
    /// SHA-256 of the record after the change (empty when it was removed from view).
    pub after_digest: String,
    /// A short human-readable description.
    pub detail: String,
    /// The hash of the previous entry.
    pub prev_hash: String,
    /// The hash of this entry.
    pub hash: String,
}

/// SHA-256 hex digest of any text (used for before/after digests).
pub fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The hash of an entry: SHA-256 over every field but `hash`, each length-prefixed so that no
/// two different entries serialise alike.
pub fn entry_hash(e: &AuditEntry) -> String {
    let actor_id = e.actor_id.map(|v| v.to_string()).unwrap_or_default();
    let unit_id = e.unit_id.map(|v| v.to_string()).unwrap_or_default();
    let seq = e.seq.to_string();
    let fields: [&str; 12] = [
        &seq,
        &e.at,
        &actor_id,
        &e.actor,
        &unit_id,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.before_digest,
        &e.after_digest,
        &e.detail,
        &e.prev_hash,
    ];
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// What is wrong with the chain, at the first entry that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The stored hash does not match the entry's content: the row was altered.
    #[error("审计记录 #{seq} 的内容与其哈希不符（altered entry）")]
    Altered {
        /// The entry's sequence number.
        seq: i64,
    },
    /// The entry does not link to the previous entry's hash: a row was inserted or removed.
    #[error(
        "审计记录 #{seq} 与前一条记录的哈希不衔接（broken link: entry inserted or removed before it）"
    )]
    BrokenLink {
        /// The entry's sequence number.
        seq: i64,
    },
    /// The sequence numbers are not 1, 2, 3, ...
    #[error("审计记录序号不连续：期望 #{expected}，实际 #{found}（entry removed or inserted）")]
    Gap {
        /// The sequence number that should come next.
        expected: i64,
        /// The one found.
        found: i64,
    },
    /// The chain ends before the recorded head: entries were removed from its end.
    #[error("审计链在 #{last} 结束，但链头记录为 #{head}（entries removed from the end）")]
    Truncated {
        /// The last entry found.
        last: i64,
        /// The head recorded when the last entry was written.
        head: i64,
    },
    /// The recorded head does not match the last entry.
    #[error("审计链头与最后一条记录 #{seq} 不符（head mismatch）")]
    HeadMismatch {
        /// The last entry's sequence number.
        seq: i64,
    },
}

/// Incremental verifier: feed entries in sequence order, then call [`ChainVerifier::finish`].
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainError> {
        if e.seq != self.expected_seq {
            return Err(ChainError::Gap {
                expected: self.expected_seq,
                found: e.seq,
            });
        }
        if entry_hash(e) != e.hash {
            return Err(ChainError::Altered { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainError::BrokenLink { seq: e.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    /// Checks the end of the chain against the recorded head (`None`: nothing recorded yet).
    /// Returns the number of entries verified.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<i64, ChainError> {
        let last = self.expected_seq - 1;
        match head {
            None if last == 0 => Ok(0),
            None => Err(ChainError::HeadMismatch { seq: last }),
            Some((seq, _)) if seq > last => Err(ChainError::Truncated { last, head: seq }),
            Some((seq, hash)) if seq != last || hash != self.prev_hash => {
                Err(ChainError::HeadMismatch { seq: last })
            }
            Some(_) => Ok(last),
        }
    }
}

/// Verifies a whole chain (see [`ChainVerifier`]).
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    head: Option<(i64, &str)>,
) -> Result<i64, ChainError> {
    let mut v = ChainVerifier::default();
    for e in entries {
        v.push(e)?;
    }
    v.finish(head)
}

/// Declares [`AuditAction`]: each action with its stored code and the kind of record it changes.
macro_rules! audit_actions {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $entity:literal;)*) => {
        /// What a change did, as recorded in the audit trail. Every state change in gongkai is
        /// one of these; the store's audited write takes one and nothing else, so the trail has
        /// one vocabulary (a new change needs a new variant here).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($(#[$doc])* $variant,)*
        }

        impl AuditAction {
            /// Every action, in declaration order.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The code stored in the trail, e.g. `item.publish`.
            pub fn code(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $code,)*
                }
            }

            /// The kind of record the action changes, e.g. `item`.
            pub fn entity(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $entity,)*
                }
            }

            /// The action with this stored code.
            pub fn from_code(code: &str) -> Option<AuditAction> {
                match code {
                    $($code => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_actions! {
    /// A year's working-day calendar was imported.
    CalendarImport => "calendar.import", "calendar_year";
    /// A staff member signed in.
    Login => "auth.login", "staff";
    /// A staff member signed out.
    Logout => "auth.logout", "staff";
    /// An API token was issued.
    ApiTokenCreate => "api_token.create", "api_token";
    /// An API token was revoked.
    ApiTokenRevoke => "api_token.revoke", "api_token";
    /// A unit was created.
    UnitCreate => "unit.create", "unit";
    /// A unit's public profile (address, phone, hours) changed.
    UnitUpdateProfile => "unit.update_profile", "unit";
    /// A unit's own part of its disclosure guide changed.
    UnitUpdateGuide => "unit.update_guide", "unit";
    /// A disclosure application was received (submitted online or registered by staff).
    ApplicationSubmit => "application.submit", "application";
    /// A message to the government was received (政民互动).
    MessageSubmit => "message.submit", "message";
    /// A step was taken on a message (transfer, acceptance, request for more, draft, review,
    /// abuse mark); an approved answer with the writer's consent is published masked.
    MessageStep => "message.step", "message";
    /// A service event was rated (好差评).
    RatingSubmit => "rating.submit", "rating";
    /// A step on a bad rating: rectified and answered, appealed, appeal upheld or overturned.
    RatingStep => "rating.step", "rating";
    /// A window visit was registered (its rating slip printed).
    VisitRegister => "visit.register", "service_visit";
    /// A draft was put out for public consultation (意见征集).
    ConsultationOpen => "consultation.open", "consultation";
    /// A consultation draft was revised (a new version).
    ConsultationRevise => "consultation.revise", "consultation";
    /// A comment was made on a consultation draft.
    ConsultationComment => "consultation.comment", "consultation_comment";
    /// A consultation comment was hidden with a reason (kept).
    ConsultationModerate => "consultation.moderate", "consultation_comment";
    /// Comments' adoption (采纳情况) was recorded.
    ConsultationAdopt => "consultation.adopt", "consultation";
    /// A consultation's adoption report was published with the decision.
    ConsultationReport => "consultation.report", "consultation";
    /// A major decision was put in the year's catalog (重大行政决策事项目录).
    DecisionCreate => "major_decision.create", "major_decision";
    /// A step of a major decision's procedure was recorded.
    DecisionStep => "major_decision.step", "major_decision";
    /// A unit's aliases (other names it is known by in documents) changed.
    UnitAliases => "unit.aliases", "unit";
    /// A work plan was read from a file and stored as a draft.
    PlanImport => "plan.import", "plan";
    /// A work plan was confirmed: its points became tasks.
    PlanConfirm => "plan.confirm", "plan";
    /// A work plan was withdrawn (kept).
    PlanWithdraw => "plan.withdraw", "plan";
    /// A unit reported progress on a task of the work plan.
    PlanReport => "plan.report", "plan_task";
    /// The openness office marked a task of the work plan done.
    PlanTaskDone => "plan.task_done", "plan_task";
    /// The openness office notified a unit of a problem to rectify (告知).
    NoticeIssue => "notice.issue", "oversight_notice";
    /// A step on a notice: the unit's rectification, the office's acceptance or return.
    NoticeStep => "notice.step", "oversight_notice";
    /// A responsible unit filed an evidence file with its progress on a work-plan task.
    PlanTaskFile => "plan.task_file", "plan_task";
    /// The unit filed an evidence file with its rectification of a notice.
    NoticeFile => "notice.file", "oversight_notice";
    /// A training session was arranged.
    TrainingCreate => "training.create", "training";
    /// A unit registered a participant for a training session.
    TrainingRegister => "training.register", "training";
    /// The office marked a participant's attendance.
    TrainingAttendance => "training.attendance", "training";
    /// A town's or street's service center was recorded.
    ServiceCenterSave => "service_center.save", "unit";
    /// A batch of demonstration sites was opened with its criteria.
    DemoBatchCreate => "demo_site.batch_create", "demo_batch";
    /// A unit applied, or was nominated, for a batch of demonstration sites.
    DemoSitePropose => "demo_site.propose", "demo_site";
    /// The office named, turned down or revoked a demonstration site.
    DemoSiteDecide => "demo_site.decide", "demo_site";
    /// A batch's list of demonstration sites was published.
    DemoBatchPublish => "demo_site.publish", "demo_batch";
    /// A site was put on (or its schedule changed in) the office's inspection list.
    InspectionSite => "inspection.site", "inspection_site";
    /// An inspection of a site was queued (by hand or by the schedule).
    InspectionRequest => "inspection.request", "inspection";
    /// An inspection finished (its verdict and score) or failed (why).
    InspectionFinish => "inspection.finish", "inspection";
    /// The office graded a unit's archives for the year's assessment.
    EvaluationGrade => "evaluation.grade", "unit";
    /// The office published the year's assessment (a frozen copy of the scorecards).
    EvaluationPublish => "evaluation.publish", "evaluation";
    /// The office withdrew a published assessment (kept, no longer shown).
    EvaluationWithdraw => "evaluation.withdraw", "evaluation";
    /// A year's classification of government expenditure was imported.
    FinanceCodesImport => "finance.codes_import", "finance_codes";
    /// A unit's budget or final-account set was imported (checked, stored as a draft).
    FinanceImport => "finance.import", "finance_set";
    /// The explanatory text of a set was edited.
    FinanceExplain => "finance.explain", "finance_set";
    /// A set was submitted for review.
    FinanceSubmit => "finance.submit", "finance_set";
    /// A reviewer sent a set back to its editors.
    FinanceReturn => "finance.return", "finance_set";
    /// A set was published (the version it replaces superseded, kept).
    FinancePublish => "finance.publish", "finance_set";
    /// A published set was withdrawn (kept, no longer shown).
    FinanceWithdraw => "finance.withdraw", "finance_set";
    /// A village's posting was drafted or its ledger imported.
    VillagePostingSave => "village.save", "village_posting";
    /// A village's supervisory committee reviewed a posting.
    VillagePostingReview => "village.review", "village_posting";
    /// A village posted a reviewed posting.
    VillagePostingPost => "village.post", "village_posting";
    /// A village's posting was withdrawn (kept; its period may be posted again).
    VillagePostingWithdraw => "village.withdraw", "village_posting";
    /// A message routing rule was added, changed or switched off.
    MessageRoute => "message.route", "message_route";
    /// A handling step was taken on an application (correction, consultation, extension, fee,
    /// draft, approval, delivery, closing).
    ApplicationStep => "application.step", "application";
    /// An application's handler was assigned.
    ApplicationAssign => "application.assign", "application";
    /// A file was filed on an application (identity scan, consultation letter, released record).
    ApplicationFile => "application.file", "application";
    /// A reconsideration or lawsuit about an application was recorded or updated.
    ApplicationRemedy => "application.remedy", "application";
    /// An answered application was put in the public register (masked) or taken out.
    ApplicationRegister => "application.register", "application";
    /// A unit's annual report figures or text were edited.
    AnnualReportEdit => "annual_report.edit", "annual_report";
    /// A letter template was edited.
    LetterTemplateEdit => "letter_template.edit", "letter_template";
    /// A staff account was created.
    StaffCreate => "staff.create", "staff";
    /// Two-step sign-in was turned on for an account.
    StaffTotpOn => "staff.totp_on", "staff";
    /// Two-step sign-in was turned off for an account.
    StaffTotpOff => "staff.totp_off", "staff";
    /// An account was enabled again.
    StaffEnable => "staff.enable", "staff";
    /// An account was disabled (accounts are never deleted).
    StaffDisable => "staff.disable", "staff";
    /// An account's password was reset by a manager (to be changed at the next sign-in).
    StaffPasswordReset => "staff.password_reset", "staff";
    /// A staff member changed their own password.
    StaffPasswordChange => "staff.password_change", "staff";
    /// A staff member set their e-mail address for reminders.
    StaffEmail => "staff.email", "staff";
    /// An account's role was changed.
    StaffRoleChange => "staff.role_change", "staff";
    /// An account's recent failed sign-ins were cleared, lifting the delay on it.
    StaffUnlock => "staff.unlock", "staff";
    /// A webhook subscription was created.
    WebhookCreate => "webhook.create", "webhook";
    /// A webhook subscription was changed (address, events, secret, active).
    WebhookUpdate => "webhook.update", "webhook";
    /// A failed job was queued again by hand.
    JobRetry => "job.retry", "job";
    /// An entry of the standard catalog was added.
    StandardAdd => "standard.add", "standard_entry";
    /// An entry of the standard catalog was changed by an import.
    StandardUpdate => "standard.update", "standard_entry";
    /// An entry of the standard catalog was retired.
    StandardRetire => "standard.retire", "standard_entry";
    /// A category of a unit's disclosure catalog was created.
    CatalogCreate => "catalog.create", "catalog_category";
    /// An information item was created (its first draft).
    ItemCreate => "item.create", "item";
    /// A draft revision was edited.
    ItemEdit => "item.edit", "item_revision";
    /// A revision moved through the review workflow.
    ItemTransition => "item.transition", "item_revision";
    /// A revision was published.
    ItemPublish => "item.publish", "item";
    /// A new revision of a published item was started.
    ItemRevise => "item.revise", "item_revision";
    /// A published item was withdrawn (kept on record).
    ItemWithdraw => "item.withdraw", "item";
    /// A file was attached to a revision.
    ItemAttach => "item.attach", "attachment";
    /// An attachment was removed from a draft (a draft's files were never public).
    ItemDetach => "item.detach", "attachment";
    /// Already-published items were imported.
    ItemImport => "item.import", "item";
    /// A scan finding was kept with a reason.
    ScanOverride => "scan.override", "scan_finding";
    /// A scan finding was masked.
    ScanMask => "scan.mask", "scan_finding";
    /// Every open finding of a revision was masked at once.
    ScanMaskAll => "scan.mask_all", "item_revision";
    /// The sensitive-word list was replaced.
    SensitiveWords => "scan.words", "sensitive_words";
    /// A case was opened.
    CaseOpen => "case.open", "case";
    /// Cases were imported.
    CaseImport => "case.import", "case";
    /// A case moved to its next step.
    CaseMove => "case.move", "case";
    /// A case was closed with its outcome.
    CaseClose => "case.close", "case";
    /// A case's clock was stopped.
    CaseSuspend => "case.suspend", "case";
    /// A case's clock was started again.
    CaseResume => "case.resume", "case";
    /// An outcome document was filed on a case.
    CaseDocument => "case.document", "case";
    /// The e-supervision scan raised or resolved alerts.
    SupervisionScan => "supervision.scan", "supervision";
    /// A unit's power list was imported.
    PowerImport => "power.import", "power_item";
    /// A power item was created.
    PowerCreate => "power.create", "power_item";
    /// A draft version of a power item was edited.
    PowerEdit => "power.edit", "power_item";
    /// A new version of a published power item was started.
    PowerRevise => "power.revise", "power_item";
    /// A version was submitted for review.
    PowerSubmit => "power.submit", "power_item";
    /// The establishment office passed a version.
    PowerEstablishmentPass => "power.establishment_pass", "power_item";
    /// The legal office passed a version, which published it.
    PowerPublish => "power.publish", "power_item";
    /// A review stage sent a version back.
    PowerSendBack => "power.send_back", "power_item";
    /// A power item was retired (kept on record).
    PowerRetire => "power.retire", "power_item";
    /// A decision was published under double publicity.
    DecisionPublish => "decision.publish", "decision";
    /// Decisions were imported.
    DecisionImport => "decision.import", "decision";
    /// A published decision was withdrawn or changed.
    DecisionWithdraw => "decision.withdraw", "decision";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: format!("2026-11-27T10:00:{seq:02}Z"),
                    actor_id: Some(1),
                    actor: "admin".into(),
                    unit_id: Some(2),
                    action: "unit.update".into(),
                    entity: "unit".into(),
                    entity_id: "2".into(),
                    before_digest: digest("a"),
                    after_digest: digest("b"),
                    detail: format!("change {seq}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn head(c: &[AuditEntry]) -> Option<(i64, &str)> {
        c.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(&c, head(&c)), Ok(5));
        assert_eq!(verify_chain(&[], None), Ok(0));
    }

    #[test]
    fn tampering_is_named() {
        let c = chain(5);
        let h = head(&c).map(|(s, h)| (s, h.to_string()));
        let h = h.as_ref().map(|(s, h)| (*s, h.as_str()));

        let mut altered = c.clone();
        altered[2].detail = "forged".into();
        assert_eq!(
            verify_chain(&altered, h),
            Err(ChainError::Altered { seq: 3 })
        );

        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            verify_chain(&removed, h),
            Err(ChainError::Gap {
                expected: 2,
                found: 3
            })
        );

        let mut rehashed = c.clone();
        rehashed[1].detail = "forged".into();
        rehashed[1].hash = entry_hash(&rehashed[1]);
        assert_eq!(
            verify_chain(&rehashed, h),
            Err(ChainError::BrokenLink { seq: 3 })
        );

        let truncated = &c[..4];
        assert_eq!(
            verify_chain(truncated, h),
            Err(ChainError::Truncated { last: 4, head: 5 })
        );

        let mut inserted = c.clone();
        let mut extra = c[4].clone();
        extra.seq = 6;
        extra.hash = entry_hash(&extra);
        inserted.push(extra);
        assert_eq!(
            verify_chain(&inserted, h),
            Err(ChainError::BrokenLink { seq: 6 })
        );
    }

    #[test]
    fn audit_action_codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.code()), "{} twice", a.code());
            assert_eq!(AuditAction::from_code(a.code()), Some(*a));
            assert!(a.code().contains('.'), "{}", a.code());
        }
        assert_eq!(AuditAction::from_code("item.nothing"), None);
    }
}
