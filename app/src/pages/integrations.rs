//! Integrations: one card per provider with its connections' health, and the
//! Connect / Reconnect / Disconnect controls for admins and managers.
//! Members see the same cards read-only. Everything works with JavaScript
//! off: Connect is a plain link, the rest are forms.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{ConnectApiKey, Disconnect, HubspotToken, SetAutoSync, SyncNow, get_integrations},
    domain::{
        ConnectionHealth, ConnectionStatus, KeyField, Provider, ProviderCard, ago, countdown,
    },
};

/// Exact UTC time for `title` attributes.
pub fn exact(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// Lists providers and their connection status.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let auto_sync = ServerAction::<SetAutoSync>::new();
    let disconnect = ServerAction::<Disconnect>::new();
    let api_key = ServerAction::<ConnectApiKey>::new();
    let sync_now = ServerAction::<SyncNow>::new();
    let hubspot_token = ServerAction::<HubspotToken>::new();
    let data = Resource::new(
        move || {
            (
                auto_sync.version().get(),
                disconnect.version().get(),
                api_key.version().get(),
                sync_now.version().get(),
                hubspot_token.version().get(),
            )
        },
        |_| get_integrations(),
    );
    let actions = Actions {
        auto_sync,
        disconnect,
        api_key,
        sync_now,
        hubspot_token,
    };
    let errors = move || {
        [
            auto_sync.value().get().and_then(Result::err),
            disconnect.value().get().and_then(Result::err),
            api_key.value().get().and_then(Result::err),
            sync_now.value().get().and_then(Result::err),
            hubspot_token.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })
        .collect_view()
    };
    view! {
        <Title text="Integrations"/>
        <div class="page-head">
            <h1>"Integrations"</h1>
        </div>
        {errors}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => {
                        let now = view.now_ms;
                        let can_manage = view.can_manage;
                        view! {
                            {(!can_manage).then(|| view! {
                                <p class="muted">"Only admins and managers can connect or change integrations."</p>
                            })}
                            <div class="cards">
                                {view.cards.into_iter().map(|card| view! {
                                    <ProviderCardView card now can_manage actions/>
                                }.into_any()).collect_view()}
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    auto_sync: ServerAction<SetAutoSync>,
    disconnect: ServerAction<Disconnect>,
    api_key: ServerAction<ConnectApiKey>,
    sync_now: ServerAction<SyncNow>,
    hubspot_token: ServerAction<HubspotToken>,
}

#[component]
fn ProviderCardView(
    card: ProviderCard,
    now: i64,
    can_manage: bool,
    actions: Actions,
) -> impl IntoView {
    let (badge, badge_class) = if !card.configured {
        ("Not configured", "badge")
    } else if card.connections.is_empty() {
        ("Not connected", "badge")
    } else {
        (
            card.connections[0].status.label(),
            card.connections[0].status.badge_class(),
        )
    };
    let connect_label = format!("Connect {}", card.name);
    let start = format!("/oauth/{}/start", card.provider);
    let connected = !card.connections.is_empty();
    let needs_reauth = card
        .connections
        .iter()
        .any(|c| c.status == ConnectionStatus::NeedsReauth);
    let oauth = card.auth == "oauth";
    let vars = card.config_vars.join(" and ");
    view! {
        <section class="card provider-card" data-provider=card.provider.as_str()>
            <div class="card-head">
                <h2>{card.name.clone()}</h2>
                <span class=badge_class data-testid="status">{badge}</span>
                {(!card.sync_ready).then(|| view! { <span class="badge badge-blue">"Coming soon"</span> })}
            </div>
            <p class="muted">"Brings in: " {card.syncs.join(", ")}</p>
            {(!card.sync_ready).then(|| view! {
                <p class="muted">{format!("{} can be connected now; its sync arrives in a later release.", card.name)}</p>
            })}
            {(!card.configured).then(|| view! {
                <p class="alert">{format!("Set {vars} on the server to enable {}.", card.name)}</p>
            })}
            {card.connections.into_iter().map(|c| view! {
                <ConnectionView c now can_manage can_sync_now=card.can_sync_now actions/>
            }.into_any()).collect_view()}
            {(can_manage && card.configured && oauth).then(|| view! {
                <p>
                    <a class="btn btn-primary" href=start rel="external">
                        {if connected { format!("Connect another {} account", card.name) } else { connect_label }}
                    </a>
                </p>
            })}
            {(can_manage && !oauth && (!connected || needs_reauth)).then(|| view! {
                <KeyForm provider=card.provider fields=card.key_fields.clone() action=actions.api_key/>
            })}
            {(can_manage && card.provider == Provider::Hubspot).then(|| view! {
                <TokenForm action=actions.hubspot_token/>
            })}
        </section>
    }
    .into_any()
}

/// An API-key provider's credentials (Autotask's API user, Aircall's API
/// id and token): "Test connection" checks them with the provider and
/// saves nothing; "Connect" checks and saves them.
#[component]
fn KeyForm(
    provider: Provider,
    fields: Vec<KeyField>,
    action: ServerAction<ConnectApiKey>,
) -> impl IntoView {
    let name = provider.name();
    let outcome = move || {
        action
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|o| o.provider == provider)
            .map(|o| {
                let zone = o
                    .check
                    .zone
                    .map(|z| format!(" in zone {z}"))
                    .unwrap_or_default();
                let text = if o.saved {
                    format!(
                        "Connected {name} as {}{zone}; the first sync starts shortly.",
                        o.check.account_id
                    )
                } else {
                    format!(
                        "{name} accepts these credentials for {}{zone}. Nothing was saved.",
                        o.check.account_id
                    )
                };
                view! { <p class="token-check" role="status">{text}</p> }
            })
    };
    view! {
        <ActionForm action attr:class="form key-form">
            <input type="hidden" name="provider" value=provider.as_str()/>
            {fields.into_iter().map(|f| view! {
                <label>{f.label.to_string()}
                    <input
                        name=format!("fields[{}]", f.name)
                        type=if f.secret { "password" } else { "text" }
                        required
                        autocomplete="off"
                    />
                </label>
            }).collect_view()}
            <div class="form-buttons">
                <button type="submit" name="intent" value="test" class="btn">"Test connection"</button>
                <button type="submit" name="intent" value="connect" class="btn btn-primary">{format!("Connect {name}")}</button>
            </div>
        </ActionForm>
        {outcome}
    }
}

/// HubSpot without OAuth: paste a private app's access token (or a service
/// key), test it to see the scopes it holds, then connect with it.
#[component]
fn TokenForm(action: ServerAction<HubspotToken>) -> impl IntoView {
    let outcome = move || {
        action.value().get().and_then(Result::ok).map(|o| {
            let c = o.check;
            let scopes = if c.missing.is_empty() {
                format!("All {} required scopes are granted.", c.required.len())
            } else {
                format!("Missing required scopes: {}.", c.missing.join(", "))
            };
            let head = if o.saved {
                format!("Connected HubSpot portal {}.", c.account_id)
            } else {
                format!("HubSpot portal {} accepts this token.", c.account_id)
            };
            view! {
                <div class="token-check" role="status">
                    <p>{head} " " {scopes}</p>
                    <p class="muted">"Granted: " {c.granted.join(", ")}</p>
                </div>
            }
        })
    };
    view! {
        // Stays open once it has something to say, also after the cards reload.
        <details class="token-connect" open=move || action.value().with(Option::is_some)>
            <summary>"Or connect with a private-app access token"</summary>
            <ActionForm action attr:class="form">
                <label>"Access token"
                    <input name="access_token" type="password" required autocomplete="off" placeholder="pat-na1-…"/>
                </label>
                <div class="form-buttons">
                    <button type="submit" name="intent" value="test" class="btn">"Test connection"</button>
                    <button type="submit" name="intent" value="connect" class="btn btn-primary">"Connect with this token"</button>
                </div>
            </ActionForm>
            {outcome}
        </details>
    }
}

fn status_line(c: &ConnectionHealth) -> Option<&'static str> {
    match c.status {
        ConnectionStatus::NeedsReauth => {
            Some("The provider no longer accepts this connection. Reconnect it.")
        }
        ConnectionStatus::MissingScopes => {
            Some("Some required permissions were not granted; reconnect and approve all of them.")
        }
        ConnectionStatus::Degraded => {
            Some("Recent calls failed; Tally keeps retrying with back-off.")
        }
        _ => None,
    }
}

