//! Training and service centers (work plan §2, §16, §18): the office arranges training
//! sessions, units register their participants, the office marks attendance and sees which
//! units sent no one; towns and streets record their service centers, whose names are checked
//! against "行政区域名称+为民服务中心" (`domain::training`).

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::{day, parse_day, render, ser};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::org::UnitType;
use gongkai_domain::training::{check_center_name, check_participant, check_training};
use gongkai_store::training::Center;
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/trainings", get(sessions).post(create))
        .route("/admin/trainings/{id}", get(session))
        .route("/admin/trainings/{id}/participants", post(register))
        .route("/admin/trainings/{id}/attendance", post(attendance))
        .route("/admin/service-centers", get(centers))
        .route("/admin/units/{id}/service-center", post(save_center))
}

/// A session as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct SessionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    materials: String,
}

async fn sessions_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    failed: Option<(String, SessionForm)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let manage = allowed(st.role, st.unit_id, Action::ManageTrainings, st.unit_id);
    let list = state.store.training().list(200).await?;
    let invalid = failed.is_some();
    let (error, f) = failed.map_or((None, SessionForm::default()), |(e, f)| (Some(e), f));
    let ctx = minijinja::context! { list => ser(&list), manage, error, f => ser(&f) };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/trainings.html",
            "政务公开培训",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/trainings`: the sessions; the office's form for a new one.
pub async fn sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
) -> Result<Response, AppError> {
    sessions_page(&state, &headers, &s, None).await
}

/// `POST /admin/trainings`: the office arranges a session.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<SessionForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageTrainings, st.unit_id)?;
    let held = parse_day(&f.held_on);
    if let Err(e) = check_training(&f.title, held) {
        return sessions_page(&state, &headers, &s, Some((e, f))).await;
    }
    let held = held.map(day).unwrap_or_default();
    let id = state
        .store
        .training()
        .create(
            &s.actor(),
            f.title.trim(),
            &held,
            f.place.trim(),
            f.materials.trim(),
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/trainings/{id}")).into_response())
}

async fn session_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let t = state.store.training().get(id).await?;
    let people = state.store.training().participants(id).await?;
    let units = state.store.list_units().await?;
    let manage = allowed(st.role, st.unit_id, Action::ManageTrainings, st.unit_id);
    // the units expected to send someone: departments, towns and streets
    let absent: Vec<_> = units
        .iter()
        .filter(|u| {
            matches!(
                u.unit_type,
                UnitType::Department | UnitType::Town | UnitType::Street
            )
        })
        .filter(|u| !people.iter().any(|p| p.unit_id == u.id))
        .map(|u| u.name.clone())
        .collect();
    let may_register = allowed(st.role, st.unit_id, Action::RegisterTrainees, st.unit_id)
        && t.cancelled_at.is_none();
    let visible: Vec<_> = people
        .iter()
        .filter(|p| manage || allowed(st.role, st.unit_id, Action::ViewUnitDesk, p.unit_id))
        .collect();
    let invalid = error.is_some();
    let ctx = minijinja::context! {
        t => ser(&t), people => ser(&visible), absent, manage, may_register, error,
        materials => t.materials.lines().map(str::to_string).collect::<Vec<_>>(),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/training.html",
            &t.title,
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/trainings/{id}`: a session, its participants (a unit sees its own), the units
/// that sent no one, the registration form and the office's attendance marks.
pub async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    session_page(&state, &headers, &s, id, None).await
}

/// A participant as the form sends it.
#[derive(Deserialize, Default)]
pub struct ParticipantForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    post: String,
}

/// `POST /admin/trainings/{id}/participants`: registers a participant of the staff member's
/// unit.
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ParticipantForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::RegisterTrainees, st.unit_id)?;
    if let Err(e) = check_participant(&f.name, &f.post) {
        return session_page(&state, &headers, &s, id, Some(e)).await;
    }
    match state
        .store
        .training()
        .register(&s.actor(), id, st.unit_id, f.name.trim(), f.post.trim())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/trainings/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            session_page(&state, &headers, &s, id, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Attendance of one participant.
#[derive(Deserialize, Default)]
pub struct AttendanceForm {
    #[serde(default)]
    participant: String,
    #[serde(default)]
    attended: String,
}

/// `POST /admin/trainings/{id}/attendance`: the office marks whether a participant came.
pub async fn attendance(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<AttendanceForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageTrainings, st.unit_id)?;
    let people = state.store.training().participants(id).await?;
    let Some(p) = f
        .participant
        .parse::<i64>()
        .ok()
        .filter(|p| people.iter().any(|x| x.id == *p))
    else {
        return session_page(&state, &headers, &s, id, Some("请选择参训人员".into())).await;
    };
    state
        .store
        .training()
        .mark_attendance(&s.actor(), p, f.attended == "yes")
        .await?;
    Ok(Redirect::to(&format!("/admin/trainings/{id}")).into_response())
}

async fn centers_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    error: Option<String>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let units = state.store.list_units().await?;
    let centers = state.store.training().centers().await?;
    let rows: Vec<_> = units
        .iter()
        .filter(|u| matches!(u.unit_type, UnitType::Town | UnitType::Street))
        .filter(|u| allowed(st.role, st.unit_id, Action::ViewUnitDesk, u.id))
        .map(|u| {
            let c = centers.iter().find(|c| c.unit_id == u.id);
            minijinja::context! {
                id => u.id, unit => &u.name, center => c.map(ser),
                problem => check_center_name(&u.name, c.map_or("", |c| c.name.as_str())),
                editable => allowed(st.role, st.unit_id, Action::EditUnitProfile, u.id),
                want => gongkai_domain::training::center_name(&u.name),
            }
        })
        .collect();
    let invalid = error.is_some();
    let ctx = minijinja::context! { rows, error };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/service_centers.html",
            "为民服务中心",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/service-centers`: the towns' and streets' service centers with the naming
/// check (a unit sees its own).
pub async fn centers(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
) -> Result<Response, AppError> {
    centers_page(&state, &headers, &s, None).await
}

/// A center as the form sends it.
#[derive(Deserialize, Default)]
pub struct CenterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
}

/// `POST /admin/units/{id}/service-center`: records a town's or street's service center. A
/// name that does not follow the rule is kept as recorded (it is what the center is called)
/// and flagged on the list until it is renamed.
pub async fn save_center(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<CenterForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::EditUnitProfile, unit_id)?;
    let unit = state.store.get_unit(unit_id).await?;
    if !matches!(unit.unit_type, UnitType::Town | UnitType::Street) {
        return centers_page(
            &state,
            &headers,
            &s,
            Some(format!("{}不是镇或街道，不设为民服务中心", unit.name)),
        )
        .await;
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return centers_page(
            &state,
            &headers,
            &s,
            Some("请填写服务中心名称（不超过100字）".into()),
        )
        .await;
    }
    state
        .store
        .training()
        .save_center(
            &s.actor(),
            &Center {
                unit_id,
                name: name.into(),
                address: f.address.trim().into(),
                phone: f.phone.trim().into(),
            },
        )
        .await?;
    Ok(Redirect::to("/admin/service-centers").into_response())
}
