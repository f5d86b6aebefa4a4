//! The year's work plan as tasks (work plan §2, §12): the openness office uploads the plan
//! (plain text, DOCX or PDF, Simplified or Traditional), sees each point with the units its
//! responsibility clause resolved to and every phrase it could not resolve, picks the units
//! for "相关" phrases and points without a clause, and confirms: the points become tasks.
//! Responsible units report progress; the office marks tasks done; `/plans` shows the year's
//! progress to the public. The reading itself is [`read`] (shared with `gongkai plan import`).

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::{CsrfForm, Upload};
use crate::pages::{render, ser, today};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::plan::{Plan, PlanError, ResolvedPoint, parse, resolve_point};
use gongkai_store::Store;
use gongkai_store::plans::{NewPlan, NewTask, PlanRow};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The module's pages.
pub fn routes(limits: &crate::BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/plans", get(progress))
        .route(
            "/admin/plans",
            get(office).post(upload).layer(limits.upload()),
        )
        .route("/admin/plans/{id}", get(review))
        .route("/admin/plans/{id}/confirm", post(confirm))
        .route("/admin/plans/{id}/withdraw", post(withdraw))
        .route("/admin/plan-tasks/{id}", get(task))
        .route("/admin/plan-tasks/{id}/reports", post(report))
        .route("/admin/plan-tasks/{id}/done", post(done))
        .route(
            "/admin/plan-tasks/{id}/files",
            post(upload_file).layer(limits.upload()),
        )
        .route("/admin/plan-task-files/{id}", get(download_file))
        .route("/admin/units/{id}/aliases", post(aliases))
}

/// Traditional → Simplified (the converter loaded once per process).
pub fn simplified(text: &str) -> Result<String, AppError> {
    static N: OnceLock<Option<gongkai_search::Normalizer>> = OnceLock::new();
    N.get_or_init(|| gongkai_search::Normalizer::new().ok())
        .as_ref()
        .map(|n| n.simplified(text))
        .ok_or_else(|| AppError::Internal("繁简转换词典加载失败".into()))
}

/// A plan read and resolved, before it is stored.
#[derive(Debug, Clone, Serialize)]
pub struct Reading {
    /// The plan as read.
    pub plan: Plan,
    /// Each point's units and what the office must settle.
    pub points: Vec<ResolvedPoint>,
}

impl Reading {
    /// What the store keeps of it: a draft plan for `year`.
    pub fn to_new(&self, year: i64, source_name: &str) -> NewPlan {
        NewPlan {
            year,
            title: self.plan.title.clone(),
            preamble: self.plan.preamble.clone(),
            source_name: source_name.to_string(),
            ignored: self.plan.ignored.join("\n"),
            tasks: self
                .plan
                .points
                .iter()
                .zip(&self.points)
                .map(|(p, r)| NewTask {
                    number: i64::from(p.number),
                    heading: p.heading.clone(),
                    body: p.body.clone(),
                    responsibility: p.responsibility.clone(),
                    units: r.units.iter().map(|u| (u.id, u.phrase.clone())).collect(),
                    unresolved: r.problems.join("\n"),
                })
                .collect(),
        }
    }
}

/// Reads a plan's text (any characters: Traditional ones are folded) and resolves its points
/// against the unit tree.
pub async fn read(store: &Store, text: &str) -> Result<Result<Reading, PlanError>, AppError> {
    let text = simplified(text)?;
    let plan = match parse(&text) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let tree = store.plans().tree().await?;
    let points = plan
        .points
        .iter()
        .map(|p| resolve_point(p, &tree))
        .collect();
    Ok(Ok(Reading { plan, points }))
}

fn column() -> minijinja::Value {
    minijinja::context! { name => "工作要点", description => "年度政务公开工作要点及落实进展", keywords => "政务公开工作要点,工作计划,任务分解,落实进展", kind => "政务公开" }
}

/// `?year=`.
#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i64>,
}

async fn plan_ctx(state: &AppState, plan: &PlanRow) -> Result<minijinja::Value, AppError> {
    let store = state.store.plans();
    let units = store.task_units(plan.id).await?;
    let rows = store.tasks(plan.id).await?;
    let done = rows.iter().filter(|t| t.state == "done").count();
    let tasks: Vec<_> = rows
        .iter()
        .map(|t| {
            let mine: Vec<_> = units
                .iter()
                .filter(|u| u.task_id == t.id)
                .map(|u| minijinja::context! { id => u.unit_id, name => &u.unit_name, phrase => &u.phrase })
                .collect();
            minijinja::context! {
                t => ser(t), units => mine,
                unresolved => t.unresolved.lines().map(str::to_string).collect::<Vec<_>>(),
            }
        })
        .collect();
    Ok(minijinja::context! {
        plan => ser(plan), tasks, done,
        ignored => plan.ignored.lines().map(str::to_string).collect::<Vec<_>>(),
    })
}

