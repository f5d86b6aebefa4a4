//! Village affairs disclosure (村务公开): a village drafts its quarter's (or month's) finances
//! — its ledger imported from XLSX or CSV — or a special matter; its supervisory committee's
//! review is recorded; only then is it posted. A period is posted once (withdraw to correct).
//! The town sees which of its villages are late; the public reads each village's postings by
//! period (`/villages/{id}`).

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::{CsrfForm, Upload};
use crate::pages::{day, parse_day, render, ser, today};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::finance::village::{
    CATEGORIES, Line, MATTERS, Period, Review, check_review, is_late, label, read_ledger,
};
use gongkai_store::finance::{NewPosting, Posting};
use serde::{Deserialize, Serialize};

fn is_village(t: &str) -> bool {
    matches!(t, "village" | "community")
}

fn state_label(s: &str) -> &'static str {
    match s {
        "draft" => "待村务监督委员会审核",
        "reviewed" => "已审核，待公开",
        "posted" => "已公开",
        "withdrawn" => "已撤回",
        _ => "未知",
    }
}

/// Lines grouped by category, in the order of the eight, with each category's total.
fn grouped(lines: &[Line]) -> Vec<minijinja::Value> {
    CATEGORIES
        .iter()
        .filter_map(|(k, l)| {
            let mine: Vec<&Line> = lines.iter().filter(|x| x.category == *k).collect();
            (!mine.is_empty()).then(|| {
                let total: i64 = mine.iter().filter_map(|x| x.fen).sum();
                minijinja::context! {
                    label => *l, total => gongkai_domain::finance::Money::Yuan.show(total),
                    lines => mine.iter().map(|x| minijinja::context! {
                        item => &x.item, note => &x.note,
                        amount => x.fen.map(|v| gongkai_domain::finance::Money::Yuan.show(v)),
                    }).collect::<Vec<_>>(),
                }
            })
        })
        .collect()
}

fn posting_view(p: &Posting) -> minijinja::Value {
    minijinja::context! {
        p => ser(p), state => state_label(&p.state), matter => if p.matter == "finance" { "财务公开" } else { label(&p.matter) },
        period => p.period().map(|x| x.label()), review => p.review().map(|r| ser(&r)),
        groups => grouped(&p.lines()),
    }
}

/// `?town=`.
#[derive(Deserialize, Default)]
pub struct TownQuery {
    town: Option<i64>,
}

/// `GET /admin/villages?town=`: a town's (or street's) villages and which are late with their
/// quarter; the district sees every town's count; a village's staff go to their village.
pub async fn town(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<TownQuery>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let own = state.store.get_unit(st.unit_id).await?;
    if is_village(own.unit_type.code()) && q.town.is_none() {
        return Ok(Redirect::to(&format!("/admin/villages/{}", own.id)).into_response());
    }
    let t = today();
    let days = state.config.finance.village_post_days;
    let units = state.store.list_units().await?;
    let towns: Vec<_> = match q.town {
        Some(id) => vec![id],
        None if allowed(st.role, st.unit_id, Action::Supervise, st.unit_id) => units
            .iter()
            .filter(|u| matches!(u.unit_type.code(), "town" | "street"))
            .map(|u| u.id)
            .collect(),
        None => vec![st.unit_id],
    };
    let mut groups = Vec::new();
    for town_id in towns {
        permit(st, Action::ViewUnitDesk, town_id)?;
        let name = units
            .iter()
            .find(|u| u.id == town_id)
            .map_or("", |u| u.name.as_str());
        let villages = state.store.finance().villages_of(town_id).await?;
        let rows: Vec<_> = villages
            .iter()
            .map(|v| {
                let late = is_late(&v.periods, t, days);
                let mut last = v.periods.clone();
                last.sort();
                minijinja::context! {
                    id => v.unit_id, name => &v.name, late => late.map(|p| p.label()),
                    last => last.last().and_then(|k| Period::parse(k)).map(|p| p.label()),
                }
            })
            .collect();
        let late = villages
            .iter()
            .filter(|v| is_late(&v.periods, t, days).is_some())
            .count();
        groups
            .push(minijinja::context! { id => town_id, name, rows, late, total => villages.len() });
    }
    let due = gongkai_domain::finance::village::last_due_quarter(t, days);
    let ctx = minijinja::context! { groups, due => due.label(), days, today => day(t) };
    Ok(render(
        &state,
        &headers,
        "admin/villages.html",
        "村务公开",
        ctx,
        Some(&s.session),
    ))
}

/// The posting form as sent back after a refusal.
#[derive(Serialize, Default, Clone)]
struct PostingForm {
    kind: String,
    period: String,
    title: String,
    body: String,
    lines: String,
}

