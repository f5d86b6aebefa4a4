//! Power items: the public list and item page (metadata, legal bases, service guide, discretion
//! benchmarks, the flowchart drawn from the flow graph with the same flow as an ordered list,
//! version history), and the back office: drafting, review by the establishment office and then
//! the legal-affairs office, new versions, retirement.

use super::ser;
use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::forms::Upload;
use crate::pages::render;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_domain::access::Action;
use gongkai_domain::power::discretion::yuan;
use gongkai_domain::power::flow::{Flow, Limit, StepKind, TransitionKind, layout};
use gongkai_domain::power::input::PowerForm;
use gongkai_domain::power::{Category, FieldError, PowerContent, ReviewStage, VersionState, sheet};
use gongkai_store::power::{ItemFilter, PowerItem, Version};
use serde::{Deserialize, Serialize};

/// Page size of the lists.
const PAGE: i64 = 50;

/// `?category=&unit=&after=` of the lists, and flash codes.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    category: Option<String>,
    unit: Option<String>,
    after: Option<i64>,
}

#[derive(Serialize)]
struct ItemRow<'a> {
    #[serde(flatten)]
    item: &'a PowerItem,
    category_label: &'static str,
    unit_name: String,
}

async fn rows<'a>(state: &AppState, items: &'a [PowerItem]) -> Result<Vec<ItemRow<'a>>, AppError> {
    let units = state.store.list_units().await?;
    Ok(items
        .iter()
        .map(|item| ItemRow {
            item,
            category_label: Category::parse(&item.category).map_or("", Category::label),
            unit_name: units
                .iter()
                .find(|u| u.id == item.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
        })
        .collect())
}

fn categories() -> Vec<(&'static str, &'static str)> {
    Category::ALL
        .iter()
        .map(|c| (c.code(), c.label()))
        .collect()
}

/// `GET /powers`: the published power list, by category and unit.
pub async fn public_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    crate::auth::MaybeStaff(session): crate::auth::MaybeStaff,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    super::public_page(&state, &headers, &uri, session.as_ref(), || async {
        let unit = match q.unit.as_deref().filter(|u| !u.is_empty()) {
            Some(code) => Some(
                state
                    .store
                    .find_unit_by_code(code)
                    .await?
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let category = q
            .category
            .as_deref()
            .and_then(Category::parse)
            .map(|c| c.code().to_string());
        let items = state
            .store
            .power()
            .items(&ItemFilter {
                unit_id: unit.as_ref().map(|u| u.id),
                category: category.clone(),
                public_only: true,
                after_id: q.after,
                limit: PAGE + 1,
            })
            .await?;
        let more = items.len() as i64 > PAGE;
        let items = &items[..items.len().min(PAGE as usize)];
        let counts: Vec<_> = state
            .store
            .power()
            .category_counts(unit.as_ref().map(|u| u.id))
            .await?
            .into_iter()
            .map(|(c, n)| (c.code(), c.label(), n))
            .collect();
        let ctx = minijinja::context! {
            items => ser(&rows(&state, items).await?),
            counts => ser(&counts),
            category,
            unit => unit.as_ref().map(|u| minijinja::context! { code => &u.code, name => &u.name }),
            next => more.then(|| items.last().map(|i| i.id)).flatten(),
        };
        Ok(("power/list.html".to_string(), ctx, "权责清单".to_string()))
    })
    .await
}

/// What the item page shows of one version.
#[derive(Serialize)]
struct ContentView<'a> {
    c: &'a PowerContent,
    category_label: &'static str,
    compression: String,
    steps: Vec<StepView>,
    layout: gongkai_domain::power::flow::Layout,
    tiers: Vec<TierView>,
    service: bool,
}

#[derive(Serialize)]
struct StepView {
    n: usize,
    key: String,
    name: String,
    actor: String,
    limit: String,
    end: bool,
    next: Vec<String>,
}

#[derive(Serialize)]
struct TierView {
    violation: String,
    circumstance: String,
    range: String,
    measure: String,
}

fn limit_text(l: Limit) -> String {
    match l {
        Limit::None => String::new(),
        Limit::Immediate => "即时办结".into(),
        Limit::Days(n) => format!("{n}个工作日"),
    }
}

