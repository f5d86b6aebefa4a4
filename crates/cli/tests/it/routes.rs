//! The route table: every route the server has, read from the router's source, must be listed
//! here, either as public or as protected with the access profile it must enforce. Each profile
//! is the expected answer for every role on its own unit and on another unit, written out by
//! hand from the product's rules (not derived from `access::allowed`, the code under test).
//!
//! The matrix test then calls every protected route as every kind of staff member, on a record
//! of their own unit and of another: allowed means the request got past the access check (any
//! answer but 401/403 or the login page), refused means 403 and not one new entry in the audit
//! trail. A new route fails `every_route_is_in_the_table` until its row is written here.

use crate::both;
use crate::support::{Db, TestDb, get, post, post_multipart};
use axum::http::StatusCode;
use regex::Regex;
use std::collections::BTreeSet;
use std::path::Path;

/// Who may use a protected route (the target's unit decides "own").
#[derive(Clone, Copy, Debug, PartialEq)]
enum P {
    /// Any signed-in staff member (their own account, the desk).
    Staff,
    /// The system administrator only.
    Admin,
    /// District-wide roles: administrator and openness office.
    District,
    /// District-wide roles anywhere; unit roles in their own unit.
    UnitView,
    /// Administrator anywhere; the unit's leader.
    Leader,
    /// District-wide roles anywhere; the unit's leader (profile, audit trail).
    UnitProfile,
    /// Administrator anywhere; the unit's editors, reviewers and leader (information items).
    Items,
    /// Administrator anywhere; the unit's editors and reviewers (masking scan findings).
    Mask,
    /// Administrator anywhere; the unit's reviewers (letting a finding through).
    Override,
    /// Administrator anywhere; the unit's editors, reviewers and leader (power list).
    Powers,
    /// Administrator anywhere; the unit's case handlers and leader.
    Cases,
    /// The reviewing office's reviewers and leader only (not even the administrator).
    Office,
    /// Administrator anywhere; the unit's editors, reviewers, leader and openness-office staff
    /// (registering for training).
    Trainees,
    /// Administrator anywhere; the unit's reviewers and leader (publishing a budget, the village
    /// committee's review).
    Approve,
}

const ROLES: [&str; 6] = [
    "admin",
    "openness_office",
    "editor",
    "reviewer",
    "leader",
    "case_handler",
];

/// Per profile, per role in [`ROLES`] order: answer on the own unit, then on another unit.
const PROFILES: &[(P, [&str; 6])] = &[
    (P::Staff, ["YY", "YY", "YY", "YY", "YY", "YY"]),
    (P::Admin, ["YY", "NN", "NN", "NN", "NN", "NN"]),
    (P::District, ["YY", "YY", "NN", "NN", "NN", "NN"]),
    (P::UnitView, ["YY", "YY", "YN", "YN", "YN", "YN"]),
    (P::Leader, ["YY", "NN", "NN", "NN", "YN", "NN"]),
    (P::UnitProfile, ["YY", "YY", "NN", "NN", "YN", "NN"]),
    (P::Items, ["YY", "NN", "YN", "YN", "YN", "NN"]),
    (P::Mask, ["YY", "NN", "YN", "YN", "NN", "NN"]),
    (P::Override, ["YY", "NN", "NN", "YN", "NN", "NN"]),
    (P::Powers, ["YY", "NN", "YN", "YN", "YN", "NN"]),
    (P::Cases, ["YY", "NN", "NN", "NN", "YN", "YN"]),
    (P::Office, ["NN", "NN", "NN", "YN", "YN", "NN"]),
    (P::Trainees, ["YY", "YN", "YN", "YN", "YN", "NN"]),
    (P::Approve, ["YY", "NN", "NN", "YN", "YN", "NN"]),
];

/// What a route's `{id}` (or `{index_no}`) names, so the test can fill it with a record of a
/// known unit.
#[derive(Clone, Copy, Debug, PartialEq)]
enum T {
    /// No record: the route is about the caller or the district.
    None,
    /// A unit.
    Unit,
    /// An information item (by id; by index number under `/api/v1`).
    Item,
    /// A scan finding.
    Finding,
    /// An attachment of a draft.
    Attachment,
    /// An attachment of an item in review (removing it is refused to everyone allowed, so the
    /// fixture survives the matrix).
    SubmittedAttachment,
    /// A staff account.
    Staff,
    /// A power item.
    Power,
    /// A power item with a version waiting for the establishment office's review (the office
    /// is the target unit).
    PowerInReview,
    /// A case.
    Case,
    /// A document filed on a case.
    CaseDocument,
    /// A disclosure application.
    Application,
    /// A message to the government.
    Message,
    /// A service rating.
    Rating,
    /// A consultation.
    Consultation,
    /// A major decision.
    Decision,
    /// A comment on a consultation.
    ConsultationComment,
    /// A task of a confirmed work plan, the target unit responsible for it.
    PlanTask,
    /// An oversight notice to the target unit.
    Notice,
    /// A unit's published budget set.
    FinanceSet,
    /// A village's posted posting (no staff of the matrix belongs to a village).
    VillagePosting,
    /// A district-level record (webhook, job, catalog entry, token): any id; refusals come
    /// first, an allowed caller may get 404.
    Any,
    /// No record; "own" means the caller's unit is a reviewing office (the establishment
    /// office, 编办, in the demo).
    Office,
    /// A unit-owned record this test has no fixture for (a decision under double publicity):
    /// an id that does not exist, so every role must get 403 or 404 and nothing else.
    Missing,
}

