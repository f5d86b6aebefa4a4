//! The openness office's five-step loop (检查、告知、整改、反馈、考评): the ledger (台账) with
//! filters and its XLSX export, the units' rectification scores, notices by hand, and each
//! notice's page where the unit files its rectification and the office accepts it or sends it
//! back. The rules are `domain::oversight`; open notices are on the e-supervision watch list.

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::{CsrfForm, Upload};
use crate::pages::{day, render, ser, today};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::oversight::{
    State as NoticeState, Step, Weights, deduction, read_notice, score, take_step,
};
use gongkai_store::oversight::{LedgerFilter, NewNotice, Notice, NoticeStep};
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes(limits: &crate::BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/admin/oversight", get(ledger))
        .route("/admin/oversight.xlsx", get(export))
        .route("/admin/oversight/notices", post(notify))
        .route("/admin/notices/{id}", get(notice))
        .route("/admin/notices/{id}/step", post(step))
        .route(
            "/admin/notices/{id}/files",
            post(upload).layer(limits.upload()),
        )
        .route("/admin/notice-files/{id}", get(download))
}

/// Filters of the ledger (`?unit=&state=&year=&before=`).
#[derive(Deserialize, Default, Clone)]
pub struct LedgerQuery {
    unit: Option<String>,
    state: Option<String>,
    year: Option<i64>,
    before: Option<i64>,
}

impl LedgerQuery {
    fn filter(&self, units: &[gongkai_store::org::Unit]) -> LedgerFilter {
        LedgerFilter {
            unit_id: self
                .unit
                .as_deref()
                .and_then(|c| units.iter().find(|u| u.code == c))
                .map(|u| u.id),
            state: self
                .state
                .as_deref()
                .and_then(NoticeState::from_code)
                .map(|s| s.code().to_string()),
            year: self.year,
            before: self.before,
        }
    }
}

fn row(n: &Notice, units: &[gongkai_store::org::Unit], t: &str) -> minijinja::Value {
    let state = NoticeState::from_code(&n.state).unwrap_or(NoticeState::Notified);
    minijinja::context! {
        n => ser(n), state => state.label(),
        unit => units.iter().find(|u| u.id == n.unit_id).map(|u| u.name.clone()),
        overdue => state != NoticeState::Accepted && t > n.due_on.as_str(),
    }
}

/// Every unit's rectification score of a year on day `t` (units without notices have 100 and
/// are left out): (unit id, score). Used by the evaluation and the demonstration sites' review.
pub(crate) async fn rectification_scores(
    state: &AppState,
    year: i64,
    t: &str,
) -> Result<Vec<(i64, f64)>, AppError> {
    Ok(rectification(&state.store, &state.config.oversight.weights(), year, t).await?)
}

/// [`rectification_scores`] from the store and the deductions.
pub(crate) async fn rectification(
    store: &gongkai_store::Store,
    w: &Weights,
    year: i64,
    t: &str,
) -> Result<Vec<(i64, f64)>, gongkai_store::StoreError> {
    let outcomes = store.oversight().year_outcomes(year).await?;
    let mut out: Vec<(i64, Vec<f64>)> = Vec::new();
    for o in &outcomes {
        let lost = lost(o, t, w);
        match out.iter_mut().find(|(u, _)| *u == o.0) {
            Some((_, v)) => v.push(lost),
            None => out.push((o.0, vec![lost])),
        }
    }
    Ok(out.into_iter().map(|(u, v)| (u, score(v))).collect())
}

/// What one notice of the year (unit, state, due, filed) costs its unit on day `t`.
fn lost(o: &(i64, String, String, Option<String>), t: &str, w: &Weights) -> f64 {
    deduction(
        NoticeState::from_code(&o.1).unwrap_or(NoticeState::Notified),
        &o.2,
        o.3.as_deref(),
        t,
        w,
    )
}

