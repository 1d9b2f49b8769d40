//! Placeholder
use leptos::prelude::*;
#[component]
pub fn App() -> impl IntoView { view! { <p>"hi"</p> } }
