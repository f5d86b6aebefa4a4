//! The year's work plan as tasks: reading the seed plan (Traditional and Simplified), the
//! command line, and the office's and units' pages on both databases.

use crate::both;
use crate::support::{Db, TestDb, post_multipart};
use axum::http::StatusCode;
use std::collections::BTreeSet;

const SEED: &str = include_str!("../fixtures/work-plan.txt");

/// Per point: the unit codes expected besides the collective groups ("T" every town, "S"
/// every street, "D" every department), and how many problems the office must settle.
const EXPECTED: [(&str, usize); 18] = [
    ("T S", 1),             // 各镇、各街道,区直相关部门
    ("GKB T S", 1),         // + 区直相关部门
    ("GKB T S D", 0),       // 区直各部门
    ("GKB T S", 1),         // 区直相关部门
    ("SFJ", 1),             // 区政府法制办 (alias), 区直相关部门
    ("BB SFJ", 1),          // 区编办, 区政府法制办, 区直相关部门
    ("T S D", 0),           // 各镇、各街道、区直各部门
    ("SJJ", 0),             // 有执法权限的区直各部门: the penalty powers of the demo
    ("GKB T S D", 0),       // 区政务公开办、各镇、各街道、区直各部门
    ("CZJ T SJ S D", 0),    // 区(镇)财政部门、审计局、各街道、区直各部门
    ("", 1),                // 区政府相关部门
    ("GKB", 0),             // 区政务公开办
    ("GKB T S", 1),         // 区直设有下属机构的部门: none in the demo
    ("GKB T S MZJ NYJ", 1), // 区监察局: no such unit; 民政局; 农委 (alias)
    ("GKB T S SJJ", 0),     // 各窗口单位: the licensing powers of the demo
    ("GKB T S", 0),         // 区政务公开办、各镇、各街道
    ("T S SJJ", 0),         // 各镇、各街道、各窗口单位
    ("", 1),                // no clause
];

async fn expected_codes(t: &TestDb, spec: &str) -> BTreeSet<String> {
    let units = t.store.list_units().await.unwrap();
    let of = |k: gongkai_domain::org::UnitType| {
        units
            .iter()
            .filter(move |u| u.unit_type == k)
            .map(|u| u.code.clone())
    };
    let mut out = BTreeSet::new();
    for w in spec.split_whitespace() {
        match w {
            "T" => out.extend(of(gongkai_domain::org::UnitType::Town)),
            "S" => out.extend(of(gongkai_domain::org::UnitType::Street)),
            "D" => out.extend(of(gongkai_domain::org::UnitType::Department)),
            code => {
                out.insert(code.to_string());
            }
        }
    }
    out
}

both!(
    the_seed_plan_reads_into_18_tasks_with_their_units_in_both_scripts,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let units = t.store.list_units().await.unwrap();
        let code = |id: i64| units.iter().find(|u| u.id == id).unwrap().code.clone();
        let simplified = gongkai_search::Normalizer::new().unwrap().simplified(SEED);
        assert!(SEED.contains("區政務公開辦") && simplified.contains("区政务公开办"));
        for text in [SEED, simplified.as_str()] {
            let reading = gongkai_web::plans::read(&t.store, text)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(reading.plan.title, "区政办全年政务公开工作计划");
            assert_eq!(reading.points.len(), 18);
            for (p, (spec, problems)) in reading.points.iter().zip(EXPECTED) {
                let got: BTreeSet<String> = p.units.iter().map(|u| code(u.id)).collect();
                assert_eq!(got, expected_codes(&t, spec).await, "point {}", p.number);
                assert_eq!(
                    p.problems.len(),
                    problems,
                    "point {}: {:?}",
                    p.number,
                    p.problems
                );
            }
            assert_eq!(
                reading.points[10].heading, "推进公共企事业单位办事公开",
                "the page-break marker is taken out of the heading"
            );
            assert!(reading.points[13].problems[0].contains("区监察局"));
            assert_eq!(reading.plan.ignored.len(), 3, "{:?}", reading.plan.ignored);
        }
        t.cleanup().await;
    }
);

