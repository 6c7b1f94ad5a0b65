//! CRM contacts: rows, managers, details, tags, list items and project links. Batch statements
//! take their ids as one JSON value, so 10,000 ids are still one statement.
//!
//! Id-list statements write `+c.portal_id`: the unary plus keeps SQLite from scanning the
//! portal's contacts through a portal index instead of looking the ids up (the tenant check
//! stays).

mod access;
mod counts;
mod details;
mod filter;
mod links;
mod list_items;
mod merge;
mod tags;
mod view;

use sqlx::any::AnyRow;
use sqlx::Row;

pub(super) use super::{args, Arg, Args, Columns, Conn, Cost};
use super::{
    distinct_json_array, from_json_rows, from_ticks, json_array, parse_uuid, to_ticks, Backend, JsonField, Store,
};
use crate::model::contacts::{Contact, ContactPatch, NewContact};
use crate::model::ids::{CompanyId, ContactId, PortalId, ShareType, UserId};

pub(in crate::store) use access::readable_contact_of;

/// A contact as [`Store::contacts_by_ids_in`] reads it: one JSON array per contact, in the
/// order of `CONTACT_ITEMS`, its managers' ids last (serde reads a struct from an array in
/// field order); or a row read in place ([`ContactRow::from_columns`]).
#[derive(serde::Deserialize)]
struct ContactRow {
    id: i64,
    is_company: i64,
    first_name: String,
    last_name: String,
    company_name: String,
    title: Option<String>,
    about: Option<String>,
    industry: Option<String>,
    company_id: i64,
    status_id: i64,
    contact_type_id: i64,
    share_type: i64,
    currency: Option<String>,
    created_by: String,
    created_at: i64,
    modified_by: String,
    modified_at: i64,
    managers: Vec<String>,
}

const CONTACT_ITEMS: &str = "c.id, c.is_company, c.first_name, c.last_name, c.company_name, c.title, c.about, \
    c.industry, c.company_id, c.status_id, c.contact_type_id, c.share_type, c.currency, c.created_by, c.created_at, \
    c.modified_by, c.modified_at";

/// The rows of a contact's managers, `c` being the contact.
const CONTACT_MANAGERS: &str = "FROM crm_contact_managers m WHERE m.portal_id = c.portal_id AND m.contact_id = c.id";

impl ContactRow {
    /// A row of `CONTACT_ITEMS` and `managers`, the managers' ids joined by commas (none: NULL).
    fn from_columns(row: &dyn Columns) -> Result<ContactRow, sqlx::Error> {
        Ok(ContactRow {
            id: row.int("id")?,
            is_company: row.int("is_company")?,
            first_name: row.text("first_name")?,
            last_name: row.text("last_name")?,
            company_name: row.text("company_name")?,
            title: row.opt_text("title")?,
            about: row.opt_text("about")?,
            industry: row.opt_text("industry")?,
            company_id: row.int("company_id")?,
            status_id: row.int("status_id")?,
            contact_type_id: row.int("contact_type_id")?,
            share_type: row.int("share_type")?,
            currency: row.opt_text("currency")?,
            created_by: row.text("created_by")?,
            created_at: row.int("created_at")?,
            modified_by: row.text("modified_by")?,
            modified_at: row.int("modified_at")?,
            managers: row
                .opt_text("managers")?
                .map(|ids| ids.split(',').map(String::from).collect())
                .unwrap_or_default(),
        })
    }

    fn into_contact(self) -> Result<Contact, sqlx::Error> {
        Ok(Contact {
            is_company: self.is_company != 0,
            created_by: UserId(parse_uuid(&self.created_by)?),
            created_at: from_ticks(self.created_at),
            modified_by: UserId(parse_uuid(&self.modified_by)?),
            modified_at: from_ticks(self.modified_at),
            managers: {
                let mut managers =
                    self.managers.iter().map(|id| parse_uuid(id).map(UserId)).collect::<Result<Vec<_>, _>>()?;
                managers.sort_unstable();
                managers
            },
            id: ContactId(self.id),
            first_name: self.first_name,
            last_name: self.last_name,
            company_name: self.company_name,
            title: self.title,
            about: self.about,
            industry: self.industry,
            company_id: CompanyId::from_number(self.company_id),
            status_id: self.status_id,
            contact_type_id: self.contact_type_id,
            // A number the store did not write reads as private, the safe side.
            share_type: ShareType::from_number(self.share_type).unwrap_or_default(),
            currency: self.currency,
        })
    }
}

/// The condition "the contact is a member of the companies `test` selects" on the company
/// column `column` (`test` is `= x` or `IN (...)`). It also says the company is not 0: only the
/// partial index of members (migration 0020) holds contacts by company on SQLite (migration
/// 0024), and SQLite uses a partial index only where the query implies its condition.
fn among_members(column: &str, test: &str) -> String {
    format!("{column} {test} AND {column} <> 0")
}

