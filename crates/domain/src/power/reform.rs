//! The reform figures of work plan §17, per unit and month: how many cases closed, the share
//! closed within the promised limit, the average handling time in working days (suspensions
//! excluded) against the statutory and promised limits, the time compression of the unit's
//! items (1 − promised / statutory), the share of its items handled at the service center, and
//! how many visits its services need.

use super::PowerContent;
use crate::calendar::{Calendar, CalendarError};
use chrono::NaiveDate;
use serde::Serialize;

/// One closed case, as the figures need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedCase {
    /// Opened (Beijing date).
    pub opened_on: NaiveDate,
    /// Closed (Beijing date).
    pub closed_on: NaiveDate,
    /// Working days the clock was stopped.
    pub suspended_days: u32,
    /// The item's statutory limit, working days.
    pub statutory_days: u32,
    /// The item's promised limit, working days.
    pub promised_days: u32,
}

/// A unit's figures for one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Cases closed.
    pub closed: usize,
    /// Of which within the promised limit.
    pub on_time: usize,
    /// `on_time / closed` (0 without cases).
    pub on_time_rate: f64,
    /// Average working days used (suspensions excluded).
    pub average_days: f64,
    /// Average statutory limit of the closed cases' items.
    pub average_statutory: f64,
    /// Average promised limit of the closed cases' items.
    pub average_promised: f64,
    /// Average 1 − promised / statutory over the unit's published items.
    pub compression: f64,
    /// Share of the unit's published items handled at the service center.
    pub service_center_share: f64,
    /// Average visits its service items need.
    pub average_visits: f64,
    /// Published items counted.
    pub items: usize,
}

fn mean(sum: f64, n: usize) -> f64 {
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// The figures of `cases` (closed in the period) and of the unit's published `items`.
pub fn figures(
    cal: &Calendar,
    cases: &[ClosedCase],
    items: &[PowerContent],
) -> Result<Figures, CalendarError> {
    let mut f = Figures {
        closed: cases.len(),
        items: items.len(),
        ..Figures::default()
    };
    let (mut used, mut statutory, mut promised) = (0.0, 0.0, 0.0);
    for c in cases {
        let days = super::case::workdays_between(cal, c.opened_on, c.closed_on)?
            .saturating_sub(c.suspended_days);
        if days <= c.promised_days {
            f.on_time += 1;
        }
        used += f64::from(days);
        statutory += f64::from(c.statutory_days);
        promised += f64::from(c.promised_days);
    }
    f.on_time_rate = mean(f.on_time as f64, f.closed);
    f.average_days = mean(used, f.closed);
    f.average_statutory = mean(statutory, f.closed);
    f.average_promised = mean(promised, f.closed);
    f.compression = mean(
        items.iter().map(PowerContent::compression).sum(),
        items.len(),
    );
    f.service_center_share = mean(
        items.iter().filter(|i| i.at_service_center).count() as f64,
        items.len(),
    );
    let services: Vec<u32> = items
        .iter()
        .filter_map(|i| i.guide.as_ref().map(|g| g.visits))
        .collect();
    f.average_visits = mean(services.iter().map(|v| f64::from(*v)).sum(), services.len());
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn on_time_counts_working_days_without_suspensions() -> Result<(), CalendarError> {
        let cal = Calendar::shipped()?;
        let case = |opened: &str, closed: &str, suspended| ClosedCase {
            opened_on: d(opened),
            closed_on: d(closed),
            suspended_days: suspended,
            statutory_days: 20,
            promised_days: 5,
        };
        let items = vec![
            PowerContent {
                statutory_days: 20,
                promised_days: 5,
                at_service_center: true,
                guide: Some(super::super::Guide {
                    visits: 1,
                    ..Default::default()
                }),
                ..Default::default()
            },
            PowerContent {
                statutory_days: 10,
                promised_days: 10,
                ..Default::default()
            },
        ];
        let f = figures(
            &cal,
            &[
                // Mon 11-02 → Fri 11-06: 4 working days, on time.
                case("2026-11-02", "2026-11-06", 0),
                // 11-02 → 11-13: 9 working days, late.
                case("2026-11-02", "2026-11-13", 0),
                // the same with 5 days suspended: 4, on time.
                case("2026-11-02", "2026-11-13", 5),
            ],
            &items,
        )?;
        assert_eq!((f.closed, f.on_time), (3, 2));
        assert!(
            (f.average_days - 17.0 / 3.0).abs() < 1e-9,
            "{}",
            f.average_days
        );
        assert!((f.compression - 0.375).abs() < 1e-9);
        assert!((f.service_center_share - 0.5).abs() < 1e-9);
        assert!((f.average_visits - 1.0).abs() < 1e-9);
        assert_eq!(figures(&cal, &[], &[])?, Figures::default());
        Ok(())
    }
}
