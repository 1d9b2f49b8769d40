//! Each page as a lazy route, so its view code is a WASM chunk of its own.
//!
//! Exists for the bundle budget (issue 7, figure 6a): with every page in one
//! module, a visitor downloads the view code of all thirteen pages to use one.
//! `#[lazy_route]` marks each page's view as a split point; `scripts/build-site.sh`
//! cuts the WASM there (debug and release alike: an unsplit module would import
//! chunks nothing provides), and the browser fetches a page's chunks when it
//! first shows that page. On the server the view is an ordinary async call.
//!
//! The pages create their own resources, so `data()` carries nothing.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use crate::pages::{
    connection::ConnectionPage, dashboard::DashboardPage, integrations::IntegrationsPage,
    login::LoginPage, measurable_editor::MeasurableEditorPage, password::PasswordPage,
    people::PeoplePage, scorecard::ScorecardPage, scorecard_cell::CellPage,
    scorecard_template::TemplatePage, settings::SettingsPage, setup::SetupPage,
};

macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(
    /// `/login`
    LoginRoute => LoginPage
);
lazy_page!(
    /// `/setup`
    SetupRoute => SetupPage
);
lazy_page!(
    /// `/`
    ScorecardRoute => ScorecardPage
);
lazy_page!(
    /// `/dashboard`
    DashboardRoute => DashboardPage
);
lazy_page!(
    /// `/scorecard/cell`
    CellRoute => CellPage
);
lazy_page!(
    /// `/scorecard/template`
    TemplateRoute => TemplatePage
);
lazy_page!(
    /// `/scorecard/measurables/new` and `/scorecard/measurables/:id`
    MeasurableEditorRoute => MeasurableEditorPage
);
lazy_page!(
    /// `/integrations`
    IntegrationsRoute => IntegrationsPage
);
lazy_page!(
    /// `/integrations/:id`
    ConnectionRoute => ConnectionPage
);
lazy_page!(
    /// `/people`
    PeopleRoute => PeoplePage
);
lazy_page!(
    /// `/settings`
    SettingsRoute => SettingsPage
);
lazy_page!(
    /// `/account/password`
    PasswordRoute => PasswordPage
);
