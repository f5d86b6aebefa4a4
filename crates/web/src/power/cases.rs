//! Cases (办件) over HTTP: opened online by the public (no account; a tracking number and a
//! query code), at a window or ex officio by staff; moved only along the published flow of the
//! version they were opened under; suspended and resumed with the reason; closed with their
//! decision, which licences and penalties publish at once on the double-publicity list.

use super::{date_text, parse_date, ser, today};
use crate::AppState;
use crate::auth::{StaffSession, permit, query_code, random_token, token_hash};
use crate::error::AppError;
use crate::forms::CsrfForm;
use crate::forms::Upload;
use crate::pages::render;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use gongkai_domain::access::Action;
use gongkai_domain::power::case::{
    Channel, SuspensionKind, check_move, step_clock, workdays_between,
};
use gongkai_domain::power::discretion::{self, Check, parse_yuan, yuan};
use gongkai_domain::power::double_publicity::{
    DecisionInput, DecisionKind, PartyType, PenaltyClass, public_party_code, public_text,
};
use gongkai_domain::power::flow::{Flow, StepKind, TransitionKind};
use gongkai_domain::power::{Category, FieldError, PowerContent};
use gongkai_store::power::cases::{Case, Due, Move, NewCase, NewCaseDocument};
use gongkai_store::power::decisions::{Decision, DecisionPage, NewDecision, Withdrawal};
use gongkai_store::power::{PowerItem, Version};
use serde::{Deserialize, Serialize};

/// The due and yellow dates of `step` started on `start` after `suspended` working days.
async fn clock(
    state: &AppState,
    flow: &Flow,
    step: &str,
    start: NaiveDate,
    suspended: u32,
) -> Result<Option<Due>, AppError> {
    let Some(s) = flow.step(step) else {
        return Ok(None);
    };
    let cal = state.store.calendar().await?;
    let c = step_clock(
        &cal,
        start,
        s.limit,
        suspended,
        state.config.power.yellow_workdays,
    )
    .map_err(|e| AppError::BadRequest(format!("无法计算办理期限：{e}")))?;
    Ok(c.map(|c| Due {
        due_on: date_text(c.due_on),
        yellow_on: date_text(c.yellow_on),
        red_on: date_text(c.red_on),
    }))
}

async fn published(state: &AppState, item: &PowerItem) -> Result<Version, AppError> {
    let v = item
        .published_version
        .filter(|_| item.retired_at.is_none())
        .ok_or_else(|| AppError::Conflict("该事项未发布或已停用，不能办理".into()))?;
    Ok(state.store.power().version(item.id, v).await?)
}

/// The applicant fields of a case form.
#[derive(Deserialize, Default, Serialize, Clone)]
pub struct CaseForm {
    #[serde(default)]
    request_key: String,
    #[serde(default)]
    item_code: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    applicant_name: String,
    #[serde(default)]
    applicant_type: String,
    #[serde(default)]
    applicant_code: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    subject: String,
}

impl CaseForm {
    fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let e = |field: &'static str, m: &str| FieldError {
            field,
            message: m.into(),
        };
        if self.applicant_name.trim().is_empty() {
            errors.push(e("applicant_name", "请填写申请人（当事人）名称"));
        }
        match PartyType::parse(&self.applicant_type) {
            None => errors.push(e("applicant_type", "请选择申请人类别")),
            Some(PartyType::NaturalPerson) => {
                if !gongkai_domain::ids::is_valid_resident_id(self.applicant_code.trim()) {
                    errors.push(e(
                        "applicant_code",
                        "身份证号码无效（校验位或出生日期不对）",
                    ));
                }
            }
            Some(_) => {
                if gongkai_domain::ids::validate_uscc(self.applicant_code.trim()).is_err() {
                    errors.push(e("applicant_code", "统一社会信用代码无效（校验位不对）"));
                }
            }
        }
        if self.contact.trim().is_empty() {
            errors.push(e("contact", "请填写联系电话或地址"));
        }
        if self.subject.trim().is_empty() {
            errors.push(e("subject", "请简要写明申请（办理）事由"));
        } else if self.subject.chars().count() > 500 {
            errors.push(e("subject", "事由不能超过500字"));
        }
        errors
    }
}

fn party_types() -> Vec<(&'static str, &'static str)> {
    PartyType::ALL
        .iter()
        .map(|p| (p.code(), p.label()))
        .collect()
}

fn apply_form(
    state: &AppState,
    headers: &HeaderMap,
    item: &PowerItem,
    f: &CaseForm,
    errors: &[FieldError],
) -> Response {
    let ctx = minijinja::context! {
        item => ser(item),
        f => ser(f),
        errors => ser(&errors),
        party_types => ser(&party_types()),
    };
    let resp = render(state, headers, "power/apply.html", "网上申请", ctx, None);
    crate::forms::invalid_if(!errors.is_empty(), resp)
}

