//! Training sessions and service centers through the back office on both databases.

use crate::both;
use crate::support::{Db, TestDb};
use axum::http::StatusCode;

both!(
    units_register_for_training_and_the_office_sees_who_sent_no_one,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let r = gkb
            .post(
                "/admin/trainings",
                &[("title", "政务公开业务培训"), ("held_on", "12月15日")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请按“2026-12-01”的格式填写培训日期"));
        assert!(t.store.training().list(10).await.unwrap().is_empty());
        let r = gkb
            .post(
                "/admin/trainings",
                &[
                    ("title", "政务公开业务培训"),
                    ("held_on", "2026-12-15"),
                    ("place", "区政府三楼会议室"),
                    ("materials", "条例解读\n/units/GKB"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.location().to_string();
        let editor = t.client(&app, "jyj_editor").await;
        // a unit cannot arrange sessions
        let r = editor
            .post(
                "/admin/trainings",
                &[("title", "x"), ("held_on", "2026-12-15")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let reg = format!("{page}/participants");
        let r = editor.post(&reg, &[("name", ""), ("post", "")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写参训人员姓名"), "{}", r.body);
        let r = editor
            .post(&reg, &[("name", "李明"), ("post", "科员")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = editor
            .post(&reg, &[("name", "李明"), ("post", "科员")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "the same person twice");
        assert!(r.body.contains("已存在"), "{}", r.body);
        // a case handler does not register
        let handler = t.client(&app, "jyj_handler").await;
        assert_eq!(
            handler.post(&reg, &[("name", "王五")]).await.status,
            StatusCode::FORBIDDEN
        );
        // the office: who came, who sent no one
        let view = gkb.get(&page).await;
        assert!(view.body.contains("李明") && view.body.contains("未报名的单位"));
        let absent = &view.body[view.body.find("未报名的单位").unwrap()..];
        assert!(
            absent.contains("区民政局") && !absent.contains("区教育局"),
            "{absent}"
        );
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        let p = t.store.training().participants(id).await.unwrap()[0].id;
        let r = gkb
            .post(
                &format!("{page}/attendance"),
                &[("participant", &p.to_string()), ("attended", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.store.training().participants(id).await.unwrap()[0].attended,
            Some(1)
        );
        // another unit sees only its own participants
        let mzj = t.client(&app, "mzj_editor").await;
        assert!(!mzj.get(&page).await.body.contains("李明"));
        t.cleanup().await;
    }
);

both!(
    service_centers_are_checked_against_the_naming_rule,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let qsz = t.unit_id("QSZ").await;
        let list = gkb.get("/admin/service-centers").await;
        assert!(
            list.body
                .contains("未登记服务中心名称，应为“青山镇为民服务中心”")
        );
        let r = gkb
            .post(
                &format!("/admin/units/{qsz}/service-center"),
                &[
                    ("name", "青山镇便民服务中心"),
                    ("address", "青山镇政府一楼"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = gkb.get("/admin/service-centers").await;
        assert!(
            list.body
                .contains("名称“青山镇便民服务中心”不规范，应为“青山镇为民服务中心”"),
            "{}",
            list.body
        );
        let r = gkb
            .post(
                &format!("/admin/units/{qsz}/service-center"),
                &[("name", "青山镇为民服务中心")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let list = gkb.get("/admin/service-centers").await;
        assert!(!list.body.contains("青山镇便民服务中心"));
        // a department has no service center
        let jyj = t.unit_id("JYJ").await;
        let r = gkb
            .post(
                &format!("/admin/units/{jyj}/service-center"),
                &[("name", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("不是镇或街道"));
        let audit = t.store.list_audit(Some(qsz), 5, 0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "service_center.save"));
        t.cleanup().await;
    }
);
