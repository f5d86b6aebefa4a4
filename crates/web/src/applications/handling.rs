//! Disclosure applications, the back office: a unit's list, registering an application received
//! in person, by mail, fax or e-mail, and the handling desk (assign, correct, consult, extend,
//! fee, draft, approve, deliver; remedies; private files). The rules are
//! `domain::application::handling`; every step goes through [`take`], the one path that checks,
//! re-reads the clock and stores.

use super::{ser, today};
use crate::AppState;
use crate::auth::{StaffSession, permit, query_code, random_token, token_hash};
use crate::error::AppError;
use crate::forms::{CsrfForm, Upload};
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::application::handling::{
    Party, Standing, State as AppStateCode, Step, standing_of, take_step, watch_days,
};
use gongkai_domain::application::{
    ApplicantType, ApplicationFields, Channel, DELIVERIES, DueState, FORMS, Outcome, Reading,
    ReceiptFacts, fee_for_nth, read_application, receipt_date,
};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::disclosure::FieldError;
use gongkai_store::applications::{
    Application, ApplicationFilter, DueDates, NewApplication, NewApplicationFile, Remedy,
    StepRecord,
};
use serde::{Deserialize, Serialize};

/// The stored date of a day.
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The due dates a reading gives: the due date and why, and the watch-list days.
pub(crate) fn due_dates(
    cal: &Calendar,
    soon_workdays: u32,
    received: NaiveDate,
    reading: &Reading,
) -> Result<DueDates, AppError> {
    let mut note = reading.steps.join("\n");
    let (due_on, watch) = match reading.state {
        DueState::Due(d) => {
            let (soon, red) = watch_days(cal, d, soon_workdays, received)
                .map_err(|e| AppError::BadRequest(e.to_string()))?;
            (Some(day(d)), Some((day(soon), day(red))))
        }
        DueState::AwaitingCorrection(by) => {
            note.push_str(&format!("\n等待申请人补正（补正期限 {by}），期限暂不计算"));
            (None, None)
        }
        DueState::Consulting => {
            note.push_str("\n征求意见期间不计算答复期限");
            (None, None)
        }
        DueState::AwaitingFee => {
            note.push_str("\n等待申请人缴费，期间不计算答复期限");
            (None, None)
        }
    };
    Ok(DueDates {
        due_on,
        due_note: note,
        watch,
    })
}

/// Reads an application's standing from storage.
async fn standing(state: &AppState, a: &Application) -> Result<Standing, AppError> {
    let events = state.store.applications().events(a.id).await?;
    let received = parse_day(&a.received_on)
        .ok_or_else(|| AppError::Internal(format!("申请 {} 收到日期无效", a.id)))?;
    let st = AppStateCode::from_code(&a.state)
        .ok_or_else(|| AppError::Internal(format!("申请 {} 状态无效：{}", a.id, a.state)))?;
    Ok(standing_of(
        st,
        received,
        events.iter().filter_map(|e| {
            Some((
                e.kind.as_str(),
                parse_day(&e.on_date)?,
                u32::try_from(e.days).unwrap_or(0),
                e.party.as_str(),
            ))
        }),
    ))
}

/// Takes one step on an application: access (extensions and approvals need the leader), the
/// domain's rules on today's standing and the calendar, then one audited write. Every path
/// (desk form, API) comes through here.
pub(crate) async fn take(
    state: &AppState,
    s: &gongkai_store::Actor,
    staff: &gongkai_store::org::Staff,
    a: &Application,
    step: &Step,
) -> Result<Application, AppError> {
    permit(staff, Action::HandleApplications, a.unit_id)?;
    if step.needs_leader() {
        permit(staff, Action::ApproveApplications, a.unit_id)?;
    }
    let cal = state.store.calendar().await?;
    let now = standing(state, a).await?;
    let today = today();
    let limits = state.config.applications.limits();
    let effect = take_step(&cal, limits, &now, step, today).map_err(AppError::BadRequest)?;
    let received = now.received;
    let due = if effect.state.is_open() {
        due_dates(
            &cal,
            state.config.applications.due_soon_workdays,
            received,
            &effect.reading,
        )?
    } else {
        DueDates {
            due_on: None,
            due_note: effect.reading.steps.join("\n"),
            watch: None,
        }
    };
    let on = step.on().unwrap_or(today);
    // late: finished after the due date the clock gave before this step
    let due_before = match effect.reading.state {
        DueState::Due(d) => Some(d),
        _ => None,
    };
    let mut r = StepRecord {
        from_state: a.state.clone(),
        to_state: effect.state.code().to_string(),
        kind: step.kind().to_string(),
        label: Step::kind_label(step.kind()).to_string(),
        on_date: day(on),
        due,
        closes: effect.closes_on.map(|d| {
            (
                day(d),
                gongkai_domain::application::handling::answered_late(due_before, d),
            )
        }),
        ..StepRecord::default()
    };
    match step {
        Step::Note(t) => r.note = t.trim().to_string(),
        Step::RequestCorrection { what, .. } => r.note = what.trim().to_string(),
        Step::Consult {
            party,
            name,
            question,
            ..
        } => {
            r.party = party.code().to_string();
            r.name = name.trim().to_string();
            r.note = question.trim().to_string();
        }
        Step::ConsultEnded { reply, .. } => {
            r.note = if reply.trim().is_empty() {
                "期满未答复，由本机关依法决定".to_string()
            } else {
                reply.trim().to_string()
            }
        }
        Step::Extend { days, reason, .. } => {
            r.days = i64::from(*days);
            r.note = reason.trim().to_string();
        }
        Step::FeeNotice { amount, .. } => r.amount = i64::from(*amount),
        Step::SendBack { reason } => r.note = reason.trim().to_string(),
        Step::Deliver { how, .. } => r.name = how.clone(),
        Step::Draft {
            reason,
            pointer,
            text,
            ..
        } => {
            r.note = effect
                .outcome
                .map(|o| o.label().to_string())
                .unwrap_or_default();
            r.outcome = effect.outcome.map(|o| {
                (
                    o.code(),
                    reason.trim().to_string(),
                    pointer.trim().to_string(),
                    text.trim().to_string(),
                )
            });
        }
        Step::Abandon { .. } | Step::FeeUnpaid { .. } => {
            r.outcome = effect.outcome.map(|o| {
                (
                    o.code(),
                    o.label().to_string(),
                    String::new(),
                    o.label().to_string(),
                )
            });
        }
        Step::CorrectionReceived { .. } | Step::FeePaid { .. } | Step::Approve => {}
    }
    Ok(state.store.applications().take_step(s, a.id, &r).await?)
}