/// `GET /powers/{code}/apply`: the online application form of a service item.
pub async fn apply_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let item = state
        .store
        .power()
        .item_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = published(&state, &item).await?;
    if !v.content.category().is_some_and(Category::is_service) {
        return Err(AppError::NotFound);
    }
    let f = CaseForm {
        request_key: random_token(),
        ..CaseForm::default()
    };
    Ok(apply_form(&state, &headers, &item, &f, &[]))
}

/// `POST /powers/{code}/apply`: opens a case online; the applicant gets its number and query
/// code once. A form sent twice (same hidden key) opens one case.
pub async fn apply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Form<CaseForm>,
) -> Result<Response, AppError> {
    let item = state
        .store
        .power()
        .item_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = published(&state, &item).await?;
    if !v.content.category().is_some_and(Category::is_service) {
        return Err(AppError::NotFound);
    }
    let mut errors = f.validate();
    if f.request_key.len() < 16 {
        errors.push(FieldError {
            field: "request_key",
            message: "表单已失效，请刷新页面后重新填写提交".into(),
        });
    }
    if !errors.is_empty() {
        let f = CaseForm {
            request_key: if f.request_key.len() < 16 {
                random_token()
            } else {
                f.request_key.clone()
            },
            ..f
        };
        return Ok(apply_form(&state, &headers, &item, &f, &errors));
    }
    let query_code = query_code();
    let unit = state.store.get_unit(item.unit_id).await?;
    let (id, case_no) = open(
        &state,
        &gongkai_store::Actor::system("public"),
        &item,
        &v,
        &unit.code,
        Channel::Online,
        &f,
        token_hash(&query_code),
        Some(token_hash(&f.request_key)),
    )
    .await?;
    let case = state.store.power().case(id).await?;
    // A repeated form does not reveal the code again (it was shown the first time).
    let fresh = case.query_hash == token_hash(&query_code);
    let ctx = minijinja::context! {
        case_no,
        query_code => fresh.then_some(query_code),
        item => ser(&item),
    };
    Ok(render(
        &state,
        &headers,
        "power/applied.html",
        "申请已提交",
        ctx,
        None,
    ))
}

#[expect(clippy::too_many_arguments, reason = "a case's whole opening")]
async fn open(
    state: &AppState,
    actor: &gongkai_store::Actor,
    item: &PowerItem,
    v: &Version,
    unit_code: &str,
    channel: Channel,
    f: &CaseForm,
    query_hash: String,
    request_key: Option<String>,
) -> Result<(i64, String), AppError> {
    let start = v
        .content
        .flow
        .start()
        .ok_or_else(|| AppError::Conflict("该事项的流程为空".into()))?;
    let today = today();
    let due = clock(state, &v.content.flow, &start.key, today, 0).await?;
    Ok(state
        .store
        .power()
        .open_case(
            actor,
            &NewCase {
                unit_id: item.unit_id,
                unit_code: unit_code.into(),
                item_id: item.id,
                version: v.version,
                query_hash,
                request_key,
                channel: channel.code().into(),
                applicant_name: f.applicant_name.clone(),
                applicant_type: f.applicant_type.clone(),
                applicant_code: f.applicant_code.clone(),
                contact: f.contact.clone(),
                subject: f.subject.clone(),
                step_key: start.key.clone(),
                today: date_text(today),
                due,
            },
        )
        .await?)
}

/// `?case_no=&code=` of the public lookup.
#[derive(Deserialize, Default)]
pub struct LookupQuery {
    case_no: Option<String>,
    code: Option<String>,
}

#[derive(Serialize)]
struct EventView {
    on_date: String,
    what: String,
    note: String,
    due_on: Option<String>,
}

fn event_views(flow: &Flow, events: &[gongkai_store::power::cases::CaseEvent]) -> Vec<EventView> {
    let name = |k: &str| flow.step(k).map_or(k.to_string(), |s| s.name.clone());
    events
        .iter()
        .map(|e| EventView {
            on_date: e.on_date.clone(),
            what: match e.kind.as_str() {
                "open" => format!("登记受理，进入“{}”", name(&e.to_step)),
                "move" => format!(
                    "{}：“{}” → “{}”",
                    e.label,
                    name(&e.from_step),
                    name(&e.to_step)
                ),
                "suspend" => format!("暂停计时（{}）", e.label),
                "resume" => "恢复计时".to_string(),
                other => other.to_string(),
            },
            note: e.note.clone(),
            due_on: e.due_on.clone(),
        })
        .collect()
}

