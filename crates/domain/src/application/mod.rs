//! Disclosure applications (依申请公开): the statutory clock of 政府信息公开条例 (2019) — the date of
//! receipt by channel (Art. 31), the 20-working-day answer period and its one extension (Art. 33),
//! the one correction request within 7 working days that restarts the period (Art. 30), the
//! consultation time that is not counted (Art. 32-33) — and the information-processing fee of
//! 国办函〔2020〕109号. Pure rules over the working-day [`Calendar`]; every due date comes with the
//! steps that explain it.

pub mod handling;
pub mod report;

use crate::calendar::{Calendar, CalendarError, Coverage};
use chrono::NaiveDate;

/// Working days to answer (Art. 33).
pub const ANSWER_WORKDAYS: u32 = 20;
/// The most an extension may add (Art. 33).
pub const MAX_EXTENSION_WORKDAYS: u32 = 20;
/// A correction must be requested within this many working days of receipt (Art. 30).
pub const CORRECTION_WITHIN_WORKDAYS: u32 = 7;

/// How an application arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Handed in at the office.
    InPerson,
    /// Registered mail (挂号信, EMS).
    RegisteredMail,
    /// Ordinary mail.
    OrdinaryMail,
    /// The online form.
    Online,
    /// Fax.
    Fax,
    /// E-mail.
    Email,
}

impl Channel {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Channel::InPerson => "当面提交",
            Channel::RegisteredMail => "挂号信件",
            Channel::OrdinaryMail => "平常信件",
            Channel::Online => "网络平台",
            Channel::Fax => "传真",
            Channel::Email => "电子邮件",
        }
    }
}

/// The dates that decide receipt; which one counts depends on the channel.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReceiptFacts {
    /// The day it was handed in or sent.
    pub submitted: Option<NaiveDate>,
    /// The day the agency signed for a registered letter.
    pub signed_for: Option<NaiveDate>,
    /// The day the agency confirmed receipt with the applicant (ordinary mail), or both sides
    /// confirmed it (online, fax, e-mail).
    pub confirmed: Option<NaiveDate>,
}

/// Why a date cannot be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The channel's deciding date is missing.
    #[error("{channel}：缺少{missing}，无法确定收到申请之日（条例第三十一条）")]
    MissingDate {
        /// The channel.
        channel: &'static str,
        /// The date it needs.
        missing: &'static str,
    },
    /// A correction request after the 7th working day.
    #[error("补正告知须在收到申请之日起{CORRECTION_WITHIN_WORKDAYS}个工作日内作出（最迟 {0}）")]
    CorrectionTooLate(NaiveDate),
    /// A second correction request.
    #[error("补正只能告知一次（条例第三十条）")]
    SecondCorrection,
    /// An extension beyond the limit, or a second one.
    #[error("延长答复期限只能一次，且最长{MAX_EXTENSION_WORKDAYS}个工作日（条例第三十三条）")]
    BadExtension,
    /// Events out of order (a reply before its consultation, a date before receipt).
    #[error("{0}")]
    OutOfOrder(String),
    /// The calendar lacks a year the count reaches.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The date of receipt by channel (Art. 31), with the rule that decided it.
pub fn receipt_date(channel: Channel, f: &ReceiptFacts) -> Result<(NaiveDate, String), ClockError> {
    let missing = |missing| ClockError::MissingDate {
        channel: channel.label(),
        missing,
    };
    Ok(match channel {
        Channel::InPerson => {
            let d = f.submitted.ok_or_else(|| missing("提交日期"))?;
            (d, format!("当面提交，以提交之日 {d} 为收到申请之日"))
        }
        Channel::RegisteredMail => {
            let d = f.signed_for.ok_or_else(|| missing("签收日期"))?;
            (
                d,
                format!("挂号信件，以行政机关签收之日 {d} 为收到申请之日"),
            )
        }
        Channel::OrdinaryMail => {
            let d = f.confirmed.ok_or_else(|| missing("与申请人确认之日"))?;
            (
                d,
                format!("平常信件，以行政机关与申请人确认之日 {d} 为收到申请之日"),
            )
        }
        Channel::Online | Channel::Fax | Channel::Email => {
            let d = f.confirmed.ok_or_else(|| missing("双方确认之日"))?;
            (
                d,
                format!("{}，以双方确认之日 {d} 为收到申请之日", channel.label()),
            )
        }
    })
}

