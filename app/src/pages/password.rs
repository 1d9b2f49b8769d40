//! Change your own password; required after signing in with a one-time password.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::ChangePassword;

/// Current and new password form.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let result = action.value();
    view! {
        <Title text="Change password"/>
        <div class="page-head"><h1>"Change your password"</h1></div>
        <ActionForm action=action attr:class="card form narrow">
            <label>"Current password"
                <input type="password" name="current_password" autocomplete="current-password" required/>
            </label>
            <label>"New password (12 characters or more)"
                <input type="password" name="new_password" autocomplete="new-password" minlength="12" required/>
            </label>
            <button type="submit" class="btn btn-primary">"Change password"</button>
            {move || result.get().map(|r| match r {
                Ok(()) => view! { <p class="alert alert-ok" role="status">"Password changed."</p> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </ActionForm>
    }
}
