//! The back office for information items: drafting, attachments, the pre-publication scan,
//! review and approval, scheduled publication, revisions and withdrawal.
//!
//! Who may do what: the unit scope comes from [`Action::WorkOnItems`]; which step a role may
//! take comes from the workflow ([`next_state`]). Every change goes through the store, which
//! writes the audit entry in the same transaction.

use crate::AppState;
use crate::auth::StaffSession;
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::forms::Upload;
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::disclosure::{ItemInput, RevisionState, Step, Validity, next_state};
use gongkai_domain::scan::{Scanner, mask_all};
use gongkai_store::disclosure::{Item, RevisionContent};
use serde::Deserialize;

fn require(s: &StaffSession, action: Action, unit_id: i64) -> Result<(), AppError> {
    crate::auth::permit(s.staff(), action, unit_id)
}

/// The item form's fields.
#[derive(Deserialize, Default, Clone)]
pub struct ItemForm {
    #[serde(default)]
    category_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    doc_no: String,
    #[serde(default)]
    formed_on: String,
    #[serde(default)]
    validity: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    interpretation_of: String,
}

impl ItemForm {
    /// The item the form describes (`domain::disclosure::read_item`, as the API and the import
    /// read theirs), or every problem with its field.
    fn read(&self) -> Result<RevisionContent, Vec<gongkai_domain::disclosure::FieldError>> {
        let fields = gongkai_domain::disclosure::ItemFields {
            title: &self.title,
            doc_no: &self.doc_no,
            formed_on: &self.formed_on,
            validity: &self.validity,
            topic: &self.topic,
            summary: &self.summary,
            body: &self.body,
        };
        gongkai_domain::disclosure::read_item(
            &fields,
            gongkai_domain::calendar::beijing_date(Utc::now()),
        )
        .map(|(input, validity)| content_of(input, validity))
    }
}

/// What the store keeps of an item that was read: its revision's content.
pub fn content_of(i: ItemInput, validity: Validity) -> RevisionContent {
    RevisionContent {
        title: i.title,
        doc_no: i.doc_no,
        formed_on: i.formed_on.map(|d| d.to_string()).unwrap_or_default(),
        validity,
        topic: i.topic,
        summary: i.summary,
        body: i.body,
    }
}

/// A page's flash message (`?ok=`).
#[derive(Deserialize, Default)]
pub struct PageQuery {
    ok: Option<String>,
}

async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    action: &str,
    form: &ItemForm,
    errors: &[gongkai_domain::disclosure::FieldError],
) -> Result<Response, AppError> {
    let unit = state.store.get_unit(unit_id).await?;
    let cats: Vec<minijinja::Value> = crate::pages::category_tree(&state.store.disclosure().list_categories(Some(unit_id)).await?)
        .into_iter()
        .map(|(depth, c)| minijinja::context! { id => c.id, name => &c.name, depth, selected => c.id.to_string() == form.category_id })
        .collect();
    let ctx = minijinja::context! {
        unit => minijinja::Value::from(minijinja::value::Serde(&unit)), categories => cats, action,
        errors => minijinja::Value::from(minijinja::value::Serde(errors)),
        form => minijinja::context! {
            title => &form.title, doc_no => &form.doc_no, formed_on => &form.formed_on, topic => &form.topic,
            summary => &form.summary, body => &form.body, validity => &form.validity, interpretation_of => &form.interpretation_of,
        },
    };
    let resp = render(
        state,
        headers,
        "admin/item_form.html",
        "编辑信息",
        ctx,
        Some(&s.session),
    );
    let resp = crate::forms::invalid_if(!errors.is_empty(), resp);
    Ok(resp)
}

/// `GET /admin/units/{id}/items/new`.
pub async fn new_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
) -> Result<Response, AppError> {
    require(&s, Action::WorkOnItems, unit_id)?;
    let form = ItemForm {
        formed_on: gongkai_domain::calendar::beijing_date(Utc::now()).to_string(),
        validity: "in_force".into(),
        ..Default::default()
    };
    form_page(
        &state,
        &headers,
        &s,
        unit_id,
        &format!("/admin/units/{unit_id}/items"),
        &form,
        &[],
    )
    .await
}

fn field_error(field: &'static str, message: &str) -> gongkai_domain::disclosure::FieldError {
    gongkai_domain::disclosure::FieldError {
        field,
        message: message.to_string(),
    }
}