/// Something that happened to an application's clock, in date order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEvent {
    /// The applicant was asked to correct the application (补正告知).
    CorrectionRequested(NaiveDate),
    /// The corrected application arrived: the period restarts from this day.
    CorrectionReceived(NaiveDate),
    /// A consultation (third party or other agency) was sent: the clock stops.
    ConsultationSent(NaiveDate),
    /// Its reply arrived, or its time ran out: the clock runs again.
    ConsultationEnded(NaiveDate),
    /// The answer period was extended by this many working days (approved and notified).
    Extended(NaiveDate, u32),
    /// A fee notice (收费通知) was sent: the clock stops until the fee is paid (国办函〔2020〕109号).
    FeeNotified(NaiveDate),
    /// The fee was paid: the clock runs again.
    FeePaid(NaiveDate),
}

impl ClockEvent {
    /// The day it happened.
    pub fn on(&self) -> NaiveDate {
        match *self {
            ClockEvent::CorrectionRequested(d)
            | ClockEvent::CorrectionReceived(d)
            | ClockEvent::ConsultationSent(d)
            | ClockEvent::ConsultationEnded(d)
            | ClockEvent::Extended(d, _)
            | ClockEvent::FeeNotified(d)
            | ClockEvent::FeePaid(d) => d,
        }
    }
}

/// Where the clock stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueState {
    /// Running (or paused): the answer is due on this day.
    Due(NaiveDate),
    /// Waiting for the applicant's correction, due by this day (the period starts again when it
    /// arrives).
    AwaitingCorrection(NaiveDate),
    /// Waiting for a consultation's reply; the clock is stopped.
    Consulting,
    /// Waiting for the fee; the clock is stopped.
    AwaitingFee,
}

/// The clock's reading and the steps that explain it, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// Where it stands.
    pub state: DueState,
    /// One line per rule applied.
    pub steps: Vec<String>,
}

/// Working days in (`from`, `to`]: the days a pause takes off the clock.
fn workdays_between(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> Result<u32, ClockError> {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.succ_opt().ok_or(CalendarError::OutOfRange)?;
        if cal.is_workday(d, Coverage::Strict)? {
            n += 1;
        }
    }
    Ok(n)
}

/// Reads the clock of an application received on `received` after `events` (in date order).
/// `correction_workdays` is the period the applicant is given to correct (configurable; the
/// regulation only says "reasonable"). A count that reaches a year without calendar data fails
/// with [`CalendarError`], never guesses.
pub fn read_clock(
    cal: &Calendar,
    received: NaiveDate,
    events: &[ClockEvent],
    correction_workdays: u32,
) -> Result<Reading, ClockError> {
    let add = |d: NaiveDate, n: u32| cal.add_workdays(d, n, Coverage::Strict);
    let mut steps = vec![format!(
        "收到申请之日 {received}，自次日起算{ANSWER_WORKDAYS}个工作日"
    )];
    let mut start = received;
    let mut corrections = 0;
    let mut awaiting: Option<NaiveDate> = None;
    let mut paused_since: Option<NaiveDate> = None;
    let mut fee_since: Option<NaiveDate> = None;
    let mut paused = 0u32;
    let mut extension: Option<u32> = None;
    let mut last = received;
    for e in events {
        let on = e.on();
        if on < last {
            return Err(ClockError::OutOfOrder(format!(
                "{on} 早于此前的 {last}：事件须按日期先后记录"
            )));
        }
        last = on;
        match *e {
            ClockEvent::CorrectionRequested(d) => {
                corrections += 1;
                if corrections > 1 {
                    return Err(ClockError::SecondCorrection);
                }
                let latest = add(received, CORRECTION_WITHIN_WORKDAYS)?;
                if d > latest {
                    return Err(ClockError::CorrectionTooLate(latest));
                }
                let by = add(d, correction_workdays)?;
                awaiting = Some(by);
                steps.push(format!(
                    "{d} 告知补正（收到申请后第{}个工作日内），申请人应于 {by} 前补正，答复期限待补正后重新计算",
                    CORRECTION_WITHIN_WORKDAYS
                ));
            }
            ClockEvent::CorrectionReceived(d) => {
                if awaiting.take().is_none() {
                    return Err(ClockError::OutOfOrder(
                        "未告知补正，不能记录收到补正材料".into(),
                    ));
                }
                start = d;
                paused = 0;
                steps.push(format!(
                    "{d} 收到补正后的申请，答复期限自次日起重新计算{ANSWER_WORKDAYS}个工作日"
                ));
            }
            ClockEvent::ConsultationSent(d) => {
                if paused_since.is_some() || fee_since.is_some() {
                    return Err(ClockError::OutOfOrder("上一次征求意见尚未结束".into()));
                }
                paused_since = Some(d);
                steps.push(format!("{d} 发出征求意见，所需时间不计入答复期限"));
            }
            ClockEvent::ConsultationEnded(d) => {
                let Some(since) = paused_since.take() else {
                    return Err(ClockError::OutOfOrder("没有进行中的征求意见".into()));
                };
                let n = workdays_between(cal, since, d)?;
                paused += n;
                steps.push(format!(
                    "{d} 征求意见结束，扣除 {since} 至 {d} 间的{n}个工作日"
                ));
            }
            ClockEvent::FeeNotified(d) => {
                if fee_since.is_some() || paused_since.is_some() {
                    return Err(ClockError::OutOfOrder(
                        "征求意见或上一次收费尚未结束，不能发出收费通知".into(),
                    ));
                }
                fee_since = Some(d);
                steps.push(format!(
                    "{d} 发出收费通知，至申请人缴费之日的期间不计入答复期限"
                ));
            }
            ClockEvent::FeePaid(d) => {
                let Some(since) = fee_since.take() else {
                    return Err(ClockError::OutOfOrder("没有待缴的费用".into()));
                };
                let n = workdays_between(cal, since, d)?;
                paused += n;
                steps.push(format!(
                    "{d} 申请人缴费，扣除 {since} 至 {d} 间的{n}个工作日"
                ));
            }
            ClockEvent::Extended(d, n) => {
                if extension.is_some() || n == 0 || n > MAX_EXTENSION_WORKDAYS {
                    return Err(ClockError::BadExtension);
                }
                extension = Some(n);
                steps.push(format!(
                    "{d} 经政府信息公开工作机构负责人同意延长答复期限{n}个工作日，并告知申请人"
                ));
            }
        }
    }
    if let Some(by) = awaiting {
        return Ok(Reading {
            state: DueState::AwaitingCorrection(by),
            steps,
        });
    }
    if paused_since.is_some() {
        return Ok(Reading {
            state: DueState::Consulting,
            steps,
        });
    }
    if fee_since.is_some() {
        return Ok(Reading {
            state: DueState::AwaitingFee,
            steps,
        });
    }
    let total = ANSWER_WORKDAYS + extension.unwrap_or(0) + paused;
    let due = add(start, total)?;
    steps.push(format!(
        "答复期限：{start} 后第{total}个工作日（{ANSWER_WORKDAYS}{}{}），即 {due}",
        extension.map(|n| format!(" + 延长{n}")).unwrap_or_default(),
        if paused > 0 {
            format!(" + 暂停{paused}")
        } else {
            String::new()
        }
    ));
    Ok(Reading {
        state: DueState::Due(due),
        steps,
    })
}