/// `GET /cases?case_no=&code=`: the public looks a case up by number and query code and sees
/// each step with its date.
pub async fn lookup(
    State(state): State<AppState>,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    headers: HeaderMap,
    Query(q): Query<LookupQuery>,
) -> Result<Response, AppError> {
    let (no, code) = (
        q.case_no.as_deref().map(str::trim).unwrap_or(""),
        q.code.as_deref().map(str::trim).unwrap_or(""),
    );
    let mut error = None;
    let mut found = None;
    let mut throttled = false;
    if !no.is_empty() || !code.is_empty() {
        // guessing codes is throttled like guessing passwords
        let find = async {
            Ok(state.store.power().case_by_no(no).await?.map(|c| {
                let hash = c.query_hash.clone();
                (c, hash)
            }))
        };
        match crate::auth::lookup_by_code(&state, &ip, "lookup:case", code, find).await? {
            crate::auth::Lookup::Found(c) => found = Some(c),
            crate::auth::Lookup::NotFound => {
                error = Some("办件编号或查询码不正确".to_string());
            }
            crate::auth::Lookup::Throttled(wait) => {
                throttled = true;
                error = Some(format!("查询失败次数过多，请{wait}秒后再试"));
            }
        }
    }
    let mut view = None;
    if let Some(c) = found {
        let power = state.store.power();
        let item = power.item(c.item_id).await?;
        let v = power.version(c.item_id, c.version).await?;
        let events = power.case_events(c.id).await?;
        let step = v
            .content
            .flow
            .step(&c.step_key)
            .map_or(c.step_key.clone(), |s| s.name.clone());
        view = Some(minijinja::context! {
            case_no => &c.case_no, item => &item.name, item_code => &item.code, state => state_label(&c),
            step, due_on => &c.due_on, outcome => &c.outcome, opened_on => &c.opened_on,
            closed_on => &c.closed_on, suspension => c.suspension_kind.as_deref().and_then(SuspensionKind::from_code).map(SuspensionKind::label),
            events => ser(&event_views(&v.content.flow, &events)),
        });
    }
    let failed = error.is_some();
    let ctx = minijinja::context! { case => view, error, case_no => no };
    let mut resp = render(&state, &headers, "power/lookup.html", "办件查询", ctx, None);
    if throttled {
        *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    } else if failed {
        *resp.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(resp)
}

fn state_label(c: &Case) -> &'static str {
    match c.state.as_str() {
        "open" => "办理中",
        "suspended" => "暂停计时",
        "closed" => "已办结",
        _ => "",
    }
}

/// `?kind=&before=` of the double-publicity list.
#[derive(Deserialize, Default)]
pub struct PublicityQuery {
    kind: Option<String>,
    before: Option<String>,
}

#[derive(Serialize)]
struct DecisionView<'a> {
    #[serde(flatten)]
    d: &'a Decision,
    kind_label: &'static str,
    party_type_label: &'static str,
    fine: String,
}

fn decision_views(ds: &[Decision]) -> Vec<DecisionView<'_>> {
    ds.iter()
        .map(|d| DecisionView {
            d,
            kind_label: DecisionKind::from_code(&d.kind).map_or("", DecisionKind::label),
            party_type_label: PartyType::parse(&d.party_type).map_or("", PartyType::label),
            fine: if d.fine_fen > 0 {
                format!("{}元", yuan(d.fine_fen))
            } else {
                String::new()
            },
        })
        .collect()
}

fn parse_cursor(s: Option<&str>) -> Option<(String, i64)> {
    let (date, id) = s?.split_once('_')?;
    parse_date(date)?;
    Some((date.to_string(), id.parse().ok()?))
}

