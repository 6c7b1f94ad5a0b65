//! Rows moved in from another installation (`portald import onlyoffice`): written with the ids
//! they had there, many rows a statement, and the id sequences moved past them afterwards.

use super::{args, Args, Columns, Conn};

use super::{Backend, JsonField, Store};
use crate::model::ids::{ContactId, PortalId, UserId};

/// A table the migration fills, with the keys of the JSON objects its rows are given as (each
/// key is also the column's name; the portal is added to every row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    Users,
    UserContacts,
    Admins,
    Groups,
    GroupMembers,
    Projects,
    ProjectMembers,
    ListItems,
    Contacts,
    ContactManagers,
    ContactInfos,
    Tags,
    ContactTags,
    ProjectLinks,
    CustomFields,
    CustomFieldValues,
}

use JsonField::{Int, Text};

impl Loaded {
    fn table(self) -> (&'static str, &'static [JsonField]) {
        match self {
            Loaded::Users => (
                "users",
                &[
                    Text("id"),
                    Text("user_name"),
                    Text("user_name_key"),
                    Text("email"),
                    Text("email_key"),
                    Text("first_name"),
                    Text("last_name"),
                    Int("sex"),
                    Int("birthday"),
                    Int("work_from"),
                    Int("terminated_at"),
                    Text("title"),
                    Text("location"),
                    Text("notes"),
                    Int("status"),
                    Int("activation_status"),
                    Text("culture_name"),
                    Text("mobile_phone"),
                    Int("mobile_phone_activation"),
                    Text("lead_id"),
                    Text("sid"),
                    Text("sso_name_id"),
                    Int("is_visitor"),
                    Text("password_hash"),
                    Int("created_at"),
                    Int("last_modified"),
                ],
            ),
            Loaded::UserContacts => ("user_contacts", &[Text("user_id"), Int("position"), Text("type"), Text("value")]),
            Loaded::Admins => ("admins", &[Text("user_id")]),
            Loaded::Groups => ("groups", &[Text("id"), Text("name"), Text("manager_id"), Int("created_at")]),
            Loaded::GroupMembers => ("group_members", &[Text("group_id"), Text("user_id")]),
            Loaded::Projects => (
                "projects",
                &[
                    Int("id"),
                    Text("title"),
                    Text("description"),
                    Int("status"),
                    Int("status_changed"),
                    Text("responsible_id"),
                    Int("is_private"),
                    Int("created_at"),
                    Text("created_by"),
                    Int("last_modified"),
                    Text("last_modified_by"),
                ],
            ),
            Loaded::ProjectMembers => ("project_members", &[Int("project_id"), Text("user_id")]),
            Loaded::ListItems => (
                "crm_list_items",
                &[Int("id"), Int("list_type"), Text("title"), Text("description"), Text("color"), Int("sort_order")],
            ),
            Loaded::Contacts => (
                "crm_contacts",
                &[
                    Int("id"),
                    Int("is_company"),
                    Text("first_name"),
                    Text("last_name"),
                    Text("company_name"),
                    Text("display_name"),
                    Text("search_name"),
                    Text("title"),
                    Text("about"),
                    Text("industry"),
                    Int("company_id"),
                    Int("status_id"),
                    Int("contact_type_id"),
                    Int("share_type"),
                    Text("currency"),
                    Text("created_by"),
                    Int("created_at"),
                    Text("modified_by"),
                    Int("modified_at"),
                ],
            ),
            Loaded::ContactManagers => ("crm_contact_managers", &[Int("contact_id"), Text("user_id")]),
            Loaded::ContactInfos => (
                "crm_contact_info",
                &[Int("id"), Int("contact_id"), Int("info_type"), Int("category"), Text("data"), Int("is_primary")],
            ),
            Loaded::Tags => ("crm_tags", &[Int("id"), Text("title"), Text("title_key")]),
            Loaded::ContactTags => ("crm_contact_tags", &[Int("contact_id"), Int("tag_id")]),
            Loaded::ProjectLinks => ("crm_project_links", &[Int("contact_id"), Int("project_id")]),
            Loaded::CustomFields => (
                "crm_custom_fields",
                &[Int("id"), Int("entity_type"), Text("label"), Int("field_type"), Int("sort_order"), Text("mask")],
            ),
            Loaded::CustomFieldValues => {
                ("crm_custom_field_values", &[Int("field_id"), Int("contact_id"), Text("value")])
            }
        }
    }

