//! A new admin with their organisation, checked and then inserted.
//!
//! Exists so first-run setup (`first_run`) and `tally admin create`
//! (`service::create_admin`) share the checks without importing each
//! other: both depend on this module, which depends on neither.

use app::domain::OrgId;
use app::{
    domain::{OrgSettings, Role},
    error::ApiError,
};
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::AnyConnection;

use super::{normalise_email, orgs, password, users};
use crate::{db::Db, error::Result};

/// Fields of a new organisation with its first admin.
#[derive(Debug)]
pub struct FirstAdmin {
    /// Organisation name.
    pub org_name: String,
    /// IANA timezone.
    pub timezone: String,
    /// Admin's display name.
    pub name: String,
    /// Admin's email.
    pub email: String,
    /// Admin's password.
    pub password: SecretString,
}

/// A [`FirstAdmin`] that passed every check, its password hashed: ready to
/// be written in one transaction.
#[derive(Debug)]
pub(crate) struct CheckedAdmin {
    /// Validated organisation settings (trimmed name, known timezone).
    pub org: OrgSettings,
    /// Normalised email.
    pub email: String,
    /// Trimmed display name.
    pub name: String,
    /// argon2id hash of the password.
    pub password_hash: String,
}

/// Checks every field of a new admin, naming the field at fault, and
/// hashes the password. Writes nothing.
pub(crate) async fn check_admin(db: &Db, input: FirstAdmin) -> Result<CheckedAdmin> {
    let email = normalise_email(&input.email).map_err(|e| ApiError::invalid("email", e))?;
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        return Err(crate::error::invalid("name", "must not be empty"));
    }
    password::check_strength(input.password.expose_secret())
        .map_err(|e| ApiError::invalid("password", e))?;
    let org = orgs::validate(OrgSettings {
        name: input.org_name,
        timezone: input.timezone,
        week_start: 0,
    })
    .map_err(|(field, msg)| {
        ApiError::invalid(if field == "name" { "org_name" } else { field }, msg)
    })?;
    if users::id_by_email(db, &email).await?.is_some() {
        return Err(email_taken(&email).into());
    }
    let password_hash = password::hash(input.password).await?;
    Ok(CheckedAdmin {
        org,
        email,
        name,
        password_hash,
    })
}

pub(crate) fn email_taken(email: &str) -> ApiError {
    ApiError::Conflict(format!("a user with email {email} already exists"))
}

/// Inserts a checked admin into an organisation, inside the caller's
/// transaction.
pub(crate) async fn insert_admin(
    conn: &mut AnyConnection,
    org_id: OrgId,
    admin: &CheckedAdmin,
) -> Result<i64> {
    let created = users::create_in(
        conn,
        users::NewUser {
            org_id,
            email: &admin.email,
            name: &admin.name,
            role: Role::Admin,
            password_hash: &admin.password_hash,
            must_change_password: false,
        },
    )
    .await?;
    match created {
        users::Created::Id(id) => Ok(id),
        users::Created::EmailTaken => Err(email_taken(&admin.email).into()),
    }
}