/// `POST /admin/units/{id}/items`: creates a draft.
pub async fn create_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<Response, AppError> {
    require(&s, Action::WorkOnItems, unit_id)?;
    let read = form.read();
    let mut errors = read.as_ref().err().cloned().unwrap_or_default();
    let category = match form.category_id.parse::<i64>() {
        Ok(id) => state
            .store
            .disclosure()
            .list_categories(Some(unit_id))
            .await?
            .into_iter()
            .find(|c| c.id == id),
        Err(_) => None,
    };
    if category.is_none() {
        errors.push(field_error("category_id", "请选择栏目"));
    }
    let interpretation_of = match form.interpretation_of.trim() {
        "" => None,
        ix => match state.store.disclosure().find_item_by_index_no(ix).await? {
            Some(p) => Some(p.id),
            None => {
                errors.push(field_error("interpretation_of", "所解读政策的索引号不存在"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return form_page(
            &state,
            &headers,
            &s,
            unit_id,
            &format!("/admin/units/{unit_id}/items"),
            &form,
            &errors,
        )
        .await;
    }
    let category = category.ok_or_else(|| AppError::BadRequest("请选择栏目".into()))?;
    let item = state
        .store
        .disclosure()
        .create_item(
            &s.actor(),
            unit_id,
            category.id,
            &read.map_err(|_| AppError::BadRequest("表单无效".into()))?,
            interpretation_of,
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{}?ok=created", item.id)).into_response())
}

async fn load(
    state: &AppState,
    s: &StaffSession,
    item_id: i64,
    action: Action,
) -> Result<Item, AppError> {
    let item = state.store.disclosure().get_item(item_id).await?;
    require(s, action, item.unit_id)?;
    Ok(item)
}

fn flash(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => "草稿已保存",
        "saved" => "已保存",
        "submitted" => "已提交审核，预发布检查已完成",
        "reviewed" => "审核通过，已送单位负责人审批",
        "rejected" => "已退回修改",
        "published" => "已发布",
        "scheduled" => "已审批，将在设定时间发布",
        "masked" => "已一键脱敏",
        "overridden" => "已填写理由放行",
        "revised" => "已新建修订稿",
        "withdrawn" => "已撤回",
        "attached" => "附件已上传",
        "replaced" => "附件已替换",
        "detached" => "附件已删除",
        _ => return None,
    })
}

/// `GET /admin/items/{id}`: the item's workbench.
pub async fn item_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    item_render(&state, &headers, &s, item_id, flash(q.ok.as_deref()), None).await
}

async fn item_render(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    item_id: i64,
    ok: Option<&str>,
    error: Option<&str>,
) -> Result<Response, AppError> {
    let item = load(state, s, item_id, Action::ViewUnitDesk).await?;
    let rev = state.store.disclosure().working_revision(item_id).await?;
    let findings = state
        .store
        .disclosure()
        .findings(item_id, rev.revision)
        .await?;
    let attachments: Vec<minijinja::Value> = state
        .store
        .disclosure()
        .attachments(item_id, rev.revision)
        .await?
        .iter()
        .map(|(a, _)| minijinja::context! { id => a.id, filename => &a.filename, size => a.size, unreadable => &a.unreadable })
        .collect();
    let history: Vec<minijinja::Value> = state
        .store
        .disclosure().revisions(item_id)
        .await?
        .iter()
        .map(|r| minijinja::context! { revision => r.revision, state => r.state.label(), title => &r.title, updated_at => &r.updated_at, note => &r.note })
        .collect();
    let category = state
        .store
        .disclosure()
        .get_category(item.category_id)
        .await?;
    let unit = state.store.get_unit(item.unit_id).await?;
    let st = s.staff();
    let works = allowed(st.role, st.unit_id, Action::WorkOnItems, item.unit_id);
    let open = findings.iter().filter(|f| f.status == "open").count();
    let can = |step: Step| works && next_state(rev.state, step, st.role, 0).is_ok();
    let cats: Vec<minijinja::Value> = crate::pages::category_tree(&state.store.disclosure().list_categories(Some(item.unit_id)).await?)
        .into_iter()
        .map(|(depth, c)| minijinja::context! { id => c.id, name => &c.name, depth, selected => c.id == item.category_id })
        .collect();
    let finding_rows: Vec<minijinja::Value> = findings
        .iter()
        .map(|f| minijinja::context! { id => f.id, source => &f.source, kind => kind_label(&f.kind), line => f.line, col => f.col, masked => &f.masked, status => &f.status, reason => &f.reason, resolved_by => &f.resolved_by })
        .collect();
    // Before approving, the leader sees how late publishing today would be.
    let late_if_published_today = if rev.state == RevisionState::Reviewed {
        let cal = state.store.calendar().await?;
        chrono::NaiveDate::parse_from_str(&rev.formed_on, "%Y-%m-%d")
            .ok()
            .and_then(|formed| {
                gongkai_domain::disclosure::days_late(
                    &cal,
                    formed,
                    gongkai_domain::calendar::beijing_date(Utc::now()),
                    state.config.publish_limit_workdays,
                )
                .ok()
            })
            .filter(|late| *late > 0)
    } else {
        None
    };
    // A draft the review sent back says so (its note is the reason).
    let state_label = if rev.state == RevisionState::Draft && !rev.note.is_empty() {
        "草稿（已退回修改）"
    } else {
        rev.state.label()
    };
    let ctx = minijinja::context! {
        item => minijinja::Value::from(minijinja::value::Serde(&item)),
        rev => minijinja::Value::from(minijinja::value::Serde(&rev)),
        state_label, validity_label => rev.validity.label(),
        late_if_published_today, publish_limit => state.config.publish_limit_workdays,
        unit_name => &unit.name, category_name => &category.name, categories => cats,
        findings => finding_rows, open_findings => open, attachments, history,
        flash => ok, error,
        can_edit => works && rev.state == RevisionState::Draft && next_state(RevisionState::Draft, Step::Submit, st.role, 0).is_ok(),
        can_submit => can(Step::Submit),
        can_review => can(Step::PassReview),
        can_reject => can(Step::Reject),
        can_approve => can(Step::Approve { scheduled: false }),
        can_revise => works && rev.state == RevisionState::Published && next_state(RevisionState::Draft, Step::Submit, st.role, 0).is_ok(),
        can_withdraw => works && item.published_revision.is_some() && item.withdrawn_at.is_none() && allowed(st.role, st.unit_id, Action::WithdrawItems, item.unit_id),
        body_findings => findings.iter().any(|f| f.status == "open" && f.source == "body"),
        body_html => gongkai_domain::richtext::to_html(&rev.body),
    };
    let resp = render(
        state,
        headers,
        "admin/item.html",
        &rev.title,
        ctx,
        Some(&s.session),
    );
    let resp = crate::forms::invalid_if(error.is_some(), resp);
    Ok(resp)
}

fn kind_label(code: &str) -> &'static str {
    gongkai_domain::scan::FindingKind::ALL
        .into_iter()
        .find(|k| k.code() == code)
        .map_or("其他", |k| k.label())
}

/// `POST /admin/items/{id}/edit`: saves the draft.
pub async fn edit_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<Response, AppError> {
    let item = load(&state, &s, item_id, Action::WorkOnItems).await?;
    let rev = state.store.disclosure().working_revision(item_id).await?;
    if rev.state != RevisionState::Draft {
        return item_render(
            &state,
            &headers,
            &s,
            item_id,
            None,
            Some("只有草稿可以修改"),
        )
        .await;
    }
    let content = match form.read() {
        Ok(content) => content,
        Err(errors) => {
            let msg = errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("；");
            return item_render(&state, &headers, &s, item.id, None, Some(&msg)).await;
        }
    };
    state
        .store
        .disclosure()
        .update_draft(&s.actor(), item_id, rev.revision, &content)
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{item_id}?ok=saved")).into_response())
}

/// A workflow form: an optional note, time or reason.
#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    scheduled_at: String,
    #[serde(default)]
    reason: String,
}

