//! Authentication: password hashing (argon2id), sessions in cookies, CSRF tokens, login
//! throttling, the optional TOTP second factor, and API tokens for machine clients.

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::forms::CsrfForm;
use axum::extract::{ConnectInfo, Form, FromRequestParts, Query, State};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use gongkai_domain::totp;
use gongkai_store::auth::Session;
use gongkai_store::org::Staff;
use serde::Deserialize;
use std::net::SocketAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "gk_session";
/// Name of the cookie that carries the CSRF token before login.
pub const PRE_COOKIE: &str = "gk_pre";
/// Prefix of API tokens, so they are recognisable in logs and secret scanners.
pub const API_TOKEN_PREFIX: &str = "gk_";

/// Hashes a password with argon2id and a random salt (PHC string); see
/// [`gongkai_work::secrets::hash_password`].
pub fn hash_password(password: &str) -> Result<String, AppError> {
    gongkai_work::secrets::hash_password(password).map_err(AppError::Internal)
}

pub use gongkai_domain::org::check_password_strength;
pub use gongkai_work::secrets::{random_bytes, random_token, token_hash, verify_password};

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// Whether cookies set on this request should carry `Secure`.
fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies.unwrap_or_else(|| {
        headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
    })
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when appropriate.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The client's address: the socket's peer, or, when the peer is a trusted reverse proxy
/// (`[server] trusted_proxies`), the nearest address in `X-Forwarded-For` that is not one;
/// `unknown` in tests without a socket.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(client_ip(
            peer,
            &parts.headers,
            &state.config.trusted_proxies,
        )))
    }
}

/// See [`ClientIp`].
fn client_ip(
    peer: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    trusted: &[gongkai_domain::net::Net],
) -> String {
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    let is_trusted = |ip: std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer.to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(*ip))
        .unwrap_or(peer)
        .to_string()
}

/// The logged-in staff member of a back-office request. Rejects with a redirect to the login
/// page (saying so when the session expired). Looked up once per request (kept in the
/// request's extensions for the form extractors).
#[derive(Clone)]
pub struct StaffSession {
    /// The session and its account.
    pub session: Session,
    /// The hash of the session token (for logout).
    pub token_hash: String,
}

impl StaffSession {
    /// The account.
    pub fn staff(&self) -> &Staff {
        &self.session.staff
    }

    /// The audit actor for changes made in this session.
    pub fn actor(&self) -> gongkai_store::Actor {
        gongkai_store::Actor::of(self.staff())
    }

    /// Checks the CSRF token a form sent.
    pub fn check_csrf(&self, sent: &str) -> Result<(), AppError> {
        if !sent.is_empty() && constant_time_eq(sent.as_bytes(), self.session.csrf_token.as_bytes())
        {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }
}

/// Compares two secrets (or their digests) without stopping at the first difference.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An eight-digit query code for the public to follow a case or an application by, shown once.
pub(crate) fn query_code() -> String {
    let b = random_bytes(4);
    format!(
        "{:08}",
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) % 100_000_000
    )
}

/// Checks that a state-changing request came from our own pages: when the browser sends
/// `Origin` or `Sec-Fetch-Site`, they must not name another site.
fn same_origin(parts: &Parts) -> bool {
    if parts.method == Method::GET || parts.method == Method::HEAD {
        return true;
    }
    if let Some(site) = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        && site == "cross-site"
    {
        return false;
    }
    match (
        parts.headers.get("origin").and_then(|v| v.to_str().ok()),
        parts.headers.get("host").and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, h)| h == host),
        _ => true,
    }
}

async fn session_from_parts(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<(Session, String)>, AppError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    Ok(state.store.find_session(&hash).await?.map(|s| (s, hash)))
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if !same_origin(parts) {
            return Err(AppError::Csrf);
        }
        if let Some(s) = parts.extensions.get::<StaffSession>() {
            return Ok(s.clone());
        }
        match session_from_parts(parts, state).await? {
            Some((session, token_hash)) => {
                // after a reset, nothing but choosing a new password (and signing out)
                let path = parts.uri.path();
                if session.staff.must_change_password
                    && !matches!(
                        path,
                        "/admin/account" | "/admin/account/password" | "/logout"
                    )
                {
                    return Err(AppError::PasswordChangeRequired);
                }
                let s = StaffSession {
                    session,
                    token_hash,
                };
                parts.extensions.insert(s.clone());
                Ok(s)
            }
            None => Err(AppError::Unauthenticated {
                expired: cookie(&parts.headers, SESSION_COOKIE).is_some(),
                api: false,
                next: parts.uri.path().to_string(),
            }),
        }
    }
}

/// An optional session, for public pages that show who is logged in.
pub struct MaybeStaff(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeStaff {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(MaybeStaff(
            session_from_parts(parts, state).await?.map(|(s, _)| s),
        ))
    }
}

