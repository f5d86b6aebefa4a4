//! Proactive disclosure rules: the standard catalog structure, information-item metadata and its
//! validation, the review workflow's state machine, index numbers, and publication timeliness.

use crate::access::Role;
use crate::calendar::{Calendar, CalendarError, Coverage};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One category of the standard catalog of the 政府信息公开 column: (code, name, parent code).
/// The openness office owns this structure; units add sub-categories under it.
pub const STANDARD_CATALOG: &[(&str, &str, Option<&str>)] = &[
    ("GKZN", "信息公开指南", None),
    ("GKZD", "信息公开制度", None),
    ("FDGK", "法定主动公开内容", None),
    ("JGZN", "机构职能", Some("FDGK")),
    ("ZCWJ", "政策文件", Some("FDGK")),
    ("GZ", "规章", Some("ZCWJ")),
    ("GFXWJ", "行政规范性文件", Some("ZCWJ")),
    ("QTWJ", "其他文件", Some("ZCWJ")),
    ("ZCJD", "政策解读", Some("FDGK")),
    ("GHXX", "规划信息", Some("FDGK")),
    ("CZXX", "财政信息", Some("FDGK")),
    ("XZXK", "行政许可", Some("FDGK")),
    ("XZCF", "行政处罚", Some("FDGK")),
    ("XZQZ", "行政强制", Some("FDGK")),
    ("XZSF", "行政事业性收费", Some("FDGK")),
    ("ZFCG", "政府采购", Some("FDGK")),
    ("ZDXM", "重大建设项目", Some("FDGK")),
    ("GGZY", "公共资源配置", Some("FDGK")),
    ("SHGY", "社会公益事业", Some("FDGK")),
    ("TFSJ", "突发事件", Some("FDGK")),
    ("RSXX", "人事信息", Some("FDGK")),
    ("GKNB", "信息公开年报", None),
];

/// Validity of a published document (有效性).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// 有效.
    InForce,
    /// 失效.
    Expired,
    /// 废止.
    Repealed,
}

impl Validity {
    /// Storage code.
    pub fn code(self) -> &'static str {
        match self {
            Validity::InForce => "in_force",
            Validity::Expired => "expired",
            Validity::Repealed => "repealed",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Validity::InForce => "有效",
            Validity::Expired => "失效",
            Validity::Repealed => "废止",
        }
    }
    /// Parses a code.
    pub fn from_code(c: &str) -> Option<Validity> {
        [Validity::InForce, Validity::Expired, Validity::Repealed]
            .into_iter()
            .find(|v| v.code() == c)
    }
}

/// The state of one revision of an information item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionState {
    /// 草稿: the editor is working on it.
    Draft,
    /// 待审核: submitted; the scan has run; waiting for the reviewer (secrecy/legality).
    InReview,
    /// 待审批: the reviewer passed it; waiting for the unit leader.
    Reviewed,
    /// 已审批（定时发布）: approved, to be published at its scheduled time.
    Scheduled,
    /// 已发布: the public version.
    Published,
    /// 已被新版本取代: an earlier public version.
    Superseded,
}

impl RevisionState {
    /// Whether a revision may enter this state only with no unresolved scan finding (passing
    /// review, approval, scheduling and publication). The store checks it again inside the
    /// transaction that makes the move, so a finding raised meanwhile cannot slip through.
    pub fn needs_clean_scan(self) -> bool {
        matches!(
            self,
            RevisionState::Reviewed | RevisionState::Scheduled | RevisionState::Published
        )
    }

    /// Storage code.
    pub fn code(self) -> &'static str {
        match self {
            RevisionState::Draft => "draft",
            RevisionState::InReview => "in_review",
            RevisionState::Reviewed => "reviewed",
            RevisionState::Scheduled => "scheduled",
            RevisionState::Published => "published",
            RevisionState::Superseded => "superseded",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            RevisionState::Draft => "草稿",
            RevisionState::InReview => "待审核",
            RevisionState::Reviewed => "待审批",
            RevisionState::Scheduled => "定时发布",
            RevisionState::Published => "已发布",
            RevisionState::Superseded => "历史版本",
        }
    }
    /// Parses a code.
    pub fn from_code(c: &str) -> Option<RevisionState> {
        use RevisionState::*;
        [Draft, InReview, Reviewed, Scheduled, Published, Superseded]
            .into_iter()
            .find(|s| s.code() == c)
    }
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Editor submits the draft for review (the scan runs now).
    Submit,
    /// Reviewer passes the secrecy and legality review.
    PassReview,
    /// Reviewer or leader sends it back to the editor.
    Reject,
    /// Leader approves: published now, or scheduled.
    Approve {
        /// Whether a future publication time was set.
        scheduled: bool,
    },
    /// The scheduled time has come (system).
    PublishScheduled,
}

