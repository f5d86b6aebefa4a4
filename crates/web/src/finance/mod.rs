//! Public finance (预决算公开, work plan §10 and §14): a unit imports its budget or
//! final-account workbook as the finance bureau made it (checked against every rule of
//! `domain::finance::check` before anything is stored), writes the explanatory text, submits it;
//! its reviewer publishes it (the 20-day limit from approval tracked); the public reads each
//! table as HTML, CSV or XLSX with SVG charts (`public`), the district view compares units, the
//! API gives Fiscal Data Package–style records; villages post their finances each quarter
//! after their committee's review (`villages`).

pub mod public;
pub mod villages;

use crate::AppState;
use crate::auth::{StaffSession, permit};
use crate::error::AppError;
use crate::forms::{CsrfForm, Upload};
use crate::pages::{day, parse_day, render, ser, today};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use gongkai_domain::access::{Action, allowed};
use gongkai_domain::finance::check::Checked;
use gongkai_domain::finance::tables::{Cell, Col, Failure, Table};
use gongkai_domain::finance::{EXPLANATION, Phase, Rules, missing_explanation};
use gongkai_store::finance::{NewSet, Set, SetFilter};
use gongkai_store::{Actor, Store};
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// The module's pages.
pub fn routes(limits: &crate::BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/finance", get(public::district))
        .route("/finance/{id}", get(public::set_page))
        .route("/finance/{id}/function.svg", get(public::function_svg))
        .route("/finance/{id}/workbook.xlsx", get(public::workbook))
        .route("/finance/{id}/tables/{file}", get(public::table_file))
        .route("/villages", get(villages::public_list))
        .route("/villages/{id}", get(villages::public_village))
        .route(
            "/admin/finance",
            get(home).post(upload).layer(limits.upload()),
        )
        .route("/admin/finance/oversight", get(oversight))
        .route("/admin/finance/sets/{id}", get(set_admin))
        .route("/admin/finance/sets/{id}/explanation", post(explain))
        .route("/admin/finance/sets/{id}/submit", post(submit))
        .route("/admin/finance/sets/{id}/return", post(send_back))
        .route("/admin/finance/sets/{id}/publish", post(publish))
        .route("/admin/finance/sets/{id}/withdraw", post(withdraw))
        .route("/admin/villages", get(villages::town))
        .route(
            "/admin/villages/{id}",
            get(villages::village)
                .post(villages::create)
                .layer(limits.upload()),
        )
        .route(
            "/admin/village-postings/{id}/review",
            post(villages::review),
        )
        .route("/admin/village-postings/{id}/post", post(villages::post))
        .route(
            "/admin/village-postings/{id}/withdraw",
            post(villages::withdraw),
        )
}

/// The module's API (under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/finance", get(public::api_list))
        .route("/finance/records", get(public::api_records))
}

pub(crate) fn column() -> minijinja::Value {
    minijinja::context! { name => "财政预决算", description => "部门预算、决算及“三公”经费公开，村级财务公开", keywords => "预算,决算,三公经费,财政资金,村务公开", kind => "财政信息" }
}

/// What an import came to.
#[derive(Debug)]
pub enum Outcome {
    /// Every failed rule (nothing stored).
    Refused(Vec<Failure>),
    /// The set passed; stored as this draft unless the import was a dry run.
    Passed(Box<Checked>, Option<i64>),
}

/// An import's parameters.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// The unit.
    pub unit_id: i64,
    /// The year.
    pub year: i64,
    /// The phase.
    pub phase: Phase,
    /// The day of approval.
    pub approved_on: chrono::NaiveDate,
    /// The file's name.
    pub file_name: &'a str,
    /// Check only, store nothing.
    pub dry_run: bool,
}

