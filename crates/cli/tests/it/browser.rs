//! End to end in a real browser: Debian's headless Chromium, driven through chromedriver's
//! WebDriver protocol, publishes an item through the back office (editor → reviewer → leader)
//! and finds it on the portal, in its unit's catalog and through search.

use crate::support::{Db, TestDb};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A raw HTTP/1.1 JSON request (no client library needed). The body is read by its
/// Content-Length: chromedriver keeps connections open.
fn http_json(addr: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut reader = BufReader::new(s);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut buf = vec![0u8; length];
    reader.read_exact(&mut buf).unwrap();
    serde_json::from_slice(&buf).unwrap_or_else(|e| {
        panic!(
            "WebDriver answered non-JSON ({e}): {}",
            String::from_utf8_lossy(&buf)
        )
    })
}

struct Browser {
    driver: Child,
    addr: String,
    session: String,
}

impl Browser {
    fn start() -> Browser {
        for bin in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            assert!(
                std::path::Path::new(bin).exists(),
                "{bin} is missing: the browser tests need Debian's chromium and chromium-driver (scripts/test installs them: apt-get install chromium chromium-driver)"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let addr = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = std::env::temp_dir().join(crate::support::unique("gongkai_chrome"));
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1200,900", format!("--user-data-dir={}", profile.display()),
        ]}}}});
        let v = http_json(&addr, "POST", "/session", Some(&caps));
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_string();
        Browser {
            driver,
            addr,
            session,
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = http_json(
            &self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        if let Some(err) = v["value"].get("error") {
            panic!("WebDriver {method} {path}: {err} {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    /// Runs `script` in the page (WebDriver "execute async"); the script calls its last
    /// argument with the result.
    fn execute_async(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn execute(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    fn find(&self, using: &str, value: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": using, "value": value})),
        );
        v[ELEMENT].as_str().unwrap().to_string()
    }

    fn css(&self, sel: &str) -> String {
        self.find("css selector", sel)
    }

    fn click(&self, el: &str) {
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({})));
    }

    fn click_button(&self, label: &str) {
        let el = self.find("xpath", &format!("//button[normalize-space(.)='{label}']"));
        self.click(&el);
    }

    fn type_into(&self, sel: &str, text: &str) {
        let el = self.css(sel);
        self.cmd("POST", &format!("/element/{el}/clear"), Some(json!({})));
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        );
    }

    fn source(&self) -> String {
        self.cmd("GET", "/source", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn login(&self, base: &str, user: &str) {
        self.go(&format!("{base}/login"));
        self.type_into("#username", user);
        self.type_into("#password", "Demo-2026-gongkai");
        self.click_button("登录");
        self.wait(
            |b| b.url().ends_with("/admin"),
            &format!("{user} logged in"),
        );
    }

    fn logout(&self) {
        self.click_button("退出");
        self.wait(|b| !b.source().contains("工作台"), "logged out");
    }

    /// Waits up to 10 s for a condition (navigation after a click may still be under way).
    fn wait(&self, cond: impl Fn(&Browser) -> bool, what: &str) {
        let started = Instant::now();
        while !cond(self) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "timed out waiting: {what}\n{}",
                self.source()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the page contains `needle`.
    fn wait_for_text(&self, needle: &str) {
        self.wait(|b| b.source().contains(needle), needle);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http_json(
            &self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Stops the server as an operator would (SIGTERM) and checks it shut down cleanly.
fn stop_server(server: &mut Child) {
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());
}

fn start_server(t: &TestDb) -> (crate::support::ServerProcess, String) {
    crate::support::start_server_in(t, "gongkai-data")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_through_the_back_office_and_find_it_on_the_portal() {
    let t = TestDb::new(Db::Sqlite).await;
    let (mut server, addr) = start_server(&t);
    let base = format!("http://{addr}");
    let b = Browser::start();
    let jyj = t.unit_id("JYJ").await;
    let title = "关于公布甘棠湖学区划分方案的通知";

    // the editor drafts and submits
    b.login(&base, "jyj_editor");
    b.go(&format!("{base}/admin/units/{jyj}/items/new"));
    let option = b.find(
        "xpath",
        "//select[@id='category_id']/option[contains(., '规划信息')]",
    );
    b.click(&option);
    b.type_into("#title", title);
    b.type_into("#doc_no", "区教发[2026]30号");
    b.type_into(
        "#body",
        "各学校：\n现将甘棠湖学区划分方案公布如下，请遵照执行。",
    );
    b.click_button("保存草稿");
    b.wait_for_text("草稿已保存");
    let item_url = b.url();
    b.click_button("提交审核");
    b.wait_for_text("已提交审核");
    b.logout();

    // the reviewer passes the secrecy review, the leader approves
    b.login(&base, "jyj_reviewer");
    b.go(&item_url);
    b.click_button("保密审查通过");
    b.wait_for_text("审核通过");
    b.logout();
    b.login(&base, "jyj_leader");
    b.go(&item_url);
    b.click_button("审批并发布");
    b.wait_for_text("已发布");
    b.logout();

    // the public finds it: the unit's catalog, the item page, search (with square brackets)
    b.go(&format!("{base}/units/JYJ"));
    let link = b.find("xpath", &format!("//a[normalize-space(.)='{title}']"));
    b.click(&link);
    let page = b.source();
    assert!(
        page.contains("索引号")
            && page.contains("区教发[2026]30号")
            && page.contains("甘棠湖学区划分方案公布如下"),
        "{page}"
    );
    b.go(&format!(
        "{base}/search?q=%E5%8C%BA%E6%95%99%E5%8F%91%5B2026%5D30%E5%8F%B7"
    ));
    b.wait_for_text("找到 1 条结果");
    b.type_into("#q", "學區劃分方案");
    let submit = b.find("xpath", "//main//form[@role='search']//button");
    b.click(&submit);
    b.wait_for_text("value=\"學區劃分方案\"");
    assert!(
        b.source().contains("找到 1 条结果") && b.source().contains("<mark>学区划分方案</mark>"),
        "traditional characters find the simplified title: {}",
        b.source()
    );

    drop(b);
    stop_server(&mut server);
    t.cleanup().await;
}

/// axe-core's browser bundle: `GONGKAI_AXE`, or where `scripts/test` installs it with npm.
fn axe_source() -> String {
    let path = std::env::var("GONGKAI_AXE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. The accessibility audit needs axe-core: scripts/test installs it (npm install --prefix target/axe axe-core@4)",
            path.display()
        )
    })
}

/// The WCAG 2.1 A/AA violations axe-core finds on the current page, as readable lines.
fn axe_violations(b: &Browser, axe: &str) -> Vec<String> {
    b.execute(axe);
    let v = b.execute_async(
        "const done = arguments[arguments.length - 1];\
         axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})\
           .then(r => done(r.violations.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' @ ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))\
           .catch(e => done(['axe failed: ' + e]));",
    );
    v.as_array()
        .unwrap_or_else(|| panic!("axe returned {v}"))
        .iter()
        .map(|x| x.as_str().unwrap_or("").to_string())
        .collect()
}

/// Every kind of public and back-office page passes axe-core's WCAG 2.1 A/AA rules in a real
/// browser, in the normal, large-font and high-contrast modes (GB/T 37668 follows WCAG 2.0 AA).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_pass_the_axe_accessibility_audit() {
    let axe = axe_source();
    let t = TestDb::new(Db::Sqlite).await;
    let (mut server, addr) = start_server(&t);
    let base = format!("http://{addr}");
    let b = Browser::start();
    let jyj = t.unit_id("JYJ").await;
    let sjj = t.unit_id("SJJ").await;
    let licence = t
        .store
        .power()
        .item_by_code("33019900SJJ-XK-0001")
        .await
        .unwrap()
        .expect("the demo publishes a licence item")
        .id;
    let item = t
        .store
        .disclosure()
        .list_published(None, None, 1, 0)
        .await
        .unwrap()
        .1
        .into_iter()
        .next()
        .map(|i| i.item.index_no)
        .expect("the demo publishes items");
    let mzj = t.unit_id("MZJ").await;
    let application = t
        .store
        .applications()
        .for_unit(mzj, 1, 0)
        .await
        .unwrap()
        .1
        .first()
        .expect("the demo has applications")
        .id;
    let published_message = t
        .store
        .messages()
        .published(None, None, 1)
        .await
        .unwrap()
        .first()
        .expect("the demo publishes a message")
        .id;
    let mzj_message = t
        .store
        .messages()
        .for_unit(mzj, None, 1)
        .await
        .unwrap()
        .first()
        .expect("the demo has messages to MZJ")
        .id;
    let rating = t
        .store
        .ratings()
        .list(sjj, Some("pending"), None, 1)
        .await
        .unwrap()
        .first()
        .expect("the demo has a bad rating at SJJ")
        .id;
    let consultation = t
        .store
        .consultations()
        .list(Some(jyj), None, 1)
        .await
        .unwrap()
        .first()
        .expect("the demo has a consultation at JYJ")
        .id;
    let decision = t
        .store
        .decisions()
        .behind("9999-12-31")
        .await
        .unwrap()
        .first()
        .expect("the demo has a major decision")
        .id;
    let budget = t
        .store
        .finance()
        .latest(2026, gongkai_domain::finance::Phase::Budget)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.unit_id == jyj)
        .expect("the demo publishes JYJ's 2026 budget")
        .id;
    let village = t.unit_id("QSZ-QSC").await;
    let public = [
        "/finance".to_string(),
        format!("/finance/{budget}"),
        format!("/finance/{budget}?code=201"),
        "/villages".to_string(),
        format!("/villages/{village}"),
        "/".to_string(),
        "/list".to_string(),
        "/units".to_string(),
        "/units/JYJ".to_string(),
        "/units/JYJ/guide".to_string(),
        format!("/items/{item}"),
        "/search?q=%E6%95%99%E8%82%B2".to_string(),
        "/standards".to_string(),
        "/login".to_string(),
        "/no-such-page".to_string(),
        "/powers".to_string(),
        "/powers/33019900SJJ-XK-0001".to_string(),
        "/powers/33019900SJJ-CF-0001".to_string(),
        "/powers/33019900SJJ-XK-0001/apply".to_string(),
        "/double-publicity".to_string(),
        "/cases".to_string(),
        "/sitemap".to_string(),
        "/contact".to_string(),
        "/privacy".to_string(),
        "/apply".to_string(),
        "/apply/track".to_string(),
        "/apply/register".to_string(),
        "/messages/new".to_string(),
        "/messages/track".to_string(),
        "/messages".to_string(),
        format!("/messages/{published_message}"),
        "/ratings".to_string(),
        "/ratings?unit=SJJ".to_string(),
        "/ratings/new".to_string(),
        "/consultations".to_string(),
        format!("/consultations/{consultation}"),
        "/major-decisions".to_string(),
        format!("/major-decisions/{decision}"),
    ];
    // the audit itself catches what it is meant to catch
    b.go("data:text/html;charset=utf-8,<html><body><img src='x.png'><input id='q'></body></html>");
    let bad = axe_violations(&b, &axe);
    for rule in ["html-has-lang", "image-alt", "label"] {
        assert!(
            bad.iter().any(|v| v.contains(&format!(" {rule}: "))),
            "{rule} not reported: {bad:?}"
        );
    }
    let mut problems = Vec::new();
    let mut audited = 0;
    for mode in ["", "font=large", "contrast=high"] {
        if !mode.is_empty() {
            b.go(&format!("{base}/prefs?{mode}"));
        }
        for path in &public {
            b.go(&format!("{base}{path}"));
            for v in axe_violations(&b, &axe) {
                problems.push(format!("{path} [{mode}] {v}"));
            }
            audited += 1;
        }
    }
    b.go(&format!("{base}/prefs?font=normal"));
    b.go(&format!("{base}/prefs?contrast=normal"));
    b.login(&base, "admin");
    for path in [
        "/admin".to_string(),
        format!("/admin/units/{jyj}"),
        format!("/admin/units/{jyj}/items"),
        format!("/admin/units/{jyj}/items/new"),
        format!("/admin/units/{jyj}/staff"),
        format!("/admin/units/{jyj}/audit"),
        "/admin/calendar".to_string(),
        "/admin/account".to_string(),
        "/admin/words".to_string(),
        "/admin/webhooks".to_string(),
        "/admin/standards".to_string(),
        "/admin/timeliness".to_string(),
        format!("/admin/units/{sjj}/powers"),
        format!("/admin/units/{sjj}/powers/new"),
        format!("/admin/units/{sjj}/cases"),
        format!("/admin/powers/{licence}"),
        "/admin/supervision".to_string(),
        "/admin/power-reviews".to_string(),
        "/admin/applications".to_string(),
        format!("/admin/units/{mzj}/applications"),
        format!("/admin/units/{mzj}/applications/new"),
        format!("/admin/applications/{application}"),
        format!("/admin/units/{jyj}/annual-report?year=2025"),
        "/admin/letter-templates".to_string(),
        format!("/admin/units/{mzj}/messages"),
        format!("/admin/messages/{mzj_message}"),
        "/admin/message-routes".to_string(),
        format!("/admin/units/{sjj}/ratings"),
        format!("/admin/ratings/{rating}"),
        format!("/admin/units/{jyj}/consultations"),
        format!("/admin/consultations/{consultation}"),
        "/admin/major-decisions".to_string(),
        format!("/admin/major-decisions/{decision}"),
        "/admin/finance".to_string(),
        format!("/admin/finance/sets/{budget}"),
        "/admin/finance/oversight".to_string(),
        "/admin/villages".to_string(),
        format!("/admin/villages/{village}"),
    ] {
        b.go(&format!("{base}{path}"));
        for v in axe_violations(&b, &axe) {
            problems.push(format!("{path} {v}"));
        }
        audited += 1;
    }
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(audited, 3 * public.len() + 38);
    drop(b);
    stop_server(&mut server);
    t.cleanup().await;
}

#[tokio::test]
async fn public_pages_fit_a_phone_without_sideways_scrolling() {
    let t = TestDb::new(Db::Sqlite).await;
    let (mut server, addr) = start_server(&t);
    let base = format!("http://{addr}");
    let b = Browser::start();
    b.cmd(
        "POST",
        "/window/rect",
        Some(json!({"width": 390, "height": 844})),
    );
    let item = t
        .store
        .disclosure()
        .list_published(None, None, 1, 0)
        .await
        .unwrap()
        .1
        .into_iter()
        .next()
        .map(|i| i.item.index_no)
        .expect("the demo publishes items");
    let mut wide = Vec::new();
    for path in [
        "/".to_string(),
        "/units".to_string(),
        "/standards".to_string(),
        "/list".to_string(),
        "/units/JYJ".to_string(),
        "/units/JYJ/guide".to_string(),
        format!("/items/{item}"),
        "/sitemap".to_string(),
        "/powers".to_string(),
        "/double-publicity".to_string(),
    ] {
        b.go(&format!("{base}{path}"));
        let widths = b.execute("return [window.innerWidth, document.documentElement.scrollWidth];");
        let (inner, scroll) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
        assert!(inner <= 420, "the window is phone-sized: {inner}");
        if scroll > inner {
            wide.push(format!("{path}: {scroll} px wide in a {inner} px window"));
        }
    }
    assert_eq!(wide, Vec::<String>::new());
    drop(b);
    stop_server(&mut server);
    t.cleanup().await;
}
