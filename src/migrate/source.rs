//! Reading the original's MySQL (or MariaDB) database: the only SQL outside `src/store`, since
//! this database is the source, not ours. Rows come as streams of [`Record`]s, every column
//! either an integer or text (dates as seconds since 1970, UTC as the original stores them).

use anyhow::Context;
use futures_util::stream::{BoxStream, StreamExt};
use std::str::FromStr;

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions, MySqlRow};
use sqlx::{ConnectOptions, Row};

/// A tenant of the original: a portal.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: i64,
    pub name: String,
    pub alias: String,
    pub mapped_domain: Option<String>,
    pub owner: Option<String>,
}

/// One value of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

/// One row read, its values in the order of its query's columns.
#[derive(Debug, Clone)]
pub struct Record(Vec<Value>);

impl Record {
    pub fn int(&self, n: usize) -> Option<i64> {
        match self.0.get(n) {
            Some(Value::Int(v)) => Some(*v),
            Some(Value::Text(v)) => v.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn text(&self, n: usize) -> Option<String> {
        match self.0.get(n) {
            Some(Value::Text(v)) => Some(v.clone()),
            Some(Value::Int(v)) => Some(v.to_string()),
            _ => None,
        }
    }

    /// The text, or empty when null.
    pub fn string(&self, n: usize) -> String {
        self.text(n).unwrap_or_default()
    }
}

/// The original's read access to CRM objects; its `core_acl` rows with it are contact managers.
pub const CRM_READ_ACTION: &str = "6f05c382-8bca-4469-9424-c807a98c40d7";

/// The tables read, each query taking the tenant as its one parameter. `d(x)` is a date as
/// seconds since 1970 (it works before 1970 too, for birthdays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Users,
    Passwords,
    Groups,
    UserGroups,
    Projects,
    Participants,
    ListItems,
    Contacts,
    ContactAcl,
    ContactInfos,
    Tags,
    ContactTags,
    Fields,
    FieldValues,
    ProjectLinks,
}

impl Table {
    pub const ALL: [Table; 15] = [
        Table::Users,
        Table::Passwords,
        Table::Groups,
        Table::UserGroups,
        Table::Projects,
        Table::Participants,
        Table::ListItems,
        Table::Contacts,
        Table::ContactAcl,
        Table::ContactInfos,
        Table::Tags,
        Table::ContactTags,
        Table::Fields,
        Table::FieldValues,
        Table::ProjectLinks,
    ];