/// The desk's step form: `action` names the step, the other fields are its inputs.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    pointer: String,
    #[serde(default)]
    how: String,
}

/// Reads the step a form asks for; the message says what is wrong.
pub(crate) async fn step_of(
    state: &AppState,
    a: &Application,
    f: &StepForm,
) -> Result<Step, AppError> {
    let on =
        || parse_day(&f.on).ok_or_else(|| AppError::BadRequest("请填写日期（YYYY-MM-DD）".into()));
    Ok(match f.action.as_str() {
        "note" => Step::Note(f.text.clone()),
        "request_correction" => Step::RequestCorrection {
            on: on()?,
            what: f.text.clone(),
        },
        "correction_received" => Step::CorrectionReceived { on: on()? },
        "abandon" => Step::Abandon { on: on()? },
        "consult" => Step::Consult {
            on: on()?,
            party: Party::from_code(&f.party)
                .ok_or_else(|| AppError::BadRequest("请选择征求意见的对象类型".into()))?,
            name: f.name.clone(),
            question: f.text.clone(),
        },
        "consult_ended" => Step::ConsultEnded {
            on: on()?,
            reply: f.text.clone(),
        },
        "extend" => Step::Extend {
            on: on()?,
            days: f
                .days
                .trim()
                .parse()
                .map_err(|_| AppError::BadRequest("请填写延长的工作日数（1-20）".into()))?,
            reason: f.reason.clone(),
        },
        "fee_notice" => {
            let n = state
                .store
                .applications()
                .applicant_month_count(&a.id_document, &a.received_on)
                .await?;
            Step::FeeNotice {
                on: on()?,
                amount: fee_for_nth(u32::try_from(n).unwrap_or(u32::MAX)),
            }
        }
        "fee_paid" => Step::FeePaid { on: on()? },
        "fee_unpaid" => Step::FeeUnpaid { on: on()? },
        "draft" => Step::Draft {
            outcome: Outcome::from_code(&f.outcome).ok_or_else(|| {
                AppError::BadRequest("办理结果无效：请选择年度报告中的一项".into())
            })?,
            reason: f.reason.clone(),
            pointer: f.pointer.clone(),
            text: f.text.clone(),
        },
        "approve" => Step::Approve,
        "send_back" => Step::SendBack {
            reason: f.reason.clone(),
        },
        "deliver" => Step::Deliver {
            on: on()?,
            how: f.how.clone(),
        },
        _ => return Err(AppError::BadRequest("未知的办理步骤".into())),
    })
}

