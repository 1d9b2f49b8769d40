//! Sign-in. A plain HTML form posting to the server's `/login` route, so it
//! works before (or without) the WASM bundle and the server sets the
//! `HttpOnly` session cookie itself.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The sign-in form, with the reason of the last failed attempt.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query.with(|q| match q.get("error").as_deref() {
            Some("invalid") => Some("That email and password do not match an active account."),
            Some("throttled") => {
                Some("Too many failed attempts. Wait a few minutes and try again.")
            }
            Some("missing") => Some("Enter your email and password."),
            _ => None,
        })
    };
    let next = move || query.with(|q| q.get("next").unwrap_or_default());
    view! {
        <Title text="Sign in"/>
        <main class="auth">
            <form method="post" action="/login" class="card auth-card">
                <h1>"Sign in to Tally"</h1>
                {move || error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                <input type="hidden" name="next" value=next/>
                <label>"Email" <input type="email" name="email" autocomplete="username" required/></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                <button type="submit" class="btn btn-primary">"Sign in"</button>
            </form>
        </main>
    }
}