both!(
    plan_import_from_the_command_line_dry_run_and_draft,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let file = t.dir.join("计划.txt");
        std::fs::write(&file, SEED).unwrap();
        let before = t.store.plans().list().await.unwrap().len();
        let o = t
            .cli(&[
                "plan",
                "import",
                file.to_str().unwrap(),
                "--year",
                "2027",
                "--dry-run",
            ])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(out.contains("（2027年，18项）") && out.contains("18. 加强政务公开队伍建设"));
        assert!(out.contains("待确认：“区监察局”不是已登记单位的名称或别称"));
        assert!(out.contains("未保存"));
        assert_eq!(t.store.plans().list().await.unwrap().len(), before);
        let o = t
            .cli(&[
                "plan",
                "import",
                file.to_str().unwrap(),
                "--year",
                "2027",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(o.status.success());
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["points"].as_array().unwrap().len(), 18);
        let id = v["saved_plan_id"].as_i64().unwrap();
        let plan = t.store.plans().get(id).await.unwrap();
        assert_eq!((plan.year, plan.state.as_str()), (2027, "draft"));
        assert_eq!(t.store.plans().tasks(id).await.unwrap().len(), 18);
        // a file with no numbered points: exit 1, nothing stored
        let bad = t.dir.join("notice.txt");
        std::fs::write(&bad, "关于做好年度工作的通知\n\n请各单位认真落实。").unwrap();
        let o = t
            .cli(&["plan", "import", bad.to_str().unwrap(), "--year", "2027"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stderr).contains("未找到编号的工作要点"));
        let o = t
            .cli(&["plan", "import", file.to_str().unwrap(), "--format", "xml"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(t.store.plans().list().await.unwrap().len(), before + 1);
        t.cleanup().await;
    }
);

both!(
    the_office_confirms_a_plan_units_report_and_the_public_sees_progress,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let before = t.store.plans().list().await.unwrap().len();
        // not a plan: refused with the reason, nothing stored
        let r = post_multipart(
            &app,
            "/admin/plans",
            Some(&gkb.cookie),
            &[("csrf", &gkb.csrf), ("year", "2027")],
            &[("file", "通知.txt", "请各单位认真落实。".as_bytes())],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("未找到编号的工作要点"), "{}", r.body);
        let r = post_multipart(
            &app,
            "/admin/plans",
            Some(&gkb.cookie),
            &[("csrf", &gkb.csrf), ("year", "二〇二七")],
            &[("file", "计划.txt", SEED.as_bytes())],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("计划年度应为4位数字的年份"));
        assert_eq!(t.store.plans().list().await.unwrap().len(), before);
        // a plan whose heading carries a phone number: stored as a draft, never confirmed
        let r = post_multipart(
            &app,
            "/admin/plans",
            Some(&gkb.cookie),
            &[("csrf", &gkb.csrf), ("year", "2028")],
            &[(
                "file",
                "p.txt",
                "计划\n\n前言。\n一、联系人13812345678\n正文。(以上工作由区政务公开办负责)"
                    .as_bytes(),
            )],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let leaky = r.location().to_string();
        let r = gkb.post(&format!("{leaky}/confirm"), &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("第1项标题"), "{}", r.body);
        let leaky_id: i64 = leaky.rsplit('/').next().unwrap().parse().unwrap();
        assert_eq!(t.store.plans().get(leaky_id).await.unwrap().state, "draft");
        // the seed, in Traditional characters: a draft to review
        let r = post_multipart(
            &app,
            "/admin/plans",
            Some(&gkb.cookie),
            &[("csrf", &gkb.csrf), ("year", "2027")],
            &[("file", "計劃.txt", SEED.as_bytes())],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.location().to_string();
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        let review = gkb.get(&page).await;
        assert!(review.body.contains("草稿，待确认") && review.body.contains("区监察局"));
        // a point without a unit: refused, the points named
        let confirm = format!("/admin/plans/{id}/confirm");
        let r = gkb.post(&confirm, &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("第11项、第18项还没有负责单位"),
            "{}",
            r.body
        );
        assert_eq!(t.store.plans().get(id).await.unwrap().state, "draft");
        let tasks = t.store.plans().tasks(id).await.unwrap();
        let task = |n: i64| tasks.iter().find(|x| x.number == n).unwrap().id;
        let (zwj, gkb_unit, jyj) = (
            t.unit_id("ZWJ").await,
            t.unit_id("GKB").await,
            t.unit_id("JYJ").await,
        );
        let picks = [
            format!("{}:{zwj}", task(11)),
            format!("{}:{gkb_unit}", task(18)),
        ];
        // one pick short: refused naming the other point, the pick kept on the form
        let r = gkb.post(&confirm, &[("pick", &picks[0])]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("第18项还没有负责单位"), "{}", r.body);
        assert!(
            r.body.contains(&format!("value=\"{}\" checked", picks[0])),
            "{}",
            r.body
        );
        let r = gkb
            .post(&confirm, &[("pick", &picks[0]), ("pick", &picks[1])])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.store.plans().get(id).await.unwrap().state, "confirmed");
        // one confirmed plan a year: a second 2027 plan cannot be confirmed beside it
        // (the demo's own plan is for 2026)
        // a responsible unit reports; another unit may not
        let editor = t.client(&app, "jyj_editor").await;
        let desk = editor.get("/admin/plans").await;
        assert!(desk.body.contains("规范政府信息公开"), "{}", desk.body);
        let reports = format!("/admin/plan-tasks/{}/reports", task(9));
        let r = editor.post(&reports, &[("body", ""), ("links", "")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写工作进展"));
        let r = editor
            .post(
                &reports,
                &[
                    ("body", "已更新公开指南。"),
                    ("links", "javascript:alert(1)"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("链接“javascript:alert(1)”无效"));
        let r = editor
            .post(
                &reports,
                &[("body", "已更新公开指南。"), ("links", "/units/JYJ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let audit = t.store.list_audit(Some(jyj), 5, 0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "plan.report"));
        let r = editor
            .post(
                &format!("/admin/plan-tasks/{}/reports", task(12)),
                &[("body", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // evidence files: the responsible unit files one (a file is required), another unit
        // may not, the office reads it
        let files = format!("/admin/plan-tasks/{}/files", task(9));
        let r = post_multipart(
            &app,
            &files,
            Some(&editor.cookie),
            &[("csrf", &editor.csrf)],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请选择要上传的材料"), "{}", r.body);
        let doc: &[u8] = b"training sign-in sheet";
        let r = post_multipart(
            &app,
            &files,
            Some(&editor.cookie),
            &[("csrf", &editor.csrf)],
            &[("file", "培训签到.txt", doc)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let stored = t.store.plans().files(task(9)).await.unwrap();
        assert_eq!((stored.len(), stored[0].unit_id), (1, jyj));
        let mzj = t.client(&app, "mzj_editor").await;
        let other = format!("/admin/plan-tasks/{}/files", task(12));
        let r = post_multipart(
            &app,
            &other,
            Some(&editor.cookie),
            &[("csrf", &editor.csrf)],
            &[("file", "x.txt", doc)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let link = format!("/admin/plan-task-files/{}", stored[0].id);
        assert!(
            gkb.get(&format!("/admin/plan-tasks/{}", task(9)))
                .await
                .body
                .contains(&link)
        );
        let (s, bytes) = crate::support::get_bytes_as(&app, &link, &gkb.cookie).await;
        assert_eq!((s, bytes.as_slice()), (StatusCode::OK, doc));
        let (s, _) = crate::support::get_bytes_as(&app, &link, &mzj.cookie).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // the office closes it; a report after that is refused
        let r = gkb
            .post(
                &format!("/admin/plan-tasks/{}/done", task(9)),
                &[("reason", "已全部落实")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = post_multipart(
            &app,
            &files,
            Some(&editor.cookie),
            &[("csrf", &editor.csrf)],
            &[("file", "late.txt", doc)],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("不能再上传材料"), "{}", r.body);
        assert_eq!(t.store.plans().files(task(9)).await.unwrap().len(), 1);
        let r = editor
            .post(&reports, &[("body", "补充进展。"), ("links", "")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("已办结"), "{}", r.body);
        assert_eq!(t.store.plans().reports(task(9)).await.unwrap().len(), 1);
        // the public page
        let public = crate::support::get(&app, "/plans?year=2027", None).await;
        assert_eq!(public.status, StatusCode::OK);
        assert!(
            public.body.contains("共 18 项任务，已办结 1 项"),
            "{}",
            public.body
        );
        // withdrawn: kept, off the public page
        let r = gkb
            .post(
                &format!("/admin/plans/{id}/withdraw"),
                &[("reason", "重新印发")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let public = crate::support::get(&app, "/plans?year=2027", None).await;
        assert!(public.body.contains("尚未发布"));
        assert_eq!(t.store.plans().get(id).await.unwrap().state, "withdrawn");
        t.cleanup().await;
    }
);
