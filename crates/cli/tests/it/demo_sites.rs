//! Demonstration sites through the back office and the public list, on both databases.

use crate::both;
use crate::support::{Db, TestDb, get, system};
use axum::http::StatusCode;

both!(
    a_batch_is_applied_for_named_published_and_a_weak_site_flagged_and_revoked,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let r = gkb
            .post(
                "/admin/demo-sites",
                &[
                    ("year", "2026"),
                    ("name", "第二批"),
                    ("criteria", ""),
                    ("threshold", "90"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写创建标准"));
        // the criteria are published: personal data in them is refused, nothing stored
        let r = gkb
            .post(
                "/admin/demo-sites",
                &[
                    ("year", "2026"),
                    ("name", "第二批"),
                    ("criteria", "联系人电话13812345678"),
                    ("threshold", "90"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("发现个人信息或敏感词"), "{}", r.body);
        assert!(t.store.demo_sites().batches().await.unwrap().is_empty());
        let r = gkb
            .post(
                "/admin/demo-sites",
                &[
                    ("year", "2026"),
                    ("name", "第二批"),
                    ("criteria", "主动公开目录完整、依申请公开按期答复率100%"),
                    ("threshold", "99"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.location().to_string();
        let batch: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        // an editor may not apply; the unit's leader may
        let editor = t.client(&app, "jyj_editor").await;
        let cands = format!("{page}/candidates");
        assert_eq!(
            editor.post(&cands, &[("statement", "我局")]).await.status,
            StatusCode::FORBIDDEN
        );
        let leader = t.client(&app, "jyj_leader").await;
        let r = leader.post(&cands, &[("statement", "")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = leader
            .post(&cands, &[("statement", "教育局公开目录完整，答复全部按期")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = leader.post(&cands, &[("statement", "再次申报")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "once per batch");
        // the office nominates another unit
        let mzj = t.unit_id("MZJ").await;
        let r = gkb
            .post(
                &cands,
                &[
                    ("unit", &mzj.to_string()),
                    ("statement", "基层公开做法突出"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let sites = t.store.demo_sites().sites(batch).await.unwrap();
        let (jyj_site, mzj_site) = (sites[0].id, sites[1].id);
        // publishing with a candidate undecided is refused
        let r = gkb.post(&format!("{page}/publish"), &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("还有未评审的申报"));
        let decide = |id: i64| format!("/admin/demo-site-entries/{id}/decision");
        let r = gkb
            .post(
                &decide(mzj_site),
                &[
                    ("decision", "reject"),
                    ("reason", ""),
                    ("seen", "candidate"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("未通过须说明理由"));
        let r = gkb
            .post(
                &decide(mzj_site),
                &[
                    ("decision", "reject"),
                    ("reason", "材料不全"),
                    ("seen", "candidate"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = gkb
            .post(
                &decide(jyj_site),
                &[("decision", "name"), ("seen", "candidate")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = gkb.post(&format!("{page}/publish"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let public = get(&app, "/demo-sites", None).await;
        assert!(public.body.contains("2026年第二批") && public.body.contains("区教育局"));
        assert!(!public.body.contains("区民政局"));
        // applying after publication is refused
        let sjj = t.client(&app, "sjj_leader").await;
        let r = sjj.post(&cands, &[("statement", "迟到的申报")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("不再受理申报"));
        // dynamic review: an overdue notice drops JYJ below the threshold of 99
        let today = chrono::Utc::now() + chrono::Duration::hours(8);
        let due = (today - chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let issued = (today - chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        if due.get(..4) == today.format("%Y").to_string().get(..4) {
            let input =
                gongkai_domain::oversight::read_notice("栏目未更新", "", "更新", "5").unwrap();
            t.store
                .oversight()
                .notify(
                    &system(),
                    &gongkai_store::oversight::NewNotice {
                        unit_id: t.unit_id("JYJ").await,
                        source: "manual",
                        input: &input,
                        issued_on: &issued,
                        due_on: &due,
                        watch: (&issued, &issued),
                    },
                )
                .await
                .unwrap();
            let view = gkb.get(&page).await;
            assert!(view.body.contains("低于分数线，待复核"), "{}", view.body);
        }
        let r = gkb
            .post(
                &decide(jyj_site),
                &[
                    ("decision", "revoke"),
                    ("reason", "整改不力"),
                    ("seen", "named"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let public = get(&app, "/demo-sites", None).await;
        assert!(!public.body.contains("区教育局"));
        assert_eq!(
            t.store.demo_sites().site(jyj_site).await.unwrap().state,
            "revoked"
        );
        t.cleanup().await;
    }
);
