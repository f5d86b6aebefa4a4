//! The year's work plan (政务公开工作要点) read as tasks.
//!
//! A plan is written the way district offices write them: a title, a preamble, then numbered
//! points 一、二、… each with a heading and a body that ends in "(以上工作由…负责)". [`parse`]
//! reads such a text (already in Simplified characters: the caller folds Traditional ones) into
//! its points, reports what it ignored around them (a site's preface, a page-break marker, a
//! trailing line of spam), and splits each responsibility clause into [`Party`] phrases.
//! [`resolve`] then matches the phrases against the unit tree: named units through their names
//! and aliases, collective phrases (各镇, 各街道, 区直各部门, …) to every unit of that kind. A
//! phrase that matches no unit, or more than one, is reported, never guessed; "相关" asks the
//! office to pick the units.

use crate::org::UnitType;
use serde::Serialize;

/// What is wrong with a plan as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No numbered point was found.
    #[error("未找到编号的工作要点：计划应以“一、”“二、”……逐条编号，每条以“(以上工作由…负责)”结尾")]
    NoPoints,
    /// The text is empty.
    #[error("计划文件没有文字内容")]
    Empty,
}

/// A plan as read from its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The title (the first line).
    pub title: String,
    /// The text before the first point, in the paragraph that leads into it.
    pub preamble: String,
    /// The numbered points, in order.
    pub points: Vec<Point>,
    /// Text that is not part of the plan and was left out (a site's preface, page-break markers,
    /// trailing lines), each as found.
    pub ignored: Vec<String>,
}

/// One numbered point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Point {
    /// 1, 2, …
    pub number: u32,
    /// The heading (the words after "一、" up to the first break).
    pub heading: String,
    /// The body, without its responsibility clause.
    pub body: String,
    /// The words between "以上工作由" and "负责", when the point has the clause.
    pub responsibility: Option<String>,
    /// The phrases of the clause.
    pub parties: Vec<Party>,
}

/// One phrase of a responsibility clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "phrase", rename_all = "snake_case")]
pub enum Party {
    /// A unit by its name or an alias ("区政务公开办", "审计局").
    Named(String),
    /// Every unit of a kind ("各镇", "各街道", "区直各部门").
    AllOf(UnitType),
    /// "区直相关部门", "区政府相关部门": the office picks the units.
    Related(String),
    /// "有执法权限的区直各部门": the departments holding penalty powers on the power list.
    WithPenaltyPowers,
    /// "各窗口单位": the units holding licensing powers (their services have a window).
    WindowUnits,
    /// "区直设有下属机构的部门": the departments with units under them.
    WithSubUnits,
}

impl Party {
    /// The phrase as a person reads it.
    pub fn label(&self) -> String {
        match self {
            Party::Named(p) | Party::Related(p) => p.clone(),
            Party::AllOf(UnitType::Town) => "各镇".into(),
            Party::AllOf(UnitType::Street) => "各街道".into(),
            Party::AllOf(UnitType::Department) => "区直各部门".into(),
            Party::AllOf(t) => format!("各{}", t.label()),
            Party::WithPenaltyPowers => "有执法权限的区直各部门".into(),
            Party::WindowUnits => "各窗口单位".into(),
            Party::WithSubUnits => "区直设有下属机构的部门".into(),
        }
    }
}

const NUMERALS: [&str; 30] = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
    "二十一",
    "二十二",
    "二十三",
    "二十四",
    "二十五",
    "二十六",
    "二十七",
    "二十八",
    "二十九",
    "三十",
];

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}'
}

/// Where point `n` (1-based) starts at or after byte `from`: its numeral followed by "、" at
/// the start of the text or of a line, or after a space or the end of a sentence or clause, and
/// not preceded by another numeral character (so "十一、" is not read as "一、").
fn find_point(text: &str, n: usize, from: usize) -> Option<(usize, usize)> {
    let marker = format!("{}、", NUMERALS.get(n - 1)?);
    let mut at = from;
    while let Some(i) = text[at..].find(&marker) {
        let start = at + i;
        let before = text[..start].chars().next_back();
        let ok = match before {
            None => true,
            Some(c) => {
                is_space(c) || matches!(c, '。' | ')' | '）' | '；' | ';' | '：' | ':' | '>')
            }
        };
        if ok {
            return Some((start, start + marker.len()));
        }
        at = start + marker.len();
    }
    None
}

