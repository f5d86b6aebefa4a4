//! Major administrative decisions (重大行政决策) over HTTP on both databases: the catalog, the
//! steps in order with their gates, the public timeline.

use crate::both;
use crate::support::{Db, TestDb, get};
use axum::http::StatusCode;

both!(
    a_decision_goes_through_its_steps_with_the_gates_enforced,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gov = t.unit_id("GOV").await;
        let gkb = t.client(&app, "gkb").await;
        let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
        let d = |n: i64| {
            (today - chrono::Duration::days(n))
                .format("%Y-%m-%d")
                .to_string()
        };
        let year = d(0)[..4].to_string();
        // an editor may not put decisions in the catalog
        let r = t
            .client(&app, "jyj_editor")
            .await
            .post(
                &format!("/admin/units/{gov}/major-decisions"),
                &[("title", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = gkb
            .post(
                &format!("/admin/units/{gov}/major-decisions"),
                &[
                    ("title", "示范区老旧小区改造三年行动计划"),
                    ("year", &year),
                    ("basis", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写决策依据"), "{}", r.body);
        let r = gkb
            .post(
                &format!("/admin/units/{gov}/major-decisions"),
                &[
                    ("title", "示范区老旧小区改造三年行动计划"),
                    ("year", &year),
                    ("basis", "《重大行政决策程序暂行条例》"),
                    ("summary", "改造2000年前建成的老旧小区。"),
                    ("planned_on", &d(1)),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id: i64 = r.headers["location"]
            .to_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let steps = format!("/admin/major-decisions/{id}/steps");
        // each form is filled in on the steps recorded so far
        let step = |fields: Vec<(&'static str, String)>| {
            let gkb = &gkb;
            let steps = steps.clone();
            let store = t.store.clone();
            async move {
                let s = store
                    .decisions()
                    .get(id)
                    .await
                    .unwrap()
                    .steps_done
                    .to_string();
                let mut all: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                all.push(("seen", s.as_str()));
                gkb.post(&steps, &all).await
            }
        };
        let talk = || {
            vec![
                ("step", "collective_discussion".to_string()),
                ("started_on", d(3)),
                ("finished_on", d(3)),
                ("outcome", "done".to_string()),
                ("documents", "区政府常务会议纪要〔2026〕12号".to_string()),
            ]
        };
        // out of order: nothing before public participation
        let r = step(talk()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("须先完成"), "{}", r.body);
        for (kind, from, to, outcome, docs) in [
            ("participation", 60, 40, "done", "公开征求意见公告"),
            ("expert_review", 38, 37, "done", "专家论证意见书"),
            ("risk_assessment", 36, 35, "done", "社会稳定风险评估报告"),
            (
                "legality_review",
                34,
                30,
                "failed",
                "合法性审查意见书（不通过）",
            ),
        ] {
            let r = step(vec![
                ("step", kind.to_string()),
                ("started_on", d(from)),
                ("finished_on", d(to)),
                ("outcome", outcome.to_string()),
                ("documents", docs.to_string()),
            ])
            .await;
            if kind == "legality_review" && r.status == StatusCode::BAD_REQUEST {
                // four days may be fewer than seven working days: the gate says so
                assert!(r.body.contains("不少于7个工作日"), "{}", r.body);
                let r = step(vec![
                    ("step", kind.to_string()),
                    ("started_on", d(34)),
                    ("finished_on", d(20)),
                    ("outcome", outcome.to_string()),
                    ("documents", docs.to_string()),
                ])
                .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            } else {
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{kind}: {}", r.body);
            }
        }
        // a record naming a person's identity number is not published
        let r = step(vec![
            ("step", "legality_review".to_string()),
            ("started_on", d(19)),
            ("finished_on", d(4)),
            ("outcome", "passed".to_string()),
            ("documents", "审查人身份证11010519491231002X".to_string()),
        ])
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("发现个人信息或敏感词"), "{}", r.body);
        assert_eq!(t.store.decisions().steps(id).await.unwrap().len(), 4);
        // the review failed: no collective discussion
        let r = step(talk()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("合法性审查未通过，不得提交集体讨论"),
            "{}",
            r.body
        );
        assert_eq!(t.store.decisions().steps(id).await.unwrap().len(), 4);
        // a review shorter than seven working days is refused; a proper one passes
        let r = step(vec![
            ("step", "legality_review".to_string()),
            ("started_on", d(6)),
            ("finished_on", d(4)),
            ("outcome", "passed".to_string()),
            ("documents", "合法性审查意见书".to_string()),
        ])
        .await;
        assert!(r.body.contains("不少于7个工作日"), "{}", r.body);
        let r = step(vec![
            ("step", "legality_review".to_string()),
            ("started_on", d(19)),
            ("finished_on", d(4)),
            ("outcome", "passed".to_string()),
            ("documents", "合法性审查意见书（通过）".to_string()),
        ])
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = step(talk()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // publication needs the adoption explanation
        let publish = |adoption: &str| {
            vec![
                ("step", "publication".to_string()),
                ("started_on", d(1)),
                ("finished_on", d(1)),
                ("outcome", "done".to_string()),
                ("documents", "示政发〔2026〕20号".to_string()),
                ("adoption", adoption.to_string()),
            ]
        };
        let r = step(publish("")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("采纳情况"), "{}", r.body);
        // a stale form (filled in before the last step) is refused
        let stale = {
            let mut all: Vec<(&str, String)> = publish("x");
            all.push(("seen", "2".into()));
            all
        };
        let pairs: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = gkb.post(&steps, &pairs).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("登记了其他步骤"), "{}", r.body);
        let r = step(publish("收到意见36条，采纳12条，理由见说明。")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let done = t.store.decisions().get(id).await.unwrap();
        assert_eq!(done.published_on.as_deref(), Some(d(1).as_str()));
        // the public timeline shows every step; the catalog lists it
        let page = get(&app, &format!("/major-decisions/{id}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        for needle in [
            "公众参与",
            "专家论证",
            "风险评估",
            "审查未通过",
            "审查通过",
            "集体讨论决定",
            "决策公布",
            "收到意见36条",
            "尚待完成：立卷归档、决策后评估",
        ] {
            assert!(page.body.contains(needle), "{needle}: {}", page.body);
        }
        let catalog = get(&app, &format!("/major-decisions?year={year}"), None).await;
        assert!(catalog.body.contains("示范区老旧小区改造三年行动计划"));
        let audit = t.store.list_audit(Some(gov), 40, 0).await.unwrap();
        let recorded = t.store.decisions().steps(id).await.unwrap();
        assert_eq!(recorded.len(), 7, "{recorded:?}");
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "major_decision.step" && e.entity_id == id.to_string())
                .count(),
            7
        );
        t.cleanup().await;
    }
);
