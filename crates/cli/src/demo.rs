//! The demo district: a realistic set of units and one account per role, loaded idempotently.

use anyhow::Result;
use gongkai_domain::access::Role;
use gongkai_domain::ids::uscc_check_char;
use gongkai_domain::org::{NewUnit, UnitType, validate_unit};
use gongkai_domain::power::discretion::{Tier, Violation};
use gongkai_domain::power::flow::{
    Flow, Limit, Step, StepKind, Transition, TransitionKind, licence_example,
};
use gongkai_domain::power::{Category, Guide, LegalBasis, Material, PowerContent, ReviewStage};
use gongkai_store::org::{NewStaff, UnitProfile};
use gongkai_store::{Actor, Store};

/// The password of every demo account (printed at start; change it in a real deployment).
pub const DEMO_PASSWORD: &str = "Demo-2026-gongkai";

/// (code, name, type, parent code).
const UNITS: &[(&str, &str, UnitType, Option<&str>)] = &[
    ("GOV", "示范区人民政府", UnitType::District, None),
    ("GKB", "区政务公开办公室", UnitType::Department, Some("GOV")),
    ("BGS", "区政府办公室", UnitType::Department, Some("GOV")),
    ("FGJ", "区发展和改革局", UnitType::Department, Some("GOV")),
    ("JYJ", "区教育局", UnitType::Department, Some("GOV")),
    ("MZJ", "区民政局", UnitType::Department, Some("GOV")),
    ("SFJ", "区司法局", UnitType::Department, Some("GOV")),
    ("CZJ", "区财政局", UnitType::Department, Some("GOV")),
    (
        "RSJ",
        "区人力资源和社会保障局",
        UnitType::Department,
        Some("GOV"),
    ),
    ("ZRJ", "区自然资源局", UnitType::Department, Some("GOV")),
    (
        "ZJJ",
        "区住房和城乡建设局",
        UnitType::Department,
        Some("GOV"),
    ),
    ("WJW", "区卫生健康委员会", UnitType::Department, Some("GOV")),
    ("SJJ", "区市场监督管理局", UnitType::Department, Some("GOV")),
    ("ZWJ", "区政务服务管理局", UnitType::Department, Some("GOV")),
    ("QSZ", "青山镇人民政府", UnitType::Town, Some("GOV")),
    ("BYZ", "白云镇人民政府", UnitType::Town, Some("GOV")),
    ("SQZ", "石桥镇人民政府", UnitType::Town, Some("GOV")),
    ("DCJD", "东城街道办事处", UnitType::Street, Some("GOV")),
    ("XCJD", "西城街道办事处", UnitType::Street, Some("GOV")),
    (
        "QSZ-QSC",
        "青山镇青山村民委员会",
        UnitType::Village,
        Some("QSZ"),
    ),
    (
        "QSZ-XKC",
        "青山镇溪口村民委员会",
        UnitType::Village,
        Some("QSZ"),
    ),
    (
        "BYZ-BYC",
        "白云镇白云村民委员会",
        UnitType::Village,
        Some("BYZ"),
    ),
    (
        "SQZ-SQC",
        "石桥镇石桥村民委员会",
        UnitType::Village,
        Some("SQZ"),
    ),
    (
        "DCJD-CYSQ",
        "东城街道朝阳社区居民委员会",
        UnitType::Community,
        Some("DCJD"),
    ),
    (
        "XCJD-HPSQ",
        "西城街道和平社区居民委员会",
        UnitType::Community,
        Some("XCJD"),
    ),
    (
        "BB",
        "区委机构编制委员会办公室",
        UnitType::Department,
        Some("GOV"),
    ),
    ("SJ", "区审计局", UnitType::Department, Some("GOV")),
    ("NYJ", "区农业农村局", UnitType::Department, Some("GOV")),
];

/// Other names units go by in documents: (unit code, aliases).
const ALIASES: &[(&str, &[&str])] = &[
    ("GKB", &["区政务公开办", "政务公开办"]),
    ("BB", &["区编办", "编办"]),
    // the legal-affairs office was merged into the justice bureau
    ("SFJ", &["区政府法制办", "法制办"]),
    ("NYJ", &["农委", "区农委"]),
];

/// The demo's work plan: the district office's plan as published (Traditional characters, a
/// site's preface and a line of spam around it).
const PLAN: &str = include_str!("../tests/fixtures/work-plan.txt");

/// (username, display name, role, unit code).
pub const ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("admin", "系统管理员", Role::Admin, "GOV"),
    ("gkb", "王公开", Role::OpennessOffice, "GKB"),
    ("jyj_editor", "李编辑", Role::Editor, "JYJ"),
    ("jyj_reviewer", "张审核", Role::Reviewer, "JYJ"),
    ("jyj_leader", "陈局长", Role::Leader, "JYJ"),
    ("jyj_handler", "刘办件", Role::CaseHandler, "JYJ"),
    ("mzj_editor", "赵编辑", Role::Editor, "MZJ"),
    ("mzj_handler", "何办件", Role::CaseHandler, "MZJ"),
    ("mzj_leader", "林局长", Role::Leader, "MZJ"),
    ("sjj_editor", "孙编辑", Role::Editor, "SJJ"),
    ("sjj_handler", "周办件", Role::CaseHandler, "SJJ"),
    ("sjj_leader", "吴局长", Role::Leader, "SJJ"),
    ("bb_reviewer", "郑审核", Role::Reviewer, "BB"),
    ("sfj_reviewer", "冯审核", Role::Reviewer, "SFJ"),
    ("czj_editor", "钱编辑", Role::Editor, "CZJ"),
    ("czj_reviewer", "褚审核", Role::Reviewer, "CZJ"),
    ("qsz_editor", "吕编辑", Role::Editor, "QSZ"),
    ("qsc_editor", "田会计", Role::Editor, "QSZ-QSC"),
    ("qsc_reviewer", "韩监委", Role::Reviewer, "QSZ-QSC"),
];

