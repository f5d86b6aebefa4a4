//! Boundary tests of gongkai, all in one binary: storage, HTTP and CLI, each on SQLite and on
//! PostgreSQL (a fresh schema per test).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly where its assumptions break"
)]

mod a11y;
mod access;
mod applications;
mod browser;
mod cli;
mod cluster;
mod consultations;
mod decisions;
mod demo_sites;
mod disclosure;
mod evaluation;
mod finance;
mod hostile;
mod http;
mod inspect;
mod messages;
mod oversight;
mod plans;
mod power;
mod ratings;
mod routes;
mod scan;
mod search;
mod standards;
mod storage;
mod support;
mod tidy;
mod training;
mod webhooks;
