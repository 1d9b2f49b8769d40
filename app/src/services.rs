//! The server-side services that server functions call (SSR only).
//!
//! `app` cannot depend on `server`, so it declares here the small traits its
//! server functions need; `server` implements them and provides a
//! [`Services`] value as Leptos context. Server functions stay thin:
//! authorise, call a service, return.

use std::{collections::BTreeMap, sync::Arc};

use crate::domain::{ConnectionId, MeasurableId};

use async_trait::async_trait;

use crate::{
    domain::{
        ConnectionDetail, KeyCheck, OrgSettings, ProviderCard, Role, TokenCheck, UserSummary,
        Viewer,
        measurable::MeasurableInput,
        scorecard::{
            CellDetail, Dashboard, MeasurableDetail, PersonOption, ScorecardSummary, ScorecardWeek,
        },
    },
    error::ApiError,
};

/// Everything server functions may call, provided as context by the server.
#[derive(Clone)]
pub struct Services {
    /// Organisation settings and users.
    pub accounts: Arc<dyn AccountsService>,
    /// Scorecards, measurables and their weekly values.
    pub scorecards: Arc<dyn ScorecardService>,
    /// Provider connections and their health.
    pub integrations: Arc<dyn IntegrationsService>,
    /// People and their provider links.
    pub people: Arc<dyn PeopleService>,
}

/// People and the provider users linked to them.
#[async_trait]
pub trait PeopleService: Send + Sync {
    /// People, links and unmatched provider users of the viewer's organisation.
    async fn people(&self, viewer: &Viewer) -> Result<crate::domain::people::PeopleView, ApiError>;
    /// Links a provider user to a person (`None`: not a person); managers only.
    async fn link(
        &self,
        viewer: &Viewer,
        connection_id: ConnectionId,
        external_id: &str,
        person_id: Option<i64>,
    ) -> Result<(), ApiError>;
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}

/// A freshly invited user and the one-time password to hand them.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// The new user.
    pub user: UserSummary,
    /// Shown once to the admin; the user must replace it at first sign-in.
    pub one_time_password: String,
}

/// Organisation settings and user management.
#[async_trait]
pub trait AccountsService: Send + Sync {
    /// The viewer's organisation settings.
    async fn org_settings(&self, viewer: &Viewer) -> Result<OrgSettings, ApiError>;
    /// Saves organisation settings (admins only; checked by the caller).
    async fn update_org_settings(
        &self,
        viewer: &Viewer,
        settings: OrgSettings,
    ) -> Result<(), ApiError>;
    /// Users of the viewer's organisation.
    async fn list_users(&self, viewer: &Viewer) -> Result<Vec<UserSummary>, ApiError>;
    /// Creates a user with a one-time password.
    async fn invite_user(
        &self,
        viewer: &Viewer,
        email: String,
        name: String,
        role: Role,
    ) -> Result<Invitation, ApiError>;
    /// Changes a user's role.
    async fn set_role(&self, viewer: &Viewer, user_id: i64, role: Role) -> Result<(), ApiError>;
    /// Activates or deactivates a user (and ends their sessions).
    async fn set_active(&self, viewer: &Viewer, user_id: i64, active: bool)
    -> Result<(), ApiError>;
    /// Replaces the viewer's own password.
    async fn change_password(
        &self,
        viewer: &Viewer,
        current: String,
        new: String,
    ) -> Result<(), ApiError>;
}

/// Which person owns each section of the default template.
pub type TemplateOwners = Vec<(String, Option<i64>)>;

