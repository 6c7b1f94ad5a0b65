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
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        // SQLITE_BUSY (5) and its extended codes, PostgreSQL's lock_not_available (55P03).
        let busy = match &err {
            sqlx::Error::PoolTimedOut => true,
            sqlx::Error::Database(e) => {
                e.code().is_some_and(|code| code == "55P03" || code.parse::<i64>().is_ok_and(|n| n & 0xff == 5))
            }
            _ => false,
        };
        if busy {
            tracing::warn!(error = %err, "the database is busy");
            return ApiError::Busy;
        }
        ApiError::Internal(err.into())
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        ApiError::Internal(err)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
