//! Pure rules of gongkai. Nothing in this crate performs I/O, speaks SQL or HTTP, or knows
//! how data is stored or sent: it takes values and returns values, and is tested with
//! tables of cases.
//!
//! - [`calendar`]: the working-day calendar (holidays and make-up working days) and deadline counting.
//! - [`disclosure`]: the standard catalog, item metadata rules, the review workflow, index numbers, timeliness.
//! - [`ids`]: identifier checksums (unified social credit code, resident ID).
//! - [`org`]: unit types and the validation of unit records.
//! - [`power`]: the power list, flow graphs and flowcharts, discretion benchmarks, the case clock, e-supervision and double publicity.
//! - [`access`]: roles and the access policy (who may do what for which unit).
//! - [`audit`]: the hash chain of the audit trail.
//! - [`standard`]: the standard disclosure catalog of grassroots government affairs (spreadsheet layouts).
//! - [`richtext`]: item bodies as plain or rich text, sanitised HTML, text for search.
//! - [`scan`]: the pre-publication scan for personal data and sensitive words.
//! - [`totp`]: time-based one-time passwords for the optional second factor.
//! - [`webhook`]: publication events for outside systems: validation, backoff, signatures.

pub mod access;
pub mod application;
pub mod audit;
pub mod calendar;
pub mod consultation;
pub mod decision;
pub mod demo_site;
pub mod disclosure;
pub mod evaluation;
pub mod finance;
pub mod ids;
pub mod inspection;
pub mod message;
pub mod net;
pub mod org;
pub mod oversight;
pub mod plan;
pub mod power;
pub mod rating;
pub mod richtext;
pub mod scan;
pub mod standard;
pub mod throttle;
pub mod totp;
pub mod training;
pub mod webhook;
