//! The store on both backends: units, staff, conflicts, the calendar and the audit chain.

use crate::both;
use crate::support::{Db, TestDb, system};
use gongkai_domain::access::Role;
use gongkai_domain::audit::ChainError;
use gongkai_domain::calendar::{Coverage, parse_year};
use gongkai_domain::org::{NewUnit, UnitType};
use gongkai_store::StoreError;
use gongkai_store::org::NewStaff;

fn unit(name: &str, t: UnitType, code: &str) -> NewUnit {
    NewUnit {
        name: name.into(),
        unit_type: t,
        code: code.into(),
        uscc: None,
    }
}

both!(units_staff_and_conflicts, async |db: Db| {
    let t = TestDb::new(db).await;
    let s = &t.store;
    let gov = s
        .create_unit(
            &system(),
            None,
            &unit("测试区人民政府", UnitType::District, "GOV"),
        )
        .await
        .unwrap();
    let dep = s
        .create_unit(
            &system(),
            Some(gov.id),
            &unit("区教育局", UnitType::Department, "JYJ"),
        )
        .await
        .unwrap();
    assert_eq!(s.list_units().await.unwrap().len(), 2);
    assert_eq!(s.get_unit(dep.id).await.unwrap().parent_id, Some(gov.id));
    // same code again: a conflict, and nothing half-written (no extra unit, no extra audit entry)
    let audit_before = s.count_audit(None).await.unwrap();
    let err = s
        .create_unit(
            &system(),
            Some(gov.id),
            &unit("重复", UnitType::Department, "JYJ"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(s.list_units().await.unwrap().len(), 2);
    assert_eq!(s.count_audit(None).await.unwrap(), audit_before);

    let new = NewStaff {
        unit_id: dep.id,
        username: "li".into(),
        display_name: "李".into(),
        role: Role::Editor,
        password_hash: "x".into(),
    };
    let st = s.create_staff(&system(), &new).await.unwrap();
    assert_eq!(s.get_staff(st.id).await.unwrap().role, Role::Editor);
    assert!(matches!(
        s.create_staff(&system(), &new).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    assert_eq!(s.list_staff(dep.id).await.unwrap().len(), 1);
    assert!(matches!(
        s.get_unit(9999).await.unwrap_err(),
        StoreError::NotFound(_)
    ));

    // disabling keeps the account (never deleted) and ends its sessions
    s.set_staff_active(&system(), st.id, false).await.unwrap();
    let kept = s.get_staff(st.id).await.unwrap();
    assert!(!kept.active);
    let entries = s.list_audit(Some(dep.id), 100, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["staff.disable", "staff.create", "unit.create"]);
    t.cleanup().await;
});

both!(audit_chain_detects_tampering, async |db: Db| {
    let t = TestDb::new(db).await;
    let s = &t.store;
    let gov = s
        .create_unit(
            &system(),
            None,
            &unit("测试区人民政府", UnitType::District, "GOV"),
        )
        .await
        .unwrap();
    for i in 0..4 {
        s.create_unit(
            &system(),
            Some(gov.id),
            &unit(&format!("部门{i}"), UnitType::Department, &format!("D{i}")),
        )
        .await
        .unwrap();
    }
    let ok = s.verify_audit().await.unwrap();
    assert_eq!((ok.entries, ok.problem), (5, None));

    // altered
    s.execute_raw_for_tests("UPDATE audit_log SET detail = 'forged' WHERE seq = 3")
        .await
        .unwrap();
    assert_eq!(
        s.verify_audit().await.unwrap().problem,
        Some(ChainError::Altered { seq: 3 })
    );
    t.cleanup().await;

    // removed from the middle
    let t = TestDb::new(db).await;
    let s = &t.store;
    let gov = s
        .create_unit(
            &system(),
            None,
            &unit("测试区人民政府", UnitType::District, "GOV"),
        )
        .await
        .unwrap();
    for i in 0..3 {
        s.create_unit(
            &system(),
            Some(gov.id),
            &unit(&format!("部门{i}"), UnitType::Department, &format!("D{i}")),
        )
        .await
        .unwrap();
    }
    s.execute_raw_for_tests("DELETE FROM audit_log WHERE seq = 2")
        .await
        .unwrap();
    assert_eq!(
        s.verify_audit().await.unwrap().problem,
        Some(ChainError::Gap {
            expected: 2,
            found: 3
        })
    );
    // removed from the end
    s.execute_raw_for_tests("DELETE FROM audit_log WHERE seq >= 2")
        .await
        .unwrap();
    assert_eq!(
        s.verify_audit().await.unwrap().problem,
        Some(ChainError::Truncated { last: 1, head: 4 })
    );
    t.cleanup().await;
});

both!(
    calendar_years_are_imported_and_replace_shipped_ones,
    async |db: Db| {
        let t = TestDb::new(db).await;
        let s = &t.store;
        let d = |x: &str| chrono::NaiveDate::parse_from_str(x, "%Y-%m-%d").unwrap();
        let cal = s.calendar().await.unwrap();
        assert!(cal.is_workday(d("2027-02-08"), Coverage::Strict).is_err());
        let y = parse_year(r#"{"year":2027,"papers":["测试通知"],"days":[{"name":"春节","date":"2027-02-08","isOffDay":true},{"name":"春节","date":"2027-02-20","isOffDay":false}]}"#).unwrap();
        s.import_calendar_year(&system(), &y).await.unwrap();
        s.import_calendar_year(&system(), &y).await.unwrap(); // idempotent
        let cal = s.calendar().await.unwrap();
        assert!(!cal.is_workday(d("2027-02-08"), Coverage::Strict).unwrap());
        assert!(cal.is_workday(d("2027-02-20"), Coverage::Strict).unwrap());
        assert_eq!(s.calendar_years().await.unwrap().len(), 1);
        let entries = s.list_audit(None, 10, 0).await.unwrap();
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "calendar.import")
                .count(),
            2
        );
        t.cleanup().await;
    }
);

both!(sessions_expire_and_tokens_revoke, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let s = &t.store;
    let creds = s
        .find_staff_credentials("jyj_editor")
        .await
        .unwrap()
        .unwrap();
    s.create_session(
        &creds.staff,
        "live",
        "c1",
        chrono::Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    s.create_session(
        &creds.staff,
        "dead",
        "c2",
        chrono::Utc::now() - chrono::Duration::seconds(1),
    )
    .await
    .unwrap();
    assert!(s.find_session("live").await.unwrap().is_some());
    assert!(s.find_session("dead").await.unwrap().is_none());
    assert_eq!(s.purge_expired(chrono::Utc::now()).await.unwrap(), 1);

    let tok = s
        .create_api_token(&creds.staff, "大屏", "hash1")
        .await
        .unwrap();
    assert_eq!(
        s.find_api_token_staff("hash1")
            .await
            .unwrap()
            .unwrap()
            .username,
        "jyj_editor"
    );
    s.revoke_api_token(&creds.staff, tok.id).await.unwrap();
    assert!(s.find_api_token_staff("hash1").await.unwrap().is_none());
    assert_eq!(
        s.list_api_tokens(creds.staff.id).await.unwrap().len(),
        1,
        "revoked tokens are kept"
    );
    // another user's token cannot be revoked by this one
    let other = s
        .find_staff_credentials("mzj_editor")
        .await
        .unwrap()
        .unwrap();
    assert!(s.revoke_api_token(&other.staff, tok.id).await.is_err());
    t.cleanup().await;
});

both!(concurrent_writers_keep_the_chain_intact, async |db: Db| {
    let t = TestDb::new(db).await;
    let gov = t
        .store
        .create_unit(
            &system(),
            None,
            &unit("测试区人民政府", UnitType::District, "GOV"),
        )
        .await
        .unwrap();
    let mut handles = Vec::new();
    for i in 0..16 {
        let s = t.store.clone();
        handles.push(tokio::spawn(async move {
            s.create_unit(
                &system(),
                Some(gov.id),
                &unit(&format!("部门{i}"), UnitType::Department, &format!("C{i}")),
            )
            .await
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    let report = t.store.verify_audit().await.unwrap();
    assert_eq!((report.entries, report.problem), (17, None));
    t.cleanup().await;
});

/// A test database that is dropped without `cleanup` (a test that panicked) leaves neither its
/// directory nor its PostgreSQL schema behind.
#[tokio::test]
async fn a_dropped_test_database_leaves_nothing_behind() {
    let t = TestDb::new(Db::Postgres).await;
    let dir = t.dir.clone();
    let schema = t.schema_name().unwrap().to_string();
    assert!(dir.exists());
    drop(t);
    assert!(!dir.exists(), "{} left behind", dir.display());
    let other = TestDb::new(Db::Postgres).await;
    let left = other.store.schemas_with_prefix(&schema).await.unwrap();
    assert!(!left.contains(&schema), "schema {schema} left behind");
    other.cleanup().await;
}

both!(
    an_application_is_received_once_with_its_tracking_number,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        let jyj = t.unit_id("JYJ").await;
        let input = gongkai_domain::application::read_application(
            &gongkai_domain::application::ApplicationFields {
                applicant_type: "natural_person",
                name: "张三",
                id_document: "11010519491231002X",
                phone: "0571-12345678",
                content: "2025年义务教育学校划片方案",
                form: "electronic",
                delivery: "collection",
                ..Default::default()
            },
        )
        .unwrap();
        let (received_on, note) = gongkai_domain::application::receipt_date(
            gongkai_domain::application::Channel::Online,
            &gongkai_domain::application::ReceiptFacts {
                confirmed: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
                ..Default::default()
            },
        )
        .unwrap();
        let received_on = received_on.to_string();
        let new = gongkai_store::applications::NewApplication {
            unit_id: jyj,
            input: &input,
            channel: "online",
            received_on: &received_on,
            receipt_note: &note,
            secret_hash: "0f0f",
            submission_key: "form-key-1",
            due: gongkai_store::applications::DueDates {
                due_on: Some("2026-12-28".into()),
                due_note: "收到申请之日 2026-11-30".into(),
                watch: Some(("2026-12-21".into(), "2026-12-29".into())),
            },
            client_addr: "",
            duplicate_of: "",
            identity_file: None,
        };
        // the same form twice, once at the same moment: one application
        let (actor, apps) = (system(), t.store.applications());
        let (a, b) = tokio::join!(apps.receive(&actor, &new), apps.receive(&actor, &new));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.application.id, b.application.id);
        assert!(a.repeated != b.repeated, "exactly one stored it");
        let again = t
            .store
            .applications()
            .receive(&system(), &new)
            .await
            .unwrap();
        assert!(again.repeated);
        let app = again.application;
        assert_eq!(app.tracking_no, format!("YSQ2026-JYJ-{:06}", app.id));
        assert_eq!(app.received_on, "2026-11-30");
        assert!(app.receipt_note.contains("双方确认之日"));
        let (found, hash) = t
            .store
            .applications()
            .by_tracking_no(&app.tracking_no)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.id, hash.as_str()), (app.id, "0f0f"));
        let (total, list) = t.store.applications().for_unit(jyj, 10, 0).await.unwrap();
        assert_eq!((total, list.len()), (1, 1));
        let audit = t.store.list_audit(Some(jyj), 5, 0).await.unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "application.submit")
                .count(),
            1
        );
        t.cleanup().await;
    }
);
