//! E-supervision (电子监察) dashboards: the district's view of every unit's open alerts (openness
//! office and administrators), each unit's own view, and the scan that raises alerts (run by the
//! server every `[power] scan_secs`, or on demand from the dashboard).

use super::{date_text, today};
use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::pages::render;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::{Action, allowed};
use gongkai_store::power::supervision::ScanSummary;
use serde::Deserialize;

/// Runs the alert scan for today (Beijing) over cases, decisions, disclosure applications,
/// messages and bad ratings;
/// used by the server's periodic task and the button.
pub async fn run_scan(
    store: &gongkai_store::Store,
    actor: &gongkai_store::Actor,
) -> Result<ScanSummary, gongkai_store::StoreError> {
    let today = date_text(today());
    let mut summary = store.power().scan_alerts(actor, &today).await?;
    // disclosure applications share the alerts, the dashboard and the reminders
    let (yellow, red) = store.applications().scan_alerts(actor, &today).await?;
    summary.yellow += yellow;
    summary.red += red;
    // and messages to the government, with the three-month single-veto alert
    let (yellow, red) = store.messages().scan_alerts(actor, &today).await?;
    summary.yellow += yellow;
    summary.red += red;
    // and bad ratings waiting for rectification
    let (yellow, red) = store.ratings().scan_alerts(actor, &today).await?;
    summary.yellow += yellow;
    summary.red += red;
    // and the openness office's notices waiting for rectification
    let (yellow, red) = store.oversight().scan_alerts(actor, &today).await?;
    summary.yellow += yellow;
    summary.red += red;
    Ok(summary)
}

/// `?unit=&red=&yellow=` of the dashboard.
#[derive(Deserialize, Default)]
pub struct DashQuery {
    unit: Option<i64>,
    red: Option<u64>,
    yellow: Option<u64>,
}

/// `GET /admin/supervision`: open alerts per unit (district roles) or of the viewer's unit.
pub async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<DashQuery>,
) -> Result<Response, AppError> {
    let staff = s.staff();
    let district = allowed(staff.role, staff.unit_id, Action::Supervise, staff.unit_id);
    let unit = match (district, q.unit) {
        (true, u) => u,
        (false, Some(u)) => {
            permit(staff, Action::ViewUnitDesk, u)?;
            Some(u)
        }
        (false, None) => Some(staff.unit_id),
    };
    let power = state.store.power();
    let alerts = power.open_alerts(unit, 200).await?;
    let units = state.store.list_units().await?;
    let name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let mut counts: Vec<(i64, String, i64, i64)> = Vec::new();
    if district {
        for (u, level, n) in power.alert_counts().await? {
            match counts.iter_mut().find(|c| c.0 == u) {
                Some(c) if level == "red" => c.2 += n,
                Some(c) => c.3 += n,
                None if level == "red" => counts.push((u, name(u), n, 0)),
                None => counts.push((u, name(u), 0, n)),
            }
        }
    }
    let rows: Vec<_> = alerts
        .iter()
        .map(|a| {
            minijinja::context! {
                unit => name(a.unit_id), level => &a.level, kind => match a.kind.as_str() {
                    "case_step" => "办理时限", "discretion" => "超出裁量基准", "publicity_late" => "双公示超期", "withdraw_late" => "撤下公示超期", "application_due" => "依申请公开答复期限",
                    "message_due" => "留言答复期限", "message_veto" => "留言超过3个月未答复（单项否决）",
                    "rating_due" => "差评整改回复期限", "notice_due" => "检查整改期限", _ => "",
                },
                detail => &a.detail, raised_at => &a.raised_at, case_id => a.case_id, application_id => a.application_id, message_id => a.message_id, rating_id => a.rating_id, notice_id => a.notice_id,
            }
        })
        .collect();
    let flash = q
        .red
        .zip(q.yellow)
        .map(|(r, y)| format!("扫描完成：新增红牌{r}个、黄牌{y}个"));
    let ctx = minijinja::context! {
        district,
        unit_name => unit.map(name),
        counts,
        alerts => rows,
        flash,
    };
    Ok(render(
        &state,
        &headers,
        "admin/supervision.html",
        "电子监察",
        ctx,
        Some(&s.session),
    ))
}

