//! Item bodies: plain text (one paragraph per line) or rich text (HTML, e.g. pasted from an
//! office suite's "save as web page" or written with simple tags), sanitised to a short list of
//! structural tags before they are stored and again before they are shown.
//!
//! What survives: paragraphs, line breaks, headings h2–h4, bold/italic/underline, sub/sup,
//! lists, tables (with `colspan`, `rowspan`, `scope`), block quotes, horizontal rules, links
//! (`http`, `https`, `mailto` or site-relative; `rel="noopener noreferrer"`) and images
//! (`http`, `https` or site-relative). Everything else — scripts, styles, event handlers,
//! `javascript:` links, iframes, forms, classes and inline styles — is removed.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const TAGS: &[&str] = &[
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "sub",
    "sup",
    "ol",
    "ul",
    "li",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "blockquote",
    "hr",
    "a",
    "img",
    "div",
];

fn builder() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        let attrs: HashMap<&str, HashSet<&str>> = [
            ("a", ["href", "title"].into_iter().collect()),
            (
                "img",
                ["src", "alt", "width", "height"].into_iter().collect(),
            ),
            ("th", ["colspan", "rowspan", "scope"].into_iter().collect()),
            ("td", ["colspan", "rowspan"].into_iter().collect()),
            ("ol", ["start"].into_iter().collect()),
        ]
        .into_iter()
        .collect();
        b.tags(TAGS.iter().copied().collect())
            .tag_attributes(attrs)
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer"))
            .clean_content_tags(["script", "style"].into_iter().collect())
            .strip_comments(true);
        b
    })
}

/// Whether a body is rich text: it starts with a tag.
pub fn is_html(body: &str) -> bool {
    let t = body.trim_start();
    t.starts_with('<') && t.contains('>')
}

/// Sanitises HTML to the allowed structure.
pub fn sanitize(html: &str) -> String {
    builder().clean(html).to_string()
}

/// The longest body stored, in bytes.
pub const MAX_BODY_BYTES: usize = 2_000_000;
/// The deepest nesting of elements a rich body may have.
pub const MAX_DEPTH: usize = 100;
/// The most elements (start tags) a rich body may have.
pub const MAX_ELEMENTS: usize = 50_000;

/// Why a body cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Over [`MAX_BODY_BYTES`].
    #[error("正文过长（不超过2MB）")]
    TooLong,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("正文格式嵌套过深（超过100层），请清除格式后重新粘贴")]
    TooDeep,
    /// More than [`MAX_ELEMENTS`] elements.
    #[error("正文格式标签过多（超过50000个），请清除格式后重新粘贴")]
    TooManyElements,
}

/// Elements that never hold others.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// Elements a start tag of their own kind closes, so they do not nest by repetition.
const SELF_CLOSING_KINDS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
    "colgroup", "caption", "rb", "rt", "rp",
];

/// One linear pass over HTML, before any parser sees it: the nesting its tags can build and the
/// number of elements, each bounded. HTML parsers spend time per tag in proportion to the
/// depth, so a deep body would cost time quadratic in its length. The count may be higher than
/// a parser's (odd input is refused), never lower: `<div/>` nests (HTML has no self-closing
/// `div`), an end tag closes only an element that is open, and comments end where parsers end
/// them (`-->`, `--!>`, or at once for `<!-->`).
pub fn check_structure(html: &str) -> Result<(), BodyError> {
    let b = html.as_bytes();
    let find = |from: usize, pat: &[u8]| -> Option<usize> {
        b.get(from..)?
            .windows(pat.len())
            .position(|w| w == pat)
            .map(|p| from + p)
    };
    let name_at = |from: usize| -> String {
        b[from.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase() as char)
            .collect()
    };
    let mut stack: Vec<String> = Vec::new();
    let mut elements = 0usize;
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'<')) {
        let at = i + off;
        let rest = &b[at..];
        if rest.starts_with(b"<!--") {
            let ends = [
                find(at + 2, b"-->").map(|e| e + 3),
                find(at + 2, b"--!>").map(|e| e + 4),
            ];
            match ends.into_iter().flatten().min() {
                Some(e) => i = e,
                None => break,
            }
            continue;
        }
        let next_gt = |from: usize| find(from, b">").map_or(b.len(), |e| e + 1);
        if rest.starts_with(b"</") {
            let name = name_at(at + 2);
            if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(pos);
            }
            i = next_gt(at + 2);
        } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            let name = name_at(at + 1);
            elements += 1;
            if elements > MAX_ELEMENTS {
                return Err(BodyError::TooManyElements);
            }
            if !VOID.contains(&name.as_str()) && !SELF_CLOSING_KINDS.contains(&name.as_str()) {
                stack.push(name);
                if stack.len() > MAX_DEPTH {
                    return Err(BodyError::TooDeep);
                }
            }
            i = next_gt(at + 1);
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = next_gt(at + 1);
        } else {
            i = at + 1;
        }
    }
    Ok(())
}

