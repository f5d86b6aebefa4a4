//! Disclosure applications end to end over HTTP: submitted online, handled by the unit through
//! a correction to a partial disclosure with the leader's approval, answered by a PDF letter
//! the applicant downloads by number and code; refusals at every step that breaks a rule.

use crate::both;
use crate::support::{Db, TestDb, get, get_bytes, get_bytes_as, post};
use axum::http::StatusCode;

/// Submits an application to `unit` on the public form; returns (tracking number, query code).
pub async fn apply_online(app: &axum::Router, unit: &str, content: &str) -> (String, String) {
    let form = get(app, "/apply", None).await;
    let key = crate::power::input_value(&form.body, "request_key");
    let r = post(
        app,
        "/apply",
        None,
        &[
            ("request_key", key.as_str()),
            ("unit", unit),
            ("applicant_type", "natural_person"),
            ("name", "张三"),
            ("id_document", "11010519491231002X"),
            ("phone", "0571-12345678"),
            ("content", content),
            ("form", "electronic"),
            ("delivery", "email"),
            ("email", "zhangsan@example.com"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let code = r
        .body
        .split("<dt>查询码</dt><dd><strong>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let no = r
        .body
        .split("YSQ")
        .nth(1)
        .map(|s| format!("YSQ{}", s.split(['<', '（', ' ']).next().unwrap()))
        .unwrap();
    (no, code)
}

/// The text layer of a PDF, by Poppler's `pdftotext` (installed by `scripts/test`).
fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("{}.pdf", crate::support::unique("letter")));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The share of dark pixels in the top quarter (the title) and in the whole page, rendered as
/// a greyscale picture by Poppler's `pdftoppm`.
fn pdf_ink(pdf: &[u8]) -> (f64, f64) {
    let path = std::env::temp_dir().join(format!("{}.pdf", crate::support::unique("letter")));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftoppm")
        .args(["-gray", "-r", "30", "-f", "1", "-l", "1"])
        .arg(&path)
        .output()
        .expect("pdftoppm (poppler-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success());
    // binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel
    let data = out.stdout;
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while data[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..at]).to_string());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &data[at + 1..];
    assert_eq!(pixels.len(), w * h);
    let dark = |rows: std::ops::Range<usize>| {
        let n = rows.len() * w;
        let d = rows
            .flat_map(|r| pixels[r * w..(r + 1) * w].iter())
            .filter(|p| **p < 128)
            .count();
        d as f64 / n as f64
    };
    (dark(0..h / 4), dark(0..h))
}

both!(
    a_unit_handles_an_application_from_correction_to_partial_disclosure,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let (no, code) = apply_online(&app, "JYJ", "2025年义务教育学校划片方案及其附件").await;
        let (a, _) = t
            .store
            .applications()
            .by_tracking_no(&no)
            .await
            .unwrap()
            .unwrap();
        let id = a.id;
        assert!(
            a.due_on.is_some() && a.due_note.contains("20个工作日"),
            "{a:?}"
        );
        let handler = t.client(&app, "jyj_handler").await;
        let leader = t.client(&app, "jyj_leader").await;
        let editor = t.client(&app, "jyj_editor").await;
        let desk = format!("/admin/applications/{id}");
        let step = format!("/admin/applications/{id}/step");
        // the identity document: whole for the handler, masked for other staff of the unit
        let page = handler.get(&desk).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("11010519491231002X"));
        let page = editor.get(&desk).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("11010519491231002X"), "{}", page.body);
        // an editor cannot handle it
        let r = editor
            .post(&step, &[("action", "note"), ("text", "看看")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz_beijing())
            .format("%Y-%m-%d")
            .to_string();
        let audit_before = t.store.count_audit(None).await.unwrap();
        // a correction request without its content, then with
        let r = handler
            .post(
                &step,
                &[
                    ("action", "request_correction"),
                    ("on", &today),
                    ("text", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请写明需要补正的内容"), "{}", r.body);
        let r = handler
            .post(
                &step,
                &[
                    ("action", "request_correction"),
                    ("on", &today),
                    ("text", "请写明所需方案的学年"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = t.store.applications().get(id).await.unwrap();
        assert_eq!(a.state, "correcting");
        assert_eq!(a.due_on, None);
        // a second correction request is refused, and changes nothing
        let r = handler
            .post(
                &step,
                &[
                    ("action", "request_correction"),
                    ("on", &today),
                    ("text", "再补正"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("待申请人补正"), "{}", r.body);
        let r = handler
            .post(&step, &[("action", "correction_received"), ("on", &today)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = t.store.applications().get(id).await.unwrap();
        assert_eq!(a.state, "received");
        assert!(a.due_note.contains("重新计算"), "{}", a.due_note);
        // an outcome without its reason is refused
        let r = handler
            .post(
                &step,
                &[
                    ("action", "draft"),
                    ("outcome", "partly_disclosed"),
                    ("reason", ""),
                    ("text", "现提供可以公开的部分。"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("须写明理由"), "{}", r.body);
        let r = handler
            .post(
                &step,
                &[
                    ("action", "draft"),
                    ("outcome", "partly_disclosed"),
                    ("reason", "附件中含有学生个人信息"),
                    ("text", "现提供划片方案正文，附件中的学生名单不予公开。"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // the handler may neither approve nor extend: that is the leader's
        for action in [
            vec![("action", "approve")],
            vec![
                ("action", "extend"),
                ("days", "10"),
                ("reason", "x"),
                ("on", &today),
            ],
        ] {
            let r = handler.post(&step, &action).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{action:?}");
            assert!(r.body.contains("仅本单位负责人"), "{}", r.body);
        }
        // delivering before approval is refused
        let r = handler
            .post(
                &step,
                &[("action", "deliver"), ("on", &today), ("how", "email")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = leader.post(&step, &[("action", "approve")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // the answer letter before delivery: staff see it, the applicant not yet
        let (s, pdf) = get_bytes_as(
            &app,
            &format!("/admin/applications/{id}/letters/answer"),
            &handler.cookie,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(pdf.starts_with(b"%PDF"));
        let public =
            |kind: &str, code: &str| format!("/apply/track/letters/{kind}?no={}&code={code}", no);
        let (s, _, _) = get_bytes(&app, &public("answer", &code)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let r = handler
            .post(
                &step,
                &[("action", "deliver"), ("on", &today), ("how", "email")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = t.store.applications().get(id).await.unwrap();
        assert_eq!(
            (a.state.as_str(), a.outcome.as_str(), a.late),
            ("closed", "partly_disclosed", 0)
        );
        assert_eq!(a.closed_on.as_deref(), Some(today.as_str()));
        // every state change is in the audit trail
        let steps = t.store.count_audit(None).await.unwrap() - audit_before;
        assert_eq!(steps, 5, "correction, corrected, draft, approval, delivery");
        // the applicant follows it and downloads the letters
        let page = get(&app, &format!("/apply/track?no={}&code={code}", no), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("已办结") && page.body.contains("部分公开"));
        assert!(page.body.contains("补正告知书") && page.body.contains("答复书"));
        assert!(!page.body.contains("附件中含有学生个人信息") || page.body.contains("部分公开"));
        let (s, headers, pdf) = get_bytes(&app, &public("answer", &code)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/pdf");
        let text = pdf_text(&pdf);
        for needle in [
            "政府信息公开申请答复书",
            "区教育局",
            "张三：",
            "作区分处理",
            "第三十七条",
            "附件中含有学生个人信息",
            "60日内",
            "6个月内",
        ] {
            assert!(
                text.replace([' ', '\n'], "").contains(needle),
                "{needle} not in the PDF text: {text}"
            );
        }
        // the letter looks like a letter: ink in the title area, mostly white page
        let (title_ink, page_ink) = pdf_ink(&pdf);
        assert!(title_ink > 0.002, "title area blank: {title_ink}");
        assert!(page_ink > 0.002 && page_ink < 0.2, "page ink {page_ink}");
        let (s, _, pdf) = get_bytes(&app, &public("correction", &code)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            pdf_text(&pdf)
                .replace([' ', '\n'], "")
                .contains("请写明所需方案的学年")
        );
        // a wrong code gets nothing
        let (s, _, _) = get_bytes(&app, &public("answer", "00000000")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // a closed application takes no more steps
        let r = handler
            .post(
                &step,
                &[
                    ("action", "request_correction"),
                    ("on", &today),
                    ("text", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        t.cleanup().await;
    }
);

fn chrono_tz_beijing() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}
