//! The working-day calendar import (holiday-cn JSON) and counting on what it accepts.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(year) = gongkai_domain::calendar::parse_year(text) {
        let y = year.year;
        let mut cal = gongkai_domain::calendar::Calendar::new();
        cal.insert_year(year);
        if let Some(start) = chrono::NaiveDate::from_ymd_opt(y, 1, 1) {
            let _ = cal.add_workdays(start, 20, gongkai_domain::calendar::Coverage::Strict);
        }
    }
});
