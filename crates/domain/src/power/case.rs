//! Cases (办件): one exercise of a power, moved only along its item's flow, each step against its
//! own time limit in working days. Legal suspensions (补正, 听证, 检验检测, 专家评审, 公示) stop the
//! clock: the working days spent suspended are added to the step's limit. E-supervision
//! (电子监察) turns the due dates into yellow and red alerts.
//!
//! Due dates are fixed when a step starts or resumes (so the alert scan is a comparison of dates,
//! fast over a million cases); the counting itself is here.

use super::flow::{Flow, Limit, StepKind, Transition};
use crate::calendar::{Calendar, CalendarError, Coverage};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// How a case came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网上申请 on the portal.
    Online,
    /// 窗口受理 by staff.
    Window,
    /// 依职权 (inspection and enforcement) opened by staff.
    ExOfficio,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Channel::Online, Channel::Window, Channel::ExOfficio];
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Window => "window",
            Channel::ExOfficio => "ex_officio",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Online => "网上申请",
            Channel::Window => "窗口受理",
            Channel::ExOfficio => "依职权办理",
        }
    }
    /// Parses a code.
    pub fn from_code(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// Why the clock is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionKind {
    /// 补正材料.
    Correction,
    /// 听证.
    Hearing,
    /// 检验、检测、检疫、鉴定.
    Testing,
    /// 专家评审.
    ExpertReview,
    /// 公示 / 公告.
    PublicNotice,
}

impl SuspensionKind {
    /// Every kind.
    pub const ALL: [SuspensionKind; 5] = [
        SuspensionKind::Correction,
        SuspensionKind::Hearing,
        SuspensionKind::Testing,
        SuspensionKind::ExpertReview,
        SuspensionKind::PublicNotice,
    ];
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            SuspensionKind::Correction => "correction",
            SuspensionKind::Hearing => "hearing",
            SuspensionKind::Testing => "testing",
            SuspensionKind::ExpertReview => "expert_review",
            SuspensionKind::PublicNotice => "public_notice",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            SuspensionKind::Correction => "补正材料",
            SuspensionKind::Hearing => "听证",
            SuspensionKind::Testing => "检验检测鉴定",
            SuspensionKind::ExpertReview => "专家评审",
            SuspensionKind::PublicNotice => "公示公告",
        }
    }
    /// Parses a code.
    pub fn from_code(s: &str) -> Option<SuspensionKind> {
        SuspensionKind::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// An alert level of e-supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    /// 黄牌: near the limit.
    Yellow,
    /// 红牌: past the limit.
    Red,
}

impl AlertLevel {
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            AlertLevel::Yellow => "yellow",
            AlertLevel::Red => "red",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            AlertLevel::Yellow => "黄牌预警",
            AlertLevel::Red => "红牌警告",
        }
    }
}

/// The case number: unit code, year, serial (`SJJ-2026-000123`), unique and stable per unit and
/// year.
pub fn case_no(unit_code: &str, year: i32, serial: i64) -> String {
    format!("{unit_code}-{year}-{serial:06}")
}

/// The dates a running step is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StepClock {
    /// The last day the step may take.
    pub due_on: NaiveDate,
    /// From this day the step is shown yellow.
    pub yellow_on: NaiveDate,
    /// From this day the step is shown red (the day after the due date).
    pub red_on: NaiveDate,
}

/// The clock of a step started on `started_on` with `limit`, after `suspended_workdays` working
/// days of legal suspension; yellow from `yellow_workdays` working days before the due date.
/// `None` for steps without a limit (end states).
pub fn step_clock(
    cal: &Calendar,
    started_on: NaiveDate,
    limit: Limit,
    suspended_workdays: u32,
    yellow_workdays: u32,
) -> Result<Option<StepClock>, CalendarError> {
    let days = match limit {
        Limit::None => return Ok(None),
        Limit::Immediate => 0,
        Limit::Days(n) => n,
    };
    let due_on = cal.add_workdays(started_on, days + suspended_workdays, Coverage::Strict)?;
    let yellow_on = workdays_before(cal, due_on, yellow_workdays)?.max(started_on);
    let red_on = due_on
        .checked_add_signed(Duration::days(1))
        .ok_or(CalendarError::OutOfRange)?;
    Ok(Some(StepClock {
        due_on,
        yellow_on,
        red_on,
    }))
}

