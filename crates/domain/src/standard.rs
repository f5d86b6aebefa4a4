//! The standard disclosure catalog of grassroots government affairs (基层政务公开标准目录,
//! 国办发〔2019〕54号; DOMAIN.md §8): what each area of grassroots work must disclose, on what
//! basis, how fast, by whom, through which channels, to whom, how and at which level.
//!
//! Entries travel as spreadsheets. [`parse_grid`] reads a sheet (already turned into rows of
//! cell text) in either of two layouts: the official two-row header whose 公开对象 / 公开方式 /
//! 公开层级 columns are ticked with "√", or a simple one-row header with the values written out
//! ("全社会", "主动", "县级、乡级"). Channels may be listed ("政府网站、政务服务中心") or
//! ticked ("■政府网站 □政府公报"). Every bad row is reported with its line number; nothing
//! is half-read. [`to_grid`] writes the official layout, which [`parse_grid`] reads back.

use serde::Serialize;

/// The channels and carriers (公开渠道和载体) of DOMAIN.md §8, in the official order.
pub const CHANNELS: [&str; 13] = [
    "政府网站",
    "政府公报",
    "两微一端",
    "发布会/听证会",
    "广播电视",
    "纸质媒体",
    "公开查阅点",
    "政务服务中心",
    "便民服务站",
    "入户/现场",
    "社区/企事业单位/村公示栏(电子屏)",
    "精准推送",
    "其他",
];

/// One entry of the standard catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct StandardEntry {
    /// The area of grassroots work (e.g. 义务教育, 社会救助).
    pub area: String,
    /// 序号 within the area.
    pub seq: i64,
    /// 一级事项.
    pub matter: String,
    /// 二级事项 (may be empty).
    pub sub_matter: String,
    /// 公开内容（要素）.
    pub content: String,
    /// 公开依据.
    pub basis: String,
    /// 公开时限.
    pub time_limit: String,
    /// 公开主体.
    pub subject: String,
    /// 公开渠道和载体, each one of [`CHANNELS`] (其他 may carry a note: "其他：…").
    pub channels: Vec<String>,
    /// 公开对象: 全社会.
    pub to_public: bool,
    /// 公开对象: 特定群体.
    pub to_specific: bool,
    /// 公开方式: 主动.
    pub proactive: bool,
    /// 公开方式: 依申请.
    pub on_request: bool,
    /// 公开层级: 县级.
    pub county_level: bool,
    /// 公开层级: 乡级.
    pub township_level: bool,
}

impl StandardEntry {
    /// The natural key: an entry is the same entry when area and matters are the same.
    pub fn key(&self) -> (String, String, String) {
        (
            self.area.clone(),
            self.matter.clone(),
            self.sub_matter.clone(),
        )
    }

    /// 公开对象 as text.
    pub fn audience_text(&self) -> String {
        join_flags(&[(self.to_public, "全社会"), (self.to_specific, "特定群体")])
    }

    /// 公开方式 as text.
    pub fn mode_text(&self) -> String {
        join_flags(&[(self.proactive, "主动"), (self.on_request, "依申请")])
    }

    /// 公开层级 as text.
    pub fn level_text(&self) -> String {
        join_flags(&[(self.county_level, "县级"), (self.township_level, "乡级")])
    }

    /// Canonical text for the audit trail.
    pub fn canonical(&self) -> String {
        format!(
            "area={}\nseq={}\nmatter={}\nsub_matter={}\ncontent={}\nbasis={}\ntime_limit={}\nsubject={}\nchannels={}\naudience={}\nmode={}\nlevel={}",
            self.area,
            self.seq,
            self.matter,
            self.sub_matter,
            self.content,
            self.basis,
            self.time_limit,
            self.subject,
            self.channels.join("、"),
            self.audience_text(),
            self.mode_text(),
            self.level_text()
        )
    }
}

fn join_flags(flags: &[(bool, &str)]) -> String {
    flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join("、")
}

