//! The public side of public finance: the district view comparing units (`/finance`), each
//! published set with its explanatory text, tables and charts (`/finance/{id}`), the tables as
//! CSV and XLSX, the function treemap as SVG, and the JSON API (`/api/v1/finance`,
//! `/api/v1/finance/records`) with Fiscal Data Package–style fields.

use std::collections::BTreeMap;

use super::{column, set_row, table_view, tables_xlsx};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::pages::{render, ser, today};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use gongkai_domain::finance::chart::{MISSING, Series, Slice, bars, treemap};
use gongkai_domain::finance::check::records;
use gongkai_domain::finance::tables::Table;
use gongkai_domain::finance::{EXPLANATION, Phase, wan};
use gongkai_store::finance::{Set, SetFilter};
use serde::Deserialize;
use serde_json::{Value, json};

/// `?year=`.
#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i64>,
}

fn pct(now: i64, before: i64) -> Option<String> {
    (before > 0).then(|| format!("{:+.1}%", (now - before) as f64 * 100.0 / before as f64))
}

/// Two renderings of a chart: one for wide screens, one for phones (CSS shows one).
fn both(make: impl Fn(f64) -> String) -> minijinja::Value {
    minijinja::context! {
        wide => minijinja::Value::from_safe_string(make(960.0)),
        narrow => minijinja::Value::from_safe_string(make(360.0)),
    }
}

/// `GET /finance?year=`: the district view — every unit's budget, its "three public" budget
/// against last year's and last year's final account; the district's totals over ten years.
pub async fn district(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let this = i64::from(today().year());
    let year = q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(this);
    let sets = state.store.finance().figures(year - 1, year).await?;
    let find = |unit: i64, y: i64, p: &str| {
        sets.iter()
            .find(|s| s.unit_id == unit && s.year == y && s.phase == p)
    };
    // in name order (the query's), each unit once
    let mut units: Vec<(i64, &str)> = Vec::new();
    for s in &sets {
        if units.last().is_none_or(|(id, _)| *id != s.unit_id) {
            units.push((s.unit_id, &s.unit_name));
        }
    }
    let mut rows = Vec::new();
    let mut sums = [0i64; 5];
    let (mut names, mut now_3, mut before_3) = (Vec::new(), Vec::new(), Vec::new());
    for (id, name) in &units {
        let b = find(*id, year, "budget");
        let prev = find(*id, year - 1, "budget");
        let fin = find(*id, year - 1, "final");
        let v = [
            b.map_or(0, |s| s.expenditure),
            b.map_or(0, |s| s.three_public),
            prev.map_or(0, |s| s.three_public),
            fin.map_or(0, |s| s.expenditure),
            fin.map_or(0, |s| s.three_public),
        ];
        for (s, x) in sums.iter_mut().zip(v) {
            *s += x;
        }
        names.push(name.to_string());
        now_3.push(b.map_or(MISSING, |s| s.three_public));
        before_3.push(prev.map_or(MISSING, |s| s.three_public));
        rows.push(minijinja::context! {
            name => *name, budget => b.map(|s| s.id), prev => prev.map(|s| s.id), fin => fin.map(|s| s.id),
            v => v.iter().map(|x| wan(*x)).collect::<Vec<_>>(),
            change => b.zip(prev).and_then(|(b, p)| pct(b.three_public, p.three_public)),
        });
    }
    let mut totals: Vec<(i64, i64, i64)> = Vec::new();
    for (y, phase, sum) in state.store.finance().totals(year - 9, year).await? {
        if totals.last().is_none_or(|t| t.0 != y) {
            totals.push((y, MISSING, MISSING));
        }
        if let Some(t) = totals.last_mut() {
            match phase.as_str() {
                "budget" => t.1 = sum,
                "final" => t.2 = sum,
                _ => {}
            }
        }
    }
    let cats: Vec<String> = totals.iter().map(|(y, _, _)| format!("{y}年")).collect();
    let series = vec![
        Series {
            name: "预算".into(),
            values: totals.iter().map(|t| t.1).collect(),
        },
        Series {
            name: "决算".into(),
            values: totals.iter().map(|t| t.2).collect(),
        },
    ];
    let trend = both(|w| {
        bars(
            &format!("trend{w}"),
            "全区各部门支出合计（按年度）",
            "各年度已公开的部门预算与决算支出合计，单位万元；数据见下表",
            &cats,
            &series,
            w,
        )
    });
    let three_series = vec![
        Series {
            name: format!("{year}年预算"),
            values: now_3,
        },
        Series {
            name: format!("{}年预算", year - 1),
            values: before_3,
        },
    ];
    let three = both(|w| {
        bars(
            &format!("three{w}"),
            "各单位“三公”经费预算与上年比较",
            "各单位本年与上年“三公”经费预算，单位万元；数据见上表",
            &names,
            &three_series,
            w,
        )
    });
    let ctx = minijinja::context! {
        year, rows, column => column(),
        sums => sums.iter().map(|x| wan(*x)).collect::<Vec<_>>(),
        trend, three, has_units => !units.is_empty(),
        totals => totals.iter().map(|(y, b, f)| minijinja::context! { y, b => shown(*b), f => shown(*f) }).collect::<Vec<_>>(),
        prev_year => year - 1, years => (this - 5..=this).rev().collect::<Vec<_>>(),
    };
    Ok(render(
        &state,
        &headers,
        "finance/district.html",
        "财政预决算",
        ctx,
        None,
    ))
}