async fn step_error(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    item_id: i64,
    e: gongkai_domain::disclosure::WorkflowError,
) -> Result<Response, AppError> {
    let mut resp = item_render(state, headers, s, item_id, None, Some(&e.to_string())).await?;
    *resp.status_mut() = match e {
        gongkai_domain::disclosure::WorkflowError::WrongRole(_) => {
            axum::http::StatusCode::FORBIDDEN
        }
        _ => axum::http::StatusCode::CONFLICT,
    };
    Ok(resp)
}

/// Why a workflow operation failed: a workflow rule (shown on the item page) or anything else.
#[derive(Debug)]
pub enum OpError {
    /// The workflow refused the step.
    Workflow(gongkai_domain::disclosure::WorkflowError),
    /// Any other failure.
    App(AppError),
}

impl From<AppError> for OpError {
    fn from(e: AppError) -> Self {
        OpError::App(e)
    }
}

impl From<gongkai_store::StoreError> for OpError {
    fn from(e: gongkai_store::StoreError) -> Self {
        OpError::App(e.into())
    }
}

impl From<OpError> for AppError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::App(e) => e,
            OpError::Workflow(gongkai_domain::disclosure::WorkflowError::WrongRole(r)) => {
                AppError::Forbidden(format!("“{r}”不能执行此操作"))
            }
            OpError::Workflow(w) => AppError::Conflict(w.to_string()),
        }
    }
}

