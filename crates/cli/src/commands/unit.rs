//! `gongkai unit add`: creates a unit (the district government first).

use crate::*;

/// Runs the command.
pub(crate) async fn add(
    file: config::FileConfig,
    data: DataArgs,
    code: String,
    name: String,
    unit_type: String,
    parent: Option<String>,
    uscc: Option<String>,
) -> Result<ExitCode> {
    let kind = gongkai_domain::org::UnitType::from_code(&unit_type)
        .ok_or_else(|| usage(format!("未知单位类型（unknown type）：{unit_type}；可用：district, department, town, street, village, community")))?;
    let (store, _) = open_store(file, &data).await?;
    let parent = match parent {
        Some(p) => Some(
            store
                .find_unit_by_code(&p)
                .await?
                .ok_or_else(|| usage(format!("上级单位代码不存在（no such unit）：{p}")))?,
        ),
        None => None,
    };
    let new = gongkai_domain::org::NewUnit {
        name,
        unit_type: kind,
        code,
        uscc: uscc.map(|u| u.to_uppercase()),
    };
    gongkai_domain::org::validate_unit(&new, parent.as_ref().map(|p| p.unit_type))
        .map_err(|e| usage(e.to_string()))?;
    let unit = store
        .create_unit(&Actor::system("cli"), parent.map(|p| p.id), &new)
        .await?;
    println!(
        "已创建单位 {}（{}，代码 {}）",
        unit.name,
        kind.label(),
        unit.code
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
