//! `contact/filter` and the searches: one page of the matching contacts the viewer may read,
//! and how many there are, in two statements.

use super::access::{readable, readable_count, CountFrom};
use super::{ids_of, Arg, Args};
use crate::model::access::Viewer;
use crate::model::contacts::{ContactFilter, ContactSort};
use crate::model::ids::{ContactId, PortalId, ShareType};
use crate::store::{to_ticks, Backend, Cost, Store};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// `%text%` for LIKE, lower-cased, with the wildcards of the text escaped.
fn like_pattern(text: &str) -> String {
    let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The conditions on a contact's kind (person or company) and sharing.
fn kind_and_share(args: &mut Args, filter: &ContactFilter) -> Vec<String> {
    let mut conditions = Vec::new();
    if let Some(is_company) = filter.is_company {
        conditions.push(format!("c.is_company = {}", args.push(Arg::Int(i64::from(is_company)))));
    }
    if let Some(shared) = filter.is_shared {
        // Shared means any share type but private, as `ShareType::is_shared` says.
        let private = ShareType::None.number();
        conditions.push(if shared {
            format!("c.share_type <> {private}")
        } else {
            format!("c.share_type = {private}")
        });
    }
    conditions
}

/// Whether the filter selects by nothing but kind and sharing, so that the portal's contact
/// totals answer how many match without reading a contact.
fn by_kind_and_share_only(filter: &ContactFilter) -> bool {
    // Destructured whole, so that a new criterion cannot be left out of this test unnoticed.
    let ContactFilter {
        search,
        is_company: _,
        status,
        contact_type,
        manager,
        company,
        created_from,
        created_to,
        sort: _,
        descending: _,
        name_only: _,
        lone_persons,
        info,
        tags,
        is_shared: _,
        unmanaged,
        nothing,
        email_term,
    } = filter;
    search.trim().is_empty()
        && status.is_none()
        && contact_type.is_none()
        && manager.is_none()
        && company.is_none()
        && created_from.is_none()
        && created_to.is_none()
        && !lone_persons
        && info.is_none()
        && tags.is_empty()
        && !unmanaged
        && !nothing
        && email_term.is_none()
}

/// Whether SQLite's trigram index answers a search word (it cannot answer words shorter than
/// its trigrams; those are matched with LIKE).
fn in_text_index(word: &str) -> bool {
    word.chars().count() >= 3
}

/// Whether every column a searched selection reads on SQLite is in the index of search keys
/// (migration 0024: id, portal, share type, kind, creation time), so that the selection is
/// found, counted and ordered without reading a contact row.
fn answered_from_search_keys(filter: &ContactFilter) -> bool {
    // Destructured whole, so that a new criterion cannot be left out of this test unnoticed.
    // The criteria left unnamed read only `c.id`, `c.portal_id` and the indexed columns.
    let ContactFilter {
        search,
        is_company: _,
        status,
        contact_type,
        manager: _,
        company,
        created_from: _,
        created_to: _,
        sort,
        descending: _,
        name_only: _,
        lone_persons,
        info: _,
        tags: _,
        is_shared: _,
        unmanaged: _,
        nothing: _,
        email_term,
    } = filter;
    let mut words = search.split_whitespace().peekable();
    words.peek().is_some()
        && words.all(in_text_index)
        && matches!(sort, ContactSort::Created | ContactSort::Id)
        && status.is_none()
        && contact_type.is_none()
        && company.is_none()
        && !lone_persons
        && email_term.is_none()
}

impl Store {
    /// The condition on `c` of the contacts a filter selects among those the viewer may read.
    fn filter_condition(&self, args: &mut Args, portal: PortalId, viewer: Viewer, filter: &ContactFilter) -> String {
        args.push(Arg::Int(portal.0));
        // With search words the text index picks the rows; the unary plus keeps SQLite from
        // walking the whole portal through a portal index instead (34 ms against 7 ms for a
        // word in 3,000 of 100,000 contacts).
        let portal_condition = if filter.search.trim().is_empty() { "c.portal_id = $1" } else { "+c.portal_id = $1" };
        let mut conditions = vec![portal_condition.to_string(), readable(args, viewer)];
        conditions.extend(kind_and_share(args, filter));
        if let Some(status) = filter.status {
            conditions.push(format!("c.status_id = {}", args.push(Arg::Int(status))));
        }
        if let Some(kind) = filter.contact_type {
            conditions.push(format!("c.contact_type_id = {}", args.push(Arg::Int(kind))));
        }
        if let Some(manager) = filter.manager {
            let user = args.push(Arg::Text(manager.to_string()));
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM crm_contact_managers r WHERE r.portal_id = c.portal_id AND r.contact_id = c.id AND r.user_id = {user})"
            ));
        }
        if let Some(company) = filter.company {
            let company = args.push(Arg::Int(company.0));
            conditions.push(super::among_members("c.company_id", &format!("= {company}")));
        }
        for word in filter.search.split_whitespace() {
            conditions.push(self.search_condition(args, word, filter.name_only));
        }
        for tag in &filter.tags {
            let key = args.push(Arg::Text(tag.trim().to_lowercase()));
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM crm_contact_tags l JOIN crm_tags t ON t.id = l.tag_id \
                 WHERE l.portal_id = c.portal_id AND l.contact_id = c.id AND t.title_key = {key})"
            ));
        }
        if filter.unmanaged {
            conditions.push(
                "NOT EXISTS (SELECT 1 FROM crm_contact_managers u WHERE u.portal_id = c.portal_id AND u.contact_id = c.id)".to_string(),
            );
        }
        if filter.nothing {
            conditions.push("1 = 0".to_string());
        }
        if filter.lone_persons {
            conditions.push("(c.is_company = 1 OR c.company_id = 0)".to_string());
        }
        if let Some(info) = &filter.info {
            let mut detail = vec![format!("i.info_type = {}", args.push(Arg::Int(info.info_type)))];
            if !info.data.trim().is_empty() {
                detail.push(format!(
                    "lower(i.data) LIKE {} ESCAPE '\\'",
                    args.push(Arg::Text(like_pattern(info.data.trim())))
                ));
            }
            if let Some(category) = info.category {
                detail.push(format!("i.category = {}", args.push(Arg::Int(category))));
            }
            if let Some(primary) = info.is_primary {
                detail.push(format!("i.is_primary = {}", args.push(Arg::Int(i64::from(primary)))));
            }
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM crm_contact_info i WHERE i.portal_id = c.portal_id AND i.contact_id = c.id AND {})",
                detail.join(" AND ")
            ));
        }
        if let Some(term) = &filter.email_term {
            let pattern = args.push(Arg::Text(like_pattern(term)));
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM crm_contact_info i WHERE i.portal_id = c.portal_id AND i.contact_id = c.id \
                 AND i.info_type = 1 AND (c.search_name || ' ' || lower(i.data)) LIKE {pattern} ESCAPE '\\')"
            ));
        }
        if let Some(from) = filter.created_from {
            conditions.push(format!("c.created_at >= {}", args.push(Arg::Int(to_ticks(from)))));
        }
        if let Some(to) = filter.created_to {
            conditions.push(format!("c.created_at <= {}", args.push(Arg::Int(to_ticks(to)))));
        }
        conditions.join(" AND ")
    }

    /// One page of the contacts a filter selects among those the viewer may read, and how
    /// many there are in all: two statements.
    pub async fn filter_contacts(
        &self,
        portal: PortalId,
        viewer: Viewer,
        filter: &ContactFilter,
        start: u64,
        count: u64,
    ) -> Result<(Vec<ContactId>, u64), sqlx::Error> {
        let mut args = Args::default();
        let condition = self.filter_condition(&mut args, portal, viewer, filter);
        let sort_key = match filter.sort {
            ContactSort::DisplayName => "c.search_name",
            ContactSort::Created => "c.created_at",
            ContactSort::FirstName => "lower(c.first_name), lower(c.last_name)",
            ContactSort::LastName => "lower(c.last_name), lower(c.first_name)",
            ContactSort::Status => "c.status_id",
            ContactSort::Id => "c.id",
        };
        let direction = if filter.descending { "DESC" } else { "ASC" };
        let order: Vec<String> =
            sort_key.split(", ").chain(["c.id"]).map(|column| format!("{column} {direction}")).collect();
        let order = order.join(", ");
        let mut page_args = args.clone();
        let limit = page_args.push(Arg::Int(count as i64));
        let offset = page_args.push(Arg::Int(start as i64));
        let page = |columns: &str| {
            format!(
                "SELECT {columns} FROM crm_contacts c WHERE {condition} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            )
        };
        if by_kind_and_share_only(filter) {
            // Without criteria the total comes from the kept totals and the page from an
            // index: both short.
            let total = self.count_by_kind_and_share(portal, viewer, filter).await?;
            let ids = self.read_rows(&page("c.id"), &page_args, |row| Ok(ContactId(row.int("id")?))).await?;
            return Ok((ids, total as u64));
        }
        // Criteria (a word, a tag) may make the selection long, and finding it is most of the
        // work: it is found once, not once to count it and again to order it.
        if self.backend == Backend::Sqlite
            && matches!(filter.sort, ContactSort::Created | ContactSort::Status | ContactSort::Id)
        {
            // The whole selection by its number key, cut in Rust: SQLite's window count stores
            // each row in a temporary b-tree and deletes it again, a third of the statement for
            // a word in 0.1% of 1,000,000 contacts. (PostgreSQL keeps the window, below: there
            // every row would cross the wire.) The rows stream past and are counted; only those
            // up to the page's end are kept.
            // SQLite looks each match up by its primary key, in the contact rows, unless told
            // to use the narrower index that holds all it needs.
            let contacts = if answered_from_search_keys(filter) {
                "crm_contacts c INDEXED BY crm_contacts_search_keys"
            } else {
                "crm_contacts c"
            };
            let sql = format!("SELECT c.id, {sort_key} AS k FROM {contacts} WHERE {condition}");
            let mut first = FirstRows::new(filter.descending, start.saturating_add(count));
            let total = self
                .read_rows_costing(Cost::Long, &sql, &args, |row| {
                    first.offer(row.int("k")?, row.int("id")?);
                    Ok(())
                })
                .await?
                .len() as u64;
            return Ok((first.page(start).into_iter().map(ContactId).collect(), total));
        }
        // The page carries the total of its selection.
        let rows = self
            .read_rows_costing(Cost::Long, &page("c.id, COUNT(*) OVER () AS n"), &page_args, |row| {
                Ok((ContactId(row.int("id")?), row.int("n")?))
            })
            .await?;
        let total = match rows.first() {
            Some((_, total)) => *total,
            None if start == 0 => 0,
            // A page past the end has no row to carry the total.
            None => {
                let count_sql = format!("SELECT COUNT(*) AS n FROM crm_contacts c WHERE {condition}");
                self.read_one(Cost::Long, &count_sql, &args, |row| row.int("n")).await?
            }
        };
        Ok((rows.into_iter().map(|(id, _)| id).collect(), total as u64))
    }

    /// How many contacts of a kind and sharing the viewer may read, from the portal's totals.
    async fn count_by_kind_and_share(
        &self,
        portal: PortalId,
        viewer: Viewer,
        filter: &ContactFilter,
    ) -> Result<i64, sqlx::Error> {
        let mut args = Args::default();
        let portal_arg = args.push(Arg::Int(portal.0));
        let mut conditions = kind_and_share(&mut args, filter);
        conditions.push("1 = 1".to_string());
        let count = readable_count(&mut args, viewer, &portal_arg, &conditions.join(" AND "), CountFrom::Totals);
        self.read_one(Cost::Short, &format!("SELECT {count} AS n"), &args, |row| row.int("n")).await
    }

    /// The ids the filter selects above `after`, lowest first, at most `count`: keyset paging
    /// through a whole selection (an export), each page as cheap as the first.
    pub async fn filter_contacts_after(
        &self,
        portal: PortalId,
        viewer: Viewer,
        filter: &ContactFilter,
        after: ContactId,
        count: u64,
    ) -> Result<Vec<ContactId>, sqlx::Error> {
        let mut args = Args::default();
        let condition = self.filter_condition(&mut args, portal, viewer, filter);
        let after = args.push(Arg::Int(after.0));
        let limit = args.push(Arg::Int(count as i64));
        let sql =
            format!("SELECT c.id FROM crm_contacts c WHERE {condition} AND c.id > {after} ORDER BY c.id LIMIT {limit}");
        ids_of(args.bind(sqlx::query(&sql)).fetch_all(self.pool()).await?)
    }

    /// Contacts whose name (or, unless `name_only`, name or details) contains `word`, ignoring
    /// case: through the trigram index of migration 0008 (three characters or more on SQLite,
    /// whose trigram index cannot answer shorter words).
    fn search_condition(&self, args: &mut Args, word: &str, name_only: bool) -> String {
        match self.backend {
            Backend::Sqlite if in_text_index(word) => {
                // The index has two columns, name and details: a phrase with no column filter
                // searches both, and FTS5 need not filter its positions by column (the text
                // index's part of a search for a word in 0.1% of 1,000,000 contacts: 0.53-0.69
                // ms so, 0.67-0.95 ms with `{name details} :`).
                let phrase = format!("\"{}\"", word.replace('"', "\"\""));
                let query = args.push(Arg::Text(if name_only { format!("name : {phrase}") } else { phrase }));
                format!("c.id IN (SELECT rowid FROM crm_contact_search WHERE crm_contact_search MATCH {query})")
            }
            Backend::Sqlite => {
                let pattern = args.push(Arg::Text(like_pattern(word)));
                let in_details = if name_only {
                    String::new()
                } else {
                    format!(
                        " OR EXISTS (SELECT 1 FROM crm_contact_info i WHERE i.portal_id = c.portal_id \
                         AND i.contact_id = c.id AND lower(i.data) LIKE {pattern} ESCAPE '\\')"
                    )
                };
                format!("(c.search_name LIKE {pattern} ESCAPE '\\'{in_details})")
            }
            Backend::Postgres => {
                let pattern = args.push(Arg::Text(like_pattern(word)));
                let text = if name_only { "c.search_name" } else { "(c.search_name || ' ' || c.search_details)" };
                format!("{text} LIKE {pattern} ESCAPE '\\'")
            }
        }
    }
}

