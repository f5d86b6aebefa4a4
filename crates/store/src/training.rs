//! Training sessions, their participants, and the towns' and streets' service centers.
//! Reached as `store.training()`.

use crate::audit::Record;
use crate::{Actor, Result, Store, StoreError, now_text};
use gongkai_domain::audit::AuditAction;
use serde::Serialize;

/// Training's repository.
#[derive(Clone, Copy)]
pub struct Training<'a>(&'a Store);

impl Store {
    /// Training's repository.
    pub fn training(&self) -> Training<'_> {
        Training(self)
    }
}

/// A session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Session {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Day held.
    pub held_on: String,
    /// Place.
    pub place: String,
    /// Materials, one per line.
    pub materials: String,
    /// Cancelled when.
    pub cancelled_at: Option<String>,
    /// Why.
    pub cancel_reason: String,
    /// Participants registered.
    pub participants: i64,
}

const SESSION: &str = "t.id, t.title, t.held_on, t.place, t.materials, t.cancelled_at, t.cancel_reason, \
     (SELECT COUNT(*) FROM training_participants p WHERE p.training_id = t.id) AS participants";

/// A participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Participant {
    /// Id.
    pub id: i64,
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Name.
    pub name: String,
    /// Post.
    pub post: String,
    /// Attended (None: not yet marked).
    pub attended: Option<i64>,
}

/// A service center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Center {
    /// The town or street.
    pub unit_id: i64,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Phone.
    pub phone: String,
}

impl Training<'_> {
    /// Creates a session; audited.
    pub async fn create(
        &self,
        actor: &Actor,
        title: &str,
        held_on: &str,
        place: &str,
        materials: &str,
    ) -> Result<i64> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO trainings (title, held_on, place, materials, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(title)
        .bind(held_on)
        .bind(place)
        .bind(materials)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.record(
            AuditAction::TrainingCreate,
            Record {
                entity_id: id.to_string(),
                after: format!("{held_on}|{title}"),
                detail: format!("安排培训：{title}（{held_on}）"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sessions, newest first.
    pub async fn list(&self, limit: i64) -> Result<Vec<Session>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION} FROM trainings t ORDER BY t.held_on DESC, t.id DESC LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// One session.
    pub async fn get(&self, id: i64) -> Result<Session> {
        let s: Option<Session> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION} FROM trainings t WHERE t.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.0.pool())
        .await?;
        s.ok_or_else(|| StoreError::NotFound(format!("培训 {id}")))
    }

    /// A session's participants, by unit.
    pub async fn participants(&self, id: i64) -> Result<Vec<Participant>> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.unit_id, u.name AS unit_name, p.name, p.post, p.attended FROM training_participants p \
             JOIN units u ON u.id = p.unit_id WHERE p.training_id = $1 ORDER BY p.unit_id, p.id",
        )
        .bind(id)
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Registers a participant of a unit for a session not cancelled; audited.
    pub async fn register(
        &self,
        actor: &Actor,
        id: i64,
        unit_id: i64,
        name: &str,
        post: &str,
    ) -> Result<()> {
        let now = now_text();
        let mut tx = self.0.write(actor).await?;
        let n = sqlx::query(
            "INSERT INTO training_participants (training_id, unit_id, name, post, registered_by, registered_at) \
             SELECT id, $2, $3, $4, $5, $6 FROM trainings WHERE id = $1 AND cancelled_at IS NULL",
        )
        .bind(id)
        .bind(unit_id)
        .bind(name)
        .bind(post)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(crate::conflict("该单位的同名参训人员"))?
        .rows_affected();
        if n == 0 {
            self.get(id).await?;
            return Err(StoreError::Conflict("该培训已取消，不能报名".into()));
        }
        tx.record(
            AuditAction::TrainingRegister,
            Record {
                unit_id: Some(unit_id),
                entity_id: id.to_string(),
                after: name.to_string(),
                detail: format!("报名参加培训：{name}（{post}）"),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }

    /// Marks whether a participant attended; audited.
    pub async fn mark_attendance(
        &self,
        actor: &Actor,
        participant: i64,
        attended: bool,
    ) -> Result<()> {
        let mut tx = self.0.write(actor).await?;
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "UPDATE training_participants SET attended = $1 WHERE id = $2 RETURNING training_id, unit_id, name",
        )
        .bind(i64::from(attended))
        .bind(participant)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((training, unit_id, name)) = row else {
            return Err(StoreError::NotFound(format!("参训人员 {participant}")));
        };
        tx.record(
            AuditAction::TrainingAttendance,
            Record {
                unit_id: Some(unit_id),
                entity_id: training.to_string(),
                after: format!("{name}|{}", i64::from(attended)),
                detail: format!("{name}{}", if attended { "出席" } else { "缺席" }),
                ..Record::default()
            },
        )
        .await?;
        tx.commit().await
    }

    /// The service centers on record.
    pub async fn centers(&self) -> Result<Vec<Center>> {
        Ok(sqlx::query_as(
            "SELECT unit_id, name, address, phone FROM service_centers ORDER BY unit_id",
        )
        .fetch_all(self.0.pool())
        .await?)
    }

    /// Records a town's or street's service center (replacing what was on record); audited
    /// with before and after.
    pub async fn save_center(&self, actor: &Actor, c: &Center) -> Result<()> {
        let now = now_text();
        let before: Option<(String,)> =
            sqlx::query_as("SELECT name FROM service_centers WHERE unit_id = $1")
                .bind(c.unit_id)
                .fetch_optional(self.0.pool())
                .await?;
        let mut tx = self.0.write(actor).await?;
        sqlx::query(
            "INSERT INTO service_centers (unit_id, name, address, phone, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (unit_id) DO UPDATE SET name = excluded.name, address = excluded.address, phone = excluded.phone, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(c.unit_id)
        .bind(&c.name)
        .bind(&c.address)
        .bind(&c.phone)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::ServiceCenterSave,
            Record {
                unit_id: Some(c.unit_id),
                entity_id: c.unit_id.to_string(),
                before: before.map(|(n,)| n).unwrap_or_default(),
                after: c.name.clone(),
                detail: format!("登记服务中心：{}", c.name),
            },
        )
        .await?;
        tx.commit().await
    }
}