/// Every protected route: method and path as in the router, profile, target.
const PROTECTED: &[(&str, P, T)] = &[
    ("GET /admin", P::Staff, T::None),
    ("GET /admin/units", P::Staff, T::None),
    ("POST /admin/units", P::Admin, T::None),
    ("GET /admin/units/{id}", P::UnitView, T::Unit),
    ("GET /admin/units/{id}/staff", P::UnitView, T::Unit),
    ("POST /admin/units/{id}/staff", P::Leader, T::Unit),
    ("POST /admin/units/{id}/profile", P::UnitProfile, T::Unit),
    ("POST /admin/units/{id}/guide", P::UnitProfile, T::Unit),
    ("POST /admin/staff/{id}/active", P::Leader, T::Staff),
    ("POST /admin/staff/{id}/password", P::Leader, T::Staff),
    ("POST /admin/staff/{id}/role", P::Leader, T::Staff),
    ("POST /admin/staff/{id}/unlock", P::Leader, T::Staff),
    ("POST /admin/account/password", P::Staff, T::None),
    ("POST /admin/account/email", P::Staff, T::None),
    ("GET /admin/units/{id}/audit", P::UnitProfile, T::Unit),
    ("GET /admin/calendar", P::Staff, T::None),
    ("POST /admin/calendar", P::Admin, T::None),
    ("GET /admin/account", P::Staff, T::None),
    ("POST /admin/account/totp", P::Staff, T::None),
    ("POST /admin/account/totp/disable", P::Staff, T::None),
    ("POST /admin/account/tokens", P::Staff, T::None),
    ("POST /admin/account/tokens/{id}/revoke", P::Staff, T::Any),
    ("GET /admin/units/{id}/items", P::UnitView, T::Unit),
    ("POST /admin/units/{id}/items", P::Items, T::Unit),
    ("GET /admin/units/{id}/items/new", P::Items, T::Unit),
    ("POST /admin/units/{id}/items/bulk", P::Items, T::Unit),
    ("GET /admin/items/{id}", P::UnitView, T::Item),
    ("GET /admin/attachments/{id}", P::UnitView, T::Attachment),
    (
        "POST /admin/attachments/{id}/remove",
        P::Items,
        T::SubmittedAttachment,
    ),
    ("POST /admin/items/{id}/edit", P::Items, T::Item),
    ("POST /admin/items/{id}/attachments", P::Items, T::Item),
    ("POST /admin/items/{id}/submit", P::Items, T::Item),
    ("POST /admin/items/{id}/review", P::Items, T::Item),
    ("POST /admin/items/{id}/reject", P::Items, T::Item),
    ("POST /admin/items/{id}/approve", P::Items, T::Item),
    ("POST /admin/items/{id}/mask", P::Mask, T::Item),
    ("POST /admin/items/{id}/revise", P::Items, T::Item),
    ("POST /admin/items/{id}/withdraw", P::Leader, T::Item),
    (
        "POST /admin/findings/{id}/override",
        P::Override,
        T::Finding,
    ),
    ("GET /admin/words", P::District, T::None),
    ("POST /admin/words", P::District, T::None),
    ("POST /admin/units/{id}/categories", P::Leader, T::Unit),
    ("GET /admin/webhooks", P::District, T::None),
    ("POST /admin/webhooks", P::District, T::None),
    ("GET /admin/webhooks/{id}", P::District, T::Any),
    ("POST /admin/webhooks/{id}", P::District, T::Any),
    ("POST /admin/jobs/{id}/retry", P::District, T::Any),
    ("GET /admin/timeliness", P::Staff, T::None),
    ("GET /admin/timeliness.xlsx", P::Staff, T::None),
    ("GET /admin/standards", P::District, T::None),
    ("POST /admin/standards/import", P::District, T::None),
    ("POST /admin/standards/{id}/retire", P::District, T::Any),
    ("GET /admin/units/{id}/powers", P::UnitView, T::Unit),
    ("GET /admin/units/{id}/powers/new", P::Powers, T::Unit),
    ("GET /admin/units/{id}/powers.xlsx", P::UnitView, T::Unit),
    ("POST /admin/units/{id}/powers", P::Powers, T::Unit),
    ("POST /admin/units/{id}/powers/import", P::Powers, T::Unit),
    ("GET /admin/powers/{id}", P::UnitView, T::Power),
    ("POST /admin/powers/{id}/edit", P::Powers, T::Power),
    ("POST /admin/powers/{id}/submit", P::Powers, T::Power),
    (
        "POST /admin/powers/{id}/review",
        P::Office,
        T::PowerInReview,
    ),
    ("POST /admin/powers/{id}/revise", P::Powers, T::Power),
    ("POST /admin/powers/{id}/retire", P::Powers, T::Power),
    ("GET /admin/power-reviews", P::Office, T::Office),
    ("GET /admin/units/{id}/cases", P::UnitView, T::Unit),
    ("POST /admin/units/{id}/cases", P::Cases, T::Unit),
    ("GET /admin/cases/{id}", P::UnitView, T::Case),
    ("POST /admin/cases/{id}/move", P::Cases, T::Case),
    ("POST /admin/cases/{id}/suspend", P::Cases, T::Case),
    ("POST /admin/cases/{id}/resume", P::Cases, T::Case),
    ("POST /admin/cases/{id}/documents", P::Cases, T::Case),
    (
        "GET /admin/case-documents/{id}",
        P::UnitView,
        T::CaseDocument,
    ),
    ("POST /admin/decisions/{id}/withdraw", P::Cases, T::Missing),
    // Disclosure applications: unit roles see their own unit's, district roles every unit's;
    // the unit's handlers and leader handle them (extensions and approvals need the leader,
    // checked per step); identity scans only to the handlers.
    ("GET /admin/applications", P::Staff, T::None),
    ("GET /admin/units/{id}/applications", P::UnitView, T::Unit),
    ("GET /admin/units/{id}/applications/new", P::Cases, T::Unit),
    ("POST /admin/units/{id}/applications/new", P::Cases, T::Unit),
    ("GET /admin/applications/{id}", P::UnitView, T::Application),
    (
        "POST /admin/applications/{id}/step",
        P::Cases,
        T::Application,
    ),
    (
        "POST /admin/applications/{id}/assign",
        P::Cases,
        T::Application,
    ),
    (
        "POST /admin/applications/{id}/remedies",
        P::Cases,
        T::Application,
    ),
    (
        "POST /admin/applications/{id}/files",
        P::Cases,
        T::Application,
    ),
    (
        "POST /admin/applications/{id}/register",
        P::Cases,
        T::Application,
    ),
    (
        "POST /admin/applications/{id}/to-item",
        P::Items,
        T::Application,
    ),
    ("GET /admin/application-files/{id}", P::UnitView, T::Missing),
    (
        "GET /admin/applications/{id}/letters/{kind}",
        P::UnitView,
        T::Application,
    ),
    // Messages: unit roles see and handle their own unit's (reviews are checked per step);
    // district roles see every unit's and may transfer any (the routing office), so every
    // role passes the gate of its own unit and district roles that of every unit.
    ("GET /admin/units/{id}/messages", P::UnitView, T::Unit),
    ("GET /admin/messages/{id}", P::UnitView, T::Message),
    ("POST /admin/messages/{id}/step", P::UnitView, T::Message),
    ("GET /admin/message-files/{id}", P::UnitView, T::Missing),
    ("GET /admin/message-routes", P::District, T::None),
    ("POST /admin/message-routes", P::District, T::None),
    // Ratings: unit roles see their own unit's; the unit's handlers and leader register visits
    // and rectify (appeals need the leader, checked per step); the office decides appeals.
    ("GET /admin/units/{id}/ratings", P::UnitView, T::Unit),
    ("POST /admin/units/{id}/visits", P::Cases, T::Unit),
    ("GET /admin/ratings/{id}", P::UnitView, T::Rating),
    ("POST /admin/ratings/{id}/step", P::Cases, T::Rating),
    ("POST /admin/ratings/{id}/decision", P::District, T::Rating),
    // Consultations: the unit's editors, reviewers and leader manage them (like items).
    ("GET /admin/units/{id}/consultations", P::UnitView, T::Unit),
    ("POST /admin/units/{id}/consultations", P::Items, T::Unit),
    (
        "GET /admin/consultations/{id}",
        P::UnitView,
        T::Consultation,
    ),
    (
        "POST /admin/consultations/{id}/revise",
        P::Items,
        T::Consultation,
    ),
    (
        "POST /admin/consultations/{id}/adoptions",
        P::Items,
        T::Consultation,
    ),
    (
        "POST /admin/consultations/{id}/report",
        P::Items,
        T::Consultation,
    ),
    (
        "POST /admin/consultation-comments/{id}/hide",
        P::Items,
        T::ConsultationComment,
    ),
    // Major decisions: district roles everywhere, a unit's leader for the unit.
    ("GET /admin/major-decisions", P::Staff, T::None),
    (
        "POST /admin/units/{id}/major-decisions",
        P::UnitProfile,
        T::Unit,
    ),
    ("GET /admin/major-decisions/{id}", P::UnitView, T::Decision),
    (
        "POST /admin/major-decisions/{id}/steps",
        P::UnitProfile,
        T::Decision,
    ),
    // The work plan: the office manages it; a responsible unit sees its task and reports.
    ("GET /admin/plans", P::Staff, T::None),
    ("POST /admin/plans", P::District, T::None),
    ("GET /admin/plans/{id}", P::District, T::Any),
    ("POST /admin/plans/{id}/confirm", P::District, T::Any),
    ("POST /admin/plans/{id}/withdraw", P::District, T::Any),
    ("GET /admin/plan-tasks/{id}", P::UnitView, T::PlanTask),
    ("POST /admin/plan-tasks/{id}/reports", P::Items, T::PlanTask),
    ("POST /admin/plan-tasks/{id}/done", P::District, T::PlanTask),
    ("POST /admin/plan-tasks/{id}/files", P::Items, T::PlanTask),
    ("GET /admin/plan-task-files/{id}", P::UnitView, T::Missing),
    ("POST /admin/units/{id}/aliases", P::District, T::Unit),
    // The five-step loop: the office notifies and reviews; a unit sees its own notices and
    // files its rectification (which step a role may take is checked past the view).
    ("GET /admin/oversight", P::Staff, T::None),
    ("GET /admin/oversight.xlsx", P::Staff, T::None),
    ("POST /admin/oversight/notices", P::District, T::None),
    ("GET /admin/notices/{id}", P::UnitView, T::Notice),
    ("POST /admin/notices/{id}/step", P::UnitView, T::Notice),
    ("POST /admin/notices/{id}/files", P::Items, T::Notice),
    ("GET /admin/notice-files/{id}", P::UnitView, T::Missing),
    // Website inspection: the office keeps the list and queues inspections; a unit reads the
    // reports of its own sites (no fixture: refused or not found for everyone).
    ("GET /admin/inspections", P::District, T::None),
    ("POST /admin/inspections/sites", P::District, T::None),
    ("POST /admin/inspection-sites/{id}/run", P::District, T::Any),
    ("GET /admin/inspections/{id}", P::UnitView, T::Missing),
    (
        "POST /admin/inspections/{id}/notices",
        P::District,
        T::Missing,
    ),
    // The yearly assessment: the office ranks, grades and publishes; a unit sees its own
    // scorecard (the ranking sends unit staff there).
    ("GET /admin/evaluation", P::Staff, T::None),
    ("GET /admin/evaluation.xlsx", P::District, T::None),
    ("POST /admin/evaluation/publish", P::District, T::None),
    (
        "POST /admin/evaluation/published/{id}/withdraw",
        P::District,
        T::Any,
    ),
    ("GET /admin/units/{id}/evaluation", P::UnitView, T::Unit),
    (
        "POST /admin/units/{id}/evaluation/grade",
        P::District,
        T::Unit,
    ),
    // Training: the office arranges sessions and marks attendance; units register their own.
    ("GET /admin/trainings", P::Staff, T::None),
    ("POST /admin/trainings", P::District, T::None),
    ("GET /admin/trainings/{id}", P::Staff, T::Any),
    (
        "POST /admin/trainings/{id}/participants",
        P::Trainees,
        T::Any,
    ),
    ("POST /admin/trainings/{id}/attendance", P::District, T::Any),
    ("GET /admin/service-centers", P::Staff, T::None),
    (
        "POST /admin/units/{id}/service-center",
        P::UnitProfile,
        T::Unit,
    ),
    // Demonstration sites: the office runs the batches; a unit's leader applies for it.
    ("GET /admin/demo-sites", P::Staff, T::None),
    ("POST /admin/demo-sites", P::District, T::None),
    ("GET /admin/demo-sites/{id}", P::Staff, T::Any),
    (
        "POST /admin/demo-sites/{id}/candidates",
        P::UnitProfile,
        T::Any,
    ),
    ("POST /admin/demo-sites/{id}/publish", P::District, T::Any),
    (
        "POST /admin/demo-site-entries/{id}/decision",
        P::District,
        T::Any,
    ),
    ("GET /admin/letter-templates", P::District, T::None),
    ("POST /admin/letter-templates", P::District, T::None),
    // Unit roles see their own unit's alerts; district roles every unit's.
    ("GET /admin/supervision", P::Staff, T::None),
    ("POST /admin/supervision/scan", P::District, T::None),
    ("GET /admin/supervision/reform", P::Staff, T::None),
    ("GET /api/v1/me", P::Staff, T::None),
    ("GET /api/v1/units/{id}/staff", P::UnitView, T::Unit),
    ("GET /api/v1/units/{id}/audit", P::UnitProfile, T::Unit),
    ("POST /api/v1/units/{id}/items", P::Items, T::Unit),
    ("POST /api/v1/items/{index_no}/{step}", P::Items, T::Item),
    ("GET /api/v1/applications/{id}", P::UnitView, T::Application),
    (
        "POST /api/v1/applications/{id}/steps",
        P::Cases,
        T::Application,
    ),
    ("POST /api/v1/units/{id}/applications", P::Cases, T::Unit),
    ("GET /api/v1/units/{id}/annual-report", P::UnitView, T::Unit),
    ("GET /admin/units/{id}/annual-report", P::UnitView, T::Unit),
    ("POST /admin/units/{id}/annual-report", P::Items, T::Unit),
    (
        "POST /admin/units/{id}/annual-report/publish",
        P::Items,
        T::Unit,
    ),
    // Public finance: a unit imports and explains its own sets, its reviewers publish them; the
    // office reads the report; villages post what their committee reviewed.
    ("GET /admin/finance", P::Staff, T::None),
    ("POST /admin/finance", P::Items, T::None),
    ("GET /admin/finance/oversight", P::District, T::None),
    ("GET /admin/finance/sets/{id}", P::UnitView, T::FinanceSet),
    (
        "POST /admin/finance/sets/{id}/explanation",
        P::Items,
        T::FinanceSet,
    ),
    (
        "POST /admin/finance/sets/{id}/submit",
        P::Items,
        T::FinanceSet,
    ),
    (
        "POST /admin/finance/sets/{id}/return",
        P::Approve,
        T::FinanceSet,
    ),
    (
        "POST /admin/finance/sets/{id}/publish",
        P::Approve,
        T::FinanceSet,
    ),
    (
        "POST /admin/finance/sets/{id}/withdraw",
        P::Approve,
        T::FinanceSet,
    ),
    ("GET /admin/villages", P::Staff, T::None),
    ("GET /admin/villages/{id}", P::UnitView, T::Unit),
    ("POST /admin/villages/{id}", P::Items, T::Unit),
    (
        "POST /admin/village-postings/{id}/review",
        P::Approve,
        T::VillagePosting,
    ),
    (
        "POST /admin/village-postings/{id}/post",
        P::Items,
        T::VillagePosting,
    ),
    (
        "POST /admin/village-postings/{id}/withdraw",
        P::Items,
        T::VillagePosting,
    ),
];

