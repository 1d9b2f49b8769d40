//! [`IntegrationsService`] for server functions: authorisation is done by the
//! caller; here every lookup is scoped to the viewer's organisation.

use app::{
    domain::{ConnectionDetail, ConnectionId, KeyCheck, ProviderCard, TokenCheck, Viewer},
    error::ApiError,
    services::IntegrationsService,
};

use std::collections::BTreeMap;

use super::{Integrations, api_key::KeyError, static_token::StaticTokenError, store};
use crate::{error::answer, vault::SecretToken};

impl Integrations {
    async fn owned(
        &self,
        viewer: &Viewer,
        id: ConnectionId,
    ) -> crate::error::Result<store::Connection> {
        Ok(store::get_in_org(&self.db, viewer.org_id, id)
            .await?
            .ok_or(ApiError::NotFound)?)
    }
}

#[async_trait::async_trait]
impl IntegrationsService for Integrations {
    async fn cards(&self, viewer: &Viewer) -> Result<Vec<ProviderCard>, ApiError> {
        answer(async {
            let mut cards = self.provider_cards(viewer.org_id).await?;
            // Only those who may connect get the connect form's fields.
            if !viewer.role.can_manage() {
                for card in &mut cards {
                    card.key_fields.clear();
                }
            }
            Ok(cards)
        })
        .await
    }

    async fn detail(
        &self,
        viewer: &Viewer,
        id: ConnectionId,
    ) -> Result<ConnectionDetail, ApiError> {
        answer(async {
            let conn = self.owned(viewer, id).await?;
            Ok(self.connection_detail(&conn).await?)
        })
        .await
    }

    async fn set_auto_sync(
        &self,
        viewer: &Viewer,
        id: ConnectionId,
        on: bool,
    ) -> Result<(), ApiError> {
        answer(async {
            let conn = self.owned(viewer, id).await?;
            Ok(store::set_auto_sync(&self.db, conn.id, on).await?)
        })
        .await
    }

    async fn disconnect(
        &self,
        viewer: &Viewer,
        id: ConnectionId,
        purge: bool,
    ) -> Result<(), ApiError> {
        answer(async {
            let conn = self.owned(viewer, id).await?;
            Ok(self.disconnect_connection(&conn, purge).await?)
        })
        .await
    }

    async fn sync_now(&self, viewer: &Viewer, id: ConnectionId) -> Result<(), ApiError> {
        answer(async {
            let conn = self.owned(viewer, id).await?;
            let Some(engine) = &self.sync else {
                return Err(crate::error::Error::Refused(ApiError::Conflict(
                    "syncing is not available yet".into(),
                )));
            };
            Ok(engine.sync_now(conn.id).await?)
        })
        .await
    }

    async fn connect_api_key(
        &self,
        viewer: &Viewer,
        provider: &str,
        fields: BTreeMap<String, String>,
        test_only: bool,
    ) -> Result<(Option<ConnectionId>, KeyCheck), ApiError> {
        let answer = if test_only {
            self.check_key(provider, &fields).await.map(|c| (None, c))
        } else {
            self.connect_key(viewer, provider, &fields)
                .await
                .map(|(id, c)| (Some(id), c))
        };
        answer.map_err(|e| match e {
            KeyError::Internal(e) => crate::error::Error::Internal(e).into(),
            KeyError::NotApiKey => ApiError::NotFound,
            e => ApiError::invalid(e.field(), e.to_string()),
        })
    }

    async fn test_hubspot_token(
        &self,
        _viewer: &Viewer,
        token: String,
    ) -> Result<TokenCheck, ApiError> {
        self.check_hubspot_token(&SecretToken::new(token))
            .await
            .map_err(token_error)
    }

    async fn connect_hubspot_token(
        &self,
        viewer: &Viewer,
        token: String,
    ) -> Result<(ConnectionId, TokenCheck), ApiError> {
        Integrations::connect_hubspot_token(self, viewer, SecretToken::new(token))
            .await
            .map_err(token_error)
    }
}

/// A refused or unreachable token names the field; the rest is internal.
fn token_error(e: StaticTokenError) -> ApiError {
    match e {
        StaticTokenError::Internal(e) => crate::error::Error::Internal(e).into(),
        e => ApiError::invalid("access_token", e.to_string()),
    }
}
