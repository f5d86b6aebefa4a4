//! Publication: a reviewed or scheduled revision becomes the public one, its lateness counted
//! against the working-day calendar; and scheduled publication, the periodic task that
//! publishes every revision whose time has come. The caller tells its search index and webhook
//! worker afterwards (the server does so at once; the outbox reaches every other server).

use chrono::{NaiveDate, Utc};
use gongkai_domain::disclosure::{RevisionState, days_late};
use gongkai_store::{Actor, Store, StoreError};

/// Why a publication did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The date of forming cannot be counted from (outside the calendar's range).
    #[error("无法计算发布时限（{0}）")]
    Lateness(String),
    /// The store refused or failed (a state changed meanwhile, an open finding, …).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Publishes `revision` of `item_id` now (it is in state `from`), computing its lateness with
/// `limit_workdays` (`[disclosure] publish_limit_workdays`). A revision without a date of forming
/// (an optional field) has no clock and is never late.
pub async fn publish_now(
    store: &Store,
    limit_workdays: u32,
    actor: &Actor,
    item_id: i64,
    revision: i64,
    from: RevisionState,
    note: &str,
) -> Result<(), PublishError> {
    let rev = store.disclosure().get_revision(item_id, revision).await?;
    let cal = store.calendar().await?;
    let late = match NaiveDate::parse_from_str(&rev.formed_on, "%Y-%m-%d") {
        Err(_) => 0,
        Ok(formed) => days_late(
            &cal,
            formed,
            gongkai_domain::calendar::beijing_date(Utc::now()),
            limit_workdays,
        )
        .map_err(|e| PublishError::Lateness(e.to_string()))?,
    };
    store
        .disclosure()
        .publish(actor, item_id, revision, from, late, note)
        .await?;
    Ok(())
}

/// Publishes several revisions now in one transaction (a bulk approval): all, or none. Each is
/// `(item, revision, state it is in)`; the note is the approver's, one for all.
pub async fn publish_all_now(
    store: &Store,
    limit_workdays: u32,
    actor: &Actor,
    revisions: &[(i64, i64, RevisionState, String)],
) -> Result<(), PublishError> {
    let cal = store.calendar().await?;
    let today = gongkai_domain::calendar::beijing_date(Utc::now());
    let mut lateness = Vec::with_capacity(revisions.len());
    for (item_id, revision, _, _) in revisions {
        let rev = store.disclosure().get_revision(*item_id, *revision).await?;
        lateness.push(
            match NaiveDate::parse_from_str(&rev.formed_on, "%Y-%m-%d") {
                Err(_) => 0,
                Ok(formed) => days_late(&cal, formed, today, limit_workdays)
                    .map_err(|e| PublishError::Lateness(e.to_string()))?,
            },
        );
    }
    let all: Vec<gongkai_store::disclosure::Publication> = revisions
        .iter()
        .zip(&lateness)
        .map(
            |((item_id, revision, from, note), late)| gongkai_store::disclosure::Publication {
                item_id: *item_id,
                revision: *revision,
                from: *from,
                days_late: *late,
                note,
            },
        )
        .collect();
    store.disclosure().publish_all(actor, &all).await?;
    Ok(())
}

/// Publishes every scheduled revision whose time has come, as the `scheduler`. Returns how many.
pub async fn publish_due(store: &Store, limit_workdays: u32) -> Result<usize, PublishError> {
    let due = store
        .disclosure()
        .due_scheduled(&gongkai_store::now_text())
        .await?;
    let actor = Actor::system("scheduler");
    for (item_id, revision) in &due {
        publish_now(
            store,
            limit_workdays,
            &actor,
            *item_id,
            *revision,
            RevisionState::Scheduled,
            "定时发布",
        )
        .await?;
    }
    Ok(due.len())
}
