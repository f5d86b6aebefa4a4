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
