//! Double publicity (双公示): licence and penalty decisions published within 7 working days of
//! the decision (DOMAIN §6) with the national credit-information fields, personal data masked;
//! a changed or revoked penalty withdrawn within 3 days with its reason; each entry public for a
//! configurable period per penalty class, after which it leaves the list but stays on record.

use super::FieldError;
use crate::calendar::{Calendar, CalendarError, Coverage};
use crate::ids::{is_valid_resident_id, validate_uscc};
use crate::scan::{FindingKind, Scanner, mask, mask_all};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Kind of decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// 行政许可决定.
    Licence,
    /// 行政处罚决定.
    Penalty,
}

impl DecisionKind {
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::Licence => "licence",
            DecisionKind::Penalty => "penalty",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::Licence => "行政许可",
            DecisionKind::Penalty => "行政处罚",
        }
    }
    /// Parses a code.
    pub fn from_code(s: &str) -> Option<DecisionKind> {
        [DecisionKind::Licence, DecisionKind::Penalty]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// 行政相对人类别 of the national credit-information layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyType {
    /// 法人及非法人组织.
    Organisation,
    /// 个体工商户.
    IndividualBusiness,
    /// 自然人.
    NaturalPerson,
}

impl PartyType {
    /// Every type.
    pub const ALL: [PartyType; 3] = [
        PartyType::Organisation,
        PartyType::IndividualBusiness,
        PartyType::NaturalPerson,
    ];
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            PartyType::Organisation => "organisation",
            PartyType::IndividualBusiness => "individual_business",
            PartyType::NaturalPerson => "natural_person",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            PartyType::Organisation => "法人及非法人组织",
            PartyType::IndividualBusiness => "个体工商户",
            PartyType::NaturalPerson => "自然人",
        }
    }
    /// Parses a code or label.
    pub fn parse(s: &str) -> Option<PartyType> {
        PartyType::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
    }
}

/// Class of a penalty, which sets how long it stays public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyClass {
    /// 警告、通报批评.
    Warning,
    /// 罚款、没收违法所得或非法财物.
    Fine,
    /// 暂扣或吊销许可证、责令停产停业、限制从业等.
    Severe,
}