/// Why a workflow step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The step does not apply in this state.
    #[error("当前状态为“{0}”，不能执行此操作")]
    WrongState(&'static str),
    /// The role may not take this step.
    #[error("“{0}”不能执行此操作")]
    WrongRole(&'static str),
    /// Unresolved scan findings block the review.
    #[error("还有{0}处个人信息或敏感词未处理：请脱敏，或由审核人员填写理由后放行")]
    OpenFindings(usize),
}

/// The next state after `step`, if `role` may take it from `state`. `open_findings` is the
/// number of unresolved scan findings of the revision.
pub fn next_state(
    state: RevisionState,
    step: Step,
    role: Role,
    open_findings: usize,
) -> Result<RevisionState, WorkflowError> {
    use RevisionState::*;
    let role_ok = |allowed: &[Role]| {
        if allowed.contains(&role) {
            Ok(())
        } else {
            Err(WorkflowError::WrongRole(role.label()))
        }
    };
    match (state, step) {
        (Draft, Step::Submit) => {
            role_ok(&[Role::Editor, Role::Leader, Role::Admin])?;
            Ok(InReview)
        }
        (InReview, Step::PassReview) => {
            role_ok(&[Role::Reviewer, Role::Admin])?;
            if open_findings > 0 {
                return Err(WorkflowError::OpenFindings(open_findings));
            }
            Ok(Reviewed)
        }
        (InReview | Reviewed, Step::Reject) => {
            role_ok(&[Role::Reviewer, Role::Leader, Role::Admin])?;
            Ok(Draft)
        }
        (Reviewed, Step::Approve { scheduled }) => {
            role_ok(&[Role::Leader, Role::Admin])?;
            if open_findings > 0 {
                return Err(WorkflowError::OpenFindings(open_findings));
            }
            Ok(if scheduled { Scheduled } else { Published })
        }
        (Scheduled, Step::PublishScheduled) => Ok(Published),
        (s, _) => Err(WorkflowError::WrongState(s.label())),
    }
}

/// The index number (索引号) of an item: unit code, category code, year formed, serial.
/// E.g. `JYJ-GFXWJ-2026-000012`. Generated once and never changed.
pub fn index_number(unit_code: &str, category_code: &str, year: i32, serial: i64) -> String {
    format!("{unit_code}-{category_code}-{year}-{serial:06}")
}

/// The fields of an item a form or an import supplies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemInput {
    /// 标题.
    pub title: String,
    /// 文号 (may be empty).
    pub doc_no: String,
    /// 成文日期.
    pub formed_on: Option<NaiveDate>,
    /// 主题分类.
    pub topic: String,
    /// 摘要.
    pub summary: String,
    /// Body (HTML, sanitised before storage).
    pub body: String,
    /// Why the body sent cannot be stored, if it cannot.
    pub body_error: Option<crate::richtext::BodyError>,
}

impl ItemInput {
    /// Sets the body from what was sent: cleaned for storage
    /// ([`crate::richtext::clean_body`]), or the reason it cannot be (reported by
    /// [`validate_item`]).
    pub fn with_body(mut self, sent: &str) -> ItemInput {
        match crate::richtext::clean_body(sent) {
            Ok(body) => self.body = body,
            Err(e) => self.body_error = Some(e),
        }
        self
    }
}

/// One problem with an item's fields: which field, and what is wrong (Chinese).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Field name.
    pub field: &'static str,
    /// Message.
    pub message: String,
}

