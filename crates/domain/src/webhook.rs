//! Webhooks: publication events sent to outside systems (SMS gateways, WeChat/Weibo bridges,
//! screens in service halls).
//!
//! The rules here are pure: which events exist, what a valid subscription looks like, how long
//! to wait before the next attempt, how a delivery is signed and how a response is judged. The
//! store queues one job per subscription and event (idempotent by [`delivery_key`]); the server's
//! worker sends them.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// An event a webhook can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// An item was published for the first time.
    ItemPublished,
    /// A new revision of a published item replaced the old one.
    ItemRevised,
    /// A published item was withdrawn.
    ItemWithdrawn,
}

impl Event {
    /// Every event, in display order.
    pub const ALL: [Event; 3] = [
        Event::ItemPublished,
        Event::ItemRevised,
        Event::ItemWithdrawn,
    ];

    /// The stable code sent in the payload and stored in subscriptions.
    pub fn code(self) -> &'static str {
        match self {
            Event::ItemPublished => "item.published",
            Event::ItemRevised => "item.revised",
            Event::ItemWithdrawn => "item.withdrawn",
        }
    }

    /// The Chinese label shown to staff.
    pub fn label(self) -> &'static str {
        match self {
            Event::ItemPublished => "信息发布",
            Event::ItemRevised => "信息修订",
            Event::ItemWithdrawn => "信息撤回",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// The key that makes one delivery idempotent: the same event for the same subscription is
/// queued once, and receivers see the same key on every retry (`X-Gongkai-Delivery`).
pub fn delivery_key(webhook_id: i64, event: Event, item_id: i64, revision: i64) -> String {
    format!("{}:{item_id}:{revision}:{webhook_id}", event.code())
}

/// The event id shared by every subscription's delivery of one event.
pub fn event_id(event: Event, item_id: i64, revision: i64) -> String {
    format!("{}:{item_id}:{revision}", event.code())
}

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait after the first failure, in seconds; doubled after each further failure.
    pub base_delay_secs: u64,
    /// Longest wait between two attempts, in seconds.
    pub max_delay_secs: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay_secs: 30,
            max_delay_secs: 3600,
        }
    }
}

impl RetryPolicy {
    /// Seconds to wait after the `attempt`-th failed attempt (1-based) before trying again, or
    /// `None` when no attempt is left. Exponential: base, 2·base, 4·base, … capped.
    pub fn delay_after(&self, attempt: u32) -> Option<u64> {
        if attempt >= self.max_attempts {
            return None;
        }
        let factor = 1u64
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u64::MAX);
        Some(
            self.base_delay_secs
                .saturating_mul(factor)
                .min(self.max_delay_secs),
        )
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver accepted it (any 2xx).
    Delivered,
    /// Try again later (network error, timeout, 408, 429, 5xx, and any other status).
    Retry,
}

/// Judges a response status (`None`: no response at all).
pub fn judge(status: Option<u16>) -> Outcome {
    match status {
        Some(s) if (200..300).contains(&s) => Outcome::Delivered,
        _ => Outcome::Retry,
    }
}

/// The signature header value: `sha256=` and the hex HMAC-SHA256 of the body with the
/// subscription's secret. Receivers recompute it to know the call came from us.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this branch cannot be taken.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A subscription as staff enter it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookInput {
    /// A name staff recognise (e.g. 短信平台).
    pub name: String,
    /// Where to POST: `http://` or `https://`.
    pub url: String,
    /// Subscribed events (at least one).
    pub events: Vec<Event>,
}

/// Checks a subscription; every problem is reported, in Chinese.
pub fn validate(input: &WebhookInput, allow: &[crate::net::Net]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push("请填写名称".to_string());
    } else if name.chars().count() > 60 {
        errors.push("名称不能超过60个字".to_string());
    }
    if let Err(e) = check_url(input.url.trim(), allow) {
        errors.push(e);
    }
    if input.events.is_empty() {
        errors.push("请至少选择一种事件".to_string());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn check_url(url: &str, allow: &[crate::net::Net]) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "地址必须以 http:// 或 https:// 开头".to_string())?;
    if url.len() > 500 {
        return Err("地址不能超过500个字符".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("地址中不能有空格".into());
    }
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host_port.contains('@') {
        return Err("地址中不能包含用户名或密码，请使用签名密钥".into());
    }
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || host_port.starts_with('[') => {
            if !port.is_empty() && port.parse::<u16>().is_err() {
                return Err(format!("端口“{port}”无效"));
            }
            h
        }
        _ => host_port,
    };
    if host.is_empty() {
        return Err("地址缺少主机名".into());
    }
    crate::net::check_host(host, allow)
}

