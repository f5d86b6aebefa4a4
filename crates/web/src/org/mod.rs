//! The staff back office. Every handler takes a [`StaffSession`], asks the access policy about
//! the target unit before it reads or writes, checks the CSRF token on every POST, and writes
//! through the store (which records the audit entry).

use crate::AppState;
use crate::auth::{
    StaffSession, check_password_strength, hash_password, random_bytes, random_token, token_hash,
};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::forms::Paging;
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::{Action, Role, allowed};
use gongkai_domain::calendar::parse_year;
use gongkai_domain::org::{NewUnit, UnitType, validate_unit};
use gongkai_domain::totp;
use gongkai_store::org::{NewStaff, UnitProfile};
use serde::Deserialize;

pub mod accounts;

/// Fails with 403 unless the session's role may do `action` for `unit_id`.
fn require(s: &StaffSession, action: Action, unit_id: i64) -> Result<(), AppError> {
    crate::auth::permit(s.staff(), action, unit_id)
}

/// Query with an optional flash message.
#[derive(Deserialize, Default)]
pub struct Flash {
    ok: Option<String>,
    page: Option<i64>,
}

fn flash_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "staff" => "账号已创建",
        "profile" => "联系信息已保存",
        "guide" => "公开指南已保存，公开页面随即更新",
        "unit" => "单位已创建",
        "calendar" => "节假日安排已导入",
        "totp_on" => "双因素认证已启用",
        "totp_off" => "双因素认证已停用",
        "token_revoked" => "接口令牌已吊销",
        "disabled" => "账号已停用（其登录随即失效）",
        "enabled" => "账号已恢复启用",
        "reset" => "密码已重置：请将临时密码告知本人，其下次登录时须设置新密码",
        "role" => "角色已变更",
        "unlocked" => "登录限制已解除",
        "password" => "密码已修改，其他设备上的登录已退出",
        "email" => "提醒邮箱已保存",
        "must_change" => "您的密码已由管理人员重置：请先设置新密码，然后才能继续使用",
        _ => return None,
    })
}

/// `GET /admin`: the desk. District-wide roles see every unit; others their own.
pub async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(f): Query<Flash>,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let st = s.staff();
    let visible: Vec<minijinja::Value> = crate::pages::tree_order(&units)
        .into_iter()
        .filter(|(_, u)| allowed(st.role, st.unit_id, Action::ViewUnitDesk, u.id))
        .map(|(depth, u)| minijinja::context! { depth, id => u.id, name => &u.name, kind => u.unit_type.label(), code => &u.code })
        .collect();
    let own = units
        .iter()
        .find(|u| u.id == st.unit_id)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let types: Vec<minijinja::Value> = UnitType::ALL
        .iter()
        .map(|t| minijinja::context! { code => t.code(), label => t.label() })
        .collect();
    let ctx = minijinja::context! {
        units => visible, own_unit => own, flash => flash_text(f.ok.as_deref()),
        can_manage_units => allowed(st.role, st.unit_id, Action::ManageUnits, st.unit_id), can_import_calendar => allowed(st.role, st.unit_id, Action::ImportCalendar, st.unit_id),
        can_manage_words => allowed(st.role, st.unit_id, Action::ManageStandards, st.unit_id),
        can_review_powers => crate::power::items::reviews_powers(&state, &s).await?,
        staff_unit_id => st.unit_id,
        applications => if allowed(st.role, st.unit_id, Action::HandleApplications, st.unit_id) {
            let counts = state.store.applications().open_counts(st.unit_id).await?;
            let n = |code: &str| counts.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n);
            Some(minijinja::context! {
                received => n("received"), correcting => n("correcting"), consulting => n("consulting"),
                fee => n("fee"), drafted => n("drafted"), approved => n("approved"),
                approve => allowed(st.role, st.unit_id, Action::ApproveApplications, st.unit_id),
            })
        } else { None },
        unit_types => types,
        work => crate::disclosure::list::desk_work(&state, st).await?,
    };
    Ok(render(
        &state,
        &headers,
        "admin/desk.html",
        "工作台",
        ctx,
        Some(&s.session),
    ))
}