impl PenaltyClass {
    /// Every class.
    pub const ALL: [PenaltyClass; 3] = [
        PenaltyClass::Warning,
        PenaltyClass::Fine,
        PenaltyClass::Severe,
    ];
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            PenaltyClass::Warning => "warning",
            PenaltyClass::Fine => "fine",
            PenaltyClass::Severe => "severe",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            PenaltyClass::Warning => "警告、通报批评",
            PenaltyClass::Fine => "罚款、没收",
            PenaltyClass::Severe => "暂扣吊销证照、停产停业、限制从业等",
        }
    }
    /// Parses a code.
    pub fn from_code(s: &str) -> Option<PenaltyClass> {
        PenaltyClass::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Local numbers of double publicity (configurable; defaults from the national rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicityRules {
    /// Working days after the decision by which it must be public (7).
    pub publish_within_workdays: u32,
    /// Calendar days after a change or revocation by which a penalty must be withdrawn (3).
    pub withdraw_within_days: u32,
    /// Months a warning stays public (3).
    pub warning_months: u32,
    /// Months a fine stays public (12).
    pub fine_months: u32,
    /// Months a severe penalty stays public (36).
    pub severe_months: u32,
    /// Months a licence stays public (0 = until its validity ends, or always).
    pub licence_months: u32,
}

impl Default for PublicityRules {
    fn default() -> Self {
        PublicityRules {
            publish_within_workdays: 7,
            withdraw_within_days: 3,
            warning_months: 3,
            fine_months: 12,
            severe_months: 36,
            licence_months: 0,
        }
    }
}

impl PublicityRules {
    /// The last day the decision of `decided_on` may be published.
    pub fn due(&self, cal: &Calendar, decided_on: NaiveDate) -> Result<NaiveDate, CalendarError> {
        cal.add_workdays(decided_on, self.publish_within_workdays, Coverage::Strict)
    }

    /// The last day the entry is on the public list (`None`: no end).
    pub fn public_until(
        &self,
        kind: DecisionKind,
        class: Option<PenaltyClass>,
        published_on: NaiveDate,
        valid_until: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        let months = match (kind, class) {
            (DecisionKind::Licence, _) => {
                if self.licence_months == 0 {
                    return valid_until;
                }
                self.licence_months
            }
            (DecisionKind::Penalty, Some(PenaltyClass::Warning)) => self.warning_months,
            (DecisionKind::Penalty, Some(PenaltyClass::Severe)) => self.severe_months,
            (DecisionKind::Penalty, _) => self.fine_months,
        };
        published_on.checked_add_months(Months::new(months))
    }

    /// The last day a publication may stay up once its decision (of `decided_on`) was changed,
    /// revoked or found unlawful on `changed_on`; or why that date cannot be right.
    pub fn withdraw_due(
        &self,
        decided_on: NaiveDate,
        changed_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<NaiveDate, String> {
        if changed_on > today {
            return Err(format!("变更或撤销日期（{changed_on}）不能晚于今天"));
        }
        if changed_on < decided_on {
            return Err(format!(
                "变更或撤销日期（{changed_on}）不能早于决定日期（{decided_on}）"
            ));
        }
        Ok(changed_on + chrono::Days::new(u64::from(self.withdraw_within_days)))
    }
}

/// A decision to publish, as staff enter it (the case supplies the rest).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionInput {
    /// 行政相对人名称.
    pub party_name: String,
    /// 行政相对人类别 (code).
    pub party_type: String,
    /// 统一社会信用代码 (organisations, individual businesses) or ID number (natural persons).
    pub party_code: String,
    /// 决定文书号.
    pub doc_no: String,
    /// 处罚类别 / 许可类别, e.g. 罚款; 普通.
    pub category: String,
    /// 决定内容.
    pub content: String,
    /// 罚款金额 in fen (penalties).
    pub fine_fen: i64,
    /// 决定日期.
    pub decided_on: Option<NaiveDate>,
    /// 有效期至 (licences).
    pub valid_until: Option<NaiveDate>,
    /// Penalty class (penalties).
    pub penalty_class: String,
}

impl DecisionInput {
    /// Every problem; `today` is the Beijing date (a decision date in the future is refused).
    pub fn validate(&self, kind: DecisionKind, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let e = |field: &'static str, message: String| FieldError { field, message };
        if self.party_name.trim().is_empty() {
            errors.push(e("party_name", "请填写行政相对人名称".into()));
        }
        match PartyType::parse(&self.party_type) {
            None => errors.push(e("party_type", "请选择行政相对人类别".into())),
            Some(PartyType::NaturalPerson) => {
                if !self.party_code.trim().is_empty()
                    && !is_valid_resident_id(self.party_code.trim())
                {
                    errors.push(e(
                        "party_code",
                        "身份证号码无效（校验位或出生日期不对）".into(),
                    ));
                }
            }
            Some(_) => {
                if let Err(err) = validate_uscc(self.party_code.trim()) {
                    errors.push(e("party_code", format!("统一社会信用代码无效：{err}")));
                }
            }
        }
        if self.doc_no.trim().is_empty() {
            errors.push(e("doc_no", "请填写决定文书号".into()));
        }
        if self.content.trim().is_empty() {
            errors.push(e("content", "请填写决定内容".into()));
        }
        match self.decided_on {
            None => errors.push(e("decided_on", "请填写决定日期（YYYY-MM-DD）".into())),
            Some(d) if d > today => errors.push(e(
                "decided_on",
                format!("决定日期 {d} 晚于今天（{today}），不能预填"),
            )),
            Some(_) => {}
        }
        if let (Some(v), Some(d)) = (self.valid_until, self.decided_on)
            && v < d
        {
            errors.push(e("valid_until", "有效期截止日期早于决定日期".into()));
        }
        if kind == DecisionKind::Penalty {
            if PenaltyClass::from_code(&self.penalty_class).is_none() {
                errors.push(e("penalty_class", "请选择处罚种类（决定公示期限）".into()));
            }
            if self.fine_fen < 0 {
                errors.push(e("fine", "罚款金额不能为负数".into()));
            }
        }
        errors
    }
}

/// The party code as published: a natural person's ID number masked
/// (`110105********123X`), codes of organisations as they are.
pub fn public_party_code(party_type: PartyType, code: &str) -> String {
    match party_type {
        PartyType::NaturalPerson if !code.trim().is_empty() => {
            mask(FindingKind::IdNumber, code.trim())
        }
        PartyType::NaturalPerson => String::new(),
        _ => code.trim().to_string(),
    }
}

/// Free text as published: every ID, mobile, bank-card number and e-mail address the scanner
/// finds is masked (the sensitive-word list is not applied to decisions).
pub fn public_text(text: &str) -> String {
    let scanner = Scanner::new::<&str>(&[]);
    let findings = scanner.scan(text);
    mask_all(text, &findings)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_withdrawal_is_due_three_days_after_the_change() {
        let r = super::PublicityRules::default();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            r.withdraw_due(d("2026-11-02"), d("2026-11-27"), d("2026-12-01")),
            Ok(d("2026-11-30"))
        );
        assert!(
            r.withdraw_due(d("2026-11-02"), d("2026-12-02"), d("2026-12-01"))
                .unwrap_err()
                .contains("不能晚于今天")
        );
        assert!(
            r.withdraw_due(d("2026-11-02"), d("2026-11-01"), d("2026-12-01"))
                .unwrap_err()
                .contains("不能早于决定日期")
        );
    }

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn due_dates_and_public_periods() -> Result<(), CalendarError> {
        let cal = Calendar::shipped()?;
        let r = PublicityRules::default();
        // Decided Wednesday 2026-09-30: 10/8, 10/9, 10/10 (make-up), 10/12 … 10/15 → 10/15.
        assert_eq!(r.due(&cal, d("2026-09-30"))?, d("2026-10-15"));
        assert_eq!(
            r.public_until(
                DecisionKind::Penalty,
                Some(PenaltyClass::Warning),
                d("2026-01-31"),
                None
            ),
            Some(d("2026-04-30"))
        );
        assert_eq!(
            r.public_until(
                DecisionKind::Penalty,
                Some(PenaltyClass::Severe),
                d("2026-01-31"),
                None
            ),
            Some(d("2029-01-31"))
        );
        assert_eq!(
            r.public_until(
                DecisionKind::Licence,
                None,
                d("2026-01-31"),
                Some(d("2031-01-30"))
            ),
            Some(d("2031-01-30"))
        );
        Ok(())
    }

    #[test]
    fn personal_data_is_masked() {
        assert_eq!(
            public_party_code(PartyType::NaturalPerson, "11010519491231002X"),
            "110105********002X"
        );
        let text = public_text("当事人张三（身份证号11010519491231002X，电话13812345678）");
        assert!(!text.contains("11010519491231002X"), "{text}");
        assert!(!text.contains("13812345678"), "{text}");
    }

    #[test]
    fn decisions_are_validated() {
        let today = d("2026-12-01");
        let good = DecisionInput {
            party_name: "示范区某某食品店".into(),
            party_type: "natural_person".into(),
            party_code: "11010519491231002X".into(),
            doc_no: "示市监罚〔2026〕12号".into(),
            category: "罚款".into(),
            content: "罚款8000元".into(),
            fine_fen: 800_000,
            decided_on: Some(d("2026-11-30")),
            valid_until: None,
            penalty_class: "fine".into(),
        };
        assert_eq!(good.validate(DecisionKind::Penalty, today), vec![]);
        let future = DecisionInput {
            decided_on: Some(d("2026-12-02")),
            party_code: "110105194912310021".into(),
            ..good.clone()
        };
        let errors = future.validate(DecisionKind::Penalty, today);
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["party_code", "decided_on"], "{errors:?}");
        let org = DecisionInput {
            party_type: "organisation".into(),
            party_code: "91330199MA2XXXXX".into(),
            ..good
        };
        assert_eq!(
            org.validate(DecisionKind::Penalty, today)[0].field,
            "party_code"
        );
    }
}