/// Checks a workbook's sheets against the year's classification and every rule, and (unless a
/// dry run) stores it as a new draft version: the one path of the back office and the CLI.
pub async fn import(
    store: &Store,
    rules: &Rules,
    actor: &Actor,
    input: &Input<'_>,
    bytes: &[u8],
    sheets: Vec<(String, Vec<Vec<String>>)>,
) -> Result<Outcome, gongkai_store::StoreError> {
    let Some(codes) = store.finance().codes(input.year as i32).await? else {
        return Ok(Outcome::Refused(vec![Failure {
            sheet: String::new(),
            row: None,
            message: format!(
                "没有{}年的政府收支分类科目：请先导入该年的科目表（gongkai finance codes import FILE --year {}）",
                input.year, input.year
            ),
        }]));
    };
    let unit = store.get_unit(input.unit_id).await?;
    let others = gongkai_domain::finance::tables::other_bodies(&sheets, &unit.name);
    let checked = match gongkai_domain::finance::check::import(input.phase, &sheets, &codes, rules)
    {
        Ok(c) if others.is_empty() => c,
        Ok(_) => return Ok(Outcome::Refused(others)),
        Err(mut f) => {
            f.splice(0..0, others);
            return Ok(Outcome::Refused(f));
        }
    };
    if input.dry_run {
        return Ok(Outcome::Passed(Box::new(checked), None));
    }
    let sha = hex::encode(sha2::Sha256::digest(bytes));
    let id = store
        .finance()
        .import(
            actor,
            &NewSet {
                unit_id: input.unit_id,
                year: input.year,
                phase: input.phase,
                approved_on: input.approved_on,
                publish_by: rules.publish_by(input.approved_on),
                file_name: input.file_name,
                file_sha256: &sha,
                tables: &checked.tables,
                summary: &checked.summary,
            },
        )
        .await?;
    Ok(Outcome::Passed(Box::new(checked), Some(id)))
}

/// A sample workbook (`domain::finance::sample`) as XLSX, merged cells and all.
pub fn sample_xlsx(
    sheets: &[gongkai_domain::finance::sample::Sheet],
) -> Result<Vec<u8>, gongkai_extract::ExtractError> {
    use gongkai_domain::finance::sample::Look;
    use gongkai_extract::sheet::{Cell as X, Layout, Style};
    let layouts: Vec<Layout> = sheets
        .iter()
        .map(|s| Layout {
            name: s.name.clone(),
            widths: s.widths.clone(),
            cells: s
                .pieces
                .iter()
                .map(|p| X {
                    row: p.row,
                    col: p.col,
                    rows: p.rows,
                    cols: p.cols,
                    text: p.text.clone(),
                    style: match p.look {
                        Look::Title => Style::Title,
                        Look::Head => Style::Head,
                        Look::Label => Style::Label,
                        Look::Number => Style::Number,
                    },
                })
                .collect(),
        })
        .collect();
    gongkai_extract::sheet::write_layouts(&layouts)
}

/// One header cell of a table as shown.
#[derive(Serialize)]
struct HeadCell {
    text: String,
    colspan: usize,
    rowspan: usize,
}

/// One body cell as shown.
#[derive(Serialize)]
struct BodyCell {
    text: String,
    num: bool,
    head: bool,
}

/// A table as the page shows it: the national layout, the two header rows with their spans.
pub(crate) fn table_view(t: &Table, phase: Phase, set_id: i64) -> minijinja::Value {
    let mut top = Vec::new();
    let mut sub = Vec::new();
    let mut c = 0;
    while c < t.head.len() {
        let [tt, ss] = &t.head[c];
        if ss.is_empty() {
            top.push(HeadCell {
                text: tt.clone(),
                colspan: 1,
                rowspan: 2,
            });
            c += 1;
            continue;
        }
        let start = c;
        while c < t.head.len() && t.head[c][0] == *tt && !t.head[c][1].is_empty() {
            sub.push(HeadCell {
                text: t.head[c][1].clone(),
                colspan: 1,
                rowspan: 1,
            });
            c += 1;
        }
        top.push(HeadCell {
            text: tt.clone(),
            colspan: c - start,
            rowspan: 1,
        });
    }
    let first_name = t.cols.iter().position(|c| *c == Col::Name);
    let rows: Vec<Vec<BodyCell>> = t
        .rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .enumerate()
                .map(|(i, cell)| match cell {
                    Cell::Text(s) => BodyCell {
                        text: s.clone(),
                        num: false,
                        head: Some(i) == first_name,
                    },
                    Cell::Amount(v) => BodyCell {
                        text: v.map(|v| t.money.show(v)).unwrap_or_default(),
                        num: true,
                        head: false,
                    },
                })
                .collect()
        })
        .collect();
    let national = t.spec(phase).map_or(t.title.as_str(), |s| s.title);
    minijinja::context! {
        key => &t.key, national, title => &t.title, money => t.money.label(), top => ser(&top), sub => ser(&sub),
        two_rows => t.head.iter().any(|h| !h[1].is_empty()),
        rows => ser(&rows), empty => t.empty, note => &t.note,
        csv => format!("/finance/{set_id}/tables/{}.csv", t.key),
        xlsx => format!("/finance/{set_id}/tables/{}.xlsx", t.key),
    }
}

