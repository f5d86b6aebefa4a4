//! The units' yearly assessment (考评) through the back office and the public page, on both
//! databases: figures from the data, a notice's lateness and an archives grade moving a
//! unit's score, bad input refused, publication frozen and withdrawn.

use crate::both;
use crate::support::{Db, TestDb, get, get_bytes_as, system};
use axum::http::StatusCode;
use chrono::Datelike;

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The figure a scorecard shows for `label` (an indicator's score or a part's "计分").
fn cell(body: &str, label: &str, column: &str) -> String {
    let i = body
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {body}"));
    let rest = &body[i..];
    let j = rest.find(&format!("data-label=\"{column}\"")).unwrap();
    let v = &rest[j..];
    let v = &v[v.find('>').unwrap() + 1..];
    v.trim_start_matches("<strong>")
        .split('<')
        .next()
        .unwrap()
        .to_string()
}

both!(
    scorecards_rest_on_the_data_and_publication_is_frozen,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let jyj = t.unit_id("JYJ").await;
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        let year = today.year();
        let ts = day(today);
        // the store's counts: two messages answered (one late), one open past its due date
        let before = t
            .store
            .evaluation()
            .facts(i64::from(year), &ts)
            .await
            .unwrap()
            .remove(&jyj)
            .unwrap_or_default();
        let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let d = |n: i64| day(start + chrono::Duration::days(n.min(i64::from(today.ordinal0()))));
        let msg = |no: &str, due: String, answered: Option<String>| {
            gongkai_store::messages::BulkMessage {
                unit_id: jyj,
                tracking_no: no.into(),
                kind: "consult".into(),
                subject: "学位咨询".into(),
                body: "请问学位如何申请".into(),
                received_on: d(0),
                due_on: due.clone(),
                veto_on: d(90),
                answered: answered.map(|a| (a, 3, String::new())),
                watch: None,
            }
        };
        t.store
            .messages()
            .bulk_load(
                &system(),
                &[
                    msg("EVAL-1", d(5), Some(d(2))),
                    msg("EVAL-2", d(0), Some(d(1))),
                    msg("EVAL-3", d(0), None),
                ],
            )
            .await
            .unwrap();
        let after = t
            .store
            .evaluation()
            .facts(i64::from(year), &ts)
            .await
            .unwrap()
            .remove(&jyj)
            .unwrap();
        if today.ordinal0() >= 1 {
            assert_eq!(after.messages.total - before.messages.total, 3);
            assert_eq!(after.messages.good - before.messages.good, 1);
            let late = t
                .store
                .evaluation()
                .late(
                    gongkai_store::evaluation::LateKind::Messages,
                    jyj,
                    i64::from(year),
                    &ts,
                    100,
                )
                .await
                .unwrap();
            let numbers: Vec<_> = late.iter().map(|l| l.number.as_str()).collect();
            assert!(numbers.contains(&"EVAL-2") && numbers.contains(&"EVAL-3"));
            assert!(!numbers.contains(&"EVAL-1"));
        }
        // the district's ranking and the unit's scorecard with its evidence
        let r = gkb.get(&format!("/admin/evaluation?year={year}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("区教育局") && r.body.contains("平时工作"));
        let card = format!("/admin/units/{jyj}/evaluation?year={year}");
        let r = gkb.get(&card).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("留言按时答复"), "{}", r.body);
        if today.ordinal0() >= 1 {
            assert!(r.body.contains("EVAL-3"), "{}", r.body);
        }
        let total_of = |body: &str| -> Option<f64> {
            let i = body.find("总分 <strong>")?;
            body[i + "总分 <strong>".len()..]
                .split('<')
                .next()?
                .parse()
                .ok()
        };
        let total0 = total_of(&r.body);
        // a notice past its deadline costs the unit on the online indicator and in the total
        let issued = d(0);
        let input =
            gongkai_domain::oversight::read_notice("栏目未更新", "", "更新栏目", "5").unwrap();
        t.store
            .oversight()
            .notify(
                &system(),
                &gongkai_store::oversight::NewNotice {
                    unit_id: jyj,
                    source: "manual",
                    input: &input,
                    issued_on: &issued,
                    due_on: &issued,
                    watch: (&issued, &issued),
                },
            )
            .await
            .unwrap();
        let r = gkb.get(&card).await;
        if today.ordinal0() >= 1 {
            assert_eq!(cell(&r.body, "整改通知得分", "计分"), "98.0");
            let total1 = total_of(&r.body).unwrap();
            assert!(
                total0.is_none_or(|t0| total1 != t0 || t0 == 98.0),
                "{total0:?} {total1}"
            );
        }
        // archives: bad grades refused with the reason, nothing stored
        let grade = &format!("/admin/units/{jyj}/evaluation/grade");
        let y = year.to_string();
        for (g, note, why) in [
            ("120", "档案齐全", "评分应为0至100之间的数"),
            ("九十", "档案齐全", "评分应为0至100之间的数"),
            ("90", " ", "请写明评定依据"),
        ] {
            let r = gkb
                .post(grade, &[("year", &y), ("grade", g), ("note", note)])
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{g}");
            assert!(r.body.contains(why), "{}", r.body);
        }
        assert!(
            t.store
                .evaluation()
                .grades(i64::from(year))
                .await
                .unwrap()
                .is_empty()
        );
        // a unit's staff see their own scorecard only and cannot grade
        let editor = t.client(&app, "jyj_editor").await;
        let r = editor.get("/admin/evaluation").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            r.location()
                .starts_with(&format!("/admin/units/{jyj}/evaluation"))
        );
        assert_eq!(editor.get(&card).await.status, StatusCode::OK);
        let mzj = format!(
            "/admin/units/{}/evaluation?year={year}",
            t.unit_id("MZJ").await
        );
        assert_eq!(editor.get(&mzj).await.status, StatusCode::FORBIDDEN);
        let r = editor
            .post(grade, &[("year", &y), ("grade", "100"), ("note", "自评")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = gkb
            .post(
                grade,
                &[
                    ("year", &y),
                    ("grade", "87.5"),
                    ("note", "台账齐全，缺少培训记录"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = gkb.get(&card).await;
        assert_eq!(cell(&r.body, "资料档案评定", "计分"), "87.5");
        assert!(r.body.contains("台账齐全，缺少培训记录"));
        // the spreadsheet holds every unit's row
        let (s, xlsx) = get_bytes_as(
            &app,
            &format!("/admin/evaluation.xlsx?year={year}"),
            &gkb.cookie,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let grid = gongkai_extract::sheet::read_grid(&xlsx).unwrap();
        assert!(grid.iter().any(|row| row.iter().any(|c| c == "区教育局")));
        assert!(grid.iter().any(|row| row.iter().any(|c| c == "87.5")));
        // publication: a title is required; the public page shows the frozen copy
        let r = gkb
            .post("/admin/evaluation/publish", &[("year", &y), ("title", " ")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写标题"));
        let title = format!("{year}年度政务公开工作考评结果");
        let r = gkb
            .post(
                "/admin/evaluation/publish",
                &[("year", &y), ("title", &title)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let public = get(&app, &format!("/evaluation/{year}"), None).await;
        assert_eq!(public.status, StatusCode::OK);
        assert!(public.body.contains(&title) && public.body.contains("区教育局"));
        // later grades do not change what was published
        let r = gkb
            .post(
                grade,
                &[("year", &y), ("grade", "10"), ("note", "复核后下调")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            get(&app, &format!("/evaluation/{year}"), None).await.body,
            public.body
        );
        // one shown per year
        let r = gkb
            .post(
                "/admin/evaluation/publish",
                &[("year", &y), ("title", &title)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("已存在"), "{}", r.body);
        assert!(get(&app, "/evaluation", None).await.body.contains(&title));
        // withdrawn: kept, no longer shown
        let id = t.store.evaluation().published().await.unwrap()[0].id;
        let w = format!("/admin/evaluation/published/{id}/withdraw");
        let r = gkb.post(&w, &[("reason", "")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = gkb.post(&w, &[("reason", "档案评分有误")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            get(&app, &format!("/evaluation/{year}"), None).await.status,
            StatusCode::NOT_FOUND
        );
        let kept = t.store.evaluation().published().await.unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].withdrawn_reason, "档案评分有误");
        let audit = t.store.list_audit(None, 50, 0).await.unwrap();
        for a in [
            "evaluation.grade",
            "evaluation.publish",
            "evaluation.withdraw",
        ] {
            assert!(audit.iter().any(|e| e.action == a), "{a}");
        }
        t.cleanup().await;
    }
);
