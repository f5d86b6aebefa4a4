//! Website inspection against the national indicators (政府网站检查指标, 国办秘函〔2019〕19号;
//! DOMAIN.md §4), as pure rules: the crawler (elsewhere) fetches pages and reduces each to its
//! [`PageFacts`]; [`inspect`] turns the facts of a whole site into the report — the single-veto
//! verdict with the evidence of each veto item, and the deduction score with each deduction and
//! its evidence. Thresholds and weights the national text does not fix are [`Rules`].

use crate::scan::Scanner;
use chrono::NaiveDate;
use serde::Serialize;

/// What kind of page, from its meta tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    /// The home page (the inspected address).
    Home,
    /// A column (栏目) page: carries `ColumnName`.
    Column,
    /// An article: carries `ArticleTitle`.
    Article,
    /// Anything else.
    Other,
}

/// One fetched page reduced to what the rules look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageFacts {
    /// Its address.
    pub url: String,
    /// The kind.
    pub kind: PageKind,
    /// Meta tags (name, content).
    pub meta: Vec<(String, String)>,
    /// Visible text.
    pub text: String,
    /// Dates of the entries listed on the page (a column's items, the home page's news), from
    /// the page's list — newest first or not.
    pub listed_dates: Vec<NaiveDate>,
}

impl PageFacts {
    /// A meta tag's content, trimmed; `None` when absent or empty.
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, c)| c.trim())
            .filter(|c| !c.is_empty())
    }
}

/// A link that did not work, with the page that links it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The link.
    pub url: String,
    /// The page it is on.
    pub on_page: String,
    /// Status or error, in words.
    pub why: String,
    /// On the inspected site (else outside).
    pub internal: bool,
}

/// Local numbers: thresholds and weights the national text leaves open (`[inspection]` in the
/// configuration file; every key optional).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Days without an update after which the home page is a veto (national: 14).
    pub home_stale_days: i64,
    /// Days for dynamic (news) columns (national: 14).
    pub dynamic_stale_days: i64,
    /// Days for notice and policy columns (national: about 183, six months).
    pub notice_stale_days: i64,
    /// Stale columns that make a veto (national: 5).
    pub stale_columns_veto: usize,
    /// Empty columns that make a veto (national: 5).
    pub empty_columns_veto: usize,
    /// Points per broken link inside the site.
    pub internal_link_points: f64,
    /// Points per broken link to another site.
    pub external_link_points: f64,
    /// Most points broken links can cost.
    pub link_points_cap: f64,
    /// Points per page missing a required meta tag.
    pub meta_points: f64,
    /// Most points missing meta tags can cost.
    pub meta_points_cap: f64,
    /// Points per missing footer item on the home page.
    pub footer_points: f64,
    /// Points per page showing personal data.
    pub personal_data_points: f64,
    /// A score under this fails.
    pub pass_score: f64,
    /// Minutes between two availability probes of a listed site's home page (national: at
    /// least 20 probes a day).
    pub probe_minutes: u64,
    /// Seconds a probe waits for the home page (national: 15).
    pub probe_timeout_secs: u64,
    /// Share of failed probes over the week before an inspection that is a veto (national: 5%).
    pub unreachable_percent: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            home_stale_days: 14,
            dynamic_stale_days: 14,
            notice_stale_days: 183,
            stale_columns_veto: 5,
            empty_columns_veto: 5,
            internal_link_points: 1.0,
            external_link_points: 0.5,
            link_points_cap: 10.0,
            meta_points: 0.5,
            meta_points_cap: 5.0,
            footer_points: 2.0,
            personal_data_points: 5.0,
            pass_score: 60.0,
            probe_minutes: 60,
            probe_timeout_secs: 15,
            unreachable_percent: 5.0,
        }
    }
}

/// One veto item found, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Veto {
    /// Which indicator.
    pub item: String,
    /// What shows it (pages, dates, counts).
    pub evidence: Vec<String>,
}

