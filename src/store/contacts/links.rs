//! Links between contacts and projects.

use super::{args, ids_of, Conn};
use crate::model::ids::{ContactId, PortalId, ProjectId};
use crate::store::Store;

impl Store {
    /// Links contacts to a project; pairs already linked stay once. One statement.
    pub async fn link_contacts(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        project: ProjectId,
        contacts: &[ContactId],
    ) -> Result<(), sqlx::Error> {
        self.attach_to_contacts(conn, portal, "crm_project_links", "project_id", project.0, contacts).await
    }

    pub async fn unlink_contact(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        project: ProjectId,
        contact: ContactId,
    ) -> Result<(), sqlx::Error> {
        let sql = "DELETE FROM crm_project_links WHERE portal_id = $1 AND contact_id = $2 AND project_id = $3";
        conn.execute(sql, &args![portal.0, contact.0, project.0]).await?;
        Ok(())
    }

    /// The contacts linked to a project.
    pub async fn project_contact_ids(
        &self,
        portal: impl Into<PortalId>,
        project: impl Into<ProjectId>,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let rows = sqlx::query("SELECT contact_id AS id FROM crm_project_links WHERE portal_id = $1 AND project_id = $2 ORDER BY contact_id")
            .bind(portal.into().0)
            .bind(project.into().0)
            .fetch_all(self.pool())
            .await?;
        ids_of(rows)
    }

    /// The projects a contact is linked to.
    pub async fn contact_project_ids(
        &self,
        portal: PortalId,
        contact: ContactId,
    ) -> Result<Vec<ProjectId>, sqlx::Error> {
        let rows = sqlx::query("SELECT project_id AS id FROM crm_project_links WHERE portal_id = $1 AND contact_id = $2 ORDER BY project_id")
            .bind(portal.0)
            .bind(contact.0)
            .fetch_all(self.pool())
            .await?;
        ids_of(rows)
    }
}
