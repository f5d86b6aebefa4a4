//! Roles and the access policy: which role may do what, for which unit.
//!
//! Every protected operation in gongkai is an [`Action`] on a target unit. Staff of the district
//! openness office and system administrators act district-wide; every other role acts only for
//! its own unit. The web layer asks [`allowed`] before it reads or writes anything.

use serde::{Deserialize, Serialize};

/// A staff role. One account has exactly one role and belongs to exactly one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: manages units, accounts and the calendar for the whole district.
    Admin,
    /// 政务公开办: supervises all units.
    OpennessOffice,
    /// 信息编辑: drafts the unit's information.
    Editor,
    /// 审核人员: secrecy and legality review for the unit.
    Reviewer,
    /// 单位负责人: approves for the unit.
    Leader,
    /// 办件人员: handles applications and cases for the unit.
    CaseHandler,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::OpennessOffice,
        Role::Editor,
        Role::Reviewer,
        Role::Leader,
        Role::CaseHandler,
    ];

    /// The code used in the database, the CLI and the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::OpennessOffice => "openness_office",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Leader => "leader",
            Role::CaseHandler => "case_handler",
        }
    }

    /// The Chinese name shown in the UI.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::OpennessOffice => "政务公开办",
            Role::Editor => "信息编辑",
            Role::Reviewer => "审核人员",
            Role::Leader => "单位负责人",
            Role::CaseHandler => "办件人员",
        }
    }

    /// Parses a role code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the role acts for every unit of the district.
    pub fn is_district_wide(self) -> bool {
        matches!(self, Role::Admin | Role::OpennessOffice)
    }
}