/// Periods a village may choose: the last eight quarters and twelve months.
fn period_choices(t: chrono::NaiveDate) -> Vec<minijinja::Value> {
    let mut out = Vec::new();
    let (mut y, mut q) = (t.year(), (t.month() - 1) / 3 + 1);
    for _ in 0..8 {
        let p = Period::Quarter {
            year: y,
            quarter: q,
        };
        out.push(minijinja::context! { key => p.key(), label => p.label() });
        if q == 1 {
            y -= 1;
            q = 4;
        } else {
            q -= 1;
        }
    }
    let (mut y, mut m) = (t.year(), t.month());
    for _ in 0..12 {
        let p = Period::Month { year: y, month: m };
        out.push(minijinja::context! { key => p.key(), label => p.label() });
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out
}

async fn village_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    failed: Option<(String, PostingForm)>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::ViewUnitDesk, id)?;
    let unit = state.store.get_unit(id).await?;
    if !is_village(unit.unit_type.code()) {
        return Err(AppError::NotFound);
    }
    let list = state.store.finance().postings(id, false, None, 200).await?;
    let t = today();
    let periods: Vec<String> = list
        .iter()
        .filter(|p| p.state == "posted")
        .filter_map(|p| p.period_key.clone())
        .collect();
    let late = is_late(&periods, t, state.config.finance.village_post_days);
    let invalid = failed.is_some();
    let (error, f) = failed.unwrap_or_else(|| {
        (
            String::new(),
            PostingForm {
                kind: "finance".into(),
                ..PostingForm::default()
            },
        )
    });
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        list => list.iter().map(posting_view).collect::<Vec<_>>(),
        late => late.map(|p| p.label()), error => (!error.is_empty()).then_some(error), f => ser(&f),
        may_post => allowed(st.role, st.unit_id, Action::PostVillageAffairs, id),
        may_review => allowed(st.role, st.unit_id, Action::ReviewVillageAffairs, id),
        periods => period_choices(t), today => day(t),
        matters => MATTERS.iter().map(|(k, l)| minijinja::context! { key => *k, label => *l }).collect::<Vec<_>>(),
        categories => CATEGORIES.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("、"),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/village.html",
            &format!("{}村务公开", unit.name),
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/villages/{id}`: a village's postings with their review and the forms to draft,
/// record the committee's review, post and withdraw.
pub async fn village(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    village_page(&state, &headers, &s, id, None).await
}

/// `POST /admin/villages/{id}` (multipart: `kind` — `finance` or a special matter — `period`,
/// `title`, `body`, the ledger as a file `ledger` (XLSX or CSV) or as `lines` text): drafts a
/// posting for the committee to review.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    up: Upload,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::PostVillageAffairs, id)?;
    let f = PostingForm {
        kind: up.text("kind").trim().to_string(),
        period: up.text("period").trim().to_string(),
        title: up.text("title").trim().to_string(),
        body: up.text("body").trim().to_string(),
        lines: up.text("lines").trim().to_string(),
    };
    let fail = |e: String| village_page(&state, &headers, &s, id, Some((e, f.clone())));
    let finance = f.kind == "finance";
    if !finance && !MATTERS.iter().any(|(k, _)| *k == f.kind) {
        return fail("请选择公开类型：财务公开或专项事项".into()).await;
    }
    let period = if finance {
        match Period::parse(&f.period) {
            Some(p)
                if !p
                    .quarter()
                    .end()
                    .gt(&(today() + chrono::Duration::days(92))) =>
            {
                Some(p)
            }
            _ => return fail("财务公开须选择所属季度或月份".into()).await,
        }
    } else {
        None
    };
    if f.title.is_empty() || f.title.chars().count() > 200 {
        return fail("请填写标题（不超过200字）".into()).await;
    }
    if f.body.chars().count() > 20_000 {
        return fail("说明不能超过20000字".into()).await;
    }
    let grid = match up.file("ledger") {
        Some(file) if file.bytes.starts_with(b"PK") => match state.read_sheet(&file.bytes).await? {
            Ok(g) => Some(g),
            Err(e) => return fail(format!("无法读取台账：{e}")).await,
        },
        Some(file) => match std::str::from_utf8(&file.bytes) {
            Ok(text) => Some(gongkai_domain::finance::codes::csv_grid(text)),
            Err(_) => return fail("台账须为 XLSX 或 UTF-8 编码的 CSV 文件".into()).await,
        },
        None if !f.lines.is_empty() => Some(gongkai_domain::finance::codes::csv_grid(&format!(
            "类别,项目,金额（元）,备注\n{}",
            f.lines
        ))),
        None => None,
    };
    let lines = match grid {
        Some(g) => match read_ledger(&g) {
            Ok(l) => l,
            Err(e) => return fail(format!("台账有误：{}", e.join("；"))).await,
        },
        None if finance => {
            return fail(
                "财务公开须附台账：上传 XLSX/CSV 文件或逐行填写“类别,项目,金额,备注”".into(),
            )
            .await;
        }
        None => Vec::new(),
    };
    if !finance && f.body.is_empty() {
        return fail("专项事项须填写公开内容".into()).await;
    }
    let texts: Vec<String> = lines
        .iter()
        .map(|l| format!("{} {}", l.item, l.note))
        .collect();
    let mut scan: Vec<(&str, &str)> = vec![("标题", f.title.as_str()), ("说明", f.body.as_str())];
    scan.extend(texts.iter().map(|t| ("台账", t.as_str())));
    if let Some(found) = crate::pages::scan_for_publication(&state, &scan).await? {
        return fail(found).await;
    }
    let matter = if finance { "finance" } else { f.kind.as_str() };
    match state
        .store
        .finance()
        .save_posting(
            &s.actor(),
            &NewPosting {
                unit_id: id,
                period,
                matter,
                title: &f.title,
                body: &f.body,
                lines: &lines,
            },
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/villages/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => fail(e).await,
        Err(e) => Err(e.into()),
    }
}

/// The committee's review.
#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    members: String,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    day: String,
}

async fn after(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    unit_id: i64,
    r: gongkai_store::Result<()>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/admin/villages/{unit_id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            village_page(
                state,
                headers,
                s,
                unit_id,
                Some((
                    e,
                    PostingForm {
                        kind: "finance".into(),
                        ..PostingForm::default()
                    },
                )),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/village-postings/{id}/review`: records the supervisory committee's review
