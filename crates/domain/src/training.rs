//! Training of the units' openness staff and the towns' and streets' service centers (work
//! plan §2, §16, §18): who sent no one to a session, and whether a center is named the way the
//! province requires: the administrative area's name followed by "为民服务中心".

/// The administrative area a town or street government stands for: its name without
/// "人民政府" or "办事处" ("青山镇人民政府" → "青山镇", "东城街道办事处" → "东城街道").
pub fn area_name(unit_name: &str) -> &str {
    unit_name
        .strip_suffix("人民政府")
        .or_else(|| unit_name.strip_suffix("办事处"))
        .unwrap_or(unit_name)
}

/// The name a town's or street's service center must carry.
pub fn center_name(unit_name: &str) -> String {
    format!("{}为民服务中心", area_name(unit_name))
}

/// Checks a service center's name: `None` when it follows "行政区域名称+为民服务中心", else
/// what is wrong, in words.
pub fn check_center_name(unit_name: &str, name: &str) -> Option<String> {
    let want = center_name(unit_name);
    let name = name.trim();
    if name == want {
        None
    } else if name.is_empty() {
        Some(format!("未登记服务中心名称，应为“{want}”"))
    } else {
        Some(format!(
            "名称“{name}”不规范，应为“{want}”（行政区域名称+为民服务中心）"
        ))
    }
}

/// Checks a training session's fields; the message says what is wrong.
pub fn check_training(title: &str, held_on: Option<chrono::NaiveDate>) -> Result<(), String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err("请填写培训名称（不超过200字）".into());
    }
    if held_on.is_none() {
        return Err("请按“2026-12-01”的格式填写培训日期".into());
    }
    Ok(())
}

/// Checks a participant's name and post.
pub fn check_participant(name: &str, post: &str) -> Result<(), String> {
    let n = name.trim().chars().count();
    if n == 0 || n > 50 {
        return Err("请填写参训人员姓名（不超过50字）".into());
    }
    if post.trim().chars().count() > 100 {
        return Err("职务过长（不超过100字）".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centers_are_named_after_their_area() {
        assert_eq!(center_name("青山镇人民政府"), "青山镇为民服务中心");
        assert_eq!(center_name("东城街道办事处"), "东城街道为民服务中心");
        assert_eq!(
            check_center_name("青山镇人民政府", "青山镇为民服务中心"),
            None
        );
        assert!(
            check_center_name("青山镇人民政府", "青山镇便民服务中心")
                .unwrap()
                .contains("应为“青山镇为民服务中心”")
        );
        assert!(
            check_center_name("西城街道办事处", "")
                .unwrap()
                .starts_with("未登记")
        );
    }

    #[test]
    fn sessions_and_participants_are_checked() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 1);
        assert!(check_training("政务公开业务培训", d).is_ok());
        assert!(check_training("", d).is_err());
        assert!(check_training("培训", None).unwrap_err().contains("格式"));
        assert!(check_participant("张三", "科员").is_ok());
        assert!(check_participant(" ", "").is_err());
    }
}