#[component]
fn ConnectionView(
    c: ConnectionHealth,
    now: i64,
    can_manage: bool,
    can_sync_now: bool,
    actions: Actions,
) -> AnyView {
    let cid = c.id;
    let detail = format!("/integrations/{}", c.id);
    let reconnect = format!("/oauth/{}/start", c.provider);
    let is_oauth = !c.scopes_required.is_empty();
    let last_sync = c.last_sync_at.map_or_else(
        || view! { <span>"never"</span> }.into_any(),
        |at| view! { <span title=exact(at)>{ago(at, now)}</span> }.into_any(),
    );
    let expiry = c
        .access_expires_at
        .map(|at| view! { <span title=exact(at)>{countdown(at, now)}</span> });
    let per_object = if c.items_by_object.is_empty() {
        "none yet".to_owned()
    } else {
        c.items_by_object
            .iter()
            .map(|o| format!("{} {}", o.count, o.object))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let scopes = if is_oauth {
        Some(view! {
            <dt>"Scopes"</dt>
            <dd>
                {format!("{} of {} required granted", c.scopes_required.len() - c.scopes_missing.len(), c.scopes_required.len())}
                {(!c.scopes_missing.is_empty()).then(|| format!(" (missing: {})", c.scopes_missing.join(", ")))}
                <details><summary>"Granted"</summary><p class="muted">{c.scopes_granted.join(" ")}</p></details>
            </dd>
        })
    } else {
        None
    };
    let auto_on = c.auto_sync;
    view! {
        <div class="connection" data-testid="connection">
            <p>
                <span class=c.status.badge_class()>{c.status.label()}</span>" "
                <strong>{if c.account_name.is_empty() { c.account_id.clone() } else { c.account_name.clone() }}</strong>
                " " <span class="muted">{format!("({})", c.account_id)}</span>
            </p>
            {status_line(&c).map(|t| view! { <p class="alert">{t}</p> })}
            <dl class="facts">
                <dt>"Connected by"</dt>
                <dd>
                    {c.connected_by.clone().unwrap_or_else(|| "a removed user".into())}
                    " · " <span title=exact(c.connected_at)>{ago(c.connected_at, now)}</span>
                    {(!c.account_user.is_empty()).then(|| format!(" · as {}", c.account_user))}
                </dd>
                {scopes}
                {expiry.map(|e| view! { <dt>"Access token"</dt><dd>"expires " {e}</dd> })}
                <dt>"Last sync"</dt><dd>{last_sync}</dd>
                <dt>"Items synced"</dt><dd>{format!("{} ({per_object})", c.items_total)}</dd>
                {c.last_error.clone().map(|e| view! { <dt>"Last error"</dt><dd class="error-text">{e}</dd> })}
                <dt>"Auto-sync"</dt><dd>{if auto_on { "on" } else { "off" }}</dd>
            </dl>
            <p><a href=detail>"Sync history"</a></p>
            {can_manage.then(|| view! {
                <div class="actions">
                    <ActionForm action=actions.auto_sync attr:class="inline">
                        <input type="hidden" name="id" value=cid.to_string()/>
                        <input type="hidden" name="on" value=(!auto_on).to_string()/>
                        <button type="submit" class="btn">{if auto_on { "Turn auto-sync off" } else { "Turn auto-sync on" }}</button>
                    </ActionForm>
                    {can_sync_now.then(|| view! {
                        <ActionForm action=actions.sync_now attr:class="inline">
                            <input type="hidden" name="id" value=cid.to_string()/>
                            <button type="submit" class="btn">"Sync now"</button>
                        </ActionForm>
                    })}
                    {is_oauth.then(|| view! {
                        <a class="btn" href=reconnect rel="external">"Reconnect"</a>
                    })}
                    <ActionForm action=actions.disconnect attr:class="form disconnect">
                        <input type="hidden" name="id" value=cid.to_string()/>
                        <fieldset>
                            <legend>"Disconnect"</legend>
                            <label><input type="radio" name="purge" value="false" checked/>" Keep synced data"</label>
                            <label><input type="radio" name="purge" value="true"/>" Delete synced data"</label>
                        </fieldset>
                        <button type="submit" class="btn btn-quiet">"Disconnect"</button>
                    </ActionForm>
                </div>
            }.into_any())}
        </div>
    }
    .into_any()
}