/// A valid unified social credit code for demo unit number `n` (机关, region 330199).
fn demo_uscc(n: usize, kind: UnitType) -> Option<String> {
    let prefix = match kind {
        UnitType::Village | UnitType::Community => "54",
        _ => "11",
    };
    let first17 = format!("{prefix}330199MB{n:07}");
    uscc_check_char(&first17)
        .ok()
        .map(|c| format!("{first17}{c}"))
}

/// Loads the demo district. Existing units and accounts are left as they are.
pub async fn load(store: &Store, items: usize) -> Result<()> {
    let actor = Actor::system("demo");
    store.disclosure().ensure_standard_catalog(&actor).await?;
    for (i, (code, name, kind, parent)) in UNITS.iter().enumerate() {
        if store.find_unit_by_code(code).await?.is_some() {
            continue;
        }
        let parent_unit = match parent {
            Some(p) => store.find_unit_by_code(p).await?,
            None => None,
        };
        let new = NewUnit {
            name: (*name).into(),
            unit_type: *kind,
            code: (*code).into(),
            uscc: demo_uscc(i + 1, *kind),
        };
        validate_unit(&new, parent_unit.as_ref().map(|p| p.unit_type))?;
        let unit = store
            .create_unit(&actor, parent_unit.map(|p| p.id), &new)
            .await?;
        let profile = UnitProfile {
            address: format!("示范区人民路{}号", 100 + i),
            phone: format!("0571-8800{:04}", 1000 + i),
            office_hours: "工作日 上午8:30-12:00，下午14:30-17:30".into(),
        };
        store.update_unit_profile(&actor, unit.id, &profile).await?;
    }
    load_items(store, &actor, items).await?;
    load_standards(store, &actor).await?;
    load_powers(store, &actor).await?;
    load_applications(store, &actor).await?;
    load_messages(store, &actor).await?;
    load_ratings(store, &actor).await?;
    load_consultations(store, &actor).await?;
    load_plan(store, &actor).await?;
    load_finance(store, &actor).await?;
    let hash =
        gongkai_work::secrets::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    for (username, display, role, unit_code) in ACCOUNTS {
        if store.find_staff_credentials(username).await?.is_some() {
            continue;
        }
        let Some(unit) = store.find_unit_by_code(unit_code).await? else {
            continue;
        };
        let new = NewStaff {
            unit_id: unit.id,
            username: (*username).into(),
            display_name: (*display).into(),
            role: *role,
            password_hash: hash.clone(),
        };
        store.create_staff(&actor, &new).await?;
    }
    Ok(())
}

