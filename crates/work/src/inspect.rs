//! The website inspection's crawler (定期网查): fetches a site's pages politely — its
//! robots.txt obeyed, one request at a time per interval on the host, an identifying
//! User-Agent, a size cap per page — reduces each page to the facts the national indicators
//! look at (`gongkai_domain::inspection::PageFacts`), and lists the links that do not work with
//! the page that links them. It never follows a link to another site: outside links are
//! checked (a HEAD request) only when asked, and never at loopback, private or link-local
//! addresses unless the inspected site itself is at one. Blocking: run it on its own threads.

use gongkai_domain::inspection::{BrokenLink, PageFacts, PageKind};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::net::ToSocketAddrs;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use url::Url;

/// How to crawl.
#[derive(Debug, Clone)]
pub struct Options {
    /// Most pages fetched on the site.
    pub max_pages: usize,
    /// Requests at once.
    pub concurrency: usize,
    /// Least time between two requests' starts on the site.
    pub interval: Duration,
    /// Largest page read; the rest is left unread.
    pub max_bytes: u64,
    /// Time allowed for one request.
    pub timeout: Duration,
    /// Check links to other sites with a HEAD request (never followed further).
    pub check_external: bool,
    /// Read the site's documents (PDF, Word, Excel, text) for the personal-data scan, through
    /// this sandbox (PDFs in a child process under limits); `None` leaves them unread.
    pub read_files: Option<crate::sandbox::Sandbox>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_pages: 1000,
            concurrency: 4,
            interval: Duration::from_millis(100),
            max_bytes: 5 * 1024 * 1024,
            timeout: Duration::from_secs(15),
            check_external: false,
            read_files: None,
        }
    }
}

/// What the crawl found.
#[derive(Debug, Clone, Default)]
pub struct Crawl {
    /// The pages fetched.
    pub pages: Vec<PageFacts>,
    /// Links that do not work.
    pub broken: Vec<BrokenLink>,
    /// Links not fetched, with why (robots.txt, internal address, page limit, not checked).
    pub skipped: Vec<(String, String)>,
}

/// Why a crawl could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// Not an http(s) address.
    #[error("网址无效：{0}（应为 http:// 或 https:// 开头的网址）")]
    BadUrl(String),
    /// The host's name does not resolve.
    #[error("无法解析主机名：{0}")]
    Unresolvable(String),
}

/// The User-Agent the crawler announces.
pub const USER_AGENT: &str = concat!(
    "gongkai-inspect/",
    env!("CARGO_PKG_VERSION"),
    " (政府网站检查; +https://github.com/gongkai)"
);

struct Shared {
    queue: VecDeque<(Url, Option<String>)>,
    seen: HashSet<String>,
    busy: usize,
    fetched: usize,
    out: Crawl,
    last_start: Option<Instant>,
}

/// Crawls the site at `start`; `progress(done, queued)` is called after each page.
pub fn crawl(
    start: &str,
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Crawl, InspectError> {
    let start = Url::parse(start.trim()).map_err(|_| InspectError::BadUrl(start.into()))?;
    if !matches!(start.scheme(), "http" | "https") || start.host_str().is_none() {
        return Err(InspectError::BadUrl(start.to_string()));
    }
    let host = start.host_str().unwrap_or_default().to_string();
    let port = start.port_or_known_default().unwrap_or(80);
    let addrs: Vec<std::net::IpAddr> = (host.trim_matches(['[', ']']), port)
        .to_socket_addrs()
        .map_err(|_| InspectError::Unresolvable(host.clone()))?
        .map(|a| a.ip())
        .collect();
    // the site itself at an internal address (inspecting gongkai's own portal on loopback):
    // its own pages may be fetched; any other internal address never
    let internal_site = addrs.iter().any(|ip| gongkai_domain::net::is_internal(*ip));
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .proxy(None)
        .user_agent(USER_AGENT)
        // one kept-alive connection per worker (the default keeps 3 per host: the other
        // workers would open a new connection for every page)
        .max_idle_connections_per_host(opts.concurrency.max(1))
        .max_idle_connections(opts.concurrency.max(1) * 2)
        .build();
    // the site's own host answers from the addresses resolved (and checked) above: no lookup
    // (ureq's lookup under a timeout is a new thread per request), and no second answer from
    // DNS that could point elsewhere
    let pinned = Pinned {
        host: host.trim_matches(['[', ']']).to_ascii_lowercase(),
        port,
        addrs: addrs
            .iter()
            .map(|ip| std::net::SocketAddr::new(*ip, port))
            .collect(),
    };
    let agent = ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        pinned,
    );
    let robots = robots(&agent, &start);
    let shared = Arc::new((
        Mutex::new(Shared {
            queue: VecDeque::from([(start.clone(), None)]),
            seen: HashSet::from([key(&start)]),
            busy: 0,
            fetched: 0,
            out: Crawl::default(),
            last_start: None,
        }),
        Condvar::new(),
    ));
    let external_checked: Mutex<HashMap<String, Option<String>>> = Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        for _ in 0..opts.concurrency.max(1) {
            let shared = Arc::clone(&shared);
            let (agent, start, robots, external_checked) =
                (&agent, &start, &robots, &external_checked);
            scope.spawn(move || {
                worker(
                    &shared,
                    agent,
                    start,
                    robots,
                    internal_site,
                    opts,
                    external_checked,
                    progress,
                )
            });
        }
    });
    let (lock, _) = &*shared;
    let mut out = match lock.lock() {
        Ok(mut s) => std::mem::take(&mut s.out),
        Err(e) => std::mem::take(&mut e.into_inner().out),
    };
    out.pages.sort_by(|a, b| a.url.cmp(&b.url));
    out.broken
        .sort_by(|a, b| (&a.url, &a.on_page).cmp(&(&b.url, &b.on_page)));
    Ok(out)
}

