//! `portald import onlyoffice`: moves the portals of an ONLYOFFICE Community Server database
//! (MySQL or MariaDB) into ours, with the same ids.
//!
//! Each of the original's tenants becomes the portal with its id, in one transaction: wholly,
//! or (on an error, a kill or `--dry-run`) not at all. A target portal must be fresh: no data
//! but the owner a first start creates (who is replaced by the original's users). Rows are
//! read as streams and written in chunks, so memory does not grow with the portal; only the
//! ids of what was moved are kept, to tell orphans (a detail of a contact that no longer
//! exists, a member who was deleted) from rows to move. Orphans are reported, not moved.

pub mod source;

use std::collections::{HashMap, HashSet};

use futures_util::TryStreamExt;
use serde_json::{json, Value as Json};

use crate::domain::original_password;
use crate::model::{PortalId, ShareType, UserId};
use crate::store::{Cost, Loaded, Store, WriteTx};
use source::{Record, Source, Table, Tenant};

/// Rows written a statement.
const CHUNK: usize = 5_000;

/// The original's built-in groups a user's membership of makes him an administrator or a guest.
const ADMIN_GROUP: &str = "cd84e66b-b803-40fc-99f9-b2969a54a1de";
const VISITOR_GROUP: &str = "aced04fa-dd96-4b35-af3e-346bf1eb972d";
/// The original's "everyone" group, whose denied read makes a CRM object private.
const EVERYONE: &str = "c5cc67d1-c3e8-43c0-a3ad-3928ae3e5b5e";
/// `core_usergroup.ref_type`: a member, or the group's manager.
const REF_MEMBER: i64 = 0;
const REF_MANAGER: i64 = 1;
/// `crm_list_item.list_type` of contact statuses and contact types.
const LIST_STATUS: i64 = 1;
const LIST_TYPE: i64 = 4;
/// `entity_type` of custom fields of contacts: any contact, companies, persons.
const CONTACT_ENTITIES: [i64; 3] = [0, 4, 5];

/// What to move, and how.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// Only this tenant; all of them when none.
    pub tenant: Option<i64>,
    /// The installation's `core.machinekey`, which the original's password hashes depend on.
    pub machine_key: Option<String>,
    /// Read and check everything, write nothing.
    pub dry_run: bool,
}

/// How a portal's migration ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported,
    /// `--dry-run`: everything was read and checked, nothing kept.
    Checked,
    /// The portal already holds this tenant's data: nothing to do.
    AlreadyImported,
    /// The portal holds other data.
    Refused(String),
}

/// A row not moved, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub table: &'static str,
    /// The row, as the original names it (its id or its key columns).
    pub row: String,
    pub reason: String,
}

/// What happened to one tenant.
#[derive(Debug, Clone)]
pub struct PortalReport {
    pub tenant: Tenant,
    pub outcome: Outcome,
    /// Rows moved (or, in a dry run, that would be) per kind, in the order they were moved.
    pub counts: Vec<(&'static str, u64)>,
    pub skipped: Vec<Skipped>,
    /// Users moved without a password (no `--machine-key`, or none stored).
    pub without_password: u64,
}

impl PortalReport {
    /// The count of one kind.
    pub fn count(&self, kind: &str) -> u64 {
        self.counts.iter().find(|(k, _)| *k == kind).map_or(0, |(_, n)| *n)
    }
}

/// What the caller hears while a portal moves: a table starts (with its rows), rows were read.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    Table { tenant: i64, table: &'static str, rows: u64 },
    Rows(u64),
    Done,
}

/// The `PORTALD_HOSTS` value that sends each tenant's aliases and mapped domain to its portal.
pub fn hosts_line(tenants: &[Tenant]) -> String {
    let mut pairs = Vec::new();
    for tenant in tenants {
        pairs.push(format!("{}={}", tenant.alias, tenant.id));
        if let Some(domain) = &tenant.mapped_domain {
            pairs.push(format!("{domain}={}", tenant.id));
        }
    }
    pairs.join(",")
}

/// Reads the tenants to move: all, or the one asked for.
pub async fn tenants(source: &Source, only: Option<i64>) -> anyhow::Result<Vec<Tenant>> {
    let all = source.tenants().await?;
    match only {
        None => Ok(all),
        Some(id) => {
            let one: Vec<Tenant> = all.into_iter().filter(|t| t.id == id).collect();
            if one.is_empty() {
                anyhow::bail!("the ONLYOFFICE database has no tenant {id}");
            }
            Ok(one)
        }
    }
}