fn scope(staff: &gongkai_store::org::Staff, unit_id: i64) -> Result<(), OpError> {
    crate::auth::permit(staff, Action::WorkOnItems, unit_id).map_err(OpError::App)
}

/// A workflow step checked and ready to store: everything a bulk action needs to check every
/// item before it changes any.
pub struct Prepared {
    /// The item.
    pub item: Item,
    /// Its working revision.
    pub revision: i64,
    /// The state it is in.
    pub from: RevisionState,
    /// The state it goes to.
    pub to: RevisionState,
    /// The note to keep (four-eyes exemptions added).
    pub note: String,
    /// On submit: the scan's findings.
    pub findings: Option<Vec<(String, gongkai_domain::scan::Finding)>>,
}

impl Prepared {
    /// The store's transition for it.
    pub fn transition(&self) -> gongkai_store::disclosure::Transition<'_> {
        gongkai_store::disclosure::Transition {
            item_id: self.item.id,
            revision: self.revision,
            from: self.from,
            to: self.to,
            note: &self.note,
            scheduled_at: None,
            findings: self.findings.as_deref(),
        }
    }
}

/// Checks a submission of the working draft and runs the pre-publication scan over the title,
/// body and every attachment ([`gongkai_domain::scan::scan_revision`]); changes nothing.
pub async fn prepare_submit(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    item_id: i64,
) -> Result<Prepared, OpError> {
    let item = state.store.disclosure().get_item(item_id).await?;
    scope(staff, item.unit_id)?;
    let rev = state.store.disclosure().working_revision(item_id).await?;
    let to = next_state(rev.state, Step::Submit, staff.role, 0).map_err(OpError::Workflow)?;
    let scanner = Scanner::new(&state.store.disclosure().sensitive_words().await?);
    let attachments = state
        .store
        .disclosure()
        .attachments(item_id, rev.revision)
        .await?;
    let texts: Vec<gongkai_domain::scan::AttachmentText> = attachments
        .iter()
        .map(|(a, text)| gongkai_domain::scan::AttachmentText {
            filename: &a.filename,
            text,
            unreadable: a.unreadable.as_deref(),
        })
        .collect();
    let findings = gongkai_domain::scan::scan_revision(&scanner, &rev.title, &rev.body, &texts);
    Ok(Prepared {
        item,
        revision: rev.revision,
        from: rev.state,
        to,
        note: String::new(),
        findings: Some(findings),
    })
}

/// Submits the working draft: scans the title, body and every attachment's text, records the
/// findings and moves the revision to review. Returns the number of findings.
pub async fn op_submit(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    item_id: i64,
) -> Result<usize, OpError> {
    let p = prepare_submit(state, staff, item_id).await?;
    state
        .store
        .disclosure()
        .transition(&gongkai_store::Actor::of(staff), &p.transition())
        .await?;
    Ok(p.findings.map_or(0, |f| f.len()))
}

/// Four eyes: whoever wrote a revision may not also review or approve it. A unit named in
/// `[disclosure] single_person_units` (one person does all the work) is exempt; the step's note,
/// kept in the audit trail, then says so. Returns the note to record.
async fn four_eyes(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    unit_id: i64,
    rev: &gongkai_store::disclosure::Revision,
    note: &str,
) -> Result<String, OpError> {
    if rev.created_by != staff.username {
        return Ok(note.to_string());
    }
    let unit = state.store.get_unit(unit_id).await?;
    if state.config.single_person_units.contains(&unit.code) {
        return Ok(format!(
            "{note}（撰稿人本人审核：本单位为单人单位，免于双人审核）"
        ));
    }
    Err(OpError::App(AppError::Conflict(format!(
        "双人审核：该信息由您（{}）撰写，须由本单位其他审核人员审核和批准",
        staff.display_name
    ))))
}