/// `GET /plans`: the year's work plan and the progress of each task (public).
pub async fn progress(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let store = state.store.plans();
    let years = store.years().await?;
    let this_year = i64::from(today().year());
    let year = q
        .year
        .or_else(|| years.contains(&this_year).then_some(this_year))
        .or_else(|| years.first().copied())
        .unwrap_or(this_year);
    let plan = store.confirmed(year).await?;
    let v = match &plan {
        Some(p) => Some(plan_ctx(&state, p).await?),
        None => None,
    };
    let ctx = minijinja::context! { year, years, v, column => column() };
    Ok(render(
        &state,
        &headers,
        "plans/progress.html",
        &format!("{year}年政务公开工作要点落实情况"),
        ctx,
        None,
    ))
}

async fn office_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    failed: Option<(String, String, Option<Reading>)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let manage = allowed(st.role, st.unit_id, Action::ManagePlans, st.unit_id);
    let plans = if manage {
        state.store.plans().list().await?
    } else {
        Vec::new()
    };
    let mine = state.store.plans().unit_tasks(st.unit_id).await?;
    let (error, year, reading) = match failed {
        Some((e, y, r)) => (Some(e), y, r),
        None => (None, today().year().to_string(), None),
    };
    let invalid = error.is_some();
    let ctx = minijinja::context! {
        manage, plans => ser(&plans), mine => ser(&mine), error, year, reading => reading.as_ref().map(ser),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/plans.html",
            "工作计划",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/plans`: the office's plans and the upload form; a unit's own tasks.
pub async fn office(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
) -> Result<Response, AppError> {
    office_page(&state, &headers, &s, None).await
}

/// `POST /admin/plans`: reads an uploaded plan into a draft for review. A file that is not a
/// plan is refused with what is wrong, and nothing is stored.
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    up: Upload,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManagePlans, st.unit_id)?;
    let year_text = up.text("year").trim().to_string();
    let fail = |e: String| office_page(&state, &headers, &s, Some((e, year_text.clone(), None)));
    let Some(year) = year_text
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        return fail("计划年度应为4位数字的年份（如2026）".into()).await;
    };
    let Some(file) = up.files.iter().find(|f| !f.bytes.is_empty()) else {
        return fail("请选择计划文件（纯文本、DOCX 或 PDF），文件不能为空".into()).await;
    };
    let (sandbox, limits, bytes) = (
        state.config.sandbox.clone(),
        state.config.extract_limits,
        file.bytes.to_vec(),
    );
    let text = match state
        .cpu
        .run(move || sandbox.extract(&bytes, &limits))
        .await?
    {
        Ok(t) => t,
        Err(e) => return fail(format!("无法读取文件：{e}")).await,
    };
    let reading = match read(&state.store, &text).await? {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()).await,
    };
    let name = if file.file_name.is_empty() {
        "计划文件".to_string()
    } else {
        file.file_name.clone()
    };
    let plan = state
        .store
        .plans()
        .create(&s.actor(), &reading.to_new(year, &name))
        .await?;
    Ok(Redirect::to(&format!("/admin/plans/{}", plan.id)).into_response())
}

async fn review_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    error: Option<String>,
    picked: &[String],
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManagePlans, st.unit_id)?;
    let plan = state.store.plans().get(id).await?;
    let units: Vec<_> = state
        .store
        .list_units()
        .await?
        .iter()
        // the plan's work falls to departments, towns and streets
        .filter(|u| {
            matches!(
                u.unit_type,
                gongkai_domain::org::UnitType::Department
                    | gongkai_domain::org::UnitType::Town
                    | gongkai_domain::org::UnitType::Street
            )
        })
        .map(|u| minijinja::context! { id => u.id, name => &u.name })
        .collect();
    let invalid = error.is_some();
    let ctx = minijinja::context! { v => plan_ctx(state, &plan).await?, units, error, picked => picked.to_vec() };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/plan.html",
            &plan.title,
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/plans/{id}`: a draft to review (each point's units and problems, the picks),
/// or a confirmed plan's tasks.
pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    review_page(&state, &headers, &s, id, None, &[]).await
}

/// `POST /admin/plans/{id}/confirm`: adds the office's picks (`pick` fields, each "task
/// id:unit id") and confirms the plan; refused, with the points named, while a task has no
/// unit.
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManagePlans, st.unit_id)?;
    let mut picks = Vec::new();
    for (_, p) in pairs.iter().filter(|(k, _)| k == "pick") {
        let parsed = p
            .split_once(':')
            .and_then(|(t, u)| Some((t.parse::<i64>().ok()?, u.parse::<i64>().ok()?)));
        match parsed {
            Some(pick) => picks.push(pick),
            None => {
                return review_page(&state, &headers, &s, id, Some("所选单位无效".into()), &[])
                    .await;
            }
        }
    }
    // confirming publishes the plan's title and task headings on /plans
    let plan = state.store.plans().get(id).await?;
    let tasks = state.store.plans().tasks(id).await?;
    let mut texts = vec![("计划标题".to_string(), plan.title.clone())];
    texts.extend(
        tasks
            .iter()
            .map(|t| (format!("第{}项标题", t.number), t.heading.clone())),
    );
    let texts: Vec<(&str, &str)> = texts
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    if let Some(found) = crate::pages::scan_for_publication(&state, &texts).await? {
        return review_page(&state, &headers, &s, id, Some(found), &[]).await;
    }
    match state.store.plans().confirm(&s.actor(), id, &picks).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/plans/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            let picked: Vec<String> = pairs
                .iter()
                .filter(|(k, _)| k == "pick")
                .map(|(_, v)| v.clone())
                .collect();
            review_page(&state, &headers, &s, id, Some(e), &picked).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A reason.