/// One deduction with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deduction {
    /// Which indicator.
    pub item: String,
    /// Points lost.
    pub points: f64,
    /// What shows it.
    pub evidence: Vec<String>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The day judged by.
    pub day: NaiveDate,
    /// Pages looked at.
    pub pages: usize,
    /// Veto items (any one fails the site).
    pub vetoes: Vec<Veto>,
    /// Deductions.
    pub deductions: Vec<Deduction>,
    /// 100 minus the deductions.
    pub score: f64,
    /// Passed: no veto and the score at least [`Rules::pass_score`].
    pub passed: bool,
}

/// Whether a 网站标识码 (site ID code) has the national form: ten characters, either the
/// six-digit administrative division code of a province-level region (first two digits 11–82)
/// and a four-digit serial, or `bm` and eight digits for a department's site.
pub fn valid_site_code(code: &str) -> bool {
    let c = code.trim();
    if c.len() != 10 || !c.is_ascii() {
        return false;
    }
    if let Some(rest) = c.strip_prefix("bm") {
        return rest.bytes().all(|b| b.is_ascii_digit());
    }
    c.bytes().all(|b| b.is_ascii_digit())
        && c[..2].parse::<u32>().is_ok_and(|p| (11..=82).contains(&p))
}

/// Whether a `PubDate` has the form `YYYY-MM-DD HH:MM`.
pub fn valid_pub_date(s: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M").is_ok()
}

const SITE_META: [&str; 3] = ["SiteName", "SiteDomain", "SiteIDCode"];
const COLUMN_META: [&str; 4] = [
    "ColumnName",
    "ColumnDescription",
    "ColumnKeywords",
    "ColumnType",
];
const ARTICLE_META: [&str; 3] = ["ArticleTitle", "PubDate", "ContentSource"];

/// The footer items the home page must show: (what, text that shows it).
const FOOTER: [(&str, &[&str]); 5] = [
    ("主办单位", &["主办单位", "主办："]),
    ("网站标识码", &["网站标识码"]),
    ("ICP备案号", &["ICP备"]),
    ("公安机关备案号", &["公网安备"]),
    ("“我为政府网站找错”入口", &["我为政府网站找错"]),
];

/// Whether a column is a notice or policy column (six months) rather than a dynamic one (two
/// weeks), from its name and type.
fn is_notice_column(p: &PageFacts) -> bool {
    let words = format!(
        "{}{}",
        p.meta("ColumnName").unwrap_or(""),
        p.meta("ColumnType").unwrap_or("")
    );
    ["通知", "公告", "政策", "文件", "规划", "法规"]
        .iter()
        .any(|w| words.contains(w))
}

/// Whether a column is an interaction, service or other non-list column (its content is a
/// form or a fixed text, not dated entries), from its ColumnType.
fn is_service_column(p: &PageFacts) -> bool {
    let t = p.meta("ColumnType").unwrap_or("");
    ["互动", "服务", "其他", "搜索"]
        .iter()
        .any(|w| t.contains(w))
}

