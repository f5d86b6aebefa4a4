//! The working-day calendar (DOMAIN.md §9) and deadline counting.
//!
//! A day is a working day unless it is a Saturday or Sunday, or the State Council's notice for
//! its year makes it a holiday; a make-up working day (调休) is a working day even on a weekend.
//! The calendar only answers for years it has data for: a question about any other year is an
//! error ([`CalendarError::NoData`]) unless the caller explicitly asks to assume the plain
//! weekend rule ([`Coverage::AssumeWeekends`]), in which case every such day is marked.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One year's schedule in the holiday-cn data format:
/// `{"year": 2026, "papers": [...], "days": [{"name", "date", "isOffDay"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayYear {
    /// The calendar year this schedule is for.
    pub year: i32,
    /// The notices (titles or addresses) the schedule comes from.
    #[serde(default)]
    pub papers: Vec<String>,
    /// The exceptions to the weekend rule.
    pub days: Vec<HolidayDay>,
}

/// One exception day of a [`HolidayYear`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayDay {
    /// The holiday this day belongs to, e.g. 春节.
    pub name: String,
    /// The date.
    pub date: NaiveDate,
    /// `true`: a day off (holiday); `false`: a make-up working day.
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

/// The schedules shipped with gongkai, verified against the State Council notices.
pub const SHIPPED_YEARS: &[(i32, &str)] = &[
    (2019, include_str!("../../../data/holidays/2019.json")),
    (2020, include_str!("../../../data/holidays/2020.json")),
    (2021, include_str!("../../../data/holidays/2021.json")),
    (2022, include_str!("../../../data/holidays/2022.json")),
    (2023, include_str!("../../../data/holidays/2023.json")),
    (2024, include_str!("../../../data/holidays/2024.json")),
    (2025, include_str!("../../../data/holidays/2025.json")),
    (2026, include_str!("../../../data/holidays/2026.json")),
];

/// Errors of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The computation reached a year the calendar has no schedule for.
    #[error(
        "没有{year}年的节假日安排数据（no holiday schedule for {year}）：请导入该年的国务院节假日安排（gongkai calendar import FILE），或明确使用 --assume-weekends"
    )]
    NoData {
        /// The year without data.
        year: i32,
    },
    /// The schedule file could not be read.
    #[error("节假日数据格式错误（invalid holiday data）：{0}")]
    Format(String),
    /// The schedule contradicts itself or its year.
    #[error("节假日数据内容错误（inconsistent holiday data）：{0}")]
    Inconsistent(String),
    /// A count went past the supported range of dates.
    #[error("日期超出范围（date out of range）")]
    OutOfRange,
}

/// Parses and checks one year's schedule: the JSON must match the format, every listed date
/// must fall in that year or in the last days of the year before (New Year holidays may start
/// there), and no date may be listed twice.
pub fn parse_year(json: &str) -> Result<HolidayYear, CalendarError> {
    let year: HolidayYear =
        serde_json::from_str(json).map_err(|e| CalendarError::Format(e.to_string()))?;
    check_year(&year)?;
    Ok(year)
}

/// Checks a schedule for consistency (see [`parse_year`]).
pub fn check_year(year: &HolidayYear) -> Result<(), CalendarError> {
    if !(1949..=2200).contains(&year.year) {
        return Err(CalendarError::Inconsistent(format!(
            "年份 {} 不合理",
            year.year
        )));
    }
    let mut seen = BTreeSet::new();
    for d in &year.days {
        let y = d.date.year();
        let in_prev_december = y == year.year - 1 && d.date.month() == 12;
        if y != year.year && !in_prev_december {
            return Err(CalendarError::Inconsistent(format!(
                "{} 不属于 {} 年的安排",
                d.date, year.year
            )));
        }
        if !seen.insert(d.date) {
            return Err(CalendarError::Inconsistent(format!("{} 重复出现", d.date)));
        }
        if !d.is_off_day && !is_weekend(d.date) {
            return Err(CalendarError::Inconsistent(format!(
                "{} 是工作日，不能再列为调休上班日",
                d.date
            )));
        }
    }
    Ok(())
}