/// Checks one entry; every problem is reported, in Chinese.
pub fn validate(e: &StandardEntry) -> Vec<String> {
    let mut errors = Vec::new();
    for (value, name, max) in [
        (&e.area, "领域", 40),
        (&e.matter, "一级事项", 100),
        (&e.content, "公开内容（要素）", 2000),
        (&e.basis, "公开依据", 2000),
        (&e.time_limit, "公开时限", 200),
        (&e.subject, "公开主体", 200),
    ] {
        if value.trim().is_empty() {
            errors.push(format!("缺少{name}"));
        } else if value.chars().count() > max {
            errors.push(format!("{name}不能超过{max}个字"));
        }
    }
    if e.sub_matter.chars().count() > 100 {
        errors.push("二级事项不能超过100个字".into());
    }
    if e.seq < 1 {
        errors.push("序号应为正整数".into());
    }
    if e.channels.is_empty() {
        errors.push("至少需要一种公开渠道和载体".into());
    }
    for c in &e.channels {
        if channel_name(c).is_none() {
            errors.push(format!(
                "公开渠道“{c}”不在标准列表中（{}）",
                CHANNELS.join("、")
            ));
        }
    }
    if !e.to_public && !e.to_specific {
        errors.push("公开对象应为全社会或特定群体".into());
    }
    if !e.proactive && !e.on_request {
        errors.push("公开方式应为主动或依申请".into());
    }
    if !e.county_level && !e.township_level {
        errors.push("公开层级应为县级或乡级".into());
    }
    errors
}

/// The standard name of a channel as written (full-width brackets and slashes allowed;
/// "其他：说明" is 其他), or `None`.
pub fn channel_name(written: &str) -> Option<&'static str> {
    let norm: String = written
        .trim()
        .chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '／' => '/',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    if let Some(c) = CHANNELS.iter().find(|c| **c == norm) {
        return Some(c);
    }
    if norm.starts_with("其他") || norm.starts_with("其它") {
        return Some("其他");
    }
    None
}

/// Splits a 公开渠道和载体 cell: either ticked boxes ("■政府网站 □政府公报", also ☑ / √) or a
/// list separated by 、，,；; or line breaks.
pub fn parse_channels(cell: &str) -> Vec<String> {
    const TICKED: [char; 4] = ['■', '☑', '√', '✓'];
    const UNTICKED: [char; 2] = ['□', '☐'];
    let marks = |c: char| TICKED.contains(&c) || UNTICKED.contains(&c);
    if cell.chars().any(marks) {
        let mut out = Vec::new();
        let mut current: Option<(bool, String)> = None;
        for c in cell.chars() {
            if marks(c) {
                if let Some((true, name)) = current.take() {
                    out.push(name.trim().to_string());
                }
                current = Some((TICKED.contains(&c), String::new()));
            } else if let Some((_, name)) = current.as_mut() {
                name.push(c);
            }
        }
        if let Some((true, name)) = current {
            out.push(name.trim().to_string());
        }
        return out.into_iter().filter(|s| !s.is_empty()).collect();
    }
    cell.split(['、', '，', ',', '；', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A problem in one spreadsheet row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based row number as the spreadsheet shows it.
    pub row: usize,
    /// What is wrong.
    pub message: String,
}

/// Columns the reader knows, by their header text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Area,
    Seq,
    Matter,
    SubMatter,
    Content,
    Basis,
    TimeLimit,
    Subject,
    Channels,
    Audience,
    Mode,
    Level,
    Flag(Flag),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Public,
    Specific,
    Proactive,
    OnRequest,
    County,
    Township,
}

fn column(header: &str) -> Option<Col> {
    let h: String = header
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            _ => c,
        })
        .collect();
    Some(match h.as_str() {
        "领域" | "试点领域" | "事项领域" => Col::Area,
        "序号" => Col::Seq,
        "一级事项" | "公开事项" => Col::Matter,
        "二级事项" => Col::SubMatter,
        "公开内容" | "公开内容(要素)" => Col::Content,
        "公开依据" => Col::Basis,
        "公开时限" => Col::TimeLimit,
        "公开主体" => Col::Subject,
        "公开渠道和载体" | "公开渠道" => Col::Channels,
        "公开对象" => Col::Audience,
        "公开方式" => Col::Mode,
        "公开层级" => Col::Level,
        "全社会" => Col::Flag(Flag::Public),
        "特定群体" => Col::Flag(Flag::Specific),
        "主动" => Col::Flag(Flag::Proactive),
        "依申请" => Col::Flag(Flag::OnRequest),
        "县级" => Col::Flag(Flag::County),
        "乡级" => Col::Flag(Flag::Township),
        _ => return None,
    })
}

fn ticked(cell: &str) -> bool {
    let t = cell.trim();
    !t.is_empty() && !matches!(t, "×" | "否" | "0" | "-" | "无" | "□" | "☐")
}

