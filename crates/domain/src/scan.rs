//! The pre-publication scan: finds personal data and sensitive words in text before it goes
//! public, and masks them on request.
//!
//! What is found: resident ID numbers (18 digits with a valid GB 11643 check character and a real
//! birth date, or the legacy 15-digit form with a real date), mainland mobile numbers
//! (`1[3-9]` + 9 digits, also written `+86`/`86`-prefixed or as 3-4-4 groups), bank card numbers
//! (16-19 digits passing the Luhn check, also in groups of four), e-mail addresses, and the words
//! of a configurable list (all at once, with an Aho-Corasick automaton).
//!
//! What is not: numbers inside longer letter-and-digit tokens (unified social credit codes,
//! index numbers), document numbers and dates (too short), ID-length numbers whose check character
//! or date is wrong, 11-digit numbers that do not start `1[3-9]`.

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

/// The kind of a finding (stable codes for JSON output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Resident identity number.
    IdNumber,
    /// Mainland mobile phone number.
    Mobile,
    /// Bank card number.
    BankCard,
    /// E-mail address.
    Email,
    /// A word of the sensitive-word list.
    SensitiveWord,
    /// An attachment the scanner could not read (an image without OCR, a scan that OCR could
    /// not read): never taken as clean, a reviewer confirms it by hand with a reason.
    Unreadable,
}

impl FindingKind {
    /// The code used in JSON output.
    pub fn code(self) -> &'static str {
        match self {
            FindingKind::IdNumber => "id_number",
            FindingKind::Mobile => "mobile",
            FindingKind::BankCard => "bank_card",
            FindingKind::Email => "email",
            FindingKind::SensitiveWord => "sensitive_word",
            FindingKind::Unreadable => "unreadable",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::IdNumber => "身份证号",
            FindingKind::Mobile => "手机号",
            FindingKind::BankCard => "银行卡号",
            FindingKind::Email => "电子邮箱",
            FindingKind::SensitiveWord => "敏感词",
            FindingKind::Unreadable => "未能检查",
        }
    }
}

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is.
    pub kind: FindingKind,
    /// Byte offset where it starts in the scanned text.
    pub start: usize,
    /// Byte offset where it ends (exclusive).
    pub end: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The masked form, safe to show and to publish.
    pub masked: String,
}

impl FindingKind {
    /// Every kind, in display order.
    pub const ALL: [FindingKind; 6] = [
        FindingKind::IdNumber,
        FindingKind::Mobile,
        FindingKind::BankCard,
        FindingKind::Email,
        FindingKind::SensitiveWord,
        FindingKind::Unreadable,
    ];
}

impl Finding {
    /// The finding for an attachment the scanner could not read, with the reason shown to the
    /// reviewer in place of a masked match.
    pub fn unreadable(reason: &str) -> Finding {
        Finding {
            kind: FindingKind::Unreadable,
            start: 0,
            end: 0,
            line: 0,
            column: 0,
            masked: reason.to_string(),
        }
    }
}

/// One attachment as the pre-publication scan sees it.
#[derive(Debug, Clone, Copy)]
pub struct AttachmentText<'a> {
    /// File name (the finding's source says it).
    pub filename: &'a str,
    /// Its text (extracted or read by OCR).
    pub text: &'a str,
    /// Why its text could not be read, if it could not.
    pub unreadable: Option<&'a str>,
}

