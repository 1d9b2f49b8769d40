//! The scorecard: the page people open every week.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::EmptyState;

/// Weekly scorecard. Until an integration has synced data and measurables are
/// defined, it says how to get there.
#[component]
pub fn ScorecardPage() -> impl IntoView {
    view! {
        <Title text="Scorecard"/>
        <div class="page-head">
            <h1>"Scorecard"</h1>
        </div>
        <EmptyState
            title="No measurables yet"
            body="Connect HubSpot or Fathom on the Integrations page so Tally can count calls, meetings and deals for you; measurables and goals come next."
            href="/integrations"
            action="Go to Integrations"
        />
    }
}
