//! Test support: a fresh database on each backend, an app to send requests to, and helpers.

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use gongkai_store::{Actor, ConnectOptions, Store};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use.
pub fn pg_url() -> String {
    std::env::var("GONGKAI_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A unique name for this process and call.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh, migrated, empty database.
pub struct TestDb {
    pub store: Store,
    /// `--database` URL for the CLI (PostgreSQL: with the schema as search_path).
    pub cli_url: String,
    pub dir: PathBuf,
    schema: Option<String>,
}

/// A test that panics (or forgets `cleanup`) leaks nothing: the directory is removed and the
/// PostgreSQL schema dropped on a connection of its own (the test's runtime may be gone).
impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(schema) = self.schema.take() {
            let url = pg_url();
            let dropped = std::thread::spawn(move || -> Result<(), String> {
                use sqlx::Connection;
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                rt.block_on(async {
                    let mut conn = sqlx::postgres::PgConnection::connect(&url)
                        .await
                        .map_err(|e| e.to_string())?;
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP SCHEMA IF EXISTS {schema} CASCADE"
                    )))
                    .execute(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
                    conn.close().await.map_err(|e| e.to_string())
                })
            })
            .join();
            if let Ok(Err(e)) = dropped {
                eprintln!("test schema not dropped: {e}");
            }
        }
    }
}

impl TestDb {
    pub async fn new(db: Db) -> TestDb {
        let dir = std::env::temp_dir().join(unique("gongkai_test"));
        std::fs::create_dir_all(&dir).unwrap();
        match db {
            Db::Sqlite => {
                let url = gongkai_store::sqlite_url_for_dir(&dir);
                let store = Store::open(ConnectOptions::new(&url)).await.unwrap();
                TestDb {
                    store,
                    cli_url: url,
                    dir,
                    schema: None,
                }
            }
            Db::Postgres => {
                let schema = unique("gk_test");
                let mut opts = ConnectOptions::new(&pg_url());
                opts.pg_schema = Some(schema.clone());
                opts.max_connections = 4;
                let store = match Store::open(opts).await {
                    Ok(s) => s,
                    Err(e) => panic!(
                        "PostgreSQL is not reachable at {} ({e}).\n\
                         The test suite needs it: start it with\n  \
                         pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n\
                         or point GONGKAI_TEST_POSTGRES at another server (scripts/test does this for you).",
                        pg_url()
                    ),
                };
                let sep = if pg_url().contains('?') { '&' } else { '?' };
                let cli_url = format!("{}{sep}options=-c%20search_path%3D{schema}", pg_url());
                TestDb {
                    store,
                    cli_url,
                    dir,
                    schema: Some(schema),
                }
            }
        }
    }

