//! Who may read and change which contacts, as SQL: the conditions come from the one rule of
//! [`Right`]; and the writes of managers and share types.

use super::{args, Arg, Args, Conn};
use crate::model::access::{Right, Viewer};
use crate::model::ids::{ContactId, PortalId, ShareType, UserId};
use crate::store::{json_array, to_ticks, Backend, JsonField, Store};

/// The condition "the viewer has `right` on contact `c`", with its arguments; `None` when the
/// rule makes it no condition (an admin), so counts stay answered from an index alone (the
/// three status counts at 100,000 contacts on SQLite: 8 ms, against 69 ms through the rows).
///
/// Whether he manages the contact is a look-up of at most one row (the key is portal, contact,
/// user), made only for contacts the share type does not already open. Written as `EXISTS`,
/// PostgreSQL instead collected every contact the user manages into a hash before the first
/// row, whatever the page's size: a plain user's page of 25 took 13 ms at 100,000 contacts,
/// 0.2 ms so. SQLite runs both forms alike.
fn permitted(args: &mut Args, viewer: Viewer, right: Right) -> Option<String> {
    right.sql(viewer, "c.share_type", |user| {
        let user = args.push(Arg::Text(user.to_string()));
        format!(
            "(SELECT 1 FROM crm_contact_managers m \
             WHERE m.portal_id = c.portal_id AND m.contact_id = c.id AND m.user_id = {user} LIMIT 1) IS NOT NULL"
        )
    })
}

/// The condition "the viewer may read contact `c`", as a condition always.
pub(super) fn readable(args: &mut Args, viewer: Viewer) -> String {
    permitted(args, viewer, Right::Read).unwrap_or_else(|| "1 = 1".to_string())
}

/// Where a count of contacts reads from.
#[derive(Clone, Copy)]
pub(super) enum CountFrom {
    /// The contacts themselves: any condition on `c`.
    Contacts,
    /// The per-portal totals by kind and share type (migration 0019): a condition only on
    /// `c.is_company` and `c.share_type`, answered from a few rows at any portal size.
    Totals,
}

/// How many contacts of portal `portal` matching `condition` (on `c`) the viewer may read, as
/// one expression. For a user who is no admin it adds the shared ones to the private ones he
/// manages, each counted from an index, instead of testing the manager list of every contact
/// (the three status counts at 100,000 contacts: 77 ms so, 18 ms this way).
pub(super) fn readable_count(
    args: &mut Args,
    viewer: Viewer,
    portal: &str,
    condition: &str,
    from: CountFrom,
) -> String {
    let all = match from {
        CountFrom::Contacts => format!("SELECT COUNT(*) FROM crm_contacts c WHERE c.portal_id = {portal} AND {condition}"),
        CountFrom::Totals => format!(
            "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM crm_contact_counts c WHERE c.portal_id = {portal} AND {condition}"
        ),
    };
    if viewer.has_every_right() {
        return format!("({all})");
    }
    let user = args.push(Arg::Text(viewer.user.to_string()));
    let (open, closed) = (Right::Read.sql_open("c.share_type"), Right::Read.sql_closed("c.share_type"));
    let managed = match from {
        CountFrom::Contacts => format!(
            "SELECT COUNT(*) FROM crm_contact_managers m JOIN crm_contacts c ON c.id = m.contact_id \
             WHERE m.portal_id = {portal} AND m.user_id = {user} AND +c.portal_id = {portal} AND {closed} AND {condition}"
        ),
        // The manager rows carry their contact's share type and kind (migration 0021): his
        // own index answers without reading the contacts.
        CountFrom::Totals => format!(
            "SELECT COUNT(*) FROM crm_contact_managers c \
             WHERE c.portal_id = {portal} AND c.user_id = {user} AND {closed} AND {condition}"
        ),
    };
    format!("(({all} AND {open}) + ({managed}))")
}

/// The condition "the viewer may read the contact whose id is `column`", for rows that hang on
/// a contact (they go with it, so for an admin it is no condition and costs no look-up).
pub(in crate::store) fn readable_contact_of(args: &mut Args, viewer: Viewer, column: &str) -> String {
    match permitted(args, viewer, Right::Read) {
        Some(rule) => format!("EXISTS (SELECT 1 FROM crm_contacts c WHERE c.id = {column} AND {rule})"),
        None => "1 = 1".to_string(),
    }
}