/// A table as CSV (UTF-8 with a byte-order mark so Excel reads the Chinese): one header line of
/// column names with the unit, then the rows as written.
pub(crate) fn table_csv(t: &Table) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("\u{feff}");
    let head: Vec<String> = (0..t.head.len())
        .map(|i| {
            let k = t.col_key(i);
            if t.cols[i] == Col::Amount {
                field(&format!("{k}（{}）", t.money.label()))
            } else {
                field(&k)
            }
        })
        .collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for r in &t.rows {
        let cells: Vec<String> = r
            .cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => field(s),
                Cell::Amount(v) => v.map(|v| t.money.show(v)).unwrap_or_default(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    if let Some(n) = &t.note {
        out.push_str(&field(n));
        out.push_str("\r\n");
    }
    out
}

/// Tables as an XLSX workbook in the national layout (title, unit line, merged two-row
/// header, the rows, the note).
pub(crate) fn tables_xlsx(tables: &[Table], phase: Phase, unit: &str) -> Result<Vec<u8>, AppError> {
    use gongkai_extract::sheet::{Cell as X, Layout, Style};
    let mut sheets = Vec::new();
    for t in tables {
        let width = t.head.len().max(1) as u16;
        let mut cells = vec![
            X {
                row: 0,
                col: 0,
                rows: 1,
                cols: width,
                text: t.title.clone(),
                style: Style::Title,
            },
            X {
                row: 1,
                col: 0,
                rows: 1,
                cols: 1,
                text: format!("单位名称：{unit}"),
                style: Style::Label,
            },
            X {
                row: 1,
                col: width - 1,
                rows: 1,
                cols: 1,
                text: format!("单位：{}", t.money.label()),
                style: Style::Label,
            },
        ];
        let mut c = 0usize;
        while c < t.head.len() {
            let [tt, ss] = &t.head[c];
            if ss.is_empty() {
                cells.push(X {
                    row: 2,
                    col: c as u16,
                    rows: 2,
                    cols: 1,
                    text: tt.clone(),
                    style: Style::Head,
                });
                c += 1;
                continue;
            }
            let start = c;
            while c < t.head.len() && t.head[c][0] == *tt && !t.head[c][1].is_empty() {
                cells.push(X {
                    row: 3,
                    col: c as u16,
                    rows: 1,
                    cols: 1,
                    text: t.head[c][1].clone(),
                    style: Style::Head,
                });
                c += 1;
            }
            cells.push(X {
                row: 2,
                col: start as u16,
                rows: 1,
                cols: (c - start) as u16,
                text: tt.clone(),
                style: Style::Head,
            });
        }
        let mut row = 4u32;
        for r in &t.rows {
            for (i, cell) in r.cells.iter().enumerate() {
                let (text, style) = match cell {
                    Cell::Text(s) => (s.clone(), Style::Label),
                    Cell::Amount(v) => (
                        v.map(|v| t.money.show(v)).unwrap_or_default(),
                        Style::Number,
                    ),
                };
                cells.push(X {
                    row,
                    col: i as u16,
                    rows: 1,
                    cols: 1,
                    text,
                    style,
                });
            }
            row += 1;
        }
        if let Some(n) = &t.note {
            cells.push(X {
                row,
                col: 0,
                rows: 1,
                cols: width,
                text: n.clone(),
                style: Style::Label,
            });
        }
        let name: String = t
            .spec(phase)
            .map_or(t.key.as_str(), |s| s.title)
            .chars()
            .filter(|c| !matches!(c, '“' | '”' | '"'))
            .take(31)
            .collect();
        let widths = t
            .cols
            .iter()
            .map(|c| match c {
                Col::Code => 10.0,
                Col::Name => 30.0,
                Col::Amount => 14.0,
            })
            .collect();
        sheets.push(Layout {
            name,
            widths,
            cells,
        });
    }
    gongkai_extract::sheet::write_layouts(&sheets)
        .map_err(|e| AppError::Internal(format!("预决算导出失败：{e}")))
}

/// Days a set is or was late: published after its last day, or unpublished past it.
pub(crate) fn days_late(set: &Set, today: chrono::NaiveDate) -> Option<i64> {
    let by = parse_day(&set.publish_by)?;
    let done = set
        .published_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| gongkai_domain::calendar::beijing_date(t.with_timezone(&chrono::Utc)));
    let end = match (set.state.as_str(), done) {
        ("published" | "superseded" | "withdrawn", Some(d)) => d,
        _ => today,
    };
    let late = (end - by).num_days();
    (late > 0).then_some(late)
}

