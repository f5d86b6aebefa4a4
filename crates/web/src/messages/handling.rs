//! Messages, the back office: a unit's list, the handling desk (accept, transfer with a reason,
//! ask the writer for more, draft, review: let out or send back, mark abusive) and the routing
//! rules the openness office edits. The rules are `domain::message`; every step goes through
//! [`take`], the one path that checks access and the state machine and stores.

use super::{day, ser, today};
use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::message::{
    MessageKind, PublicCopy, State as MsgState, Step, parse_keywords, take_step, workdays_between,
};
use gongkai_domain::scan::Scanner;
use gongkai_store::messages::{Message, MessageStep};
use serde::{Deserialize, Serialize};

/// The state of a stored message.
fn state_of(m: &Message) -> Result<MsgState, AppError> {
    MsgState::from_code(&m.state)
        .ok_or_else(|| AppError::Internal(format!("留言 {} 状态无效：{}", m.id, m.state)))
}

/// Takes one step on a message: access (transfers also by the routing office; reviews only by
/// the unit's reviewers), the domain's state machine, then one guarded, audited write. An
/// approved answer goes public masked when the writer agreed. Every path comes through here.
pub(crate) async fn take(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    m: &Message,
    step: &Step,
) -> Result<Message, AppError> {
    let routing = matches!(step, Step::Transfer { .. })
        && allowed(staff.role, staff.unit_id, Action::RouteMessages, m.unit_id);
    if !routing {
        permit(staff, Action::HandleMessages, m.unit_id)?;
    }
    if step.needs_reviewer() {
        permit(staff, Action::ReviewMessages, m.unit_id)?;
    }
    let now = state_of(m)?;
    let to = take_step(now, m.unit_id, step).map_err(AppError::BadRequest)?;
    let mut s = MessageStep {
        from_state: m.state.clone(),
        from_unit: m.unit_id,
        to_state: to.code().into(),
        kind: step.kind().into(),
        label: Step::kind_label(step.kind()).into(),
        ..MessageStep::default()
    };
    match step {
        Step::Transfer { to_unit, reason } => {
            let target = state.store.get_unit(*to_unit).await?;
            s.to_unit = Some(target.id);
            s.note = reason.trim().into();
            s.label = format!("转办至{}", target.name);
        }
        Step::Accept | Step::Approve => {}
        Step::AskMore(t) | Step::MoreReceived(t) | Step::SendBack(t) => s.note = t.trim().into(),
        Step::Draft(t) => {
            s.draft = Some(t.trim().into());
            s.note = t.trim().into();
        }
        Step::MarkAbusive(t) => {
            s.abusive_reason = Some(t.trim().into());
            s.note = t.trim().into();
        }
    }
    if matches!(step, Step::Approve) {
        if staff.username == m.drafted_by {
            return Err(AppError::BadRequest(
                "答复须由拟写人以外的审核人员或负责人审核".into(),
            ));
        }
        let cal = state.store.calendar().await?;
        let today = today();
        let received = chrono::NaiveDate::parse_from_str(&m.received_on, "%Y-%m-%d")
            .map_err(|_| AppError::Internal(format!("留言 {} 收到日期无效", m.id)))?;
        let days = i64::from(workdays_between(&cal, received, today));
        let public = if m.publish_ok == 1 {
            let scanner = Scanner::new(&state.store.disclosure().sensitive_words().await?);
            Some(PublicCopy::of(
                &scanner, &m.name, &m.subject, &m.body, &m.answer,
            ))
        } else {
            None
        };
        s.answered = Some((day(today), days, public));
    }
    Ok(state
        .store
        .messages()
        .take_step(&gongkai_store::Actor::of(staff), m.id, &s)
        .await?)
}

/// A step as the desk's forms send it (`step`: accept, transfer, ask, more, draft, approve,
/// send_back, abusive).
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    text: String,
}

async fn step_of(state: &AppState, f: &StepForm) -> Result<Step, AppError> {
    let text = f.text.clone();
    Ok(match f.step.as_str() {
        "accept" => Step::Accept,
        "transfer" => {
            let unit = state
                .store
                .find_unit_by_code(f.to_unit.trim())
                .await?
                .ok_or_else(|| AppError::BadRequest("请选择转办的单位".into()))?;
            Step::Transfer {
                to_unit: unit.id,
                reason: text,
            }
        }
        "ask" => Step::AskMore(text),
        "more" => Step::MoreReceived(text),
        "draft" => Step::Draft(text),
        "approve" => Step::Approve,
        "send_back" => Step::SendBack(text),
        "abusive" => Step::MarkAbusive(text),
        _ => return Err(AppError::BadRequest("未知的办理步骤".into())),
    })
}

