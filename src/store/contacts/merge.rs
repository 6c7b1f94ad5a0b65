//! Merging one contact into another: what hangs on the source moves to the target.

use super::{args, Conn};
use crate::model::ids::{ContactId, PortalId};
use crate::store::Store;

/// The tables whose rows pair a contact with something else, and the column of that other
/// thing: a pair the target already has is dropped from the source, the rest moves.
const PAIRS: [(&str, &str); 3] =
    [("crm_project_links", "project_id"), ("crm_contact_tags", "tag_id"), ("crm_custom_field_values", "field_id")];

impl Store {
    /// Moves the project links, tags, custom field values and details of `from` to `to`, as
    /// the original's MergeDublicate does: the target keeps its own field values; a source
    /// detail the target has exactly is dropped; a source detail that would be a second primary
    /// one of its type and category stops being primary. A fixed number of statements, inside
    /// the caller's transaction. The contact rows themselves are the caller's to change.
    pub async fn merge_contact_data(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        from: ContactId,
        to: ContactId,
    ) -> Result<(), sqlx::Error> {
        let args = args![portal.0, from.0, to.0];
        for (table, column) in PAIRS {
            let sql = format!(
                "DELETE FROM {table} WHERE portal_id = $1 AND contact_id = $2 AND {column} IN \
                 (SELECT t.{column} FROM {table} t WHERE t.portal_id = $1 AND t.contact_id = $3)"
            );
            conn.execute(&sql, &args).await?;
            let sql = format!("UPDATE {table} SET contact_id = $3 WHERE portal_id = $1 AND contact_id = $2");
            conn.execute(&sql, &args).await?;
        }
        let statements = [
            "UPDATE crm_contact_info SET is_primary = 0 WHERE portal_id = $1 AND contact_id = $2 AND is_primary = 1 \
             AND EXISTS (SELECT 1 FROM crm_contact_info t WHERE t.portal_id = $1 AND t.contact_id = $3 \
             AND t.is_primary = 1 AND t.info_type = crm_contact_info.info_type \
             AND t.category = crm_contact_info.category AND t.data <> crm_contact_info.data)",
            "DELETE FROM crm_contact_info WHERE portal_id = $1 AND contact_id = $2 \
             AND EXISTS (SELECT 1 FROM crm_contact_info t WHERE t.portal_id = $1 AND t.contact_id = $3 \
             AND t.info_type = crm_contact_info.info_type AND t.category = crm_contact_info.category \
             AND t.is_primary = crm_contact_info.is_primary AND t.data = crm_contact_info.data)",
            "UPDATE crm_contact_info SET contact_id = $3 WHERE portal_id = $1 AND contact_id = $2",
        ];
        for sql in statements {
            conn.execute(sql, &args).await?;
        }
        Ok(())
    }
}
