//! A portal's CRM settings and its currency exchange rates.

use sqlx::Row;

use super::{args, Backend, Columns, Conn, Store};
use crate::model::crm_settings::{CrmFlag, CrmSettings, CurrencyRate};
use crate::model::ids::{PortalId, RateId};

fn rate_from_row(row: &dyn Columns) -> Result<CurrencyRate, sqlx::Error> {
    Ok(CurrencyRate {
        id: RateId(row.int("id")?),
        from: row.text("from_currency")?,
        to: row.text("to_currency")?,
        rate: row.real("rate")?,
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
    async fn ensure_crm_settings(&self, mut conn: Conn<'_>, portal: PortalId) -> Result<(), sqlx::Error> {
        conn.execute("INSERT INTO crm_settings (portal_id) VALUES ($1) ON CONFLICT DO NOTHING", &args![portal.0])
            .await?;
        Ok(())
    }

    /// Sets one of the yes/no settings (`None`: ask each time).
    pub async fn set_flag(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        setting: CrmFlag,
        value: Option<bool>,
    ) -> Result<(), sqlx::Error> {
        self.ensure_crm_settings(conn.re(), portal).await?;
        let column = match setting {
            CrmFlag::ChangeStatus => "change_contact_status_group_auto",
            CrmFlag::AddTag => "add_tag_to_contact_group_auto",
            CrmFlag::WriteMailToHistory => "write_mail_to_history_auto",
        };
        let sql = format!("UPDATE crm_settings SET {column} = $2 WHERE portal_id = $1");
        conn.execute(&sql, &args![portal.0, value.map(i64::from)]).await?;
        Ok(())
    }

    /// Sets the portal's default currency (a code the domain checked).
    pub async fn set_default_currency(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        code: &str,
    ) -> Result<(), sqlx::Error> {
        self.ensure_crm_settings(conn.re(), portal).await?;
        conn.execute("UPDATE crm_settings SET default_currency = $2 WHERE portal_id = $1", &args![portal.0, code])
            .await?;
        Ok(())
    }

    /// Every rate of the portal, by id.
    pub async fn currency_rates(&self, portal: PortalId) -> Result<Vec<CurrencyRate>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.currency_rates_in(Conn::Pooled(&mut conn), portal).await
    }

    /// The same inside a transaction.
    pub async fn currency_rates_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
    ) -> Result<Vec<CurrencyRate>, sqlx::Error> {
        let sql = format!("SELECT {RATE_COLUMNS} FROM crm_currency_rates WHERE portal_id = $1 ORDER BY id");
        conn.rows(&sql, &args![portal.0], rate_from_row).await
    }

    /// One rate by id, read inside the caller's transaction (with a row lock on PostgreSQL).
    pub async fn currency_rate_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: RateId,
    ) -> Result<Option<CurrencyRate>, sqlx::Error> {
        let sql = format!(
            "SELECT {RATE_COLUMNS} FROM crm_currency_rates WHERE portal_id = $1 AND id = $2{}",
            self.lock_clause(Some(super::RowLock::Update))
        );
        Ok(conn.rows(&sql, &args![portal.0, id.0], rate_from_row).await?.pop())
    }

    /// Adds a rate, or changes the rate of its pair if the portal has one; returns its id.
    pub async fn upsert_currency_rate(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        rate: &CurrencyRate,
    ) -> Result<RateId, sqlx::Error> {
        let sql =
            "INSERT INTO crm_currency_rates (portal_id, from_currency, to_currency, rate) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (portal_id, from_currency, to_currency) DO UPDATE SET rate = excluded.rate RETURNING id";
        let args = args![portal.0, rate.from.clone(), rate.to.clone(), rate.rate];
        Ok(RateId(conn.one(sql, &args, |row| row.int("id")).await?))
    }

    /// Changes a rate by id.
    pub async fn update_currency_rate(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        rate: &CurrencyRate,
    ) -> Result<(), sqlx::Error> {
        let sql = "UPDATE crm_currency_rates SET from_currency = $3, to_currency = $4, rate = $5 \
                   WHERE portal_id = $1 AND id = $2";
        conn.execute(sql, &args![portal.0, rate.id.0, rate.from.clone(), rate.to.clone(), rate.rate]).await?;
        Ok(())
    }

    pub async fn delete_currency_rate(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: RateId,
    ) -> Result<(), sqlx::Error> {
        conn.execute("DELETE FROM crm_currency_rates WHERE portal_id = $1 AND id = $2", &args![portal.0, id.0]).await?;
        Ok(())
    }

    /// Adds or changes the rates of many pairs in one statement (each pair once in `rates`).
    pub async fn upsert_currency_rates(
        &self,
        mut conn: Conn<'_>,
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
        conn.execute(&sql, &args![portal.0, serde_json::Value::Array(rows).to_string()]).await?;
        Ok(())
    }

    /// Deletes rates by id in one statement; every rate of the portal with `None`.
    pub async fn delete_currency_rates(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        ids: Option<&[RateId]>,
    ) -> Result<(), sqlx::Error> {
        match ids {
            None => {
                conn.execute("DELETE FROM crm_currency_rates WHERE portal_id = $1", &args![portal.0]).await?;
            }
            Some([]) => {}
            Some(ids) => {
                let sql =
                    format!("DELETE FROM crm_currency_rates WHERE portal_id = $1 AND id IN {}", self.json_ints(2));
                conn.execute(&sql, &args![portal.0, super::json_array(ids)]).await?;
            }
        }
        Ok(())
    }
}
