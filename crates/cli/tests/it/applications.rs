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
        let (no, code) = apply_online(
            &app,
            "JYJ",
            "2025年义务教育学校划片方案及其附件（张三，手机13812345678）",
        )
        .await;
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
        // a letter for a step not taken: refused, with the reason
        let r = handler
            .get(&format!("/admin/applications/{id}/letters/answer"))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("尚未进行相应的办理步骤"), "{}", r.body);
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
        // shown on the desk with what was typed, so nothing is lost
        assert!(r.body.contains("现提供可以公开的部分。"), "{}", r.body);
        assert!(
            r.body.contains("value=\"partly_disclosed\" selected"),
            "{}",
            r.body
        );
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
        // the unit publishes it in the register: masked, without the applicant's name
        let r = handler
            .post(
                &format!("/admin/applications/{id}/register"),
                &[("action", "publish")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = get(&app, "/apply/register", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&no) && page.body.contains("划片方案"),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("13812345678") && !page.body.contains("张三"),
            "{}",
            page.body
        );
        // an editor turns the answer into a draft item of the catalog
        let cat = t.category(t.unit_id("JYJ").await, "GKNB").await;
        let r = editor
            .post(
                &format!("/admin/applications/{id}/to-item"),
                &[
                    ("title", "2025年义务教育学校划片方案"),
                    ("category_id", &cat.id.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let item = t.store.disclosure().get_item(r.item_id()).await.unwrap();
        assert!(item.published_revision.is_none(), "a draft, through review");
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

/// One application of the scripted year: who, when received, and how it ends.
struct Scripted {
    kind: &'static str,
    received: &'static str,
    /// (outcome, reason, pointer, delivered on); `abandon` for a correction not made.
    ends: Option<(&'static str, &'static str, &'static str, &'static str)>,
}

async fn api_json(
    app: &axum::Router,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> crate::support::Resp {
    crate::support::api_post(app, path, Some(token), &body.to_string()).await
}

both!(
    a_scripted_year_through_the_api_gives_the_hand_counted_report,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let jyj = t.unit_id("JYJ").await;
        let handler = crate::support::token_for(&t, "jyj_handler").await;
        let leader = crate::support::token_for(&t, "jyj_leader").await;
        let documents = [
            ("natural_person", "11010519491231002X"),
            ("business", "91350100M000100Y43"),
            ("research", "12100000400000624D"),
            ("public_welfare", "53100000500021676K"),
            ("legal_service", "31110000400000448M"),
        ];
        let year: [Scripted; 10] = [
            // carried in from 2024, answered in 2025
            Scripted {
                kind: "natural_person",
                received: "2024-12-20",
                ends: Some(("disclosed", "", "", "2025-01-10")),
            },
            Scripted {
                kind: "business",
                received: "2024-12-25",
                ends: Some((
                    "withheld_4",
                    "涉及企业商业秘密，第三方不同意公开",
                    "",
                    "2025-01-15",
                )),
            },
            // received and answered in 2025
            Scripted {
                kind: "natural_person",
                received: "2025-03-03",
                ends: Some((
                    "partly_disclosed",
                    "含个人信息部分不予公开",
                    "",
                    "2025-03-20",
                )),
            },
            Scripted {
                kind: "research",
                received: "2025-04-01",
                ends: Some(("abandon", "", "", "2025-06-03")),
            },
            Scripted {
                kind: "natural_person",
                received: "2025-05-06",
                ends: Some((
                    "cannot_provide_1",
                    "本机关未制作该信息",
                    "区财政局，电话 0571-00000000",
                    "2025-05-20",
                )),
            },
            Scripted {
                kind: "legal_service",
                received: "2025-06-02",
                ends: Some((
                    "not_handled_2",
                    "与此前申请内容相同",
                    "YSQ2025-JYJ-000001",
                    "2025-06-10",
                )),
            },
            // received in 2025, carried into 2026
            Scripted {
                kind: "natural_person",
                received: "2025-12-22",
                ends: Some(("disclosed", "", "", "2026-01-08")),
            },
            Scripted {
                kind: "public_welfare",
                received: "2025-12-29",
                ends: None,
            },
            // outside the year
            Scripted {
                kind: "natural_person",
                received: "2023-05-04",
                ends: Some(("disclosed", "", "", "2023-05-10")),
            },
            Scripted {
                kind: "natural_person",
                received: "2026-02-02",
                ends: None,
            },
        ];
        let mut ids = Vec::new();
        for (n, s) in year.iter().enumerate() {
            let doc = documents.iter().find(|(k, _)| *k == s.kind).unwrap().1;
            let r = api_json(
                &app,
                &format!("/api/v1/units/{jyj}/applications"),
                &handler,
                serde_json::json!({
                    "applicant_type": s.kind, "name": format!("申请人{n}"), "id_document": doc,
                    "phone": "0571-12345678", "address": "某市某区某路1号", "content": format!("第{n}件申请：请公开相关文件第{n}号"),
                    "form": "paper", "delivery": "post", "request_key": format!("scripted-year-key-{n:04}"),
                    "channel": "in_person", "submitted": s.received,
                }),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let id = r.json()["id"].as_i64().unwrap();
            ids.push(id);
            let step = format!("/api/v1/applications/{id}/steps");
            match s.ends {
                Some(("abandon", _, _, on)) => {
                    let r = api_json(&app, &step, &handler, serde_json::json!({"action": "request_correction", "on": "2025-04-03", "text": "请写明文件名称"})).await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                    let r = api_json(
                        &app,
                        &step,
                        &handler,
                        serde_json::json!({"action": "abandon", "on": on}),
                    )
                    .await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                }
                Some((outcome, reason, pointer, on)) => {
                    let r = api_json(&app, &step, &handler, serde_json::json!({"action": "draft", "outcome": outcome, "reason": reason, "pointer": pointer, "text": "答复如下。"})).await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                    // the handler's token cannot approve
                    let r = api_json(
                        &app,
                        &step,
                        &handler,
                        serde_json::json!({"action": "approve"}),
                    )
                    .await;
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
                    let r = api_json(
                        &app,
                        &step,
                        &leader,
                        serde_json::json!({"action": "approve"}),
                    )
                    .await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                    let r = api_json(
                        &app,
                        &step,
                        &handler,
                        serde_json::json!({"action": "deliver", "on": on, "how": "post"}),
                    )
                    .await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                    assert_eq!(r.json()["state"], "closed");
                }
                None => {}
            }
        }
        // remedies: a reconsideration upheld in 2025, a lawsuit still pending
        let client = t.client(&app, "jyj_handler").await;
        for (id, kind, filed, result, decided) in [
            (
                ids[1],
                "reconsideration",
                "2025-02-10",
                "upheld",
                "2025-04-01",
            ),
            (ids[4], "litigation_direct", "2025-06-01", "pending", ""),
        ] {
            let r = client
                .post(
                    &format!("/admin/applications/{id}/remedies"),
                    &[
                        ("kind", kind),
                        ("filed_on", filed),
                        ("result", result),
                        ("decided_on", decided),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // the report by the API, the CLI and the page agree with the hand count
        let r = crate::support::get_bearer(
            &app,
            &format!("/api/v1/units/{jyj}/annual-report?year=2025"),
            &handler,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let report = r.json();
        let line = |key: &str| -> Vec<i64> {
            report["applications"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["key"] == key)
                .unwrap_or_else(|| panic!("no line {key}"))["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect()
        };
        // columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
        assert_eq!(line("received"), [3, 0, 1, 1, 1, 0, 6]);
        assert_eq!(line("carried_in"), [1, 1, 0, 0, 0, 0, 2]);
        assert_eq!(line("group:（一）予以公开"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(line("group:（二）部分公开"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(line("withheld_4"), [0, 1, 0, 0, 0, 0, 1]);
        assert_eq!(line("cannot_provide_1"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(line("not_handled_2"), [0, 0, 0, 0, 1, 0, 1]);
        assert_eq!(line("other_1"), [0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(line("decided"), [3, 1, 1, 0, 1, 0, 6]);
        assert_eq!(line("carried_out"), [1, 0, 0, 1, 0, 0, 2]);
        assert_eq!(report["remedies"][0], serde_json::json!([1, 0, 0, 0, 1]));
        assert_eq!(report["remedies"][1], serde_json::json!([0, 0, 0, 1, 1]));
        // the district's report sums its units (only JYJ has applications here)
        let gov = t.unit_id("GOV").await;
        let r = crate::support::get_bearer(
            &app,
            &format!("/api/v1/units/{gov}/annual-report?year=2025"),
            &crate::support::token_for(&t, "admin").await,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["applications"], report["applications"]);
        // the CLI: JSON to standard output, XLSX in the national layout
        let out = t
            .cli(&[
                "report", "annual", "--year", "2025", "--unit", "JYJ", "--format", "json",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(cli["applications"], report["applications"]);
        let xlsx = std::env::temp_dir().join(format!("{}.xlsx", crate::support::unique("report")));
        let out = t
            .cli(&[
                "report",
                "annual",
                "--year",
                "2025",
                "--unit",
                "JYJ",
                "--format",
                "xlsx",
                "--output",
                xlsx.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&xlsx).unwrap();
        let _ = std::fs::remove_file(&xlsx);
        let sheets = calamine_sheets(&bytes);
        let table2 = &sheets[1];
        assert_eq!(table2.0, "依申请公开");
        let grid = &table2.1;
        assert!(
            grid[0][0].contains("收到和处理政府信息公开申请情况"),
            "{:?}",
            grid[0]
        );
        assert_eq!(grid[1][3], "申请人情况");
        assert_eq!(grid[2][3], "自然人");
        assert_eq!(grid[2][4], "法人或其他组织");
        assert_eq!(
            grid[3][4..9],
            [
                "商业企业",
                "科研机构",
                "社会公益组织",
                "法律服务机构",
                "其他"
            ]
        );
        assert_eq!(grid[2][9], "总计");
        assert_eq!(grid[4][0], "一、本年新收政府信息公开申请数量");
        assert_eq!(grid[4][3..10], ["3", "0", "1", "1", "1", "0", "6"]);
        let row = |label: &str| {
            grid.iter()
                .position(|r| r.iter().any(|c| c == label))
                .unwrap_or_else(|| panic!("{label}"))
        };
        assert_eq!(grid[row("三、本年度办理结果")][1], "（一）予以公开");
        assert_eq!(grid[row("（三）不予公开")][2], "1.属于国家秘密");
        assert_eq!(
            grid[row("4.保护第三方合法权益")][3..10],
            ["0", "1", "0", "0", "0", "0", "1"]
        );
        assert_eq!(
            grid[row("（七）总计")][3..10],
            ["3", "1", "1", "0", "1", "0", "6"]
        );
        assert_eq!(
            grid[row("四、结转下年度继续办理")][3..10],
            ["1", "0", "0", "1", "0", "0", "2"]
        );
        assert_eq!(sheets[0].0, "主动公开");
        assert_eq!(sheets[2].1[1][0], "行政复议");
        // a record that breaks the identity: the report is refused, naming the application
        {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(&t.cli_url).await.unwrap();
            sqlx::query("UPDATE applications SET closed_on = '2024-12-30' WHERE id = $1")
                .bind(ids[2])
                .execute(&mut c)
                .await
                .unwrap();
        }
        let out = t
            .cli(&[
                "report", "annual", "--year", "2025", "--unit", "JYJ", "--format", "json",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        let broken = t
            .store
            .applications()
            .get(ids[2])
            .await
            .unwrap()
            .tracking_no;
        assert!(err.contains("不平衡") && err.contains(&broken), "{err}");
        assert!(out.stdout.is_empty());
        t.cleanup().await;
    }
);

/// Every sheet of a workbook: (name, rows of cell text).
fn calamine_sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    gongkai_extract::sheet::read_sheets(bytes).unwrap()
}

both!(
    an_overdue_application_raises_one_alert_and_one_reminder_mail,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let (no, _) = apply_online(&app, "JYJ", "2026年学校食堂承包合同").await;
        let (a, _) = t
            .store
            .applications()
            .by_tracking_no(&no)
            .await
            .unwrap()
            .unwrap();
        let due =
            chrono::NaiveDate::parse_from_str(a.due_on.as_deref().unwrap(), "%Y-%m-%d").unwrap();
        let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        let apps = t.store.applications();
        // the dashboard's figures: due soon in the last days, overdue after
        let own = |f: Vec<gongkai_store::applications::UnitFigures>| {
            f.into_iter()
                .find(|x| x.unit_id == a.unit_id)
                .map(|x| (x.overdue, x.due_soon))
        };
        let soon = apps
            .figures(
                &day(due - chrono::Duration::days(1)),
                &day(due + chrono::Duration::days(3)),
            )
            .await
            .unwrap();
        assert_eq!(own(soon), Some((0, 1)));
        let late = apps
            .figures(
                &day(due + chrono::Duration::days(1)),
                &day(due + chrono::Duration::days(8)),
            )
            .await
            .unwrap();
        assert_eq!(own(late), Some((1, 0)));
        // the handler gives an address for reminders and is assigned the application
        let handler = t.client(&app, "jyj_handler").await;
        let r = handler
            .post("/admin/account/email", &[("email", "not an address")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = handler
            .post("/admin/account/email", &[("email", "liu@example.gov.cn")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = handler
            .post(
                &format!("/admin/applications/{}/assign", a.id),
                &[("handler", "jyj_handler")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // the scan past the due date raises one red alert for it, once (the demo's
        // applications to 区民政局 are overdue by then too)
        let after = day(due + chrono::Duration::days(2));
        let system = crate::support::system();
        let (_, red) = apps.scan_alerts(&system, &after).await.unwrap();
        assert!(red >= 1);
        let raised = t
            .store
            .power()
            .open_alerts(Some(a.unit_id), 10)
            .await
            .unwrap();
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(
            (raised[0].application_id, raised[0].level.as_str()),
            (Some(a.id), "red")
        );
        assert_eq!(apps.scan_alerts(&system, &after).await.unwrap(), (0, 0));
        let (addr, got) = crate::power::smtp_receiver();
        let mail = gongkai_work::reminders::MailConfig {
            smtp_addr: addr,
            from: "gongkai@example.gov.cn".into(),
            supervisor: vec!["gkb@example.gov.cn".into()],
            units: [("JYJ".to_string(), vec!["jyj@example.gov.cn".to_string()])].into(),
        };
        let worker = gongkai_work::reminders::Reminders::new("test", mail);
        assert!(worker.run_due(&t.store).await.unwrap() >= 1);
        assert_eq!(worker.run_due(&t.store).await.unwrap(), 0, "sent once");
        let got = got.lock().unwrap().clone();
        assert_eq!(
            got.iter()
                .filter(|l| *l == "RCPT TO:<jyj@example.gov.cn>")
                .count(),
            1,
            "one mail to the unit: {got:?}"
        );
        assert!(
            got.contains(&"RCPT TO:<gkb@example.gov.cn>".to_string()),
            "{got:?}"
        );
        // and the handler, at the address they gave
        assert!(
            got.contains(&"RCPT TO:<liu@example.gov.cn>".to_string()),
            "{got:?}"
        );
        let message = got
            .iter()
            .find(|l| l.contains("Content-Transfer-Encoding"))
            .unwrap();
        let body: String = message
            .split("\r\n\r\n")
            .nth(1)
            .unwrap()
            .split("\r\n")
            .collect();
        let body =
            String::from_utf8(data_encoding::BASE64.decode(body.as_bytes()).unwrap()).unwrap();
        assert!(
            body.contains(&no) && body.contains("已超过答复期限"),
            "{body}"
        );
        assert!(
            body.contains(&format!("/admin/applications/{}", a.id)),
            "{body}"
        );
        // answering it resolves the alert
        let handler = t.client(&app, "jyj_handler").await;
        let r = handler
            .post(
                &format!("/admin/applications/{}/step", a.id),
                &[
                    ("action", "draft"),
                    ("outcome", "disclosed"),
                    ("text", "予以公开。"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let open = t.store.power().open_alerts(None, 10).await.unwrap();
        assert!(
            open.iter().all(|x| x.application_id != Some(a.id)),
            "{open:?}"
        );
        t.cleanup().await;
    }
);

both!(
    online_applications_are_limited_per_address_and_near_duplicates_flagged,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let body = |n: usize, content: &str| {
            serde_json::json!({
                "unit": "JYJ", "applicant_type": "natural_person", "name": "李四",
                "id_document": "11010519491231002X", "email": "lisi@example.com",
                "content": content, "form": "electronic", "delivery": "email",
                "request_key": format!("api-limit-test-{n:04}"),
            })
            .to_string()
        };
        // bad input: every problem named, 422
        let r = crate::support::api_post(&app, "/api/v1/applications", None, r#"{"unit":"NOPE","applicant_type":"natural_person","name":"","id_document":"123","content":"","form":"electronic","delivery":"email","request_key":"short"}"#).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        for f in ["unit", "name", "id_document", "content", "request_key"] {
            assert!(fields.contains(&f.to_string()), "{f}: {fields:?}");
        }
        let first = crate::support::api_post(
            &app,
            "/api/v1/applications",
            None,
            &body(0, "请公开2025年义务教育学校划片方案。"),
        )
        .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let no = first.json()["tracking_no"].as_str().unwrap().to_string();
        assert_eq!(first.json()["query_code"].as_str().unwrap().len(), 8);
        // the same request again: the same application, no new code
        let again = crate::support::api_post(
            &app,
            "/api/v1/applications",
            None,
            &body(0, "请公开2025年义务教育学校划片方案。"),
        )
        .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["tracking_no"], no.as_str());
        assert!(again.json()["query_code"].is_null());
        // nearly the same request: received, flagged as a near-duplicate of the first
        let dup = crate::support::api_post(
            &app,
            "/api/v1/applications",
            None,
            &body(1, "请公开 2025 年义务教育学校划片方案"),
        )
        .await;
        assert_eq!(dup.status, StatusCode::CREATED, "{}", dup.body);
        assert_eq!(dup.json()["duplicate_of"], no.as_str());
        let other = crate::support::api_post(
            &app,
            "/api/v1/applications",
            None,
            &body(2, "请公开本区2024年度财政预算执行情况"),
        )
        .await;
        assert_eq!(other.json()["duplicate_of"], "");
        // the per-address limit (10 an hour by default): the 11th is refused with 429
        for n in 3..10 {
            let r = crate::support::api_post(
                &app,
                "/api/v1/applications",
                None,
                &body(n, &format!("第{n}份不同的文件：编号{}", n * 7919)),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.body);
        }
        let over = crate::support::api_post(
            &app,
            "/api/v1/applications",
            None,
            &body(10, "再一份完全不同的文件"),
        )
        .await;
        assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS, "{}", over.body);
        assert!(
            over.body.contains("每小时最多在线提交10件"),
            "{}",
            over.body
        );
        // the form is limited the same way
        let form = get(&app, "/apply", None).await;
        let key = crate::power::input_value(&form.body, "request_key");
        let r = post(
            &app,
            "/apply",
            None,
            &[
                ("request_key", key.as_str()),
                ("unit", "JYJ"),
                ("applicant_type", "natural_person"),
                ("name", "王五"),
                ("id_document", "11010519491231002X"),
                ("phone", "0571-1"),
                ("content", "表单提交的另一份文件"),
                ("form", "electronic"),
                ("delivery", "collection"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        // counted in the metrics
        let m = get(&app, "/metrics", None).await;
        assert!(
            m.body
                .contains("gongkai_application_abuse_total{kind=\"rate_limited\"} 2"),
            "{}",
            m.body
        );
        assert!(
            m.body
                .contains("gongkai_application_abuse_total{kind=\"near_duplicate\"} 1"),
            "{}",
            m.body
        );
        t.cleanup().await;
    }
);

/// A 1×1 PNG.
const PNG: &str = "89504E470D0A1A0A0000000D4948445200000001000000010806000000\
1F15C4890000000D49444154789C6300010000000500010D0A2DB40000000049454E44AE426082";

both!(
    an_identity_scan_sent_with_the_form_is_private_to_the_handlers,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let form = get(&app, "/apply", None).await;
        assert!(form.body.contains("multipart/form-data") && form.body.contains("id_scan"));
        let key = crate::power::input_value(&form.body, "request_key");
        let fields = [
            ("request_key", key.as_str()),
            ("unit", "JYJ"),
            ("applicant_type", "natural_person"),
            ("name", "张三"),
            ("id_document", "11010519491231002X"),
            ("phone", "0571-12345678"),
            ("content", "2026年校车采购合同"),
            ("form", "electronic"),
            ("delivery", "collection"),
        ];
        // a text file dressed as a PNG: refused, nothing stored
        let r = crate::support::post_multipart(
            &app,
            "/apply",
            None,
            &fields,
            &[("id_scan", "身份证.png", b"not really an image".as_slice())],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("身份证件扫描件须为"), "{}", r.body);
        let jyj = t.unit_id("JYJ").await;
        assert_eq!(
            t.store.applications().for_unit(jyj, 1, 0).await.unwrap().0,
            0
        );
        let png = data_encoding::HEXUPPER.decode(PNG.as_bytes()).unwrap();
        let r = crate::support::post_multipart(
            &app,
            "/apply",
            None,
            &fields,
            &[("id_scan", "身份证.png", png.as_slice())],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let a = t.store.applications().for_unit(jyj, 1, 0).await.unwrap().1[0].clone();
        let files = t.store.applications().files(a.id).await.unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(
            (files[0].kind.as_str(), files[0].content_type.as_str()),
            ("identity", "image/png")
        );
        let path = format!("/admin/application-files/{}", files[0].id);
        // the handler sees and downloads it; an editor of the unit neither
        let handler = t.client(&app, "jyj_handler").await;
        assert!(
            handler
                .get(&format!("/admin/applications/{}", a.id))
                .await
                .body
                .contains(&path)
        );
        let (s, bytes) = get_bytes_as(&app, &path, &handler.cookie).await;
        assert_eq!((s, bytes), (StatusCode::OK, png.clone()));
        let editor = t.client(&app, "jyj_editor").await;
        assert!(
            !editor
                .get(&format!("/admin/applications/{}", a.id))
                .await
                .body
                .contains(&path)
        );
        let (s, _) = get_bytes_as(&app, &path, &editor.cookie).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // never in search
        let found = get(&app, "/search?q=%E6%A0%A1%E8%BD%A6", None).await;
        assert!(!found.body.contains(&a.tracking_no));
        t.cleanup().await;
    }
);
