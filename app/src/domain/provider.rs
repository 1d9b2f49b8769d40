//! The providers Tally connects, as one enum: stored and sent as their
//! lowercase id (`hubspot`), shown by name (`HubSpot`), so no code matches
//! provider names as strings and a new provider is a compile error
//! everywhere it needs handling.

use serde::{Deserialize, Serialize};

/// A provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// HubSpot CRM.
    Hubspot,
    /// Fathom meeting recorder.
    Fathom,
    /// Autotask (Kaseya) PSA: tickets and time entries.
    Autotask,
    /// Aircall phone system.
    Aircall,
}

impl Provider {
    /// Every provider, in card order.
    pub const ALL: [Self; 4] = [Self::Hubspot, Self::Fathom, Self::Autotask, Self::Aircall];

    /// The stored, URL and wire id.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hubspot => "hubspot",
            Self::Fathom => "fathom",
            Self::Autotask => "autotask",
            Self::Aircall => "aircall",
        }
    }

    /// The provider an id names, if any.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == id)
    }

    /// Its place in [`Provider::ALL`], for tables kept in that order.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hubspot => "HubSpot",
            Self::Fathom => "Fathom",
            Self::Autotask => "Autotask",
            Self::Aircall => "Aircall",
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_match_the_wire_form() {
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.as_str()), Some(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
        for (i, p) in Provider::ALL.into_iter().enumerate() {
            assert_eq!(p.index(), i);
        }
        assert_eq!(Provider::parse("HubSpot"), None);
        assert_eq!(Provider::parse(""), None);
    }
}