/// Validates an item's fields; returns every problem at once.
pub fn validate_item(input: &ItemInput, today: NaiveDate) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut err = |field, message: &str| {
        errs.push(FieldError {
            field,
            message: message.to_string(),
        })
    };
    let title_len = input.title.trim().chars().count();
    if title_len == 0 {
        err("title", "请填写标题");
    } else if title_len > 200 {
        err("title", "标题不超过200个字");
    }
    if input.doc_no.chars().count() > 60 {
        err("doc_no", "文号不超过60个字");
    }
    match input.formed_on {
        None => err("formed_on", "请填写成文日期（YYYY-MM-DD）"),
        Some(d) if d > today => err("formed_on", "成文日期不能晚于今天"),
        Some(d) if d < NaiveDate::from_ymd_opt(1949, 10, 1).unwrap_or(d) => {
            err("formed_on", "成文日期不合理")
        }
        Some(_) => {}
    }
    if input.summary.chars().count() > 1000 {
        err("summary", "摘要不超过1000个字");
    }
    if input.topic.chars().count() > 60 {
        err("topic", "主题分类不超过60个字");
    }
    if let Some(e) = &input.body_error {
        err("body", &e.to_string());
    } else if input.body.trim().is_empty() {
        err("body", "请填写正文");
    } else if input.body.len() > crate::richtext::MAX_BODY_BYTES {
        err("body", "正文过长（不超过2MB）");
    }
    errs
}

/// An item's fields as any writer sends them (the back-office form, the API, an import row):
/// text, not yet read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemFields<'a> {
    /// 标题.
    pub title: &'a str,
    /// 文号.
    pub doc_no: &'a str,
    /// 成文日期, `YYYY-MM-DD`.
    pub formed_on: &'a str,
    /// 有效性: a code (`in_force`, `expired`, `repealed`) or its Chinese name; empty means in
    /// force.
    pub validity: &'a str,
    /// 主题分类.
    pub topic: &'a str,
    /// 摘要.
    pub summary: &'a str,
    /// Body as sent (cleaned here).
    pub body: &'a str,
}

/// The one reading of an item's fields, for the form, the API and the import alike: text
/// trimmed, the date parsed, validity read from its code or Chinese name, the body cleaned, and
/// every problem reported with its field ([`validate_item`] and the two the text itself can
/// have: a date that is not a date, a validity that is none of the three). Nothing becomes a
/// silent default.
pub fn read_item(
    f: &ItemFields<'_>,
    today: NaiveDate,
) -> Result<(ItemInput, Validity), Vec<FieldError>> {
    let formed_text = f.formed_on.trim();
    let formed_on = NaiveDate::parse_from_str(formed_text, "%Y-%m-%d").ok();
    let input = ItemInput {
        title: f.title.trim().into(),
        doc_no: f.doc_no.trim().into(),
        formed_on,
        topic: f.topic.trim().into(),
        summary: f.summary.trim().into(),
        ..ItemInput::default()
    }
    .with_body(f.body);
    let mut errors = validate_item(&input, today);
    if formed_on.is_none() && !formed_text.is_empty() {
        for e in errors.iter_mut().filter(|e| e.field == "formed_on") {
            e.message = format!("成文日期“{formed_text}”不是有效日期（YYYY-MM-DD）");
        }
    }
    let validity = match f.validity.trim() {
        "" | "in_force" | "有效" => Some(Validity::InForce),
        "expired" | "失效" => Some(Validity::Expired),
        "repealed" | "废止" => Some(Validity::Repealed),
        other => {
            errors.push(FieldError {
                field: "validity",
                message: format!(
                    "有效性“{other}”应为 有效/失效/废止（in_force、expired 或 repealed）"
                ),
            });
            None
        }
    };
    match validity {
        Some(v) if errors.is_empty() => Ok((input, v)),
        _ => Err(errors),
    }
}

/// The document types (文种) a search can be narrowed to: the fifteen of GB/T 9704 and the
/// usual names of normative documents and plans. Index 0 of [`doc_kind`]'s answer is 其他.
pub const DOC_KINDS: &[&str] = &[
    "其他", "决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示",
    "批复", "议案", "函", "纪要", "办法", "规定", "细则", "方案", "规划", "计划", "公示",
];

/// The document type of a title, by how it ends (after trailing brackets such as （试行） or
/// （征求意见稿）): an index into [`DOC_KINDS`], 0 when none applies.
pub fn doc_kind(title: &str) -> usize {
    let mut t = title.trim().trim_end_matches(['。', '.', ' ']);
    while let Some(stripped) = t.strip_suffix(['）', ')', '】', ']']) {
        match stripped.rfind(['（', '(', '【', '[']) {
            Some(open) => t = stripped[..open].trim_end(),
            None => break,
        }
    }
    if t.ends_with('令') && !t.ends_with("命令") {
        return 3;
    }
    DOC_KINDS
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, k)| t.ends_with(*k))
        .map_or(0, |(i, _)| i)
}

