//! `gongkai finance`: import a year's classification of expenditure (`codes import`), import a
//! unit's budget or final-account workbook through the same checks as the back office
//! (`import`, exit 1 with every failed rule listed), and write a consistent sample budget
//! workbook (`sample`) for trials, tests and benchmarks.

use crate::*;

fn read_grid(path: &std::path::Path) -> Result<Vec<Vec<String>>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("无法读取文件（cannot read）：{}", path.display()))?;
    if bytes.starts_with(b"PK") {
        gongkai_extract::sheet::read_grid(&bytes).map_err(|e| usage(format!("无法读取 XLSX：{e}")))
    } else {
        let text = String::from_utf8(bytes).map_err(|_| {
            usage("文件须为 XLSX 或 UTF-8 编码的 CSV（file must be XLSX or UTF-8 CSV）")
        })?;
        Ok(gongkai_domain::finance::codes::csv_grid(&text))
    }
}

/// `gongkai finance codes import FILE --year Y`.
pub(crate) async fn import_codes(
    file: config::FileConfig,
    data: DataArgs,
    path: std::path::PathBuf,
    year: i32,
) -> Result<ExitCode> {
    if !(2000..=2100).contains(&year) {
        return Err(usage(format!("年度无效（bad year）：{year}")));
    }
    let grid = read_grid(&path)?;
    let book = match gongkai_domain::finance::codes::read(year, &grid) {
        Ok(b) => b,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!(
                "科目表有 {} 处问题，未导入（nothing imported）",
                problems.len()
            );
            return Ok(ExitCode::from(1));
        }
    };
    let (store, _) = open_store(file, &data).await?;
    let n = store
        .finance()
        .import_codes(&Actor::system("cli"), &book)
        .await?;
    println!("已导入{year}年政府收支分类科目 {n} 个");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// What `finance import` is given.
pub(crate) struct ImportArgs {
    pub path: std::path::PathBuf,
    pub unit: String,
    pub year: i64,
    pub phase: String,
    pub approved_on: String,
    pub dry_run: bool,
    pub format: String,
}