/// What the calendar does for a year without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Fail with [`CalendarError::NoData`].
    Strict,
    /// Use the plain weekend rule and mark the day as assumed.
    AssumeWeekends,
}

/// Why a day is or is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayReason {
    /// A weekday with no exception.
    Weekday,
    /// A Saturday or Sunday with no exception.
    Weekend,
    /// A statutory holiday (day off).
    Holiday {
        /// The holiday's name.
        name: String,
    },
    /// A make-up working day on a weekend.
    MakeupWorkday {
        /// The holiday it makes up for.
        name: String,
    },
}

/// The calendar's answer for one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    /// The date.
    pub date: NaiveDate,
    /// Whether it is a working day.
    pub workday: bool,
    /// Why.
    pub reason: DayReason,
    /// True when the year had no data and the weekend rule was assumed.
    pub assumed: bool,
}

impl DayInfo {
    /// A short Chinese explanation, e.g. `法定节假日（春节）`.
    pub fn reason_text(&self) -> String {
        let base = match &self.reason {
            DayReason::Weekday => "工作日".to_string(),
            DayReason::Weekend => "周末".to_string(),
            DayReason::Holiday { name } => format!("法定节假日（{name}）"),
            DayReason::MakeupWorkday { name } => format!("调休上班（{name}）"),
        };
        if self.assumed {
            format!("{base}［无该年数据，按周末规则推定］")
        } else {
            base
        }
    }
}

/// The working-day calendar: the years it knows and their exception days.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, HolidayYear>,
    exceptions: BTreeMap<NaiveDate, (bool, String)>,
}

impl Calendar {
    /// An empty calendar (knows no year).
    pub fn new() -> Self {
        Self::default()
    }

    /// The calendar built from the schedules shipped with gongkai.
    pub fn shipped() -> Result<Self, CalendarError> {
        let mut cal = Self::new();
        for (_, json) in SHIPPED_YEARS {
            cal.insert_year(parse_year(json)?);
        }
        Ok(cal)
    }

    /// Adds or replaces one year's schedule. A replaced year's old exceptions are removed.
    pub fn insert_year(&mut self, year: HolidayYear) {
        if let Some(old) = self.years.remove(&year.year) {
            for d in &old.days {
                self.exceptions.remove(&d.date);
            }
        }
        for d in &year.days {
            self.exceptions
                .insert(d.date, (d.is_off_day, d.name.clone()));
        }
        self.years.insert(year.year, year);
    }

    /// The years this calendar has data for.
    pub fn years(&self) -> impl Iterator<Item = &HolidayYear> {
        self.years.values()
    }

    /// Whether the calendar has data for `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The answer for one day.
    pub fn day(&self, date: NaiveDate, coverage: Coverage) -> Result<DayInfo, CalendarError> {
        let assumed = if self.covers(date.year()) {
            false
        } else if coverage == Coverage::AssumeWeekends {
            true
        } else {
            return Err(CalendarError::NoData { year: date.year() });
        };
        let (workday, reason) = match self.exceptions.get(&date) {
            Some((true, name)) if !assumed => (false, DayReason::Holiday { name: name.clone() }),
            Some((false, name)) if !assumed => {
                (true, DayReason::MakeupWorkday { name: name.clone() })
            }
            _ if is_weekend(date) => (false, DayReason::Weekend),
            _ => (true, DayReason::Weekday),
        };
        Ok(DayInfo {
            date,
            workday,
            reason,
            assumed,
        })
    }

    /// Whether `date` is a working day.
    pub fn is_workday(&self, date: NaiveDate, coverage: Coverage) -> Result<bool, CalendarError> {
        Ok(self.day(date, coverage)?.workday)
    }