/// Reads a plan (Simplified text). Errors only when there is nothing to read as points; what
/// is odd about single points is left for [`resolve`] and the office to see.
pub fn parse(text: &str) -> Result<Plan, PlanError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.trim_matches(is_space).is_empty() {
        return Err(PlanError::Empty);
    }
    let mut ignored = Vec::new();
    // page-break markers some sites put inside a text ("#p#分页标题#e#")
    let mut clean = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("#p#") {
        match rest[i..].find("#e#") {
            Some(j) => {
                clean.push_str(&rest[..i]);
                ignored.push(rest[i..i + j + 3].to_string());
                rest = &rest[i + j + 3..];
            }
            None => break,
        }
    }
    clean.push_str(rest);
    let text = clean;
    // the points: 一、 then 二、 … each found after the previous one
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some((s, e)) = find_point(&text, starts.len() + 1, from) {
        starts.push((s, e));
        from = e;
    }
    if starts.is_empty() {
        return Err(PlanError::NoPoints);
    }
    // title, preface and preamble: the first line is the title; the paragraph that leads into
    // 一、 is the preamble; paragraphs between them are not part of the plan
    let head = &text[..starts[0].0];
    let mut lines = head.split('\n').map(|l| l.trim_matches(is_space));
    let title = lines
        .by_ref()
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string();
    let after_title: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    let (preamble, preface) = match after_title.split_last() {
        Some((last, before)) => (last.to_string(), before.to_vec()),
        None => (String::new(), Vec::new()),
    };
    ignored.extend(preface.into_iter().map(str::to_string));
    let mut points = Vec::new();
    for (k, &(_, body_start)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(text.len(), |&(s, _)| s);
        let chunk = &text[body_start..end];
        let (heading, after_heading) = split_heading(chunk);
        let (body, responsibility, trailing) = split_clause(after_heading);
        if let Some(t) = trailing {
            ignored.push(t);
        }
        let parties = responsibility
            .as_deref()
            .map(parse_parties)
            .unwrap_or_default();
        points.push(Point {
            number: u32::try_from(k + 1).unwrap_or(u32::MAX),
            heading,
            body,
            responsibility,
            parties,
        });
    }
    Ok(Plan {
        title,
        preamble,
        points,
        ignored,
    })
}

/// The heading runs to the first line break, run of two spaces, or full stop.
fn split_heading(chunk: &str) -> (String, &str) {
    let chunk = chunk.trim_start_matches(is_space);
    let mut prev_space = false;
    for (i, c) in chunk.char_indices() {
        if c == '\n' || c == '。' || (is_space(c) && prev_space) {
            let cut = if c == '。' { i + c.len_utf8() } else { i };
            let heading = chunk[..cut].trim_matches(is_space).trim_end_matches('。');
            return (heading.to_string(), &chunk[cut..]);
        }
        prev_space = is_space(c);
    }
    (chunk.trim_matches(is_space).to_string(), "")
}

