//! `/dashboard`: what has been synced, at a glance — counts of contacts,
//! companies and deals, the pipeline by stage, and the newest contacts.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::load_dashboard,
    components::empty_state::EmptyState,
    domain::scorecard::Dashboard,
    scorecard::{Unit, format_number, format_value},
};

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_dashboard());
    view! {
        <Title text="Dashboard"/>
        <div class="page-head"><h1>"Dashboard"</h1></div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) if d.contacts + d.companies + d.deals == 0 => view! {
                        <EmptyState
                            title="Nothing synced yet"
                            body="Connect HubSpot on the Integrations page; contacts, companies and deals show up here after the first sync."
                            href="/integrations"
                            action="Go to Integrations"
                        />
                    }.into_any(),
                    Ok(d) => view! { <Board d/> }.into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Board(d: Dashboard) -> impl IntoView {
    view! {
        <div class="db-counts">
            <section class="card db-count"><h2>"Contacts"</h2><p class="db-number">{format_number(d.contacts as f64, 0)}</p></section>
            <section class="card db-count"><h2>"Companies"</h2><p class="db-number">{format_number(d.companies as f64, 0)}</p></section>
            <section class="card db-count"><h2>"Deals"</h2><p class="db-number">{format_number(d.deals as f64, 0)}</p></section>
        </div>
        <section class="card">
            <h2>"Pipeline by stage"</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th>"Pipeline"</th><th>"Stage"</th><th>"Deals"</th><th>"Value"</th></tr></thead>
                    <tbody>
                        {d.stages.into_iter().map(|s| view! {
                            <tr>
                                <td>{s.pipeline}</td>
                                <td>{s.stage}</td>
                                <td>{format_number(s.count as f64, 0)}</td>
                                <td>{format_value(s.value, Unit::Currency, 0)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card">
            <h2>"Recent contacts"</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th>"Name"</th><th>"Email"</th><th>"Company"</th><th>"Created"</th></tr></thead>
                    <tbody>
                        {d.recent_contacts.into_iter().map(|c| view! {
                            <tr>
                                <td>{match c.url {
                                    Some(url) => view! { <a href=url target="_blank" rel="noopener">{c.name}</a> }.into_any(),
                                    None => c.name.into_any(),
                                }}</td>
                                <td>{c.email.unwrap_or_default()}</td>
                                <td>{c.company.unwrap_or_default()}</td>
                                <td>{c.created_at
                                    .and_then(chrono::DateTime::from_timestamp_millis)
                                    .map(|t| t.format("%Y-%m-%d").to_string())
                                    .unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
