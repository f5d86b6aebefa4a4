//! Service ratings (好差评), the public side: rating one service event — a closed case, a window
//! visit, a message's answer — once, proved by the event's number and query code (compared as
//! digests, throttled), and following a bad rating's answer; the published results per unit and
//! per service with the ranking by smoothed average. Rules are `domain::rating`; storage is
//! `store.ratings()`; the back office is [`handling`].

mod handling;

use crate::AppState;
use crate::auth::{ClientIp, Lookup};
use crate::error::AppError;
use crate::pages::{day, render, ser, today};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use gongkai_domain::calendar::Coverage;
use gongkai_domain::rating::{Counts, EventKind, Level, State as RatingState, rank};
use gongkai_store::ratings::{NewRating, RatingDue};
use serde::{Deserialize, Serialize};

/// The module's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ratings", get(results))
        .route("/ratings/new", get(rate_page).post(rate))
        .route("/admin/units/{id}/ratings", get(handling::unit_list))
        .route("/admin/units/{id}/visits", post(handling::register_visit))
        .route("/admin/ratings/{id}", get(handling::desk))
        .route("/admin/ratings/{id}/step", post(handling::step))
        .route("/admin/ratings/{id}/decision", post(handling::decide))
}

fn column() -> minijinja::Value {
    minijinja::context! { name => "好差评", description => "政务服务评价及差评整改情况", keywords => "好差评,政务服务评价,差评整改", kind => "互动交流" }
}

/// A rated service event as found by its number: what, which unit and service, and whether it
/// can be rated yet.
struct Event {
    kind: EventKind,
    id: i64,
    no: String,
    unit_id: i64,
    service_code: String,
    service_name: String,
    not_yet: Option<&'static str>,
}

/// Finds the event a number names, with the digest of its query code.
async fn find_event(state: &AppState, no: &str) -> Result<Option<(Event, String)>, AppError> {
    let no = no.trim();
    Ok(match EventKind::of_number(no) {
        EventKind::Message => state
            .store
            .messages()
            .by_tracking_no(no)
            .await?
            .map(|(m, hash)| {
                (
                    Event {
                        kind: EventKind::Message,
                        id: m.id,
                        no: m.tracking_no,
                        unit_id: m.unit_id,
                        service_code: "message".into(),
                        service_name: "留言答复".into(),
                        not_yet: (m.state != "answered").then_some("留言答复后才能评价"),
                    },
                    hash,
                )
            }),
        EventKind::Visit => state
            .store
            .ratings()
            .visit_by_no(no)
            .await?
            .map(|(v, hash)| {
                (
                    Event {
                        kind: EventKind::Visit,
                        id: v.id,
                        no: v.visit_no,
                        unit_id: v.unit_id,
                        service_code: format!("visit:{}", v.service_name),
                        service_name: format!("窗口办事：{}", v.service_name),
                        not_yet: None,
                    },
                    hash,
                )
            }),
        EventKind::Case => match state.store.power().case_by_no(no).await? {
            Some(c) => {
                let item = state.store.power().item(c.item_id).await?;
                let hash = c.query_hash.clone();
                Some((
                    Event {
                        kind: EventKind::Case,
                        id: c.id,
                        no: c.case_no,
                        unit_id: c.unit_id,
                        service_code: item.code,
                        service_name: item.name,
                        not_yet: (c.state != "closed").then_some("办件办结后才能评价"),
                    },
                    hash,
                ))
            }
            None => None,
        },
    })
}

/// The rating form (also the lookup of a rating made: `?no=&code=`).
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct RateForm {
    #[serde(default)]
    no: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    comment: String,
}

/// The name failed lookups are counted under (with the address).
const LOOKUP: &str = "lookup:rating";

async fn rate_render(
    state: &AppState,
    headers: &HeaderMap,
    f: &RateForm,
    error: Option<String>,
    status: StatusCode,
    shown: Option<minijinja::Value>,
) -> Result<Response, AppError> {
    let ctx = minijinja::context! {
        f => ser(&RateForm { code: String::new(), ..f.clone() }),
        levels => Level::ALL.iter().map(|l| minijinja::context! { score => l.score(), label => l.label(), bad => l.is_bad() }).collect::<Vec<_>>(),
        error, rating => shown, column => column(),
    };
    let mut resp = render(state, headers, "ratings/new.html", "服务评价", ctx, None);
    *resp.status_mut() = status;
    Ok(resp)
}