fn contact_ids_args(portal: PortalId, ids: &[ContactId]) -> Args {
    let mut args = Args::default();
    args.push(Arg::Int(portal.0));
    args.push(Arg::Text(distinct_json_array(ids)));
    args
}

fn contacts_from_json(rows: &str) -> Result<Vec<Contact>, sqlx::Error> {
    let contacts = from_json_rows::<ContactRow>(rows)?.into_iter().map(ContactRow::into_contact);
    Ok(by_id(contacts.collect::<Result<_, _>>()?))
}

fn by_id(mut contacts: Vec<Contact>) -> Vec<Contact> {
    contacts.sort_unstable_by_key(|contact| contact.id);
    contacts
}

/// The `id` column of each row, as the typed id it is.
fn ids_of<Id: From<i64>>(rows: Vec<AnyRow>) -> Result<Vec<Id>, sqlx::Error> {
    rows.iter().map(|row| Ok(Id::from(row.try_get::<i64, _>("id")?))).collect()
}

impl Store {
    /// Contacts by id with their managers, in one statement; missing ids are left out. (The
    /// reads and the insert the integration tests call take plain numbers too.)
    pub async fn contacts_by_ids(
        &self,
        portal: impl Into<PortalId>,
        ids: &[impl Into<ContactId> + Copy],
    ) -> Result<Vec<Contact>, sqlx::Error> {
        let ids: Vec<ContactId> = ids.iter().map(|id| (*id).into()).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (cost, args) = (Cost::of_ids(ids.len()), contact_ids_args(portal.into(), &ids));
        if !self.reads_in_place() {
            return contacts_from_json(&self.read_json_rows(cost, &self.contacts_by_ids_sql(), &args).await?);
        }
        let sql = self.contact_rows_by_ids_sql();
        let contacts = self.read_rows_costing(cost, &sql, &args, |row| ContactRow::from_columns(row)?.into_contact());
        Ok(by_id(contacts.await?))
    }