/// Judges a site from its pages' facts, its broken links, and — for gongkai's own portal —
/// the interaction messages unanswered for over three months (tracking numbers).
pub fn inspect(
    day: NaiveDate,
    pages: &[PageFacts],
    broken: &[BrokenLink],
    unanswered_messages: &[String],
    scanner: &Scanner,
    rules: &Rules,
) -> Report {
    let mut vetoes = Vec::new();
    let mut deductions = Vec::new();
    let age = |d: NaiveDate| (day - d).num_days();
    // the home page: updated within two weeks, with its footer items
    match pages.iter().find(|p| p.kind == PageKind::Home) {
        None => vetoes.push(Veto {
            item: "站点无法访问".into(),
            evidence: vec!["首页未能打开".into()],
        }),
        Some(home) => {
            let newest = home
                .listed_dates
                .iter()
                .chain(
                    pages
                        .iter()
                        .filter(|p| p.kind == PageKind::Article)
                        .flat_map(|p| p.meta("PubDate"))
                        .filter_map(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok())
                        .collect::<Vec<_>>()
                        .iter(),
                )
                .max()
                .copied();
            match newest {
                Some(d) if age(d) <= rules.home_stale_days => {}
                Some(d) => vetoes.push(Veto {
                    item: format!("首页超过{}天未更新", rules.home_stale_days),
                    evidence: vec![format!("{}：最近更新 {d}（{}天前）", home.url, age(d))],
                }),
                None => vetoes.push(Veto {
                    item: format!("首页超过{}天未更新", rules.home_stale_days),
                    evidence: vec![format!("{}：首页没有带日期的信息", home.url)],
                }),
            }
            let missing: Vec<String> = FOOTER
                .iter()
                .filter(|(_, needles)| !needles.iter().any(|n| home.text.contains(n)))
                .map(|(what, _)| what.to_string())
                .collect();
            if !missing.is_empty() {
                deductions.push(Deduction {
                    item: "首页底部信息不全".into(),
                    points: rules.footer_points * missing.len() as f64,
                    evidence: missing
                        .iter()
                        .map(|m| format!("{}：缺少{m}", home.url))
                        .collect(),
                });
            }
        }
    }
    // columns: stale and empty. A column is judged by the freshest of its pages (a list's
    // later pages and filtered views carry the same ColumnName); interaction, service and
    // other non-list columns (a form, the contact page) hold no dated entries by nature.
    let mut stale = Vec::new();
    let mut empty = Vec::new();
    let mut columns: Vec<(&str, &PageFacts, Option<NaiveDate>)> = Vec::new();
    for c in pages
        .iter()
        .filter(|p| p.kind == PageKind::Column && !is_service_column(p))
    {
        let name = c.meta("ColumnName").unwrap_or(&c.url);
        let newest = c.listed_dates.iter().max().copied();
        match columns.iter_mut().find(|(n, _, _)| *n == name) {
            Some(entry) => {
                if newest > entry.2 {
                    *entry = (name, c, newest);
                }
            }
            None => columns.push((name, c, newest)),
        }
    }
    for (name, c, newest) in columns {
        match newest {
            None => empty.push(format!("“{name}”（{}）没有信息", c.url)),
            Some(d) => {
                let limit = if is_notice_column(c) {
                    rules.notice_stale_days
                } else {
                    rules.dynamic_stale_days
                };
                if age(d) > limit {
                    stale.push(format!("“{name}”（{}）最近更新 {d}，超过{limit}天", c.url));
                }
            }
        }
    }
    if stale.len() >= rules.stale_columns_veto {
        vetoes.push(Veto {
            item: format!(
                "栏目不更新：{}个以上栏目未按期更新",
                rules.stale_columns_veto
            ),
            evidence: stale.clone(),
        });
    }
    if empty.len() >= rules.empty_columns_veto {
        vetoes.push(Veto {
            item: format!("空白栏目{}个以上", rules.empty_columns_veto),
            evidence: empty.clone(),
        });
    }
    if !stale.is_empty() && stale.len() < rules.stale_columns_veto {
        deductions.push(Deduction {
            item: "栏目未按期更新".into(),
            points: 2.0 * stale.len() as f64,
            evidence: stale,
        });
    }
    if !empty.is_empty() && empty.len() < rules.empty_columns_veto {
        deductions.push(Deduction {
            item: "空白栏目".into(),
            points: 2.0 * empty.len() as f64,
            evidence: empty,
        });
    }
    // interaction: a message unanswered for over three months
    if !unanswered_messages.is_empty() {
        vetoes.push(Veto {
            item: "互动回应差：有效留言超过3个月未答复".into(),
            evidence: unanswered_messages
                .iter()
                .map(|n| format!("留言 {n}"))
                .collect(),
        });
    }
    // meta tags and the site ID code
    let mut meta_missing = Vec::new();
    for p in pages {
        let mut wanted: Vec<&str> = SITE_META.to_vec();
        match p.kind {
            PageKind::Column => wanted.extend(COLUMN_META),
            PageKind::Article => wanted.extend(ARTICLE_META),
            _ => {}
        }
        let lacking: Vec<&str> = wanted.into_iter().filter(|m| p.meta(m).is_none()).collect();
        if !lacking.is_empty() {
            meta_missing.push(format!("{}：缺少 {}", p.url, lacking.join("、")));
        }
        if let Some(code) = p.meta("SiteIDCode")
            && !valid_site_code(code)
        {
            meta_missing.push(format!("{}：SiteIDCode“{code}”不是有效的网站标识码", p.url));
        }
        if p.kind == PageKind::Article
            && let Some(d) = p.meta("PubDate")
            && !valid_pub_date(d)
        {
            meta_missing.push(format!("{}：PubDate“{d}”应为 YYYY-MM-DD HH:MM", p.url));
        }
    }
    if !meta_missing.is_empty() {
        deductions.push(Deduction {
            item: "网页元数据（meta标签）不规范".into(),
            points: (rules.meta_points * meta_missing.len() as f64).min(rules.meta_points_cap),
            evidence: meta_missing,
        });
    }
    // broken links
    let (inside, outside): (Vec<&BrokenLink>, Vec<&BrokenLink>) =
        broken.iter().partition(|b| b.internal);
    if !broken.is_empty() {
        let points = (rules.internal_link_points * inside.len() as f64
            + rules.external_link_points * outside.len() as f64)
            .min(rules.link_points_cap);
        deductions.push(Deduction {
            item: format!(
                "链接不可用：站内{}个、站外{}个",
                inside.len(),
                outside.len()
            ),
            points,
            evidence: broken
                .iter()
                .map(|b| format!("{}（{}）位于 {}", b.url, b.why, b.on_page))
                .collect(),
        });
    }
    // personal data shown on pages
    let leaks: Vec<String> = pages
        .iter()
        .filter_map(|p| {
            let found: Vec<String> = scanner
                .scan(&p.text)
                .into_iter()
                .filter(|f| f.kind != crate::scan::FindingKind::SensitiveWord)
                .map(|f| f.masked)
                .collect();
            (!found.is_empty()).then(|| format!("{}：{}", p.url, found.join("、")))
        })
        .collect();
    if !leaks.is_empty() {
        deductions.push(Deduction {
            item: "页面公开了个人信息".into(),
            points: rules.personal_data_points * leaks.len() as f64,
            evidence: leaks,
        });
    }
    let score = (100.0 - deductions.iter().map(|d| d.points).sum::<f64>()).max(0.0);
    Report {
        day,
        pages: pages.len(),
        passed: vetoes.is_empty() && score >= rules.pass_score,
        vetoes,
        deductions,
        score,
    }
}

