//! Integrations: connect providers and watch their health.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::EmptyState;

/// Lists providers and their connection status.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    view! {
        <Title text="Integrations"/>
        <div class="page-head">
            <h1>"Integrations"</h1>
        </div>
        <EmptyState
            title="Nothing connected yet"
            body="HubSpot and Fathom connections appear here once your administrator has configured their OAuth apps (see the README's configuration table)."
        />
    }
}