/// Splits a point's text after its heading into its body, the words of its responsibility
/// clause, and what follows the clause when that is more than spacing (or, without a clause,
/// paragraphs after a blank line: text that does not belong to the point).
fn split_clause(text: &str) -> (String, Option<String>, Option<String>) {
    let tidy = |s: &str| s.trim_matches(is_space).to_string();
    for open in ["(以上工作由", "（以上工作由"] {
        let Some(i) = text.rfind(open) else { continue };
        let inner_start = i + open.len();
        let Some(j) = text[inner_start..].find("负责") else {
            continue;
        };
        let words = &text[inner_start..inner_start + j];
        let mut after = &text[inner_start + j + "负责".len()..];
        after = after
            .strip_prefix(')')
            .or_else(|| after.strip_prefix('）'))
            .unwrap_or(after);
        let trailing = after.trim_matches(is_space);
        return (
            tidy(&text[..i]),
            Some(words.trim_matches(is_space).to_string()),
            (!trailing.is_empty()).then(|| trailing.to_string()),
        );
    }
    // no clause: the point ends at its first blank line
    match text.trim_start_matches(is_space).find("\n\n") {
        Some(k) => {
            let text = text.trim_start_matches(is_space);
            let rest = tidy(&text[k..]);
            (tidy(&text[..k]), None, (!rest.is_empty()).then_some(rest))
        }
        None => (tidy(text), None, None),
    }
}

/// Splits the words of a clause ("区政务公开办、各镇、各街道,区直相关部门") into phrases.
pub fn parse_parties(words: &str) -> Vec<Party> {
    let mut out = Vec::new();
    // "区(镇)财政部门": the district's department and each town's
    let words = words.replace("（", "(").replace("）", ")");
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in words.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c);
            }
            ')' => {
                depth -= 1;
                cur.push(c);
            }
            '、' | ',' | '，' | ';' | '；' if depth == 0 => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    for part in parts {
        let p = part.trim_matches(is_space);
        if p.is_empty() {
            continue;
        }
        if let Some(rest) = p.strip_prefix("区(镇)") {
            out.push(Party::Named(format!("区{rest}")));
            out.push(Party::AllOf(UnitType::Town));
            continue;
        }
        let party = match p {
            "各镇" | "各乡镇" => Party::AllOf(UnitType::Town),
            "各街道" | "各街道办事处" => Party::AllOf(UnitType::Street),
            "区直各部门" | "区直各单位" | "区政府各部门" => {
                Party::AllOf(UnitType::Department)
            }
            "有执法权限的区直各部门" | "有执法权的区直各部门" => {
                Party::WithPenaltyPowers
            }
            "各窗口单位" => Party::WindowUnits,
            "区直设有下属机构的部门" => Party::WithSubUnits,
            p if p.contains("相关") => Party::Related(p.to_string()),
            p => Party::Named(p.to_string()),
        };
        if !out.contains(&party) {
            out.push(party);
        }
    }
    out
}

/// A unit as the resolver sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    /// Id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Other names it is known by ("区编办").
    pub aliases: Vec<String>,
    /// Kind.
    pub unit_type: UnitType,
}

/// What the unit tree and the power list say about the collective phrases.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// Every unit.
    pub units: Vec<UnitRef>,
    /// Units holding penalty powers.
    pub with_penalty_powers: Vec<i64>,
    /// Units holding licensing powers.
    pub window_units: Vec<i64>,
    /// Departments with units under them.
    pub with_sub_units: Vec<i64>,
}

/// How one phrase resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Resolution {
    /// The units it stands for.
    Units {
        /// Their ids.
        ids: Vec<i64>,
    },
    /// "相关": the office picks.
    Pick,
    /// A collective phrase that stands for no unit today.
    Nobody,
    /// No unit has this name or alias.
    Unknown,
    /// More than one unit matches: the candidates.
    Ambiguous {
        /// Their ids.
        ids: Vec<i64>,
    },
}