fn step_views(flow: &Flow) -> Vec<StepView> {
    flow.reading_order()
        .into_iter()
        .enumerate()
        .map(|(i, s)| StepView {
            n: i + 1,
            key: s.key.clone(),
            name: s.name.clone(),
            actor: s.actor.clone(),
            limit: limit_text(s.limit),
            end: s.kind == StepKind::End,
            next: flow
                .outgoing(&s.key)
                .into_iter()
                .map(|t| {
                    let label = if t.label.is_empty() {
                        t.kind.label().to_string()
                    } else {
                        t.label.clone()
                    };
                    let to = flow.step(&t.to).map_or(t.to.clone(), |s| s.name.clone());
                    format!("{label} → {to}")
                })
                .collect(),
        })
        .collect()
}

fn content_view(c: &PowerContent) -> ContentView<'_> {
    let category = c.category();
    ContentView {
        c,
        category_label: category.map_or("", Category::label),
        compression: format!("{:.0}%", c.compression() * 100.0),
        steps: step_views(&c.flow),
        layout: layout(&c.flow),
        tiers: c
            .discretion
            .iter()
            .flat_map(|v| {
                v.tiers.iter().map(|t| TierView {
                    violation: v.name.clone(),
                    circumstance: t.circumstance.clone(),
                    range: format!("{}–{}元", yuan(t.min_fen), yuan(t.max_fen)),
                    measure: t.measure.clone(),
                })
            })
            .collect(),
        service: category.is_some_and(Category::is_service),
    }
}

#[derive(Serialize)]
struct VersionRow {
    version: i64,
    state: &'static str,
    created_by: String,
    created_at: String,
    published_at: Option<String>,
    establishment: Option<(String, String)>,
    legal: Option<(String, String)>,
    note: String,
}

fn version_rows(versions: &[Version], public: bool) -> Vec<VersionRow> {
    versions
        .iter()
        .filter(|v| {
            !public || matches!(v.state, VersionState::Published | VersionState::Superseded)
        })
        .map(|v| VersionRow {
            version: v.version,
            state: v.state.label(),
            created_by: v.created_by.clone(),
            created_at: v.created_at.clone(),
            published_at: v.published_at.clone(),
            establishment: v.establishment.clone(),
            legal: v.legal.clone(),
            note: v.note.clone(),
        })
        .collect()
}

/// `GET /powers/{code}`: a published power item.
pub async fn public_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    crate::auth::MaybeStaff(session): crate::auth::MaybeStaff,
    Path(code): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    super::public_page(&state, &headers, &uri, session.as_ref(), || async {
    let power = state.store.power();
    let item = power.item_by_code(&code).await?.ok_or(AppError::NotFound)?;
    let Some(published) = item.published_version else {
        return Err(AppError::NotFound);
    };
    let versions = power.versions(item.id).await?;
    let shown = q.version.unwrap_or(published);
    let v = versions
        .iter()
        .find(|v| {
            v.version == shown
                && matches!(v.state, VersionState::Published | VersionState::Superseded)
        })
        .ok_or(AppError::NotFound)?;
    let unit = state.store.get_unit(item.unit_id).await?;
    let ctx = minijinja::context! {
        item => ser(&item),
        unit => minijinja::context! { name => &unit.name, code => &unit.code },
        v => ser(&content_view(&v.content)),
        shown,
        current => shown == published,
        versions => ser(&version_rows(&versions, true)),
        can_apply => item.retired_at.is_none() && shown == published && v.content.category().is_some_and(Category::is_service),
    };
    Ok(("power/item.html".to_string(), ctx, item.name.clone()))
    })
    .await
}

/// `?version=` of an item page.
#[derive(Deserialize, Default)]
pub struct VersionQuery {
    version: Option<i64>,
}

/// `GET /admin/units/{id}/powers`: a unit's power items (every state).
pub async fn unit_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    unit_page(&state, &headers, &s, unit_id, q.after, &[], None).await
}