    /// The tables whose ids the API shows and a sequence hands out.
    const SEQUENCED: [&'static str; 6] =
        ["projects", "crm_list_items", "crm_contacts", "crm_contact_info", "crm_tags", "crm_custom_fields"];
}

/// What a portal already holds, to tell a fresh one from one in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalContents {
    pub exists: bool,
    pub owner: Option<UserId>,
    pub users: i64,
    /// Groups, projects, contacts, tags and custom fields together.
    pub records: i64,
}

impl Store {
    /// Writes rows (JSON objects with the keys of `table`) in one statement.
    pub async fn load_rows(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        table: Loaded,
        rows: &[serde_json::Value],
    ) -> Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let (name, fields) = table.table();
        let columns: Vec<&str> = fields
            .iter()
            .map(|f| match f {
                Int(key) | Text(key) => *key,
            })
            .collect();
        let sql = format!("INSERT INTO {name} (portal_id, {}) {}", columns.join(", "), self.json_objects(fields));
        let text = serde_json::to_string(rows).map_err(|e| sqlx::Error::Encode(e.into()))?;
        conn.execute(&sql, &args![portal.0, text]).await?;
        if table == Loaded::ContactInfos {
            let mut contacts: Vec<ContactId> =
                rows.iter().filter_map(|r| r["contact_id"].as_i64()).map(ContactId).collect();
            contacts.dedup();
            self.refresh_contact_search(conn, &contacts).await?;
        }
        Ok(())
    }

    /// What the portal holds: its owner, its users, and its other records.
    pub async fn portal_contents(&self, mut conn: Conn<'_>, portal: PortalId) -> Result<PortalContents, sqlx::Error> {
        let sql = "SELECT (SELECT COUNT(*) FROM portals WHERE id = $1) AS portals, \
                   (SELECT COUNT(*) FROM users WHERE portal_id = $1) AS users, \
                   (SELECT COUNT(*) FROM groups WHERE portal_id = $1) + (SELECT COUNT(*) FROM projects WHERE portal_id = $1) \
                   + (SELECT COUNT(*) FROM crm_contacts WHERE portal_id = $1) \
                   + (SELECT COUNT(*) FROM crm_tags WHERE portal_id = $1) \
                   + (SELECT COUNT(*) FROM crm_custom_fields WHERE portal_id = $1) AS records";
        let counts = |row: &dyn Columns| Ok((row.int("portals")?, row.int("users")?, row.int("records")?));
        let (portals, users, records) = conn.one(sql, &args![portal.0], counts).await?;
        let exists = portals > 0;
        let owner = self.portal_owner(conn, portal).await?;
        Ok(PortalContents { exists, owner, users, records })
    }

    /// Empties a fresh portal for the rows moved in: its owner (with his tokens and the like)
    /// and its default contact statuses and types go.
    pub async fn clear_fresh_portal(&self, mut conn: Conn<'_>, portal: PortalId) -> Result<(), sqlx::Error> {
        for sql in [
            "UPDATE portals SET owner_id = NULL WHERE id = $1",
            "DELETE FROM crm_list_items WHERE portal_id = $1",
            "DELETE FROM crm_settings WHERE portal_id = $1",
            "DELETE FROM crm_currency_rates WHERE portal_id = $1",
            "DELETE FROM tokens WHERE portal_id = $1",
            "DELETE FROM login_failures WHERE portal_id = $1",
            "DELETE FROM users WHERE portal_id = $1",
        ] {
            conn.execute(sql, &args![portal.0]).await?;
        }
        Ok(())
    }

    /// The ids among `ids` that `table`'s rows of other portals already use: ids are unique
    /// across portals, so these cannot be moved in.
    pub async fn ids_taken(&self, mut conn: Conn<'_>, table: Loaded, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
        let (name, _) = table.table();
        let sql = format!("SELECT id FROM {name} WHERE id IN {} ORDER BY id LIMIT 10", self.json_ints(1));
        conn.rows(&sql, &args![super::json_array(ids)], |row| row.int("id")).await
    }

    /// Moves every id sequence past the highest id in its table, so that records created later
    /// never take a moved-in id. SQLite's AUTOINCREMENT already keeps the highest id inserted.
    pub async fn continue_sequences(&self, mut conn: Conn<'_>) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            for table in Loaded::SEQUENCED {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), \
                     (SELECT last_value FROM pg_sequences WHERE schemaname = current_schema() \
                      AND sequencename = split_part(pg_get_serial_sequence('{table}', 'id'), '.', 2)), 1))"
                );
                conn.rows(&sql, &Args::default(), |_| Ok(())).await?;
            }
        }
        Ok(())
    }
}
