//! Back-office forms and lists, one way each.
//!
//! - [`CsrfForm`]: a URL-encoded form of a logged-in staff member whose CSRF token has been
//!   checked before the handler runs (handlers never call `check_csrf`; the tidy test holds
//!   them to it). Form structs carry only their own fields.
//! - [`Upload`]: the same for `multipart/form-data` (file uploads): text fields and files,
//!   read within the route's body limit, token checked.
//! - [`Paging`]: the page a list shows: number, size, offset, and the page count for the
//!   template.
//!
//! Re-rendering a form with its errors keeps what was typed: handlers pass the submitted
//! struct back to the page they render, and [`invalid_if`] gives it the 400 status when the
//! page shows errors.

use crate::AppState;
use crate::auth::StaffSession;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A checked form: the staff session, and the form's fields parsed into `T`.
pub struct CsrfForm<T>(pub T);

/// The fields of a form that has nothing but its CSRF token (logout, a button).
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// The CSRF token a form sent, from URL-encoded pairs.
fn token_of(pairs: &[(String, String)]) -> &str {
    pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str())
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        // The handler's own StaffSession extractor ran first (it is cached in the request's
        // extensions), so this costs no second session lookup.
        let session = StaffSession::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| AppError::BadRequest("表单过大或无法读取".into()))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("表单内容无效（{e}）")))?;
        session.check_csrf(token_of(&pairs))?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("表单内容无效（{e}）")))?;
        Ok(CsrfForm(form))
    }
}

/// A file sent with an [`Upload`].
pub struct UploadedFile {
    /// The form field's name.
    pub field: String,
    /// The file name the browser gave (may be empty).
    pub file_name: String,
    /// The bytes.
    pub bytes: Bytes,
}

/// A checked `multipart/form-data` form: its text fields and its files, read whole within the
/// route's body limit, with the CSRF token checked.
pub struct Upload {
    /// Text fields in the order sent (the token removed).
    pub fields: Vec<(String, String)>,
    /// Files in the order sent.
    pub files: Vec<UploadedFile>,
}

impl Upload {
    /// A text field's value, or empty.
    pub fn text(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The first non-empty file sent in field `name`.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files
            .iter()
            .find(|f| f.field == name && !f.bytes.is_empty())
    }
}

/// A file name as sent, made safe to store and to send back: no path separators or NUL, at most
/// 120 characters; `fallback` when nothing is left.
pub(crate) fn safe_file_name(name: &str, fallback: &str) -> String {
    let name: String = name
        .chars()
        .filter(|c| !matches!(c, '/' | '\\' | '\0'))
        .take(120)
        .collect();
    if name.is_empty() {
        fallback.to_string()
    } else {
        name
    }
}

/// An uploaded evidence file, checked and stored content-addressed.
pub(crate) struct KeptFile {
    /// Its safe name.
    pub name: String,
    /// Its type, from its name and bytes.
    pub content_type: &'static str,
    /// Bytes.
    pub size: i64,
    /// Content address.
    pub sha256: String,
}

/// Checks an uploaded file (size, type) and stores it; `Ok(Err(why))` when it is refused.
pub(crate) async fn keep_file(
    state: &AppState,
    file: &UploadedFile,
    fallback: &str,
) -> Result<Result<KeptFile, String>, AppError> {
    if file.bytes.len() > state.config.max_attachment_bytes {
        let mb = state.config.max_attachment_bytes >> 20;
        return Ok(Err(format!("文件过大（不超过{mb}MB）")));
    }
    let name = safe_file_name(&file.file_name, fallback);
    let content_type = match crate::disclosure::items::content_type_of(&name, &file.bytes) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let sha256 = crate::disclosure::items::store_file(&state.files, &file.bytes).await?;
    Ok(Ok(KeptFile {
        name,
        content_type,
        size: file.bytes.len() as i64,
        sha256,
    }))
}