/// `POST /admin/applications/{id}/step`: takes one step.
pub async fn step(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let a = state.store.applications().get(id).await?;
    permit(s.staff(), Action::HandleApplications, a.unit_id)?;
    let done = match step_of(&state, &a, &f).await {
        Ok(step) => take(&state, &s.actor(), s.staff(), &a, &step)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/admin/applications/{id}")).into_response()),
        // the rule that refused it, on the desk with what was typed (nothing was changed)
        Err(e @ (AppError::BadRequest(_) | AppError::Conflict(_))) => {
            desk_page(&state, &headers, &s, id, None, Some((e, f))).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/applications/{id}/assign` (`handler`: an account name of the unit).
#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    handler: String,
}

/// `POST /admin/applications/{id}/assign`: assigns the handler.
pub async fn assign(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<AssignForm>,
) -> Result<Response, AppError> {
    let a = state.store.applications().get(id).await?;
    permit(s.staff(), Action::HandleApplications, a.unit_id)?;
    let staff = state.store.list_staff(a.unit_id).await?;
    let Some(h) = staff
        .iter()
        .find(|m| m.username == f.handler.trim() && m.active)
    else {
        return Err(AppError::BadRequest("承办人须为本单位在用的账号".into()));
    };
    if !allowed(h.role, h.unit_id, Action::HandleApplications, a.unit_id) {
        return Err(AppError::BadRequest(format!(
            "{} 的角色（{}）不能办理申请，请选择办件人员或负责人",
            h.username,
            h.role.label()
        )));
    }
    state
        .store
        .applications()
        .assign(&s.actor(), id, &h.username, &day(today()))
        .await?;
    Ok(Redirect::to(&format!("/admin/applications/{id}")).into_response())
}

/// `?state=&before=` of a unit's application list.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    before: Option<i64>,
}

fn state_label(code: &str) -> &'static str {
    AppStateCode::from_code(code).map_or("未知", AppStateCode::label)
}

/// `GET /admin/units/{id}/applications`: the unit's applications, newest first, 50 a page.
pub async fn unit_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    let unit = state.store.get_unit(unit_id).await?;
    let filter = q
        .state
        .clone()
        .filter(|c| AppStateCode::from_code(c).is_some());
    let list = state
        .store
        .applications()
        .list(&ApplicationFilter {
            unit_id: Some(unit_id),
            state: filter.clone(),
            before: q.before,
            limit: 51,
        })
        .await?;
    let more = list.len() > 50;
    let list = &list[..list.len().min(50)];
    let today = day(today());
    let rows: Vec<_> = list
        .iter()
        .map(|a| {
            minijinja::context! {
                id => a.id, tracking_no => &a.tracking_no, name => &a.name, content => a.content.chars().take(40).collect::<String>(),
                received_on => &a.received_on, state => state_label(&a.state), due_on => &a.due_on,
                overdue => a.due_on.as_deref().is_some_and(|d| d < today.as_str()),
                handler => &a.handler, late => a.late == 1,
            }
        })
        .collect();
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        rows, filter,
        states => AppStateCode::ALL.iter().map(|s| (s.code(), s.label())).collect::<Vec<_>>(),
        next => more.then(|| list.last().map(|a| a.id)).flatten(),
        can_handle => allowed(s.staff().role, s.staff().unit_id, Action::HandleApplications, unit_id),
    };
    Ok(render(
        &state,
        &headers,
        "admin/applications.html",
        &format!("{} · 依申请公开", unit.name),
        ctx,
        Some(&s.session),
    ))
}

/// An application as every way in sends it — the public form, staff registering one received
/// otherwise (with the channel and its dates), the JSON API — read the same way by
/// [`ApplicationForm::read`].
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ApplicationForm {
    /// The unit asked (its code; the public form and API).
    #[serde(default)]
    pub unit: String,
    /// [`ApplicantType`] code.
    #[serde(default)]
    pub applicant_type: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Resident ID or unified social credit code.
    #[serde(default)]
    pub id_document: String,
    /// Phone.
    #[serde(default)]
    pub phone: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Postal address.
    #[serde(default)]
    pub address: String,
    /// The information sought.
    #[serde(default)]
    pub content: String,
    /// Purpose.
    #[serde(default)]
    pub purpose: String,
    /// Preferred form code.
    #[serde(default)]
    pub form: String,
    /// Delivery code.
    #[serde(default)]
    pub delivery: String,
    /// The one-time key of the form (or the API client's): the same key again is the same
    /// application.
    #[serde(default)]
    pub request_key: String,
    /// Staff registrations: the channel code.
    #[serde(default)]
    pub channel: String,
    /// Staff registrations: the day handed in.
    #[serde(default)]
    pub submitted: String,
    /// Staff registrations: the day a registered letter was signed for.
    #[serde(default)]
    pub signed_for: String,
    /// Staff registrations: the day receipt was confirmed.
    #[serde(default)]
    pub confirmed: String,
}

impl ApplicationForm {
    /// Reads the application's own fields (`domain::application::read_application`).
    pub(crate) fn read(
        &self,
    ) -> Result<gongkai_domain::application::ApplicationInput, Vec<FieldError>> {
        read_application(&ApplicationFields {
            applicant_type: &self.applicant_type,
            name: &self.name,
            id_document: &self.id_document,
            phone: &self.phone,
            email: &self.email,
            address: &self.address,
            content: &self.content,
            purpose: &self.purpose,
            form: &self.form,
            delivery: &self.delivery,
        })
    }
}

/// The channels staff register (online applications arrive through the form).
pub(crate) const STAFF_CHANNELS: [(&str, Channel); 5] = [
    ("in_person", Channel::InPerson),
    ("registered_mail", Channel::RegisteredMail),
    ("ordinary_mail", Channel::OrdinaryMail),
    ("fax", Channel::Fax),
    ("email", Channel::Email),
];

/// The stored code of a channel.
pub(crate) fn channel_code(c: Channel) -> &'static str {
    match c {
        Channel::Online => "online",
        other => STAFF_CHANNELS
            .iter()
            .find(|(_, ch)| *ch == other)
            .map_or("online", |(code, _)| code),
    }
}

/// The Chinese name of a stored channel code.
pub(crate) fn channel_label(code: &str) -> &'static str {
    if code == "online" {
        return Channel::Online.label();
    }
    STAFF_CHANNELS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("未知", |(_, ch)| ch.label())
}

async fn register_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    f: &ApplicationForm,
    errors: &[FieldError],
) -> Result<Response, AppError> {
    let unit = state.store.get_unit(unit_id).await?;
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        f => ser(f), errors => ser(&errors),
        types => ApplicantType::ALL.iter().map(|t| (t.code(), t.label())).collect::<Vec<_>>(),
        forms => FORMS.to_vec(), deliveries => DELIVERIES.to_vec(),
        channels => STAFF_CHANNELS.iter().map(|(c, ch)| (*c, ch.label())).collect::<Vec<_>>(),
    };
    let resp = render(
        state,
        headers,
        "admin/application_new.html",
        &format!("{} · 登记申请", unit.name),
        ctx,
        Some(&s.session),
    );
    Ok(crate::forms::invalid_if(!errors.is_empty(), resp))
}

/// `GET /admin/units/{id}/applications/new`: the form to register an application received in
/// person, by mail, fax or e-mail.
pub async fn register_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::HandleApplications, unit_id)?;
    let t = day(today());
    let f = ApplicationForm {
        request_key: random_token(),
        channel: "in_person".into(),
        submitted: t.clone(),
        form: "paper".into(),
        delivery: "post".into(),
        ..ApplicationForm::default()
    };
    register_page(&state, &headers, &s, unit_id, &f, &[]).await
}

/// How an application arrived: the channel and its dates, the form's one-time key (hashed),
/// and the address an online one came from (empty for staff registrations).
pub(crate) struct Arrival<'a> {
    /// The channel.
    pub channel: Channel,
    /// Its dates.
    pub facts: ReceiptFacts,
    /// The submission key's hash.
    pub submission_key: String,
    /// The client's address.
    pub client_addr: &'a str,
    /// A scan of the identity document (stored already): (file name, MIME type, size, hash).
    pub identity: Option<(String, &'static str, i64, String)>,
}

/// The field a refusal by the per-address rate limit is reported under (answered 429).
pub(crate) const RATE_LIMITED: &str = "rate_limit";

/// Receives an application on any path: the date of receipt by the channel's rule, the clock
/// from that day, abuse protection for online applications (at most `[applications]
/// per_address_per_hour` from one address; a near-duplicate of the same applicant's recent
/// application to the same unit is flagged for the handler, who may answer it as 重复申请), one
/// audited write (a repeated submission key finds the stored one). Returns the application,
/// whether it was already stored, and its query code (when new).
pub(crate) async fn receive(
    state: &AppState,
    actor: &gongkai_store::Actor,
    unit_id: i64,
    input: &gongkai_domain::application::ApplicationInput,
    arrival: &Arrival<'_>,
) -> Result<(Application, bool, String), Vec<FieldError>> {
    let Arrival {
        channel,
        facts,
        submission_key,
        client_addr,
        identity,
    } = arrival;
    let (channel, facts, client_addr) = (*channel, facts, *client_addr);
    let submission_key = submission_key.as_str();
    let fail = |field: &'static str, message: String| vec![FieldError { field, message }];
    let internal = |e: gongkai_store::StoreError| fail("channel", e.to_string());
    let apps = state.store.applications();
    if let Some(a) = apps
        .by_submission_key(submission_key)
        .await
        .map_err(internal)?
    {
        return Ok((a, true, String::new()));
    }
    let config = &state.config.applications;
    if channel == Channel::Online && !client_addr.is_empty() {
        let since = (chrono::Utc::now() - chrono::Duration::hours(1))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let n = apps
            .count_from_address(client_addr, &since)
            .await
            .map_err(internal)?;
        if n >= i64::from(config.per_address_per_hour) {
            state.metrics.count_abuse("rate_limited");
            return Err(fail(
                RATE_LIMITED,
                format!(
                    "同一网络地址每小时最多在线提交{}件申请，请稍后再试，或通过信函、当面等方式提交",
                    config.per_address_per_hour
                ),
            ));
        }
    }
    let (received_on, note) =
        receipt_date(channel, facts).map_err(|e| fail("channel", e.to_string()))?;
    if received_on > today() {
        return Err(fail(
            "channel",
            format!("收到申请之日 {received_on} 晚于今天"),
        ));
    }
    let cal = state
        .store
        .calendar()
        .await
        .map_err(|e| fail("channel", e.to_string()))?;
    let limits = config.limits();
    let reading =
        gongkai_domain::application::read_clock(&cal, received_on, &[], limits.correction_workdays)
            .map_err(|e| fail("channel", e.to_string()))?;
    let due = due_dates(&cal, config.due_soon_workdays, received_on, &reading)
        .map_err(|e| fail("channel", e.to_string()))?;
    let since = received_on - chrono::Duration::days(i64::from(config.duplicate_days));
    let duplicate_of = apps
        .recent_of_applicant(&input.id_document, unit_id, &day(since))
        .await
        .map_err(internal)?
        .into_iter()
        .find(|(_, content)| {
            gongkai_domain::application::similarity(content, &input.content)
                >= config.duplicate_similarity
        })
        .map(|(no, _)| no)
        .unwrap_or_default();
    let code = query_code();
    let received = apps
        .receive(
            actor,
            &NewApplication {
                unit_id,
                input,
                channel: channel_code(channel),
                received_on: &day(received_on),
                receipt_note: &note,
                secret_hash: &token_hash(&code),
                submission_key,
                due,
                client_addr,
                duplicate_of: &duplicate_of,
                identity_file: identity
                    .as_ref()
                    .map(|(name, ct, size, hash)| NewApplicationFile {
                        kind: "identity",
                        filename: name,
                        content_type: ct,
                        size: *size,
                        sha256: hash,
                        findings: "",
                    }),
            },
        )
        .await
        .map_err(internal)?;
    if !duplicate_of.is_empty() && !received.repeated {
        state.metrics.count_abuse("near_duplicate");
    }
    Ok((received.application, received.repeated, code))
}

/// `POST /admin/units/{id}/applications/new`: registers an application received in person, by
/// mail, fax or e-mail; the channel's dates decide the date of receipt.
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<ApplicationForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::HandleApplications, unit_id)?;
    let read = f.read();
    let mut errors = read.as_ref().err().cloned().unwrap_or_default();
    let channel = STAFF_CHANNELS
        .iter()
        .find(|(c, _)| *c == f.channel)
        .map(|(_, ch)| *ch);
    if channel.is_none() {
        errors.push(FieldError {
            field: "channel",
            message: "请选择收到申请的渠道".into(),
        });
    }
    let mut date = |field: &'static str, v: &str| {
        if v.trim().is_empty() {
            None
        } else {
            let d = parse_day(v);
            if d.is_none() {
                errors.push(FieldError {
                    field,
                    message: "日期格式应为 YYYY-MM-DD".into(),
                });
            }
            d
        }
    };
    let facts = ReceiptFacts {
        submitted: date("submitted", &f.submitted),
        signed_for: date("signed_for", &f.signed_for),
        confirmed: date("confirmed", &f.confirmed),
    };
    if f.request_key.len() < 16 {
        errors.push(FieldError {
            field: "request_key",
            message: "表单已失效，请刷新页面后重新填写提交".into(),
        });
    }
    let (Ok(input), Some(channel), true) = (read, channel, errors.is_empty()) else {
        return register_page(&state, &headers, &s, unit_id, &f, &errors).await;
    };
    match receive(
        &state,
        &s.actor(),
        unit_id,
        &input,
        &Arrival {
            channel,
            facts,
            submission_key: token_hash(&f.request_key),
            client_addr: "",
            identity: None,
        },
    )
    .await
    {
        Ok((a, repeated, code)) => {
            let to = if repeated {
                format!("/admin/applications/{}", a.id)
            } else {
                format!("/admin/applications/{}?code={code}", a.id)
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => register_page(&state, &headers, &s, unit_id, &f, &errors).await,
    }
}

/// `?code=` (the query code, shown once after registering) of the desk.
#[derive(Deserialize, Default)]
pub struct DeskQuery {
    code: Option<String>,
}

/// `GET /admin/applications/{id}`: the application, its clock and why, its steps, and the
/// steps its state allows. The identity document and its scans are shown only to those who
/// handle the unit's applications.
pub async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(q): Query<DeskQuery>,
) -> Result<Response, AppError> {
    desk_page(&state, &headers, &s, id, q.code, None).await
}

/// The desk, after a step that was refused: the reason, and the form as it was filled in.
async fn desk_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    query_code: Option<String>,
    failed: Option<(AppError, StepForm)>,
) -> Result<Response, AppError> {
    let apps = state.store.applications();
    let a = apps.get(id).await?;
    permit(s.staff(), Action::ViewUnitDesk, a.unit_id)?;
    let staff = s.staff();
    let can_handle = allowed(
        staff.role,
        staff.unit_id,
        Action::HandleApplications,
        a.unit_id,
    );
    let can_approve = allowed(
        staff.role,
        staff.unit_id,
        Action::ApproveApplications,
        a.unit_id,
    );
    let unit = state.store.get_unit(a.unit_id).await?;
    let events = apps.events(id).await?;
    let st = AppStateCode::from_code(&a.state).unwrap_or(AppStateCode::Closed);
    let today_d = today();
    let handlers: Vec<(String, String)> = if can_handle {
        state
            .store
            .list_staff(a.unit_id)
            .await?
            .into_iter()
            .filter(|m| {
                m.active && allowed(m.role, m.unit_id, Action::HandleApplications, a.unit_id)
            })
            .map(|m| (m.username, m.display_name))
            .collect()
    } else {
        Vec::new()
    };
    let files: Vec<_> = apps
        .files(id)
        .await?
        .into_iter()
        .filter(|f| can_handle || f.kind != "identity")
        .collect();
    let outcome = Outcome::from_code(&a.outcome);
    let ctx = minijinja::context! {
        a => minijinja::context! {
            id => a.id, tracking_no => &a.tracking_no, name => &a.name,
            applicant_type => ApplicantType::from_code(&a.applicant_type).map(|t| t.label()),
            id_document => if can_handle { a.id_document.clone() } else { gongkai_domain::scan::mask(gongkai_domain::scan::FindingKind::IdNumber, &a.id_document) },
            phone => &a.phone, email => &a.email, address => &a.address, content => &a.content, purpose => &a.purpose,
            form => FORMS.iter().find(|(c, _)| *c == a.form).map(|(_, l)| *l),
            delivery => DELIVERIES.iter().find(|(c, _)| *c == a.delivery).map(|(_, l)| *l),
            channel => channel_label(&a.channel), received_on => &a.received_on, receipt_note => &a.receipt_note,
            state => st.code(), state_label => st.label(), handler => &a.handler,
            due_on => &a.due_on, due_steps => a.due_note.lines().map(str::to_string).collect::<Vec<_>>(),
            overdue => a.due_on.as_deref().is_some_and(|d| d < day(today_d).as_str()),
            outcome => outcome.map(|o| o.label()), outcome_group => outcome.filter(|o| !o.group().ends_with(o.label())).map(|o| o.group()),
            basis => outcome.map(|o| o.basis()), reason => &a.outcome_reason, pointer => &a.outcome_pointer,
            answer_text => &a.answer_text, closed_on => &a.closed_on, late => a.late == 1, fee => a.fee_yuan,
            duplicate_of => &a.duplicate_of, registered_at => &a.registered_at,
            outcome_code => &a.outcome, delivery_code => &a.delivery,
        },
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        events => events.iter().map(|e| minijinja::context! {
            on_date => &e.on_date, what => Step::kind_label(&e.kind), note => &e.note,
            actor => match e.actor.as_str() { "public" => "申请人（网上提交）".to_string(), "demo" => "演示数据".to_string(), other => other.to_string() },
            // the code an event names, in words: the channel received by, the delivery made
            name => match e.kind.as_str() {
                "received" => String::new(),
                "delivered" => DELIVERIES.iter().find(|(c, _)| *c == e.name).map_or(if e.name == "on_site" { "当场送达".to_string() } else { e.name.clone() }, |(_, l)| (*l).to_string()),
                _ => e.name.clone(),
            },
            days => e.days, amount => e.amount, due_on => &e.due_on,
            party => Party::from_code(&e.party).map(Party::label),
        }).collect::<Vec<_>>(),
        can_handle, can_approve, handlers,
        can_edit_items => allowed(staff.role, staff.unit_id, Action::WorkOnItems, a.unit_id),
        categories => if a.state == "closed" && allowed(staff.role, staff.unit_id, Action::WorkOnItems, a.unit_id) {
            state.store.disclosure().list_categories(Some(a.unit_id)).await?.into_iter()
                .filter(|c| c.parent_id.is_some()).map(|c| (c.id, c.name)).collect::<Vec<_>>()
        } else { Vec::new() },
        outcomes => Outcome::all().into_iter().filter(|o| !matches!(o, Outcome::Other(1) | Outcome::Other(2))).map(|o| minijinja::context! {
            code => o.code(), label => format!("{} · {}", o.group(), o.label()), basis => o.basis(),
        }).collect::<Vec<_>>(),
        deliveries => DELIVERIES.to_vec(),
        files => ser(&files),
        remedies => apps.remedies(id).await?.iter().map(|r| minijinja::context! {
            kind => REMEDY_KINDS.iter().find(|(c, _)| *c == r.kind).map_or(r.kind.as_str(), |(_, l)| *l),
            result => REMEDY_RESULTS.iter().find(|(c, _)| *c == r.result).map_or(r.result.as_str(), |(_, l)| *l),
            filed_on => &r.filed_on, decided_on => &r.decided_on, note => &r.note,
        }).collect::<Vec<_>>(),
        letters => super::letters::available(&a, &events),
        today => day(today_d), query_code,
        error => failed.as_ref().map(|(e, _)| e.to_string()),
        f => ser(&failed.as_ref().map(|(_, f)| f.clone()).unwrap_or_default()),
    };
    let mut resp = render(
        state,
        headers,
        "admin/application.html",
        &format!("申请 {}", a.tracking_no),
        ctx,
        Some(&s.session),
    );
    if let Some((e, _)) = &failed {
        *resp.status_mut() = e.status();
    }
    Ok(resp)
}