/// `GET /admin/units/{id}`: one unit's overview.
pub async fn unit_desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, AppError> {
    require(&s, Action::ViewUnitDesk, id)?;
    let unit = state.store.get_unit(id).await?;
    let staff_count = state.store.list_staff(id).await?.len();
    let st = s.staff();
    let guide = state.store.unit_guide(id).await?;
    let ctx = minijinja::context! {
        guide,
        unit => minijinja::Value::from(minijinja::value::Serde(&unit)), kind => unit.unit_type.label(), staff_count,
        flash => flash_text(f.ok.as_deref()),
        can_edit => allowed(st.role, st.unit_id, Action::EditUnitProfile, id),
        can_audit => allowed(st.role, st.unit_id, Action::ViewAudit, id),
    };
    Ok(render(
        &state,
        &headers,
        "admin/unit.html",
        &unit.name,
        ctx,
        Some(&s.session),
    ))
}

/// `GET /admin/units/{id}/staff`: the unit's accounts.
pub async fn unit_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, AppError> {
    require(&s, Action::ViewUnitStaff, id)?;
    staff_page(
        &state,
        &headers,
        &s,
        id,
        f.ok.as_deref(),
        None,
        &StaffForm::default(),
    )
    .await
}

async fn staff_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    ok: Option<&str>,
    error: Option<&str>,
    form: &StaffForm,
) -> Result<Response, AppError> {
    let unit = state.store.get_unit(id).await?;
    let members = state.store.list_staff(id).await?;
    let names: Vec<String> = members.iter().map(|m| m.username.clone()).collect();
    let locks = accounts::lock_states(state, &names).await?;
    let staff: Vec<minijinja::Value> = members
        .iter()
        .map(|m| {
            let (failures, locked_until) = locks.get(&m.username).cloned().unwrap_or_default();
            minijinja::context! {
                id => m.id, username => &m.username, display_name => &m.display_name, role => m.role.label(), role_code => m.role.code(),
                totp => m.totp_enabled, active => m.active, must_change => m.must_change_password,
                failures, locked_until, me => m.id == s.staff().id,
            }
        })
        .collect();
    let st = s.staff();
    let roles: Vec<minijinja::Value> = Role::ALL
        .iter()
        .filter(|r| {
            !r.is_district_wide() || allowed(st.role, st.unit_id, Action::GrantDistrictRoles, id)
        })
        .map(|r| minijinja::context! { code => r.code(), label => r.label() })
        .collect();
    let ctx = minijinja::context! {
        unit => minijinja::Value::from(minijinja::value::Serde(&unit)), staff, roles, flash => flash_text(ok), error,
        form => minijinja::context! { username => &form.username, display_name => &form.display_name, role => &form.role },
        can_manage => allowed(st.role, st.unit_id, Action::ManageStaff, id),
    };
    let resp = render(
        state,
        headers,
        "admin/staff.html",
        &format!("{} · 账号", unit.name),
        ctx,
        Some(&s.session),
    );
    let resp = crate::forms::invalid_if(error.is_some(), resp);
    Ok(resp)
}

/// The staff page again with an error message (400).
async fn staff_error(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    msg: &str,
) -> Result<Response, AppError> {
    staff_page(
        state,
        headers,
        s,
        unit_id,
        None,
        Some(msg),
        &StaffForm::default(),
    )
    .await
}

/// The new-account form.
#[derive(Deserialize, Default)]
pub struct StaffForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

/// The account-status form: `active` is `1` (enable) or `0` (disable).
#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

/// `POST /admin/staff/{id}/active`: disables an account (it can no longer sign in, its sessions
/// and API tokens stop working; never deleted) or enables it again. Audited.
pub async fn set_active(
    State(state): State<AppState>,
    s: StaffSession,
    Path(staff_id): Path<i64>,
    CsrfForm(f): CsrfForm<ActiveForm>,
) -> Result<Response, AppError> {
    let target = state.store.get_staff(staff_id).await?;
    require(&s, Action::ManageStaff, target.unit_id)?;
    let active = match f.active.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::BadRequest("请选择停用或启用".into())),
    };
    if target.id == s.staff().id && !active {
        return Err(AppError::BadRequest("不能停用自己的账号".into()));
    }
    state
        .store
        .set_staff_active(&s.actor(), staff_id, active)
        .await?;
    let ok = if active { "enabled" } else { "disabled" };
    Ok(Redirect::to(&format!("/admin/units/{}/staff?ok={ok}", target.unit_id)).into_response())
}

