//! Login throttling: after a number of failures, each further attempt waits, longer after each
//! failure. Correct credentials are never refused outright, only delayed, and the delay falls on
//! the account and address that failed, not on everyone.

/// Seconds an attempt must wait after the latest of `failures` failures, when `free` failures
/// cost nothing: `base` after the first one beyond them, doubling with each further one, at
/// most `cap`.
pub fn wait_secs(failures: i64, free: i64, base: i64, cap: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(40);
    base.saturating_mul(1i64 << doublings).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop_at_the_cap() {
        assert_eq!(wait_secs(4, 5, 30, 900), 0);
        assert_eq!(wait_secs(5, 5, 30, 900), 30);
        assert_eq!(wait_secs(6, 5, 30, 900), 60);
        assert_eq!(wait_secs(7, 5, 30, 900), 120);
        assert_eq!(wait_secs(10, 5, 30, 900), 900);
        assert_eq!(wait_secs(1_000, 5, 30, 900), 900);
    }
}
