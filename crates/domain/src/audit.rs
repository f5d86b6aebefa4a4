//! The audit trail's hash chain.
//!
//! Each entry carries the hash of the entry before it (the first carries [`GENESIS`]) and its
//! own hash over all its fields. Altering a row breaks its own hash; removing or inserting a row
//! breaks the sequence or the link to the previous hash. [`verify_chain`] walks the entries in
//! order and names the first one that does not fit.

use sha2::{Digest, Sha256};

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, starting at 1 with no gaps.
    pub seq: i64,
    /// When, as RFC 3339 UTC text.
    pub at: String,
    /// Who: staff id, or `None` for the system or the public.
    pub actor_id: Option<i64>,
    /// Who, as a readable name (account name, `system`, `cli`).
    pub actor: String,
    /// The unit the change belongs to, if any.
    pub unit_id: Option<i64>,
    /// What was done, e.g. `staff.create`.
    pub action: String,
    /// The kind of record changed, e.g. `staff`.
    pub entity: String,
    /// The id of the record changed.
    pub entity_id: String,
    /// SHA-256 of the record before the change (empty when it was created).
    pub before_digest: String,
    /// SHA-256 of the record after the change (empty when it was removed from view).
    pub after_digest: String,
    /// A short human-readable description.
    pub detail: String,
    /// The hash of the previous entry.
    pub prev_hash: String,
    /// The hash of this entry.
    pub hash: String,
}

/// SHA-256 hex digest of any text (used for before/after digests).
pub fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The hash of an entry: SHA-256 over every field but `hash`, each length-prefixed so that no
/// two different entries serialise alike.
pub fn entry_hash(e: &AuditEntry) -> String {
    let actor_id = e.actor_id.map(|v| v.to_string()).unwrap_or_default();
    let unit_id = e.unit_id.map(|v| v.to_string()).unwrap_or_default();
    let seq = e.seq.to_string();
    let fields: [&str; 12] = [
        &seq,
        &e.at,
        &actor_id,
        &e.actor,
        &unit_id,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.before_digest,
        &e.after_digest,
        &e.detail,
        &e.prev_hash,
    ];
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// What is wrong with the chain, at the first entry that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The stored hash does not match the entry's content: the row was altered.
    #[error("审计记录 #{seq} 的内容与其哈希不符（altered entry）")]
    Altered {
        /// The entry's sequence number.
        seq: i64,
    },
    /// The entry does not link to the previous entry's hash: a row was inserted or removed.
    #[error(
        "审计记录 #{seq} 与前一条记录的哈希不衔接（broken link: entry inserted or removed before it）"
    )]
    BrokenLink {
        /// The entry's sequence number.
        seq: i64,
    },
    /// The sequence numbers are not 1, 2, 3, ...
    #[error("审计记录序号不连续：期望 #{expected}，实际 #{found}（entry removed or inserted）")]
    Gap {
        /// The sequence number that should come next.
        expected: i64,
        /// The one found.
        found: i64,
    },
    /// The chain ends before the recorded head: entries were removed from its end.
    #[error("审计链在 #{last} 结束，但链头记录为 #{head}（entries removed from the end）")]
    Truncated {
        /// The last entry found.
        last: i64,
        /// The head recorded when the last entry was written.
        head: i64,
    },
    /// The recorded head does not match the last entry.
    #[error("审计链头与最后一条记录 #{seq} 不符（head mismatch）")]
    HeadMismatch {
        /// The last entry's sequence number.
        seq: i64,
    },
}

/// Incremental verifier: feed entries in sequence order, then call [`ChainVerifier::finish`].
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainError> {
        if e.seq != self.expected_seq {
            return Err(ChainError::Gap {
                expected: self.expected_seq,
                found: e.seq,
            });
        }
        if entry_hash(e) != e.hash {
            return Err(ChainError::Altered { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainError::BrokenLink { seq: e.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    /// Checks the end of the chain against the recorded head (`None`: nothing recorded yet).
    /// Returns the number of entries verified.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<i64, ChainError> {
        let last = self.expected_seq - 1;
        match head {
            None if last == 0 => Ok(0),
            None => Err(ChainError::HeadMismatch { seq: last }),
            Some((seq, _)) if seq > last => Err(ChainError::Truncated { last, head: seq }),
            Some((seq, hash)) if seq != last || hash != self.prev_hash => {
                Err(ChainError::HeadMismatch { seq: last })
            }
            Some(_) => Ok(last),
        }
    }
}

/// Verifies a whole chain (see [`ChainVerifier`]).
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    head: Option<(i64, &str)>,
) -> Result<i64, ChainError> {
    let mut v = ChainVerifier::default();
    for e in entries {
        v.push(e)?;
    }
    v.finish(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: format!("2026-11-27T10:00:{seq:02}Z"),
                    actor_id: Some(1),
                    actor: "admin".into(),
                    unit_id: Some(2),
                    action: "unit.update".into(),
                    entity: "unit".into(),
                    entity_id: "2".into(),
                    before_digest: digest("a"),
                    after_digest: digest("b"),
                    detail: format!("change {seq}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn head(c: &[AuditEntry]) -> Option<(i64, &str)> {
        c.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(&c, head(&c)), Ok(5));
        assert_eq!(verify_chain(&[], None), Ok(0));
    }

    #[test]
    fn tampering_is_named() {
        let c = chain(5);
        let h = head(&c).map(|(s, h)| (s, h.to_string()));
        let h = h.as_ref().map(|(s, h)| (*s, h.as_str()));

        let mut altered = c.clone();
        altered[2].detail = "forged".into();
        assert_eq!(
            verify_chain(&altered, h),
            Err(ChainError::Altered { seq: 3 })
        );

        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            verify_chain(&removed, h),
            Err(ChainError::Gap {
                expected: 2,
                found: 3
            })
        );

        let mut rehashed = c.clone();
        rehashed[1].detail = "forged".into();
        rehashed[1].hash = entry_hash(&rehashed[1]);
        assert_eq!(
            verify_chain(&rehashed, h),
            Err(ChainError::BrokenLink { seq: 3 })
        );

        let truncated = &c[..4];
        assert_eq!(
            verify_chain(truncated, h),
            Err(ChainError::Truncated { last: 4, head: 5 })
        );

        let mut inserted = c.clone();
        let mut extra = c[4].clone();
        extra.seq = 6;
        extra.hash = entry_hash(&extra);
        inserted.push(extra);
        assert_eq!(
            verify_chain(&inserted, h),
            Err(ChainError::BrokenLink { seq: 6 })
        );
    }
}
