//! Placeholder
pub mod scorecard;
use leptos::prelude::*;
#[component]
pub fn App() -> impl IntoView { view! { <p>"hi"</p> } }