/// The pre-publication scan of one revision, the same on every path that makes content public
/// (back office, API, import): the body, the title and every attachment, each finding with its
/// source (`body`, `title`, `附件：NAME`). An attachment whose text could not be read is a
/// finding of its own ([`FindingKind::Unreadable`]), never clean.
pub fn scan_revision(
    scanner: &Scanner,
    title: &str,
    body: &str,
    attachments: &[AttachmentText<'_>],
) -> Vec<(String, Finding)> {
    let mut found: Vec<(String, Finding)> = scanner
        .scan(body)
        .into_iter()
        .map(|f| ("body".to_string(), f))
        .collect();
    found.extend(
        scanner
            .scan(title)
            .into_iter()
            .map(|f| ("title".to_string(), f)),
    );
    for a in attachments {
        let source = format!("附件：{}", a.filename);
        if let Some(reason) = a.unreadable {
            found.push((source.clone(), Finding::unreadable(reason)));
        }
        found.extend(
            scanner
                .scan(a.text)
                .into_iter()
                .map(|f| (source.clone(), f)),
        );
    }
    found
}

/// The scanner: the sensitive-word automaton built once, used for many texts.
#[derive(Debug, Clone)]
pub struct Scanner {
    words: Option<AhoCorasick>,
}

/// Reads a word list: one word per line; blank lines and lines starting with `#` are ignored.
pub fn parse_word_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

impl Scanner {
    /// A scanner for the given sensitive words (may be empty).
    pub fn new<S: AsRef<str>>(words: &[S]) -> Scanner {
        let words: Vec<&str> = words
            .iter()
            .map(AsRef::as_ref)
            .filter(|w| !w.trim().is_empty())
            .collect();
        let words = if words.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&words)
                .ok()
        };
        Scanner { words }
    }

    /// Every finding in `text`, ordered by position.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let mut raw: Vec<(FindingKind, usize, usize)> = Vec::new();
        numbers(text, &mut raw);
        emails(text, &mut raw);
        if let Some(ac) = &self.words {
            for m in ac.find_iter(text) {
                raw.push((FindingKind::SensitiveWord, m.start(), m.end()));
            }
        }
        raw.sort_by_key(|(k, s, e)| (*s, std::cmp::Reverse(*e), *k));
        // drop findings nested inside an earlier, longer one
        let mut kept: Vec<(FindingKind, usize, usize)> = Vec::new();
        for f in raw {
            if kept.last().is_some_and(|last| f.1 < last.2) {
                continue;
            }
            kept.push(f);
        }
        kept.into_iter()
            .map(|(kind, start, end)| {
                let (line, column) = line_col(text, start);
                Finding {
                    kind,
                    start,
                    end,
                    line,
                    column,
                    masked: mask(kind, &text[start..end]),
                }
            })
            .collect()
    }
}

/// Replaces every finding in `text` with its masked form.
pub fn mask_all(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        if f.start < at || f.end > text.len() {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str(&f.masked);
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The masked form of a finding's text.
pub fn mask(kind: FindingKind, s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let keep = |head: usize, tail: usize| -> String {
        let mut digits_seen = 0;
        let total_digits = chars.iter().filter(|c| c.is_ascii_alphanumeric()).count();
        chars
            .iter()
            .map(|c| {
                if !c.is_ascii_alphanumeric() {
                    return *c;
                }
                digits_seen += 1;
                if digits_seen <= head || digits_seen > total_digits.saturating_sub(tail) {
                    *c
                } else {
                    '*'
                }
            })
            .collect()
    };
    match kind {
        FindingKind::IdNumber => keep(6, 4),
        FindingKind::Mobile => {
            let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
            keep(digits - 8, 4)
        }
        FindingKind::BankCard => keep(4, 4),
        FindingKind::Email => match s.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "*".repeat(chars.len()),
        },
        FindingKind::SensitiveWord | FindingKind::Unreadable => "*".repeat(chars.len()),
    }
}

/// Luhn check over ASCII digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11
        && d[0] == b'1'
        && (b'3'..=b'9').contains(&d[1])
        && d.iter().all(u8::is_ascii_digit)
}

/// Classifies a token of ASCII letters and digits with no separators.
fn classify_plain(tok: &[u8]) -> Option<FindingKind> {
    let all_digits = tok.iter().all(u8::is_ascii_digit);
    let text = std::str::from_utf8(tok).ok()?;
    match tok.len() {
        18 if tok[..17].iter().all(u8::is_ascii_digit)
            && (tok[17].is_ascii_digit() || tok[17] == b'X' || tok[17] == b'x') =>
        {
            if crate::ids::is_valid_resident_id(text) {
                Some(FindingKind::IdNumber)
            } else if all_digits && luhn_valid(tok) && crate::ids::validate_uscc(text).is_err() {
                Some(FindingKind::BankCard)
            } else {
                None
            }
        }
        15 if all_digits && crate::ids::is_valid_resident_id(text) => Some(FindingKind::IdNumber),
        11 if is_mobile(tok) => Some(FindingKind::Mobile),
        13 if all_digits && tok.starts_with(b"86") && is_mobile(&tok[2..]) => {
            Some(FindingKind::Mobile)
        }
        16..=19 if all_digits && luhn_valid(tok) => Some(FindingKind::BankCard),
        _ => None,
    }
}

