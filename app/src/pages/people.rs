//! `/people`: each person with the HubSpot owners and Fathom recorders
//! linked to them (matched by email automatically), and the provider users
//! nobody is linked to yet (archived ones marked, and owner ids records
//! carry that the provider's user list lacks). Managers relink with a plain
//! form, so it works with JavaScript off.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{LinkPerson, get_people},
    domain::people::{Person, ProviderUser},
};

fn who(u: &ProviderUser) -> String {
    let label = u.provider.name();
    let mut text = match &u.email {
        Some(e) if !e.is_empty() => format!("{label}: {} <{e}>", u.name),
        _ if u.unknown_records.is_some() => format!("{label}: {}", u.name),
        _ => format!("{label}: {} ({})", u.name, u.external_id),
    };
    if u.archived {
        text.push_str(" (archived)");
    }
    if let Some(n) = u.unknown_records {
        text.push_str(&format!(
            " — owns {n} record{} but is not in {label}'s user list",
            if n == 1 { "" } else { "s" }
        ));
    }
    text
}

/// The link form: choose a person (or "not a person") for a provider user.
#[component]
fn LinkForm(
    user: ProviderUser,
    people: Vec<Person>,
    action: ServerAction<LinkPerson>,
) -> impl IntoView {
    view! {
        <ActionForm action=action>
            <input type="hidden" name="connection_id" value=user.connection_id.to_string()/>
            <input type="hidden" name="external_id" value=user.external_id.clone()/>
            <select name="person_id" aria-label=format!("Person for {}", who(&user))>
                <option value="0">"Not a person"</option>
                {people.into_iter().map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
            </select>
            " "
            <button type="submit" class="btn">"Link"</button>
        </ActionForm>
    }
}

/// Lists people and unmatched provider users.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let link = ServerAction::<LinkPerson>::new();
    let data = Resource::new(move || link.version().get(), |_| get_people());
    view! {
        <Title text="People"/>
        <h1>"People"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        let people = v.people.clone();
                        let can_manage = v.can_manage;
                        view! {
                            <section class="card">
                                <h2>"Linked"</h2>
                                <div class="table-wrap"><table class="table">
                                    <thead><tr><th>"Person"</th><th>"HubSpot and Fathom users"</th></tr></thead>
                                    <tbody>
                                        {v.people.into_iter().map(|p| view! {
                                            <tr>
                                                <td>{p.name.clone()}<br/><small class="muted">{p.email.clone()}</small></td>
                                                <td>{p.links.iter().map(|l| view! { <div>{who(l)}{if l.source.as_deref() == Some("manual") { " (set by hand)" } else { "" }}</div> }).collect_view()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table></div>
                            </section>
                            <section class="card">
                                <h2>"Unmatched"</h2>
                                {if v.unmatched.is_empty() {
                                    view! { <p class="muted">"Every HubSpot owner and Fathom recorder is linked."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul>
                                            {v.unmatched.into_iter().map(|u| {
                                                let form = can_manage.then(|| view! { <LinkForm user=u.clone() people=people.clone() action=link/> });
                                                view! { <li>{who(&u)}{form}</li> }
                                            }).collect_view()}
                                        </ul>
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
