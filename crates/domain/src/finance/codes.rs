//! The yearly classification of government expenditure (政府收支分类科目) as data: functional
//! codes 类 (3 digits) / 款 (5) / 项 (7) starting with 2, economic codes 类 (3) / 款 (5)
//! starting with 3. Each year's list is loaded, never guessed: a code not in its year's list is
//! an error. The lists shipped for the demo years are in `data/finance/`; a district imports the
//! finance bureau's list for a new year (`gongkai finance codes import`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The classification lists shipped with gongkai (an excerpt for the demo years; see the file's
/// header).
pub const SHIPPED_YEARS: &[(i32, &str)] = &[
    (
        2025,
        include_str!("../../../../data/finance/codes-2026.csv"),
    ),
    (
        2026,
        include_str!("../../../../data/finance/codes-2026.csv"),
    ),
];

/// Which classification a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// 支出功能分类 (what the money is for).
    Functional,
    /// 支出经济分类 (what it buys).
    Economic,
}

impl CodeKind {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            CodeKind::Functional => "支出功能分类",
            CodeKind::Economic => "支出经济分类",
        }
    }

    /// The kind of a well-formed code, by its first digit.
    pub fn of(code: &str) -> Option<CodeKind> {
        if !matches!(code.len(), 3 | 5 | 7) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match code.as_bytes()[0] {
            b'2' => Some(CodeKind::Functional),
            b'3' if code.len() <= 5 => Some(CodeKind::Economic),
            _ => None,
        }
    }
}

/// The level of a code: 类, 款 or 项.
pub fn level_name(code: &str) -> &'static str {
    match code.len() {
        3 => "类",
        5 => "款",
        _ => "项",
    }
}

/// The code one level up (`2010101` → `20101` → `201`), or `None` for a 类.
pub fn parent(code: &str) -> Option<&str> {
    (code.len() > 3).then(|| &code[..code.len() - 2])
}

/// One year's list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeBook {
    /// The year.
    pub year: i32,
    /// Code → name.
    pub names: BTreeMap<String, String>,
}

impl CodeBook {
    /// The name of a code of the year, if it exists.
    pub fn name(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }

    /// The number of codes.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The shipped list of a year, if gongkai ships one (a test proves every shipped list reads).
pub fn shipped(year: i32) -> Option<CodeBook> {
    SHIPPED_YEARS
        .iter()
        .find(|(y, _)| *y == year)
        .and_then(|(y, text)| read(*y, &csv_grid(text)).ok())
}

/// Splits CSV text into rows of cells (quotes as in RFC 4180; lines starting with `#` are
/// comments).
pub fn csv_grid(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            rows.push(Vec::new());
            continue;
        }
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => cells.push(std::mem::take(&mut cell)),
                (c, _) => cell.push(c),
            }
        }
        cells.push(cell);
        rows.push(cells.into_iter().map(|c| c.trim().to_string()).collect());
    }
    rows
}

/// Reads a year's list from a grid (a CSV or the first sheet of an XLSX): the columns headed
/// 科目编码 and 科目名称 (found in the first ten rows), one code per row. Every problem is
/// reported with its row (1-based, as staff see it); nothing is returned unless all rows pass.
pub fn read(year: i32, grid: &[Vec<String>]) -> Result<CodeBook, Vec<String>> {
    let header = grid.iter().take(10).position(|r| {
        r.iter().any(|c| c.replace(' ', "") == "科目编码")
            && r.iter().any(|c| c.replace(' ', "") == "科目名称")
    });
    let Some(h) = header else {
        return Err(vec![
            "找不到表头：须有“科目编码”和“科目名称”两列（在前十行内）".into(),
        ]);
    };
    let col = |name: &str| grid[h].iter().position(|c| c.replace(' ', "") == name);
    let (ci, ni) = (col("科目编码").unwrap_or(0), col("科目名称").unwrap_or(1));
    let mut names = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, row) in grid.iter().enumerate().skip(h + 1) {
        let code = row.get(ci).map_or("", |c| c.trim());
        let name = row.get(ni).map_or("", |c| c.trim());
        if code.is_empty() && name.is_empty() {
            continue;
        }
        let line = i + 1;
        let code = code.trim_end_matches(".0");
        if CodeKind::of(code).is_none() {
            problems.push(format!(
                "第{line}行：科目编码“{code}”无效（功能分类以2开头、3/5/7位；经济分类以3开头、3/5位）"
            ));
            continue;
        }
        if name.is_empty() {
            problems.push(format!("第{line}行：科目 {code} 没有名称"));
            continue;
        }
        if names.insert(code.to_string(), name.to_string()).is_some() {
            problems.push(format!("第{line}行：科目编码 {code} 重复"));
        }
    }
    for code in names.keys() {
        if let Some(p) = parent(code)
            && !names.contains_key(p)
        {
            problems.push(format!(
                "科目 {code} 的上级科目 {p} 不在表中（每个款、项都须有其类、款）"
            ));
        }
    }
    if names.is_empty() && problems.is_empty() {
        problems.push("表中没有科目".into());
    }
    if problems.is_empty() {
        Ok(CodeBook { year, names })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_read_and_know_their_codes() {
        let b = shipped(2026).unwrap();
        assert_eq!(b.name("2010101"), Some("行政运行"));
        assert_eq!(b.name("30217"), Some("公务接待费"));
        assert!(b.name("2019998").is_none());
        assert!(shipped(2019).is_none());
        for (y, text) in SHIPPED_YEARS {
            assert!(read(*y, &csv_grid(text)).is_ok(), "{y}");
        }
    }

    #[test]
    fn kinds_and_parents() {
        assert_eq!(CodeKind::of("2010101"), Some(CodeKind::Functional));
        assert_eq!(CodeKind::of("30101"), Some(CodeKind::Economic));
        assert_eq!(CodeKind::of("3010101"), None);
        assert_eq!(CodeKind::of("20101a"), None);
        assert_eq!(parent("2010101"), Some("20101"));
        assert_eq!(parent("201"), None);
    }

    #[test]
    fn a_bad_list_is_refused_with_its_rows() {
        let grid = csv_grid(
            "科目编码,科目名称\n201,一般公共服务支出\n20101,人大事务\n2010101,\n2050101,行政运行\n20101,重复\nabc,错\n",
        );
        let e = read(2027, &grid).unwrap_err();
        assert!(
            e.iter()
                .any(|p| p.contains("第4行") && p.contains("没有名称")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|p| p.contains("第6行") && p.contains("重复")),
            "{e:?}"
        );
        assert!(e.iter().any(|p| p.contains("第7行")), "{e:?}");
        assert!(e.iter().any(|p| p.contains("20501")), "{e:?}");
    }
}
