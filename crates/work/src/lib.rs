//! Work that is not HTTP, shared by the server (`gongkai serve`) and the CLI without going
//! through the web crate: the search indexer (`indexing`), the sandboxed reader of untrusted
//! files (`sandbox`), the job queue's claim loop (`queue`) and its kinds (`webhooks`:
//! deliveries; `reminders`: alert mail), and the SMTP client (`mail`).

pub mod indexing;
pub mod mail;
pub mod queue;
pub mod reminders;
pub mod sandbox;
pub mod webhooks;