/// What the rater sees of their rating (its handling, and the unit's answer to a bad one).
fn rating_view(r: &gongkai_store::ratings::Rating) -> minijinja::Value {
    let st = RatingState::from_code(&r.state);
    minijinja::context! {
        event_no => &r.event_no, service => &r.service_name, rated_on => &r.rated_on,
        level => Level::from_score(r.score).map(Level::label), comment => &r.comment,
        state => st.map(RatingState::label), due_on => &r.due_on,
        answer => (!r.answer.is_empty()).then_some(&r.answer), rectified_on => &r.rectified_on,
    }
}

/// `GET /ratings/new`: the form; with `?no=&code=` of an event already rated, the rating and
/// its handling.
pub async fn rate_page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(f): Query<RateForm>,
) -> Result<Response, AppError> {
    if f.no.trim().is_empty() || f.code.trim().is_empty() {
        return rate_render(&state, &headers, &f, None, StatusCode::OK, None).await;
    }
    let find = async { find_event(&state, &f.no).await };
    match crate::auth::lookup_by_code(&state, &ip, LOOKUP, &f.code, find).await? {
        Lookup::Found(e) => {
            let shown = state
                .store
                .ratings()
                .of_event(e.kind.code(), e.id)
                .await?
                .map(|r| rating_view(&r));
            rate_render(&state, &headers, &f, None, StatusCode::OK, shown).await
        }
        Lookup::NotFound => {
            let e = "编号或查询码不正确，请核对后重试".to_string();
            rate_render(&state, &headers, &f, Some(e), StatusCode::NOT_FOUND, None).await
        }
        Lookup::Throttled(wait) => {
            let e = format!("查询失败次数过多，请{wait}秒后再试");
            rate_render(
                &state,
                &headers,
                &f,
                Some(e),
                StatusCode::TOO_MANY_REQUESTS,
                None,
            )
            .await
        }
    }
}

