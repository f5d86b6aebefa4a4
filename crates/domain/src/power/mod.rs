//! The power list (权力清单) and online operation: power items with their categories, codes,
//! legal bases and service guides (this file), the flow graph that both draws the public
//! flowchart and drives cases ([`flow`]), discretion benchmarks for penalties ([`discretion`]),
//! the case clock and e-supervision alerts ([`case`]) and double publicity of licence and penalty
//! decisions ([`double_publicity`]).
//!
//! A power item's content (everything staff edit, the flow included) is one value,
//! [`PowerContent`], validated once here for the form, the API and the import alike, and kept
//! whole in every version.

pub mod case;
pub mod discretion;
pub mod double_publicity;
pub mod flow;
pub mod input;
pub mod reform;
pub mod sheet;

use serde::{Deserialize, Serialize};

/// The ten categories of administrative power (DOMAIN §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 行政许可
    Licensing,
    /// 行政处罚
    Penalty,
    /// 行政强制
    Enforcement,
    /// 行政征收
    Levy,
    /// 行政给付
    Payment,
    /// 行政检查
    Inspection,
    /// 行政确认
    Confirmation,
    /// 行政奖励
    Reward,
    /// 行政裁决
    Adjudication,
    /// 其他行政权力
    Other,
}

impl Category {
    /// Every category, in the official order.
    pub const ALL: [Category; 10] = [
        Category::Licensing,
        Category::Penalty,
        Category::Enforcement,
        Category::Levy,
        Category::Payment,
        Category::Inspection,
        Category::Confirmation,
        Category::Reward,
        Category::Adjudication,
        Category::Other,
    ];

    /// The code used in the database, the API and forms.
    pub fn code(self) -> &'static str {
        match self {
            Category::Licensing => "licensing",
            Category::Penalty => "penalty",
            Category::Enforcement => "enforcement",
            Category::Levy => "levy",
            Category::Payment => "payment",
            Category::Inspection => "inspection",
            Category::Confirmation => "confirmation",
            Category::Reward => "reward",
            Category::Adjudication => "adjudication",
            Category::Other => "other",
        }
    }

    /// The two letters of the category in a power code (`…-XK-0001`).
    pub fn letters(self) -> &'static str {
        match self {
            Category::Licensing => "XK",
            Category::Penalty => "CF",
            Category::Enforcement => "QZ",
            Category::Levy => "ZS",
            Category::Payment => "JF",
            Category::Inspection => "JC",
            Category::Confirmation => "QR",
            Category::Reward => "JL",
            Category::Adjudication => "CJ",
            Category::Other => "QT",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Category::Licensing => "行政许可",
            Category::Penalty => "行政处罚",
            Category::Enforcement => "行政强制",
            Category::Levy => "行政征收",
            Category::Payment => "行政给付",
            Category::Inspection => "行政检查",
            Category::Confirmation => "行政确认",
            Category::Reward => "行政奖励",
            Category::Adjudication => "行政裁决",
            Category::Other => "其他行政权力",
        }
    }

    /// Parses a code or a Chinese name.
    pub fn parse(s: &str) -> Option<Category> {
        let s = s.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.code() == s || c.label() == s || c.letters() == s)
    }

    /// Whether the public applies for it, so it needs a service guide (办事指南).
    pub fn is_service(self) -> bool {
        matches!(
            self,
            Category::Licensing | Category::Payment | Category::Confirmation | Category::Reward
        )
    }

    /// Whether its decisions are published under double publicity (双公示).
    pub fn is_publicised(self) -> bool {
        matches!(self, Category::Licensing | Category::Penalty)
    }
}

/// The stable code of a power item: region code + unit letters, category letters, serial, e.g.
/// `62052400MZ-XK-0001`. `unit_code` is reduced to its ASCII letters and digits, upper case.
pub fn power_code(region: &str, unit_code: &str, category: Category, serial: i64) -> String {
    let unit: String = unit_code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    format!("{region}{unit}-{}-{serial:04}", category.letters())
}

/// One legal basis: the law, the article, and the quoted text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    /// The law or regulation, e.g. 《中华人民共和国食品安全法》.
    pub law: String,
    /// The article, e.g. 第三十五条.
    pub article: String,
    /// The quoted text.
    pub text: String,
}

/// One fee: what, on which basis, how much.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// What is charged.
    pub name: String,
    /// The basis for charging.
    pub basis: String,
    /// The standard (amount or rule).
    pub standard: String,
}

/// One document an applicant brings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Name of the document.
    pub name: String,
    /// Originals required.
    pub originals: u32,
    /// Copies required.
    pub copies: u32,
    /// Notes (form, where to get it).
    pub note: String,
}