/// Every public route (no session needed).
const PUBLIC: &[&str] = &[
    "GET /",
    "GET /evaluation",
    "GET /evaluation/{year}",
    "GET /units",
    "GET /sitemap",
    "GET /contact",
    "GET /privacy",
    "GET /apply",
    "POST /apply",
    "GET /apply/track",
    "GET /apply/track/letters/{kind}",
    "POST /api/v1/applications",
    "GET /apply/register",
    "GET /messages/new",
    "POST /messages/new",
    "GET /messages/track",
    "GET /messages",
    "GET /messages/{id}",
    "GET /ratings",
    "GET /ratings/new",
    "POST /ratings/new",
    "GET /consultations",
    "GET /consultations/{id}",
    "POST /consultations/{id}/comments",
    "GET /major-decisions",
    "GET /plans",
    "GET /demo-sites",
    "GET /major-decisions/{id}",
    "GET /prefs",
    "GET /healthz",
    "GET /healthz/ready",
    "GET /metrics",
    "GET /static/{*path}",
    "GET /feeds/atom.xml",
    "GET /units/{code}/atom.xml",
    "GET /sitemap.xml",
    "GET /sitemaps/{name}",
    "GET /robots.txt",
    "GET /search",
    "GET /login",
    "POST /login",
    "POST /logout",
    "GET /list",
    "GET /units/{code}",
    "GET /units/{code}/guide",
    "GET /items/{index_no}",
    "GET /files/{id}/{name}",
    "GET /standards",
    "GET /standards.xlsx",
    "GET /powers",
    "GET /powers/{code}",
    "GET /powers/{code}/apply",
    "POST /powers/{code}/apply",
    "GET /cases",
    "GET /double-publicity",
    "GET /double-publicity.csv",
    "GET /double-publicity.xlsx",
    "GET /api/v1/openapi.json",
    "GET /api/v1/units",
    "GET /api/v1/catalog",
    "GET /api/v1/items",
    "GET /api/v1/items/{index_no}",
    "GET /api/v1/search",
    "GET /api/v1/calendar/days",
    "GET /api/v1/calendar/add",
    "GET /api/v1/powers",
    "GET /api/v1/powers/{code}",
    "GET /api/v1/double-publicity",
    "GET /api/v1/cases/{case_no}",
    "GET /finance",
    "GET /finance/{id}",
    "GET /finance/{id}/function.svg",
    "GET /finance/{id}/workbook.xlsx",
    "GET /finance/{id}/tables/{file}",
    "GET /villages",
    "GET /villages/{id}",
    "GET /api/v1/finance",
    "GET /api/v1/finance/records",
];

