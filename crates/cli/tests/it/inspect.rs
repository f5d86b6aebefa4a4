//! Website inspection: `gongkai inspect` against a small site served on loopback with known
//! faults (a stale column, an empty column, a broken link, a leaked ID number, a missing meta
//! tag) and parts that are right, which must not be reported.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;

const SITE_META: &str = r#"<meta name="SiteName" content="示范区人民政府"><meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3301020001">"#;
const FOOTER: &str = "<footer>主办单位：示范区人民政府办公室 网站标识码：3301020001 浙ICP备00000000号 浙公网安备 33010202000000号 <a href=\"/jiucuo\">我为政府网站找错</a></footer>";

fn column(name: &str, kind: &str, items: &[(&str, &str)]) -> String {
    let list: String = items
        .iter()
        .map(|(href, date)| format!("<li><a href=\"{href}\">信息</a> <span>{date}</span></li>"))
        .collect();
    format!(
        "<html><head>{SITE_META}<meta name=\"ColumnName\" content=\"{name}\"><meta name=\"ColumnDescription\" content=\"{name}\"><meta name=\"ColumnKeywords\" content=\"{name}\"><meta name=\"ColumnType\" content=\"{kind}\"></head><body><h1>{name}</h1><ul>{list}</ul>{FOOTER}</body></html>"
    )
}

fn article(title: &str, date: &str, source: bool, body: &str) -> String {
    format!(
        "<html><head>{SITE_META}<meta name=\"ArticleTitle\" content=\"{title}\"><meta name=\"PubDate\" content=\"{date} 09:00\">{}</head><body><h1>{title}</h1><p>{body}</p>{FOOTER}</body></html>",
        if source {
            "<meta name=\"ContentSource\" content=\"区民政局\">"
        } else {
            ""
        }
    )
}