/// The first rows of the order `ORDER BY key, id` (ascending or descending), up to a page's
/// end, kept while a selection streams past: memory for the page, not for the selection.
struct FirstRows {
    descending: bool,
    end: usize,
    /// The kept rows, the last of them in the order on top.
    kept: BinaryHeap<Ranked>,
}

/// A row (sort key, id) that compares as it is ordered.
#[derive(PartialEq, Eq)]
struct Ranked {
    row: (i64, i64),
    descending: bool,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        let order = self.row.cmp(&other.row);
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FirstRows {
    fn new(descending: bool, end: u64) -> FirstRows {
        FirstRows { descending, end: usize::try_from(end).unwrap_or(usize::MAX), kept: BinaryHeap::new() }
    }

    fn offer(&mut self, key: i64, id: i64) {
        let row = Ranked { row: (key, id), descending: self.descending };
        if self.kept.len() < self.end {
            self.kept.push(row);
        } else if self.kept.peek().is_some_and(|last| row < *last) {
            self.kept.pop();
            self.kept.push(row);
        }
    }

    /// The ids of the kept rows from `start` on, in the order.
    fn page(self, start: u64) -> Vec<i64> {
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        self.kept.into_sorted_vec().into_iter().skip(start).map(|ranked| ranked.row.1).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{answered_from_search_keys, FirstRows};
    use crate::model::contacts::{ContactFilter, ContactSort};
    use crate::model::ids::CompanyId;

    #[test]
    fn a_search_reads_the_search_keys_only_when_they_hold_all_it_needs() {
        let search = |words: &str| ContactFilter {
            search: words.to_string(),
            sort: ContactSort::Created,
            descending: true,
            ..ContactFilter::default()
        };
        assert!(answered_from_search_keys(&search("anna")));
        assert!(answered_from_search_keys(&search("anna okafor")));
        assert!(answered_from_search_keys(&ContactFilter {
            is_company: Some(false),
            tags: vec!["vip".into()],
            ..search("anna")
        }));
        assert!(answered_from_search_keys(&ContactFilter { sort: ContactSort::Id, ..search("anna") }));
        // Nothing for the text index to find: the list is read through its own indexes.
        assert!(!answered_from_search_keys(&search("")));
        assert!(!answered_from_search_keys(&search("   ")));
        // A word too short for the trigrams is matched against the contact's name.
        assert!(!answered_from_search_keys(&search("anna an")));
        // Columns the keys leave out: the order by name or status, and other criteria.
        assert!(!answered_from_search_keys(&ContactFilter { sort: ContactSort::DisplayName, ..search("anna") }));
        assert!(!answered_from_search_keys(&ContactFilter { sort: ContactSort::Status, ..search("anna") }));
        assert!(!answered_from_search_keys(&ContactFilter { status: Some(2), ..search("anna") }));
        assert!(!answered_from_search_keys(&ContactFilter { contact_type: Some(2), ..search("anna") }));
        assert!(!answered_from_search_keys(&ContactFilter { company: Some(CompanyId(7)), ..search("anna") }));
        assert!(!answered_from_search_keys(&ContactFilter { lone_persons: true, ..search("anna") }));
        assert!(!answered_from_search_keys(&ContactFilter { email_term: Some("x".into()), ..search("anna") }));
    }

    #[test]
    fn the_first_rows_kept_while_streaming_are_the_slice_of_the_whole_order() {
        // Keys with ties, so that the id decides among equal keys.
        let rows: Vec<(i64, i64)> = (1..=57).map(|id| ((id * 7919) % 13, id)).collect();
        for descending in [false, true] {
            let mut sorted = rows.clone();
            sorted.sort();
            if descending {
                sorted.reverse();
            }
            for (start, count) in
                [(0u64, 25u64), (25, 25), (50, 25), (56, 1), (57, 25), (90, 25), (0, 0), (3, u64::MAX)]
            {
                let mut first = FirstRows::new(descending, start.saturating_add(count));
                for (key, id) in &rows {
                    first.offer(*key, *id);
                }
                let from = (start as usize).min(sorted.len());
                let to = from.saturating_add(count.min(1_000) as usize).min(sorted.len());
                let expected: Vec<i64> = sorted[from..to].iter().map(|(_, id)| *id).collect();
                assert_eq!(first.page(start), expected, "descending {descending}, start {start}, count {count}");
            }
        }
    }
}
