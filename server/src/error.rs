//! The server's one error type, so errors travel with `?`.
//!
//! Code below the HTTP layer returns [`Result`]: a refusal the client should
//! see ([`Error::Refused`], an [`ApiError`] such as "not found" or a field
//! that is wrong) or an internal failure ([`Error::Internal`], any
//! `sqlx::Error` or `anyhow::Error`, converted by `?`). The conversion to
//! [`ApiError`] at the edge logs an internal failure once, with its cause
//! chain, inside the request's span (so the line carries the request id),
//! and hands the client only [`ApiError::Internal`].
//!
//! Service methods declared by `app` return `Result<T, ApiError>`; they wrap
//! a body written with `?` in [`answer`].

use std::future::Future;

use app::{domain::measurable::FieldError, error::ApiError};

/// A refusal or an internal failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What the client did cannot be done; shown to them as it is.
    #[error("{0}")]
    Refused(ApiError),
    /// Something failed on the server; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The server's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Refused(e)
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(e.into())
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Refused(ApiError::invalid(&e.field, e.message))
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Refused(refusal) => refusal,
            Error::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                ApiError::Internal
            }
        }
    }
}

/// Runs a body written with `?` and answers with its value, its refusal,
/// or (logged once) the opaque internal error.
pub async fn answer<T>(body: impl Future<Output = Result<T>>) -> std::result::Result<T, ApiError> {
    body.await.map_err(ApiError::from)
}

/// Logs an unexpected error once and returns the opaque client-facing one:
/// for the few places that answer [`ApiError`] without going through
/// [`answer`].
pub fn internal(error: impl Into<anyhow::Error>) -> ApiError {
    let error = error.into();
    tracing::error!(error = format!("{error:#}"), "internal error");
    ApiError::Internal
}

/// A refusal naming the field at fault.
pub fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::Refused(ApiError::invalid(field, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn fails_inside() -> Result<()> {
        Err(anyhow::anyhow!("disk on fire").context("saving a value"))?
    }

    #[tokio::test]
    async fn causes_stay_on_the_server_and_refusals_reach_the_client() {
        assert_eq!(answer(fails_inside()).await, Err(ApiError::Internal));
        let refused = answer(async { Err::<(), _>(invalid("week", "must be a date")) }).await;
        assert_eq!(refused, Err(ApiError::invalid("week", "must be a date")));
        let not_found = answer(async { Err::<(), Error>(ApiError::NotFound.into()) }).await;
        assert_eq!(not_found, Err(ApiError::NotFound));
        let db = answer(async { Err::<(), Error>(sqlx::Error::RowNotFound.into()) }).await;
        assert_eq!(db, Err(ApiError::Internal));
    }
}
