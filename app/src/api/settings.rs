//! Organisation settings, users and the viewer's own password.

use leptos::prelude::*;

use crate::{
    domain::{OrgSettings, UserSummary},
    error::ApiError,
};

/// The organisation's settings (any member may read them).
#[server(prefix = "/api/fn", endpoint = "org_settings")]
pub async fn get_org_settings() -> Result<OrgSettings, ApiError> {
    let viewer = crate::auth::viewer()?;
    crate::services::services()?
        .accounts
        .org_settings(&viewer)
        .await
}

/// Saves the organisation's name, timezone and week start (admins only).
#[server(prefix = "/api/fn", endpoint = "update_org_settings")]
pub async fn update_org_settings(
    name: String,
    timezone: String,
    week_start: u8,
) -> Result<(), ApiError> {
    let viewer = crate::auth::admin()?;
    crate::services::services()?
        .accounts
        .update_org_settings(
            &viewer,
            OrgSettings {
                name,
                timezone,
                week_start,
            },
        )
        .await
}

/// Users of the organisation (admins only).
#[server(prefix = "/api/fn", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserSummary>, ApiError> {
    let viewer = crate::auth::admin()?;
    crate::services::services()?
        .accounts
        .list_users(&viewer)
        .await
}

/// What the admin sees once after inviting someone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InviteResult {
    /// The new user's email.
    pub email: String,
    /// Shown once; the user replaces it at first sign-in.
    pub one_time_password: String,
}

/// Creates a user with a one-time password (admins only).
#[server(prefix = "/api/fn", endpoint = "invite_user")]
pub async fn invite_user(
    email: String,
    name: String,
    role: String,
) -> Result<InviteResult, ApiError> {
    let viewer = crate::auth::admin()?;
    let role = crate::domain::Role::parse(&role)
        .ok_or_else(|| ApiError::invalid("role", "must be admin, manager or member"))?;
    let invitation = crate::services::services()?
        .accounts
        .invite_user(&viewer, email, name, role)
        .await?;
    Ok(InviteResult {
        email: invitation.user.email,
        one_time_password: invitation.one_time_password,
    })
}

/// Changes a user's role (admins only).
#[server(prefix = "/api/fn", endpoint = "set_user_role")]
pub async fn set_user_role(user_id: i64, role: String) -> Result<(), ApiError> {
    let viewer = crate::auth::admin()?;
    let role = crate::domain::Role::parse(&role)
        .ok_or_else(|| ApiError::invalid("role", "must be admin, manager or member"))?;
    crate::services::services()?
        .accounts
        .set_role(&viewer, user_id, role)
        .await
}

/// Deactivates or reactivates a user (admins only).
#[server(prefix = "/api/fn", endpoint = "set_user_active")]
pub async fn set_user_active(user_id: i64, active: bool) -> Result<(), ApiError> {
    let viewer = crate::auth::admin()?;
    crate::services::services()?
        .accounts
        .set_active(&viewer, user_id, active)
        .await
}

/// Replaces the viewer's own password.
#[server(prefix = "/api/fn", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ApiError> {
    let viewer = crate::auth::viewer()?;
    crate::services::services()?
        .accounts
        .change_password(&viewer, current_password, new_password)
        .await?;
    leptos_axum::redirect("/");
    Ok(())
}
