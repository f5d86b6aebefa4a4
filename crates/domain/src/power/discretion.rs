//! Discretion benchmarks (裁量基准) of penalty items: each violation split into tiers of
//! circumstances, each tier with its range of fine (and other measures). A penalty decision
//! names its violation and tier; an amount outside the tier's range needs a written reason and
//! is flagged for the supervisor.

use serde::{Deserialize, Serialize};

/// One tier: circumstances and the range of fine, in fen (分), and other measures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// 情节, e.g. 初次违法且危害后果轻微.
    pub circumstance: String,
    /// Lowest fine, in fen.
    pub min_fen: i64,
    /// Highest fine, in fen.
    pub max_fen: i64,
    /// Other measures (警告, 没收违法所得, 责令停产停业…), may be empty.
    pub measure: String,
}

/// One violation and its tiers, lightest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// 违法行为.
    pub name: String,
    /// Tiers.
    pub tiers: Vec<Tier>,
}

/// Problems with a set of benchmarks (Chinese sentences).
pub fn validate(violations: &[Violation]) -> Vec<String> {
    let mut errors = Vec::new();
    for v in violations {
        if v.name.trim().is_empty() {
            errors.push("裁量基准中有违法行为未填写名称".to_string());
        }
        if v.tiers.is_empty() {
            errors.push(format!("违法行为“{}”没有裁量档次", v.name));
        }
        for (i, t) in v.tiers.iter().enumerate() {
            if t.circumstance.trim().is_empty() {
                errors.push(format!("违法行为“{}”第{}档缺少情节", v.name, i + 1));
            }
            if t.min_fen < 0 || t.max_fen < t.min_fen {
                errors.push(format!(
                    "违法行为“{}”第{}档的罚款幅度无效（最低{}元，最高{}元）",
                    v.name,
                    i + 1,
                    yuan(t.min_fen),
                    yuan(t.max_fen)
                ));
            }
        }
    }
    errors
}

/// Parses an amount in yuan written by staff ("5000", "5,000.50", "5000元") into fen.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s: String = s
        .trim()
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if s.is_empty() {
        return None;
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    whole.checked_mul(100)?.checked_add(frac)
}

/// Fen as yuan text: `500000` → `5000`, `500050` → `5000.50`.
pub fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{}", fen / 100)
    } else {
        format!("{}.{:02}", fen / 100, (fen % 100).abs())
    }
}

