//! Staff administration beyond creating accounts: a manager resets a password (the account must
//! choose its own at the next sign-in), changes a role, and lifts the sign-in delay on an account
//! that failed too often; everyone changes their own password. Every change is audited by the
//! store; no handler compares roles itself — the access policy decides.

use super::require;
use crate::AppState;
use crate::auth::{StaffSession, check_password_strength, hash_password, verify_password};
use crate::error::AppError;
use crate::forms::CsrfForm;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::{Action, Role, may_change_role};
use serde::Deserialize;

/// Each account's sign-in state for the staff list: `(username → (failures, locked until))`.
/// Locked: the next attempt under this name must wait (`[login]` rules, failures from any
/// address counted together, as a manager sees them).
pub async fn lock_states(
    state: &AppState,
    usernames: &[String],
) -> Result<std::collections::HashMap<String, (i64, Option<String>)>, AppError> {
    let cfg = &state.config.login;
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::minutes(cfg.window_minutes);
    let mut out = std::collections::HashMap::new();
    for (username, failures, last) in state.store.login_failures(usernames, since).await? {
        let wait = gongkai_domain::throttle::wait_secs(
            failures,
            cfg.max_failures_per_user,
            cfg.delay_base_secs,
            cfg.window_minutes * 60,
        );
        let until = chrono::DateTime::parse_from_rfc3339(&last)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc) + chrono::Duration::seconds(wait))
            .filter(|t| wait > 0 && *t > now)
            .map(|t| gongkai_domain::calendar::beijing_minutes(&gongkai_store::time_text(t)));
        out.insert(username, (failures, until));
    }
    Ok(out)
}

/// The password-reset form: the temporary password the manager hands over.
#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/staff/{id}/password`: a manager sets a temporary password; the account's
/// sessions end and it must choose its own password at the next sign-in.
pub async fn reset_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(staff_id): Path<i64>,
    CsrfForm(f): CsrfForm<ResetForm>,
) -> Result<Response, AppError> {
    let target = state.store.get_staff(staff_id).await?;
    require(&s, Action::ManageStaff, target.unit_id)?;
    let problem = if target.id == s.staff().id {
        Some("修改本人密码请到“我的账号”".to_string())
    } else {
        check_password_strength(&f.password).err()
    };
    if let Some(msg) = problem {
        return super::staff_error(&state, &headers, &s, target.unit_id, &msg).await;
    }
    let password = f.password.clone();
    let hash = state.cpu.run(move || hash_password(&password)).await??;
    state
        .store
        .reset_password(&s.actor(), staff_id, &hash)
        .await?;
    Ok(Redirect::to(&format!("/admin/units/{}/staff?ok=reset", target.unit_id)).into_response())
}

/// The role form.
#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// `POST /admin/staff/{id}/role`: changes an account's role (a district-wide role, given or
/// taken away, needs the right to grant those).
pub async fn set_role(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(staff_id): Path<i64>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> Result<Response, AppError> {
    let target = state.store.get_staff(staff_id).await?;
    require(&s, Action::ManageStaff, target.unit_id)?;
    let st = s.staff();
    let Some(role) = Role::from_code(&f.role) else {
        return super::staff_error(&state, &headers, &s, target.unit_id, "请选择角色").await;
    };
    if target.id == st.id {
        return super::staff_error(&state, &headers, &s, target.unit_id, "不能变更自己的角色")
            .await;
    }
    if !may_change_role(st.role, st.unit_id, target.unit_id, target.role, role) {
        return Err(AppError::Forbidden(
            Action::GrantDistrictRoles.refusal().to_string(),
        ));
    }
    state
        .store
        .set_staff_role(&s.actor(), staff_id, role)
        .await?;
    Ok(Redirect::to(&format!("/admin/units/{}/staff?ok=role", target.unit_id)).into_response())
}

/// `POST /admin/staff/{id}/unlock`: clears the account's failed sign-ins (kept on record,
/// marked cleared) so that it may sign in at once.
pub async fn unlock(
    State(state): State<AppState>,
    s: StaffSession,
    Path(staff_id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    let target = state.store.get_staff(staff_id).await?;
    require(&s, Action::ManageStaff, target.unit_id)?;
    state
        .store
        .clear_login_failures(&s.actor(), staff_id)
        .await?;
    Ok(Redirect::to(&format!(
        "/admin/units/{}/staff?ok=unlocked",
        target.unit_id
    ))
    .into_response())
}

/// One's own new password.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/account/password`: changes one's own password (the current one proves it is
/// them); other sessions end. Clears a reset's "must change".
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let creds = state
        .store
        .find_staff_credentials(&s.staff().username)
        .await?
        .ok_or(AppError::NotFound)?;
    let (current, hash) = (f.current.clone(), creds.password_hash.clone());
    let current_ok = state
        .cpu
        .run(move || verify_password(&current, &hash))
        .await?;
    let problem = if !current_ok {
        Some("当前密码不正确".to_string())
    } else if f.password != f.confirm {
        Some("两次输入的新密码不一致".to_string())
    } else if f.password == f.current {
        Some("新密码不能与当前密码相同".to_string())
    } else {
        check_password_strength(&f.password).err()
    };
    if let Some(msg) = problem {
        return super::account_render(&state, &headers, &s, None, Some(&msg), None).await;
    }
    let password = f.password.clone();
    let hash = state.cpu.run(move || hash_password(&password)).await??;
    state
        .store
        .change_own_password(s.staff(), &hash, &s.token_hash)
        .await?;
    Ok(Redirect::to("/admin/account?ok=password").into_response())
}

/// The reminder address form.
#[derive(serde::Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// `POST /admin/account/email`: sets one's own e-mail address for reminders about the
/// applications one handles (empty: none).
pub async fn set_email(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    s: crate::auth::StaffSession,
    crate::forms::CsrfForm(f): crate::forms::CsrfForm<EmailForm>,
) -> Result<axum::response::Response, crate::error::AppError> {
    use axum::response::IntoResponse;
    let email = f.email.trim();
    if !email.is_empty()
        && (email.len() > 100
            || !email.contains('@')
            || email.contains([' ', '<', '>', '\r', '\n', ',']))
    {
        return Err(crate::error::AppError::BadRequest(
            "电子邮箱格式不正确".into(),
        ));
    }
    state
        .store
        .set_staff_email(&s.actor(), s.staff().id, email)
        .await?;
    Ok(axum::response::Redirect::to("/admin/account?ok=email").into_response())
}