    /// Drops the PostgreSQL schema and the temporary directory now. Optional: dropping the
    /// `TestDb` does the same (also when a test fails half-way), only more slowly.
    pub async fn cleanup(mut self) {
        if let Some(schema) = self.schema.take() {
            let _ = self.store.drop_schema(&schema).await;
        }
        self.store.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// The PostgreSQL schema of this database (None on SQLite or after clean-up).
    pub fn schema_name(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// A store with the demo district loaded (through the CLI's own loader: `gongkai demo`).
    pub async fn with_demo(db: Db) -> TestDb {
        let t = TestDb::new(db).await;
        let out = t.cli(&["demo", "--items", "0"]).output().unwrap();
        assert!(
            out.status.success(),
            "demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    /// A `gongkai` command pointed at this database.
    pub fn cli(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"));
        c.args(args)
            .arg("--database")
            .arg(&self.cli_url)
            .current_dir(&self.dir)
            .env_remove("GONGKAI_CONFIG");
        c
    }

    pub fn app(&self) -> axum::Router {
        let indexer = std::sync::Arc::new(
            gongkai_work::indexing::Indexer::open(&self.dir.join("index")).unwrap(),
        );
        let config = gongkai_web::WebConfig {
            files_dir: self.dir.join("files"),
            ..Default::default()
        };
        let state = gongkai_web::AppState::new(self.store.clone(), config, indexer).unwrap();
        gongkai_web::app(state)
    }

    /// Like [`TestDb::app`], with the index first brought up to date with the database (as a
    /// server does before it opens its port): for rows written by the CLI.
    pub async fn app_synced(&self) -> axum::Router {
        let indexer = std::sync::Arc::new(
            gongkai_work::indexing::Indexer::open(&self.dir.join("index")).unwrap(),
        );
        indexer.sync(&self.store).await.unwrap();
        let config = gongkai_web::WebConfig {
            files_dir: self.dir.join("files"),
            ..Default::default()
        };
        let state = gongkai_web::AppState::new(self.store.clone(), config, indexer).unwrap();
        gongkai_web::app(state)
    }

    /// The catalog category `code` as seen by unit `unit_id`.
    pub async fn category(&self, unit_id: i64, code: &str) -> gongkai_store::disclosure::Category {
        self.store
            .disclosure()
            .list_categories(Some(unit_id))
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.code == code)
            .unwrap_or_else(|| panic!("no category {code}"))
    }

    pub async fn unit_id(&self, code: &str) -> i64 {
        self.store
            .find_unit_by_code(code)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// Logs `username` in by creating a session directly; returns the cookie header and CSRF token.
    pub async fn session_for(&self, username: &str) -> (String, String) {
        let creds = self
            .store
            .find_staff_credentials(username)
            .await
            .unwrap()
            .unwrap();
        let token = gongkai_work::secrets::random_token();
        let csrf = gongkai_work::secrets::random_token();
        self.store
            .create_session(
                &creds.staff,
                &gongkai_work::secrets::token_hash(&token),
                &csrf,
                chrono::Utc::now() + chrono::Duration::hours(1),
            )
            .await
            .unwrap();
        (
            format!("{}={token}", gongkai_web::auth::SESSION_COOKIE),
            csrf,
        )
    }
}

pub fn system() -> Actor {
    Actor::system("test")
}

/// A response with its body read.
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                let first = c.split(';').next()?;
                let (k, v) = first.split_once('=')?;
                (k == name).then(|| v.to_string())
            })
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn read(resp: Response<Body>) -> Resp {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 10 << 20)
        .await
        .unwrap();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn get(app: &axum::Router, path: &str, cookie: Option<&str>) -> Resp {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    read(
        app.clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap(),
    )
    .await
}

pub async fn get_bearer(app: &axum::Router, path: &str, token: &str) -> Resp {
    let req = Request::get(path).header("authorization", format!("Bearer {token}"));
    read(
        app.clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap(),
    )
    .await
}

/// URL-encodes form fields.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.bytes()
                    .map(|b| if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    })
                    .collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub async fn post(
    app: &axum::Router,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> Resp {
    let mut req = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    read(
        app.clone()
            .oneshot(req.body(Body::from(form(fields))).unwrap())
            .await
            .unwrap(),
    )
    .await
}

/// Declares one async test per backend: `NAME_sqlite` and `NAME_postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::support::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::support::Db::Postgres).await
            }
        }
    };
}

/// Posts a multipart form: text fields and files `(name, filename, bytes)`.
pub async fn post_multipart(
    app: &axum::Router,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Resp {
    let boundary = "----gongkai-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (k, filename, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut req = Request::post(path).header(
        "content-type",
        format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    read(
        app.clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap(),
    )
    .await
}

/// GETs raw bytes (downloads).
pub async fn get_bytes(
    app: &axum::Router,
    path: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let resp = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 10 << 20)
        .await
        .unwrap()
        .to_vec();
    (status, headers, bytes)
}

impl Resp {
    /// The id in a `Location: /admin/items/ID?…` redirect.
    pub fn item_id(&self) -> i64 {
        self.location()
            .trim_start_matches("/admin/items/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("no item id in {:?}", self.location()))
    }
}

/// A signed-in staff member: requests carry their session cookie, and form posts their CSRF
/// token, so a test says only what it does (`editor.post(path, &[("title", …)])`).
pub struct Client<'a> {
    app: &'a axum::Router,
    /// The session cookie header.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl TestDb {
    /// A client signed in as `username` (a session made directly, as login would).
    pub async fn client<'a>(&self, app: &'a axum::Router, username: &str) -> Client<'a> {
        let (cookie, csrf) = self.session_for(username).await;
        Client { app, cookie, csrf }
    }
}

