//! The back office's lists of information items: a unit's item list (filtered by status,
//! category, date, lateness and words, paged, with bulk submit and approve) and the pending work
//! on each person's desk (returned drafts, reviews, approvals, scheduled items, items nearing or
//! past the working-day limit).

use super::items::{OpError, Prepared, prepare_approve, prepare_submit};
use crate::AppState;
use crate::auth::StaffSession;
use crate::error::AppError;
use crate::forms::{CsrfForm, Paging};
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::calendar::{Calendar, beijing_date};
use gongkai_domain::disclosure::{
    RevisionState, desk_states, late_if_formed_before, workdays_left,
};
use gongkai_store::disclosure::{ItemFilter, ItemSummary};
use serde::Deserialize;
use std::collections::HashMap;

/// The list's query string: the filters, the page, a flash message.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    page: Option<i64>,
    ok: Option<String>,
    /// Status: a state code, `returned`, `unpublished` or `withdrawn`.
    #[serde(default)]
    status: String,
    /// Category id.
    #[serde(default)]
    category: String,
    /// 成文日期 from.
    #[serde(default)]
    from: String,
    /// 成文日期 to.
    #[serde(default)]
    to: String,
    /// `late` or `on_time`.
    #[serde(default)]
    late: String,
    /// Words in the title or 文号.
    #[serde(default)]
    q: String,
}

/// The statuses the list filters by, with their labels.
const STATUSES: &[(&str, &str)] = &[
    ("draft", "草稿"),
    ("returned", "已退回修改"),
    ("in_review", "待审核"),
    ("reviewed", "待审批"),
    ("scheduled", "定时发布"),
    ("published", "已公开"),
    ("unpublished", "尚未公开"),
    ("withdrawn", "已撤回"),
];

/// The filter the query asks for, or what is wrong with it (in Chinese).
fn filter_of(q: &ListQuery, cal: &Calendar, limit: u32) -> Result<ItemFilter, String> {
    let status = q.status.trim();
    if !status.is_empty() && status != "new_draft" && !STATUSES.iter().any(|(c, _)| *c == status) {
        return Err(format!("状态“{status}”无效"));
    }
    let category_id = match q.category.trim() {
        "" => None,
        c => Some(c.parse::<i64>().map_err(|_| format!("栏目“{c}”无效"))?),
    };
    let date = |s: &str, what: &str| -> Result<String, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(String::new());
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| d.to_string())
            .map_err(|_| format!("{what}“{s}”格式错误，应为 YYYY-MM-DD"))
    };
    let (from, to) = (date(&q.from, "起始日期")?, date(&q.to, "截止日期")?);
    if !from.is_empty() && !to.is_empty() && from > to {
        return Err("起始日期晚于截止日期".into());
    }
    let late = q.late.trim();
    if !matches!(late, "" | "late" | "on_time") {
        return Err(format!("时限条件“{late}”无效"));
    }
    let today = beijing_date(Utc::now());
    let cut =
        late_if_formed_before(cal, today, limit).map_err(|e| format!("无法计算发布时限（{e}）"))?;
    Ok(ItemFilter {
        status: status.to_string(),
        category_id,
        formed_from: from,
        formed_to: to,
        lateness: late.to_string(),
        late_if_formed_before: cut.to_string(),
        text: q.q.trim().chars().take(60).collect(),
        oldest_formed_first: false,
    })
}

/// The working days left of an unpublished item (negative: late), if it has a date of forming.
fn left_of(s: &ItemSummary, cal: &Calendar, today: NaiveDate, limit: u32) -> Option<i64> {
    if s.item.published_revision.is_some() || s.item.withdrawn_at.is_some() {
        return None;
    }
    let formed = NaiveDate::parse_from_str(&s.revision.formed_on, "%Y-%m-%d").ok()?;
    workdays_left(cal, formed, today, limit).ok()
}

/// The status a row shows.
fn status_label(s: &ItemSummary) -> &'static str {
    if s.item.withdrawn_at.is_some() {
        "已撤回"
    } else if s.revision.state == RevisionState::Draft && !s.revision.note.is_empty() {
        "草稿（已退回修改）"
    } else {
        s.revision.state.label()
    }
}

fn row(s: &ItemSummary, cal: &Calendar, today: NaiveDate, limit: u32) -> minijinja::Value {
    minijinja::context! {
        id => s.item.id, index_no => &s.item.index_no, title => &s.revision.title, doc_no => &s.revision.doc_no,
        category => &s.category_name, formed_on => &s.revision.formed_on, revision => s.revision.revision,
        state => status_label(s), note => &s.revision.note,
        published => s.item.published_revision.is_some(), withdrawn => s.item.withdrawn_at.is_some(),
        days_late => s.item.days_late, left => left_of(s, cal, today, limit),
        scheduled_at => s.revision.scheduled_at.as_deref().map(gongkai_domain::calendar::beijing_minutes),
    }
}