async fn unit_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    after: Option<i64>,
    errors: &[gongkai_domain::standard::RowError],
    flash: Option<String>,
) -> Result<Response, AppError> {
    let unit = state.store.get_unit(unit_id).await?;
    let items = state
        .store
        .power()
        .items(&ItemFilter {
            unit_id: Some(unit_id),
            category: None,
            public_only: false,
            after_id: after,
            limit: PAGE + 1,
        })
        .await?;
    let more = items.len() as i64 > PAGE;
    let items = &items[..items.len().min(PAGE as usize)];
    let can_edit = gongkai_domain::access::allowed(
        s.staff().role,
        s.staff().unit_id,
        Action::ManagePowerItems,
        unit_id,
    );
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        items => ser(&rows(state, items).await?),
        can_edit,
        next => more.then(|| items.last().map(|i| i.id)).flatten(),
        errors => ser(&errors),
        flash,
    };
    let resp = render(
        state,
        headers,
        "admin/powers.html",
        &format!("{} · 权责清单", unit.name),
        ctx,
        Some(&s.session),
    );
    let resp = crate::forms::invalid_if(!errors.is_empty(), resp);
    Ok(resp)
}

/// `GET /admin/units/{id}/powers.xlsx`: the unit's list (each item's latest version) in the
/// layout the import reads.
pub async fn export(
    State(state): State<AppState>,
    s: StaffSession,
    Path(unit_id): Path<i64>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    let unit = state.store.get_unit(unit_id).await?;
    let rows: Vec<Vec<String>> = state
        .store
        .power()
        .unit_contents(unit_id)
        .await?
        .iter()
        .map(|(item, content)| sheet::to_row(&item.code, content))
        .collect();
    let header: Vec<&str> = sheet::COLUMNS.iter().map(|(h, _)| *h).collect();
    let title = format!("{}权责清单", unit.name);
    let bytes = gongkai_extract::sheet::write_table(&gongkai_extract::sheet::Table {
        sheet: "权责清单",
        title: &title,
        header: &header,
        sub_header: None,
        widths: &sheet::WIDTHS,
        rows: &rows,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::pages::xlsx_download(
        "powers.xlsx",
        Some(&format!("{title}.xlsx")),
        bytes,
    ))
}

/// Largest spreadsheet accepted, in bytes.
const MAX_SHEET_BYTES: usize = 10 * 1024 * 1024;

/// `POST /admin/units/{id}/powers/import` (multipart: `csrf`, `file`): every row checked
/// first; a file with any bad row imports nothing and lists each with its row number.
pub async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    up: Upload,
) -> Result<Response, AppError> {
    let file = up.file("file").map(|f| f.bytes.clone());
    permit(s.staff(), Action::ManagePowerItems, unit_id)?;
    let fail = |message: String| vec![gongkai_domain::standard::RowError { row: 0, message }];
    let bytes = match file.filter(|b| !b.is_empty()) {
        None => {
            let e = fail("请选择要导入的 XLSX 文件".into());
            return unit_page(&state, &headers, &s, unit_id, None, &e, None).await;
        }
        Some(b) if b.len() > MAX_SHEET_BYTES => {
            let e = fail(format!(
                "文件过大（不超过{}MB）",
                MAX_SHEET_BYTES / 1024 / 1024
            ));
            return unit_page(&state, &headers, &s, unit_id, None, &e, None).await;
        }
        Some(b) => b,
    };
    let parsed = state.read_sheet(&bytes).await?;
    let grid = match parsed {
        Ok(g) => g,
        Err(e) => {
            return unit_page(
                &state,
                &headers,
                &s,
                unit_id,
                None,
                &fail(e.to_string()),
                None,
            )
            .await;
        }
    };
    let parsed = match sheet::parse_grid(&grid) {
        Ok(rows) => rows,
        Err(errors) => return unit_page(&state, &headers, &s, unit_id, None, &errors, None).await,
    };
    // Codes must be this unit's: checked for every row before anything is written.
    let mut errors = Vec::new();
    for r in &parsed {
        if let Some(code) = &r.code {
            match state.store.power().item_by_code(code).await? {
                Some(i) if i.unit_id == unit_id => {}
                _ => errors.push(gongkai_domain::standard::RowError {
                    row: r.row,
                    message: format!("事项编码“{code}”不是本单位的事项（新事项请留空编码）"),
                }),
            }
        }
    }
    if !errors.is_empty() {
        return unit_page(&state, &headers, &s, unit_id, None, &errors, None).await;
    }
    let unit = state.store.get_unit(unit_id).await?;
    let rows: Vec<_> = parsed.into_iter().map(|r| (r.code, r.content)).collect();
    let summary = match state
        .store
        .power()
        .import_items(&s.actor(), &unit, &state.config.power.region_code, &rows)
        .await
    {
        Ok(summary) => summary,
        Err(gongkai_store::StoreError::Conflict(message)) => {
            return unit_page(&state, &headers, &s, unit_id, None, &fail(message), None).await;
        }
        Err(e) => return Err(e.into()),
    };
    let flash = format!(
        "导入完成：新增{}项、修订{}项（均为草稿，需提交审核）、未变{}项",
        summary.added, summary.revised, summary.unchanged
    );
    unit_page(&state, &headers, &s, unit_id, None, &[], Some(flash)).await
}

