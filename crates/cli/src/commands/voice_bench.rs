//! Benchmark helpers for the public's voice (`gongkai voice-bench`, hidden): a corpus of
//! messages (half answered and published over two years, half open around a day, on the
//! e-supervision watch list) and bad ratings waiting for rectification, loaded in bulk; and the
//! timing of a consultation revision that carries a draft's paragraph comments to its next
//! version.

use super::power_bench::Rng;
use anyhow::{Context, Result};
use gongkai_domain::consultation::{align, paragraphs};
use gongkai_store::consultations::{NewConsultation, Revision};
use gongkai_store::messages::BulkMessage;
use gongkai_store::ratings::BulkRating;
use gongkai_store::{Actor, Store};
use std::time::Instant;

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Loads `messages` messages (every second one answered within 1 to 20 working days and
/// published, received over the two years before `today`; the others open, received in the 60
/// days before it, on the watch list) and `ratings` bad ratings waiting for rectification (due
/// within 30 days either side of `today`), spread over the demo's units; progress on stderr.
/// Numbers are given in the order things happen (a message's id and number follow the day it
/// was received, a rating's the day it was given), as a running system gives them; `shuffled`
/// gives them in random order instead (an import from another system in no particular order:
/// the worst case for the locality of the alerts' indexes).
pub async fn corpus(
    store: &Store,
    messages: usize,
    ratings: usize,
    today: &str,
    shuffled: bool,
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
    let mut rng = Rng(2026);
    let started = Instant::now();
    let batch = 10_000;
    let kinds = ["consultation", "complaint", "suggestion", "leader"];
    // (days back, answered) of every message, in the order they get their numbers
    let mut plan: Vec<(u64, bool)> = (0..messages)
        .map(|k| {
            let answered = k % 2 == 0;
            let back = if answered {
                30 + rng.below(700)
            } else {
                rng.below(60)
            };
            (back, answered)
        })
        .collect();
    if !shuffled {
        plan.sort_by_key(|&(back, _)| std::cmp::Reverse(back));
    }
    let mut done = 0;
    while done < messages {
        let n = batch.min(messages - done);
        let rows: Vec<BulkMessage> = (0..n)
            .map(|i| {
                let k = done + i;
                let (back, answered) = plan[k];
                let received = today - chrono::Duration::days(i64::try_from(back).unwrap_or(0));
                let due = received + chrono::Duration::days(7);
                let days = 1 + rng.below(20);
                BulkMessage {
                    unit_id: units[k % units.len()],
                    tracking_no: format!("LYB-{k:08}"),
                    kind: kinds[k % 4].into(),
                    subject: format!(
                        "关于第{k}号小区道路维修的{}",
                        ["咨询", "投诉", "建议", "来信"][k % 4]
                    ),
                    body: format!("第{k}号小区门前道路破损多时，雨天积水，请有关部门尽快维修。"),
                    received_on: date(received),
                    due_on: date(due),
                    veto_on: date(gongkai_domain::message::veto_from(received)),
                    answered: answered.then(|| {
                        (
                            date(
                                received
                                    + chrono::Duration::days(
                                        i64::try_from(days).unwrap_or(1) * 7 / 5,
                                    ),
                            ),
                            i64::try_from(days).unwrap_or(1),
                            format!("您好！第{k}号小区道路已列入维修计划，预计本月完工。"),
                        )
                    }),
                    watch: (!answered).then(|| {
                        (
                            date(due - chrono::Duration::days(1)),
                            date(due + chrono::Duration::days(1)),
                        )
                    }),
                }
            })
            .collect();
        store.messages().bulk_load(&actor, &rows).await?;
        done += n;
        eprint!(
            "\rmessages {done}/{messages} ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    // days from `today` to each rating's due date, in the order they get their numbers
    let mut plan: Vec<i64> = (0..ratings)
        .map(|_| i64::try_from(rng.below(61)).unwrap_or(0) - 30)
        .collect();
    if !shuffled {
        plan.sort_unstable();
    }
    let mut done = 0;
    while done < ratings {
        let n = batch.min(ratings - done);
        let rows: Vec<BulkRating> = (0..n)
            .map(|i| {
                let k = done + i;
                let due = today + chrono::Duration::days(plan[k]);
                BulkRating {
                    unit_id: units[k % units.len()],
                    event_no: format!("PJB-{k:08}"),
                    event_id: i64::try_from(k).unwrap_or(i64::MAX),
                    score: 1 + i64::try_from(rng.below(2)).unwrap_or(0),
                    rated_on: date(due - chrono::Duration::days(7)),
                    due: Some((
                        date(due),
                        date(due - chrono::Duration::days(1)),
                        date(due + chrono::Duration::days(1)),
                    )),
                }
            })
            .collect();
        store.ratings().bulk_load(&actor, &rows).await?;
        done += n;
        eprint!(
            "\rratings {done}/{ratings} ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    println!(
        "loaded {messages} messages and {ratings} ratings in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Opens a consultation with a `paras`-paragraph draft and `comments` comments spread over its
/// paragraphs (one in ten on the whole draft), then `runs` times revises it — every tenth
/// paragraph edited, one in forty removed, one in forty added — and times each revision: the
/// alignment, the stored version, and the reading of the new version's paragraphs and comment
/// counts (what the page shows). Prints the median and the slowest.
pub async fn carry(store: &Store, paras: usize, comments: usize, runs: usize) -> Result<()> {
    let unit = store
        .find_unit_by_code("JYJ")
        .await?
        .context("先运行 gongkai demo")?;
    let actor = Actor::system("bench");
    let cs = store.consultations();
    let text: Vec<String> = (0..paras)
        .map(|i| {
            format!(
                "第{}条 关于第{i}项事务的具体规定：有关单位应当依法履行职责，按期完成。",
                i + 1
            )
        })
        .collect();
    let c = cs
        .open(
            &actor,
            &NewConsultation {
                unit_id: unit.id,
                title: "基准测试草案",
                explanation: "基准测试",
                how_to_comment: "网上",
                contact: "基准",
                starts_on: "2026-12-01",
                ends_on: "2026-12-30",
                short_reason: "",
                paragraphs: &text,
                today: "2026-12-01",
            },
        )
        .await?;
    let keys: Vec<String> = cs
        .paragraphs(c.id, 1)
        .await?
        .into_iter()
        .map(|p| p.para_key)
        .collect();
    let rows: Vec<(Option<String>, String)> = (0..comments)
        .map(|i| {
            let key = (i % 10 != 0).then(|| keys[i % keys.len()].clone());
            (key, format!("第{i}条意见：建议进一步明确执行标准。"))
        })
        .collect();
    cs.bulk_comments(&actor, c.id, 1, &rows).await?;
    let mut times = Vec::new();
    let mut current = text;
    for run in 0..runs {
        let mut next: Vec<String> = Vec::with_capacity(current.len());
        for (i, p) in current.iter().enumerate() {
            if i % 40 == 39 {
                continue; // removed
            }
            if i % 10 == 0 {
                next.push(format!("{p}（第{}稿修改）", run + 2));
            } else {
                next.push(p.clone());
            }
            if i % 40 == 20 {
                next.push(format!("新增条款{run}-{i}：本条由起草单位负责解释。"));
            }
        }
        let started = Instant::now();
        let c = cs.get(c.id).await?;
        let old: Vec<String> = cs
            .paragraphs(c.id, c.version)
            .await?
            .into_iter()
            .map(|p| p.text)
            .collect();
        let alignment = align(&old, &paragraphs(&next.join("\n")));
        let revised = cs
            .revise(
                &actor,
                c.id,
                &Revision {
                    from_version: c.version,
                    paragraphs: &next,
                    alignment: &alignment,
                    note: "基准测试修订",
                    today: "2026-12-02",
                },
            )
            .await?;
        let shown = cs.paragraphs(c.id, revised.version).await?;
        let counts = cs.counts(c.id).await?;
        let carried: i64 = counts
            .iter()
            .filter(|(k, _)| {
                k.as_ref()
                    .is_some_and(|k| shown.iter().any(|p| &p.para_key == k))
            })
            .map(|(_, n)| n)
            .sum();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        println!(
            "revision {}: {} paragraphs, {} removed, {carried} of {comments} comments on kept paragraphs: {ms:.1} ms",
            revised.version,
            shown.len(),
            alignment.removed.len()
        );
        current = next;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "carry {comments} comments over a {paras}-paragraph draft: median {:.1} ms, slowest {:.1} ms ({runs} runs)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    Ok(())
}
