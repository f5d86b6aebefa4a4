//! Website inspection in the back office (定期网查): the office's list of sites with their
//! schedule, inspections queued by hand or by the schedule (run by the `inspection` job
//! worker, `gongkai_work::inspecting`), each report with its verdict, findings and evidence,
//! compared with the site's previous inspection (new, fixed, remaining), and findings turned
//! into rectification notices (the five-step loop, `oversight`). A unit sees the reports of
//! its own sites.

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::{render, ser};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::inspection::compare;
use gongkai_domain::oversight::read_notice;
use gongkai_store::inspections::Finding;
use gongkai_store::oversight::NewNotice;
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/inspections", get(list))
        .route("/admin/inspections/sites", post(save_site))
        .route("/admin/inspection-sites/{id}/run", post(run))
        .route("/admin/inspections/{id}", get(report))
        .route("/admin/inspections/{id}/notices", post(notices))
}

/// `?before=` (keyset).
#[derive(Deserialize, Default)]
pub struct ListQuery {
    before: Option<i64>,
}

/// A site as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct SiteForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    own: String,
    #[serde(default)]
    every_days: String,
    #[serde(default)]
    next_on: String,
}

async fn list_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    before: Option<i64>,
    failed: Option<(String, SiteForm)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageOversight, st.unit_id)?;
    let units = state.store.list_units().await?;
    let sites = state.store.inspections().sites().await?;
    let list = state.store.inspections().list(None, before, 50).await?;
    let next = (list.len() == 50)
        .then(|| list.last().map(|i| i.id))
        .flatten();
    let name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(String::new, |u| u.name.clone())
    };
    let invalid = failed.is_some();
    let (error, f) = match failed {
        Some((e, f)) => (Some(e), f),
        None => (
            None,
            SiteForm {
                every_days: "30".into(),
                ..SiteForm::default()
            },
        ),
    };
    let ctx = minijinja::context! {
        sites => sites.iter().map(|x| minijinja::context! { s => ser(x), unit => name(x.unit_id) }).collect::<Vec<_>>(),
        list => list.iter().map(|i| minijinja::context! { i => ser(i), unit => name(i.unit_id), score => i.score.map(tenths) }).collect::<Vec<_>>(),
        next, error, f => ser(&f),
        units => units.iter().map(|u| minijinja::context! { code => &u.code, name => &u.name }).collect::<Vec<_>>(),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/inspections.html",
            "网站检查",
            ctx,
            Some(&s.session),
        ),
    ))
}

fn tenths(t: i64) -> String {
    format!("{}.{}", t / 10, t.rem_euclid(10))
}

/// `GET /admin/inspections`: the sites on the list and the inspections, newest first.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &headers, &s, q.before, None).await
}

/// A site's form, checked: (unit id, name, url, own, every days, first day).
type SiteFields = (i64, String, String, bool, i64, Option<String>);

/// Checks a site's form.
fn read_site(f: &SiteForm, units: &[gongkai_store::org::Unit]) -> Result<SiteFields, String> {
    let unit = units
        .iter()
        .find(|u| u.code == f.unit.trim())
        .ok_or("请选择网站的主办单位")?;
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("请填写网站名称（不超过100字）".into());
    }
    let url = url::Url::parse(f.url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or("网址无效：应为 http:// 或 https:// 开头的网址")?;
    let own = f.own == "1";
    // only this portal may be at an internal address: the server never crawls another
    // internal host on the office's say-so
    if !own {
        let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
        let port = url.port_or_known_default().unwrap_or(80);
        let internal = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
            .map(|a| a.map(|a| a.ip()).any(gongkai_domain::net::is_internal))
            .unwrap_or(false);
        if internal {
            return Err(
                "该网址指向内部地址（本机、内网或链路本地），只有本平台自己的门户可以这样检查"
                    .into(),
            );
        }
    }
    let every = f
        .every_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=366).contains(d))
        .ok_or("检查周期应为1至366天")?;
    let next = match f.next_on.trim() {
        "" => None,
        d => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| "首次检查日期应为 YYYY-MM-DD，或留空（只手动检查）")?
                .format("%Y-%m-%d")
                .to_string(),
        ),
    };
    Ok((unit.id, name.into(), url.to_string(), own, every, next))
}

/// `POST /admin/inspections/sites`: the office puts a site on the list (or changes it).
pub async fn save_site(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<SiteForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageOversight, st.unit_id)?;
    let units = state.store.list_units().await?;
    let (unit, name, url, own, every, next) = match read_site(&f, &units) {
        Ok(v) => v,
        Err(e) => return list_page(&state, &headers, &s, None, Some((e, f))).await,
    };
    state
        .store
        .inspections()
        .save_site(
            &s.actor(),
            &gongkai_store::inspections::NewSite {
                unit_id: unit,
                name: &name,
                url: &url,
                own,
                every_days: every,
                next_on: next.as_deref(),
            },
        )
        .await?;
    Ok(Redirect::to("/admin/inspections").into_response())
}