/// A five-step licence flow offered as the starting point of a new item.
fn starter() -> PowerForm {
    let content = PowerContent {
        category: "licensing".into(),
        statutory_days: 20,
        promised_days: 10,
        responsibilities: vec![
            "受理责任".into(),
            "审查责任".into(),
            "决定责任".into(),
            "送达责任".into(),
            "事后监管责任".into(),
        ],
        accountability: vec![
            "对符合法定条件的申请不予受理的".into(),
            "违反法定程序实施行政许可的".into(),
        ],
        flow: gongkai_domain::power::flow::licence_example(),
        ..PowerContent::default()
    };
    PowerForm::from_content(&content)
}

#[expect(clippy::too_many_arguments, reason = "the form page's whole context")]
fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    title: &str,
    action: &str,
    form: PowerForm,
    errors: &[FieldError],
    creating: bool,
) -> Response {
    let ctx = minijinja::context! {
        form => ser(&form.with_blank_rows()),
        errors => ser(&errors),
        action,
        creating,
        categories => ser(&categories()),
        transition_kinds => ser(&TransitionKind::ALL.iter().map(|k| (k.code(), k.label())).collect::<Vec<_>>()),
    };
    let resp = render(
        state,
        headers,
        "admin/power_form.html",
        title,
        ctx,
        Some(&s.session),
    );
    crate::forms::invalid_if(!errors.is_empty(), resp)
}

/// `GET /admin/units/{id}/powers/new`.
pub async fn new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ManagePowerItems, unit_id)?;
    Ok(form_page(
        &state,
        &headers,
        &s,
        "新建权力事项",
        &format!("/admin/units/{unit_id}/powers"),
        starter(),
        &[],
        true,
    ))
}

/// `POST /admin/units/{id}/powers`: creates an item with its first draft.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ManagePowerItems, unit_id)?;
    let unit = state.store.get_unit(unit_id).await?;
    let form = PowerForm::from_pairs(&pairs);
    let content = match form.to_content() {
        Ok(c) => c,
        Err(errors) => {
            return Ok(form_page(
                &state,
                &headers,
                &s,
                "新建权力事项",
                &format!("/admin/units/{unit_id}/powers"),
                form,
                &errors,
                true,
            ));
        }
    };
    let id = state
        .store
        .power()
        .create_item(&s.actor(), &unit, &state.config.power.region_code, &content)
        .await?;
    Ok(Redirect::to(&format!("/admin/powers/{id}?ok=created")).into_response())
}

/// The offices that review power items, as unit ids (missing units review nothing).
async fn offices(state: &AppState) -> Result<(Option<i64>, Option<i64>), AppError> {
    let find = |code: String| async move {
        Ok::<_, AppError>(state.store.find_unit_by_code(&code).await?.map(|u| u.id))
    };
    Ok((
        find(state.config.power.establishment_office.clone()).await?,
        find(state.config.power.legal_office.clone()).await?,
    ))
}

/// Whether `s` reviews power items for either reviewing office (the desk links the review
/// queue only for them).
pub async fn reviews_powers(state: &AppState, s: &StaffSession) -> Result<bool, AppError> {
    let (establishment, legal) = offices(state).await?;
    Ok(may(s, Action::ReviewPowerItems, establishment) || may(s, Action::ReviewPowerItems, legal))
}

/// The review stage a version waits at, and the office unit that reviews it.
async fn stage_of(
    state: &AppState,
    v: &Version,
) -> Result<Option<(ReviewStage, Option<i64>)>, AppError> {
    let (establishment, legal) = offices(state).await?;
    Ok(match v.state {
        VersionState::EstablishmentReview => Some((ReviewStage::Establishment, establishment)),
        VersionState::LegalReview => Some((ReviewStage::Legal, legal)),
        _ => None,
    })
}

