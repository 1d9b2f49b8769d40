//! The one error type server functions return.
//!
//! It names what went wrong in words a user can act on and never carries
//! internal causes (those are logged on the server), so it is safe to
//! serialise to the browser.

use leptos::server_fn::{
    ServerFnError,
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// Why a request was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No valid session or token.
    #[error("please sign in")]
    Unauthorized,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// Nothing of that kind exists in your organisation.
    #[error("not found")]
    NotFound,
    /// A field's value was refused.
    #[error("{field}: {message}")]
    Validation {
        /// The input field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The change conflicts with existing data.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again later.
    #[error("too many attempts; try again in {retry_after_secs} s")]
    TooManyRequests {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// Something failed on the server; details are in its log.
    #[error("something went wrong on the server; it has been logged")]
    Internal,
    /// The request never reached the function (network, encoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl ApiError {
    /// A validation error for `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthorized => 401,
            ApiError::Forbidden => 403,
            ApiError::NotFound => 404,
            ApiError::Validation { .. } => 422,
            ApiError::Conflict(_) => 409,
            ApiError::TooManyRequests { .. } => 429,
            ApiError::Internal => 500,
            ApiError::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Transport(value.to_string())
    }
}

impl From<ServerFnError> for ApiError {
    fn from(value: ServerFnError) -> Self {
        ApiError::Transport(value.to_string())
    }
}
