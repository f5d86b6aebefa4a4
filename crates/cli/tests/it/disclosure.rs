//! Proactive disclosure through HTTP on both backends: drafting, the pre-publication scan
//! blocking review, masking and overriding (audited), approval, the portal, revisions, withdrawal.

use crate::both;
use crate::support::{Db, TestDb, api_post, get, post, token_for};
use axum::http::StatusCode;

const BODY: &str = "各乡镇、街道：\n现将2026年度困难群众救助名单公示如下。\n张三，身份证号11010519491231002X，联系电话13912345678。\n李四，补贴发放至卡号6222020200112233446。\n依据区政办发〔2026〕12号执行。";

/// Creates a draft in JYJ as its editor; returns the item id.
pub(crate) async fn draft(t: &TestDb, app: &axum::Router, title: &str, body: &str) -> i64 {
    let (cookie, csrf) = t.session_for("jyj_editor").await;
    let jyj = t.unit_id("JYJ").await;
    let cat = t.category(jyj, "SHGY").await;
    let r = post(
        app,
        &format!("/admin/units/{jyj}/items"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("category_id", &cat.id.to_string()),
            ("title", title),
            ("doc_no", "区教发〔2026〕7号"),
            ("formed_on", "2026-11-20"),
            ("validity", "in_force"),
            ("topic", "社会保障"),
            ("summary", "救助名单公示"),
            ("body", body),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.item_id()
}

both!(
    findings_block_publication_until_masked_or_overridden,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let id = draft(&t, &app, "2026年度困难群众救助名单公示", BODY).await;
        let item = t.store.disclosure().get_item(id).await.unwrap();
        assert!(
            item.index_no.starts_with("JYJ-SHGY-2026-"),
            "{}",
            item.index_no
        );
        // not public yet
        assert_eq!(
            get(&app, &format!("/items/{}", item.index_no), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        let (editor, ecsrf) = t.session_for("jyj_editor").await;
        let r = post(
            &app,
            &format!("/admin/items/{id}/submit"),
            Some(&editor),
            &[("csrf", &ecsrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let findings = t.store.disclosure().findings(id, 1).await.unwrap();
        let kinds: Vec<&str> = findings.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["id_number", "mobile", "bank_card"],
            "the document number is not reported"
        );

        // the reviewer cannot pass the review while findings are open
        let (reviewer, rcsrf) = t.session_for("jyj_reviewer").await;
        let page = get(&app, &format!("/admin/items/{id}"), Some(&reviewer)).await;
        assert!(
            page.body.contains("<code>110105********002X</code>") && page.body.contains("未处理"),
            "findings listed with masked previews"
        );
        let blocked = post(
            &app,
            &format!("/admin/items/{id}/review"),
            Some(&reviewer),
            &[("csrf", &rcsrf)],
        )
        .await;
        assert_eq!(blocked.status, StatusCode::CONFLICT);
        assert!(
            blocked.body.contains("3处个人信息或敏感词未处理"),
            "{}",
            blocked.body
        );
        // nor can the leader approve it
        let (leader, lcsrf) = t.session_for("jyj_leader").await;
        let r = post(
            &app,
            &format!("/admin/items/{id}/approve"),
            Some(&leader),
            &[("csrf", &lcsrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // an override needs a written reason; with one it is audited
        let bank = findings.iter().find(|f| f.kind == "bank_card").unwrap();
        let r = post(
            &app,
            &format!("/admin/findings/{}/override", bank.id),
            Some(&reviewer),
            &[("csrf", &rcsrf), ("reason", "")],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = post(
            &app,
            &format!("/admin/findings/{}/override", bank.id),
            Some(&editor),
            &[("csrf", &ecsrf), ("reason", "编辑想放行")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "only reviewers override");
        let r = post(
            &app,
            &format!("/admin/findings/{}/override", bank.id),
            Some(&reviewer),
            &[
                ("csrf", &rcsrf),
                ("reason", "该卡号为单位对公账户，依法公示"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let audit = t
            .store
            .list_audit(Some(t.unit_id("JYJ").await), 50, 0)
            .await
            .unwrap();
        assert!(audit.iter().any(|e| e.action == "scan.override"
            && e.detail.contains("该卡号为单位对公账户")
            && e.actor == "jyj_reviewer"));

        // one-click mask of the rest of the body
        let r = post(
            &app,
            &format!("/admin/items/{id}/mask"),
            Some(&reviewer),
            &[("csrf", &rcsrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let rev = t.store.disclosure().get_revision(id, 1).await.unwrap();
        assert!(
            rev.body.contains("110105********002X") && rev.body.contains("139****5678"),
            "{}",
            rev.body
        );
        assert!(!rev.body.contains("11010519491231002X"));
        assert_eq!(t.store.disclosure().open_findings(id, 1).await.unwrap(), 0);

        // now the review passes, the editor cannot approve, the leader can
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/review"),
                Some(&reviewer),
                &[("csrf", &rcsrf)]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/approve"),
                Some(&editor),
                &[("csrf", &ecsrf)]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/approve"),
                Some(&leader),
                &[("csrf", &lcsrf)]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );

        // the portal shows it with the standard metadata block and article meta tags
        let item = t.store.disclosure().get_item(id).await.unwrap();
        assert_eq!(item.published_revision, Some(1));
        let page = get(&app, &format!("/items/{}", item.index_no), None).await;
        assert_eq!(page.status, StatusCode::OK);
        for needle in [
            "索引号",
            &item.index_no,
            "区教育局",
            "2026-11-20",
            "区教发〔2026〕7号",
            "有效",
            "<meta name=\"ArticleTitle\" content=\"2026年度困难群众救助名单公示\">",
            "<meta name=\"PubDate\"",
            "110105********002X",
        ] {
            assert!(page.body.contains(needle), "item page lacks {needle}");
        }
        assert!(!page.body.contains("11010519491231002X"));
        let catalog = get(&app, "/units/JYJ", None).await;
        assert!(catalog.body.contains("2026年度困难群众救助名单公示"));
        let home = get(&app, "/", None).await;
        assert!(home.body.contains("2026年度困难群众救助名单公示"));
        let verify = t.store.verify_audit().await.unwrap();
        assert_eq!(verify.problem, None);
        t.cleanup().await;
    }
);

both!(
    revisions_keep_history_and_withdrawal_keeps_the_record,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let id = draft(&t, &app, "关于调整学区划分的通知", "第一版正文。").await;
        let (editor, ecsrf) = t.session_for("jyj_editor").await;
        let (reviewer, rcsrf) = t.session_for("jyj_reviewer").await;
        let (leader, lcsrf) = t.session_for("jyj_leader").await;
        let publish = async |app: &axum::Router| {
            assert_eq!(
                post(
                    app,
                    &format!("/admin/items/{id}/submit"),
                    Some(&editor),
                    &[("csrf", &ecsrf)]
                )
                .await
                .status,
                StatusCode::SEE_OTHER
            );
            assert_eq!(
                post(
                    app,
                    &format!("/admin/items/{id}/review"),
                    Some(&reviewer),
                    &[("csrf", &rcsrf)]
                )
                .await
                .status,
                StatusCode::SEE_OTHER
            );
            assert_eq!(
                post(
                    app,
                    &format!("/admin/items/{id}/approve"),
                    Some(&leader),
                    &[("csrf", &lcsrf)]
                )
                .await
                .status,
                StatusCode::SEE_OTHER
            );
        };
        publish(&app).await;
        let index_no = t.store.disclosure().get_item(id).await.unwrap().index_no;

        // a rejected step leaves the state alone: a draft cannot be edited once published
        let r = post(
            &app,
            &format!("/admin/items/{id}/revise"),
            Some(&editor),
            &[("csrf", &ecsrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let cat = t
            .store
            .disclosure()
            .get_item(id)
            .await
            .unwrap()
            .category_id
            .to_string();
        let r = post(
            &app,
            &format!("/admin/items/{id}/edit"),
            Some(&editor),
            &[
                ("csrf", &ecsrf),
                ("category_id", &cat),
                ("title", "关于调整学区划分的通知（修订）"),
                ("formed_on", "2026-11-21"),
                ("validity", "in_force"),
                ("body", "第二版正文。"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // while the revision is in progress the public still sees version 1
        assert!(
            get(&app, &format!("/items/{index_no}"), None)
                .await
                .body
                .contains("第一版正文")
        );
        publish(&app).await;
        let page = get(&app, &format!("/items/{index_no}"), None).await;
        assert!(
            page.body.contains("第二版正文")
                && page.body.contains("修订记录")
                && page.body.contains("第1版"),
            "{}",
            page.body
        );
        assert_eq!(t.store.disclosure().revisions(id).await.unwrap().len(), 2);

        // withdrawal: leader only, with a reason; the record stays, marked
        let r = post(
            &app,
            &format!("/admin/items/{id}/withdraw"),
            Some(&editor),
            &[("csrf", &ecsrf), ("reason", "文件已废止")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(
            &app,
            &format!("/admin/items/{id}/withdraw"),
            Some(&leader),
            &[("csrf", &lcsrf), ("reason", "")],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = post(
            &app,
            &format!("/admin/items/{id}/withdraw"),
            Some(&leader),
            &[("csrf", &lcsrf), ("reason", "该文件已被新文件替代")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = get(&app, &format!("/items/{index_no}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("已于") && page.body.contains("该文件已被新文件替代"));
        assert!(
            !get(&app, "/units/JYJ", None)
                .await
                .body
                .contains("关于调整学区划分的通知"),
            "no longer listed as current"
        );
        t.cleanup().await;
    }
);

both!(
    item_forms_validate_and_other_units_cannot_act,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let (editor, ecsrf) = t.session_for("jyj_editor").await;
        let jyj = t.unit_id("JYJ").await;
        let before = t.store.count_audit(None).await.unwrap();
        let r = post(
            &app,
            &format!("/admin/units/{jyj}/items"),
            Some(&editor),
            &[
                ("csrf", &ecsrf),
                ("title", ""),
                ("formed_on", "2099-01-01"),
                ("body", ""),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        for msg in [
            "请填写标题",
            "成文日期不能晚于今天",
            "请填写正文",
            "请选择栏目",
        ] {
            assert!(r.body.contains(msg), "{msg}");
        }
        assert_eq!(
            t.store.count_audit(None).await.unwrap(),
            before,
            "nothing written"
        );
        let id = draft(&t, &app, "教育局的草稿", "正文").await;
        // another unit's editor can neither read nor act on the draft
        let (other, ocsrf) = t.session_for("mzj_editor").await;
        assert_eq!(
            get(&app, &format!("/admin/items/{id}"), Some(&other))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/submit"),
                Some(&other),
                &[("csrf", &ocsrf)]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get(&app, &format!("/admin/units/{jyj}/items"), Some(&other))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // the openness office can read it but not act for the unit
        let (gkb, gcsrf) = t.session_for("gkb").await;
        assert_eq!(
            get(&app, &format!("/admin/items/{id}"), Some(&gkb))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/submit"),
                Some(&gkb),
                &[("csrf", &gcsrf)]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        // a reviewer cannot submit; a review step on a draft is refused and changes nothing
        let (reviewer, rcsrf) = t.session_for("jyj_reviewer").await;
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/review"),
                Some(&reviewer),
                &[("csrf", &rcsrf)]
            )
            .await
            .status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            t.store
                .disclosure()
                .working_revision(id)
                .await
                .unwrap()
                .state,
            gongkai_domain::disclosure::RevisionState::Draft
        );
        t.cleanup().await;
    }
);

both!(published_items_are_found_by_search, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let (editor, ecsrf) = t.session_for("jyj_editor").await;
    let (reviewer, rcsrf) = t.session_for("jyj_reviewer").await;
    let (leader, lcsrf) = t.session_for("jyj_leader").await;
    let jyj = t.unit_id("JYJ").await;
    let cat = t.category(jyj, "GFXWJ").await;
    let r = post(
        &app,
        &format!("/admin/units/{jyj}/items"),
        Some(&editor),
        &[
            ("csrf", &ecsrf),
            ("category_id", &cat.id.to_string()),
            ("title", "关于进一步加强政府信息公开工作的通知"),
            ("doc_no", "区教发〔2026〕15号"),
            ("formed_on", "2026-11-02"),
            ("validity", "in_force"),
            (
                "body",
                "各学校：\n为深入推进政务公开，现就信息公开工作通知如下。",
            ),
        ],
    )
    .await;
    let id: i64 = r.item_id();
    // a draft is not searchable
    assert_eq!(
        get(&app, "/api/v1/search?q=信息公开", None).await.json()["total"],
        0
    );
    for (who, csrf, step) in [
        (&editor, &ecsrf, "submit"),
        (&reviewer, &rcsrf, "review"),
        (&leader, &lcsrf, "approve"),
    ] {
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/{step}"),
                Some(who),
                &[("csrf", csrf)]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
    }
    // found at once on this server, through Traditional characters too, and by its document number however bracketed
    for q in [
        "信息公开",
        "信息公開",
        "政務公開",
        "区教发[2026]15号",
        "区教发(2026)15号",
        "區教發〔2026〕15號",
    ] {
        let r = get(
            &app,
            &format!(
                "/api/v1/search?q={}",
                crate::support::form(&[("", q)]).trim_start_matches('=')
            ),
            None,
        )
        .await
        .json();
        assert_eq!(r["total"], 1, "{q}: {r}");
        assert_eq!(r["hits"][0]["id"], id);
    }
    let page = get(&app, "/search?q=%E4%BF%A1%E6%81%AF%E5%85%AC%E9%96%8B", None).await;
    assert!(
        page.body.contains("<mark>") && page.body.contains("找到 1 条结果"),
        "{}",
        page.body
    );
    let filtered = get(
        &app,
        &format!("/api/v1/search?q=信息公开&unit={}", t.unit_id("MZJ").await),
        None,
    )
    .await
    .json();
    assert_eq!(filtered["total"], 0);
    assert_eq!(
        get(&app, "/api/v1/search?q=x&sort=sideways", None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // withdrawal removes it from search
    assert_eq!(
        post(
            &app,
            &format!("/admin/items/{id}/withdraw"),
            Some(&leader),
            &[("csrf", &lcsrf), ("reason", "内容已过时，撤回")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        get(&app, "/api/v1/search?q=信息公开", None).await.json()["total"],
        0
    );
    t.cleanup().await;
});

both!(
    publishing_through_the_api_feeds_and_sitemap,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let jyj = t.unit_id("JYJ").await;
        let (editor, reviewer, leader) = (
            token_for(&t, "jyj_editor").await,
            token_for(&t, "jyj_reviewer").await,
            token_for(&t, "jyj_leader").await,
        );
        let catalog = get(&app, "/api/v1/catalog?unit=JYJ", None).await.json();
        let cat = catalog["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "GHXX")
            .unwrap()["id"]
            .as_i64()
            .unwrap();

        // bad input: every field problem at once, nothing created
        let bad = api_post(
            &app,
            &format!("/api/v1/units/{jyj}/items"),
            Some(&editor),
            r#"{"category_id": 99999, "title": "", "formed_on": "2026-13-01", "body": ""}"#,
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = bad.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["title", "formed_on", "body", "category_id"]);
        assert_eq!(
            api_post(
                &app,
                &format!("/api/v1/units/{jyj}/items"),
                Some(&editor),
                "{not json"
            )
            .await
            .status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            api_post(&app, &format!("/api/v1/units/{jyj}/items"), None, "{}")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let other = token_for(&t, "mzj_editor").await;
        let body = format!(
            r#"{{"category_id": {cat}, "title": "示范区教育设施布局规划（2026-2035）", "doc_no": "区教发〔2026〕21号", "formed_on": "2026-11-10", "body": "规划范围为全区。"}}"#
        );
        assert_eq!(
            api_post(
                &app,
                &format!("/api/v1/units/{jyj}/items"),
                Some(&other),
                &body
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        let created = api_post(
            &app,
            &format!("/api/v1/units/{jyj}/items"),
            Some(&editor),
            &body,
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let index_no = created.json()["index_no"].as_str().unwrap().to_string();
        let step = async |token: &str, step: &str| {
            api_post(
                &app,
                &format!("/api/v1/items/{index_no}/{step}"),
                Some(token),
                "{}",
            )
            .await
        };
        assert_eq!(
            step(&reviewer, "approve").await.status,
            StatusCode::CONFLICT,
            "not yet reviewed"
        );
        let r = step(&editor, "submit").await;
        assert_eq!(
            (r.status, r.json()["findings"].as_i64()),
            (StatusCode::OK, Some(0))
        );
        assert_eq!(
            step(&editor, "review").await.status,
            StatusCode::FORBIDDEN,
            "an editor cannot review"
        );
        assert_eq!(step(&reviewer, "review").await.status, StatusCode::OK);
        let r = step(&leader, "approve").await;
        assert_eq!(r.json()["revision_state"], "published", "{}", r.body);
        assert_eq!(
            step(&leader, "approve").await.status,
            StatusCode::CONFLICT,
            "twice is refused"
        );

        let item = get(&app, &format!("/api/v1/items/{index_no}"), None)
            .await
            .json();
        assert_eq!(item["title"], "示范区教育设施布局规划（2026-2035）");
        assert_eq!(item["body"], "规划范围为全区。");
        let list = get(&app, "/api/v1/items?unit=JYJ", None).await.json();
        assert_eq!(list["total"], 1);
        assert_eq!(
            get(&app, "/api/v1/items/NOPE-1", None).await.status,
            StatusCode::NOT_FOUND
        );

        // feeds, sitemap, robots
        for path in [
            "/feeds/atom.xml",
            "/units/JYJ/atom.xml",
            &format!("/units/JYJ/atom.xml?category={cat}"),
        ] {
            let feed = get(&app, path, None).await;
            assert_eq!(
                feed.headers["content-type"],
                "application/atom+xml; charset=utf-8"
            );
            assert!(
                feed.body
                    .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
                    && feed.body.contains(&format!("/items/{index_no}</id>")),
                "{path}: {}",
                feed.body
            );
        }
        assert!(
            !get(&app, "/units/MZJ/atom.xml", None)
                .await
                .body
                .contains(&index_no)
        );
        // the sitemap is an index (sitemaps.org) of the pages file and one file per 50,000 items
        let index = get(&app, "/sitemap.xml", None).await;
        assert!(index.body.contains("<sitemapindex"), "{}", index.body);
        let files: Vec<&str> = index
            .body
            .split("<loc>")
            .skip(1)
            .map(|s| s.split("</loc>").next().unwrap())
            .collect();
        assert_eq!(files.len(), 2, "{files:?}");
        assert!(
            files[0].ends_with("/sitemaps/pages.xml")
                && files[1].ends_with("/sitemaps/items-1.xml")
        );
        let pages = get(&app, "/sitemaps/pages.xml", None).await;
        assert!(
            pages.body.contains("/units/JYJ/guide</loc>"),
            "{}",
            pages.body
        );
        let items = get(&app, "/sitemaps/items-1.xml", None).await;
        assert!(
            items.body.contains(&format!("/items/{index_no}</loc>")),
            "{}",
            items.body
        );
        for missing in [
            "/sitemaps/items-2.xml",
            "/sitemaps/items-0.xml",
            "/sitemaps/x.xml",
        ] {
            assert_eq!(
                get(&app, missing, None).await.status,
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }
        let robots = get(&app, "/robots.txt", None).await;
        assert!(robots.body.contains("Disallow: /admin") && robots.body.contains("Sitemap: "));
        t.cleanup().await;
    }
);

both!(
    word_list_categories_and_scheduled_publication,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        // the openness office maintains the word list; a unit editor cannot
        let (gkb, gcsrf) = t.session_for("gkb").await;
        let (editor, ecsrf) = t.session_for("jyj_editor").await;
        assert_eq!(
            post(
                &app,
                "/admin/words",
                Some(&editor),
                &[("csrf", &ecsrf), ("words", "x")]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let r = post(
            &app,
            "/admin/words",
            Some(&gkb),
            &[("csrf", &gcsrf), ("words", "# 示例\n内部资料\n绝密\n")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.store.disclosure().sensitive_words().await.unwrap(),
            vec!["内部资料", "绝密"]
        );
        // a submitted draft containing a listed word is flagged
        let id = draft(&t, &app, "内部资料汇编", "本文件含内部资料，不得外传。").await;
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/submit"),
                Some(&editor),
                &[("csrf", &ecsrf)]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        let kinds: Vec<(String, String)> = t
            .store
            .disclosure()
            .findings(id, 1)
            .await
            .unwrap()
            .into_iter()
            .map(|f| (f.source, f.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("body".to_string(), "sensitive_word".to_string()),
                ("title".to_string(), "sensitive_word".to_string())
            ]
        );

        // a unit's leader adds a sub-category; an editor cannot
        let jyj = t.unit_id("JYJ").await;
        let parent = t.category(jyj, "SHGY").await;
        let form = [
            ("csrf", ecsrf.as_str()),
            ("parent_id", &parent.id.to_string()),
            ("code", "XSZZ"),
            ("name", "学生资助"),
        ];
        assert_eq!(
            post(
                &app,
                &format!("/admin/units/{jyj}/categories"),
                Some(&editor),
                &form
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let (leader, lcsrf) = t.session_for("jyj_leader").await;
        let form = [
            ("csrf", lcsrf.as_str()),
            ("parent_id", &parent.id.to_string()),
            ("code", "xszz"),
            ("name", "学生资助"),
        ];
        assert_eq!(
            post(
                &app,
                &format!("/admin/units/{jyj}/categories"),
                Some(&leader),
                &form
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            post(
                &app,
                &format!("/admin/units/{jyj}/categories"),
                Some(&leader),
                &form
            )
            .await
            .status,
            StatusCode::CONFLICT
        );
        assert!(
            get(&app, "/units/JYJ", None)
                .await
                .body
                .contains("学生资助")
        );
        assert!(
            !get(&app, "/units/MZJ", None)
                .await
                .body
                .contains("学生资助"),
            "a unit's category is its own"
        );

        // scheduled publication: approved for a time just ahead, published by the scheduler when due
        let id = draft(&t, &app, "关于寒假安排的通知", "寒假自1月20日起。").await;
        let (reviewer, rcsrf) = t.session_for("jyj_reviewer").await;
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/submit"),
                Some(&editor),
                &[("csrf", &ecsrf)]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            post(
                &app,
                &format!("/admin/items/{id}/review"),
                Some(&reviewer),
                &[("csrf", &rcsrf)]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        let past = (chrono::Utc::now() + chrono::Duration::hours(8) - chrono::Duration::minutes(5))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let r = post(
            &app,
            &format!("/admin/items/{id}/approve"),
            Some(&leader),
            &[("csrf", &lcsrf), ("scheduled_at", &past)],
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "a time in the past is refused"
        );
        let leader_staff = t
            .store
            .find_staff_credentials("jyj_leader")
            .await
            .unwrap()
            .unwrap()
            .staff;
        let soon = gongkai_store::time_text(chrono::Utc::now() + chrono::Duration::seconds(1));
        let state = gongkai_web::disclosure::items::op_approve(
            &app_state(&t),
            &leader_staff,
            id,
            "",
            Some(&soon),
        )
        .await;
        assert!(matches!(
            state,
            Ok(gongkai_domain::disclosure::RevisionState::Scheduled)
        ));
        assert_eq!(
            t.store
                .disclosure()
                .get_item(id)
                .await
                .unwrap()
                .published_revision,
            None
        );
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        assert_eq!(
            gongkai_web::disclosure::items::publish_due(&app_state(&t))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            t.store
                .disclosure()
                .get_item(id)
                .await
                .unwrap()
                .published_revision,
            Some(1)
        );
        t.cleanup().await;
    }
);

/// A second application state on the same database (in-memory index), for calling operations directly.
fn app_state(t: &TestDb) -> gongkai_web::AppState {
    let indexer = std::sync::Arc::new(gongkai_work::indexing::Indexer::in_memory().unwrap());
    let config = gongkai_web::WebConfig {
        files_dir: t.dir.join("files"),
        ..Default::default()
    };
    gongkai_web::AppState::new(t.store.clone(), config, indexer).unwrap()
}

both!(
    rich_text_bodies_are_sanitised_scanned_and_searchable,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let body = "<h2>一、补贴对象</h2><p onclick=\"steal()\">各镇街：<script>document.cookie</script></p>\
                <table><thead><tr><th scope=\"col\">姓名</th><th scope=\"col\">联系电话</th></tr></thead>\
                <tbody><tr><td>王五</td><td>13812345678</td></tr></tbody></table>\
                <p><a href=\"javascript:alert(1)\">详情</a> <img src=\"x.png\" onerror=\"alert(1)\" alt=\"示意图\"></p>";
        let id = draft(&t, &app, "耕地地力保护补贴发放花名册", body).await;
        // stored sanitised: structure kept, script, handlers and javascript: links gone
        let rev = t.store.disclosure().working_revision(id).await.unwrap();
        assert!(
            rev.body.starts_with("<h2>一、补贴对象</h2>"),
            "{}",
            rev.body
        );
        assert!(rev.body.contains("<td>13812345678</td>"));
        for gone in [
            "script",
            "onclick",
            "onerror",
            "javascript:",
            "document.cookie",
        ] {
            assert!(!rev.body.contains(gone), "{gone} in {}", rev.body);
        }
        // the scan reads the rich body: the phone number in the table is found
        let (editor, ecsrf) = t.session_for("jyj_editor").await;
        post(
            &app,
            &format!("/admin/items/{id}/submit"),
            Some(&editor),
            &[("csrf", &ecsrf)],
        )
        .await;
        let findings = t.store.disclosure().findings(id, 1).await.unwrap();
        assert_eq!(
            findings.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>(),
            ["mobile"]
        );
        // masking works in place inside the markup
        let (reviewer, rcsrf) = t.session_for("jyj_reviewer").await;
        let r = post(
            &app,
            &format!("/admin/items/{id}/mask"),
            Some(&reviewer),
            &[("csrf", &rcsrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let rev = t.store.disclosure().working_revision(id).await.unwrap();
        assert!(rev.body.contains("<td>138****5678</td>"), "{}", rev.body);
        let (leader, lcsrf) = t.session_for("jyj_leader").await;
        for (who, csrf, step) in [(&reviewer, &rcsrf, "review"), (&leader, &lcsrf, "approve")] {
            let r = post(
                &app,
                &format!("/admin/items/{id}/{step}"),
                Some(who),
                &[("csrf", csrf)],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
        }
        let item = t.store.disclosure().get_item(id).await.unwrap();
        let page = get(&app, &format!("/items/{}", item.index_no), None).await;
        assert!(
            page.body.contains("<th scope=\"col\">联系电话</th>"),
            "{}",
            page.body
        );
        assert!(page.body.contains("<h2>一、补贴对象</h2>"));
        assert!(!page.body.contains("<script") && !page.body.contains("onerror"));
        // search reads the text, not the tags
        let hits = get(&app, "/api/v1/search?q=王五", None).await.json();
        assert_eq!(hits["total"], 1, "{hits}");
        let none = get(&app, "/api/v1/search?q=thead", None).await.json();
        assert_eq!(none["total"], 0, "{none}");
        t.cleanup().await;
    }
);

both!(timeliness_report_per_unit, async |db: Db| {
    use chrono::Datelike;
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    // "today" is Beijing's date, as the server counts it
    let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
    let formed_late = today - chrono::Duration::days(60);
    let late_id =
        crate::support::publish_in_jyj(&t, &app, "QTWJ", "迟发的通知", &formed_late.to_string())
            .await;
    crate::support::publish_in_jyj(&t, &app, "QTWJ", "及时的通知", &today.to_string()).await;
    let cal = t.store.calendar().await.unwrap();
    let want = gongkai_domain::disclosure::days_late(&cal, formed_late, today, 20).unwrap();
    assert!(want > 0);
    assert_eq!(
        t.store
            .disclosure()
            .get_item(late_id)
            .await
            .unwrap()
            .days_late,
        want
    );

    let year = today.year();
    let (gkb, _) = t.session_for("gkb").await;
    let page = get(&app, &format!("/admin/timeliness?year={year}"), Some(&gkb)).await;
    assert_eq!(page.status, StatusCode::OK);
    let row = format!(
        "<tr><td>区教育局</td><td>2</td><td>1</td>\n      <td><a href=\"/admin/timeliness?year={year}&amp;unit={}\">1</a></td>\n      <td>50.0%</td><td>{want}</td><td>{want}.0</td></tr>",
        t.unit_id("JYJ").await
    );
    assert!(page.body.contains(&row), "{}", page.body);
    // one unit's late items
    let jyj = t.unit_id("JYJ").await;
    let detail = get(
        &app,
        &format!("/admin/timeliness?year={year}&unit={jyj}"),
        Some(&gkb),
    )
    .await;
    assert!(detail.body.contains("迟发的通知") && !detail.body.contains("及时的通知"));
    // a unit's own staff see their unit only; other units are refused
    let (mzj, _) = t.session_for("mzj_editor").await;
    let own = get(&app, &format!("/admin/timeliness?year={year}"), Some(&mzj)).await;
    assert!(!own.body.contains("区教育局"), "{}", own.body);
    // a unit that published nothing this year is listed with zeros, not left out
    let mzj_name = t.store.get_unit(t.unit_id("MZJ").await).await.unwrap().name;
    assert!(
        own.body
            .contains(&format!("<tr><td>{mzj_name}</td><td>0</td><td>0</td>")),
        "{}",
        own.body
    );
    let other = get(
        &app,
        &format!("/admin/timeliness?year={year}&unit={jyj}"),
        Some(&mzj),
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    // a nonsense year is a clear error
    let bad = get(&app, "/admin/timeliness?year=1800", Some(&gkb)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("年份应在2008至"));
    // the spreadsheet carries the same figures
    let r = axum::http::Request::get(format!("/admin/timeliness.xlsx?year={year}"))
        .header("cookie", &gkb)
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app.clone(), r).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    let grid = gongkai_extract::sheet::read_grid(&bytes).unwrap();
    let jyj_row = grid
        .iter()
        .find(|r| r.first().map(String::as_str) == Some("区教育局"))
        .unwrap();
    assert_eq!(jyj_row[1..5], ["2", "1", "1", "50.0%"]);
    t.cleanup().await;
});

both!(
    the_item_form_reports_what_it_cannot_read_and_keeps_it,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let (cookie, csrf) = t.session_for("jyj_editor").await;
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "QTWJ").await;
        let before = t.store.count_audit(None).await.unwrap();
        let r = post(
            &app,
            &format!("/admin/units/{jyj}/items"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("category_id", &cat.id.to_string()),
                ("title", "有效性写错的通知"),
                ("formed_on", "2026-02-30"),
                ("validity", "bogus"),
                ("body", "正文"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("有效性“bogus”应为"), "{}", r.body);
        assert!(
            r.body.contains("成文日期“2026-02-30”不是有效日期"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("value=\"有效性写错的通知\""),
            "what was typed is kept"
        );
        assert_eq!(
            t.store.count_audit(None).await.unwrap(),
            before,
            "nothing written"
        );
        t.cleanup().await;
    }
);

both!(
    a_parent_category_lists_what_is_filed_below_it,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let id = crate::support::publish_in_jyj(
            &t,
            &app,
            "GFXWJ",
            "规范性文件归在政策文件之下",
            "2026-11-02",
        )
        .await;
        let index_no = t.store.disclosure().get_item(id).await.unwrap().index_no;
        let jyj = t.unit_id("JYJ").await;
        let mzj = t.unit_id("MZJ").await;
        // 行政规范性文件 ⊂ 政策文件 ⊂ 法定主动公开内容; 机构职能 is a sibling branch
        for (code, listed) in [
            ("GFXWJ", true),
            ("ZCWJ", true),
            ("FDGK", true),
            ("JGZN", false),
        ] {
            let cat = t.category(jyj, code).await;
            let (_, items) = t
                .store
                .disclosure()
                .list_published(Some(jyj), Some(cat.id), 20, 0)
                .await
                .unwrap();
            assert_eq!(items.iter().any(|i| i.item.id == id), listed, "{code}");
            let page = get(&app, &format!("/units/JYJ?category={}", cat.id), None).await;
            assert_eq!(page.status, StatusCode::OK);
            assert_eq!(
                page.body.contains(&index_no) || page.body.contains("规范性文件归在政策文件之下"),
                listed,
                "{code} page"
            );
        }
        // another unit's page for the same standard parent does not show JYJ's item
        let cat = t.category(mzj, "ZCWJ").await;
        let (_, items) = t
            .store
            .disclosure()
            .list_published(Some(mzj), Some(cat.id), 20, 0)
            .await
            .unwrap();
        assert!(items.iter().all(|i| i.item.id != id));
        t.cleanup().await;
    }
);

both!(
    times_are_shown_in_beijing_time_as_entered,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "QTWJ").await;
        let editor = t.client(&app, "jyj_editor").await;
        let id = editor
            .draft(jyj, cat.id, "定时发布的通知", "2026-11-20")
            .await;
        assert_eq!(
            editor.step(id, "submit", &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let reviewer = t.client(&app, "jyj_reviewer").await;
        assert_eq!(
            reviewer.step(id, "review", &[]).await.status,
            StatusCode::SEE_OTHER
        );
        // the leader enters a Beijing time two hours ahead; the page shows that same time
        let beijing = (chrono::Utc::now() + chrono::Duration::hours(10))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let leader = t.client(&app, "jyj_leader").await;
        let r = leader
            .step(id, "approve", &[("scheduled_at", &beijing)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = leader.get(&format!("/admin/items/{id}")).await;
        let shown = beijing.replace('T', " ");
        assert!(
            page.body.contains(&format!("定时：{shown}，北京时间")),
            "{shown}: {}",
            page.body
        );
        // the revision history and the audit trail read Beijing time too
        let now_beijing = (chrono::Utc::now() + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:")
            .to_string();
        assert!(page.body.contains("更新时间（北京时间）"));
        let audit = t
            .client(&app, "jyj_leader")
            .await
            .get(&format!("/admin/units/{jyj}/audit"))
            .await;
        assert!(audit.body.contains(&now_beijing), "{now_beijing}");
        t.cleanup().await;
    }
);

both!(
    the_leader_sees_lateness_before_approving_and_returned_drafts_say_so,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "QTWJ").await;
        let editor = t.client(&app, "jyj_editor").await;
        let reviewer = t.client(&app, "jyj_reviewer").await;
        let leader = t.client(&app, "jyj_leader").await;
        let draft = async |title: &str, formed_on: &str| {
            let id = editor.draft(jyj, cat.id, title, formed_on).await;
            assert_eq!(
                editor.step(id, "submit", &[]).await.status,
                StatusCode::SEE_OTHER
            );
            id
        };
        // formed months ago: far past the 20 working days
        let old = draft("迟迟未发的通知", "2026-06-01").await;
        assert_eq!(
            reviewer.step(old, "review", &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let page = leader.get(&format!("/admin/items/{old}")).await;
        assert!(
            page.body.contains("今天发布将超过公开时限"),
            "{}",
            page.body
        );
        // formed today: no warning
        let today = (chrono::Utc::now() + chrono::Duration::hours(8))
            .format("%Y-%m-%d")
            .to_string();
        let fresh = draft("今天成文的通知", &today).await;
        assert_eq!(
            reviewer.step(fresh, "review", &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let page = leader.get(&format!("/admin/items/{fresh}")).await;
        assert!(!page.body.contains("今天发布将超过公开时限"));
        // a draft the reviewer sends back reads as returned, with the reason
        let back = draft("需要修改的通知", &today).await;
        let r = reviewer
            .step(back, "reject", &[("note", "请补充文号")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = editor.get(&format!("/admin/items/{back}")).await;
        assert!(page.body.contains("草稿（已退回修改）"), "{}", page.body);
        assert!(
            page.body.contains("<dt>退回意见</dt><dd>请补充文号</dd>"),
            "{}",
            page.body
        );
        t.cleanup().await;
    }
);

both!(
    staff_open_a_draft_attachment_the_public_cannot,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "QTWJ").await;
        let editor = t.client(&app, "jyj_editor").await;
        let id = editor
            .draft(jyj, cat.id, "带附件的草稿", "2026-11-20")
            .await;
        let r = crate::support::post_multipart(
            &app,
            &format!("/admin/items/{id}/attachments"),
            Some(&editor.cookie),
            &[("csrf", &editor.csrf)],
            &[("file", "名单.txt", "草稿附件正文".as_bytes())],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = editor.get(&format!("/admin/items/{id}")).await;
        let href = page
            .body
            .split("href=\"/admin/attachments/")
            .nth(1)
            .unwrap();
        let aid = &href[..href.find('"').unwrap()];
        let reviewer = t.client(&app, "jyj_reviewer").await;
        let (status, bytes) = crate::support::get_bytes_as(
            &app,
            &format!("/admin/attachments/{aid}"),
            &reviewer.cookie,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(String::from_utf8(bytes).unwrap(), "草稿附件正文");
        let anonymous = get(&app, &format!("/admin/attachments/{aid}"), None).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "to the login page");
        let public = get(&app, &format!("/files/{aid}/x"), None).await;
        assert_eq!(
            public.status,
            StatusCode::NOT_FOUND,
            "a draft's file is not public"
        );
        t.cleanup().await;
    }
);

/// The PNG fixture: a picture of a notice holding a resident ID number and a mobile number.
const ID_NUMBER_PNG: &[u8] = include_bytes!("../fixtures/ocr-id-number.png");
/// The same notice as a scanned PDF (an image, no text layer).
const ID_NUMBER_SCAN: &[u8] = include_bytes!("../fixtures/ocr-id-number-scan.pdf");

both!(
    images_and_scans_are_read_by_ocr_or_block_review_until_confirmed,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "QTWJ").await;
        // with OCR (scripts/test installs Tesseract): the picture's ID number is found
        let app = t.app();
        let editor = t.client(&app, "jyj_editor").await;
        for (name, bytes) in [
            ("任职通知.png", ID_NUMBER_PNG),
            ("任职通知扫描件.pdf", ID_NUMBER_SCAN),
        ] {
            let id = editor.draft(jyj, cat.id, name, "2026-11-20").await;
            let r = crate::support::post_multipart(
                &app,
                &format!("/admin/items/{id}/attachments"),
                Some(&editor.cookie),
                &[("csrf", &editor.csrf)],
                &[("file", name, bytes)],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            assert_eq!(
                editor.step(id, "submit", &[]).await.status,
                StatusCode::SEE_OTHER
            );
            let findings = t.store.disclosure().findings(id, 1).await.unwrap();
            let found: Vec<(&str, &str, &str)> = findings
                .iter()
                .map(|f| (f.source.as_str(), f.kind.as_str(), f.masked.as_str()))
                .collect();
            let source = format!("附件：{name}");
            assert!(
                found.contains(&(source.as_str(), "id_number", "110101********4514")),
                "OCR read the ID number in {name}: {found:?}"
            );
        }

        // without OCR the picture is not taken as clean: a finding of its own, with the reason
        let mut config = gongkai_web::WebConfig {
            files_dir: t.dir.join("files"),
            ..Default::default()
        };
        config.sandbox.ocr.program = "/nonexistent/tesseract".into();
        let indexer = std::sync::Arc::new(
            gongkai_work::indexing::Indexer::open(&t.dir.join("index-no-ocr")).unwrap(),
        );
        let no_ocr =
            gongkai_web::app(gongkai_web::AppState::new(t.store.clone(), config, indexer).unwrap());
        let editor = t.client(&no_ocr, "jyj_editor").await;
        let id = editor
            .draft(jyj, cat.id, "无法识别的图片", "2026-11-20")
            .await;
        let r = crate::support::post_multipart(
            &no_ocr,
            &format!("/admin/items/{id}/attachments"),
            Some(&editor.cookie),
            &[("csrf", &editor.csrf)],
            &[("file", "照片.png", ID_NUMBER_PNG)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        editor.step(id, "submit", &[]).await;
        let findings = t.store.disclosure().findings(id, 1).await.unwrap();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].kind, "unreadable");
        assert_eq!(findings[0].source, "附件：照片.png");
        assert!(
            findings[0].masked.contains("未安装文字识别"),
            "{findings:?}"
        );
        let reviewer = t.client(&no_ocr, "jyj_reviewer").await;
        let page = reviewer.get(&format!("/admin/items/{id}")).await;
        assert!(page.body.contains("未能检查"), "{}", page.body);
        assert!(
            !page.body.contains("未发现个人信息或敏感词"),
            "{}",
            page.body
        );
        // review waits for a person to look at it and say why it may go out
        let blocked = reviewer.step(id, "review", &[]).await;
        assert_eq!(blocked.status, StatusCode::CONFLICT, "{}", blocked.body);
        let r = reviewer
            .post(
                &format!("/admin/findings/{}/override", findings[0].id),
                &[("reason", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = reviewer
            .post(
                &format!("/admin/findings/{}/override", findings[0].id),
                &[("reason", "已人工查看图片：为会场照片，无个人信息")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = reviewer.step(id, "review", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        t.cleanup().await;
    }
);

both!(
    desks_show_the_work_and_the_list_filters_and_acts_in_bulk,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "QTWJ").await;
        let recent = (chrono::Utc::now() - chrono::Duration::days(2))
            .date_naive()
            .to_string();
        let editor = t.client(&app, "jyj_editor").await;
        let a = editor.draft(jyj, cat.id, "批量甲", &recent).await;
        let b = editor.draft(jyj, cat.id, "批量乙", &recent).await;
        let c = editor.draft(jyj, cat.id, "批量丙", &recent).await;
        let late = editor.draft(jyj, cat.id, "久拖未发", "2026-01-05").await;
        let desk = editor.get("/admin").await;
        assert!(
            desk.body.contains("草稿（待提交审核）（4）"),
            "{}",
            desk.body
        );
        assert!(
            desk.body.contains("久拖未发") && desk.body.contains("已超期"),
            "the late draft is on the desk with its lateness: {}",
            desk.body
        );

        // the list filters by words, status and lateness, and refuses a bad query in Chinese
        let list = format!("/admin/units/{jyj}/items");
        let page = editor.get(&format!("{list}?q=%E7%94%B2")).await;
        assert!(page.body.contains("批量甲") && !page.body.contains("批量乙"));
        let page = editor.get(&format!("{list}?late=late")).await;
        assert!(page.body.contains("久拖未发") && !page.body.contains("批量甲"));
        assert!(page.body.contains("共 1 条"), "{}", page.body);
        let page = editor
            .get(&format!("{list}?late=on_time&status=draft"))
            .await;
        assert!(page.body.contains("共 3 条"), "{}", page.body);
        let page = editor.get(&format!("{list}?from=2026-13-01")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("格式错误"), "{}", page.body);
        let page = editor.get(&format!("{list}?page=abc")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(!page.body.contains("invalid digit"), "{}", page.body);

        // bulk submit of two drafts: both go to review
        let pick = |ids: &[i64]| -> Vec<(String, String)> {
            ids.iter()
                .map(|i| (format!("item-{i}"), "on".to_string()))
                .collect()
        };
        let bulk = |ids: Vec<(String, String)>, action: &'static str, note: &'static str| {
            let editor_or = ids;
            async move {
                let mut fields: Vec<(&str, &str)> = vec![("action", action), ("note", note)];
                fields.extend(editor_or.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<Vec<_>>()
            }
        };
        let fields = bulk(pick(&[a, b]), "submit", "").await;
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = editor.post(&format!("{list}/bulk"), &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        for id in [a, b] {
            let rev = t.store.disclosure().working_revision(id).await.unwrap();
            assert_eq!(
                rev.state,
                gongkai_domain::disclosure::RevisionState::InReview
            );
        }
        // a bulk action with one item in the wrong state changes nothing and names it
        let item_a = t.store.disclosure().get_item(a).await.unwrap();
        let fields = bulk(pick(&[a, c]), "submit", "").await;
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = editor.post(&format!("{list}/bulk"), &refs).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(
            r.body.contains(&item_a.index_no) && r.body.contains("未做任何改动"),
            "{}",
            r.body
        );
        let rev = t.store.disclosure().working_revision(c).await.unwrap();
        assert_eq!(
            rev.state,
            gongkai_domain::disclosure::RevisionState::Draft,
            "nothing half-done"
        );

        // the reviewer's desk lists the reviews; sending one back shows on the editor's desk
        let reviewer = t.client(&app, "jyj_reviewer").await;
        let desk = reviewer.get("/admin").await;
        assert!(desk.body.contains("待审核（2）"), "{}", desk.body);
        editor.step(c, "submit", &[]).await;
        let r = reviewer.step(c, "reject", &[("note", "请补充文号")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let desk = editor.get("/admin").await;
        assert!(
            desk.body.contains("退回修改（1）") && desk.body.contains("退回意见：请补充文号"),
            "{}",
            desk.body
        );
        for id in [a, b] {
            assert_eq!(
                reviewer.step(id, "review", &[]).await.status,
                StatusCode::SEE_OTHER
            );
        }
        // the leader approves both in one action, with one comment
        let leader = t.client(&app, "jyj_leader").await;
        let desk = leader.get("/admin").await;
        assert!(desk.body.contains("待审批（2）"), "{}", desk.body);
        let fields = bulk(pick(&[a, b]), "approve", "同意公开").await;
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = leader.post(&format!("{list}/bulk"), &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        for id in [a, b] {
            let item = t.store.disclosure().get_item(id).await.unwrap();
            assert!(item.published_revision.is_some());
        }
        let audit = t.store.list_audit(Some(jyj), 50, 0).await.unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "item.publish" && e.detail.contains("同意公开"))
                .count(),
            2
        );
        // nothing chosen, or an unknown action: a clear message
        let r = leader
            .post(&format!("{list}/bulk"), &[("action", "approve")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请先勾选"), "{}", r.body);
        let _ = late;
        t.cleanup().await;
    }
);

both!(
    a_draft_s_attachments_are_replaced_and_removed_until_it_is_submitted,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let jyj = t.unit_id("JYJ").await;
        let cat = t.category(jyj, "QTWJ").await;
        let editor = t.client(&app, "jyj_editor").await;
        let id = editor.draft(jyj, cat.id, "附件要换", "2026-11-20").await;
        let upload =
            |fields: Vec<(&'static str, String)>, name: &'static str, body: &'static str| {
                let (app, cookie, csrf) = (app.clone(), editor.cookie.clone(), editor.csrf.clone());
                async move {
                    let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
                    all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
                    crate::support::post_multipart(
                        &app,
                        &format!("/admin/items/{id}/attachments"),
                        Some(&cookie),
                        &all,
                        &[("file", name, body.as_bytes())],
                    )
                    .await
                }
            };
        assert_eq!(
            upload(vec![], "旧名单.txt", "旧的名单").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            upload(vec![], "多余.txt", "多余的文件").await.status,
            StatusCode::SEE_OTHER
        );
        let list = t.store.disclosure().attachments(id, 1).await.unwrap();
        let (old, extra) = (list[0].0.id, list[1].0.id);
        // replaced: the old file goes, the new one takes its place, in one step
        let r = upload(vec![("replace", old.to_string())], "新名单.txt", "新的名单").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = editor
            .post(&format!("/admin/attachments/{extra}/remove"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = t.store.disclosure().attachments(id, 1).await.unwrap();
        let names: Vec<&str> = list.iter().map(|(a, _)| a.filename.as_str()).collect();
        assert_eq!(names, ["新名单.txt"]);
        assert_eq!(list[0].1, "新的名单");
        let audit = t.store.list_audit(Some(jyj), 10, 0).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "item.detach").count(),
            2
        );
        // replacing something that is not this draft's attachment changes nothing
        let r = upload(vec![("replace", "999999".into())], "x.txt", "x").await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(
            t.store.disclosure().attachments(id, 1).await.unwrap().len(),
            1
        );
        // once submitted, the files are what was scanned: no removal
        editor.step(id, "submit", &[]).await;
        let r = editor
            .post(&format!("/admin/attachments/{}/remove", list[0].0.id), &[])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(
            t.store.disclosure().attachments(id, 1).await.unwrap().len(),
            1
        );
        t.cleanup().await;
    }
);

both!(the_catalog_reads_as_users_expect, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let jyj = t.unit_id("JYJ").await;
    crate::support::publish_in_jyj(&t, &app, "GFXWJ", "规范性文件一", "2026-11-20").await;
    crate::support::publish_in_jyj(&t, &app, "QTWJ", "其他文件一", "2026-11-20").await;
    let cats = t
        .store
        .disclosure()
        .list_categories(Some(jyj))
        .await
        .unwrap();
    let gfx = cats.iter().find(|c| c.code == "GFXWJ").unwrap();
    let parent = cats.iter().find(|c| Some(c.id) == gfx.parent_id).unwrap();
    // the tree shows counts, a parent's including its sub-categories'
    let page = get(&app, "/units/JYJ", None).await;
    let (in_parent, _) = t
        .store
        .disclosure()
        .list_published(Some(jyj), Some(parent.id), 1, 0)
        .await
        .unwrap();
    assert!(in_parent >= 1, "the parent lists its sub-category's item");
    assert!(
        page.body.contains(&format!(
            "?category={}\">{}</a> <span class=\"count\">（{in_parent}）</span>",
            parent.id, parent.name
        )),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!(
            "?category={}\">{}</a> <span class=\"count\">（1）</span>",
            gfx.id, gfx.name
        )),
        "{}",
        page.body
    );
    // breadcrumbs: where the visitor is, each step a link back
    let mut page = get(&app, &format!("/units/JYJ?category={}", gfx.id), None).await;
    page.body = page.body.replace("&#x2f;", "/");
    assert!(
            page.body.contains("当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/list\">政府信息公开</a> &gt; <a href=\"/units/JYJ\">"),
            "{}",
            page.body
        );
    assert!(
        page.body
            .contains(&format!("<span aria-current=\"page\">{}</span>", gfx.name))
    );
    assert!(
        page.body.contains(&format!(
            "<a href=\"/units/JYJ?category={}\">{}</a> &gt; <span aria-current=\"page\">{}</span>",
            parent.id, parent.name, gfx.name
        )),
        "the parent category is a step of the breadcrumb: {}",
        page.body
    );
    let unknown = get(&app, "/units/JYJ?category=987654", None).await;
    assert_eq!(
        unknown.status,
        StatusCode::NOT_FOUND,
        "an unknown category is not the whole catalog"
    );
    let (_, items) = t
        .store
        .disclosure()
        .list_published(Some(jyj), Some(gfx.id), 1, 0)
        .await
        .unwrap();
    let mut item = get(&app, &format!("/items/{}", items[0].item.index_no), None).await;
    item.body = item.body.replace("&#x2f;", "/");
    assert!(
        item.body.contains(&format!(
            "<a href=\"/units/JYJ?category={}\">{}</a>",
            gfx.id, gfx.name
        )),
        "{}",
        item.body
    );
    for (path, needle) in [
        ("/units", "当前位置"),
        ("/sitemap", "各单位政府信息公开目录"),
        ("/contact", "联系地址"),
        ("/privacy", "不使用第三方统计"),
    ] {
        let page = get(&app, path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(needle), "{path}: {}", page.body);
        assert!(
            page.body.contains("<a href=\"/sitemap\">网站地图</a>"),
            "footer links"
        );
    }
    // the unit's own part of its guide, edited by its leader, is on the public guide
    let leader = t.client(&app, "jyj_leader").await;
    let r = leader
        .post(
            &format!("/admin/units/{jyj}/guide"),
            &[(
                "guide",
                "申请可通过信函、电子邮件提出。\r\n受理地址：示范路2号",
            )],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let guide = leader.get("/units/JYJ/guide").await;
    assert!(
        guide
            .body
            .contains("<p>申请可通过信函、电子邮件提出。</p><p>受理地址：示范路2号</p>"),
        "{}",
        guide.body
    );
    let editor = t.client(&app, "jyj_editor").await;
    let r = editor
        .post(&format!("/admin/units/{jyj}/guide"), &[("guide", "改掉")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let audit = t.store.list_audit(Some(jyj), 3, 0).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "unit.update_guide"));
    t.cleanup().await;
});

both!(
    deep_pages_start_from_anchors_and_show_the_same_rows,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let jyj = t.unit_id("JYJ").await;
        let cats = t
            .store
            .disclosure()
            .list_categories(Some(jyj))
            .await
            .unwrap();
        let (a, b) = (
            cats.iter().find(|c| c.code == "QTWJ").unwrap().clone(),
            cats.iter().find(|c| c.code == "GFXWJ").unwrap().clone(),
        );
        // 2,600 items over two categories, many sharing a publication time (the id breaks ties)
        let items: Vec<gongkai_store::disclosure::ImportItem> = (0..2600)
            .map(|i| {
                let cat = if i % 3 == 0 { &b } else { &a };
                gongkai_store::disclosure::ImportItem {
                    unit_id: jyj,
                    unit_code: "JYJ".into(),
                    category_id: cat.id,
                    category_code: cat.code.clone(),
                    content: gongkai_store::disclosure::RevisionContent {
                        title: format!("深页 {i:04}"),
                        doc_no: String::new(),
                        formed_on: "2026-01-05".into(),
                        validity: gongkai_domain::disclosure::Validity::InForce,
                        topic: String::new(),
                        summary: String::new(),
                        body: "正文".into(),
                    },
                    published_at: format!("2026-02-{:02}T02:00:00.000000Z", 1 + (i / 100)),
                    days_late: 0,
                    attachments: Vec::new(),
                    import_key: String::new(),
                    findings: Vec::new(),
                }
            })
            .collect();
        for chunk in items.chunks(500) {
            t.store
                .disclosure()
                .import_published(&crate::support::system(), chunk)
                .await
                .unwrap();
        }
        let app = t.app();
        let parent = cats
            .iter()
            .find(|c| Some(c.id) == b.parent_id)
            .map(|c| c.id);
        for (path, unit, category) in [
            ("/list".to_string(), None, None),
            (
                format!("/units/JYJ?category={}", a.id),
                Some(jyj),
                Some(a.id),
            ),
            ("/units/JYJ".to_string(), Some(jyj), None),
        ]
        .into_iter()
        .chain(parent.map(|p| (format!("/units/JYJ?category={p}"), Some(jyj), Some(p))))
        {
            let sep = if path.contains('?') { '&' } else { '?' };
            // pages in the first block, across anchors, deep, and again (anchors reused)
            for page in [1i64, 50, 51, 52, 99, 100, 101, 120, 51] {
                let offset = (page - 1) * 20;
                let want = t
                    .store
                    .disclosure()
                    .page_published(unit, category, 20, offset)
                    .await
                    .unwrap();
                let got = get(&app, &format!("{path}{sep}page={page}"), None).await;
                if want.is_empty() {
                    assert_eq!(got.status, StatusCode::NOT_FOUND, "{path} page {page}");
                    continue;
                }
                let titles: Vec<&str> = got.body.split("深页 ").skip(1).map(|s| &s[..4]).collect();
                let expected: Vec<String> = want
                    .iter()
                    .map(|s| s.revision.title.trim_start_matches("深页 ").to_string())
                    .collect();
                assert_eq!(titles, expected, "{path} page {page}");
            }
        }
        t.cleanup().await;
    }
);