fn may(s: &StaffSession, action: Action, unit: Option<i64>) -> bool {
    unit.is_some_and(|u| {
        gongkai_domain::access::allowed(s.staff().role, s.staff().unit_id, action, u)
    })
}

/// `?ok=` flash of the desk.
#[derive(Deserialize, Default)]
pub struct DeskQuery {
    ok: Option<String>,
}

/// `GET /admin/powers/{id}`: the item's desk: its working version, the actions the viewer may
/// take, and its versions.
pub async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(q): Query<DeskQuery>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let item = power.item(id).await?;
    let versions = power.versions(id).await?;
    let latest = versions.first().ok_or(AppError::NotFound)?;
    let stage = stage_of(&state, latest).await?;
    let can_review = stage.is_some_and(|(_, office)| may(&s, Action::ReviewPowerItems, office));
    if !can_review {
        permit(s.staff(), Action::ViewUnitDesk, item.unit_id)?;
    }
    let can_edit =
        may(&s, Action::ManagePowerItems, Some(item.unit_id)) && item.retired_at.is_none();
    let draft = latest.state == VersionState::Draft;
    let flash = q.ok.as_deref().map(|ok| match ok {
        "created" => "已创建草稿。填写完整后提交编办审核。",
        "saved" => "草稿已保存。",
        "submitted" => "已提交编办审核。",
        "passed" => "审核通过。",
        "sent_back" => "已退回修改。",
        "revising" => "已起草新版本（发布前公众仍看到当前版本）。",
        "retired" => "事项已停用（记录和历史版本保留）。",
        _ => "",
    });
    let ctx = minijinja::context! {
        item => ser(&item),
        latest_version => latest.version,
        latest_state => latest.state.label(),
        note => &latest.note,
        v => ser(&content_view(&latest.content)),
        form => draft.then(|| ser(&PowerForm::from_content(&latest.content).with_blank_rows())),
        errors => ser(&Vec::<FieldError>::new()),
        categories => ser(&categories()),
        transition_kinds => ser(&TransitionKind::ALL.iter().map(|k| (k.code(), k.label())).collect::<Vec<_>>()),
        can_edit => can_edit && draft,
        can_submit => can_edit && draft,
        can_revise => can_edit && latest.state == VersionState::Published,
        can_retire => can_edit,
        can_review,
        stage_label => stage.map(|(st, _)| match st { ReviewStage::Establishment => "编办审核", ReviewStage::Legal => "法制审核" }),
        versions => ser(&version_rows(&versions, false)),
        flash,
    };
    Ok(render(
        &state,
        &headers,
        "admin/power.html",
        &item.name,
        ctx,
        Some(&s.session),
    ))
}

/// `POST /admin/powers/{id}/edit`: saves the draft (all or nothing; the form comes back with
/// its errors and the typed values).
pub async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let item = power.item(id).await?;
    permit(s.staff(), Action::ManagePowerItems, item.unit_id)?;
    let versions = power.versions(id).await?;
    let latest = versions.first().ok_or(AppError::NotFound)?;
    let mut form = PowerForm::from_pairs(&pairs);
    form.f.insert("category".into(), item.category.clone());
    match form.to_content() {
        Ok(content) => {
            power
                .update_draft(&s.actor(), id, latest.version, &content)
                .await?;
            Ok(Redirect::to(&format!("/admin/powers/{id}?ok=saved")).into_response())
        }
        Err(errors) => Ok(form_page(
            &state,
            &headers,
            &s,
            &format!("修改 {}", item.name),
            &format!("/admin/powers/{id}/edit"),
            form,
            &errors,
            false,
        )),
    }
}

/// A workflow form: CSRF, and a note or reason.
#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    decision: String,
}

/// `POST /admin/powers/{id}/submit`.
pub async fn submit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let item = power.item(id).await?;
    permit(s.staff(), Action::ManagePowerItems, item.unit_id)?;
    let versions = power.versions(id).await?;
    let latest = versions.first().ok_or(AppError::NotFound)?;
    let errors = latest.content.validate();
    if let Some(e) = errors.first() {
        return Err(AppError::BadRequest(format!(
            "草稿尚不完整，不能提交：{}",
            e.message
        )));
    }
    scan_before_publication(&state, &latest.content).await?;
    power.submit(&s.actor(), id, latest.version).await?;
    Ok(Redirect::to(&format!("/admin/powers/{id}?ok=submitted")).into_response())
}

