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

/// The body as it is stored: line endings normalised; rich text sanitised; plain text kept.
pub fn clean_body(input: &str) -> String {
    let body = input.replace("\r\n", "\n");
    if is_html(&body) {
        sanitize(&body).trim().to_string()
    } else {
        body
    }
}

/// The body as safe HTML for a page: rich text sanitised (again: a stored body may predate a
/// change of the rules), plain text escaped with a paragraph per non-empty line.
pub fn to_html(body: &str) -> String {
    if is_html(body) {
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
    if !is_html(body) {
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
            clean_body(plain),
            "各学校：\n  第一段 <b>不是标记</b>\n\n第二段 & 附件"
        );
        assert_eq!(
            to_html(&clean_body(plain)),
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
            clean_body("<script>x</script>"),
            "",
            "nothing left is an empty body"
        );
    }
}