/// Moves one tenant into the portal of the same id.
pub async fn migrate_tenant(
    store: &Store,
    source: &Source,
    tenant: &Tenant,
    options: &MigrateOptions,
    progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<PortalReport> {
    let portal = PortalId(tenant.id);
    let mut report = PortalReport {
        tenant: tenant.clone(),
        outcome: Outcome::Imported,
        counts: Vec::new(),
        skipped: Vec::new(),
        without_password: 0,
    };
    let mut tx = store.begin_write_costing(Cost::Long).await?;
    let contents = store.portal_contents(tx.conn(), portal).await?;
    let original_owner = tenant.owner.as_deref().and_then(|o| uuid::Uuid::parse_str(o).ok()).map(UserId);
    if contents.owner.is_some() && contents.owner == original_owner {
        report.outcome = Outcome::AlreadyImported;
        return Ok(report);
    }
    if contents.users > 1 || contents.records > 0 {
        report.outcome = Outcome::Refused(format!(
            "portal {} already holds {} users and {} groups, projects, contacts, tags or custom fields; \
             ONLYOFFICE data moves only into a fresh portal (no data but its first owner)",
            tenant.id, contents.users, contents.records
        ));
        return Ok(report);
    }
    store.ensure_portal(tx.conn(), portal).await?;
    store.clear_fresh_portal(tx.conn(), portal).await?;
    let salt = options.machine_key.as_deref().and_then(original_password::installation_salt);
    let mut run = Run {
        store,
        source,
        tx,
        portal,
        tenant: tenant.id,
        report,
        progress,
        machine_key: options.machine_key.as_deref().zip(salt.as_deref()),
        known: Known::default(),
    };
    run.people().await?;
    run.projects().await?;
    run.crm().await?;
    let Run { mut tx, mut report, known, .. } = run;
    match original_owner {
        Some(owner) if known.users.contains(&owner.to_string()) => {
            store.set_portal_owner(tx.conn(), portal, owner).await?;
        }
        // The server's first start then makes an owner, as for a new portal.
        _ => report.skipped.push(Skipped {
            table: "tenants_tenants",
            row: tenant.id.to_string(),
            reason: format!("its owner {:?} is not a user moved: the portal gets a new owner", tenant.owner),
        }),
    }
    store.continue_sequences(tx.conn()).await?;
    if options.dry_run {
        report.outcome = Outcome::Checked;
        // Dropping the transaction rolls it back.
        drop(tx);
    } else {
        tx.commit().await?;
        store.after_bulk_load().await?;
    }
    Ok(report)
}

/// The ids moved so far, to check what later rows refer to.
#[derive(Default)]
struct Known {
    users: HashSet<String>,
    groups: HashSet<String>,
    projects: HashSet<i64>,
    statuses: HashSet<i64>,
    types: HashSet<i64>,
    companies: HashSet<i64>,
    contacts: HashSet<i64>,
    /// The original's tag ids, to ours (tags of the same name but for case become one).
    tags: HashMap<i64, i64>,
    fields: HashSet<i64>,
}

/// One tenant's migration under way.
struct Run<'a> {
    store: &'a Store,
    source: &'a Source,
    tx: WriteTx,
    portal: PortalId,
    tenant: i64,
    report: PortalReport,
    progress: &'a mut dyn FnMut(Progress),
    /// The machine key and the salt derived from it.
    machine_key: Option<(&'a str, &'a str)>,
    known: Known,
}

/// A table being read.
struct Reader<'s> {
    rows: futures_util::stream::BoxStream<'s, anyhow::Result<Record>>,
    seen: u64,
}

/// Rows to write, flushed a chunk at a time.
struct Batch {
    table: Loaded,
    kind: &'static str,
    rows: Vec<Json>,
    written: u64,
}

impl Batch {
    fn new(table: Loaded, kind: &'static str) -> Self {
        Batch { table, kind, rows: Vec::new(), written: 0 }
    }
}

fn guid(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().trim_matches(['{', '}']).to_lowercase()).filter(|t| !t.is_empty())
}

/// Seconds since 1970 as our ticks (100 ns).
fn ticks(seconds: Option<i64>) -> Option<i64> {
    seconds.map(|s| s.saturating_mul(10_000_000))
}

