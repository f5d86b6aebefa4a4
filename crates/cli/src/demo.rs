//! The demo district: a realistic set of units and one account per role, loaded idempotently.

use anyhow::Result;
use gongkai_domain::access::Role;
use gongkai_domain::ids::uscc_check_char;
use gongkai_domain::org::{NewUnit, UnitType, validate_unit};
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
];

/// (username, display name, role, unit code).
pub const ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("admin", "系统管理员", Role::Admin, "GOV"),
    ("gkb", "王公开", Role::OpennessOffice, "GKB"),
    ("jyj_editor", "李编辑", Role::Editor, "JYJ"),
    ("jyj_reviewer", "张审核", Role::Reviewer, "JYJ"),
    ("jyj_leader", "陈局长", Role::Leader, "JYJ"),
    ("jyj_handler", "刘办件", Role::CaseHandler, "JYJ"),
    ("mzj_editor", "赵编辑", Role::Editor, "MZJ"),
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
    store.ensure_standard_catalog(&actor).await?;
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
    let hash =
        gongkai_web::auth::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
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

/// How many published items the demo district gets.
pub const DEMO_ITEMS: usize = 360;

/// Publishes the demo's items (generated realistic texts) once.
async fn load_items(store: &Store, actor: &Actor, count: usize) -> Result<()> {
    if count == 0 || store.list_published(None, None, 1, 0).await?.0 > 0 {
        return Ok(());
    }
    let rows = crate::corpus::items(count, 7)
        .enumerate()
        .map(|(i, v)| {
            (
                i + 1,
                serde_json::from_value::<crate::import::Row>(v).map_err(|e| e.to_string()),
            )
        })
        .collect();
    let dir = std::env::temp_dir();
    let outcome =
        crate::import::import_rows(store, &dir, &dir, rows, false, actor, |_, _| {}).await?;
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
