//! Charts drawn as SVG text, for pages that work without JavaScript: a treemap of expenditure
//! by function (each rectangle a link one level down) and grouped horizontal bars (years,
//! budget against final account, units). Each chart carries a `<title>` and `<desc>`; pages put
//! the same figures in a table beside it as the text alternative. Pure: values in, text out.

use std::fmt::Write;

/// One rectangle of a treemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// Label.
    pub label: String,
    /// Value in 分 (non-positive values are left out).
    pub value: i64,
    /// Where the rectangle leads (one level down).
    pub href: Option<String>,
}

/// A value in a [`Series`] that was not published: drawn as “未公开”, never as a zero bar.
pub const MISSING: i64 = i64::MIN;

/// One series of a bar chart: a value per category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Name (a year, 预算, 决算).
    pub name: String,
    /// Values in 分, one per category ([`MISSING`] where nothing was published).
    pub values: Vec<i64>,
}

/// Fill colours (light, so the dark labels keep a contrast above 4.5:1).
const FILLS: [&str; 8] = [
    "#cfe0f5", "#f7dcc4", "#d5ecd4", "#eed5e9", "#f5efc4", "#d3eeee", "#e4dcf5", "#f2d2d2",
];
/// Bar colours per series (dark enough against white for non-text contrast 3:1).
const BARS: [&str; 6] = [
    "#1f4e99", "#b35900", "#2e6b34", "#7a3d8a", "#8a6d00", "#006b6b",
];

/// Text escaped for XML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn worst(row: &[f64], side: f64) -> f64 {
    let sum: f64 = row.iter().sum();
    let (max, min) = row
        .iter()
        .fold((f64::MIN, f64::MAX), |(a, b), &v| (a.max(v), b.min(v)));
    let (s2, sum2) = (side * side, sum * sum);
    (s2 * max / sum2).max(sum2 / (s2 * min))
}

/// Squarified treemap (Bruls, Huizing, van Wijk): areas (already scaled to the rectangle's
/// area, sorted largest first) laid out in rows along the shorter side.
fn squarify(areas: &[f64], mut r: Rect) -> Vec<Rect> {
    let mut out = Vec::with_capacity(areas.len());
    let mut i = 0;
    while i < areas.len() {
        let side = r.w.min(r.h).max(1e-9);
        let mut end = i + 1;
        while end < areas.len() && worst(&areas[i..=end], side) <= worst(&areas[i..end], side) {
            end += 1;
        }
        let row = &areas[i..end];
        let sum: f64 = row.iter().sum();
        let thick = sum / side;
        let mut pos = 0.0;
        for &a in row {
            let len = a / thick;
            out.push(if r.w >= r.h {
                Rect {
                    x: r.x,
                    y: r.y + pos,
                    w: thick,
                    h: len,
                }
            } else {
                Rect {
                    x: r.x + pos,
                    y: r.y,
                    w: len,
                    h: thick,
                }
            });
            pos += len;
        }
        if r.w >= r.h {
            r.x += thick;
            r.w -= thick;
        } else {
            r.y += thick;
            r.h -= thick;
        }
        i = end;
    }
    out
}

fn fit(label: &str, width: f64, size: f64) -> Option<String> {
    let room = ((width - 8.0) / size).floor() as usize;
    let n = label.chars().count();
    if room < 2 {
        None
    } else if n <= room {
        Some(label.to_string())
    } else {
        Some(label.chars().take(room - 1).chain(['…']).collect())
    }
}

/// Opens the SVG: an image, or a group when it holds links (an image may not contain
/// interactive elements).
fn open(out: &mut String, id: &str, title: &str, desc: &str, w: f64, h: f64, links: bool) {
    let role = if links { "group" } else { "img" };
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="{role}" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" font-family="sans-serif"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// A treemap of the slices in a `width` × `height` box: each rectangle labelled (when it has
/// room) with its name and amount in 万元, titled with its share, and a link when it has one.
pub fn treemap(
    id: &str,
    title: &str,
    desc: &str,
    slices: &[Slice],
    width: f64,
    height: f64,
) -> String {
    let mut items: Vec<&Slice> = slices.iter().filter(|s| s.value > 0).collect();
    items.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
    let total: i64 = items.iter().map(|s| s.value).sum();
    let mut out = String::with_capacity(300 + items.len() * 260);
    let links = items.iter().any(|s| s.href.is_some());
    open(&mut out, id, title, desc, width, height, links);
    if total == 0 {
        let _ = write!(
            out,
            r##"<text x="{:.0}" y="{:.0}" text-anchor="middle" font-size="16" fill="#333">没有数据</text></svg>"##,
            width / 2.0,
            height / 2.0
        );
        return out;
    }
    let scale = width * height / total as f64;
    let areas: Vec<f64> = items.iter().map(|s| s.value as f64 * scale).collect();
    let rects = squarify(
        &areas,
        Rect {
            x: 0.0,
            y: 0.0,
            w: width,
            h: height,
        },
    );
    for (i, (s, r)) in items.iter().zip(&rects).enumerate() {
        let share = s.value as f64 * 100.0 / total as f64;
        let tip = format!("{}：{} 万元（{share:.1}%）", s.label, super::wan(s.value));
        if let Some(h) = &s.href {
            let _ = write!(out, r#"<a href="{}">"#, esc(h));
        }
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" stroke="#fff" stroke-width="1.5"><title>{}</title></rect>"##,
            r.x,
            r.y,
            r.w,
            r.h,
            FILLS[i % FILLS.len()],
            esc(&tip)
        );
        let size = 14.0;
        if r.h >= 40.0
            && let (Some(name), Some(amount)) = (
                fit(&s.label, r.w, size),
                fit(&format!("{} 万元", super::wan(s.value)), r.w, size * 0.6),
            )
        {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" font-size="{size}" fill="#111">{}</text><text x="{:.1}" y="{:.1}" font-size="12" fill="#333">{}</text>"##,
                r.x + 5.0,
                r.y + 19.0,
                esc(&name),
                r.x + 5.0,
                r.y + 35.0,
                esc(&amount)
            );
        } else if r.h >= 20.0
            && let Some(name) = fit(&s.label, r.w, 12.0)
        {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#111">{}</text>"##,
                r.x + 4.0,
                r.y + 15.0,
                esc(&name)
            );
        }
        if s.href.is_some() {
            out.push_str("</a>");
        }
    }
    out.push_str("</svg>");
    out
}

