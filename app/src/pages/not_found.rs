//! The page for addresses that lead nowhere.

use leptos::prelude::*;
use leptos_meta::Title;

/// 404 page; sets the status when rendered on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="auth">
            <section class="card auth-card">
                <h1>"Page not found"</h1>
                <p>"Nothing lives at this address."</p>
                <a class="btn btn-primary" href="/">"Go to the scorecard"</a>
            </section>
        </main>
    }
}