/// The information-processing fee (信息处理费, 国办函〔2020〕109号) of an applicant's `n`-th
/// application in a calendar month, in yuan: the first 10 are free, the 11th to 30th cost 100
/// each, and from the 31st each further band of 10 costs 100 more per application than the band
/// before (31st-40th 200, 41st-50th 300, …).
pub fn fee_for_nth(n: u32) -> u32 {
    match n {
        0..=10 => 0,
        11..=30 => 100,
        _ => 100 * (2 + (n - 31) / 10),
    }
}

/// The fee of `count` applications by one applicant in one calendar month, in yuan.
pub fn month_fee(count: u32) -> u32 {
    (1..=count).map(fee_for_nth).sum()
}

/// Who applied, as the annual report's columns split them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApplicantType {
    /// 自然人.
    NaturalPerson,
    /// 法人或其他组织：商业企业.
    Business,
    /// 法人或其他组织：科研机构.
    Research,
    /// 法人或其他组织：社会公益组织.
    PublicWelfare,
    /// 法人或其他组织：法律服务机构.
    LegalService,
    /// 法人或其他组织：其他.
    OtherOrganisation,
}

impl ApplicantType {
    /// Every type, in the report's column order.
    pub const ALL: [ApplicantType; 6] = [
        ApplicantType::NaturalPerson,
        ApplicantType::Business,
        ApplicantType::Research,
        ApplicantType::PublicWelfare,
        ApplicantType::LegalService,
        ApplicantType::OtherOrganisation,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ApplicantType::NaturalPerson => "natural_person",
            ApplicantType::Business => "business",
            ApplicantType::Research => "research",
            ApplicantType::PublicWelfare => "public_welfare",
            ApplicantType::LegalService => "legal_service",
            ApplicantType::OtherOrganisation => "other_organisation",
        }
    }

    /// The report's column heading.
    pub fn label(self) -> &'static str {
        match self {
            ApplicantType::NaturalPerson => "自然人",
            ApplicantType::Business => "商业企业",
            ApplicantType::Research => "科研机构",
            ApplicantType::PublicWelfare => "社会公益组织",
            ApplicantType::LegalService => "法律服务机构",
            ApplicantType::OtherOrganisation => "其他",
        }
    }

    /// The type for a stored code.
    pub fn from_code(c: &str) -> Option<ApplicantType> {
        ApplicantType::ALL.into_iter().find(|t| t.code() == c)
    }

    /// Whether the applicant is an organisation (identified by a unified social credit code)
    /// rather than a person (a resident identity number).
    pub fn is_organisation(self) -> bool {
        self != ApplicantType::NaturalPerson
    }
}

