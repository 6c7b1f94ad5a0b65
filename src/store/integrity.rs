//! What `portald check` reads: the engine's own checks, rows that point at nothing, identity
//! sequences behind their tables, and counts per portal.

use sqlx::{Executor, Row};

use super::{Backend, Store};

/// Rows no foreign key guards that would point at nothing, or across portals: a name for each
/// check, and the statement counting its rows. Written for both backends.
const ORPHANS: &[(&str, &str)] = &[
    (
        "persons linked to a company that does not exist in their portal",
        "SELECT COUNT(*) AS n FROM crm_contacts c WHERE c.company_id <> 0 AND NOT EXISTS \
         (SELECT 1 FROM crm_contacts p WHERE p.id = c.company_id AND p.portal_id = c.portal_id AND p.is_company = 1)",
    ),
    (
        "contacts with a status that does not exist in their portal",
        "SELECT COUNT(*) AS n FROM crm_contacts c WHERE c.status_id <> 0 AND NOT EXISTS \
         (SELECT 1 FROM crm_list_items l WHERE l.id = c.status_id AND l.portal_id = c.portal_id)",
    ),
    (
        "contacts with a type that does not exist in their portal",
        "SELECT COUNT(*) AS n FROM crm_contacts c WHERE c.contact_type_id <> 0 AND NOT EXISTS \
         (SELECT 1 FROM crm_list_items l WHERE l.id = c.contact_type_id AND l.portal_id = c.portal_id)",
    ),
    (
        "contact details, managers, tags, project links, field values or photos in another portal than their contact's",
        "SELECT (SELECT COUNT(*) FROM crm_contact_info x JOIN crm_contacts c ON c.id = x.contact_id WHERE x.portal_id <> c.portal_id) \
         + (SELECT COUNT(*) FROM crm_contact_managers x JOIN crm_contacts c ON c.id = x.contact_id WHERE x.portal_id <> c.portal_id) \
         + (SELECT COUNT(*) FROM crm_contact_tags x JOIN crm_contacts c ON c.id = x.contact_id WHERE x.portal_id <> c.portal_id) \
         + (SELECT COUNT(*) FROM crm_project_links x JOIN crm_contacts c ON c.id = x.contact_id WHERE x.portal_id <> c.portal_id) \
         + (SELECT COUNT(*) FROM crm_custom_field_values x JOIN crm_contacts c ON c.id = x.contact_id WHERE x.portal_id <> c.portal_id) \
         + (SELECT COUNT(*) FROM crm_contact_photos x JOIN crm_contacts c ON c.id = x.contact_id WHERE x.portal_id <> c.portal_id) AS n",
    ),
    (
        "contacts tagged with or linked to a project of another portal",
        "SELECT (SELECT COUNT(*) FROM crm_contact_tags x JOIN crm_tags t ON t.id = x.tag_id WHERE x.portal_id <> t.portal_id) \
         + (SELECT COUNT(*) FROM crm_project_links x JOIN projects p ON p.id = x.project_id WHERE x.portal_id <> p.portal_id) AS n",
    ),
    (
        "project team members who are no user of the portal",
        "SELECT COUNT(*) AS n FROM project_members m WHERE NOT EXISTS \
         (SELECT 1 FROM users u WHERE u.portal_id = m.portal_id AND u.id = m.user_id)",
    ),
    (
        "projects whose manager is no user of the portal",
        "SELECT COUNT(*) AS n FROM projects p WHERE NOT EXISTS \
         (SELECT 1 FROM users u WHERE u.portal_id = p.portal_id AND u.id = p.responsible_id)",
    ),
];

/// Every table with a generated id: its rows' highest id must stay below the next one given.
/// (Portals are created with the ids their hosts map names.)
const ID_TABLES: &[&str] = &[
    "projects",
    "crm_list_items",
    "crm_contacts",
    "crm_contact_info",
    "crm_tags",
    "crm_custom_fields",
    "crm_currency_rates",
];

/// Tables whose rows belong to a portal, counted per portal.
const PORTAL_TABLES: &[&str] = &[
    "users",
    "groups",
    "projects",
    "crm_contacts",
    "crm_contact_info",
    "crm_tags",
    "crm_custom_fields",
    "crm_list_items",
    "crm_contact_photos",
    "user_photos",
];

/// A table whose id sequence would hand out an id already used.
#[derive(Debug)]
pub struct SequenceLag {
    pub table: &'static str,
    pub highest_id: i64,
    /// The last id the sequence gave (0: none yet).
    pub sequence: i64,
}