/// `POST /admin/units/{id}/staff`: creates an account in the unit.
pub async fn create_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StaffForm>,
) -> Result<Response, AppError> {
    require(&s, Action::ManageStaff, id)?;
    state.store.get_unit(id).await?;
    let username = form.username.trim();
    let problem = if username.is_empty()
        || username.len() > 32
        || !username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        Some("用户名须为1-32位字母、数字或“._-”".to_string())
    } else if form.display_name.trim().is_empty() {
        Some("请填写姓名".to_string())
    } else {
        match Role::from_code(&form.role) {
            None => Some("请选择角色".to_string()),
            Some(r)
                if r.is_district_wide()
                    && !allowed(
                        s.staff().role,
                        s.staff().unit_id,
                        Action::GrantDistrictRoles,
                        id,
                    ) =>
            {
                Some(Action::GrantDistrictRoles.refusal().to_string())
            }
            Some(_) => check_password_strength(&form.password).err(),
        }
    };
    if let Some(msg) = problem {
        return staff_page(&state, &headers, &s, id, None, Some(&msg), &form).await;
    }
    let role =
        Role::from_code(&form.role).ok_or_else(|| AppError::BadRequest("请选择角色".into()))?;
    let new = NewStaff {
        unit_id: id,
        username: username.to_string(),
        display_name: form.display_name.trim().to_string(),
        role,
        password_hash: {
            let password = form.password.clone();
            state.cpu.run(move || hash_password(&password)).await??
        },
    };
    match state.store.create_staff(&s.actor(), &new).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/units/{id}/staff?ok=staff")).into_response()),
        Err(gongkai_store::StoreError::Conflict(_)) => {
            staff_page(
                &state,
                &headers,
                &s,
                id,
                None,
                Some("该用户名已被使用"),
                &form,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The unit profile form.
#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    office_hours: String,
}

/// `POST /admin/units/{id}/profile`.
pub async fn update_profile(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, AppError> {
    require(&s, Action::EditUnitProfile, id)?;
    let too_long = [&form.address, &form.phone, &form.office_hours]
        .iter()
        .any(|v| v.chars().count() > 200);
    if too_long {
        return Err(AppError::BadRequest("每项不超过200个字".into()));
    }
    if !form.phone.trim().is_empty()
        && !form
            .phone
            .chars()
            .all(|c| c.is_ascii_digit() || "-+ ()，,、".contains(c))
    {
        return Err(AppError::BadRequest("电话号码只能包含数字和“-”".into()));
    }
    let profile = UnitProfile {
        address: form.address.trim().into(),
        phone: form.phone.trim().into(),
        office_hours: form.office_hours.trim().into(),
    };
    state
        .store
        .update_unit_profile(&s.actor(), id, &profile)
        .await?;
    Ok(Redirect::to(&format!("/admin/units/{id}?ok=profile")).into_response())
}

/// The guide form: the unit's own part of its disclosure guide.
#[derive(Deserialize)]
pub struct GuideForm {
    #[serde(default)]
    guide: String,
}

/// `POST /admin/units/{id}/guide`: the unit's own part of its disclosure guide (公开指南): plain
/// text, one paragraph per line, at most 20,000 characters. Audited.
pub async fn update_guide(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<GuideForm>,
) -> Result<Response, AppError> {
    require(&s, Action::EditUnitProfile, id)?;
    let text = form.guide.replace("\r\n", "\n");
    if text.chars().count() > 20_000 {
        return Err(AppError::BadRequest(
            "公开指南补充内容不超过20000个字".into(),
        ));
    }
    state
        .store
        .set_unit_guide(&s.actor(), id, text.trim())
        .await?;
    Ok(Redirect::to(&format!("/admin/units/{id}?ok=guide")).into_response())
}

/// `GET /admin/units/{id}/audit`: the unit's audit trail, newest first.
pub async fn unit_audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, AppError> {
    require(&s, Action::ViewAudit, id)?;
    let unit = state.store.get_unit(id).await?;
    let paging = Paging::new(f.page, 50);
    let total = state.store.count_audit(Some(id)).await?;
    let entries: Vec<minijinja::Value> = state
        .store
        .list_audit(Some(id), paging.limit(), paging.offset())
        .await?
        .iter()
        .map(|e| minijinja::context! { seq => e.seq, at => &e.at, actor => &e.actor, action => &e.action, detail => &e.detail, hash => &e.hash[..12] })
        .collect();
    let pages = paging.pages(total);
    let ctx = minijinja::context! { unit => minijinja::Value::from(minijinja::value::Serde(&unit)), entries, page => paging.page, pages, total };
    Ok(render(
        &state,
        &headers,
        "admin/audit.html",
        &format!("{} · 审计记录", unit.name),
        ctx,
        Some(&s.session),
    ))
}

/// The new-unit form.
#[derive(Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    parent_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit_type: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    uscc: String,
}

/// `POST /admin/units`: creates a unit (system administrators).
pub async fn create_unit(
    State(state): State<AppState>,
    s: StaffSession,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<Response, AppError> {
    require(&s, Action::ManageUnits, s.staff().unit_id)?;
    let unit_type = UnitType::from_code(&form.unit_type)
        .ok_or_else(|| AppError::BadRequest("请选择单位类型".into()))?;
    let parent = if form.parent_code.trim().is_empty() {
        None
    } else {
        Some(
            state
                .store
                .find_unit_by_code(form.parent_code.trim())
                .await?
                .ok_or_else(|| {
                    AppError::BadRequest(format!("上级单位代码“{}”不存在", form.parent_code.trim()))
                })?,
        )
    };
    let uscc = form.uscc.trim();
    let new = NewUnit {
        name: form.name.trim().into(),
        unit_type,
        code: form.code.trim().into(),
        uscc: (!uscc.is_empty()).then(|| uscc.to_uppercase()),
    };
    validate_unit(&new, parent.as_ref().map(|p| p.unit_type))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    state
        .store
        .create_unit(&s.actor(), parent.map(|p| p.id), &new)
        .await?;
    Ok(Redirect::to("/admin?ok=unit").into_response())
}

/// `GET /admin/calendar`: the years the calendar knows, and the import form.
pub async fn calendar_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(f): Query<Flash>,
) -> Result<Response, AppError> {
    calendar_render(&state, &headers, &s, f.ok.as_deref(), None, "").await
}

async fn calendar_render(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    ok: Option<&str>,
    error: Option<&str>,
    data: &str,
) -> Result<Response, AppError> {
    let cal = state.store.calendar().await?;
    let imported: Vec<i32> = state
        .store
        .calendar_years()
        .await?
        .iter()
        .map(|y| y.year)
        .collect();
    let years: Vec<minijinja::Value> = cal
        .years()
        .map(|y| minijinja::context! { year => y.year, days => y.days.len(), papers => y.papers.join("；"), imported => imported.contains(&y.year) })
        .collect();
    let ctx = minijinja::context! { years, flash => flash_text(ok), error, data, can_import => allowed(s.staff().role, s.staff().unit_id, Action::ImportCalendar, s.staff().unit_id) };
    let resp = render(
        state,
        headers,
        "admin/calendar.html",
        "工作日历",
        ctx,
        Some(&s.session),
    );
    let resp = crate::forms::invalid_if(error.is_some(), resp);
    Ok(resp)
}

/// The calendar import form.
#[derive(Deserialize)]
pub struct CalendarForm {
    #[serde(default)]
    data: String,
}

/// `POST /admin/calendar`: imports one year's schedule (holiday-cn JSON format).
pub async fn calendar_import(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(form): CsrfForm<CalendarForm>,
) -> Result<Response, AppError> {
    require(&s, Action::ImportCalendar, s.staff().unit_id)?;
    match parse_year(&form.data) {
        Ok(year) => {
            state.store.import_calendar_year(&s.actor(), &year).await?;
            Ok(Redirect::to("/admin/calendar?ok=calendar").into_response())
        }
        Err(e) => {
            calendar_render(&state, &headers, &s, None, Some(&e.to_string()), &form.data).await
        }
    }
}

/// Query of the account page (a fresh TOTP secret or API token to show once).
#[derive(Deserialize, Default)]
pub struct AccountQuery {
    ok: Option<String>,
}

/// `GET /admin/account`: my account: second factor and API tokens.
pub async fn account(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<AccountQuery>,
) -> Result<Response, AppError> {
    account_render(&state, &headers, &s, q.ok.as_deref(), None, None).await
}

async fn account_render(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    ok: Option<&str>,
    error: Option<&str>,
    new_token: Option<&str>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let secret = random_bytes(totp::SECRET_LEN);
    let tokens = state.store.list_api_tokens(st.id).await?;
    let ctx = minijinja::context! {
        totp_enabled => st.totp_enabled,
        totp_secret => totp::secret_base32(&secret),
        totp_uri => totp::otpauth_uri(&state.config.site.name, &st.username, &secret),
        tokens => minijinja::Value::from(minijinja::value::Serde(&tokens)),
        new_token, flash => flash_text(ok), error, must_change => st.must_change_password,
        email => state.store.staff_email(&st.username).await?,
    };
    let resp = render(
        state,
        headers,
        "admin/account.html",
        "我的账号",
        ctx,
        Some(&s.session),
    );
    let resp = crate::forms::invalid_if(error.is_some(), resp);
    Ok(resp)
}

/// The TOTP enable form: the secret shown and a code from the app, proving it was set up.
#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

/// `POST /admin/account/totp`.
pub async fn totp_enable(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<TotpForm>,
) -> Result<Response, AppError> {
    let Some(secret) = totp::secret_from_base32(&f.secret).filter(|b| b.len() == totp::SECRET_LEN)
    else {
        return account_render(
            &state,
            &headers,
            &s,
            None,
            Some("密钥无效，请刷新页面重新设置"),
            None,
        )
        .await;
    };
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    let Some(step) = totp::matching_step(&secret, &f.code, now) else {
        return account_render(
            &state,
            &headers,
            &s,
            None,
            Some("验证码不正确，请确认手机时间准确后重试"),
            None,
        )
        .await;
    };
    state
        .store
        .set_totp(
            &s.actor(),
            s.staff().id,
            Some(&totp::secret_base32(&secret)),
        )
        .await?;
    // the code that proved the set-up cannot then be used to log in
    state
        .store
        .use_totp_step(s.staff().id, i64::try_from(step).unwrap_or(i64::MAX))
        .await?;
    Ok(Redirect::to("/admin/account?ok=totp_on").into_response())
}

/// The form that turns the second factor off: the password and a current code again, so that
/// a session left open (or taken) cannot remove it.
#[derive(Deserialize)]
pub struct TotpOffForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// `POST /admin/account/totp/disable` (`password`, `code`).
pub async fn totp_disable(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<TotpOffForm>,
) -> Result<Response, AppError> {
    let creds = state
        .store
        .find_staff_credentials(&s.staff().username)
        .await?
        .ok_or(AppError::NotFound)?;
    let ok = crate::auth::credentials_match(&state, &creds, &f.password, &f.code).await?;
    if !ok {
        return account_render(
            &state,
            &headers,
            &s,
            None,
            Some("密码或动态验证码错误，双因素认证仍在启用中"),
            None,
        )
        .await;
    }
    state.store.set_totp(&s.actor(), s.staff().id, None).await?;
    Ok(Redirect::to("/admin/account?ok=totp_off").into_response())
}

/// The new API token form.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// `POST /admin/account/tokens`: creates a token and shows it once.
pub async fn token_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> Result<Response, AppError> {
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return account_render(
            &state,
            &headers,
            &s,
            None,
            Some("请填写令牌名称（不超过60个字）"),
            None,
        )
        .await;
    }
    let token = format!("{}{}", crate::auth::API_TOKEN_PREFIX, random_token());
    state
        .store
        .create_api_token(s.staff(), name, &token_hash(&token))
        .await?;
    account_render(&state, &headers, &s, None, None, Some(&token)).await
}