/// `gongkai finance import FILE --unit CODE --year Y --phase P --approved-on D [--dry-run]`.
pub(crate) async fn import(
    file: config::FileConfig,
    data: DataArgs,
    a: ImportArgs,
) -> Result<ExitCode> {
    use gongkai_web::finance::{Input, Outcome};
    if a.format != "text" && a.format != "json" {
        return Err(usage(format!(
            "未知输出格式（unknown format）：{}；可用：text, json",
            a.format
        )));
    }
    let phase = gongkai_domain::finance::Phase::from_code(&a.phase).ok_or_else(|| {
        usage(format!(
            "--phase 应为 budget、adjusted 或 final，而不是 {}",
            a.phase
        ))
    })?;
    if !(2000..=2100).contains(&a.year) {
        return Err(usage(format!("年度无效（bad year）：{}", a.year)));
    }
    let approved_on = parse_date(&a.approved_on)?;
    let bytes = std::fs::read(&a.path)
        .with_context(|| format!("无法读取文件（cannot read）：{}", a.path.display()))?;
    let started = std::time::Instant::now();
    let sheets = gongkai_extract::sheet::read_sheets(&bytes)
        .map_err(|e| usage(format!("无法读取工作簿：{e}")))?;
    let (store, settings) = open_store(file, &data).await?;
    let unit = store
        .find_unit_by_code(&a.unit)
        .await?
        .ok_or_else(|| usage(format!("没有代码为 {} 的单位（no such unit）", a.unit)))?;
    let name = a.path.file_name().map_or_else(
        || "workbook.xlsx".to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let input = Input {
        unit_id: unit.id,
        year: a.year,
        phase,
        approved_on,
        file_name: &name,
        dry_run: a.dry_run,
    };
    let outcome = gongkai_web::finance::import(
        &store,
        &settings.web.finance,
        &Actor::system("cli"),
        &input,
        &bytes,
        sheets,
    )
    .await?;
    let took = started.elapsed().as_secs_f64() * 1000.0;
    store.close().await;
    match outcome {
        Outcome::Refused(failures) => {
            if a.format == "json" {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "passed": false, "failures": failures })
                    )?
                );
            } else {
                for f in &failures {
                    println!("{f}");
                }
                eprintln!(
                    "共 {} 处不符，未导入（nothing stored）；用时 {took:.1} ms",
                    failures.len()
                );
            }
            Ok(ExitCode::from(1))
        }
        Outcome::Passed(c, id) => {
            let s = &c.summary;
            if a.format == "json" {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "passed": true, "set_id": id, "tables": c.tables.len(), "summary": s, "millis": took,
                    }))?
                );
            } else {
                println!(
                    "检查通过：{}张表，{}行；支出合计 {} 万元（基本 {}，项目 {}），“三公”经费 {} 万元{}{}",
                    c.tables.len(),
                    c.tables.iter().map(|t| t.rows.len()).sum::<usize>(),
                    gongkai_domain::finance::wan(s.expenditure),
                    gongkai_domain::finance::wan(s.basic),
                    gongkai_domain::finance::wan(s.project),
                    gongkai_domain::finance::wan(s.three_public[0]),
                    if s.empty_tables.is_empty() {
                        String::new()
                    } else {
                        format!("；空表：{}", s.empty_tables.join("、"))
                    },
                    if s.to_item_level {
                        ""
                    } else {
                        "；一般公共预算支出未细化到项级科目"
                    },
                );
                match id {
                    Some(id) => {
                        println!("已存为草稿（/admin/finance/sets/{id}），请填写说明后提交审核。")
                    }
                    None => println!("试导入（--dry-run），未保存。"),
                }
                eprintln!(
                    "读取、检查{}用时 {took:.1} ms",
                    if id.is_some() { "并保存" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `gongkai finance sample --output FILE`: a consistent department budget workbook; with
/// `--leaves` beyond the shipped list, a synthetic classification is written beside it
/// (`--codes-output`) to import first.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sample(
    output: std::path::PathBuf,
    unit: String,
    year: i32,
    leaves: usize,
    seed: u64,
    fund: bool,
    codes_output: Option<std::path::PathBuf>,
) -> Result<ExitCode> {
    use gongkai_domain::finance::sample;
    let shipped = gongkai_domain::finance::codes::shipped(year).unwrap_or_default();
    let shipped_items = shipped.names.keys().filter(|c| c.len() == 7).count();
    let book = if codes_output.is_some() || leaves > shipped_items || shipped.is_empty() {
        sample::synthetic_codes(year, leaves)
    } else {
        shipped
    };
    let sheets = sample::budget(
        &book,
        &sample::Params {
            unit,
            year,
            leaves,
            seed,
            fund,
        },
    );
    std::fs::write(&output, gongkai_web::finance::sample_xlsx(&sheets)?)
        .with_context(|| format!("无法写入（cannot write）：{}", output.display()))?;
    if let Some(p) = codes_output {
        let mut csv = String::from("科目编码,科目名称\n");
        for (c, n) in &book.names {
            csv.push_str(&format!("{c},{n}\n"));
        }
        std::fs::write(&p, csv)
            .with_context(|| format!("无法写入（cannot write）：{}", p.display()))?;
    }
    println!(
        "已生成 {}（{}张表，{} 个项级科目）",
        output.display(),
        sheets.len(),
        leaves
    );
    Ok(ExitCode::SUCCESS)
}

/// `gongkai finance-bench` (hidden): every unit's budget published for `years` years up to
/// `last` (units added up to `units`), for the district view's benchmark. Each set goes
/// through the same checks and store calls as an import, explained, submitted and published.
pub(crate) async fn bench_corpus(
    store: &gongkai_store::Store,
    units: usize,
    years: i32,
    last: i32,
    leaves: usize,
) -> Result<()> {
    use gongkai_domain::finance::{Phase, Rules, sample};
    use gongkai_domain::org::{NewUnit, UnitType};
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
                    code: format!("FB{i:03}"),
                    uscc: None,
                },
            )
            .await?;
    }
    let list: Vec<_> = store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.parent_id.is_some())
        .take(units)
        .collect();
    let rules = Rules::default();
    let f = store.finance();
    let started = std::time::Instant::now();
    let mut n = 0;
    for year in last + 1 - years..=last {
        let mut book = gongkai_domain::finance::codes::shipped(2026).context("shipped codes")?;
        book.year = year;
        if f.codes(year).await?.is_none() {
            f.import_codes(&actor, &book).await?;
        }
        for (i, u) in list.iter().enumerate() {
            let sheets = sample::budget(
                &book,
                &sample::Params {
                    unit: u.name.clone(),
                    year,
                    leaves: leaves + i % 7,
                    seed: (i as u64) * 1000 + year as u64,
                    fund: i % 3 == 0,
                },
            );
            let grids = sample::grids(&sheets);
            let checked =
                gongkai_domain::finance::check::import(Phase::Budget, &grids, &book, &rules)
                    .map_err(|e| anyhow::anyhow!("{:?}", e.first()))?;
            let approved = chrono::NaiveDate::from_ymd_opt(year, 2, 15).context("date")?;
            let id = f
                .import(
                    &actor,
                    &gongkai_store::finance::NewSet {
                        unit_id: u.id,
                        year: i64::from(year),
                        phase: Phase::Budget,
                        approved_on: approved,
                        publish_by: rules.publish_by(approved),
                        file_name: "bench.xlsx",
                        file_sha256: "",
                        tables: &checked.tables,
                        summary: &checked.summary,
                    },
                )
                .await?;
            let text = gongkai_domain::finance::EXPLANATION
                .iter()
                .map(|(k, h)| (k.to_string(), format!("{}{year}年{h}。", u.name)))
                .collect();
            f.explain(&actor, id, &text).await?;
            f.submit(&actor, id).await?;
            f.publish(&actor, id, Some(&format!("{year}-03-01T02:00:00Z")))
                .await?;
            n += 1;
        }
        eprintln!(
            "{year}: {n} sets ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
