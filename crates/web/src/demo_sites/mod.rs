//! Demonstration sites (示范点, work plan §13): the office opens a batch with its criteria and
//! threshold; units apply (their leader) or the office nominates them; the office names or
//! turns down each candidate, publishes the batch's list (`/demo-sites`), and reviews named
//! sites dynamically — a site whose rectification score (`oversight`) falls below the batch's
//! threshold is flagged and may be revoked with a reason.

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::{day, render, ser, today};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::demo_site::{Decision, State as SiteState, check_reason, decide, flagged};
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/demo-sites", get(public_list))
        .route("/admin/demo-sites", get(batches).post(create))
        .route("/admin/demo-sites/{id}", get(batch))
        .route("/admin/demo-sites/{id}/candidates", post(propose))
        .route("/admin/demo-sites/{id}/publish", post(publish))
        .route("/admin/demo-site-entries/{id}/decision", post(decision))
}

fn column() -> minijinja::Value {
    minijinja::context! { name => "示范点", description => "政务公开示范点名单及创建标准", keywords => "政务公开示范点,示范点名单,创建标准", kind => "政务公开" }
}

/// `GET /demo-sites`: the published batches and their named sites.
pub async fn public_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let list: Vec<_> = state
        .store
        .demo_sites()
        .published()
        .await?
        .into_iter()
        .map(|(b, sites)| minijinja::context! { b => ser(&b), sites => ser(&sites) })
        .collect();
    let ctx = minijinja::context! { list, column => column() };
    Ok(render(
        &state,
        &headers,
        "demo_sites.html",
        "政务公开示范点",
        ctx,
        None,
    ))
}

/// A batch as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct BatchForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    criteria: String,
    #[serde(default)]
    threshold: String,
}

async fn batches_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    failed: Option<(String, BatchForm)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let manage = allowed(st.role, st.unit_id, Action::ManageDemoSites, st.unit_id);
    let list = state.store.demo_sites().batches().await?;
    let invalid = failed.is_some();
    let (error, f) = failed.unwrap_or_else(|| {
        (
            String::new(),
            BatchForm {
                year: today().year().to_string(),
                threshold: "90".into(),
                ..BatchForm::default()
            },
        )
    });
    let ctx = minijinja::context! {
        list => ser(&list), manage, f => ser(&f), error => (!error.is_empty()).then_some(error),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/demo_sites.html",
            "政务公开示范点",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/demo-sites`: the batches; the office's form for a new one.
pub async fn batches(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
) -> Result<Response, AppError> {
    batches_page(&state, &headers, &s, None).await
}

/// `POST /admin/demo-sites`: the office opens a batch with its criteria and threshold.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<BatchForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageDemoSites, st.unit_id)?;
    let year = f
        .year
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let threshold = f
        .threshold
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|t| (0..=100).contains(t));
    let problem = if year.is_none() {
        Some("年度应为4位数字的年份（如2026）")
    } else if f.name.trim().is_empty() || f.name.trim().chars().count() > 50 {
        Some("请填写批次名称（如“第二批”，不超过50字）")
    } else if f.criteria.trim().is_empty() {
        Some("请填写创建标准")
    } else if threshold.is_none() {
        Some("动态复核分数线应为0至100的整数")
    } else {
        None
    };
    // the batch's name and criteria are published with its list
    let problem = match problem {
        Some(p) => Some(p.to_string()),
        None => {
            crate::pages::scan_for_publication(
                &state,
                &[("批次名称", f.name.trim()), ("创建标准", f.criteria.trim())],
            )
            .await?
        }
    };
    let (Some(year), Some(threshold), None) = (year, threshold, problem.as_ref()) else {
        let e = problem.unwrap_or_else(|| "请检查填写的内容".into());
        return batches_page(&state, &headers, &s, Some((e, f))).await;
    };
    match state
        .store
        .demo_sites()
        .create_batch(
            &s.actor(),
            year,
            f.name.trim(),
            f.criteria.trim(),
            threshold,
        )
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/admin/demo-sites/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            batches_page(&state, &headers, &s, Some((e, f))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn batch_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let store = state.store.demo_sites();
    let b = store.batch(id).await?;
    let manage = allowed(st.role, st.unit_id, Action::ManageDemoSites, st.unit_id);
    let t = today();
    let scores =
        crate::oversight::rectification_scores(state, i64::from(t.year()), &day(t)).await?;
    let score_of = |unit: i64| {
        scores
            .iter()
            .find(|(u, _)| *u == unit)
            .map_or(100.0, |(_, s)| *s)
    };
    let sites: Vec<_> = store
        .sites(id)
        .await?
        .iter()
        .filter(|x| manage || allowed(st.role, st.unit_id, Action::ViewUnitDesk, x.unit_id))
        .map(|x| {
            let state = SiteState::from_code(&x.state).unwrap_or(SiteState::Candidate);
            let score = score_of(x.unit_id);
            minijinja::context! {
                x => ser(x), state => state.label(), score,
                flagged => state == SiteState::Named && flagged(score, b.threshold as f64),
                decisions => [Decision::Name, Decision::Reject, Decision::Revoke].iter()
                    .filter(|d| decide(state, **d).is_ok())
                    .map(|d| minijinja::context! { code => d.code(), label => match d { Decision::Name => "命名为示范点", Decision::Reject => "未通过", Decision::Revoke => "撤销" } })
                    .collect::<Vec<_>>(),
            }
        })
        .collect();
    let units: Vec<_> = if manage {
        state
            .store
            .list_units()
            .await?
            .iter()
            .map(|u| minijinja::context! { id => u.id, name => &u.name })
            .collect()
    } else {
        Vec::new()
    };
    let may_apply =
        b.published_at.is_none() && allowed(st.role, st.unit_id, Action::ApplyDemoSite, st.unit_id);
    let invalid = error.is_some();
    let ctx = minijinja::context! { b => ser(&b), sites, manage, units, may_apply, error };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/demo_site_batch.html",
            &format!("{}年{}示范点", b.year, b.name),
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/demo-sites/{id}`: a batch: criteria, candidates and sites with their scores
/// (flagged below the threshold), the forms to apply, nominate, decide and publish.
pub async fn batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    batch_page(&state, &headers, &s, id, None).await
}