/// Passes the secrecy and legality review (refused while findings are open).
pub async fn op_review(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    item_id: i64,
    note: &str,
) -> Result<(), OpError> {
    let item = state.store.disclosure().get_item(item_id).await?;
    scope(staff, item.unit_id)?;
    let rev = state.store.disclosure().working_revision(item_id).await?;
    let open = state
        .store
        .disclosure()
        .open_findings(item_id, rev.revision)
        .await?;
    let to =
        next_state(rev.state, Step::PassReview, staff.role, open).map_err(OpError::Workflow)?;
    let note = four_eyes(state, staff, item.unit_id, &rev, note).await?;
    let t = gongkai_store::disclosure::Transition {
        item_id,
        revision: rev.revision,
        from: rev.state,
        to,
        note: &note,
        scheduled_at: None,
        findings: None,
    };
    state
        .store
        .disclosure()
        .transition(&gongkai_store::Actor::of(staff), &t)
        .await?;
    Ok(())
}

/// Sends the revision back to its editor with a reason.
pub async fn op_reject(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    item_id: i64,
    note: &str,
) -> Result<(), OpError> {
    let item = state.store.disclosure().get_item(item_id).await?;
    scope(staff, item.unit_id)?;
    if note.trim().is_empty() {
        return Err(OpError::App(AppError::BadRequest("请填写退回理由".into())));
    }
    let rev = state.store.disclosure().working_revision(item_id).await?;
    let to = next_state(rev.state, Step::Reject, staff.role, 0).map_err(OpError::Workflow)?;
    let t = gongkai_store::disclosure::Transition {
        item_id,
        revision: rev.revision,
        from: rev.state,
        to,
        note: note.trim(),
        scheduled_at: None,
        findings: None,
    };
    state
        .store
        .disclosure()
        .transition(&gongkai_store::Actor::of(staff), &t)
        .await?;
    Ok(())
}

/// Checks an approval (state, role, open findings, four eyes); changes nothing.
pub async fn prepare_approve(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    item_id: i64,
    note: &str,
    scheduled: bool,
) -> Result<Prepared, OpError> {
    let item = state.store.disclosure().get_item(item_id).await?;
    scope(staff, item.unit_id)?;
    let rev = state.store.disclosure().working_revision(item_id).await?;
    let open = state
        .store
        .disclosure()
        .open_findings(item_id, rev.revision)
        .await?;
    let to = next_state(rev.state, Step::Approve { scheduled }, staff.role, open)
        .map_err(OpError::Workflow)?;
    let note = four_eyes(state, staff, item.unit_id, &rev, note).await?;
    Ok(Prepared {
        item,
        revision: rev.revision,
        from: rev.state,
        to,
        note,
        findings: None,
    })
}

/// Approves: publishes now, or schedules for `scheduled_at` (RFC 3339 UTC, in the future).
pub async fn op_approve(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    item_id: i64,
    note: &str,
    scheduled_at: Option<&str>,
) -> Result<RevisionState, OpError> {
    let p = prepare_approve(state, staff, item_id, note, scheduled_at.is_some()).await?;
    if p.to == RevisionState::Scheduled {
        let t = gongkai_store::disclosure::Transition {
            scheduled_at,
            ..p.transition()
        };
        state
            .store
            .disclosure()
            .transition(&gongkai_store::Actor::of(staff), &t)
            .await?;
    } else {
        publish_now(
            state,
            &gongkai_store::Actor::of(staff),
            item_id,
            p.revision,
            p.from,
            &p.note,
        )
        .await?;
    }
    Ok(p.to)
}

async fn html_step(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    item_id: i64,
    result: Result<(), OpError>,
    ok: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/items/{item_id}?ok={ok}")).into_response()),
        Err(OpError::Workflow(e)) => step_error(state, headers, s, item_id, e).await,
        Err(OpError::App(AppError::BadRequest(msg))) => {
            item_render(state, headers, s, item_id, None, Some(&msg)).await
        }
        Err(OpError::App(e)) => Err(e),
    }
}

/// `POST /admin/items/{id}/submit`.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    let r = op_submit(&state, s.staff(), item_id).await.map(|_| ());
    html_step(&state, &headers, &s, item_id, r, "submitted").await
}

/// `POST /admin/items/{id}/review`: the reviewer passes the secrecy and legality review.
pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let r = op_review(&state, s.staff(), item_id, f.note.trim()).await;
    html_step(&state, &headers, &s, item_id, r, "reviewed").await
}

/// `POST /admin/items/{id}/reject`: back to the editor, with the reason.
pub async fn reject(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let r = op_reject(&state, s.staff(), item_id, &f.note).await;
    html_step(&state, &headers, &s, item_id, r, "rejected").await
}