fn state_label(s: &str) -> &'static str {
    match s {
        "draft" => "草稿",
        "submitted" => "待审核",
        "published" => "已公开",
        "superseded" => "已被新版本替代",
        "withdrawn" => "已撤回",
        _ => "未知",
    }
}

/// A set as lists show it.
pub(crate) fn set_row(x: &Set, t: chrono::NaiveDate) -> minijinja::Value {
    minijinja::context! {
        x => ser(x), phase => x.phase().label(), state => state_label(&x.state),
        expenditure => gongkai_domain::finance::wan(x.expenditure),
        three_public => gongkai_domain::finance::wan(x.three_public),
        late => days_late(x, t), to_item => x.to_item_level == 1,
    }
}

/// `?year=&before=`.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    year: Option<i64>,
    before: Option<i64>,
    phase: Option<String>,
}

/// The import form as sent back after a refusal.
#[derive(Serialize, Default, Clone)]
struct ImportForm {
    unit: String,
    year: String,
    phase: String,
    approved_on: String,
}

async fn home_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    q: &ListQuery,
    failed: Option<(Vec<String>, ImportForm)>,
    passed: Option<String>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let district = allowed(st.role, st.unit_id, Action::Supervise, st.unit_id);
    let list = state
        .store
        .finance()
        .sets(&SetFilter {
            unit_id: (!district).then_some(st.unit_id),
            year: q.year,
            published: false,
            before: q.before,
            limit: 50,
        })
        .await?;
    let t = today();
    let next = (list.len() == 50)
        .then(|| list.last().map(|x| x.id))
        .flatten();
    let rows: Vec<_> = list.iter().map(|x| set_row(x, t)).collect();
    let may_import = allowed(st.role, st.unit_id, Action::ManageFinance, st.unit_id);
    // the unit chooser, for those who may import for units other than their own
    let units: Vec<_> = state
        .store
        .list_units()
        .await?
        .iter()
        .filter(|u| allowed(st.role, st.unit_id, Action::ManageFinance, u.id))
        .map(|u| minijinja::context! { id => u.id, name => &u.name })
        .collect();
    let units = if units.len() > 1 { units } else { Vec::new() };
    let invalid = failed.is_some();
    let (failures, f) = failed.unwrap_or_else(|| {
        (
            Vec::new(),
            ImportForm {
                year: t.year().to_string(),
                phase: "budget".into(),
                ..ImportForm::default()
            },
        )
    });
    let ctx = minijinja::context! {
        rows, next, may_import, units, failures, f => ser(&f), passed,
        supervise => allowed(st.role, st.unit_id, Action::Supervise, st.unit_id),
        phases => Phase::ALL.iter().map(|p| minijinja::context! { code => p.code(), label => p.label() }).collect::<Vec<_>>(),
        tolerance => state.config.finance.tolerance_wan, days => state.config.finance.publish_days,
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/finance.html",
            "财政预决算",
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/finance`: the unit's sets (every unit's for the district), the import form.
pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    home_page(&state, &headers, &s, &q, None, None).await
}

/// `POST /admin/finance` (multipart: `workbook`, `year`, `phase`, `approved_on`, `unit` for an
/// administrator, `check` to check only): imports a set, or lists every failed rule with its
/// sheet, row and figures (400, nothing stored).
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    up: Upload,
) -> Result<Response, AppError> {
    let st = s.staff();
    let f = ImportForm {
        unit: up.text("unit").trim().to_string(),
        year: up.text("year").trim().to_string(),
        phase: up.text("phase").trim().to_string(),
        approved_on: up.text("approved_on").trim().to_string(),
    };
    let unit_id = if f.unit.is_empty() {
        st.unit_id
    } else {
        f.unit
            .parse::<i64>()
            .map_err(|_| AppError::BadRequest("单位无效".into()))?
    };
    permit(st, Action::ManageFinance, unit_id)?;
    let q = ListQuery::default();
    let fail = |e: Vec<String>| home_page(&state, &headers, &s, &q, Some((e, f.clone())), None);
    let year = f
        .year
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let phase = Phase::from_code(&f.phase);
    let approved = parse_day(&f.approved_on);
    let problem = if year.is_none() {
        Some("年度应为4位数字的年份（如2026）")
    } else if phase.is_none() {
        Some("请选择预算、调整预算或决算")
    } else if approved.is_none() {
        Some("请填写批复日期（格式 2026-02-15）：公开期限从批复之日起计算")
    } else if approved.is_some_and(|d| d > today()) {
        Some("批复日期不能晚于今天")
    } else {
        None
    };
    if let Some(p) = problem {
        return fail(vec![p.into()]).await;
    }
    let (Some(year), Some(phase), Some(approved_on)) = (year, phase, approved) else {
        return fail(vec!["请检查填写的内容".into()]).await;
    };
    let Some(file) = up.file("workbook") else {
        return fail(vec![
            "请选择财政部门生成的预决算公开表（XLSX），文件不能为空".into(),
        ])
        .await;
    };
    let sheets = match state.read_sheets(&file.bytes).await? {
        Ok(s) => s,
        Err(e) => return fail(vec![format!("无法读取工作簿：{e}")]).await,
    };
    let name = crate::forms::safe_file_name(&file.file_name, "预决算公开表.xlsx");
    let dry_run = !up.text("check").is_empty();
    let input = Input {
        unit_id,
        year,
        phase,
        approved_on,
        file_name: &name,
        dry_run,
    };
    let outcome = import(
        &state.store,
        &state.config.finance,
        &s.actor(),
        &input,
        &file.bytes,
        sheets,
    )
    .await?;
    match outcome {
        Outcome::Refused(failures) => {
            let mut lines: Vec<String> = failures.iter().take(500).map(|f| f.to_string()).collect();
            if failures.len() > 500 {
                lines.push(format!("……共 {} 处不符，仅列出前 500 处", failures.len()));
            }
            fail(lines).await
        }
        Outcome::Passed(c, None) => {
            let note = format!(
                "检查通过（未保存）：{}张表，支出合计 {} 万元，“三公”经费 {} 万元{}。",
                c.tables.len(),
                gongkai_domain::finance::wan(c.summary.expenditure),
                gongkai_domain::finance::wan(c.summary.three_public[0]),
                if c.summary.empty_tables.is_empty() {
                    String::new()
                } else {
                    format!("，空表：{}", c.summary.empty_tables.join("、"))
                }
            );
            home_page(&state, &headers, &s, &q, None, Some(note)).await
        }
        Outcome::Passed(_, Some(id)) => {
            Ok(Redirect::to(&format!("/admin/finance/sets/{id}")).into_response())
        }
    }
}

async fn set_page(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    error: Option<String>,
    text: Option<std::collections::BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let st = s.staff();
    let set = state.store.finance().set(id).await?;
    permit(st, Action::ViewUnitDesk, set.unit_id)?;
    let tables = state.store.finance().tables(id).await?;
    let phase = set.phase();
    let explanation = text.unwrap_or_else(|| set.explanation());
    let parts: Vec<_> = EXPLANATION
        .iter()
        .map(|(k, h)| minijinja::context! { key => *k, heading => *h, text => explanation.get(*k).cloned().unwrap_or_default() })
        .collect();
    let manage = allowed(st.role, st.unit_id, Action::ManageFinance, set.unit_id);
    let approve = allowed(st.role, st.unit_id, Action::ApproveFinance, set.unit_id);
    let summary = set.summary();
    let invalid = error.is_some();
    let ctx = minijinja::context! {
        row => set_row(&set, today()), parts, manage, approve, error,
        missing => missing_explanation(&explanation),
        summary => ser(&summary),
        tables => tables.iter().map(|t| table_view(t, phase, id)).collect::<Vec<_>>(),
    };
    Ok(crate::forms::invalid_if(
        invalid,
        render(
            state,
            headers,
            "admin/finance_set.html",
            &format!("{}{}年{}", set.unit_name, set.year, phase.label()),
            ctx,
            Some(&s.session),
        ),
    ))
}

/// `GET /admin/finance/sets/{id}`: a set: its state and deadline, explanatory text, tables and
/// the steps the staff member may take.
pub async fn set_admin(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_page(&state, &headers, &s, id, None, None).await
}

async fn outcome(
    state: &AppState,
    headers: &HeaderMap,
    s: &StaffSession,
    id: i64,
    r: gongkai_store::Result<()>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/admin/finance/sets/{id}")).into_response()),
        Err(gongkai_store::StoreError::Conflict(e)) => {
            set_page(state, headers, s, id, Some(e), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/finance/sets/{id}/explanation`: saves the explanatory text of a draft.
pub async fn explain(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let set = state.store.finance().set(id).await?;
    permit(s.staff(), Action::ManageFinance, set.unit_id)?;
    let mut text = std::collections::BTreeMap::new();
    for (k, _) in EXPLANATION {
        let v = f.iter().find(|(n, _)| n == k).map_or("", |(_, v)| v.trim());
        text.insert(k.to_string(), v.to_string());
    }
    if let Some((_, h)) = EXPLANATION
        .iter()
        .find(|(k, _)| text.get(*k).is_some_and(|v| v.chars().count() > 20_000))
    {
        return set_page(
            &state,
            &headers,
            &s,
            id,
            Some(format!("“{h}”不能超过20000字")),
            Some(text),
        )
        .await;
    }
    let r = state.store.finance().explain(&s.actor(), id, &text).await;
    match r {
        Err(gongkai_store::StoreError::Conflict(e)) => {
            set_page(&state, &headers, &s, id, Some(e), Some(text)).await
        }
        other => outcome(&state, &headers, &s, id, other).await,
    }
}

/// `POST /admin/finance/sets/{id}/submit`: submits a draft for review once every part of the
/// explanatory text is written and the pre-publication scan finds nothing in it.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_f): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let set = state.store.finance().set(id).await?;
    permit(s.staff(), Action::ManageFinance, set.unit_id)?;
    let text = set.explanation();
    let missing = missing_explanation(&text);
    if !missing.is_empty() {
        let e = format!("说明还缺：{}（公开时须一并公开）", missing.join("、"));
        return set_page(&state, &headers, &s, id, Some(e), None).await;
    }
    let tables = state.store.finance().tables(id).await?;
    let notes: Vec<String> = tables.iter().filter_map(|t| t.note.clone()).collect();
    let mut texts: Vec<(&str, &str)> = EXPLANATION
        .iter()
        .map(|(k, h)| (*h, text.get(*k).map_or("", String::as_str)))
        .collect();
    texts.extend(notes.iter().map(|n| ("表注", n.as_str())));
    if let Some(found) = crate::pages::scan_for_publication(&state, &texts).await? {
        return set_page(&state, &headers, &s, id, Some(found), None).await;
    }
    let r = state.store.finance().submit(&s.actor(), id).await;
    outcome(&state, &headers, &s, id, r).await
}

