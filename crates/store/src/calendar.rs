//! Holiday schedules imported into the database (years beyond, or corrections to, the shipped data).

use crate::audit::{Record, corrupt};
use crate::{Actor, Result, Store, now_text};
use gongkai_domain::audit::AuditAction;
use gongkai_domain::calendar::{Calendar, CalendarError, HolidayYear, check_year};

impl Store {
    /// Stores (or replaces) one year's schedule, after checking it.
    pub async fn import_calendar_year(&self, actor: &Actor, year: &HolidayYear) -> Result<()> {
        check_year(year).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let data = serde_json::to_string(year).map_err(|e| corrupt(&e.to_string()))?;
        let before: Option<(String,)> =
            sqlx::query_as("SELECT data FROM calendar_years WHERE year = $1")
                .bind(i64::from(year.year))
                .fetch_optional(self.pool())
                .await?;
        let mut tx = self.write(actor).await?;
        sqlx::query(
            "INSERT INTO calendar_years (year, data, imported_at, imported_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET data = excluded.data, imported_at = excluded.imported_at, imported_by = excluded.imported_by",
        )
        .bind(i64::from(year.year))
        .bind(&data)
        .bind(now_text())
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        tx.record(
            AuditAction::CalendarImport,
            Record {
                unit_id: None,
                entity_id: year.year.to_string(),
                before: before.map(|b| b.0).unwrap_or_default(),
                after: data,
                detail: format!(
                    "导入{}年节假日安排（{}个例外日）",
                    year.year,
                    year.days.len()
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The schedules imported into this database.
    pub async fn calendar_years(&self) -> Result<Vec<HolidayYear>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT data FROM calendar_years ORDER BY year")
            .fetch_all(self.pool())
            .await?;
        rows.into_iter()
            .map(|(data,)| {
                serde_json::from_str(&data).map_err(|e| corrupt(&format!("calendar_years: {e}")))
            })
            .collect()
    }

    /// The shipped calendar with this database's imported years laid over it.
    pub async fn calendar(&self) -> Result<Calendar> {
        let mut cal = Calendar::shipped().map_err(|e: CalendarError| corrupt(&e.to_string()))?;
        for y in self.calendar_years().await? {
            cal.insert_year(y);
        }
        Ok(cal)
    }
}
