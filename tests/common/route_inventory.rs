//! The check of the route table against an inventory of the original's routes: every route of
//! the inventory is either served by portald or listed, with its reason, as not served; a
//! route listed there that portald serves, or that the inventory does not have, fails too, so
//! the list stays true.

use std::collections::BTreeSet;

/// `METHOD path` with every variable written `{}` and fixed words in lower case (ASP.NET
/// routing ignores their case).
pub fn key(method: &str, path: &str) -> String {
    let path = path.trim_start_matches('/').trim_start_matches("api/2.0/");
    let segments: Vec<String> = path
        .split('/')
        .map(|s| if s.starts_with('{') && s.ends_with('}') { "{}".to_string() } else { s.to_lowercase() })
        .collect();
    format!("{} {}", method.to_uppercase(), segments.join("/"))
}

/// The `METHOD path` of each line of a data file, with the rest of the line.
pub fn lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            let (method, path) = (words.next().expect("a method"), words.next().expect("a path"));
            (key(method, path), words.collect::<Vec<_>>().join(" "))
        })
        .collect()
}

/// What an inventory says of the route table.
pub struct Coverage {
    /// Disagreements, one line each (empty when the two agree).
    pub problems: Vec<String>,
    /// Routes of the inventory (one per line of it).
    pub routes: usize,
    /// Of them, those portald serves.
    pub served: usize,
}

/// Compares the inventory (`METHOD path  file` lines) and its not-served list (`METHOD path  —
/// reason` lines) with the routes portald serves.
pub fn coverage(inventory: &str, not_served: &str) -> Coverage {
    let inventory = lines(inventory);
    let not_served = lines(not_served);
    let served: BTreeSet<String> =
        portald::http::operations().iter().map(|op| key(op.method.as_str(), op.path)).collect();
    let listed: BTreeSet<&String> = not_served.iter().map(|(k, _)| k).collect();
    let known: BTreeSet<&String> = inventory.iter().map(|(k, _)| k).collect();

    let mut problems = Vec::new();
    for (route, file) in &inventory {
        match (served.contains(route), listed.contains(route)) {
            (false, false) => problems.push(format!("{route} ({file}): neither served nor listed as not served")),
            (true, true) => problems.push(format!("{route} ({file}): served, yet listed as not served")),
            _ => {}
        }
    }
    for (route, reason) in &not_served {
        if !known.contains(route) {
            problems.push(format!("{route}: listed as not served but not in the inventory"));
        }
        if reason.trim_start_matches(['-', '—', ' ']).is_empty() {
            problems.push(format!("{route}: listed without a reason"));
        }
    }
    let served_count = inventory.iter().filter(|(route, _)| served.contains(route)).count();
    Coverage { problems, routes: inventory.len(), served: served_count }
}