/// (members, opinion, day) of a draft.
pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    let p = state.store.finance().posting(id).await?;
    permit(s.staff(), Action::ReviewVillageAffairs, p.unit_id)?;
    let members: Vec<String> = f
        .members
        .split(['、', ',', '，', ' ', '\n'])
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect();
    let Some(d) = parse_day(&f.day) else {
        let form = PostingForm {
            kind: "finance".into(),
            ..PostingForm::default()
        };
        return village_page(
            &state,
            &headers,
            &s,
            p.unit_id,
            Some(("审核日期格式应为 2026-10-05".into(), form)),
        )
        .await;
    };
    let r = Review {
        members,
        opinion: f.opinion.trim().chars().take(2000).collect(),
        day: d,
    };
    if let Err(e) = check_review(&r, today()) {
        let form = PostingForm {
            kind: "finance".into(),
            ..PostingForm::default()
        };
        return village_page(&state, &headers, &s, p.unit_id, Some((e, form))).await;
    }
    let res = state
        .store
        .finance()
        .review_posting(&s.actor(), id, &r)
        .await;
    after(&state, &headers, &s, p.unit_id, res).await
}

/// `POST /admin/village-postings/{id}/post`: posts a reviewed posting (a draft is refused).
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_f): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let p = state.store.finance().posting(id).await?;
    permit(s.staff(), Action::PostVillageAffairs, p.unit_id)?;
    let res = state.store.finance().post(&s.actor(), id).await;
    after(&state, &headers, &s, p.unit_id, res).await
}

/// `POST /admin/village-postings/{id}/withdraw`: withdraws a posting with a reason (kept; the
/// period may be posted again).
pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<super::ReasonForm>,
) -> Result<Response, AppError> {
    let p = state.store.finance().posting(id).await?;
    permit(s.staff(), Action::PostVillageAffairs, p.unit_id)?;
    let reason = f.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        let form = PostingForm {
            kind: "finance".into(),
            ..PostingForm::default()
        };
        return village_page(
            &state,
            &headers,
            &s,
            p.unit_id,
            Some(("请填写撤回原因（不超过500字）".into(), form)),
        )
        .await;
    }
    let res = state
        .store
        .finance()
        .withdraw_posting(&s.actor(), id, reason)
        .await;
    after(&state, &headers, &s, p.unit_id, res).await
}

/// `GET /villages`: every village and community, by town.
pub async fn public_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let groups: Vec<_> = units
        .iter()
        .filter(|u| matches!(u.unit_type.code(), "town" | "street"))
        .map(|t| {
            minijinja::context! {
                name => &t.name,
                villages => units.iter()
                    .filter(|u| u.parent_id == Some(t.id) && is_village(u.unit_type.code()))
                    .map(|u| minijinja::context! { id => u.id, name => &u.name })
                    .collect::<Vec<_>>(),
            }
        })
        .collect();
    let ctx = minijinja::context! { groups, column => village_column() };
    Ok(render(
        &state,
        &headers,
        "finance/villages.html",
        "村务公开",
        ctx,
        None,
    ))
}

/// `GET /villages/{id}`: a village's postings by period, each with its ledger by category and
/// its committee's review.
pub async fn public_village(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let unit = state
        .store
        .get_unit(id)
        .await
        .map_err(|_| AppError::NotFound)?;
    if !is_village(unit.unit_type.code()) {
        return Err(AppError::NotFound);
    }
    let list = state.store.finance().postings(id, true, None, 200).await?;
    let ctx = minijinja::context! {
        unit => minijinja::context! { id => unit.id, name => &unit.name },
        list => list.iter().map(posting_view).collect::<Vec<_>>(), column => village_column(),
        crumbs => vec![crate::pages::crumb("村务公开", Some("/villages"))],
    };
    Ok(render(
        &state,
        &headers,
        "finance/village.html",
        &format!("{}村务公开", unit.name),
        ctx,
        None,
    ))
}

/// The column (栏目) of the public village pages: 村务公开, not the departments' budgets.
fn village_column() -> minijinja::Value {
    minijinja::context! { name => "村务公开", description => "村级财务、资产、资源及重大事项公开", keywords => "村务公开,村级财务,集体资产,集体资源", kind => "村务公开" }
}
