//! Contact details (phones, emails, addresses, ...), and the search index entries they feed.

use super::{args, Conn};
use crate::model::contacts::ContactInfo;
use crate::model::ids::{ContactId, InfoId, PortalId};
use crate::store::{json_array, Backend, JsonField, Store};

impl Store {
    /// A contact's detail rows, newest first.
    pub async fn contact_infos(&self, portal: PortalId, contact: ContactId) -> Result<Vec<ContactInfo>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.contact_infos_in(Conn::Pooled(&mut conn), portal, contact).await
    }

    /// The same inside a transaction, to read what it is about to change.
    pub async fn contact_infos_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contact: ContactId,
    ) -> Result<Vec<ContactInfo>, sqlx::Error> {
        let sql = "SELECT id, info_type, category, data, is_primary FROM crm_contact_info \
                   WHERE portal_id = $1 AND contact_id = $2 ORDER BY id DESC";
        conn.rows(sql, &args![portal.0, contact.0], |row| {
            Ok(ContactInfo {
                id: InfoId(row.int("id")?),
                info_type: row.int("info_type")?,
                category: row.int("category")?,
                data: row.text("data")?,
                is_primary: row.int("is_primary")? != 0,
            })
        })
        .await
    }

    /// The `(info type, lower-cased data)` of every detail of `contacts`, inside a transaction
    /// (an import merging into contacts reads what they have), in one statement.
    pub async fn info_keys_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contacts: &[ContactId],
    ) -> Result<Vec<(ContactId, i64, String)>, sqlx::Error> {
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT contact_id, info_type, lower(data) AS data FROM crm_contact_info \
             WHERE portal_id = $1 AND contact_id IN {}",
            self.json_ints(2)
        );
        let args = args![portal.0, json_array(contacts)];
        conn.rows(&sql, &args, |row| Ok((ContactId(row.int("contact_id")?), row.int("info_type")?, row.text("data")?)))
            .await
    }

    /// Adds detail rows to a contact in one statement; returns their new ids in order.
    pub async fn insert_contact_infos(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contact: ContactId,
        infos: &[ContactInfo],
    ) -> Result<Vec<InfoId>, sqlx::Error> {
        if infos.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("{} RETURNING id", self.insert_infos_sql());
        let args = args![portal.0, infos_json(infos.iter().map(|info| (contact, info)))];
        // Rows are inserted in list order, so ascending ids are the list's ids in order.
        let mut ids = conn.rows(&sql, &args, |row| Ok(InfoId(row.int("id")?))).await?;
        ids.sort_unstable();
        self.refresh_contact_search(conn, &[contact]).await?;
        Ok(ids)
    }

    /// Rewrites one detail row of a contact; false when the contact has no such row.
    pub async fn update_contact_info(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contact: ContactId,
        info: &ContactInfo,
    ) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE crm_contact_info SET info_type = $4, category = $5, data = $6, is_primary = $7 \
                   WHERE portal_id = $1 AND contact_id = $2 AND id = $3";
        let args = args![
            portal.0,
            contact.0,
            info.id.0,
            info.info_type,
            info.category,
            info.data.clone(),
            i64::from(info.is_primary)
        ];
        Ok(conn.execute(sql, &args).await? > 0)
    }

    /// Deletes detail rows of a contact: one, or all of them.
    pub async fn delete_contact_infos(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contact: ContactId,
        only: Option<InfoId>,
    ) -> Result<u64, sqlx::Error> {
        let deleted = match only {
            Some(id) => {
                let sql = "DELETE FROM crm_contact_info WHERE portal_id = $1 AND contact_id = $2 AND id = $3";
                conn.execute(sql, &args![portal.0, contact.0, id.0]).await?
            }
            None => {
                let sql = "DELETE FROM crm_contact_info WHERE portal_id = $1 AND contact_id = $2";
                conn.execute(sql, &args![portal.0, contact.0]).await?
            }
        };
        self.refresh_contact_search(conn, &[contact]).await?;
        Ok(deleted)
    }

    /// Rewrites the search index entries of contacts whose details were inserted or deleted:
    /// once per statement, not once per detail row (a per-row trigger rebuilt the whole text for
    /// every row, quadratic for a batch). PostgreSQL's statement-level triggers do this itself.
    pub(in crate::store) async fn refresh_contact_search(
        &self,
        mut conn: Conn<'_>,
        contacts: &[ContactId],
    ) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Sqlite {
            let sql = "UPDATE crm_contact_search SET details = COALESCE((SELECT group_concat(lower(i.data), ' ') \
                       FROM crm_contact_info i WHERE i.contact_id = crm_contact_search.rowid), '') \
                       WHERE rowid IN (SELECT value FROM json_each($1))";
            conn.execute(sql, &args![json_array(contacts)]).await?;
        }
        Ok(())
    }

    /// Adds detail rows for many contacts in one statement: `(contact, info)` pairs.
    pub async fn insert_infos_bulk(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        infos: &[(ContactId, ContactInfo)],
    ) -> Result<(), sqlx::Error> {
        if infos.is_empty() {
            return Ok(());
        }
        let args = args![portal.0, infos_json(infos.iter().map(|(contact, info)| (*contact, info)))];
        conn.execute(&self.insert_infos_sql(), &args).await?;
        let mut contacts: Vec<ContactId> = infos.iter().map(|(contact, _)| *contact).collect();
        contacts.sort_unstable();
        contacts.dedup();
        self.refresh_contact_search(conn, &contacts).await
    }

    /// The INSERT of detail rows from `$2`, a JSON array of [`infos_json`], in its order.
    fn insert_infos_sql(&self) -> String {
        let source = self.json_objects(&[
            JsonField::Int("contact_id"),
            JsonField::Int("info_type"),
            JsonField::Int("category"),
            JsonField::Text("data"),
            JsonField::Int("is_primary"),
        ]);
        format!("INSERT INTO crm_contact_info (portal_id, contact_id, info_type, category, data, is_primary) {source}")
    }
}

/// Detail rows as one JSON array to bind: `(contact, info)` pairs.
fn infos_json<'a>(infos: impl Iterator<Item = (ContactId, &'a ContactInfo)>) -> String {
    let rows: Vec<serde_json::Value> = infos
        .map(|(contact, i)| serde_json::json!({"contact_id": contact, "info_type": i.info_type, "category": i.category, "data": i.data, "is_primary": i64::from(i.is_primary)}))
        .collect();
    serde_json::Value::Array(rows).to_string()
}