/// `GET /admin/units/{id}/items`: the unit's items, filtered and paged, with bulk actions.
pub async fn unit_items(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    crate::auth::permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    list_page(&state, &headers, &s, unit_id, &q, None).await
}

async fn list_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    q: &ListQuery,
    error: Option<String>,
) -> Result<Response, AppError> {
    let unit = state.store.get_unit(unit_id).await?;
    let cal = state.store.calendar().await?;
    let limit = state.config.publish_limit_workdays;
    let today = beijing_date(Utc::now());
    let paging = Paging::new(q.page, 30);
    let (filter, error) = match filter_of(q, &cal, limit) {
        Ok(f) => (f, error),
        Err(e) => (ItemFilter::default(), Some(e)),
    };
    let bad_query = error.is_some() && filter.status.is_empty() && filter.text.is_empty();
    let (total, items) = state
        .store
        .disclosure()
        .find_unit_items(unit_id, &filter, paging.limit(), paging.offset())
        .await?;
    let rows: Vec<minijinja::Value> = items.iter().map(|i| row(i, &cal, today, limit)).collect();
    let cats = state
        .store
        .disclosure()
        .list_categories(Some(unit_id))
        .await?;
    let st = s.staff();
    // the query string of the filters, for the pager's links
    let query = serde_urlencoded::to_string([
        ("status", q.status.as_str()),
        ("category", q.category.as_str()),
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
        ("late", q.late.as_str()),
        ("q", q.q.as_str()),
    ])
    .unwrap_or_default();
    let ctx = minijinja::context! {
        unit => minijinja::Value::from(minijinja::value::Serde(&unit)), items => rows, total, page => paging.page, pages => paging.pages(total),
        query, error, f => minijinja::context! { status => &q.status, category => &q.category, from => &q.from, to => &q.to, late => &q.late, q => &q.q },
        statuses => STATUSES.iter().map(|(c, l)| minijinja::context! { code => *c, label => *l }).collect::<Vec<_>>(),
        can_create => allowed(st.role, st.unit_id, Action::WorkOnItems, unit_id),
        can_add_category => allowed(st.role, st.unit_id, Action::AddCategory, unit_id),
        categories => crate::pages::category_tree(&cats).into_iter().map(|(depth, c)| minijinja::context! { id => c.id, name => &c.name, depth, selected => c.id.to_string() == q.category.trim() }).collect::<Vec<_>>(),
        flash => match q.ok.as_deref() {
            Some("category") => Some("栏目已增设".to_string()),
            Some(ok) if ok.starts_with("bulk-") => Some(format!("已批量处理 {} 条信息", ok.trim_start_matches("bulk-"))),
            _ => None,
        },
    };
    let resp = render(
        state,
        headers,
        "admin/items.html",
        &format!("{} · 信息发布", unit.name),
        ctx,
        Some(&s.session),
    );
    Ok(crate::forms::invalid_if(bad_query, resp))
}

/// The bulk form: the action, one note for all, and a checkbox `item-ID` per chosen item.
#[derive(Deserialize)]
pub struct BulkForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

