//! Who is asking: the viewer of the current request (SSR only).
//!
//! The server's session middleware resolves the cookie to a [`Viewer`] and
//! puts it in the request's extensions; server functions read it from there
//! and check the role before doing anything.

use crate::{domain::Viewer, error::ApiError};

/// The signed-in viewer, or `Unauthorized`.
pub fn viewer() -> Result<Viewer, ApiError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
        .ok_or(ApiError::Unauthorized)
}

/// The viewer if they may manage integrations and scorecards.
pub fn manager() -> Result<Viewer, ApiError> {
    viewer()?.require_manager()
}

/// The viewer if they are an admin.
pub fn admin() -> Result<Viewer, ApiError> {
    viewer()?.require_admin()
}

/// The role checks, defined once: server functions (above), the REST API's
/// `ApiViewer` and the OAuth pages all go through these.
impl Viewer {
    /// This viewer if they may manage integrations and scorecards, else
    /// [`ApiError::Forbidden`].
    pub fn require_manager(self) -> Result<Viewer, ApiError> {
        self.check_manager().map(|()| self)
    }

    /// [`Viewer::require_manager`] for a borrowed viewer.
    pub fn check_manager(&self) -> Result<(), ApiError> {
        if self.role.can_manage() {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// This viewer if they are an admin, else [`ApiError::Forbidden`].
    pub fn require_admin(self) -> Result<Viewer, ApiError> {
        if self.role.is_admin() {
            Ok(self)
        } else {
            Err(ApiError::Forbidden)
        }
    }
}
