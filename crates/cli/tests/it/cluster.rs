//! Several servers on one database: three `gongkai serve` processes on one PostgreSQL database
//! behind Debian's nginx (started here on loopback ports with `deploy/nginx.conf`); and the
//! backup and restore round trip on both databases.

use crate::support::{Db, ServerProcess, TestDb, token_for};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A response read off the socket.
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`).
fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status = head[9..12].parse().unwrap();
    let reply = Reply {
        status,
        head,
        body: Vec::new(),
    };
    if reply
        .header("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        let (mut out, mut rest) = (Vec::new(), &body[..]);
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..eol])
                    .split(';')
                    .next()
                    .unwrap()
                    .trim(),
                16,
            )
            .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 4 + size..];
        }
        body = out;
    }
    Reply { body, ..reply }
}

fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    request(addr, "GET", path, headers, b"")
}

fn api(addr: &str, path: &str, token: &str, json: &str) -> serde_json::Value {
    let r = request(
        addr,
        "POST",
        path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/json"),
        ],
        json.as_bytes(),
    );
    assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
    serde_json::from_slice(&r.body).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a server with its own data directory on the test's database, with `config`.
fn start(t: &TestDb, data: &str, config: &Path) -> (ServerProcess, String) {
    let mut child = t
        .cli(&["serve", "--demo", "--addr", "127.0.0.1:0", "--data", data])
        .env("GONGKAI_CONFIG", config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(rest) = line
            .split("http://")
            .nth(1)
            .filter(|_| line.contains("已启动"))
        {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (ServerProcess(child), addr)
}

/// Debian's nginx with the shipped `deploy/nginx.conf`, its upstreams and listen address
/// replaced by the test's; runs in the foreground, killed when dropped.
pub fn start_nginx(dir: &Path, upstreams: &[String]) -> (ServerProcess, String) {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("nginx is installed by scripts/test (Debian package nginx-light or nginx)");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nginx.conf"),
    )
    .unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut conf = String::new();
    for line in shipped.lines() {
        let t = line.trim_start();
        if t.starts_with("server 127.0.0.1:808") {
            if t.ends_with("8081 max_fails=1 fail_timeout=5s;") {
                for u in upstreams {
                    conf.push_str(&format!(
                        "        server {u} max_fails=1 fail_timeout=5s;\n"
                    ));
                }
            }
            continue;
        }
        if t.starts_with("listen 127.0.0.1:8080;") {
            conf.push_str(&format!("        listen {listen};\n"));
            continue;
        }
        if t.starts_with("worker_processes") {
            conf.push_str("worker_processes 2;\n");
            // the test's own paths: nothing under /var
            conf.push_str(&format!(
                "pid {0}/nginx.pid;\nerror_log {0}/nginx-error.log warn;\n",
                dir.display()
            ));
            // SAFETY-free check of the effective user: root must name a user for the workers
            if std::env::var("USER").as_deref() == Ok("root")
                || Command::new("id")
                    .arg("-u")
                    .output()
                    .is_ok_and(|o| o.stdout.starts_with(b"0"))
            {
                conf.push_str("user root;\n");
            }
            continue;
        }
        conf.push_str(line);
        conf.push('\n');
        if t.starts_with("http {") {
            for temp in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
                conf.push_str(&format!(
                    "    {temp}_temp_path {}/{temp}_temp;\n",
                    dir.display()
                ));
            }
            conf.push_str(&format!(
                "    access_log {}/nginx-access.log;\n",
                dir.display()
            ));
        }
    }
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new(nginx)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(&listen).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("nginx-error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (ServerProcess(child), listen)
}

fn cluster_config(t: &TestDb) -> std::path::PathBuf {
    let path = t.dir.join("cluster.toml");
    // polling every 30 s: convergence within a second can only come from notifications
    std::fs::write(
        &path,
        "[cluster]\nlease_secs = 3\npoll_secs = 30\n[disclosure]\nschedule_check_secs = 1\n",
    )
    .unwrap();
    path
}

fn ready(addr: &str) -> serde_json::Value {
    serde_json::from_slice(&get(addr, "/healthz/ready", &[]).body).unwrap()
}

/// Waits until `f` holds, at most `limit`; returns how long it took.
fn within(limit: Duration, what: &str, mut f: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    loop {
        if f() {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn pct(s: &str) -> String {
    crate::support::form(&[("", s)])
        .trim_start_matches('=')
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_behind_nginx_are_one_system() {
    let t = TestDb::new(Db::Postgres).await;
    let config = cluster_config(&t);
    let mut servers: Vec<(ServerProcess, String)> = (0..3)
        .map(|i| start(&t, &format!("node-{i}"), &config))
        .collect();
    let addrs: Vec<String> = servers.iter().map(|(_, a)| a.clone()).collect();
    let (_nginx, proxy) = start_nginx(&t.dir, &addrs);
    for a in &addrs {
        assert_eq!(ready(a)["status"], "ready", "{a}");
    }
    // exactly one server runs the once-per-cluster work
    let leaders = || {
        addrs
            .iter()
            .filter(|a| ready(a)["runs_periodic_work"] == true)
            .count()
    };
    within(Duration::from_secs(5), "a leader", || leaders() == 1);

    let jyj = t.unit_id("JYJ").await;
    let cat = t.category(jyj, "GHXX").await;
    let token = token_for(&t, "jyj_editor").await;
    let (rtoken, ltoken) = (
        token_for(&t, "jyj_reviewer").await,
        token_for(&t, "jyj_leader").await,
    );
    let draft = |title: &str| -> (i64, String) {
        let v = api(
            &proxy,
            &format!("/api/v1/units/{jyj}/items"),
            &token,
            &serde_json::json!({
                "category_id": cat.id, "title": title, "formed_on": "2026-11-20",
                "body": format!("{title}：全文。")
            })
            .to_string(),
        );
        (
            v["id"].as_i64().unwrap(),
            v["index_no"].as_str().unwrap().to_string(),
        )
    };

    // a file uploaded through one server downloads through the others, whole and in ranges
    let (item, index_no) = draft("甘棠湖片区学校布局专项规划");
    let (cookie, csrf) = t.session_for("jyj_editor").await;
    let mut file = Vec::new();
    while file.len() < 600 * 1024 {
        file.extend_from_slice("甘棠湖片区学校布局：新建小学两所，扩建初中一所。\n".as_bytes());
    }
    let boundary = "----cluster-test";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"规划说明.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let up = request(
        &addrs[0],
        "POST",
        &format!("/admin/items/{item}/attachments"),
        &[
            ("Cookie", &cookie),
            (
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            ),
        ],
        &body,
    );
    assert_eq!(up.status, 303, "{}", up.text());
    let att = t.store.disclosure().attachments(item, 1).await.unwrap();
    let att = &att[0].0;
    for a in &addrs[1..] {
        let r = get(
            a,
            &format!("/admin/attachments/{}", att.id),
            &[("Cookie", &cookie)],
        );
        assert_eq!(r.status, 200, "{a}");
        assert!(r.body == file, "{a}: the same bytes");
        assert_eq!(r.header("etag"), Some(format!("\"{}\"", att.sha256)));
        // a range across the 256 KiB chunk boundary
        let r = get(
            a,
            &format!("/admin/attachments/{}", att.id),
            &[("Cookie", &cookie), ("Range", "bytes=262100-262199")],
        );
        assert_eq!(r.status, 206, "{a}");
        assert_eq!(r.body, file[262_100..262_200]);
        assert_eq!(
            r.header("content-range"),
            Some(format!("bytes 262100-262199/{}", file.len()))
        );
        let r = get(
            a,
            &format!("/admin/attachments/{}", att.id),
            &[
                ("Cookie", &cookie),
                ("If-None-Match", &format!("\"{}\"", att.sha256)),
            ],
        );
        assert_eq!(r.status, 304, "{a}");
        let r = get(
            a,
            &format!("/admin/attachments/{}", att.id),
            &[("Cookie", &cookie), ("Range", "bytes=99999999-")],
        );
        assert_eq!(r.status, 416, "{a}");
        assert_eq!(
            r.header("content-range"),
            Some(format!("bytes */{}", file.len())),
            "{a}"
        );
    }

    // a session and the sign-in throttle hold whichever server answers: the session works on
    // every request through the proxy, and failed sign-ins spread over the servers add up
    for _ in 0..6 {
        let r = get(
            &proxy,
            &format!("/admin/items/{item}"),
            &[("Cookie", &cookie)],
        );
        assert_eq!(r.status, 200);
    }
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let page = get(&proxy, "/login", &[]);
        let pre = page
            .head
            .lines()
            .find_map(|l| {
                l.strip_prefix("set-cookie: ")
                    .or_else(|| l.strip_prefix("Set-Cookie: "))
            })
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_string();
        let token = pre.split_once('=').unwrap().1.to_string();
        let r = request(
            &proxy,
            "POST",
            "/login",
            &[
                ("Cookie", &pre),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            crate::support::form(&[
                ("csrf", &token),
                ("next", "/admin"),
                ("username", "jyj_editor"),
                ("password", "wrong-password"),
                ("totp", ""),
            ])
            .as_bytes(),
        );
        statuses.push(r.status);
    }
    assert!(
        statuses.contains(&429),
        "failed sign-ins through three servers are throttled together: {statuses:?}"
    );

    // publication through the proxy (each step may land on any server: sessions and tokens are
    // shared); the other servers' search and cached home page show it within a second
    for a in &addrs {
        assert_eq!(get(a, "/", &[]).status, 200);
    }
    api(
        &proxy,
        &format!("/api/v1/items/{index_no}/submit"),
        &token,
        "{}",
    );
    api(
        &proxy,
        &format!("/api/v1/items/{index_no}/review"),
        &rtoken,
        "{}",
    );
    api(
        &proxy,
        &format!("/api/v1/items/{index_no}/approve"),
        &ltoken,
        "{}",
    );
    let published = Instant::now();
    let q = format!("/api/v1/search?q={}", pct("学校布局专项规划"));
    for a in &addrs {
        let found = within(Duration::from_secs(1), "search on every server", || {
            get(a, &q, &[]).text().contains(&format!("\"id\":{item}"))
        });
        let home = within(Duration::from_secs(1), "home page on every server", || {
            get(a, "/", &[])
                .text()
                .contains("甘棠湖片区学校布局专项规划")
        });
        eprintln!("{a}: in search after {found:?}, on the home page after {home:?}");
    }
    eprintln!("converged within {:?} of the approval", published.elapsed());

    // scheduled publication happens once, though three servers check every second
    let (item2, index2) = draft("甘棠湖片区定时发布的通知");
    api(
        &proxy,
        &format!("/api/v1/items/{index2}/submit"),
        &token,
        "{}",
    );
    api(
        &proxy,
        &format!("/api/v1/items/{index2}/review"),
        &rtoken,
        "{}",
    );
    let at = chrono::Utc::now() + chrono::Duration::seconds(2);
    api(
        &proxy,
        &format!("/api/v1/items/{index2}/approve"),
        &ltoken,
        &serde_json::json!({ "scheduled_at": at.to_rfc3339() }).to_string(),
    );
    let q2 = format!("/api/v1/search?q={}", pct("定时发布的通知"));
    within(Duration::from_secs(10), "the scheduled publication", || {
        get(&addrs[0], &q2, &[])
            .text()
            .contains(&format!("\"id\":{item2}"))
    });
    std::thread::sleep(Duration::from_secs(3));
    let entries = t.store.list_audit(Some(jyj), 200, 0).await.unwrap();
    let by_scheduler: Vec<_> = entries
        .iter()
        .filter(|e| {
            e.actor == "scheduler"
                && (e.entity_id == item2.to_string()
                    || e.entity_id.starts_with(&format!("{item2}/")))
        })
        .collect();
    assert_eq!(by_scheduler.len(), 1, "published once: {by_scheduler:?}");

    // the leader dies (kill -9): another server takes the periodic work within the lease
    let leader = addrs
        .iter()
        .position(|a| ready(a)["runs_periodic_work"] == true)
        .unwrap();
    let killed = Instant::now();
    Command::new("kill")
        .args(["-KILL", &servers[leader].0.id().to_string()])
        .status()
        .unwrap();
    let _ = servers[leader].0.wait();
    let others: Vec<&String> = addrs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != leader)
        .map(|(_, a)| a)
        .collect();
    let took = within(Duration::from_secs(3 + 2 + 3), "takeover", || {
        others
            .iter()
            .any(|a| ready(a)["runs_periodic_work"] == true)
    });
    eprintln!(
        "periodic work taken over {:?} after kill -9",
        killed.elapsed()
    );
    assert!(
        took <= Duration::from_secs(5),
        "within the 3 s lease and a renewal: {took:?}"
    );
    // the proxy goes on answering
    for _ in 0..6 {
        assert_eq!(get(&proxy, "/", &[]).status, 200);
    }
    // a server stopped gracefully hands the lease over at once
    let leader = addrs
        .iter()
        .position(|a| a != &addrs[leader] && ready(a)["runs_periodic_work"] == true)
        .unwrap();
    Command::new("kill")
        .args(["-TERM", &servers[leader].0.id().to_string()])
        .status()
        .unwrap();
    assert!(servers[leader].0.wait().unwrap().success());
    let last = addrs
        .iter()
        .enumerate()
        .find(|(i, _)| servers[*i].0.try_wait().unwrap().is_none())
        .map(|(_, a)| a.clone())
        .unwrap();
    let handover = within(Duration::from_secs(3), "handover on SIGTERM", || {
        ready(&last)["runs_periodic_work"] == true
    });
    eprintln!("lease handed over {handover:?} after SIGTERM");
    drop(servers);
    t.cleanup().await;
}

crate::both!(backup_and_restore_bring_everything_back, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = app_on(&t, &t.store);
    // a file, so that files are part of the round trip
    let jyj = t.unit_id("JYJ").await;
    let cat = t.category(jyj, "GHXX").await;
    let editor = t.client(&app, "jyj_editor").await;
    let item = editor
        .draft(jyj, cat.id, "备份演练的规划", "2026-11-20")
        .await;
    let (cookie, csrf) = t.session_for("jyj_editor").await;
    let r = crate::support::post_multipart(
        &app,
        &format!("/admin/items/{item}/attachments"),
        Some(&cookie),
        &[("csrf", &csrf)],
        &[(
            "file",
            "备份说明.txt",
            "备份与恢复演练：附件正文。".as_bytes(),
        )],
    )
    .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let audit_before = t.store.count_audit(None).await.unwrap();
    let head_before = t.store.verify_audit().await.unwrap().entries;
    let page_before = crate::support::get(&app, "/units", None).await.body;

    let backup = t.dir.join("backup");
    let out = t
        .cli(&["backup", "--to", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = std::fs::read_to_string(backup.join("MANIFEST.txt")).unwrap();
    assert!(
        manifest.contains(&format!("audit_entries = {audit_before}")),
        "{manifest}"
    );
    // a backup never overwrites
    let again = t
        .cli(&["backup", "--to", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!again.status.success());

    // destroy: the database and the data directory
    match t.schema_name().map(str::to_string) {
        Some(s) => t.store.drop_schema(&s).await.unwrap(),
        None => {
            for f in ["gongkai.db", "gongkai.db-wal", "gongkai.db-shm"] {
                let _ = std::fs::remove_file(t.dir.join(f));
            }
            std::fs::remove_dir_all(t.dir.join("gongkai-data")).unwrap();
        }
    }

    let out = t
        .cli(&["restore", "--from", backup.to_str().unwrap()])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("审计链完整") && said.contains("文件完整"),
        "{said}"
    );
    // a second restore refuses: the target is not empty
    let twice = t
        .cli(&["restore", "--from", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("恢复只写入空"));

    // every page, file and audit entry is back
    let verify = t.cli(&["audit", "verify"]).output().unwrap();
    assert!(verify.status.success());
    assert!(
        String::from_utf8_lossy(&verify.stdout).contains(&format!("共 {head_before} 条")),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let check = t.cli(&["files", "check"]).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let restored = gongkai_store::Store::open(gongkai_store::ConnectOptions::new(&t.cli_url))
        .await
        .unwrap();
    assert_eq!(restored.count_audit(None).await.unwrap(), audit_before);
    let app = app_on(&t, &restored);
    assert_eq!(
        crate::support::get(&app, "/units", None).await.body,
        page_before
    );
    let att = restored.disclosure().attachments(item, 1).await.unwrap();
    let (status, bytes) = crate::support::get_bytes_as(
        &app,
        &format!("/admin/attachments/{}", att[0].0.id),
        &cookie,
    )
    .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert_eq!(bytes, "备份与恢复演练：附件正文。".as_bytes());
    restored.close().await;
    t.cleanup().await;
});

/// The app on `store`, keeping files where the CLI does: the database on PostgreSQL, the
/// default data directory (`./gongkai-data/files` beside the test) on SQLite.
fn app_on(t: &TestDb, store: &gongkai_store::Store) -> axum::Router {
    let indexer = std::sync::Arc::new(gongkai_work::indexing::Indexer::in_memory().unwrap());
    let config = gongkai_web::WebConfig {
        files_dir: t.dir.join("gongkai-data").join("files"),
        file_store: match store.backend() {
            gongkai_store::Backend::Postgres => gongkai_work::files::Kind::Database,
            gongkai_store::Backend::Sqlite => gongkai_work::files::Kind::Dir,
        },
        ..Default::default()
    };
    gongkai_web::app(gongkai_web::AppState::new(store.clone(), config, indexer).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_move_from_the_data_directory_into_the_database() {
    let t = TestDb::with_demo(Db::Postgres).await;
    // a deployment from before: files in the data directory
    let dir = t.dir.join("gongkai-data").join("files");
    let old = gongkai_work::files::FileStore::Dir(dir.clone());
    let big: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    let hashes = [
        old.put(b"one small file").await.unwrap(),
        old.put(&big).await.unwrap(),
    ];
    let check = |store: &str| {
        t.cli(&["files", "check"])
            .env("GONGKAI_FILES_STORE", store)
            .output()
            .unwrap()
    };
    let out = t
        .cli(&["files", "migrate", "--to", "database"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("复制 2 个"));
    let db = gongkai_work::files::FileStore::Database {
        store: t.store.clone(),
        fallback: None,
    };
    for h in &hashes {
        assert!(db.verify(h).await.unwrap(), "{h} in the database");
    }
    assert_eq!(db.read_all(&hashes[1]).await.unwrap().unwrap(), big);
    // again: nothing to copy; and back to a directory, checked the same way
    let again = t
        .cli(&["files", "migrate", "--to", "database"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("已存在 2 个"));
    std::fs::remove_dir_all(&dir).unwrap();
    let back = t
        .cli(&["files", "migrate", "--to", "dir"])
        .output()
        .unwrap();
    assert!(back.status.success());
    assert_eq!(
        std::fs::read(dir.join(&hashes[1][..2]).join(&hashes[1])).unwrap(),
        big
    );
    // `files check` reads every file a record names: an attachment uploaded into the database
    let app = app_on(&t, &t.store);
    let jyj = t.unit_id("JYJ").await;
    let cat = t.category(jyj, "GHXX").await;
    let item = t
        .client(&app, "jyj_editor")
        .await
        .draft(jyj, cat.id, "迁移演练", "2026-11-20")
        .await;
    let (cookie, csrf) = t.session_for("jyj_editor").await;
    let r = crate::support::post_multipart(
        &app,
        &format!("/admin/items/{item}/attachments"),
        Some(&cookie),
        &[("csrf", &csrf)],
        &[("file", "迁移.txt", "迁移演练附件。".as_bytes())],
    )
    .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let named = &t.store.disclosure().attachments(item, 1).await.unwrap()[0]
        .0
        .sha256;
    assert!(check("database").status.success());
    let missing = check("dir");
    assert!(!missing.status.success(), "not in the directory");
    assert!(String::from_utf8_lossy(&missing.stderr).contains(named.as_str()));
    // a wrong --to is refused with the choices named
    let bad = t.cli(&["files", "migrate", "--to", "s3"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("database 或 dir"));
    t.cleanup().await;
}