impl<'a> Run<'a> {
    /// Starts reading a table: its rows as a stream.
    async fn open<'s>(&mut self, prepared: &'s source::Prepared) -> anyhow::Result<Reader<'s>>
    where
        'a: 's,
    {
        let table = prepared.table();
        let total = self.source.count(table, self.tenant).await?;
        (self.progress)(Progress::Table { tenant: self.tenant, table: table.name(), rows: total });
        Ok(Reader { rows: self.source.rows(prepared, self.tenant), seen: 0 })
    }

    /// The next record of a table being read.
    async fn next(&mut self, reader: &mut Reader<'_>) -> anyhow::Result<Option<Record>> {
        let record = reader.rows.try_next().await?;
        match record {
            Some(_) => {
                reader.seen += 1;
                if reader.seen % 1000 == 0 {
                    (self.progress)(Progress::Rows(reader.seen));
                }
            }
            None => {
                (self.progress)(Progress::Rows(reader.seen));
                (self.progress)(Progress::Done);
            }
        }
        Ok(record)
    }

    /// All of a tenant's rows of a small table.
    async fn read_all(&mut self, table: Table) -> anyhow::Result<Vec<Record>> {
        let prepared = self.source.prepare(table);
        let mut reader = self.open(&prepared).await?;
        let mut records = Vec::new();
        while let Some(record) = self.next(&mut reader).await? {
            records.push(record);
        }
        Ok(records)
    }

    fn skip(&mut self, table: Table, row: impl Into<String>, reason: impl Into<String>) {
        self.report.skipped.push(Skipped { table: table.name(), row: row.into(), reason: reason.into() });
    }

    async fn push(&mut self, batch: &mut Batch, row: Json) -> anyhow::Result<()> {
        batch.rows.push(row);
        if batch.rows.len() >= CHUNK {
            self.flush(batch).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, batch: &mut Batch) -> anyhow::Result<()> {
        if let Some(taken) = self.taken_ids(batch).await? {
            anyhow::bail!(
                "{} id {taken} of tenant {} is used by another portal of the target database; ids stay the same, \
                 so this tenant cannot move into it",
                batch.kind,
                self.tenant
            );
        }
        self.store.load_rows(self.tx.conn(), self.portal, batch.table, &batch.rows).await?;
        batch.written += batch.rows.len() as u64;
        batch.rows.clear();
        Ok(())
    }

    /// The first of a batch's ids another portal already uses, for tables whose ids are
    /// unique across portals.
    async fn taken_ids(&mut self, batch: &Batch) -> anyhow::Result<Option<i64>> {
        let sequenced = matches!(
            batch.table,
            Loaded::Projects
                | Loaded::ListItems
                | Loaded::Contacts
                | Loaded::ContactInfos
                | Loaded::Tags
                | Loaded::CustomFields
        );
        if !sequenced || batch.rows.is_empty() {
            return Ok(None);
        }
        let ids: Vec<i64> = batch.rows.iter().filter_map(|r| r["id"].as_i64()).collect();
        Ok(self.store.ids_taken(self.tx.conn(), batch.table, &ids).await?.first().copied())
    }

    async fn finish(&mut self, mut batch: Batch) -> anyhow::Result<()> {
        self.flush(&mut batch).await?;
        self.report.counts.push((batch.kind, batch.written));
        Ok(())
    }

    /// Users with their profile contacts, roles and passwords; departments and their members.
    async fn people(&mut self) -> anyhow::Result<()> {
        let mut hashes = HashMap::new();
        for r in self.read_all(Table::Passwords).await? {
            // Only hashes of the current form (base64 of SHA-512) can match: a fresh install's
            // administrator row holds an older one, which the original never accepts either.
            let current = |h: &String| h.len() == 88 && h.ends_with("==");
            if let (Some(user), Some(hash)) = (guid(r.text(0)), r.text(1).filter(current)) {
                hashes.insert(user, hash);
            }
        }
        let mut memberships = Vec::new();
        for r in self.read_all(Table::UserGroups).await? {
            if let (Some(user), Some(group), Some(kind)) = (guid(r.text(0)), guid(r.text(1)), r.int(2)) {
                memberships.push((user, group, kind));
            }
        }
        let in_group = |group: &str| -> HashSet<String> {
            memberships.iter().filter(|(_, g, k)| g == group && *k == REF_MEMBER).map(|(u, _, _)| u.clone()).collect()
        };
        let (admins, visitors) = (in_group(ADMIN_GROUP), in_group(VISITOR_GROUP));

        let mut users = Batch::new(Loaded::Users, "users");
        let mut contacts = Batch::new(Loaded::UserContacts, "profile contacts");
        let records = self.read_all(Table::Users).await?;
        let (mut names, mut emails) = (HashSet::new(), HashSet::new());
        for r in records {
            let Some(id) = guid(r.text(0)) else { continue };
            if r.int(20).unwrap_or(0) != 0 {
                self.skip(Table::Users, &id, "deleted in the original");
                continue;
            }
            let user_name = r.string(1);
            let email = r.string(8).trim().to_string();
            if !names.insert(user_name.to_lowercase()) {
                self.skip(Table::Users, &id, format!("user name {user_name:?} is another user's too"));
                continue;
            }
            if !emails.insert(email.to_lowercase()) {
                self.skip(Table::Users, &id, format!("email {email:?} is another user's too"));
                continue;
            }
            let password_hash = match (self.machine_key, hashes.get(&id)) {
                (Some((key, salt)), Some(hash)) => original_password::stored(salt, key, &id, hash),
                _ => {
                    self.report.without_password += 1;
                    String::new()
                }
            };
            let created = ticks(r.int(21)).unwrap_or(0);
            let row = json!({
                "id": id, "user_name": user_name, "user_name_key": user_name.to_lowercase(),
                "email": email, "email_key": email.to_lowercase(),
                "first_name": r.string(2), "last_name": r.string(3), "sex": r.int(4),
                "birthday": ticks(r.int(5)), "status": r.int(6).unwrap_or(1), "activation_status": r.int(7).unwrap_or(0),
                "work_from": ticks(r.int(9)), "terminated_at": ticks(r.int(10)), "title": r.string(11),
                "culture_name": r.text(12), "mobile_phone": r.text(14), "mobile_phone_activation": r.int(15).unwrap_or(0),
                "location": r.string(16), "notes": r.string(17), "sid": r.text(18), "sso_name_id": r.text(19),
                "is_visitor": i64::from(visitors.contains(&id)), "password_hash": password_hash,
                "created_at": created, "last_modified": ticks(r.int(22)).unwrap_or(created), "lead_id": guid(r.text(23)),
            });
            self.push(&mut users, row).await?;
            // `type|value|type|value|`, as the original's UserInfo writes them.
            let parts: Vec<String> = r.string(13).split('|').filter(|p| !p.is_empty()).map(str::to_string).collect();
            for (position, pair) in parts.chunks(2).enumerate() {
                if let [kind, value] = pair {
                    let row = json!({"user_id": id, "position": position as i64, "type": kind, "value": value});
                    self.push(&mut contacts, row).await?;
                }
            }
            self.known.users.insert(id);
        }
        self.finish(users).await?;
        self.finish(contacts).await?;

        let mut admin_rows = Batch::new(Loaded::Admins, "administrators");
        let owner = guid(self.report.tenant.owner.clone());
        let mut admin_ids: Vec<&String> = admins.iter().chain(owner.as_ref()).collect();
        admin_ids.sort();
        admin_ids.dedup();
        for user in admin_ids {
            if self.known.users.contains(user) {
                self.push(&mut admin_rows, json!({"user_id": user})).await?;
            } else {
                self.skip(Table::UserGroups, format!("{user} in {ADMIN_GROUP}"), "the administrator is not a user");
            }
        }
        self.finish(admin_rows).await?;

        let mut groups = Batch::new(Loaded::Groups, "departments");
        let records = self.read_all(Table::Groups).await?;
        for r in records {
            let Some(id) = guid(r.text(0)) else { continue };
            let category = guid(r.text(2)).filter(|c| c != "00000000-0000-0000-0000-000000000000");
            if r.int(3).unwrap_or(0) != 0 {
                self.skip(Table::Groups, &id, "deleted in the original");
                continue;
            }
            if let Some(category) = category {
                self.skip(Table::Groups, &id, format!("a group of category {category}, not a department"));
                continue;
            }
            let manager = memberships
                .iter()
                .find(|(u, g, k)| *g == id && *k == REF_MANAGER && self.known.users.contains(u))
                .map(|(u, _, _)| u.clone());
            let row = json!({"id": id, "name": r.string(1), "manager_id": manager, "created_at": ticks(r.int(4)).unwrap_or(0)});
            self.push(&mut groups, row).await?;
            self.known.groups.insert(id);
        }
        self.finish(groups).await?;

        let mut members = Batch::new(Loaded::GroupMembers, "department members");
        for (user, group, kind) in &memberships {
            if [ADMIN_GROUP, VISITOR_GROUP].contains(&group.as_str()) {
                continue;
            }
            let row = format!("{user} in {group}");
            if !self.known.groups.contains(group) {
                if *kind == REF_MEMBER {
                    self.skip(Table::UserGroups, row, "the group is not a department moved");
                }
            } else if !self.known.users.contains(user) {
                self.skip(Table::UserGroups, row, "the member is not a user moved");
            } else if *kind == REF_MEMBER {
                self.push(&mut members, json!({"group_id": group, "user_id": user})).await?;
            }
        }
        self.finish(members).await
    }

    /// Projects and their teams.
    async fn projects(&mut self) -> anyhow::Result<()> {
        let mut projects = Batch::new(Loaded::Projects, "projects");
        let records = self.read_all(Table::Projects).await?;
        for r in records {
            let Some(id) = r.int(0) else { continue };
            let responsible = guid(r.text(5)).unwrap_or_default();
            let created = ticks(r.int(7)).or(ticks(r.int(2))).unwrap_or(0);
            let created_by = guid(r.text(8)).unwrap_or_else(|| responsible.clone());
            let row = json!({
                "id": id, "status": r.int(1).unwrap_or(0), "status_changed": ticks(r.int(2)).unwrap_or(created),
                "title": r.string(3), "description": r.text(4), "responsible_id": responsible,
                "is_private": i64::from(r.int(6).unwrap_or(0) != 0), "created_at": created, "created_by": created_by,
                "last_modified": ticks(r.int(9)).unwrap_or(created),
                "last_modified_by": guid(r.text(10)).unwrap_or_else(|| created_by.clone()),
            });
            self.push(&mut projects, row).await?;
            self.known.projects.insert(id);
        }
        self.finish(projects).await?;

        let mut team = Batch::new(Loaded::ProjectMembers, "project team members");
        let records = self.read_all(Table::Participants).await?;
        for r in records {
            let (Some(project), Some(user)) = (r.int(0), guid(r.text(1))) else { continue };
            let row = format!("{user} in project {project}");
            if !self.known.projects.contains(&project) {
                self.skip(Table::Participants, row, "the project does not exist");
            } else if !self.known.users.contains(&user) {
                self.skip(Table::Participants, row, "the member is not a user moved");
            } else {
                self.push(&mut team, json!({"project_id": project, "user_id": user})).await?;
            }
        }
        self.finish(team).await
    }

    /// CRM: statuses and types, contacts with their managers, details, tags, custom fields
    /// and project links.
    async fn crm(&mut self) -> anyhow::Result<()> {
        let mut items = Batch::new(Loaded::ListItems, "contact statuses and types");
        let records = self.read_all(Table::ListItems).await?;
        let mut other_lists = 0;
        for r in records {
            let (Some(id), Some(list)) = (r.int(0), r.int(1)) else { continue };
            match list {
                LIST_STATUS => self.known.statuses.insert(id),
                LIST_TYPE => self.known.types.insert(id),
                _ => {
                    other_lists += 1;
                    continue;
                }
            };
            let row = json!({
                "id": id, "list_type": list, "title": r.string(2), "description": r.text(3),
                "color": r.text(4).filter(|c| !c.is_empty()), "sort_order": r.int(5).unwrap_or(0),
            });
            self.push(&mut items, row).await?;
        }
        if other_lists > 0 {
            self.skip(Table::ListItems, format!("{other_lists} items"), "task and history categories, not served");
        }
        self.finish(items).await?;

        // Private contacts' managers: the users the original allows to read them.
        let mut managers: HashMap<i64, Vec<String>> = HashMap::new();
        let mut restricted = HashSet::new();
        for r in self.read_all(Table::ContactAcl).await? {
            let (Some(subject), Some(object)) = (guid(r.text(0)), r.text(1)) else { continue };
            let Some(contact) = object.rsplit('|').next().and_then(|id| id.parse::<i64>().ok()) else { continue };
            restricted.insert(contact);
            if subject != EVERYONE && r.int(2) == Some(0) {
                managers.entry(contact).or_default().push(subject);
            }
        }

        let mut contacts = Batch::new(Loaded::Contacts, "contacts");
        let mut manager_rows = Batch::new(Loaded::ContactManagers, "contact managers");
        let prepared = self.source.prepare(Table::Contacts);
        let mut reader = self.open(&prepared).await?;
        while let Some(r) = self.next(&mut reader).await? {
            self.contact(r, &managers, &restricted, &mut contacts, &mut manager_rows).await?;
        }
        self.finish(contacts).await?;
        self.finish(manager_rows).await?;
        self.details().await
    }

    async fn contact(
        &mut self,
        r: Record,
        managers: &HashMap<i64, Vec<String>>,
        restricted: &HashSet<i64>,
        contacts: &mut Batch,
        manager_rows: &mut Batch,
    ) -> anyhow::Result<()> {
        let Some(id) = r.int(0) else { return Ok(()) };
        let is_company = r.int(1).unwrap_or(0) != 0;
        let (first, last, company) = (r.string(2), r.string(3), r.string(4));
        let mut company_id = r.int(9).unwrap_or(0);
        if !is_company && company_id != 0 && !self.known.companies.contains(&company_id) {
            self.skip(
                Table::Contacts,
                id.to_string(),
                format!("its company {company_id} does not exist: moved without it"),
            );
            company_id = 0;
        }
        let list_item = |known: &HashSet<i64>, value: Option<i64>, what: &str, skipped: &mut Vec<Skipped>| {
            let value = value.unwrap_or(0);
            if value != 0 && !known.contains(&value) {
                skipped.push(Skipped {
                    table: Table::Contacts.name(),
                    row: id.to_string(),
                    reason: format!("its {what} {value} does not exist: moved without it"),
                });
                return 0;
            }
            value
        };
        let status = list_item(&self.known.statuses, r.int(10), "status", &mut self.report.skipped);
        let kind = list_item(&self.known.types, r.int(11), "type", &mut self.report.skipped);
        // The original's share type; contacts older than the column are private when their
        // read access is restricted.
        let share = match r.int(12) {
            Some(n) => ShareType::from_number(n).unwrap_or(ShareType::ReadWrite),
            None if restricted.contains(&id) => ShareType::None,
            None => ShareType::ReadWrite,
        };
        let display = r
            .text(5)
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| crate::model::contacts::display_name(is_company, &first, &last, &company));
        let created_by = guid(r.text(14)).unwrap_or_default();
        let created = ticks(r.int(15)).unwrap_or(0);
        let row = json!({
            "id": id, "is_company": i64::from(is_company), "first_name": first, "last_name": last,
            "company_name": company, "display_name": display, "search_name": display.to_lowercase(),
            "title": r.text(6), "about": r.text(7), "industry": r.text(8), "company_id": company_id,
            "status_id": status, "contact_type_id": kind, "share_type": share.number(),
            "currency": r.text(13).filter(|c| !c.is_empty()), "created_by": created_by, "created_at": created,
            "modified_by": guid(r.text(16)).unwrap_or_else(|| created_by.clone()),
            "modified_at": ticks(r.int(17)).unwrap_or(created),
        });
        self.push(contacts, row).await?;
        for user in managers.get(&id).into_iter().flatten() {
            if self.known.users.contains(user) {
                self.push(manager_rows, json!({"contact_id": id, "user_id": user})).await?;
            } else {
                self.skip(Table::ContactAcl, format!("{user} on contact {id}"), "the manager is not a user moved");
            }
        }
        self.known.contacts.insert(id);
        if is_company {
            self.known.companies.insert(id);
        }
        Ok(())
    }

    /// Contacts' details, tags, custom fields and project links.
    async fn details(&mut self) -> anyhow::Result<()> {
        let mut infos = Batch::new(Loaded::ContactInfos, "contact details");
        let prepared = self.source.prepare(Table::ContactInfos);
        let mut reader = self.open(&prepared).await?;
        while let Some(r) = self.next(&mut reader).await? {
            let (Some(id), Some(contact)) = (r.int(0), r.int(1)) else { continue };
            if !self.known.contacts.contains(&contact) {
                self.skip(Table::ContactInfos, id.to_string(), format!("its contact {contact} does not exist"));
                continue;
            }
            let row = json!({
                "id": id, "contact_id": contact, "info_type": r.int(2).unwrap_or(0),
                "category": r.int(3).unwrap_or(0), "data": r.string(4),
                "is_primary": i64::from(r.int(5).unwrap_or(0) != 0),
            });
            self.push(&mut infos, row).await?;
        }
        self.finish(infos).await?;

        let mut tags = Batch::new(Loaded::Tags, "tags");
        let records = self.read_all(Table::Tags).await?;
        let mut by_key: HashMap<String, i64> = HashMap::new();
        let mut other_tags = 0;
        for r in records {
            let Some(id) = r.int(0) else { continue };
            if r.int(2) != Some(0) {
                other_tags += 1;
                continue;
            }
            let title = r.string(1);
            let key = title.to_lowercase();
            if let Some(first) = by_key.get(&key) {
                self.known.tags.insert(id, *first);
                self.skip(
                    Table::Tags,
                    id.to_string(),
                    format!("tag {title:?} differs from tag {first} only by case: merged"),
                );
                continue;
            }
            by_key.insert(key.clone(), id);
            self.known.tags.insert(id, id);
            self.push(&mut tags, json!({"id": id, "title": title, "title_key": key})).await?;
        }
        if other_tags > 0 {
            self.skip(Table::Tags, format!("{other_tags} tags"), "tags of deals and cases, not served");
        }
        self.finish(tags).await?;

        let mut tagged = Batch::new(Loaded::ContactTags, "contact tags");
        let mut seen = HashSet::new();
        let prepared = self.source.prepare(Table::ContactTags);
        let mut reader = self.open(&prepared).await?;
        while let Some(r) = self.next(&mut reader).await? {
            let (Some(tag), Some(contact)) = (r.int(0), r.int(1)) else { continue };
            let Some(ours) = self.known.tags.get(&tag).copied() else { continue };
            if !self.known.contacts.contains(&contact) {
                self.skip(Table::ContactTags, format!("tag {tag} on {contact}"), "the contact does not exist");
            } else if seen.insert((contact, ours)) {
                self.push(&mut tagged, json!({"contact_id": contact, "tag_id": ours})).await?;
            }
        }
        self.finish(tagged).await?;

        let mut fields = Batch::new(Loaded::CustomFields, "custom fields");
        let records = self.read_all(Table::Fields).await?;
        let mut other_fields = 0;
        for r in records {
            let (Some(id), Some(entity)) = (r.int(0), r.int(1)) else { continue };
            if !CONTACT_ENTITIES.contains(&entity) {
                other_fields += 1;
                continue;
            }
            let row = json!({
                "id": id, "entity_type": entity, "label": r.string(2), "field_type": r.int(3).unwrap_or(0),
                "sort_order": r.int(4).unwrap_or(0), "mask": r.string(5),
            });
            self.push(&mut fields, row).await?;
            self.known.fields.insert(id);
        }
        if other_fields > 0 {
            self.skip(Table::Fields, format!("{other_fields} fields"), "custom fields of deals and cases, not served");
        }
        self.finish(fields).await?;

        let mut values = Batch::new(Loaded::CustomFieldValues, "custom field values");
        let mut seen = HashSet::new();
        let prepared = self.source.prepare(Table::FieldValues);
        let mut reader = self.open(&prepared).await?;
        while let Some(r) = self.next(&mut reader).await? {
            let (Some(field), Some(contact), Some(entity)) = (r.int(0), r.int(1), r.int(2)) else { continue };
            if !CONTACT_ENTITIES.contains(&entity) {
                continue;
            }
            let row = format!("field {field} of {contact}");
            let value = r.string(3);
            if !self.known.fields.contains(&field) {
                self.skip(Table::FieldValues, row, "the field does not exist");
            } else if !self.known.contacts.contains(&contact) {
                self.skip(Table::FieldValues, row, "the contact does not exist");
            } else if !value.is_empty() && seen.insert((field, contact)) {
                self.push(&mut values, json!({"field_id": field, "contact_id": contact, "value": value})).await?;
            }
        }
        self.finish(values).await?;

        let mut links = Batch::new(Loaded::ProjectLinks, "contact-project links");
        let records = self.read_all(Table::ProjectLinks).await?;
        for r in records {
            let (Some(contact), Some(project)) = (r.int(0), r.int(1)) else { continue };
            let row = format!("contact {contact} in project {project}");
            if !self.known.contacts.contains(&contact) {
                self.skip(Table::ProjectLinks, row, "the contact does not exist");
            } else if !self.known.projects.contains(&project) {
                self.skip(Table::ProjectLinks, row, "the project does not exist");
            } else {
                self.push(&mut links, json!({"contact_id": contact, "project_id": project})).await?;
            }
        }
        self.finish(links).await
    }
}