impl Store {
    /// The engine's own findings: SQLite's integrity and foreign-key checks and the search
    /// index's check; on PostgreSQL, which checks its pages as it reads them, a full read of
    /// every table; on both, whether the data kept by triggers (the search index, the contact
    /// totals) agrees with its source. Each finding is a line; none means sound.
    pub async fn engine_findings(&self) -> Result<Vec<String>, sqlx::Error> {
        let mut findings = Vec::new();
        match self.backend {
            Backend::Sqlite => {
                for row in sqlx::query("PRAGMA integrity_check").fetch_all(self.pool()).await? {
                    let line: String = row.try_get(0)?;
                    if line != "ok" {
                        findings.push(format!("integrity: {line}"));
                    }
                }
                for row in sqlx::query("PRAGMA foreign_key_check").fetch_all(self.pool()).await? {
                    let (table, parent): (String, String) = (row.try_get(0)?, row.try_get(2)?);
                    findings.push(format!("a row of {table} points at a missing row of {parent}"));
                }
                if let Err(err) = self
                    .pool()
                    .execute("INSERT INTO crm_contact_search (crm_contact_search) VALUES ('integrity-check')")
                    .await
                {
                    findings.push(format!("the contact search index is damaged: {err}"));
                }
            }
            Backend::Postgres => {
                for table in PORTAL_TABLES {
                    sqlx::query(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(self.pool()).await?;
                }
            }
        }
        let unindexed: i64 = sqlx::query(match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM crm_contacts c WHERE NOT EXISTS \
                 (SELECT 1 FROM crm_contact_search s WHERE s.rowid = c.id)"
            }
            Backend::Postgres => "SELECT 0 AS n",
        })
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        if unindexed > 0 {
            findings.push(format!("{unindexed} contacts are missing from the search index"));
        }
        let miscounted: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ( \
                 SELECT portal_id, is_company, share_type, 1 AS n FROM crm_contacts \
                 UNION ALL SELECT portal_id, is_company, share_type, -n FROM crm_contact_counts) AS both_sides \
             GROUP BY portal_id, is_company, share_type HAVING SUM(n) <> 0) AS wrong",
        )
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        if miscounted > 0 {
            findings.push(format!(
                "the contact totals of {miscounted} portal, kind and share type combinations disagree with the contacts"
            ));
        }
        let stale_managers: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM crm_contact_managers m JOIN crm_contacts c ON c.id = m.contact_id \
             WHERE m.share_type <> c.share_type OR m.is_company <> c.is_company",
        )
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        if stale_managers > 0 {
            findings.push(format!("{stale_managers} manager rows disagree with their contact's share type or kind"));
        }
        Ok(findings)
    }

    /// Each orphan check that finds rows, with how many.
    pub async fn orphans(&self) -> Result<Vec<(&'static str, i64)>, sqlx::Error> {
        let mut found = Vec::new();
        for (name, sql) in ORPHANS {
            let n: i64 = sqlx::query(sql).fetch_one(self.pool()).await?.try_get("n")?;
            if n > 0 {
                found.push((*name, n));
            }
        }
        Ok(found)
    }

    /// The tables whose next generated id is not above every id they hold.
    pub async fn sequence_lags(&self) -> Result<Vec<SequenceLag>, sqlx::Error> {
        let mut lags = Vec::new();
        for table in ID_TABLES {
            let highest_id: i64 = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS n FROM {table}"))
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
            let sequence_sql = match self.backend {
                Backend::Sqlite => {
                    format!("SELECT COALESCE(MAX(seq), 0) AS n FROM sqlite_sequence WHERE name = '{table}'")
                }
                Backend::Postgres => {
                    format!("SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')), 0) AS n")
                }
            };
            let sequence: i64 = sqlx::query(&sequence_sql).fetch_one(self.pool()).await?.try_get("n")?;
            if sequence < highest_id {
                lags.push(SequenceLag { table, highest_id, sequence });
            }
        }
        Ok(lags)
    }

    /// Rows per portal of the main tables: (table, portal, rows), by portal, then table.
    pub async fn counts_per_portal(&self) -> Result<Vec<(&'static str, i64, i64)>, sqlx::Error> {
        let mut counts = Vec::new();
        for table in PORTAL_TABLES {
            let sql = format!("SELECT portal_id, COUNT(*) AS n FROM {table} GROUP BY portal_id ORDER BY portal_id");
            for row in sqlx::query(&sql).fetch_all(self.pool()).await? {
                counts.push((*table, row.try_get("portal_id")?, row.try_get("n")?));
            }
        }
        // Stable: each portal's tables stay in the list's order.
        counts.sort_by_key(|(_, portal, _)| *portal);
        Ok(counts)
    }
}