    /// The original's table, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Table::Users => "core_user",
            Table::Passwords => "core_usersecurity",
            Table::Groups => "core_group",
            Table::UserGroups => "core_usergroup",
            Table::Projects => "projects_projects",
            Table::Participants => "projects_project_participant",
            Table::ListItems => "crm_list_item",
            Table::Contacts => "crm_contact",
            Table::ContactAcl => "core_acl",
            Table::ContactInfos => "crm_contact_info",
            Table::Tags => "crm_tag",
            Table::ContactTags => "crm_entity_tag",
            Table::Fields => "crm_field_description",
            Table::FieldValues => "crm_field_value",
            Table::ProjectLinks => "crm_projects",
        }
    }

    /// The query and the positions of its integer columns (the rest is text).
    fn query(self) -> (String, &'static [usize]) {
        let (sql, ints): (&str, &'static [usize]) = match self {
            Table::Users => (
                "SELECT id, username, firstname, lastname, sex, d(bithdate), status, activation_status, email, \
                 d(workfromdate), d(terminateddate), title, culture, contacts, phone, phone_activation, location, \
                 notes, sid, sso_name_id, removed, d(create_on), d(last_modified), user_lead \
                 FROM core_user WHERE tenant = ? ORDER BY id",
                &[4, 5, 6, 7, 9, 10, 15, 20, 21, 22],
            ),
            Table::Passwords => ("SELECT userid, pwdhash FROM core_usersecurity WHERE tenant = ?", &[]),
            Table::Groups => (
                "SELECT id, name, categoryid, removed, d(last_modified) FROM core_group WHERE tenant = ? ORDER BY id",
                &[3, 4],
            ),
            Table::UserGroups => (
                "SELECT userid, groupid, ref_type FROM core_usergroup WHERE tenant = ? AND removed = 0 \
                 ORDER BY groupid, userid",
                &[2],
            ),
            Table::Projects => (
                "SELECT id, status, d(status_changed), title, description, responsible_id, private, d(create_on), \
                 create_by, d(last_modified_on), last_modified_by FROM projects_projects WHERE tenant_id = ? ORDER BY id",
                &[0, 1, 2, 6, 7, 9],
            ),
            Table::Participants => (
                "SELECT project_id, participant_id FROM projects_project_participant WHERE tenant = ? AND removed = 0",
                &[0],
            ),
            Table::ListItems => (
                "SELECT id, list_type, title, description, color, sort_order FROM crm_list_item WHERE tenant_id = ? \
                 ORDER BY id",
                &[0, 1, 5],
            ),
            // Companies first, so that a person's company is known when the person comes.
            Table::Contacts => (
                "SELECT id, is_company, first_name, last_name, company_name, display_name, title, notes, industry, \
                 company_id, status_id, contact_type_id, is_shared, currency, create_by, d(create_on), \
                 last_modifed_by, d(last_modifed_on) FROM crm_contact WHERE tenant_id = ? ORDER BY is_company DESC, id",
                &[0, 1, 9, 10, 11, 12, 15, 17],
            ),
            Table::ContactAcl => (
                "SELECT subject, object, acetype FROM core_acl WHERE tenant = ? \
                 AND action = '6f05c382-8bca-4469-9424-c807a98c40d7' \
                 AND (object LIKE 'ASC.CRM.Core.Entities.Person|%' OR object LIKE 'ASC.CRM.Core.Entities.Company|%')",
                &[2],
            ),
            Table::ContactInfos => (
                "SELECT id, contact_id, type, category, data, is_primary FROM crm_contact_info WHERE tenant_id = ? \
                 ORDER BY id",
                &[0, 1, 2, 3, 5],
            ),
            Table::Tags => ("SELECT id, title, entity_type FROM crm_tag WHERE tenant_id = ? ORDER BY id", &[0, 2]),
            Table::ContactTags => (
                "SELECT e.tag_id, e.entity_id, e.entity_type FROM crm_entity_tag e JOIN crm_tag t ON t.id = e.tag_id \
                 WHERE t.tenant_id = ? AND t.entity_type = 0",
                &[0, 1, 2],
            ),
            Table::Fields => (
                "SELECT id, entity_type, label, type, sort_order, mask FROM crm_field_description WHERE tenant_id = ? \
                 ORDER BY id",
                &[0, 1, 3, 4],
            ),
            Table::FieldValues => (
                "SELECT field_id, entity_id, entity_type, value FROM crm_field_value WHERE tenant_id = ? ORDER BY id",
                &[0, 1, 2],
            ),
            Table::ProjectLinks => {
                ("SELECT contact_id, project_id FROM crm_projects WHERE tenant_id = ?", &[0, 1])
            }
        };
        let sql = expand_dates(sql);
        (sql, ints)
    }
}

