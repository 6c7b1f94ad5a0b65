//! Whether the server can serve: the health check's question.

use crate::error::ApiResult;
use crate::store::Store;

/// Answers when the database does.
pub async fn database_answers(store: &Store) -> ApiResult<()> {
    Ok(store.ping().await?)
}
