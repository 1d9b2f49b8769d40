//! Settings: the organisation (name, timezone, week start) and its users.
//! Admins edit; everyone else reads.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        CurrentViewerResource, InviteUser, SetUserActive, SetUserRole, UpdateOrgSettings,
        get_org_settings, list_users,
    },
    domain::{OrgSettings, Role, UserSummary, WEEKDAYS},
};

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let viewer = expect_context::<CurrentViewerResource>();
    view! {
        <Title text="Settings"/>
        <div class="page-head"><h1>"Settings"</h1></div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let is_admin = matches!(viewer.await, Ok(Some(v)) if v.role.is_admin());
                view! {
                    <OrganisationSection is_admin/>
                    {is_admin.then(|| view! { <UsersSection/> })}
                    <section class="card">
                        <h2>"Your account"</h2>
                        <a href="/account/password">"Change your password"</a>
                    </section>
                }
            })}
        </Transition>
    }
}

#[component]
fn OrganisationSection(is_admin: bool) -> impl IntoView {
    let save = ServerAction::<UpdateOrgSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_org_settings());
    view! {
        <section class="card">
            <h2>"Organisation"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <OrganisationForm settings=s is_admin save/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OrganisationForm(
    settings: OrgSettings,
    is_admin: bool,
    save: ServerAction<UpdateOrgSettings>,
) -> impl IntoView {
    let result = save.value();
    view! {
        <ActionForm action=save attr:class="form">
            <fieldset disabled=!is_admin>
                <label>"Name" <input name="name" value=settings.name required/></label>
                <label>"Timezone (IANA, e.g. America/Chicago)"
                    <input name="timezone" value=settings.timezone required/>
                </label>
                <label>"Week starts on"
                    <select name="week_start">
                        {WEEKDAYS.iter().enumerate().map(|(i, day)| {
                            let selected = usize::from(settings.week_start) == i;
                            view! { <option value=i.to_string() selected=selected>{*day}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {is_admin.then(|| view! { <button type="submit" class="btn btn-primary">"Save"</button> })}
            </fieldset>
            {move || result.get().map(|r| match r {
                Ok(()) => view! { <p class="alert alert-ok" role="status">"Saved."</p> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </ActionForm>
        {(!is_admin).then(|| view! { <p class="muted">"Only admins can change these settings."</p> })}
    }
}

#[component]
fn UsersSection() -> impl IntoView {
    let invite = ServerAction::<InviteUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let users = Resource::new(
        move || {
            (
                invite.version().get(),
                set_role.version().get(),
                set_active.version().get(),
            )
        },
        |_| list_users(),
    );
    let invited = invite.value();
    let change_error = move || {
        set_role
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| set_active.value().get().and_then(Result::err))
            .map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <section class="card">
            <h2>"Users"</h2>
            {change_error}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! { <UsersTable list set_role set_active/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h3>"Invite someone"</h3>
            <ActionForm action=invite attr:class="form form-row">
                <label>"Name" <input name="name" required/></label>
                <label>"Email" <input type="email" name="email" required/></label>
                <label>"Role" <RoleSelect selected=Role::Member/></label>
                <button type="submit" class="btn btn-primary">"Create user"</button>
            </ActionForm>
            {move || invited.get().map(|r| match r {
                Ok(result) => view! {
                    <p class="alert alert-ok" role="status">
                        "Created " {result.email} ". Their one-time password is "
                        <code class="otp">{result.one_time_password}</code>
                        ". It is shown only now; they choose their own at first sign-in."
                    </p>
                }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn UsersTable(
    list: Vec<UserSummary>,
    set_role: ServerAction<SetUserRole>,
    set_active: ServerAction<SetUserActive>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Status"</th><th></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|user| {
                        let status = if !user.active { "Deactivated" } else if user.must_change_password { "Invited" } else { "Active" };
                        view! {
                            <tr>
                                <td>{user.name.clone()}</td>
                                <td>{user.email.clone()}</td>
                                <td>
                                    <ActionForm action=set_role attr:class="inline">
                                        <input type="hidden" name="user_id" value=user.id.to_string()/>
                                        <RoleSelect selected=user.role/>
                                        <button type="submit" class="btn btn-quiet">"Change"</button>
                                    </ActionForm>
                                </td>
                                <td>{status}</td>
                                <td>
                                    <ActionForm action=set_active attr:class="inline">
                                        <input type="hidden" name="user_id" value=user.id.to_string()/>
                                        <input type="hidden" name="active" value=(!user.active).to_string()/>
                                        <button type="submit" class="btn btn-quiet">
                                            {if user.active { "Deactivate" } else { "Reactivate" }}
                                        </button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    view! {
        <select name="role" aria-label="Role">
            {Role::ALL.into_iter().map(|role| view! {
                <option value=role.as_str() selected=role == selected>{role.label()}</option>
            }).collect_view()}
        </select>
    }
}