/// `POST /admin/messages/{id}/step`: takes one step; a refused step shows the desk again with
/// the reason and what was typed (nothing changed).
pub async fn step(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let m = state.store.messages().get(id).await?;
    let routing = allowed(
        s.staff().role,
        s.staff().unit_id,
        Action::RouteMessages,
        m.unit_id,
    );
    if !routing {
        permit(s.staff(), Action::HandleMessages, m.unit_id)?;
    }
    let done = match step_of(&state, &f).await {
        Ok(step) => take(&state, s.staff(), &m, &step).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/admin/messages/{id}")).into_response()),
        Err(e @ (AppError::BadRequest(_) | AppError::Conflict(_))) => {
            desk_page(&state, &headers, &s, id, Some((e, f))).await
        }
        Err(e) => Err(e),
    }
}

/// `GET /admin/messages/{id}`: the message, its clock, every hop and step, and the steps its
/// state allows the viewer.
pub async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    desk_page(&state, &headers, &s, id, None).await
}

async fn desk_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    failed: Option<(AppError, StepForm)>,
) -> Result<Response, AppError> {
    let messages = state.store.messages();
    let m = messages.get(id).await?;
    let staff = s.staff();
    let can_route = allowed(staff.role, staff.unit_id, Action::RouteMessages, m.unit_id);
    if !can_route {
        permit(staff, Action::ViewUnitDesk, m.unit_id)?;
    }
    let can_handle = allowed(staff.role, staff.unit_id, Action::HandleMessages, m.unit_id);
    let can_review = allowed(staff.role, staff.unit_id, Action::ReviewMessages, m.unit_id);
    let units = state.store.list_units().await?;
    let name = |id: Option<i64>| {
        id.and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let st = state_of(&m)?;
    let events = messages.events(id).await?;
    let today = day(today());
    let ctx = minijinja::context! {
        m => minijinja::context! {
            id => m.id, tracking_no => &m.tracking_no, name => &m.name, phone => &m.phone, email => &m.email,
            kind => MessageKind::from_code(&m.kind).map(MessageKind::label), topic => &m.topic,
            subject => &m.subject, body => &m.body, publish_ok => m.publish_ok == 1,
            state => st.code(), state_label => st.label(), received_on => &m.received_on,
            due_on => &m.due_on, due_note => &m.due_note, veto_on => &m.veto_on,
            overdue => m.answered_on.is_none() && st != MsgState::Abusive && m.due_on < today,
            veto => m.answered_on.is_none() && st != MsgState::Abusive && m.veto_on <= today,
            answer => &m.answer, drafted_by => &m.drafted_by, answered_on => &m.answered_on,
            answer_workdays => m.answer_workdays, abusive_reason => &m.abusive_reason,
            duplicate_of => &m.duplicate_of, published => m.published_at.is_some(),
        },
        files => ser(&messages.files(id).await?),
        unit => minijinja::context! { id => m.unit_id, name => name(Some(m.unit_id)) },
        events => events.iter().map(|e| minijinja::context! {
            at => gongkai_domain::calendar::beijing_minutes(&e.at), what => Step::kind_label(&e.kind),
            actor => match e.actor.as_str() { "public" => "留言人（网上提交）".to_string(), other => other.to_string() },
            from_unit => name(e.from_unit), to_unit => name(e.to_unit), note => &e.note,
        }).collect::<Vec<_>>(),
        units => if can_handle || can_route {
            crate::pages::tree_order(&units).into_iter().filter(|(_, u)| u.id != m.unit_id)
                .map(|(depth, u)| minijinja::context! { depth, code => &u.code, name => &u.name }).collect::<Vec<_>>()
        } else { Vec::new() },
        can_handle, can_review, can_route,
        error => failed.as_ref().map(|(e, _)| e.to_string()),
        f => ser(&failed.as_ref().map(|(_, f)| f.clone()).unwrap_or_default()),
    };
    let mut resp = render(
        state,
        headers,
        "admin/message.html",
        &format!("留言 {}", m.tracking_no),
        ctx,
        Some(&s.session),
    );
    if let Some((e, _)) = &failed {
        *resp.status_mut() = e.status();
    }
    Ok(resp)
}

/// `?state=&before=` of a unit's message list.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    before: Option<i64>,
}

