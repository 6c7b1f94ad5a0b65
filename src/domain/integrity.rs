//! `portald check`: whether a database is sound, in words an operator can act on.

use crate::error::ApiResult;
use crate::store::Store;

/// What a check found: the problems (none when sound), and the rows each portal holds.
#[derive(Debug)]
pub struct Report {
    pub problems: Vec<String>,
    pub counts: Vec<(&'static str, i64, i64)>,
}

pub async fn check(store: &Store) -> ApiResult<Report> {
    let mut problems = store.engine_findings().await?;
    for (what, rows) in store.orphans().await? {
        problems.push(format!("{rows} rows: {what}"));
    }
    for lag in store.sequence_lags().await? {
        problems.push(format!(
            "{}: ids up to {} are used but its sequence stands at {}, so a new row would reuse an id",
            lag.table, lag.highest_id, lag.sequence
        ));
    }
    let counts = store.counts_per_portal().await?;
    Ok(Report { problems, counts })
}
