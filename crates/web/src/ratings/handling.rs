//! Service ratings, the back office: a unit's ratings (bad ones first to handle), registering a
//! window visit (its rating slip with number and query code), and the desk of one rating:
//! verify, rectify and answer; or appeal (the unit's leader), which the openness office upholds
//! (the rating stays on record, not counted) or overturns (a new clock). Every step goes through
//! [`take`].

use super::{day, ser, today};
use crate::AppState;
use crate::auth::{StaffSession, permit, query_code, token_hash};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::calendar::Coverage;
use gongkai_domain::rating::{EventKind, Level, State as RatingState, Step, take_step};
use gongkai_store::ratings::{Rating, RatingDue, RatingStep};
use serde::{Deserialize, Serialize};

/// Takes one step on a rating: access (appeals need the leader; decisions the office), the
/// domain's state machine, the clock, then one guarded, audited write.
pub(crate) async fn take(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
    r: &Rating,
    step: &Step,
) -> Result<Rating, AppError> {
    if step.is_office() {
        permit(staff, Action::DecideRatingAppeals, r.unit_id)?;
    } else {
        permit(staff, Action::HandleRatings, r.unit_id)?;
    }
    if matches!(step, Step::Appeal(_)) {
        permit(staff, Action::AppealRatings, r.unit_id)?;
    }
    let now = RatingState::from_code(&r.state)
        .ok_or_else(|| AppError::Internal(format!("评价 {} 状态无效", r.id)))?;
    let to = take_step(now, step).map_err(AppError::BadRequest)?;
    let today = day(today());
    let mut s = RatingStep {
        from_state: r.state.clone(),
        to_state: to.code().into(),
        kind: step.kind().into(),
        label: Step::kind_label(step.kind()).into(),
        ..RatingStep::default()
    };
    match step {
        Step::Rectify {
            verification,
            rectification,
            answer,
        } => {
            let in_time = r.due_on.as_deref().is_none_or(|d| today.as_str() <= d);
            s.note = format!(
                "核实：{}\n整改：{}",
                verification.trim(),
                rectification.trim()
            );
            s.rectify = Some((
                verification.trim().into(),
                rectification.trim().into(),
                answer.trim().into(),
                today.clone(),
                in_time,
            ));
            if !in_time {
                s.label.push_str("（逾期）");
            }
        }
        Step::Appeal(t) => {
            s.note = t.trim().into();
            s.appeal_reason = Some(t.trim().into());
        }
        Step::Uphold(t) => {
            s.note = t.trim().into();
            s.office_note = Some(t.trim().into());
            s.void = true;
        }
        Step::Overturn(t) => {
            s.note = t.trim().into();
            s.office_note = Some(t.trim().into());
            let cfg = &state.config.ratings;
            let cal = state.store.calendar().await?;
            let from = crate::pages::today();
            let due = cal
                .add_workdays(from, cfg.rectify_workdays, Coverage::Strict)
                .map_err(|e| AppError::BadRequest(e.to_string()))?;
            let (soon, red) = gongkai_domain::application::handling::watch_days(
                &cal,
                due,
                cfg.due_soon_workdays,
                from,
            )
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
            s.due = Some(RatingDue {
                due_on: day(due),
                note: format!(
                    "申诉不成立，自 {} 起第{}个工作日内整改回复，即 {}",
                    day(from),
                    cfg.rectify_workdays,
                    day(due)
                ),
                soon: day(soon),
                red: day(red),
            });
        }
    }
    Ok(state
        .store
        .ratings()
        .take_step(&gongkai_store::Actor::of(staff), r.id, &s)
        .await?)
}

/// A step as the desk's forms send it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    verification: String,
    #[serde(default)]
    rectification: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    text: String,
}

fn step_of(f: &StepForm) -> Result<Step, AppError> {
    Ok(match f.step.as_str() {
        "rectify" => Step::Rectify {
            verification: f.verification.clone(),
            rectification: f.rectification.clone(),
            answer: f.answer.clone(),
        },
        "appeal" => Step::Appeal(f.text.clone()),
        "uphold" => Step::Uphold(f.text.clone()),
        "overturn" => Step::Overturn(f.text.clone()),
        _ => return Err(AppError::BadRequest("未知的办理步骤".into())),
    })
}