/// `POST /admin/units/{id}/items/bulk`: submits or approves the chosen items — every one is
/// checked first; if any cannot take the step, none is changed and the page names each that
/// cannot and why. The changes are one transaction.
pub async fn bulk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<BulkForm>,
) -> Result<Response, AppError> {
    crate::auth::permit(s.staff(), Action::WorkOnItems, unit_id)?;
    let mut ids: Vec<i64> = f
        .rest
        .keys()
        .filter_map(|k| k.strip_prefix("item-")?.parse().ok())
        .collect();
    ids.sort_unstable();
    let (st_ref, h_ref, s_ref) = (&state, &headers, &s);
    let refuse = |msg: String, status| async move {
        let mut resp = list_page(
            st_ref,
            h_ref,
            s_ref,
            unit_id,
            &ListQuery::default(),
            Some(msg),
        )
        .await?;
        *resp.status_mut() = status;
        Ok::<Response, AppError>(resp)
    };
    if ids.is_empty() {
        return refuse(
            "请先勾选要处理的信息".into(),
            axum::http::StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if ids.len() > 100 {
        return refuse(
            "一次最多批量处理 100 条".into(),
            axum::http::StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let approve = match f.action.as_str() {
        "submit" => false,
        "approve" => true,
        _ => {
            return refuse(
                "请选择批量操作（提交审核或批准发布）".into(),
                axum::http::StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let staff = s.staff();
    let mut ready: Vec<Prepared> = Vec::with_capacity(ids.len());
    let mut problems = Vec::new();
    for id in &ids {
        let checked = if approve {
            prepare_approve(&state, staff, *id, f.note.trim(), false).await
        } else {
            prepare_submit(&state, staff, *id).await
        };
        match checked {
            Ok(p) if p.item.unit_id != unit_id => {
                problems.push(format!("{}：不属于本单位", p.item.index_no))
            }
            Ok(p) => ready.push(p),
            Err(OpError::Workflow(e)) => {
                let name = state
                    .store
                    .disclosure()
                    .get_item(*id)
                    .await
                    .map(|i| i.index_no)
                    .unwrap_or_else(|_| id.to_string());
                problems.push(format!("{name}：{e}"));
            }
            Err(OpError::App(AppError::Forbidden(m) | AppError::Conflict(m))) => {
                problems.push(format!("{id}：{m}"))
            }
            Err(OpError::App(e)) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return refuse(
            format!(
                "以下信息不能{}，本次批量操作未做任何改动：{}",
                if approve {
                    "批准发布"
                } else {
                    "提交审核"
                },
                problems.join("；")
            ),
            axum::http::StatusCode::CONFLICT,
        )
        .await;
    }
    let actor = gongkai_store::Actor::of(staff);
    if approve {
        let all: Vec<(i64, i64, RevisionState, String)> = ready
            .iter()
            .map(|p| (p.item.id, p.revision, p.from, p.note.clone()))
            .collect();
        gongkai_work::publishing::publish_all_now(
            &state.store,
            state.config.publish_limit_workdays,
            &actor,
            &all,
        )
        .await
        .map_err(|e| match e {
            gongkai_work::publishing::PublishError::Store(e) => AppError::from(e),
            other => AppError::BadRequest(other.to_string()),
        })?;
        super::items::reindex_soon(&state).await;
    } else {
        let all: Vec<gongkai_store::disclosure::Transition> =
            ready.iter().map(Prepared::transition).collect();
        state
            .store
            .disclosure()
            .transition_all(&actor, &all)
            .await?;
    }
    Ok(Redirect::to(&format!(
        "/admin/units/{unit_id}/items?ok=bulk-{}",
        ready.len()
    ))
    .into_response())
}

/// The pending work on a person's desk, for their own unit: what waits for their step (returned
/// drafts, reviews, approvals, by role), scheduled items, and unpublished items nearing (five
/// working days or fewer) or past the limit, with the working days left. `None` when they do not
/// work on items.
pub async fn desk_work(
    state: &AppState,
    staff: &gongkai_store::org::Staff,
) -> Result<Option<minijinja::Value>, AppError> {
    let unit_id = staff.unit_id;
    if !allowed(staff.role, staff.unit_id, Action::WorkOnItems, unit_id) {
        return Ok(None);
    }
    let cal = state.store.calendar().await?;
    let limit = state.config.publish_limit_workdays;
    let today = beijing_date(Utc::now());
    let mut sections = Vec::new();
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    for st in desk_states(staff.role) {
        match st {
            RevisionState::Draft => {
                wanted.push(("returned", "退回修改"));
                wanted.push(("new_draft", "草稿（待提交审核）"));
            }
            RevisionState::InReview => wanted.push(("in_review", "待审核")),
            RevisionState::Reviewed => wanted.push(("reviewed", "待审批")),
            _ => {}
        }
    }
    wanted.push(("scheduled", "定时发布"));
    for (status, label) in wanted {
        let filter = ItemFilter {
            status: status.into(),
            ..ItemFilter::default()
        };
        let (total, items) = state
            .store
            .disclosure()
            .find_unit_items(unit_id, &filter, 5, 0)
            .await?;
        sections.push(minijinja::context! {
            label, total, link => format!("/admin/units/{unit_id}/items?status={status}"),
            items => items.iter().map(|i| row(i, &cal, today, limit)).collect::<Vec<_>>(),
        });
    }
    // the oldest unpublished items: those with five working days or fewer left, or late
    let filter = ItemFilter {
        status: "unpublished".into(),
        oldest_formed_first: true,
        ..ItemFilter::default()
    };
    let (_, oldest) = state
        .store
        .disclosure()
        .find_unit_items(unit_id, &filter, 50, 0)
        .await?;
    let due: Vec<minijinja::Value> = oldest
        .iter()
        .filter(|i| left_of(i, &cal, today, limit).is_some_and(|l| l <= 5))
        .take(10)
        .map(|i| row(i, &cal, today, limit))
        .collect();
    Ok(Some(minijinja::context! {
        sections, due, limit, unit_id,
        late_link => format!("/admin/units/{unit_id}/items?status=unpublished&late=late"),
    }))
}