/// `POST /ratings/new`: rates an event once; a bad rating starts its rectification clock.
pub async fn rate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<RateForm>,
) -> Result<Response, AppError> {
    let refuse = |msg: &str, status| {
        let (state, headers, f) = (&state, &headers, &f);
        let msg = msg.to_string();
        async move { rate_render(state, headers, f, Some(msg), status, None).await }
    };
    let level = f.level.trim().parse().ok().and_then(Level::from_score);
    let Some(level) = level else {
        return refuse("请选择评价等级", StatusCode::BAD_REQUEST).await;
    };
    let comment = f.comment.trim();
    if level.is_bad() && comment.chars().count() < 2 {
        return refuse("请说明不满意的原因，以便核实整改", StatusCode::BAD_REQUEST).await;
    }
    if comment.chars().count() > 500 {
        return refuse("评价内容不超过500字", StatusCode::BAD_REQUEST).await;
    }
    let find = async { find_event(&state, &f.no).await };
    let e = match crate::auth::lookup_by_code(&state, &ip, LOOKUP, &f.code, find).await? {
        Lookup::Found(e) => e,
        Lookup::NotFound => {
            return refuse("编号或查询码不正确，请核对后重试", StatusCode::NOT_FOUND).await;
        }
        Lookup::Throttled(wait) => {
            return refuse(
                &format!("查询失败次数过多，请{wait}秒后再试"),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await;
        }
    };
    if let Some(why) = e.not_yet {
        return refuse(why, StatusCode::BAD_REQUEST).await;
    }
    let rated_on = today();
    let due = if level.is_bad() {
        let cfg = &state.config.ratings;
        let cal = state.store.calendar().await?;
        let due = cal
            .add_workdays(rated_on, cfg.rectify_workdays, Coverage::Strict)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let (soon, red) = gongkai_domain::application::handling::watch_days(
            &cal,
            due,
            cfg.due_soon_workdays,
            rated_on,
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        Some(RatingDue {
            due_on: day(due),
            note: format!(
                "差评自评价之日 {} 后第{}个工作日内核实整改并回复，即 {}",
                day(rated_on),
                cfg.rectify_workdays,
                day(due)
            ),
            soon: day(soon),
            red: day(red),
        })
    } else {
        None
    };
    let stored = state
        .store
        .ratings()
        .rate(
            &gongkai_store::Actor::system("public"),
            &NewRating {
                event_kind: e.kind.code(),
                event_id: e.id,
                event_no: &e.no,
                unit_id: e.unit_id,
                service_code: &e.service_code,
                service_name: &e.service_name,
                score: level.score(),
                comment,
                rated_on: &day(rated_on),
                due,
                client_addr: &ip,
            },
        )
        .await;
    match stored {
        Ok(r) => {
            rate_render(
                &state,
                &headers,
                &f,
                None,
                StatusCode::OK,
                Some(rating_view(&r)),
            )
            .await
        }
        Err(gongkai_store::StoreError::Conflict(m)) => refuse(&m, StatusCode::CONFLICT).await,
        Err(e) => Err(e.into()),
    }
}

/// `?unit=` of the results.
#[derive(Deserialize, Default)]
pub struct ResultsQuery {
    #[serde(default)]
    unit: String,
}

fn counts_of(s: &gongkai_store::ratings::ServiceStats) -> Counts {
    Counts([s.n1, s.n2, s.n3, s.n4, s.n5])
}

fn figures(c: &Counts, rectified: i64, in_time: i64) -> minijinja::Value {
    minijinja::context! {
        total => c.total(), levels => c.0.iter().rev().copied().collect::<Vec<_>>(),
        bad => c.bad(), bad_percent => c.bad_percent().map(|p| format!("{p:.1}%")),
        average => c.average().map(|a| format!("{a:.2}")), rectified, in_time,
    }
}

/// `GET /ratings`: the published results — per unit, counts per level, the share of bad
/// ratings, how many were rectified in time, and the ranking by smoothed average (units with
/// at least `[ratings] min_ratings`); with `?unit=`, that unit's services.
pub async fn results(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, AppError> {
    let units = state.store.list_units().await?;
    let unit = units
        .iter()
        .find(|u| !q.unit.is_empty() && u.code == q.unit);
    if !q.unit.is_empty() && unit.is_none() {
        return Err(AppError::NotFound);
    }
    let stats = state.store.ratings().stats().await?;
    let mut per_unit: Vec<(i64, Counts, i64, i64)> = Vec::new();
    for s in &stats {
        let c = counts_of(s);
        match per_unit.iter_mut().find(|p| p.0 == s.unit_id) {
            Some(p) => {
                for i in 0..5 {
                    p.1.0[i] += c.0[i];
                }
                p.2 += s.rectified;
                p.3 += s.rectified_in_time;
            }
            None => per_unit.push((s.unit_id, c, s.rectified, s.rectified_in_time)),
        }
    }
    let cfg = &state.config.ratings;
    let counts: Vec<Counts> = per_unit.iter().map(|p| p.1).collect();
    let ranked = rank(&counts, cfg.min_ratings, cfg.prior_ratings);
    let name = |id: i64| units.iter().find(|u| u.id == id);
    let mut rows: Vec<minijinja::Value> = ranked
        .iter()
        .enumerate()
        .map(|(place, (i, smoothed))| {
            let p = &per_unit[*i];
            let u = name(p.0);
            minijinja::context! {
                rank => place + 1, smoothed => format!("{smoothed:.2}"),
                name => u.map(|u| u.name.clone()), code => u.map(|u| u.code.clone()),
                f => figures(&p.1, p.2, p.3),
            }
        })
        .collect();
    // units with too few ratings: listed after the ranking, unranked
    for (i, p) in per_unit.iter().enumerate() {
        if ranked.iter().any(|r| r.0 == i) || p.1.total() == 0 {
            continue;
        }
        let u = name(p.0);
        rows.push(minijinja::context! {
            name => u.map(|u| u.name.clone()), code => u.map(|u| u.code.clone()),
            f => figures(&p.1, p.2, p.3),
        });
    }
    let services: Vec<minijinja::Value> = match unit {
        Some(u) => stats
            .iter()
            .filter(|s| s.unit_id == u.id)
            .map(|s| {
                minijinja::context! {
                    name => &s.service_name, f => figures(&counts_of(s), s.rectified, s.rectified_in_time),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let ctx = minijinja::context! {
        rows, services, min_ratings => cfg.min_ratings, prior => cfg.prior_ratings,
        unit => unit.map(|u| minijinja::context! { code => &u.code, name => &u.name }),
        level_labels => Level::ALL.iter().map(|l| l.label()).collect::<Vec<_>>(),
        column => column(),
    };
    Ok(render(
        &state,
        &headers,
        "ratings/results.html",
        &unit.map_or("好差评结果".to_string(), |u| {
            format!("{} · 好差评", u.name)
        }),
        ctx,
        None,
    ))
}