/// `GET /admin/units/{id}/messages`: the unit's messages, newest first, 50 a page, by state.
pub async fn unit_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    let unit = state.store.get_unit(unit_id).await?;
    let filter = q.state.clone().filter(|c| MsgState::from_code(c).is_some());
    let messages = state.store.messages();
    let list = messages
        .list(unit_id, filter.as_deref(), q.before, 51)
        .await?;
    let more = list.len() > 50;
    let list = &list[..list.len().min(50)];
    let today = day(today());
    let counts = messages.state_counts(unit_id).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|m| {
            let st = MsgState::from_code(&m.state);
            let open = m.answered_on.is_none() && st != Some(MsgState::Abusive);
            minijinja::context! {
                id => m.id, tracking_no => &m.tracking_no, subject => &m.subject,
                kind => MessageKind::from_code(&m.kind).map(MessageKind::label),
                received_on => &m.received_on, due_on => &m.due_on,
                state => st.map_or("未知", MsgState::label),
                overdue => open && m.due_on < today, veto => open && m.veto_on <= today,
                duplicate => !m.duplicate_of.is_empty(),
            }
        })
        .collect();
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        rows, filter,
        states => MsgState::ALL.iter().map(|s| minijinja::context! {
            code => s.code(), label => s.label(),
            count => counts.iter().find(|(c, _)| c == s.code()).map(|(_, n)| *n),
        }).collect::<Vec<_>>(),
        next => more.then(|| list.last().map(|m| m.id)).flatten(),
    };
    Ok(render(
        &state,
        &headers,
        "admin/messages.html",
        &format!("{} · 政民互动留言", unit.name),
        ctx,
        Some(&s.session),
    ))
}

/// A routing rule as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct RouteForm {
    #[serde(default)]
    topic: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    unit: String,
    /// `off` switches the rule off.
    #[serde(default)]
    active: String,
}

async fn routes_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    failed: Option<(String, RouteForm)>,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let rules = state.store.messages().routes().await?;
    let ctx = minijinja::context! {
        rules => rules.iter().map(|r| minijinja::context! {
            topic => &r.topic, keywords => &r.keywords, active => r.active == 1, updated_at => gongkai_domain::calendar::beijing_minutes(&r.updated_at),
            unit => units.iter().find(|u| u.id == r.unit_id).map(|u| u.name.clone()),
            unit_code => units.iter().find(|u| u.id == r.unit_id).map(|u| u.code.clone()),
        }).collect::<Vec<_>>(),
        units => crate::pages::tree_order(&units).into_iter()
            .map(|(depth, u)| minijinja::context! { depth, code => &u.code, name => &u.name }).collect::<Vec<_>>(),
        error => failed.as_ref().map(|(e, _)| e.clone()),
        f => ser(&failed.as_ref().map(|(_, f)| f.clone()).unwrap_or_default()),
    };
    Ok(crate::forms::invalid_if(
        failed.is_some(),
        render(
            state,
            headers,
            "admin/message_routes.html",
            "留言分办规则",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/message-routes`: the routing rules (openness office).
pub async fn routes_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::RouteMessages, s.staff().unit_id)?;
    routes_page(&state, &headers, &s, None).await
}

/// `POST /admin/message-routes`: adds a rule, or changes (or switches off) the rule of the same
/// topic.
pub async fn routes_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<RouteForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::RouteMessages, s.staff().unit_id)?;
    let topic = f.topic.trim();
    let keywords = parse_keywords(&f.keywords);
    let unit = state.store.find_unit_by_code(f.unit.trim()).await?;
    let problem = if topic.is_empty() || topic.chars().count() > 20 {
        Some("请填写事项类别（不超过20字）")
    } else if unit.is_none() {
        Some("请选择承办单位")
    } else if keywords.iter().any(|k| k.chars().count() < 2) {
        Some("关键词每个至少2个字（过短的词会误分办）")
    } else {
        None
    };
    if let Some(p) = problem {
        return routes_page(&state, &headers, &s, Some((p.into(), f))).await;
    }
    let unit = unit.ok_or_else(|| AppError::Internal("unit".into()))?;
    state
        .store
        .messages()
        .save_route(
            &s.actor(),
            topic,
            &keywords.join("、"),
            unit.id,
            f.active != "off",
        )
        .await?;
    Ok(Redirect::to("/admin/message-routes").into_response())
}

/// `GET /admin/message-files/{id}`: a file attached to a message, for those who may see the
/// message (never public).
pub async fn download(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let messages = state.store.messages();
    let f = messages.file(id).await?;
    let m = messages.get(f.message_id).await?;
    let st = s.staff();
    if !allowed(st.role, st.unit_id, Action::RouteMessages, m.unit_id) {
        permit(st, Action::ViewUnitDesk, m.unit_id)?;
    }
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