/// The pre-publication scan (personal data and the sensitive-word list) of every text the
/// public page will show; any find refuses the step with each find named.
async fn scan_before_publication(state: &AppState, content: &PowerContent) -> Result<(), AppError> {
    let scanner =
        gongkai_domain::scan::Scanner::new(&state.store.disclosure().sensitive_words().await?);
    let found = content.scan(&scanner);
    if found.is_empty() {
        return Ok(());
    }
    Err(AppError::BadRequest(format!(
        "发布前检查发现个人信息或敏感词，请修改后再提交：{}",
        found.join("；")
    )))
}

/// `POST /admin/powers/{id}/review` (`decision=pass|back`, `note`): the reviewing office passes
/// the version on (the legal review's pass publishes it) or sends it back with a note.
pub async fn review(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    power.item(id).await?;
    let versions = power.versions(id).await?;
    let latest = versions.first().ok_or(AppError::NotFound)?;
    let Some((stage, office)) = stage_of(&state, latest).await? else {
        return Err(AppError::Conflict("该事项当前没有待审核的版本".into()));
    };
    let Some(office) = office else {
        return Err(AppError::Conflict(
            "未配置审核机构（[power] establishment_office / legal_office）".into(),
        ));
    };
    permit(s.staff(), Action::ReviewPowerItems, office)?;
    let pass = match f.decision.as_str() {
        "pass" => true,
        "back" => false,
        _ => return Err(AppError::BadRequest("请选择“通过”或“退回”".into())),
    };
    if !pass && f.note.trim().is_empty() {
        return Err(AppError::BadRequest("退回时请写明修改意见".into()));
    }
    if pass {
        // the word list may have grown since submission: nothing unscanned goes out
        scan_before_publication(&state, &latest.content).await?;
    }
    power
        .review(&s.actor(), id, latest.version, stage, pass, &f.note)
        .await?;
    crate::power::changed(&state).await;
    let ok = if pass { "passed" } else { "sent_back" };
    Ok(Redirect::to(&format!("/admin/powers/{id}?ok={ok}")).into_response())
}

/// `POST /admin/powers/{id}/revise`: starts a new version from the published one.
pub async fn revise(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::forms::NoFields>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let item = power.item(id).await?;
    permit(s.staff(), Action::ManagePowerItems, item.unit_id)?;
    power.new_version(&s.actor(), id).await?;
    Ok(Redirect::to(&format!("/admin/powers/{id}?ok=revising")).into_response())
}

/// `POST /admin/powers/{id}/retire` (`note`: the reason).
pub async fn retire(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let item = power.item(id).await?;
    permit(s.staff(), Action::ManagePowerItems, item.unit_id)?;
    if f.note.trim().is_empty() {
        return Err(AppError::BadRequest(
            "请写明停用原因（如：法律修改取消该事项）".into(),
        ));
    }
    power.retire(&s.actor(), id, &f.note).await?;
    crate::power::changed(&state).await;
    Ok(Redirect::to(&format!("/admin/powers/{id}?ok=retired")).into_response())
}

/// `GET /admin/power-reviews`: the versions waiting for the viewer's office.
pub async fn review_desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
) -> Result<Response, AppError> {
    let (establishment, legal) = offices(&state).await?;
    let mut waiting = Vec::new();
    let mut allowed_any = false;
    for (state_code, office, label) in [
        (VersionState::EstablishmentReview, establishment, "编办审核"),
        (VersionState::LegalReview, legal, "法制审核"),
    ] {
        if may(&s, Action::ReviewPowerItems, office) {
            allowed_any = true;
            for (item, version) in state.store.power().waiting(state_code, 200).await? {
                waiting.push(minijinja::context! {
                    id => item.id, code => item.code, name => item.name, version, stage => label,
                });
            }
        }
    }
    if !allowed_any {
        return Err(AppError::Forbidden(
            Action::ReviewPowerItems.refusal().into(),
        ));
    }
    Ok(render(
        &state,
        &headers,
        "admin/power_reviews.html",
        "权力事项审核",
        minijinja::context! { waiting },
        Some(&s.session),
    ))
}
