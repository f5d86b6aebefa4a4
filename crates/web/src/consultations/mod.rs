//! Public consultation on drafts (意见征集), the public side: the list, and a consultation's page
//! — period, how to comment, the timeline, the versions with their differences, the current text
//! with each paragraph's comments, the comment form while the period runs, and after it the
//! adoption report with the decision. Rules are `domain::consultation`; storage is
//! `store.consultations()`; the unit's side is [`manage`].

mod manage;

use crate::AppState;
use crate::auth::{ClientIp, random_token, token_hash};
use crate::error::AppError;
use crate::pages::{day, render, ser, today};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::consultation::Adoption;
use gongkai_domain::message::masked_name;
use gongkai_domain::scan::{Scanner, mask_all};
use gongkai_store::consultations::{Comment, Consultation, NewComment};
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes(limits: &crate::BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/consultations", get(list))
        .route("/consultations/{id}", get(page))
        .route("/consultations/{id}/comments", post(comment))
        .route(
            "/admin/units/{id}/consultations",
            get(manage::unit_list)
                .post(manage::open)
                .layer(limits.text()),
        )
        .route("/admin/consultations/{id}", get(manage::desk))
        .route(
            "/admin/consultations/{id}/revise",
            post(manage::revise).layer(limits.text()),
        )
        .route("/admin/consultations/{id}/adoptions", post(manage::adopt))
        .route("/admin/consultations/{id}/report", post(manage::report))
        .route("/admin/consultation-comments/{id}/hide", post(manage::hide))
}

fn column() -> minijinja::Value {
    minijinja::context! { name => "意见征集", description => "政策文件草案公开征求意见及采纳情况", keywords => "意见征集,征求意见稿,采纳情况", kind => "互动交流" }
}

/// Where a consultation stands, in words, for today.
fn status(c: &Consultation, today: &str) -> &'static str {
    if c.report_published_on.is_some() {
        "已公布采纳情况"
    } else if today < c.starts_on.as_str() {
        "尚未开始"
    } else if today <= c.ends_on.as_str() {
        "正在征求意见"
    } else {
        "已截止，正在整理意见"
    }
}

/// Whether comments are taken today.
fn is_open(c: &Consultation, today: &str) -> bool {
    c.report_published_on.is_none() && c.starts_on.as_str() <= today && today <= c.ends_on.as_str()
}

/// `?before=` of the list.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    before: Option<i64>,
}

/// `GET /consultations`: consultations, newest first, 20 a page.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let rows = state.store.consultations().list(None, q.before, 21).await?;
    let more = rows.len() > 20;
    let rows = &rows[..rows.len().min(20)];
    let today = day(today());
    let ctx = minijinja::context! {
        rows => rows.iter().map(|c| minijinja::context! {
            id => c.id, title => &c.title, starts_on => &c.starts_on, ends_on => &c.ends_on,
            unit => units.iter().find(|u| u.id == c.unit_id).map(|u| u.name.clone()),
            status => status(c, &today), comments => c.comments,
        }).collect::<Vec<_>>(),
        next => more.then(|| rows.last().map(|c| c.id)).flatten(),
        column => column(),
    };
    Ok(render(
        &state,
        &headers,
        "consultations/list.html",
        "意见征集",
        ctx,
        None,
    ))
}

/// `?version=&after=` of a consultation's page.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    version: Option<i64>,
    after: Option<i64>,
    submitted: Option<u8>,
}