/// The units' rectification scores of a year: (unit name, notices, open, overdue, lost, score).
async fn scores(
    state: &AppState,
    year: i64,
    units: &[gongkai_store::org::Unit],
    t: &str,
) -> Result<Vec<minijinja::Value>, AppError> {
    let w = state.config.oversight.weights();
    let outcomes = state.store.oversight().year_outcomes(year).await?;
    let mut out = Vec::new();
    for u in units {
        let mine: Vec<_> = outcomes.iter().filter(|o| o.0 == u.id).collect();
        if mine.is_empty() {
            continue;
        }
        let lost: Vec<f64> = mine.iter().map(|o| lost(o, t, &w)).collect();
        out.push(minijinja::context! {
            unit => &u.name, code => &u.code, notices => mine.len(),
            open => mine.iter().filter(|o| o.1 != "accepted").count(),
            overdue => mine.iter().filter(|o| o.1 != "accepted" && t > o.2.as_str()).count(),
            lost => points(lost.iter().sum::<f64>()), score => points(score(lost)),
        });
    }
    Ok(out)
}

async fn ledger_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    q: &LedgerQuery,
    failed: Option<(String, NoticeForm)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let units = state.store.list_units().await?;
    let t = day(today());
    let year = q.year.unwrap_or_else(|| i64::from(today().year()));
    let mut f = q.filter(&units);
    let district = allowed(st.role, st.unit_id, Action::ManageOversight, st.unit_id);
    if !district {
        // a unit sees its own notices only
        f.unit_id = Some(st.unit_id);
    }
    let list = state.store.oversight().ledger(&f, 50).await?;
    let next = (list.len() == 50)
        .then(|| list.last().map(|n| n.id))
        .flatten();
    let rows: Vec<_> = list.iter().map(|n| row(n, &units, &t)).collect();
    let scores: Vec<_> = scores(state, year, &units, &t)
        .await?
        .into_iter()
        .filter(|v| {
            district
                || v.get_attr("code").is_ok_and(|c| {
                    units
                        .iter()
                        .any(|u| u.id == st.unit_id && Some(u.code.as_str()) == c.as_str())
                })
        })
        .collect();
    let (error, form) = match failed {
        Some((e, f)) => (Some(e), f),
        None => (
            None,
            NoticeForm {
                workdays: "10".into(),
                ..NoticeForm::default()
            },
        ),
    };
    let invalid = error.is_some();
    let ctx = minijinja::context! {
        rows, scores, year, next, district, error, f => ser(&form),
        w => ser(&state.config.oversight.weights()),
        q => minijinja::context! { unit => &q.unit, state => &q.state, year => q.year },
        units => units.iter().map(|u| minijinja::context! { id => u.id, code => &u.code, name => &u.name }).collect::<Vec<_>>(),
        states => [NoticeState::Notified, NoticeState::Rectified, NoticeState::Accepted].iter().map(|s| minijinja::context! { code => s.code(), label => s.label() }).collect::<Vec<_>>(),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/oversight.html",
            "整改台账",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/oversight`: the ledger of notices (a unit: its own), the units' rectification
/// scores for the year, and the office's form for a notice by hand.
pub async fn ledger(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, AppError> {
    ledger_page(&state, &headers, &s, &q, None).await
}

/// `GET /admin/oversight.xlsx`: the ledger as filtered, every page, as a spreadsheet.
pub async fn export(
    State(state): State<AppState>,
    s: StaffSession,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let units = state.store.list_units().await?;
    let mut f = q.filter(&units);
    if !allowed(st.role, st.unit_id, Action::ManageOversight, st.unit_id) {
        f.unit_id = Some(st.unit_id);
    }
    let mut rows = Vec::new();
    loop {
        let page = state.store.oversight().ledger(&f, 1000).await?;
        let last = page.last().map(|n| n.id);
        for n in &page {
            rows.push(vec![
                n.notice_no.clone(),
                units
                    .iter()
                    .find(|u| u.id == n.unit_id)
                    .map_or_else(String::new, |u| u.name.clone()),
                n.finding.clone(),
                n.requirement.clone(),
                n.issued_on.clone(),
                n.due_on.clone(),
                NoticeState::from_code(&n.state)
                    .map_or("", NoticeState::label)
                    .to_string(),
                n.rectification.clone(),
                n.rectified_on.clone().unwrap_or_default(),
                n.closed_on.clone().unwrap_or_default(),
            ]);
        }
        if page.len() < 1000 {
            break;
        }
        f.before = last;
    }
    let bytes = gongkai_extract::sheet::write_table(&gongkai_extract::sheet::Table {
        sheet: "整改台账",
        title: "政务公开检查整改台账",
        header: &[
            "通知编号",
            "单位",
            "发现的问题",
            "整改要求",
            "下发日期",
            "整改期限",
            "状态",
            "整改情况",
            "反馈日期",
            "通过日期",
        ],
        sub_header: None,
        widths: &[16.0, 24.0, 40.0, 40.0, 12.0, 12.0, 14.0, 40.0, 12.0, 12.0],
        rows: &rows,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::pages::xlsx_download(
        "oversight-ledger.xlsx",
        Some("整改台账.xlsx"),
        bytes,
    ))
}

/// A notice as the office's form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct NoticeForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    requirement: String,
    #[serde(default)]
    workdays: String,
}

/// `POST /admin/oversight/notices`: the office notifies a unit of a problem, with a deadline
/// in working days from today.
pub async fn notify(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    CsrfForm(f): CsrfForm<NoticeForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManageOversight, st.unit_id)?;
    let units = state.store.list_units().await?;
    let unit = units.iter().find(|u| u.code == f.unit.trim());
    let input = read_notice(&f.finding, &f.evidence, &f.requirement, &f.workdays);
    let (Some(unit), Ok(input)) = (unit, input.clone()) else {
        let e = if unit.is_none() {
            "请选择被通知的单位".to_string()
        } else {
            input.err().unwrap_or_default()
        };
        return ledger_page(&state, &headers, &s, &LedgerQuery::default(), Some((e, f))).await;
    };
    let (issued, due, soon, red) = deadline(&state, input.workdays).await?;
    let n = state
        .store
        .oversight()
        .notify(
            &s.actor(),
            &NewNotice {
                unit_id: unit.id,
                source: "manual",
                input: &input,
                issued_on: &issued,
                due_on: &due,
                watch: (&soon, &red),
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/notices/{}", n.id)).into_response())
}

/// A notice's days from today: (issued, due after `workdays` working days, due soon, red).
pub(crate) async fn deadline(
    state: &AppState,
    workdays: u32,
) -> Result<(String, String, String, String), AppError> {
    let cal = state.store.calendar().await?;
    let issued = today();
    let due = cal
        .add_workdays(issued, workdays, gongkai_domain::calendar::Coverage::Strict)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (soon, red) = gongkai_domain::application::handling::watch_days(
        &cal,
        due,
        state.config.oversight.due_soon_workdays,
        issued,
    )
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok((day(issued), day(due), day(soon), day(red)))
}

async fn notice_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    error: Option<(String, String)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let n = state.store.oversight().get(id).await?;
    permit(st, Action::ViewUnitDesk, n.unit_id)?;
    let unit = state.store.get_unit(n.unit_id).await?;
    let ns = NoticeState::from_code(&n.state).unwrap_or(NoticeState::Notified);
    let t = day(today());
    let steps: Vec<_> = [Step::Rectify, Step::Accept, Step::Return]
        .into_iter()
        .filter(|step| take_step(ns, *step).is_ok())
        .filter(|step| {
            let action = if step.by_office() {
                Action::ManageOversight
            } else {
                Action::RectifyNotices
            };
            allowed(st.role, st.unit_id, action, n.unit_id)
        })
        .map(|step| minijinja::context! { code => step.code(), label => step.label() })
        .collect();
    let invalid = error.is_some();
    let (error, note) = error.map_or((None, String::new()), |(e, n)| (Some(e), n));
    let can_file = ns != NoticeState::Accepted
        && allowed(st.role, st.unit_id, Action::RectifyNotices, n.unit_id);
    let files = state.store.oversight().files(id).await?;
    let ctx = minijinja::context! {
        n => ser(&n), unit => &unit.name, state => ns.label(), steps, error, note,
        files => ser(&files), can_file,
        events => ser(&state.store.oversight().events(id).await?),
        overdue => ns != NoticeState::Accepted && t > n.due_on,
        lost => points(deduction(ns, &n.due_on, n.rectified_on.as_deref(), &t, &state.config.oversight.weights())),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/notice.html",
            &format!("整改通知 {}", n.notice_no),
            ctx,
            Some(&s.session),
        ),
    ))
}

/// Points as people write them: "100", "98.5".
fn points(p: f64) -> String {
    let s = format!("{p:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

/// `GET /admin/notices/{id}`: a notice, its steps, and the step form for whoever may take one.
pub async fn notice(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    notice_page(&state, &headers, &s, id, None).await
}

/// A step as the form sends it.
#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    seen: String,
}

/// `POST /admin/notices/{id}/step`: the unit files its rectification; the office accepts it
/// or sends it back. Guarded by the state the form showed (`seen`).
pub async fn step(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let n = state.store.oversight().get(id).await?;
    let Some(step) = Step::from_code(&f.step) else {
        permit(st, Action::ViewUnitDesk, n.unit_id)?;
        return notice_page(
            &state,
            &headers,
            &s,
            id,
            Some(("请选择操作".into(), f.note)),
        )
        .await;
    };
    permit(
        st,
        if step.by_office() {
            Action::ManageOversight
        } else {
            Action::RectifyNotices
        },
        n.unit_id,
    )?;
    let seen = NoticeState::from_code(&f.seen)
        .or_else(|| NoticeState::from_code(&n.state))
        .unwrap_or(NoticeState::Notified);
    let to = match take_step(seen, step) {
        Ok(to) => to,
        Err(e) => {
            return notice_page(&state, &headers, &s, id, Some((e.to_string(), f.note))).await;
        }
    };
    let note = f.note.trim();
    let problem = if note.is_empty() || note.chars().count() > 2000 {
        Some(
            match step {
                Step::Rectify => "请填写整改情况（不超过2000字）",
                Step::Return => "请说明退回的原因（不超过2000字）",
                Step::Accept => "请填写审核意见（不超过2000字）",
            }
            .to_string(),
        )
    } else if step == Step::Rectify {
        crate::pages::scan_for_publication(&state, &[("整改情况", note)]).await?
    } else {
        None
    };
    if let Some(p) = problem {
        return notice_page(&state, &headers, &s, id, Some((p, f.note))).await;
    }
    let t = today();
    let watch = if step == Step::Return {
        let cal = state.store.calendar().await?;
        let due = crate::pages::parse_day(&n.due_on).unwrap_or(t);
        let (soon, red) = gongkai_domain::application::handling::watch_days(
            &cal,
            due,
            state.config.oversight.due_soon_workdays,
            t.min(due),
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        Some((day(soon.max(t)), day(red)))
    } else {
        None
    };
    let result = state
        .store
        .oversight()
        .take_step(
            &s.actor(),
            id,
            &NoticeStep {
                from: seen.code(),
                to: to.code(),
                step: step.code(),
                note,
                today: &day(t),
                watch: watch.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            },
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/notices/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            notice_page(&state, &headers, &s, id, Some((e, f.note))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/notices/{id}/files`: the unit files an evidence file (a screenshot, a document)
/// with its rectification, until the notice is accepted.
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    up: Upload,
) -> Result<Response, AppError> {
    let n = state.store.oversight().get(id).await?;
    permit(s.staff(), Action::RectifyNotices, n.unit_id)?;
    let Some(file) = up.file("file") else {
        return notice_page(
            &state,
            &headers,
            &s,
            id,
            Some(("请选择要上传的整改材料".into(), String::new())),
        )
        .await;
    };
    let kept = match crate::forms::keep_file(&state, file, "整改材料").await? {
        Ok(k) => k,
        Err(e) => return notice_page(&state, &headers, &s, id, Some((e, String::new()))).await,
    };
    match state
        .store
        .oversight()
        .add_file(
            &s.actor(),
            id,
            &kept.name,
            kept.content_type,
            kept.size,
            &kept.sha256,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/notices/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            notice_page(&state, &headers, &s, id, Some((e, String::new()))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/notice-files/{id}`: an evidence file, for the notice's unit and the office.
pub async fn download(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let f = state.store.oversight().file(id).await?;
    let n = state.store.oversight().get(f.notice_id).await?;
    permit(s.staff(), Action::ViewUnitDesk, n.unit_id)?;
    crate::pages::send_stored_file(
        &state,
        &headers,
        &f.sha256,
        &f.content_type,
        &f.filename,
        "private, no-store",
    )
    .await
}
