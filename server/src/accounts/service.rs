//! Account operations as users see them: sign in, first-run setup, invite,
//! change role or password. HTTP routes, server functions and the CLI all go
//! through here, so each rule (last admin, password strength, throttling)
//! lives in one place.

use app::{
    domain::{OrgSettings, Role, UserSummary, Viewer},
    error::ApiError,
    services::{AccountsService, Invitation},
};
use async_trait::async_trait;
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::AnyConnection;

use super::{api_tokens, first_run, normalise_email, orgs, password, sessions, throttle, users};
use crate::{config::Config, db::Db, http::error::internal};

/// Why a sign-in was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SignInError {
    /// Unknown email, wrong password or deactivated account (not told apart).
    Invalid,
    /// Too many failures; seconds to wait.
    Throttled(u64),
    /// Too many passwords being checked at once; try again in a moment.
    Busy,
}

/// Checks credentials with throttling and returns the user id.
pub async fn sign_in(
    db: &Db,
    email: &str,
    password_text: SecretString,
    address: &str,
) -> anyhow::Result<Result<i64, SignInError>> {
    let email = normalise_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    let attempt = match throttle::begin(db, &email, address).await? {
        Ok(attempt) => attempt,
        Err(wait) => return Ok(Err(SignInError::Throttled(wait))),
    };
    let account = users::credentials(db, &email).await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let Ok(matches) = password::verify(password_text, stored).await else {
        // Not a failure of the person's: no turn to check it.
        attempt.withdraw(db).await?;
        return Ok(Err(SignInError::Busy));
    };
    match account {
        Some(a) if matches && a.active => {
            attempt.succeeded(db, &email).await?;
            Ok(Ok(a.id))
        }
        // The attempt stays recorded: it was a failure.
        _ => Ok(Err(SignInError::Invalid)),
    }
}

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
pub(crate) async fn check_admin(db: &Db, input: FirstAdmin) -> Result<CheckedAdmin, ApiError> {
    let email = normalise_email(&input.email).map_err(|e| ApiError::invalid("email", e))?;
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "must not be empty"));
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
    if users::id_by_email(db, &email)
        .await
        .map_err(internal)?
        .is_some()
    {
        return Err(email_taken(&email));
    }
    let password_hash = password::hash(input.password).await?;
    Ok(CheckedAdmin {
        org,
        email,
        name,
        password_hash,
    })
}

fn email_taken(email: &str) -> ApiError {
    ApiError::Conflict(format!("a user with email {email} already exists"))
}

/// Inserts a checked admin into an organisation, inside the caller's
/// transaction.
pub(crate) async fn insert_admin(
    conn: &mut AnyConnection,
    org_id: i64,
    admin: &CheckedAdmin,
) -> Result<i64, ApiError> {
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
    .await
    .map_err(internal)?;
    match created {
        users::Created::Id(id) => Ok(id),
        users::Created::EmailTaken => Err(email_taken(&admin.email)),
    }
}