/// Scorecards: reading weeks, entering values, editing definitions.
///
/// Every method scopes its work to the viewer's organisation and answers
/// `NotFound` for ids of another one. Methods that edit definitions check
/// the viewer may manage; value entry checks ownership for members.
#[async_trait]
pub trait ScorecardService: Send + Sync {
    /// Scorecards of the organisation.
    async fn list(&self, viewer: &Viewer) -> Result<Vec<ScorecardSummary>, ApiError>;
    /// Creates an empty scorecard (managers).
    async fn create(&self, viewer: &Viewer, name: String) -> Result<i64, ApiError>;
    /// One scorecard (the first when `id` is `None`) as of `week` (the
    /// current week when `None`); `None` when the organisation has none.
    async fn week(
        &self,
        viewer: &Viewer,
        id: Option<i64>,
        week: Option<String>,
    ) -> Result<Option<ScorecardWeek>, ApiError>;
    /// People who can own measurables.
    async fn people(&self, viewer: &Viewer) -> Result<Vec<PersonOption>, ApiError>;
    /// The records, entry, note and audit trail behind one cell.
    async fn cell(
        &self,
        viewer: &Viewer,
        measurable_id: MeasurableId,
        week: String,
    ) -> Result<CellDetail, ApiError>;
    /// Enters (manual measurables) or overrides a week's value; `None`
    /// clears the entry. Audited.
    async fn set_value(
        &self,
        viewer: &Viewer,
        measurable_id: MeasurableId,
        week: String,
        value: Option<f64>,
        reason: String,
    ) -> Result<(), ApiError>;
    /// Sets or clears (empty text) the note on a cell. Audited.
    async fn set_note(
        &self,
        viewer: &Viewer,
        measurable_id: MeasurableId,
        week: String,
        note: String,
    ) -> Result<(), ApiError>;
    /// A measurable's definition, for the editor.
    async fn measurable(
        &self,
        viewer: &Viewer,
        id: MeasurableId,
    ) -> Result<MeasurableDetail, ApiError>;
    /// Creates a measurable (on the first scorecard when `scorecard_id` is
    /// `None`, creating it if needed) and returns its id.
    async fn create_measurable(
        &self,
        viewer: &Viewer,
        scorecard_id: Option<i64>,
        input: MeasurableInput,
    ) -> Result<MeasurableId, ApiError>;
    /// Replaces a measurable's definition; a changed goal applies from its
    /// effective week on.
    async fn update_measurable(
        &self,
        viewer: &Viewer,
        id: MeasurableId,
        input: MeasurableInput,
    ) -> Result<(), ApiError>;
    /// Deletes a measurable.
    async fn delete_measurable(&self, viewer: &Viewer, id: MeasurableId) -> Result<(), ApiError>;
    /// What a definition not saved yet would show: 13 weeks' values, the
    /// records counted and those each filter keeps out (managers).
    async fn preview(
        &self,
        viewer: &Viewer,
        request: crate::domain::preview::PreviewRequest,
    ) -> Result<crate::domain::preview::Preview, ApiError>;
    /// Counts and pipeline of the synced CRM data, for the dashboard tab.
    async fn dashboard(&self, viewer: &Viewer) -> Result<Dashboard, ApiError>;
    /// Creates the default sales scorecard with the given section owners.
    async fn apply_template(
        &self,
        viewer: &Viewer,
        owners: TemplateOwners,
    ) -> Result<i64, ApiError>;
}

/// Provider connections: cards, detail, settings and disconnecting.
///
/// Connecting itself happens in plain axum routes (`/oauth/{provider}/…`)
/// because it redirects the browser to the provider and back.
#[async_trait]
pub trait IntegrationsService: Send + Sync {
    /// One card per provider with the organisation's connections.
    async fn cards(&self, viewer: &Viewer) -> Result<Vec<ProviderCard>, ApiError>;
    /// One connection of the viewer's organisation and its sync runs.
    async fn detail(&self, viewer: &Viewer, id: ConnectionId)
    -> Result<ConnectionDetail, ApiError>;
    /// Turns scheduled sync on or off.
    async fn set_auto_sync(
        &self,
        viewer: &Viewer,
        id: ConnectionId,
        on: bool,
    ) -> Result<(), ApiError>;
    /// Revokes at the provider where possible, deletes the secrets, and keeps
    /// or purges the synced data.
    async fn disconnect(
        &self,
        viewer: &Viewer,
        id: ConnectionId,
        purge: bool,
    ) -> Result<(), ApiError>;
    /// Starts a sync now. Fails with a conflict while no sync engine is
    /// installed (the page then shows no "Sync now" button).
    async fn sync_now(&self, viewer: &Viewer, id: ConnectionId) -> Result<(), ApiError>;
    /// Checks API credentials (form fields by name) with the provider and,
    /// unless `test_only`, saves them; the connection when saved.
    async fn connect_api_key(
        &self,
        viewer: &Viewer,
        provider: &str,
        fields: BTreeMap<String, String>,
        test_only: bool,
    ) -> Result<(Option<ConnectionId>, KeyCheck), ApiError>;
    /// Asks HubSpot about a pasted access token (private app or service
    /// key) and saves nothing.
    async fn test_hubspot_token(
        &self,
        viewer: &Viewer,
        token: String,
    ) -> Result<TokenCheck, ApiError>;
    /// Checks a pasted HubSpot access token and saves it as the portal's
    /// connection.
    async fn connect_hubspot_token(
        &self,
        viewer: &Viewer,
        token: String,
    ) -> Result<(ConnectionId, TokenCheck), ApiError>;
}

/// The services the server provided for this request.
pub fn services() -> Result<Services, ApiError> {
    leptos::prelude::use_context::<Services>().ok_or(ApiError::Internal)
}