/// The routes of the router, read from the web crate's source: `METHOD /path` (API routes
/// with their `/api/v1` prefix).
pub fn routes_in_source() -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let route = Regex::new(r#"\.route\(\s*"([^"]+)",\s*"#).unwrap();
    let method = Regex::new(r"\b(get|post)\(").unwrap();
    let mut out = BTreeSet::new();
    let mut files = vec![src.join("lib.rs")];
    for dir in std::fs::read_dir(&src).unwrap() {
        let p = dir.unwrap().path().join("mod.rs");
        if p.exists() {
            files.push(p);
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Where the API routers are: `let api = …;` in lib.rs, `fn api_routes` in modules.
        let api_spans: Vec<(usize, usize)> = ["let api = Router::new()", "pub fn api_routes"]
            .iter()
            .filter_map(|start| {
                let s = text.find(start)?;
                let e = s + text[s..].find(";\n").unwrap_or(text.len() - s);
                let e = e.min(s + text[s..].find("\n}\n").unwrap_or(text.len() - s));
                Some((s, e))
            })
            .collect();
        for m in route.captures_iter(&text) {
            let whole = m.get(0).unwrap();
            // The route's handler expression: up to the closing parenthesis of `.route(`.
            let mut depth = 1;
            let mut end = whole.end();
            for (i, c) in text[whole.end()..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = whole.end() + i;
                    break;
                }
            }
            let handlers = &text[whole.end()..end];
            let path = &m[1];
            let in_api = api_spans
                .iter()
                .any(|(s, e)| (*s..*e).contains(&whole.start()));
            let prefix = if in_api { "/api/v1" } else { "" };
            let methods: BTreeSet<&str> = method
                .captures_iter(handlers)
                .map(|c| c.get(1).unwrap().as_str())
                .collect();
            assert!(
                !methods.is_empty(),
                "no method found for {path}: {handlers}"
            );
            for meth in methods {
                out.insert(format!("{} {prefix}{path}", meth.to_uppercase()));
            }
        }
    }
    out
}

