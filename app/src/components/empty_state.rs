//! A friendly "nothing here yet, do this next" panel.

use leptos::prelude::*;

/// Title, one sentence, and an optional call to action.
#[component]
pub fn EmptyState(
    /// What is missing.
    title: &'static str,
    /// What to do about it.
    body: &'static str,
    /// Link target of the call to action.
    #[prop(optional)]
    href: Option<&'static str>,
    /// Label of the call to action.
    #[prop(optional)]
    action: Option<&'static str>,
) -> impl IntoView {
    view! {
        <section class="empty">
            <h2>{title}</h2>
            <p>{body}</p>
            {href.zip(action).map(|(href, action)| view! { <a class="btn btn-primary" href=href>{action}</a> })}
        </section>
    }
}
