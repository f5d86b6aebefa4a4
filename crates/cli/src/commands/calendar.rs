//! `gongkai calendar`: check dates against the working-day calendar, count deadlines, import a
//! year's schedule.

use crate::*;

/// Runs a calendar subcommand.
pub(crate) async fn calendar(file: config::FileConfig, cmd: CalendarCommand) -> Result<ExitCode> {
    match cmd {
        CalendarCommand::Check { dates, source } => {
            let parsed = dates
                .iter()
                .map(|d| parse_date(d))
                .collect::<Result<Vec<_>>>()?;
            let cal = calendar_for(file, &source).await?;
            let infos = parsed
                .into_iter()
                .map(|d| cal.day(d, coverage(&source)))
                .collect::<Result<Vec<_>, _>>()?;
            for info in infos {
                let d = info.date;
                let mark = if info.assumed {
                    "  (assumed: no data for this year)"
                } else {
                    ""
                };
                println!(
                    "{} {}{mark}",
                    d,
                    if info.workday { "workday" } else { "off" }
                );
            }
        }
        CalendarCommand::Add { date, n, source } => {
            let (start, n) = (parse_date(&date)?, parse_n(&n)?);
            let cal = calendar_for(file, &source).await?;
            let (end, steps) = cal.explain_add(start, n, coverage(&source))?;
            let mark = if steps.iter().any(|s| s.assumed) {
                "  (assumed: weekend rule used for a year without data)"
            } else {
                ""
            };
            println!("{end}{mark}");
        }
        CalendarCommand::Explain { date, n, source } => {
            let (start, n) = (parse_date(&date)?, parse_n(&n)?);
            let cal = calendar_for(file, &source).await?;
            let (end, steps) = cal.explain_add(start, n, coverage(&source))?;
            println!("{start} 起算日（不计入 / start day, not counted）");
            let mut counted = 0;
            for s in &steps {
                if s.workday {
                    counted += 1;
                    println!(
                        "{} workday  第{counted}个工作日  {}",
                        s.date,
                        s.reason_text()
                    );
                } else {
                    println!("{} off      不计          {}", s.date, s.reason_text());
                }
            }
            println!("结果（result）：{start} 之后第 {n} 个工作日是 {end}");
        }
        CalendarCommand::Import { file: path, data } => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("无法读取文件 {}", path.display()))?;
            let year = parse_year(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
            let (store, _) = open_store(file, &data).await?;
            store
                .import_calendar_year(&Actor::system("cli"), &year)
                .await?;
            println!(
                "已导入 {} 年节假日安排：{} 个例外日（imported）",
                year.year,
                year.days.len()
            );
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}