/// Finds ID, mobile and bank-card numbers: plain tokens, and digit groups joined by single
/// spaces or hyphens (`139-1234-5678`, `6222 0200 1234 5678 901`).
fn numbers(text: &str, out: &mut Vec<(FindingKind, usize, usize)>) {
    let b = text.as_bytes();
    let alnum = |i: usize| i < b.len() && b[i].is_ascii_alphanumeric();
    let mut i = 0;
    while i < b.len() {
        if !alnum(i) || (i > 0 && alnum(i - 1)) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while alnum(end) {
            end += 1;
        }
        // a leading "+" belongs to an international prefix
        let token = &b[start..end];
        if let Some(kind) = classify_plain(token) {
            let s = if start > 0 && b[start - 1] == b'+' && kind == FindingKind::Mobile {
                start - 1
            } else {
                start
            };
            out.push((kind, s, end));
            i = end;
            continue;
        }
        // grouped digits
        if token.iter().all(u8::is_ascii_digit) && (3..=6).contains(&token.len()) {
            let mut groups = vec![(start, end)];
            let mut j = end;
            while j + 1 < b.len() && (b[j] == b' ' || b[j] == b'-') && b[j + 1].is_ascii_digit() {
                let gs = j + 1;
                let mut ge = gs;
                while ge < b.len() && b[ge].is_ascii_digit() {
                    ge += 1;
                }
                if alnum(ge) || !(3..=6).contains(&(ge - gs)) {
                    break;
                }
                groups.push((gs, ge));
                j = ge;
                if groups.len() >= 5 {
                    break;
                }
            }
            if groups.len() >= 2 {
                let digits: Vec<u8> = groups
                    .iter()
                    .flat_map(|(s, e)| b[*s..*e].iter().copied())
                    .collect();
                let lens: Vec<usize> = groups.iter().map(|(s, e)| e - s).collect();
                let last = groups.last().map_or(end, |g| g.1);
                let kind = if lens == [3, 4, 4] && is_mobile(&digits) {
                    Some(FindingKind::Mobile)
                } else if (16..=19).contains(&digits.len())
                    && lens[..lens.len() - 1].iter().all(|l| *l == 4)
                    && luhn_valid(&digits)
                {
                    Some(FindingKind::BankCard)
                } else {
                    None
                };
                if let Some(kind) = kind {
                    out.push((kind, start, last));
                    i = last;
                    continue;
                }
            }
        }
        i = end;
    }
}

