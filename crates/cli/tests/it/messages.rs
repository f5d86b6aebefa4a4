//! Messages to the government (政民互动): storage on both databases.

use crate::both;
use crate::support::{Db, TestDb, system};

both!(
    a_message_is_stored_once_per_form_and_found_by_its_number,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let jyj = t.unit_id("SJJ").await;
        let input =
            gongkai_domain::message::read_message(&gongkai_domain::message::MessageFields {
                kind: "complaint",
                name: "王五",
                phone: "13812345678",
                subject: "校门口交通拥堵",
                body: "每天放学时校门口车辆拥堵，建议增设临时停车位。",
                publish: "yes",
                ..Default::default()
            })
            .unwrap();
        let new = gongkai_store::messages::NewMessage {
            unit_id: jyj,
            input: &input,
            received_on: "2026-11-30",
            due: (
                "2026-12-21",
                "投诉类留言，收到之日 2026-11-30 后第15个工作日答复，即 2026-12-21",
            ),
            veto_on: "2027-03-01",
            secret_hash: "0f0f",
            submission_key: "message-form-key-1",
            client_addr: "127.0.0.1",
            duplicate_of: "",
            topic: "",
            watch: ("2026-12-18", "2026-12-22"),
            routed_by: "",
            files: &[],
        };
        let (actor, messages) = (system(), t.store.messages());
        let (a, b) = tokio::join!(
            messages.receive(&actor, &new),
            messages.receive(&actor, &new)
        );
        let ((a, a_repeated), (b, b_repeated)) = (a.unwrap(), b.unwrap());
        assert_eq!(a.id, b.id);
        assert!(a_repeated != b_repeated, "exactly one stored it");
        assert_eq!(a.tracking_no, format!("LY2026-SJJ-{:06}", a.id));
        assert_eq!(
            (a.state.as_str(), a.publish_ok, a.due_on.as_str()),
            ("received", 1, "2026-12-21")
        );
        let (found, hash) = messages
            .by_tracking_no(&a.tracking_no)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.id, hash.as_str()), (a.id, "0f0f"));
        assert_eq!(messages.for_unit(jyj, None, 10).await.unwrap().len(), 1);
        assert_eq!(
            messages
                .count_from_address("127.0.0.1", "2000-01-01T00:00:00Z")
                .await
                .unwrap(),
            1
        );
        let audit = t.store.list_audit(Some(jyj), 5, 0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "message.submit"));
        t.cleanup().await;
    }
);