/// `POST /admin/applications/{id}/files` (multipart: `csrf`, `kind`, `file`): files an identity
/// scan, a consultation letter or reply, or a released record. Released records are scanned
/// for personal data first, and a record with findings is refused.
pub async fn upload(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    up: Upload,
) -> Result<Response, AppError> {
    let a = state.store.applications().get(id).await?;
    permit(s.staff(), Action::HandleApplications, a.unit_id)?;
    let kind = up.text("kind").to_string();
    if !["identity", "consultation", "released"].contains(&kind.as_str()) {
        return Err(AppError::BadRequest("请选择文件类别".into()));
    }
    let Some(file) = up.file("file") else {
        return Err(AppError::BadRequest("请选择要上传的文件".into()));
    };
    let limit = if kind == "identity" {
        state.config.applications.max_scan_mb << 20
    } else {
        state.config.max_attachment_bytes
    };
    if file.bytes.len() > limit {
        return Err(AppError::BadRequest(format!(
            "文件过大（不超过{}MB）",
            limit >> 20
        )));
    }
    let name = crate::forms::safe_file_name(&file.file_name, "文件");
    let content_type = crate::disclosure::items::content_type_of(&name, &file.bytes)
        .map_err(AppError::BadRequest)?;
    if kind == "identity" && !matches!(content_type, "image/png" | "image/jpeg" | "application/pdf")
    {
        return Err(AppError::BadRequest(
            "身份证件扫描件须为 PNG、JPEG 图片或 PDF".into(),
        ));
    }
    let mut findings = String::new();
    if kind == "released" {
        let found = super::scan_release(
            &state,
            &name,
            &file.bytes,
            &[&a.id_document, &a.phone, &a.email],
        )
        .await?;
        if !found.is_empty() {
            return Err(AppError::BadRequest(format!(
                "提供给申请人的材料中发现第三方个人信息或未能检查的内容，请处理后再上传：{}",
                found.join("；")
            )));
        }
        findings = "已检查，未发现个人信息".into();
    }
    let hash = crate::disclosure::items::store_file(&state.files, &file.bytes).await?;
    state
        .store
        .applications()
        .add_file(
            &s.actor(),
            id,
            &NewApplicationFile {
                kind: &kind,
                filename: &name,
                content_type,
                size: file.bytes.len() as i64,
                sha256: &hash,
                findings: &findings,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/applications/{id}#files")).into_response())
}

/// `GET /admin/application-files/{id}`: a private file of an application, as a download;
/// identity scans only to those who handle the unit's applications.
pub async fn download(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let apps = state.store.applications();
    let f = apps.file(id).await?;
    let a = apps.get(f.application_id).await?;
    permit(
        s.staff(),
        if f.kind == "identity" {
            Action::HandleApplications
        } else {
            Action::ViewUnitDesk
        },
        a.unit_id,
    )?;
    crate::pages::send_stored_file(
        &state,
        &headers,
        &f.sha256,
        &f.content_type,
        &f.filename,
        "private, no-store",
    )
    .await
}

/// The remedy form.
#[derive(Deserialize)]
pub struct RemedyForm {
    #[serde(default)]
    id: i64,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    note: String,
}

/// Remedy kinds: the report's three groups.
pub(crate) const REMEDY_KINDS: [(&str, &str); 3] = [
    ("reconsideration", "行政复议"),
    ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
    ("litigation_after", "行政诉讼（复议后起诉）"),
];
/// Remedy results: the report's columns.
pub(crate) const REMEDY_RESULTS: [(&str, &str); 4] = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
];

/// `POST /admin/applications/{id}/remedies`: records a reconsideration or lawsuit, or its
/// result.
pub async fn remedy(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RemedyForm>,
) -> Result<Response, AppError> {
    let a = state.store.applications().get(id).await?;
    permit(s.staff(), Action::HandleApplications, a.unit_id)?;
    if !REMEDY_KINDS.iter().any(|(c, _)| *c == f.kind) {
        return Err(AppError::BadRequest("请选择复议或诉讼的类别".into()));
    }
    if !REMEDY_RESULTS.iter().any(|(c, _)| *c == f.result) {
        return Err(AppError::BadRequest("请选择审理结果".into()));
    }
    let filed = parse_day(&f.filed_on)
        .ok_or_else(|| AppError::BadRequest("请填写提起日期（YYYY-MM-DD）".into()))?;
    let received = parse_day(&a.received_on).unwrap_or(filed);
    if filed < received || filed > today() {
        return Err(AppError::BadRequest(
            "提起日期须在收到申请之后、今天之前".into(),
        ));
    }
    let decided = if f.result == "pending" {
        None
    } else {
        let d = parse_day(&f.decided_on)
            .ok_or_else(|| AppError::BadRequest("已审结的请填写审结日期（YYYY-MM-DD）".into()))?;
        if d < filed || d > today() {
            return Err(AppError::BadRequest(
                "审结日期须在提起之后、今天之前".into(),
            ));
        }
        Some(day(d))
    };
    state
        .store
        .applications()
        .save_remedy(
            &s.actor(),
            &Remedy {
                id: f.id,
                application_id: id,
                unit_id: a.unit_id,
                kind: f.kind.clone(),
                filed_on: day(filed),
                result: f.result.clone(),
                decided_on: decided,
                note: f.note.trim().chars().take(500).collect(),
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/applications/{id}#remedies")).into_response())
}

/// `?unit=` of the e-supervision dashboard.
#[derive(Deserialize, Default)]
pub struct SupervisionQuery {
    unit: Option<i64>,
}

/// `GET /admin/applications`: e-supervision of applications: per unit, overdue, due within the
/// configured working days, consultations pending, and those answered late per month this
/// year; then the list of those due soon, with their due dates and why. District roles see every
/// unit; others their own.
pub async fn supervision(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<SupervisionQuery>,
) -> Result<Response, AppError> {
    let staff = s.staff();
    let district = allowed(staff.role, staff.unit_id, Action::Supervise, staff.unit_id);
    let unit = match (district, q.unit) {
        (true, u) => u,
        (false, Some(u)) => {
            permit(staff, Action::ViewUnitDesk, u)?;
            Some(u)
        }
        (false, None) => Some(staff.unit_id),
    };
    let cal = state.store.calendar().await?;
    let today_d = today();
    let soon = cal
        .add_workdays(
            today_d,
            state.config.applications.due_soon_workdays,
            gongkai_domain::calendar::Coverage::Strict,
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let apps = state.store.applications();
    let figures = apps.figures(&day(today_d), &day(soon)).await?;
    let year = today_d.format("%Y").to_string();
    let late = apps
        .late_by_month(&format!("{year}-01-01"), &format!("{year}-12-31"))
        .await?;
    let units = state.store.list_units().await?;
    let name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map_or(String::new(), |u| u.name.clone())
    };
    let due = apps.due_list(unit, &day(soon), 100).await?;
    let today_s = day(today_d);
    let ctx = minijinja::context! {
        figures => figures.iter().filter(|f| unit.is_none_or(|u| u == f.unit_id)).map(|f| minijinja::context! {
            unit_id => f.unit_id, unit => name(f.unit_id), overdue => f.overdue, due_soon => f.due_soon, consulting => f.consulting,
        }).collect::<Vec<_>>(),
        late => late.iter().filter(|(u, _, _)| unit.is_none_or(|x| x == *u)).map(|(u, m, n)| minijinja::context! { unit => name(*u), month => m, n }).collect::<Vec<_>>(),
        due => due.iter().map(|a| minijinja::context! {
            id => a.id, tracking_no => &a.tracking_no, unit => name(a.unit_id), due_on => &a.due_on,
            overdue => a.due_on.as_deref().is_some_and(|d| d < today_s.as_str()),
            steps => a.due_note.lines().map(str::to_string).collect::<Vec<_>>(), state => state_label(&a.state), handler => &a.handler,
        }).collect::<Vec<_>>(),
        soon => day(soon), soon_days => state.config.applications.due_soon_workdays, district, unit,
        unit_name => unit.map(name), year,
    };
    Ok(render(
        &state,
        &headers,
        "admin/application_supervision.html",
        "依申请公开 · 电子监察",
        ctx,
        Some(&s.session),
    ))
}

/// The register form: `publish` (masked) or `withdraw` with a reason.
#[derive(Deserialize)]
pub struct RegisterActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

/// Masks what the public register must not show: personal data the scanner finds, and the
/// applicant's own name.
pub(crate) fn mask_for_public(text: &str, name: &str) -> String {
    let scanner = gongkai_domain::scan::Scanner::new::<&str>(&[]);
    let masked = gongkai_domain::scan::mask_all(text, &scanner.scan(text));
    if name.trim().chars().count() >= 2 {
        masked.replace(name.trim(), "申请人")
    } else {
        masked
    }
}

/// `POST /admin/applications/{id}/register`: puts an answered application in the public
/// register (what was asked and the answer, with personal data masked), or takes it out.
pub async fn register_action(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RegisterActionForm>,
) -> Result<Response, AppError> {
    let apps = state.store.applications();
    let a = apps.get(id).await?;
    permit(s.staff(), Action::HandleApplications, a.unit_id)?;
    match f.action.as_str() {
        "publish" => {
            let content = mask_for_public(&a.content, &a.name);
            let answer = mask_for_public(&a.answer_text, &a.name);
            apps.set_register(&s.actor(), id, Some((&content, &answer)), "")
                .await?;
        }
        "withdraw" => {
            if f.reason.trim().is_empty() {
                return Err(AppError::BadRequest("请写明撤下理由".into()));
            }
            apps.set_register(&s.actor(), id, None, f.reason.trim())
                .await?;
        }
        _ => return Err(AppError::BadRequest("未知的操作".into())),
    }
    Ok(Redirect::to(&format!("/admin/applications/{id}#register")).into_response())
}

/// The form that turns an answer into a proactive-disclosure draft.
#[derive(Deserialize)]
pub struct ToItemForm {
    #[serde(default)]
    category_id: i64,
    #[serde(default)]
    title: String,
}

/// `POST /admin/applications/{id}/to-item`: an answer others will want becomes a draft item of
/// the unit's catalog (title given, body the answer with personal data masked); it is then
/// published through the normal review workflow.
pub async fn to_item(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ToItemForm>,
) -> Result<Response, AppError> {
    let a = state.store.applications().get(id).await?;
    permit(s.staff(), Action::WorkOnItems, a.unit_id)?;
    if a.state != "closed" || a.answer_text.trim().is_empty() {
        return Err(AppError::Conflict(
            "只有已答复的申请可以转为主动公开信息".into(),
        ));
    }
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::BadRequest("请填写标题（200字以内）".into()));
    }
    let dis = state.store.disclosure();
    let category = dis
        .list_categories(Some(a.unit_id))
        .await?
        .into_iter()
        .find(|c| c.id == f.category_id)
        .ok_or_else(|| AppError::BadRequest("请选择本单位目录中的栏目".into()))?;
    let body = mask_for_public(&a.answer_text, &a.name);
    let item = dis
        .create_item(
            &s.actor(),
            a.unit_id,
            category.id,
            &gongkai_store::disclosure::RevisionContent {
                title: title.to_string(),
                doc_no: String::new(),
                formed_on: a.closed_on.clone().unwrap_or_else(|| day(today())),
                validity: gongkai_domain::disclosure::Validity::InForce,
                topic: "其他".into(),
                summary: format!("依申请公开答复（{}）转为主动公开", a.tracking_no),
                body,
            },
            None,
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{}", item.id)).into_response())
}