/// Matches a unit phrase against names and aliases: an exact name or alias; else the one unit
/// whose name or alias contains the phrase ("审计局" in "区审计局"); else, for "…部门", the one
/// unit whose name starts with the rest ("区财政部门" → "区财政局"). Several candidates are
/// ambiguous, never a guess.
pub fn match_unit(phrase: &str, units: &[UnitRef]) -> Resolution {
    let exact: Vec<i64> = units
        .iter()
        .filter(|u| u.name == phrase || u.aliases.iter().any(|a| a == phrase))
        .map(|u| u.id)
        .collect();
    if !exact.is_empty() {
        return one_or_ambiguous(exact);
    }
    let containing: Vec<i64> = units
        .iter()
        .filter(|u| u.name.contains(phrase) || u.aliases.iter().any(|a| a.contains(phrase)))
        .map(|u| u.id)
        .collect();
    if !containing.is_empty() {
        return one_or_ambiguous(containing);
    }
    if let Some(core) = phrase
        .strip_suffix("部门")
        .filter(|c| c.chars().count() >= 2)
    {
        let starting: Vec<i64> = units
            .iter()
            .filter(|u| {
                u.unit_type == UnitType::Department
                    && (u.name.starts_with(core) || u.aliases.iter().any(|a| a.starts_with(core)))
            })
            .map(|u| u.id)
            .collect();
        if !starting.is_empty() {
            return one_or_ambiguous(starting);
        }
    }
    Resolution::Unknown
}

fn one_or_ambiguous(ids: Vec<i64>) -> Resolution {
    if ids.len() == 1 {
        Resolution::Units { ids }
    } else {
        Resolution::Ambiguous { ids }
    }
}

/// Resolves one phrase.
pub fn resolve(party: &Party, tree: &Tree) -> Resolution {
    let of = |ids: Vec<i64>| {
        if ids.is_empty() {
            Resolution::Nobody
        } else {
            Resolution::Units { ids }
        }
    };
    match party {
        Party::Named(p) => match_unit(p, &tree.units),
        Party::AllOf(t) => of(tree
            .units
            .iter()
            .filter(|u| u.unit_type == *t)
            .map(|u| u.id)
            .collect()),
        Party::Related(_) => Resolution::Pick,
        Party::WithPenaltyPowers => of(tree.with_penalty_powers.clone()),
        Party::WindowUnits => of(tree.window_units.clone()),
        Party::WithSubUnits => of(tree.with_sub_units.clone()),
    }
}

/// A point with its phrases resolved: the units found and what the office must settle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedPoint {
    /// 1, 2, …
    pub number: u32,
    /// Heading.
    pub heading: String,
    /// The clause's words.
    pub responsibility: Option<String>,
    /// The units, each once.
    pub units: Vec<ResolvedUnit>,
    /// What the office must settle, in words.
    pub problems: Vec<String>,
}

/// A unit a point resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedUnit {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The phrase it came from.
    pub phrase: String,
}