/// Reads a `multipart/form-data` body whole: its text fields (in order) and its files.
async fn read_multipart(req: Request, state: &AppState) -> Result<Upload, AppError> {
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::BadRequest("上传的表单无法读取".into()))?;
    let too_large = || AppError::BadRequest("文件过大，超过了上传上限".into());
    let mut fields = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(|_| too_large())?;
                files.push(UploadedFile {
                    field: name,
                    file_name,
                    bytes,
                });
            }
            None => {
                let value = field.text().await.map_err(|_| too_large())?;
                fields.push((name, value));
            }
        }
    }
    Ok(Upload { fields, files })
}

impl FromRequest<AppState> for Upload {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        let session = StaffSession::from_request_parts(&mut parts, state).await?;
        let mut up = read_multipart(Request::from_parts(parts, body), state).await?;
        let token = up
            .fields
            .iter()
            .position(|(k, _)| k == "csrf")
            .map(|i| up.fields.remove(i).1)
            .unwrap_or_default();
        session.check_csrf(&token)?;
        Ok(up)
    }
}

/// A public form (no account, so no session and no CSRF token: the form's own one-time key
/// guards against a double submit), sent URL-encoded or, when it carries a file,
/// `multipart/form-data`; read whole within the route's body limit.
pub struct PublicForm(pub Upload);

impl FromRequest<AppState> for PublicForm {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            return Ok(PublicForm(read_multipart(req, state).await?));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("表单过大或无法读取".into()))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("表单内容无效（{e}）")))?;
        Ok(PublicForm(Upload {
            fields,
            files: Vec::new(),
        }))
    }
}

/// A rendered form page: status 400 when `has_errors` (the page shows the form again with
/// what is wrong and what was typed), 200 otherwise.
pub fn invalid_if(has_errors: bool, page: impl IntoResponse) -> Response {
    let mut resp = page.into_response();
    if has_errors {
        *resp.status_mut() = StatusCode::BAD_REQUEST;
    }
    resp
}

/// The page of a list being shown: 1-based number and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// Page number, from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

impl Paging {
    /// The page asked for (`?page=`; missing, zero or negative means the first), `per_page`
    /// rows each.
    pub fn new(requested: Option<i64>, per_page: i64) -> Self {
        Paging {
            page: requested.unwrap_or(1).max(1),
            per_page: per_page.max(1),
        }
    }

    /// The same page, but no later than page `last` (a list that ends, or a deepest page
    /// allowed).
    pub fn up_to(self, last: i64) -> Self {
        Paging {
            page: self.page.min(last.max(1)),
            ..self
        }
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// Rows to read.
    pub fn limit(self) -> i64 {
        self.per_page
    }

    /// How many pages `total` rows make (at least one, so "page 1 of 1" for an empty list).
    pub fn pages(self, total: i64) -> i64 {
        ((total.max(0) + self.per_page - 1) / self.per_page).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_clamps_and_counts() {
        let p = Paging::new(None, 20);
        assert_eq!((p.page, p.offset(), p.limit()), (1, 0, 20));
        assert_eq!(Paging::new(Some(0), 20).page, 1);
        assert_eq!(Paging::new(Some(-5), 20).page, 1);
        assert_eq!(Paging::new(Some(3), 20).offset(), 40);
        assert_eq!(Paging::new(Some(i64::MAX), 20).offset(), i64::MAX);
        assert_eq!(p.pages(0), 1);
        assert_eq!(p.pages(20), 1);
        assert_eq!(p.pages(21), 2);
        assert_eq!(Paging::new(Some(9), 20).up_to(3).page, 3);
        assert_eq!(Paging::new(Some(2), 20).up_to(0).page, 1);
    }

    #[test]
    fn token_is_read_from_pairs() {
        let pairs = vec![
            ("a".to_string(), "1".to_string()),
            ("csrf".into(), "t".into()),
        ];
        assert_eq!(token_of(&pairs), "t");
        assert_eq!(token_of(&[]), "");
    }
}
