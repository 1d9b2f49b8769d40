//! People and the provider users (HubSpot owners, Fathom recorders) linked
//! to them, as the People page and `GET /api/v1/people` show them.

use crate::domain::ConnectionId;
use serde::{Deserialize, Serialize};

/// A provider user, linked or not.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProviderUser {
    /// Connection it came through.
    pub connection_id: ConnectionId,
    /// HubSpot or Fathom.
    pub provider: super::Provider,
    /// HubSpot owner id or Fathom email.
    pub external_id: String,
    /// Display name.
    pub name: String,
    /// Email, when known.
    pub email: Option<String>,
    /// `auto` or `manual` (None when unmatched).
    pub source: Option<String>,
    /// Deactivated in the provider (a rep who left): their records still
    /// count for the weeks they made them.
    #[serde(default)]
    pub archived: bool,
    /// Records name this owner id but the provider's user list does not
    /// (deleted users, imports): how many live records it owns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_records: Option<i64>,
}

/// A person and their links.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Person {
    /// Person id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Linked provider users.
    pub links: Vec<ProviderUser>,
}

/// People, and provider users linked to no one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PeopleView {
    /// People with links.
    pub people: Vec<Person>,
    /// Provider users linked to no one.
    pub unmatched: Vec<ProviderUser>,
    /// Whether the viewer may change links.
    #[serde(default)]
    pub can_manage: bool,
}
