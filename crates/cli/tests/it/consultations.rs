//! Public consultation on drafts (意见征集) over HTTP on both databases: the period rule, comments
//! on paragraphs kept attached across three versions, moderation, the adoption report after
//! the period.

use crate::both;
use crate::support::{Db, TestDb, get, post};
use axum::http::StatusCode;

both!(
    a_consultation_keeps_paragraph_comments_across_three_versions_and_reports_adoption,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let mzj = t.unit_id("MZJ").await;
        let editor = t.client(&app, "mzj_editor").await;
        let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
        let d = |n: i64| {
            (today + chrono::Duration::days(n))
                .format("%Y-%m-%d")
                .to_string()
        };
        let text = "第一条 为规范养老机构收费，制定本办法。\n第二条 本办法适用于本区养老机构。\n第三条 养老机构应当公示收费标准。\n第四条 本办法自发布之日起施行。";
        let form = |ends: &str, reason: &str| {
            vec![
                (
                    "title".to_string(),
                    "示范区养老机构收费管理办法（征求意见稿）".to_string(),
                ),
                ("explanation".into(), "为规范收费，起草本办法。".into()),
                ("text".into(), text.into()),
                ("starts_on".into(), d(0)),
                ("ends_on".into(), ends.to_string()),
                ("short_reason".into(), reason.into()),
                ("how_to_comment".into(), "在本页提出意见".into()),
                ("contact".into(), "区民政局 0571-88001234".into()),
            ]
        };
        let send = |f: Vec<(String, String)>| {
            let editor = &editor;
            async move {
                let pairs: Vec<(&str, &str)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                editor
                    .post(&format!("/admin/units/{mzj}/consultations"), &pairs)
                    .await
            }
        };
        // shorter than 30 days without a reason: refused, nothing stored
        let r = send(form(&d(19), "")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("少于30天，须说明理由"), "{}", r.body);
        assert!(
            t.store
                .consultations()
                .list(Some(mzj), None, 5)
                .await
                .unwrap()
                .is_empty()
        );
        // another unit's editor may not open one here
        let other = t.client(&app, "jyj_editor").await;
        let r = other
            .post(
                &format!("/admin/units/{mzj}/consultations"),
                &[("title", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // personal data in the draft: refused before anything is published
        let mut leaky = form(&d(29), "");
        leaky[2].1 = format!("{text}\n联系人王小明，手机13812345678。");
        let r = send(leaky).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("发现个人信息或敏感词") && r.body.contains("138****5678"),
            "{}",
            r.body
        );
        assert!(
            t.store
                .consultations()
                .list(Some(mzj), None, 5)
                .await
                .unwrap()
                .is_empty()
        );
        // 20 days with a stated reason: shown publicly
        let r = send(form(&d(19), "落实省级部署，须在年底前出台")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let c = t
            .store
            .consultations()
            .list(Some(mzj), None, 1)
            .await
            .unwrap()[0]
            .clone();
        let id = c.id;
        let page = get(&app, &format!("/consultations/{id}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("落实省级部署") && page.body.contains("正在征求意见"));
        let paras = t.store.consultations().paragraphs(id, 1).await.unwrap();
        let key = |n: usize| paras[n].para_key.clone();
        // the public comments on paragraphs 2, 3 and the whole draft
        let comment = |para: String, body: &'static str| {
            let app = &app;
            async move {
                let page = get(app, &format!("/consultations/{id}"), None).await;
                // after the period the page has no form: a key from an earlier visit
                let k = if page.body.contains("name=\"request_key\"") {
                    crate::power::input_value(&page.body, "request_key")
                } else {
                    "a-form-key-kept-from-before".to_string()
                };
                post(
                    app,
                    &format!("/consultations/{id}/comments"),
                    None,
                    &[
                        ("request_key", k.as_str()),
                        ("paragraph", para.as_str()),
                        ("name", "王小明"),
                        ("contact", "13812345678"),
                        ("body", body),
                    ],
                )
                .await
            }
        };
        assert_eq!(
            comment(key(1), "适用范围应包括社区养老服务站。")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            comment(key(2), "建议明确公示的位置，我的电话13812345678。")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            comment(String::new(), "总体赞成。").await.status,
            StatusCode::SEE_OTHER
        );
        let bad = comment("9.9".into(), "不存在的段落").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("请选择征求意见稿中的段落"));
        // masked for the public
        let page = get(&app, &format!("/consultations/{id}"), None).await;
        assert!(!page.body.contains("13812345678") && page.body.contains("王**"));
        // version 2 edits paragraph 3 and removes paragraph 2; version 3 adds one
        let desk = format!("/admin/consultations/{id}");
        let v2 = "第一条 为规范养老机构收费，制定本办法。\n第三条 养老机构应当在服务场所显著位置公示收费标准。\n第四条 本办法自发布之日起施行。";
        let r = editor
            .post(
                &format!("{desk}/revise"),
                &[
                    ("text", v2),
                    ("note", "吸收意见，明确公示位置"),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // a stale revision (made from version 1 again) is refused
        let r = editor
            .post(
                &format!("{desk}/revise"),
                &[("text", "另一稿"), ("note", "x"), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("已被他人修订"), "{}", r.body);
        let v3 = format!("{v2}\n第五条 收费调整应提前30日告知老年人及其家属。");
        let r = editor
            .post(
                &format!("{desk}/revise"),
                &[
                    ("text", v3.as_str()),
                    ("note", "增加调价告知"),
                    ("version", "2"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let p3 = t.store.consultations().paragraphs(id, 3).await.unwrap();
        assert_eq!(p3.len(), 4);
        assert_eq!(p3[1].para_key, key(2), "the edited paragraph keeps its key");
        assert_eq!(p3[3].change, "added");
        let counts = t.store.consultations().counts(id).await.unwrap();
        assert!(counts.contains(&(Some(key(2)), 1)) && counts.contains(&(None, 1)));
        let page = get(&app, &format!("/consultations/{id}"), None).await;
        assert!(
            page.body.contains("对第2段"),
            "comment on old 第三条 follows it: {}",
            page.body
        );
        assert!(page.body.contains("所指内容已在修订中删除"));
        assert!(page.body.contains("第3稿"));
        let v2page = get(&app, &format!("/consultations/{id}?version=2"), None).await;
        assert!(
            v2page
                .body
                .contains("<del>第二条 本办法适用于本区养老机构。</del>"),
            "{}",
            v2page.body
        );
        // moderation: hidden with a reason, kept
        let all = t
            .store
            .consultations()
            .comments(id, None, 10)
            .await
            .unwrap();
        let r = editor
            .post(
                &format!("/admin/consultation-comments/{}/hide", all[2].id),
                &[("reason", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = editor
            .post(
                &format!("/admin/consultation-comments/{}/hide", all[2].id),
                &[("reason", "与草案无关")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.store.consultations().get(id).await.unwrap().comments, 2);
        // the report waits for the end of the period
        let report = [
            ("report", "共收到意见2条，采纳1条。"),
            (
                "decision",
                "示范区养老机构收费管理办法（示政办〔2026〕8号）",
            ),
        ];
        let r = editor.post(&format!("{desk}/report"), &report).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("截止后才能公布"), "{}", r.body);
        // the period ends (the clock moved on); comments are refused from then on
        t.store
            .execute_raw_for_tests(&format!(
                "UPDATE consultations SET starts_on = '{}', ends_on = '{}' WHERE id = {id}",
                d(-40),
                d(-1)
            ))
            .await
            .unwrap();
        let late = comment(String::new(), "截止后的意见").await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        assert!(late.body.contains("截止，不再接收意见"), "{}", late.body);
        // every visible comment needs its adoption decision first
        let r = editor.post(&format!("{desk}/report"), &report).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("还有2条意见未作出采纳决定"), "{}", r.body);
        let (a, b) = (all[0].id.to_string(), all[1].id.to_string());
        let r = editor
            .post(
                &format!("{desk}/adoptions"),
                &[
                    ("comment", a.as_str()),
                    ("outcome", "not_adopted"),
                    ("reason", "社区服务站另行规定"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let hidden = all[2].id.to_string();
        let r = editor
            .post(
                &format!("{desk}/adoptions"),
                &[
                    ("comment", b.as_str()),
                    ("comment", hidden.as_str()),
                    ("outcome", "adopted"),
                    ("reason", "已明确公示位置"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "a hidden comment cannot be adopted"
        );
        assert_eq!(t.store.consultations().unadopted(id).await.unwrap(), 1);
        let r = editor
            .post(
                &format!("{desk}/adoptions"),
                &[
                    ("comment", b.as_str()),
                    ("outcome", "adopted"),
                    ("reason", "已明确公示位置"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = editor.post(&format!("{desk}/report"), &report).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = get(&app, &format!("/consultations/{id}"), None).await;
        assert!(page.body.contains("已公布采纳情况") && page.body.contains("示政办〔2026〕8号"));
        assert!(page.body.contains("采纳：已明确公示位置") && page.body.contains("未采纳"));
        let audit = t.store.list_audit(Some(mzj), 50, 0).await.unwrap();
        for action in [
            "consultation.open",
            "consultation.revise",
            "consultation.comment",
            "consultation.moderate",
            "consultation.adopt",
            "consultation.report",
        ] {
            assert!(audit.iter().any(|e| e.action == action), "{action}");
        }
        let list = get(&app, "/consultations", None).await;
        assert!(list.body.contains("示范区养老机构收费管理办法"));
        t.cleanup().await;
    }
);
