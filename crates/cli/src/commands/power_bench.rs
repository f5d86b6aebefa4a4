//! Commands of the power list: the e-supervision scan (`gongkai supervision scan`, also run by
//! the server), and the hidden benchmark helpers (`gongkai power-bench`): a corpus of open cases
//! and published decisions loaded in bulk, and in-process timing of the item page and the
//! flowchart layout.

use anyhow::{Context, Result};
use gongkai_domain::power::flow::{
    Flow, Limit, Step, StepKind, Transition, TransitionKind, layout,
};
use gongkai_store::power::cases::BulkCase;
use gongkai_store::power::decisions::NewDecision;
use gongkai_store::{Actor, Store};
use std::time::Instant;

/// Runs the alert scan for `today` (Beijing date, default today) and reports what it raised.
pub async fn scan(store: &Store, today: Option<String>) -> Result<()> {
    let today = match today {
        Some(t) => {
            chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .with_context(|| format!("日期格式应为 YYYY-MM-DD：{t}"))?;
            t
        }
        None => (chrono::Utc::now() + chrono::Duration::hours(8))
            .date_naive()
            .format("%Y-%m-%d")
            .to_string(),
    };
    let started = Instant::now();
    let r = store
        .power()
        .scan_alerts(&Actor::system("cli"), &today)
        .await?;
    println!(
        "电子监察扫描（{today}）：办件和双公示新增红牌{}个、黄牌{}个，耗时 {:.1} ms",
        r.red,
        r.yellow,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let (yellow, red) = store
        .applications()
        .scan_alerts(&Actor::system("cli"), &today)
        .await?;
    println!(
        "电子监察扫描（{today}）：依申请公开新增超期{red}件、即将到期{yellow}件，耗时 {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let (yellow, red) = store
        .messages()
        .scan_alerts(&Actor::system("cli"), &today)
        .await?;
    println!(
        "电子监察扫描（{today}）：留言新增超期（含超过3个月未答复）{red}件、即将到期{yellow}件，耗时 {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let (yellow, red) = store
        .ratings()
        .scan_alerts(&Actor::system("cli"), &today)
        .await?;
    println!(
        "电子监察扫描（{today}）：差评整改新增超期{red}件、即将到期{yellow}件，耗时 {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let (yellow, red) = store
        .oversight()
        .scan_alerts(&Actor::system("cli"), &today)
        .await?;
    println!(
        "电子监察扫描（{today}）：整改通知新增超期{red}件、即将到期{yellow}件，耗时 {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

/// A small deterministic generator (xorshift), so corpora are the same on every run (shared by
/// the power and application benchmark corpora).
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Loads `cases` open cases of the demo licence (its five task steps, one current step each,
/// due dates spread over the 120 days around `today`) and `decisions` published decisions
/// (spread over three years), in batches, with progress on stderr.
pub async fn corpus(store: &Store, cases: usize, decisions: usize, today: &str) -> Result<()> {
    let power = store.power();
    let item = power
        .item_by_code("33019900SJJ-XK-0001")
        .await?
        .context("先运行 gongkai demo（需要演示的食品经营许可事项）")?;
    let unit = store.get_unit(item.unit_id).await?;
    let today = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d")?;
    let actor = Actor::system("bench");
    let steps = ["apply", "accept", "review", "decide", "deliver"];
    let mut rng = Rng(2026);
    let started = Instant::now();
    let batch = 20_000;
    let mut done = 0;
    while done < cases {
        let n = batch.min(cases - done);
        let rows: Vec<BulkCase> = (0..n)
            .map(|i| {
                let k = done + i;
                let due = today + chrono::Duration::days(rng.below(120) as i64 - 30);
                let date = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
                BulkCase {
                    unit_id: unit.id,
                    item_id: item.id,
                    version: 1,
                    case_no: format!("BENCH-{k:07}"),
                    applicant_name: format!("申请人{k}"),
                    subject: "食品经营许可申请".into(),
                    step_key: steps[k % steps.len()].into(),
                    step_started_on: date(due - chrono::Duration::days(7)),
                    due_on: date(due),
                    yellow_on: date(due - chrono::Duration::days(1)),
                    red_on: date(due + chrono::Duration::days(1)),
                    opened_on: date(due - chrono::Duration::days(10)),
                    closed_on: None,
                }
            })
            .collect();
        power.bulk_cases(&actor, &rows).await?;
        done += n;
        eprint!("\r办件 {done}/{cases}");
    }
    if cases > 0 {
        eprintln!(
            "（{:.0} 件/秒）",
            cases as f64 / started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let mut done = 0;
    while done < decisions {
        let n = batch.min(decisions - done);
        let rows: Vec<NewDecision> = (0..n)
            .map(|i| {
                let k = done + i;
                let on = today - chrono::Duration::days(rng.below(3 * 365) as i64);
                let penalty = k % 3 == 0;
                let date = on.format("%Y-%m-%d").to_string();
                NewDecision {
                    case_id: None,
                    unit_id: unit.id,
                    item_id: item.id,
                    kind: if penalty { "penalty" } else { "licence" }.into(),
                    party_name: format!("示范区第{k}号经营户"),
                    party_type: "organisation".into(),
                    party_code: "91330199MA2H7N3K4X".into(),
                    doc_no: format!("示市监〔{}〕{k}号", on.format("%Y")),
                    category: if penalty { "罚款" } else { "普通" }.into(),
                    content: if penalty {
                        "罚款5000元"
                    } else {
                        "准予食品经营许可"
                    }
                    .into(),
                    fine_fen: if penalty { 500_000 } else { 0 },
                    penalty_class: if penalty { "severe" } else { "" }.into(),
                    decided_on: date.clone(),
                    authority: unit.name.clone(),
                    authority_uscc: unit.uscc.clone().unwrap_or_default(),
                    due_on: date.clone(),
                    today: date,
                    ..NewDecision::default()
                }
            })
            .collect();
        power.import_decisions(&actor, &rows).await?;
        done += n;
        eprint!("\r决定 {done}/{decisions}");
    }
    if decisions > 0 {
        eprintln!(
            "（{:.0} 条/秒）",
            decisions as f64 / started.elapsed().as_secs_f64()
        );
    }
    store.analyze().await?;
    Ok(())
}

/// A 20-step flow: a chain of 16 task steps with a correction loop every fourth step and
/// refusals, ending in four end states.
pub fn twenty_steps() -> Flow {
    let mut steps = Vec::new();
    let mut transitions = Vec::new();
    for i in 0..16 {
        steps.push(Step {
            key: format!("s{i}"),
            name: format!("第{}环节审查", i + 1),
            actor: "业务科室".into(),
            limit: Limit::Days(1),
            kind: StepKind::Task,
        });
    }
    for (key, name) in [
        ("ok", "准予"),
        ("no", "不予受理"),
        ("deny", "不予许可"),
        ("stop", "终止"),
    ] {
        steps.push(Step {
            key: key.into(),
            name: name.into(),
            actor: String::new(),
            limit: Limit::None,
            kind: StepKind::End,
        });
    }
    let tr = |from: String, to: &str, kind| Transition {
        from,
        to: to.into(),
        kind,
        label: String::new(),
    };
    for i in 0..15 {
        transitions.push(tr(
            format!("s{i}"),
            &format!("s{}", i + 1),
            TransitionKind::Next,
        ));
        if i % 4 == 3 {
            transitions.push(tr(
                format!("s{i}"),
                &format!("s{}", i - 2),
                TransitionKind::Correct,
            ));
        }
    }
    transitions.push(tr("s15".into(), "ok", TransitionKind::Approve));
    transitions.push(tr("s1".into(), "no", TransitionKind::Refuse));
    transitions.push(tr("s10".into(), "deny", TransitionKind::Refuse));
    transitions.push(tr("s12".into(), "stop", TransitionKind::Refuse));
    Flow { steps, transitions }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Times `n` in-process renders of a page (no socket, no cache; as a staff member with
/// `cookie`) and `n` layouts of a 20-step flowchart; prints median and p99 of each in
/// milliseconds.
pub async fn render(app: axum::Router, path: &str, cookie: Option<&str>, n: usize) -> Result<()> {
    use tower::ServiceExt;
    let mut page = Vec::with_capacity(n);
    for i in 0..n + 20 {
        let mut req = axum::http::Request::get(path);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let req = req.body(axum::body::Body::empty())?;
        let t = Instant::now();
        let resp = app.clone().oneshot(req).await?;
        anyhow::ensure!(resp.status().is_success(), "{path}: HTTP {}", resp.status());
        let body = axum::body::to_bytes(resp.into_body(), 1 << 24).await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(body.len() > 1000, "page too small: {}", body.len());
        if i >= 20 {
            page.push(ms);
        }
    }
    let flow = twenty_steps();
    anyhow::ensure!(flow.validate().is_empty(), "{:?}", flow.validate());
    let mut lay = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let l = std::hint::black_box(layout(std::hint::black_box(&flow)));
        lay.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(l.nodes.len() == 20);
    }
    for v in [&mut page, &mut lay] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "page {path}: median {:.2} ms, p99 {:.2} ms ({n} renders)",
        percentile(&page, 0.5),
        percentile(&page, 0.99)
    );
    println!(
        "20-step flowchart layout: median {:.3} ms, p99 {:.3} ms ({n} layouts)",
        percentile(&lay, 0.5),
        percentile(&lay, 0.99)
    );
    Ok(())
}