/// Parses textarea lines `违法行为|情节|最低罚款(元)|最高罚款(元)|其他措施`; consecutive lines
/// with the same violation become its tiers. Errors name the line.
pub fn parse_lines(text: &str) -> Result<Vec<Violation>, Vec<String>> {
    let mut out: Vec<Violation> = Vec::new();
    let mut errors = Vec::new();
    for (line, f) in super::pipe_lines(text, 5) {
        let amount = |t: &str| if t.is_empty() { Some(0) } else { parse_yuan(t) };
        let (Some(min_fen), Some(max_fen)) = (amount(&f[2]), amount(&f[3])) else {
            errors.push(format!("裁量基准第{line}行：罚款金额应为数字（元）"));
            continue;
        };
        if f[0].is_empty() || f[1].is_empty() {
            errors.push(format!("裁量基准第{line}行：应写明违法行为和情节"));
            continue;
        }
        if max_fen < min_fen {
            errors.push(format!("裁量基准第{line}行：最高罚款低于最低罚款"));
            continue;
        }
        let tier = Tier {
            circumstance: f[1].clone(),
            min_fen,
            max_fen,
            measure: f[4].clone(),
        };
        match out.last_mut() {
            Some(v) if v.name == f[0] => v.tiers.push(tier),
            _ => out.push(Violation {
                name: f[0].clone(),
                tiers: vec![tier],
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The benchmarks as textarea lines (the inverse of [`parse_lines`]).
pub fn to_lines(violations: &[Violation]) -> String {
    let mut s = String::new();
    for v in violations {
        for t in &v.tiers {
            s.push_str(&format!(
                "{}|{}|{}|{}|{}\n",
                v.name,
                t.circumstance,
                yuan(t.min_fen),
                yuan(t.max_fen),
                t.measure
            ));
        }
    }
    s
}

/// How a penalty decision stands against its benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Check {
    /// Within the tier's range.
    Within,
    /// Outside the range, with a reason: allowed, flagged for the supervisor (the text says why).
    Flagged(String),
}

/// Checks a penalty decision: the violation and tier (indexes into `violations`), the fine in
/// fen, and the written reason for departing from the tier (may be empty).
pub fn check(
    violations: &[Violation],
    violation: Option<usize>,
    tier: Option<usize>,
    fine_fen: i64,
    reason: &str,
) -> Result<Check, String> {
    let Some(v) = violation.and_then(|i| violations.get(i)) else {
        return Err("行政处罚决定须选择违法行为及其裁量档次（裁量基准）".to_string());
    };
    let Some(t) = tier.and_then(|i| v.tiers.get(i)) else {
        return Err(format!("请为违法行为“{}”选择裁量档次", v.name));
    };
    if fine_fen < 0 {
        return Err("罚款金额不能为负数".to_string());
    }
    if fine_fen >= t.min_fen && fine_fen <= t.max_fen {
        return Ok(Check::Within);
    }
    let range = format!("{}–{}元", yuan(t.min_fen), yuan(t.max_fen));
    if reason.trim().chars().count() < 4 {
        return Err(format!(
            "罚款金额{}元超出所选档次“{}”的幅度（{range}），须写明理由",
            yuan(fine_fen),
            t.circumstance
        ));
    }
    Ok(Check::Flagged(format!(
        "罚款{}元超出裁量档次“{}”（{range}），理由：{}",
        yuan(fine_fen),
        t.circumstance,
        reason.trim()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Violation> {
        parse_lines(
            "未取得许可从事食品经营|初次违法，货值不足1万元|5000|10000|没收违法所得\n\
             未取得许可从事食品经营|货值1万元以上|100000|200000|\n",
        )
        .unwrap_or_default()
    }

    #[test]
    fn yuan_round_trips() {
        for (text, fen) in [
            ("5000", Some(500_000)),
            ("5,000.5", Some(500_050)),
            ("0.05", Some(5)),
            ("200元", Some(20_000)),
            ("", None),
            ("-3", None),
            ("1.234", None),
            ("abc", None),
        ] {
            assert_eq!(parse_yuan(text), fen, "{text}");
        }
        assert_eq!(yuan(500_050), "5000.50");
        assert_eq!(yuan(500_000), "5000");
    }

    #[test]
    fn lines_group_into_tiers() {
        let v = sample();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].tiers.len(), 2);
        assert_eq!(v[0].tiers[1].min_fen, 10_000_000);
        assert_eq!(parse_lines(&to_lines(&v)), Ok(v));
        let bad = parse_lines("甲|情节|100|50|\n乙||1|2|\n丙|情节|x|2|").unwrap_err();
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(bad[0].contains("第1行"));
        assert!(bad[1].contains("第2行"));
        assert!(bad[2].contains("第3行"));
    }

    #[test]
    fn decisions_are_checked_against_their_tier() {
        let v = sample();
        assert_eq!(check(&v, Some(0), Some(0), 800_000, ""), Ok(Check::Within));
        assert!(check(&v, None, None, 1, "").is_err());
        assert!(
            check(&v, Some(0), None, 1, "")
                .unwrap_err()
                .contains("选择裁量档次")
        );
        let refused = check(&v, Some(0), Some(0), 2_000_000, "").unwrap_err();
        assert!(refused.contains("须写明理由"), "{refused}");
        match check(&v, Some(0), Some(0), 2_000_000, "多次违法，情节恶劣") {
            Ok(Check::Flagged(text)) => assert!(text.contains("多次违法")),
            other => panic!("{other:?}"),
        }
    }
}
