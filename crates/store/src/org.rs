//! Units and staff accounts.

use crate::audit::{Record, corrupt};
use crate::{Actor, Result, Store, StoreError, Unrecorded, conflict, now_text};
use gongkai_domain::access::Role;
use gongkai_domain::audit::AuditAction;
use gongkai_domain::org::{NewUnit, UnitType};

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unit {
    /// Id.
    pub id: i64,
    /// Parent unit (`None` for the district government).
    pub parent_id: Option<i64>,
    /// Full name.
    pub name: String,
    /// Kind.
    pub unit_type: UnitType,
    /// Short code.
    pub code: String,
    /// Unified social credit code.
    pub uscc: Option<String>,
    /// Address of its openness body.
    pub address: String,
    /// Phone of its openness body.
    pub phone: String,
    /// Office hours.
    pub office_hours: String,
}

impl Unit {
    fn canonical(&self) -> String {
        format!(
            "{}|{:?}|{}|{}|{}|{:?}|{}|{}|{}",
            self.id,
            self.parent_id,
            self.name,
            self.unit_type.code(),
            self.code,
            self.uscc,
            self.address,
            self.phone,
            self.office_hours
        )
    }
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    unit_type: String,
    code: String,
    uscc: Option<String>,
    address: String,
    phone: String,
    office_hours: String,
}

impl TryFrom<UnitRow> for Unit {
    type Error = StoreError;
    fn try_from(r: UnitRow) -> Result<Unit> {
        Ok(Unit {
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            unit_type: UnitType::from_code(&r.unit_type).ok_or_else(|| corrupt("unit_type"))?,
            code: r.code,
            uscc: r.uscc,
            address: r.address,
            phone: r.phone,
            office_hours: r.office_hours,
        })
    }
}

macro_rules! unit_columns {
    () => {
        "id, parent_id, name, unit_type, code, uscc, address, phone, office_hours"
    };
}

/// Contact details of a unit's openness body, editable by its leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitProfile {
    /// Address.
    pub address: String,
    /// Phone.
    pub phone: String,
    /// Office hours.
    pub office_hours: String,
}

/// A stored staff account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Staff {
    /// Id.
    pub id: i64,
    /// The unit it belongs to.
    pub unit_id: i64,
    /// Login name.
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Whether TOTP is required at login.
    pub totp_enabled: bool,
    /// Whether the account may log in.
    pub active: bool,
    /// Whether it must choose a new password before anything else (after a reset).
    pub must_change_password: bool,
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    unit_id: i64,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    totp_secret: Option<String>,
    active: i64,
    must_change_password: i64,
}

/// A staff account with its credentials, for login.
#[derive(Debug, Clone)]
pub struct StaffCredentials {
    /// The account.
    pub staff: Staff,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Base32 TOTP secret, when the second factor is on.
    pub totp_secret: Option<String>,
}

impl TryFrom<StaffRow> for StaffCredentials {
    type Error = StoreError;
    fn try_from(r: StaffRow) -> Result<StaffCredentials> {
        Ok(StaffCredentials {
            staff: Staff {
                id: r.id,
                unit_id: r.unit_id,
                username: r.username,
                display_name: r.display_name,
                role: Role::from_code(&r.role).ok_or_else(|| corrupt("role"))?,
                totp_enabled: r.totp_secret.is_some(),
                active: r.active != 0,
                must_change_password: r.must_change_password != 0,
            },
            password_hash: r.password_hash,
            totp_secret: r.totp_secret,
        })
    }
}

macro_rules! staff_columns {
    () => {
        "id, unit_id, username, display_name, role, password_hash, totp_secret, active, must_change_password"
    };
}

/// A new staff account.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// Unit.
    pub unit_id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Argon2id hash of the password (hashing is the caller's job).
    pub password_hash: String,
}