/// Checks an applicant's identity document: a resident identity number (GB 11643, check digit)
/// for a person, a unified social credit code (GB 32100, checksum) for an organisation.
pub fn check_identity(kind: ApplicantType, document: &str) -> Result<(), String> {
    let doc = document.trim();
    if doc.is_empty() {
        return Err("请填写身份证件号码".into());
    }
    if kind.is_organisation() {
        crate::ids::validate_uscc(doc).map_err(|e| format!("统一社会信用代码无效：{e}"))
    } else if crate::ids::is_valid_resident_id(doc) {
        Ok(())
    } else {
        Err("居民身份证号码无效（应为18位，末位校验码须正确）".into())
    }
}

/// What an outcome needs besides itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing more.
    Nothing,
    /// A written reason (which parts are withheld and why, why it cannot be provided, …).
    Reason,
    /// A reason and a pointer: where the information is already published, or which agency holds
    /// it, or which earlier application it repeats.
    ReasonAndPointer(&'static str),
}

/// How an application ended: exactly one row of the annual report's table, each with its legal
/// basis (政府信息公开条例).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// (一) 予以公开.
    Disclosed,
    /// (一) 予以公开 — already published; the applicant is told where (Art. 36(一)).
    AlreadyPublished,
    /// (二) 部分公开.
    PartlyDisclosed,
    /// (三) 不予公开, one of eight grounds.
    Withheld(u8),
    /// (四) 无法提供, one of three.
    CannotProvide(u8),
    /// (五) 不予处理, one of five.
    NotHandled(u8),
    /// (六) 其他处理, one of three.
    Other(u8),
}

const WITHHELD: [(&str, &str); 8] = [
    ("属于国家秘密", "第十四条"),
    ("其他法律行政法规禁止公开", "第十四条"),
    ("危及“三安全一稳定”", "第十四条"),
    ("保护第三方合法权益", "第十五条"),
    ("属于三类内部事务信息", "第十六条第一款"),
    ("属于四类过程性信息", "第十六条第二款"),
    ("属于行政执法案卷", "第十六条第二款"),
    ("属于行政查询事项", "第三十六条第（七）项"),
];
const CANNOT_PROVIDE: [(&str, &str); 3] = [
    ("本机关不掌握相关政府信息", "第三十六条第（四）（五）项"),
    ("没有现成信息需要另行制作", "第三十八条"),
    ("补正后申请内容仍不明确", "第三十条"),
];
const NOT_HANDLED: [(&str, &str); 5] = [
    ("信访举报投诉类申请", "第三十九条第一款"),
    ("重复申请", "第三十六条第（六）项"),
    ("要求提供公开出版物", "第三十九条第二款"),
    ("无正当理由大量反复申请", "第三十五条"),
    ("要求行政机关确认或重新出具已获取信息", "第三十九条第二款"),
];
const OTHER: [(&str, &str); 3] = [
    (
        "申请人无正当理由逾期不补正、行政机关不再处理其申请",
        "第三十条",
    ),
    (
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其申请",
        "第四十二条",
    ),
    ("其他", "第三十六条"),
];

impl Outcome {
    /// Every outcome, in the report's row order.
    pub fn all() -> Vec<Outcome> {
        let mut v = vec![
            Outcome::Disclosed,
            Outcome::AlreadyPublished,
            Outcome::PartlyDisclosed,
        ];
        v.extend((1..=8).map(Outcome::Withheld));
        v.extend((1..=3).map(Outcome::CannotProvide));
        v.extend((1..=5).map(Outcome::NotHandled));
        v.extend((1..=3).map(Outcome::Other));
        v
    }

    fn entry(self) -> Option<(&'static str, &'static str)> {
        let pick = |list: &[(&'static str, &'static str)], n: u8| {
            usize::from(n)
                .checked_sub(1)
                .and_then(|i| list.get(i))
                .copied()
        };
        match self {
            Outcome::Disclosed => Some(("予以公开", "第三十六条第（二）项")),
            Outcome::AlreadyPublished => Some((
                "予以公开（已主动公开，告知获取途径）",
                "第三十六条第（一）项",
            )),
            Outcome::PartlyDisclosed => Some(("部分公开", "第三十七条")),
            Outcome::Withheld(n) => pick(&WITHHELD, n),
            Outcome::CannotProvide(n) => pick(&CANNOT_PROVIDE, n),
            Outcome::NotHandled(n) => pick(&NOT_HANDLED, n),
            Outcome::Other(n) => pick(&OTHER, n),
        }
    }