/// Grouped horizontal bars: one group per category, one bar per series, each bar labelled
/// with its amount in 万元; a legend on top. The height follows the number of bars.
pub fn bars(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series],
    width: f64,
) -> String {
    let bar = 16.0;
    let gap = 10.0;
    let label_w = (width * 0.3).min(220.0);
    let legend_h = 28.0;
    let group_h = bar * series.len().max(1) as f64 + gap;
    let height = legend_h + group_h * categories.len().max(1) as f64 + 8.0;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot = width - label_w - 90.0;
    let mut out = String::with_capacity(400 + categories.len() * series.len() * 260);
    open(&mut out, id, title, desc, width, height, false);
    for (j, s) in series.iter().enumerate() {
        let x = 4.0 + j as f64 * 110.0;
        let _ = write!(
            out,
            r##"<rect x="{x:.0}" y="6" width="14" height="14" fill="{}"/><text x="{:.0}" y="18" font-size="13" fill="#111">{}</text>"##,
            BARS[j % BARS.len()],
            x + 18.0,
            esc(&s.name)
        );
    }
    for (i, c) in categories.iter().enumerate() {
        let y0 = legend_h + i as f64 * group_h;
        let label = fit(c, label_w, 13.0).unwrap_or_default();
        let _ = write!(
            out,
            r##"<text x="{:.0}" y="{:.1}" font-size="13" text-anchor="end" fill="#111"><title>{}</title>{}</text>"##,
            label_w - 6.0,
            y0 + group_h / 2.0,
            esc(c),
            esc(&label)
        );
        for (j, s) in series.iter().enumerate() {
            let raw = s.values.get(i).copied().unwrap_or(MISSING);
            let y = y0 + j as f64 * bar;
            if raw == MISSING {
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#555">{}：未公开</text>"##,
                    label_w + 4.0,
                    y + bar - 4.0,
                    esc(&s.name)
                );
                continue;
            }
            let v = raw.max(0);
            let w = plot * v as f64 / max as f64;
            let _ = write!(
                out,
                r##"<rect x="{label_w:.0}" y="{y:.1}" width="{w:.1}" height="{:.0}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#111">{}</text>"##,
                bar - 2.0,
                BARS[j % BARS.len()],
                label_w + w + 4.0,
                y + bar - 4.0,
                super::wan(v)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(r: &Rect) -> f64 {
        r.w * r.h
    }

    #[test]
    fn a_treemap_fills_its_box_in_proportion() {
        let areas = [6.0, 6.0, 4.0, 3.0, 2.0, 2.0, 1.0];
        let rects = squarify(
            &areas,
            Rect {
                x: 0.0,
                y: 0.0,
                w: 6.0,
                h: 4.0,
            },
        );
        assert_eq!(rects.len(), 7);
        for (a, r) in areas.iter().zip(&rects) {
            assert!((area(r) - a).abs() < 1e-9, "{r:?}");
            assert!(
                r.x >= -1e-9 && r.y >= -1e-9 && r.x + r.w <= 6.0 + 1e-9 && r.y + r.h <= 4.0 + 1e-9
            );
        }
    }

    #[test]
    fn charts_are_escaped_titled_and_linked() {
        let svg = treemap(
            "t",
            "支出<功能>",
            "说明",
            &[
                Slice {
                    label: "教育支出".into(),
                    value: 3_000_000,
                    href: Some("/finance/1?code=205".into()),
                },
                Slice {
                    label: "负数".into(),
                    value: -5,
                    href: None,
                },
            ],
            960.0,
            540.0,
        );
        assert!(svg.contains("支出&lt;功能&gt;"));
        assert!(svg.contains(r#"<a href="/finance/1?code=205">"#));
        assert!(
            svg.contains(r#"role="group""#),
            "links inside: a group, not an image"
        );
        assert!(svg.contains("教育支出：3.00 万元（100.0%）"));
        assert!(!svg.contains("负数"));
        let b = bars(
            "b",
            "三公",
            "d",
            &["2025年".into()],
            &[Series {
                name: "预算".into(),
                values: vec![1_000_000],
            }],
            640.0,
        );
        assert!(b.contains("1.00") && b.contains("<title id=\"b-t\">三公</title>"));
    }
}