    /// The `n`-th working day after `start` (the start day itself is not counted), and the day
    /// by day explanation of the count: every day from the day after `start` up to the result.
    /// `n = 0` returns `start` itself.
    pub fn explain_add(
        &self,
        start: NaiveDate,
        n: u32,
        coverage: Coverage,
    ) -> Result<(NaiveDate, Vec<DayInfo>), CalendarError> {
        let mut steps = Vec::new();
        let mut date = start;
        let mut counted = 0;
        while counted < n {
            date = date
                .checked_add_signed(Duration::days(1))
                .ok_or(CalendarError::OutOfRange)?;
            let info = self.day(date, coverage)?;
            if info.workday {
                counted += 1;
            }
            steps.push(info);
        }
        Ok((date, steps))
    }

    /// The `n`-th working day after `start` (see [`Calendar::explain_add`]).
    pub fn add_workdays(
        &self,
        start: NaiveDate,
        n: u32,
        coverage: Coverage,
    ) -> Result<NaiveDate, CalendarError> {
        Ok(self.explain_add(start, n, coverage)?.0)
    }
}

/// Saturday or Sunday.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The date in Beijing (UTC+8, no daylight saving) at instant `utc`: the "today" of every rule
/// (a date of forming may not be later; lateness counts to it), never the UTC date, which lags
/// from 00:00 to 08:00 Beijing time.
pub fn beijing_date(utc: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (utc + chrono::Duration::hours(8)).date_naive()
}

