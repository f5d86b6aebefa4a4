//! `gongkai staff add`: creates a staff account; the password is read from standard input.

use crate::*;

/// Runs the command.
pub(crate) async fn add(
    file: config::FileConfig,
    data: DataArgs,
    unit: String,
    role: String,
    username: String,
    name: String,
) -> Result<ExitCode> {
    let role = Role::from_code(&role).ok_or_else(|| usage(format!("未知角色（unknown role）：{role}；可用：admin, openness_office, editor, reviewer, leader, case_handler")))?;
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("无法从标准输入读取密码")?;
    let password = password.trim_end_matches(['\r', '\n']);
    gongkai_domain::org::check_password_strength(password).map_err(usage)?;
    let (store, _) = open_store(file, &data).await?;
    let unit = store
        .find_unit_by_code(&unit)
        .await?
        .ok_or_else(|| usage(format!("单位代码不存在（no such unit）：{unit}")))?;
    let hash =
        gongkai_work::secrets::hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let staff = store
        .create_staff(
            &Actor::system("cli"),
            &gongkai_store::org::NewStaff {
                unit_id: unit.id,
                username,
                display_name: name,
                role,
                password_hash: hash,
            },
        )
        .await?;
    println!(
        "已创建账号 {}（{}，{}）",
        staff.username,
        role.label(),
        unit.name
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
