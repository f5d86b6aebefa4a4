//! Public consultation on drafts (意见征集; DOMAIN.md §5: generally at least 30 days): the period
//! rule, drafts as paragraphs, and how a revised draft's paragraphs correspond to the previous
//! version's, so comments made on a paragraph stay attached to it (or are known to refer to
//! text since removed). Comments point at a paragraph's stable key, not its position: revising
//! a draft never rewrites its comments. Pure rules.

use crate::message::similarity;
use chrono::NaiveDate;

/// The shortest period without a stated reason, in calendar days (start and end included).
pub const MIN_DAYS: i64 = 30;

/// Checks a consultation period: the end not before the start, and at least [`MIN_DAYS`] days
/// unless a reason for the shorter period is given (it is shown publicly). Gives the length.
pub fn check_period(start: NaiveDate, end: NaiveDate, short_reason: &str) -> Result<i64, String> {
    if end < start {
        return Err("截止日期不能早于开始日期".into());
    }
    let days = (end - start).num_days() + 1;
    if days < MIN_DAYS && short_reason.trim().is_empty() {
        return Err(format!(
            "征求意见期为{days}天，少于{MIN_DAYS}天，须说明理由（理由将向社会公开）"
        ));
    }
    Ok(days)
}

/// The paragraphs of a draft: its non-empty lines, trimmed.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// How a paragraph of the new version relates to the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The same text.
    Same,
    /// Revised: the previous paragraph `usize` (its index), edited.
    Modified(usize),
    /// New text.
    Added,
}

impl Change {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Change::Same => "same",
            Change::Modified(_) => "modified",
            Change::Added => "added",
        }
    }
}

/// From this similarity on, an edited paragraph is the same paragraph revised.
pub const REVISED: f64 = 0.5;

/// The correspondence of two versions: for each new paragraph, the previous paragraph it
/// continues (by index) and how; and the previous paragraphs that were removed. Identical
/// paragraphs are matched in order (longest common subsequence); between them, the remaining
/// ones are paired when alike enough ([`REVISED`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alignment {
    /// Per new paragraph: the previous index it continues, if any, and the change.
    pub new: Vec<(Option<usize>, Change)>,
    /// Indexes of previous paragraphs with no successor.
    pub removed: Vec<usize>,
}

/// Aligns a previous version's paragraphs with a new version's.
pub fn align(old: &[String], new: &[String]) -> Alignment {
    let (n, m) = (old.len(), new.len());
    // LCS table over exact paragraph equality (n, m are a few hundred at most)
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if old[i] == new[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    let mut result: Vec<(Option<usize>, Change)> = vec![(None, Change::Added); m];
    let mut kept = vec![false; n];
    for &(i, j) in &pairs {
        result[j] = (Some(i), Change::Same);
        kept[i] = true;
    }
    // between consecutive anchors, pair the leftovers by similarity, in order
    let mut anchors = vec![(None, None)];
    anchors.extend(pairs.iter().map(|&(i, j)| (Some(i), Some(j))));
    anchors.push((Some(n), Some(m)));
    for w in anchors.windows(2) {
        let (oi, nj) = (w[0].0.map_or(0, |i| i + 1), w[0].1.map_or(0, |j| j + 1));
        let (oe, ne) = (w[1].0.unwrap_or(n), w[1].1.unwrap_or(m));
        let mut next_old = oi;
        for j in nj..ne {
            let best = (next_old..oe)
                .map(|i| (i, similarity(&old[i], &new[j])))
                .filter(|(_, s)| *s >= REVISED)
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((i, _)) = best {
                result[j] = (Some(i), Change::Modified(i));
                kept[i] = true;
                next_old = i + 1;
            }
        }
    }
    Alignment {
        new: result,
        removed: (0..n).filter(|i| !kept[*i]).collect(),
    }
}

/// How a comment (or a group of similar comments) was taken up, for the adoption report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// 采纳.
    Adopted,
    /// 部分采纳.
    Partly,
    /// 未采纳.
    NotAdopted,
}

impl Adoption {
    /// Every outcome.
    pub const ALL: [Adoption; 3] = [Adoption::Adopted, Adoption::Partly, Adoption::NotAdopted];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Adoption::Adopted => "adopted",
            Adoption::Partly => "partly",
            Adoption::NotAdopted => "not_adopted",
        }
    }

    /// The outcome of a stored code.
    pub fn from_code(c: &str) -> Option<Adoption> {
        Adoption::ALL.into_iter().find(|a| a.code() == c)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Adoption::Adopted => "采纳",
            Adoption::Partly => "部分采纳",
            Adoption::NotAdopted => "未采纳",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_short_period_needs_a_reason() {
        assert_eq!(check_period(d("2026-12-01"), d("2026-12-30"), ""), Ok(30));
        let e = check_period(d("2026-12-01"), d("2026-12-20"), "").unwrap_err();
        assert!(e.contains("20天") && e.contains("须说明理由"), "{e}");
        assert_eq!(
            check_period(d("2026-12-01"), d("2026-12-20"), "落实上级紧急部署"),
            Ok(20)
        );
        assert!(check_period(d("2026-12-05"), d("2026-12-01"), "x").is_err());
    }

    #[test]
    fn revised_paragraphs_keep_their_place_and_removed_ones_are_known() {
        let old = paragraphs(
            "第一条 为规范养老服务，制定本办法。\n\n第二条 本办法适用于本区养老机构。\n第三条 养老机构应当公示收费标准。\n第四条 本办法自发布之日起施行。",
        );
        let new = paragraphs(
            "第一条 为规范养老服务，制定本办法。\n第三条 养老机构应当在显著位置公示收费标准。\n第三条之一 收费调整应提前30日告知。\n第四条 本办法自发布之日起施行。",
        );
        let a = align(&old, &new);
        assert_eq!(
            a.new,
            vec![
                (Some(0), Change::Same),
                (Some(2), Change::Modified(2)),
                (None, Change::Added),
                (Some(3), Change::Same),
            ]
        );
        assert_eq!(a.removed, vec![1]);
        assert_eq!(paragraphs(" a \n\n b\n"), ["a", "b"]);
    }

    #[test]
    fn two_hundred_paragraphs_align_quickly_and_exactly() {
        let old: Vec<String> = (0..200)
            .map(|i| format!("第{i}条 关于第{i}项事务的具体规定和执行要求。"))
            .collect();
        let mut new = old.clone();
        new[10] = "第10条 关于第10项事务的具体规定和执行要求，并报区政府备案。".into();
        new.remove(50);
        new.insert(100, "新增条款：本办法由区民政局负责解释。".into());
        let a = align(&old, &new);
        assert_eq!(a.removed, vec![50]);
        assert_eq!(a.new[10], (Some(10), Change::Modified(10)));
        assert_eq!(a.new[100], (None, Change::Added));
        assert_eq!(a.new.iter().filter(|p| p.1 == Change::Same).count(), 198);
    }
}
