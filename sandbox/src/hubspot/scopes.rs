//! HubSpot scopes: the names the sandbox knows and which scopes each endpoint needs.
//!
//! Exists to refuse unknown scopes at authorize time and answer 403 MISSING_SCOPES the way
//! the v3/2026-03 specs describe (engagements need `crm.objects.contacts.read`, etc.).

use axum::http::HeaderMap;
use axum::response::Response;

use super::errors;
use crate::grants::AccessToken;
use crate::model::ObjectKind;
use crate::{Provider, Sandbox, util};

/// Scopes a default sandbox app declares.
pub const KNOWN_SCOPES: &[&str] = &[
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "crm.objects.owners.read",
    "crm.objects.users.read",
    "crm.lists.read",
    "crm.lists.write",
    "crm.schemas.contacts.read",
    "crm.schemas.companies.read",
    "crm.schemas.deals.read",
    "crm.schemas.calls.read",
    "crm.schemas.meetings.read",
    "crm.objects.calls.read",
    "crm.objects.meetings.read",
    "crm.objects.notes.read",
    "crm.objects.tasks.read",
    "crm.objects.emails.read",
    "sales-email-read",
    "automation",
    "timeline",
    "tickets",
];

/// Scopes that allow reading a kind (any one suffices).
pub fn read_scopes(kind: ObjectKind) -> &'static [&'static str] {
    match kind {
        ObjectKind::Contacts => &["crm.objects.contacts.read"],
        ObjectKind::Companies => &["crm.objects.companies.read"],
        ObjectKind::Deals => &["crm.objects.deals.read"],
        ObjectKind::Calls => &["crm.objects.contacts.read", "crm.objects.calls.read"],
        ObjectKind::Meetings => &["crm.objects.contacts.read", "crm.objects.meetings.read"],
        ObjectKind::Notes => &["crm.objects.contacts.read", "crm.objects.notes.read"],
        ObjectKind::Tasks => &["crm.objects.contacts.read", "crm.objects.tasks.read"],
        ObjectKind::Emails => &[
            "crm.objects.contacts.read",
            "sales-email-read",
            "crm.objects.emails.read",
        ],
    }
}

/// Checks the bearer token and that it carries one of `any_of` (empty = no scope check).
pub fn authorize(
    sb: &Sandbox,
    headers: &HeaderMap,
    any_of: &[&str],
) -> Result<AccessToken, Response> {
    let token = util::bearer(headers);
    let now = sb.now_ms();
    let t = sb
        .grants()
        .check(Provider::Hubspot, token.as_deref(), now)
        .map_err(|e| errors::unauthorized(&e))?;
    if !any_of.is_empty() && !any_of.iter().any(|s| t.scopes.iter().any(|g| g == s)) {
        return Err(errors::missing_scopes(any_of));
    }
    Ok(t)
}
