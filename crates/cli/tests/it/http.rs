//! The web application through `oneshot` requests, on both backends.

use crate::both;
use crate::support::{Db, TestDb, get, get_bearer, post};
use axum::http::StatusCode;

/// Logs in through the real form: GET /login for the CSRF cookie, then POST.
async fn login(app: &axum::Router, user: &str, password: &str, totp: &str) -> crate::support::Resp {
    let page = get(app, "/login", None).await;
    let pre = page.set_cookie("gk_pre").expect("pre-login cookie");
    assert!(
        page.body.contains(&format!("value=\"{pre}\"")),
        "form carries the token"
    );
    let cookie = format!("gk_pre={pre}");
    post(
        app,
        "/login",
        Some(&cookie),
        &[
            ("csrf", &pre),
            ("username", user),
            ("password", password),
            ("totp", totp),
            ("next", "/admin"),
        ],
    )
    .await
}

both!(
    public_pages_follow_government_site_conventions,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let home = get(&app, "/", None).await;
        assert_eq!(home.status, StatusCode::OK);
        for needle in [
            "<html lang=\"zh-CN\">",
            "<meta name=\"SiteName\" content=\"示范区人民政府\">",
            "<meta name=\"SiteIDCode\" content=\"3301020001\">",
            "<meta name=\"ColumnName\"",
            "网站标识码：3301020001",
            "我为政府网站找错",
            "ICP备",
            "公网安备",
            "跳到主要内容",
            "大字版",
            "高对比度",
        ] {
            assert!(home.body.contains(needle), "home page lacks {needle}");
        }
        assert!(
            home.body.contains("<strong>16</strong> 个区直部门"),
            "counts units: {}",
            home.body
        );
        let units = get(&app, "/units", None).await;
        assert!(units.body.contains("区教育局") && units.body.contains("青山镇青山村民委员会"));

        // large font and high contrast without JavaScript: a link sets a cookie
        let p = get(&app, "/prefs?font=large&back=/units", None).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert_eq!(p.location(), "/units");
        let prefs = p.set_cookie("gk_prefs").unwrap();
        let big = get(&app, "/units", Some(&format!("gk_prefs={prefs}"))).await;
        assert!(
            big.body.contains("class=\"large-font"),
            "{}",
            &big.body[..600]
        );
        // an absolute redirect target is refused (open redirect)
        assert_eq!(
            get(&app, "/prefs?font=large&back=//evil.example", None)
                .await
                .location(),
            "/"
        );

        let health = get(&app, "/healthz", None).await;
        assert_eq!(
            (health.status, health.json()["database"].as_str()),
            (StatusCode::OK, Some("ok"))
        );
        let css = get(&app, "/static/site.css", None).await;
        assert!(css.body.contains("high-contrast"));
        let missing = get(&app, "/no/such/page", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(
            missing.body.contains("页面不存在") && missing.body.contains("网站标识码"),
            "404 in site layout"
        );
        let metrics = get(&app, "/metrics", None).await;
        assert!(
            metrics.body.contains(
                "gongkai_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1"
            ),
            "{}",
            metrics.body
        );
        t.cleanup().await;
    }
);

