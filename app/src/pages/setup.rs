//! First-run setup: creates the organisation and its first admin. The server
//! only serves it while no user exists; afterwards `/setup` sends people to
//! the sign-in page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The one-time setup form.
#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    view! {
        <Title text="Set up"/>
        <main class="auth">
            <form method="post" action="/setup" class="card auth-card">
                <h1>"Welcome to Tally"</h1>
                <p class="muted">"Create your organisation and the first admin account."</p>
                {move || error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                <label>"Organisation name" <input name="org_name" required/></label>
                <label>"Timezone (IANA)" <input name="timezone" value="UTC" required/></label>
                <label>"Your name" <input name="name" autocomplete="name" required/></label>
                <label>"Email" <input type="email" name="email" autocomplete="username" required/></label>
                <label>"Password (12 characters or more)"
                    <input type="password" name="password" autocomplete="new-password" minlength="12" required/>
                </label>
                <button type="submit" class="btn btn-primary">"Create organisation"</button>
            </form>
        </main>
    }
}