/// A reason.
#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/finance/sets/{id}/return`: the reviewer sends a submitted set back.
pub async fn send_back(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> Result<Response, AppError> {
    let set = state.store.finance().set(id).await?;
    permit(s.staff(), Action::ApproveFinance, set.unit_id)?;
    let reason = f.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return set_page(
            &state,
            &headers,
            &s,
            id,
            Some("请填写退回原因（不超过500字）".into()),
            None,
        )
        .await;
    }
    let r = state
        .store
        .finance()
        .send_back(&s.actor(), id, reason)
        .await;
    outcome(&state, &headers, &s, id, r).await
}

/// `POST /admin/finance/sets/{id}/publish`: the reviewer publishes a submitted set (the
/// previous version, if any, is superseded).
pub async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(_f): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let set = state.store.finance().set(id).await?;
    permit(s.staff(), Action::ApproveFinance, set.unit_id)?;
    let r = state.store.finance().publish(&s.actor(), id, None).await;
    outcome(&state, &headers, &s, id, r).await
}

/// `POST /admin/finance/sets/{id}/withdraw`: withdraws a published set with a reason (kept).
pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> Result<Response, AppError> {
    let set = state.store.finance().set(id).await?;
    permit(s.staff(), Action::ApproveFinance, set.unit_id)?;
    let reason = f.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return set_page(
            &state,
            &headers,
            &s,
            id,
            Some("请填写撤回原因（不超过500字）".into()),
            None,
        )
        .await;
    }
    let r = state.store.finance().withdraw(&s.actor(), id, reason).await;
    outcome(&state, &headers, &s, id, r).await
}