/// A published (or superseded) set; anything else is not found.
async fn public_set(state: &AppState, id: i64) -> Result<Set, AppError> {
    let set = state.store.finance().set(id).await?;
    if matches!(set.state.as_str(), "published" | "superseded") {
        Ok(set)
    } else {
        Err(AppError::NotFound)
    }
}

/// The table the function charts read: the expenditure table (all funds).
fn by_function(tables: &[Table]) -> Option<&Table> {
    tables
        .iter()
        .find(|t| t.key == "expenditure" && !t.empty)
        .or_else(|| tables.iter().find(|t| t.key == "general" && !t.empty))
}

/// The slices one level below `code` (the 类 when none), `depth` levels down (1: children;
/// 3 from the top: every 项), each linking one level further when it has children.
fn slices(t: &Table, set_id: i64, code: Option<&str>, depth: usize) -> Vec<Slice> {
    let Some(total_col) = t.find("合计") else {
        return Vec::new();
    };
    let base = code.map_or(0, str::len);
    let target = if base == 0 {
        1 + 2 * depth
    } else {
        base + 2 * depth
    }
    .min(7);
    let codes: std::collections::HashSet<&str> =
        t.rows.iter().filter_map(|r| r.code.as_deref()).collect();
    let leaf = |c: &str| !codes.iter().any(|o| o.len() > c.len() && o.starts_with(c));
    t.rows
        .iter()
        .filter_map(|r| {
            let c = r.code.as_deref()?;
            let inside = c.len() > base && code.is_none_or(|p| c.starts_with(p));
            let shown = c.len() == target || (c.len() < target && leaf(c));
            (inside && shown).then(|| Slice {
                label: format!("{c} {}", t.name(r, "")),
                value: t.amount(r, total_col),
                href: (c.len() < 7 && !leaf(c))
                    .then(|| format!("/finance/{set_id}?code={c}#function")),
            })
        })
        .collect()
}

/// `?code=&depth=&w=`.
#[derive(Deserialize, Default)]
pub struct ChartQuery {
    code: Option<String>,
    depth: Option<usize>,
    w: Option<f64>,
}

impl ChartQuery {
    fn code(&self) -> Option<&str> {
        self.code
            .as_deref()
            .map(str::trim)
            .filter(|c| matches!(c.len(), 3 | 5) && c.bytes().all(|b| b.is_ascii_digit()))
    }
}

/// Data for the set page's year-over-year and budget-against-final charts.
struct Compare {
    categories: Vec<String>,
    series: Vec<Series>,
}

/// Figures by key: (name, amount in 分).
type Figures = BTreeMap<String, (String, i64)>;

/// Sums per 类 of a set's function table.
fn per_class(t: &Table) -> Figures {
    let mut out = BTreeMap::new();
    if let Some(c) = t.find("合计") {
        for r in &t.rows {
            if let Some(code) = r.code.as_deref().filter(|c| c.len() == 3) {
                out.insert(
                    code.to_string(),
                    (t.name(r, "").to_string(), t.amount(r, c)),
                );
            }
        }
    }
    out
}