impl Store {
    /// The contacts on which the viewer has `right` that have one of `emails` (lower case) as
    /// an email: `(email, lowest such contact id)` pairs, in one statement, inside a
    /// transaction (an import finds the duplicates it wrote itself).
    pub async fn contacts_by_emails_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        viewer: Viewer,
        right: Right,
        emails: &[String],
    ) -> Result<Vec<(String, ContactId)>, sqlx::Error> {
        if emails.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = Args::default();
        args.push(Arg::Int(portal.0));
        args.push(Arg::Text(json_array(emails)));
        let allowed = permitted(&mut args, viewer, right).unwrap_or_else(|| "1 = 1".to_string());
        let sql = format!(
            "SELECT lower(i.data) AS email, MIN(c.id) AS id FROM crm_contact_info i \
             JOIN crm_contacts c ON c.portal_id = i.portal_id AND c.id = i.contact_id \
             WHERE i.portal_id = $1 AND i.info_type = 1 AND lower(i.data) IN {} AND {allowed} GROUP BY lower(i.data)",
            self.json_texts(2)
        );
        conn.rows(&sql, &args, |row| Ok((row.text("email")?, ContactId(row.int("id")?)))).await
    }

    /// Makes `users` the exact manager list of each contact, in two statements.
    pub async fn set_managers(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contacts: &[ContactId],
        users: &[UserId],
    ) -> Result<(), sqlx::Error> {
        let sql =
            format!("DELETE FROM crm_contact_managers WHERE portal_id = $1 AND contact_id IN {}", self.json_ints(2));
        conn.execute(&sql, &args![portal.0, json_array(contacts)]).await?;
        self.add_managers(conn, portal, contacts, users).await
    }

    /// Adds `users` to the managers of `contacts`, which have none of them yet (a contact just
    /// inserted, or one whose managers were just removed).
    pub(crate) async fn add_managers(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contacts: &[ContactId],
        users: &[UserId],
    ) -> Result<(), sqlx::Error> {
        if users.is_empty() || contacts.is_empty() {
            return Ok(());
        }
        // Every id is kept, a user's who is not (or no longer) there too, as the original keeps
        // its access entries: the answers list him as the removed profile.
        let users = json_array(&users.iter().map(UserId::to_string).collect::<Vec<_>>());
        let user_ids = match self.backend {
            Backend::Sqlite => "(SELECT value AS user_id FROM json_each($3))",
            Backend::Postgres => "(SELECT jsonb_array_elements_text($3::jsonb) AS user_id)",
        };
        let sql = format!(
            "INSERT INTO crm_contact_managers (portal_id, contact_id, user_id) \
             SELECT DISTINCT $1, c.id, u.user_id FROM crm_contacts c CROSS JOIN {user_ids} u \
             WHERE +c.portal_id = $1 AND c.id IN {}",
            self.json_ints(2),
        );
        conn.execute(&sql, &args![portal.0, json_array(contacts), users]).await?;
        Ok(())
    }

    /// Sets the share type of contacts.
    pub async fn set_share_type(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contacts: &[ContactId],
        share_type: ShareType,
        by: UserId,
    ) -> Result<(), sqlx::Error> {
        let sql = format!(
            "UPDATE crm_contacts SET share_type = $3, modified_by = $4, modified_at = $5 WHERE +portal_id = $1 AND id IN {}",
            self.json_ints(2)
        );
        let now = to_ticks(chrono::Utc::now());
        conn.execute(&sql, &args![portal.0, json_array(contacts), share_type.number(), by.to_string(), now]).await?;
        Ok(())
    }

    /// Of `ids`, those that exist and on which the viewer has `right`, in one statement.
    pub async fn permitted_contact_ids(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        viewer: Viewer,
        ids: &[ContactId],
        right: Right,
    ) -> Result<Vec<ContactId>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = Args::default();
        args.push(Arg::Int(portal.0));
        args.push(Arg::Text(json_array(ids)));
        let right = permitted(&mut args, viewer, right).unwrap_or_else(|| "1 = 1".to_string());
        let sql = format!(
            "SELECT c.id FROM crm_contacts c WHERE +c.portal_id = $1 AND c.id IN {} AND {right} ORDER BY c.id",
            self.json_ints(2)
        );
        conn.rows(&sql, &args, |row| Ok(ContactId(row.int("id")?))).await
    }

    /// Adds `(contact, user)` manager pairs in one statement.
    pub async fn insert_managers_bulk(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        pairs: &[(ContactId, UserId)],
    ) -> Result<(), sqlx::Error> {
        if pairs.is_empty() {
            return Ok(());
        }
        let rows: Vec<serde_json::Value> = pairs
            .iter()
            .map(|(contact, user)| serde_json::json!({"contact_id": contact, "user_id": user.to_string()}))
            .collect();
        let source = self.json_objects(&[JsonField::Int("contact_id"), JsonField::Text("user_id")]);
        let sql = format!(
            "INSERT INTO crm_contact_managers (portal_id, contact_id, user_id) {source} ON CONFLICT DO NOTHING"
        );
        conn.execute(&sql, &args![portal.0, serde_json::Value::Array(rows).to_string()]).await?;
        Ok(())
    }
}