#[test]
fn every_route_is_in_the_table() {
    let source = routes_in_source();
    let mut listed = BTreeSet::new();
    for (r, _, _) in PROTECTED {
        assert!(listed.insert(r.to_string()), "{r} listed twice");
    }
    for r in PUBLIC {
        assert!(listed.insert(r.to_string()), "{r} listed twice");
    }
    let missing: Vec<_> = source.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&source).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in tests/it/routes.rs (add them to PROTECTED with their profile, or to PUBLIC): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for routes that no longer exist: {stale:?}"
    );
    for r in PROTECTED {
        assert!(
            r.0.contains(" /admin") || r.0.contains(" /api/v1/"),
            "{}: protected routes live under /admin or /api/v1",
            r.0
        );
    }
    for r in PUBLIC {
        assert!(!r.contains(" /admin"), "{r}: /admin is never public");
    }
}

/// The rows of the matrix: a staff member of each role, with their unit.
const USERS: &[(&str, &str, &str)] = &[
    ("admin", "admin", "GOV"),
    ("gkb", "openness_office", "GKB"),
    ("jyj_editor", "editor", "JYJ"),
    ("jyj_reviewer", "reviewer", "JYJ"),
    ("jyj_leader", "leader", "JYJ"),
    ("jyj_handler", "case_handler", "JYJ"),
    ("mzj_editor", "editor", "MZJ"),
    ("sjj_handler", "case_handler", "SJJ"),
    ("sjj_leader", "leader", "SJJ"),
    ("bb_reviewer", "reviewer", "BB"),
];

/// Who may use a route beyond its profile: the reviewing office sees the power item it
/// reviews.
const ALSO: &[(&str, &str)] = &[("GET /admin/powers/{id}", "bb_reviewer")];

/// Routes that take `multipart/form-data` (file uploads).
const MULTIPART: &[&str] = &[
    "POST /admin/items/{id}/attachments",
    "POST /admin/units/{id}/powers/import",
    "POST /admin/standards/import",
    "POST /admin/cases/{id}/documents",
    "POST /admin/applications/{id}/files",
    "POST /admin/plans",
    "POST /admin/notices/{id}/files",
    "POST /admin/plan-tasks/{id}/files",
    "POST /admin/finance",
    "POST /admin/villages/{id}",
];

fn expected(p: P, role: &str, own: bool) -> bool {
    let row = PROFILES.iter().find(|(q, _)| *q == p).unwrap().1;
    let cell = row[ROLES.iter().position(|r| *r == role).unwrap()];
    cell.as_bytes()[usize::from(!own)] == b'Y'
}

