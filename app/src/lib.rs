//! Tally's user interface and the types it shares with the server.
//!
//! Compiled twice: with `ssr` into the server (rendering pages and running
//! server functions) and with `hydrate` into the browser's WASM bundle. Only
//! `services` and `auth` are server-only; everything else must build for both.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
pub mod routes;
pub mod scorecard;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod services;

use leptos::prelude::*;
use leptos_meta::{Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    components::shell::AppShell,
    pages::not_found::NotFound,
    routes::{
        CellRoute, ConnectionRoute, DashboardRoute, IntegrationsRoute, LoginRoute,
        MeasurableEditorRoute, PasswordRoute, PeopleRoute, ScorecardRoute, SettingsRoute,
        SetupRoute, TemplateRoute,
    },
};

/// The HTML document around every page, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // No icon yet: an empty one saves every page a 404 for /favicon.ico.
                <link rel="icon" href="data:,"/>
                <link rel="stylesheet" id="leptos" href=format!("/{}/tally.css", options.site_pkg_dir)/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The document title of a page titled `text`.
///
/// leptos_meta writes the title into the server HTML unescaped, and `<title>`
/// is raw text that only `</title>` ends, so the server side escapes it (see
/// `components::text_area`); the browser sets `document.title`, which is plain
/// text, so it must not.
fn title(text: String) -> String {
    let title = if text.is_empty() {
        "Tally".to_owned()
    } else {
        format!("{text} · Tally")
    };
    if cfg!(feature = "ssr") {
        components::text_area::escape_rcdata(&title)
    } else {
        title
    }
}

/// The application: routes and the viewer resource every page can read.
///
/// Every route renders in `SsrMode::Async`: the server waits for its data and
/// sends complete HTML, so pages read and forms post with JavaScript off.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer: api::CurrentViewerResource = Resource::new(|| (), |_| api::current_viewer());
    provide_context(viewer);
    // `<body data-hydrated>` is set by the `frontend` crate once the routed
    // page, a lazy chunk, has hydrated too.

    view! {
        <Title formatter=title/>
        <Meta name="description" content="Weekly scorecards that fill themselves from HubSpot and Fathom."/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<ScorecardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("dashboard") view={Lazy::<DashboardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("scorecard/cell") view={Lazy::<CellRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("scorecard/template") view={Lazy::<TemplateRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("scorecard/measurables/new") view={Lazy::<MeasurableEditorRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("scorecard/measurables/:id") view={Lazy::<MeasurableEditorRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("integrations") view={Lazy::<IntegrationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("integrations/:id") view={Lazy::<ConnectionRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("people") view={Lazy::<PeopleRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("account/password") view={Lazy::<PasswordRoute>::new()} ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