/// Serves `pages` on a loopback port until the process ends; other paths answer 404.
fn serve(pages: HashMap<String, String>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let mut s = stream;
            let (status, ctype, body) = match pages.get(&path) {
                Some(b) if path == "/robots.txt" => ("200 OK", "text/plain", b.clone()),
                Some(b) => ("200 OK", "text/html; charset=utf-8", b.clone()),
                None => ("404 Not Found", "text/html", "<h1>404</h1>".to_string()),
            };
            let body = if line.starts_with("HEAD") {
                String::new()
            } else {
                body
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn an_inspection_finds_the_planted_faults_and_nothing_that_is_right() {
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let recent = (today - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let mut pages = HashMap::new();
    pages.insert(
        "/".to_string(),
        format!(
            "<html><head>{SITE_META}</head><body><h1>示范区人民政府</h1><ul><li><a href=\"/items/3\">要闻</a> {recent}</li></ul>\
             <a href=\"/col/news\">要闻动态</a> <a href=\"/col/notice\">通知公告</a> <a href=\"/col/empty\">专题专栏</a> \
             <a href=\"/gone\">已删除的页面</a> <a href=\"/private/x\">内部</a> <a href=\"https://www.gov.cn/\">中国政府网</a>{FOOTER}</body></html>"
        ),
    );
    pages.insert(
        "/col/news".into(),
        column("要闻动态", "信息发布", &[("/items/3", &recent)]),
    );
    pages.insert(
        "/col/notice".into(),
        column(
            "通知公告",
            "通知公告",
            &[("/items/1", "2025-01-06"), ("/items/2", "2025-01-05")],
        ),
    );
    pages.insert("/col/empty".into(), column("专题专栏", "专题", &[]));
    pages.insert(
        "/items/1".into(),
        article(
            "低保名单公示",
            "2025-01-06",
            true,
            "申请人张三，身份证号 11010519491231002X。",
        ),
    );
    pages.insert(
        "/items/2".into(),
        article("停水通知", "2025-01-05", false, "明日停水。"),
    );
    pages.insert(
        "/items/3".into(),
        article("区长调研", &recent, true, "调研基层政务公开。"),
    );
    pages.insert(
        "/jiucuo".into(),
        "<html><head></head><body>纠错</body></html>".into(),
    );
    pages.insert(
        "/robots.txt".into(),
        "User-agent: *\nDisallow: /private\n".into(),
    );
    let port = serve(pages);
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args([
            "inspect",
            &format!("http://127.0.0.1:{port}/"),
            "--concurrency",
            "2",
            "--interval-ms",
            "0",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let report = &v["report"];
    let all = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| format!("{} {}", x["item"], x["evidence"]))
            .collect()
    };
    let (vetoes, deductions) = (all("vetoes"), all("deductions"));
    // what is wrong: each planted fault, with its evidence
    let has = |needle: &str, rows: &[String]| rows.iter().any(|r| r.contains(needle));
    assert!(
        has("通知公告", &deductions),
        "stale notice column: {deductions:?}"
    );
    assert!(has("专题专栏", &deductions), "empty column: {deductions:?}");
    assert!(has("/gone", &deductions), "broken link: {deductions:?}");
    assert!(
        has("/items/1", &deductions) && !has("11010519491231002X", &deductions),
        "leaked ID, masked"
    );
    assert!(
        has("/items/2：缺少 ContentSource", &deductions),
        "missing meta: {deductions:?}"
    );
    // what is right: not reported
    assert!(vetoes.is_empty(), "{vetoes:?}");
    assert!(
        !has("要闻动态", &deductions) && !has("/items/3", &deductions),
        "{deductions:?}"
    );
    assert!(!has("首页底部", &deductions), "{deductions:?}");
    assert!(
        !has("gov.cn", &deductions),
        "outside links are not fetched unless asked"
    );
    let skipped = v["skipped"].to_string();
    assert!(
        skipped.contains("/private/x") && skipped.contains("robots.txt"),
        "{skipped}"
    );
    assert!(skipped.contains("https://www.gov.cn/") && skipped.contains("站外链接，未检查"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "passes with deductions only: {stderr}"
    );
    // the same site as gongkai's own portal: its messages unanswered for over three months
    // (the demo has one) are the interaction veto, named by their numbers
    let dir = std::env::temp_dir().join(format!("gongkai-inspect-{}", std::process::id()));
    let data = dir.to_str().unwrap();
    let demo = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["demo", "--items", "0", "--data", data])
        .env_remove("GONGKAI_DATABASE")
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let own = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args([
            "inspect",
            &format!("http://127.0.0.1:{port}/"),
            "--interval-ms",
            "0",
            "--own",
            "--data",
            data,
        ])
        .env_remove("GONGKAI_DATABASE")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let v: serde_json::Value = serde_json::from_slice(&own.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&own.stderr)));
    let vetoes = v["report"]["vetoes"].to_string();
    assert!(
        vetoes.contains("3个月未答复") && vetoes.contains("留言 LY"),
        "{vetoes}"
    );
    assert_eq!(own.status.code(), Some(1));
    // the district's own threshold: a home page two days old fails a one-day rule
    let cfg = std::env::temp_dir().join(format!("gongkai-inspect-{}.toml", std::process::id()));
    std::fs::write(&cfg, "[inspection]\nhome_stale_days = 1\n").unwrap();
    let strict = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "inspect",
            &format!("http://127.0.0.1:{port}/"),
            "--interval-ms",
            "0",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&strict.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&strict.stderr)));
    assert!(
        v["report"]["vetoes"]
            .to_string()
            .contains("首页超过1天未更新")
    );
    std::fs::write(&cfg, "[inspection]\nhome_stale = 1\n").unwrap();
    let typo = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "inspect",
            "http://127.0.0.1:1/",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&cfg);
    assert_ne!(typo.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("home_stale"));
    // bad input
    let bad = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["inspect", "ftp://example.gov.cn/"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("应为 http:// 或 https://"));
    // a site that never answers: the home page cannot be opened, a veto
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = closed.local_addr().unwrap().port();
    drop(closed);
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["inspect", &format!("http://127.0.0.1:{dead}/")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["report"]["vetoes"].to_string().contains("站点无法访问"));
}