/// Records of known units to put in the paths: (unit code, value) per target kind.
struct Fixtures {
    units: Vec<(String, String)>,
    items: Vec<(String, String, String)>,
    findings: Vec<(String, String)>,
    attachments: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    powers: Vec<(String, String)>,
    in_review: Vec<(String, String)>,
    cases: Vec<(String, String)>,
    documents: Vec<(String, String)>,
    applications: Vec<(String, String)>,
    messages: Vec<(String, String)>,
    ratings: Vec<(String, String)>,
    consultations: Vec<(String, String)>,
    consultation_comments: Vec<(String, String)>,
    decisions: Vec<(String, String)>,
    plan_tasks: Vec<(String, String)>,
    notices: Vec<(String, String)>,
    finance_sets: Vec<(String, String)>,
    postings: Vec<(String, String)>,
}

async fn fixtures(t: &TestDb, app: &axum::Router) -> Fixtures {
    let mut f = Fixtures {
        units: Vec::new(),
        items: Vec::new(),
        findings: Vec::new(),
        attachments: Vec::new(),
        staff: Vec::new(),
        powers: Vec::new(),
        in_review: Vec::new(),
        cases: Vec::new(),
        documents: Vec::new(),
        applications: Vec::new(),
        messages: Vec::new(),
        ratings: Vec::new(),
        consultations: Vec::new(),
        consultation_comments: Vec::new(),
        decisions: Vec::new(),
        plan_tasks: Vec::new(),
        notices: Vec::new(),
        finance_sets: Vec::new(),
        postings: Vec::new(),
    };
    for (code, someone) in [("JYJ", "jyj_handler"), ("SJJ", "sjj_handler")] {
        f.units
            .push((code.into(), t.unit_id(code).await.to_string()));
        let staff = t
            .store
            .find_staff_credentials(someone)
            .await
            .unwrap()
            .unwrap()
            .staff;
        f.staff.push((code.into(), staff.id.to_string()));
    }
    // An item in JYJ submitted with an ID number in its body (so it has a finding), and a
    // draft in MZJ.
    for (code, editor, body) in [
        (
            "JYJ",
            "jyj_editor",
            "联系人身份证号 11010519491231002X，请核对。",
        ),
        ("MZJ", "mzj_editor", "各街道：请按通知办理。"),
    ] {
        let unit = t.unit_id(code).await;
        let cats = t
            .store
            .disclosure()
            .list_categories(Some(unit))
            .await
            .unwrap();
        let cat = cats.iter().find(|c| c.parent_id.is_some()).unwrap();
        let (cookie, csrf) = t.session_for(editor).await;
        let r = post(
            app,
            &format!("/admin/units/{unit}/items"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("category_id", &cat.id.to_string()),
                ("title", "矩阵测试通知"),
                ("formed_on", "2026-03-02"),
                ("validity", "in_force"),
                ("topic", "其他"),
                ("body", body),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = r.item_id();
        let item = t.store.disclosure().get_item(id).await.unwrap();
        f.items.push((code.into(), id.to_string(), item.index_no));
        let r = post_multipart(
            app,
            &format!("/admin/items/{id}/attachments"),
            Some(&cookie),
            &[("csrf", &csrf)],
            &[("file", "附件.txt", "附件正文".as_bytes())],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let rev = t.store.disclosure().working_revision(id).await.unwrap();
        let files = t
            .store
            .disclosure()
            .attachments(id, rev.revision)
            .await
            .unwrap();
        f.attachments.push((code.into(), files[0].0.id.to_string()));
        if code == "JYJ" {
            let r = post(
                app,
                &format!("/admin/items/{id}/submit"),
                Some(&cookie),
                &[("csrf", &csrf)],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let rev = t.store.disclosure().working_revision(id).await.unwrap();
            let findings = t
                .store
                .disclosure()
                .findings(id, rev.revision)
                .await
                .unwrap();
            f.findings.push((code.into(), findings[0].id.to_string()));
        }
    }
    // SJJ's demo power item, with a new version waiting for the establishment office.
    let sjj = t.unit_id("SJJ").await;
    let items = t
        .store
        .power()
        .items(&gongkai_store::power::ItemFilter {
            unit_id: Some(sjj),
            ..Default::default()
        })
        .await
        .unwrap();
    f.powers.push(("SJJ".into(), items[0].id.to_string()));
    let (sjj_editor, sjj_csrf) = t.session_for("sjj_editor").await;
    let under_review = items[0].id;
    for step in ["revise", "submit"] {
        let r = post(
            app,
            &format!("/admin/powers/{under_review}/{step}"),
            Some(&sjj_editor),
            &[("csrf", &sjj_csrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    f.in_review.push(("BB".into(), under_review.to_string()));
    // A case opened online, with a document filed on it.
    let mut case = None;
    for item in &items {
        let form = get(app, &format!("/powers/{}/apply", item.code), None).await;
        if form.status != StatusCode::OK {
            continue;
        }
        let key = crate::power::input_value(&form.body, "request_key");
        let r = post(
            app,
            &format!("/powers/{}/apply", item.code),
            None,
            &[
                ("request_key", key.as_str()),
                ("applicant_name", "王小明"),
                ("applicant_type", "natural_person"),
                ("applicant_code", "11010519491231002X"),
                ("contact", "13812345678"),
                ("subject", "矩阵测试申请"),
            ],
        )
        .await;
        if r.status == StatusCode::OK {
            let no = crate::power::strong_after(&r.body, "办件编号");
            case = t.store.power().case_by_no(&no).await.unwrap();
            break;
        }
    }
    let case = case.expect("a demo power item takes online applications");
    f.cases.push(("SJJ".into(), case.id.to_string()));
    let (handler, hcsrf) = t.session_for("sjj_handler").await;
    let r = post_multipart(
        app,
        &format!("/admin/cases/{}/documents", case.id),
        Some(&handler),
        &[("csrf", &hcsrf), ("title", "受理通知书")],
        &[("file", "受理通知书.txt", "受理通知书正文".as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let docs = t.store.power().case_documents(case.id).await.unwrap();
    f.documents.push(("SJJ".into(), docs[0].id.to_string()));
    // A disclosure application to JYJ and one to SJJ, submitted online.
    for code in ["JYJ", "SJJ"] {
        let form = get(app, "/apply", None).await;
        let key = crate::power::input_value(&form.body, "request_key");
        let r = post(
            app,
            "/apply",
            None,
            &[
                ("request_key", key.as_str()),
                ("unit", code),
                ("applicant_type", "natural_person"),
                ("name", "张三"),
                ("id_document", "11010519491231002X"),
                ("phone", "0571-12345678"),
                ("content", "矩阵测试申请的信息"),
                ("form", "electronic"),
                ("delivery", "collection"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let unit = t.unit_id(code).await;
        let list = t.store.applications().for_unit(unit, 1, 0).await.unwrap().1;
        f.applications.push((code.into(), list[0].id.to_string()));
    }
    // A message to JYJ and one to SJJ, written on the portal.
    for code in ["JYJ", "SJJ"] {
        let form = get(app, "/messages/new", None).await;
        let key = crate::power::input_value(&form.body, "request_key");
        let r = post(
            app,
            "/messages/new",
            None,
            &[
                ("request_key", key.as_str()),
                ("unit", code),
                ("kind", "consultation"),
                ("name", "张三"),
                ("phone", "0571-12345678"),
                ("subject", "矩阵测试留言"),
                ("body", &format!("矩阵测试留言的内容，写给{code}。")),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let unit = t.unit_id(code).await;
        let list = t.store.messages().for_unit(unit, None, 1).await.unwrap();
        f.messages.push((code.into(), list[0].id.to_string()));
    }
    // A bad rating of a window visit at JYJ and one at SJJ.
    for (n, code) in ["JYJ", "SJJ"].into_iter().enumerate() {
        let unit = t.unit_id(code).await;
        let actor = crate::support::system();
        let visit = t
            .store
            .ratings()
            .register_visit(&actor, unit, "矩阵测试事项", "2026-11-30", "hash")
            .await
            .unwrap();
        let r = t
            .store
            .ratings()
            .rate(
                &actor,
                &gongkai_store::ratings::NewRating {
                    event_kind: "visit",
                    event_id: visit.id,
                    event_no: &visit.visit_no,
                    unit_id: unit,
                    service_code: "visit:矩阵测试事项",
                    service_name: "窗口办事：矩阵测试事项",
                    score: 2,
                    comment: "等候时间太长",
                    rated_on: "2026-11-30",
                    due: Some(gongkai_store::ratings::RatingDue {
                        due_on: "2026-12-07".into(),
                        note: format!("矩阵测试{n}"),
                        soon: "2026-12-04".into(),
                        red: "2026-12-08".into(),
                    }),
                    client_addr: "",
                },
            )
            .await
            .unwrap();
        f.ratings.push((code.into(), r.id.to_string()));
    }
    // A consultation at JYJ and one at SJJ, each with a comment.
    for code in ["JYJ", "SJJ"] {
        let unit = t.unit_id(code).await;
        let actor = crate::support::system();
        let store = t.store.consultations();
        let c = store
            .open(
                &actor,
                &gongkai_store::consultations::NewConsultation {
                    unit_id: unit,
                    title: "矩阵测试草案",
                    explanation: "说明",
                    how_to_comment: "网上",
                    contact: "联系人",
                    starts_on: "2026-01-01",
                    ends_on: "2099-12-31",
                    short_reason: "",
                    paragraphs: &["第一条".to_string(), "第二条".to_string()],
                    today: "2026-01-01",
                },
            )
            .await
            .unwrap();
        let (m, _) = store
            .comment(
                &actor,
                c.id,
                1,
                &gongkai_store::consultations::NewComment {
                    para_key: None,
                    name: "",
                    contact: "",
                    body: "矩阵测试意见",
                    public_name: "匿名",
                    public_body: "矩阵测试意见",
                    submission_key: &format!("matrix-{code}"),
                    client_addr: "",
                },
            )
            .await
            .unwrap();
        f.consultations.push((code.into(), c.id.to_string()));
        f.consultation_comments
            .push((code.into(), m.id.to_string()));
    }
    // a confirmed plan (2030: the demo's is 2026) with one task for each of JYJ and SJJ
    let plans = t.store.plans();
    let mut tasks = Vec::new();
    for (n, code) in [(1, "JYJ"), (2, "SJJ")] {
        tasks.push(gongkai_store::plans::NewTask {
            number: n,
            heading: format!("矩阵测试任务{n}"),
            body: "正文".into(),
            responsibility: Some(code.into()),
            units: vec![(t.unit_id(code).await, code.into())],
            unresolved: String::new(),
        });
    }
    let plan = plans
        .create(
            &crate::support::system(),
            &gongkai_store::plans::NewPlan {
                year: 2030,
                title: "矩阵测试计划".into(),
                preamble: String::new(),
                source_name: "t.txt".into(),
                ignored: String::new(),
                tasks,
            },
        )
        .await
        .unwrap();
    plans
        .confirm(&crate::support::system(), plan.id, &[])
        .await
        .unwrap();
    for task in plans.tasks(plan.id).await.unwrap() {
        let code = if task.number == 1 { "JYJ" } else { "SJJ" };
        f.plan_tasks.push((code.into(), task.id.to_string()));
    }
    let input =
        gongkai_domain::oversight::read_notice("栏目长期未更新", "", "限期更新", "10").unwrap();
    for code in ["JYJ", "SJJ"] {
        let n = t
            .store
            .oversight()
            .notify(
                &crate::support::system(),
                &gongkai_store::oversight::NewNotice {
                    unit_id: t.unit_id(code).await,
                    source: "manual",
                    input: &input,
                    issued_on: "2026-12-01",
                    due_on: "2026-12-15",
                    watch: ("2026-12-11", "2026-12-16"),
                },
            )
            .await
            .unwrap();
        f.notices.push((code.into(), n.id.to_string()));
    }
    // The demo's published 2026 budgets and a village's posted quarter.
    let latest = t
        .store
        .finance()
        .latest(2026, gongkai_domain::finance::Phase::Budget)
        .await
        .unwrap();
    for code in ["JYJ", "MZJ"] {
        let unit = t.unit_id(code).await;
        let set = latest.iter().find(|s| s.unit_id == unit).unwrap();
        f.finance_sets.push((code.into(), set.id.to_string()));
    }
    let qsc = t.unit_id("QSZ-QSC").await;
    let p = &t
        .store
        .finance()
        .postings(qsc, true, None, 1)
        .await
        .unwrap()[0];
    f.postings.push(("QSZ-QSC".into(), p.id.to_string()));
    f
}

/// The concrete paths of a route: (unit code of the target, path).
fn paths(route: &str, target: T, f: &Fixtures) -> Vec<(Option<String>, String)> {
    let (_, path) = route.split_once(' ').unwrap();
    let fill = |list: &[(String, String)]| -> Vec<(Option<String>, String)> {
        list.iter()
            .map(|(unit, id)| (Some(unit.clone()), path.replace("{id}", id)))
            .collect()
    };
    match target {
        T::None => vec![(None, path.to_string())],
        T::Any | T::Missing => vec![(None, path.replace("{id}", "987654"))],
        T::Office => vec![(Some("BB".into()), path.to_string())],
        T::Unit => fill(&f.units),
        T::Item => f
            .items
            .iter()
            .map(|(unit, id, index_no)| {
                (
                    Some(unit.clone()),
                    path.replace("{id}", id)
                        .replace("{index_no}", index_no)
                        .replace("{step}", "submit"),
                )
            })
            .collect(),
        T::Finding => fill(&f.findings),
        T::Attachment => fill(&f.attachments),
        T::SubmittedAttachment => fill(&f.attachments[..1]),
        T::Staff => fill(&f.staff),
        T::Power => fill(&f.powers),
        T::PowerInReview => fill(&f.in_review),
        T::Case => fill(&f.cases),
        T::CaseDocument => fill(&f.documents),
        T::Message => fill(&f.messages),
        T::Rating => fill(&f.ratings),
        T::Consultation => fill(&f.consultations),
        T::Decision => fill(&f.decisions),
        T::PlanTask => fill(&f.plan_tasks),
        T::Notice => fill(&f.notices),
        T::FinanceSet => fill(&f.finance_sets),
        T::VillagePosting => fill(&f.postings),
        T::ConsultationComment => fill(&f.consultation_comments),
        T::Application => fill(&f.applications)
            .into_iter()
            .map(|(u, p)| (u, p.replace("{kind}", "answer")))
            .collect(),
    }
}

both!(
    every_protected_route_answers_each_role_by_its_profile,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let f = fixtures(&t, &app).await;
        let mut checked = 0;
        let mut wrong = Vec::new();
        for (user, role, own_unit) in USERS {
            let client = t.client(&app, user).await;
            let (cookie, csrf) = (client.cookie.clone(), client.csrf.clone());
            let token = crate::support::token_for(&t, user).await;
            for (route, profile, target) in PROTECTED {
                let method = route.split_once(' ').unwrap().0;
                for (unit, path) in paths(route, *target, &f) {
                    let own = unit.as_deref().is_none_or(|u| u == *own_unit);
                    let want = expected(*profile, role, own) || ALSO.contains(&(route, user));
                    let before = t.store.count_audit(None).await.unwrap();
                    let r = if method == "GET" {
                        client.get(&path).await
                    } else if path.starts_with("/api/") {
                        // The API takes writes from tokens only (a browser session would need CSRF).
                        crate::support::api_post(&app, &path, Some(&token), "{}").await
                    } else if MULTIPART.contains(route) {
                        post_multipart(&app, &path, Some(&cookie), &[("csrf", &csrf)], &[]).await
                    } else {
                        post(&app, &path, Some(&cookie), &[("csrf", &csrf)]).await
                    };
                    // Refused by the access check: its 403 says 无权 (a workflow step the role
                    // may not take is a different 403, "…不能执行此操作", past the access check).
                    let refused = (r.status == StatusCode::FORBIDDEN && r.body.contains("无权"))
                        || r.status == StatusCode::UNAUTHORIZED
                        || r.location().starts_with("/login");
                    if *target == T::Missing {
                        if r.status != StatusCode::NOT_FOUND && !refused {
                            wrong.push(format!(
                                "{user}: {method} {path} → {} (expected 403 or 404)",
                                r.status
                            ));
                        }
                        checked += 1;
                        continue;
                    }
                    if want == refused {
                        wrong.push(format!(
                            "{user} ({role}, {}): {method} {path} → {} (expected {})",
                            if own { "own unit" } else { "other unit" },
                            r.status,
                            if want { "allowed" } else { "refused" }
                        ));
                    } else if !want {
                        let after = t.store.count_audit(None).await.unwrap();
                        if after != before {
                            wrong.push(format!(
                                "{user}: {method} {path} refused but changed the record"
                            ));
                        }
                    }
                    checked += 1;
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {checked} answers wrong:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
        assert!(checked > USERS.len() * PROTECTED.len());
        t.cleanup().await;
    }
);