/// The service guide (办事指南) of an item the public applies for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    /// 受理条件.
    pub conditions: String,
    /// 申请材料.
    pub materials: Vec<Material>,
    /// 办理程序 in words (the flowchart is drawn from the flow).
    pub procedure: String,
    /// 办理地点/窗口.
    pub window: String,
    /// 办理时间.
    pub hours: String,
    /// 咨询电话.
    pub consult_phone: String,
    /// 监督电话.
    pub supervise_phone: String,
    /// Whether it can be done online (网上办理).
    pub online: bool,
    /// How many visits to the window it needs at most (最多跑几次; 0 = none).
    pub visits: u32,
}

/// Everything staff edit about a power item; one value per version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerContent {
    /// 事项名称.
    pub name: String,
    /// 类型 (code); see [`Category`].
    pub category: String,
    /// 实施依据 (at least one).
    pub bases: Vec<LegalBasis>,
    /// 实施主体.
    pub implementing_body: String,
    /// 责任事项, one per entry.
    pub responsibilities: Vec<String>,
    /// 追责情形, one per entry.
    pub accountability: Vec<String>,
    /// 法定时限, working days.
    pub statutory_days: u32,
    /// 承诺时限, working days.
    pub promised_days: u32,
    /// 收费依据和标准 (empty: no fee, 不收费).
    pub fees: Vec<Fee>,
    /// Handled at the administrative service center (集中办理).
    pub at_service_center: bool,
    /// 办事指南 (required for services).
    pub guide: Option<Guide>,
    /// The procedure as a graph.
    pub flow: flow::Flow,
    /// 裁量基准 (required for penalties).
    pub discretion: Vec<discretion::Violation>,
}

/// A problem with one field of a form or import row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field, as named in forms and import headers.
    pub field: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

impl PowerContent {
    /// Every text of the item that the public page shows, with where it is (a Chinese field
    /// name), for the pre-publication scan.
    pub fn published_texts(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = vec![
            ("事项名称".into(), self.name.as_str()),
            ("实施主体".into(), self.implementing_body.as_str()),
        ];
        for (i, b) in self.bases.iter().enumerate() {
            let n = i + 1;
            out.push((format!("实施依据{n}·法规"), b.law.as_str()));
            out.push((format!("实施依据{n}·条款"), b.article.as_str()));
            out.push((format!("实施依据{n}·原文"), b.text.as_str()));
        }
        for (i, r) in self.responsibilities.iter().enumerate() {
            out.push((format!("责任事项{}", i + 1), r.as_str()));
        }
        for (i, a) in self.accountability.iter().enumerate() {
            out.push((format!("追责情形{}", i + 1), a.as_str()));
        }
        for (i, f) in self.fees.iter().enumerate() {
            let n = i + 1;
            out.push((format!("收费{n}·项目"), f.name.as_str()));
            out.push((format!("收费{n}·依据"), f.basis.as_str()));
            out.push((format!("收费{n}·标准"), f.standard.as_str()));
        }
        if let Some(g) = &self.guide {
            out.push(("受理条件".into(), g.conditions.as_str()));
            for (i, m) in g.materials.iter().enumerate() {
                out.push((format!("申请材料{}", i + 1), m.name.as_str()));
                out.push((format!("申请材料{}·说明", i + 1), m.note.as_str()));
            }
            out.push(("办理程序".into(), g.procedure.as_str()));
            out.push(("办理地点".into(), g.window.as_str()));
            out.push(("办理时间".into(), g.hours.as_str()));
            out.push(("咨询电话".into(), g.consult_phone.as_str()));
            out.push(("监督电话".into(), g.supervise_phone.as_str()));
        }
        for s in &self.flow.steps {
            out.push((format!("流程环节“{}”", s.key), s.name.as_str()));
            out.push((format!("流程环节“{}”·办理人", s.key), s.actor.as_str()));
        }
        for t in &self.flow.transitions {
            out.push((format!("流转“{}→{}”", t.from, t.to), t.label.as_str()));
        }
        for v in &self.discretion {
            out.push(("裁量基准·违法行为".into(), v.name.as_str()));
            for t in &v.tiers {
                out.push((
                    format!("裁量基准“{}”·情节", v.name),
                    t.circumstance.as_str(),
                ));
                out.push((format!("裁量基准“{}”·处罚", v.name), t.measure.as_str()));
            }
        }
        out.retain(|(_, t)| !t.trim().is_empty());
        out
    }

    /// The pre-publication scan of every published text: each finding that stops the item
    /// from going out, as a sentence naming the field and showing the masked find. Mobile
    /// numbers in the two phone fields are published on purpose and pass.
    pub fn scan(&self, scanner: &crate::scan::Scanner) -> Vec<String> {
        let mut out = Vec::new();
        for (place, text) in self.published_texts() {
            let phone_field = place == "咨询电话" || place == "监督电话";
            for f in scanner.scan(text) {
                if phone_field && f.kind == crate::scan::FindingKind::Mobile {
                    continue;
                }
                out.push(format!("{place}中有{}：{}", f.kind.label(), f.masked));
            }
        }
        out
    }

