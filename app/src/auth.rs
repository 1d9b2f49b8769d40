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
    let viewer = viewer()?;
    if viewer.role.can_manage() {
        Ok(viewer)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The viewer if they are an admin.
pub fn admin() -> Result<Viewer, ApiError> {
    let viewer = viewer()?;
    if viewer.role.is_admin() {
        Ok(viewer)
    } else {
        Err(ApiError::Forbidden)
    }
}
