//! Contact tags.

use sqlx::Row;

use super::access::readable_contact_of;
use super::{args, Arg, Args, Conn};
use crate::model::access::Viewer;
use crate::model::ids::{CompanyId, ContactId, PortalId};
use crate::store::Store;

impl Store {
    /// The tag names of a contact, sorted.
    pub async fn contact_tags(
        &self,
        portal: impl Into<PortalId>,
        contact: impl Into<ContactId>,
    ) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT t.title FROM crm_contact_tags l JOIN crm_tags t ON t.id = l.tag_id \
             WHERE l.portal_id = $1 AND l.contact_id = $2 ORDER BY t.title_key",
        )
        .bind(portal.into().0)
        .bind(contact.into().0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| row.try_get("title")).collect()
    }

    /// Every tag of the portal with how many of the contacts the viewer may read carry it, by name.
    pub async fn tags(&self, portal: PortalId, viewer: Viewer) -> Result<Vec<(String, i64)>, sqlx::Error> {
        let mut args = Args::default();
        args.push(Arg::Int(portal.0));
        let sql = format!(
            "SELECT t.title, (SELECT COUNT(*) FROM crm_contact_tags l WHERE l.tag_id = t.id AND {}) AS used \
             FROM crm_tags t WHERE t.portal_id = $1 ORDER BY t.title_key",
            readable_contact_of(&mut args, viewer, "l.contact_id")
        );
        let rows = args.bind(sqlx::query(&sql)).fetch_all(self.pool()).await?;
        rows.iter().map(|row| Ok((row.try_get("title")?, row.try_get("used")?))).collect()
    }

    /// The id of a tag by name (case-insensitive).
    pub async fn tag_id(&self, mut conn: Conn<'_>, portal: PortalId, title: &str) -> Result<Option<i64>, sqlx::Error> {
        let sql = "SELECT id FROM crm_tags WHERE portal_id = $1 AND title_key = $2";
        Ok(conn.rows(sql, &args![portal.0, title.to_lowercase()], |row| row.int("id")).await?.pop())
    }

    /// Creates a tag unless one of that name exists; returns its id and whether it was created.
    pub async fn ensure_tag(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        title: &str,
    ) -> Result<(i64, bool), sqlx::Error> {
        let sql = "INSERT INTO crm_tags (portal_id, title, title_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        let inserted = conn.execute(sql, &args![portal.0, title, title.to_lowercase()]).await?;
        let id = self.tag_id(conn, portal, title).await?.ok_or(sqlx::Error::RowNotFound)?;
        Ok((id, inserted > 0))
    }

    /// Tags contacts; pairs already tagged stay once. One statement.
    pub async fn tag_contacts(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        tag: i64,
        contacts: &[ContactId],
    ) -> Result<(), sqlx::Error> {
        self.attach_to_contacts(conn, portal, "crm_contact_tags", "tag_id", tag, contacts).await
    }

    /// Removes a tag from a contact; false when it did not carry it.
    pub async fn untag_contact(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        tag: i64,
        contact: ContactId,
    ) -> Result<bool, sqlx::Error> {
        let sql = "DELETE FROM crm_contact_tags WHERE portal_id = $1 AND contact_id = $2 AND tag_id = $3";
        Ok(conn.execute(sql, &args![portal.0, contact.0, tag]).await? > 0)
    }

    /// Deletes tags (their links go by cascade): the one given, or every tag no contact carries.
    /// Returns the names deleted.
    pub async fn delete_tags(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        only: Option<i64>,
    ) -> Result<Vec<String>, sqlx::Error> {
        let condition = match only {
            Some(_) => "id = $2",
            None => "NOT EXISTS (SELECT 1 FROM crm_contact_tags l WHERE l.tag_id = crm_tags.id)",
        };
        let sql = format!("DELETE FROM crm_tags WHERE portal_id = $1 AND {condition} RETURNING title");
        let mut args = args![portal.0];
        if let Some(id) = only {
            args.push(Arg::Int(id));
        }
        conn.rows(&sql, &args, |row| row.text("title")).await
    }

    /// Removes a tag from contacts; returns how many carried it. One statement.
    pub async fn untag_contacts(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        tag: i64,
        contacts: &[ContactId],
    ) -> Result<u64, sqlx::Error> {
        if contacts.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "DELETE FROM crm_contact_tags WHERE portal_id = $1 AND tag_id = $2 AND contact_id IN {}",
            self.json_ints(3)
        );
        conn.execute(&sql, &args![portal.0, tag, super::json_array(contacts)]).await
    }

    /// The persons of a company, read inside the caller's transaction.
    pub async fn company_member_ids(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        company: CompanyId,
    ) -> Result<Vec<ContactId>, sqlx::Error> {
        let members = super::among_members("company_id", "= $2");
        let sql =
            format!("SELECT id FROM crm_contacts WHERE portal_id = $1 AND {members} AND is_company = 0 ORDER BY id");
        conn.rows(&sql, &args![portal.0, company.0], |row| Ok(ContactId(row.int("id")?))).await
    }
}