/// Finds e-mail addresses: local part, `@`, a domain with a dot and a 2+ letter ending.
fn emails(text: &str, out: &mut Vec<(FindingKind, usize, usize)>) {
    let b = text.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-".contains(&c);
    let dom = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'.';
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && local(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && dom(b[e]) {
            e += 1;
        }
        while e > at + 1 && b[e - 1] == b'.' {
            e -= 1;
        }
        if s == at || e == at + 1 {
            continue;
        }
        let domain = &text[at + 1..e];
        let Some((_, tld)) = domain.rsplit_once('.') else {
            continue;
        };
        if tld.len() >= 2
            && tld.bytes().all(|c| c.is_ascii_alphabetic())
            && !domain.starts_with('.')
        {
            out.push((FindingKind::Email, s, e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(FindingKind, String)> {
        Scanner::new(&["机密", "内部资料"])
            .scan(text)
            .into_iter()
            .map(|f| (f.kind, text[f.start..f.end].to_string()))
            .collect()
    }

    #[test]
    fn finds_personal_data_in_a_mixed_corpus() {
        use FindingKind::*;
        let cases: &[(&str, &[(FindingKind, &str)])] = &[
            (
                "申请人张三，身份证号11010519491231002X，住址",
                &[(IdNumber, "11010519491231002X")],
            ),
            (
                "身份证号：11010519491231002x。",
                &[(IdNumber, "11010519491231002x")],
            ),
            (
                "旧证号110105491231002已换发",
                &[(IdNumber, "110105491231002")],
            ),
            ("联系电话13912345678", &[(Mobile, "13912345678")]),
            ("电话：+8613912345678", &[(Mobile, "+8613912345678")]),
            (
                "电话 139-1234-5678 或 139 1234 5678",
                &[(Mobile, "139-1234-5678"), (Mobile, "139 1234 5678")],
            ),
            (
                "补贴发放至卡号6222020200112233446（工行）",
                &[(BankCard, "6222020200112233446")],
            ),
            (
                "卡号 4111 1111 1111 1111 已核实",
                &[(BankCard, "4111 1111 1111 1111")],
            ),
            (
                "来信请寄 zhang.san@example.com.cn。",
                &[(Email, "zhang.san@example.com.cn")],
            ),
            (
                "本文件属于内部资料，机密",
                &[(SensitiveWord, "内部资料"), (SensitiveWord, "机密")],
            ),
        ];
        for (text, want) in cases {
            let got = kinds(text);
            let want: Vec<(FindingKind, String)> =
                want.iter().map(|(k, s)| (*k, s.to_string())).collect();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn look_alikes_are_not_reported() {
        let clean = [
            "区政办发〔2026〕12号",
            "统一社会信用代码91350100M000100Y43",
            "统一社会信用代码：11330199MB00000017",
            "成文日期：20261127，发布日期2026-11-27",
            "索引号：GOV-JYJ-2026-000123",
            "身份证号校验位错误：110105194912310021",
            "日期错误的号码：110105194913310025",
            "座机0571-88001000，传真 0571 8800 1001",
            "编号12345678901（不是手机号，以12开头）",
            "金额1234567890123456元", // 16 digits failing Luhn
            "邮编310000，电话区号0571",
            "not-an-email@localhost and a@b.c",
        ];
        for text in clean {
            assert_eq!(kinds(text), vec![], "{text}");
        }
    }

    #[test]
    fn masks_keep_shape_and_hide_the_middle() {
        let s = Scanner::new::<&str>(&[]);
        let text = "身份证11010519491231002X，手机13912345678，卡6222020200112233446，邮箱zhang@example.com";
        let f = s.scan(text);
        let masked: Vec<&str> = f.iter().map(|f| f.masked.as_str()).collect();
        assert_eq!(
            masked,
            [
                "110105********002X",
                "139****5678",
                "6222***********3446",
                "z***@example.com"
            ]
        );
        assert_eq!(
            mask_all(text, &f),
            "身份证110105********002X，手机139****5678，卡6222***********3446，邮箱z***@example.com"
        );
        assert!(
            s.scan(&mask_all(text, &f)).is_empty(),
            "masked text scans clean"
        );
        assert_eq!(
            mask(FindingKind::Mobile, "+8613912345678"),
            "+86139****5678"
        );
        assert_eq!(
            mask(FindingKind::BankCard, "4111 1111 1111 1111"),
            "4111 **** **** 1111"
        );
    }

    #[test]
    fn positions_are_lines_and_character_columns() {
        let text = "第一行\n第二行：13912345678";
        let f = Scanner::new::<&str>(&[]).scan(text);
        assert_eq!((f[0].line, f[0].column), (2, 5));
        assert_eq!(&text[f[0].start..f[0].end], "13912345678");
    }

    #[test]
    fn word_lists() {
        assert_eq!(
            parse_word_list("# 注释\n机密\n\n 绝密 \n"),
            vec!["机密", "绝密"]
        );
        let many: Vec<String> = (0..5000).map(|i| format!("词{i}号")).collect();
        let s = Scanner::new(&many);
        let f = s.scan("这里有词4999号和词12号");
        assert_eq!(f.len(), 2);
    }
}
