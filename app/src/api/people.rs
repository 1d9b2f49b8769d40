//! People: who the scorecards count for, and their HubSpot/Fathom links.

use crate::domain::ConnectionId;
use leptos::prelude::*;

use crate::{domain::people::PeopleView, error::ApiError};

/// People, links and unmatched provider users (any member).
#[server(prefix = "/api/fn", endpoint = "people")]
pub async fn get_people() -> Result<PeopleView, ApiError> {
    let viewer = crate::auth::viewer()?;
    crate::services::services()?.people.people(&viewer).await
}

/// Links a provider user to a person; `person_id` 0 means "not a person"
/// (admins and managers).
#[server(prefix = "/api/fn", endpoint = "link_person")]
pub async fn link_person(
    connection_id: ConnectionId,
    external_id: String,
    person_id: i64,
) -> Result<(), ApiError> {
    let viewer = crate::auth::manager()?;
    crate::services::services()?
        .people
        .link(
            &viewer,
            connection_id,
            &external_id,
            (person_id > 0).then_some(person_id),
        )
        .await
}
