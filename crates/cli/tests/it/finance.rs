//! Public finance through the back office, the public pages, the API and the CLI, on both
//! databases: a realistic department budget workbook built to DOMAIN.md §13 imports and
//! publishes; the same workbook with one 项 changed by 1 万元 is refused with its row; an empty
//! government-fund table publishes as 空表; villages post after their committee's review.

use crate::both;
use crate::support::{Db, TestDb, get, post_multipart};
use axum::http::StatusCode;
use gongkai_domain::finance::sample::{self, Look, Params, Sheet};

fn workbook(year: i32) -> Vec<Sheet> {
    let book = gongkai_domain::finance::codes::shipped(2026).unwrap();
    let mut book = book;
    book.year = year;
    sample::budget(
        &book,
        &Params {
            unit: "区财政局".into(),
            year,
            leaves: 32,
            seed: 42,
            fund: false,
        },
    )
}

fn xlsx(sheets: &[Sheet]) -> Vec<u8> {
    gongkai_web::finance::sample_xlsx(sheets).unwrap()
}

/// The sheet row of the general budget's first 项 line and its 合计 changed by 1 万元.
fn change_one_item(sheets: &mut [Sheet]) -> (u32, String) {
    let general = sheets
        .iter_mut()
        .find(|s| s.name == "一般公共预算支出表")
        .unwrap();
    let line = general
        .pieces
        .iter()
        .filter(|p| p.col == 2 && p.look == Look::Label && !p.text.is_empty())
        .map(|p| p.row + 1)
        .min()
        .unwrap();
    let old = general
        .pieces
        .iter()
        .find(|p| p.row + 1 == line && p.col == 4)
        .unwrap()
        .text
        .clone();
    let new = format!("{:.2}", old.parse::<f64>().unwrap() + 1.0);
    assert!(general.set(line, 4, &new));
    (line, new)
}