/// Publishes a revision now ([`gongkai_work::publishing::publish_now`]) and brings this
/// server's index and webhook worker up to date at once.
pub async fn publish_now(
    state: &AppState,
    actor: &gongkai_store::Actor,
    item_id: i64,
    revision: i64,
    from: RevisionState,
    note: &str,
) -> Result<(), AppError> {
    gongkai_work::publishing::publish_now(
        &state.store,
        state.config.publish_limit_workdays,
        actor,
        item_id,
        revision,
        from,
        note,
    )
    .await
    .map_err(publish_error)?;
    reindex_soon(state).await;
    Ok(())
}

fn publish_error(e: gongkai_work::publishing::PublishError) -> AppError {
    match e {
        gongkai_work::publishing::PublishError::Store(e) => e.into(),
        other => AppError::BadRequest(other.to_string()),
    }
}

/// Parses the approval form's time (Beijing time, `YYYY-MM-DDTHH:MM`) into RFC 3339 UTC; it
/// must lie in the future.
pub fn parse_schedule(text: &str) -> Result<Option<String>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => {
            let local = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
                .map_err(|_| AppError::BadRequest("定时发布时间格式错误".into()))?;
            let utc = local - chrono::Duration::hours(8);
            if utc <= Utc::now().naive_utc() {
                return Err(AppError::BadRequest("定时发布时间应晚于当前时间".into()));
            }
            Ok(Some(gongkai_store::time_text(utc.and_utc())))
        }
    }
}

/// `POST /admin/items/{id}/approve`: the leader approves; published now or at `scheduled_at`.
pub async fn approve(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let result = match parse_schedule(&f.scheduled_at) {
        Ok(when) => op_approve(&state, s.staff(), item_id, f.note.trim(), when.as_deref()).await,
        Err(e) => Err(OpError::App(e)),
    };
    let ok = match &result {
        Ok(RevisionState::Scheduled) => "scheduled",
        _ => "published",
    };
    html_step(&state, &headers, &s, item_id, result.map(|_| ()), ok).await
}

/// Brings this server's index up to date after a change it made (a failure is logged and left
/// to the background sync, since the change itself is already committed) and wakes the webhook
/// worker for the events the change queued.
pub(crate) async fn reindex_soon(state: &AppState) {
    state.deliverer.wake();
    if let Err(e) = state.indexer.sync(&state.store).await {
        tracing::warn!(error = %e, "search index sync failed; the background sync will retry");
    }
}

/// Publishes every scheduled revision whose time has come
/// ([`gongkai_work::publishing::publish_due`]). Returns how many.
pub async fn publish_due(state: &AppState) -> Result<usize, AppError> {
    let n =
        gongkai_work::publishing::publish_due(&state.store, state.config.publish_limit_workdays)
            .await
            .map_err(publish_error)?;
    if n > 0 {
        reindex_soon(state).await;
    }
    Ok(n)
}

/// `GET /admin/attachments/{id}`: an attachment of any revision (drafts included) for the staff
/// who may see its unit's desk, so reviewers open what they review.
pub async fn attachment(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = state.store.disclosure().get_attachment(id).await?;
    load(&state, &s, a.item_id, Action::ViewUnitDesk).await?;
    crate::disclosure::portal::send_attachment(&state, &headers, &a, "no-store").await
}

/// `POST /admin/items/{id}/mask`: one-click mask of every open finding in the body.
pub async fn mask(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    load(&state, &s, item_id, Action::WorkOnItems).await?;
    let rev = state.store.disclosure().working_revision(item_id).await?;
    load(&state, &s, item_id, Action::MaskFindings).await?;
    if !matches!(rev.state, RevisionState::Draft | RevisionState::InReview) {
        return item_render(
            &state,
            &headers,
            &s,
            item_id,
            None,
            Some("只能对草稿或待审核的信息脱敏"),
        )
        .await;
    }
    let scanner = Scanner::new(&state.store.disclosure().sensitive_words().await?);
    let findings = scanner.scan(&rev.body);
    let masked = mask_all(&rev.body, &findings);
    state
        .store
        .disclosure()
        .mask_body(&s.actor(), item_id, rev.revision, &masked)
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{item_id}?ok=masked")).into_response())
}