/// Replaces each `d(column)` by the column's seconds since 1970.
fn expand_dates(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() * 2);
    let mut rest = sql;
    while let Some(start) = rest.find("d(") {
        let at_word_start = start == 0 || !rest.as_bytes()[start - 1].is_ascii_alphanumeric();
        let Some(len) = rest[start..].find(')').filter(|_| at_word_start) else {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        };
        let column = &rest[start + 2..start + len];
        out.push_str(&rest[..start]);
        out.push_str(&format!("TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', {column})"));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// A connection to the original's database.
pub struct Source {
    pool: MySqlPool,
}

impl Source {
    pub async fn connect(url: &str) -> anyhow::Result<Source> {
        if !url.starts_with("mysql://") && !url.starts_with("mariadb://") {
            anyhow::bail!("--from takes a mysql://USER[:PASSWORD]@HOST:PORT/DATABASE URL");
        }
        let url = url.replacen("mariadb://", "mysql://", 1);
        let invalid = || format!("invalid ONLYOFFICE database URL {}", redact(&url));
        // A table is read as one stream, which sqlx would report as one slow statement.
        let options = MySqlConnectOptions::from_str(&url).with_context(invalid)?.disable_statement_logging();
        let pool = MySqlPoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the ONLYOFFICE database {}", redact(&url)))?;
        Ok(Source { pool })
    }

    /// The tenants, by id.
    pub async fn tenants(&self) -> anyhow::Result<Vec<Tenant>> {
        let rows = sqlx::query(
            "SELECT id, CAST(name AS CHAR) AS name, CAST(alias AS CHAR) AS alias, \
             CAST(mappeddomain AS CHAR) AS mappeddomain, CAST(owner_id AS CHAR) AS owner_id \
             FROM tenants_tenants ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading tenants_tenants: is this an ONLYOFFICE database?")?;
        rows.iter()
            .map(|row| {
                Ok(Tenant {
                    id: i64::from(row.try_get::<i32, _>("id")?),
                    name: row.try_get("name")?,
                    alias: row.try_get("alias")?,
                    mapped_domain: row.try_get::<Option<String>, _>("mappeddomain")?.filter(|d| !d.is_empty()),
                    owner: row.try_get("owner_id")?,
                })
            })
            .collect()
    }

    /// How many rows of a table belong to a tenant.
    pub async fn count(&self, table: Table, tenant: i64) -> anyhow::Result<u64> {
        let (sql, _) = table.query();
        let sql = format!("SELECT COUNT(*) FROM ({sql}) AS t");
        let n: i64 = sqlx::query_scalar(&sql)
            .bind(tenant)
            .fetch_one(&self.pool)
            .await
            .with_context(|| format!("counting {}", table.name()))?;
        Ok(n.max(0) as u64)
    }

    /// A table's query, ready to run for any tenant.
    pub fn prepare(&self, table: Table) -> Prepared {
        let (sql, ints) = table.query();
        // Every column comes as an integer or as text, so reading needs no knowledge of types.
        let cast: Vec<String> = (0..select_list(&sql))
            .map(|n| if ints.contains(&n) { format!("CAST(c{n} AS SIGNED)") } else { format!("CAST(c{n} AS CHAR)") })
            .collect();
        let sql = format!("SELECT {} FROM ({}) AS t", cast.join(", "), alias_columns(&sql));
        Prepared { table, sql, ints }
    }

    /// A tenant's rows of a table, streamed.
    pub fn rows<'a>(&'a self, prepared: &'a Prepared, tenant: i64) -> BoxStream<'a, anyhow::Result<Record>> {
        sqlx::query(&prepared.sql)
            .bind(tenant)
            .fetch(&self.pool)
            .map(move |row| {
                let row = row.with_context(|| format!("reading {}", prepared.table.name()))?;
                Ok(Record(decode(&row, prepared.ints)?))
            })
            .boxed()
    }
}

/// A table's query with every column cast to an integer or text.
pub struct Prepared {
    table: Table,
    sql: String,
    ints: &'static [usize],
}

impl Prepared {
    pub fn table(&self) -> Table {
        self.table
    }
}

fn decode(row: &MySqlRow, ints: &[usize]) -> Result<Vec<Value>, sqlx::Error> {
    (0..row.len())
        .map(|n| {
            Ok(if ints.contains(&n) {
                row.try_get::<Option<i64>, _>(n)?.map_or(Value::Null, Value::Int)
            } else {
                row.try_get::<Option<String>, _>(n)?.map_or(Value::Null, Value::Text)
            })
        })
        .collect()
}

/// How many columns a `SELECT a, b, f(c, d) FROM ...` selects.
fn select_list(sql: &str) -> usize {
    split_columns(sql).len()
}

/// The query with its columns named `c0`, `c1`, ...
fn alias_columns(sql: &str) -> String {
    let columns = split_columns(sql);
    let from = sql.find(" FROM ").unwrap_or(sql.len());
    let named: Vec<String> = columns.iter().enumerate().map(|(n, c)| format!("{c} AS c{n}")).collect();
    format!("SELECT {}{}", named.join(", "), &sql[from..])
}

fn split_columns(sql: &str) -> Vec<String> {
    let list = sql.trim_start_matches("SELECT ");
    let list = &list[..list.find(" FROM ").unwrap_or(list.len())];
    let mut columns = Vec::new();
    let (mut depth, mut current) = (0, String::new());
    for c in list.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                columns.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    columns.push(current.trim().to_string());
    columns
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_columns_are_rewritten() {
        let sql = expand_dates("SELECT id, d(create_on), title FROM x WHERE a = ?");
        assert_eq!(sql, "SELECT id, TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', create_on), title FROM x WHERE a = ?");
        assert_eq!(select_list(&sql), 3);
        assert!(alias_columns(&sql)
            .starts_with("SELECT id AS c0, TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', create_on) AS c1,"));
    }
}