/// `POST /admin/inspection-sites/{id}/run`: queue an inspection of the site now.
pub async fn run(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_f): CsrfForm<ListQuery>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageOversight, st.unit_id)?;
    match state.store.inspections().request(&s.actor(), id).await {
        Ok(i) => {
            state.inspector.wake();
            Ok(Redirect::to(&format!("/admin/inspections/{i}")).into_response())
        }
        Err(gongkai_store::StoreError::Conflict(e)) => {
            list_page(&state, &headers, &s, None, Some((e, SiteForm::default()))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `?with=` another inspection of the same site to compare with (default: the previous one).
#[derive(Deserialize, Default)]
pub struct ReportQuery {
    with: Option<i64>,
}

fn finding_row(f: &Finding) -> minijinja::Value {
    minijinja::context! {
        f => ser(f), veto => f.kind == "veto", points => tenths(f.points),
    }
}

async fn report_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    with: Option<i64>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let i = state.store.inspections().get(id).await?;
    permit(st, Action::ViewUnitDesk, i.unit_id)?;
    let unit = state.store.get_unit(i.unit_id).await?;
    let site = state.store.inspections().site(i.site_id).await?;
    let findings = state.store.inspections().findings(id).await?;
    let other = match with {
        Some(w) => Some(state.store.inspections().get(w).await?)
            .filter(|o| o.site_id == i.site_id && o.state == "done" && o.id != id),
        None => match state.store.inspections().previous(i.site_id, id).await? {
            Some(p) => Some(state.store.inspections().get(p).await?),
            None => None,
        },
    };
    let comparison = match &other {
        Some(o) if i.state == "done" => {
            let before = state.store.inspections().findings(o.id).await?;
            // the earlier one first, whichever was asked for
            let (a, b) = if o.id < id {
                (&before, &findings)
            } else {
                (&findings, &before)
            };
            let c = compare(a, b, |f| (f.item.clone(), f.evidence.clone()));
            Some(minijinja::context! {
                other => ser(o), later => o.id > id,
                new => c.new.iter().map(finding_row).collect::<Vec<_>>(),
                fixed => c.fixed.iter().map(finding_row).collect::<Vec<_>>(),
                remaining => c.remaining.len(),
            })
        }
        _ => None,
    };
    let report: serde_json::Value = serde_json::from_str(&i.report).unwrap_or_default();
    let manage = allowed(st.role, st.unit_id, Action::ManageOversight, i.unit_id);
    let invalid = error.is_some();
    let ctx = minijinja::context! {
        i => ser(&i), unit => &unit.name, target => ser(&site), score => i.score.map(tenths),
        findings => findings.iter().map(finding_row).collect::<Vec<_>>(),
        broken => ser(&report["broken_links"]), skipped => ser(&report["skipped"]),
        comparison, manage, error,
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/inspection.html",
            &format!("网站检查报告：{}", site.name),
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/inspections/{id}`: an inspection's report, findings and comparison.
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    report_page(&state, &headers, &s, id, q.with, None).await
}

/// `POST /admin/inspections/{id}/notices`: the office turns chosen findings into notices to
/// the site's unit (one each), with a requirement and a deadline in working days. Everything
/// is checked before the first notice is written.
pub async fn notices(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let i = state.store.inspections().get(id).await?;
    permit(st, Action::ManageOversight, i.unit_id)?;
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let chosen: Vec<i64> = pairs
        .iter()
        .filter(|(n, _)| n == "finding")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let findings = state.store.inspections().findings(id).await?;
    let picked: Vec<&Finding> = findings
        .iter()
        .filter(|f| chosen.contains(&f.position))
        .collect();
    let requirement = field("requirement");
    let problem = if picked.is_empty() {
        Some("请选择要下发整改通知的问题".to_string())
    } else if let Some(f) = picked.iter().find(|f| f.notice_id.is_some()) {
        Some(format!("“{}”已下发整改通知", f.item))
    } else {
        picked
            .iter()
            .find_map(|f| read_notice(&f.item, &f.evidence, requirement, field("workdays")).err())
    };
    if let Some(p) = problem {
        return report_page(&state, &headers, &s, id, None, Some(p)).await;
    }
    let (issued, due, soon, red) = {
        let workdays = field("workdays").trim().parse().unwrap_or(10);
        crate::oversight::deadline(&state, workdays).await?
    };
    for f in picked {
        let evidence = format!(
            "{}（网站检查第{}次，{}，{}）",
            f.evidence,
            id,
            i.url,
            i.day.clone().unwrap_or_default()
        );
        let input = read_notice(&f.item, &evidence, requirement, field("workdays"))
            .map_err(AppError::BadRequest)?;
        let r = state
            .store
            .oversight()
            .notify_finding(
                &s.actor(),
                &NewNotice {
                    unit_id: i.unit_id,
                    source: "inspection",
                    input: &input,
                    issued_on: &issued,
                    due_on: &due,
                    watch: (&soon, &red),
                },
                id,
                f.position,
            )
            .await;
        match r {
            Ok(_) => {}
            Err(gongkai_store::StoreError::Conflict(e)) => {
                return report_page(&state, &headers, &s, id, None, Some(e)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Redirect::to(&format!("/admin/inspections/{id}")).into_response())
}