async fn after_step(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    done: Result<Rating, AppError>,
    f: StepForm,
) -> Result<Response, AppError> {
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/admin/ratings/{id}")).into_response()),
        Err(e @ (AppError::BadRequest(_) | AppError::Conflict(_))) => {
            desk_page(state, headers, s, id, Some((e, f))).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/ratings/{id}/step`: the unit rectifies and answers, or appeals.
pub async fn step(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let r = state.store.ratings().get(id).await?;
    permit(s.staff(), Action::HandleRatings, r.unit_id)?;
    let done = match step_of(&f) {
        Ok(step) if step.is_office() => {
            Err(AppError::BadRequest("申诉由政务公开办公室审核".into()))
        }
        Ok(step) => take(&state, s.staff(), &r, &step).await,
        Err(e) => Err(e),
    };
    after_step(&state, &headers, &s, id, done, f).await
}

/// `POST /admin/ratings/{id}/decision`: the office upholds or overturns an appeal.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let r = state.store.ratings().get(id).await?;
    permit(s.staff(), Action::DecideRatingAppeals, r.unit_id)?;
    let done = match step_of(&f) {
        Ok(step) if !step.is_office() => Err(AppError::BadRequest("请选择申诉成立或不成立".into())),
        Ok(step) => take(&state, s.staff(), &r, &step).await,
        Err(e) => Err(e),
    };
    after_step(&state, &headers, &s, id, done, f).await
}

/// `GET /admin/ratings/{id}`: the rating, its event, its clock and handling, and the steps the
/// viewer may take.
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
    let ratings = state.store.ratings();
    let r = ratings.get(id).await?;
    permit(s.staff(), Action::ViewUnitDesk, r.unit_id)?;
    let st = s.staff();
    let unit = state.store.get_unit(r.unit_id).await?;
    let events = ratings.events(id).await?;
    let today = day(today());
    let ctx = minijinja::context! {
        r => minijinja::context! {
            id => r.id, event_no => &r.event_no, service => &r.service_name,
            kind => EventKind::from_code(&r.event_kind).map(EventKind::label),
            level => Level::from_score(r.score).map(Level::label), bad => Level::from_score(r.score).is_some_and(Level::is_bad),
            comment => &r.comment, state => &r.state, state_label => RatingState::from_code(&r.state).map(RatingState::label),
            rated_on => &r.rated_on, due_on => &r.due_on, due_note => &r.due_note,
            overdue => r.state == "pending" && r.due_on.as_deref().is_some_and(|d| d < today.as_str()),
            verification => &r.verification, rectification => &r.rectification, answer => &r.answer,
            appeal_reason => &r.appeal_reason, office_note => &r.office_note,
            rectified_on => &r.rectified_on, in_time => r.in_time.map(|t| t == 1),
        },
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        events => events.iter().map(|e| minijinja::context! {
            at => gongkai_domain::calendar::beijing_minutes(&e.at), what => Step::kind_label(&e.kind),
            actor => if e.actor == "public" { "评价人".to_string() } else { e.actor.clone() }, note => &e.note,
        }).collect::<Vec<_>>(),
        can_handle => allowed(st.role, st.unit_id, Action::HandleRatings, r.unit_id),
        can_appeal => allowed(st.role, st.unit_id, Action::AppealRatings, r.unit_id),
        can_decide => allowed(st.role, st.unit_id, Action::DecideRatingAppeals, r.unit_id),
        error => failed.as_ref().map(|(e, _)| e.to_string()),
        f => ser(&failed.as_ref().map(|(_, f)| f.clone()).unwrap_or_default()),
    };
    let mut resp = render(
        state,
        headers,
        "admin/rating.html",
        &format!("评价 {}", r.event_no),
        ctx,
        Some(&s.session),
    );
    if let Some((e, _)) = &failed {
        *resp.status_mut() = e.status();
    }
    Ok(resp)
}

/// `?state=&before=` of a unit's ratings.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    before: Option<i64>,
}

/// `GET /admin/units/{id}/ratings`: the unit's ratings, newest first, 50 a page, by state; and
/// the form that registers a window visit.
pub async fn unit_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &headers, &s, unit_id, &q, None).await
}

async fn list_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    q: &ListQuery,
    visit: Option<Result<(String, String, String), String>>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    let unit = state.store.get_unit(unit_id).await?;
    let filter = q
        .state
        .clone()
        .filter(|c| RatingState::from_code(c).is_some());
    let list = state
        .store
        .ratings()
        .list(unit_id, filter.as_deref(), q.before, 51)
        .await?;
    let more = list.len() > 50;
    let list = &list[..list.len().min(50)];
    let today = day(today());
    let st = s.staff();
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        rows => list.iter().map(|r| minijinja::context! {
            id => r.id, event_no => &r.event_no, service => &r.service_name,
            level => Level::from_score(r.score).map(Level::label), rated_on => &r.rated_on,
            state => RatingState::from_code(&r.state).map(RatingState::label), due_on => &r.due_on,
            overdue => r.state == "pending" && r.due_on.as_deref().is_some_and(|d| d < today.as_str()),
        }).collect::<Vec<_>>(),
        filter,
        states => RatingState::ALL.iter().map(|s| (s.code(), s.label())).collect::<Vec<_>>(),
        next => more.then(|| list.last().map(|r| r.id)).flatten(),
        can_register => allowed(st.role, st.unit_id, Action::HandleRatings, unit_id),
        visit => visit.as_ref().and_then(|v| v.as_ref().ok()).map(|(no, code, service)| minijinja::context! { no, code, service }),
        visit_error => visit.as_ref().and_then(|v| v.as_ref().err()),
    };
    Ok(crate::forms::invalid_if(
        matches!(visit, Some(Err(_))),
        render(
            state,
            headers,
            "admin/ratings.html",
            &format!("{} · 好差评", unit.name),
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `POST /admin/units/{id}/visits` (`service`).
#[derive(Deserialize)]
pub struct VisitForm {
    #[serde(default)]
    service: String,
}

/// `POST /admin/units/{id}/visits`: registers a window visit and shows its slip (the number and
/// the query code, shown once) for the person served to rate it.
pub async fn register_visit(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<VisitForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::HandleRatings, unit_id)?;
    let service = f.service.trim();
    let visit = if service.is_empty() || service.chars().count() > 100 {
        Err("请填写办理的事项（不超过100字）".to_string())
    } else {
        let code = query_code();
        let v = state
            .store
            .ratings()
            .register_visit(
                &s.actor(),
                unit_id,
                service,
                &day(today()),
                &token_hash(&code),
            )
            .await?;
        Ok((v.visit_no, code, v.service_name))
    };
    list_page(
        &state,
        &headers,
        &s,
        unit_id,
        &ListQuery::default(),
        Some(visit),
    )
    .await
}
