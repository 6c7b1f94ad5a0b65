//! The route table against the original's projects module: every attribute route of its
//! `ProjectApi*.cs` files (`tests/data/original_project_routes.txt`) is either served by portald
//! or listed, with its reason, in `tests/data/original_project_routes_not_served.txt` (tasks,
//! milestones, time tracking, files, templates, discussions, comments, reports and ordering
//! are out of scope).

#[path = "common/route_inventory.rs"]
mod route_inventory;

#[test]
fn every_original_project_route_is_served_or_listed_with_a_reason() {
    let coverage = route_inventory::coverage(
        include_str!("data/original_project_routes.txt"),
        include_str!("data/original_project_routes_not_served.txt"),
    );
    assert!(
        coverage.problems.is_empty(),
        "the route table and the original's disagree:\n{}",
        coverage.problems.join("\n")
    );
    assert_eq!(coverage.routes, 146, "the inventory lost or gained routes");
    assert!(coverage.served >= 32, "only {} of the original's project routes are served", coverage.served);
}
