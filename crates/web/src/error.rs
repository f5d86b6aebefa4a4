//! The one error type of the web layer. It logs the cause and shows the user a clear message in
//! Chinese (HTML pages) or a JSON error object (API); database text never reaches the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_store::StoreError;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not logged in, or the session expired. `api` selects a JSON 401 instead of a redirect.
    #[error("请先登录")]
    Unauthenticated {
        /// The request carried a session cookie that is no longer valid.
        expired: bool,
        /// The request was for the JSON API.
        api: bool,
        /// Where to return after login.
        next: String,
    },
    /// Logged in, but the password was reset by someone else and must be changed first.
    #[error("您的密码已被重置，请先设置新密码")]
    PasswordChangeRequired,
    /// Logged in but not allowed.
    #[error("无权访问：{0}")]
    Forbidden(String),
    /// A form or API call without a valid CSRF token.
    #[error("表单已失效或来源不明（缺少有效的CSRF令牌），请刷新页面后重试")]
    Csrf,
    /// Bad input: the message says what is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing here.
    #[error("页面不存在")]
    NotFound,
    /// Already exists.
    #[error("{0}")]
    Conflict(String),
    /// The server is at capacity for this kind of work (e.g. searches).
    #[error("服务器繁忙，请稍后再试")]
    Busy,
    /// Too many failed logins: the seconds to wait.
    #[error("登录失败次数过多，请{0}秒后再试")]
    Throttled(i64),
    /// Too many attempts of something else (lookups, submissions): the message says what.
    #[error("{0}")]
    TooManyRequests(String),
    /// Nothing here, with the reason in words.
    #[error("{0}")]
    NotFoundMessage(String),
    /// The template set is broken (start-up or render).
    #[error("页面模板错误：{0}")]
    Template(String),
    /// Anything else; the cause is logged, the user sees a generic message.
    #[error("服务器内部错误，请稍后再试")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Conflict(message) => AppError::Conflict(message),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::Template(format!("{e:#}"))
    }
}

impl AppError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf | AppError::PasswordChangeRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound | AppError::NotFoundMessage(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Throttled(_) | AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Template(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated { .. } => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::Csrf => "csrf",
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound | AppError::NotFoundMessage(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Throttled(_) | AppError::TooManyRequests(_) => "throttled",
            AppError::Busy => "busy",
            AppError::Template(_) | AppError::Internal(_) => "internal",
        }
    }
}

/// Wraps an error with the knowledge that it is answering an API call (JSON body).
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        if let AppError::Internal(cause) | AppError::Template(cause) = &e {
            tracing::error!(%cause, "api request failed");
        }
        let body = serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}});
        (e.status(), axum::Json(body)).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Unauthenticated { api: true, .. } => return ApiError(self).into_response(),
            AppError::Unauthenticated { expired, next, .. } => {
                let mut to = format!("/login?next={}", crate::pages::url_encode(next));
                if *expired {
                    to.push_str("&expired=1");
                }
                return Redirect::to(&to).into_response();
            }
            AppError::PasswordChangeRequired => {
                return Redirect::to("/admin/account?ok=must_change").into_response();
            }
            AppError::Internal(cause) | AppError::Template(cause) => {
                tracing::error!(%cause, "request failed");
            }
            _ => {}
        }
        let mut resp = self.status().into_response();
        resp.extensions_mut().insert(ErrorPage(self.to_string()));
        resp
    }
}

/// Marks a response as an error whose page the outer middleware renders with the site layout.
#[derive(Debug, Clone)]
pub struct ErrorPage(pub String);

/// The framework's rejection text in Chinese, its English detail kept in brackets.
pub(crate) fn rejection_text(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("Failed to deserialize query string: ") {
        return match rest.split_once(": ") {
            Some((field, why)) => format!("查询参数“{field}”的值无效：{}", reason_in_chinese(why)),
            None => format!("查询参数无效：{}", reason_in_chinese(rest)),
        };
    }
    if let Some(rest) = text.strip_prefix("Invalid URL: ") {
        return format!("路径中的参数无效（{rest}）");
    }
    if let Some(rest) = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .or_else(|| text.strip_prefix("Failed to parse the request body as JSON: "))
    {
        return format!("请求体 JSON 无效（{rest}）");
    }
    format!("请求无效（{text}）")
}

/// The deserialiser's reason, said in Chinese (its English text is never shown).
fn reason_in_chinese(why: &str) -> &'static str {
    if why.contains("invalid digit") || why.contains("cannot parse integer") {
        "应为整数"
    } else if why.contains("too large") || why.contains("too small") {
        "数字超出范围"
    } else if why.contains("invalid float") {
        "应为数字"
    } else if why.contains("unknown variant") {
        "不是可选的值"
    } else if why.contains("missing field") {
        "缺少必填参数"
    } else {
        "格式不正确"
    }
}

/// Middleware of the API: an error answered by something other than a handler (a rejected
/// query string, path or JSON body, an unknown method, a body over its limit) becomes the same
/// JSON envelope as every handler error, with the reason in Chinese.
pub async fn api_json_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", rejection_text(&text)),
        StatusCode::NOT_FOUND => ("not_found", "接口不存在".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "该接口不支持此请求方法".to_string())
        }
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "请求体过大".to_string()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "请求体须为 JSON（Content-Type: application/json）".to_string(),
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("bad_request", format!("请求体无效：{text}")),
        s if s.is_server_error() => ("internal", "服务器内部错误，请稍后再试".to_string()),
        _ => ("bad_request", text),
    };
    let mut out = (
        status,
        axum::Json(serde_json::json!({"error": {"code": code, "message": message}})),
    )
        .into_response();
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
