//! Who the current viewer is, for the page header and role-dependent views.

use leptos::prelude::*;

use crate::{domain::Viewer, error::ApiError};

/// The signed-in viewer, or `None` on public pages.
#[server(prefix = "/api/fn", endpoint = "current_viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, ApiError> {
    Ok(crate::auth::viewer().ok())
}