/// A protected operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See a unit's back-office overview (its unpublished work, staff count).
    ViewUnitDesk,
    /// See a unit's staff accounts.
    ViewUnitStaff,
    /// Create or disable staff accounts of a unit.
    ManageStaff,
    /// Edit a unit's profile (contact details of its openness body).
    EditUnitProfile,
    /// Create units or move them in the tree.
    ManageUnits,
    /// Read a unit's audit trail.
    ViewAudit,
    /// Import a year's holiday schedule.
    ImportCalendar,
    /// Draft, edit, review, approve or withdraw a unit's information items (which of these a
    /// role may do is the workflow's rule; this is the unit scope).
    WorkOnItems,
    /// Maintain the district's sensitive-word list and standard catalog.
    ManageStandards,
    /// Manage the district's webhooks and read their delivery log.
    ManageWebhooks,
    /// Draft and edit a unit's power items (power list), submit them for review, retire them.
    ManagePowerItems,
    /// Review power items as the reviewing office: the target unit is the office (the
    /// establishment office or the legal-affairs office), not the item's unit.
    ReviewPowerItems,
    /// Open, move, suspend and decide a unit's cases, and withdraw its publications.
    HandleCases,
    /// See every unit's e-supervision alerts and run the alert scan.
    Supervise,
    /// Add a category to a unit's disclosure catalog.
    AddCategory,
    /// Withdraw a unit's published information items.
    WithdrawItems,
    /// Mask the personal data and sensitive words the scan found in a unit's drafts.
    MaskFindings,
    /// Let a scan finding through with a reason (the reviewer's judgement).
    OverrideFindings,
    /// Create accounts with a district-wide role (openness office, administrator).
    GrantDistrictRoles,
    /// Register, handle and answer a unit's disclosure applications, and read the applicants'
    /// identity documents and scans.
    HandleApplications,
    /// Approve a unit's answers to disclosure applications and their extensions (the head of
    /// the openness body).
    ApproveApplications,
    /// Edit the answer-letter templates of the district.
    EditLetterTemplates,
    /// Accept, transfer, ask about and draft answers to a unit's messages (政民互动).
    HandleMessages,
    /// Review a unit's answers to messages (let them out or send them back) and mark abusive
    /// messages.
    ReviewMessages,
    /// Route messages to the district: edit the routing rules and transfer any unit's message.
    RouteMessages,
    /// Register a unit's window visits (their rating slips) and verify, rectify and answer its
    /// bad ratings.
    HandleRatings,
    /// Appeal a bad rating of the unit (the unit's leader).
    AppealRatings,
    /// Decide appeals against bad ratings (uphold or overturn).
    DecideRatingAppeals,
    /// Put a unit's drafts out for public consultation, revise them, moderate the comments and
    /// report their adoption.
    ManageConsultations,
    /// Put a unit's major decisions in the year's catalog and record their procedure.
    ManageDecisions,
    /// Import, confirm and withdraw the year's work plan, mark its tasks done, and edit the
    /// units' aliases its phrases are matched against (the openness office).
    ManagePlans,
    /// Report the unit's progress on the work plan's tasks it is responsible for.
    ReportOnTasks,
    /// Notify units of problems to rectify and review their rectifications (the openness
    /// office's five-step loop).
    ManageOversight,
    /// File the unit's rectification of a notice.
    RectifyNotices,
    /// Arrange training sessions and mark attendance (the openness office).
    ManageTrainings,
    /// Register the unit's participants for a training session.
    RegisterTrainees,
    /// Open batches of demonstration sites, nominate, decide, publish and revoke (the office).
    ManageDemoSites,
    /// Apply for the unit to become a demonstration site (its leader).
    ApplyDemoSite,
    /// See every unit's assessment, grade the units' archives and publish the year's
    /// assessment (the openness office).
    ManageEvaluation,
    /// Import a unit's budget and final-account sets, write their explanatory text and submit
    /// them for review.
    ManageFinance,
    /// Review a unit's budget and final-account sets: publish, send back, withdraw.
    ApproveFinance,
    /// Draft a village's postings (村务公开), import its ledgers, post what its committee
    /// reviewed, withdraw.
    PostVillageAffairs,
    /// Record the village supervisory committee's (村务监督委员会) review of a posting.
    ReviewVillageAffairs,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 43] = [
        Action::ViewUnitDesk,
        Action::ViewUnitStaff,
        Action::ManageStaff,
        Action::EditUnitProfile,
        Action::ManageUnits,
        Action::ViewAudit,
        Action::ImportCalendar,
        Action::WorkOnItems,
        Action::ManageStandards,
        Action::ManageWebhooks,
        Action::ManagePowerItems,
        Action::ReviewPowerItems,
        Action::HandleCases,
        Action::Supervise,
        Action::AddCategory,
        Action::WithdrawItems,
        Action::MaskFindings,
        Action::OverrideFindings,
        Action::GrantDistrictRoles,
        Action::HandleApplications,
        Action::ApproveApplications,
        Action::EditLetterTemplates,
        Action::HandleMessages,
        Action::ReviewMessages,
        Action::RouteMessages,
        Action::HandleRatings,
        Action::AppealRatings,
        Action::DecideRatingAppeals,
        Action::ManageConsultations,
        Action::ManageDecisions,
        Action::ManagePlans,
        Action::ReportOnTasks,
        Action::ManageOversight,
        Action::RectifyNotices,
        Action::ManageTrainings,
        Action::RegisterTrainees,
        Action::ManageDemoSites,
        Action::ApplyDemoSite,
        Action::ManageEvaluation,
        Action::ManageFinance,
        Action::ApproveFinance,
        Action::PostVillageAffairs,
        Action::ReviewVillageAffairs,
    ];

    /// What a refused staff member is told, in Chinese.
    pub fn refusal(self) -> &'static str {
        match self {
            Action::ViewUnitDesk | Action::ViewUnitStaff => "您的账号无权查看该单位",
            Action::ManageStaff => "您的账号无权管理该单位的账号（仅系统管理员或本单位负责人）",
            Action::EditUnitProfile => "您的账号无权修改该单位的资料或栏目",
            Action::ManageUnits => "您的账号无权新建或调整单位（仅系统管理员）",
            Action::ViewAudit => "您的账号无权查看该单位的审计日志",
            Action::ImportCalendar => "您的账号无权导入工作日历（仅系统管理员）",
            Action::WorkOnItems => "您的账号无权处理该单位的信息",
            Action::ManageStandards => {
                "您的账号无权维护敏感词表和标准目录（仅政务公开办公室或系统管理员）"
            }
            Action::ManageWebhooks => "您的账号无权管理推送接口（仅政务公开办公室或系统管理员）",
            Action::ManagePowerItems => "您的账号无权编辑该单位的权力清单",
            Action::ReviewPowerItems => {
                "您的账号无权审核权力事项（仅编办、法制审核机构的审核人员或负责人）"
            }
            Action::HandleCases => "您的账号无权办理该单位的办件（仅本单位办件人员或负责人）",
            Action::Supervise => "您的账号无权查看全区电子监察（仅政务公开办公室或系统管理员）",
            Action::AddCategory => "您的账号无权增设栏目（仅本单位负责人）",
            Action::WithdrawItems => "您的账号无权撤回信息（仅本单位负责人）",
            Action::MaskFindings => "您的账号无权脱敏（仅本单位编辑或审核人员）",
            Action::OverrideFindings => "您的账号无权放行（仅本单位审核人员）",
            Action::GrantDistrictRoles => "您的账号无权创建全区范围的账号（仅系统管理员）",
            Action::HandleApplications => {
                "您的账号无权办理该单位的政府信息公开申请（仅本单位办件人员或负责人）"
            }
            Action::ApproveApplications => "您的账号无权审批答复或延期（仅本单位负责人）",
            Action::EditLetterTemplates => {
                "您的账号无权修改答复文书模板（仅政务公开办公室或系统管理员）"
            }
            Action::HandleMessages => "您的账号无权办理该单位的留言",
            Action::ReviewMessages => {
                "您的账号无权审核该单位的留言答复（仅本单位审核人员或负责人）"
            }
            Action::RouteMessages => "您的账号无权分办留言（仅政务公开办公室或系统管理员）",
            Action::HandleRatings => "您的账号无权办理该单位的好差评（仅本单位办件人员或负责人）",
            Action::AppealRatings => "您的账号无权对差评提出申诉（仅本单位负责人）",
            Action::DecideRatingAppeals => {
                "您的账号无权审核差评申诉（仅政务公开办公室或系统管理员）"
            }
            Action::ManageDecisions => {
                "您的账号无权登记重大行政决策（仅政务公开办公室、系统管理员或本单位负责人）"
            }
            Action::ManageConsultations => {
                "您的账号无权管理该单位的征求意见（仅本单位编辑、审核人员或负责人）"
            }
            Action::ManagePlans => "您的账号无权管理工作计划（仅政务公开办公室或系统管理员）",
            Action::ReportOnTasks => {
                "您的账号无权报送该单位的工作任务进展（仅本单位编辑、审核人员或负责人）"
            }
            Action::ManageOversight => {
                "您的账号无权下发或审核整改通知（仅政务公开办公室或系统管理员）"
            }
            Action::RectifyNotices => {
                "您的账号无权报送该单位的整改情况（仅本单位编辑、审核人员或负责人）"
            }
            Action::ManageTrainings => "您的账号无权安排培训（仅政务公开办公室或系统管理员）",
            Action::ManageDemoSites => "您的账号无权评审示范点（仅政务公开办公室或系统管理员）",
            Action::ApplyDemoSite => "您的账号无权为该单位申报示范点（仅本单位负责人）",
            Action::ManageEvaluation => {
                "您的账号无权评定或发布考评结果（仅政务公开办公室或系统管理员）"
            }
            Action::ManageFinance => {
                "您的账号无权导入或编辑该单位的预决算（仅本单位编辑、审核人员或负责人）"
            }
            Action::ApproveFinance => {
                "您的账号无权审核公开该单位的预决算（仅本单位审核人员或负责人）"
            }
            Action::PostVillageAffairs => {
                "您的账号无权登记或公开该村的村务（仅本村编辑、审核人员或负责人）"
            }
            Action::ReviewVillageAffairs => {
                "您的账号无权登记村务监督委员会的审核（仅本村审核人员或负责人）"
            }
            Action::RegisterTrainees => {
                "您的账号无权为该单位报名培训（仅本单位编辑、审核人员、负责人或政务公开办公室）"
            }
        }
    }
}