    /// Whether it names a row that exists (`Withheld(9)` does not).
    pub fn is_valid(self) -> bool {
        self.entry().is_some()
    }

    /// The stored code, e.g. `withheld_4`.
    pub fn code(self) -> String {
        match self {
            Outcome::Disclosed => "disclosed".into(),
            Outcome::AlreadyPublished => "already_published".into(),
            Outcome::PartlyDisclosed => "partly_disclosed".into(),
            Outcome::Withheld(n) => format!("withheld_{n}"),
            Outcome::CannotProvide(n) => format!("cannot_provide_{n}"),
            Outcome::NotHandled(n) => format!("not_handled_{n}"),
            Outcome::Other(n) => format!("other_{n}"),
        }
    }

    /// The outcome for a stored code.
    pub fn from_code(c: &str) -> Option<Outcome> {
        Outcome::all().into_iter().find(|o| o.code() == c)
    }

    /// The row's label in the annual report.
    pub fn label(self) -> &'static str {
        self.entry().map_or("", |e| e.0)
    }

    /// The legal basis quoted in the answer letter.
    pub fn basis(self) -> String {
        self.entry()
            .map(|e| format!("《中华人民共和国政府信息公开条例》{}", e.1))
            .unwrap_or_default()
    }

    /// The report group: (一) … (六).
    pub fn group(self) -> &'static str {
        match self {
            Outcome::Disclosed | Outcome::AlreadyPublished => "（一）予以公开",
            Outcome::PartlyDisclosed => "（二）部分公开",
            Outcome::Withheld(_) => "（三）不予公开",
            Outcome::CannotProvide(_) => "（四）无法提供",
            Outcome::NotHandled(_) => "（五）不予处理",
            Outcome::Other(_) => "（六）其他处理",
        }
    }

    /// What recording it needs besides itself.
    pub fn needs(self) -> Needs {
        match self {
            Outcome::Disclosed => Needs::Nothing,
            Outcome::AlreadyPublished => Needs::ReasonAndPointer("已公开的位置（网址或查阅地点）"),
            Outcome::CannotProvide(1) => {
                Needs::ReasonAndPointer("掌握该信息的机关（名称和联系方式；无法确定的请写明）")
            }
            Outcome::NotHandled(2) => Needs::ReasonAndPointer("所重复的此前申请（编号）"),
            _ => Needs::Reason,
        }
    }

    /// Checks that an outcome is recorded with what it needs; the message says what is missing.
    pub fn check(self, reason: &str, pointer: &str) -> Result<(), String> {
        if !self.is_valid() {
            return Err("办理结果无效：请选择年度报告中的一项".into());
        }
        match self.needs() {
            Needs::Nothing => Ok(()),
            Needs::Reason if reason.trim().is_empty() => {
                Err(format!("“{}”须写明理由", self.label()))
            }
            Needs::ReasonAndPointer(what)
                if reason.trim().is_empty() || pointer.trim().is_empty() =>
            {
                Err(format!("“{}”须写明理由和{what}", self.label()))
            }
            _ => Ok(()),
        }
    }
}

/// One column of the annual report's second table: the figures the identity ties together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportColumn {
    /// 一、本年新收.
    pub received: i64,
    /// 二、上年结转.
    pub carried_in: i64,
    /// 三（七）、本年度办理结果 总计.
    pub decided: i64,
    /// 四、结转下年度继续办理.
    pub carried_out: i64,
}

impl ReportColumn {
    /// Whether 一 + 二 = 三(七) + 四 holds.
    pub fn balances(&self) -> bool {
        self.received + self.carried_in == self.decided + self.carried_out
    }
}

/// How alike two requests are, 0 to 1: the overlap (Jaccard) of their character pairs, with
/// spaces and punctuation left out and Traditional characters read as written. Near-duplicate
/// applications (the same applicant asking the same unit again) score near 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    fn pairs(s: &str) -> std::collections::HashSet<(char, char)> {
        let chars: Vec<char> = s
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (x, y) = (pairs(a), pairs(b));
    if x.is_empty() && y.is_empty() {
        return if a.trim() == b.trim() { 1.0 } else { 0.0 };
    }
    let common = x.intersection(&y).count();
    common as f64 / (x.len() + y.len() - common) as f64
}