both!(
    the_public_writes_a_message_and_follows_it,
    async |db: Db| {
        use crate::support::{get, post};
        use axum::http::StatusCode;
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let page = get(&app, "/messages/new", None).await;
        assert_eq!(page.status, StatusCode::OK);
        let key = crate::power::input_value(&page.body, "request_key");
        // bad input: every problem named, nothing stored
        let r = post(
            &app,
            "/messages/new",
            None,
            &[
                ("request_key", &key),
                ("unit", "NOPE"),
                ("kind", "rant"),
                ("body", "短"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        for needle in [
            "请选择留言的单位",
            "请选择留言类型",
            "请填写姓名",
            "请至少填写一种联系方式",
            "请填写标题",
            "请写明留言内容",
        ] {
            assert!(r.body.contains(needle), "{needle}: {}", r.body);
        }
        let long = "字".repeat(5001);
        let r = post(
            &app,
            "/messages/new",
            None,
            &[
                ("request_key", &key),
                ("unit", "SJJ"),
                ("kind", "complaint"),
                ("name", "王五"),
                ("phone", "13812345678"),
                ("subject", "太长"),
                ("body", &long),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("不超过5000字"), "{}", r.body);
        let jyj = t.unit_id("SJJ").await;
        assert!(
            t.store
                .messages()
                .for_unit(jyj, None, 5)
                .await
                .unwrap()
                .is_empty()
        );
        let good = [
            ("request_key", key.as_str()),
            ("unit", "SJJ"),
            ("kind", "consultation"),
            ("name", "王五"),
            ("phone", "13812345678"),
            ("subject", "转学手续"),
            ("body", "请问外区转入的小学生需要准备哪些材料？"),
            ("publish", "yes"),
        ];
        let r = post(&app, "/messages/new", None, &good).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let m = t.store.messages().for_unit(jyj, None, 5).await.unwrap()[0].clone();
        assert!(
            r.body.contains(&m.tracking_no) && r.body.contains("第5个工作日"),
            "{}",
            r.body
        );
        let code = crate::power::strong_after(&r.body, "<dt>查询码");
        assert_eq!(code.len(), 8, "{code}");
        // the same form again: the same message, no new code
        let again = post(&app, "/messages/new", None, &good).await;
        assert!(again.body.contains(&m.tracking_no) && !again.body.contains(&code));
        assert_eq!(
            t.store
                .messages()
                .for_unit(jyj, None, 5)
                .await
                .unwrap()
                .len(),
            1
        );
        let found = get(
            &app,
            &format!("/messages/track?no={}&code={code}", m.tracking_no),
            None,
        )
        .await;
        assert_eq!(found.status, StatusCode::OK);
        assert!(
            found.body.contains("办理中") && found.body.contains(&m.due_on),
            "{}",
            found.body
        );
        let wrong = get(
            &app,
            &format!("/messages/track?no={}&code=00000000", m.tracking_no),
            None,
        )
        .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert!(wrong.body.contains("留言编号或查询码不正确"));
        t.cleanup().await;
    }
);

/// Writes a message on the portal; gives its id.
async fn write(
    t: &TestDb,
    app: &axum::Router,
    fields: &[(&str, &str)],
) -> gongkai_store::messages::Message {
    use crate::support::{get, post};
    let page = get(app, "/messages/new", None).await;
    let key = crate::power::input_value(&page.body, "request_key");
    let mut all = vec![("request_key", key.as_str())];
    all.extend_from_slice(fields);
    let r = post(app, "/messages/new", None, &all).await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
    let no = crate::power::strong_after(&r.body, "<dt>留言编号");
    t.store
        .messages()
        .by_tracking_no(&no)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{no} not stored: {}", r.body))
        .0
}

both!(
    a_message_is_transferred_answered_after_review_and_published_masked,
    async |db: Db| {
        use crate::support::get;
        use axum::http::StatusCode;
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let (jyj, sjj) = (t.unit_id("JYJ").await, t.unit_id("SJJ").await);
        let stats = |t: &TestDb, unit: i64| {
            let store = t.store.clone();
            async move {
                store
                    .messages()
                    .unit_stats()
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|s| s.unit_id == unit)
                    .map(|s| (s.received, s.answered, s.published))
                    .unwrap_or_default()
            }
        };
        let (jyj_before, sjj_before) = (stats(&t, jyj).await, stats(&t, sjj).await);
        let m = write(
            &t,
            &app,
            &[
                ("unit", "SJJ"),
                ("kind", "consultation"),
                ("name", "王小明"),
                ("phone", "13912345678"),
                ("subject", "学校课后服务收费"),
                ("body", "孩子学校的课后服务怎么收费？请回电13912345678。"),
                ("publish", "yes"),
            ],
        )
        .await;
        assert_eq!((m.unit_id, m.state.as_str()), (sjj, "received"));
        assert_eq!(stats(&t, sjj).await.0, sjj_before.0 + 1);
        let id = m.id;
        let step = format!("/admin/messages/{id}/step");
        // SJJ's handler transfers it; a transfer without a reason is refused, nothing changes
        let sjj_handler = t.client(&app, "sjj_handler").await;
        let r = sjj_handler
            .post(
                &step,
                &[("step", "transfer"), ("to_unit", "JYJ"), ("text", " ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写转办理由"), "{}", r.body);
        assert_eq!(t.store.messages().get(id).await.unwrap().unit_id, sjj);
        let r = sjj_handler
            .post(
                &step,
                &[
                    ("step", "transfer"),
                    ("to_unit", "JYJ"),
                    ("text", "属于教育局职责"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.store.messages().get(id).await.unwrap().unit_id, jyj);
        assert_eq!(stats(&t, sjj).await.0, sjj_before.0);
        assert_eq!(stats(&t, jyj).await.0, jyj_before.0 + 1);
        // SJJ no longer handles it
        let r = sjj_handler.post(&step, &[("step", "accept")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // JYJ: out of order is refused; accept, draft
        let handler = t.client(&app, "jyj_handler").await;
        let r = handler
            .post(&step, &[("step", "draft"), ("text", "答复")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("待受理"), "{}", r.body);
        assert_eq!(
            handler.post(&step, &[("step", "accept")]).await.status,
            StatusCode::SEE_OTHER
        );
        let answer = "课后服务按每生每学期300元收取，家庭经济困难学生免收。";
        assert_eq!(
            handler
                .post(&step, &[("step", "draft"), ("text", answer)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        // the handler cannot let the answer out; the reviewer can
        let r = handler.post(&step, &[("step", "approve")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("审核"), "{}", r.body);
        let r = t
            .client(&app, "jyj_reviewer")
            .await
            .post(&step, &[("step", "approve")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let done = t.store.messages().get(id).await.unwrap();
        assert_eq!(done.state, "answered");
        assert!(done.published_at.is_some() && done.answered_on.is_some());
        // every hop and step kept; the audit trail has each step
        let events = t.store.messages().events(id).await.unwrap();
        let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["received", "transferred", "accepted", "drafted", "answered"]
        );
        assert_eq!(
            (
                events[1].from_unit,
                events[1].to_unit,
                events[1].note.as_str()
            ),
            (Some(sjj), Some(jyj), "属于教育局职责")
        );
        let audit = t.store.list_audit(Some(jyj), 20, 0).await.unwrap();
        assert!(audit.iter().filter(|e| e.action == "message.step").count() >= 3);
        // public: masked, with the unit's figures moved
        assert_eq!(
            stats(&t, jyj).await,
            (jyj_before.0 + 1, jyj_before.1 + 1, jyj_before.2 + 1)
        );
        let page = get(&app, &format!("/messages/{id}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(answer) && page.body.contains("王**"));
        assert!(!page.body.contains("13912345678") && !page.body.contains("王小明"));
        assert!(
            page.body.contains("139"),
            "masked, not dropped: {}",
            page.body
        );
        let list = get(&app, "/messages", None).await;
        assert!(list.body.contains("学校课后服务收费") && list.body.contains("区教育局"));
        let unit_list = get(&app, "/messages?unit=JYJ", None).await;
        assert!(unit_list.body.contains(&format!("/messages/{id}")));
        assert_eq!(
            get(&app, "/messages?unit=NOPE", None).await.status,
            StatusCode::NOT_FOUND
        );
        // an unpublished message is not public
        let private = write(
            &t,
            &app,
            &[
                ("unit", "JYJ"),
                ("kind", "complaint"),
                ("name", "李四"),
                ("email", "lisi@example.cn"),
                ("subject", "不公开的投诉"),
                ("body", "这条留言不同意公开。"),
            ],
        )
        .await;
        assert_eq!(
            get(&app, &format!("/messages/{}", private.id), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        t.cleanup().await;
    }
);

both!(
    messages_are_routed_by_the_office_rules_flagged_when_repeated_and_marked_abusive,
    async |db: Db| {
        use crate::support::get;
        use axum::http::StatusCode;
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        // a rule without a unit is refused and nothing is stored
        let r = gkb
            .post(
                "/admin/message-routes",
                &[("topic", "交通"), ("keywords", "公交、站台"), ("unit", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请选择承办单位"), "{}", r.body);
        let r = gkb
            .post(
                "/admin/message-routes",
                &[
                    ("topic", "交通"),
                    ("keywords", "公交、站台"),
                    ("unit", "ZJJ"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // a unit's editor may not edit the rules
        let r = t
            .client(&app, "jyj_editor")
            .await
            .post(
                "/admin/message-routes",
                &[("topic", "交通"), ("keywords", "公交"), ("unit", "JYJ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let zjj = t.unit_id("ZJJ").await;
        let fields = [
            ("unit", "GOV"),
            ("kind", "suggestion"),
            ("name", "赵六"),
            ("phone", "13700001111"),
            ("subject", "公交站台太远"),
            (
                "body",
                "建议在青山镇中心小学门口增设公交站台，方便学生上下学。",
            ),
        ];
        let m = write(&t, &app, &fields).await;
        assert_eq!(m.unit_id, zjj, "routed by the keyword 公交");
        assert_eq!(m.topic, "交通");
        let events = t.store.messages().events(m.id).await.unwrap();
        assert!(events[0].note.contains("按“交通”分办规则"), "{events:?}");
        // a topic chosen wins over keywords; an unknown topic is refused
        let by_topic = write(
            &t,
            &app,
            &[
                ("unit", "GOV"),
                ("topic", "民政"),
                ("kind", "consultation"),
                ("name", "钱七"),
                ("email", "qian@example.cn"),
                ("subject", "公交卡的老年优惠"),
                ("body", "请问老年人办理公交卡优惠由哪个部门负责？"),
            ],
        )
        .await;
        assert_eq!(by_topic.unit_id, t.unit_id("MZJ").await);
        let page = get(&app, "/messages/new", None).await;
        let key = crate::power::input_value(&page.body, "request_key");
        let r = crate::support::post(
            &app,
            "/messages/new",
            None,
            &[
                ("request_key", key.as_str()),
                ("unit", "GOV"),
                ("topic", "天文"),
                ("kind", "consultation"),
                ("name", "钱七"),
                ("email", "qian@example.cn"),
                ("subject", "星星"),
                ("body", "这是一个不存在的类别。"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请从列出的事项类别中选择"), "{}", r.body);
        // the same writer again with nearly the same text: flagged, still received
        let again = write(
            &t,
            &app,
            &[
                ("unit", "GOV"),
                ("kind", "suggestion"),
                ("name", "赵六"),
                ("phone", "13700001111"),
                ("subject", "公交站台太远"),
                (
                    "body",
                    "建议在青山镇中心小学门口增设公交站台，方便学生们上下学！",
                ),
            ],
        )
        .await;
        assert_eq!(again.duplicate_of, m.tracking_no);
        let list = t
            .client(&app, "admin")
            .await
            .get(&format!("/admin/units/{zjj}/messages"))
            .await;
        assert!(list.body.contains("疑似重复"), "{}", list.body);
        // the office transfers a message of any unit; marking abusive needs a reason and a reviewer
        let r = gkb
            .post(
                &format!("/admin/messages/{}/step", again.id),
                &[("step", "abusive"), ("text", "重复")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = gkb
            .post(
                &format!("/admin/messages/{}/step", again.id),
                &[("step", "transfer"), ("to_unit", "JTJ"), ("text", "转交通")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "no such unit");
        let admin = t.client(&app, "admin").await;
        let r = admin
            .post(
                &format!("/admin/messages/{}/step", again.id),
                &[("step", "abusive"), ("text", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请填写标记理由"), "{}", r.body);
        let r = admin
            .post(
                &format!("/admin/messages/{}/step", again.id),
                &[("step", "abusive"), ("text", "与前一条留言重复")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let kept = t.store.messages().get(again.id).await.unwrap();
        assert_eq!(
            (kept.state.as_str(), kept.abusive_reason.as_str()),
            ("abusive", "与前一条留言重复")
        );
        t.cleanup().await;
    }
);

both!(
    a_message_unanswered_for_three_months_is_the_single_veto_alert,
    async |db: Db| {
        use axum::http::StatusCode;
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let gkb = t.client(&app, "gkb").await;
        let r = gkb.post("/admin/supervision/scan", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let dash = gkb.get("/admin/supervision").await;
        assert!(
            dash.body.contains("超过3个月未答复（网站单项否决指标）")
                && dash.body.contains("/admin/messages/"),
            "{}",
            dash.body
        );
        // the unit sees it too, and on the message's desk
        let mzj = t.unit_id("MZJ").await;
        let old = t
            .store
            .messages()
            .list(mzj, Some("received"), None, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.subject == "养老院收费不透明")
            .unwrap();
        let leader = t.client(&app, "mzj_leader").await;
        let desk = leader.get(&format!("/admin/messages/{}", old.id)).await;
        assert!(desk.body.contains("网站单项否决指标"), "{}", desk.body);
        // scanning again raises nothing new
        let before = t.store.power().open_alerts(None, 500).await.unwrap().len();
        gkb.post("/admin/supervision/scan", &[]).await;
        assert_eq!(
            t.store.power().open_alerts(None, 500).await.unwrap().len(),
            before
        );
        // answered: the alert is resolved
        let step = format!("/admin/messages/{}/step", old.id);
        let handler = t.client(&app, "mzj_handler").await;
        handler.post(&step, &[("step", "accept")]).await;
        handler
            .post(
                &step,
                &[("step", "draft"), ("text", "已核查，收费标准已公示。")],
            )
            .await;
        let r = leader.post(&step, &[("step", "approve")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let open = t.store.power().open_alerts(None, 500).await.unwrap();
        assert!(!open.iter().any(|a| a.message_id == Some(old.id)));
        t.cleanup().await;
    }
);

both!(
    a_message_carries_private_attachments_checked_by_their_bytes,
    async |db: Db| {
        use crate::support::{get, get_bytes_as, post_multipart};
        use axum::http::StatusCode;
        let t = TestDb::with_demo(db).await;
        let app = t.app();
        let fields = |key: &str| {
            vec![
                ("request_key".to_string(), key.to_string()),
                ("unit".into(), "ZJJ".into()),
                ("kind".into(), "complaint".into()),
                ("name".into(), "孙八".into()),
                ("phone".into(), "13600001111".into()),
                ("subject".into(), "路面塌陷".into()),
                ("body".into(), "人民路与解放路口路面塌陷，见照片。".into()),
            ]
        };
        let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRphoto";
        let page = get(&app, "/messages/new", None).await;
        assert!(page.body.contains("multipart/form-data"));
        let key = crate::power::input_value(&page.body, "request_key");
        let f = fields(&key);
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        // a program disguised as a photo: refused, nothing stored
        let r = post_multipart(
            &app,
            "/messages/new",
            None,
            &pairs,
            &[("attachment", "照片.png", b"MZ\x90\0program".as_slice())],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("须为图片"), "{}", r.body);
        let zjj = t.unit_id("ZJJ").await;
        assert!(
            t.store
                .messages()
                .for_unit(zjj, None, 5)
                .await
                .unwrap()
                .is_empty()
        );
        let four: Vec<(&str, &str, &[u8])> = (0..4).map(|_| ("attachment", "p.png", png)).collect();
        let r = post_multipart(&app, "/messages/new", None, &pairs, &four).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("附件最多3个"), "{}", r.body);
        let r = post_multipart(
            &app,
            "/messages/new",
            None,
            &pairs,
            &[("attachment", "路口.png", png)],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let m = t.store.messages().for_unit(zjj, None, 1).await.unwrap()[0].clone();
        let files = t.store.messages().files(m.id).await.unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(
            (files[0].filename.as_str(), files[0].content_type.as_str()),
            ("路口.png", "image/png")
        );
        // the unit sees and downloads it; another unit's staff may not; it is never public
        let admin = t.client(&app, "admin").await;
        let desk = admin.get(&format!("/admin/messages/{}", m.id)).await;
        assert!(
            desk.body
                .contains(&format!("/admin/message-files/{}", files[0].id))
        );
        let (status, bytes) = get_bytes_as(
            &app,
            &format!("/admin/message-files/{}", files[0].id),
            &admin.cookie,
        )
        .await;
        assert_eq!((status, bytes.as_slice()), (StatusCode::OK, png));
        let other = t.client(&app, "jyj_editor").await;
        let (status, _) = get_bytes_as(
            &app,
            &format!("/admin/message-files/{}", files[0].id),
            &other.cookie,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_ne!(
            get(&app, &format!("/admin/message-files/{}", files[0].id), None)
                .await
                .status,
            StatusCode::OK
        );
        t.cleanup().await;
    }
);

both!(
    two_scans_at_once_raise_each_alert_once_and_the_veto_after_three_months,
    async |db: Db| {
        use gongkai_store::messages::BulkMessage;
        let t = TestDb::with_demo(db).await;
        let unit = t.unit_id("ZJJ").await;
        // 40 open messages: on 2026-12-10 twenty are past their due date, twenty due soon
        let rows: Vec<BulkMessage> = (0..40)
            .map(|k| {
                let overdue = k % 2 == 0;
                let due = if overdue { "2026-12-08" } else { "2026-12-11" };
                BulkMessage {
                    unit_id: unit,
                    tracking_no: format!("SCANT-{k:04}"),
                    kind: "complaint".into(),
                    subject: format!("扫描测试{k}"),
                    body: "路灯不亮".into(),
                    received_on: "2026-11-20".into(),
                    due_on: due.into(),
                    veto_on: "2027-02-20".into(),
                    answered: None,
                    watch: Some((
                        if overdue { "2026-12-07" } else { "2026-12-10" }.into(),
                        if overdue { "2026-12-09" } else { "2026-12-12" }.into(),
                    )),
                }
            })
            .collect();
        let messages = t.store.messages();
        messages.bulk_load(&system(), &rows).await.unwrap();
        let ours = |alerts: Vec<gongkai_store::power::supervision::Alert>| {
            let mut v: Vec<(String, String, String)> = alerts
                .into_iter()
                .filter(|a| a.detail.contains("SCANT-"))
                .map(|a| (a.detail.clone(), a.kind, a.level))
                .collect();
            v.sort();
            v
        };
        // two servers scanning the same day at once: each alert raised by one of them only
        let actor = system();
        let (a, b) = tokio::join!(
            messages.scan_alerts(&actor, "2026-12-10"),
            messages.scan_alerts(&actor, "2026-12-10")
        );
        let ((ay, ar), (by, br)) = (a.unwrap(), b.unwrap());
        let raised = ours(t.store.power().open_alerts(Some(unit), 500).await.unwrap());
        assert_eq!(raised.len(), 40, "{raised:?}");
        assert_eq!(
            raised.iter().filter(|(_, _, l)| l == "red").count(),
            20,
            "{raised:?}"
        );
        assert!(ar + br >= 20 && ay + by >= 20);
        assert!(raised.iter().all(|(d, k, _)| k == "message_due"
            && (d.contains("已超过答复期限") || d.contains("即将到期"))));
        // the same day again: nothing new
        assert_eq!(
            messages.scan_alerts(&actor, "2026-12-10").await.unwrap(),
            (0, 0)
        );
        // scans missed until three months have passed: one alert each, the veto, not the
        // overdue one on the way
        let (yellow, red) = messages.scan_alerts(&actor, "2027-02-21").await.unwrap();
        assert_eq!(yellow, 0);
        assert!(red >= 40, "ours and the demo's");
        let after = ours(t.store.power().open_alerts(Some(unit), 500).await.unwrap());
        let veto: Vec<_> = after
            .iter()
            .filter(|(_, k, _)| k == "message_veto")
            .collect();
        assert_eq!((after.len(), veto.len()), (80, 40), "{after:?}");
        assert!(
            veto.iter()
                .all(|(d, _, l)| l == "red" && d.contains("超过3个月未答复"))
        );
        // off the list: never raised again (the demo's own messages may still be)
        messages.scan_alerts(&actor, "2027-06-01").await.unwrap();
        assert_eq!(
            ours(t.store.power().open_alerts(Some(unit), 500).await.unwrap()).len(),
            80
        );
        t.cleanup().await;
    }
);