    /// The category, if the code is known.
    pub fn category(&self) -> Option<Category> {
        Category::parse(&self.category)
    }

    /// 承诺时限压缩率: 1 − promised / statutory (0 when the statutory limit is 0).
    pub fn compression(&self) -> f64 {
        if self.statutory_days == 0 {
            0.0
        } else {
            1.0 - f64::from(self.promised_days) / f64::from(self.statutory_days)
        }
    }

    /// Every problem with the content (empty = valid).
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.push(err("name", "请填写事项名称"));
        } else if name.chars().count() > 100 {
            errors.push(err("name", "事项名称不能超过100个字"));
        }
        let category = self.category();
        if category.is_none() {
            errors.push(err("category", "请选择事项类型（十类行政权力之一）"));
        }
        if self.bases.is_empty() {
            errors.push(err(
                "bases",
                "请至少填写一条实施依据（法律法规名称、条款、条文）",
            ));
        }
        for (i, b) in self.bases.iter().enumerate() {
            if b.law.trim().is_empty() || b.article.trim().is_empty() {
                errors.push(err(
                    "bases",
                    format!("实施依据第{}条缺少法律法规名称或条款", i + 1),
                ));
            }
        }
        if self.implementing_body.trim().is_empty() {
            errors.push(err("implementing_body", "请填写实施主体"));
        }
        if self.responsibilities.is_empty() {
            errors.push(err("responsibilities", "请至少填写一项责任事项"));
        }
        if self.accountability.is_empty() {
            errors.push(err("accountability", "请至少填写一项追责情形"));
        }
        if self.statutory_days == 0 || self.statutory_days > 365 {
            errors.push(err(
                "statutory_days",
                "法定时限应为1至365个工作日（即时办结的事项填1）",
            ));
        }
        if self.promised_days == 0 {
            errors.push(err("promised_days", "承诺时限至少为1个工作日"));
        } else if self.promised_days > self.statutory_days {
            errors.push(err(
                "promised_days",
                format!(
                    "承诺时限（{}个工作日）不能长于法定时限（{}个工作日）",
                    self.promised_days, self.statutory_days
                ),
            ));
        }
        for (i, f) in self.fees.iter().enumerate() {
            if f.name.trim().is_empty() || f.basis.trim().is_empty() || f.standard.trim().is_empty()
            {
                errors.push(err(
                    "fees",
                    format!("收费第{}项应写明收费项目、依据和标准", i + 1),
                ));
            }
        }
        if let Some(c) = category {
            if c.is_service() {
                match &self.guide {
                    None => errors.push(err("guide", "依申请办理的事项须填写办事指南")),
                    Some(g) => {
                        if g.conditions.trim().is_empty() {
                            errors.push(err("guide_conditions", "办事指南缺少受理条件"));
                        }
                        if g.materials.is_empty() {
                            errors.push(err("guide_materials", "办事指南缺少申请材料"));
                        }
                        for (i, m) in g.materials.iter().enumerate() {
                            if m.name.trim().is_empty() {
                                errors.push(err(
                                    "guide_materials",
                                    format!("申请材料第{}项缺少名称", i + 1),
                                ));
                            } else if m.originals == 0 && m.copies == 0 {
                                errors.push(err(
                                    "guide_materials",
                                    format!("申请材料“{}”应写明原件或复印件份数", m.name),
                                ));
                            }
                        }
                        if g.window.trim().is_empty() {
                            errors.push(err("guide_window", "办事指南缺少办理地点（窗口）"));
                        }
                        if g.hours.trim().is_empty() {
                            errors.push(err("guide_hours", "办事指南缺少办理时间"));
                        }
                        if g.consult_phone.trim().is_empty() || g.supervise_phone.trim().is_empty()
                        {
                            errors.push(err("guide_phones", "办事指南须有咨询电话和监督电话"));
                        }
                    }
                }
            }
            if c == Category::Penalty {
                if self.discretion.is_empty() {
                    errors.push(err(
                        "discretion",
                        "行政处罚事项须有裁量基准（违法行为、情节、处罚幅度）",
                    ));
                }
                for e in discretion::validate(&self.discretion) {
                    errors.push(err("discretion", e));
                }
            }
        }
        for e in self.flow.validate() {
            errors.push(err("flow", e.message));
        }
        if errors.iter().all(|e| e.field != "flow") && self.statutory_days > 0 {
            let total = self.flow.total_days();
            if total > self.statutory_days {
                errors.push(err(
                    "flow",
                    format!(
                        "流程各步骤时限合计{total}个工作日，超过法定时限{}个工作日",
                        self.statutory_days
                    ),
                ));
            }
        }
        errors
    }

    /// Canonical text for the audit trail.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The review stages a power item passes before publication, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    /// 编办审核: the establishment office checks the power is the unit's.
    Establishment,
    /// 法制审核: the legal-affairs office checks the legal basis.
    Legal,
}