/// The form the applicant wants the information in.
pub const FORMS: [(&str, &str); 3] = [
    ("paper", "纸质"),
    ("electronic", "电子数据"),
    ("viewing", "现场查阅"),
];
/// How the applicant wants it delivered.
pub const DELIVERIES: [(&str, &str); 3] = [
    ("post", "邮寄"),
    ("email", "电子邮件"),
    ("collection", "自行领取"),
];

/// An application as submitted (the public form, the API, or staff registering one received in
/// person, by mail, fax or e-mail), before it is read.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFields<'a> {
    /// [`ApplicantType`] code.
    pub applicant_type: &'a str,
    /// Name (person or organisation).
    pub name: &'a str,
    /// Resident ID or unified social credit code.
    pub id_document: &'a str,
    /// Phone.
    pub phone: &'a str,
    /// E-mail.
    pub email: &'a str,
    /// Postal address.
    pub address: &'a str,
    /// The information sought.
    pub content: &'a str,
    /// Purpose (optional).
    pub purpose: &'a str,
    /// Preferred form ([`FORMS`] code).
    pub form: &'a str,
    /// Delivery ([`DELIVERIES`] code).
    pub delivery: &'a str,
}

/// An application read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationInput {
    /// Applicant type.
    pub applicant_type: ApplicantType,
    /// Name.
    pub name: String,
    /// Identity document number (upper case).
    pub id_document: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Postal address.
    pub address: String,
    /// The information sought.
    pub content: String,
    /// Purpose.
    pub purpose: String,
    /// Preferred form code.
    pub form: String,
    /// Delivery code.
    pub delivery: String,
}

