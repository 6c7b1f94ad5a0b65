//! Custom field definitions and values of CRM contacts.

use sqlx::{AnyConnection, Row};

use super::contacts::readable_contact_of;
use super::{json_array, Store};
use super::{Arg, Args};
use crate::model::access::Viewer;
use crate::model::custom_fields::FieldDefinition;
use crate::model::ids::{ContactId, FieldId, PortalId};

fn definition_from_row(row: &sqlx::any::AnyRow) -> Result<FieldDefinition, sqlx::Error> {
    Ok(FieldDefinition {
        id: FieldId(row.try_get("id")?),
        entity_type: row.try_get("entity_type")?,
        label: row.try_get("label")?,
        field_type: row.try_get("field_type")?,
        position: row.try_get("sort_order")?,
        mask: row.try_get("mask")?,
        used_by: row.try_get("used")?,
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
        self.field_definitions_in(&mut conn, portal, entity_types, usage_for).await
    }

    /// The same inside a transaction, to decide a change on the definitions as they are.
    pub async fn field_definitions_in(
        &self,
        conn: &mut AnyConnection,
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
        let rows = args.bind(sqlx::query(&sql)).fetch_all(conn).await?;
        rows.iter().map(definition_from_row).collect()
    }

    pub async fn insert_field_definition(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        field: &FieldDefinition,
    ) -> Result<FieldId, sqlx::Error> {
        let row = sqlx::query(
            "INSERT INTO crm_custom_fields (portal_id, entity_type, label, field_type, sort_order, mask) \
             VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM crm_custom_fields WHERE portal_id = $1), $5) RETURNING id",
        )
        .bind(portal.0)
        .bind(field.entity_type)
        .bind(&field.label)
        .bind(field.field_type)
        .bind(&field.mask)
        .fetch_one(conn)
        .await?;
        Ok(FieldId(row.try_get("id")?))
    }

    pub async fn update_field_definition(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        field: &FieldDefinition,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE crm_custom_fields SET label = $3, field_type = $4, mask = $5 WHERE portal_id = $1 AND id = $2",
        )
        .bind(portal.0)
        .bind(field.id.0)
        .bind(&field.label)
        .bind(field.field_type)
        .bind(&field.mask)
        .execute(conn)
        .await?;
        Ok(())
    }

    pub async fn delete_field_definition(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        id: FieldId,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM crm_custom_fields WHERE portal_id = $1 AND id = $2")
            .bind(portal.0)
            .bind(id.0)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Sets (or, with an empty value, removes) one value of a contact.
    pub async fn set_field_value(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        contact: ContactId,
        field: FieldId,
        value: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM crm_custom_field_values WHERE portal_id = $1 AND field_id = $2 AND contact_id = $3")
            .bind(portal.0)
            .bind(field.0)
            .bind(contact.0)
            .execute(&mut *conn)
            .await?;
        if !value.trim().is_empty() {
            sqlx::query(
                "INSERT INTO crm_custom_field_values (portal_id, field_id, contact_id, value) VALUES ($1, $2, $3, $4)",
            )
            .bind(portal.0)
            .bind(field.0)
            .bind(contact.0)
            .bind(value)
            .execute(conn)
            .await?;
        }
        Ok(())
    }

    /// Gives the listed fields their position in the list as sort order, in one statement.
    pub async fn reorder_field_definitions(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        ids: &[FieldId],
    ) -> Result<(), sqlx::Error> {
        let positions = self.json_positions(2);
        let sql = format!(
            "UPDATE crm_custom_fields SET sort_order = (SELECT p.pos FROM {positions} p WHERE p.id = crm_custom_fields.id) \
             WHERE portal_id = $1 AND id IN (SELECT p.id FROM {positions} p)"
        );
        sqlx::query(&sql).bind(portal.0).bind(json_array(ids)).execute(conn).await?;
        Ok(())
    }
}