/// The view of a consultation for the public page and the unit's desk: a version's paragraphs
/// with their comment counts and changes, the paragraphs the version removed, the versions and
/// the timeline, one page of comments (each with the paragraph it refers to in this version, or
/// a note that the text was removed), and the adoption report.
pub(crate) async fn view(
    state: &AppState,
    c: &Consultation,
    version: i64,
    after: Option<i64>,
    staff: bool,
) -> Result<minijinja::Value, AppError> {
    let store = state.store.consultations();
    let version = version.clamp(1, c.version);
    let paras = store.paragraphs(c.id, version).await?;
    let previous = if version > 1 {
        store.paragraphs(c.id, version - 1).await?
    } else {
        Vec::new()
    };
    let removed: Vec<String> = previous
        .iter()
        .filter(|p| !paras.iter().any(|q| q.para_key == p.para_key))
        .map(|p| p.text.clone())
        .collect();
    let counts = store.counts(c.id).await?;
    let count_of = |key: Option<&str>| {
        counts
            .iter()
            .find(|(k, _)| k.as_deref() == key)
            .map_or(0, |(_, n)| *n)
    };
    let latest = if version == c.version {
        paras.clone()
    } else {
        store.paragraphs(c.id, c.version).await?
    };
    let removed_comments: i64 = counts
        .iter()
        .filter(|(k, _)| {
            k.as_ref()
                .is_some_and(|k| !latest.iter().any(|p| &p.para_key == k))
        })
        .map(|(_, n)| n)
        .sum();
    let comments: Vec<Comment> = store.comments(c.id, after, 51).await?;
    let more = comments.len() > 50;
    let comments = &comments[..comments.len().min(50)];
    let adoptions = store.adoptions(c.id).await?;
    let versions = store.versions(c.id).await?;
    let where_of = |key: &Option<String>| match key {
        None => "对全文".to_string(),
        Some(k) => match paras.iter().find(|p| &p.para_key == k) {
            Some(p) => format!("对第{}段", p.position + 1),
            None if latest.iter().any(|p| &p.para_key == k) => "对本稿之后新增或调整的段落".into(),
            None => "所指内容已在修订中删除".into(),
        },
    };
    let mut timeline: Vec<(String, String)> = versions
        .iter()
        .map(|v| {
            (
                v.published_on.clone(),
                if v.version == 1 {
                    "发布征求意见稿".to_string()
                } else {
                    format!("发布修订稿（第{}稿）：{}", v.version, v.note)
                },
            )
        })
        .collect();
    // the period opens right after the first draft is out (and before a same-day revision)
    timeline.insert(
        1.min(timeline.len()),
        (c.starts_on.clone(), "开始征求意见".into()),
    );
    timeline.push((c.ends_on.clone(), "征求意见截止".into()));
    if let Some(d) = &c.report_published_on {
        timeline.push((d.clone(), "公布意见采纳情况及决定".into()));
    }
    // by date; events of one day in the order they happened
    timeline.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(minijinja::context! {
        version, versions => ser(&versions),
        paragraphs => paras.iter().map(|p| minijinja::context! {
            n => p.position + 1, key => &p.para_key, text => &p.text, change => &p.change,
            previous_text => &p.previous_text, comments => count_of(Some(&p.para_key)),
        }).collect::<Vec<_>>(),
        removed, removed_comments, whole => count_of(None),
        comments => comments.iter().map(|m| minijinja::context! {
            id => m.id, name => if staff { m.name.clone() } else { m.public_name.clone() },
            contact => if staff { m.contact.clone() } else { String::new() },
            body => if staff { m.body.clone() } else { m.public_body.clone() },
            hidden_reason => &m.hidden_reason, on_version => m.version, at => gongkai_domain::calendar::beijing_minutes(&m.created_at),
            target => where_of(&m.para_key), adoption => m.adoption_id.and_then(|a| adoptions.iter().find(|x| x.id == a)).and_then(|a| Adoption::from_code(&a.outcome)).map(Adoption::label),
        }).collect::<Vec<_>>(),
        next_comments => more.then(|| comments.last().map(|m| m.id)).flatten(),
        adoptions => adoptions.iter().map(|a| minijinja::context! {
            id => a.id, outcome => Adoption::from_code(&a.outcome).map(Adoption::label), reason => &a.reason,
        }).collect::<Vec<_>>(),
        timeline,
    })
}