impl Store {
    /// Creates a unit. The caller has validated it with the domain rules.
    pub async fn create_unit(
        &self,
        actor: &Actor,
        parent_id: Option<i64>,
        unit: &NewUnit,
    ) -> Result<Unit> {
        let mut tx = self.write(actor).await?;
        let now = now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO units (parent_id, name, unit_type, code, uscc, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(parent_id)
        .bind(unit.name.trim())
        .bind(unit.unit_type.code())
        .bind(&unit.code)
        .bind(&unit.uscc)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict(&format!("单位代码 {}", unit.code)))?;
        let stored = Unit {
            id,
            parent_id,
            name: unit.name.trim().to_string(),
            unit_type: unit.unit_type,
            code: unit.code.clone(),
            uscc: unit.uscc.clone(),
            address: String::new(),
            phone: String::new(),
            office_hours: String::new(),
        };
        tx.record(
            AuditAction::UnitCreate,
            Record {
                unit_id: Some(id),
                entity_id: id.to_string(),
                before: String::new(),
                after: stored.canonical(),
                detail: format!("新建单位 {}（{}）", stored.name, stored.code),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// All units, ordered by id (the district first).
    pub async fn list_units(&self) -> Result<Vec<Unit>> {
        let rows: Vec<UnitRow> = sqlx::query_as(concat!(
            "SELECT ",
            unit_columns!(),
            " FROM units ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Unit::try_from).collect()
    }

    /// One unit by id.
    pub async fn get_unit(&self, id: i64) -> Result<Unit> {
        let row: Option<UnitRow> = sqlx::query_as(concat!(
            "SELECT ",
            unit_columns!(),
            " FROM units WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("单位 {id}")))?
            .try_into()
    }

    /// One unit by code.
    pub async fn find_unit_by_code(&self, code: &str) -> Result<Option<Unit>> {
        let row: Option<UnitRow> = sqlx::query_as(concat!(
            "SELECT ",
            unit_columns!(),
            " FROM units WHERE code = $1"
        ))
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        row.map(Unit::try_from).transpose()
    }

    /// Updates a unit's contact details.
    pub async fn update_unit_profile(
        &self,
        actor: &Actor,
        id: i64,
        profile: &UnitProfile,
    ) -> Result<Unit> {
        let before = self.get_unit(id).await?;
        let mut tx = self.write(actor).await?;
        sqlx::query("UPDATE units SET address = $1, phone = $2, office_hours = $3, updated_at = $4 WHERE id = $5")
            .bind(&profile.address)
            .bind(&profile.phone)
            .bind(&profile.office_hours)
            .bind(now_text())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = Unit {
            address: profile.address.clone(),
            phone: profile.phone.clone(),
            office_hours: profile.office_hours.clone(),
            ..before.clone()
        };
        tx.record(
            AuditAction::UnitUpdateProfile,
            Record {
                unit_id: Some(id),
                entity_id: id.to_string(),
                before: before.canonical(),
                after: after.canonical(),
                detail: format!("修改单位联系信息：{}", after.name),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Creates a staff account.
    pub async fn create_staff(&self, actor: &Actor, new: &NewStaff) -> Result<Staff> {
        let mut tx = self.write(actor).await?;
        let now = now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO staff (unit_id, username, display_name, role, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(new.unit_id)
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(new.role.code())
        .bind(&new.password_hash)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict(&format!("用户名 {}", new.username)))?;
        tx.record(
            AuditAction::StaffCreate,
            Record {
                unit_id: Some(new.unit_id),
                entity_id: id.to_string(),
                before: String::new(),
                after: format!(
                    "{id}|{}|{}|{}|{}",
                    new.unit_id,
                    new.username,
                    new.display_name,
                    new.role.code()
                ),
                detail: format!("新建账号 {}（{}）", new.username, new.role.label()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Staff {
            id,
            unit_id: new.unit_id,
            username: new.username.clone(),
            display_name: new.display_name.clone(),
            role: new.role,
            totp_enabled: false,
            active: true,
            must_change_password: false,
        })
    }

    /// A staff account with credentials, by login name.
    pub async fn find_staff_credentials(&self, username: &str) -> Result<Option<StaffCredentials>> {
        let row: Option<StaffRow> = sqlx::query_as(concat!(
            "SELECT ",
            staff_columns!(),
            " FROM staff WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        row.map(StaffCredentials::try_from).transpose()
    }

    /// One staff account by id.
    pub async fn get_staff(&self, id: i64) -> Result<Staff> {
        let row: Option<StaffRow> = sqlx::query_as(concat!(
            "SELECT ",
            staff_columns!(),
            " FROM staff WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(StaffCredentials::try_from(
            row.ok_or_else(|| StoreError::NotFound(format!("账号 {id}")))?,
        )?
        .staff)
    }

    /// The staff accounts of one unit.
    pub async fn list_staff(&self, unit_id: i64) -> Result<Vec<Staff>> {
        let rows: Vec<StaffRow> = sqlx::query_as(concat!(
            "SELECT ",
            staff_columns!(),
            " FROM staff WHERE unit_id = $1 ORDER BY id"
        ))
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| StaffCredentials::try_from(r).map(|c| c.staff))
            .collect()
    }

    /// Number of staff accounts.
    pub async fn count_staff(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM staff")
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// Records that a staff member used the TOTP code of time step `step`: true when the step
    /// is later than any used before (in one statement, so two logins racing with one code
    /// cannot both pass), false for a replay.
    pub async fn use_totp_step(&self, staff_id: i64, step: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE staff SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(staff_id)
        .execute(self.unrecorded_pool(Unrecorded::TotpStep))
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Turns the TOTP second factor on (`Some(base32 secret)`) or off (`None`).
    pub async fn set_totp(&self, actor: &Actor, staff_id: i64, secret: Option<&str>) -> Result<()> {
        let staff = self.get_staff(staff_id).await?;
        let mut tx = self.write(actor).await?;
        sqlx::query("UPDATE staff SET totp_secret = $1, totp_last_step = NULL, updated_at = $2 WHERE id = $3")
            .bind(secret)
            .bind(now_text())
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            if secret.is_some() {
                AuditAction::StaffTotpOn
            } else {
                AuditAction::StaffTotpOff
            },
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: staff_id.to_string(),
                before: format!("totp={}", staff.totp_enabled),
                after: format!("totp={}", secret.is_some()),
                detail: format!(
                    "{}双因素认证：{}",
                    if secret.is_some() { "启用" } else { "停用" },
                    staff.username
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enables or disables an account (accounts are never deleted).
    pub async fn set_staff_active(&self, actor: &Actor, staff_id: i64, active: bool) -> Result<()> {
        let staff = self.get_staff(staff_id).await?;
        let mut tx = self.write(actor).await?;
        sqlx::query("UPDATE staff SET active = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(active))
            .bind(now_text())
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
                .bind(staff_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.record(
            if active {
                AuditAction::StaffEnable
            } else {
                AuditAction::StaffDisable
            },
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: staff_id.to_string(),
                before: format!("active={}", staff.active),
                after: format!("active={active}"),
                detail: format!(
                    "{}账号：{}",
                    if active { "启用" } else { "停用" },
                    staff.username
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password chosen by a manager: the account must change it at its next
    /// sign-in, and its sessions end now. Audited (never the password itself).
    pub async fn reset_password(&self, actor: &Actor, staff_id: i64, hash: &str) -> Result<()> {
        let staff = self.get_staff(staff_id).await?;
        let mut tx = self.write(actor).await?;
        sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = 1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now_text())
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::StaffPasswordReset,
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: staff_id.to_string(),
                detail: format!("重置密码：{}（下次登录须修改）", staff.username),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A staff member's own new password; their other sessions end (the one with
    /// `keep_session` stays). Audited.
    pub async fn change_own_password(
        &self,
        staff: &Staff,
        hash: &str,
        keep_session: &str,
    ) -> Result<()> {
        let actor = Actor::of(staff);
        let mut tx = self.write(&actor).await?;
        sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now_text())
            .bind(staff.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE staff_id = $1 AND token_hash <> $2")
            .bind(staff.id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::StaffPasswordChange,
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: staff.id.to_string(),
                detail: format!("修改本人密码：{}", staff.username),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes an account's role. Audited with the old and the new role.
    pub async fn set_staff_role(&self, actor: &Actor, staff_id: i64, role: Role) -> Result<()> {
        let staff = self.get_staff(staff_id).await?;
        let mut tx = self.write(actor).await?;
        sqlx::query("UPDATE staff SET role = $1, updated_at = $2 WHERE id = $3")
            .bind(role.code())
            .bind(now_text())
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::StaffRoleChange,
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: staff_id.to_string(),
                before: staff.role.code().to_string(),
                after: role.code().to_string(),
                detail: format!(
                    "变更角色：{}，{} → {}",
                    staff.username,
                    staff.role.label(),
                    role.label()
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Failed (or unfinished) sign-ins of each of these names since `since`, from any address:
    /// (name, count, latest time).
    pub async fn login_failures(
        &self,
        usernames: &[String],
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<(String, i64, String)>> {
        if usernames.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT username, COUNT(*), MAX(at) FROM login_attempts WHERE at > ${} AND success IN (0, 2) AND username IN ({}) GROUP BY username",
            usernames.len() + 1,
            crate::placeholders(usernames.len())
        );
        let mut q = sqlx::query_as::<_, (String, i64, String)>(sqlx::AssertSqlSafe(sql));
        for u in usernames {
            q = q.bind(u);
        }
        Ok(q.bind(crate::time_text(since))
            .fetch_all(self.pool())
            .await?)
    }

    /// Clears an account's failed sign-ins (they stay on record, marked cleared), lifting the
    /// delay on it at once. Audited.
    pub async fn clear_login_failures(&self, actor: &Actor, staff_id: i64) -> Result<u64> {
        let staff = self.get_staff(staff_id).await?;
        let mut tx = self.write(actor).await?;
        let n = sqlx::query(
            "UPDATE login_attempts SET success = 4 WHERE username = $1 AND success = 0",
        )
        .bind(&staff.username)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.record(
            AuditAction::StaffUnlock,
            Record {
                unit_id: Some(staff.unit_id),
                entity_id: staff_id.to_string(),
                detail: format!("解除登录限制：{}（清除 {n} 次失败记录）", staff.username),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The part of a unit's disclosure guide it wrote itself (empty if none).
    pub async fn unit_guide(&self, unit_id: i64) -> Result<String> {
        let r: Option<(String,)> =
            sqlx::query_as("SELECT text FROM unit_guides WHERE unit_id = $1")
                .bind(unit_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(r.map(|r| r.0).unwrap_or_default())
    }

    /// Replaces the part of a unit's disclosure guide it writes itself. Audited with the old and
    /// new text's digests.
    pub async fn set_unit_guide(&self, actor: &Actor, unit_id: i64, text: &str) -> Result<()> {
        let before = self.unit_guide(unit_id).await?;
        let unit = self.get_unit(unit_id).await?;
        let mut tx = self.write(actor).await?;
        sqlx::query("DELETE FROM unit_guides WHERE unit_id = $1")
            .bind(unit_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO unit_guides (unit_id, text, updated_at) VALUES ($1, $2, $3)")
            .bind(unit_id)
            .bind(text)
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        tx.record(
            AuditAction::UnitUpdateGuide,
            Record {
                unit_id: Some(unit_id),
                entity_id: unit_id.to_string(),
                before,
                after: text.to_string(),
                detail: format!("修改政府信息公开指南：{}", unit.name),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// A staff member's e-mail address for reminders (empty: none), by account name.
    pub async fn staff_email(&self, username: &str) -> Result<String> {
        let row: Option<(String,)> = sqlx::query_as("SELECT email FROM staff WHERE username = $1")
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.0).unwrap_or_default())
    }

    /// Sets one's own e-mail address for reminders (the caller checked its form). Audited.
    pub async fn set_staff_email(&self, actor: &Actor, staff_id: i64, email: &str) -> Result<()> {
        let mut tx = self.write(actor).await?;
        let before: Option<(String, i64)> =
            sqlx::query_as("SELECT email, unit_id FROM staff WHERE id = $1")
                .bind(staff_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (before, unit_id) =
            before.ok_or_else(|| crate::StoreError::NotFound(format!("账号 {staff_id}")))?;
        sqlx::query("UPDATE staff SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        tx.record(
            gongkai_domain::audit::AuditAction::StaffEmail,
            crate::audit::Record {
                unit_id: Some(unit_id),
                entity_id: staff_id.to_string(),
                before,
                after: email.to_string(),
                detail: "设置提醒邮箱".into(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
