//! Hostile files and bodies (issue 13): each finding's file or request, sent the way an
//! attacker with a staff account or the CLI would, must give a clear refusal and leave the
//! server answering.

use crate::both;
use crate::support::{Db, TestDb, get, post_multipart};
use axum::http::StatusCode;
use std::process::Command;

/// Two cells at opposite corners of the largest sheet Excel allows: about 1.5 KB that a reader
/// sizing memory from cell positions turns into 512 GiB.
fn sheet_bomb() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "标题").unwrap();
    ws.write_string(1_048_575, 16_383, "b").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn scan_and_import_refuse_a_sheet_bomb() {
    let dir = std::env::temp_dir().join(format!("gongkai-bomb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bomb = dir.join("bomb.xlsx");
    std::fs::write(&bomb, sheet_bomb()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["scan", bomb.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "unreadable, not a crash: {err}");
    assert!(
        err.contains("第1048576行") && err.contains("max_sheet_rows"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

both!(sheet_bombs_are_refused_on_every_upload, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let bomb = sheet_bomb();
    // the standard catalog import
    let (gkb, csrf) = t.session_for("gkb").await;
    let before = t
        .store
        .standards()
        .standard_entries(None)
        .await
        .unwrap()
        .len();
    let r = post_multipart(
        &app,
        "/admin/standards/import",
        Some(&gkb),
        &[("csrf", &csrf)],
        &[("file", "标准目录.xlsx", &bomb)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("max_sheet_rows"), "{}", r.body);
    assert_eq!(
        t.store
            .standards()
            .standard_entries(None)
            .await
            .unwrap()
            .len(),
        before
    );
    // the power list import
    let sjj = t.unit_id("SJJ").await;
    let (editor, ecsrf) = t.session_for("sjj_editor").await;
    let r = post_multipart(
        &app,
        &format!("/admin/units/{sjj}/powers/import"),
        Some(&editor),
        &[("csrf", &ecsrf)],
        &[("file", "权责清单.xlsx", &bomb)],
    )
    .await;
    assert!(r.body.contains("max_sheet_rows"), "{}", r.body);
    // an attachment of a draft
    let id = crate::disclosure::draft(&t, &app, "附件测试", "正文").await;
    let (jyj, jcsrf) = t.session_for("jyj_editor").await;
    let r = post_multipart(
        &app,
        &format!("/admin/items/{id}/attachments"),
        Some(&jyj),
        &[("csrf", &jcsrf)],
        &[("file", "名单.xlsx", &bomb)],
    )
    .await;
    assert!(r.body.contains("max_sheet_rows"), "{}", r.body);
    let rev = t.store.disclosure().working_revision(id).await.unwrap();
    assert!(
        t.store
            .disclosure()
            .attachments(id, rev.revision)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(get(&app, "/healthz", None).await.status, StatusCode::OK);
    t.cleanup().await;
});

both!(
    deep_rich_bodies_are_refused_before_parsing,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let (cookie, csrf) = t.session_for("jyj_editor").await;
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "SHGY").await;
        for (body, says) in [
            ("<div>".repeat(5_000), "嵌套过深"),
            ("<div/>".repeat(5_000), "嵌套过深"),
            ("<b>x</b>".repeat(60_000), "标签过多"),
        ] {
            let r = crate::support::post(
                &app,
                &format!("/admin/units/{jyj}/items"),
                Some(&cookie),
                &[
                    ("csrf", &csrf),
                    ("category_id", &cat.id.to_string()),
                    ("title", "嵌套测试"),
                    ("formed_on", "2026-11-20"),
                    ("validity", "in_force"),
                    ("body", &body),
                ],
            )
            .await;
            assert_ne!(r.status, StatusCode::SEE_OTHER, "no draft is created");
            assert!(r.body.contains(says), "{says}");
        }
        assert_eq!(get(&app, "/healthz", None).await.status, StatusCode::OK);
        t.cleanup().await;
    }
);

both!(
    concurrent_publications_reach_every_indexer_in_order,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        if db == Db::Postgres {
            // Widen the window between taking an outbox id and committing, as a slow disk or
            // a busy server does: without ordered ids, later ids then commit first.
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&t.cli_url).await.unwrap();
            sqlx::raw_sql(
                "CREATE FUNCTION outbox_slow() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(random() * 0.02); RETURN NEW; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER outbox_slow AFTER INSERT ON search_outbox FOR EACH ROW EXECUTE FUNCTION outbox_slow();",
            )
            .execute(&mut c)
            .await
            .unwrap();
        }
        let jyj = t.unit_id("JYJ").await;
        // one category per writer: index-number serials are per category
        let cats = t
            .store
            .disclosure()
            .list_categories(Some(jyj))
            .await
            .unwrap();
        assert!(cats.len() >= 8);
        let start = t.store.disclosure().outbox_max().await.unwrap();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // A reader that follows the outbox the way every server's indexer does.
        let reader = {
            let store = t.store.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut position = start;
                let mut seen = std::collections::BTreeSet::new();
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::Acquire);
                    let batch = store
                        .disclosure()
                        .outbox_after(position, 500)
                        .await
                        .unwrap();
                    if let Some((last, _)) = batch.last() {
                        position = *last;
                    }
                    seen.extend(batch.into_iter().map(|(_, item)| item));
                    if finished {
                        return seen;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
            })
        };
        let mut writers = Vec::new();
        for (w, cat) in cats.iter().take(8).cloned().enumerate() {
            let store = t.store.clone();
            writers.push(tokio::spawn(async move {
                for i in 0..20 {
                    let item = gongkai_store::disclosure::ImportItem {
                        unit_id: jyj,
                        unit_code: "JYJ".into(),
                        category_id: cat.id,
                        category_code: cat.code.clone(),
                        content: gongkai_store::disclosure::RevisionContent {
                            title: format!("并发发布 {w}-{i}"),
                            doc_no: String::new(),
                            formed_on: "2026-11-20".into(),
                            validity: gongkai_domain::disclosure::Validity::InForce,
                            topic: String::new(),
                            summary: String::new(),
                            body: "正文".into(),
                        },
                        published_at: "2026-11-21T02:00:00.000000Z".into(),
                        days_late: 0,
                        attachments: Vec::new(),
                        import_key: String::new(),
                        findings: Vec::new(),
                    };
                    store
                        .disclosure()
                        .import_published(&gongkai_store::Actor::system("test"), &[item])
                        .await
                        .unwrap();
                }
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Release);
        let seen = reader.await.unwrap();
        assert_eq!(seen.len(), 160, "every publication was read once in order");
        t.cleanup().await;
    }
);

#[tokio::test]
async fn redirects_stay_on_this_site() {
    let t = TestDb::new(Db::Sqlite).await;
    let app = t.app();
    for (back, to) in [
        ("/%5C127.0.0.2:18231/x", "/"),
        ("/%09/127.0.0.2/x", "/"),
        ("//127.0.0.2/x", "/"),
        ("https://example.com/", "/"),
        ("/%0D%0A/x", "/"),
        (
            "/search?q=%E6%95%99%E8%82%B2",
            "/search?q=%E6%95%99%E8%82%B2",
        ),
    ] {
        let r = get(&app, &format!("/prefs?font=large&back={back}"), None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(r.location(), to, "{back}");
    }
    t.cleanup().await;
}

both!(
    import_reads_attachments_only_inside_its_folder,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let dir = t.dir.join("import");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(t.dir.join("outside.txt"), "目录之外的文件").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.join("link.txt")).unwrap();
        std::fs::write(
            dir.join("page.html"),
            "<html><script>alert(1)</script></html>",
        )
        .unwrap();
        std::fs::write(dir.join("附件.txt"), "附件正文").unwrap();
        let row = |title: &str, attachment: &str| {
            format!(
                r#"{{"unit": "JYJ", "category": "QTWJ", "title": "{title}", "formed_on": "2025-03-01", "published_at": "2025-03-05", "body": "正文", "attachments": ["{attachment}"]}}"#
            )
        };
        let mut bytes = [
            row("绝对路径", "/etc/hostname"),
            row("上级目录", "../outside.txt"),
            row("符号链接", "link.txt"),
            row("网页", "page.html"),
            row("好的一行", "附件.txt"),
        ]
        .join("\n")
        .into_bytes();
        // a line with a byte that is not UTF-8: that line is named, the others still read
        bytes.extend_from_slice(b"\n{\"unit\": \"JYJ\", \"title\": \"\xff\"}\n");
        let file = dir.join("rows.jsonl");
        std::fs::write(&file, bytes).unwrap();
        let o = t
            .cli(&["import", "items", "--skip-invalid", file.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(1), "{err}");
        for needle in [
            "第1行（line 1）：附件 /etc/hostname：只能是导入文件所在目录内的相对路径",
            "第2行（line 2）：附件 ../outside.txt：只能是导入文件所在目录内的相对路径",
            "第3行（line 3）：附件 link.txt：指向导入目录之外",
            "第4行（line 4）：附件 page.html：只接受",
            "第6行（line 6）：不是 UTF-8 文本",
        ] {
            assert!(err.contains(needle), "{needle}: {err}");
        }
        let (total, items) = t
            .store
            .disclosure()
            .list_published(None, None, 10, 0)
            .await
            .unwrap();
        assert_eq!(total, 1, "only the good row");
        assert_eq!(items[0].revision.title, "好的一行");
        t.cleanup().await;
    }
);

#[tokio::test]
async fn private_pages_are_not_stored_and_metrics_stay_bounded() {
    use tower::ServiceExt;
    let t = TestDb::with_demo(Db::Sqlite).await;
    let app = t.app();
    let (cookie, _) = t.session_for("jyj_editor").await;
    let r = get(&app, "/admin", Some(&cookie)).await;
    assert_eq!(r.headers["cache-control"], "no-store");
    assert!(r.headers.get("strict-transport-security").is_none());
    let r = get(&app, "/", None).await;
    assert_ne!(
        r.headers.get("cache-control").map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "public pages may be cached"
    );
    // behind a TLS-terminating proxy
    let r = app
        .clone()
        .oneshot(
            axum::http::Request::get("/")
                .header("x-forwarded-proto", "https")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    // invented methods share one label
    for m in ["FOOBAR1", "FOOBAR2", "FOOBAR3"] {
        app.clone()
            .oneshot(
                axum::http::Request::builder()
                    .method(m)
                    .uri("/")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
    }
    let metrics = get(&app, "/metrics", None).await.body;
    assert!(!metrics.contains("FOOBAR"), "{metrics}");
    assert!(metrics.contains("method=\"OTHER\""), "{metrics}");
    t.cleanup().await;
}

#[tokio::test]
async fn forms_without_files_take_small_bodies() {
    let t = TestDb::with_demo(Db::Sqlite).await;
    let app = t.app();
    let big = "x".repeat(1024 * 1024);
    let r = crate::support::post(&app, "/login", None, &[("username", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // an item's text may still be long (1.5 MB here): its form takes it
    let id = crate::disclosure::draft(&t, &app, "长正文", &"长".repeat(500_000)).await;
    assert!(id > 0);
    t.cleanup().await;
}

/// A login POST from `peer` (with `X-Forwarded-For` when given).
async fn login_from(
    app: &axum::Router,
    peer: &str,
    forwarded: Option<&str>,
    user: &str,
    password: &str,
) -> crate::support::Resp {
    use tower::ServiceExt;
    let page = get(app, "/login", None).await;
    let pre = page.set_cookie("gk_pre").unwrap();
    let body = crate::support::form(&[
        ("csrf", &pre),
        ("username", user),
        ("password", password),
        ("totp", ""),
        ("next", "/admin"),
    ]);
    let mut req = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("gk_pre={pre}"));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req.body(axum::body::Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(
            format!("{peer}:40000").parse().unwrap(),
        ));
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    crate::support::Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

both!(
    login_delays_fall_on_the_failing_pair_only,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let indexer = std::sync::Arc::new(gongkai_work::indexing::Indexer::in_memory().unwrap());
        let config = gongkai_web::WebConfig {
            files_dir: t.dir.join("files"),
            login: gongkai_web::LoginConfig {
                max_failures_per_user: 3,
                max_failures_per_ip: 6,
                delay_base_secs: 1,
                ..Default::default()
            },
            trusted_proxies: vec!["10.0.0.1".parse().unwrap()],
            ..Default::default()
        };
        let state = gongkai_web::AppState::new(t.store.clone(), config, indexer).unwrap();
        let app = gongkai_web::app(state);
        let pw = gongkai_cli_demo_password();
        let attacker = "198.51.100.7";
        for _ in 0..3 {
            let r = login_from(&app, attacker, None, "jyj_reviewer", "guess").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // the attacker's address waits for this account …
        let r = login_from(&app, attacker, None, "jyj_reviewer", pw).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        // … the real user at another address does not
        let r = login_from(&app, "203.0.113.5", None, "jyj_reviewer", pw).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // after the delay the right password works from the attacker's address too
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let r = login_from(&app, attacker, None, "jyj_reviewer", pw).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // invented names from one address slow that address down, not the accounts
        let sprayer = "198.51.100.8";
        for n in 0..6 {
            login_from(&app, sprayer, None, &format!("nobody{n}"), "guess").await;
        }
        let r = login_from(&app, sprayer, None, "admin", pw).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let r = login_from(&app, "203.0.113.6", None, "admin", pw).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // behind the trusted proxy, the forwarded address is the client's; from anyone else the
        // header is ignored (a forged header cannot escape the delay)
        let r = login_from(&app, "10.0.0.1", Some("203.0.113.9"), "jyj_editor", "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = login_from(&app, sprayer, Some("203.0.113.10"), "admin", pw).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the spoofed header is ignored"
        );
        let r = login_from(&app, "10.0.0.1", Some(sprayer), "admin", pw).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "through the proxy the client is still the sprayer"
        );
        t.cleanup().await;
    }
);

fn gongkai_cli_demo_password() -> &'static str {
    "Demo-2026-gongkai"
}

#[test]
fn pdf_bombs_cost_a_child_process_not_the_server() {
    let dir = std::env::temp_dir().join(format!("gongkai-pdfbomb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // two million text operators in a stream that compresses to a few kilobytes
    let bomb = crate::support::pdf(&b"BT /F1 1 Tf (a) Tj ET\n".repeat(2_000_000), true);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let good = crate::support::pdf(
        b"BT /F1 12 Tf 72 712 Td (Applicant 13912345678) Tj ET",
        true,
    );
    let (b, g) = (dir.join("bomb.pdf"), dir.join("good.pdf"));
    std::fs::write(&b, &bomb).unwrap();
    std::fs::write(&g, &good).unwrap();
    let started = std::time::Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["scan", b.to_str().unwrap(), g.to_str().unwrap()])
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    // the good file is still scanned (a finding: exit 1 would mean found; 2 = some unreadable)
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("bomb.pdf") && err.contains("超出内存"),
        "{err}"
    );
    assert!(
        out.contains("good.pdf") && out.contains("139****5678"),
        "{out}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // the same sandbox reads an ordinary PDF to its text
    let sandbox = gongkai_work::sandbox::Sandbox {
        program: Some(env!("CARGO_BIN_EXE_gongkai").into()),
        ..Default::default()
    };
    let text = sandbox
        .extract(&good, &gongkai_extract::Limits::default())
        .unwrap();
    assert!(text.contains("13912345678"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The PDFs fuzzing found that keep the parser busy (kept in `fuzz/regressions/pdf`): each is
/// reported unreadable by the sandboxed reader, and the file beside them is still scanned.
#[test]
fn pdfs_the_fuzzer_found_are_reported_unreadable() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/pdf");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "fuzz/regressions/pdf holds the inputs");
    let good = std::env::temp_dir().join(format!("gongkai-fuzzgood-{}.pdf", std::process::id()));
    std::fs::write(
        &good,
        crate::support::pdf(b"BT /F1 12 Tf 72 712 Td (13912345678) Tj ET", true),
    )
    .unwrap();
    let mut args = vec!["scan".to_string()];
    args.extend(files.iter().cloned());
    args.push(good.to_string_lossy().into_owned());
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(&args)
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    for f in &files {
        let name = std::path::Path::new(f)
            .file_name()
            .unwrap()
            .to_string_lossy();
        assert!(
            err.lines()
                .any(|l| l.contains(&*name) && l.contains("无法读取")),
            "{name}: {err}"
        );
    }
    assert!(out.contains("139****5678"), "{out}");
    let _ = std::fs::remove_file(&good);
}

#[tokio::test]
async fn metrics_answer_only_configured_addresses() {
    use tower::ServiceExt;
    let t = TestDb::new(Db::Sqlite).await;
    let app = t.app();
    for (peer, want) in [
        ("127.0.0.1", StatusCode::OK),
        ("[::1]", StatusCode::OK),
        ("198.51.100.7", StatusCode::FORBIDDEN),
    ] {
        let mut req = axum::http::Request::get("/metrics")
            .body(axum::body::Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(
                format!("{peer}:40000").parse().unwrap(),
            ));
        let r = app.clone().oneshot(req).await.unwrap();
        assert_eq!(r.status(), want, "{peer}");
    }
    t.cleanup().await;
}

#[tokio::test]
async fn every_api_error_is_json() {
    use tower::ServiceExt;
    let t = TestDb::with_demo(Db::Sqlite).await;
    let app = t.app();
    for (method, path, want) in [
        ("GET", "/api/v1/items?limit=abc", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/units/abc/staff", StatusCode::BAD_REQUEST),
        ("DELETE", "/api/v1/items", StatusCode::METHOD_NOT_ALLOWED),
        (
            "POST",
            "/api/v1/units/1/items",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("GET", "/api/v1/nothing-here", StatusCode::NOT_FOUND),
    ] {
        let r = app
            .clone()
            .oneshot(
                axum::http::Request::builder()
                    .method(method)
                    .uri(path)
                    .header("content-type", "text/plain")
                    .body(axum::body::Body::from("x"))
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = r.status();
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|_| panic!("{path}: not JSON: {}", String::from_utf8_lossy(&body)));
        assert!(ct.starts_with("application/json"), "{path}: {ct}");
        if status != StatusCode::UNAUTHORIZED {
            assert_eq!(status, want, "{method} {path}: {v}");
        }
        assert!(v["error"]["code"].is_string(), "{path}: {v}");
        if path.contains("limit=abc") {
            assert!(
                v["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("查询参数“limit”的值无效"),
                "{v}"
            );
        }
        assert!(v["error"]["message"].is_string(), "{path}: {v}");
    }
    t.cleanup().await;
}

/// Creates a draft in JYJ as `user`, submits it; returns the item id.
async fn submitted_by(t: &TestDb, app: &axum::Router, user: &str) -> i64 {
    let author = t.client(app, user).await;
    let jyj = t.unit_id("JYJ").await;
    let cat = t.category(jyj, "SHGY").await;
    let id = author
        .draft(jyj, cat.id, "双人审核测试", "2026-11-20")
        .await;
    let r = author.step(id, "submit", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

both!(
    four_eyes_keep_authors_from_approving_themselves,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let step = async |app: &axum::Router, user: &str, id: i64, step: &str| {
            t.client(app, user).await.step(id, step, &[]).await
        };
        // the leader writes; the reviewer reviews; the leader may not approve it
        let id = submitted_by(&t, &app, "jyj_leader").await;
        let r = step(&app, "jyj_reviewer", id, "review").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = step(&app, "jyj_leader", id, "approve").await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("双人审核"), "{}", r.body);
        let rev = t.store.disclosure().working_revision(id).await.unwrap();
        assert_eq!(
            rev.state,
            gongkai_domain::disclosure::RevisionState::Reviewed
        );
        // an administrator who writes an item cannot review it either
        let id2 = submitted_by(&t, &app, "admin").await;
        let r = step(&app, "admin", id2, "review").await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        // a one-person unit is exempt, and the audit trail says so
        let indexer = std::sync::Arc::new(gongkai_work::indexing::Indexer::in_memory().unwrap());
        let config = gongkai_web::WebConfig {
            files_dir: t.dir.join("files"),
            single_person_units: vec!["JYJ".into()],
            ..Default::default()
        };
        let state = gongkai_web::AppState::new(t.store.clone(), config, indexer).unwrap();
        let solo = gongkai_web::app(state);
        let r = step(&solo, "jyj_leader", id, "approve").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let jyj = t.unit_id("JYJ").await;
        let audit = t.store.list_audit(Some(jyj), 50, 0).await.unwrap();
        assert!(
            audit.iter().any(|e| e.detail.contains("免于双人审核")),
            "{audit:?}"
        );
        t.cleanup().await;
    }
);

both!(the_standard_catalog_is_bounded_and_paged, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let (gkb, csrf) = t.session_for("gkb").await;
    // a valid sheet of 5,001 rows (over the 5,000 of one import): refused whole, with the reason
    let serials: Vec<String> = (1..=5_001).map(|n| n.to_string()).collect();
    let items: Vec<String> = (1..=5_001).map(|n| format!("事项{n}")).collect();
    let rows: Vec<[&str; 15]> = serials
        .iter()
        .zip(&items)
        .map(|(n, item)| {
            let mut r = crate::standards::ROWS[0];
            r[1] = n;
            r[3] = item;
            r
        })
        .collect();
    let big = crate::standards::official_sheet(&rows);
    let before = t
        .store
        .standards()
        .standard_entries(None)
        .await
        .unwrap()
        .len();
    let r = post_multipart(
        &app,
        "/admin/standards/import",
        Some(&gkb),
        &[("csrf", &csrf)],
        &[("file", "目录.xlsx", &big)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("一次最多导入5000条"), "{}", r.body);
    assert_eq!(
        t.store
            .standards()
            .standard_entries(None)
            .await
            .unwrap()
            .len(),
        before
    );
    // the public page shows one page at a time
    let page = get(&app, "/standards", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.body.matches("<tr").count();
    assert!(rows <= 200 + 3, "{rows} rows on one page");
    if before > 200 {
        assert!(page.body.contains("下一页"));
    }
    t.cleanup().await;
});