/// Parses stored event codes (comma-separated); unknown codes are dropped.
pub fn parse_events(stored: &str) -> Vec<Event> {
    stored
        .split(',')
        .filter_map(|c| Event::from_code(c.trim()))
        .collect()
}

/// Stores event codes as `,a,b,` so one `LIKE '%,code,%'` finds subscribers on every backend.
pub fn store_events(events: &[Event]) -> String {
    let mut s = String::from(",");
    for e in Event::ALL {
        if events.contains(&e) {
            s.push_str(e.code());
            s.push(',');
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped_and_ends() {
        let p = RetryPolicy {
            max_attempts: 6,
            base_delay_secs: 30,
            max_delay_secs: 300,
        };
        let waits: Vec<Option<u64>> = (1..=7).map(|a| p.delay_after(a)).collect();
        assert_eq!(
            waits,
            vec![
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(300),
                None,
                None
            ]
        );
        let huge = RetryPolicy {
            max_attempts: 100,
            base_delay_secs: 1,
            max_delay_secs: 3600,
        };
        assert_eq!(huge.delay_after(90), Some(3600));
    }

    #[test]
    fn judge_statuses() {
        let cases = [
            (Some(200), Outcome::Delivered),
            (Some(204), Outcome::Delivered),
            (Some(299), Outcome::Delivered),
            (Some(301), Outcome::Retry),
            (Some(404), Outcome::Retry),
            (Some(429), Outcome::Retry),
            (Some(500), Outcome::Retry),
            (None, Outcome::Retry),
        ];
        for (status, want) in cases {
            assert_eq!(judge(status), want, "{status:?}");
        }
    }

    #[test]
    fn signature_matches_rfc_4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn validation_reports_every_problem() {
        let ok = WebhookInput {
            name: "短信平台".into(),
            url: "https://sms.example.gov.cn:8443/hook?x=1".into(),
            events: vec![Event::ItemPublished],
        };
        assert_eq!(validate(&ok, &[]), Ok(()));
        // internal addresses only where the configuration allows them
        let local: Vec<crate::net::Net> =
            vec!["127.0.0.1/32".parse().unwrap(), "::1".parse().unwrap()];
        for url in ["http://127.0.0.1:9000/", "http://[::1]:80/x"] {
            let w = WebhookInput {
                url: url.into(),
                ..ok.clone()
            };
            assert_eq!(validate(&w, &local), Ok(()), "{url}");
            let errs = validate(&w, &[]).unwrap_err();
            assert!(errs.iter().any(|e| e.contains("内网")), "{url}: {errs:?}");
        }
        let w = WebhookInput {
            url: "http://a".into(),
            ..ok.clone()
        };
        assert_eq!(validate(&w, &[]), Ok(()));
        let bad_urls = [
            ("ftp://x/", "http://"),
            ("sms.example.gov.cn", "http://"),
            ("http://", "主机名"),
            ("http://x:99999/", "端口"),
            ("http://u:p@x/", "用户名"),
            ("http://x y/", "空格"),
        ];
        for (url, want) in bad_urls {
            let w = WebhookInput {
                url: url.into(),
                ..ok.clone()
            };
            let errs = validate(&w, &[]).unwrap_err();
            assert!(errs.iter().any(|e| e.contains(want)), "{url}: {errs:?}");
        }
        let all_bad = WebhookInput {
            name: " ".into(),
            url: "x".into(),
            events: vec![],
        };
        assert_eq!(validate(&all_bad, &[]).unwrap_err().len(), 3);
    }

    #[test]
    fn events_round_trip_through_storage() {
        let s = store_events(&[Event::ItemWithdrawn, Event::ItemPublished]);
        assert_eq!(s, ",item.published,item.withdrawn,");
        assert_eq!(
            parse_events(&s),
            vec![Event::ItemPublished, Event::ItemWithdrawn]
        );
        assert_eq!(store_events(&[]), ",");
        assert!(parse_events(",bogus,").is_empty());
    }

    #[test]
    fn keys_identify_event_item_revision_and_subscription() {
        assert_eq!(
            delivery_key(7, Event::ItemPublished, 12, 2),
            "item.published:12:2:7"
        );
        assert_eq!(event_id(Event::ItemWithdrawn, 12, 2), "item.withdrawn:12:2");
    }
}
