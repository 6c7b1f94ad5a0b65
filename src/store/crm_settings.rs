//! A portal's CRM settings and its currency exchange rates.

use sqlx::{AnyConnection, Row};

use super::{Backend, Store};
use crate::model::crm_settings::{CrmFlag, CrmSettings, CurrencyRate};
use crate::model::ids::{PortalId, RateId};

fn rate_from_row(row: &sqlx::any::AnyRow) -> Result<CurrencyRate, sqlx::Error> {
    Ok(CurrencyRate {
        id: RateId(row.try_get("id")?),
        from: row.try_get("from_currency")?,
        to: row.try_get("to_currency")?,
        rate: row.try_get("rate")?,
    })
}

fn flag(value: Option<i64>) -> Option<bool> {
    value.map(|v| v != 0)
}

const RATE_COLUMNS: &str = "id, from_currency, to_currency, rate";

impl Store {
    /// The portal's settings; the defaults when none was ever changed.
    pub async fn crm_settings(&self, portal: PortalId) -> Result<CrmSettings, sqlx::Error> {
        let row = sqlx::query(
            "SELECT change_contact_status_group_auto, add_tag_to_contact_group_auto, write_mail_to_history_auto, \
             default_currency \
             FROM crm_settings WHERE portal_id = $1",
        )
        .bind(portal.0)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(CrmSettings::default());
        };
        Ok(CrmSettings {
            change_contact_status_group_auto: flag(row.try_get("change_contact_status_group_auto")?),
            add_tag_to_contact_group_auto: flag(row.try_get("add_tag_to_contact_group_auto")?),
            write_mail_to_history_auto: flag(row.try_get("write_mail_to_history_auto")?),
            default_currency: row.try_get("default_currency")?,
        })
    }

    /// The portal's row of settings, created with the defaults if missing.
    async fn ensure_crm_settings(&self, conn: &mut AnyConnection, portal: PortalId) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO crm_settings (portal_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(portal.0)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Sets one of the yes/no settings (`None`: ask each time).
    pub async fn set_flag(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        setting: CrmFlag,
        value: Option<bool>,
    ) -> Result<(), sqlx::Error> {
        self.ensure_crm_settings(conn, portal).await?;
        let column = match setting {
            CrmFlag::ChangeStatus => "change_contact_status_group_auto",
            CrmFlag::AddTag => "add_tag_to_contact_group_auto",
            CrmFlag::WriteMailToHistory => "write_mail_to_history_auto",
        };
        sqlx::query(&format!("UPDATE crm_settings SET {column} = $2 WHERE portal_id = $1"))
            .bind(portal.0)
            .bind(value.map(i64::from))
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Sets the portal's default currency (a code the domain checked).
    pub async fn set_default_currency(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        code: &str,
    ) -> Result<(), sqlx::Error> {
        self.ensure_crm_settings(conn, portal).await?;
        sqlx::query("UPDATE crm_settings SET default_currency = $2 WHERE portal_id = $1")
            .bind(portal.0)
            .bind(code)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Every rate of the portal, by id.
    pub async fn currency_rates(&self, portal: PortalId) -> Result<Vec<CurrencyRate>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.currency_rates_in(&mut conn, portal).await
    }

    /// The same inside a transaction.
    pub async fn currency_rates_in(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
    ) -> Result<Vec<CurrencyRate>, sqlx::Error> {
        let sql = format!("SELECT {RATE_COLUMNS} FROM crm_currency_rates WHERE portal_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql).bind(portal.0).fetch_all(conn).await?;
        rows.iter().map(rate_from_row).collect()
    }

    /// One rate by id, read inside the caller's transaction (with a row lock on PostgreSQL).
    pub async fn currency_rate_in(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        id: RateId,
    ) -> Result<Option<CurrencyRate>, sqlx::Error> {
        let sql = format!(
            "SELECT {RATE_COLUMNS} FROM crm_currency_rates WHERE portal_id = $1 AND id = $2{}",
            self.lock_clause(Some(super::RowLock::Update))
        );
        let row = sqlx::query(&sql).bind(portal.0).bind(id.0).fetch_optional(conn).await?;
        row.as_ref().map(rate_from_row).transpose()
    }

    /// Adds a rate, or changes the rate of its pair if the portal has one; returns its id.
    pub async fn upsert_currency_rate(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        rate: &CurrencyRate,
    ) -> Result<RateId, sqlx::Error> {
        let row = sqlx::query(
            "INSERT INTO crm_currency_rates (portal_id, from_currency, to_currency, rate) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (portal_id, from_currency, to_currency) DO UPDATE SET rate = excluded.rate RETURNING id",
        )
        .bind(portal.0)
        .bind(&rate.from)
        .bind(&rate.to)
        .bind(rate.rate)
        .fetch_one(conn)
        .await?;
        Ok(RateId(row.try_get("id")?))
    }

    /// Changes a rate by id.
    pub async fn update_currency_rate(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        rate: &CurrencyRate,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE crm_currency_rates SET from_currency = $3, to_currency = $4, rate = $5 \
             WHERE portal_id = $1 AND id = $2",
        )
        .bind(portal.0)
        .bind(rate.id.0)
        .bind(&rate.from)
        .bind(&rate.to)
        .bind(rate.rate)
        .execute(conn)
        .await?;
        Ok(())
    }

    pub async fn delete_currency_rate(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        id: RateId,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM crm_currency_rates WHERE portal_id = $1 AND id = $2")
            .bind(portal.0)
            .bind(id.0)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Adds or changes the rates of many pairs in one statement (each pair once in `rates`).
    pub async fn upsert_currency_rates(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        rates: &[CurrencyRate],
    ) -> Result<(), sqlx::Error> {
        if rates.is_empty() {
            return Ok(());
        }
        let rows: Vec<serde_json::Value> = rates.iter().map(|r| serde_json::json!([r.from, r.to, r.rate])).collect();
        let select = match self.backend {
            Backend::Sqlite => {
                "SELECT $1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), \
                 CAST(json_extract(value, '$[2]') AS REAL) FROM json_each($2) WHERE true"
            }
            Backend::Postgres => {
                "SELECT $1, e->>0, e->>1, (e->>2)::double precision FROM jsonb_array_elements($2::jsonb) AS e"
            }
        };
        let sql = format!(
            "INSERT INTO crm_currency_rates (portal_id, from_currency, to_currency, rate) {select} \
             ON CONFLICT (portal_id, from_currency, to_currency) DO UPDATE SET rate = excluded.rate"
        );
        sqlx::query(&sql).bind(portal.0).bind(serde_json::Value::Array(rows).to_string()).execute(conn).await?;
        Ok(())
    }

    /// Deletes rates by id in one statement; every rate of the portal with `None`.
    pub async fn delete_currency_rates(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        ids: Option<&[RateId]>,
    ) -> Result<(), sqlx::Error> {
        match ids {
            None => {
                sqlx::query("DELETE FROM crm_currency_rates WHERE portal_id = $1").bind(portal.0).execute(conn).await?;
            }
            Some([]) => {}
            Some(ids) => {
                let sql =
                    format!("DELETE FROM crm_currency_rates WHERE portal_id = $1 AND id IN {}", self.json_ints(2));
                sqlx::query(&sql).bind(portal.0).bind(super::json_array(ids)).execute(conn).await?;
            }
        }
        Ok(())
    }
}
