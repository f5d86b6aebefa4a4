//! `gongkai plan import`: reads a work plan (plain text, DOCX or PDF; Simplified or
//! Traditional), prints each point with its heading, responsibility phrase and resolved units,
//! and — unless `--dry-run` — stores it as a draft for the openness office to confirm in the
//! back office (`/admin/plans/{id}`). Exit 1 when the file holds no numbered points.

use crate::*;

/// Runs the command.
pub(crate) async fn import(
    file: config::FileConfig,
    data: DataArgs,
    path: std::path::PathBuf,
    year: Option<i64>,
    dry_run: bool,
    format: String,
) -> Result<ExitCode> {
    if format != "text" && format != "json" {
        return Err(usage(format!(
            "未知输出格式（unknown format）：{format}；可用：text, json"
        )));
    }
    let beijing_now = chrono::Utc::now() + chrono::Duration::hours(8);
    let year = year.unwrap_or_else(|| i64::from(chrono::Datelike::year(&beijing_now)));
    if !(2000..=2100).contains(&year) {
        return Err(usage(format!("年度无效（bad year）：{year}")));
    }
    let bytes = std::fs::read(&path)
        .with_context(|| format!("无法读取文件（cannot read）：{}", path.display()))?;
    let started = std::time::Instant::now();
    let text =
        gongkai_extract::extract(&bytes).map_err(|e| usage(format!("无法读取计划文件：{e}")))?;
    let (store, _) = open_store(file, &data).await?;
    let reading = match gongkai_web::plans::read(&store, &text).await? {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            store.close().await;
            return Ok(ExitCode::from(1));
        }
    };
    let took = started.elapsed();
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    let saved = if dry_run {
        None
    } else {
        Some(
            store
                .plans()
                .create(&Actor::system("cli"), &reading.to_new(year, &name))
                .await?,
        )
    };
    if format == "json" {
        let out = serde_json::json!({
            "year": year,
            "title": reading.plan.title,
            "preamble": reading.plan.preamble,
            "ignored": reading.plan.ignored,
            "points": reading.points,
            "saved_plan_id": saved.as_ref().map(|p| p.id),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "{}（{}年，{}项）",
            reading.plan.title,
            year,
            reading.points.len()
        );
        for p in &reading.points {
            println!();
            println!("{}. {}", p.number, p.heading);
            println!(
                "   负责：{}",
                p.responsibility.as_deref().unwrap_or("（未写明）")
            );
            let units: Vec<&str> = p.units.iter().map(|u| u.name.as_str()).collect();
            println!(
                "   单位：{}",
                if units.is_empty() {
                    "（无）".to_string()
                } else {
                    units.join("、")
                }
            );
            for problem in &p.problems {
                println!("   待确认：{problem}");
            }
        }
        if !reading.plan.ignored.is_empty() {
            println!();
            println!("略去的文字：");
            for x in &reading.plan.ignored {
                println!("   {}", x.chars().take(80).collect::<String>());
            }
        }
        println!();
        match &saved {
            Some(p) => println!(
                "已存为草稿（计划 {}），请在后台 /admin/plans/{} 核对负责单位后确认。",
                p.id, p.id
            ),
            None => println!(
                "试读完成（--dry-run），未保存。读取用时 {:.1} ms。",
                took.as_secs_f64() * 1000.0
            ),
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
