//! `gongkai inspect URL`: crawls a government site politely and checks it against the national
//! indicators (`gongkai_domain::inspection`): the single-veto verdict and the deduction score,
//! each with its evidence, as JSON, HTML or XLSX. Exit 0 when the site passes, 1 when it fails.

use crate::*;
use gongkai_domain::inspection::{Report, inspect};
use gongkai_work::inspect::{Crawl, Options, crawl};

/// Runs the command. With `own` (the site is this gongkai's portal), the messages unanswered
/// for over three months come from the database.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    file: config::FileConfig,
    own: Option<DataArgs>,
    url: String,
    max_pages: usize,
    concurrency: usize,
    interval_ms: u64,
    check_external: bool,
    format: String,
    output: Option<std::path::PathBuf>,
) -> Result<ExitCode> {
    if !["json", "html", "xlsx"].contains(&format.as_str()) {
        return Err(usage(format!(
            "未知输出格式（unknown format）：{format}；可用：json, html, xlsx"
        )));
    }
    if format == "xlsx" && output.is_none() {
        return Err(usage("XLSX 报告须用 --output 指定文件"));
    }
    let opts = Options {
        max_pages: max_pages.max(1),
        concurrency: concurrency.clamp(1, 32),
        interval: std::time::Duration::from_millis(interval_ms),
        check_external,
        // the site's documents are read for the personal-data scan, PDFs in a child process
        read_files: Some(gongkai_work::sandbox::Sandbox {
            program: std::env::current_exe().ok(),
            ..Default::default()
        }),
        ..Options::default()
    };
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = |done: usize, queued: usize| {
        if terminal {
            eprint!("\r已检查 {done} 页，待检查 {queued} 页   ");
        }
    };
    let started = std::time::Instant::now();
    let c = crawl(&url, &opts, &progress).map_err(|e| usage(e.to_string()))?;
    if terminal {
        eprintln!();
    }
    let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
    let rules = file.inspection.clone();
    let unanswered = match own {
        Some(data) => {
            let (store, _) = open_store(file, &data).await?;
            let year_ago = today - chrono::Duration::days(365);
            let list = store
                .messages()
                .unanswered_past_veto(
                    &today.format("%Y-%m-%d").to_string(),
                    &year_ago.format("%Y-%m-%d").to_string(),
                    100,
                )
                .await?;
            store.close().await;
            list
        }
        None => Vec::new(),
    };
    let scanner = gongkai_domain::scan::Scanner::new::<&str>(&[]);
    let report = inspect(today, &c.pages, &c.broken, &unanswered, &scanner, &rules);
    eprintln!(
        "检查 {} 页用时 {:.1} 秒：{}，得分 {}",
        c.pages.len(),
        started.elapsed().as_secs_f64(),
        if report.passed { "合格" } else { "不合格" },
        report.score
    );
    let bytes = match format.as_str() {
        "json" => serde_json::to_vec_pretty(&serde_json::json!({
            "url": url, "report": report, "broken_links": c.broken,
            "skipped": c.skipped.iter().map(|(u, why)| serde_json::json!({"url": u, "why": why})).collect::<Vec<_>>(),
        }))?,
        "html" => html(&url, &report, &c).into_bytes(),
        _ => xlsx(&report)?,
    };
    match output {
        Some(path) => std::fs::write(&path, bytes)
            .with_context(|| format!("无法写入（cannot write）：{}", path.display()))?,
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(url: &str, r: &Report, c: &Crawl) -> String {
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>网站检查报告</title></head><body>\
         <h1>网站检查报告：{}</h1><p>检查日期 {}，检查 {} 页。结论：<strong>{}</strong>，得分 {}。</p>",
        esc(url),
        r.day,
        c.pages.len(),
        if r.passed { "合格" } else { "不合格" },
        r.score
    );
    out.push_str("<h2>单项否决</h2>");
    if r.vetoes.is_empty() {
        out.push_str("<p>无。</p>");
    }
    for v in &r.vetoes {
        out.push_str(&format!("<h3>{}</h3><ul>", esc(&v.item)));
        for e in &v.evidence {
            out.push_str(&format!("<li>{}</li>", esc(e)));
        }
        out.push_str("</ul>");
    }
    out.push_str("<h2>扣分</h2>");
    if r.deductions.is_empty() {
        out.push_str("<p>无。</p>");
    }
    for d in &r.deductions {
        out.push_str(&format!(
            "<h3>{}（扣{}分）</h3><ul>",
            esc(&d.item),
            d.points
        ));
        for e in &d.evidence {
            out.push_str(&format!("<li>{}</li>", esc(e)));
        }
        out.push_str("</ul>");
    }
    out.push_str("</body></html>\n");
    out
}

fn xlsx(r: &Report) -> Result<Vec<u8>> {
    let mut rows = Vec::new();
    for v in &r.vetoes {
        for e in &v.evidence {
            rows.push(vec![
                "单项否决".into(),
                v.item.clone(),
                String::new(),
                e.clone(),
            ]);
        }
    }
    for d in &r.deductions {
        for (i, e) in d.evidence.iter().enumerate() {
            rows.push(vec![
                "扣分".into(),
                d.item.clone(),
                if i == 0 {
                    d.points.to_string()
                } else {
                    String::new()
                },
                e.clone(),
            ]);
        }
    }
    Ok(gongkai_extract::sheet::write_table(
        &gongkai_extract::sheet::Table {
            sheet: "检查报告",
            title: &format!(
                "网站检查报告（{}，{}，得分 {}）",
                r.day,
                if r.passed { "合格" } else { "不合格" },
                r.score
            ),
            header: &["类别", "指标", "扣分", "证据"],
            sub_header: None,
            widths: &[10.0, 30.0, 8.0, 80.0],
            rows: &rows,
        },
    )?)
}