fn compare(sets: &[(String, Figures)]) -> Compare {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (_, m) in sets {
        for (k, (n, _)) in m {
            names.entry(k.clone()).or_insert_with(|| n.clone());
        }
    }
    Compare {
        categories: names.values().cloned().collect(),
        series: sets
            .iter()
            .map(|(label, m)| Series {
                name: label.clone(),
                values: names.keys().map(|k| m.get(k).map_or(0, |x| x.1)).collect(),
            })
            .collect(),
    }
}

fn compare_view(id: &str, title: &str, c: &Compare) -> minijinja::Value {
    let chart = both(|w| {
        bars(
            &format!("{id}{w}"),
            title,
            &format!("{title}，单位万元；数据见图下表格"),
            &c.categories,
            &c.series,
            w,
        )
    });
    minijinja::context! {
        chart, title,
        heads => c.series.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        rows => c.categories.iter().enumerate().map(|(i, n)| minijinja::context! {
            name => n, v => c.series.iter().map(|s| wan(s.values.get(i).copied().unwrap_or(0))).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
    }
}

/// `GET /finance/{id}?code=`: a published set: explanatory text, charts (expenditure by
/// function drilled down by `code`, the unit's years, budget against final account, "three
/// public" by year) each with its figures as a table, and every table in the national layout.
pub async fn set_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ChartQuery>,
) -> Result<Response, AppError> {
    let set = public_set(&state, id).await?;
    let store = state.store.finance();
    let tables = store.tables(id).await?;
    let phase = set.phase();
    let code = q.code();
    let function = by_function(&tables).map(|t| {
        let s = slices(t, id, code, 1);
        let title = match code {
            Some(c) => format!("{c} 下级科目支出构成"),
            None => "支出按功能分类构成（类）".to_string(),
        };
        minijinja::context! {
            chart => both(|w| treemap(&format!("fn{w}"), &title, "矩形面积与支出金额成正比，点击可查看下一级科目；数据见图下表格", &s, w, if w < 500.0 { 420.0 } else { 480.0 })),
            title,
            rows => s.iter().map(|x| minijinja::context! { label => &x.label, v => wan(x.value), href => &x.href }).collect::<Vec<_>>(),
        }
    });
    // The unit's other published sets: years of the same phase, and the other phase this year.
    let others = store
        .published_of(set.unit_id, set.year - 4, set.year)
        .await?;
    let mine: Vec<&Set> = others.iter().collect();
    let mut years = Vec::new();
    for s in mine.iter().filter(|s| s.phase == set.phase) {
        let t = if s.id == id {
            tables.clone()
        } else {
            store.tables(s.id).await?
        };
        if let Some(f) = by_function(&t) {
            years.push((format!("{}年", s.year), per_class(f)));
        }
    }
    let years =
        (years.len() > 1).then(|| compare_view("yoy", "各类支出与往年比较", &compare(&years)));
    let other_phase = if phase.is_final() { "budget" } else { "final" };
    let pair = match mine
        .iter()
        .find(|s| s.year == set.year && s.phase == other_phase)
    {
        Some(o) => {
            let t = store.tables(o.id).await?;
            let (b, f) = if phase.is_final() {
                (&t, &tables)
            } else {
                (&tables, &t)
            };
            match (by_function(b), by_function(f)) {
                (Some(b), Some(f)) => Some(compare_view(
                    "bvf",
                    "预算与决算比较（按类）",
                    &compare(&[("预算".into(), per_class(b)), ("决算".into(), per_class(f))]),
                )),
                _ => None,
            }
        }
        None => None,
    };
    let labels = [
        "合计",
        "因公出国（境）费",
        "公务接待费",
        "公务用车购置费",
        "公务用车运行费",
    ];
    let mut three_sets: Vec<(String, Figures)> = Vec::new();
    for s in mine.iter().filter(|s| s.phase == set.phase) {
        let sum = s.summary();
        let m = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (format!("{i}"), (l.to_string(), sum.three_public[i])))
            .collect();
        let label = if s.phase() == Phase::Final {
            "年决算数"
        } else {
            "年预算"
        };
        three_sets.push((format!("{}{label}", s.year), m));
    }
    let summary = set.summary();
    if let Some(b) = summary.three_public_budget {
        let m = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (format!("{i}"), (l.to_string(), b[i])))
            .collect();
        three_sets.insert(0, (format!("{}年预算数", set.year), m));
    }
    let three = compare_view("tp", "“三公”经费", &compare(&three_sets));
    let text = set.explanation();
    let parts: Vec<_> = EXPLANATION
        .iter()
        .filter_map(|(k, h)| {
            text.get(*k)
                .filter(|v| !v.trim().is_empty())
                .map(|v| minijinja::context! { heading => *h, text => v })
        })
        .collect();
    let latest = if set.state == "superseded" {
        others
            .iter()
            .find(|s| s.unit_id == set.unit_id && s.year == set.year && s.phase == set.phase)
            .map(|s| s.id)
    } else {
        None
    };
    let ctx = minijinja::context! {
        row => set_row(&set, today()), parts, function, years, pair, three, latest,
        code, summary => ser(&summary), column => column(),
        tables => tables.iter().map(|t| table_view(t, phase, id)).collect::<Vec<_>>(),
        crumbs => vec![crate::pages::crumb("财政预决算", Some("/finance"))],
    };
    Ok(render(
        &state,
        &headers,
        "finance/set.html",
        &format!("{}{}年部门{}", set.unit_name, set.year, phase.label()),
        ctx,
        None,
    ))
}