/// Reads the entries of a sheet. `default_area` is used where the sheet has no 领域 column
/// (the official sheets are one area per file). Rows without any content are skipped.
pub fn parse_grid(
    grid: &[Vec<String>],
    default_area: &str,
) -> Result<Vec<StandardEntry>, Vec<RowError>> {
    let Some(header_row) = grid
        .iter()
        .position(|r| r.iter().any(|c| column(c) == Some(Col::Content)))
    else {
        return Err(vec![RowError {
            row: 1,
            message: "找不到表头：应有“公开内容（要素）”等列".into(),
        }]);
    };
    // The official layout has a second header row (一级事项/二级事项, 全社会/特定群体, …)
    // under merged cells, so its 公开内容 cell is empty; a data row's is not.
    let content_col = grid[header_row]
        .iter()
        .position(|c| column(c) == Some(Col::Content));
    let sub = grid.get(header_row + 1).filter(|r| {
        let content_empty = content_col
            .and_then(|i| r.get(i))
            .is_none_or(|c| c.trim().is_empty());
        content_empty
            && r.iter()
                .any(|c| matches!(column(c), Some(Col::Flag(_)) | Some(Col::SubMatter)))
    });
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    let mut cols: Vec<Option<Col>> = Vec::with_capacity(width);
    for i in 0..width {
        let top = grid[header_row].get(i).map(String::as_str).unwrap_or("");
        let below = sub.and_then(|r| r.get(i)).map(String::as_str).unwrap_or("");
        cols.push(column(below).or_else(|| column(top)));
    }
    let mut errors = Vec::new();
    for required in [Col::Matter, Col::Content, Col::Channels] {
        if !cols.contains(&Some(required)) {
            let name = match required {
                Col::Matter => "一级事项",
                Col::Content => "公开内容（要素）",
                _ => "公开渠道和载体",
            };
            errors.push(RowError {
                row: header_row + 1,
                message: format!("缺少“{name}”列"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let first_data = header_row + if sub.is_some() { 2 } else { 1 };
    let mut entries = Vec::new();
    let mut last_matter = String::new();
    let mut last_area = String::new();
    let mut auto_seq = 0;
    for (offset, row) in grid.iter().enumerate().skip(first_data) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = offset + 1;
        let mut e = StandardEntry::default();
        let mut seq_text = String::new();
        let mut problems = Vec::new();
        for (i, cell) in row.iter().enumerate() {
            let v = cell.trim().to_string();
            match cols.get(i).copied().flatten() {
                Some(Col::Area) => e.area = v,
                Some(Col::Seq) => seq_text = v,
                Some(Col::Matter) => e.matter = v,
                Some(Col::SubMatter) => e.sub_matter = v,
                Some(Col::Content) => e.content = v,
                Some(Col::Basis) => e.basis = v,
                Some(Col::TimeLimit) => e.time_limit = v,
                Some(Col::Subject) => e.subject = v,
                Some(Col::Channels) => {
                    e.channels = parse_channels(&v)
                        .into_iter()
                        .map(|c| match channel_name(&c) {
                            Some("其他") | None => c,
                            Some(name) => name.to_string(),
                        })
                        .collect();
                }
                Some(Col::Audience) => {
                    e.to_public |= v.contains("全社会");
                    e.to_specific |= v.contains("特定群体");
                    if !v.is_empty() && !e.to_public && !e.to_specific {
                        problems.push(format!("公开对象“{v}”应为全社会或特定群体"));
                    }
                }
                Some(Col::Mode) => {
                    e.proactive |= v.contains("主动");
                    e.on_request |= v.contains("依申请");
                    if !v.is_empty() && !e.proactive && !e.on_request {
                        problems.push(format!("公开方式“{v}”应为主动或依申请"));
                    }
                }
                Some(Col::Level) => {
                    e.county_level |= v.contains("县");
                    e.township_level |= v.contains("乡") || v.contains("镇");
                    if !v.is_empty() && !e.county_level && !e.township_level {
                        problems.push(format!("公开层级“{v}”应为县级或乡级"));
                    }
                }
                Some(Col::Flag(f)) => {
                    let on = ticked(&v);
                    match f {
                        Flag::Public => e.to_public |= on,
                        Flag::Specific => e.to_specific |= on,
                        Flag::Proactive => e.proactive |= on,
                        Flag::OnRequest => e.on_request |= on,
                        Flag::County => e.county_level |= on,
                        Flag::Township => e.township_level |= on,
                    }
                }
                None => {}
            }
        }
        // merged cells: an empty 一级事项 or 领域 continues the one above
        if e.matter.is_empty() && !e.sub_matter.is_empty() {
            e.matter = last_matter.clone();
        }
        if e.area.is_empty() {
            e.area = if last_area.is_empty() {
                default_area.trim().to_string()
            } else {
                last_area.clone()
            };
        }
        if e.area != last_area {
            auto_seq = 0;
        }
        last_matter = e.matter.clone();
        last_area = e.area.clone();
        auto_seq += 1;
        e.seq = if seq_text.is_empty() {
            auto_seq
        } else {
            match seq_text.parse::<i64>() {
                Ok(n) => n,
                Err(_) => {
                    problems.push(format!("序号“{seq_text}”不是数字"));
                    auto_seq
                }
            }
        };
        problems.extend(validate(&e));
        if problems.is_empty() {
            entries.push(e);
        } else {
            errors.extend(
                problems
                    .into_iter()
                    .map(|message| RowError { row: line, message }),
            );
        }
    }
    let mut seen = std::collections::HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(first) = seen.insert(e.key(), i) {
            errors.push(RowError {
                row: 0,
                message: format!(
                    "“{}”领域的事项“{}{}”出现了两次（第{}条和第{}条）",
                    e.area,
                    e.matter,
                    if e.sub_matter.is_empty() {
                        String::new()
                    } else {
                        format!("／{}", e.sub_matter)
                    },
                    first + 1,
                    i + 1
                ),
            });
        }
    }
    if entries.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: first_data + 1,
            message: "表格中没有目录条目".into(),
        });
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(errors)
    }
}