/// The working day `n` working days before `date` (`date` itself when `n` is 0).
pub fn workdays_before(
    cal: &Calendar,
    date: NaiveDate,
    n: u32,
) -> Result<NaiveDate, CalendarError> {
    let mut d = date;
    let mut counted = 0;
    while counted < n {
        d = d
            .checked_sub_signed(Duration::days(1))
            .ok_or(CalendarError::OutOfRange)?;
        if cal.is_workday(d, Coverage::Strict)? {
            counted += 1;
        }
    }
    Ok(d)
}

/// Working days after `from` up to and including `to` (0 when `to` is not after `from`): the
/// length of a suspension from `from` to `to`.
pub fn workdays_between(
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u32, CalendarError> {
    let mut d = from;
    let mut n = 0;
    while d < to {
        d += Duration::days(1);
        if cal.is_workday(d, Coverage::Strict)? {
            n += 1;
        }
    }
    Ok(n)
}

/// The alert level of a step on `today` (none while suspended or in time).
pub fn level(today: NaiveDate, clock: &StepClock) -> Option<AlertLevel> {
    if today >= clock.red_on {
        Some(AlertLevel::Red)
    } else if today >= clock.yellow_on {
        Some(AlertLevel::Yellow)
    } else {
        None
    }
}

/// Checks a move of a case from step `from` to step `to`: the flow must have that transition.
/// Returns it, and whether `to` ends the case.
pub fn check_move<'f>(
    flow: &'f Flow,
    from: &str,
    to: &str,
) -> Result<(&'f Transition, bool), String> {
    let name = |k: &str| {
        flow.step(k)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| k.to_string())
    };
    match flow.transition(from, to) {
        Some(t) => {
            let ends = flow.step(to).is_some_and(|s| s.kind == StepKind::End);
            Ok((t, ends))
        }
        None => Err(format!(
            "流程中没有从“{}”到“{}”的环节，办件只能按公布的流程流转",
            name(from),
            name(to)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn clocks_count_working_days_and_suspensions() -> Result<(), CalendarError> {
        let cal = Calendar::shipped()?;
        // Started Friday 2026-09-18; 5 working days: 9/20 (Sun) is a make-up working day.
        let c = step_clock(&cal, d("2026-09-18"), Limit::Days(5), 0, 1)?;
        let c = c.ok_or(CalendarError::OutOfRange)?;
        assert_eq!(c.due_on, d("2026-09-24"));
        assert_eq!(c.yellow_on, d("2026-09-23"));
        // Through the National Day holiday: 10/8, 10/9 and the make-up Saturday 10/10.
        let c = step_clock(&cal, d("2026-09-30"), Limit::Days(3), 0, 1)?
            .ok_or(CalendarError::OutOfRange)?;
        assert_eq!(c.due_on, d("2026-10-10"));
        // Two suspended working days push the due date by two working days.
        let c2 = step_clock(&cal, d("2026-09-18"), Limit::Days(5), 2, 1)?
            .ok_or(CalendarError::OutOfRange)?;
        assert_eq!(c2.due_on, d("2026-09-29")); // 中秋 9/25-9/27 off
        assert_eq!(
            step_clock(&cal, d("2026-09-18"), Limit::Immediate, 0, 1)?
                .map(|c| (c.due_on, c.yellow_on)),
            Some((d("2026-09-18"), d("2026-09-18")))
        );
        assert_eq!(step_clock(&cal, d("2026-09-18"), Limit::None, 0, 1)?, None);
        assert_eq!(workdays_between(&cal, d("2026-09-30"), d("2026-10-09"))?, 2);
        assert_eq!(workdays_between(&cal, d("2026-10-09"), d("2026-10-09"))?, 0);
        Ok(())
    }

    #[test]
    fn levels() {
        let c = StepClock {
            due_on: d("2026-09-24"),
            yellow_on: d("2026-09-23"),
            red_on: d("2026-09-25"),
        };
        assert_eq!(level(d("2026-09-22"), &c), None);
        assert_eq!(level(d("2026-09-23"), &c), Some(AlertLevel::Yellow));
        assert_eq!(level(d("2026-09-24"), &c), Some(AlertLevel::Yellow));
        assert_eq!(level(d("2026-09-25"), &c), Some(AlertLevel::Red));
        assert_eq!(case_no("SJJ", 2026, 12), "SJJ-2026-000012");
    }
}
