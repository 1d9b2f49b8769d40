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
use secrecy::SecretString;

pub use super::admins::FirstAdmin;
use super::{
    admins, api_tokens, first_run, normalise_email, orgs, password, sessions, throttle, users,
};
use crate::{
    db::Db,
    error::{Result, answer, invalid},
    events::EventBus,
};

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

/// Creates an organisation (or reuses one of that name) and an admin in it:
/// what `tally admin create --org` and the demo do. Errors name the field at
/// fault; nothing is written unless all fields pass. It also marks first-run
/// setup as done, so the setup form never opens on a database made this way.
/// The `/setup` form goes through `first_run::setup` instead, which
/// never joins an existing organisation.
pub async fn create_admin(db: &Db, input: FirstAdmin) -> Result<i64, ApiError> {
    answer(async {
        let admin = admins::check_admin(db, input).await?;
        let mut tx = db.begin_write().await?;
        let org_id = match orgs::find_by_name(&mut tx, &admin.org.name).await? {
            Some(id) => id,
            None => orgs::create(&mut tx, &admin.org.name, &admin.org.timezone).await?,
        };
        let id = admins::insert_admin(&mut tx, org_id, &admin).await?;
        first_run::mark_done(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// The [`AccountsService`] server functions use.
#[derive(Debug, Clone)]
pub struct Accounts {
    db: Db,
    /// Tells every replica to close a deactivated user's live streams.
    events: EventBus,
}

impl Accounts {
    /// Accounts over this database and event bus.
    pub fn new(db: Db, events: EventBus) -> Self {
        Self { db, events }
    }

    async fn target_in_org(&self, viewer: &Viewer, user_id: i64) -> Result<(Role, bool)> {
        Ok(users::role_in_org(&self.db, viewer.org_id, user_id)
            .await?
            .ok_or(ApiError::NotFound)?)
    }

    /// Refuses a change that would leave the organisation without an active admin.
    async fn keep_an_admin(&self, viewer: &Viewer, target: (Role, bool)) -> Result<()> {
        if target.0 == Role::Admin
            && target.1
            && users::active_admins(&self.db, viewer.org_id).await? <= 1
        {
            return Err(ApiError::Conflict(
                "the organisation must keep at least one active admin".into(),
            )
            .into());
        }
        Ok(())
    }
}

#[async_trait]
impl AccountsService for Accounts {
    async fn org_settings(&self, viewer: &Viewer) -> Result<OrgSettings, ApiError> {
        answer(async {
            Ok(orgs::settings(&self.db, viewer.org_id)
                .await?
                .ok_or(ApiError::NotFound)?)
        })
        .await
    }

    async fn update_org_settings(
        &self,
        viewer: &Viewer,
        settings: OrgSettings,
    ) -> Result<(), ApiError> {
        answer(async {
            let settings = orgs::validate(settings).map_err(|(field, msg)| invalid(field, msg))?;
            Ok(orgs::update(&self.db, viewer.org_id, &settings).await?)
        })
        .await
    }

    async fn list_users(&self, viewer: &Viewer) -> Result<Vec<UserSummary>, ApiError> {
        answer(async { Ok(users::list(&self.db, viewer.org_id).await?) }).await
    }

    async fn invite_user(
        &self,
        viewer: &Viewer,
        email: String,
        name: String,
        role: Role,
    ) -> Result<Invitation, ApiError> {
        answer(async {
            let email = normalise_email(&email).map_err(|e| invalid("email", e))?;
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 120 {
                return Err(invalid("name", "must be 1 to 120 characters"));
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
            .await?;
            let id = match created {
                users::Created::Id(id) => id,
                users::Created::EmailTaken => {
                    return Err(invalid("email", "is already used by another account"));
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
        })
        .await
    }

    async fn set_role(&self, viewer: &Viewer, user_id: i64, role: Role) -> Result<(), ApiError> {
        answer(async {
            let target = self.target_in_org(viewer, user_id).await?;
            if role != Role::Admin {
                self.keep_an_admin(viewer, target).await?;
            }
            Ok(users::set_role(&self.db, viewer.org_id, user_id, role).await?)
        })
        .await
    }

    async fn set_active(
        &self,
        viewer: &Viewer,
        user_id: i64,
        active: bool,
    ) -> Result<(), ApiError> {
        answer(async {
            let target = self.target_in_org(viewer, user_id).await?;
            if !active {
                self.keep_an_admin(viewer, target).await?;
            }
            users::set_active(&self.db, viewer.org_id, user_id, active).await?;
            if !active {
                sessions::end_all_for(&self.db, user_id).await?;
                let org_id = viewer.org_id;
                let gone = crate::events::Event::UserDeactivated { org_id, user_id };
                self.events.publish(gone).await?;
            }
            Ok(())
        })
        .await
    }

    async fn change_password(
        &self,
        viewer: &Viewer,
        current: String,
        new: String,
    ) -> Result<(), ApiError> {
        answer(async {
            let attempt = match throttle::begin_for_account(&self.db, &viewer.email).await? {
                Ok(attempt) => attempt,
                Err(retry_after_secs) => {
                    return Err(ApiError::TooManyRequests { retry_after_secs }.into());
                }
            };
            let stored = users::password_hash(&self.db, viewer.user_id).await?;
            let Ok(matches) = password::verify(SecretString::from(current.clone()), stored).await
            else {
                attempt.withdraw(&self.db).await?;
                return Err(ApiError::from(password::Busy).into());
            };
            if !matches {
                // The attempt stays recorded: wrong guesses here are
                // throttled like wrong guesses at sign-in.
                return Err(invalid("current_password", "is not your current password"));
            }
            attempt.succeeded(&self.db, &viewer.email).await?;
            password::check_strength(&new).map_err(|e| invalid("new_password", e))?;
            if new == current {
                return Err(invalid(
                    "new_password",
                    "must differ from the current (or one-time) password",
                ));
            }
            let hash = password::hash(SecretString::from(new)).await?;
            users::set_password(&self.db, viewer.user_id, &hash).await?;
            // Whoever knew the old password is signed out everywhere else.
            sessions::end_others(&self.db, viewer.user_id, viewer.session.as_deref()).await?;
            Ok(api_tokens::revoke_all_for(&self.db, viewer.user_id).await?)
        })
        .await
    }
}