/// `GET /finance/{id}/function.svg?code=&depth=&w=`: the function treemap alone (`depth` 1–3
/// levels below `code`; `w` the width, 320–1920).
pub async fn function_svg(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<ChartQuery>,
) -> Result<Response, AppError> {
    let set = public_set(&state, id).await?;
    let tables = state.store.finance().tables(id).await?;
    let t = by_function(&tables).ok_or(AppError::NotFound)?;
    let depth = q.depth.unwrap_or(1).clamp(1, 3);
    let w = q.w.unwrap_or(960.0).clamp(320.0, 1920.0);
    let s = slices(t, id, q.code(), depth);
    let title = format!(
        "{}{}年{}支出按功能分类构成",
        set.unit_name,
        set.year,
        set.phase().label()
    );
    let svg = treemap(
        "fn",
        &title,
        "矩形面积与支出金额成正比",
        &s,
        w,
        (w * 0.5).max(320.0),
    );
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}

/// `GET /finance/{id}/workbook.xlsx`: every table of the set in one workbook.
pub async fn workbook(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let set = public_set(&state, id).await?;
    let tables = state.store.finance().tables(id).await?;
    let bytes = tables_xlsx(&tables, set.phase(), &set.unit_name)?;
    let name = format!(
        "{}{}年{}公开表.xlsx",
        set.unit_name,
        set.year,
        set.phase().label()
    );
    Ok(crate::pages::xlsx_download(
        &format!("finance-{id}.xlsx"),
        Some(&name),
        bytes,
    ))
}

/// `GET /finance/{id}/tables/{key}.csv|.xlsx`: one table.
pub async fn table_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let set = public_set(&state, id).await?;
    let (key, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let tables = state.store.finance().tables(id).await?;
    let t = tables
        .iter()
        .find(|t| t.key == key)
        .ok_or(AppError::NotFound)?;
    match ext {
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"finance-{id}-{key}.csv\""),
                ),
            ],
            super::table_csv(t),
        )
            .into_response()),
        "xlsx" => {
            let bytes = tables_xlsx(std::slice::from_ref(t), set.phase(), &set.unit_name)?;
            Ok(crate::pages::xlsx_download(
                &format!("finance-{id}-{key}.xlsx"),
                None,
                bytes,
            ))
        }
        _ => Err(AppError::NotFound),
    }
}

/// `?year=&unit=&phase=&set=&before=` of the API.
#[derive(Deserialize, Default)]
pub struct ApiQuery {
    year: Option<i64>,
    unit: Option<String>,
    phase: Option<String>,
    set: Option<i64>,
    before: Option<i64>,
    limit: Option<i64>,
}

