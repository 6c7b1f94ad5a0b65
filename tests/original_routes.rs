//! The route table against the original's, one module at a time: every attribute route of a
//! module's inventory (`tests/data/original_<module>_routes.txt`, with the file each comes from)
//! is either served by portald or listed, with its reason, in
//! `tests/data/original_<module>_routes_not_served.txt`. A route listed there that portald
//! serves, or that the inventory does not have, fails too, so the lists stay true.

use std::collections::BTreeSet;

/// `METHOD path` with every variable written `{}` and fixed words in lower case (ASP.NET
/// routing ignores their case).
fn key(method: &str, path: &str) -> String {
    let path = path.trim_start_matches('/').trim_start_matches("api/2.0/");
    let segments: Vec<String> = path
        .split('/')
        .map(|s| if s.starts_with('{') && s.ends_with('}') { "{}".to_string() } else { s.to_lowercase() })
        .collect();
    format!("{} {}", method.to_uppercase(), segments.join("/"))
}

/// The `METHOD path` of each line of a data file, with the rest of the line.
fn lines(text: &str) -> Vec<(String, String)> {
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

/// Checks one module's inventory against the route table; `at_least` is how many routes the
/// inventory and the served part of it must keep (so a truncated file cannot pass).
fn check(inventory: &str, not_served: &str, at_least: (usize, usize)) {
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
    assert!(problems.is_empty(), "the route table and the original's disagree:\n{}", problems.join("\n"));
    assert!(inventory.len() >= at_least.0, "the inventory lost its routes: {}", inventory.len());
    let served_count = inventory.iter().filter(|(route, _)| served.contains(route)).count();
    assert!(served_count >= at_least.1, "only {served_count} of the original's routes are served");
}

#[test]
fn every_original_contact_route_is_served_or_listed_with_a_reason() {
    check(
        include_str!("data/original_contact_routes.txt"),
        include_str!("data/original_contact_routes_not_served.txt"),
        (151, 81),
    );
}

#[test]
fn every_original_people_route_is_served_or_listed_with_a_reason() {
    check(
        include_str!("data/original_people_routes.txt"),
        include_str!("data/original_people_routes_not_served.txt"),
        (41, 35),
    );
}

/// Of the settings module only the administrator routes, which the console uses.
#[test]
fn every_original_administrator_route_is_served() {
    check(include_str!("data/original_settings_administrator_routes.txt"), "", (3, 3));
}

/// Tasks, milestones, time tracking, files, templates, discussions, comments, reports and
/// ordering are out of scope, and listed as such.
#[test]
fn every_original_project_route_is_served_or_listed_with_a_reason() {
    check(
        include_str!("data/original_project_routes.txt"),
        include_str!("data/original_project_routes_not_served.txt"),
        (146, 32),
    );
}
