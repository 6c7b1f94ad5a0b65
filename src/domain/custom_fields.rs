//! Custom fields of CRM contacts: admins define them (for all contacts, companies or persons),
//! anyone who may edit a contact sets its values.

use super::access::{self, Viewer};
use super::contacts::{self, Contact};
use super::people::require_admin;
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::{ContactId, FieldId};
use crate::store::Store;

pub use crate::model::custom_fields::{FieldDefinition, FieldValue, ENTITY_COMPANY, ENTITY_CONTACT, ENTITY_PERSON};

/// CustomFieldType: TextField, TextArea, SelectBox, CheckBox, Heading, Date.
pub const HEADING: i64 = 4;
const SELECT_BOX: i64 = 2;
const MAX_LABEL: usize = 255;
const MAX_VALUE: usize = 4000;

/// The definition types that apply to an entity: a person's or a company's own and those of
/// every contact.
pub fn applicable(entity_type: i64) -> Vec<i64> {
    match entity_type {
        ENTITY_CONTACT => vec![ENTITY_CONTACT],
        other => vec![ENTITY_CONTACT, other],
    }
}

pub fn entity_of(contact: &Contact) -> i64 {
    if contact.is_company {
        ENTITY_COMPANY
    } else {
        ENTITY_PERSON
    }
}

/// `GET crm/{entityType}/customfield/definitions`, each with how many of the contacts the caller
/// may read have a value for it.
pub async fn definitions(store: &Store, caller: &Caller, entity_type: i64) -> ApiResult<Vec<FieldDefinition>> {
    access::require_crm(caller)?;
    Ok(store.field_definitions(caller.portal, &applicable(entity_type), Some(Viewer::of(caller))).await?)
}

/// What a definition create or update sets.
pub struct FieldDraft {
    pub label: Option<String>,
    pub field_type: Option<i64>,
    pub mask: Option<String>,
}

fn check_label(label: &str) -> ApiResult<String> {
    super::required_text(label, "label", MAX_LABEL)
}

/// A SelectBox needs its options as a JSON array of texts; the other types keep their mask as
/// given (text sizes) or none.
fn check_mask(field_type: i64, mask: &str) -> ApiResult<String> {
    if !(0..=5).contains(&field_type) {
        return Err(ApiError::invalid(
            "fieldType",
            "use 0 to 5 (TextField, TextArea, SelectBox, CheckBox, Heading, Date)",
        ));
    }
    if field_type == SELECT_BOX {
        let options: Vec<String> = serde_json::from_str(mask)
            .map_err(|_| ApiError::invalid("mask", "a SelectBox needs a JSON array of options"))?;
        if options.is_empty() {
            return Err(ApiError::invalid("mask", "a SelectBox needs at least one option"));
        }
        return Ok(serde_json::to_string(&options).unwrap_or_default());
    }
    Ok(if field_type <= 1 { mask.trim().to_string() } else { String::new() })
}

/// `POST crm/{entityType}/customfield`.
pub async fn create(store: &Store, caller: &Caller, entity_type: i64, draft: FieldDraft) -> ApiResult<FieldDefinition> {
    require_admin(caller)?;
    let label = check_label(draft.label.as_deref().unwrap_or_default())?;
    let field_type = draft.field_type.unwrap_or(0);
    let mask = check_mask(field_type, draft.mask.as_deref().unwrap_or_default())?;
    let mut field =
        FieldDefinition { id: FieldId::UNSAVED, entity_type, label, field_type, position: 0, mask, used_by: 0 };
    let mut tx = store.begin_write().await?;
    field.id = store.insert_field_definition(tx.conn(), caller.portal, &field).await?;
    tx.commit().await?;
    get(store, caller, entity_type, field.id).await
}

pub async fn get(store: &Store, caller: &Caller, entity_type: i64, id: FieldId) -> ApiResult<FieldDefinition> {
    definitions(store, caller, entity_type)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(|| ApiError::not_found("Custom field not found"))
}

/// `PUT crm/{entityType}/customfield/{id}`: once values exist the type stays.
pub async fn update(
    store: &Store,
    caller: &Caller,
    entity_type: i64,
    id: FieldId,
    draft: FieldDraft,
) -> ApiResult<FieldDefinition> {
    require_admin(caller)?;
    let mut field = get(store, caller, entity_type, id).await?;
    if let Some(label) = &draft.label {
        field.label = check_label(label)?;
    }
    if let Some(field_type) = draft.field_type {
        if field.used_by > 0 && field_type != field.field_type {
            return Err(ApiError::invalid("fieldType", "values exist; the type cannot change"));
        }
        field.field_type = field_type;
    }
    field.mask = check_mask(field.field_type, draft.mask.as_deref().unwrap_or(&field.mask))?;
    let mut tx = store.begin_write().await?;
    store.update_field_definition(tx.conn(), caller.portal, &field).await?;
    tx.commit().await?;
    Ok(field)
}