#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/plans/{id}/withdraw`: withdraws a plan with a reason (kept).
pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManagePlans, st.unit_id)?;
    if f.reason.trim().is_empty() {
        return review_page(
            &state,
            &headers,
            &s,
            id,
            Some("请说明撤销的理由".into()),
            &[],
        )
        .await;
    }
    match state
        .store
        .plans()
        .withdraw(&s.actor(), id, f.reason.trim())
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/plans").into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            review_page(&state, &headers, &s, id, Some(e), &[]).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn task_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    error: Option<(String, ReportForm)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let store = state.store.plans();
    let t = store.task(id).await?;
    let plan = store.get(t.plan_id).await?;
    let units: Vec<_> = store
        .task_units(plan.id)
        .await?
        .into_iter()
        .filter(|u| u.task_id == id)
        .collect();
    let manage = allowed(st.role, st.unit_id, Action::ManagePlans, st.unit_id);
    // the office, and staff who may see one of the responsible units' desks
    if !manage
        && !units
            .iter()
            .any(|u| allowed(st.role, st.unit_id, Action::ViewUnitDesk, u.unit_id))
    {
        let first = units.first().map_or(st.unit_id, |u| u.unit_id);
        permit(st, Action::ViewUnitDesk, first)?;
        permit(st, Action::ManagePlans, st.unit_id)?;
    }
    let reporter = reporting_unit(st, &units);
    let can_report = reporter.is_some() && t.state == "open" && plan.state == "confirmed";
    let (error, f) = match error {
        Some((e, f)) => (Some(e), f),
        None => (None, ReportForm::default()),
    };
    let invalid = error.is_some();
    let ctx = minijinja::context! {
        t => ser(&t), plan => ser(&plan), units => ser(&units), reports => ser(&store.reports(id).await?),
        manage, can_report, error, f => ser(&f),
        files => store.files(id).await?.iter().map(|x| minijinja::context! {
            f => ser(x), unit => units.iter().find(|u| u.unit_id == x.unit_id).map(|u| u.unit_name.clone()),
        }).collect::<Vec<_>>(),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/plan_task.html",
            &t.heading,
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/plan-tasks/{id}`: a task, its units and reports; the report form for a
/// responsible unit, the completion form for the office.
pub async fn task(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    task_page(&state, &headers, &s, id, None).await
}

/// A progress report as the form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ReportForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    links: String,
}

/// `POST /admin/plan-tasks/{id}/reports`: the staff member's unit reports progress.
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReportForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let store = state.store.plans();
    let t = store.task(id).await?;
    let units: Vec<_> = store
        .task_units(t.plan_id)
        .await?
        .into_iter()
        .filter(|u| u.task_id == id)
        .collect();
    let Some(unit_id) = reporting_unit(st, &units) else {
        let first = units.first().map_or(st.unit_id, |u| u.unit_id);
        permit(st, Action::ReportOnTasks, first)?;
        return Err(AppError::Forbidden(
            "您的账号无权报送该任务的进展（本单位不是负责单位）".into(),
        ));
    };
    let body = f.body.trim();
    let links: Vec<&str> = f
        .links
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let problem = if body.is_empty() || body.chars().count() > 5000 {
        Some("请填写工作进展（不超过5000字）".to_string())
    } else if let Some(bad) = links
        .iter()
        .find(|l| !(l.starts_with('/') || l.starts_with("https://") || l.starts_with("http://")))
    {
        Some(format!(
            "链接“{bad}”无效：请填写本站信息的地址（以 / 开头）或完整网址"
        ))
    } else {
        crate::pages::scan_for_publication(&state, &[("工作进展", body)]).await?
    };
    if let Some(p) = problem {
        return task_page(&state, &headers, &s, id, Some((p, f))).await;
    }
    match store
        .report(&s.actor(), id, unit_id, body, &links.join("\n"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/plan-tasks/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            task_page(&state, &headers, &s, id, Some((e, f))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The unit a staff member reports for on a task: their own when it is responsible, else the
/// first responsible unit they may report for (the administrator).
fn reporting_unit(
    st: &gongkai_store::org::Staff,
    units: &[gongkai_store::plans::TaskUnit],
) -> Option<i64> {
    let may = |u: i64| allowed(st.role, st.unit_id, Action::ReportOnTasks, u);
    units
        .iter()
        .map(|u| u.unit_id)
        .find(|u| *u == st.unit_id && may(*u))
        .or_else(|| units.iter().map(|u| u.unit_id).find(|u| may(*u)))
}

/// `POST /admin/plan-tasks/{id}/done`: the office marks a task done with a note.
pub async fn done(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ManagePlans, st.unit_id)?;
    let note = f.reason.trim();
    if note.is_empty() {
        let form = ReportForm::default();
        return task_page(
            &state,
            &headers,
            &s,
            id,
            Some(("请填写办结说明".into(), form)),
        )
        .await;
    }
    match state.store.plans().mark_done(&s.actor(), id, note).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/plan-tasks/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            task_page(&state, &headers, &s, id, Some((e, ReportForm::default()))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Aliases, one per line.
#[derive(Deserialize, Default)]
pub struct AliasForm {
    #[serde(default)]
    aliases: String,
}

/// `POST /admin/units/{id}/aliases`: replaces a unit's aliases (the names the work plan's
/// phrases are matched against besides its full name).
pub async fn aliases(
    State(state): State<AppState>,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<AliasForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ManagePlans, unit_id)?;
    state.store.get_unit(unit_id).await?;
    let list: Vec<String> = f
        .aliases
        .lines()
        .flat_map(|l| l.split(['、', ',', '，']))
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    if let Some(long) = list.iter().find(|a| a.chars().count() > 50) {
        return Err(AppError::BadRequest(format!(
            "别称“{long}”过长（不超过50字）"
        )));
    }
    state
        .store
        .plans()
        .set_aliases(&s.actor(), unit_id, &list)
        .await?;
    Ok(Redirect::to(&format!("/admin/units/{unit_id}")).into_response())
}

/// `POST /admin/plan-tasks/{id}/files`: a responsible unit files an evidence file with its
/// progress on an open task.
pub async fn upload_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    up: Upload,
) -> Result<Response, AppError> {
    let st = s.staff();
    let store = state.store.plans();
    let t = store.task(id).await?;
    let units: Vec<_> = store
        .task_units(t.plan_id)
        .await?
        .into_iter()
        .filter(|u| u.task_id == id)
        .collect();
    let Some(unit_id) = reporting_unit(st, &units) else {
        let first = units.first().map_or(st.unit_id, |u| u.unit_id);
        permit(st, Action::ReportOnTasks, first)?;
        return Err(AppError::Forbidden(
            "您的账号无权报送该任务的进展（本单位不是负责单位）".into(),
        ));
    };
    let failed = |e: String| (e, ReportForm::default());
    let Some(file) = up.file("file") else {
        return task_page(
            &state,
            &headers,
            &s,
            id,
            Some(failed("请选择要上传的材料".into())),
        )
        .await;
    };
    let kept = match crate::forms::keep_file(&state, file, "工作材料").await? {
        Ok(k) => k,
        Err(e) => return task_page(&state, &headers, &s, id, Some(failed(e))).await,
    };
    match store
        .add_file(
            &s.actor(),
            id,
            unit_id,
            (&kept.name, kept.content_type, kept.size, &kept.sha256),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/plan-tasks/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            task_page(&state, &headers, &s, id, Some(failed(e))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/plan-task-files/{id}`: an evidence file, for its unit and the office.
pub async fn download_file(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let f = state.store.plans().file(id).await?;
    permit(s.staff(), Action::ViewUnitDesk, f.unit_id)?;
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
