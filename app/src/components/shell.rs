//! The frame around every signed-in page: brand, navigation, who is signed in.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::{api::CurrentViewerResource, domain::Viewer};

/// Header with navigation and sign-out, then the routed page.
#[component]
pub fn AppShell() -> impl IntoView {
    let viewer = expect_context::<CurrentViewerResource>();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Tally"</a>
            <nav class="nav" aria-label="Main">
                <A href="/" exact=true>"Scorecard"</A>
                <A href="/dashboard">"Dashboard"</A>
                <A href="/integrations">"Integrations"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    viewer.await.ok().flatten().map(|v: Viewer| view! {
                        <div class="who">
                            <span class="who-name">{v.name.clone()}</span>
                            <span class="who-meta">{format!("{} · {}", v.org_name, v.role.label())}</span>
                            <form method="post" action="/logout" class="inline">
                                <button type="submit" class="btn btn-quiet">"Sign out"</button>
                            </form>
                        </div>
                    })
                })}
            </Transition>
        </header>
        <main class="page">
            <Outlet/>
        </main>
    }
}