/// RFC 3339 UTC text → `YYYY-MM-DD HH:MM` in Beijing time (the `PubDate` convention).
pub fn beijing_minutes(utc: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(utc)
        .map(|t| {
            (t + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The official schedules written a second, independent way: holiday ranges and make-up
    /// days as printed in each year's notice. Every day of 2019-2026 is checked against them.
    /// (year, holiday ranges, make-up working days).
    type Notice = (
        i32,
        &'static [(&'static str, &'static str)],
        &'static [&'static str],
    );

    const NOTICES: &[Notice] = &[
        (
            2019,
            &[
                ("2019-01-01", "2019-01-01"),
                ("2019-02-04", "2019-02-10"),
                ("2019-04-05", "2019-04-07"),
                ("2019-05-01", "2019-05-04"),
                ("2019-06-07", "2019-06-09"),
                ("2019-09-13", "2019-09-15"),
                ("2019-10-01", "2019-10-07"),
            ],
            &[
                "2019-02-02",
                "2019-02-03",
                "2019-04-28",
                "2019-05-05",
                "2019-09-29",
                "2019-10-12",
            ],
        ),
        (
            2020,
            &[
                ("2020-01-01", "2020-01-01"),
                ("2020-01-24", "2020-02-02"),
                ("2020-04-04", "2020-04-06"),
                ("2020-05-01", "2020-05-05"),
                ("2020-06-25", "2020-06-27"),
                ("2020-10-01", "2020-10-08"),
            ],
            &[
                "2020-01-19",
                "2020-04-26",
                "2020-05-09",
                "2020-06-28",
                "2020-09-27",
                "2020-10-10",
            ],
        ),
        (
            2021,
            &[
                ("2021-01-01", "2021-01-03"),
                ("2021-02-11", "2021-02-17"),
                ("2021-04-03", "2021-04-05"),
                ("2021-05-01", "2021-05-05"),
                ("2021-06-12", "2021-06-14"),
                ("2021-09-19", "2021-09-21"),
                ("2021-10-01", "2021-10-07"),
            ],
            &[
                "2021-02-07",
                "2021-02-20",
                "2021-04-25",
                "2021-05-08",
                "2021-09-18",
                "2021-09-26",
                "2021-10-09",
            ],
        ),
        (
            2022,
            &[
                ("2022-01-01", "2022-01-03"),
                ("2022-01-31", "2022-02-06"),
                ("2022-04-03", "2022-04-05"),
                ("2022-04-30", "2022-05-04"),
                ("2022-06-03", "2022-06-05"),
                ("2022-09-10", "2022-09-12"),
                ("2022-10-01", "2022-10-07"),
            ],
            &[
                "2022-01-29",
                "2022-01-30",
                "2022-04-02",
                "2022-04-24",
                "2022-05-07",
                "2022-10-08",
                "2022-10-09",
            ],
        ),
        (
            2023,
            &[
                ("2023-01-01", "2023-01-02"),
                ("2023-01-21", "2023-01-27"),
                ("2023-04-05", "2023-04-05"),
                ("2023-04-29", "2023-05-03"),
                ("2023-06-22", "2023-06-24"),
                ("2023-09-29", "2023-10-06"),
            ],
            &[
                "2023-01-28",
                "2023-01-29",
                "2023-04-23",
                "2023-05-06",
                "2023-06-25",
                "2023-10-07",
                "2023-10-08",
            ],
        ),
        (
            2024,
            &[
                ("2024-01-01", "2024-01-01"),
                ("2024-02-10", "2024-02-17"),
                ("2024-04-04", "2024-04-06"),
                ("2024-05-01", "2024-05-05"),
                ("2024-06-08", "2024-06-10"),
                ("2024-09-15", "2024-09-17"),
                ("2024-10-01", "2024-10-07"),
            ],
            &[
                "2024-02-04",
                "2024-02-18",
                "2024-04-07",
                "2024-04-28",
                "2024-05-11",
                "2024-09-14",
                "2024-09-29",
                "2024-10-12",
            ],
        ),
        (
            2025,
            &[
                ("2025-01-01", "2025-01-01"),
                ("2025-01-28", "2025-02-04"),
                ("2025-04-04", "2025-04-06"),
                ("2025-05-01", "2025-05-05"),
                ("2025-05-31", "2025-06-02"),
                ("2025-10-01", "2025-10-08"),
            ],
            &[
                "2025-01-26",
                "2025-02-08",
                "2025-04-27",
                "2025-09-28",
                "2025-10-11",
            ],
        ),
        (
            2026,
            &[
                ("2026-01-01", "2026-01-03"),
                ("2026-02-15", "2026-02-23"),
                ("2026-04-04", "2026-04-06"),
                ("2026-05-01", "2026-05-05"),
                ("2026-06-19", "2026-06-21"),
                ("2026-09-25", "2026-09-27"),
                ("2026-10-01", "2026-10-07"),
            ],
            &[
                "2026-01-04",
                "2026-02-14",
                "2026-02-28",
                "2026-05-09",
                "2026-09-20",
                "2026-10-10",
            ],
        ),
    ];

    #[test]
    fn every_day_2019_to_2026_matches_the_notices() {
        let cal = Calendar::shipped().unwrap();
        let mut checked = 0;
        for (year, offs, makeups) in NOTICES {
            let mut date = d(&format!("{year}-01-01"));
            while date.year() == *year {
                let off = offs.iter().any(|(a, b)| d(a) <= date && date <= d(b));
                let makeup = makeups.iter().any(|m| d(m) == date);
                let expected = makeup || (!off && !is_weekend(date));
                assert_eq!(
                    cal.is_workday(date, Coverage::Strict).unwrap(),
                    expected,
                    "{date}"
                );
                checked += 1;
                date = date.succ_opt().unwrap();
            }
        }
        assert_eq!(checked, 2922); // 8 years, two of them leap years
    }

    #[test]
    fn shipped_years_are_2019_to_2026() {
        let cal = Calendar::shipped().unwrap();
        let years: Vec<i32> = cal.years().map(|y| y.year).collect();
        assert_eq!(years, (2019..=2026).collect::<Vec<_>>());
    }

    #[test]
    fn add_counts_across_holidays_and_makeup_days() {
        let cal = Calendar::shipped().unwrap();
        let cases = [
            // start, n, expected
            ("2026-02-13", 1, "2026-02-14"), // Sat 2/14 is a make-up working day
            ("2026-02-14", 1, "2026-02-24"), // 2/15-2/23 Spring Festival
            ("2026-09-30", 1, "2026-10-08"), // National Day 10/1-10/7
            ("2026-10-08", 1, "2026-10-09"),
            ("2026-10-09", 1, "2026-10-10"), // Sat make-up
            ("2026-04-30", 20, "2026-06-01"),
            ("2025-12-31", 1, "2026-01-04"), // Sun 1/4 works
            ("2026-11-27", 0, "2026-11-27"),
            ("2024-09-27", 1, "2024-09-29"), // Sun 9/29 works
            ("2020-01-20", 5, "2020-02-04"), // COVID extension of the Spring Festival
        ];
        for (start, n, want) in cases {
            assert_eq!(
                cal.add_workdays(d(start), n, Coverage::Strict).unwrap(),
                d(want),
                "{start}+{n}"
            );
        }
    }

    #[test]
    fn explain_lists_every_day_with_its_reason() {
        let cal = Calendar::shipped().unwrap();
        let (end, steps) = cal
            .explain_add(d("2026-09-30"), 2, Coverage::Strict)
            .unwrap();
        assert_eq!(end, d("2026-10-09"));
        assert_eq!(steps.len(), 9);
        assert_eq!(
            steps[0].reason,
            DayReason::Holiday {
                name: "国庆节".into()
            }
        );
        assert_eq!(steps[7].reason, DayReason::Weekday);
        assert!(steps.iter().filter(|s| s.workday).count() == 2);
    }

    #[test]
    fn missing_year_is_an_error_unless_assumed() {
        let cal = Calendar::shipped().unwrap();
        assert_eq!(
            cal.add_workdays(d("2026-12-20"), 20, Coverage::Strict),
            Err(CalendarError::NoData { year: 2027 })
        );
        let (end, steps) = cal
            .explain_add(d("2026-12-30"), 3, Coverage::AssumeWeekends)
            .unwrap();
        assert_eq!(end, d("2027-01-04"));
        assert!(steps.iter().any(|s| s.assumed));
        assert!(steps[0].reason_text().contains("工作日"));
        assert!(steps.last().unwrap().reason_text().contains("推定"));
        assert_eq!(
            cal.day(d("2018-06-01"), Coverage::Strict),
            Err(CalendarError::NoData { year: 2018 })
        );
    }

    #[test]
    fn importing_a_year_replaces_it() {
        let mut cal = Calendar::shipped().unwrap();
        let json = r#"{"year":2027,"papers":["测试"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2026-12-31","isOffDay":true}]}"#;
        cal.insert_year(parse_year(json).unwrap());
        assert!(!cal.is_workday(d("2027-01-01"), Coverage::Strict).unwrap());
        assert!(cal.is_workday(d("2027-01-04"), Coverage::Strict).unwrap());
        let replacement = r#"{"year":2027,"days":[]}"#;
        cal.insert_year(parse_year(replacement).unwrap());
        assert!(cal.is_workday(d("2027-01-01"), Coverage::Strict).unwrap());
    }

    #[test]
    fn bad_schedules_are_rejected() {
        let cases = [
            r#"{"year":2027}"#,
            r#"not json"#,
            r#"{"year":2027,"days":[{"name":"x","date":"2025-05-01","isOffDay":true}]}"#,
            r#"{"year":2027,"days":[{"name":"x","date":"2027-05-01","isOffDay":true},{"name":"x","date":"2027-05-01","isOffDay":true}]}"#,
            r#"{"year":2027,"days":[{"name":"x","date":"2027-05-03","isOffDay":false}]}"#,
            r#"{"year":2027,"days":[{"name":"x","date":"2027-02-30","isOffDay":true}]}"#,
        ];
        for json in cases {
            assert!(parse_year(json).is_err(), "{json}");
        }
    }

    #[test]
    fn beijing_date_runs_eight_hours_ahead_of_utc() {
        use chrono::TimeZone;
        let late_evening_utc = chrono::Utc
            .with_ymd_and_hms(2026, 12, 1, 21, 30, 0)
            .unwrap();
        assert_eq!(
            beijing_date(late_evening_utc),
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
        );
        let morning_utc = chrono::Utc
            .with_ymd_and_hms(2026, 12, 1, 15, 59, 59)
            .unwrap();
        assert_eq!(
            beijing_date(morning_utc),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
    }
}
