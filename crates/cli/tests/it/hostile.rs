//! Hostile files and bodies (issue 13): each finding's file or request, sent the way an
//! attacker with a staff account or the CLI would, must give a clear refusal and leave the
//! server answering.

use crate::both;
use crate::support::{Db, TestDb, get, post_multipart};
use axum::http::StatusCode;
use std::process::Command;

/// Two cells at opposite corners of the largest sheet Excel allows: about 1.5 KB that a reader
/// sizing memory from cell positions turns into 512 GiB.
fn sheet_bomb() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "标题").unwrap();
    ws.write_string(1_048_575, 16_383, "b").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn scan_and_import_refuse_a_sheet_bomb() {
    let dir = std::env::temp_dir().join(format!("gongkai-bomb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bomb = dir.join("bomb.xlsx");
    std::fs::write(&bomb, sheet_bomb()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["scan", bomb.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "unreadable, not a crash: {err}");
    assert!(
        err.contains("第1048576行") && err.contains("max_sheet_rows"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

both!(sheet_bombs_are_refused_on_every_upload, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let bomb = sheet_bomb();
    // the standard catalog import
    let (gkb, csrf) = t.session_for("gkb").await;
    let before = t.store.standard_entries(None).await.unwrap().len();
    let r = post_multipart(
        &app,
        "/admin/standards/import",
        Some(&gkb),
        &[("csrf", &csrf)],
        &[("file", "标准目录.xlsx", &bomb)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("max_sheet_rows"), "{}", r.body);
    assert_eq!(t.store.standard_entries(None).await.unwrap().len(), before);
    // the power list import
    let sjj = t.unit_id("SJJ").await;
    let (editor, ecsrf) = t.session_for("sjj_editor").await;
    let r = post_multipart(
        &app,
        &format!("/admin/units/{sjj}/powers/import"),
        Some(&editor),
        &[("csrf", &ecsrf)],
        &[("file", "权责清单.xlsx", &bomb)],
    )
    .await;
    assert!(r.body.contains("max_sheet_rows"), "{}", r.body);
    // an attachment of a draft
    let id = crate::disclosure::draft(&t, &app, "附件测试", "正文").await;
    let (jyj, jcsrf) = t.session_for("jyj_editor").await;
    let r = post_multipart(
        &app,
        &format!("/admin/items/{id}/attachments"),
        Some(&jyj),
        &[("csrf", &jcsrf)],
        &[("file", "名单.xlsx", &bomb)],
    )
    .await;
    assert!(r.body.contains("max_sheet_rows"), "{}", r.body);
    let rev = t.store.working_revision(id).await.unwrap();
    assert!(
        t.store
            .attachments(id, rev.revision)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(get(&app, "/healthz", None).await.status, StatusCode::OK);
    t.cleanup().await;
});

both!(
    deep_rich_bodies_are_refused_before_parsing,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let (cookie, csrf) = t.session_for("jyj_editor").await;
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "SHGY").await;
        for (body, says) in [
            ("<div>".repeat(5_000), "嵌套过深"),
            ("<div/>".repeat(5_000), "嵌套过深"),
            ("<b>x</b>".repeat(60_000), "标签过多"),
        ] {
            let r = crate::support::post(
                &app,
                &format!("/admin/units/{jyj}/items"),
                Some(&cookie),
                &[
                    ("csrf", &csrf),
                    ("category_id", &cat.id.to_string()),
                    ("title", "嵌套测试"),
                    ("formed_on", "2026-11-20"),
                    ("validity", "in_force"),
                    ("body", &body),
                ],
            )
            .await;
            assert_ne!(r.status, StatusCode::SEE_OTHER, "no draft is created");
            assert!(r.body.contains(says), "{says}");
        }
        assert_eq!(get(&app, "/healthz", None).await.status, StatusCode::OK);
        t.cleanup().await;
    }
);
