//! `gongkai evaluation`: the units' yearly assessment (考评) from the command line — the same
//! scorecards as `/admin/evaluation`, printed as a table or JSON, or written as XLSX — with
//! the time the scoring took on stderr. `gongkai evaluation-bench corpus` (hidden) loads a
//! year's data for its benchmark: units, items, applications, messages, cases and ratings.

use crate::*;
use gongkai_store::Actor;
use std::time::Instant;

/// Runs `gongkai evaluation`.
pub(crate) async fn score(
    file: config::FileConfig,
    data: DataArgs,
    year: Option<i64>,
    today: Option<String>,
    format: String,
    output: Option<std::path::PathBuf>,
) -> Result<ExitCode> {
    if !["text", "json", "xlsx"].contains(&format.as_str()) {
        return Err(usage(format!(
            "未知输出格式（unknown format）：{format}；可用：text, json, xlsx"
        )));
    }
    if format == "xlsx" && output.is_none() {
        return Err(usage("xlsx 格式需要 --output 文件".to_string()));
    }
    let beijing = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let today = match today {
        Some(t) => chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|_| usage(format!("日期无效（bad date）：{t}，应为 YYYY-MM-DD")))?,
        None => beijing,
    };
    let year = year.unwrap_or_else(|| i64::from(chrono::Datelike::year(&today)));
    if !(2000..=2100).contains(&year) {
        return Err(usage(format!("年度无效（bad year）：{year}")));
    }
    let rules = file.evaluation.clone();
    let weights = file.oversight.weights();
    let (store, _) = open_store(file, &data).await?;
    let started = Instant::now();
    let cards = gongkai_web::evaluation::assess(
        &store,
        &rules,
        &weights,
        year,
        &today.format("%Y-%m-%d").to_string(),
    )
    .await?;
    let took = started.elapsed();
    let units = store.list_units().await?;
    store.close().await;
    let name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(String::new, |u| u.name.clone())
    };
    let text = match format.as_str() {
        "xlsx" => None,
        "json" => Some(
            serde_json::to_string_pretty(&serde_json::json!({
                "year": year,
                "as_of": today.format("%Y-%m-%d").to_string(),
                "rules": rules,
                "scorecards": cards.iter().map(|c| {
                    let mut v = serde_json::to_value(c).unwrap_or_default();
                    v["unit"] = serde_json::Value::from(name(c.unit_id));
                    v
                }).collect::<Vec<_>>(),
            }))? + "\n",
        ),
        _ => {
            let shown = |x: Option<f64>| x.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"));
            let mut out = format!(
                "{year}年度政务公开考评（截至{today}）\n名次\t单位\t平时工作\t任务完成\t资料档案\t网上查评\t社会评议\t总分\t依据件数\n"
            );
            for c in &cards {
                let scores: Vec<String> = c.indicators.iter().map(|i| shown(i.score)).collect();
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}{}\n",
                    c.rank.map_or_else(|| "—".into(), |r| r.to_string()),
                    name(c.unit_id),
                    scores.join("\t"),
                    shown(c.total),
                    c.cases,
                    if c.little_data && c.total.is_some() {
                        "（数据较少）"
                    } else {
                        ""
                    }
                ));
            }
            Some(out)
        }
    };
    match (text, output) {
        (Some(t), None) => print!("{t}"),
        (Some(t), Some(path)) => std::fs::write(&path, t)
            .with_context(|| format!("无法写入（cannot write）：{}", path.display()))?,
        (None, path) => {
            let bytes = gongkai_web::evaluation::workbook(&cards, &units, &rules, year)?;
            let path = path.unwrap_or_default();
            std::fs::write(&path, bytes)
                .with_context(|| format!("无法写入（cannot write）：{}", path.display()))?;
        }
    }
    eprintln!(
        "考评 {} 个单位（{} 个参加排名），算分用时 {:.0} ms",
        cards.len(),
        cards.iter().filter(|c| c.rank.is_some()).count(),
        took.as_secs_f64() * 1000.0
    );
    Ok(ExitCode::SUCCESS)
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Loads a year's data for the assessment benchmark (after `gongkai demo`): `units` units in
/// all (new departments added under the district), and `rows` each of items, applications,
/// messages and cases plus `rows / 5` ratings, received over the year up to `today`, spread
/// unevenly over the units (a few large, many small), with a few percent late or open past
/// their due date. Progress on stderr.
pub(crate) async fn corpus(store: &Store, units: usize, rows: usize, today: &str) -> Result<()> {
    use gongkai_domain::org::NewUnit;
    use gongkai_domain::org::UnitType;
    let today = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d").context("--today")?;
    let year = chrono::Datelike::year(&today);
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).context("year")?;
    let span = (today - start).num_days().max(1) as u64;
    let actor = Actor::system("bench");
    let existing = store.list_units().await?;
    let root = existing
        .iter()
        .find(|u| u.parent_id.is_none())
        .context("先运行 gongkai demo")?
        .id;
    for i in existing.len()..units {
        store
            .create_unit(
                &actor,
                Some(root),
                &NewUnit {
                    name: format!("基准测试单位{i:03}"),
                    unit_type: UnitType::Department,
                    code: format!("PB{i:03}"),
                    uscc: None,
                },
            )
            .await?;
    }
    let ids: Vec<i64> = store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.parent_id.is_some())
        .map(|u| u.id)
        .collect();
    let category = store
        .disclosure()
        .list_categories(None)
        .await?
        .first()
        .context("先运行 gongkai demo（需要标准目录栏目）")?
        .id;
    let power = store
        .power()
        .item_by_code("33019900SJJ-XK-0001")
        .await?
        .context("先运行 gongkai demo（需要演示的食品经营许可事项）")?;
    let mut rng = super::power_bench::Rng(2026);
    // a unit by a skewed draw: the first units get most of the records
    let unit = |rng: &mut super::power_bench::Rng| {
        let u = rng.below(1_000_000) as f64 / 1_000_000.0;
        ids[((u * u * u) * ids.len() as f64) as usize % ids.len()]
    };
    let started = Instant::now();
    let batch = 10_000;
    let mut done = 0;
    while done < rows {
        let n = batch.min(rows - done);
        let mut items = Vec::with_capacity(n);
        let mut apps = Vec::with_capacity(n);
        let mut msgs = Vec::with_capacity(n);
        let mut cases = Vec::with_capacity(n);
        let mut ratings = Vec::new();
        for i in 0..n {
            let k = done + i;
            let day = start + chrono::Duration::days(rng.below(span) as i64);
            let late = rng.below(100) < 6;
            items.push(gongkai_store::disclosure::BulkItem {
                unit_id: unit(&mut rng),
                category_id: category,
                index_no: format!("PB-{year}-{k:08}"),
                published_at: format!("{}T02:00:00.000000Z", date(day)),
                days_late: if late { 1 + rng.below(10) as i64 } else { 0 },
            });
            let received = start + chrono::Duration::days(rng.below(span) as i64);
            let due = received + chrono::Duration::days(28);
            let closed = due <= today || rng.below(2) == 0;
            let finish = received + chrono::Duration::days(rng.below(32) as i64);
            apps.push(gongkai_store::applications::BulkApplication {
                unit_id: unit(&mut rng),
                tracking_no: format!("PBSQ-{k:08}"),
                applicant_type: "natural_person".into(),
                name: format!("申请人{k}"),
                id_document: "11010519491231002X".into(),
                content: format!("请公开第{k}号文件"),
                received_on: date(received),
                state: if closed && rng.below(20) != 0 {
                    "closed".into()
                } else {
                    "received".into()
                },
                due_on: Some(date(due)),
                due_note: String::new(),
                outcome: String::new(),
                closed_on: None,
                watch: None,
                late: false,
            });
            let a = apps.last_mut().context("pushed")?;
            if a.state == "closed" {
                let on = finish.min(today);
                a.closed_on = Some(date(on));
                a.late = on > due;
                a.outcome = "disclosed".into();
            }
            let received = start + chrono::Duration::days(rng.below(span) as i64);
            let due = received + chrono::Duration::days(7);
            let answered = received + chrono::Duration::days(rng.below(9) as i64);
            msgs.push(gongkai_store::messages::BulkMessage {
                unit_id: unit(&mut rng),
                tracking_no: format!("PBLY-{k:08}"),
                kind: "consultation".into(),
                subject: format!("关于第{k}号事项的咨询"),
                body: "请问如何办理。".into(),
                received_on: date(received),
                due_on: date(due),
                veto_on: date(received + chrono::Duration::days(90)),
                answered: (answered <= today && rng.below(20) != 0)
                    .then(|| (date(answered), 3, String::new())),
                watch: None,
            });
            let opened = start + chrono::Duration::days(rng.below(span) as i64);
            let due = opened + chrono::Duration::days(20);
            let closed = opened + chrono::Duration::days(rng.below(23) as i64);
            cases.push(gongkai_store::power::cases::BulkCase {
                unit_id: unit(&mut rng),
                item_id: power.id,
                version: 1,
                case_no: format!("PBBJ-{k:08}"),
                applicant_name: format!("申请人{k}"),
                subject: "食品经营许可申请".into(),
                step_key: "review".into(),
                step_started_on: date(opened),
                due_on: date(due),
                yellow_on: date(due - chrono::Duration::days(1)),
                red_on: date(due + chrono::Duration::days(1)),
                opened_on: date(opened),
                closed_on: (closed <= today && rng.below(20) != 0).then(|| date(closed)),
            });
            if k % 5 == 0 {
                let score = [5, 5, 5, 4, 4, 3, 2, 1][rng.below(8) as usize];
                let rated = start + chrono::Duration::days(rng.below(span) as i64);
                let due = rated + chrono::Duration::days(7);
                ratings.push(gongkai_store::ratings::BulkRating {
                    unit_id: unit(&mut rng),
                    event_no: format!("PBPJ-{k:08}"),
                    event_id: 10_000_000 + k as i64,
                    score,
                    rated_on: date(rated),
                    // a bad rating waits for its rectification
                    due: (score <= 2).then(|| {
                        (
                            date(due),
                            date(due - chrono::Duration::days(1)),
                            date(due + chrono::Duration::days(1)),
                        )
                    }),
                });
            }
        }
        store.disclosure().bulk_items(&actor, &items).await?;
        store.applications().bulk_load(&actor, &apps).await?;
        store.messages().bulk_load(&actor, &msgs).await?;
        store.power().bulk_cases(&actor, &cases).await?;
        store.ratings().bulk_load(&actor, &ratings).await?;
        done += n;
        eprint!(
            "\r{done}/{rows}（{:.0} 组/秒）",
            done as f64 / started.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    Ok(())
}
