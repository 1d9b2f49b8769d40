//! The options of enumeration properties.
//!
//! Exists because options come from several places — fixed pairs, values whose label is
//! derived, the deal pipelines of the catalog — and the properties API wants them all as
//! `(value, label)` pairs.

use super::PropDef;
use crate::catalog::{PIPELINES, Pipeline};

/// Where an enumeration's options come from.
#[derive(Debug, Clone, Copy)]
pub enum Options {
    /// No options (`[]`): not an enumeration, or options stored elsewhere.
    None,
    /// `(value, label)` pairs.
    Fixed(&'static [(&'static str, &'static str)]),
    /// Values whose label is derived: `FINANCIAL_SERVICES` → `Financial Services`.
    Values(&'static [&'static str]),
    /// Every stage of every deal pipeline.
    DealStages,
    /// Every deal pipeline.
    Pipelines,
    /// `true` / `false`, as HubSpot's boolean checkboxes have.
    Bool,
}

impl PropDef {
    /// The `(value, label)` options of this property.
    pub fn option_pairs(&self) -> Vec<(String, String)> {
        match self.options {
            Options::None => Vec::new(),
            Options::Fixed(o) => o
                .iter()
                .map(|(v, l)| (v.to_string(), l.to_string()))
                .collect(),
            Options::Values(v) => v.iter().map(|v| (v.to_string(), label_of(v))).collect(),
            Options::DealStages => PIPELINES
                .iter()
                .flat_map(|p: &Pipeline| p.stages.iter())
                .map(|(id, label, _, _)| (id.to_string(), label.to_string()))
                .collect(),
            Options::Pipelines => PIPELINES
                .iter()
                .map(|p| (p.id.to_string(), p.label.to_string()))
                .collect(),
            Options::Bool => vec![
                ("true".to_string(), "True".to_string()),
                ("false".to_string(), "False".to_string()),
            ],
        }
    }
}

/// `FINANCIAL_SERVICES` → `Financial Services`.
fn label_of(value: &str) -> String {
    value
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_derived_from_values() {
        assert_eq!(label_of("FINANCIAL_SERVICES"), "Financial Services");
        assert_eq!(label_of("NO_ANSWER"), "No Answer");
    }
}
