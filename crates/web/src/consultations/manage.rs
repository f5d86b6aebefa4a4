//! Public consultation, the unit's side: opening a consultation (the period rule: 30 days or a
//! stated reason), revising the draft (the new version aligned with the previous one, comments
//! staying attached), hiding comments with a reason, recording their adoption, and publishing
//! the adoption report with the decision once the period is over.

use super::{day, ser, today, view};
use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::{parse_day, render};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::Action;
use gongkai_domain::consultation::{Adoption, align, check_period, paragraphs};
use gongkai_store::consultations::NewConsultation;
use serde::{Deserialize, Serialize};

/// A new consultation as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct OpenForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    explanation: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    how_to_comment: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    short_reason: String,
}

/// `?before=` of a unit's list.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    before: Option<i64>,
}

async fn list_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    before: Option<i64>,
    failed: Option<(Vec<String>, OpenForm)>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    let unit = state.store.get_unit(unit_id).await?;
    let rows = state
        .store
        .consultations()
        .list(Some(unit_id), before, 51)
        .await?;
    let more = rows.len() > 50;
    let rows = &rows[..rows.len().min(50)];
    let t = day(today());
    let f = failed.as_ref().map(|(_, f)| f.clone()).unwrap_or_else(|| {
        let start = today();
        OpenForm {
            starts_on: day(start),
            ends_on: day(start + chrono::Duration::days(29)),
            how_to_comment: "在本页对全文或逐段提出意见；也可来信寄至本单位".into(),
            ..OpenForm::default()
        }
    });
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        rows => rows.iter().map(|c| minijinja::context! {
            id => c.id, title => &c.title, starts_on => &c.starts_on, ends_on => &c.ends_on,
            version => c.version, comments => c.comments, status => super::status(c, &t),
        }).collect::<Vec<_>>(),
        next => more.then(|| rows.last().map(|c| c.id)).flatten(),
        can_manage => gongkai_domain::access::allowed(s.staff().role, s.staff().unit_id, Action::ManageConsultations, unit_id),
        f => ser(&f), errors => failed.as_ref().map(|(e, _)| e.clone()),
    };
    Ok(crate::forms::invalid_if(
        failed.is_some(),
        render(
            state,
            headers,
            "admin/consultations.html",
            &format!("{} · 意见征集", unit.name),
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/units/{id}/consultations`: the unit's consultations and the form to open one.
pub async fn unit_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &headers, &s, unit_id, q.before, None).await
}

/// `POST /admin/units/{id}/consultations`: opens a consultation; every problem named at once.
pub async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<OpenForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ManageConsultations, unit_id)?;
    let mut errors = Vec::new();
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        errors.push("请填写草案标题（不超过100字）".to_string());
    }
    if f.explanation.trim().is_empty() {
        errors.push("请填写起草说明".into());
    }
    let paras = paragraphs(&f.text);
    if paras.is_empty() {
        errors.push("请填写征求意见稿正文".into());
    } else if paras.len() > 2000 {
        errors.push("正文不超过2000段".into());
    }
    if f.how_to_comment.trim().is_empty() {
        errors.push("请填写提出意见的方式".into());
    }
    if f.contact.trim().is_empty() {
        errors.push("请填写联系人和联系电话".into());
    }
    let (start, end) = (parse_day(&f.starts_on), parse_day(&f.ends_on));
    match (start, end) {
        (Some(a), Some(b)) => {
            if a < today() {
                errors.push("开始日期不能早于今天".into());
            }
            if let Err(e) = check_period(a, b, &f.short_reason) {
                errors.push(e);
            }
        }
        _ => errors.push("请按“2026-12-01”的格式填写开始和截止日期".into()),
    }
    if let Some(found) = crate::pages::scan_for_publication(
        &state,
        &[
            ("标题", title),
            ("起草说明", f.explanation.trim()),
            ("正文", f.text.as_str()),
            ("联系方式", f.contact.trim()),
        ],
    )
    .await?
    {
        errors.push(found);
    }
    let (Some(start), Some(end), true) = (start, end, errors.is_empty()) else {
        return list_page(&state, &headers, &s, unit_id, None, Some((errors, f))).await;
    };
    let c = state
        .store
        .consultations()
        .open(
            &s.actor(),
            &NewConsultation {
                unit_id,
                title,
                explanation: f.explanation.trim(),
                how_to_comment: f.how_to_comment.trim(),
                contact: f.contact.trim(),
                starts_on: &day(start),
                ends_on: &day(end),
                short_reason: f.short_reason.trim(),
                paragraphs: &paras,
                today: &day(today()),
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/consultations/{}", c.id)).into_response())
}

/// `?version=&after=` of the desk.
#[derive(Deserialize, Default)]
pub struct DeskQuery {
    version: Option<i64>,
    after: Option<i64>,
}

async fn desk_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    q: &DeskQuery,
    error: Option<String>,
) -> Result<Response, AppError> {
    let c = state.store.consultations().get(id).await?;
    permit(s.staff(), Action::ViewUnitDesk, c.unit_id)?;
    let unit = state.store.get_unit(c.unit_id).await?;
    let v = view(state, &c, q.version.unwrap_or(c.version), q.after, true).await?;
    let current: Vec<String> = state
        .store
        .consultations()
        .paragraphs(id, c.version)
        .await?
        .into_iter()
        .map(|p| p.text)
        .collect();
    let t = day(today());
    let ctx = minijinja::context! {
        c => ser(&c), unit => minijinja::context! { id => unit.id, name => &unit.name },
        status => super::status(&c, &t), closed => t.as_str() > c.ends_on.as_str(), v,
        current_text => current.join("\n\n"), unadopted => state.store.consultations().unadopted(id).await?,
        outcomes => Adoption::ALL.iter().map(|a| (a.code(), a.label())).collect::<Vec<_>>(),
        can_manage => gongkai_domain::access::allowed(s.staff().role, s.staff().unit_id, Action::ManageConsultations, c.unit_id),
        error,
    };
    Ok(render(
        state,
        headers,
        "admin/consultation.html",
        &c.title,
        ctx,
        Some(&s.session),
    ))
}

/// `GET /admin/consultations/{id}`: the unit's desk of one consultation.
pub async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(q): Query<DeskQuery>,
) -> Result<Response, AppError> {
    desk_page(&state, &headers, &s, id, &q, None).await
}

/// The desk again with a refusal and 400 (nothing was changed).
async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    e: String,
) -> Result<Response, AppError> {
    let page = desk_page(state, headers, s, id, &DeskQuery::default(), Some(e)).await?;
    Ok(crate::forms::invalid_if(true, page))
}

/// A revision.
#[derive(Deserialize, Default)]
pub struct ReviseForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

/// `POST /admin/consultations/{id}/revise`: publishes the next version, aligned with the
/// current one so comments stay attached to their paragraphs.
pub async fn revise(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReviseForm>,
) -> Result<Response, AppError> {
    let store = state.store.consultations();
    let c = store.get(id).await?;
    permit(s.staff(), Action::ManageConsultations, c.unit_id)?;
    let new = paragraphs(&f.text);
    let problem = if c.report_published_on.is_some() {
        Some("采纳情况已经公布，不能再修订")
    } else if new.is_empty() {
        Some("请填写修订后的正文")
    } else if f.note.trim().is_empty() {
        Some("请说明修订的内容和理由")
    } else {
        None
    };
    if let Some(p) = problem {
        return refused(&state, &headers, &s, id, p.into()).await;
    }
    if let Some(found) = crate::pages::scan_for_publication(
        &state,
        &[("修订稿", f.text.as_str()), ("修订说明", f.note.trim())],
    )
    .await?
    {
        return refused(&state, &headers, &s, id, found).await;
    }
    let from = if f.version > 0 { f.version } else { c.version };
    let old: Vec<String> = store
        .paragraphs(id, from)
        .await?
        .into_iter()
        .map(|p| p.text)
        .collect();
    if old == new {
        return refused(&state, &headers, &s, id, "修订稿与当前稿相同".into()).await;
    }
    let alignment = align(&old, &new);
    match store
        .revise(
            &s.actor(),
            id,
            &gongkai_store::consultations::Revision {
                from_version: from,
                paragraphs: &new,
                alignment: &alignment,
                note: f.note.trim(),
                today: &day(today()),
            },
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/consultations/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(m)) => refused(&state, &headers, &s, id, m).await,
        Err(e) => Err(e.into()),
    }
}

/// Hiding a comment.
#[derive(Deserialize, Default)]
pub struct HideForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/consultation-comments/{id}/hide`: hides a comment with the reason (kept).
pub async fn hide(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(comment_id): Path<i64>,
    CsrfForm(f): CsrfForm<HideForm>,
) -> Result<Response, AppError> {
    let store = state.store.consultations();
    let c = store.consultation_of_comment(comment_id).await?;
    permit(s.staff(), Action::ManageConsultations, c.unit_id)?;
    if f.reason.trim().is_empty() {
        return refused(&state, &headers, &s, c.id, "请填写隐藏理由".into()).await;
    }
    match store.hide(&s.actor(), comment_id, f.reason.trim()).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/consultations/{}", c.id)).into_response()),
        Err(gongkai_store::StoreError::Conflict(m)) => refused(&state, &headers, &s, c.id, m).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/consultations/{id}/adoptions` (`outcome`, `reason`, `comment`: one or more
/// comment ids, repeated).
pub async fn adopt(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let store = state.store.consultations();
    let c = store.get(id).await?;
    permit(s.staff(), Action::ManageConsultations, c.unit_id)?;
    let field = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let ids: Vec<i64> = f
        .iter()
        .filter(|(n, _)| n == "comment")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let outcome = Adoption::from_code(&field("outcome"));
    let reason = field("reason");
    let problem = if ids.is_empty() {
        Some("请勾选要作出采纳决定的意见（相近的意见可一并勾选）")
    } else if outcome.is_none() {
        Some("请选择采纳、部分采纳或未采纳")
    } else if reason.is_empty() {
        Some("请说明采纳或不采纳的理由")
    } else {
        None
    };
    if let Some(p) = problem {
        return refused(&state, &headers, &s, id, p.into()).await;
    }
    let outcome = outcome.map_or("", Adoption::code);
    match store.adopt(&s.actor(), id, outcome, &reason, &ids).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/consultations/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(m)) => refused(&state, &headers, &s, id, m).await,
        Err(e) => Err(e.into()),
    }
}

/// The adoption report.
#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    report: String,
    #[serde(default)]
    decision: String,
}

/// `POST /admin/consultations/{id}/report`: after the period, with every comment decided,
/// publishes the adoption report with the decision.
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReportForm>,
) -> Result<Response, AppError> {
    let store = state.store.consultations();
    let c = store.get(id).await?;
    permit(s.staff(), Action::ManageConsultations, c.unit_id)?;
    let t = day(today());
    let problem = if t.as_str() <= c.ends_on.as_str() {
        Some(format!(
            "征求意见至 {} 截止，截止后才能公布采纳情况",
            c.ends_on
        ))
    } else if f.report.trim().is_empty() {
        Some("请填写意见采纳情况说明".into())
    } else if f.decision.trim().is_empty() {
        Some("请填写最终决定（文件名称、文号或正文）".into())
    } else {
        None
    };
    if let Some(p) = problem {
        return refused(&state, &headers, &s, id, p).await;
    }
    if let Some(found) = crate::pages::scan_for_publication(
        &state,
        &[
            ("采纳情况", f.report.trim()),
            ("最终决定", f.decision.trim()),
        ],
    )
    .await?
    {
        return refused(&state, &headers, &s, id, found).await;
    }
    match store
        .publish_report(&s.actor(), id, f.report.trim(), f.decision.trim(), &t)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/consultations/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(m)) => refused(&state, &headers, &s, id, m).await,
        Err(e) => Err(e.into()),
    }
}
