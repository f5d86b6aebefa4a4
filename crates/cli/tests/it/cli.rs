//! The `gongkai` binary: calendar commands, audit verification, errors and the server itself.

use crate::both;
use crate::support::{Db, ServerProcess, TestDb, start_server_in};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

fn gongkai(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env_remove("GONGKAI_CONFIG")
        .env_remove("GONGKAI_DATABASE")
        .output()
        .unwrap()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_lists_every_command() {
    let o = gongkai(&["--help"]);
    assert!(o.status.success());
    for cmd in ["serve", "migrate", "demo", "calendar", "audit", "staff"] {
        assert!(stdout(&o).contains(cmd), "{cmd}");
    }
    let o = gongkai(&["calendar", "--help"]);
    for cmd in ["check", "add", "explain", "import"] {
        assert!(stdout(&o).contains(cmd), "{cmd}");
    }
}

#[test]
fn calendar_check_and_add_from_shipped_data() {
    let o = gongkai(&[
        "calendar",
        "check",
        "2026-10-01",
        "2026-10-10",
        "2026-02-14",
        "2026-11-27",
        "2026-11-28",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "2026-10-01 off\n2026-10-10 workday\n2026-02-14 workday\n2026-11-27 workday\n2026-11-28 off\n"
    );
    let o = gongkai(&["calendar", "add", "2026-09-30", "20"]);
    assert_eq!(stdout(&o), "2026-11-03\n");
    let o = gongkai(&["calendar", "add", "2026-02-13", "1"]);
    assert_eq!(stdout(&o), "2026-02-14\n");
    let o = gongkai(&["calendar", "explain", "2026-09-30", "2"]);
    let out = stdout(&o);
    assert!(
        out.contains("2026-10-01 off")
            && out.contains("国庆节")
            && out.contains("2026-10-09 workday  第2个工作日"),
        "{out}"
    );
}

#[test]
fn calendar_bad_input() {
    let cases: &[(&[&str], i32, &str)] = &[
        (&["calendar", "check", "2026-13-01"], 2, "YYYY-MM-DD"),
        (&["calendar", "check", "yesterday"], 2, "YYYY-MM-DD"),
        (&["calendar", "add", "2026-01-05", "-3"], 2, "负数"),
        (&["calendar", "add", "2026-01-05", "ten"], 2, "整数"),
        (
            &["calendar", "add", "2026-12-20", "20"],
            1,
            "没有2027年的节假日安排数据",
        ),
        (&["calendar", "check", "2018-05-01"], 1, "2018"),
        (&["calendar", "frobnicate"], 2, "unrecognized subcommand"),
        (&["serve", "--no-such-flag"], 2, "unexpected argument"),
    ];
    for (args, code, needle) in cases {
        let o = gongkai(args);
        assert_eq!(o.status.code(), Some(*code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?} printed no partial result");
    }
    let o = gongkai(&["calendar", "add", "2026-12-20", "20", "--assume-weekends"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("assumed"), "{}", stdout(&o));
    let o = gongkai(&["calendar", "check", "2027-01-01", "--assume-weekends"]);
    assert_eq!(
        stdout(&o),
        "2027-01-01 workday  (assumed: no data for this year)\n"
    );
}

#[test]
fn corrupt_config_and_unreachable_database() {
    let dir = std::env::temp_dir().join(crate::support::unique("gongkai_cfg"));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("bad.toml");
    std::fs::write(&cfg, "[server]\naddr = 12\n").unwrap();
    let o = gongkai(&["--config", cfg.to_str().unwrap(), "migrate"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("配置文件") && stderr(&o).contains("bad.toml"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&cfg, "[server]\nwho = 1\n").unwrap();
    let o = gongkai(&["--config", cfg.to_str().unwrap(), "migrate"]);
    assert!(stderr(&o).contains("unknown field"), "{}", stderr(&o));
    std::fs::write(&cfg, "[site]\nsite_id_code = \"12\"\n").unwrap();
    let o = gongkai(&["--config", cfg.to_str().unwrap(), "migrate"]);
    assert!(stderr(&o).contains("网站标识码"), "{}", stderr(&o));
    let o = gongkai(&[
        "--config",
        dir.join("missing.toml").to_str().unwrap(),
        "migrate",
    ]);
    assert!(stderr(&o).contains("配置文件不存在"), "{}", stderr(&o));

    let o = gongkai(&[
        "migrate",
        "--database",
        "postgres://postgres@127.0.0.1:1/none",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("无法连接数据库"), "{}", stderr(&o));
    let o = gongkai(&["migrate", "--database", "mysql://x@y/z"]);
    assert!(stderr(&o).contains("数据库地址无效"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

both!(calendar_import_through_the_cli, async |db: Db| {
    let t = TestDb::new(db).await;
    let file = t.dir.join("2027.json");
    std::fs::write(&file, r#"{"year":2027,"papers":["国务院办公厅关于2027年部分节假日安排的通知"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#).unwrap();
    let o = t
        .cli(&["calendar", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = t
        .cli(&["calendar", "check", "2027-01-01", "2027-01-04"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&o),
        "2027-01-01 off\n2027-01-04 workday\n",
        "{}",
        stderr(&o)
    );
    // without the database the year is still unknown
    assert_eq!(
        gongkai(&["calendar", "check", "2027-01-01"]).status.code(),
        Some(1)
    );
    let bad = t.dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"year":2028,"days":[{"name":"x","date":"2029-01-01","isOffDay":true}]}"#,
    )
    .unwrap();
    let o = t
        .cli(&["calendar", "import", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("不属于"), "{}", stderr(&o));
    assert_eq!(
        t.store.calendar_years().await.unwrap().len(),
        1,
        "nothing imported from a bad file"
    );
    t.cleanup().await;
});

both!(audit_verify_detects_tampering, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let o = t.cli(&["audit", "verify"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("审计链完整"), "{}", stdout(&o));
    let total = t.store.count_audit(None).await.unwrap();
    assert!(total > 40);
    t.store
        .execute_raw_for_tests("UPDATE audit_log SET actor = 'mallory' WHERE seq = 17")
        .await
        .unwrap();
    let o = t.cli(&["audit", "verify"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("#17"), "{}", stderr(&o));
    t.cleanup().await;
});

both!(staff_add_from_the_cli, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let mut child = t
        .cli(&[
            "staff",
            "add",
            "--unit",
            "MZJ",
            "--role",
            "reviewer",
            "--username",
            "mzj_reviewer",
            "--name",
            "孙审核",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Reviewer-Pass-2026\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let c = t
        .store
        .find_staff_credentials("mzj_reviewer")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.staff.role, gongkai_domain::access::Role::Reviewer);
    let mut child = t
        .cli(&[
            "staff",
            "add",
            "--unit",
            "MZJ",
            "--role",
            "wizard",
            "--username",
            "x",
            "--name",
            "x",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("未知角色"));
    t.cleanup().await;
});

/// Starts `gongkai serve --demo` on a free port, returns the child and the address it printed.
fn start_server(t: &TestDb) -> (ServerProcess, String) {
    start_server_in(t, "gongkai-data")
}

/// A raw HTTP/1.1 GET (no client library needed).
fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

both!(serve_demo_and_graceful_shutdown, async |db: Db| {
    let t = TestDb::new(db).await;
    let (mut child, addr) = start_server(&t);
    let health = http_get(&addr, "/healthz");
    assert!(
        health.starts_with("HTTP/1.1 200") && health.contains("\"database\":\"ok\""),
        "{health}"
    );
    let home = http_get(&addr, "/units");
    assert!(home.contains("区教育局") && home.contains("网站标识码"));
    let metrics = http_get(&addr, "/metrics");
    assert!(metrics.contains("gongkai_http_requests_total"));
    // the demo is idempotent: a second start adds nothing
    let units = t.store.list_units().await.unwrap().len();
    let staff = t.store.count_staff().await.unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    let (mut again, _) = start_server(&t);
    assert_eq!(t.store.list_units().await.unwrap().len(), units);
    assert_eq!(t.store.count_staff().await.unwrap(), staff);
    assert_eq!(units, 28);
    Command::new("kill")
        .args(["-TERM", &again.id().to_string()])
        .status()
        .unwrap();
    assert!(again.wait().unwrap().success());
    t.cleanup().await;
});

both!(units_from_the_cli_for_a_fresh_deployment, async |db: Db| {
    let t = TestDb::new(db).await;
    let ok = t
        .cli(&[
            "unit",
            "add",
            "--code",
            "GOV",
            "--name",
            "某某区人民政府",
            "--type",
            "district",
        ])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    let ok = t
        .cli(&[
            "unit",
            "add",
            "--code",
            "JYJ",
            "--name",
            "区教育局",
            "--type",
            "department",
            "--parent",
            "GOV",
            "--uscc",
            "91350100M000100Y43",
        ])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "unit", "add", "--code", "X1", "--name", "某村", "--type", "village", "--parent",
                "GOV",
            ],
            "不能设在",
        ),
        (
            &[
                "unit",
                "add",
                "--code",
                "X2",
                "--name",
                "某局",
                "--type",
                "department",
                "--parent",
                "NOPE",
            ],
            "上级单位代码不存在",
        ),
        (
            &[
                "unit", "add", "--code", "X3", "--name", "某局", "--type", "bureau", "--parent",
                "GOV",
            ],
            "未知单位类型",
        ),
        (
            &[
                "unit",
                "add",
                "--code",
                "X4",
                "--name",
                "某局",
                "--type",
                "department",
                "--parent",
                "GOV",
                "--uscc",
                "91350100M000100Y44",
            ],
            "校验位",
        ),
    ];
    for (args, needle) in cases {
        let o = t.cli(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    let dup = t
        .cli(&[
            "unit",
            "add",
            "--code",
            "JYJ",
            "--name",
            "重复",
            "--type",
            "department",
            "--parent",
            "GOV",
        ])
        .output()
        .unwrap();
    assert_eq!(dup.status.code(), Some(1));
    assert!(stderr(&dup).contains("已存在"), "{}", stderr(&dup));
    assert_eq!(t.store.list_units().await.unwrap().len(), 2);
    t.cleanup().await;
});

/// A raw HTTP/1.1 POST of a form with a cookie; returns the status line and headers.
fn http_post(addr: &str, path: &str, cookie: &str, body: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

both!(
    two_servers_on_one_database_find_each_others_publications,
    async |db: Db| {
        let t = TestDb::new(db).await;
        let (mut a, addr_a) = start_server_in(&t, "server-a");
        let (mut b, addr_b) = start_server_in(&t, "server-b");
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "GHXX").await;
        let (editor, ecsrf) = t.session_for("jyj_editor").await;
        let (reviewer, rcsrf) = t.session_for("jyj_reviewer").await;
        let (leader, lcsrf) = t.session_for("jyj_leader").await;
        let body = crate::support::form(&[
            ("csrf", &ecsrf),
            ("category_id", &cat.id.to_string()),
            ("title", "甘棠湖片区教育发展规划"),
            ("formed_on", "2026-11-01"),
            ("validity", "in_force"),
            ("body", "规划全文：推进教育现代化。"),
        ]);
        let created = http_post(
            &addr_a,
            &format!("/admin/units/{jyj}/items"),
            &editor,
            &body,
        );
        assert!(created.starts_with("HTTP/1.1 303"), "{created}");
        let id: i64 = created
            .split("location: /admin/items/")
            .nth(1)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        for (cookie, csrf, step) in [
            (&editor, &ecsrf, "submit"),
            (&reviewer, &rcsrf, "review"),
            (&leader, &lcsrf, "approve"),
        ] {
            let r = http_post(
                &addr_a,
                &format!("/admin/items/{id}/{step}"),
                cookie,
                &crate::support::form(&[("csrf", csrf)]),
            );
            assert!(r.starts_with("HTTP/1.1 303"), "{step}: {r}");
        }
        let query = format!(
            "/api/v1/search?q={}",
            crate::support::form(&[("", "甘棠湖")]).trim_start_matches('=')
        );
        assert!(
            http_get(&addr_a, &query).contains(&format!("\"id\":{id}")),
            "found at once on the publishing server"
        );
        let started = std::time::Instant::now();
        loop {
            if http_get(&addr_b, &query).contains(&format!("\"id\":{id}")) {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "server B did not find the item within 10 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        eprintln!("server B found the item after {:?}", started.elapsed());
        for child in [&mut a, &mut b] {
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(child.wait().unwrap().success());
        }
        t.cleanup().await;
    }
);

both!(import_items_validates_everything_first, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let file = t.dir.join("old-site.jsonl");
    std::fs::write(t.dir.join("附件.txt"), "附件正文：甘棠湖片区学校名单").unwrap();
    let good = r#"{"unit": "JYJ", "category": "QTWJ", "title": "关于做好2025年招生工作的通知", "doc_no": "区教发[2025]3号", "formed_on": "2025-03-01", "published_at": "2025-03-05 10:30", "body": "各学校：做好招生工作。", "attachments": ["附件.txt"]}"#;
    let rows = [
        good.to_string(),
        r#"{"unit": "NOPE", "category": "QTWJ", "title": "x", "formed_on": "2025-03-01", "published_at": "2025-03-05", "body": "y"}"#.to_string(),
        r#"{"unit": "JYJ", "category": "QTWJ", "title": "", "formed_on": "2025-13-01", "published_at": "yesterday", "body": ""}"#.to_string(),
        "not json".to_string(),
        r#"{"unit": "JYJ", "category": "QTWJ", "title": "早发", "formed_on": "2025-03-10", "published_at": "2025-03-01", "body": "z", "attachments": ["missing.pdf"]}"#.to_string(),
    ];
    std::fs::write(&file, rows.join("\n")).unwrap();
    let o = t
        .cli(&["import", "items", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for needle in [
        "第2行",
        "单位代码“NOPE”不存在",
        "第3行",
        "请填写标题",
        "发布日期“yesterday”格式错误",
        "第4行",
        "JSON 格式错误",
        "第5行",
        "发布日期早于成文日期",
        "missing.pdf",
        "未导入任何内容",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert!(!err.contains("第1行"), "{err}");
    assert_eq!(
        t.store
            .disclosure()
            .list_published(None, None, 10, 0)
            .await
            .unwrap()
            .0,
        0,
        "nothing imported from a file with errors"
    );

    let o = t
        .cli(&["import", "items", "--skip-invalid", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "bad rows still make the exit non-zero"
    );
    assert!(stdout(&o).contains("已导入 1 条"), "{}", stdout(&o));
    let (total, items) = t
        .store
        .disclosure()
        .list_published(None, None, 10, 0)
        .await
        .unwrap();
    assert_eq!(total, 1);
    let item = &items[0];
    assert_eq!(item.revision.doc_no, "区教发[2025]3号");
    assert_eq!(
        item.item.published_at.as_deref(),
        Some("2025-03-05T02:30:00.000000Z"),
        "Beijing time stored as UTC"
    );
    assert_eq!(
        t.store
            .disclosure()
            .attachments(item.item.id, 1)
            .await
            .unwrap()
            .len(),
        1
    );

    // an XLSX with Chinese headers
    let xlsx = t.dir.join("旧网站.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "单位代码",
        "栏目代码",
        "标题",
        "文号",
        "成文日期",
        "发布日期",
        "正文",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "MZJ",
        "SHGY",
        "2024年度高龄津贴发放名单",
        "",
        "2024-12-01",
        "2024-12-10",
        "高龄津贴按月发放。",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    wb.save(&xlsx).unwrap();
    let o = t
        .cli(&["import", "items", xlsx.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        t.store
            .disclosure()
            .list_published(None, None, 10, 0)
            .await
            .unwrap()
            .0,
        2
    );
    let verify = t.store.verify_audit().await.unwrap();
    assert_eq!(verify.problem, None);
    t.cleanup().await;
});

both!(
    import_beside_a_running_server_and_again_publishes_once,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let (mut server, addr) = start_server(&t);
        let file = t.dir.join("rows.jsonl");
        let rows: Vec<String> = (0..3)
            .map(|i| format!(r#"{{"unit": "JYJ", "category": "QTWJ", "title": "并行导入 {i}", "formed_on": "2025-03-01", "published_at": "2025-03-05", "body": "正文 {i}"}}"#))
            .collect();
        std::fs::write(&file, rows.join("\n")).unwrap();
        // the server holds the index: the import says so and leaves the indexing to it
        let o = t
            .cli(&[
                "import",
                "items",
                "--data",
                "gongkai-data",
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("服务器正在运行"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("LockBusy"), "{}", stderr(&o));
        // and it searches them within seconds
        let mut found = false;
        for _ in 0..50 {
            let page = http_get(
                &addr,
                "/api/v1/search?q=%E5%B9%B6%E8%A1%8C%E5%AF%BC%E5%85%A5",
            );
            if page.contains("\"total\":3") {
                found = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        assert!(
            found,
            "the server indexed the imported rows: {}",
            http_get(
                &addr,
                "/api/v1/search?q=%E5%B9%B6%E8%A1%8C%E5%AF%BC%E5%85%A5"
            )
        );
        // running the same import again publishes nothing twice
        let (before, _) = t
            .store
            .disclosure()
            .list_published(None, None, 10, 0)
            .await
            .unwrap();
        let o = t
            .cli(&[
                "import",
                "items",
                "--data",
                "gongkai-data",
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("3 行此前已导入"), "{}", stderr(&o));
        assert!(stdout(&o).contains("已导入 0 条"), "{}", stdout(&o));
        let (after, _) = t
            .store
            .disclosure()
            .list_published(None, None, 10, 0)
            .await
            .unwrap();
        assert_eq!(after, before);
        let _ = server.kill();
        let _ = server.wait();
        t.cleanup().await;
    }
);

#[tokio::test]
async fn slow_and_crowding_connections_are_cut_off() {
    let t = TestDb::with_demo(Db::Sqlite).await;
    let config = t.dir.join("gongkai.toml");
    std::fs::write(
        &config,
        "[server]\nheader_timeout_secs = 1\nmax_connections_per_address = 3\n",
    )
    .unwrap();
    let mut child = t
        .cli(&[
            "--config",
            config.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data",
            "gongkai-data",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line
            .split("http://")
            .nth(1)
            .filter(|_| line.contains("已启动"))
        {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    // three half-sent requests fill this address's share
    let mut slow: Vec<std::net::TcpStream> = (0..3)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(200));
    // a fourth connection from the same address is closed at once
    let mut fourth = std::net::TcpStream::connect(&addr).unwrap();
    fourth
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let _ = fourth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut buf = Vec::new();
    let _ = fourth.read_to_end(&mut buf);
    assert!(
        !String::from_utf8_lossy(&buf).contains("200 OK"),
        "over the cap: {}",
        String::from_utf8_lossy(&buf)
    );
    // the half-sent requests are cut off after the header timeout …
    for s in &mut slow {
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut rest = Vec::new();
        let started = std::time::Instant::now();
        let _ = s.read_to_end(&mut rest);
        assert!(started.elapsed() < std::time::Duration::from_secs(4));
    }
    // … and the address is served again
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(http_get(&addr, "/healthz").contains("200 OK"));
    let _ = child.kill();
    let _ = child.wait();
    t.cleanup().await;
}

both!(
    import_counts_lateness_with_the_configured_limit,
    async |db: Db| {
        // Formed Monday 2025-03-03: the 20th working day after it is 03-31. Published 04-14:
        // 04-01..03, 04-07..11 and 04-14 are working days (04-04 is Qingming), so 9 days late
        // against the default 20 days, and on time against 40.
        let t = TestDb::with_demo(db).await;
        let row = |title: &str| {
            format!(
                r#"{{"unit": "JYJ", "category": "QTWJ", "title": "{title}", "formed_on": "2025-03-03", "published_at": "2025-04-14 10:00", "body": "各学校：请按通知办理。"}}"#
            )
        };
        let file = t.dir.join("a.jsonl");
        std::fs::write(&file, row("默认时限")).unwrap();
        let o = t
            .cli(&["import", "items", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let cfg = t.dir.join("gongkai.toml");
        std::fs::write(&cfg, "[disclosure]\npublish_limit_workdays = 40\n").unwrap();
        std::fs::write(&file, row("放宽时限")).unwrap();
        let o = t
            .cli(&[
                "--config",
                cfg.to_str().unwrap(),
                "import",
                "items",
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let jyj = t.unit_id("JYJ").await;
        let (_, items) = t
            .store
            .disclosure()
            .list_unit_items(jyj, 10, 0)
            .await
            .unwrap();
        let late = |title: &str| {
            items
                .iter()
                .find(|i| i.revision.title == title)
                .unwrap()
                .item
                .days_late
        };
        assert_eq!(late("默认时限"), 9);
        assert_eq!(late("放宽时限"), 0);
        t.cleanup().await;
    }
);

both!(
    import_holds_back_rows_the_scan_finds_something_in,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        std::fs::write(
            t.dir.join("任职通知.png"),
            include_bytes!("../fixtures/ocr-id-number.png"),
        )
        .unwrap();
        let file = t.dir.join("old-site.jsonl");
        let rows = [
            r#"{"unit": "JYJ", "category": "QTWJ", "title": "干净的通知", "formed_on": "2025-03-01", "published_at": "2025-03-05", "body": "各学校：做好招生工作。"}"#,
            r#"{"unit": "JYJ", "category": "QTWJ", "title": "带身份证号的公示", "formed_on": "2025-03-01", "published_at": "2025-03-05", "body": "张三，身份证号110101199003074514，电话13812345678。"}"#,
            r#"{"unit": "JYJ", "category": "QTWJ", "title": "带图片附件的通知", "formed_on": "2025-03-01", "published_at": "2025-03-05", "body": "见附件。", "attachments": ["任职通知.png"]}"#,
        ];
        std::fs::write(&file, rows.join("\n")).unwrap();
        // refused by option: the rows are named, nothing is imported
        let o = t
            .cli(&[
                "import",
                "items",
                "--refuse-findings",
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("第2行") && err.contains("发布前检查发现：身份证号 1 处（正文）"),
            "{err}"
        );
        assert!(
            err.contains("第3行") && err.contains("附件：任职通知.png"),
            "{err}"
        );
        let jyj = t.unit_id("JYJ").await;
        let (count, _) = t
            .store
            .disclosure()
            .list_unit_items(jyj, 10, 0)
            .await
            .unwrap();
        assert_eq!(count, 0, "nothing imported");

        // by default: imported, but the two rows wait in review, unpublished, with their findings
        let o = t
            .cli(&["import", "items", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("第2行") && err.contains("已导入但未公开，在后台待审核"),
            "{err}"
        );
        assert!(
            stdout(&o).contains("公开并建立索引 1 条、待审核 2 条"),
            "{}",
            stdout(&o)
        );
        let (_, items) = t
            .store
            .disclosure()
            .list_unit_items(jyj, 10, 0)
            .await
            .unwrap();
        assert_eq!(items.len(), 3);
        for s in &items {
            let findings = t.store.disclosure().findings(s.item.id, 1).await.unwrap();
            if s.revision.title == "干净的通知" {
                assert!(s.item.published_revision.is_some());
                assert!(findings.is_empty());
                continue;
            }
            assert_eq!(
                s.item.published_revision, None,
                "{} is not public",
                s.revision.title
            );
            assert_eq!(
                s.revision.state,
                gongkai_domain::disclosure::RevisionState::InReview
            );
            assert!(
                findings
                    .iter()
                    .any(|f| f.kind == "id_number" && f.status == "open"),
                "{}: {findings:?}",
                s.revision.title
            );
        }
        let (public, list) = t
            .store
            .disclosure()
            .list_published(None, None, 10, 0)
            .await
            .unwrap();
        assert_eq!(public, 1);
        assert_eq!(list[0].revision.title, "干净的通知");
        // the public item page of a held row does not exist; the reviewer's desk has it
        let app = t.app();
        let held = items
            .iter()
            .find(|s| s.revision.title == "带身份证号的公示")
            .unwrap();
        let page = crate::support::get(&app, &format!("/items/{}", held.item.index_no), None).await;
        assert_eq!(page.status, axum::http::StatusCode::NOT_FOUND);
        assert!(!page.body.contains("110101199003074514"));

        // again: nothing changes, held rows are not imported a second time
        let o = t
            .cli(&["import", "items", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("3 行此前已导入"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("待审核"), "{}", stderr(&o));
        let (count, _) = t
            .store
            .disclosure()
            .list_unit_items(jyj, 10, 0)
            .await
            .unwrap();
        assert_eq!(count, 3);
        t.cleanup().await;
    }
);