    /// The same inside a transaction: a request holding one connection never waits for a
    /// second one (under load that would deadlock the pool).
    pub async fn contacts_by_ids_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        ids: &[ContactId],
    ) -> Result<Vec<Contact>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let args = contact_ids_args(portal, ids);
        if !conn.in_place() {
            return contacts_from_json(&conn.one(&self.contacts_by_ids_sql(), &args, |row| row.text("rows")).await?);
        }
        let sql = self.contact_rows_by_ids_sql();
        let contacts = conn.rows(&sql, &args, |row| ContactRow::from_columns(row)?.into_contact());
        Ok(by_id(contacts.await?))
    }

    /// Contacts by id (`$2`, a JSON array) with their managers, as rows (the managers as one
    /// text), for statements that run in place: no JSON built by SQLite and parsed again here.
    fn contact_rows_by_ids_sql(&self) -> String {
        format!(
            "SELECT {CONTACT_ITEMS}, (SELECT group_concat(m.user_id) {CONTACT_MANAGERS}) AS managers {} \
             AND +c.portal_id = $1",
            self.from_listed("crm_contacts c", "c.id", &self.json_ints(2))
        )
    }

    /// Contacts by id (`$2`, a JSON array) with their managers, as one JSON value.
    fn contacts_by_ids_sql(&self) -> String {
        let managers = self.json_list("m.user_id", CONTACT_MANAGERS);
        format!(
            "SELECT {} AS rows {} AND +c.portal_id = $1",
            self.json_rows(&format!("{CONTACT_ITEMS}, {managers}")),
            self.from_listed("crm_contacts c", "c.id", &self.json_ints(2))
        )
    }

    pub async fn contact(
        &self,
        portal: impl Into<PortalId>,
        id: impl Into<ContactId>,
    ) -> Result<Option<Contact>, sqlx::Error> {
        Ok(self.contacts_by_ids(portal, &[id.into()]).await?.pop())
    }

    pub async fn insert_contact(
        &self,
        mut conn: Conn<'_>,
        portal: impl Into<PortalId>,
        contact: &NewContact,
        by: impl Into<UserId>,
    ) -> Result<i64, sqlx::Error> {
        let (portal, by) = (portal.into(), by.into());
        let now = to_ticks(chrono::Utc::now());
        let args = args![
            portal.0,
            i64::from(contact.is_company),
            contact.first_name.clone(),
            contact.last_name.clone(),
            contact.company_name.clone(),
            contact.display_name(),
            contact.display_name().to_lowercase(),
            contact.title.clone(),
            contact.about.clone(),
            contact.industry.clone(),
            CompanyId::number(contact.company_id),
            contact.share_type.number(),
            by.to_string(),
            now,
        ];
        let sql = "INSERT INTO crm_contacts (portal_id, is_company, first_name, last_name, company_name, display_name, \
                   search_name, title, about, industry, company_id, share_type, created_by, created_at, modified_by, \
                   modified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14) RETURNING id";
        let id = conn.one(sql, &args, |row| row.int("id")).await?;
        self.add_managers(conn, portal, &[ContactId(id)], &contact.managers).await?;
        Ok(id)
    }

    /// Writes a contact's fields (not its managers).
    /// Writes the columns an edit sets, and who changed the contact when.
    pub async fn update_contact(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: ContactId,
        patch: &ContactPatch,
        by: UserId,
    ) -> Result<(), sqlx::Error> {
        let mut args = Args::default();
        let mut sets = Vec::new();
        let mut set = |column: &str, value: Arg| sets.push(format!("{column} = {}", args.push(value)));
        let texts = [
            ("first_name", &patch.first_name),
            ("last_name", &patch.last_name),
            ("company_name", &patch.company_name),
            ("display_name", &patch.display_name),
            ("search_name", &patch.display_name.as_ref().map(|name| name.to_lowercase())),
            ("title", &patch.title),
            ("about", &patch.about),
            ("industry", &patch.industry),
        ];
        for (column, value) in texts {
            if let Some(value) = value {
                set(column, Arg::Text(value.clone()));
            }
        }
        let ints = [
            ("company_id", patch.company_id.map(CompanyId::number)),
            ("status_id", patch.status_id),
            ("contact_type_id", patch.contact_type_id),
            ("share_type", patch.share_type.map(ShareType::number)),
        ];
        for (column, value) in ints {
            if let Some(value) = value {
                set(column, Arg::Int(value));
            }
        }
        set("modified_by", Arg::Text(by.to_string()));
        set("modified_at", Arg::Int(to_ticks(chrono::Utc::now())));
        let sql = format!(
            "UPDATE crm_contacts SET {} WHERE portal_id = {} AND id = {}",
            sets.join(", "),
            args.push(Arg::Int(portal.0)),
            args.push(Arg::Int(id.0))
        );
        conn.execute(&sql, &args).await?;
        Ok(())
    }

    /// Puts persons into a company (`None`: out of any), in one statement; companies among
    /// `persons` are left alone.
    pub async fn set_persons_company(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        persons: &[ContactId],
        company: Option<CompanyId>,
        by: UserId,
    ) -> Result<(), sqlx::Error> {
        if persons.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE crm_contacts SET company_id = $3, modified_by = $4, modified_at = $5 \
             WHERE +portal_id = $1 AND is_company = 0 AND id IN {}",
            self.json_ints(2)
        );
        let now = to_ticks(chrono::Utc::now());
        conn.execute(&sql, &args![portal.0, json_array(persons), company.map_or(0, |c| c.0), by.to_string(), now])
            .await?;
        Ok(())
    }

    /// Sets the status of contacts, and who changed them when, in one statement.
    pub async fn set_contacts_status(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        ids: &[ContactId],
        status: i64,
        by: UserId,
    ) -> Result<(), sqlx::Error> {
        let sql = format!(
            "UPDATE crm_contacts SET status_id = $3, modified_by = $4, modified_at = $5 \
             WHERE +portal_id = $1 AND id IN {}",
            self.json_ints(2)
        );
        let now = to_ticks(chrono::Utc::now());
        conn.execute(&sql, &args![portal.0, json_array(ids), status, by.to_string(), now]).await?;
        Ok(())
    }

    /// Sets a contact's creation time (`created`) or last change time, as given.
    pub async fn set_contact_date(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: ContactId,
        created: bool,
        date: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), sqlx::Error> {
        let column = if created { "created_at" } else { "modified_at" };
        let sql = format!("UPDATE crm_contacts SET {column} = $3 WHERE portal_id = $1 AND id = $2");
        conn.execute(&sql, &args![portal.0, id.0, to_ticks(date)]).await?;
        Ok(())
    }

    /// Deletes contacts; what hangs on them goes by cascade, and persons of deleted companies
    /// are unlinked. Two statements for any number of ids.
    pub async fn delete_contacts(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        ids: &[ContactId],
    ) -> Result<(), sqlx::Error> {
        let list = json_array(ids);
        let members = among_members("company_id", &format!("IN {}", self.json_ints(2)));
        let sql = format!("UPDATE crm_contacts SET company_id = 0 WHERE portal_id = $1 AND {members}");
        let args = args![portal.0, list];
        conn.execute(&sql, &args).await?;
        let sql = format!("DELETE FROM crm_contacts WHERE +portal_id = $1 AND id IN {}", self.json_ints(2));
        conn.execute(&sql, &args).await?;
        Ok(())
    }

    /// Locks contact rows until the transaction ends (PostgreSQL; SQLite writers already run
    /// one at a time), so concurrent batch writes apply one after the other.
    pub async fn lock_contacts(&self, conn: Conn<'_>, portal: PortalId, ids: &[ContactId]) -> Result<(), sqlx::Error> {
        self.lock_contacts_where(conn, portal, ids, "id IN {list}").await
    }

    /// Locks the contacts a delete changes, the listed ones and the members of the listed
    /// companies (unlinked from them), in one id order (PostgreSQL). Locking the listed rows
    /// first and the members in the UPDATE later took locks out of order: overlapping deletes of
    /// companies and their members deadlocked.
    pub async fn lock_contacts_and_members(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        ids: &[ContactId],
    ) -> Result<(), sqlx::Error> {
        let condition = format!("(id IN {{list}} OR {})", among_members("company_id", "IN {list}"));
        self.lock_contacts_where(conn, portal, ids, &condition).await
    }

    /// Locks, in id order, the rows `condition` selects, `{list}` standing for `ids`.
    async fn lock_contacts_where(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        ids: &[ContactId],
        condition: &str,
    ) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres && !ids.is_empty() {
            let condition = condition.replace("{list}", &self.json_ints(2));
            let sql =
                format!("SELECT id FROM crm_contacts WHERE portal_id = $1 AND {condition} ORDER BY id FOR UPDATE");
            conn.rows(&sql, &args![portal.0, json_array(ids)], |_| Ok(())).await?;
        }
        Ok(())
    }

    /// Inserts many contacts in one statement (the seed and the importer); returns their ids
    /// in order. Managers, details and tags are added separately.
    pub async fn insert_contacts_bulk(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        contacts: &[NewContact],
        by: UserId,
    ) -> Result<Vec<ContactId>, sqlx::Error> {
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let now = to_ticks(chrono::Utc::now());
        let rows: Vec<serde_json::Value> = contacts
            .iter()
            .map(|c| {
                serde_json::json!({
                    "is_company": i64::from(c.is_company), "first_name": c.first_name, "last_name": c.last_name,
                    "company_name": c.company_name, "display_name": c.display_name(), "search_name": c.display_name().to_lowercase(),
                    "title": c.title, "about": c.about, "industry": c.industry,
                    "company_id": CompanyId::number(c.company_id), "share_type": c.share_type.number(),
                    "created_by": by, "created_at": now,
                })
            })
            .collect();
        let columns = "portal_id, is_company, first_name, last_name, company_name, display_name, search_name, title, about, industry, \
                       company_id, share_type, created_by, created_at, modified_by, modified_at";
        let source = self.json_objects(&[
            JsonField::Int("is_company"),
            JsonField::Text("first_name"),
            JsonField::Text("last_name"),
            JsonField::Text("company_name"),
            JsonField::Text("display_name"),
            JsonField::Text("search_name"),
            JsonField::Text("title"),
            JsonField::Text("about"),
            JsonField::Text("industry"),
            JsonField::Int("company_id"),
            JsonField::Int("share_type"),
            JsonField::Text("created_by"),
            JsonField::Int("created_at"),
            JsonField::Text("created_by"),
            JsonField::Int("created_at"),
        ]);
        let sql = format!("INSERT INTO crm_contacts ({columns}) {source} RETURNING id");
        let args = args![portal.0, serde_json::Value::Array(rows).to_string()];
        let mut ids = conn.rows(&sql, &args, |row| Ok(ContactId(row.int("id")?))).await?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// The first company (lowest id) of each of the given names, matched case-insensitively:
    /// `(lower-cased name, id)` pairs, in one statement.
    pub async fn companies_by_names(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        names: &[String],
    ) -> Result<Vec<(String, CompanyId)>, sqlx::Error> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT search_name, MIN(id) AS id FROM crm_contacts \
             WHERE portal_id = $1 AND search_name IN {} AND is_company = 1 GROUP BY search_name",
            self.json_texts(2)
        );
        let args = args![portal.0, json_array(names)];
        conn.rows(&sql, &args, |row| Ok((row.text("search_name")?, CompanyId(row.int("id")?)))).await
    }

    /// Adds `(contact, column = value)` rows to `table` for the listed contacts that exist;
    /// rows already there stay once. One statement for any number of contacts.
    async fn attach_to_contacts(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        table: &str,
        column: &str,
        value: i64,
        contacts: &[ContactId],
    ) -> Result<(), sqlx::Error> {
        let sql = format!(
            "INSERT INTO {table} (portal_id, contact_id, {column}) \
             SELECT $1, c.id, $3 FROM crm_contacts c WHERE +c.portal_id = $1 AND c.id IN {} ON CONFLICT DO NOTHING",
            self.json_ints(2)
        );
        conn.execute(&sql, &args![portal.0, json_array(contacts), value]).await?;
        Ok(())
    }
}