/// Normalises a document number for matching: the brackets people type for the year —
/// 〔〕, [], ［］, (), （）, 【】 — all become 〔〕, and spaces are removed.
pub fn normalize_doc_no(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '[' | '［' | '(' | '（' | '【' | '〔' | '⟦' => '〔',
            ']' | '］' | ')' | '）' | '】' | '〕' | '⟧' => '〕',
            c => c,
        })
        .collect()
}

/// The states whose items wait for `role`'s own step: the editor's drafts (to submit), the
/// reviewer's reviews, the leader's approvals (the administrator sees both).
pub fn desk_states(role: Role) -> &'static [RevisionState] {
    match role {
        Role::Editor => &[RevisionState::Draft],
        Role::Reviewer => &[RevisionState::InReview],
        Role::Leader => &[RevisionState::Reviewed],
        Role::Admin => &[RevisionState::InReview, RevisionState::Reviewed],
        _ => &[],
    }
}

/// Working days left today before an item formed on `formed_on` passes its limit (0: today is
/// the last day), or, once past it, minus the working days it is late.
pub fn workdays_left(
    cal: &Calendar,
    formed_on: NaiveDate,
    today: NaiveDate,
    limit: u32,
) -> Result<i64, CalendarError> {
    let deadline = cal.add_workdays(formed_on, limit, Coverage::AssumeWeekends)?;
    if today > deadline {
        return Ok(-days_late(cal, formed_on, today, limit)?);
    }
    let mut left = 0;
    let mut d = today;
    while d < deadline {
        d = d.succ_opt().ok_or(CalendarError::OutOfRange)?;
        if cal.is_workday(d, Coverage::AssumeWeekends)? {
            left += 1;
        }
    }
    Ok(left)
}

/// The earliest date of forming whose limit has not passed today: an item formed before it and
/// still unpublished is late.
pub fn late_if_formed_before(
    cal: &Calendar,
    today: NaiveDate,
    limit: u32,
) -> Result<NaiveDate, CalendarError> {
    let mut d = today;
    loop {
        let before = d.pred_opt().ok_or(CalendarError::OutOfRange)?;
        if cal.add_workdays(before, limit, Coverage::AssumeWeekends)? < today {
            return Ok(d);
        }
        d = before;
    }
}

/// Working days between forming and publishing beyond the 20 allowed (条例 Art. 26), or 0 when on
/// time. `published_on` is the publication date.
pub fn days_late(
    cal: &Calendar,
    formed_on: NaiveDate,
    published_on: NaiveDate,
    limit: u32,
) -> Result<i64, CalendarError> {
    let deadline = cal.add_workdays(formed_on, limit, Coverage::AssumeWeekends)?;
    if published_on <= deadline {
        return Ok(0);
    }
    let mut late = 0;
    let mut d = deadline;
    while d < published_on {
        d = d.succ_opt().ok_or(CalendarError::OutOfRange)?;
        if cal.is_workday(d, Coverage::AssumeWeekends)? {
            late += 1;
        }
    }
    Ok(late)
}

/// One row of an import of published information, as read from a file (JSON keys; XLSX
/// headers map onto them).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRow {
    /// 单位代码.
    #[serde(default)]
    pub unit: String,
    /// 栏目代码.
    #[serde(default)]
    pub category: String,
    /// 标题.
    #[serde(default)]
    pub title: String,
    /// 文号.
    #[serde(default)]
    pub doc_no: String,
    /// 成文日期 YYYY-MM-DD.
    #[serde(default)]
    pub formed_on: String,
    /// 发布日期 YYYY-MM-DD or YYYY-MM-DD HH:MM (Beijing time).
    #[serde(default)]
    pub published_at: String,
    /// 正文.
    #[serde(default)]
    pub body: String,
    /// 摘要.
    #[serde(default)]
    pub summary: String,
    /// 主题分类.
    #[serde(default)]
    pub topic: String,
    /// 有效性: in_force / expired / repealed (or 有效 / 失效 / 废止).
    #[serde(default)]
    pub validity: String,
    /// Attachment paths, relative to the file.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// The old site's own id of the row (来源编号), when it has one: the row's stable key.
    #[serde(default)]
    pub source_id: String,
}

impl ImportRow {
    /// The row's import key, so that the same row imported again is recognised: a hash of the
    /// old site's id, or of unit, 文号, title and 成文日期.
    pub fn key(&self) -> String {
        // the old site's id when given; otherwise what identifies a document: its unit, 文号,
        // title and 成文日期 (a corrected body or a new publication date is the same row)
        let source = self.source_id.trim();
        let fields: Vec<&str> = if source.is_empty() {
            vec![
                self.unit.trim(),
                self.doc_no.trim(),
                self.title.trim(),
                self.formed_on.trim(),
            ]
        } else {
            vec![self.unit.trim(), "source", source]
        };
        crate::audit::digest(&fields.join("\u{1e}"))
    }
}