/// `DELETE crm/{entityType}/customfield/{id}`: the definition and its values.
pub async fn delete(store: &Store, caller: &Caller, entity_type: i64, id: FieldId) -> ApiResult<FieldDefinition> {
    require_admin(caller)?;
    let field = get(store, caller, entity_type, id).await?;
    let mut tx = store.begin_write().await?;
    store.delete_field_definition(tx.conn(), caller.portal, id).await?;
    tx.commit().await?;
    Ok(field)
}

/// A contact's fields as shown: those with a value, and every Heading.
pub fn shown<'a>(
    fields: &'a [FieldDefinition],
    values: &'a [FieldValue],
    entity_type: i64,
) -> Vec<(&'a FieldDefinition, &'a str)> {
    let types = applicable(entity_type);
    fields
        .iter()
        .filter(|f| types.contains(&f.entity_type))
        .filter_map(|f| match values.iter().find(|v| v.field_id == f.id) {
            Some(v) if !v.value.trim().is_empty() => Some((f, v.value.as_str())),
            _ if f.field_type == HEADING => Some((f, "")),
            _ => None,
        })
        .collect()
}

/// Checks values for a contact of `entity_type`: each field must apply to it.
pub fn check_values(fields: &[FieldDefinition], entity_type: i64, values: &[FieldValue], param: &str) -> ApiResult<()> {
    let types = applicable(entity_type);
    for value in values {
        if !fields.iter().any(|f| f.id == value.field_id && types.contains(&f.entity_type)) {
            return Err(ApiError::invalid(
                param,
                format!("no custom field {} for this kind of contact", value.field_id),
            ));
        }
        if value.value.chars().count() > MAX_VALUE {
            return Err(ApiError::invalid(param, format!("a value has at most {MAX_VALUE} characters")));
        }
    }
    Ok(())
}

/// `POST crm/{entityType}/{entityid}/customfield/{fieldid}`: sets one value (empty removes it);
/// needs the edit right.
pub async fn set_value(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    field: FieldId,
    value: &str,
) -> ApiResult<(FieldDefinition, String)> {
    let contact = contacts::get(store, caller, contact).await?;
    if !access::can_edit(caller, &contact) {
        return Err(ApiError::forbidden("Access denied"));
    }
    let entity_type = entity_of(&contact);
    let definition = get(store, caller, entity_type, field).await?;
    check_values(
        std::slice::from_ref(&definition),
        entity_type,
        &[FieldValue { field_id: field, value: value.to_string() }],
        "fieldValue",
    )?;
    let mut tx = store.begin_write().await?;
    store.set_field_value(tx.conn(), caller.portal, contact.id, field, value).await?;
    tx.commit().await?;
    Ok((definition, value.trim().to_string()))
}

/// `PUT crm/{entityType}/customfield/reorder`: the listed fields take their position in the
/// list as sort order. Each must be a field of the route's kind of contact (404 otherwise, as
/// the original answers an unknown id); nothing changes unless all are. Returns them in order.
pub async fn reorder(
    store: &Store,
    caller: &Caller,
    entity_type: i64,
    ids: &[FieldId],
) -> ApiResult<Vec<FieldDefinition>> {
    require_admin(caller)?;
    let mut tx = store.begin_write().await?;
    let fields = store.field_definitions_in(tx.conn(), caller.portal, &applicable(entity_type), None).await?;
    let mut ordered: Vec<FieldDefinition> = Vec::with_capacity(ids.len());
    for id in ids {
        let field = fields.iter().find(|f| f.id == *id).ok_or_else(|| ApiError::not_found("Custom field not found"))?;
        if !ordered.iter().any(|o| o.id == field.id) {
            ordered.push(field.clone());
        }
    }
    let ids: Vec<FieldId> = ordered.iter().map(|f| f.id).collect();
    store.reorder_field_definitions(tx.conn(), caller.portal, &ids).await?;
    tx.commit().await?;
    for (position, field) in ordered.iter_mut().enumerate() {
        field.position = position as i64;
    }
    Ok(ordered)
}
