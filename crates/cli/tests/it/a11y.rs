//! An automated accessibility check of the rendered pages (the rules of GB/T 37668 that can be
//! checked from the HTML alone): language, a main landmark with a skip link, one h1, a label for
//! every form control, alt text on images, header cells with scope, and no script at all (every
//! page must work without JavaScript and by keyboard alone).

use crate::both;
use crate::support::{Db, TestDb, get};

/// The problems found in one page.
fn problems(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !html.contains("<html lang=\"zh-CN\">") {
        out.push("no <html lang=\"zh-CN\">".into());
    }
    if !html.contains("<main id=\"main\"") || !html.contains("href=\"#main\"") {
        out.push("no main landmark with a skip link".into());
    }
    if html.matches("<h1").count() != 1 {
        out.push(format!("{} h1 elements", html.matches("<h1").count()));
    }
    if html.contains("<script") || html.contains(" onclick=") {
        out.push("script on the page".into());
    }
    // a control inside <label>…</label> is labelled by it (implicit label)
    let mut in_label = false;
    for tag in html.split('<').skip(1) {
        if tag.starts_with("label") {
            in_label = true;
        } else if tag.starts_with("/label") {
            in_label = false;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let attr = |a: &str| {
            tag.split('>')
                .next()
                .and_then(|t| t.split(&format!(" {a}=\"")).nth(1))
                .and_then(|v| v.split('"').next())
                .map(str::to_string)
        };
        match name.as_str() {
            "input" | "select" | "textarea" => {
                if matches!(attr("type").as_deref(), Some("hidden" | "submit")) {
                    continue;
                }
                match attr("id") {
                    _ if in_label => {}
                    Some(id) if html.contains(&format!("<label for=\"{id}\"")) => {}
                    Some(id) => out.push(format!("<{name} id=\"{id}\"> has no label")),
                    None => out.push(format!(
                        "<{name}> without id/label: <{}",
                        tag.chars().take(60).collect::<String>()
                    )),
                }
            }
            "img" if attr("alt").is_none() => out.push("img without alt".into()),
            "th" if attr("scope").is_none() => out.push("th without scope".into()),
            _ => {}
        }
    }
    out
}

both!(pages_pass_the_accessibility_check, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let jyj = t.unit_id("JYJ").await;
    let (leader, _) = t.session_for("jyj_leader").await;
    let (admin, _) = t.session_for("admin").await;
    let public = [
        "/",
        "/units",
        "/units/JYJ",
        "/units/JYJ/guide",
        "/list",
        "/search",
        "/search?q=教育",
        "/login",
        "/standards",
        "/no-such-page",
    ];
    let staff = [
        "/admin".to_string(),
        format!("/admin/units/{jyj}"),
        format!("/admin/units/{jyj}/staff"),
        format!("/admin/units/{jyj}/items"),
        format!("/admin/units/{jyj}/items/new"),
        format!("/admin/units/{jyj}/audit"),
        "/admin/calendar".to_string(),
        "/admin/account".to_string(),
    ];
    let mut checked = 0;
    for path in public {
        let r = get(&app, path, None).await;
        assert_eq!(problems(&r.body), Vec::<String>::new(), "{path}");
        checked += 1;
    }
    for path in &staff {
        let r = get(&app, path, Some(&leader)).await;
        assert_eq!(problems(&r.body), Vec::<String>::new(), "{path}");
        checked += 1;
    }
    let hook = t
        .store
        .webhooks()
        .create_webhook(
            &crate::support::system(),
            "短信平台",
            "http://127.0.0.1:9/hook",
            &[gongkai_domain::webhook::Event::ItemPublished],
            "secret",
        )
        .await
        .unwrap();
    let hook_page = format!("/admin/webhooks/{hook}");
    for path in [
        "/admin",
        "/admin/words",
        "/admin/webhooks",
        hook_page.as_str(),
        "/admin/standards",
        "/admin/timeliness",
    ] {
        let r = get(&app, path, Some(&admin)).await;
        assert_eq!(problems(&r.body), Vec::<String>::new(), "{path} (admin)");
        checked += 1;
    }
    // a published item page and the item workbench
    let (editor, ecsrf) = t.session_for("jyj_editor").await;
    let cat = t.category(jyj, "QTWJ").await;
    let r = crate::support::post(
        &app,
        &format!("/admin/units/{jyj}/items"),
        Some(&editor),
        &[
            ("csrf", &ecsrf),
            ("category_id", &cat.id.to_string()),
            ("title", "无障碍检查用通知"),
            ("formed_on", "2026-11-02"),
            ("validity", "in_force"),
            ("body", "正文。"),
        ],
    )
    .await;
    let id = r.item_id();
    let r = get(&app, &format!("/admin/items/{id}"), Some(&editor)).await;
    assert_eq!(problems(&r.body), Vec::<String>::new(), "item workbench");
    assert_eq!(checked, 24);
    // the checker itself catches what it is meant to catch
    let bad = "<html lang=\"en\"><body><input id=\"x\"><img src=a><th>t</th><script></script></body></html>";
    assert_eq!(problems(bad).len(), 7, "{:?}", problems(bad));
    // a control wrapped in its label is labelled; one after the label closed is not
    let wrapped = "<label><input type=\"checkbox\" name=\"a\"> 甲</label><input type=\"checkbox\" name=\"b\">";
    assert_eq!(
        problems(wrapped)
            .iter()
            .filter(|p| p.contains("without id/label"))
            .count(),
        1
    );
    t.cleanup().await;
});

both!(power_pages_pass_the_accessibility_check, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let sjj = t.unit_id("SJJ").await;
    let licence = t
        .store
        .power()
        .item_by_code("33019900SJJ-XK-0001")
        .await
        .unwrap()
        .unwrap()
        .id;
    for path in [
        "/powers",
        "/powers?category=penalty",
        "/powers/33019900SJJ-XK-0001",
        "/powers/33019900SJJ-CF-0001",
        "/powers/33019900SJJ-XK-0001/apply",
        "/double-publicity",
        "/cases",
    ] {
        let r = get(&app, path, None).await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{path}");
        assert_eq!(problems(&r.body), Vec::<String>::new(), "{path}");
    }
    let (leader, _) = t.session_for("sjj_leader").await;
    let (reviewer, _) = t.session_for("bb_reviewer").await;
    for (path, who) in [
        (format!("/admin/units/{sjj}/powers"), &leader),
        (format!("/admin/units/{sjj}/powers/new"), &leader),
        (format!("/admin/units/{sjj}/cases"), &leader),
        (format!("/admin/powers/{licence}"), &leader),
        ("/admin/supervision".to_string(), &leader),
        ("/admin/power-reviews".to_string(), &reviewer),
    ] {
        let r = get(&app, &path, Some(who)).await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{path}");
        assert_eq!(problems(&r.body), Vec::<String>::new(), "{path}");
    }
    t.cleanup().await;
});