/// `GET /double-publicity`: licence and penalty decisions (双公示), newest first, 20 a page.
pub async fn double_publicity_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    crate::auth::MaybeStaff(session): crate::auth::MaybeStaff,
    Query(q): Query<PublicityQuery>,
) -> Result<Response, AppError> {
    super::public_page(&state, &headers, &uri, session.as_ref(), || async {
        let kind = q
            .kind
            .as_deref()
            .and_then(DecisionKind::from_code)
            .map(|k| k.code().to_string());
        let page = state
            .store
            .power()
            .public_decisions(&DecisionPage {
                kind: kind.clone(),
                today: date_text(today()),
                before: parse_cursor(q.before.as_deref()),
                limit: 21,
            })
            .await?;
        let more = page.len() > 20;
        let page = &page[..page.len().min(20)];
        let next = more
            .then(|| page.last().map(|d| format!("{}_{}", d.published_on, d.id)))
            .flatten();
        let ctx = minijinja::context! {
            decisions => ser(&decision_views(page)),
            kind,
            next,
            first => q.before.is_none(),
        };
        Ok((
            "power/double_publicity.html".to_string(),
            ctx,
            "双公示".to_string(),
        ))
    })
    .await
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The credit platform's field layout of the public list.
const CREDIT_HEADER: [&str; 13] = [
    "类别",
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码/证件号码",
    "决定文书号",
    "处罚(许可)类别",
    "决定内容",
    "罚款金额(元)",
    "决定日期",
    "有效期至",
    "决定机关",
    "决定机关统一社会信用代码",
    "公示日期",
];

/// Most rows one export holds (narrow by kind for more).
const EXPORT_CAP: usize = 200_000;

/// The public list (one kind or both), newest first, in [`CREDIT_HEADER`] order.
async fn credit_rows(state: &AppState, kind: Option<String>) -> Result<Vec<Vec<String>>, AppError> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = state
            .store
            .power()
            .public_decisions(&DecisionPage {
                kind: kind.clone(),
                today: date_text(today()),
                before: before.clone(),
                limit: 1000,
            })
            .await?;
        for d in decision_views(&page) {
            out.push(vec![
                d.kind_label.to_string(),
                d.d.party_name.clone(),
                d.party_type_label.to_string(),
                d.d.party_code.clone(),
                d.d.doc_no.clone(),
                d.d.category.clone(),
                d.d.content.clone(),
                if d.d.fine_fen > 0 {
                    yuan(d.d.fine_fen)
                } else {
                    String::new()
                },
                d.d.decided_on.clone(),
                d.d.valid_until.clone().unwrap_or_default(),
                d.d.authority.clone(),
                d.d.authority_uscc.clone(),
                d.d.published_on.clone(),
            ]);
        }
        match page.last() {
            Some(d) if page.len() == 1000 && out.len() < EXPORT_CAP => {
                before = Some((d.published_on.clone(), d.id));
            }
            _ => return Ok(out),
        }
    }
}

fn kind_of(q: &PublicityQuery) -> Option<String> {
    q.kind
        .as_deref()
        .and_then(DecisionKind::from_code)
        .map(|k| k.code().to_string())
}

/// `GET /double-publicity.csv?kind=`: the public list in the credit platform's field layout
/// (UTF-8 with a byte-order mark, so Excel reads the Chinese).
pub async fn double_publicity_csv(
    State(state): State<AppState>,
    Query(q): Query<PublicityQuery>,
) -> Result<Response, AppError> {
    let mut out = format!("\u{feff}{}\r\n", CREDIT_HEADER.join(","));
    for row in credit_rows(&state, kind_of(&q)).await? {
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"double-publicity.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// `GET /double-publicity.xlsx?kind=`: the same list as a spreadsheet.
pub async fn double_publicity_xlsx(
    State(state): State<AppState>,
    Query(q): Query<PublicityQuery>,
) -> Result<Response, AppError> {
    let rows = credit_rows(&state, kind_of(&q)).await?;
    let bytes = gongkai_extract::sheet::write_table(&gongkai_extract::sheet::Table {
        sheet: "双公示",
        title: "行政许可和行政处罚决定公示",
        header: &CREDIT_HEADER,
        sub_header: None,
        widths: &[
            8.0, 24.0, 14.0, 22.0, 22.0, 12.0, 30.0, 12.0, 12.0, 12.0, 20.0, 22.0, 12.0,
        ],
        rows: &rows,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::pages::xlsx_download(
        "double-publicity.xlsx",
        Some("双公示.xlsx"),
        bytes,
    ))
}

/// `?state=&before=&ok=` of the unit's case list.
#[derive(Deserialize, Default)]
pub struct CasesQuery {
    state: Option<String>,
    before: Option<i64>,
}

/// `GET /admin/units/{id}/cases`: the unit's cases, newest first, with the form to register
/// one at the window or ex officio.
pub async fn unit_cases(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    Query(q): Query<CasesQuery>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::ViewUnitDesk, unit_id)?;
    cases_page(&state, &headers, &s, unit_id, &q, &CaseForm::default(), &[]).await
}

async fn cases_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    q: &CasesQuery,
    f: &CaseForm,
    errors: &[FieldError],
) -> Result<Response, AppError> {
    let unit = state.store.get_unit(unit_id).await?;
    let filter = q
        .state
        .as_deref()
        .filter(|s| ["open", "suspended", "closed"].contains(s));
    let list = state
        .store
        .power()
        .unit_cases(unit_id, filter, q.before, 51)
        .await?;
    let more = list.len() > 50;
    let list = &list[..list.len().min(50)];
    let items = state
        .store
        .power()
        .items(&gongkai_store::power::ItemFilter {
            unit_id: Some(unit_id),
            public_only: true,
            limit: 500,
            ..Default::default()
        })
        .await?;
    let today = date_text(today());
    let rows: Vec<_> = list
        .iter()
        .map(|c| {
            minijinja::context! {
                id => c.id, case_no => &c.case_no, applicant => &c.applicant_name, subject => &c.subject,
                state => state_label(c), due_on => &c.due_on, alert => c.alert_on(&today), opened_on => &c.opened_on,
                item => items.iter().find(|i| i.id == c.item_id).map(|i| i.name.clone()),
            }
        })
        .collect();
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        cases => rows,
        items => ser(&items),
        filter,
        next => more.then(|| list.last().map(|c| c.id)).flatten(),
        can_handle => gongkai_domain::access::allowed(s.staff().role, s.staff().unit_id, Action::HandleCases, unit_id),
        f => ser(f),
        errors => ser(&errors),
        party_types => ser(&party_types()),
        channels => ser(&[(Channel::Window.code(), Channel::Window.label()), (Channel::ExOfficio.code(), Channel::ExOfficio.label())]),
    };
    let resp = render(
        state,
        headers,
        "admin/cases.html",
        &format!("{} · 办件", unit.name),
        ctx,
        Some(&s.session),
    );
    let resp = crate::forms::invalid_if(!errors.is_empty(), resp);
    Ok(resp)
}