/// Reads JSON Lines of import rows, line by line: a byte that is not UTF-8 or a line that is not
/// a row spoils its own line (named, 1-based), never the others; blank lines are skipped.
pub fn parse_jsonl(bytes: &[u8]) -> Vec<(usize, Result<ImportRow, String>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.trim_ascii().is_empty())
        .map(|(i, l)| {
            (
                i + 1,
                std::str::from_utf8(l)
                    .map_err(|e| {
                        format!(
                            "不是 UTF-8 文本（第{}个字节起无法解码）",
                            e.valid_up_to() + 1
                        )
                    })
                    .and_then(|l| {
                        serde_json::from_str::<ImportRow>(l)
                            .map_err(|e| format!("JSON 格式错误：{e}"))
                    }),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn document_kind_by_how_the_title_ends() {
        let kind = |t: &str| DOC_KINDS[doc_kind(t)];
        assert_eq!(kind("关于进一步做好政府信息公开工作的通知"), "通知");
        assert_eq!(kind("区城市管理办法（试行）"), "办法");
        assert_eq!(kind("关于养老服务补贴的实施意见（征求意见稿）"), "意见");
        assert_eq!(kind("关于同意设立甘棠湖学校的批复"), "批复");
        assert_eq!(kind("区人民政府令"), "命令");
        assert_eq!(kind("关于商请协助的函"), "函");
        assert_eq!(kind("2026年秋季学期义务教育招生方案"), "方案");
        assert_eq!(kind("区教育局2025年部门预算"), "其他");
        assert_eq!(kind(""), "其他");
    }
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// (state, step, role, open findings, expected).
    type Case = (
        RevisionState,
        Step,
        Role,
        usize,
        Result<RevisionState, WorkflowError>,
    );

    #[test]
    fn workflow_table() {
        use RevisionState::*;
        let cases: &[Case] = &[
            (Draft, Step::Submit, Role::Editor, 0, Ok(InReview)),
            (
                Draft,
                Step::Submit,
                Role::Reviewer,
                0,
                Err(WorkflowError::WrongRole("审核人员")),
            ),
            (
                Draft,
                Step::Submit,
                Role::CaseHandler,
                0,
                Err(WorkflowError::WrongRole("办件人员")),
            ),
            (InReview, Step::PassReview, Role::Reviewer, 0, Ok(Reviewed)),
            (
                InReview,
                Step::PassReview,
                Role::Reviewer,
                2,
                Err(WorkflowError::OpenFindings(2)),
            ),
            (
                InReview,
                Step::PassReview,
                Role::Editor,
                0,
                Err(WorkflowError::WrongRole("信息编辑")),
            ),
            (
                InReview,
                Step::PassReview,
                Role::Leader,
                0,
                Err(WorkflowError::WrongRole("单位负责人")),
            ),
            (InReview, Step::Reject, Role::Reviewer, 3, Ok(Draft)),
            (
                Reviewed,
                Step::Approve { scheduled: false },
                Role::Leader,
                0,
                Ok(Published),
            ),
            (
                Reviewed,
                Step::Approve { scheduled: true },
                Role::Leader,
                0,
                Ok(Scheduled),
            ),
            (
                Reviewed,
                Step::Approve { scheduled: false },
                Role::Reviewer,
                0,
                Err(WorkflowError::WrongRole("审核人员")),
            ),
            (Reviewed, Step::Reject, Role::Leader, 0, Ok(Draft)),
            (
                Draft,
                Step::Approve { scheduled: false },
                Role::Leader,
                0,
                Err(WorkflowError::WrongState("草稿")),
            ),
            (
                InReview,
                Step::Approve { scheduled: false },
                Role::Leader,
                0,
                Err(WorkflowError::WrongState("待审核")),
            ),
            (
                Published,
                Step::Submit,
                Role::Editor,
                0,
                Err(WorkflowError::WrongState("已发布")),
            ),
            (
                Scheduled,
                Step::PublishScheduled,
                Role::Admin,
                0,
                Ok(Published),
            ),
        ];
        for (state, step, role, open, want) in cases {
            assert_eq!(
                &next_state(*state, *step, *role, *open),
                want,
                "{state:?} {step:?} {role:?} {open}"
            );
        }
    }

    #[test]
    fn doc_numbers_match_however_bracketed() {
        let canonical = normalize_doc_no("区政办发〔2026〕12号");
        for typed in [
            "区政办发[2026]12号",
            "区政办发(2026)12号",
            "区政办发（2026）12号",
            "区政办发［2026］12号",
            "区政办发 〔2026〕 12号",
            "区政办发【2026】12号",
        ] {
            assert_eq!(normalize_doc_no(typed), canonical, "{typed}");
        }
    }

    #[test]
    fn index_numbers_and_validation() {
        assert_eq!(
            index_number("JYJ", "GFXWJ", 2026, 12),
            "JYJ-GFXWJ-2026-000012"
        );
        let today = d("2026-11-27");
        let ok = ItemInput {
            title: "关于做好2026年秋季学期招生工作的通知".into(),
            formed_on: Some(d("2026-08-01")),
            body: "<p>正文</p>".into(),
            ..Default::default()
        };
        assert!(validate_item(&ok, today).is_empty());
        let bad = ItemInput {
            title: " ".into(),
            formed_on: Some(d("2027-01-01")),
            body: "".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = validate_item(&bad, today).iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "formed_on", "body"]);
    }

    #[test]
    fn lateness_counts_working_days_past_twenty() {
        let cal = Calendar::shipped().unwrap();
        // formed 2026-09-30: the 20th working day after is 2026-11-03
        assert_eq!(
            days_late(&cal, d("2026-09-30"), d("2026-11-03"), 20).unwrap(),
            0
        );
        assert_eq!(
            days_late(&cal, d("2026-09-30"), d("2026-11-04"), 20).unwrap(),
            1
        );
        assert_eq!(
            days_late(&cal, d("2026-09-30"), d("2026-11-09"), 20).unwrap(),
            4
        );
        assert_eq!(
            days_late(&cal, d("2026-09-30"), d("2026-10-08"), 20).unwrap(),
            0
        );
    }

    #[test]
    fn working_days_left_and_the_late_cut_off() {
        let cal = Calendar::shipped().unwrap();
        // formed 2026-09-30: the last day is 2026-11-03 (a Tuesday)
        let formed = d("2026-09-30");
        assert_eq!(workdays_left(&cal, formed, d("2026-11-03"), 20).unwrap(), 0);
        assert_eq!(workdays_left(&cal, formed, d("2026-11-02"), 20).unwrap(), 1);
        // Friday 10-30 → Monday 11-02 and Tuesday 11-03
        assert_eq!(workdays_left(&cal, formed, d("2026-10-30"), 20).unwrap(), 2);
        assert_eq!(
            workdays_left(&cal, formed, d("2026-11-09"), 20).unwrap(),
            -4
        );
        // on 2026-11-04 an item formed during the National Day holiday (counted from the same
        // working day as 09-30) is late, one formed on 10-08 is not
        let cut = late_if_formed_before(&cal, d("2026-11-04"), 20).unwrap();
        assert_eq!(cut, d("2026-10-08"));
        assert!(days_late(&cal, d("2026-10-07"), d("2026-11-04"), 20).unwrap() > 0);
        assert_eq!(days_late(&cal, cut, d("2026-11-04"), 20).unwrap(), 0);
        assert_eq!(desk_states(Role::Reviewer), &[RevisionState::InReview]);
    }

    #[test]
    fn read_item_reads_every_writer_the_same_way() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let ok = ItemFields {
            title: " 通知 ",
            formed_on: "2026-08-01",
            validity: "失效",
            body: "<p>正文</p>",
            ..Default::default()
        };
        let (input, validity) = read_item(&ok, today).unwrap();
        assert_eq!(input.title, "通知");
        assert_eq!(validity, Validity::Expired);
        assert_eq!(
            read_item(
                &ItemFields {
                    validity: "expired",
                    ..ok
                },
                today
            )
            .unwrap()
            .1,
            Validity::Expired
        );
        assert_eq!(
            read_item(&ItemFields { validity: "", ..ok }, today)
                .unwrap()
                .1,
            Validity::InForce
        );
        let bad = read_item(
            &ItemFields {
                formed_on: "2026-02-30",
                validity: "maybe",
                ..ok
            },
            today,
        )
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["formed_on", "validity"]);
        assert!(bad[0].message.contains("2026-02-30"), "{}", bad[0].message);
    }
}
