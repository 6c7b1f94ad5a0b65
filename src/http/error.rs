//! Maps [`ApiError`] to a status, headers and the error envelope (rendered by the middleware
//! in the request's format).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::envelope::ErrorReply;
use crate::error::ApiError;

/// .NET HResults of the exceptions the original throws for each case (clients read only the
/// message, but the number is part of the envelope).
mod hresult {
    pub const ARGUMENT: i64 = -2147024809;
    pub const SECURITY: i64 = -2146233078;
    pub const NOT_FOUND: i64 = -2147467259;
    pub const AUTHENTICATION: i64 = -2146233087;
    pub const GENERIC: i64 = -2146233088;
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::LoginFailed => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy | ApiError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn hresult(&self) -> i64 {
        match self {
            ApiError::BadRequest(_) | ApiError::PayloadTooLarge => hresult::ARGUMENT,
            ApiError::Unauthorized | ApiError::LoginFailed | ApiError::TooManyRequests { .. } => {
                hresult::AUTHENTICATION
            }
            ApiError::Forbidden(_) => hresult::SECURITY,
            ApiError::NotFound(_) | ApiError::MethodNotAllowed { .. } => hresult::NOT_FOUND,
            ApiError::Busy | ApiError::Overloaded | ApiError::Internal(_) => hresult::GENERIC,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed with a server fault");
        }
        let mut response = self.status().into_response();
        match &self {
            ApiError::TooManyRequests { retry_after_secs } => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            ApiError::Busy | ApiError::Overloaded => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(1));
            }
            ApiError::MethodNotAllowed { allow } if !allow.is_empty() => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    response.headers_mut().insert(header::ALLOW, value);
                }
            }
            _ => {}
        }
        response.extensions_mut().insert(ErrorReply { message: self.to_string(), hresult: self.hresult() });
        response
    }
}

/// The envelope for a response some lower layer produced without one (a timeout, say).
pub fn error_for_status(status: StatusCode) -> ErrorReply {
    ErrorReply {
        message: status.canonical_reason().unwrap_or("Error").to_string(),
        hresult: if status.is_server_error() { hresult::GENERIC } else { hresult::ARGUMENT },
    }
}
