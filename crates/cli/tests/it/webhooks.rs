//! Webhooks on both backends: subscriptions managed in the back office (bad input refused,
//! access limited to the openness office), publication and withdrawal events queued in the same
//! transaction, delivered over real HTTP to a receiver that fails twice, retried with backoff,
//! signed, idempotent, and logged for staff; a delivery that runs out of attempts can be retried.

use crate::both;
use crate::support::{Db, TestDb, get, post, publish_in_jyj};
use axum::http::StatusCode;
use std::sync::{Arc, Mutex};

/// What the receiver saw: (idempotency key, attempt header, signature header, body).
type Seen = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A real HTTP receiver on a free port. It answers 500 to the first `failures` requests, then 200.
async fn receiver(failures: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let log = log.clone();
            async move {
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                let mut log = log.lock().unwrap();
                log.push((
                    h("idempotency-key"),
                    h("x-gongkai-attempt"),
                    h("x-gongkai-signature"),
                    body,
                ));
                if log.len() <= failures {
                    (StatusCode::INTERNAL_SERVER_ERROR, "暂时不可用")
                } else {
                    (StatusCode::OK, "ok")
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

/// The receivers of these tests listen on 127.0.0.1, an internal address: allowed here.
fn loopback() -> Vec<gongkai_domain::net::Net> {
    vec!["127.0.0.1/32".parse().unwrap()]
}

fn state_with(
    t: &TestDb,
    webhooks: gongkai_work::webhooks::WebhookConfig,
) -> gongkai_web::AppState {
    let indexer = Arc::new(gongkai_work::indexing::Indexer::in_memory().unwrap());
    let config = gongkai_web::WebConfig {
        files_dir: t.dir.join("files"),
        webhooks,
        ..Default::default()
    };
    gongkai_web::AppState::new(t.store.clone(), config, indexer).unwrap()
}

both!(
    publication_events_are_delivered_with_retries_and_logged,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let state = state_with(
            &t,
            gongkai_work::webhooks::WebhookConfig {
                max_attempts: 5,
                base_delay_secs: 1,
                max_delay_secs: 60,
                timeout_secs: 5,
                poll_secs: 1,
                allow_networks: loopback(),
            },
        );
        let app = gongkai_web::app(state.clone());
        let (url, seen) = receiver(2).await;

        // only the openness office (and administrators) manage webhooks
        let (editor, _) = t.session_for("jyj_editor").await;
        assert_eq!(
            get(&app, "/admin/webhooks", Some(&editor)).await.status,
            StatusCode::FORBIDDEN
        );
        let (gkb, csrf) = t.session_for("gkb").await;
        // bad input: every problem said, nothing created, the entered values kept
        let r = post(
            &app,
            "/admin/webhooks",
            Some(&gkb),
            &[
                ("csrf", &csrf),
                ("name", "短信平台"),
                ("url", "sms.example/hook"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body
                .contains("地址必须以 http:&#x2f;&#x2f; 或 https:&#x2f;&#x2f; 开头"),
            "{}",
            r.body
        );
        assert!(r.body.contains("请至少选择一种事件"));
        assert!(r.body.contains("value=\"sms.example&#x2f;hook\""));
        assert!(t.store.webhooks().list_webhooks().await.unwrap().is_empty());
        // without a CSRF token nothing happens either
        let r = post(
            &app,
            "/admin/webhooks",
            Some(&gkb),
            &[("name", "x"), ("url", &url), ("published", "on")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let r = post(
            &app,
            "/admin/webhooks",
            Some(&gkb),
            &[
                ("csrf", &csrf),
                ("name", "短信平台"),
                ("url", &url),
                ("published", "on"),
                ("withdrawn", "on"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let hooks = t.store.webhooks().list_webhooks().await.unwrap();
        assert_eq!(hooks.len(), 1);
        let hook = &hooks[0];
        assert_eq!(hook.events, ",item.published,item.withdrawn,");
        assert_eq!(hook.secret.len(), 48);

        let id = publish_in_jyj(&t, &app, "GHXX", "示范区教育发展“十五五”规划", "2026-11-20").await;
        let item = t.store.disclosure().get_item(id).await.unwrap();
        let (jobs, total) = t
            .store
            .webhooks()
            .webhook_jobs(hook.id, 10, 0)
            .await
            .unwrap();
        assert_eq!(total, 1, "one job per subscriber and event");
        assert_eq!(
            jobs[0].job_key,
            format!("item.published:{id}:1:{}", hook.id)
        );

        // first attempt: the receiver fails; the job waits about base_delay_secs
        assert_eq!(state.deliverer.run_due(&t.store).await.unwrap(), 1);
        let job = t.store.jobs().get_job(jobs[0].id).await.unwrap();
        assert_eq!((job.state.as_str(), job.attempts), ("queued", 1));
        assert_eq!(job.last_error, "对方返回 HTTP 500");
        // nothing is due before the backoff has passed
        assert_eq!(state.deliverer.run_due(&t.store).await.unwrap(), 0);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(state.deliverer.run_due(&t.store).await.unwrap(), 1);
        let job = t.store.jobs().get_job(jobs[0].id).await.unwrap();
        assert_eq!((job.state.as_str(), job.attempts), ("queued", 2));
        // the second wait is twice as long
        let waited = chrono::DateTime::parse_from_rfc3339(&job.run_after).unwrap()
            - chrono::DateTime::parse_from_rfc3339(&job.updated_at).unwrap();
        assert!(
            (1900..=2100).contains(&waited.num_milliseconds()),
            "{waited:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        assert_eq!(state.deliverer.run_due(&t.store).await.unwrap(), 1);
        let job = t.store.jobs().get_job(jobs[0].id).await.unwrap();
        assert_eq!(job.state, "delivered");

        // the receiver saw three attempts of one delivery: same key, numbered, signed, same body
        let seen_now = seen.lock().unwrap().clone();
        assert_eq!(seen_now.len(), 3);
        for (i, (key, attempt, signature, body)) in seen_now.iter().enumerate() {
            assert_eq!(key, &job.job_key);
            assert_eq!(attempt, &(i + 1).to_string());
            assert_eq!(
                signature,
                &gongkai_domain::webhook::sign(&hook.secret, body.as_bytes())
            );
            assert_eq!(body, &seen_now[0].3);
        }
        let body: serde_json::Value = serde_json::from_str(&seen_now[0].3).unwrap();
        assert_eq!(body["event"], "item.published");
        assert_eq!(body["item"]["title"], "示范区教育发展“十五五”规划");
        assert_eq!(body["item"]["index_no"], item.index_no.as_str());
        assert_eq!(body["item"]["unit"]["code"], "JYJ");
        assert_eq!(
            body["item"]["url"],
            format!("https://www.example.gov.cn/items/{}", item.index_no)
        );

        // staff read the log: every attempt with its status
        let page = get(&app, &format!("/admin/webhooks/{}", hook.id), Some(&gkb)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("已送达"), "{}", page.body);
        assert_eq!(
            page.body.matches("HTTP 500").count(),
            2 + 2,
            "status and error of two failures"
        );
        assert!(page.body.contains("HTTP 200"));
        let list = get(&app, "/admin/webhooks", Some(&gkb)).await;
        assert!(list.body.contains("短信平台"));
        let metrics = get(&app, "/metrics", None).await;
        assert!(
            metrics.body.contains("gongkai_jobs{state=\"delivered\"} 1"),
            "{}",
            metrics.body
        );

        // a revision is not subscribed; a withdrawal is, and is queued once
        let (leader, lcsrf) = t.session_for("jyj_leader").await;
        let r = post(
            &app,
            &format!("/admin/items/{id}/withdraw"),
            Some(&leader),
            &[("csrf", &lcsrf), ("reason", "内容已过时")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (jobs, total) = t
            .store
            .webhooks()
            .webhook_jobs(hook.id, 10, 0)
            .await
            .unwrap();
        assert_eq!(total, 2);
        assert_eq!(jobs[0].event, "item.withdrawn");
        assert_eq!(state.deliverer.run_due(&t.store).await.unwrap(), 1);
        let last = seen.lock().unwrap().last().cloned().unwrap();
        let body: serde_json::Value = serde_json::from_str(&last.3).unwrap();
        assert_eq!(body["item"]["withdrawn_reason"], "内容已过时");

        // deactivated: later events are not queued
        let r = post(
            &app,
            &format!("/admin/webhooks/{}", hook.id),
            Some(&gkb),
            &[
                ("csrf", &csrf),
                ("name", "短信平台"),
                ("url", &url),
                ("published", "on"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            t.store
                .webhooks()
                .get_webhook(hook.id)
                .await
                .unwrap()
                .active,
            0
        );
        publish_in_jyj(&t, &app, "GHXX", "另一份规划", "2026-11-20").await;
        assert_eq!(
            t.store
                .webhooks()
                .webhook_jobs(hook.id, 10, 0)
                .await
                .unwrap()
                .1,
            2
        );
        // the changes are in the audit trail
        let audit = t.store.list_audit(None, 20, 0).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"webhook.create") && actions.contains(&"webhook.update"));
        t.cleanup().await;
    }
);

both!(
    exhausted_deliveries_fail_and_can_be_retried,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let state = state_with(
            &t,
            gongkai_work::webhooks::WebhookConfig {
                max_attempts: 1,
                base_delay_secs: 1,
                max_delay_secs: 1,
                timeout_secs: 2,
                poll_secs: 1,
                allow_networks: loopback(),
            },
        );
        let app = gongkai_web::app(state.clone());
        // a port nobody listens on
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let (gkb, csrf) = t.session_for("gkb").await;
        let r = post(
            &app,
            "/admin/webhooks",
            Some(&gkb),
            &[
                ("csrf", &csrf),
                ("name", "电子屏"),
                ("url", &format!("http://{closed}/screen")),
                ("published", "on"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let hook = t.store.webhooks().list_webhooks().await.unwrap()[0].clone();
        publish_in_jyj(&t, &app, "GHXX", "电子屏测试信息", "2026-11-20").await;
        assert_eq!(state.deliverer.run_due(&t.store).await.unwrap(), 1);
        let (jobs, _) = t
            .store
            .webhooks()
            .webhook_jobs(hook.id, 10, 0)
            .await
            .unwrap();
        assert_eq!(jobs[0].state, "failed");
        assert!(
            jobs[0].last_error.starts_with("发送失败"),
            "{}",
            jobs[0].last_error
        );
        let page = get(&app, &format!("/admin/webhooks/{}", hook.id), Some(&gkb)).await;
        assert!(page.body.contains("发送失败") && page.body.contains("重新推送"));

        // a delivered or queued job cannot be "retried"; a failed one can (audited)
        let r = post(
            &app,
            &format!("/admin/jobs/{}/retry", jobs[0].id),
            Some(&gkb),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.store.jobs().get_job(jobs[0].id).await.unwrap().state,
            "queued"
        );
        let again = post(
            &app,
            &format!("/admin/jobs/{}/retry", jobs[0].id),
            Some(&gkb),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        let audit = t.store.list_audit(None, 5, 0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "job.retry"));

        // two workers never take the same job
        let now = gongkai_store::now_text();
        let later = gongkai_store::time_text(chrono::Utc::now() + chrono::Duration::seconds(60));
        let jobs = t.store.jobs();
        let (a, b) = tokio::join!(
            jobs.claim_job("webhook", "a", &now, &later),
            jobs.claim_job("webhook", "b", &now, &later)
        );
        let claimed: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(claimed.len(), 1, "one job, one claim");
        t.cleanup().await;
    }
);

both!(
    webhooks_never_reach_internal_addresses_unless_allowed,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let state = state_with(
            &t,
            gongkai_work::webhooks::WebhookConfig {
                max_attempts: 1,
                poll_secs: 1,
                ..Default::default()
            },
        );
        let app = gongkai_web::app(state.clone());
        let (url, seen) = receiver(0).await;
        let port = url.rsplit(':').next().unwrap().trim_end_matches("/hook");
        let (gkb, csrf) = t.session_for("gkb").await;
        for target in [
            url.clone(),
            format!("http://localhost:{port}/hook"),
            format!("http://2130706433:{port}/hook"),
            format!("http://[::ffff:127.0.0.1]:{port}/hook"),
            "http://10.0.0.1/".to_string(),
            "http://169.254.169.254/latest/meta-data/".to_string(),
        ] {
            let r = post(
                &app,
                "/admin/webhooks",
                Some(&gkb),
                &[
                    ("csrf", &csrf),
                    ("name", "内网探测"),
                    ("url", &target),
                    ("published", "on"),
                ],
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{target}");
            assert!(
                r.body.contains("内网") || r.body.contains("标准的IP地址"),
                "{target}: {}",
                r.body
            );
        }
        assert!(t.store.webhooks().list_webhooks().await.unwrap().is_empty());
        // A subscription stored before this rule (or a name that resolves inside) is still
        // refused when it is sent: the address connected to is checked.
        let id = t
            .store
            .webhooks()
            .create_webhook(
                &gongkai_store::Actor::system("test"),
                "旧订阅",
                &format!("http://localhost:{port}/hook"),
                &[gongkai_domain::webhook::Event::ItemPublished],
                &"s".repeat(48),
            )
            .await
            .unwrap();
        publish_in_jyj(&t, &app, "GHXX", "内网推送测试", "2026-11-20").await;
        assert_eq!(state.deliverer.run_due(&t.store).await.unwrap(), 1);
        let (jobs, _) = t.store.webhooks().webhook_jobs(id, 10, 0).await.unwrap();
        let job = t.store.jobs().get_job(jobs[0].id).await.unwrap();
        assert!(job.last_error.contains("内网"), "{}", job.last_error);
        assert!(
            seen.lock().unwrap().is_empty(),
            "nothing reached the receiver"
        );
        t.cleanup().await;
    }
);