/// The body as it is stored: line endings normalised; rich text checked
/// ([`check_structure`]) and sanitised; plain text kept. Every writer stores only this.
pub fn clean_body(input: &str) -> Result<String, BodyError> {
    if input.len() > MAX_BODY_BYTES {
        return Err(BodyError::TooLong);
    }
    let body = input.replace("\r\n", "\n");
    if is_html(&body) {
        check_structure(&body)?;
        Ok(sanitize(&body).trim().to_string())
    } else {
        Ok(body)
    }
}

/// The body as safe HTML for a page: rich text sanitised (again: a stored body may predate a
/// change of the rules; one beyond today's structure limits is shown as escaped text, never
/// parsed), plain text escaped with a paragraph per non-empty line.
pub fn to_html(body: &str) -> String {
    if is_html(body) && check_structure(body).is_ok() {
        return sanitize(body);
    }
    let mut out = String::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push_str("<p>");
        for c in line.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                _ => out.push(c),
            }
        }
        out.push_str("</p>\n");
    }
    out
}

/// The body as plain text (for search, feeds and summaries): tags removed, block ends as line
/// breaks, table cells separated by spaces, the common entities decoded.
pub fn to_text(body: &str) -> String {
    if !is_html(body) || check_structure(body).is_err() {
        return body.to_string();
    }
    let html = sanitize(body);
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find('<') {
        out.push_str(&decode(&rest[..start]));
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[start + 1..start + end];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let block_end = matches!(
            name.as_str(),
            "p" | "div" | "h2" | "h3" | "h4" | "li" | "tr" | "blockquote" | "caption" | "table"
        ) && tag.starts_with('/');
        let breaks = block_end || name == "br" || name == "hr";
        if breaks && !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        } else if (name == "td" || name == "th") && tag.starts_with('/') {
            out.push(' ');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(&decode(rest));
    out.trim().to_string()
}

fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_markup_is_removed() {
        let cases = [
            ("<p onclick=\"x()\">甲</p>", "<p>甲</p>"),
            ("<p>甲<script>alert(1)</script></p>", "<p>甲</p>"),
            (
                "<p><a href=\"javascript:alert(1)\">乙</a></p>",
                "<p><a rel=\"noopener noreferrer\">乙</a></p>",
            ),
            ("<p style=\"color:red\" class=\"x\">丙</p>", "<p>丙</p>"),
            ("<iframe src=\"https://x\"></iframe><p>丁</p>", "<p>丁</p>"),
            (
                "<p><img src=\"x\" onerror=\"alert(1)\"></p>",
                "<p><img src=\"x\"></p>",
            ),
            (
                "<p><img src=\"data:image/png;base64,AAAA\"></p>",
                "<p><img></p>",
            ),
            ("<style>p{}</style><p>戊</p>", "<p>戊</p>"),
            ("<form><input name=a></form><p>己</p>", "<p>己</p>"),
            ("<!-- 内部备注 --><p>庚</p>", "<p>庚</p>"),
            ("<p>未闭合<b>粗体", "<p>未闭合<b>粗体</b></p>"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "{input}");
        }
    }

    #[test]
    fn structure_is_kept() {
        let html = "<h2>一、总体要求</h2><p><strong>各乡镇</strong>、街道：</p><ol start=\"2\"><li>甲</li></ol>\
                    <table><caption>表1</caption><thead><tr><th scope=\"col\" colspan=\"2\">项目</th></tr></thead>\
                    <tbody><tr><td rowspan=\"2\">1</td><td>乙</td></tr></tbody></table>\
                    <p><a href=\"/items/GOV-ZCWJ-2026-0001\">政策原文</a> <a href=\"mailto:gkb@example.gov.cn\">邮箱</a></p>";
        let out = sanitize(html);
        for kept in [
            "<h2>一、总体要求</h2>",
            "<strong>各乡镇</strong>",
            "<ol start=\"2\">",
            "<th scope=\"col\" colspan=\"2\">",
            "<td rowspan=\"2\">",
            "<caption>表1</caption>",
            "href=\"/items/GOV-ZCWJ-2026-0001\"",
            "href=\"mailto:gkb@example.gov.cn\"",
        ] {
            assert!(out.contains(kept), "{kept} in {out}");
        }
        assert_eq!(sanitize(&out), out, "idempotent");
    }

    #[test]
    fn plain_bodies_stay_plain_and_render_escaped() {
        let plain = "各学校：\r\n  第一段 <b>不是标记</b>\r\n\r\n第二段 & 附件";
        assert_eq!(
            clean_body(plain).unwrap(),
            "各学校：\n  第一段 <b>不是标记</b>\n\n第二段 & 附件"
        );
        assert_eq!(
            to_html(&clean_body(plain).unwrap()),
            "<p>各学校：</p>\n<p>第一段 &lt;b&gt;不是标记&lt;/b&gt;</p>\n<p>第二段 &amp; 附件</p>\n"
        );
        assert_eq!(to_text(plain), plain);
        assert!(!is_html("2 < 3 > 1"));
        assert!(is_html("  <p>x</p>"));
    }

    #[test]
    fn text_of_rich_bodies() {
        let html = "<h2>通知</h2><p>各单位：<br>请于&lt;5月1日&gt;前报送。</p><table><tr><td>张三</td><td>13912345678</td></tr></table><p>A&amp;B&nbsp;C</p>";
        assert_eq!(
            to_text(html),
            "通知\n各单位：\n请于<5月1日>前报送。\n张三 13912345678 \nA&B C"
        );
        assert_eq!(
            clean_body("<script>x</script>").unwrap(),
            "",
            "nothing left is an empty body"
        );
    }

    #[test]
    fn deep_or_huge_bodies_are_refused_in_linear_time() {
        let deep = "<div>".repeat(MAX_DEPTH + 1);
        assert_eq!(clean_body(&deep), Err(BodyError::TooDeep));
        // `<div/>` is not self-closing in HTML: it nests too.
        assert_eq!(clean_body(&"<div/>".repeat(200)), Err(BodyError::TooDeep));
        // Junk end tags do not lower the depth.
        assert_eq!(
            clean_body(&"<div></x>".repeat(200)),
            Err(BodyError::TooDeep)
        );
        // Upper case is the same element.
        assert_eq!(clean_body(&"<DIV>".repeat(200)), Err(BodyError::TooDeep));
        // A comment ends where parsers end it: `<!-->` at once, `--!>` too.
        assert_eq!(
            clean_body(&format!("<p>a</p><!-->{}-->", "<div>".repeat(200))),
            Err(BodyError::TooDeep)
        );
        assert_eq!(
            clean_body(&format!("<p>a</p><!-- x --!>{}-->", "<div>".repeat(200))),
            Err(BodyError::TooDeep)
        );
        assert_eq!(
            clean_body(&"<b>x</b>".repeat(MAX_ELEMENTS + 1)),
            Err(BodyError::TooManyElements)
        );
        assert_eq!(
            clean_body(&"x".repeat(MAX_BODY_BYTES + 1)),
            Err(BodyError::TooLong)
        );
        // Ordinary structure passes: closed elements, paragraphs and cells by the thousand.
        let table = format!(
            "<table>{}</table>",
            "<tr><td>一</td><td>二</td></tr>".repeat(3000)
        );
        assert!(clean_body(&table).is_ok());
        let nested = format!("{}x{}", "<div>".repeat(50), "</div>".repeat(50)).repeat(100);
        assert!(clean_body(&nested).is_ok());
        assert!(clean_body(&"<p>段落".repeat(10_000)).is_ok());
        // A hundred thousand nested tags are refused at once, not parsed.
        let started = std::time::Instant::now();
        assert!(check_structure(&"<div>".repeat(100_000)).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // A stored body beyond the limits is shown as escaped text, never parsed.
        assert!(to_html(&deep).starts_with("<p>&lt;div&gt;"));
    }
}
