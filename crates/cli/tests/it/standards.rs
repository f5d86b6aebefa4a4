//! The standard catalog (基层政务公开标准目录) on both backends: imported from an XLSX in the
//! official layout (title row, two-row header under merged cells, "√" ticks, ticked channel
//! boxes), bad files refused whole with their line numbers, shown to the public, exported and
//! re-imported unchanged, updated and retired with history in the audit trail.

use crate::both;
use crate::support::{Db, TestDb, get, get_bytes, post, post_multipart};
use axum::http::StatusCode;
use rust_xlsxwriter::Workbook;

/// An official-style sheet: title, merged two-row header, `rows` of data (15 columns).
pub(crate) fn official_sheet(rows: &[[&str; 15]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    ws.merge_range(0, 0, 0, 14, "义务教育领域基层政务公开标准目录", &plain)
        .unwrap();
    for (c, text) in [
        (0u16, "领域"),
        (1, "序号"),
        (4, "公开内容（要素）"),
        (5, "公开依据"),
        (6, "公开时限"),
        (7, "公开主体"),
        (8, "公开渠道和载体"),
    ] {
        ws.merge_range(1, c, 2, c, text, &plain).unwrap();
    }
    for (c, text) in [
        (2u16, "公开事项"),
        (9, "公开对象"),
        (11, "公开方式"),
        (13, "公开层级"),
    ] {
        ws.merge_range(1, c, 1, c + 1, text, &plain).unwrap();
    }
    for (c, text) in [
        (2u16, "一级事项"),
        (3, "二级事项"),
        (9, "全社会"),
        (10, "特定群体"),
        (11, "主动"),
        (12, "依申请"),
        (13, "县级"),
        (14, "乡级"),
    ] {
        ws.write_string(2, c, text).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(3 + r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

pub(crate) const ROWS: [[&str; 15]; 3] = [
    [
        "义务教育",
        "1",
        "招生入学",
        "招生政策",
        "招生范围、招生条件、报名时间、录取办法",
        "《中华人民共和国义务教育法》第十二条",
        "信息形成或变更之日起20个工作日内",
        "区教育局",
        "■政府网站 □政府公报 ■两微一端 ■公开查阅点",
        "√",
        "",
        "√",
        "",
        "√",
        "",
    ],
    [
        "",
        "2",
        "",
        "招生结果",
        "录取名单",
        "《中华人民共和国义务教育法》",
        "录取结束后5个工作日内",
        "各学校",
        "■社区/企事业单位/村公示栏（电子屏） ■精准推送",
        "",
        "√",
        "√",
        "√",
        "√",
        "√",
    ],
    [
        "",
        "3",
        "学生资助",
        "",
        "资助政策、申请条件、资助标准",
        "《学生资助资金管理办法》",
        "每学期",
        "区教育局",
        "政府网站、政务服务中心",
        "√",
        "",
        "√",
        "",
        "√",
        "",
    ],
];

both!(
    standard_catalog_imports_exports_and_keeps_history,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let (gkb, csrf) = t.session_for("gkb").await;
        let (editor, ecsrf) = t.session_for("jyj_editor").await;
        // the openness office uploads a sheet
        let import = async |file: &[u8]| {
            post_multipart(
                &app,
                "/admin/standards/import",
                Some(&gkb),
                &[("csrf", &csrf)],
                &[("file", "标准目录.xlsx", file)],
            )
            .await
        };
        assert_eq!(
            get(&app, "/admin/standards", Some(&editor)).await.status,
            StatusCode::FORBIDDEN
        );
        let r = post_multipart(
            &app,
            "/admin/standards/import",
            Some(&editor),
            &[("csrf", &ecsrf)],
            &[("file", "a.xlsx", &official_sheet(&ROWS))],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let before = t
            .store
            .standards()
            .standard_entries(None)
            .await
            .unwrap()
            .len();

        // a file with bad rows: all reported with the line staff see, nothing imported
        let mut bad = ROWS;
        bad[1][8] = "■微信群";
        bad[2][11] = "";
        bad[2][5] = "";
        let r = import(&official_sheet(&bad)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("未导入任何条目"), "{}", r.body);
        assert!(r.body.contains("第5行：公开渠道“微信群”不在标准列表中"));
        assert!(r.body.contains("第6行：缺少公开依据"));
        assert!(r.body.contains("第6行：公开方式应为主动或依申请"));
        assert_eq!(
            t.store
                .standards()
                .standard_entries(None)
                .await
                .unwrap()
                .len(),
            before
        );
        // not a spreadsheet at all
        let r = import(b"%PDF-1.4 not a sheet").await;
        assert!(r.body.contains("不是 XLSX 文件"), "{}", r.body);
        // without a CSRF token: refused
        let r = post_multipart(
            &app,
            "/admin/standards/import",
            Some(&gkb),
            &[],
            &[("file", "a.xlsx", &official_sheet(&ROWS))],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // the good file
        let r = import(&official_sheet(&ROWS)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            r.location().contains("added=3&updated=0"),
            "{}",
            r.location()
        );
        let stored = t
            .store
            .standards()
            .standard_entries(Some("义务教育"))
            .await
            .unwrap();
        assert_eq!(stored.len(), 3);
        let first = &stored[0].entry;
        assert_eq!(first.channels, ["政府网站", "两微一端", "公开查阅点"]);
        assert!(first.to_public && !first.to_specific && first.proactive && !first.on_request);
        let second = &stored[1].entry;
        assert_eq!(second.matter, "招生入学", "the merged 一级事项 continues");
        assert_eq!(
            second.channels,
            ["社区/企事业单位/村公示栏(电子屏)", "精准推送"]
        );
        assert!(second.on_request && second.township_level);

        // the public sees it, per area
        let page = get(&app, "/standards?area=义务教育", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("录取名单") && page.body.contains("主动、依申请"));

        // export → import again: nothing changes
        let (status, headers, xlsx) = get_bytes(
            &app,
            "/standards.xlsx?area=%E4%B9%89%E5%8A%A1%E6%95%99%E8%82%B2",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        let grid = gongkai_extract::sheet::read_grid(&xlsx).unwrap();
        let reread = gongkai_domain::standard::parse_grid(&grid, "").unwrap();
        let entries: Vec<_> = stored.iter().map(|s| s.entry.clone()).collect();
        assert_eq!(reread, entries);
        let r = import(&xlsx).await;
        assert!(
            r.location().contains("added=0&updated=0&unchanged=3"),
            "{}",
            r.location()
        );

        // a changed deadline updates one entry, with before and after in the audit trail
        let mut changed = ROWS;
        changed[2][6] = "每学期开学前";
        let r = import(&official_sheet(&changed)).await;
        assert!(
            r.location().contains("added=0&updated=1&unchanged=2"),
            "{}",
            r.location()
        );
        let audit = t.store.list_audit(None, 10, 0).await.unwrap();
        let update = audit
            .iter()
            .find(|e| e.action == "standard.update")
            .unwrap();
        assert!(update.detail.contains("学生资助"), "{}", update.detail);

        // retired: gone from the public page, kept on record, back on the next import
        let id = stored[2].id;
        let r = post(
            &app,
            &format!("/admin/standards/{id}/retire"),
            Some(&gkb),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            !get(&app, "/standards?area=义务教育", None)
                .await
                .body
                .contains("学生资助")
        );
        assert!(
            t.store
                .list_audit(None, 3, 0)
                .await
                .unwrap()
                .iter()
                .any(|e| e.action == "standard.retire")
        );
        let r = import(&official_sheet(&changed)).await;
        assert!(r.location().contains("updated=1"), "{}", r.location());
        assert!(
            get(&app, "/standards?area=义务教育", None)
                .await
                .body
                .contains("学生资助")
        );
        t.cleanup().await;
    }
);