/// A resolver that answers the inspected site's host from its addresses resolved once, and
/// every other host (outside links, checked only on request) as ureq would.
#[derive(Debug)]
struct Pinned {
    host: String,
    port: u16,
    addrs: Vec<std::net::SocketAddr>,
}

impl ureq::unversioned::resolver::Resolver for Pinned {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        if host.eq_ignore_ascii_case(&self.host) && port == self.port && !self.addrs.is_empty() {
            let mut out = self.empty();
            for a in self.addrs.iter().take(16) {
                out.push(*a);
            }
            return Ok(out);
        }
        ureq::unversioned::resolver::DefaultResolver::default().resolve(uri, config, timeout)
    }
}

fn key(u: &Url) -> String {
    let mut u = u.clone();
    u.set_fragment(None);
    u.to_string()
}

/// The Disallow prefixes for every agent (`User-agent: *`) and for ours.
fn robots(agent: &ureq::Agent, start: &Url) -> Vec<String> {
    let Ok(url) = start.join("/robots.txt") else {
        return Vec::new();
    };
    let Ok(mut r) = agent.get(url.as_str()).call() else {
        return Vec::new();
    };
    if r.status().as_u16() != 200 {
        return Vec::new();
    }
    let mut text = String::new();
    let _ = r
        .body_mut()
        .as_reader()
        .take(512 * 1024)
        .read_to_string(&mut text);
    let mut out = Vec::new();
    let mut applies = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(v) = line
            .strip_prefix("User-agent:")
            .or_else(|| line.strip_prefix("user-agent:"))
        {
            let v = v.trim();
            applies = v == "*" || USER_AGENT.starts_with(v);
        } else if applies
            && let Some(v) = line
                .strip_prefix("Disallow:")
                .or_else(|| line.strip_prefix("disallow:"))
            && !v.trim().is_empty()
        {
            out.push(v.trim().to_string());
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn worker(
    shared: &(Mutex<Shared>, Condvar),
    agent: &ureq::Agent,
    start: &Url,
    robots: &[String],
    internal_site: bool,
    opts: &Options,
    external_checked: &Mutex<HashMap<String, Option<String>>>,
    progress: &(dyn Fn(usize, usize) + Sync),
) {
    let (lock, cv) = shared;
    loop {
        // take the next page, or stop when nothing is queued or in flight
        let (url, from) = {
            let Ok(mut s) = lock.lock() else { return };
            loop {
                if let Some(next) = s.queue.pop_front() {
                    s.busy += 1;
                    break next;
                }
                if s.busy == 0 {
                    cv.notify_all();
                    return;
                }
                s = match cv.wait(s) {
                    Ok(s) => s,
                    Err(_) => return,
                };
            }
        };
        // politeness: one start per interval on the site
        loop {
            let wait = {
                let Ok(mut s) = lock.lock() else { return };
                let now = Instant::now();
                match s.last_start {
                    Some(t) if now < t + opts.interval => Some(t + opts.interval - now),
                    _ => {
                        s.last_start = Some(now);
                        None
                    }
                }
            };
            match wait {
                Some(d) => std::thread::sleep(d),
                None => break,
            }
        }
        let result = fetch(agent, &url, opts.max_bytes, opts.read_files.as_ref());
        let mut found_links = Vec::new();
        let mut page = None;
        let mut broken = None;
        match result {
            Ok(Fetched::Html(body, final_url)) => {
                let facts = facts_of(&final_url, &body, key(&final_url) == key(start));
                found_links = links_of(&final_url, &body);
                page = Some(facts);
            }
            Ok(Fetched::File(text)) => {
                // a document: no meta tags or lists to judge, only its text to scan
                page = Some(PageFacts {
                    url: url.to_string(),
                    kind: PageKind::Other,
                    meta: Vec::new(),
                    text,
                    listed_dates: Vec::new(),
                });
            }
            Ok(Fetched::Other) => {}
            Err(why) => {
                broken = Some(BrokenLink {
                    url: url.to_string(),
                    on_page: from.clone().unwrap_or_default(),
                    why,
                    internal: true,
                });
            }
        }
        // outside links: checked (HEAD) only when asked, never followed
        let mut outside = Vec::new();
        let Ok(mut s) = lock.lock() else { return };
        s.busy -= 1;
        s.fetched += 1;
        if let Some(p) = page {
            s.out.pages.push(p);
        }
        if let Some(b) = broken {
            s.out.broken.push(b);
        }
        for link in found_links {
            let k = key(&link);
            if link.host_str() != start.host_str()
                || link.port_or_known_default() != start.port_or_known_default()
            {
                outside.push(link);
                continue;
            }
            if !s.seen.insert(k.clone()) {
                continue;
            }
            if robots.iter().any(|d| link.path().starts_with(d.as_str())) {
                s.out.skipped.push((k, "robots.txt 不允许".into()));
            } else if s.seen.len() > opts.max_pages {
                s.out.skipped.push((k, "超过页数上限".into()));
            } else {
                s.queue.push_back((link, Some(url.to_string())));
            }
        }
        let (done, queued) = (s.fetched, s.queue.len());
        cv.notify_all();
        drop(s);
        progress(done, queued);
        for link in outside {
            let k = key(&link);
            let verdict = {
                let Ok(mut checked) = external_checked.lock() else {
                    return;
                };
                if let Some(v) = checked.get(&k) {
                    v.clone()
                } else if !opts.check_external {
                    checked.insert(k.clone(), None);
                    if let Ok(mut s) = lock.lock() {
                        s.out.skipped.push((k.clone(), "站外链接，未检查".into()));
                    }
                    None
                } else {
                    drop(checked);
                    let v = check_external(agent, &link, internal_site);
                    if let Ok(mut checked) = external_checked.lock() {
                        checked.insert(k.clone(), v.clone());
                    }
                    v
                }
            };
            if let Some(why) = verdict
                && let Ok(mut s) = lock.lock()
            {
                s.out.broken.push(BrokenLink {
                    url: k,
                    on_page: url.to_string(),
                    why,
                    internal: false,
                });
            }
        }
    }
}

enum Fetched {
    Html(String, Url),
    /// A document's text (read for the personal-data scan).
    File(String),
    Other,
}

/// Whether a response is a document the scan reads (by its type, or its name's extension).
fn is_document(content_type: &str, url: &Url) -> bool {
    let t = content_type.to_ascii_lowercase();
    let path = url.path().to_ascii_lowercase();
    [
        "application/pdf",
        "officedocument",
        "msword",
        "ms-excel",
        "text/plain",
    ]
    .iter()
    .any(|k| t.contains(k))
        || [".pdf", ".docx", ".xlsx", ".txt"]
            .iter()
            .any(|e| path.ends_with(e))
}

/// One GET: the HTML (at most `max_bytes`), a document's text (when documents are read),
/// something else (a file), or why it failed.
fn fetch(
    agent: &ureq::Agent,
    url: &Url,
    max_bytes: u64,
    read_files: Option<&crate::sandbox::Sandbox>,
) -> Result<Fetched, String> {
    let mut r = agent.get(url.as_str()).call().map_err(|e| match e {
        ureq::Error::TooManyRedirects => "重定向过多（可能是重定向循环）".to_string(),
        ureq::Error::Timeout(_) => "超时未响应".to_string(),
        e => format!("无法访问：{e}"),
    })?;
    let status = r.status().as_u16();
    if status >= 400 {
        return Err(format!("HTTP {status}"));
    }
    let html = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("html"));
    if !html {
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let Some(sandbox) = read_files.filter(|_| is_document(&content_type, url)) else {
            return Ok(Fetched::Other);
        };
        let mut body = Vec::new();
        r.body_mut()
            .as_reader()
            .take(max_bytes)
            .read_to_end(&mut body)
            .map_err(|e| format!("读取失败：{e}"))?;
        // a document that cannot be read is not a broken link: its text is just not scanned
        return Ok(
            match sandbox.extract(&body, &gongkai_extract::Limits::default()) {
                Ok(text) => Fetched::File(text),
                Err(_) => Fetched::Other,
            },
        );
    }
    let mut body = Vec::new();
    r.body_mut()
        .as_reader()
        .take(max_bytes)
        .read_to_end(&mut body)
        .map_err(|e| format!("读取失败：{e}"))?;
    Ok(Fetched::Html(
        String::from_utf8_lossy(&body).into_owned(),
        url.clone(),
    ))
}

/// A HEAD request to a link on another site; `Some(why)` when it does not work. Internal
/// addresses are refused (and said so) unless the inspected site is itself internal.
fn check_external(agent: &ureq::Agent, url: &Url, internal_site: bool) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_matches(['[', ']']).to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let ips: Vec<std::net::IpAddr> = match (host.as_str(), port).to_socket_addrs() {
        Ok(a) => a.map(|a| a.ip()).collect(),
        Err(_) => return Some("主机名无法解析".into()),
    };
    if !internal_site && ips.iter().any(|ip| gongkai_domain::net::is_internal(*ip)) {
        return Some("指向本机、内网或保留地址，未访问".into());
    }
    match agent.head(url.as_str()).call() {
        Ok(r) if r.status().as_u16() >= 400 => Some(format!("HTTP {}", r.status().as_u16())),
        Ok(_) => None,
        Err(e) => Some(format!("无法访问：{e}")),
    }
}

