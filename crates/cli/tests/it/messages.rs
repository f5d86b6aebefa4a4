//! Messages to the government (政民互动): storage on both databases.

use crate::both;
use crate::support::{Db, TestDb, system};

both!(
    a_message_is_stored_once_per_form_and_found_by_its_number,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let jyj = t.unit_id("JYJ").await;
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
        };
        let (actor, messages) = (system(), t.store.messages());
        let (a, b) = tokio::join!(
            messages.receive(&actor, &new),
            messages.receive(&actor, &new)
        );
        let ((a, a_repeated), (b, b_repeated)) = (a.unwrap(), b.unwrap());
        assert_eq!(a.id, b.id);
        assert!(a_repeated != b_repeated, "exactly one stored it");
        assert_eq!(a.tracking_no, format!("LY2026-JYJ-{:06}", a.id));
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
                ("unit", "JYJ"),
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
        let jyj = t.unit_id("JYJ").await;
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
            ("unit", "JYJ"),
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
