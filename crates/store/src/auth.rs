//! Sessions, API tokens and login attempts. Tokens are stored only as SHA-256 hashes: the
//! database never holds a value that would let someone log in.

use crate::audit::Record;
use crate::org::Staff;
use crate::{Actor, Result, Store, StoreError, Unrecorded, now_text, time_text};
use chrono::{DateTime, Utc};
use gongkai_domain::audit::AuditAction;

/// A live session and the account it belongs to.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub staff: Staff,
    /// The token forms must echo (CSRF protection).
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: String,
}

/// An API token's public description (the secret itself is shown once, at creation).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// Its owner.
    pub staff_id: i64,
    /// A name the owner gave it.
    pub name: String,
    /// Created.
    pub created_at: String,
    /// Last used.
    pub last_used_at: Option<String>,
    /// Revoked (then it no longer works).
    pub revoked_at: Option<String>,
}

impl Store {
    /// Starts a session for a staff member (records the login in the audit trail).
    pub async fn create_session(
        &self,
        staff: &Staff,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let actor = Actor::of(staff);
        let mut tx = self.write(&actor).await?;
        sqlx::query("INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(staff.id)
            .bind(csrf_token)
            .bind(now_text())
            .bind(time_text(expires_at))
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::Login,
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: staff.id.to_string(),
                detail: format!("登录：{}", staff.username),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session for a token hash, if it exists, has not expired and its account is active.
    pub async fn find_session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT s.staff_id, s.csrf_token, s.expires_at FROM sessions s JOIN staff st ON st.id = s.staff_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND st.active = 1",
        )
        .bind(token_hash)
        .bind(now_text())
        .fetch_optional(self.pool())
        .await?;
        let Some((staff_id, csrf_token, expires_at)) = row else {
            return Ok(None);
        };
        let staff = self.get_staff(staff_id).await?;
        Ok(Some(Session {
            staff,
            csrf_token,
            expires_at,
        }))
    }

    /// Ends a session (logout).
    pub async fn delete_session(&self, token_hash: &str, staff: &Staff) -> Result<()> {
        let actor = Actor::of(staff);
        let mut tx = self.write(&actor).await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::Logout,
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: staff.id.to_string(),
                detail: format!("退出：{}", staff.username),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes expired sessions and login attempts older than `attempts_before`.
    pub async fn purge_expired(&self, attempts_before: DateTime<Utc>) -> Result<u64> {
        let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_text())
            .execute(self.unrecorded_pool(Unrecorded::SessionUpkeep))
            .await?;
        let b = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
            .bind(time_text(attempts_before))
            .execute(self.unrecorded_pool(Unrecorded::SessionUpkeep))
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }

    /// Records the start of a login attempt (pending: counted as a failure by later attempts
    /// until it is finished) and returns its id. Attempts are ordered by id, so each one sees
    /// every attempt that started before it, however many run at once.
    pub async fn begin_login_attempt(&self, username: &str, ip: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO login_attempts (username, ip, at, success) VALUES ($1, $2, $3, 2) RETURNING id",
        )
        .bind(username)
        .bind(ip)
        .bind(now_text())
        .fetch_one(self.unrecorded_pool(Unrecorded::LoginAttempt))
        .await?;
        Ok(id)
    }

    /// Finishes a login attempt: `Some(true)` succeeded, `Some(false)` failed, `None` refused
    /// unchecked (throttled; not counted against anyone).
    pub async fn finish_login_attempt(&self, id: i64, outcome: Option<bool>) -> Result<()> {
        let code = match outcome {
            Some(true) => 1,
            Some(false) => 0,
            None => 3,
        };
        sqlx::query("UPDATE login_attempts SET success = $1 WHERE id = $2")
            .bind(code)
            .bind(id)
            .execute(self.unrecorded_pool(Unrecorded::LoginAttempt))
            .await?;
        Ok(())
    }

    /// The failed (or still pending) attempts that started before attempt `id` since `since`:
    /// for this name from this address, and from this address under any name; each with the
    /// time of the latest.
    pub async fn login_pressure(
        &self,
        id: i64,
        username: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<LoginPressure> {
        let since = time_text(since);
        let (pair, pair_last): (i64, Option<String>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(at) FROM login_attempts \
             WHERE username = $1 AND ip = $2 AND at > $3 AND id < $4 AND success IN (0, 2)",
        )
        .bind(username)
        .bind(ip)
        .bind(&since)
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        let (address, address_last): (i64, Option<String>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(at) FROM login_attempts \
             WHERE ip = $1 AND at > $2 AND id < $3 AND success IN (0, 2)",
        )
        .bind(ip)
        .bind(&since)
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        Ok(LoginPressure {
            pair,
            pair_last,
            address,
            address_last,
        })
    }

    /// Creates an API token for a staff member.
    pub async fn create_api_token(
        &self,
        staff: &Staff,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken> {
        let actor = Actor::of(staff);
        let mut tx = self.write(&actor).await?;
        let now = now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (staff_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(staff.id)
        .bind(name)
        .bind(token_hash)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.record(
            AuditAction::ApiTokenCreate,
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: id.to_string(),
                after: format!("{id}|{}|{name}", staff.id),
                detail: format!("新建接口令牌“{name}”"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ApiToken {
            id,
            staff_id: staff.id,
            name: name.to_string(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    }

    /// The staff account of a live (unrevoked) API token; marks it used.
    pub async fn find_api_token_staff(&self, token_hash: &str) -> Result<Option<Staff>> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT t.id, t.staff_id FROM api_tokens t JOIN staff s ON s.id = t.staff_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND s.active = 1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some((id, staff_id)) = row else {
            return Ok(None);
        };
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now_text())
            .bind(id)
            .execute(self.unrecorded_pool(Unrecorded::TokenUse))
            .await?;
        Ok(Some(self.get_staff(staff_id).await?))
    }

    /// The API tokens of one staff member.
    pub async fn list_api_tokens(&self, staff_id: i64) -> Result<Vec<ApiToken>> {
        Ok(sqlx::query_as(
            "SELECT id, staff_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE staff_id = $1 ORDER BY id",
        )
        .bind(staff_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Revokes one of a staff member's API tokens (kept, marked revoked).
    pub async fn revoke_api_token(&self, staff: &Staff, token_id: i64) -> Result<()> {
        let actor = Actor::of(staff);
        let mut tx = self.write(&actor).await?;
        let r = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND staff_id = $3 AND revoked_at IS NULL")
            .bind(now_text())
            .bind(token_id)
            .bind(staff.id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("接口令牌 {token_id}")));
        }
        tx.record(
            AuditAction::ApiTokenRevoke,
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: token_id.to_string(),
                detail: "吊销接口令牌".to_string(),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Failed login attempts that weigh on a new one (see [`Store::login_pressure`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginPressure {
    /// For this account name from this address.
    pub pair: i64,
    /// When the latest of them started.
    pub pair_last: Option<String>,
    /// From this address, any name.
    pub address: i64,
    /// When the latest of them started.
    pub address_last: Option<String>,
}
