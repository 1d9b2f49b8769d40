//! Server functions: the browser's typed calls into the server.
//!
//! Each one authorises the viewer, calls a service from
//! [`crate::services::Services`] and maps the result; no logic lives here.
//! They are mounted under `/api/fn/` so `/api/v1/` stays the documented REST API.

mod integrations;
mod session;

/// The viewer resource `App` provides as context.
pub type CurrentViewerResource =
    leptos::prelude::Resource<Result<Option<crate::domain::Viewer>, crate::error::ApiError>>;
mod scorecard;
mod settings;

pub use integrations::*;
pub use scorecard::*;
pub use session::*;
pub use settings::*;
