//! Whether the server can serve (the health check's question), and what the metrics tell of its
//! database.

use crate::error::ApiResult;
use crate::store::Store;

/// Answers when the database does.
pub async fn database_answers(store: &Store) -> ApiResult<()> {
    Ok(store.ping().await?)
}

/// The database's change notices this process heard and whether it listens for them (on
/// PostgreSQL, what lets it keep things between requests); `None` where none are needed.
pub fn change_notices(store: &Store) -> Option<(u64, bool)> {
    store.change_notices()
}