both!(
    a_budget_workbook_is_checked_imported_explained_reviewed_and_published,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let editor = t.client(&app, "czj_editor").await;
        let reviewer = t.client(&app, "czj_reviewer").await;
        let czj = t.unit_id("CZJ").await;
        let old = t
            .store
            .finance()
            .latest(2026, gongkai_domain::finance::Phase::Budget)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.unit_id == czj)
            .expect("the demo published 区财政局's 2026 budget");
        assert_eq!(old.state, "published");
        let sets = |t: &TestDb| {
            let store = t.store.clone();
            async move {
                store
                    .finance()
                    .sets(&gongkai_store::finance::SetFilter {
                        limit: 500,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .len()
            }
        };
        let before = sets(&t).await;
        let audit_before = t.store.count_audit(None).await.unwrap();
        let upload = |fields: Vec<(&'static str, String)>, bytes: Vec<u8>| {
            let app = app.clone();
            let (cookie, csrf) = (editor.cookie.clone(), editor.csrf.clone());
            async move {
                let mut f: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
                f.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
                post_multipart(
                    &app,
                    "/admin/finance",
                    Some(&cookie),
                    &f,
                    &[("workbook", "2026预算.xlsx", &bytes)],
                )
                .await
            }
        };
        let base = || {
            vec![
                ("year", "2026".to_string()),
                ("phase", "budget".to_string()),
                ("approved_on", "2026-02-20".to_string()),
            ]
        };
        // One 项 changed by 1 万元: refused with the sheet, the row and the figures; nothing stored.
        let mut bad = workbook(2026);
        let (line, figure) = change_one_item(&mut bad);
        let r = upload(base(), xlsx(&bad)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(
            r.body
                .contains(&format!("工作表“一般公共预算支出表”第{line}行"))
                && r.body.contains(&figure),
            "{}",
            r.body
        );
        assert!(r.body.contains("下级科目之和"), "the 款 above is named too");
        // A missing table, 收 ≠ 支, a unit the header does not name, a code unknown for the year.
        let mut missing = workbook(2026);
        missing.retain(|s| s.name != "一般公共预算三公经费支出表");
        let r = upload(base(), xlsx(&missing)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("缺少必备表：一般公共预算三公经费支出表"),
            "{}",
            r.body
        );
        let mut unbalanced = workbook(2026);
        let l = unbalanced[0].line_of(0, "收入总计").unwrap();
        unbalanced[0].set(l, 1, "1.00");
        let r = upload(base(), xlsx(&unbalanced)).await;
        assert!(
            r.body.contains("收入总计 1.00 万元 ≠ 支出总计"),
            "{}",
            r.body
        );
        let mut thousand = workbook(2026);
        thousand[4].set(2, 6, "单位：千元");
        let r = upload(base(), xlsx(&thousand)).await;
        assert!(r.body.contains("金额单位“千元”不是万元或元"), "{}", r.body);
        let mut unknown = workbook(2026);
        let item = unknown[2]
            .pieces
            .iter()
            .find(|p| p.col == 0 && p.text.len() == 7)
            .map(|p| (p.row + 1, p.text.clone()))
            .unwrap();
        let wrong = format!("{}98", &item.1[..5]);
        unknown[2].set(item.0, 0, &wrong);
        let r = upload(base(), xlsx(&unknown)).await;
        assert!(
            r.body.contains(&format!("第{}行", item.0))
                && r.body.contains(&format!("科目编码 {wrong}"))
                && r.body.contains("不在2026年政府收支分类科目中"),
            "{}",
            r.body
        );
        let mut no_codes = base();
        no_codes[0].1 = "2031".into();
        let r = upload(no_codes, xlsx(&workbook(2031))).await;
        assert!(
            r.body.contains("没有2031年的政府收支分类科目"),
            "{}",
            r.body
        );
        let r = upload(
            vec![
                ("year", "2026".into()),
                ("phase", "budget".into()),
                ("approved_on", "2026-13-01".into()),
            ],
            xlsx(&workbook(2026)),
        )
        .await;
        assert!(r.body.contains("批复日期"), "{}", r.body);
        assert_eq!(sets(&t).await, before, "nothing stored by a refusal");
        assert_eq!(t.store.count_audit(None).await.unwrap(), audit_before);
        // Checking only stores nothing either.
        let mut check = base();
        check.push(("check", "1".into()));
        let good = xlsx(&workbook(2026));
        let r = upload(check, good.clone()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("检查通过（未保存）") && r.body.contains("空表"),
            "{}",
            r.body
        );
        assert_eq!(sets(&t).await, before);
        // The correct workbook imports as a draft (version 2 of the year's budget).
        let r = upload(base(), good.clone()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.location().to_string();
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        let set = t.store.finance().set(id).await.unwrap();
        assert_eq!(
            (set.version, set.state.as_str(), set.publish_by.as_str()),
            (old.version + 1, "draft", "2026-03-12")
        );
        // The demo's explanation carries over; clearing it blocks the submission.
        let empty: Vec<(&str, &str)> = gongkai_domain::finance::EXPLANATION
            .iter()
            .map(|(k, _)| (*k, ""))
            .collect();
        assert_eq!(
            editor
                .post(&format!("{page}/explanation"), &empty)
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let r = editor.post(&format!("{page}/submit"), &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("说明还缺：部门职责"), "{}", r.body);
        let mut text: Vec<(&str, &str)> = gongkai_domain::finance::EXPLANATION
            .iter()
            .map(|(k, _)| (*k, "本部门说明。"))
            .collect();
        text[0].1 = "联系人身份证号 11010519491231002X";
        editor.post(&format!("{page}/explanation"), &text).await;
        let r = editor.post(&format!("{page}/submit"), &[]).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "the scan reads the explanation"
        );
        text[0].1 = "负责全区财政收支管理。";
        editor.post(&format!("{page}/explanation"), &text).await;
        assert_eq!(
            editor.post(&format!("{page}/submit"), &[]).await.status,
            StatusCode::SEE_OTHER
        );
        // Only the unit's reviewer publishes; the editor may not.
        assert_eq!(
            editor.post(&format!("{page}/publish"), &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.client(&app, "jyj_reviewer")
                .await
                .post(&format!("{page}/publish"), &[])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            reviewer.post(&format!("{page}/publish"), &[]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(t.store.finance().set(id).await.unwrap().state, "published");
        assert_eq!(
            t.store.finance().set(old.id).await.unwrap().state,
            "superseded",
            "kept, not deleted"
        );
        assert_eq!(
            reviewer.post(&format!("{page}/publish"), &[]).await.status,
            StatusCode::BAD_REQUEST,
            "once"
        );
        // The public page: the explanation, the tables right-aligned with 万元 named, 空表 with its note, the charts.
        let p = get(&app, &format!("/finance/{id}"), None).await;
        assert_eq!(p.status, StatusCode::OK);
        for want in [
            "负责全区财政收支管理",
            "单位：万元",
            "class=\"num\"",
            "空表",
            "故本表为空表",
            "<svg",
            "role=\"img\"",
            "图表数据（文字版）",
        ] {
            assert!(p.body.contains(want), "{want}");
        }
        let old_page = get(&app, &format!("/finance/{}", old.id), None).await;
        assert!(old_page.body.contains("已被替代的旧版本"));
        let drill = get(&app, &format!("/finance/{id}?code=201"), None).await;
        assert!(
            drill.body.contains("201 下级科目支出构成"),
            "{}",
            drill.body
        );
        let svg = get(&app, &format!("/finance/{id}/function.svg?depth=3"), None).await;
        assert!(svg.body.starts_with("<svg") && svg.body.contains("行政运行"));
        let csv = get(&app, &format!("/finance/{id}/tables/general.csv"), None).await;
        assert!(
            csv.body.contains("一般公共预算支出/合计（万元）"),
            "{}",
            &csv.body[..200.min(csv.body.len())]
        );
        // The XLSX download reads back through the importer and passes every rule again.
        let (status, x) =
            crate::support::get_bytes_as(&app, &format!("/finance/{id}/workbook.xlsx"), "").await;
        assert_eq!(status, StatusCode::OK);
        let back = gongkai_extract::sheet::read_sheets(&x).unwrap();
        let book = t.store.finance().codes(2026).await.unwrap().unwrap();
        let again = gongkai_domain::finance::check::import(
            gongkai_domain::finance::Phase::Budget,
            &back,
            &book,
            &Default::default(),
        )
        .unwrap_or_else(|f| panic!("{f:?}"));
        assert_eq!(again.summary, set.summary());
        // The API: the set and its records with their classification.
        let api = get(&app, "/api/v1/finance?unit=CZJ&year=2026", None)
            .await
            .json();
        assert_eq!(api["data"][0]["id"], id);
        assert_eq!(api["data"][0]["administrative_unit"]["name"], "区财政局");
        let rec = get(&app, &format!("/api/v1/finance/records?set={id}"), None)
            .await
            .json();
        let rows = rec["data"].as_array().unwrap();
        assert!(
            rows.iter()
                .any(|r| r["functional_classification"] == "2010101" && r["phase"] == "budget")
        );
        assert!(rows.iter().any(|r| r["economic_classification"] == "30101"));
        assert_eq!(
            get(&app, "/api/v1/finance?phase=bogus", None).await.status,
            StatusCode::BAD_REQUEST
        );
        // The district view and the office's report.
        let d = get(&app, "/finance?year=2026", None).await;
        assert!(d.body.contains("区财政局") && d.body.contains("各单位“三公”经费"));
        let gkb = t.client(&app, "gkb").await;
        let o = gkb.get("/admin/finance/oversight?year=2026").await;
        assert!(
            o.body.contains("区农业农村局") && o.body.contains("未导入"),
            "NYJ has none"
        );
        assert!(
            o.body.contains("区住房和城乡建设局") && o.body.contains("超期"),
            "ZJJ's draft is past its day"
        );
        assert_eq!(
            editor.get("/admin/finance/oversight").await.status,
            StatusCode::FORBIDDEN
        );
        // Withdrawal keeps the set; the public page is gone.
        let r = reviewer
            .post(&format!("{page}/withdraw"), &[("reason", "")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = reviewer
            .post(&format!("{page}/withdraw"), &[("reason", "数据更正")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            get(&app, &format!("/finance/{id}"), None).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.store.finance().set(id).await.unwrap().withdrawn_reason,
            "数据更正"
        );
        t.cleanup().await;
    }
);

both!(
    a_village_posts_after_its_committee_and_the_town_sees_who_is_late,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let qsc = t.unit_id("QSZ-QSC").await;
        let editor = t.client(&app, "qsc_editor").await;
        let committee = t.client(&app, "qsc_reviewer").await;
        let page = format!("/admin/villages/{qsc}");
        let send = |fields: Vec<(&'static str, &'static str)>,
                    file: Option<(&'static str, Vec<u8>)>| {
            let app = app.clone();
            let (cookie, csrf, page) = (editor.cookie.clone(), editor.csrf.clone(), page.clone());
            async move {
                let mut f: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
                f.extend(fields);
                let files: Vec<(&str, &str, &[u8])> = file
                    .as_ref()
                    .map(|(n, b)| vec![("ledger", *n, b.as_slice())])
                    .unwrap_or_default();
                post_multipart(&app, &page, Some(&cookie), &f, &files).await
            }
        };
        let postings = || {
            let store = t.store.clone();
            async move {
                store
                    .finance()
                    .postings(qsc, false, None, 500)
                    .await
                    .unwrap()
                    .len()
            }
        };
        let before = postings().await;
        // A quarter posted twice is refused (the demo posted 2026Q3).
        let r = send(
            vec![
                ("kind", "finance"),
                ("period", "2026Q3"),
                ("title", "第三季度财务公开"),
                ("lines", "各项收入,租金,1000,"),
            ],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("2026年第3季度的财务公开已经登记过"),
            "{}",
            r.body
        );
        // A ledger with a bad row names it.
        let csv = "类别,项目,金额（元）,备注\n各项收入,土地承包费,5000,\n奖金,年终奖,100,\n"
            .as_bytes()
            .to_vec();
        let r = send(
            vec![
                ("kind", "finance"),
                ("period", "2026-11"),
                ("title", "11月财务公开"),
            ],
            Some(("台账.csv", csv)),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("第3行") && r.body.contains("奖金"),
            "{}",
            r.body
        );
        assert_eq!(postings().await, before);
        // A ledger from XLSX.
        let ledger = gongkai_extract::sheet::write_table(&gongkai_extract::sheet::Table {
            sheet: "台账",
            title: "青山村2026年11月财务公开",
            header: &["类别", "项目", "金额（元）", "备注"],
            sub_header: None,
            widths: &[12.0, 20.0, 12.0, 20.0],
            rows: &[
                vec![
                    "各项收入".into(),
                    "土地承包费".into(),
                    "5000".into(),
                    String::new(),
                ],
                vec![
                    "各项支出".into(),
                    "村道保洁".into(),
                    "1200.50".into(),
                    "11月".into(),
                ],
            ],
        })
        .unwrap();
        let r = send(
            vec![
                ("kind", "finance"),
                ("period", "2026-11"),
                ("title", "青山村11月财务公开"),
            ],
            Some(("台账.xlsx", ledger)),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = t
            .store
            .finance()
            .postings(qsc, false, None, 1)
            .await
            .unwrap();
        let p = &list[0];
        assert_eq!((p.state.as_str(), p.lines().len()), ("draft", 2));
        // Posting before the committee's review is refused.
        let r = editor
            .post(&format!("/admin/village-postings/{}/post", p.id), &[])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("还没有经村务监督委员会审核"), "{}", r.body);
        assert!(
            !get(&app, &format!("/villages/{qsc}"), None)
                .await
                .body
                .contains("青山村11月财务公开")
        );
        // The committee records its review (at least two members); the editor may not.
        let review = format!("/admin/village-postings/{}/review", p.id);
        let day = gongkai_domain::calendar::beijing_date(chrono::Utc::now()).to_string();
        assert_eq!(
            editor
                .post(
                    &review,
                    &[
                        ("members", "韩建国、周秀兰"),
                        ("opinion", "同意"),
                        ("day", &day)
                    ]
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = committee
            .post(
                &review,
                &[("members", "韩建国"), ("opinion", "同意"), ("day", &day)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = committee
            .post(
                &review,
                &[
                    ("members", "韩建国、周秀兰"),
                    ("opinion", "账目清楚，同意公开"),
                    ("day", &day),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            editor
                .post(&format!("/admin/village-postings/{}/post", p.id), &[])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let public = get(&app, &format!("/villages/{qsc}"), None).await;
        assert!(
            public.body.contains("青山村11月财务公开")
                && public.body.contains("村道保洁")
                && public.body.contains("1200.50")
        );
        assert!(
            public.body.contains("经村务监督委员会审核") && public.body.contains("2026年第3季度")
        );
        // A mistaken posting still waiting for the committee is withdrawn (kept), and its
        // period can be posted again.
        let r = send(
            vec![
                ("kind", "finance"),
                ("period", "2025Q1"),
                ("title", "误登记的公开"),
                ("lines", "各项收入,测试,1,"),
            ],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mistaken = t
            .store
            .finance()
            .postings(qsc, false, None, 1)
            .await
            .unwrap()[0]
            .clone();
        assert_eq!(mistaken.state, "draft");
        let again = vec![
            ("kind", "finance"),
            ("period", "2025Q1"),
            ("title", "更正后的公开"),
            ("lines", "各项收入,土地承包费,1000,"),
        ];
        let r = send(again.clone(), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "the period is taken");
        let r = editor
            .post(
                &format!("/admin/village-postings/{}/withdraw", mistaken.id),
                &[("reason", "登记有误")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            t.store.finance().posting(mistaken.id).await.unwrap().state,
            "withdrawn"
        );
        let r = send(again, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Another village cannot be posted for.
        let xkc = t.unit_id("QSZ-XKC").await;
        let r = post_multipart(
            &app,
            &format!("/admin/villages/{xkc}"),
            Some(&editor.cookie),
            &[
                ("csrf", &editor.csrf),
                ("kind", "levy"),
                ("title", "x"),
                ("body", "y"),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The town sees its villages: 溪口村 has not posted the third quarter (nor 石桥 any).
        let town = t
            .client(&app, "qsz_editor")
            .await
            .get("/admin/villages")
            .await;
        assert_eq!(town.status, StatusCode::OK);
        let xk = town.body.find("青山镇溪口村民委员会").unwrap();
        assert!(town.body[xk..].contains("逾期"), "{}", town.body);
        let office = t.client(&app, "gkb").await.get("/admin/villages").await;
        assert!(office.body.contains("石桥镇人民政府") && office.body.contains("尚未公开"));
        t.cleanup().await;
    }
);

both!(
    the_cli_imports_a_workbook_or_lists_every_failed_rule,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let good = t.dir.join("budget.xlsx");
        std::fs::write(&good, xlsx(&workbook(2026))).unwrap();
        let mut bad_sheets = workbook(2026);
        let (line, _) = change_one_item(&mut bad_sheets);
        let bad = t.dir.join("bad.xlsx");
        std::fs::write(&bad, xlsx(&bad_sheets)).unwrap();
        let args = |f: &std::path::Path| -> Vec<String> {
            [
                "finance",
                "import",
                f.to_str().unwrap(),
                "--unit",
                "CZJ",
                "--year",
                "2026",
                "--approved-on",
                "2026-02-20",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        };
        let run = |a: Vec<String>| {
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            t.cli(&a).output().unwrap()
        };
        let o = run(args(&bad));
        assert_eq!(o.status.code(), Some(1));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains(&format!("工作表“一般公共预算支出表”第{line}行")),
            "{out}"
        );
        // The finance bureau's workbook imported as another unit's: refused, the line named.
        let mut other = args(&good);
        let at = other.iter().position(|a| a == "CZJ").unwrap();
        other[at] = "JYJ".into();
        let o = run(other);
        assert_eq!(o.status.code(), Some(1));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains("表中的单位名称“区财政局”与导入的单位“区教育局”不符"),
            "{out}"
        );
        let mut dry = args(&good);
        dry.push("--dry-run".into());
        let o = run(dry);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("试导入"));
        let mut json = args(&good);
        json.extend(["--format".to_string(), "json".to_string()]);
        let o = run(json);
        assert!(o.status.success());
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let id = v["set_id"].as_i64().unwrap();
        assert_eq!(t.store.finance().set(id).await.unwrap().state, "draft");
        // A year's classification: bad rows listed, nothing imported; a good list imported.
        let codes = t.dir.join("codes.csv");
        std::fs::write(
            &codes,
            "科目编码,科目名称\n201,一般公共服务支出\n20101,人大事务\n2010101,\n",
        )
        .unwrap();
        let o = t
            .cli(&[
                "finance",
                "codes",
                "import",
                codes.to_str().unwrap(),
                "--year",
                "2030",
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stderr).contains("第4行"));
        assert!(t.store.finance().codes(2030).await.unwrap().is_none());
        std::fs::write(
            &codes,
            "科目编码,科目名称\n201,一般公共服务支出\n20101,人大事务\n2010101,行政运行\n",
        )
        .unwrap();
        let o = t
            .cli(&[
                "finance",
                "codes",
                "import",
                codes.to_str().unwrap(),
                "--year",
                "2030",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(
            t.store.finance().codes(2030).await.unwrap().unwrap().len(),
            3
        );
        t.cleanup().await;
    }
);
