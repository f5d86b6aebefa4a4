//! Work that is not HTTP, shared by the server (`gongkai serve`) and the CLI without going
//! through the web crate: the search indexer (`indexing`), publication and scheduled publication (`publishing`), the sandboxed reader of untrusted
//! files (`sandbox`), the job queue's claim loop (`queue`) and its kinds (`webhooks`:
//! deliveries; `reminders`: alert mail), the SMTP client (`mail`), and secrets: password hashes and tokens (`secrets`).

pub mod files;
pub mod indexing;
pub mod inspect;
pub mod inspecting;
pub mod mail;
pub mod publishing;
pub mod queue;
pub mod reminders;
pub mod sandbox;
pub mod secrets;
pub mod webhooks;