/// `POST /admin/units/{id}/cases`: registers a case at the window or ex officio.
pub async fn open_at_window(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(unit_id): Path<i64>,
    CsrfForm(f): CsrfForm<CaseForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::HandleCases, unit_id)?;
    let mut errors = f.validate();
    let item = state.store.power().item_by_code(f.item_code.trim()).await?;
    let item = match item {
        Some(i) if i.unit_id == unit_id => Some(i),
        _ => {
            errors.push(FieldError {
                field: "item_code",
                message: "请选择本单位已发布的权力事项".into(),
            });
            None
        }
    };
    let channel = Channel::from_code(&f.channel).filter(|c| *c != Channel::Online);
    if channel.is_none() {
        errors.push(FieldError {
            field: "channel",
            message: "请选择办件来源（窗口受理或依职权办理）".into(),
        });
    }
    let (Some(item), Some(channel), true) = (item, channel, errors.is_empty()) else {
        return cases_page(
            &state,
            &headers,
            &s,
            unit_id,
            &CasesQuery::default(),
            &f,
            &errors,
        )
        .await;
    };
    let v = published(&state, &item).await?;
    let unit = state.store.get_unit(unit_id).await?;
    let query_code = query_code();
    let request_key = (f.request_key.len() >= 16).then(|| token_hash(&f.request_key));
    let (id, _) = open(
        &state,
        &s.actor(),
        &item,
        &v,
        &unit.code,
        channel,
        &f,
        token_hash(&query_code),
        request_key,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/cases/{id}?code={query_code}")).into_response())
}

/// `?code=` (the query code, shown once after registering) of the case desk.
#[derive(Deserialize, Default)]
pub struct DeskQuery {
    code: Option<String>,
}

/// `GET /admin/cases/{id}`: the case, its steps, and the moves the flow allows from here.
pub async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    Query(q): Query<DeskQuery>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let c = power.case(id).await?;
    permit(s.staff(), Action::ViewUnitDesk, c.unit_id)?;
    desk_page(
        &state,
        &headers,
        &s,
        &c,
        &DecisionForm::default(),
        &[],
        q.code,
    )
    .await
}