/// A few disclosure applications to 区民政局, received in person on days before today (so the
/// e-supervision dashboard has one overdue, one due soon, one running), once.
async fn load_applications(store: &Store, actor: &Actor) -> Result<()> {
    use gongkai_domain::application::{
        ApplicantType, ApplicationInput, Channel, ReceiptFacts, handling::watch_days, read_clock,
        receipt_date,
    };
    let Some(unit) = store.find_unit_by_code("MZJ").await? else {
        return Ok(());
    };
    let apps = store.applications();
    if apps.for_unit(unit.id, 1, 0).await?.0 > 0 {
        return Ok(());
    }
    let cal = store.calendar().await?;
    let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
    let asks = [
        (35, "2025年度城乡低保资金发放情况及审核程序"),
        (24, "本区养老机构名单及其星级评定结果"),
        (3, "2026年临时救助政策的执行口径"),
    ];
    for (n, (days, content)) in asks.iter().enumerate() {
        let day = today - chrono::Duration::days(*days);
        let (received, note) = receipt_date(
            Channel::InPerson,
            &ReceiptFacts {
                submitted: Some(day),
                ..ReceiptFacts::default()
            },
        )?;
        let reading = read_clock(&cal, received, &[], 15)?;
        let gongkai_domain::application::DueState::Due(due) = reading.state else {
            continue;
        };
        let (soon, red) = watch_days(&cal, due, 5, received)?;
        let input = ApplicationInput {
            applicant_type: ApplicantType::NaturalPerson,
            name: ["王小明", "李华", "赵敏"][n].into(),
            id_document: "11010519491231002X".into(),
            phone: "0571-88001234".into(),
            email: String::new(),
            address: "示范区人民路1号".into(),
            content: (*content).into(),
            purpose: String::new(),
            form: "paper".into(),
            delivery: "post".into(),
        };
        apps.receive(
            actor,
            &gongkai_store::applications::NewApplication {
                unit_id: unit.id,
                input: &input,
                channel: "in_person",
                received_on: &received.to_string(),
                receipt_note: &note,
                secret_hash: &gongkai_work::secrets::token_hash(&format!("demo-{n}")),
                submission_key: &format!("demo-application-{n}"),
                due: gongkai_store::applications::DueDates {
                    due_on: Some(due.to_string()),
                    due_note: reading.steps.join("\n"),
                    watch: Some((soon.to_string(), red.to_string())),
                },
                client_addr: "",
                duplicate_of: "",
                identity_file: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Routing rules and a few messages (once): one routed from the district by its topic, one
/// answered and published (masked), one running, one unanswered for over three months (the
/// website indicators' single-veto item on the dashboard).
async fn load_messages(store: &Store, actor: &Actor) -> Result<()> {
    use gongkai_domain::application::handling::watch_days;
    use gongkai_domain::message::{
        Limits, MessageFields, PublicCopy, due_date, read_message, veto_from, workdays_between,
    };
    use gongkai_store::messages::{MessageStep, NewMessage};
    let messages = store.messages();
    if !messages.routes().await?.is_empty() {
        return Ok(());
    }
    let mut unit = std::collections::HashMap::new();
    for code in ["GOV", "JYJ", "MZJ", "SJJ"] {
        let Some(u) = store.find_unit_by_code(code).await? else {
            return Ok(());
        };
        unit.insert(code, u.id);
    }
    for (topic, keywords, code) in [
        ("教育", "学校、入学、学籍、幼儿园", "JYJ"),
        ("民政", "低保、养老、救助、婚姻登记", "MZJ"),
        ("市场监管", "食品安全、消费维权、营业执照", "SJJ"),
    ] {
        messages
            .save_route(actor, topic, keywords, unit[code], true)
            .await?;
    }
    let cal = store.calendar().await?;
    let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
    let sent = [
        (
            100,
            "MZJ",
            "",
            "complaint",
            "养老院收费不透明",
            "母亲所在的养老机构多次上调收费，没有公示收费标准，请民政部门核查。",
            "no",
        ),
        (
            9,
            "JYJ",
            "",
            "consultation",
            "外区转入小学需要哪些材料",
            "孩子明年随我们迁入本区，请问转入小学需要准备哪些材料？我的电话13812345678。",
            "yes",
        ),
        (
            2,
            "MZJ",
            "",
            "suggestion",
            "建议增设社区老年食堂",
            "东城街道老年人多，建议在朝阳社区增设老年食堂。",
            "yes",
        ),
        (
            1,
            "GOV",
            "民政",
            "consultation",
            "临时救助怎么申请",
            "家里突发重病，请问临时救助向哪里申请，需要什么材料？",
            "yes",
        ),
    ];
    for (n, (days, code, topic, kind, subject, body, publish)) in sent.iter().enumerate() {
        let received = today - chrono::Duration::days(*days);
        let input = read_message(&MessageFields {
            kind,
            name: ["周女士", "王小明", "陈先生", "刘女士"][n],
            phone: "13812345678",
            subject,
            body,
            publish,
            ..MessageFields::default()
        })
        .map_err(|e| anyhow::anyhow!("demo message: {e:?}"))?;
        let (due, why) = due_date(&cal, input.kind, received, &Limits::default())?;
        let (soon, red) = watch_days(&cal, due, 1, received)?;
        let to = if topic.is_empty() {
            unit[code]
        } else {
            unit["MZJ"]
        };
        let (m, _) = messages
            .receive(
                actor,
                &NewMessage {
                    unit_id: to,
                    input: &input,
                    received_on: &received.to_string(),
                    due: (&due.to_string(), &why),
                    veto_on: &veto_from(received).to_string(),
                    secret_hash: &gongkai_work::secrets::token_hash(&format!("demo-message-{n}")),
                    submission_key: &format!("demo-message-{n}"),
                    client_addr: "",
                    duplicate_of: "",
                    topic,
                    watch: (&soon.to_string(), &red.to_string()),
                    routed_by: topic,
                    files: &[],
                },
            )
            .await?;
        if *code == "JYJ" {
            // accepted, answered after review, published masked
            let answer = "您好！外区转入小学需提供户口簿、房产证明或租赁备案证明、原就读学校出具的学籍信息表，到区教育局招生办公室办理。";
            let step = |from: &str, to: &str, kind: &str| MessageStep {
                from_state: from.into(),
                from_unit: m.unit_id,
                to_state: to.into(),
                kind: kind.into(),
                label: gongkai_domain::message::Step::kind_label(kind).into(),
                ..MessageStep::default()
            };
            messages
                .take_step(actor, m.id, &step("received", "accepted", "accepted"))
                .await?;
            messages
                .take_step(
                    actor,
                    m.id,
                    &MessageStep {
                        draft: Some(answer.into()),
                        note: answer.into(),
                        ..step("accepted", "drafted", "drafted")
                    },
                )
                .await?;
            let scanner =
                gongkai_domain::scan::Scanner::new(&store.disclosure().sensitive_words().await?);
            let public = PublicCopy::of(&scanner, &input.name, &input.subject, &input.body, answer);
            messages
                .take_step(
                    actor,
                    m.id,
                    &MessageStep {
                        answered: Some((
                            today.to_string(),
                            i64::from(workdays_between(&cal, received, today)),
                            Some(public),
                        )),
                        ..step("drafted", "answered", "answered")
                    },
                )
                .await?;
        }
    }
    Ok(())
}

/// Window visits rated at 区市场监督管理局 and 区教育局 (once), one of them badly and waiting for
/// rectification, so the results page ranks and the desks have work.
async fn load_ratings(store: &Store, actor: &Actor) -> Result<()> {
    use gongkai_store::ratings::{NewRating, RatingDue};
    let ratings = store.ratings();
    let cal = store.calendar().await?;
    let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
    for (code, scores, service) in [
        ("SJJ", &[5, 5, 4, 5, 3, 2][..], "食品经营许可"),
        ("JYJ", &[5, 4][..], "教师资格认定"),
    ] {
        let Some(unit) = store.find_unit_by_code(code).await? else {
            return Ok(());
        };
        if !ratings.list(unit.id, None, None, 1).await?.is_empty() {
            continue;
        }
        for (n, score) in scores.iter().enumerate() {
            let visit = ratings
                .register_visit(
                    actor,
                    unit.id,
                    service,
                    &today.to_string(),
                    &gongkai_work::secrets::token_hash(&format!("demo-visit-{code}-{n}")),
                )
                .await?;
            let due = if *score <= 2 {
                let due = cal.add_workdays(today, 5, gongkai_domain::calendar::Coverage::Strict)?;
                let (soon, red) =
                    gongkai_domain::application::handling::watch_days(&cal, due, 1, today)?;
                Some(RatingDue {
                    due_on: due.to_string(),
                    note: format!("差评自评价之日 {today} 后第5个工作日内核实整改并回复，即 {due}"),
                    soon: soon.to_string(),
                    red: red.to_string(),
                })
            } else {
                None
            };
            ratings
                .rate(
                    actor,
                    &NewRating {
                        event_kind: "visit",
                        event_id: visit.id,
                        event_no: &visit.visit_no,
                        unit_id: unit.id,
                        service_code: &format!("visit:{service}"),
                        service_name: &format!("窗口办事：{service}"),
                        score: *score,
                        comment: if *score <= 2 {
                            "排队时间太长，叫号系统故障无人解释"
                        } else {
                            ""
                        },
                        rated_on: &today.to_string(),
                        due,
                        client_addr: "",
                    },
                )
                .await?;
        }
    }
    Ok(())
}

/// A draft of 区教育局 out for comment (once): two comments, one on a paragraph the second
/// version revises.
async fn load_consultations(store: &Store, actor: &Actor) -> Result<()> {
    use gongkai_domain::consultation::{align, paragraphs};
    use gongkai_store::consultations::{NewComment, NewConsultation};
    let Some(unit) = store.find_unit_by_code("JYJ").await? else {
        return Ok(());
    };
    let demo_store = store;
    let store = store.consultations();
    if !store.list(Some(unit.id), None, 1).await?.is_empty() {
        return Ok(());
    }
    let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
    let ends = today + chrono::Duration::days(29);
    let v1 = paragraphs(
        "第一条 为规范校外培训机构管理，保障学生权益，制定本办法。
第二条 本办法适用于本区面向中小学生的校外培训机构。
第三条 培训机构应当公示收费项目和标准，一次性收费不得超过三个月。
第四条 本办法自发布之日起施行。",
    );
    let c = store
        .open(
            actor,
            &NewConsultation {
                unit_id: unit.id,
                title: "示范区校外培训机构管理办法（征求意见稿）",
                explanation: "为落实“双减”要求，规范校外培训机构收费和办学行为，区教育局起草了本办法。",
                how_to_comment: "在本页对全文或逐段提出意见，或来信寄至示范区人民路104号区教育局",
                contact: "区教育局 政策法规科 0571-88001004",
                starts_on: &today.to_string(),
                ends_on: &ends.to_string(),
                short_reason: "",
                paragraphs: &v1,
                today: &today.to_string(),
            },
        )
        .await?;
    let scanner =
        gongkai_domain::scan::Scanner::new(&demo_store.disclosure().sensitive_words().await?);
    for (n, (para, body)) in [
        (Some("1.2"), "建议明确退费的办理时限。"),
        (None, "总体支持，建议加强对线上培训的监管。"),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .comment(
                actor,
                c.id,
                1,
                &NewComment {
                    para_key: para,
                    name: "",
                    contact: "",
                    body,
                    public_name: "匿名",
                    public_body: &gongkai_domain::scan::mask_all(body, &scanner.scan(body)),
                    submission_key: &format!("demo-consultation-comment-{n}"),
                    client_addr: "",
                },
            )
            .await?;
    }
    let v2 = paragraphs(
        "第一条 为规范校外培训机构管理，保障学生权益，制定本办法。
第二条 本办法适用于本区面向中小学生的校外培训机构。
第三条 培训机构应当公示收费项目和标准，一次性收费不得超过三个月，退费应在申请之日起7个工作日内办结。
第四条 本办法自发布之日起施行。",
    );
    store
        .revise(
            actor,
            c.id,
            &gongkai_store::consultations::Revision {
                from_version: 1,
                paragraphs: &v2,
                alignment: &align(&v1, &v2),
                note: "吸收意见，明确退费时限",
                today: &today.to_string(),
            },
        )
        .await?;
    // the district's catalog of major decisions: this draft, in public participation
    let Some(gov) = demo_store.find_unit_by_code("GOV").await? else {
        return Ok(());
    };
    let decisions = demo_store.decisions();
    let d = decisions
        .create(
            actor,
            &gongkai_store::decisions::NewDecision {
                year: i64::from(chrono::Datelike::year(&today)),
                unit_id: gov.id,
                title: "示范区校外培训机构管理办法",
                basis: "《重大行政决策程序暂行条例》《民办教育促进法》",
                summary: "规范校外培训机构收费和办学行为。",
                planned_on: &(today + chrono::Duration::days(90)).to_string(),
                consultation_id: Some(c.id),
            },
        )
        .await?;
    decisions
        .record_step(
            actor,
            d.id,
            0,
            &gongkai_store::decisions::DecisionStep {
                step: "participation".into(),
                started_on: today.to_string(),
                finished_on: today.to_string(),
                outcome: "done".into(),
                materials_on: None,
                documents: format!("征求意见稿（/consultations/{}）", c.id),
                note: "公开征求意见30日".into(),
                adoption: String::new(),
                recorded_by: actor.name.clone(),
            },
            "公众参与（已完成）",
        )
        .await?;
    Ok(())
}

/// How many published items the demo district gets.
pub const DEMO_ITEMS: usize = 360;

/// Publishes the demo's items (generated realistic texts) once.
async fn load_items(store: &Store, actor: &Actor, count: usize) -> Result<()> {
    if count == 0 || store.disclosure().list_published(None, None, 1, 0).await?.0 > 0 {
        return Ok(());
    }
    let rows = crate::commands::corpus::items(count, 7)
        .enumerate()
        .map(|(i, v)| {
            (
                i + 1,
                serde_json::from_value::<crate::commands::import::Row>(v)
                    .map_err(|e| e.to_string()),
            )
        })
        .collect();
    let dir = std::env::temp_dir();
    let outcome = crate::commands::import::import_rows(
        store,
        &gongkai_work::files::FileStore::Dir(dir.join("gongkai-demo-files")),
        &dir,
        &crate::commands::import::Rules::default(),
        rows,
        false,
        actor,
        |_, _| {},
    )
    .await?;
    if let Some((line, msg)) = outcome.bad.first() {
        anyhow::bail!("demo item {line} is invalid: {msg}");
    }
    Ok(())
}

/// The login table printed after loading the demo.
pub fn login_table(addr: &str) -> String {
    let mut out =
        format!("演示账号（demo accounts）— 登录 http://{addr}/login ，密码均为 {DEMO_PASSWORD}\n");
    for (username, display, role, unit) in ACCOUNTS {
        out.push_str(&format!(
            "  {username:<14} {display:<6} {:<8} {unit}\n",
            role.label()
        ));
    }
    out
}

/// A few entries of the standard catalog (基层政务公开标准目录), in the simple one-row layout
/// staff can also import: 领域, 一级事项, 二级事项, 公开内容, 公开依据, 公开时限, 公开主体,
/// 公开渠道和载体, 公开对象, 公开方式, 公开层级.
const STANDARDS: &[[&str; 11]] = &[
    [
        "社会救助",
        "最低生活保障",
        "政策法规",
        "法律法规、政策文件、办事指南",
        "《社会救助暂行办法》第十一条",
        "信息形成或变更之日起20个工作日内",
        "区民政局",
        "政府网站、两微一端、公开查阅点",
        "全社会",
        "主动",
        "县级、乡级",
    ],
    [
        "社会救助",
        "最低生活保障",
        "保障对象",
        "保障对象姓名（脱敏）、所在村（社区）、保障金额",
        "《最低生活保障审核确认办法》第二十四条",
        "每月",
        "各镇（街道）",
        "社区/企事业单位/村公示栏(电子屏)、便民服务站",
        "特定群体",
        "主动",
        "乡级",
    ],
    [
        "社会救助",
        "特困人员救助供养",
        "审批结果",
        "供养对象、供养形式、供养标准",
        "《社会救助暂行办法》第十四条",
        "审批后5个工作日内",
        "区民政局",
        "政府网站、社区/企事业单位/村公示栏(电子屏)",
        "全社会",
        "主动",
        "县级",
    ],
    [
        "社会救助",
        "临时救助",
        "救助结果",
        "救助对象、救助事由、救助金额",
        "《国务院关于全面建立临时救助制度的通知》",
        "每季度",
        "各镇（街道）",
        "便民服务站、入户/现场",
        "特定群体",
        "主动、依申请",
        "乡级",
    ],
    [
        "城乡规划",
        "规划编制",
        "规划草案",
        "规划草案、征求意见时间和方式",
        "《中华人民共和国城乡规划法》第二十六条",
        "不少于30日",
        "区自然资源局",
        "政府网站、纸质媒体、发布会/听证会",
        "全社会",
        "主动",
        "县级",
    ],
    [
        "城乡规划",
        "规划许可",
        "建设工程规划许可证",
        "项目名称、建设单位、建设位置、建设规模",
        "《中华人民共和国城乡规划法》第四十条",
        "作出许可之日起7个工作日内",
        "区自然资源局",
        "政府网站、政务服务中心",
        "全社会",
        "主动",
        "县级",
    ],
    [
        "涉农补贴",
        "耕地地力保护补贴",
        "补贴政策",
        "补贴对象、补贴标准、申报程序",
        "《财政部 农业农村部关于印发〈农业相关转移支付资金管理办法〉的通知》",
        "信息形成或变更之日起20个工作日内",
        "区农业农村局",
        "政府网站、两微一端、便民服务站",
        "全社会",
        "主动",
        "县级、乡级",
    ],
    [
        "涉农补贴",
        "耕地地力保护补贴",
        "发放结果",
        "补贴对象、补贴面积、补贴金额",
        "同上",
        "发放后10个工作日内",
        "各镇（街道）",
        "社区/企事业单位/村公示栏(电子屏)、精准推送",
        "特定群体",
        "主动",
        "乡级",
    ],
];

async fn load_standards(store: &Store, actor: &Actor) -> Result<()> {
    if !store.standards().standard_entries(None).await?.is_empty() {
        return Ok(());
    }
    let header = [
        "领域",
        "一级事项",
        "二级事项",
        "公开内容（要素）",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
    ];
    let mut grid = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    grid.extend(
        STANDARDS
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect()),
    );
    let entries = gongkai_domain::standard::parse_grid(&grid, "")
        .map_err(|errors| anyhow::anyhow!("示范标准目录有误：{errors:?}"))?;
    store
        .standards()
        .import_standard_entries(actor, &entries)
        .await?;
    Ok(())
}

/// The demo's power items for the market regulation bureau: a food-business licence (five steps
/// with a correction loop) and a penalty with its discretion benchmark, both published through
/// the establishment and legal reviews.
async fn load_powers(store: &Store, actor: &Actor) -> Result<()> {
    let Some(unit) = store.find_unit_by_code("SJJ").await? else {
        return Ok(());
    };
    let power = store.power();
    let existing = power
        .items(&gongkai_store::power::ItemFilter {
            unit_id: Some(unit.id),
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    for content in [demo_licence(), demo_penalty()] {
        let errors = content.validate();
        if let Some(e) = errors.first() {
            anyhow::bail!("demo power item {} is invalid: {}", content.name, e.message);
        }
        let id = power
            .create_item(actor, &unit, "33019900", &content)
            .await?;
        power.submit(actor, id, 1).await?;
        power
            .review(actor, id, 1, ReviewStage::Establishment, true, "")
            .await?;
        power
            .review(actor, id, 1, ReviewStage::Legal, true, "")
            .await?;
    }
    Ok(())
}

fn step(key: &str, name: &str, actor: &str, limit: Limit, kind: StepKind) -> Step {
    Step {
        key: key.into(),
        name: name.into(),
        actor: actor.into(),
        limit,
        kind,
    }
}

fn tr(from: &str, to: &str, kind: TransitionKind) -> Transition {
    Transition {
        from: from.into(),
        to: to.into(),
        kind,
        label: String::new(),
    }
}

/// 食品经营许可: apply → accept → review → decide → deliver, with refusal and correction.
pub fn demo_licence() -> PowerContent {
    PowerContent {
        name: "食品经营许可".into(),
        category: Category::Licensing.code().into(),
        bases: vec![LegalBasis {
            law: "《中华人民共和国食品安全法》".into(),
            article: "第三十五条".into(),
            text: "国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，应当依法取得许可。".into(),
        }],
        implementing_body: "区市场监督管理局".into(),
        responsibilities: vec![
            "受理责任：公示申请条件和材料，一次性告知补正材料".into(),
            "审查责任：对申请材料进行审查，必要时现场核查".into(),
            "决定责任：作出准予或不予许可的决定".into(),
            "送达责任：制作并送达许可证".into(),
            "事后监管责任：开展监督检查".into(),
        ],
        accountability: vec![
            "对符合法定条件的申请不予受理的".into(),
            "对不符合法定条件的申请人准予许可的".into(),
            "违反法定程序实施行政许可的".into(),
        ],
        statutory_days: 20,
        promised_days: 10,
        fees: Vec::new(),
        at_service_center: true,
        guide: Some(Guide {
            conditions: "具有与经营的食品品种、数量相适应的经营场所和设施，有食品安全管理人员和保证食品安全的规章制度。".into(),
            materials: vec![
                Material { name: "食品经营许可申请书".into(), originals: 1, copies: 0, note: "可在窗口领取或网上下载".into() },
                Material { name: "营业执照".into(), originals: 0, copies: 1, note: String::new() },
                Material { name: "经营场所平面图".into(), originals: 1, copies: 0, note: String::new() },
            ],
            procedure: "申请、受理、审查、决定、送达。".into(),
            window: "区政务服务中心二楼市场监管窗口".into(),
            hours: "工作日 上午8:30-12:00，下午14:30-17:30".into(),
            consult_phone: "0571-88001012".into(),
            supervise_phone: "0571-12345".into(),
            online: true,
            visits: 1,
        }),
        flow: licence_example(),
        discretion: Vec::new(),
    }
}

/// 对未取得食品经营许可从事食品经营活动的行政处罚, with a two-tier benchmark.
pub fn demo_penalty() -> PowerContent {
    PowerContent {
        name: "对未取得食品经营许可从事食品经营活动的行政处罚".into(),
        category: Category::Penalty.code().into(),
        bases: vec![LegalBasis {
            law: "《中华人民共和国食品安全法》".into(),
            article: "第一百二十二条".into(),
            text: "违反本法规定，未取得食品生产经营许可从事食品生产经营活动……货值金额不足一万元的，并处五万元以上十万元以下罚款。".into(),
        }],
        implementing_body: "区市场监督管理局".into(),
        responsibilities: ["立案", "调查取证", "审理", "告知", "决定", "送达", "执行"]
            .iter()
            .map(|s| format!("{s}责任"))
            .collect(),
        accountability: vec!["没有法定依据实施行政处罚的".into(), "擅自改变处罚种类、幅度的".into()],
        statutory_days: 90,
        promised_days: 60,
        fees: Vec::new(),
        at_service_center: false,
        guide: None,
        flow: Flow {
            steps: vec![
                step("file", "立案", "执法人员", Limit::Days(5), StepKind::Task),
                step("investigate", "调查取证", "执法人员", Limit::Days(30), StepKind::Task),
                step("hear", "审理", "法制审核机构", Limit::Days(10), StepKind::Task),
                step("notify", "告知", "执法人员", Limit::Days(5), StepKind::Task),
                step("decide", "决定", "局负责人", Limit::Days(5), StepKind::Task),
                step("punished", "作出处罚决定", "", Limit::None, StepKind::End),
                step("dropped", "不予处罚", "", Limit::None, StepKind::End),
            ],
            transitions: vec![
                tr("file", "investigate", TransitionKind::Next),
                tr("investigate", "hear", TransitionKind::Next),
                tr("hear", "notify", TransitionKind::Next),
                tr("hear", "dropped", TransitionKind::Refuse),
                tr("notify", "decide", TransitionKind::Next),
                tr("decide", "punished", TransitionKind::Approve),
                tr("decide", "dropped", TransitionKind::Refuse),
            ],
        },
        discretion: vec![Violation {
            name: "未取得许可从事食品经营".into(),
            tiers: vec![
                Tier { circumstance: "货值金额不足一万元，初次违法".into(), min_fen: 5_000_000, max_fen: 7_000_000, measure: "没收违法所得和违法经营的食品".into() },
                Tier { circumstance: "货值金额不足一万元，再次违法或拒不改正".into(), min_fen: 7_000_000, max_fen: 10_000_000, measure: "没收违法所得和违法经营的食品、工具、设备".into() },
            ],
        }],
    }
}

/// The units' aliases, and the year's work plan confirmed (the office's picks for the points
/// that name no unit), one task done and one reported on.
async fn load_plan(store: &Store, actor: &Actor) -> Result<()> {
    let plans = store.plans();
    for (code, aliases) in ALIASES {
        let Some(unit) = store.find_unit_by_code(code).await? else {
            continue;
        };
        if plans.aliases(unit.id).await?.is_empty() {
            let list: Vec<String> = aliases.iter().map(|a| a.to_string()).collect();
            plans.set_aliases(actor, unit.id, &list).await?;
        }
    }
    if !plans.list().await?.is_empty() {
        return Ok(());
    }
    let reading = gongkai_web::plans::read(store, PLAN)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan = plans
        .create(
            actor,
            &reading.to_new(2026, "区政办全年政务公开工作计划.txt"),
        )
        .await?;
    let tasks = plans.tasks(plan.id).await?;
    let id_of = |n: i64| tasks.iter().find(|t| t.number == n).map(|t| t.id);
    let mut picks = Vec::new();
    // 十一 (区政府相关部门): the services bureau and the health commission; 十八 (no clause):
    // the openness office
    for (n, codes) in [(11, &["ZWJ", "WJW"][..]), (18, &["GKB"][..])] {
        for code in codes {
            if let (Some(t), Some(u)) = (id_of(n), store.find_unit_by_code(code).await?) {
                picks.push((t, u.id));
            }
        }
    }
    plans.confirm(actor, plan.id, &picks).await?;
    if let (Some(t9), Some(jyj)) = (id_of(9), store.find_unit_by_code("JYJ").await?) {
        plans
            .report(
                actor,
                t9,
                jyj.id,
                "已完成本局政府信息公开指南和目录的年度更新，主动公开信息按季度自查。",
                "/units/JYJ",
            )
            .await?;
    }
    if let Some(t12) = id_of(12) {
        plans
            .mark_done(actor, t12, "政务公开管理制度汇编已印发")
            .await?;
    }
    Ok(())
}

/// The demo's public finance, once: departments' budgets for 2025 and 2026 published (one
/// 2026 budget still a draft past its deadline, one unit with none), and villages' quarterly
/// postings (one village a quarter behind, one with none).
async fn load_finance(store: &Store, actor: &Actor) -> Result<()> {
    use gongkai_domain::finance::{Phase, sample};
    use gongkai_web::finance::{Input, Outcome};
    let f = store.finance();
    if !f
        .sets(&gongkai_store::finance::SetFilter {
            limit: 1,
            ..Default::default()
        })
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let rules = gongkai_domain::finance::Rules::default();
    let units = [
        ("CZJ", 30, 1, false),
        ("JYJ", 36, 2, true),
        ("MZJ", 24, 3, false),
        ("WJW", 28, 4, false),
        ("ZJJ", 26, 5, true),
        ("NYJ", 20, 6, false),
    ];
    for (code, leaves, seed, fund) in units {
        let Some(unit) = store.find_unit_by_code(code).await? else {
            continue;
        };
        for year in [2025, 2026] {
            if code == "NYJ" && year == 2026 {
                continue; // not yet imported: the oversight report shows it missing
            }
            let Some(book) = f.codes(year).await? else {
                continue;
            };
            let sheets = sample::budget(
                &book,
                &sample::Params {
                    unit: unit.name.clone(),
                    year,
                    leaves: leaves + (year as usize - 2025) * 2,
                    seed: seed * 100 + year as u64,
                    fund,
                },
            );
            let bytes = gongkai_web::finance::sample_xlsx(&sheets)?;
            let approved =
                chrono::NaiveDate::from_ymd_opt(year, 2, 10 + seed as u32).unwrap_or_default();
            let name = format!("{}{year}年部门预算公开表.xlsx", unit.name);
            let input = Input {
                unit_id: unit.id,
                year: i64::from(year),
                phase: Phase::Budget,
                approved_on: approved,
                file_name: &name,
                dry_run: false,
            };
            let Outcome::Passed(_, Some(id)) = gongkai_web::finance::import(
                store,
                &rules,
                actor,
                &input,
                &bytes,
                sample::grids(&sheets),
            )
            .await?
            else {
                anyhow::bail!("演示预算 {code} {year} 未通过检查");
            };
            let text: std::collections::BTreeMap<String, String> =
                gongkai_domain::finance::EXPLANATION
                    .iter()
                    .map(|(k, h)| (k.to_string(), demo_explanation(k, h, &unit.name, year)))
                    .collect();
            f.explain(actor, id, &text).await?;
            if code == "ZJJ" && year == 2026 {
                continue; // a draft past its 20 days
            }
            f.submit(actor, id).await?;
            let at = format!(
                "{}T02:00:00Z",
                approved + chrono::Duration::days(12 + seed as i64)
            );
            f.publish(actor, id, Some(&at)).await?;
        }
    }
    // last year's final accounts of four departments (approved in July, published within 20 days)
    for (code, leaves, seed, fund) in units.iter().take(4).copied() {
        let Some(unit) = store.find_unit_by_code(code).await? else {
            continue;
        };
        let Some(book) = f.codes(2025).await? else {
            continue;
        };
        let sheets = sample::final_accounts(
            &book,
            &sample::Params {
                unit: unit.name.clone(),
                year: 2025,
                leaves,
                seed: seed * 100 + 2025,
                fund,
            },
        );
        let bytes = gongkai_web::finance::sample_xlsx(&sheets)?;
        let approved =
            chrono::NaiveDate::from_ymd_opt(2026, 7, 20 + seed as u32).unwrap_or_default();
        let name = format!("{}2025年部门决算公开表.xlsx", unit.name);
        let input = Input {
            unit_id: unit.id,
            year: 2025,
            phase: Phase::Final,
            approved_on: approved,
            file_name: &name,
            dry_run: false,
        };
        let Outcome::Passed(_, Some(id)) = gongkai_web::finance::import(
            store,
            &rules,
            actor,
            &input,
            &bytes,
            sample::grids(&sheets),
        )
        .await?
        else {
            anyhow::bail!("演示决算 {code} 未通过检查");
        };
        let text: std::collections::BTreeMap<String, String> = gongkai_domain::finance::EXPLANATION
            .iter()
            .map(|(k, h)| {
                (
                    k.to_string(),
                    demo_explanation(k, h, &unit.name, 2025).replace("预算", "决算"),
                )
            })
            .collect();
        f.explain(actor, id, &text).await?;
        f.submit(actor, id).await?;
        let at = format!("{}T02:00:00Z", approved + chrono::Duration::days(8));
        f.publish(actor, id, Some(&at)).await?;
    }
    let postings: &[(&str, &[&str])] = &[
        ("QSZ-QSC", &["2026Q1", "2026Q2", "2026Q3"]),
        ("QSZ-XKC", &["2026Q1", "2026Q2"]),
        ("BYZ-BYC", &["2026Q2", "2026Q3"]),
    ];
    for (code, periods) in postings {
        let Some(unit) = store.find_unit_by_code(code).await? else {
            continue;
        };
        for key in *periods {
            let period = gongkai_domain::finance::village::Period::parse(key);
            let label = period.map(|p| p.label()).unwrap_or_default();
            let lines = demo_ledger(key);
            let id = f
                .save_posting(
                    actor,
                    &gongkai_store::finance::NewPosting {
                        unit_id: unit.id,
                        period,
                        matter: "finance",
                        title: &format!("{}{label}财务公开", unit.name.replace("村民委员会", "村")),
                        body: "本季度村集体经济组织财务收支情况如下，经村务监督委员会审核同意公开。如有疑问，请于公开之日起十日内向村务监督委员会反映。",
                        lines: &lines,
                    },
                )
                .await?;
            let day = period
                .map(|p| p.end() + chrono::Duration::days(3))
                .unwrap_or_default();
            f.review_posting(
                actor,
                id,
                &gongkai_domain::finance::village::Review {
                    members: vec!["韩建国".into(), "周秀兰".into(), "吴志强".into()],
                    opinion: "账目清楚，同意公开".into(),
                    day,
                },
            )
            .await?;
            f.post(actor, id).await?;
        }
    }
    if let Some(unit) = store.find_unit_by_code("BYZ-BYC").await? {
        let id = f
            .save_posting(
                actor,
                &gongkai_store::finance::NewPosting {
                    unit_id: unit.id,
                    period: None,
                    matter: "levy",
                    title: "白云村村内道路硬化一事一议筹资筹劳方案",
                    body: "经村民代表会议讨论通过，村内主干道硬化工程采取一事一议方式筹资筹劳：每户筹资200元或出工2个，财政奖补资金按规定申请，工程完工后公开决算。",
                    lines: &[],
                },
            )
            .await?;
        f.review_posting(
            actor,
            id,
            &gongkai_domain::finance::village::Review {
                members: vec!["李明".into(), "王芳".into()],
                opinion: "程序合规，同意公开".into(),
                day: chrono::NaiveDate::from_ymd_opt(2026, 9, 20).unwrap_or_default(),
            },
        )
        .await?;
        f.post(actor, id).await?;
    }
    Ok(())
}

fn demo_explanation(key: &str, heading: &str, unit: &str, year: i32) -> String {
    match key {
        "duties" => format!("{unit}贯彻落实区委、区政府决策部署，负责本领域政策执行、公共服务和行业管理等职责。"),
        "structure" => format!("{unit}内设办公室、综合科、业务科等职能科室，下属事业单位2个；纳入{year}年部门预算编制范围的单位共3个。"),
        "changes" => format!("{year}年收支总预算较上年略有增加，主要是人员经费按政策调整和重点项目支出增加。"),
        "running_costs" => format!("{year}年机关运行经费主要用于办公费、水电费、差旅费等，按照过紧日子要求压减一般性支出。"),
        "procurement" => format!("{year}年政府采购预算主要为办公设备购置和信息化运维服务，全部按规定程序采购。"),
        "assets" => format!("截至{}年底，{unit}共有车辆2辆，单价50万元以上通用设备0台。", year - 1),
        "three_public" => "“三公”经费预算与上年相比的增减及原因：按本单位公务用车实际数量核定运行维护费，严格控制公务接待和因公出国（境）活动；增加的主要是新增执法执勤车辆购置。".into(),
        _ => format!("{heading}。基本支出指为保障机构正常运转、完成日常工作任务而发生的人员经费和公用经费；项目支出指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。“三公”经费指因公出国（境）费、公务用车购置及运行费和公务接待费。"),
    }
}

fn demo_ledger(key: &str) -> Vec<gongkai_domain::finance::village::Line> {
    let q = key.bytes().last().map_or(1, |b| i64::from(b - b'0'));
    let line = |category: &str, item: &str, yuan: i64, note: &str| {
        gongkai_domain::finance::village::Line {
            category: category.into(),
            item: item.into(),
            fen: Some(yuan * 100),
            note: note.into(),
        }
    };
    vec![
        line("income", "土地承包费", 48_000 + q * 1_200, ""),
        line("income", "上级转移支付", 60_000, "村级组织运转经费"),
        line("expense", "村干部误工补贴", 36_000, ""),
        line("expense", "道路维修", 12_500 + q * 800, "一事一议"),
        line("expense", "办公费", 3_200, ""),
        line("assets", "银行存款余额", 215_000 + q * 5_000, ""),
        line("resources", "集体林地发包", 0, "共320亩，已发包280亩"),
        line("debts", "应付工程款", 18_000, "道路硬化工程尾款"),
    ]
}
