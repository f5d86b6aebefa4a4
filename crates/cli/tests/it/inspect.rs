//! Website inspection: `gongkai inspect` against a small site served on loopback with known
//! faults (a stale column, an empty column, a broken link, a leaked ID number, a missing meta
//! tag) and parts that are right, which must not be reported.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};

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
    serve_shared(Arc::new(Mutex::new(pages)))
}

/// Like [`serve`], with pages the test may change while the site runs.
fn serve_shared(pages: Arc<Mutex<HashMap<String, String>>>) -> u16 {
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
            let page = pages.lock().unwrap().get(&path).cloned();
            let (status, ctype, body) = match page.as_ref() {
                Some(b) if path.ends_with(".txt") => ("200 OK", "text/plain", b.clone()),
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

/// The test site: a fresh news column and article, a stale notice column, an empty column, a
/// broken link, a leaked ID number, a missing meta tag, a robots.txt rule and an outside link.
fn planted() -> HashMap<String, String> {
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
        article(
            "停水通知",
            "2025-01-05",
            false,
            "明日停水。<a href=\"/files/list.txt\">附件：停水区域住户名单</a>",
        ),
    );
    pages.insert(
        "/items/3".into(),
        article("区长调研", &recent, true, "调研基层政务公开。"),
    );
    // a document linked from a page: its text is scanned too
    pages.insert(
        "/files/list.txt".into(),
        "住户：李四，身份证号 110105194912310037，电话 13800138000".into(),
    );
    pages.insert(
        "/jiucuo".into(),
        "<html><head></head><body>纠错</body></html>".into(),
    );
    pages.insert(
        "/robots.txt".into(),
        "User-agent: *\nDisallow: /private\n".into(),
    );
    pages
}

#[test]
fn an_inspection_finds_the_planted_faults_and_nothing_that_is_right() {
    let port = serve(planted());
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
        has("/files/list.txt", &deductions) && !has("110105194912310037", &deductions),
        "a leaked ID in a linked document, masked: {deductions:?}"
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

crate::both!(
    the_office_inspects_on_a_schedule_compares_and_notifies,
    async |db: crate::support::Db| {
        use axum::http::StatusCode;
        let t = crate::support::TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let pages = Arc::new(Mutex::new(planted()));
        let port = serve_shared(pages.clone());
        let url = format!("http://127.0.0.1:{port}/");
        let site = |url: &str, own: &str, every: &str| {
            vec![
                ("unit", "JYJ".to_string()),
                ("name", "区教育局网站".to_string()),
                ("url", url.to_string()),
                ("own", own.to_string()),
                ("every_days", every.to_string()),
                ("next_on", String::new()),
            ]
        };
        let post_site = |fields: Vec<(&'static str, String)>| {
            let gkb = &gkb;
            async move {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                gkb.post("/admin/inspections/sites", &f).await
            }
        };
        // bad input: refused with the reason, nothing stored
        for (fields, why) in [
            (site("ftp://example.gov.cn/", "", "30"), "网址无效"),
            (site(&url, "", "30"), "内部地址"),
            (site(&url, "1", "0"), "检查周期应为1至366天"),
        ] {
            let r = post_site(fields).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
            assert!(r.body.contains(why), "{why}: {}", r.body);
        }
        let store = t.store.inspections();
        assert!(store.sites().await.unwrap().is_empty());
        // this portal at a loopback address may be inspected
        let r = post_site(site(&url, "1", "30")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let site_id = store.sites().await.unwrap()[0].id;
        let run = format!("/admin/inspection-sites/{site_id}/run");
        let r = gkb.post(&run, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let first = r.location().to_string();
        // one at a time per site
        let r = gkb.post(&run, &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("进行中"), "{}", r.body);
        let page = gkb.get(&first).await;
        assert!(page.body.contains("排队等待检查"), "{}", page.body);
        // the worker crawls it, judges it and stores the report with its findings
        let worker = gongkai_work::inspecting::Inspector::new(
            "test",
            gongkai_domain::inspection::Rules::default(),
            gongkai_work::inspect::Options {
                interval: std::time::Duration::ZERO,
                read_files: Some(gongkai_work::sandbox::Sandbox::default()),
                ..Default::default()
            },
        );
        assert_eq!(worker.run_due(&t.store).await.unwrap(), 1);
        let page = gkb.get(&first).await;
        assert_eq!(page.status, StatusCode::OK);
        for needle in [
            "不合格",
            "专题专栏",
            "&#x2f;gone",
            "files&#x2f;list.txt",
            "3个月未答复",
            "缺少 ContentSource",
        ] {
            assert!(page.body.contains(needle), "{needle}: {}", page.body);
        }
        assert!(!page.body.contains("11010519491231002X"));
        // the unit reads its own site's report; another unit cannot
        let editor = t.client(&app, "jyj_editor").await;
        assert_eq!(editor.get(&first).await.status, StatusCode::OK);
        let mzj = t.client(&app, "mzj_editor").await;
        assert_eq!(mzj.get(&first).await.status, StatusCode::FORBIDDEN);
        // availability: the probe task records the home page answering; a week of probes with
        // 5% failed (7 of 140) is the single veto at the next inspection
        let rules = gongkai_domain::inspection::Rules::default();
        assert_eq!(
            gongkai_work::inspecting::probe_sites(&t.store, &rules)
                .await
                .unwrap(),
            0
        );
        let since = gongkai_store::time_text(chrono::Utc::now() - chrono::Duration::days(7));
        assert_eq!(store.probes_since(site_id, &since).await.unwrap(), (1, 0));
        for k in 1..140 {
            let at =
                gongkai_store::time_text(chrono::Utc::now() - chrono::Duration::minutes(k * 60));
            let ok = k > 7;
            store
                .record_probe(site_id, &at, ok, if ok { 200 } else { 0 }, 15_000)
                .await
                .unwrap();
        }
        // the broken link is mended; the next inspection says so
        pages
            .lock()
            .unwrap()
            .insert("/gone".into(), "<html><body>恢复</body></html>".into());
        let r = gkb.post(&run, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let second = r.location().to_string();
        assert_eq!(worker.run_due(&t.store).await.unwrap(), 1);
        let page = gkb.get(&second).await;
        let fixed = &page.body[page.body.find("已整改的问题").expect("compared")..];
        assert!(fixed.contains("&#x2f;gone"), "{fixed}");
        assert!(page.body.contains("仍存在的问题"));
        assert!(page.body.contains("站点无法访问"), "{}", page.body);
        assert!(
            page.body
                .contains("近7天探测首页140次，7次未能在15秒内打开")
        );
        // findings become notices to the site's unit (bad input first: nothing written)
        let id: i64 = second.rsplit('/').next().unwrap().parse().unwrap();
        let findings = store.findings(id).await.unwrap();
        let empty = findings
            .iter()
            .find(|f| f.item.contains("空白栏目") || f.evidence.contains("专题专栏"))
            .expect("empty column");
        let notices = format!("{second}/notices");
        let pos = empty.position.to_string();
        let r = gkb
            .post(
                &notices,
                &[("requirement", "补充栏目内容"), ("workdays", "10")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请选择要下发整改通知的问题"));
        let r = gkb
            .post(
                &notices,
                &[
                    ("finding", &pos),
                    ("requirement", "补充栏目内容"),
                    ("workdays", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            t.store
                .oversight()
                .ledger(&Default::default(), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let r = editor
            .post(
                &notices,
                &[
                    ("finding", &pos),
                    ("requirement", "补充栏目内容"),
                    ("workdays", "10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = gkb
            .post(
                &notices,
                &[
                    ("finding", &pos),
                    ("requirement", "补充栏目内容"),
                    ("workdays", "10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let ledger = t
            .store
            .oversight()
            .ledger(&Default::default(), 10)
            .await
            .unwrap();
        assert_eq!(ledger.len(), 1);
        assert_eq!(
            (ledger[0].source.as_str(), ledger[0].unit_id),
            ("inspection", t.unit_id("JYJ").await)
        );
        assert!(ledger[0].evidence.contains(&format!("网站检查第{id}次")));
        let r = gkb
            .post(
                &notices,
                &[
                    ("finding", &pos),
                    ("requirement", "补充栏目内容"),
                    ("workdays", "10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("已下发整改通知"), "{}", r.body);
        assert!(
            gkb.get(&second)
                .await
                .body
                .contains(&format!("/admin/notices/{}", ledger[0].id))
        );
        // the inspection's score counts on the unit's scorecard
        let year = chrono::Datelike::year(&(chrono::Utc::now() + chrono::Duration::hours(8)));
        let facts = t
            .store
            .evaluation()
            .facts(i64::from(year), "2100-01-01")
            .await
            .unwrap();
        assert!(facts[&t.unit_id("JYJ").await].inspections.is_some());
        // the schedule queues a due site once, whichever server asks first
        let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now())
            .format("%Y-%m-%d")
            .to_string();
        let mut fields = site(&url, "1", "7");
        fields[5].1 = today.clone();
        let r = post_site(fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let actor = crate::support::system();
        let (a, b) = tokio::join!(
            store.schedule_due(&actor, &today),
            store.schedule_due(&actor, &today)
        );
        assert_eq!(a.unwrap().len() + b.unwrap().len(), 1);
        assert!(store.schedule_due(&actor, &today).await.unwrap().is_empty());
        assert_eq!(worker.run_due(&t.store).await.unwrap(), 1);
        let audit = t
            .store
            .list_audit(Some(t.unit_id("JYJ").await), 50, 0)
            .await
            .unwrap();
        for a in [
            "inspection.site",
            "inspection.request",
            "inspection.finish",
            "notice.issue",
        ] {
            assert!(audit.iter().any(|e| e.action == a), "{a}");
        }
        t.cleanup().await;
    }
);