/// Where a version of a power item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// 草稿: the unit edits it.
    Draft,
    /// 待编办审核.
    EstablishmentReview,
    /// 待法制审核.
    LegalReview,
    /// 已发布: the current public version.
    Published,
    /// 已被新版本取代.
    Superseded,
}

impl VersionState {
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::EstablishmentReview => "establishment_review",
            VersionState::LegalReview => "legal_review",
            VersionState::Published => "published",
            VersionState::Superseded => "superseded",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            VersionState::Draft => "草稿",
            VersionState::EstablishmentReview => "待编办审核",
            VersionState::LegalReview => "待法制审核",
            VersionState::Published => "已发布",
            VersionState::Superseded => "历史版本",
        }
    }
    /// Parses a database code.
    pub fn from_code(s: &str) -> Option<VersionState> {
        [
            VersionState::Draft,
            VersionState::EstablishmentReview,
            VersionState::LegalReview,
            VersionState::Published,
            VersionState::Superseded,
        ]
        .into_iter()
        .find(|v| v.code() == s)
    }

    /// The state a version moves to when the given review passes, and the state it must be in.
    pub fn after_pass(stage: ReviewStage) -> (VersionState, VersionState) {
        match stage {
            ReviewStage::Establishment => {
                (VersionState::EstablishmentReview, VersionState::LegalReview)
            }
            ReviewStage::Legal => (VersionState::LegalReview, VersionState::Published),
        }
    }
}

/// Splits a textarea into its non-empty lines, each split on `|` (or the full-width `｜`) into
/// exactly `n` trimmed fields (missing fields are empty). Returns `(line number, fields)`.
pub fn pipe_lines(text: &str, n: usize) -> Vec<(usize, Vec<String>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let mut parts: Vec<String> =
                l.split(['|', '｜']).map(|p| p.trim().to_string()).collect();
            if parts.len() > n {
                let rest = parts.split_off(n - 1).join("|");
                parts.push(rest);
            }
            parts.resize(n, String::new());
            (i + 1, parts)
        })
        .collect()
}

/// Parses a count written by staff ("1", "１", "" = 0).
pub fn parse_count(s: &str) -> Option<u32> {
    let s: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    if s.is_empty() {
        Some(0)
    } else {
        s.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_region_unit_type_serial() {
        assert_eq!(
            power_code("62052400", "MZ", Category::Licensing, 1),
            "62052400MZ-XK-0001"
        );
        assert_eq!(
            power_code("33019900", "qsz-qsc", Category::Penalty, 12),
            "33019900QSZQSC-CF-0012"
        );
        for c in Category::ALL {
            assert_eq!(Category::parse(c.code()), Some(c));
            assert_eq!(Category::parse(c.label()), Some(c));
        }
        assert_eq!(Category::parse("行政审批"), None);
    }

    #[test]
    fn pipe_lines_keep_line_numbers_and_pad() {
        let got = pipe_lines("a|b\n\n c ｜ d | e | f\n", 3);
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into(), "".into()]),
                (3, vec!["c".into(), "d".into(), "e|f".into()]),
            ]
        );
        assert_eq!(parse_count("２"), Some(2));
        assert_eq!(parse_count(""), Some(0));
        assert_eq!(parse_count("two"), None);
    }

    #[test]
    fn promised_limit_may_not_exceed_statutory() {
        let c = PowerContent {
            name: "x".into(),
            category: "other".into(),
            statutory_days: 10,
            promised_days: 12,
            ..PowerContent::default()
        };
        let errors = c.validate();
        assert!(
            errors
                .iter()
                .any(|e| e.field == "promised_days" && e.message.contains("不能长于法定时限")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.field == "bases"));
        assert!(errors.iter().any(|e| e.field == "flow"));
    }

    #[test]
    fn the_scan_names_the_field_and_lets_public_phones_pass() {
        let c = PowerContent {
            name: "食品经营许可".into(),
            responsibilities: vec!["受理：联系人身份证11010519491231002X".into()],
            guide: Some(Guide {
                consult_phone: "13812345678".into(),
                procedure: "咨询王科长 13912345678".into(),
                ..Guide::default()
            }),
            ..PowerContent::default()
        };
        let found = c.scan(&crate::scan::Scanner::new::<&str>(&[]));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("责任事项1中有身份证号："), "{found:?}");
        assert!(
            !found[0].contains("11010519491231002X"),
            "masked: {found:?}"
        );
        assert!(found[1].starts_with("办理程序中有手机号："), "{found:?}");
    }
}