/// `POST /admin/supervision/scan`: runs the scan now (district roles).
pub async fn scan(
    State(state): State<AppState>,
    s: StaffSession,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::Supervise, s.staff().unit_id)?;
    let r = run_scan(&state.store, &s.actor()).await?;
    state.reminders.wake();
    Ok(Redirect::to(&format!(
        "/admin/supervision?red={}&yellow={}",
        r.red, r.yellow
    ))
    .into_response())
}

/// `?month=YYYY-MM` of the reform figures.
#[derive(Deserialize, Default)]
pub struct ReformQuery {
    month: Option<String>,
}

/// `GET /admin/supervision/reform?month=`: the §17 reform figures per unit for a month (every
/// unit with a power list for district roles, the viewer's own unit otherwise), and the year's
/// licence, penalty and enforcement counts for the annual report.
pub async fn reform(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<ReformQuery>,
) -> Result<Response, AppError> {
    use chrono::Datelike;
    let staff = s.staff();
    let district = allowed(staff.role, staff.unit_id, Action::Supervise, staff.unit_id);
    let today = today();
    let month = q.month.as_deref().map(str::trim).filter(|m| !m.is_empty());
    let first = match month {
        None => today.with_day(1).unwrap_or(today),
        Some(m) => chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .map_err(|_| AppError::BadRequest(format!("月份格式应为 YYYY-MM（现为“{m}”）")))?,
    };
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    let power = state.store.power();
    let cal = state.store.calendar().await?;
    let units = state.store.list_units().await?;
    let mut rows = Vec::new();
    for u in units.iter().filter(|u| district || u.id == staff.unit_id) {
        let items = power.published_contents(u.id).await?;
        let closed = power
            .closed_cases(u.id, &date_text(first), &date_text(last))
            .await?;
        if items.is_empty() && closed.is_empty() {
            continue;
        }
        let mut limits: std::collections::HashMap<(i64, i64), (u32, u32)> = Default::default();
        let mut cases = Vec::with_capacity(closed.len());
        for (item, version, opened, done, suspended) in closed {
            let key = (item, version);
            if let std::collections::hash_map::Entry::Vacant(e) = limits.entry(key) {
                let v = power.version(item, version).await?;
                e.insert((v.content.statutory_days, v.content.promised_days));
            }
            let (statutory_days, promised_days) = limits[&key];
            if let (Some(opened_on), Some(closed_on)) =
                (super::parse_date(&opened), super::parse_date(&done))
            {
                cases.push(gongkai_domain::power::reform::ClosedCase {
                    opened_on,
                    closed_on,
                    suspended_days: u32::try_from(suspended).unwrap_or(0),
                    statutory_days,
                    promised_days,
                });
            }
        }
        let f = gongkai_domain::power::reform::figures(&cal, &cases, &items)
            .map_err(|e| AppError::BadRequest(format!("无法计算：{e}")))?;
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        rows.push(minijinja::context! {
            unit => &u.name, closed => f.closed, on_time => f.on_time, on_time_rate => pct(f.on_time_rate),
            average_days => format!("{:.1}", f.average_days), average_statutory => format!("{:.1}", f.average_statutory),
            average_promised => format!("{:.1}", f.average_promised), compression => pct(f.compression),
            service_center => pct(f.service_center_share), visits => format!("{:.1}", f.average_visits), items => f.items,
        });
    }
    let year = first.year();
    let (licences, penalties, enforcement) = power
        .report_counts(&format!("{year}-01-01"), &format!("{year}-12-31"))
        .await?;
    let ctx = minijinja::context! {
        month => first.format("%Y-%m").to_string(),
        rows,
        year,
        licences, penalties, enforcement,
        district,
    };
    Ok(render(
        &state,
        &headers,
        "admin/reform.html",
        "改革成效",
        ctx,
        Some(&s.session),
    ))
}