/// Two inspections of a site compared, finding by finding (an indicator and one piece of
/// evidence): new in the later, fixed since the earlier, remaining in both. Each list keeps
/// the order of the inspection it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Comparison<T> {
    /// Found now, not before.
    pub new: Vec<T>,
    /// Found before, not now.
    pub fixed: Vec<T>,
    /// Found both times (as found now).
    pub remaining: Vec<T>,
}

/// Compares the earlier findings with the later ones by `key` (indicator and evidence).
pub fn compare<T: Clone, K: PartialEq>(
    earlier: &[T],
    later: &[T],
    key: impl Fn(&T) -> K,
) -> Comparison<T> {
    let before: Vec<K> = earlier.iter().map(&key).collect();
    let now: Vec<K> = later.iter().map(&key).collect();
    Comparison {
        new: later
            .iter()
            .filter(|f| !before.contains(&key(f)))
            .cloned()
            .collect(),
        fixed: earlier
            .iter()
            .filter(|f| !now.contains(&key(f)))
            .cloned()
            .collect(),
        remaining: later
            .iter()
            .filter(|f| before.contains(&key(f)))
            .cloned()
            .collect(),
    }
}

/// Adds the availability veto to a report: of `total` probes of the home page over the week
/// before, `failed` did not load within the probe timeout; at or over
/// [`Rules::unreachable_percent`] the site fails. With fewer probes than the national minimum
/// (20 a day for 7 days) the evidence says so.
pub fn judge_availability(report: &mut Report, total: u64, failed: u64, rules: &Rules) {
    if total == 0 || (failed as f64) * 100.0 < rules.unreachable_percent * total as f64 {
        return;
    }
    let mut evidence = vec![format!(
        "近7天探测首页{total}次，{failed}次未能在{}秒内打开（{:.1}%）",
        rules.probe_timeout_secs,
        failed as f64 * 100.0 / total as f64
    )];
    if total < 140 {
        evidence.push(format!(
            "探测次数少于国家要求的每天20次、连续7天（共{total}次）"
        ));
    }
    report.vetoes.push(Veto {
        item: "站点无法访问".into(),
        evidence,
    });
    report.passed = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn site_meta() -> Vec<(String, String)> {
        vec![
            ("SiteName".into(), "示范区人民政府".into()),
            ("SiteDomain".into(), "www.example.gov.cn".into()),
            ("SiteIDCode".into(), "3301020001".into()),
        ]
    }

    fn home(dates: &[&str]) -> PageFacts {
        PageFacts {
            url: "http://127.0.0.1/".into(),
            kind: PageKind::Home,
            meta: site_meta(),
            text: "主办单位：示范区人民政府办公室 网站标识码：3301020001 浙ICP备00000000号 浙公网安备 33010202000000号 我为政府网站找错".into(),
            listed_dates: dates.iter().map(|s| d(s)).collect(),
        }
    }

    fn column(name: &str, kind: &str, dates: &[&str]) -> PageFacts {
        let mut meta = site_meta();
        for (k, v) in [
            ("ColumnName", name),
            ("ColumnDescription", name),
            ("ColumnKeywords", name),
            ("ColumnType", kind),
        ] {
            meta.push((k.into(), v.into()));
        }
        PageFacts {
            url: format!("http://127.0.0.1/c/{name}"),
            kind: PageKind::Column,
            meta,
            text: String::new(),
            listed_dates: dates.iter().map(|s| d(s)).collect(),
        }
    }

    #[test]
    fn site_codes_and_pub_dates() {
        assert!(valid_site_code("3301020001"));
        assert!(valid_site_code("bm01000001"));
        assert!(!valid_site_code("0001020001"), "no such province");
        assert!(!valid_site_code("330102000"));
        assert!(!valid_site_code("33010200０1"));
        assert!(valid_pub_date("2026-12-01 09:30"));
        assert!(!valid_pub_date("2026-12-01"));
    }

    #[test]
    fn a_column_is_judged_by_its_freshest_page_and_forms_are_not_columns() {
        let mut page2 = column("要闻动态", "信息发布", &[]);
        page2.url.push_str("?page=2");
        let pages = vec![
            home(&["2026-11-30"]),
            page2,
            column("要闻动态", "信息发布", &["2026-11-28"]),
            column("我要留言", "互动交流", &[]),
            column("联系我们", "其他", &[]),
        ];
        let r = inspect(
            d("2026-12-01"),
            &pages,
            &[],
            &[],
            &Scanner::new::<&str>(&[]),
            &Rules::default(),
        );
        assert!(r.deductions.is_empty(), "{:?}", r.deductions);
        assert!(r.passed);
    }

    #[test]
    fn a_good_site_passes_with_full_marks() {
        let pages = vec![
            home(&["2026-11-30"]),
            column("要闻动态", "信息发布", &["2026-11-28"]),
        ];
        let r = inspect(
            d("2026-12-01"),
            &pages,
            &[],
            &[],
            &Scanner::new::<&str>(&[]),
            &Rules::default(),
        );
        assert!(r.vetoes.is_empty(), "{:?}", r.vetoes);
        assert!(r.deductions.is_empty(), "{:?}", r.deductions);
        assert!(r.passed && r.score == 100.0);
    }

    #[test]
    fn vetoes_and_deductions_carry_their_evidence() {
        let mut pages = vec![home(&["2026-10-01"])];
        // five empty columns: a veto; one stale notice column: a deduction
        for i in 0..5 {
            pages.push(column(&format!("空栏目{i}"), "信息发布", &[]));
        }
        pages.push(column("通知公告", "通知公告", &["2026-03-01"]));
        pages[0].text = pages[0].text.replace("我为政府网站找错", "");
        pages.push(PageFacts {
            url: "http://127.0.0.1/items/1".into(),
            kind: PageKind::Article,
            meta: vec![
                ("ArticleTitle".into(), "关于补助的公示".into()),
                ("PubDate".into(), "2026-09-30".into()),
            ],
            text: "申请人身份证号 11010519491231002X".into(),
            listed_dates: vec![],
        });
        let broken = vec![BrokenLink {
            url: "http://127.0.0.1/gone".into(),
            on_page: "http://127.0.0.1/".into(),
            why: "404".into(),
            internal: true,
        }];
        let r = inspect(
            d("2026-12-01"),
            &pages,
            &broken,
            &["LY2026-MZJ-000001".into()],
            &Scanner::new::<&str>(&[]),
            &Rules::default(),
        );
        let items: Vec<&str> = r.vetoes.iter().map(|v| v.item.as_str()).collect();
        assert!(
            items.iter().any(|i| i.starts_with("首页超过14天")),
            "{items:?}"
        );
        assert!(items.iter().any(|i| i.starts_with("空白栏目")), "{items:?}");
        assert!(items.iter().any(|i| i.contains("3个月未答复")), "{items:?}");
        assert!(!r.passed);
        let ded = |name: &str| r.deductions.iter().find(|x| x.item.contains(name)).unwrap();
        assert!(ded("栏目未按期更新").evidence[0].contains("通知公告"));
        assert_eq!(ded("首页底部").points, 2.0);
        assert!(
            ded("元数据")
                .evidence
                .iter()
                .any(|e| e.contains("ContentSource"))
        );
        assert!(
            ded("元数据")
                .evidence
                .iter()
                .any(|e| e.contains("PubDate“2026-09-30”"))
        );
        assert_eq!(ded("链接不可用").points, 1.0);
        assert!(ded("个人信息").evidence[0].contains("/items/1"));
        assert!(
            !ded("个人信息").evidence[0].contains("11010519491231002X"),
            "masked"
        );
    }

    #[test]
    fn two_inspections_compare_by_indicator_and_evidence() {
        let a = [("死链", "/a"), ("死链", "/b"), ("元数据", "/c")];
        let b = [("死链", "/b"), ("空白栏目", "/d"), ("元数据", "/c")];
        let c = compare(&a, &b, |f| *f);
        assert_eq!(c.new, vec![("空白栏目", "/d")]);
        assert_eq!(c.fixed, vec![("死链", "/a")]);
        assert_eq!(c.remaining, vec![("死链", "/b"), ("元数据", "/c")]);
    }

    #[test]
    fn a_site_unreachable_for_five_percent_of_probes_fails() {
        let mut r = inspect(
            d("2026-12-01"),
            &[home(&["2026-11-30"])],
            &[],
            &[],
            &Scanner::new::<&str>(&[]),
            &Rules::default(),
        );
        judge_availability(&mut r, 140, 6, &Rules::default());
        assert!(r.passed, "4.3% is under the line");
        judge_availability(&mut r, 140, 7, &Rules::default());
        assert!(!r.passed);
        assert_eq!(r.vetoes[0].item, "站点无法访问");
        assert!(r.vetoes[0].evidence[0].contains("140次，7次"));
    }
}