/// `POST /admin/findings/{id}/override`: the reviewer lets one finding through, with a reason.
pub async fn override_finding(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(finding_id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let reason = f.reason.trim();
    let item_id = state.store.disclosure().finding_item(finding_id).await?;
    load(&state, &s, item_id, Action::WorkOnItems).await?;
    load(&state, &s, item_id, Action::OverrideFindings).await?;
    if reason.chars().count() < 4 {
        return item_render(
            &state,
            &headers,
            &s,
            item_id,
            None,
            Some("放行须填写理由（至少4个字）"),
        )
        .await;
    }
    state
        .store
        .disclosure()
        .resolve_finding(&s.actor(), finding_id, "overridden", reason)
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{item_id}?ok=overridden")).into_response())
}

/// `POST /admin/items/{id}/revise`: a new draft revision of a published item.
pub async fn revise(
    State(state): State<AppState>,
    s: StaffSession,
    Path(item_id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    load(&state, &s, item_id, Action::WorkOnItems).await?;
    state
        .store
        .disclosure()
        .new_revision(&s.actor(), item_id)
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{item_id}?ok=revised")).into_response())
}

/// `POST /admin/items/{id}/withdraw`: withdraws a published item, keeping it with the reason.
pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    load(&state, &s, item_id, Action::WorkOnItems).await?;
    load(&state, &s, item_id, Action::WithdrawItems).await?;
    if f.reason.trim().chars().count() < 4 {
        return item_render(
            &state,
            &headers,
            &s,
            item_id,
            None,
            Some("撤回须填写理由（至少4个字）"),
        )
        .await;
    }
    state
        .store
        .disclosure()
        .withdraw(&s.actor(), item_id, f.reason.trim())
        .await?;
    reindex_soon(&state).await;
    Ok(Redirect::to(&format!("/admin/items/{item_id}?ok=withdrawn")).into_response())
}

pub use gongkai_extract::content_type_of;

/// Stores bytes content-addressed in the file store (the data directory or the database);
/// returns the SHA-256.
pub async fn store_file(
    files: &gongkai_work::files::FileStore,
    bytes: &[u8],
) -> Result<String, AppError> {
    files
        .put(bytes)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// `POST /admin/items/{id}/attachments` (multipart: `csrf`, `file`).
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(item_id): Path<i64>,
    up: Upload,
) -> Result<Response, AppError> {
    let file = up.file("file").map(|f| {
        let name = if f.file_name.is_empty() {
            "附件"
        } else {
            f.file_name.as_str()
        };
        (name.to_string(), f.bytes.clone())
    });
    load(&state, &s, item_id, Action::WorkOnItems).await?;
    let rev = state.store.disclosure().working_revision(item_id).await?;
    if rev.state != RevisionState::Draft {
        return item_render(
            &state,
            &headers,
            &s,
            item_id,
            None,
            Some("只能给草稿添加附件"),
        )
        .await;
    }
    // `replace`: the id of this draft's attachment the new file takes the place of
    let replaces = match up.text("replace").trim() {
        "" => None,
        r => match r.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                return item_render(
                    &state,
                    &headers,
                    &s,
                    item_id,
                    None,
                    Some("要替换的附件无效"),
                )
                .await;
            }
        },
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return item_render(
            &state,
            &headers,
            &s,
            item_id,
            None,
            Some("请选择要上传的文件"),
        )
        .await;
    };
    if bytes.len() > state.config.max_attachment_bytes {
        return item_render(
            &state,
            &headers,
            &s,
            item_id,
            None,
            Some(&format!(
                "附件过大（不超过{}MB）",
                state.config.max_attachment_bytes / 1024 / 1024
            )),
        )
        .await;
    }
    let name = crate::forms::safe_file_name(&name, "");
    let content_type = match content_type_of(&name, &bytes) {
        Ok(ct) => ct,
        Err(msg) => {
            let msg = format!("附件“{name}”未上传：{msg}");
            return item_render(&state, &headers, &s, item_id, None, Some(&msg)).await;
        }
    };
    // off the request threads: parsing and OCR are CPU work, a PDF and OCR run in child
    // processes; a file that cannot be read is kept with the reason, a finding at submission
    let (sandbox, limits, file) = (
        state.config.sandbox.clone(),
        state.config.extract_limits,
        bytes.clone(),
    );
    let read = state
        .cpu
        .run(move || sandbox.read(content_type, &file, &limits))
        .await?;
    let (text, unreadable) = match read {
        Ok(crate::sandbox::Reading::Text(t)) => (t, None),
        Ok(crate::sandbox::Reading::Unreadable(reason)) => (String::new(), Some(reason)),
        Err(e) => {
            let msg = format!("附件“{name}”未上传：{}", e.chinese());
            return item_render(&state, &headers, &s, item_id, None, Some(&msg)).await;
        }
    };
    let hash = store_file(&state.files, &bytes).await?;
    state
        .store
        .disclosure()
        .add_attachment(
            &s.actor(),
            item_id,
            rev.revision,
            &gongkai_store::disclosure::NewAttachment {
                filename: &name,
                content_type,
                size: bytes.len() as i64,
                sha256: &hash,
                text: &text,
                unreadable: unreadable.as_deref(),
                replaces,
            },
        )
        .await?;
    let ok = if replaces.is_some() {
        "replaced"
    } else {
        "attached"
    };
    Ok(Redirect::to(&format!("/admin/items/{item_id}?ok={ok}")).into_response())
}

