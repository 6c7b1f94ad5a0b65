//! Custom field definitions and values of CRM contacts.

use super::contacts::readable_contact_of;
use super::{args, Arg, Args, Columns, Conn};
use super::{json_array, Store};
use crate::model::access::Viewer;
use crate::model::custom_fields::FieldDefinition;
use crate::model::ids::{ContactId, FieldId, PortalId};

fn definition_from_row(row: &dyn Columns) -> Result<FieldDefinition, sqlx::Error> {
    Ok(FieldDefinition {
        id: FieldId(row.int("id")?),
        entity_type: row.int("entity_type")?,
        label: row.text("label")?,
        field_type: row.int("field_type")?,
        position: row.int("sort_order")?,
        mask: row.text("mask")?,
        used_by: row.int("used")?,
    })
}

impl Store {
    /// The definitions of the given entity types, by position; with a viewer, with how many
    /// values each has on the contacts he may read.
    pub async fn field_definitions(
        &self,
        portal: PortalId,
        entity_types: &[i64],
        usage_for: Option<Viewer>,
    ) -> Result<Vec<FieldDefinition>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.field_definitions_in(Conn::Pooled(&mut conn), portal, entity_types, usage_for).await
    }

    /// The same inside a transaction, to decide a change on the definitions as they are.
    pub async fn field_definitions_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        entity_types: &[i64],
        usage_for: Option<Viewer>,
    ) -> Result<Vec<FieldDefinition>, sqlx::Error> {
        let mut args = Args::default();
        args.push(Arg::Int(portal.0));
        args.push(Arg::Text(json_array(entity_types)));
        let used = match usage_for {
            Some(viewer) => format!(
                "(SELECT COUNT(*) FROM crm_custom_field_values v WHERE v.field_id = f.id AND {})",
                readable_contact_of(&mut args, viewer, "v.contact_id")
            ),
            None => "0".to_string(),
        };
        let sql = format!(
            "SELECT f.id, f.entity_type, f.label, f.field_type, f.sort_order, f.mask, {used} AS used \
             FROM crm_custom_fields f WHERE f.portal_id = $1 AND f.entity_type IN {} ORDER BY f.sort_order, f.id",
            self.json_ints(2)
        );
        conn.rows(&sql, &args, definition_from_row).await
    }

    pub async fn insert_field_definition(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        field: &FieldDefinition,
    ) -> Result<FieldId, sqlx::Error> {
        let sql = "INSERT INTO crm_custom_fields (portal_id, entity_type, label, field_type, sort_order, mask) \
                   VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM crm_custom_fields \
                   WHERE portal_id = $1), $5) RETURNING id";
        let args = args![portal.0, field.entity_type, field.label.clone(), field.field_type, field.mask.clone()];
        Ok(FieldId(conn.one(sql, &args, |row| row.int("id")).await?))
    }

    pub async fn update_field_definition(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        field: &FieldDefinition,
    ) -> Result<(), sqlx::Error> {
        let sql =
            "UPDATE crm_custom_fields SET label = $3, field_type = $4, mask = $5 WHERE portal_id = $1 AND id = $2";
        let args = args![portal.0, field.id.0, field.label.clone(), field.field_type, field.mask.clone()];
        conn.execute(sql, &args).await?;
        Ok(())
    }

    pub async fn delete_field_definition(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: FieldId,
    ) -> Result<(), sqlx::Error> {
        conn.execute("DELETE FROM crm_custom_fields WHERE portal_id = $1 AND id = $2", &args![portal.0, id.0]).await?;
        Ok(())
    }

    /// Sets (or, with an empty value, removes) one value of a contact.
    pub async fn set_field_value(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contact: ContactId,
        field: FieldId,
        value: &str,
    ) -> Result<(), sqlx::Error> {
        let sql = "DELETE FROM crm_custom_field_values WHERE portal_id = $1 AND field_id = $2 AND contact_id = $3";
        conn.execute(sql, &args![portal.0, field.0, contact.0]).await?;
        if !value.trim().is_empty() {
            let sql =
                "INSERT INTO crm_custom_field_values (portal_id, field_id, contact_id, value) VALUES ($1, $2, $3, $4)";
            conn.execute(sql, &args![portal.0, field.0, contact.0, value]).await?;
        }
        Ok(())
    }

    /// Gives the listed fields their position in the list as sort order, in one statement.
    pub async fn reorder_field_definitions(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        ids: &[FieldId],
    ) -> Result<(), sqlx::Error> {
        let positions = self.json_positions(2);
        let sql = format!(
            "UPDATE crm_custom_fields SET sort_order = (SELECT p.pos FROM {positions} p WHERE p.id = crm_custom_fields.id) \
             WHERE portal_id = $1 AND id IN (SELECT p.id FROM {positions} p)"
        );
        conn.execute(&sql, &args![portal.0, json_array(ids)]).await?;
        Ok(())
    }
}