/// `GET /consultations/{id}`: the consultation's page.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    page_render(&state, &headers, id, &q, None, StatusCode::OK).await
}

async fn page_render(
    state: &AppState,
    headers: &HeaderMap,
    id: i64,
    q: &PageQuery,
    failed: Option<(String, CommentForm)>,
    status_code: StatusCode,
) -> Result<Response, AppError> {
    let c = state.store.consultations().get(id).await?;
    let unit = state.store.get_unit(c.unit_id).await?;
    let today = day(today());
    let v = view(state, &c, q.version.unwrap_or(c.version), q.after, false).await?;
    let f = failed
        .as_ref()
        .map(|(_, f)| f.clone())
        .unwrap_or_else(|| CommentForm {
            request_key: random_token(),
            ..CommentForm::default()
        });
    let ctx = minijinja::context! {
        c => ser(&c), unit => minijinja::context! { code => &unit.code, name => &unit.name },
        status => status(&c, &today), open => is_open(&c, &today), v,
        f => ser(&f), error => failed.as_ref().map(|(e, _)| e.clone()), submitted => q.submitted.is_some(),
        column => column(),
    };
    let mut resp = render(
        state,
        headers,
        "consultations/page.html",
        &c.title,
        ctx,
        None,
    );
    *resp.status_mut() = status_code;
    Ok(resp)
}

/// A public comment.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct CommentForm {
    #[serde(default)]
    paragraph: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    request_key: String,
}

/// `POST /consultations/{id}/comments`: a comment on the whole draft or one paragraph of the
/// current version, while the period runs; shown masked, once per form.
pub async fn comment(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CommentForm>,
) -> Result<Response, AppError> {
    let store = state.store.consultations();
    let c = store.get(id).await?;
    let today = day(today());
    let paras = store.paragraphs(id, c.version).await?;
    let key = f.paragraph.trim();
    let body = f.body.trim();
    let n = body.chars().count();
    let problem = if !is_open(&c, &today) {
        Some(if today.as_str() < c.starts_on.as_str() {
            format!("征求意见将于 {} 开始，届时再提交意见", c.starts_on)
        } else {
            format!("征求意见已于 {} 截止，不再接收意见", c.ends_on)
        })
    } else if !key.is_empty() && !paras.iter().any(|p| p.para_key == key) {
        Some("请选择征求意见稿中的段落，或选择对全文提意见".into())
    } else if n < 2 {
        Some("请填写意见内容".into())
    } else if n > 2000 {
        Some(format!("意见内容不超过2000字（现有{n}字）"))
    } else if f.name.trim().chars().count() > 50 || f.contact.trim().chars().count() > 100 {
        Some("姓名不超过50字，联系方式不超过100字".into())
    } else if f.request_key.len() < 16 {
        Some("表单已失效，请刷新页面后重新提交".into())
    } else {
        None
    };
    if let Some(p) = problem {
        let f = CommentForm {
            request_key: if f.request_key.len() < 16 {
                random_token()
            } else {
                f.request_key.clone()
            },
            ..f
        };
        let status = if is_open(&c, &today) {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::CONFLICT
        };
        return page_render(
            &state,
            &headers,
            id,
            &PageQuery::default(),
            Some((p, f)),
            status,
        )
        .await;
    }
    let scanner = Scanner::new(&state.store.disclosure().sensitive_words().await?);
    let public_body = mask_all(body, &scanner.scan(body));
    let name = f.name.trim();
    let public_name = if name.is_empty() {
        "匿名".to_string()
    } else {
        masked_name(name)
    };
    store
        .comment(
            &gongkai_store::Actor::system("public"),
            id,
            c.version,
            &NewComment {
                para_key: (!key.is_empty()).then_some(key),
                name,
                contact: f.contact.trim(),
                body,
                public_name: &public_name,
                public_body: &public_body,
                submission_key: &token_hash(&f.request_key),
                client_addr: &ip,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/consultations/{id}?submitted=1#comments")).into_response())
}