async fn desk_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    c: &Case,
    d: &DecisionForm,
    errors: &[FieldError],
    query_code: Option<String>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let item = power.item(c.item_id).await?;
    let v = power.version(c.item_id, c.version).await?;
    let flow = &v.content.flow;
    let events = power.case_events(c.id).await?;
    let category = v.content.category();
    let moves: Vec<_> = if c.state == "open" {
        flow.outgoing(&c.step_key)
            .into_iter()
            .map(|t| {
                let to = flow.step(&t.to);
                let decision = needs_decision(category, t.kind, to.map(|s| s.kind));
                minijinja::context! {
                    to => &t.to,
                    to_name => to.map(|s| s.name.clone()),
                    label => if t.label.is_empty() { t.kind.label().to_string() } else { t.label.clone() },
                    decision,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let violations: Vec<_> = v
        .content
        .discretion
        .iter()
        .enumerate()
        .flat_map(|(vi, viol)| {
            viol.tiers.iter().enumerate().map(move |(ti, t)| {
                minijinja::context! {
                    value => format!("{vi}:{ti}"),
                    label => format!("{}｜{}（{}–{}元）", viol.name, t.circumstance, yuan(t.min_fen), yuan(t.max_fen)),
                }
            })
        })
        .collect();
    let decision = power.decision_of_case(c.id).await?;
    let ctx = minijinja::context! {
        c => ser(c),
        alert => c.alert_on(&date_text(today())),
        item => ser(&item),
        state_label => state_label(c),
        step => flow.step(&c.step_key).map(|s| s.name.clone()),
        moves,
        events => ser(&event_views(flow, &events)),
        suspension_kinds => ser(&SuspensionKind::ALL.iter().map(|k| (k.code(), k.label())).collect::<Vec<_>>()),
        suspension => c.suspension_kind.as_deref().and_then(SuspensionKind::from_code).map(SuspensionKind::label),
        can_handle => gongkai_domain::access::allowed(s.staff().role, s.staff().unit_id, Action::HandleCases, c.unit_id),
        penalty => category == Some(Category::Penalty),
        violations,
        penalty_classes => ser(&PenaltyClass::ALL.iter().map(|k| (k.code(), k.label())).collect::<Vec<_>>()),
        party_types => ser(&party_types()),
        d => ser(d),
        errors => ser(&errors),
        decision => decision.as_ref().map(|d| ser(&decision_views(std::slice::from_ref(d)))),
        documents => ser(&power.case_documents(c.id).await?.iter().map(|doc| minijinja::context! {
            id => doc.id, title => &doc.title, filename => &doc.filename, size => doc.size,
            step => flow.step(&doc.step).map_or(doc.step.clone(), |s| s.name.clone()),
            by => &doc.uploaded_by, at => crate::disclosure::portal::beijing_minutes(&doc.created_at),
        }).collect::<Vec<_>>()),
        query_code,
        today => date_text(today()),
    };
    let resp = render(
        state,
        headers,
        "admin/case.html",
        &format!("办件 {}", c.case_no),
        ctx,
        Some(&s.session),
    );
    let resp = crate::forms::invalid_if(!errors.is_empty(), resp);
    Ok(resp)
}

/// Whether moving along a transition of `kind` to a step of `to_kind` records a decision that
/// double publicity publishes: the approving end of a licence or a penalty.
fn needs_decision(
    category: Option<Category>,
    kind: TransitionKind,
    to_kind: Option<StepKind>,
) -> bool {
    category.is_some_and(Category::is_publicised)
        && kind == TransitionKind::Approve
        && to_kind == Some(StepKind::End)
}

/// The move form, with the decision's fields when the move records one.
#[derive(Deserialize, Default, Serialize, Clone)]
pub struct DecisionForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    party_name: String,
    #[serde(default)]
    party_type: String,
    #[serde(default)]
    party_code: String,
    #[serde(default)]
    doc_no: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    fine: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    penalty_class: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/cases/{id}/move`: moves the case along a transition of its flow; the
/// approving end of a licence or penalty records the decision and publishes it in the same
/// step.
pub async fn move_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let c = power.case(id).await?;
    permit(s.staff(), Action::HandleCases, c.unit_id)?;
    if c.state != "open" {
        return Err(AppError::Conflict(format!(
            "办件{}，不能流转",
            state_label(&c)
        )));
    }
    let v = power.version(c.item_id, c.version).await?;
    let flow = &v.content.flow;
    let (t, ends) = check_move(flow, &f.from, &f.to).map_err(AppError::BadRequest)?;
    let to_kind = flow.step(&f.to).map(|s| s.kind);
    let label = if t.label.is_empty() {
        t.kind.label().to_string()
    } else {
        t.label.clone()
    };
    let today = today();
    let decision = if needs_decision(v.content.category(), t.kind, to_kind) {
        match decision_of(&state, &c, &v.content, &f, today).await? {
            Ok(d) => Some(d),
            Err(errors) => return desk_page(&state, &headers, &s, &c, &f, &errors, None).await,
        }
    } else {
        None
    };
    let due = if ends {
        None
    } else {
        clock(&state, flow, &f.to, today, 0).await?
    };
    let outcome = ends.then(|| flow.step(&f.to).map_or(f.to.clone(), |s| s.name.clone()));
    power
        .move_case(
            &s.actor(),
            id,
            &Move {
                from_step: f.from.clone(),
                to_step: f.to.clone(),
                label,
                note: f.note.clone(),
                today: date_text(today),
                due,
                outcome,
            },
            decision.as_ref(),
        )
        .await?;
    if decision.is_some() {
        crate::power::changed(&state).await;
    }
    Ok(Redirect::to(&format!("/admin/cases/{id}")).into_response())
}

/// The decision a move records, checked (fields, future dates, the discretion benchmark) and
/// with personal data masked; or every problem with it.
async fn decision_of(
    state: &AppState,
    c: &Case,
    content: &PowerContent,
    f: &DecisionForm,
    today: NaiveDate,
) -> Result<Result<NewDecision, Vec<FieldError>>, AppError> {
    let kind = if content.category() == Some(Category::Penalty) {
        DecisionKind::Penalty
    } else {
        DecisionKind::Licence
    };
    let mut errors = Vec::new();
    let fine_fen = match f.fine.trim() {
        "" => 0,
        t => parse_yuan(t).unwrap_or_else(|| {
            errors.push(FieldError {
                field: "fine",
                message: "罚款金额应为数字（元）".into(),
            });
            0
        }),
    };
    let date = |s: &str, field: &'static str, errors: &mut Vec<FieldError>| match s.trim() {
        "" => None,
        t => parse_date(t).or_else(|| {
            errors.push(FieldError {
                field,
                message: format!("日期格式应为 YYYY-MM-DD（现为“{t}”）"),
            });
            None
        }),
    };
    let input = DecisionInput {
        party_name: f.party_name.clone(),
        party_type: f.party_type.clone(),
        party_code: f.party_code.clone(),
        doc_no: f.doc_no.clone(),
        category: f.category.clone(),
        content: f.content.clone(),
        fine_fen,
        decided_on: date(&f.decided_on, "decided_on", &mut errors),
        valid_until: date(&f.valid_until, "valid_until", &mut errors),
        penalty_class: f.penalty_class.clone(),
    };
    let had_date_error = errors.iter().any(|e| e.field == "decided_on");
    errors.extend(
        input
            .validate(kind, today)
            .into_iter()
            .filter(|e| !(had_date_error && e.field == "decided_on")),
    );
    let mut flag = String::new();
    let (mut violation, mut tier) = (String::new(), String::new());
    if kind == DecisionKind::Penalty {
        let (vi, ti) = f
            .tier
            .split_once(':')
            .map(|(a, b)| (a.parse().ok(), b.parse().ok()))
            .unwrap_or((None, None));
        match discretion::check(&content.discretion, vi, ti, fine_fen, &f.reason) {
            Ok(Check::Within) => {}
            Ok(Check::Flagged(text)) => flag = text,
            Err(message) => errors.push(FieldError {
                field: "tier",
                message,
            }),
        }
        if let (Some(v), Some(t)) = (vi.and_then(|i: usize| content.discretion.get(i)), ti) {
            violation = v.name.clone();
            tier = v
                .tiers
                .get(t)
                .map(|t| t.circumstance.clone())
                .unwrap_or_default();
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let (Some(decided_on), Some(party_type)) =
        (input.decided_on, PartyType::parse(&input.party_type))
    else {
        return Ok(Err(vec![FieldError {
            field: "decided_on",
            message: "请填写决定日期".into(),
        }]));
    };
    let cal = state.store.calendar().await?;
    let rules = &state.config.power.double_publicity;
    let due = rules
        .due(&cal, decided_on)
        .map_err(|e| AppError::BadRequest(format!("无法计算公示期限：{e}")))?;
    let unit = state.store.get_unit(c.unit_id).await?;
    let class = PenaltyClass::from_code(&input.penalty_class);
    Ok(Ok(NewDecision {
        case_id: Some(c.id),
        unit_id: c.unit_id,
        item_id: c.item_id,
        kind: kind.code().into(),
        party_name: input.party_name.trim().to_string(),
        party_type: party_type.code().into(),
        party_code: public_party_code(party_type, &input.party_code),
        doc_no: input.doc_no.trim().to_string(),
        category: input.category.trim().to_string(),
        content: public_text(input.content.trim()),
        fine_fen,
        penalty_class: class.map(|c| c.code().to_string()).unwrap_or_default(),
        violation,
        tier,
        discretion_flag: flag,
        decided_on: date_text(decided_on),
        valid_until: input.valid_until.map(date_text),
        authority: unit.name.clone(),
        authority_uscc: unit.uscc.clone().unwrap_or_default(),
        due_on: date_text(due),
        today: date_text(today),
        public_until: rules
            .public_until(kind, class, today, input.valid_until)
            .map(date_text),
    }))
}

/// The suspend form.
#[derive(Deserialize)]
pub struct SuspendForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/cases/{id}/suspend`: stops the clock (补正, 听证, …) with the reason.
pub async fn suspend(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<SuspendForm>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let c = power.case(id).await?;
    permit(s.staff(), Action::HandleCases, c.unit_id)?;
    let kind = SuspensionKind::from_code(&f.kind)
        .ok_or_else(|| AppError::BadRequest("请选择暂停计时的法定情形".into()))?;
    if f.reason.trim().is_empty() {
        return Err(AppError::BadRequest(
            "请写明暂停原因（如需补正的材料）".into(),
        ));
    }
    power
        .suspend_case(
            &s.actor(),
            id,
            kind.code(),
            kind.label(),
            &f.reason,
            &date_text(today()),
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/cases/{id}")).into_response())
}

/// The resume form.
#[derive(Deserialize)]
pub struct ResumeForm {
    #[serde(default)]
    note: String,
}

/// `POST /admin/cases/{id}/resume`: restarts the clock; the working days spent suspended are
/// added to the step's limit.
pub async fn resume(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ResumeForm>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let c = power.case(id).await?;
    permit(s.staff(), Action::HandleCases, c.unit_id)?;
    let (Some(since), Some(started)) = (
        c.suspended_on.as_deref().and_then(parse_date),
        parse_date(&c.step_started_on),
    ) else {
        return Err(AppError::Conflict("该办件未在暂停中".into()));
    };
    let today = today();
    let cal = state.store.calendar().await?;
    let paused = workdays_between(&cal, since, today)
        .map_err(|e| AppError::BadRequest(format!("无法计算暂停天数：{e}")))?;
    let total = c.step_suspended_days as u32 + paused;
    let v = power.version(c.item_id, c.version).await?;
    let due = clock(&state, &v.content.flow, &c.step_key, started, total).await?;
    power
        .resume_case(
            &s.actor(),
            id,
            &date_text(today),
            i64::from(total),
            due,
            &f.note,
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/cases/{id}")).into_response())
}

/// The withdrawal form.
#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    changed_on: String,
}

/// `POST /admin/decisions/{id}/withdraw` (`reason`, `changed_on`): withdraws a changed or
/// revoked publication; the record keeps it with the reason and the day of the change, and a
/// withdrawal later than the limit (3 days) raises a red alert.
pub async fn withdraw_decision(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<WithdrawForm>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let d = power.decision(id).await?;
    permit(s.staff(), Action::HandleCases, d.unit_id)?;
    if f.reason.trim().is_empty() {
        return Err(AppError::BadRequest(
            "请写明撤下原因（如：处罚决定被撤销）".into(),
        ));
    }
    let today = today();
    let changed_on = match f.changed_on.trim() {
        "" => today,
        t => parse_date(t).ok_or_else(|| {
            AppError::BadRequest(format!("变更或撤销日期格式应为 YYYY-MM-DD（现为“{t}”）"))
        })?,
    };
    let decided_on = parse_date(&d.decided_on)
        .ok_or_else(|| AppError::Internal(format!("decision {id}: bad date {}", d.decided_on)))?;
    let due = state
        .config
        .power
        .double_publicity
        .withdraw_due(decided_on, changed_on, today)
        .map_err(AppError::BadRequest)?;
    power
        .withdraw_decision(
            &s.actor(),
            id,
            &Withdrawal {
                reason: f.reason.trim().to_string(),
                changed_on: date_text(changed_on),
                due_on: date_text(due),
                today: date_text(today),
            },
        )
        .await?;
    crate::power::changed(&state).await;
    let back = d.case_id.map_or("/double-publicity".to_string(), |c| {
        format!("/admin/cases/{c}")
    });
    Ok(Redirect::to(&back).into_response())
}

/// `POST /admin/cases/{id}/documents` (multipart: `csrf`, `title`, `file`): files an outcome
/// document (受理通知书, 补正告知书, 决定书 …) on the case at its current step. The file stays
/// private to the unit: never on the portal, never in search.
pub async fn upload_document(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    up: Upload,
) -> Result<Response, AppError> {
    let title = up.text("title").to_string();
    let file = up.file("file").map(|f| {
        let name = if f.file_name.is_empty() {
            "文书"
        } else {
            f.file_name.as_str()
        };
        (name.to_string(), f.bytes.clone())
    });
    let power = state.store.power();
    let c = power.case(id).await?;
    permit(s.staff(), Action::HandleCases, c.unit_id)?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 60 {
        return Err(AppError::BadRequest(
            "请填写文书名称（60字以内，如：受理通知书）".into(),
        ));
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(AppError::BadRequest("请选择要归档的文件".into()));
    };
    if bytes.len() > state.config.max_attachment_bytes {
        return Err(AppError::BadRequest(format!(
            "文件过大（不超过{}MB）",
            state.config.max_attachment_bytes / 1024 / 1024
        )));
    }
    let name = crate::forms::safe_file_name(&name, "");
    let content_type =
        crate::disclosure::items::content_type_of(&name, &bytes).map_err(AppError::BadRequest)?;
    let hash = crate::disclosure::items::store_file(&state.files, &bytes).await?;
    power
        .add_case_document(
            &s.actor(),
            id,
            &NewCaseDocument {
                title,
                filename: &name,
                content_type,
                size: bytes.len() as i64,
                sha256: &hash,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/cases/{id}#documents")).into_response())
}

/// `GET /admin/case-documents/{id}`: a case document, to the unit's staff and district-wide
/// roles only, always as a download.
pub async fn download_document(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let power = state.store.power();
    let doc = power.case_document(id).await?;
    let c = power.case(doc.case_id).await?;
    permit(s.staff(), Action::ViewUnitDesk, c.unit_id)?;
    crate::pages::send_stored_file(
        &state,
        &headers,
        &doc.sha256,
        &doc.content_type,
        &doc.filename,
        "private, no-store",
    )
    .await
}
