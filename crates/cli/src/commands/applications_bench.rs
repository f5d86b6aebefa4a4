//! Benchmark helpers for disclosure applications (`gongkai applications-bench`, hidden): a
//! corpus loaded in bulk — open applications whose due dates are spread around a day, and a
//! year of applications answered with every outcome of the annual report — and in-process
//! timing of the e-supervision dashboard's reading.

use anyhow::{Context, Result};
use gongkai_domain::application::{ApplicantType, Outcome};
use gongkai_store::applications::BulkApplication;
use gongkai_store::{Actor, Store};
use std::time::Instant;

use super::power_bench::Rng;

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Loads `open` open applications (due dates spread over the 120 days around `today`, received
/// 28 days before, on the watch list from 7 days before) and `year_total` applications of `year`
/// (received through the year; nine in ten answered in it with the report's outcomes, the
/// rest carried into the next year), spread over the demo's units, with progress on stderr.
/// Prints the id of one answered application (for timing its letter).
pub async fn corpus(
    store: &Store,
    open: usize,
    year: i32,
    year_total: usize,
    today: &str,
) -> Result<()> {
    let today = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d").context("--today")?;
    let units: Vec<i64> = store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.parent_id.is_some())
        .map(|u| u.id)
        .collect();
    anyhow::ensure!(!units.is_empty(), "先运行 gongkai demo");
    let actor = Actor::system("bench");
    let apps = store.applications();
    let outcomes = Outcome::all();
    let mut rng = Rng(2026);
    let started = Instant::now();
    let batch = 10_000;
    let total = open + year_total;
    let mut done = 0;
    while done < total {
        let n = batch.min(total - done);
        let rows: Vec<BulkApplication> = (0..n)
            .map(|i| {
                let k = done + i;
                let unit_id = units[k % units.len()];
                let kind = ApplicantType::ALL[(rng.below(10) as usize).min(5)];
                let mut a = BulkApplication {
                    unit_id,
                    tracking_no: format!("YSQB-{k:08}"),
                    applicant_type: kind.code().into(),
                    name: format!("申请人{k}"),
                    id_document: "11010519491231002X".into(),
                    content: format!("请公开第{k}号文件及其附件"),
                    ..BulkApplication::default()
                };
                if k < open {
                    // due dates spread over the 120 days around the day, as for cases
                    let due = today + chrono::Duration::days(rng.below(120) as i64 - 30);
                    let received = due - chrono::Duration::days(28);
                    a.received_on = date(received);
                    a.state = "received".into();
                    a.due_on = Some(date(due));
                    a.due_note = format!(
                        "收到申请之日 {received}，自次日起算20个工作日\n答复期限：{received} 后第20个工作日（20），即 {due}"
                    );
                    a.watch = Some((date(due - chrono::Duration::days(7)), date(due + chrono::Duration::days(1))));
                } else {
                    let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
                    let received = first + chrono::Duration::days(rng.below(365) as i64);
                    a.received_on = date(received);
                    if rng.below(10) == 0 {
                        a.state = "received".into();
                    } else {
                        a.state = "closed".into();
                        a.outcome = outcomes[rng.below(outcomes.len() as u64) as usize].code();
                        let closed = received + chrono::Duration::days(5 + rng.below(25) as i64);
                        a.closed_on = Some(date(closed));
                    }
                }
                a
            })
            .collect();
        apps.bulk_load(&actor, &rows).await?;
        done += n;
        eprint!("\r申请 {done}/{total}");
    }
    if total > 0 {
        eprintln!(
            "（{:.0} 件/秒）",
            total as f64 / started.elapsed().as_secs_f64()
        );
    }
    let answered = apps
        .list(&gongkai_store::applications::ApplicationFilter {
            state: Some("closed".into()),
            limit: 1,
            ..Default::default()
        })
        .await?;
    if let Some(a) = answered.first() {
        println!("answered application id: {}", a.id);
    }
    Ok(())
}

/// Times the e-supervision dashboard's reading on `today` (`runs` times): the figures per unit
/// (overdue, due within `soon_days` days, consulting) over every open application, and the
/// first 100 due, each with its due date's explanation.
pub async fn dashboard(store: &Store, today: &str, soon_days: i64, runs: usize) -> Result<()> {
    let day = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d").context("--today")?;
    let soon = date(day + chrono::Duration::days(soon_days));
    let apps = store.applications();
    let mut times = Vec::new();
    let mut totals = (0, 0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let figures = apps.figures(today, &soon).await?;
        let list = apps.due_list(None, &soon, 100).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(list.iter().all(|a| !a.due_note.is_empty()));
        totals = figures.iter().fold((0, 0, 0), |acc, f| {
            (acc.0 + f.overdue, acc.1 + f.due_soon, acc.2 + f.consulting)
        });
    }
    times.sort_by(f64::total_cmp);
    println!(
        "e-supervision reading ({today}): overdue {}, due soon {}, consulting {}; median {:.1} ms, max {:.1} ms ({runs} runs)",
        totals.0,
        totals.1,
        totals.2,
        times[times.len() / 2],
        times[times.len() - 1]
    );
    Ok(())
}
