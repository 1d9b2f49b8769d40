//! The property schema of each generated object type.
//!
//! Exists so "defined but unset" properties come back as `null` and unknown ones are absent,
//! as HubSpot does. The names come from [`crate::schema`], which the properties API serves.

use super::Gen;
use crate::model::ObjectKind;

impl Gen {
    pub(super) fn define_schema(&mut self) {
        for kind in ObjectKind::ALL {
            for p in crate::schema::properties(kind) {
                self.s.define(kind, p.name);
            }
        }
    }
}