/// The attribute `name` of a tag's text (`<meta name="x" content="y">`), quotes optional.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[at + name.len()..].trim_start();
        if before_ok && rest.starts_with('=') {
            let value_start = tag.len() - rest.len() + 1;
            let v = tag[value_start..].trim_start();
            let (q, body) = match v.chars().next() {
                Some(c @ ('"' | '\'')) => (Some(c), &v[1..]),
                _ => (None, v),
            };
            let end = match q {
                Some(c) => body.find(c).unwrap_or(body.len()),
                None => body
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(body.len()),
            };
            return Some(unescape(&body[..end]));
        }
        from = at + name.len();
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The tags named `tag` (their text between `<` and `>`).
fn tags<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{tag}");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&open) {
        let at = from + i;
        let after = lower.as_bytes().get(at + open.len()).copied();
        let end = lower[at..].find('>').map_or(html.len(), |e| at + e);
        if matches!(after, Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')) {
            out.push(&html[at..end]);
        }
        from = end.max(at + 1);
    }
    out
}

/// The links of a page, resolved against it (fragments dropped; mailto and javascript left
/// out).
fn links_of(base: &Url, html: &str) -> Vec<Url> {
    let html = &without_scripts(html);
    tags(html, "a")
        .into_iter()
        .chain(tags(html, "link"))
        .filter_map(|t| attr(t, "href"))
        .filter(|h| {
            let h = h.trim().to_ascii_lowercase();
            !(h.is_empty()
                || h.starts_with('#')
                || h.starts_with("mailto:")
                || h.starts_with("javascript:")
                || h.starts_with("tel:"))
        })
        .filter_map(|h| base.join(h.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|mut u| {
            u.set_fragment(None);
            u
        })
        .collect()
}

/// The page without its scripts and styles.
fn without_scripts(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    while let Some(at) = ["<script", "<style"]
        .iter()
        .filter_map(|t| lower[i..].find(t).map(|e| (i + e, *t)))
        .min()
    {
        out.push_str(&html[i..at.0]);
        let close = if at.1 == "<script" {
            "</script>"
        } else {
            "</style>"
        };
        i = lower[at.0..]
            .find(close)
            .map_or(html.len(), |e| at.0 + e + close.len());
    }
    out.push_str(&html[i.min(html.len())..]);
    out
}

/// Visible text: tags, scripts and styles removed, entities of the common kinds read.
fn text_of(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    while i < html.len() {
        if lower[i..].starts_with("<script") || lower[i..].starts_with("<style") {
            let close = if lower[i..].starts_with("<script") {
                "</script>"
            } else {
                "</style>"
            };
            i = lower[i..]
                .find(close)
                .map_or(html.len(), |e| i + e + close.len());
            continue;
        }
        if html.as_bytes()[i] == b'<' {
            i = lower[i..].find('>').map_or(html.len(), |e| i + e + 1);
            out.push(' ');
            continue;
        }
        let next = lower[i..].find('<').map_or(html.len(), |e| i + e);
        out.push_str(&unescape(&html[i..next]).replace("&nbsp;", " "));
        i = next;
    }
    out
}

/// Dates written `YYYY-MM-DD` in a text.
fn dates_in(text: &str) -> Vec<chrono::NaiveDate> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 10 <= b.len() {
        let w = &b[i..i + 10];
        if w[4] == b'-'
            && w[7] == b'-'
            && w.iter()
                .enumerate()
                .all(|(k, c)| k == 4 || k == 7 || c.is_ascii_digit())
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && let Ok(d) =
                chrono::NaiveDate::parse_from_str(std::str::from_utf8(w).unwrap_or(""), "%Y-%m-%d")
        {
            out.push(d);
            i += 10;
            continue;
        }
        i += 1;
    }
    out
}