/// `GET /admin/finance/oversight?year=&phase=`: the office's report: for every department, town
/// and street, its set of the year — missing, late against the 20 days from approval, or not to
/// the 项 level.
pub async fn oversight(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: StaffSession,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let st = s.staff();
    permit(st, Action::Supervise, st.unit_id)?;
    let t = today();
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(i64::from(t.year()));
    let phase = q
        .phase
        .as_deref()
        .and_then(Phase::from_code)
        .unwrap_or(Phase::Budget);
    let latest = state.store.finance().latest(year, phase).await?;
    let units = state.store.list_units().await?;
    let mut rows = Vec::new();
    let (mut missing, mut late, mut shallow) = (0, 0, 0);
    for u in units.iter().filter(|u| {
        matches!(
            u.unit_type.code(),
            "district" | "department" | "town" | "street"
        )
    }) {
        let set = latest.iter().find(|x| x.unit_id == u.id);
        let l = set.and_then(|x| days_late(x, t));
        missing += usize::from(set.is_none());
        late += usize::from(l.is_some());
        shallow += usize::from(set.is_some_and(|x| x.to_item_level == 0));
        rows.push(minijinja::context! {
            unit => &u.name, unit_id => u.id, set => set.map(|x| set_row(x, t)), late => l,
        });
    }
    let ctx = minijinja::context! {
        rows, year, phase => phase.code(), phase_label => phase.label(), missing, late, shallow,
        phases => Phase::ALL.iter().map(|p| minijinja::context! { code => p.code(), label => p.label() }).collect::<Vec<_>>(),
        days => state.config.finance.publish_days, today => day(t),
    };
    Ok(render(
        &state,
        &headers,
        "admin/finance_oversight.html",
        "预决算公开监督",
        ctx,
        Some(&s.session),
    ))
}
