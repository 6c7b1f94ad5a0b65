//! The one error type of the service. The domain and storage layers return it; the HTTP layer
//! (`http::error`) maps each variant to a status code and the API's error envelope.

/// An error a request can end in.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Bad or missing input (the original's ArgumentException): 400.
    #[error("{0}")]
    BadRequest(String),
    /// Not credentials, or bad ones: 401.
    #[error("Unauthorized")]
    Unauthorized,
    /// A failed login; kept apart from `Unauthorized` so the message can say what failed.
    #[error("User authentication failed")]
    LoginFailed,
    /// The caller may not do this (the original's SecurityException): 403.
    #[error("{0}")]
    Forbidden(String),
    /// No such record, or one the caller may not see: 404.
    #[error("{0}")]
    NotFound(String),
    /// A path that exists with another verb: 405 with `Allow`.
    #[error("Method not allowed")]
    MethodNotAllowed { allow: String },
    /// A request body over the configured limit: 413.
    #[error("The request body is too large")]
    PayloadTooLarge,
    /// Too many failed logins: 429 with `Retry-After`.
    #[error("Too many failed login attempts; try again later")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database stayed locked by another writer (an import running, say) past the busy
    /// timeout, or no connection came free: 503 with `Retry-After`, nothing written.
    #[error("The database is busy; try again shortly")]
    Busy,
    /// Every password check is taken and none came free in time: 503 with `Retry-After`.
    #[error("Too many logins at once; try again shortly")]
    Overloaded,
    /// A real server fault: 500, logged with its cause, never shown to the client.
    #[error("Internal server error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::NotFound(message.into())
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden(message.into())
    }

    /// The message of a missing required parameter.
    pub fn missing(param: &str) -> Self {
        ApiError::BadRequest(format!("Parameter '{param}' is required"))
    }

    /// The message of a parameter whose value cannot be used.
    pub fn invalid(param: &str, why: impl std::fmt::Display) -> Self {
        ApiError::BadRequest(format!("Parameter '{param}' is invalid: {why}"))
    }

    /// The error as the operator should read it (the command line, startup): an internal error
    /// is its cause with the whole chain, which clients never see; any other is its message.
    /// The HTTP mapping is untouched by this.
    pub fn into_cause(self) -> anyhow::Error {
        match self {
            ApiError::Internal(cause) => cause,
            other => anyhow::Error::new(other),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    /// By the error's class on its own backend: SQLite's numeric codes and PostgreSQL's
    /// SQLSTATEs overlap as text (22021, invalid text, ends in SQLite's busy code 5 when read as
    /// a number), so each is read only as what its backend means by it.
    fn from(err: sqlx::Error) -> Self {
        let class = match &err {
            sqlx::Error::PoolTimedOut => DatabaseFault::Busy,
            sqlx::Error::Database(e) => {
                if let Some(pg) = e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                    postgres_fault(pg.code())
                } else if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    sqlite_fault(e.code().as_deref())
                } else {
                    DatabaseFault::Other
                }
            }
            _ => DatabaseFault::Other,
        };
        match class {
            DatabaseFault::Busy => {
                tracing::warn!(error = %err, "the database is busy");
                ApiError::Busy
            }
            DatabaseFault::BadText => {
                ApiError::bad_request("A text value cannot be stored (a NUL character or invalid encoding)")
            }
            DatabaseFault::Other => ApiError::Internal(err.into()),
        }
    }
}

/// What a database error means for the client.
enum DatabaseFault {
    /// Locked by another writer, or a lock wait given up: retrying shortly can succeed (503).
    Busy,
    /// A value the database refuses as text (400).
    BadText,
    /// Anything else: a server fault (500).
    Other,
}

/// SQLSTATE classes: 55P03 lock_not_available, 40001 serialization_failure and 40P01
/// deadlock_detected (the transaction was rolled back; running it again can succeed); 22021
/// character_not_in_repertoire (a NUL byte in a text) and 22P05 untranslatable_character.
fn postgres_fault(code: &str) -> DatabaseFault {
    match code {
        "55P03" | "40001" | "40P01" => DatabaseFault::Busy,
        "22021" | "22P05" => DatabaseFault::BadText,
        _ => DatabaseFault::Other,
    }
}

/// SQLite's result codes: busy ones are retryable, the rest are faults.
fn sqlite_fault(code: Option<&str>) -> DatabaseFault {
    if crate::store::sqlite_busy(code) {
        DatabaseFault::Busy
    } else {
        DatabaseFault::Other
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        ApiError::Internal(err)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_reads_only_its_own_codes() {
        assert!(matches!(postgres_fault("22021"), DatabaseFault::BadText), "a NUL byte is bad input, not busy");
        assert!(matches!(postgres_fault("40P01"), DatabaseFault::Busy));
        assert!(matches!(postgres_fault("55P03"), DatabaseFault::Busy));
        assert!(matches!(postgres_fault("23505"), DatabaseFault::Other));
        assert!(matches!(sqlite_fault(Some("5")), DatabaseFault::Busy));
        assert!(matches!(sqlite_fault(Some("517")), DatabaseFault::Busy), "SQLITE_BUSY_SNAPSHOT");
        assert!(matches!(sqlite_fault(Some("19")), DatabaseFault::Other));
        assert!(matches!(sqlite_fault(None), DatabaseFault::Other));
    }
}