/// The official two-row header.
pub const HEADER_TOP: [&str; 15] = [
    "领域",
    "序号",
    "公开事项",
    "",
    "公开内容（要素）",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开渠道和载体",
    "公开对象",
    "",
    "公开方式",
    "",
    "公开层级",
    "",
];

/// The second header row (under 公开事项, 公开对象, 公开方式, 公开层级).
pub const HEADER_SUB: [&str; 15] = [
    "",
    "",
    "一级事项",
    "二级事项",
    "",
    "",
    "",
    "",
    "",
    "全社会",
    "特定群体",
    "主动",
    "依申请",
    "县级",
    "乡级",
];

/// The entries as rows of the official layout (after the two header rows); ticks are "√".
pub fn to_grid(entries: &[StandardEntry]) -> Vec<Vec<String>> {
    let tick = |b: bool| if b { "√" } else { "" }.to_string();
    entries
        .iter()
        .map(|e| {
            vec![
                e.area.clone(),
                e.seq.to_string(),
                e.matter.clone(),
                e.sub_matter.clone(),
                e.content.clone(),
                e.basis.clone(),
                e.time_limit.clone(),
                e.subject.clone(),
                e.channels.join("、"),
                tick(e.to_public),
                tick(e.to_specific),
                tick(e.proactive),
                tick(e.on_request),
                tick(e.county_level),
                tick(e.township_level),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    fn sample() -> StandardEntry {
        StandardEntry {
            area: "义务教育".into(),
            seq: 1,
            matter: "招生入学".into(),
            sub_matter: "招生政策".into(),
            content: "招生范围、招生条件、报名时间".into(),
            basis: "《中华人民共和国义务教育法》".into(),
            time_limit: "信息形成或变更之日起20个工作日内".into(),
            subject: "区教育局".into(),
            channels: vec!["政府网站".into(), "公开查阅点".into()],
            to_public: true,
            to_specific: false,
            proactive: true,
            on_request: false,
            county_level: true,
            township_level: false,
        }
    }

    #[test]
    fn official_layout_round_trips() {
        let entries = vec![
            sample(),
            StandardEntry {
                seq: 2,
                sub_matter: "招生结果".into(),
                to_specific: true,
                township_level: true,
                channels: vec!["社区/企事业单位/村公示栏(电子屏)".into()],
                ..sample()
            },
        ];
        let mut grid = vec![
            vec!["义务教育领域基层政务公开标准目录".to_string()],
            HEADER_TOP.iter().map(|s| s.to_string()).collect(),
            HEADER_SUB.iter().map(|s| s.to_string()).collect(),
        ];
        grid.extend(to_grid(&entries));
        assert_eq!(parse_grid(&grid, ""), Ok(entries));
    }

    #[test]
    fn simple_layout_with_written_values_and_ticked_channels() {
        let grid = g(&[
            &[
                "序号",
                "一级事项",
                "二级事项",
                "公开内容（要素）",
                "公开依据",
                "公开时限",
                "公开主体",
                "公开渠道和载体",
                "公开对象",
                "公开方式",
                "公开层级",
            ],
            &[
                "1",
                "救助对象",
                "最低生活保障",
                "保障对象、标准",
                "《社会救助暂行办法》",
                "每季度",
                "区民政局",
                "■政府网站 □政府公报 ■便民服务站",
                "特定群体",
                "主动、依申请",
                "县级、乡级",
            ],
            &["", "", "", "", "", "", "", "", "", "", ""],
            &[
                "2",
                "",
                "特困人员供养",
                "供养对象",
                "同上",
                "每季度",
                "各镇街",
                "政府网站，入户／现场",
                "全社会",
                "主动",
                "乡级",
            ],
        ]);
        let got = parse_grid(&grid, "社会救助").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].area, "社会救助");
        assert_eq!(got[0].channels, ["政府网站", "便民服务站"]);
        assert!(got[0].to_specific && !got[0].to_public);
        assert!(got[0].proactive && got[0].on_request);
        assert!(got[0].county_level && got[0].township_level);
        assert_eq!(got[1].matter, "救助对象", "merged cell continues");
        assert_eq!(got[1].channels, ["政府网站", "入户/现场"]);
        assert!(got[1].township_level && !got[1].county_level);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let grid = g(&[
            &[
                "领域",
                "序号",
                "一级事项",
                "公开内容",
                "公开依据",
                "公开时限",
                "公开主体",
                "公开渠道",
                "公开对象",
                "公开方式",
                "公开层级",
            ],
            &[
                "义务教育",
                "1",
                "招生",
                "范围",
                "法",
                "及时",
                "区教育局",
                "政府网站",
                "全社会",
                "主动",
                "县级",
            ],
            &[
                "义务教育",
                "x",
                "",
                "范围",
                "",
                "及时",
                "区教育局",
                "微信群",
                "人民",
                "主动",
                "县级",
            ],
            &[
                "义务教育",
                "3",
                "招生",
                "范围",
                "法",
                "及时",
                "区教育局",
                "政府网站",
                "全社会",
                "被动",
                "",
            ],
        ]);
        let errs = parse_grid(&grid, "").unwrap_err();
        let rows: Vec<usize> = errs.iter().map(|e| e.row).collect();
        assert!(
            rows.iter().all(|r| *r == 3 || *r == 4 || *r == 0),
            "{errs:?}"
        );
        let text: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        for want in [
            "序号“x”不是数字",
            "缺少一级事项",
            "缺少公开依据",
            "公开渠道“微信群”不在标准列表中",
            "公开对象“人民”应为全社会或特定群体",
            "公开方式“被动”应为主动或依申请",
            "公开层级应为县级或乡级",
        ] {
            assert!(text.iter().any(|t| t.contains(want)), "{want}: {text:?}");
        }
        // row 4 also duplicates row 2's key? no: its row failed, so only rows 3 and 4 report
        assert!(!rows.contains(&2));
    }

    #[test]
    fn duplicates_and_missing_headers_are_refused() {
        let header: &[&str] = &[
            "领域",
            "一级事项",
            "公开内容",
            "公开依据",
            "公开时限",
            "公开主体",
            "公开渠道",
            "公开对象",
            "公开方式",
            "公开层级",
        ];
        let row: &[&str] = &[
            "救灾",
            "救灾物资",
            "物资发放",
            "条例",
            "及时",
            "区应急管理局",
            "政府网站",
            "全社会",
            "主动",
            "县级",
        ];
        let errs = parse_grid(&g(&[header, row, row]), "").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("出现了两次"), "{errs:?}");
        let errs = parse_grid(&g(&[&["标题"], &["x"]]), "").unwrap_err();
        assert!(errs[0].message.contains("找不到表头"));
        let errs = parse_grid(&g(&[&["公开内容", "公开依据"], &["a", "b"]]), "").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        let errs = parse_grid(&g(&[header]), "").unwrap_err();
        assert!(errs[0].message.contains("没有目录条目"));
    }

    #[test]
    fn channels_are_matched_leniently_but_only_to_the_standard_list() {
        assert_eq!(channel_name("发布会／听证会"), Some("发布会/听证会"));
        assert_eq!(
            channel_name("社区/企事业单位/村公示栏（电子屏）"),
            Some("社区/企事业单位/村公示栏(电子屏)")
        );
        assert_eq!(channel_name("其他：村民大会"), Some("其他"));
        assert_eq!(channel_name("微博"), None);
        assert_eq!(
            parse_channels("√政府网站□两微一端☑精准推送"),
            ["政府网站", "精准推送"]
        );
        assert_eq!(
            parse_channels(" 政府网站；政府公报\n广播电视 "),
            ["政府网站", "政府公报", "广播电视"]
        );
    }
}
