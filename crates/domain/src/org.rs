//! Units of the district (单位) and the rules for a valid unit record.

use crate::ids::{UsccError, validate_uscc};
use serde::{Deserialize, Serialize};

/// The kind of a unit in the district tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitType {
    /// 区人民政府: the root of the tree.
    District,
    /// 区直部门.
    Department,
    /// 镇.
    Town,
    /// 街道.
    Street,
    /// 村.
    Village,
    /// 社区.
    Community,
}

impl UnitType {
    /// Every unit type.
    pub const ALL: [UnitType; 6] = [
        UnitType::District,
        UnitType::Department,
        UnitType::Town,
        UnitType::Street,
        UnitType::Village,
        UnitType::Community,
    ];

    /// The code used in storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            UnitType::District => "district",
            UnitType::Department => "department",
            UnitType::Town => "town",
            UnitType::Street => "street",
            UnitType::Village => "village",
            UnitType::Community => "community",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            UnitType::District => "区人民政府",
            UnitType::Department => "区直部门",
            UnitType::Town => "镇",
            UnitType::Street => "街道",
            UnitType::Village => "村",
            UnitType::Community => "社区",
        }
    }

    /// Parses a type code.
    pub fn from_code(code: &str) -> Option<UnitType> {
        UnitType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Whether a unit of this type may sit under a parent of type `parent` (`None`: the root).
    pub fn may_be_under(self, parent: Option<UnitType>) -> bool {
        matches!(
            (self, parent),
            (UnitType::District, None)
                | (
                    UnitType::Department | UnitType::Town | UnitType::Street,
                    Some(UnitType::District)
                )
                | (UnitType::Village, Some(UnitType::Town))
                | (UnitType::Community, Some(UnitType::Town | UnitType::Street))
        )
    }
}

/// A unit as submitted for creation, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// Full name, e.g. 区教育局.
    pub name: String,
    /// Its kind.
    pub unit_type: UnitType,
    /// Short code, unique in the district, used in index numbers (letters, digits, `-`).
    pub code: String,
    /// Optional unified social credit code.
    pub uscc: Option<String>,
}

/// Why a unit record is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// The name is empty or too long.
    #[error("单位名称不能为空，且不超过60个字")]
    Name,
    /// The code is empty, too long or has other characters.
    #[error("单位代码须为1-32位字母、数字或“-”")]
    Code,
    /// The unified social credit code is invalid.
    #[error(transparent)]
    Uscc(#[from] UsccError),
    /// The unit type cannot sit under that parent.
    #[error("{child}不能设在{parent}之下")]
    Placement {
        /// The child type label.
        child: &'static str,
        /// The parent type label (or 顶层).
        parent: &'static str,
    },
}

/// Validates a new unit against its parent's type.
pub fn validate_unit(unit: &NewUnit, parent: Option<UnitType>) -> Result<(), UnitError> {
    let name_len = unit.name.trim().chars().count();
    if name_len == 0 || name_len > 60 {
        return Err(UnitError::Name);
    }
    let code_ok = !unit.code.is_empty()
        && unit.code.len() <= 32
        && unit
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !code_ok {
        return Err(UnitError::Code);
    }
    if let Some(uscc) = &unit.uscc {
        validate_uscc(uscc)?;
    }
    if !unit.unit_type.may_be_under(parent) {
        return Err(UnitError::Placement {
            child: unit.unit_type.label(),
            parent: parent.map_or("顶层", UnitType::label),
        });
    }
    Ok(())
}

/// The rules a new password must meet; `Err` says which one failed, in Chinese.
pub fn check_password_strength(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err("密码至少10位".into());
    }
    if n > 128 {
        return Err("密码不超过128位".into());
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err("密码须包含大写字母、小写字母、数字、符号中的至少三类".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, t: UnitType, code: &str, uscc: Option<&str>) -> NewUnit {
        NewUnit {
            name: name.into(),
            unit_type: t,
            code: code.into(),
            uscc: uscc.map(Into::into),
        }
    }

    #[test]
    fn unit_validation_table() {
        use UnitType::*;
        let cases: Vec<(NewUnit, Option<UnitType>, bool)> = vec![
            (unit("某区人民政府", District, "GOV", None), None, true),
            (
                unit("区教育局", Department, "JYJ", Some("91350100M000100Y43")),
                Some(District),
                true,
            ),
            (
                unit("区教育局", Department, "JYJ", Some("91350100M000100Y44")),
                Some(District),
                false,
            ),
            (unit("", Department, "X", None), Some(District), false),
            (
                unit("区教育局", Department, "教育", None),
                Some(District),
                false,
            ),
            (unit("东村", Village, "V1", None), Some(Town), true),
            (unit("东村", Village, "V1", None), Some(Street), false),
            (unit("阳光社区", Community, "C1", None), Some(Street), true),
            (unit("区教育局", Department, "JYJ", None), None, false),
        ];
        for (u, parent, ok) in cases {
            assert_eq!(
                validate_unit(&u, parent).is_ok(),
                ok,
                "{u:?} under {parent:?}"
            );
        }
    }
}