/// Resolves every phrase of a point, collecting the units and, in words, each phrase that
/// named nobody, several units, or asks the office to pick.
pub fn resolve_point(point: &Point, tree: &Tree) -> ResolvedPoint {
    let name = |id: i64| {
        tree.units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    let mut units: Vec<ResolvedUnit> = Vec::new();
    let mut problems = Vec::new();
    if point.responsibility.is_none() {
        problems.push("没有“(以上工作由…负责)”，请指定负责单位".to_string());
    }
    for party in &point.parties {
        let label = party.label();
        match resolve(party, tree) {
            Resolution::Units { ids } => {
                for id in ids {
                    if !units.iter().any(|u| u.id == id) {
                        units.push(ResolvedUnit {
                            id,
                            name: name(id),
                            phrase: label.clone(),
                        });
                    }
                }
            }
            Resolution::Pick => problems.push(format!("“{label}”：请选择相关单位")),
            Resolution::Nobody => problems.push(format!("“{label}”目前没有对应的单位")),
            Resolution::Unknown => {
                problems.push(format!("“{label}”不是已登记单位的名称或别称，未予匹配"))
            }
            Resolution::Ambiguous { ids } => {
                let names: Vec<String> = ids.into_iter().map(name).collect();
                problems.push(format!(
                    "“{label}”对应多个单位（{}），请指定",
                    names.join("、")
                ))
            }
        }
    }
    ResolvedPoint {
        number: point.number,
        heading: point.heading.clone(),
        responsibility: point.responsibility.clone(),
        units,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_headings_clauses_and_noise() {
        let text = "区政府办全年政务公开工作计划\n\n前言:寻找写作灵感?欢迎阅读。\n\n为促进建设,特制定要点。   一、健全机制   建立机制。(以上工作由区政务公开办、各镇,区直相关部门负责)   二、深化公开#p#分页标题#e#   公开预算。(以上工作由区(镇)财政部门、审计局负责)   十一、不是第三点   三、加强队伍   提升能力。\n\n亚洲精品一二三区";
        let plan = parse(text).unwrap();
        assert_eq!(plan.title, "区政府办全年政务公开工作计划");
        assert_eq!(plan.preamble, "为促进建设,特制定要点。");
        assert_eq!(plan.points.len(), 3);
        let p1 = &plan.points[0];
        assert_eq!(
            (p1.heading.as_str(), p1.body.as_str()),
            ("健全机制", "建立机制。")
        );
        assert_eq!(
            p1.parties,
            vec![
                Party::Named("区政务公开办".into()),
                Party::AllOf(UnitType::Town),
                Party::Related("区直相关部门".into())
            ]
        );
        let p2 = &plan.points[1];
        assert_eq!(p2.heading, "深化公开");
        assert_eq!(
            p2.parties,
            vec![
                Party::Named("区财政部门".into()),
                Party::AllOf(UnitType::Town),
                Party::Named("审计局".into())
            ]
        );
        // a "十一、" that is not the next number stays in the text around it
        assert!(plan.ignored.iter().any(|t| t.contains("十一、不是第三点")));
        let p3 = &plan.points[2];
        assert_eq!(
            (p3.heading.as_str(), p3.body.as_str()),
            ("加强队伍", "提升能力。")
        );
        assert_eq!(p3.responsibility, None);
        assert!(
            plan.ignored
                .contains(&"前言:寻找写作灵感?欢迎阅读。".to_string())
        );
        assert!(plan.ignored.contains(&"#p#分页标题#e#".to_string()));
        assert!(plan.ignored.contains(&"亚洲精品一二三区".to_string()));
    }

    #[test]
    fn a_text_without_points_is_refused() {
        assert_eq!(
            parse("通知\n\n请各单位认真落实。"),
            Err(PlanError::NoPoints)
        );
        assert_eq!(parse(" \n "), Err(PlanError::Empty));
    }

    #[test]
    fn names_and_aliases_match_once_or_are_reported() {
        let u = |id, name: &str, aliases: &[&str], t| UnitRef {
            id,
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            unit_type: t,
        };
        let units = vec![
            u(1, "区政务公开办公室", &[], UnitType::Department),
            u(
                2,
                "区委机构编制委员会办公室",
                &["区编办"],
                UnitType::Department,
            ),
            u(3, "区财政局", &[], UnitType::Department),
            u(4, "区审计局", &[], UnitType::Department),
            u(5, "青山镇人民政府", &[], UnitType::Town),
            u(6, "白云镇人民政府", &[], UnitType::Town),
        ];
        let ids = |v: &[i64]| Resolution::Units { ids: v.to_vec() };
        assert_eq!(match_unit("区政务公开办", &units), ids(&[1]));
        assert_eq!(match_unit("区编办", &units), ids(&[2]));
        assert_eq!(match_unit("审计局", &units), ids(&[4]));
        assert_eq!(match_unit("区财政部门", &units), ids(&[3]));
        assert_eq!(match_unit("区监察局", &units), Resolution::Unknown);
        assert_eq!(
            match_unit("镇人民政府", &units),
            Resolution::Ambiguous { ids: vec![5, 6] }
        );
        let tree = Tree {
            units,
            ..Tree::default()
        };
        assert_eq!(resolve(&Party::AllOf(UnitType::Town), &tree), ids(&[5, 6]));
        assert_eq!(
            resolve(&Party::AllOf(UnitType::Street), &tree),
            Resolution::Nobody
        );
        assert_eq!(
            resolve(&Party::Related("区直相关部门".into()), &tree),
            Resolution::Pick
        );
        assert_eq!(
            resolve(&Party::WithPenaltyPowers, &tree),
            Resolution::Nobody
        );
    }
}