/// A page's facts: its meta tags, visible text, kind, and the dates of what it lists.
pub fn facts_of(url: &Url, html: &str, is_home: bool) -> PageFacts {
    let meta: Vec<(String, String)> = tags(html, "meta")
        .into_iter()
        .filter_map(|t| Some((attr(t, "name")?, attr(t, "content").unwrap_or_default())))
        .collect();
    let has = |n: &str| meta.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    let kind = if is_home {
        PageKind::Home
    } else if has("ArticleTitle") {
        PageKind::Article
    } else if has("ColumnName") {
        PageKind::Column
    } else {
        PageKind::Other
    };
    let text = text_of(html);
    // the dates of listed entries: a list's dates, not the footer's or the page's own
    let listed_dates = match kind {
        PageKind::Home | PageKind::Column => {
            // list items and table rows (a list laid out as a table)
            let lists: String = [("li", "</li"), ("tr", "</tr")]
                .iter()
                .flat_map(|(tag, close)| {
                    tags(html, tag).into_iter().map(move |t| {
                        // `t` is a slice of `html`: where it starts (not the first equal tag)
                        let start = (t.as_ptr() as usize - html.as_ptr() as usize) + t.len();
                        let end = html[start..].find(close).map_or(html.len(), |e| start + e);
                        text_of(&html[start..end])
                    })
                })
                .collect::<Vec<_>>()
                .join(" ");
            dates_in(&lists)
        }
        _ => Vec::new(),
    };
    PageFacts {
        url: url.to_string(),
        kind,
        meta,
        text,
        listed_dates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_into_facts() {
        let html = r#"<html><head><meta name="SiteName" content="示范区"><meta name=ColumnName content='通知公告'>
            <script>var x = "<a href='/no'>";</script></head><body><ul><li><a href="/items/1#top">一</a> <span>2026-11-30</span></li>
            <li><a href="https://other.example/x">二</a>2026-10-01</li></ul><p>底部 2020-01-01 <a href="mailto:a@b.c">信</a></p></body></html>"#;
        let base = Url::parse("http://127.0.0.1:8080/c/1").unwrap();
        let f = facts_of(&base, html, false);
        assert_eq!(f.kind, PageKind::Column);
        assert_eq!(f.meta("ColumnName"), Some("通知公告"));
        assert_eq!(
            f.listed_dates.len(),
            2,
            "footer dates are not listed entries"
        );
        assert!(!f.text.contains("var x"));
        let links: Vec<String> = links_of(&base, html)
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert_eq!(
            links,
            ["http://127.0.0.1:8080/items/1", "https://other.example/x"]
        );
    }

    #[test]
    fn bad_addresses_are_refused() {
        let p = |_: usize, _: usize| {};
        assert!(matches!(
            crawl("ftp://example.gov.cn/", &Options::default(), &p),
            Err(InspectError::BadUrl(_))
        ));
        assert!(matches!(
            crawl("不是网址", &Options::default(), &p),
            Err(InspectError::BadUrl(_))
        ));
    }
}
