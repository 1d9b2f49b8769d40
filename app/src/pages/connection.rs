//! One connection's detail: its health and sync runs (filled by the sync
//! engine; empty until then).

use crate::domain::ConnectionId;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::get_connection,
    components::{empty_state::EmptyState, live::use_sync_progress},
    domain::ago,
    pages::integrations::exact,
};

/// `/integrations/{id}`.
#[component]
pub fn ConnectionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<ConnectionId>().ok())
            .unwrap_or_default()
    };
    // Progress arrives over the event stream (`sync_progress`); while a run
    // is active a slow poll is the fallback should the stream drop. With JS
    // off the page is a plain list: reload to see progress.
    let progress = use_sync_progress(Signal::derive(id));
    let data = Resource::new(move || (id(), progress.get()), |(id, _)| get_connection(id));
    let running = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                if running.get_untracked() {
                    data.refetch();
                }
            },
            std::time::Duration::from_secs(10),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    }
    view! {
        <Title text="Connection"/>
        <p><a href="/integrations">"← Integrations"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        let now = v.now_ms;
                        let d = v.detail;
                        running.set(d.runs.iter().any(|r| r.status == "running"));
                        let h = d.health;
                        view! {
                            <div class="page-head">
                                <h1>{format!("{} · {}", d.provider_name, if h.account_name.is_empty() { h.account_id.clone() } else { h.account_name.clone() })}</h1>
                                <span class=h.status.badge_class()>{h.status.label()}</span>
                            </div>
                            <section class="card">
                                <h2>"Sync runs"</h2>
                                {if d.runs.is_empty() {
                                    view! { <EmptyState title="No sync runs yet" body="Runs appear here once this connection has synced."/> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap"><table class="table">
                                            <thead><tr><th>"Started"</th><th>"Trigger"</th><th>"Status"</th><th>"Records"</th><th>"API calls"</th><th>"429s"</th><th>"Error"</th></tr></thead>
                                            <tbody>
                                                {d.runs.into_iter().map(|r| view! {
                                                    <tr>
                                                        <td title=exact(r.started_at)>{ago(r.started_at, now)}</td>
                                                        <td>{r.trigger.clone()}</td>
                                                        <td>{r.status.clone()}{r.progress(now).map(|p| view! { <br/><small class="muted">{p}</small> })}</td>
                                                        <td>{r.items}</td>
                                                        <td>{r.api_calls}</td>
                                                        <td>{r.throttled}</td>
                                                        <td>{r.error.clone().unwrap_or_default()}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table></div>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