/// `POST /admin/attachments/{id}/remove`: removes an attachment from a draft (a draft's files
/// were never public; the audit trail keeps its name and hash).
pub async fn remove_attachment(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    let a = state.store.disclosure().get_attachment(id).await?;
    load(&state, &s, a.item_id, Action::WorkOnItems).await?;
    let rev = state.store.disclosure().working_revision(a.item_id).await?;
    if rev.state != RevisionState::Draft || rev.revision != a.revision {
        return item_render(
            &state,
            &headers,
            &s,
            a.item_id,
            None,
            Some("只能删除草稿的附件"),
        )
        .await;
    }
    state
        .store
        .disclosure()
        .remove_attachment(&s.actor(), id, a.item_id, a.revision)
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{}?ok=detached", a.item_id)).into_response())
}

/// `GET /admin/words`: the district's sensitive-word list (openness office and administrators).
pub async fn words_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    require(&s, Action::ManageStandards, s.staff().unit_id)?;
    let words = state.store.disclosure().sensitive_words().await?;
    let ctx = minijinja::context! { words => words.join("\n"), count => words.len(), flash => (q.ok.as_deref() == Some("saved")).then_some("敏感词表已保存") };
    Ok(render(
        &state,
        &headers,
        "admin/words.html",
        "敏感词表",
        ctx,
        Some(&s.session),
    ))
}

/// The word-list form.
#[derive(Deserialize)]
pub struct WordsForm {
    #[serde(default)]
    words: String,
}

/// `POST /admin/words`: replaces the list (one word per line; audited).
pub async fn words_save(
    State(state): State<AppState>,
    s: StaffSession,
    CsrfForm(f): CsrfForm<WordsForm>,
) -> Result<Response, AppError> {
    require(&s, Action::ManageStandards, s.staff().unit_id)?;
    let words = gongkai_domain::scan::parse_word_list(&f.words);
    if words.iter().any(|w| w.chars().count() > 50) {
        return Err(AppError::BadRequest("每个敏感词不超过50个字".into()));
    }
    state
        .store
        .disclosure()
        .set_sensitive_words(&s.actor(), &words)
        .await?;
    Ok(Redirect::to("/admin/words?ok=saved").into_response())
}

/// The new-category form.
#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/units/{id}/categories`: a unit adds a sub-category under the standard catalog
/// (the unit's leader, or an administrator).
pub async fn create_category(
    State(state): State<AppState>,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<CategoryForm>,
) -> Result<Response, AppError> {
    require(&s, Action::AddCategory, unit_id)?;
    let cats = state
        .store
        .disclosure()
        .list_categories(Some(unit_id))
        .await?;
    let parent = f
        .parent_id
        .parse::<i64>()
        .ok()
        .and_then(|id| cats.iter().find(|c| c.id == id))
        .ok_or_else(|| AppError::BadRequest("请选择上级栏目".into()))?;
    let code = f.code.trim().to_uppercase();
    let name = f.name.trim();
    if code.is_empty() || code.len() > 12 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::BadRequest("栏目代码须为1-12位字母或数字".into()));
    }
    if name.is_empty() || name.chars().count() > 30 {
        return Err(AppError::BadRequest(
            "栏目名称不能为空，且不超过30个字".into(),
        ));
    }
    if cats.iter().any(|c| c.code == code) {
        return Err(AppError::Conflict(format!("栏目代码 {code} 已存在")));
    }
    state
        .store
        .disclosure()
        .create_category(
            &s.actor(),
            Some(unit_id),
            Some(parent.id),
            &code,
            name,
            1000,
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/units/{unit_id}/items?ok=category")).into_response())
}