/// An application or nomination.
#[derive(Deserialize, Default)]
pub struct ProposeForm {
    /// The unit nominated (the office); empty: the staff member's unit applies.
    #[serde(default)]
    unit: String,
    #[serde(default)]
    statement: String,
}

/// `POST /admin/demo-sites/{id}/candidates`: the unit's leader applies for its unit, or the
/// office nominates a unit (`unit`).
pub async fn propose(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ProposeForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let (unit_id, how) = match f.unit.trim() {
        "" => {
            permit(st, Action::ApplyDemoSite, st.unit_id)?;
            (st.unit_id, "applied")
        }
        u => {
            permit(st, Action::ManageDemoSites, st.unit_id)?;
            let Some(unit) = u.parse::<i64>().ok() else {
                return batch_page(&state, &headers, &s, id, Some("请选择推荐的单位".into())).await;
            };
            state.store.get_unit(unit).await?;
            (unit, "nominated")
        }
    };
    let statement = f.statement.trim();
    if statement.is_empty() || statement.chars().count() > 2000 {
        return batch_page(
            &state,
            &headers,
            &s,
            id,
            Some("请填写申报（推荐）理由（不超过2000字）".into()),
        )
        .await;
    }
    match state
        .store
        .demo_sites()
        .propose(&s.actor(), id, unit_id, how, statement)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/demo-sites/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            batch_page(&state, &headers, &s, id, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A decision.
#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    seen: String,
}

/// `POST /admin/demo-site-entries/{id}/decision`: the office names or turns down a
/// candidate, or revokes a named site with a reason.
pub async fn decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageDemoSites, st.unit_id)?;
    let site = state.store.demo_sites().site(id).await?;
    let seen = SiteState::from_code(&f.seen)
        .or_else(|| SiteState::from_code(&site.state))
        .unwrap_or(SiteState::Candidate);
    let result = Decision::from_code(&f.decision)
        .ok_or_else(|| "请选择评审结果".to_string())
        .and_then(|d| {
            check_reason(d, &f.reason)?;
            decide(seen, d)
        });
    let to = match result {
        Ok(to) => to,
        Err(e) => return batch_page(&state, &headers, &s, site.batch_id, Some(e)).await,
    };
    match state
        .store
        .demo_sites()
        .decide(&s.actor(), id, seen.code(), to.code(), f.reason.trim())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/demo-sites/{}", site.batch_id)).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            batch_page(&state, &headers, &s, site.batch_id, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/demo-sites/{id}/publish`: publishes the batch's named sites.
pub async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_f): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageDemoSites, st.unit_id)?;
    match state.store.demo_sites().publish(&s.actor(), id).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/demo-sites/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            batch_page(&state, &headers, &s, id, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