impl Client<'_> {
    /// GETs `path`.
    pub async fn get(&self, path: &str) -> Resp {
        get(self.app, path, Some(&self.cookie)).await
    }

    /// POSTs a form with `fields` and the CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        post(self.app, path, Some(&self.cookie), &all).await
    }

    /// Drafts an item in unit `unit_id`'s category `category_id` (in force, a one-word body)
    /// and returns its id.
    pub async fn draft(&self, unit_id: i64, category_id: i64, title: &str, formed_on: &str) -> i64 {
        let r = self
            .post(
                &format!("/admin/units/{unit_id}/items"),
                &[
                    ("category_id", &category_id.to_string()),
                    ("title", title),
                    ("formed_on", formed_on),
                    ("validity", "in_force"),
                    ("body", "正文"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        r.item_id()
    }

    /// Takes a workflow step of an item (`submit`, `review`, `reject`, `approve`, …).
    pub async fn step(&self, item_id: i64, step: &str, fields: &[(&str, &str)]) -> Resp {
        self.post(&format!("/admin/items/{item_id}/{step}"), fields)
            .await
    }
}

/// Drafts a clean item in JYJ's category `category` (formed on `formed_on`) as its editor and
/// takes it through review (reviewer) and approval (leader); returns its id.
pub async fn publish_in_jyj(
    t: &TestDb,
    app: &axum::Router,
    category: &str,
    title: &str,
    formed_on: &str,
) -> i64 {
    let editor = t.client(app, "jyj_editor").await;
    let jyj = t.unit_id("JYJ").await;
    let cat = t.category(jyj, category).await;
    let r = editor
        .post(
            &format!("/admin/units/{jyj}/items"),
            &[
                ("category_id", &cat.id.to_string()),
                ("title", title),
                ("doc_no", "区教发〔2026〕9号"),
                ("formed_on", formed_on),
                ("validity", "in_force"),
                ("topic", "教育"),
                ("summary", "摘要"),
                ("body", "各学校：\n请按通知要求认真贯彻执行。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r.item_id();
    for (user, step) in [
        ("jyj_editor", "submit"),
        ("jyj_reviewer", "review"),
        ("jyj_leader", "approve"),
    ] {
        let r = t.client(app, user).await.step(id, step, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    id
}

/// GETs raw bytes as a logged-in user (downloads behind the login).
pub async fn get_bytes_as(app: &axum::Router, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    let resp = app
        .clone()
        .oneshot(
            Request::get(path)
                .header("cookie", cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 10 << 20)
        .await
        .unwrap()
        .to_vec();
    (status, bytes)
}

/// A one-page PDF (Helvetica as /F1) whose content stream is `content`, Flate-compressed when
/// `compress` is set.
pub fn pdf(content: &[u8], compress: bool) -> Vec<u8> {
    use std::io::Write;
    let stream = if compress {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(content).unwrap();
        z.finish().unwrap()
    } else {
        content.to_vec()
    };
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
    ];
    let filter = if compress {
        " /Filter /FlateDecode"
    } else {
        ""
    };
    let mut s = format!("<< /Length {}{filter} >>\nstream\n", stream.len()).into_bytes();
    s.extend_from_slice(&stream);
    s.extend_from_slice(b"\nendstream");
    objects.push(s);
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec());
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// An API token for a demo account, created through the store as the account page does.
pub async fn token_for(t: &TestDb, username: &str) -> String {
    let staff = t
        .store
        .find_staff_credentials(username)
        .await
        .unwrap()
        .unwrap()
        .staff;
    let token = format!("gk_{}", gongkai_work::secrets::random_token());
    t.store
        .create_api_token(&staff, "测试", &gongkai_work::secrets::token_hash(&token))
        .await
        .unwrap();
    token
}

/// POSTs a JSON body to the API, with a bearer token when given.
pub async fn api_post(app: &axum::Router, path: &str, token: Option<&str>, body: &str) -> Resp {
    let mut req = axum::http::Request::post(path).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = tower::ServiceExt::oneshot(
        app.clone(),
        req.body(axum::body::Body::from(body.to_string())).unwrap(),
    )
    .await
    .unwrap();
    read(resp).await
}

/// A `gongkai serve` child process of a test: killed when dropped, so a test that fails
/// half-way leaves no server running.
pub struct ServerProcess(pub std::process::Child);

impl std::ops::Deref for ServerProcess {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for ServerProcess {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server with its own data directory (its own search index) on the test's database.
pub fn start_server_in(t: &TestDb, data: &str) -> (ServerProcess, String) {
    let mut child = t
        .cli(&["serve", "--demo", "--addr", "127.0.0.1:0", "--data", data])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let addr = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line
            .split("http://")
            .nth(1)
            .filter(|_| line.contains("已启动"))
        {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    assert!(
        printed.contains("jyj_editor") && printed.contains("Demo-2026-gongkai"),
        "demo logins printed: {printed}"
    );
    std::thread::spawn(move || for _ in lines {});
    (ServerProcess(child), addr)
}