/// The caller of a protected API route: an API token (`Authorization: Bearer gk_...`) or a
/// browser session.
pub struct ApiCaller(pub Staff);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauth = |expired| {
            ApiError(AppError::Unauthenticated {
                expired,
                api: true,
                next: String::new(),
            })
        };
        if let Some(auth) = parts.headers.get(AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .unwrap_or("");
            return match state.store.find_api_token_staff(&token_hash(token)).await? {
                Some(staff) => Ok(ApiCaller(staff)),
                None => Err(unauth(false)),
            };
        }
        match session_from_parts(parts, state).await.map_err(ApiError)? {
            Some((s, _)) => Ok(ApiCaller(s.staff)),
            None => Err(unauth(cookie(&parts.headers, SESSION_COOKIE).is_some())),
        }
    }
}

/// Query of the login page.
#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

/// Where to go after login: only local paths.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::pages::local_target)
        .unwrap_or_else(|| "/admin".to_string())
}

/// `GET /login`: the login form. Sets the pre-login CSRF cookie.
pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let notice = q.expired.is_some().then_some("会话已过期，请重新登录");
    login_form(
        &state,
        &headers,
        &safe_next(q.next.as_deref()),
        notice,
        None,
        "",
        axum::http::StatusCode::OK,
    )
}

fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    next: &str,
    notice: Option<&str>,
    error: Option<&str>,
    username: &str,
    status: axum::http::StatusCode,
) -> Response {
    let pre = cookie(headers, PRE_COOKIE)
        .filter(|v| v.len() >= 32)
        .unwrap_or_else(random_token);
    let ctx = minijinja::context! { next, notice, error, username, pre_csrf => &pre };
    let mut resp = crate::pages::render(state, headers, "login.html", "登录", ctx, None);
    *resp.status_mut() = status;
    resp.headers_mut().append(
        SET_COOKIE,
        set_cookie(PRE_COOKIE, &pre, None, secure(state, headers)),
    );
    resp
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
    #[serde(default)]
    next: String,
    /// The pre-login token (from its cookie): the login form has no session yet, so it is
    /// checked here rather than by `forms::CsrfForm`.
    #[serde(default)]
    csrf: String,
}

/// Whether `password` is the account's and, when it has a second factor, `code` a current code
/// not used before (using it up). Hashing runs on the bounded CPU pool.
pub async fn credentials_match(
    state: &AppState,
    creds: &gongkai_store::org::StaffCredentials,
    password: &str,
    code: &str,
) -> Result<bool, AppError> {
    let (password, hash) = (password.to_string(), creds.password_hash.clone());
    if !state
        .cpu
        .run(move || verify_password(&password, &hash))
        .await?
    {
        return Ok(false);
    }
    let Some(secret) = creds
        .totp_secret
        .as_deref()
        .and_then(totp::secret_from_base32)
    else {
        return Ok(true);
    };
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    Ok(match totp::matching_step(&secret, code, now) {
        Some(step) => {
            state
                .store
                .use_totp_step(creds.staff.id, i64::try_from(step).unwrap_or(i64::MAX))
                .await?
        }
        None => false,
    })
}

/// What a lookup by number and secret code found.
pub(crate) enum Lookup<T> {
    /// The record.
    Found(T),
    /// Nothing with that number and code.
    NotFound,
    /// Too many failed lookups from this address: the seconds to wait.
    Throttled(i64),
}

/// Finds a record by its number and secret code, for whoever holds them (an applicant, a
/// writer, a party to a case): `find` gives the record and the digest of its code; the code is
/// compared with it in constant time, so a wrong number and a wrong code are the same answer;
/// guessing is throttled like guessing passwords (after ten failed lookups of `name` from one
/// address each further one waits, longer each time).
pub(crate) async fn lookup_by_code<T, Fut>(
    state: &AppState,
    ip: &str,
    name: &str,
    code: &str,
    find: Fut,
) -> Result<Lookup<T>, AppError>
where
    Fut: std::future::Future<Output = Result<Option<(T, String)>, AppError>>,
{
    let attempt = state.store.begin_login_attempt(name, ip).await?;
    let wait = throttle_wait(
        state,
        attempt,
        name,
        ip,
        10,
        state.config.login.max_failures_per_ip,
    )
    .await?;
    if wait > 0 {
        state.store.finish_login_attempt(attempt, None).await?;
        return Ok(Lookup::Throttled(wait));
    }
    let found = match find.await? {
        Some((record, hash))
            if !code.trim().is_empty()
                && constant_time_eq(hash.as_bytes(), token_hash(code.trim()).as_bytes()) =>
        {
            Some(record)
        }
        _ => None,
    };
    state
        .store
        .finish_login_attempt(attempt, Some(found.is_some()))
        .await?;
    Ok(found.map_or(Lookup::NotFound, Lookup::Found))
}

