//! Boundary tests of gongkai, all in one binary: storage, HTTP and CLI, each on SQLite and on
//! PostgreSQL (a fresh schema per test).

mod access;
mod cli;
mod http;
mod storage;
mod support;
