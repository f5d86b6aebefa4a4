//! Service ratings (好差评) over HTTP on both databases: a window visit's slip, rating once, bad
//! ratings rectified and answered or appealed and decided, overdue ones on the dashboard, and
//! the published results.

use crate::both;
use crate::power::strong_after;
use crate::support::{Db, TestDb, get, post, system};
use axum::http::StatusCode;

async fn rate(
    app: &axum::Router,
    no: &str,
    code: &str,
    level: &str,
    comment: &str,
) -> crate::support::Resp {
    post(
        app,
        "/ratings/new",
        None,
        &[
            ("no", no),
            ("code", code),
            ("level", level),
            ("comment", comment),
        ],
    )
    .await
}

both!(
    a_bad_rating_is_rectified_answered_and_published,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let mzj_u = t.unit_id("MZJ").await;
        let handler = t.client(&app, "mzj_handler").await;
        // the window registers a visit; a visit without its service is refused
        let visits = format!("/admin/units/{mzj_u}/visits");
        let r = handler.post(&visits, &[("service", " ")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写办理的事项"), "{}", r.body);
        let r = handler.post(&visits, &[("service", "食品经营许可")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (no, code) = (
            strong_after(&r.body, "凭条编号"),
            strong_after(&r.body, "<dt>查询码"),
        );
        assert!(no.starts_with("FW") && code.len() == 8, "{no} {code}");
        // bad input: each refused with its reason, nothing stored
        let wrong = rate(&app, &no, "00000000", "5", "").await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert!(wrong.body.contains("编号或查询码不正确"));
        let missing = rate(&app, "FW2026-MZJ-999999", &code, "5", "").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let no_level = rate(&app, &no, &code, "9", "").await;
        assert_eq!(no_level.status, StatusCode::BAD_REQUEST);
        assert!(no_level.body.contains("请选择评价等级"));
        let no_reason = rate(&app, &no, &code, "1", "").await;
        assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
        assert!(no_reason.body.contains("请说明不满意的原因"));
        assert!(
            t.store
                .ratings()
                .list(mzj_u, None, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // a bad rating: its clock starts
        let r = rate(&app, &no, &code, "1", "窗口人员态度差，材料一次没说清").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("待核实整改"), "{}", r.body);
        let again = rate(&app, &no, &code, "5", "").await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("每次服务只能评价一次"));
        let rating = t.store.ratings().list(mzj_u, None, None, 10).await.unwrap()[0].clone();
        assert_eq!((rating.state.as_str(), rating.score), ("pending", 1));
        let due = rating.due_on.clone().unwrap();
        // overdue: the scan raises it on the supervisor's dashboard
        let (_, red) = t
            .store
            .ratings()
            .scan_alerts(&system(), "2099-01-01")
            .await
            .unwrap();
        assert!(red >= 1, "this one and the demo's");
        let gkb = t.client(&app, "gkb").await;
        let dash = gkb.get("/admin/supervision").await;
        assert!(
            dash.body.contains("差评整改回复期限")
                && dash.body.contains(&format!("/admin/ratings/{}", rating.id))
                && dash.body.contains(&due),
            "{}",
            dash.body
        );
        // rectified and answered: every field needed; the alert resolved
        let step = format!("/admin/ratings/{}/step", rating.id);
        let r = handler
            .post(
                &step,
                &[
                    ("step", "rectify"),
                    ("verification", "经调取录像核实，情况属实"),
                    ("rectification", ""),
                    ("answer", "感谢监督"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写整改情况"), "{}", r.body);
        let r = handler
            .post(
                &step,
                &[
                    ("step", "rectify"),
                    ("verification", "经调取录像核实，情况属实"),
                    ("rectification", "已对窗口人员批评教育，并制作一次性告知单"),
                    ("answer", "感谢您的监督，我们已整改，欢迎再来办事。"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let done = t.store.ratings().get(rating.id).await.unwrap();
        assert_eq!((done.state.as_str(), done.in_time), ("rectified", Some(1)));
        let open = t.store.power().open_alerts(None, 500).await.unwrap();
        assert!(!open.iter().any(|a| a.rating_id == Some(rating.id)));
        // the rater sees the answer
        let seen = get(&app, &format!("/ratings/new?no={no}&code={code}"), None).await;
        assert!(seen.body.contains("感谢您的监督") && seen.body.contains("已整改并回复"));
        // the demo's answered message is rated by its writer; an unanswered one cannot be yet
        let jyj = t.unit_id("JYJ").await;
        let answered = t
            .store
            .messages()
            .list(jyj, Some("answered"), None, 1)
            .await
            .unwrap()[0]
            .clone();
        let r = rate(
            &app,
            &answered.tracking_no,
            "demo-message-1",
            "5",
            "答复清楚",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mzj = mzj_u;
        let running = t
            .store
            .messages()
            .list(mzj, Some("received"), None, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.subject == "建议增设社区老年食堂")
            .unwrap();
        let r = rate(&app, &running.tracking_no, "demo-message-2", "4", "").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("留言答复后才能评价"), "{}", r.body);
        // published results per unit and per service
        let results = get(&app, "/ratings", None).await;
        assert!(results.body.contains("区民政局") && results.body.contains("区教育局"));
        assert!(
            results.body.contains("不足5个"),
            "few ratings are not ranked"
        );
        let unit = get(&app, "/ratings?unit=MZJ", None).await;
        assert!(
            unit.body.contains("窗口办事：食品经营许可"),
            "{}",
            unit.body
        );
        assert!(
            unit.body.contains("1（1）/ 1"),
            "rectified in time: {}",
            unit.body
        );
        t.cleanup().await;
    }
);

both!(
    a_unit_appeals_a_bad_rating_and_the_office_decides,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let mzj_u = t.unit_id("MZJ").await;
        let handler = t.client(&app, "mzj_handler").await;
        let r = handler
            .post(
                &format!("/admin/units/{mzj_u}/visits"),
                &[("service", "营业执照变更")],
            )
            .await;
        let (no, code) = (
            strong_after(&r.body, "凭条编号"),
            strong_after(&r.body, "<dt>查询码"),
        );
        let r = rate(&app, &no, &code, "2", "没有办成").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let rating = t.store.ratings().list(mzj_u, None, None, 1).await.unwrap()[0].clone();
        let step = format!("/admin/ratings/{}/step", rating.id);
        let decision = format!("/admin/ratings/{}/decision", rating.id);
        // only the leader appeals; only the office decides
        let r = handler
            .post(&step, &[("step", "appeal"), ("text", "材料不全")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let leader = t.client(&app, "mzj_leader").await;
        let r = leader
            .post(&step, &[("step", "appeal"), ("text", "")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写申诉理由"));
        let r = leader
            .post(
                &step,
                &[("step", "appeal"), ("text", "申请人材料不全，已一次性告知")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = leader
            .post(&decision, &[("step", "uphold"), ("text", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let gkb = t.client(&app, "gkb").await;
        // overturned: back to the unit with a new clock
        let r = gkb
            .post(
                &decision,
                &[("step", "overturn"), ("text", "告知记录不完整，申诉不成立")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let back = t.store.ratings().get(rating.id).await.unwrap();
        assert_eq!(back.state, "pending");
        assert!(back.due_note.contains("申诉不成立"));
        // appealed again and upheld: kept, not counted
        leader
            .post(
                &step,
                &[("step", "appeal"), ("text", "补充了一次性告知单的签收记录")],
            )
            .await;
        let r = gkb
            .post(
                &decision,
                &[("step", "uphold"), ("text", "签收记录完整，申诉成立")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let void = t.store.ratings().get(rating.id).await.unwrap();
        assert_eq!(void.state, "void");
        let stats = t.store.ratings().stats().await.unwrap();
        let s = stats.iter().find(|s| s.unit_id == mzj_u).unwrap();
        assert_eq!((s.n1, s.n2, s.n3, s.n4, s.n5), (0, 0, 0, 0, 0));
        // a decided appeal cannot be decided again; every step is in the audit trail
        let r = gkb
            .post(&decision, &[("step", "overturn"), ("text", "再次审核")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let audit = t.store.list_audit(Some(mzj_u), 30, 0).await.unwrap();
        let steps = audit.iter().filter(|e| e.action == "rating.step").count();
        assert_eq!(steps, 4, "appeal, overturn, appeal, uphold");
        assert!(audit.iter().any(|e| e.action == "rating.submit"));
        assert!(audit.iter().any(|e| e.action == "visit.register"));
        t.cleanup().await;
    }
);