both!(login_logout_and_bad_credentials, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let wrong = login(&app, "jyj_editor", "wrong-password", "").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("用户名、密码或动态验证码错误"));
    assert!(wrong.set_cookie("gk_session").is_none());
    let unknown = login(&app, "nobody", "whatever", "").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let empty = login(&app, "", "", "").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("请输入用户名和密码"));

    let ok = login(&app, "jyj_editor", gongkai_demo_password(), "").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/admin");
    let session = ok.set_cookie("gk_session").unwrap();
    let set_cookie = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = format!("gk_session={session}");
    let desk = get(&app, "/admin", Some(&cookie)).await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(desk.body.contains("李编辑") && desk.body.contains("区教育局"));
    assert!(
        !desk.body.contains("区民政局"),
        "an editor's desk lists only its own unit"
    );

    // logout needs the CSRF token
    assert_eq!(
        post(&app, "/logout", Some(&cookie), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = desk
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let out = post(&app, "/logout", Some(&cookie), &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    // the old cookie no longer works: redirected to login, told the session expired
    let after = get(&app, "/admin", Some(&cookie)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after.location().starts_with("/login?next=/admin&expired=1"),
        "{}",
        after.location()
    );
    let page = get(&app, after.location(), None).await;
    assert!(page.body.contains("会话已过期，请重新登录"));
    // no session at all: redirected without the expiry notice
    assert_eq!(
        get(&app, "/admin", None).await.location(),
        "/login?next=/admin"
    );
    // login POST without the pre-login token is refused
    let no_csrf = post(
        &app,
        "/login",
        None,
        &[
            ("username", "jyj_editor"),
            ("password", gongkai_demo_password()),
        ],
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert!(no_csrf.body.contains("CSRF"));
    // a login cannot be turned into an open redirect
    let page = get(&app, "/login", None).await;
    let pre = page.set_cookie("gk_pre").unwrap();
    let r = post(
        &app,
        "/login",
        Some(&format!("gk_pre={pre}")),
        &[
            ("csrf", &pre),
            ("username", "jyj_editor"),
            ("password", gongkai_demo_password()),
            ("next", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!(r.location(), "/admin");
    t.cleanup().await;
});

fn gongkai_demo_password() -> &'static str {
    "Demo-2026-gongkai"
}

both!(expired_session_and_cross_site_posts, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let creds = t
        .store
        .find_staff_credentials("jyj_leader")
        .await
        .unwrap()
        .unwrap();
    t.store
        .create_session(
            &creds.staff,
            &gongkai_work::secrets::token_hash("old"),
            "csrf-old",
            chrono::Utc::now() - chrono::Duration::minutes(1),
        )
        .await
        .unwrap();
    let r = get(&app, "/admin", Some("gk_session=old")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().contains("expired=1"));
    let api = get(&app, "/api/v1/me", Some("gk_session=old")).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.json()["error"]["code"], "unauthenticated");

    // a POST with a valid session but a cross-site Origin is refused, and changes nothing
    let (cookie, csrf) = t.session_for("jyj_leader").await;
    let jyj = t.unit_id("JYJ").await;
    let req = axum::http::Request::post(format!("/admin/units/{jyj}/profile"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .header("host", "gov.example")
        .body(axum::body::Body::from(crate::support::form(&[
            ("csrf", &csrf),
            ("address", "被篡改"),
        ])))
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_ne!(t.store.get_unit(jyj).await.unwrap().address, "被篡改");
    // with a wrong CSRF token: refused too
    let r = post(
        &app,
        &format!("/admin/units/{jyj}/profile"),
        Some(&cookie),
        &[("csrf", "nope"), ("address", "被篡改")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_ne!(t.store.get_unit(jyj).await.unwrap().address, "被篡改");
    // with the right one: saved and audited
    let before = t.store.count_audit(Some(jyj)).await.unwrap();
    let r = post(
        &app,
        &format!("/admin/units/{jyj}/profile"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("address", "人民路1号"),
            ("phone", "0571-1234567"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.store.get_unit(jyj).await.unwrap().address, "人民路1号");
    assert_eq!(t.store.count_audit(Some(jyj)).await.unwrap(), before + 1);
    // bad phone: 400 with a Chinese message, nothing saved
    let r = post(
        &app,
        &format!("/admin/units/{jyj}/profile"),
        Some(&cookie),
        &[("csrf", &csrf), ("address", "别处"), ("phone", "call me")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("电话号码"));
    assert_eq!(t.store.get_unit(jyj).await.unwrap().address, "人民路1号");
    t.cleanup().await;
});

both!(login_throttling, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    for _ in 0..5 {
        assert_eq!(
            login(&app, "jyj_reviewer", "guess", "").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // now even the right password waits (30 s after the fifth failure, doubling after each
    // further one): delayed, not refused for good, and only for this name from this address
    let r = login(&app, "jyj_reviewer", gongkai_demo_password(), "").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("登录失败次数过多，请"), "{}", r.body);
    assert!(r.body.contains("秒后再试"), "{}", r.body);
    // other accounts are not affected
    assert_eq!(
        login(&app, "jyj_leader", gongkai_demo_password(), "")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    t.cleanup().await;
});

both!(totp_second_factor, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let secret = [42u8; 20];
    let creds = t
        .store
        .find_staff_credentials("jyj_handler")
        .await
        .unwrap()
        .unwrap();
    t.store
        .set_totp(
            &crate::support::system(),
            creds.staff.id,
            Some(&gongkai_domain::totp::secret_base32(&secret)),
        )
        .await
        .unwrap();
    let no_code = login(&app, "jyj_handler", gongkai_demo_password(), "").await;
    assert_eq!(no_code.status, StatusCode::UNAUTHORIZED);
    assert!(no_code.body.contains("动态验证码"));
    let now = chrono::Utc::now().timestamp() as u64;
    let code = gongkai_domain::totp::code_at(&secret, now);
    // a wrong password with the right code gets the very same answer: nothing is confirmed
    let wrong_password = login(&app, "jyj_handler", "wrong-password", &code).await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    let message = |body: &str| {
        body.split("role=\"alert\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(message(&wrong_password.body), message(&no_code.body));
    let ok = login(&app, "jyj_handler", gongkai_demo_password(), &code).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    // the same code a second time (within its window): refused
    let replay = login(&app, "jyj_handler", gongkai_demo_password(), &code).await;
    assert_eq!(
        replay.status,
        StatusCode::UNAUTHORIZED,
        "a code is used once"
    );

    // enabling through the account page requires a correct code
    let (cookie, csrf) = t.session_for("jyj_editor").await;
    let page = get(&app, "/admin/account", Some(&cookie)).await;
    let shown = page
        .body
        .split("name=\"secret\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let bad = post(
        &app,
        "/admin/account/totp",
        Some(&cookie),
        &[("csrf", &csrf), ("secret", &shown), ("code", "000000")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        !t.store
            .get_staff(
                t.store
                    .find_staff_credentials("jyj_editor")
                    .await
                    .unwrap()
                    .unwrap()
                    .staff
                    .id
            )
            .await
            .unwrap()
            .totp_enabled
    );
    let raw = gongkai_domain::totp::secret_from_base32(&shown).unwrap();
    let code = gongkai_domain::totp::code_at(&raw, chrono::Utc::now().timestamp() as u64);
    let good = post(
        &app,
        "/admin/account/totp",
        Some(&cookie),
        &[("csrf", &csrf), ("secret", &shown), ("code", &code)],
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    let enabled = async || {
        t.store
            .find_staff_credentials("jyj_editor")
            .await
            .unwrap()
            .unwrap()
            .staff
            .totp_enabled
    };
    assert!(enabled().await);
    // turning it off needs the password and a fresh code, not the session alone
    for fields in [
        vec![("csrf", csrf.as_str())],
        vec![
            ("csrf", csrf.as_str()),
            ("password", "wrong-password"),
            ("code", &code),
        ],
        vec![
            ("csrf", csrf.as_str()),
            ("password", gongkai_demo_password()),
            ("code", &code),
        ],
    ] {
        let r = post(&app, "/admin/account/totp/disable", Some(&cookie), &fields).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(r.body.contains("双因素认证仍在启用中"));
        assert!(enabled().await);
    }
    let next = gongkai_domain::totp::code_at(&raw, chrono::Utc::now().timestamp() as u64 + 30);
    let r = post(
        &app,
        "/admin/account/totp/disable",
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("password", gongkai_demo_password()),
            ("code", &next),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!enabled().await);
    t.cleanup().await;
});

both!(api_tokens_and_json_errors, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let (cookie, csrf) = t.session_for("jyj_leader").await;
    let page = post(
        &app,
        "/admin/account/tokens",
        Some(&cookie),
        &[("csrf", &csrf), ("name", "数据大屏")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let token = page
        .body
        .split("<code>gk_")
        .nth(1)
        .map(|s| format!("gk_{}", s.split('<').next().unwrap()))
        .unwrap();
    let me = get_bearer(&app, "/api/v1/me", &token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["staff"]["username"], "jyj_leader");
    let bad = get_bearer(&app, "/api/v1/me", "gk_not-a-token").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.json()["error"]["code"], "unauthenticated");

    let units = get(&app, "/api/v1/units", None).await.json();
    assert_eq!(units["units"].as_array().unwrap().len(), 28);
    let add = get(&app, "/api/v1/calendar/add?date=2026-09-30&n=20", None).await;
    assert_eq!(add.json()["result"], "2026-11-03");
    let days = get(
        &app,
        "/api/v1/calendar/days?dates=2026-10-01,2026-10-10",
        None,
    )
    .await
    .json();
    assert_eq!(days["days"][0]["workday"], false);
    assert_eq!(days["days"][1]["workday"], true);
    let bad_date = get(&app, "/api/v1/calendar/add?date=2026-02-30&n=1", None).await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_date.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD")
    );
    let neg = get(&app, "/api/v1/calendar/add?date=2026-02-01&n=-3", None).await;
    assert_eq!(neg.status, StatusCode::BAD_REQUEST);
    let nodata = get(&app, "/api/v1/calendar/add?date=2026-12-20&n=20", None).await;
    assert_eq!(nodata.status, StatusCode::BAD_REQUEST);
    assert!(nodata.body.contains("2027"));
    let assumed = get(
        &app,
        "/api/v1/calendar/add?date=2026-12-20&n=20&assume_weekends=true",
        None,
    )
    .await
    .json();
    assert_eq!(assumed["assumed"], true);
    assert_eq!(
        get(&app, "/api/v1/nothing", None).await.json()["error"]["code"],
        "not_found"
    );
    t.cleanup().await;
});

both!(openapi_documents_every_api_route, async |db: Db| {
    let t = TestDb::new(db).await;
    let app = t.app();
    let doc = get(&app, "/api/v1/openapi.json", None).await.json();
    let mut documented: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    documented.sort();
    // The router's API routes, read from its source (the same table the access matrix uses):
    // a route added without its document entry fails here.
    let mut routed: Vec<String> = crate::routes::routes_in_source()
        .into_iter()
        .filter_map(|r| r.split_once(" /api/v1").map(|(_, p)| p.to_string()))
        .collect();
    routed.sort();
    routed.dedup();
    assert_eq!(documented, routed);
    // and every documented path answers (not the API's 404)
    for path in routed
        .iter()
        .filter(|p| !p.contains("{index_no}") && !p.contains("{code}") && !p.contains("{case_no}"))
    {
        let r = get(&app, &format!("/api/v1{}", path.replace("{id}", "1")), None).await;
        assert_ne!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    t.cleanup().await;
});

both!(staff_form_validates_and_loses_nothing, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let (cookie, csrf) = t.session_for("jyj_leader").await;
    let jyj = t.unit_id("JYJ").await;
    let audit_before = t.store.count_audit(None).await.unwrap();
    let weak = post(
        &app,
        &format!("/admin/units/{jyj}/staff"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("username", "newbie"),
            ("display_name", "新人"),
            ("role", "editor"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.body.contains("密码至少10位"));
    assert!(
        weak.body.contains("value=\"newbie\""),
        "the form keeps what was typed"
    );
    let wide = post(
        &app,
        &format!("/admin/units/{jyj}/staff"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("username", "boss"),
            ("display_name", "越权"),
            ("role", "admin"),
            ("password", "Strong-Passw0rd"),
        ],
    )
    .await;
    assert_eq!(wide.status, StatusCode::BAD_REQUEST);
    let taken = post(
        &app,
        &format!("/admin/units/{jyj}/staff"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("username", "jyj_editor"),
            ("display_name", "重名"),
            ("role", "editor"),
            ("password", "Strong-Passw0rd"),
        ],
    )
    .await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    assert!(taken.body.contains("该用户名已被使用"));
    assert!(
        t.store
            .find_staff_credentials("newbie")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        t.store
            .find_staff_credentials("boss")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        t.store.count_audit(None).await.unwrap(),
        audit_before,
        "nothing written"
    );
    let ok = post(
        &app,
        &format!("/admin/units/{jyj}/staff"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("username", "newbie"),
            ("display_name", "新人"),
            ("role", "editor"),
            ("password", "Strong-Passw0rd"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let created = t
        .store
        .find_staff_credentials("newbie")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(created.staff.unit_id, jyj);
    assert!(created.password_hash.starts_with("$argon2id$"));

    // admin creates a unit; a bad credit code is refused with the reason
    let (admin, admin_csrf) = t.session_for("admin").await;
    let bad = post(
        &app,
        "/admin/units",
        Some(&admin),
        &[
            ("csrf", &admin_csrf),
            ("name", "区审计局"),
            ("unit_type", "department"),
            ("code", "SJJ2"),
            ("parent_code", "GOV"),
            ("uscc", "91350100M000100Y44"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("校验位"), "{}", bad.body);
    let misplaced = post(
        &app,
        "/admin/units",
        Some(&admin),
        &[
            ("csrf", &admin_csrf),
            ("name", "某村"),
            ("unit_type", "village"),
            ("code", "CUN"),
            ("parent_code", "GOV"),
        ],
    )
    .await;
    assert_eq!(misplaced.status, StatusCode::BAD_REQUEST);
    assert!(t.store.find_unit_by_code("SJJ2").await.unwrap().is_none());
    let good = post(
        &app,
        "/admin/units",
        Some(&admin),
        &[
            ("csrf", &admin_csrf),
            ("name", "区审计局"),
            ("unit_type", "department"),
            ("code", "SJJ2"),
            ("parent_code", "GOV"),
            ("uscc", "91350100M000100Y43"),
        ],
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert!(t.store.find_unit_by_code("SJJ2").await.unwrap().is_some());

    // calendar import from the back office, with a bad file first
    let bad = post(
        &app,
        "/admin/calendar",
        Some(&admin),
        &[("csrf", &admin_csrf), ("data", "{\"year\": 2027")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("节假日数据格式错误"));
    let good = post(
        &app,
        "/admin/calendar",
        Some(&admin),
        &[
            ("csrf", &admin_csrf),
            (
                "data",
                r#"{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#,
            ),
        ],
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/api/v1/calendar/days?dates=2027-01-01", None)
            .await
            .json()["days"][0]["workday"],
        false
    );
    t.cleanup().await;
});

both!(
    rejected_requests_get_the_chinese_error_page,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let r = get(&app, "/list?page=abc", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(r.body.contains("查询参数“page”的值无效"), "{}", r.body);
        assert!(!r.body.starts_with("Failed to deserialize"), "{}", r.body);
        // a method the route does not take
        let r = get(&app, "/logout", None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(r.body.contains("此地址不接受这种请求方式"), "{}", r.body);
        // the API keeps its JSON envelope
        let r = get(&app, "/api/v1/items?limit=abc", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["code"], "bad_request");
        t.cleanup().await;
    }
);

/// The large-font and high-contrast links return to the page they were clicked on (the browser's
/// Referer, same site only), without JavaScript.
#[tokio::test]
async fn display_links_return_to_the_page_they_were_clicked_on() {
    let t = TestDb::new(Db::Sqlite).await;
    let app = t.app();
    let from = |referer: &'static str| {
        axum::http::Request::get("/prefs?contrast=high")
            .header("referer", referer)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    for (referer, back) in [
        (
            "http://127.0.0.1:8080/units/JYJ?category=3",
            "/units/JYJ?category=3",
        ),
        ("https://elsewhere.example/phish", "/phish"),
        ("http://127.0.0.1:8080/prefs?font=large", "/"),
    ] {
        let r = crate::support::read(
            tower::ServiceExt::oneshot(app.clone(), from(referer))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), back, "{referer}");
    }
    t.cleanup().await;
}

both!(a_leader_disables_and_enables_an_account, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let jyj = t.unit_id("JYJ").await;
    let leader = t.client(&app, "jyj_leader").await;
    let editor = t.client(&app, "jyj_editor").await;
    let editor_id = t
        .store
        .find_staff_credentials("jyj_editor")
        .await
        .unwrap()
        .unwrap()
        .staff
        .id;
    let page = leader.get(&format!("/admin/units/{jyj}/staff")).await;
    assert!(
        page.body
            .contains(&format!("action=\"/admin/staff/{editor_id}/active\""))
    );
    let r = leader
        .post(
            &format!("/admin/staff/{editor_id}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // the editor's session stops working at once, and the account is kept, marked 已停用
    let r = editor.get("/admin").await;
    assert!(
        r.location().starts_with("/login"),
        "{} {}",
        r.status,
        r.location()
    );
    let page = leader
        .get(&format!("/admin/units/{jyj}/staff?ok=disabled"))
        .await;
    assert!(page.body.contains("已停用") && page.body.contains("账号已停用"));
    let audit = t.store.list_audit(None, 5, 0).await.unwrap();
    assert_eq!(audit[0].action, "staff.disable");
    // enabled again: a new session works
    let r = leader
        .post(
            &format!("/admin/staff/{editor_id}/active"),
            &[("active", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.client(&app, "jyj_editor")
            .await
            .get("/admin")
            .await
            .status,
        StatusCode::OK
    );
    // nobody disables themselves; a bad value is refused and changes nothing
    let leader_id = t
        .store
        .find_staff_credentials("jyj_leader")
        .await
        .unwrap()
        .unwrap()
        .staff
        .id;
    let before = t.store.count_audit(None).await.unwrap();
    let r = leader
        .post(
            &format!("/admin/staff/{leader_id}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = leader
        .post(
            &format!("/admin/staff/{editor_id}/active"),
            &[("active", "maybe")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.store.count_audit(None).await.unwrap(), before);
    t.cleanup().await;
});

both!(
    a_leader_resets_a_password_changes_a_role_and_unlocks_an_account,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let jyj = t.unit_id("JYJ").await;
        let leader = t.client(&app, "jyj_leader").await;
        let id_of = |name: &'static str| {
            let store = t.store.clone();
            async move {
                store
                    .find_staff_credentials(name)
                    .await
                    .unwrap()
                    .unwrap()
                    .staff
                    .id
            }
        };
        let editor_id = id_of("jyj_editor").await;
        let old_session = t.client(&app, "jyj_editor").await;

        // a weak temporary password is refused; nothing changes
        let before = t.store.count_audit(None).await.unwrap();
        let r = leader
            .post(
                &format!("/admin/staff/{editor_id}/password"),
                &[("password", "short")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("密码至少10位"), "{}", r.body);
        assert_eq!(t.store.count_audit(None).await.unwrap(), before);
        // reset: the editor's sessions end; signing in with the temporary password leads to
        // the password form and nowhere else until a new one is set
        let r = leader
            .post(
                &format!("/admin/staff/{editor_id}/password"),
                &[("password", "Temp-Pass-2026")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            old_session
                .get("/admin")
                .await
                .location()
                .starts_with("/login")
        );
        let page = leader.get(&format!("/admin/units/{jyj}/staff")).await;
        assert!(page.body.contains("待本人修改密码"), "{}", page.body);
        let r = login(&app, "jyj_editor", "Temp-Pass-2026", "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let cookie = format!(
            "{}={}",
            gongkai_web::auth::SESSION_COOKIE,
            r.set_cookie(gongkai_web::auth::SESSION_COOKIE).unwrap()
        );
        let desk = get(&app, "/admin", Some(&cookie)).await;
        assert_eq!(desk.status, StatusCode::SEE_OTHER);
        assert_eq!(desk.location(), "/admin/account?ok=must_change");
        let account = get(&app, "/admin/account?ok=must_change", Some(&cookie)).await;
        assert_eq!(account.status, StatusCode::OK);
        assert!(account.body.contains("请先设置新密码"), "{}", account.body);
        assert!(
            !account.body.contains("双因素认证"),
            "only the password form"
        );
        let csrf = account
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let change = |current: &'static str, new: &'static str, confirm: &'static str| {
            let (cookie, csrf, app) = (cookie.clone(), csrf.clone(), app.clone());
            async move {
                post(
                    &app,
                    "/admin/account/password",
                    Some(&cookie),
                    &[
                        ("csrf", &csrf),
                        ("current", current),
                        ("password", new),
                        ("confirm", confirm),
                    ],
                )
                .await
            }
        };
        let r = change("wrong", "Mine-Pass-2026", "Mine-Pass-2026").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("当前密码不正确"));
        let r = change("Temp-Pass-2026", "Mine-Pass-2026", "Mine-Pass-2027").await;
        assert!(r.body.contains("两次输入的新密码不一致"));
        let r = change("Temp-Pass-2026", "Mine-Pass-2026", "Mine-Pass-2026").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            get(&app, "/admin", Some(&cookie)).await.status,
            StatusCode::OK,
            "free again after choosing a password"
        );
        let audit = t.store.list_audit(None, 5, 0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "staff.password_change"));
        assert!(audit.iter().all(|e| !e.detail.contains("Mine-Pass")));

        // role change: audited with before and after; not one's own; no district roles here
        let r = leader
            .post(
                &format!("/admin/staff/{editor_id}/role"),
                &[("role", "reviewer")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let staff = t.store.get_staff(editor_id).await.unwrap();
        assert_eq!(staff.role, gongkai_domain::access::Role::Reviewer);
        let audit = t.store.list_audit(None, 1, 0).await.unwrap();
        assert_eq!(audit[0].action, "staff.role_change");
        assert_eq!(
            audit[0].before_digest,
            gongkai_domain::audit::digest("editor")
        );
        assert_eq!(
            audit[0].after_digest,
            gongkai_domain::audit::digest("reviewer")
        );
        assert!(
            audit[0].detail.contains("信息编辑 → 审核人员"),
            "{}",
            audit[0].detail
        );
        let r = leader
            .post(
                &format!("/admin/staff/{editor_id}/role"),
                &[("role", "admin")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let leader_id = id_of("jyj_leader").await;
        let r = leader
            .post(
                &format!("/admin/staff/{leader_id}/role"),
                &[("role", "editor")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        // locked after failures: shown as locked, unlocked by the leader, signs in at once
        for _ in 0..8 {
            login(&app, "jyj_reviewer", "wrong-password", "").await;
        }
        let r = login(&app, "jyj_reviewer", "Demo-2026-gongkai", "").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            r.body.contains("秒后再试") && r.body.contains("id=\"username\""),
            "the login form again, with the wait: {}",
            r.body
        );
        let page = leader.get(&format!("/admin/units/{jyj}/staff")).await;
        assert!(page.body.contains("已锁定"), "{}", page.body);
        let reviewer_id = id_of("jyj_reviewer").await;
        let r = leader
            .post(&format!("/admin/staff/{reviewer_id}/unlock"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = leader.get(&format!("/admin/units/{jyj}/staff")).await;
        assert!(!page.body.contains("已锁定"), "{}", page.body);
        let r = login(&app, "jyj_reviewer", "Demo-2026-gongkai", "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let audit = t.store.list_audit(None, 3, 0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "staff.unlock"));
        t.cleanup().await;
    }
);

both!(
    public_pages_are_served_from_memory_until_something_changes,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let indexer = std::sync::Arc::new(
            gongkai_work::indexing::Indexer::open(&t.dir.join("index")).unwrap(),
        );
        let config = gongkai_web::WebConfig {
            files_dir: t.dir.join("files"),
            page_cache_secs: 1,
            ..Default::default()
        };
        let app =
            gongkai_web::app(gongkai_web::AppState::new(t.store.clone(), config, indexer).unwrap());
        let jyj = t.unit_id("JYJ").await;
        let first = get(&app, "/units", None).await;
        assert_eq!(first.status, StatusCode::OK);
        t.store
            .update_unit_profile(
                &crate::support::system(),
                jyj,
                &gongkai_store::org::UnitProfile {
                    address: "缓存测试路1号".into(),
                    phone: "0571-1234567".into(),
                    office_hours: "工作日".into(),
                },
            )
            .await
            .unwrap();
        // anonymous visitors get the kept page for a moment; a signed-in user never does
        let again = get(&app, "/units", None).await;
        assert_eq!(again.body, first.body, "served from memory");
        let staff = t.client(&app, "jyj_editor").await;
        let signed_in = staff.get("/units").await;
        assert!(signed_in.body.contains("缓存测试路1号"));
        // display preferences are kept apart
        let large = get(&app, "/units", Some("gk_prefs=large")).await;
        assert!(large.body.contains("缓存测试路1号"), "its own entry");
        // and after page_cache_secs everyone sees the change
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let later = get(&app, "/units", None).await;
        assert!(later.body.contains("缓存测试路1号"));
        // a publication shows at once on the home page (the cache follows the record's generation)
        let home = get(&app, "/", None).await;
        assert!(!home.body.contains("缓存之后发布的通知"));
        crate::support::publish_in_jyj(&t, &app, "QTWJ", "缓存之后发布的通知", "2026-11-20").await;
        let now = get(&app, "/", None).await;
        assert!(now.body.contains("缓存之后发布的通知"), "{}", now.body);
        t.cleanup().await;
    }
);

both!(
    the_public_applies_online_and_follows_the_application,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let page = get(&app, "/apply", None).await;
        assert_eq!(page.status, StatusCode::OK);
        let key = page
            .body
            .split("name=\"request_key\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        // bad input: every problem named, nothing stored
        let r = post(
            &app,
            "/apply",
            None,
            &[
                ("request_key", &key),
                ("unit", "NOPE"),
                ("applicant_type", "natural_person"),
                ("name", "张三"),
                ("id_document", "110105194912310021"),
                ("content", ""),
                ("form", "electronic"),
                ("delivery", "collection"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        for needle in [
            "请选择受理申请的机关",
            "居民身份证号码无效",
            "请至少填写一种联系方式",
            "请写明所需政府信息",
        ] {
            assert!(r.body.contains(needle), "{needle}: {}", r.body);
        }
        let jyj = t.unit_id("JYJ").await;
        assert_eq!(
            t.store.applications().for_unit(jyj, 1, 0).await.unwrap().0,
            0
        );
        let good = [
            ("request_key", key.as_str()),
            ("unit", "JYJ"),
            ("applicant_type", "natural_person"),
            ("name", "张三"),
            ("id_document", "11010519491231002X"),
            ("phone", "0571-12345678"),
            ("content", "2025年义务教育学校划片方案"),
            ("form", "electronic"),
            ("delivery", "collection"),
        ];
        let r = post(&app, "/apply", None, &good).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (_, list) = t.store.applications().for_unit(jyj, 1, 0).await.unwrap();
        let tracking = list[0].tracking_no.clone();
        assert!(r.body.contains(&tracking));
        let code = r
            .body
            .split("<dt>查询码</dt><dd><strong>")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(code.len(), 8);
        // the same form sent again: the same application, the code not shown again
        let again = post(&app, "/apply", None, &good).await;
        assert!(again.body.contains(&tracking) && !again.body.contains(&code));
        assert_eq!(
            t.store.applications().for_unit(jyj, 5, 0).await.unwrap().0,
            1
        );
        // following it: the right code shows the state and the due date with its steps
        let found = get(
            &app,
            &format!("/apply/track?no={tracking}&code={code}"),
            None,
        )
        .await;
        assert_eq!(found.status, StatusCode::OK);
        assert!(
            found.body.contains("<dd>办理中") && found.body.contains("答复期限"),
            "{}",
            found.body
        );
        let wrong = get(
            &app,
            &format!("/apply/track?no={tracking}&code=00000000"),
            None,
        )
        .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert!(wrong.body.contains("申请编号或查询码不正确"));
        assert!(!wrong.body.contains("<dt>状态</dt>"));
        let audit = t.store.list_audit(Some(jyj), 3, 0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "application.submit"));
        // guessing codes is throttled: after ten failures even the right code waits
        for guess in 0..12 {
            get(
                &app,
                &format!("/apply/track?no={tracking}&code={guess:08}"),
                None,
            )
            .await;
        }
        let blocked = get(
            &app,
            &format!("/apply/track?no={tracking}&code={code}"),
            None,
        )
        .await;
        assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            blocked.body.contains("查询失败次数过多"),
            "{}",
            blocked.body
        );
        assert!(!blocked.body.contains("正在办理"));
        t.cleanup().await;
    }
);