/// Whether `role` (of unit `own_unit`) may change an account of unit `unit_id` from role `from`
/// to role `to`: it manages that unit's staff, and a district-wide role, given or taken away,
/// needs the right to grant those.
pub fn may_change_role(role: Role, own_unit: i64, unit_id: i64, from: Role, to: Role) -> bool {
    allowed(role, own_unit, Action::ManageStaff, unit_id)
        && (!(from.is_district_wide() || to.is_district_wide())
            || allowed(role, own_unit, Action::GrantDistrictRoles, unit_id))
}

/// Whether a staff member with `role` in unit `actor_unit` may perform `action` for
/// `target_unit`.
pub fn allowed(role: Role, actor_unit: i64, action: Action, target_unit: i64) -> bool {
    let own = actor_unit == target_unit;
    match action {
        Action::ManageUnits | Action::ImportCalendar | Action::GrantDistrictRoles => {
            role == Role::Admin
        }
        Action::AddCategory | Action::WithdrawItems => {
            role == Role::Admin || (own && role == Role::Leader)
        }
        Action::MaskFindings => {
            role == Role::Admin || (own && matches!(role, Role::Editor | Role::Reviewer))
        }
        Action::OverrideFindings => role == Role::Admin || (own && role == Role::Reviewer),
        Action::ManageStandards | Action::ManageWebhooks | Action::Supervise => {
            role.is_district_wide()
        }
        Action::ManagePowerItems => {
            role == Role::Admin
                || (own && matches!(role, Role::Editor | Role::Reviewer | Role::Leader))
        }
        Action::ReviewPowerItems => own && matches!(role, Role::Reviewer | Role::Leader),
        Action::HandleCases | Action::HandleApplications | Action::HandleRatings => {
            role == Role::Admin || (own && matches!(role, Role::CaseHandler | Role::Leader))
        }
        Action::ApproveApplications => role == Role::Admin || (own && role == Role::Leader),
        Action::EditLetterTemplates
        | Action::RouteMessages
        | Action::DecideRatingAppeals
        | Action::ManagePlans
        | Action::ManageOversight
        | Action::ManageTrainings
        | Action::ManageDemoSites
        | Action::ManageEvaluation => role.is_district_wide(),
        Action::RegisterTrainees => {
            role == Role::Admin
                || (own
                    && matches!(
                        role,
                        Role::Editor | Role::Reviewer | Role::Leader | Role::OpennessOffice
                    ))
        }
        Action::ReportOnTasks
        | Action::RectifyNotices
        | Action::ManageFinance
        | Action::PostVillageAffairs => {
            role == Role::Admin
                || (own && matches!(role, Role::Editor | Role::Reviewer | Role::Leader))
        }
        Action::AppealRatings => role == Role::Admin || (own && role == Role::Leader),
        Action::HandleMessages => {
            role == Role::Admin
                || (own
                    && matches!(
                        role,
                        Role::CaseHandler | Role::Editor | Role::Reviewer | Role::Leader
                    ))
        }
        Action::ReviewMessages | Action::ApproveFinance | Action::ReviewVillageAffairs => {
            role == Role::Admin || (own && matches!(role, Role::Reviewer | Role::Leader))
        }
        Action::WorkOnItems | Action::ManageConsultations => {
            role == Role::Admin
                || (own && role != Role::OpennessOffice && role != Role::CaseHandler)
        }
        Action::ManageStaff => role == Role::Admin || (role == Role::Leader && own),
        Action::ViewAudit => role.is_district_wide() || (role == Role::Leader && own),
        Action::EditUnitProfile | Action::ManageDecisions | Action::ApplyDemoSite => {
            role.is_district_wide() || (role == Role::Leader && own)
        }
        Action::ViewUnitDesk | Action::ViewUnitStaff => role.is_district_wide() || own,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_says_no_in_chinese() {
        for a in Action::ALL {
            assert!(a.refusal().contains("无权"), "{a:?}");
        }
    }

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn unit_roles_never_act_for_other_units() {
        let actions = Action::ALL;
        for role in [
            Role::Editor,
            Role::Reviewer,
            Role::Leader,
            Role::CaseHandler,
        ] {
            for a in actions {
                assert!(!allowed(role, 1, a, 2), "{role:?} {a:?}");
            }
        }
        assert!(allowed(Role::OpennessOffice, 1, Action::ViewUnitDesk, 2));
        assert!(!allowed(Role::OpennessOffice, 1, Action::ManageUnits, 1));
        assert!(allowed(Role::Leader, 3, Action::ManageStaff, 3));
        assert!(!allowed(Role::Editor, 3, Action::ManageStaff, 3));
    }
}
