//! One file per `gongkai` command whose work is more than a call into a library: the
//! dispatch in `main.rs` parses the arguments and calls these.

pub(crate) mod applications_bench;
pub(crate) mod audit;
pub(crate) mod calendar;
pub(crate) mod corpus;
pub(crate) mod evaluation;
pub(crate) mod files;
pub(crate) mod finance;
pub(crate) mod import;
pub(crate) mod inspect;
pub(crate) mod plan;
pub(crate) mod power_bench;
pub(crate) mod reindex;
pub(crate) mod scan;
pub(crate) mod serve;
pub(crate) mod staff;
pub(crate) mod unit;
pub(crate) mod voice_bench;