/// Seconds attempt `attempt` (by `name` from `ip`) must still wait after earlier failures: of
/// this name from this address beyond `free_pair`, and of this address under any name beyond
/// `free_address` (`[login]` delays, doubling to the window's length). Used by sign-in and by
/// every lookup by number and secret code.
pub(crate) async fn throttle_wait(
    state: &AppState,
    attempt: i64,
    name: &str,
    ip: &str,
    free_pair: i64,
    free_address: i64,
) -> Result<i64, AppError> {
    let cfg = &state.config.login;
    let now = Utc::now();
    let since = now - Duration::minutes(cfg.window_minutes);
    let p = state.store.login_pressure(attempt, name, ip, since).await?;
    // seconds still to wait after the latest failure of one scope
    let remaining = |failures: i64, last: &Option<String>, free: i64| -> i64 {
        let wait = gongkai_domain::throttle::wait_secs(
            failures,
            free,
            cfg.delay_base_secs,
            cfg.window_minutes * 60,
        );
        let Some(last) = last
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        else {
            return 0;
        };
        let ms = (last.with_timezone(&Utc) + Duration::seconds(wait) - now)
            .num_milliseconds()
            .max(0);
        (ms + 999) / 1000
    };
    Ok(remaining(p.pair, &p.pair_last, free_pair).max(remaining(
        p.address,
        &p.address_last,
        free_address,
    )))
}

/// The one answer to a failed login, whatever failed (name, password or second-factor code).
const LOGIN_FAILED: &str = "用户名、密码或动态验证码错误（未启用双因素认证的账号无需填写动态码）";

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let pre = cookie(&headers, PRE_COOKIE).unwrap_or_default();
    if pre.is_empty() || !constant_time_eq(pre.as_bytes(), form.csrf.as_bytes()) {
        return Err(AppError::Csrf);
    }
    let next = safe_next(Some(&form.next));
    let username = form.username.trim();
    let bad = |msg: &str| {
        login_form(
            &state,
            &headers,
            &next,
            None,
            Some(msg),
            username,
            axum::http::StatusCode::UNAUTHORIZED,
        )
    };
    if username.is_empty() || form.password.is_empty() {
        return Ok(login_form(
            &state,
            &headers,
            &next,
            None,
            Some("请输入用户名和密码"),
            username,
            axum::http::StatusCode::BAD_REQUEST,
        ));
    }
    let attempt = state.store.begin_login_attempt(username, &ip).await?;
    let cfg = &state.config.login;
    let wait = throttle_wait(
        &state,
        attempt,
        username,
        &ip,
        cfg.max_failures_per_user,
        cfg.max_failures_per_ip,
    )
    .await?;
    if wait > 0 {
        state.store.finish_login_attempt(attempt, None).await?;
        // the form again, with the wait: the visitor can try once it has passed
        let mut resp = login_form(
            &state,
            &headers,
            &next,
            None,
            Some(&AppError::Throttled(wait).to_string()),
            username,
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        return Ok(resp);
    }
    let creds = state.store.find_staff_credentials(username).await?;
    let Some(creds) = creds.filter(|c| c.staff.active) else {
        // Hash anyway so that unknown names take as long as wrong passwords.
        let password = form.password.clone();
        let _ = state
            .cpu
            .run(move || verify_password(&password, DUMMY_HASH))
            .await?;
        state
            .store
            .finish_login_attempt(attempt, Some(false))
            .await?;
        return Ok(bad(LOGIN_FAILED));
    };
    // One answer for a wrong password and a wrong code: it must not confirm the password.
    let ok = credentials_match(&state, &creds, &form.password, &form.totp).await?;
    state.store.finish_login_attempt(attempt, Some(ok)).await?;
    if !ok {
        return Ok(bad(LOGIN_FAILED));
    }
    let token = random_token();
    let hours = cfg.session_hours;
    state
        .store
        .create_session(
            &creds.staff,
            &token_hash(&token),
            &random_token(),
            Utc::now() + Duration::hours(hours),
        )
        .await?;
    let mut resp = Redirect::to(&next).into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            Some(hours * 3600),
            secure(&state, &headers),
        ),
    );
    Ok(resp)
}

/// A valid argon2id hash of a random string, used to spend the same time on unknown users.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jq0xJ7Hnq5Xw8b5Wq1H8bIY0mBzq2WmZ0WkNpD7l0hI";

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    state.store.delete_session(&s.token_hash, s.staff()).await?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), secure(&state, &headers)),
    );
    Ok(resp)
}

/// The one access check of the web layer: may `staff` perform `action` for `unit`? The refusal
/// says why, in Chinese (`access::Action::refusal`).
pub fn permit(
    staff: &gongkai_store::org::Staff,
    action: gongkai_domain::access::Action,
    unit: i64,
) -> Result<(), AppError> {
    if gongkai_domain::access::allowed(staff.role, staff.unit_id, action, unit) {
        Ok(())
    } else {
        Err(AppError::Forbidden(action.refusal().into()))
    }
}
