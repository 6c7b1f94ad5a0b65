//! What a list of contacts shows besides the contact rows, in one statement.

use super::access::readable;
use super::{Arg, Args};
use crate::model::access::Viewer;
use crate::model::contacts::{ContactDetails, ContactInfo, ListItem, LIST_CONTACT_STATUS};
use crate::model::custom_fields::{FieldDefinition, FieldValue, ENTITY_COMPANY, ENTITY_CONTACT, ENTITY_PERSON};
use crate::model::ids::{ContactId, FieldId, InfoId, ListItemId, PortalId};
use crate::store::kept::ContactSettings;
use crate::store::{distinct_json_array, from_json_rows, Columns, Cost, Store};

impl Store {
    /// Everything a list of contacts shows besides the contact rows, in one statement: their
    /// details (info rows), tag names, member counts of companies and custom field values, and
    /// the portal's contact statuses and custom field definitions (kept while the portal's stamp
    /// holds, [`kept`](crate::store::kept)). Each branch of the union
    /// fills the columns its kind needs; the order gives each kind its own order. Member counts
    /// are looked up per listed id: as `company_id IN (...)`, PostgreSQL, knowing most contacts
    /// have company 0, scanned every contact (24 ms per contact read at 100,000); they count the
    /// members the viewer may read. Through a pool the rows come back as one JSON value
    /// ([`Store::json_rows`]): for 10,000 contacts 20 ms instead of 170.
    pub async fn contact_details(
        &self,
        portal: PortalId,
        viewer: Viewer,
        ids: &[ContactId],
    ) -> Result<ContactDetails, sqlx::Error> {
        let before = match &self.kept {
            Some(_) => Some(self.portal_stamp(portal).await?),
            None => None,
        };
        let kept_settings = match (&self.kept, before) {
            (Some(kept), Some(stamp)) => kept.contact_settings(portal, stamp),
            _ => None,
        };
        // The statuses and field definitions, unless kept; on a SQLite file, with a row carrying
        // the portal's stamp as this statement reads it.
        let settings = match &kept_settings {
            Some(_) => String::new(),
            None => format!(
                " UNION ALL SELECT 's', sort_order, id, 0, 0, 0, title, description, color \
                 FROM crm_list_items WHERE portal_id = $1 AND list_type = {LIST_CONTACT_STATUS} \
                 UNION ALL SELECT 'f', sort_order, id, entity_type, field_type, 0, label, mask, NULL \
                 FROM crm_custom_fields WHERE portal_id = $1 AND entity_type IN ({ENTITY_CONTACT}, {ENTITY_COMPANY}, {ENTITY_PERSON}){}",
                if self.stamps_read_along() {
                    format!(" UNION ALL SELECT 'z', {}, 0, 0, 0, 0, NULL, NULL, NULL", self.stamp_column())
                } else {
                    String::new()
                }
            ),
        };
        let cost = Cost::of_ids(ids.len());
        let mut args = Args::default();
        args.push(Arg::Int(portal.0));
        args.push(Arg::Text(distinct_json_array(ids)));
        let readable = readable(&mut args, viewer);
        let ids = self.json_ints(2);
        let infos = self.from_listed("crm_contact_info i", "i.contact_id", &ids);
        let tags = self.from_listed("crm_contact_tags l JOIN crm_tags t ON t.id = l.tag_id", "l.contact_id", &ids);
        let values = self.from_listed("crm_custom_field_values v", "v.contact_id", &ids);
        let members = super::among_members("c.company_id", "= x.id");
        let union = format!(
            "SELECT 'i' AS k, i.contact_id AS a, i.info_type AS b, i.id AS c, i.is_primary AS d, i.category AS e, \
                    i.data AS s, CAST(NULL AS TEXT) AS t, CAST(NULL AS TEXT) AS u \
             {infos} AND i.portal_id = $1 \
             UNION ALL SELECT 't', l.contact_id, 0, 0, 0, 0, t.title, NULL, NULL {tags} AND l.portal_id = $1 \
             UNION ALL SELECT 'p', p.id, p.n, 0, 0, 0, NULL, NULL, NULL FROM (SELECT x.id, \
                    (SELECT COUNT(*) FROM crm_contacts c WHERE c.portal_id = $1 AND {members} AND {readable}) AS n \
                FROM {ids} AS x) AS p WHERE p.n > 0 \
             UNION ALL SELECT 'v', v.contact_id, v.field_id, 0, 0, 0, v.value, NULL, NULL \
             {values} AND v.portal_id = $1{settings}"
        );
        type Row = (String, i64, i64, i64, i64, i64, Option<String>, Option<String>, Option<String>);
        let mut rows: Vec<Row> = if self.reads_in_place() {
            let sql = format!("SELECT k, a, b, c, d, e, s, t, u FROM ({union}) AS v");
            let row = |row: &dyn Columns| {
                let int = |name| row.int(name);
                Ok((
                    row.text("k")?,
                    int("a")?,
                    int("b")?,
                    int("c")?,
                    int("d")?,
                    int("e")?,
                    row.opt_text("s")?,
                    row.opt_text("t")?,
                    row.opt_text("u")?,
                ))
            };
            self.read_rows_costing(cost, &sql, &args, row).await?
        } else {
            let sql = format!("SELECT {} AS rows FROM ({union}) AS v", self.json_rows("k, a, b, c, d, e, s, t, u"));
            from_json_rows(&self.read_json_rows(cost, &sql, &args).await?)?
        };
        // In the columns' order: kind, then `a`, `b`, `c` (a detail's contact, type and id; a
        // tag's contact, then its title in `s`; a status's or a field's sort order and id).
        rows.sort_unstable_by(|x, y| (&x.0, x.1, x.2, x.3, &x.6).cmp(&(&y.0, y.1, y.2, y.3, &y.6)));
        let mut details = ContactDetails::default();
        let mut stamp = None;
        for (kind, a, b, c, d, e, s, t, u) in rows {
            let text = s.unwrap_or_default();
            let contact = ContactId(a);
            match kind.as_str() {
                "i" => details.infos.entry(contact).or_default().push(ContactInfo {
                    id: InfoId(c),
                    info_type: b,
                    category: e,
                    data: text,
                    is_primary: d != 0,
                }),
                "t" => details.tags.entry(contact).or_default().push(text),
                "p" => {
                    details.persons.insert(contact, b);
                }
                "v" => {
                    details.values.entry(contact).or_default().push(FieldValue { field_id: FieldId(b), value: text })
                }
                "s" => details.statuses.push(ListItem {
                    id: ListItemId(b),
                    title: text,
                    description: t,
                    color: u,
                    sort_order: a,
                    used_by: 0,
                }),
                "z" => stamp = Some(a),
                _ => details.fields.push(FieldDefinition {
                    id: FieldId(b),
                    entity_type: c,
                    label: text,
                    field_type: d,
                    position: a,
                    mask: t.unwrap_or_default(),
                    used_by: 0,
                }),
            }
        }
        let stamp = if self.stamps_read_along() { stamp } else { before };
        match (kept_settings, &self.kept, stamp) {
            (Some(settings), ..) => (details.statuses, details.fields) = (settings.statuses, settings.fields),
            (None, Some(kept), Some(stamp)) => kept.keep_contact_settings(
                portal,
                ContactSettings { stamp, statuses: details.statuses.clone(), fields: details.fields.clone() },
            ),
            _ => {}
        }
        Ok(details)
    }
}