async fn api_sets(state: &AppState, q: &ApiQuery, limit: i64) -> Result<Vec<Set>, ApiError> {
    let unit_id = match q.unit.as_deref() {
        Some(code) => Some(
            state
                .store
                .find_unit_by_code(code)
                .await?
                .ok_or(ApiError(AppError::NotFound))?
                .id,
        ),
        None => None,
    };
    let phase = match q.phase.as_deref() {
        Some(p) => Some(Phase::from_code(p).ok_or_else(|| {
            ApiError(AppError::BadRequest(format!(
                "phase “{p}” 无效：应为 budget、adjusted 或 final"
            )))
        })?),
        None => None,
    };
    if let Some(id) = q.set {
        let s = state.store.finance().set(id).await?;
        return Ok(if s.state == "published" {
            vec![s]
        } else {
            Vec::new()
        });
    }
    let mut out = Vec::new();
    let mut before = q.before;
    // Filtered by phase after reading: read pages until the page is full or the list ends.
    loop {
        let page = state
            .store
            .finance()
            .sets(&SetFilter {
                unit_id,
                year: q.year,
                published: true,
                before,
                limit,
            })
            .await?;
        let n = page.len() as i64;
        before = page.last().map(|s| s.id);
        out.extend(
            page.into_iter()
                .filter(|s| phase.is_none_or(|p| s.phase == p.code())),
        );
        if n < limit || out.len() as i64 >= limit {
            break;
        }
    }
    out.truncate(limit as usize);
    Ok(out)
}

fn unit_json(s: &Set) -> Value {
    json!({ "id": s.unit_id, "name": s.unit_name, "type": s.unit_type })
}

fn yuan(fen: i64) -> Value {
    json!(fen as f64 / 100.0)
}

/// `GET /api/v1/finance`: published sets, newest first, with their summary figures (amounts in
/// 元); paged by `before` (the last id seen).
pub async fn api_list(
    State(state): State<AppState>,
    Query(q): Query<ApiQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let sets = api_sets(&state, &q, limit).await?;
    let next = (sets.len() as i64 == limit)
        .then(|| sets.last().map(|s| s.id))
        .flatten();
    let data: Vec<Value> = sets
        .iter()
        .map(|s| {
            let sum = s.summary();
            json!({
                "id": s.id, "year": s.year, "phase": s.phase, "version": s.version,
                "administrative_unit": unit_json(s),
                "approved_on": s.approved_on, "published_at": s.published_at,
                "currency": "CNY",
                "expenditure": yuan(sum.expenditure), "basic": yuan(sum.basic), "project": yuan(sum.project),
                "general_public_budget": yuan(sum.general),
                "three_public": {
                    "total": yuan(sum.three_public[0]), "trips_abroad": yuan(sum.three_public[1]),
                    "receptions": yuan(sum.three_public[2]), "car_purchase": yuan(sum.three_public[3]),
                    "car_running": yuan(sum.three_public[4]),
                },
                "to_item_level": sum.to_item_level, "empty_tables": sum.empty_tables,
                "html": format!("/finance/{}", s.id),
            })
        })
        .collect();
    Ok(Json(json!({ "data": data, "next_before": next })))
}

/// `GET /api/v1/finance/records?year=&unit=&phase=&set=&before=`: every figure of the published
/// sets' coded tables as one record each — amount (元), year, phase, functional or economic
/// classification, administrative unit, table and column (Fiscal Data Package style); paged by
/// set (`limit` sets, `next_before` to continue).
pub async fn api_records(
    State(state): State<AppState>,
    Query(q): Query<ApiQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(5).clamp(1, 20);
    let sets = api_sets(&state, &q, limit).await?;
    let next = (sets.len() as i64 == limit)
        .then(|| sets.last().map(|s| s.id))
        .flatten();
    let mut data = Vec::new();
    for s in &sets {
        let tables = state.store.finance().tables(s.id).await?;
        for r in records(s.phase(), &tables) {
            data.push(json!({
                "amount": yuan(r.fen), "currency": "CNY", "year": s.year, "phase": s.phase,
                "functional_classification": r.functional, "economic_classification": r.economic,
                "classification_name": r.name, "table": r.table, "column": r.column,
                "administrative_unit": unit_json(s), "set": s.id,
            }));
        }
    }
    Ok(Json(json!({ "data": data, "next_before": next })))
}

/// An amount in 万元 for a table, or “未公开” where nothing was published.
fn shown(v: i64) -> String {
    if v == MISSING {
        "未公开".into()
    } else {
        wan(v)
    }
}