/// Reads an application the same way on every path; returns every problem at once, each with
/// its field, in Chinese.
pub fn read_application(
    f: &ApplicationFields<'_>,
) -> Result<ApplicationInput, Vec<crate::disclosure::FieldError>> {
    use crate::disclosure::FieldError;
    let mut errors = Vec::new();
    let mut err = |field: &'static str, message: String| errors.push(FieldError { field, message });
    let kind = ApplicantType::from_code(f.applicant_type.trim());
    if kind.is_none() {
        err("applicant_type", "请选择申请人类型".into());
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        err("name", "请填写申请人姓名或名称（不超过100字）".into());
    }
    let doc = f.id_document.trim().to_uppercase();
    if let Some(Err(m)) = kind.map(|k| check_identity(k, &doc)) {
        err("id_document", m);
    }
    let (phone, email, address) = (f.phone.trim(), f.email.trim(), f.address.trim());
    if phone.is_empty() && email.is_empty() && address.is_empty() {
        err(
            "phone",
            "请至少填写一种联系方式（电话、电子邮箱或通信地址）".into(),
        );
    }
    if !phone.is_empty()
        && (phone.chars().count() > 30
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || "-+ ()".contains(c)))
    {
        err("phone", "电话号码只能包含数字和“-”".into());
    }
    if !email.is_empty() && (email.len() > 100 || !email.contains('@') || email.contains(' ')) {
        err("email", "电子邮箱格式不正确".into());
    }
    if address.chars().count() > 200 {
        err("address", "通信地址不超过200字".into());
    }
    let content = f.content.trim();
    if content.is_empty() {
        err(
            "content",
            "请写明所需政府信息的名称、文号或者便于查询的其他特征性描述".into(),
        );
    } else if content.chars().count() > 5000 {
        err("content", "所需信息描述不超过5000字".into());
    }
    if f.purpose.trim().chars().count() > 1000 {
        err("purpose", "用途说明不超过1000字".into());
    }
    let form = f.form.trim();
    if !FORMS.iter().any(|(c, _)| *c == form) {
        err("form", "请选择获取信息的形式".into());
    }
    let delivery = f.delivery.trim();
    match delivery {
        "post" if address.is_empty() => err("address", "选择邮寄的，请填写通信地址".into()),
        "email" if email.is_empty() => err("email", "选择电子邮件的，请填写电子邮箱".into()),
        d if !DELIVERIES.iter().any(|(c, _)| *c == d) => {
            err("delivery", "请选择获取信息的方式".into())
        }
        _ => {}
    }
    match kind {
        Some(applicant_type) if errors.is_empty() => Ok(ApplicationInput {
            applicant_type,
            name: name.to_string(),
            id_document: doc,
            phone: phone.to_string(),
            email: email.to_string(),
            address: address.to_string(),
            content: content.to_string(),
            purpose: f.purpose.trim().to_string(),
            form: form.to_string(),
            delivery: delivery.to_string(),
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn due(received: &str, events: &[ClockEvent]) -> NaiveDate {
        let cal = Calendar::shipped().unwrap();
        match read_clock(&cal, d(received), events, 10).unwrap().state {
            DueState::Due(x) => x,
            other => panic!("not running: {other:?}"),
        }
    }

    /// Hand counts on the official 2026 schedule (data/holidays/2026.json).
    #[test]
    fn due_dates_match_hand_counts() {
        // Friday 04-03 before Qingming (04-04..06 off): 04-07..10 (4), 13-17 (9), 20-24 (14),
        // 27-30 (18), 05-01..05 off, 05-06 (19), 05-07 (20)
        assert_eq!(due("2026-04-03", &[]), d("2026-05-07"));
        // received on the make-up working Saturday 02-28: 03-02..06 (5) … 03-23..27 (20)
        assert_eq!(due("2026-02-28", &[]), d("2026-03-27"));
        // and on the make-up Saturday 10-10: 10-12..16 (5) … 11-02..06 (20)
        assert_eq!(due("2026-10-10", &[]), d("2026-11-06"));
        // a correction restarts the period from the corrected application (03-16):
        // 03-17..20 (4), 23-27 (9), 03-30..04-03 (14), 04-07..10 (18), 13 (19), 14 (20)
        let corrected = [
            ClockEvent::CorrectionRequested(d("2026-03-06")),
            ClockEvent::CorrectionReceived(d("2026-03-16")),
        ];
        assert_eq!(due("2026-03-02", &corrected), d("2026-04-14"));
        // a third-party consultation from 06-03 to 06-10 stops the clock for 06-04, 05, 08, 09,
        // 10: 20 + 5 working days after 06-01 (端午 06-19 off) is 07-07; without it, 06-30
        assert_eq!(due("2026-06-01", &[]), d("2026-06-30"));
        let consulted = [
            ClockEvent::ConsultationSent(d("2026-06-03")),
            ClockEvent::ConsultationEnded(d("2026-06-10")),
        ];
        assert_eq!(due("2026-06-01", &consulted), d("2026-07-07"));
        // an extension of 20: 40 working days after 06-01
        let extended = [ClockEvent::Extended(d("2026-06-20"), 20)];
        assert_eq!(due("2026-06-01", &extended), d("2026-07-28"));
    }

    #[test]
    fn the_rules_refuse_what_the_regulation_does_not_allow() {
        let cal = Calendar::shipped().unwrap();
        let read = |events: &[ClockEvent]| read_clock(&cal, d("2026-03-02"), events, 10);
        // the 7th working day after 03-02 is 03-11: a request then is allowed, the next day not
        assert!(read(&[ClockEvent::CorrectionRequested(d("2026-03-11"))]).is_ok());
        assert_eq!(
            read(&[ClockEvent::CorrectionRequested(d("2026-03-12"))]),
            Err(ClockError::CorrectionTooLate(d("2026-03-11")))
        );
        assert_eq!(
            read(&[
                ClockEvent::CorrectionRequested(d("2026-03-03")),
                ClockEvent::CorrectionReceived(d("2026-03-05")),
                ClockEvent::CorrectionRequested(d("2026-03-06")),
            ]),
            Err(ClockError::SecondCorrection)
        );
        assert_eq!(
            read(&[ClockEvent::Extended(d("2026-03-05"), 21)]),
            Err(ClockError::BadExtension)
        );
        assert_eq!(
            read(&[
                ClockEvent::Extended(d("2026-03-05"), 10),
                ClockEvent::Extended(d("2026-03-06"), 10)
            ]),
            Err(ClockError::BadExtension)
        );
        // waiting for a correction: 10 working days from the request (03-06) is 03-20; after
        // that the application may be closed as abandoned
        let waiting = read(&[ClockEvent::CorrectionRequested(d("2026-03-06"))]).unwrap();
        assert_eq!(waiting.state, DueState::AwaitingCorrection(d("2026-03-20")));
        assert!(
            waiting
                .steps
                .iter()
                .any(|s| s.contains("2026-03-20 前补正"))
        );
        // a count that reaches a year without calendar data fails loudly
        assert!(matches!(
            read_clock(&cal, d("2026-12-20"), &[], 10),
            Err(ClockError::Calendar(_))
        ));
    }

    #[test]
    fn receipt_follows_the_channel() {
        let f = ReceiptFacts {
            submitted: Some(d("2026-03-02")),
            signed_for: Some(d("2026-03-04")),
            confirmed: Some(d("2026-03-05")),
        };
        assert_eq!(
            receipt_date(Channel::InPerson, &f).unwrap().0,
            d("2026-03-02")
        );
        assert_eq!(
            receipt_date(Channel::RegisteredMail, &f).unwrap().0,
            d("2026-03-04")
        );
        assert_eq!(
            receipt_date(Channel::OrdinaryMail, &f).unwrap().0,
            d("2026-03-05")
        );
        assert_eq!(receipt_date(Channel::Fax, &f).unwrap().0, d("2026-03-05"));
        let (_, why) = receipt_date(Channel::RegisteredMail, &f).unwrap();
        assert!(why.contains("签收之日"), "{why}");
        assert!(matches!(
            receipt_date(Channel::Online, &ReceiptFacts::default()),
            Err(ClockError::MissingDate { .. })
        ));
    }

    #[test]
    fn outcomes_are_the_report_s_rows_and_need_their_reasons() {
        let all = Outcome::all();
        assert_eq!(
            all.len(),
            22,
            "予以公开 ×2 (one row), 部分公开, 不予公开 ×8, 无法提供 ×3, 不予处理 ×5, 其他处理 ×3"
        );
        for o in &all {
            assert!(o.is_valid());
            assert_eq!(Outcome::from_code(&o.code()), Some(*o));
            assert!(
                o.basis()
                    .starts_with("《中华人民共和国政府信息公开条例》第"),
                "{}",
                o.basis()
            );
        }
        assert!(!Outcome::Withheld(9).is_valid());
        assert!(Outcome::Disclosed.check("", "").is_ok());
        assert_eq!(
            Outcome::Withheld(4).check(" ", ""),
            Err("“保护第三方合法权益”须写明理由".into())
        );
        assert!(
            Outcome::AlreadyPublished
                .check("已于2026年3月主动公开", "")
                .unwrap_err()
                .contains("已公开的位置")
        );
        assert!(
            Outcome::AlreadyPublished
                .check("已主动公开", "https://www.example.gov.cn/items/X")
                .is_ok()
        );
        assert!(
            Outcome::CannotProvide(1)
                .check("本机关未制作", "")
                .unwrap_err()
                .contains("掌握该信息的机关")
        );
        assert!(Outcome::Withheld(9).check("x", "y").is_err());
        assert_eq!(Outcome::PartlyDisclosed.group(), "（二）部分公开");
    }

    #[test]
    fn identities_and_the_report_balance() {
        use ApplicantType::*;
        assert_eq!(check_identity(NaturalPerson, "11010519491231002X"), Ok(()));
        assert!(check_identity(NaturalPerson, "110105194912310021").is_err());
        assert!(check_identity(NaturalPerson, " ").is_err());
        assert!(check_identity(Business, "91350100M000100Y43").is_ok());
        assert!(check_identity(Business, "91350100M000100Y44").is_err());
        assert!(
            check_identity(LegalService, "11010519491231002X").is_err(),
            "a person's number is not an organisation's"
        );
        assert_eq!(ApplicantType::ALL.map(|t| t.label())[0], "自然人");
        let ok = ReportColumn {
            received: 10,
            carried_in: 2,
            decided: 9,
            carried_out: 3,
        };
        assert!(ok.balances());
        assert!(
            !ReportColumn {
                carried_out: 2,
                ..ok
            }
            .balances()
        );
    }

    #[test]
    fn an_application_is_read_with_every_problem_named() {
        let good = ApplicationFields {
            applicant_type: "natural_person",
            name: "张三",
            id_document: "11010519491231002x",
            phone: "0571-12345678",
            content: "2025年示范区义务教育学校划片方案",
            form: "electronic",
            delivery: "email",
            email: "zhang@example.com",
            ..Default::default()
        };
        let a = read_application(&good).unwrap();
        assert_eq!(a.id_document, "11010519491231002X");
        assert_eq!(a.applicant_type, ApplicantType::NaturalPerson);
        let bad = ApplicationFields {
            applicant_type: "business",
            id_document: "11010519491231002X",
            phone: "",
            email: "",
            content: " ",
            delivery: "post",
            form: "fax",
            ..good
        };
        let fields: Vec<&str> = read_application(&bad)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["id_document", "phone", "content", "form", "address"]
        );
    }

    #[test]
    fn near_duplicates_score_high_and_different_requests_low() {
        let a = "请公开2025年义务教育学校划片方案。";
        assert!(similarity(a, "请公开 2025 年义务教育学校划片方案") > 0.95);
        assert!(similarity(a, "请公开2025年义务教育学校划片方案及附件") > 0.8);
        assert!(similarity(a, "请公开本区2024年度财政预算执行情况") < 0.3);
    }

    #[test]
    fn fee_bands() {
        assert_eq!(
            [10, 11, 30, 31, 40, 41].map(fee_for_nth),
            [0, 100, 100, 200, 200, 300]
        );
        assert_eq!(month_fee(10), 0);
        assert_eq!(month_fee(11), 100);
        assert_eq!(month_fee(30), 2000);
        assert_eq!(month_fee(31), 2200);
        assert_eq!(month_fee(41), 4300);
    }
}