/// `POST /admin/account/tokens/{id}/revoke`.
pub async fn token_revoke(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    state.store.revoke_api_token(s.staff(), id).await?;
    Ok(Redirect::to("/admin/account?ok=token_revoked").into_response())
}

/// The module's pages: the desk, units, staff, the calendar and one's own account.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin", get(desk))
        // GET shows the desk, which lists the units (the form there POSTs here).
        .route("/admin/units", get(desk).post(create_unit))
        .route("/admin/units/{id}", get(unit_desk))
        .route(
            "/admin/units/{id}/staff",
            get(unit_staff).post(create_staff),
        )
        .route("/admin/units/{id}/profile", post(update_profile))
        .route(
            "/admin/units/{id}/guide",
            post(update_guide).layer(axum::extract::DefaultBodyLimit::max(crate::TEXT_BODY_LIMIT)),
        )
        .route("/admin/staff/{id}/active", post(set_active))
        .route("/admin/staff/{id}/password", post(accounts::reset_password))
        .route("/admin/staff/{id}/role", post(accounts::set_role))
        .route("/admin/staff/{id}/unlock", post(accounts::unlock))
        .route("/admin/account/password", post(accounts::change_password))
        .route("/admin/account/email", post(accounts::set_email))
        .route("/admin/units/{id}/audit", get(unit_audit))
        .route("/admin/calendar", get(calendar_page).post(calendar_import))
        .route("/admin/account", get(account))
        .route("/admin/account/totp", post(totp_enable))
        .route("/admin/account/totp/disable", post(totp_disable))
        .route("/admin/account/tokens", post(token_create))
        .route("/admin/account/tokens/{id}/revoke", post(token_revoke))
}
