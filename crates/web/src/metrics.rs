//! Request metrics in the Prometheus text format, request logging, security headers, and the
//! rendering of error pages in the site layout.

use crate::AppState;
use crate::error::ErrorPage;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

/// One counted (method, status) of a route: count and total seconds.
#[derive(Clone)]
struct Counter {
    method: String,
    status: u16,
    count: u64,
    seconds: f64,
}

/// Counters of the web layer.
#[derive(Default)]
pub struct Metrics {
    /// Per route pattern, its (method, status) counters. Looked up by `&str`, so counting a
    /// request allocates nothing once its route has been seen.
    requests: Mutex<std::collections::HashMap<String, Vec<Counter>>>,
    in_flight: AtomicI64,
    /// Abuse protection of the public forms, by kind (`rate_limited`, `near_duplicate`).
    abuse: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    /// Counts one case of abuse protection acting (`rate_limited`, `near_duplicate`).
    pub fn count_abuse(&self, kind: &'static str) {
        if let Ok(mut m) = self.abuse.lock() {
            *m.entry(kind).or_default() += 1;
        }
    }

    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut m) = self.requests.lock() else {
            return;
        };
        let counters = match m.get_mut(route) {
            Some(c) => c,
            None => m.entry(route.to_string()).or_default(),
        };
        match counters
            .iter_mut()
            .find(|c| c.status == status && c.method == method)
        {
            Some(c) => {
                c.count += 1;
                c.seconds += seconds;
            }
            None => counters.push(Counter {
                method: method.to_string(),
                status,
                count: 1,
                seconds,
            }),
        }
    }

    fn snapshot(&self) -> BTreeMap<(String, String, u16), (u64, f64)> {
        let mut out = BTreeMap::new();
        if let Ok(m) = self.requests.lock() {
            for (route, counters) in m.iter() {
                for c in counters {
                    out.insert(
                        (c.method.clone(), route.clone(), c.status),
                        (c.count, c.seconds),
                    );
                }
            }
        }
        out
    }

    /// The Prometheus exposition text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP gongkai_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE gongkai_http_requests_total counter\n");
        let snapshot = self.snapshot();
        for ((method, route, status), (n, _)) in &snapshot {
            out.push_str(&format!("gongkai_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}\n"));
        }
        out.push_str(
            "# HELP gongkai_http_request_seconds_sum Total time spent answering, by route.\n",
        );
        out.push_str("# TYPE gongkai_http_request_seconds_sum counter\n");
        for ((method, route, status), (_, s)) in &snapshot {
            out.push_str(&format!("gongkai_http_request_seconds_sum{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {s:.6}\n"));
        }
        out.push_str("# HELP gongkai_application_abuse_total Online applications refused by the per-address limit or flagged as near-duplicates.\n");
        out.push_str("# TYPE gongkai_application_abuse_total counter\n");
        if let Ok(m) = self.abuse.lock() {
            for kind in ["rate_limited", "near_duplicate"] {
                out.push_str(&format!(
                    "gongkai_application_abuse_total{{kind=\"{kind}\"}} {}\n",
                    m.get(kind).copied().unwrap_or(0)
                ));
            }
        }
        out.push_str("# HELP gongkai_http_requests_in_flight Requests being answered now.\n");
        out.push_str("# TYPE gongkai_http_requests_in_flight gauge\n");
        out.push_str(&format!(
            "gongkai_http_requests_in_flight {}\n",
            self.in_flight.load(Ordering::Relaxed)
        ));
        out
    }
}

/// `GET /metrics`: only to the addresses of `[server] metrics_from` (by default this host);
/// in-process calls without a socket (tests) are answered.
pub async fn render(State(state): State<AppState>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(ip) = peer
        && !state.config.metrics_from.iter().any(|n| n.contains(ip))
    {
        return (
            axum::http::StatusCode::FORBIDDEN,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            "监控指标仅对配置的地址开放（[server] metrics_from）\n",
        )
            .into_response();
    }
    let mut text = state.metrics.text();
    // The webhook queue, by state (shared by every server on the database).
    match state.store.jobs().job_counts().await {
        Ok(counts) => {
            text.push_str(
                "# HELP gongkai_jobs Webhook deliveries by state.\n# TYPE gongkai_jobs gauge\n",
            );
            for (job_state, n) in counts {
                text.push_str(&format!("gongkai_jobs{{state=\"{job_state}\"}} {n}\n"));
            }
        }
        Err(e) => tracing::warn!(error = %e, "job counts unavailable for metrics"),
    }
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Middleware around every request.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    // cheap clones (shared or inline), not copies of the text
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let uri = req.uri().clone();
    // only the cookies are needed later (display preferences on an error page)
    let mut headers = axum::http::HeaderMap::new();
    for v in req.headers().get_all(axum::http::header::COOKIE) {
        headers.append(axum::http::header::COOKIE, v.clone());
    }
    // HSTS only where the request arrived over TLS (browsers ignore it over plain HTTP)
    let tls = state.config.secure_cookies.unwrap_or_else(|| {
        req.headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
    });
    let private = uri.path().starts_with("/admin") || uri.path().starts_with("/api/v1/units");
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let mut resp = next.run(req).await;
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    if let Some(ErrorPage(message)) = resp.extensions_mut().remove::<ErrorPage>() {
        resp = crate::pages::error_page(&state, &headers, resp.status(), &message).await;
    } else if !uri.path().starts_with("/api/") && resp.status().is_client_error() {
        // A rejection by the framework before any handler ran (a query string that does not
        // parse, a method the route does not take): the site's Chinese error page, not its
        // plain-text or empty answer.
        let plain = resp
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.starts_with("text/plain"));
        if plain {
            let status = resp.status();
            let text = axum::body::to_bytes(std::mem::take(resp.body_mut()), 4096)
                .await
                .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                .unwrap_or_default();
            let message = if status == axum::http::StatusCode::METHOD_NOT_ALLOWED {
                "此地址不接受这种请求方式（method not allowed）".to_string()
            } else {
                crate::error::rejection_text(&text)
            };
            // what the answer says besides its body stays (416's Content-Range, 405's Allow)
            let kept: Vec<_> = [axum::http::header::CONTENT_RANGE, axum::http::header::ALLOW]
                .into_iter()
                .filter_map(|n| resp.headers().get(&n).cloned().map(|v| (n, v)))
                .collect();
            resp = crate::pages::error_page(&state, &headers, status, &message).await;
            for (n, v) in kept {
                resp.headers_mut().insert(n, v);
            }
        }
    }
    let h = resp.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    if tls {
        h.insert(
            "strict-transport-security",
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if private {
        // back-office pages and files hold unpublished and personal data: never stored by a
        // browser or a proxy
        h.insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    let status = resp.status().as_u16();
    let seconds = start.elapsed().as_secs_f64();
    // one label for methods outside HTTP's usual set: the metrics stay bounded
    let method = match method.as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "OTHER",
    };
    let path = uri.path();
    let route = route.as_ref().map_or("unmatched", |m| m.as_str());
    state.metrics.record(method, route, status, seconds);
    tracing::info!(target: "gongkai::http", method, path, route, status, ms = seconds * 1000.0, "request");
    resp
}
