//! Ids that must not be mixed up: an organisation's, a connection's, a
//! measurable's. Each wraps the database's integer, so a function that
//! takes an organisation and a connection cannot be handed them the wrong
//! way round, and a measurable id cannot stand in for a person's. On the
//! wire and in the database they are the plain integer.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id! {
    /// An organisation.
    OrgId
}

id! {
    /// A provider connection.
    ConnectionId
}

id! {
    /// A measurable (a scorecard row).
    MeasurableId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_integers_on_the_wire() {
        assert_eq!(serde_json::to_string(&ConnectionId(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<OrgId>("42").unwrap(), OrgId(42));
        assert_eq!("9".parse::<MeasurableId>().unwrap(), MeasurableId(9));
        assert!("x".parse::<MeasurableId>().is_err());
        assert_eq!(OrgId(3).to_string(), "3");
    }
}