/// Creates an organisation (or reuses one of that name) and an admin in it:
/// what `tally admin create --org` and the demo do. Errors name the field at
/// fault; nothing is written unless all fields pass. It also marks first-run
/// setup as done, so the setup form never opens on a database made this way.
/// The `/setup` form goes through [`super::first_run::setup`] instead, which
/// never joins an existing organisation.
pub async fn create_admin(db: &Db, input: FirstAdmin) -> Result<i64, ApiError> {
    let admin = check_admin(db, input).await?;
    let mut tx = db.begin_write().await.map_err(internal)?;
    let org_id = match orgs::find_by_name(&mut tx, &admin.org.name)
        .await
        .map_err(internal)?
    {
        Some(id) => id,
        None => orgs::create(&mut tx, &admin.org.name, &admin.org.timezone)
            .await
            .map_err(internal)?,
    };
    let id = insert_admin(&mut tx, org_id, &admin).await?;
    first_run::mark_done(&mut tx).await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// The [`AccountsService`] server functions use.
#[derive(Debug, Clone)]
pub struct Accounts {
    db: Db,
}

impl Accounts {
    /// Accounts over this database.
    pub fn new(db: Db, _config: &Config) -> Self {
        Self { db }
    }

    async fn target_in_org(&self, viewer: &Viewer, user_id: i64) -> Result<(Role, bool), ApiError> {
        users::role_in_org(&self.db, viewer.org_id, user_id)
            .await
            .map_err(internal)?
            .ok_or(ApiError::NotFound)
    }

    /// Refuses a change that would leave the organisation without an active admin.
    async fn keep_an_admin(&self, viewer: &Viewer, target: (Role, bool)) -> Result<(), ApiError> {
        if target.0 == Role::Admin
            && target.1
            && users::active_admins(&self.db, viewer.org_id)
                .await
                .map_err(internal)?
                <= 1
        {
            return Err(ApiError::Conflict(
                "the organisation must keep at least one active admin".into(),
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl AccountsService for Accounts {
    async fn org_settings(&self, viewer: &Viewer) -> Result<OrgSettings, ApiError> {
        orgs::settings(&self.db, viewer.org_id)
            .await
            .map_err(internal)?
            .ok_or(ApiError::NotFound)
    }

    async fn update_org_settings(
        &self,
        viewer: &Viewer,
        settings: OrgSettings,
    ) -> Result<(), ApiError> {
        let settings =
            orgs::validate(settings).map_err(|(field, msg)| ApiError::invalid(field, msg))?;
        orgs::update(&self.db, viewer.org_id, &settings)
            .await
            .map_err(internal)
    }

    async fn list_users(&self, viewer: &Viewer) -> Result<Vec<UserSummary>, ApiError> {
        users::list(&self.db, viewer.org_id).await.map_err(internal)
    }

    async fn invite_user(
        &self,
        viewer: &Viewer,
        email: String,
        name: String,
        role: Role,
    ) -> Result<Invitation, ApiError> {
        let email = normalise_email(&email).map_err(|e| ApiError::invalid("email", e))?;
        let name = name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(ApiError::invalid("name", "must be 1 to 120 characters"));
        }
        let one_time_password = password::one_time_password();
        let hash = password::hash(SecretString::from(one_time_password.clone())).await?;
        let created = users::create(
            &self.db,
            users::NewUser {
                org_id: viewer.org_id,
                email: &email,
                name: &name,
                role,
                password_hash: &hash,
                must_change_password: true,
            },
        )
        .await
        .map_err(internal)?;
        let id = match created {
            users::Created::Id(id) => id,
            users::Created::EmailTaken => {
                return Err(ApiError::invalid(
                    "email",
                    "is already used by another account",
                ));
            }
        };
        Ok(Invitation {
            user: UserSummary {
                id,
                email,
                name,
                role,
                active: true,
                must_change_password: true,
            },
            one_time_password,
        })
    }

    async fn set_role(&self, viewer: &Viewer, user_id: i64, role: Role) -> Result<(), ApiError> {
        let target = self.target_in_org(viewer, user_id).await?;
        if role != Role::Admin {
            self.keep_an_admin(viewer, target).await?;
        }
        users::set_role(&self.db, viewer.org_id, user_id, role)
            .await
            .map_err(internal)
    }

    async fn set_active(
        &self,
        viewer: &Viewer,
        user_id: i64,
        active: bool,
    ) -> Result<(), ApiError> {
        let target = self.target_in_org(viewer, user_id).await?;
        if !active {
            self.keep_an_admin(viewer, target).await?;
        }
        users::set_active(&self.db, viewer.org_id, user_id, active)
            .await
            .map_err(internal)?;
        if !active {
            sessions::end_all_for(&self.db, user_id)
                .await
                .map_err(internal)?;
        }
        Ok(())
    }

    async fn change_password(
        &self,
        viewer: &Viewer,
        current: String,
        new: String,
    ) -> Result<(), ApiError> {
        let attempt = match throttle::begin_for_account(&self.db, &viewer.email)
            .await
            .map_err(internal)?
        {
            Ok(attempt) => attempt,
            Err(retry_after_secs) => return Err(ApiError::TooManyRequests { retry_after_secs }),
        };
        let stored = users::password_hash(&self.db, viewer.user_id)
            .await
            .map_err(internal)?;
        let Ok(matches) = password::verify(SecretString::from(current.clone()), stored).await
        else {
            attempt.withdraw(&self.db).await.map_err(internal)?;
            return Err(password::Busy.into());
        };
        if !matches {
            // The attempt stays recorded: wrong guesses here are throttled
            // like wrong guesses at sign-in.
            return Err(ApiError::invalid(
                "current_password",
                "is not your current password",
            ));
        }
        attempt
            .succeeded(&self.db, &viewer.email)
            .await
            .map_err(internal)?;
        password::check_strength(&new).map_err(|e| ApiError::invalid("new_password", e))?;
        if new == current {
            return Err(ApiError::invalid(
                "new_password",
                "must differ from the current (or one-time) password",
            ));
        }
        let hash = password::hash(SecretString::from(new)).await?;
        users::set_password(&self.db, viewer.user_id, &hash)
            .await
            .map_err(internal)?;
        // Whoever knew the old password is signed out everywhere else.
        sessions::end_others(&self.db, viewer.user_id, viewer.session.as_deref())
            .await
            .map_err(internal)?;
        api_tokens::revoke_all_for(&self.db, viewer.user_id)
            .await
            .map_err(internal)
    }
}
