//! The five-step loop (检查、告知、整改、反馈、考评) through the back office on both databases.

use crate::both;
use crate::support::{Db, TestDb, get_bytes_as, post_multipart, system};
use axum::http::StatusCode;

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

both!(
    a_notice_goes_through_the_five_steps_and_its_lateness_costs_points,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let jyj = t.unit_id("JYJ").await;
        let store = t.store.oversight();
        // bad input: refused with the reason, nothing stored
        let r = gkb
            .post(
                "/admin/oversight/notices",
                &[
                    ("unit", "JYJ"),
                    ("finding", "栏目未更新"),
                    ("requirement", "更新"),
                    ("workdays", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("整改期限应为1至60个工作日"), "{}", r.body);
        let r = gkb
            .post(
                "/admin/oversight/notices",
                &[
                    ("unit", "NOPE"),
                    ("finding", "x"),
                    ("requirement", "y"),
                    ("workdays", "5"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请选择被通知的单位"));
        assert!(
            store
                .ledger(&Default::default(), 10)
                .await
                .unwrap()
                .is_empty()
        );
        // 检查 + 告知: a problem found, the unit notified with a deadline in working days
        let r = gkb
            .post(
                "/admin/oversight/notices",
                &[
                    ("unit", "JYJ"),
                    ("finding", "“通知公告”栏目超过6个月未更新"),
                    ("evidence", "/units/JYJ"),
                    ("requirement", "10个工作日内更新栏目并报送整改情况"),
                    ("workdays", "10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.location().to_string();
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        let n = store.get(id).await.unwrap();
        assert!(n.notice_no.starts_with("GKZG-") && n.due_on > n.issued_on);
        // another unit's staff cannot see it; a case handler of the unit cannot rectify
        let mzj = t.client(&app, "mzj_editor").await;
        assert_eq!(mzj.get(&page).await.status, StatusCode::FORBIDDEN);
        let handler = t.client(&app, "jyj_handler").await;
        let step = format!("{page}/step");
        let r = handler
            .post(
                &step,
                &[
                    ("step", "rectify"),
                    ("note", "已更新"),
                    ("seen", "notified"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // 整改: the unit files its rectification (a text is required)
        let editor = t.client(&app, "jyj_editor").await;
        let r = editor
            .post(
                &step,
                &[("step", "rectify"), ("note", " "), ("seen", "notified")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写整改情况"));
        let r = editor
            .post(
                &step,
                &[
                    ("step", "rectify"),
                    ("note", "已补发3条通知公告"),
                    ("seen", "notified"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // the unit cannot accept its own rectification
        let r = editor
            .post(
                &step,
                &[("step", "accept"), ("note", "好"), ("seen", "rectified")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // 反馈: the office sends it back, the unit files again, the office accepts
        let r = gkb
            .post(
                &step,
                &[
                    ("step", "return"),
                    ("note", "缺少更新后的截图"),
                    ("seen", "rectified"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(store.get(id).await.unwrap().state, "notified");
        // a stale form (it saw "rectified") is refused, nothing changes
        let r = gkb
            .post(
                &step,
                &[("step", "accept"), ("note", "通过"), ("seen", "rectified")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let r = editor
            .post(
                &step,
                &[
                    ("step", "rectify"),
                    ("note", "已补发通知公告并附截图"),
                    ("seen", "notified"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = gkb
            .post(
                &step,
                &[
                    ("step", "accept"),
                    ("note", "整改到位"),
                    ("seen", "rectified"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let n = store.get(id).await.unwrap();
        assert_eq!(
            (n.state.as_str(), n.closed_on.is_some()),
            ("accepted", true)
        );
        // a rectification filed after the notice was closed: refused, nothing changes
        let r = editor
            .post(
                &step,
                &[
                    ("step", "rectify"),
                    ("note", "补充材料"),
                    ("seen", "accepted"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("该通知整改通过，不能报送整改情况"),
            "{}",
            r.body
        );
        assert_eq!(store.events(id).await.unwrap().len(), 5);
        let steps: Vec<String> = store
            .events(id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.step)
            .collect();
        assert_eq!(steps, ["notify", "rectify", "return", "rectify", "accept"]);
        // 考评: on time costs nothing
        let today = chrono::NaiveDate::parse_from_str(&n.issued_on, "%Y-%m-%d").unwrap();
        let year = today.format("%Y").to_string();
        let score_of = |body: &str| {
            let i = body.find("区教育局</th>").expect("JYJ scored");
            let row = &body[i..i + body[i..].find("</tr>").unwrap()];
            row.rsplit("data-label=\"整改落实得分\">")
                .next()
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string()
        };
        let ledger = gkb.get(&format!("/admin/oversight?year={year}")).await;
        assert_eq!(score_of(&ledger.body), "100");
        // a notice whose deadline has passed: the scan raises it, the score drops by 2 while it
        // is open and by 1 once rectified late and accepted
        let issued = day(today
            - chrono::Duration::days(20).min(chrono::Duration::days(i64::from(
                chrono::Datelike::ordinal0(&today),
            ))));
        let due = day(today
            - chrono::Duration::days(1).min(chrono::Duration::days(i64::from(
                chrono::Datelike::ordinal0(&today),
            ))));
        let input =
            gongkai_domain::oversight::read_notice("政策解读缺失", "", "补充解读", "5").unwrap();
        let late = store
            .notify(
                &system(),
                &gongkai_store::oversight::NewNotice {
                    unit_id: jyj,
                    source: "manual",
                    input: &input,
                    issued_on: &issued,
                    due_on: &due,
                    watch: (&issued, &issued),
                },
            )
            .await
            .unwrap();
        if due < n.issued_on {
            let (_, red) = store.scan_alerts(&system(), &n.issued_on).await.unwrap();
            assert!(red >= 1);
            let dash = gkb.get("/admin/supervision").await;
            assert!(
                dash.body.contains(&format!("/admin/notices/{}", late.id)),
                "{}",
                dash.body
            );
            let ledger = gkb.get(&format!("/admin/oversight?year={year}")).await;
            assert_eq!(score_of(&ledger.body), "98");
            let step = format!("/admin/notices/{}/step", late.id);
            let r = editor
                .post(
                    &step,
                    &[
                        ("step", "rectify"),
                        ("note", "已补充政策解读"),
                        ("seen", "notified"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let r = gkb
                .post(
                    &step,
                    &[("step", "accept"), ("note", "通过"), ("seen", "rectified")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let ledger = gkb.get(&format!("/admin/oversight?year={year}")).await;
            assert_eq!(score_of(&ledger.body), "99");
            assert!(
                t.store
                    .power()
                    .open_alerts(Some(jyj), 50)
                    .await
                    .unwrap()
                    .iter()
                    .all(|a| a.notice_id != Some(late.id)),
                "accepted: its alerts resolved"
            );
        }
        // the ledger as a spreadsheet; a unit sees only its own
        let (s, xlsx) = get_bytes_as(&app, "/admin/oversight.xlsx", &gkb.cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(xlsx.starts_with(b"PK"));
        let own = mzj.get("/admin/oversight").await;
        assert!(own.body.contains("没有符合条件的整改通知"), "{}", own.body);
        let audit = t.store.list_audit(Some(jyj), 20, 0).await.unwrap();
        assert!(audit.iter().filter(|e| e.action == "notice.step").count() >= 4);
        t.cleanup().await;
    }
);

both!(
    a_unit_files_evidence_with_its_rectification_until_the_notice_is_accepted,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let editor = t.client(&app, "jyj_editor").await;
        let jyj = t.unit_id("JYJ").await;
        let today = day((chrono::Utc::now() + chrono::Duration::hours(8)).date_naive());
        let input =
            gongkai_domain::oversight::read_notice("栏目未更新", "", "更新栏目", "10").unwrap();
        let n = t
            .store
            .oversight()
            .notify(
                &system(),
                &gongkai_store::oversight::NewNotice {
                    unit_id: jyj,
                    source: "manual",
                    input: &input,
                    issued_on: &today,
                    due_on: "2100-01-01",
                    watch: ("2099-12-30", "2100-01-02"),
                },
            )
            .await
            .unwrap();
        let files = format!("/admin/notices/{}/files", n.id);
        let csrf = |c: &crate::support::Client<'_>| c.csrf.clone();
        // no file: refused with the reason
        let r = post_multipart(
            &app,
            &files,
            Some(&editor.cookie),
            &[("csrf", &csrf(&editor))],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请选择要上传的整改材料"), "{}", r.body);
        // another unit's staff cannot file
        let mzj = t.client(&app, "mzj_editor").await;
        let shot: &[u8] = b"updated column: 3 notices published";
        let r = post_multipart(
            &app,
            &files,
            Some(&mzj.cookie),
            &[("csrf", &csrf(&mzj))],
            &[("file", "shot.txt", shot)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post_multipart(
            &app,
            &files,
            Some(&editor.cookie),
            &[("csrf", &csrf(&editor))],
            &[("file", "整改截图说明.txt", shot)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let stored = t.store.oversight().files(n.id).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].filename, "整改截图说明.txt");
        let link = format!("/admin/notice-files/{}", stored[0].id);
        assert!(
            gkb.get(&format!("/admin/notices/{}", n.id))
                .await
                .body
                .contains(&link)
        );
        let (s, bytes) = get_bytes_as(&app, &link, &gkb.cookie).await;
        assert_eq!((s, bytes.as_slice()), (StatusCode::OK, shot));
        let (s, _) = get_bytes_as(&app, &link, &mzj.cookie).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // accepted: no more files
        let step = format!("/admin/notices/{}/step", n.id);
        let r = editor
            .post(
                &step,
                &[
                    ("step", "rectify"),
                    ("note", "已更新，见材料"),
                    ("seen", "notified"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = gkb
            .post(
                &step,
                &[("step", "accept"), ("note", "通过"), ("seen", "rectified")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = post_multipart(
            &app,
            &files,
            Some(&editor.cookie),
            &[("csrf", &csrf(&editor))],
            &[("file", "late.txt", shot)],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("已整改通过，不能再上传整改材料"),
            "{}",
            r.body
        );
        assert_eq!(t.store.oversight().files(n.id).await.unwrap().len(), 1);
        let audit = t.store.list_audit(Some(jyj), 20, 0).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "notice.file").count(),
            1
        );
        t.cleanup().await;
    }
);
