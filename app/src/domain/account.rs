//! Who is using Tally and what they may do.

use crate::domain::OrgId;
use serde::{Deserialize, Serialize};

/// What a user may do in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users and organisation settings.
    Admin,
    /// Integrations, scorecard definitions and goals.
    Manager,
    /// Reads the scorecard and enters their own manual values.
    Member,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Manager, Role::Member];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Member => "member",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Admins and managers connect integrations and own the scorecard.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    /// Only admins manage users and organisation settings.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }

    /// Capitalised label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Manager => "Manager",
            Role::Member => "Member",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signed-in user of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// User id.
    pub user_id: i64,
    /// Organisation the user belongs to; every query is scoped by it.
    pub org_id: OrgId,
    /// Organisation name, for the header.
    pub org_name: String,
    /// Display name.
    pub name: String,
    /// Login email.
    pub email: String,
    /// What the user may do.
    pub role: Role,
    /// Signed in with a one-time password that must be replaced first.
    pub must_change_password: bool,
    /// The browser session this request came with (its row key, a hash,
    /// never the cookie); `None` for API tokens. Never sent to the browser.
    #[serde(skip)]
    pub session: Option<String>,
}

/// A user as listed on the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    /// User id.
    pub id: i64,
    /// Login email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Deactivated users cannot sign in.
    pub active: bool,
    /// Still on the one-time password from their invitation.
    pub must_change_password: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
    }

    #[test]
    fn only_admins_and_managers_manage() {
        assert!(Role::Admin.can_manage() && Role::Manager.can_manage());
        assert!(!Role::Member.can_manage());
        assert!(Role::Admin.is_admin() && !Role::Manager.is_admin());
    }
}
