//! The REST API's authenticated viewer and its role checks.
//!
//! Exists so the `/api/v1` modules (accounts in `api_v1`, connections, sync,
//! scorecards) share one extractor without importing each other; the role
//! rules themselves are `Viewer::require_manager` / `require_admin` in `app`,
//! the same ones server functions use.

use app::{domain::Viewer, error::ApiError};
use axum::{extract::FromRequestParts, http::request::Parts};

use super::error::JsonError;

/// The signed-in viewer of an API request, or a 401.
#[derive(Debug)]
pub struct ApiViewer(pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for ApiViewer {
    type Rejection = JsonError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .map(ApiViewer)
            .ok_or(JsonError(ApiError::Unauthorized))
    }
}

impl ApiViewer {
    /// The viewer if they may manage integrations and scorecards, else a 403.
    pub fn manager(self) -> Result<Viewer, JsonError> {
        Ok(self.0.require_manager()?)
    }

    /// The viewer if they are an admin, else a 403.
    pub fn admin(self) -> Result<Viewer, JsonError> {
        Ok(self.0.require_admin()?)
    }
}
