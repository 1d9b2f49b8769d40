//! Telling a manager that a property they named does not exist in the
//! connected portal, and which names come closest.
//!
//! A sum over a misspelt property (`mrrr`) quietly counts nothing, which is
//! worse than an error; but a fallback list such as `["mrr", "hs_mrr",
//! "amount"]` legitimately names properties some portals lack. So an unknown
//! name is a warning shown while the definition is edited, with the closest
//! existing names, never a refusal.

use serde::{Deserialize, Serialize};

/// A property the portal defines, as the editor needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyName {
    /// Internal name, e.g. `hs_mrr`.
    pub name: String,
    /// Label shown in the provider, e.g. `Monthly recurring revenue`.
    pub label: String,
}

/// A named property the portal does not define.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownProperty {
    /// The name as written in the definition.
    pub name: String,
    /// The closest existing names, best first (at most three).
    pub closest: Vec<String>,
}

impl UnknownProperty {
    /// One line for the editor: "`mrrr` is not a deal property of the
    /// connected portal; closest: mrr, hs_mrr".
    pub fn message(&self, object: &str) -> String {
        let closest = if self.closest.is_empty() {
            String::new()
        } else {
            format!("; closest: {}", self.closest.join(", "))
        };
        format!(
            "`{}` is not a {object} property of the connected portal, so it counts as empty{closest}",
            self.name
        )
    }
}

/// Edit distance between two strings (insert, delete, substitute).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A word-ish form for comparing: lower case, separators dropped.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The names among `known` closest to `name`, by internal name or label,
/// best first, at most three; nothing that is not plausibly meant.
pub fn closest(name: &str, known: &[PropertyName]) -> Vec<String> {
    let target = squash(name);
    // (score, distance by internal name, name): a label match counts, but
    // between equals the internal name decides.
    let mut scored: Vec<(usize, usize, &str)> = known
        .iter()
        .filter_map(|p| {
            let by_name = distance(&target, &squash(&p.name));
            let by_label = distance(&target, &squash(&p.label));
            let contains = !target.is_empty()
                && (squash(&p.name).contains(&target) || squash(&p.label).contains(&target));
            let best = by_name.min(by_label);
            let limit = (target.chars().count() / 3).max(2);
            let score = if contains { best.min(limit) } else { best };
            (best <= limit || contains).then_some((score, by_name, p.name.as_str()))
        })
        .collect();
    scored.sort_by(|a, b| (a.0, a.1, a.2.len(), a.2).cmp(&(b.0, b.1, b.2.len(), b.2)));
    scored.dedup_by(|a, b| a.2 == b.2);
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, n)| n.to_owned())
        .collect()
}

/// The names of `wanted` that `known` lacks (compared exactly: HubSpot's
/// internal names are case-sensitive), each with its closest names.
pub fn unknown(wanted: &[String], known: &[PropertyName]) -> Vec<UnknownProperty> {
    wanted
        .iter()
        .filter(|w| !known.iter().any(|k| k.name == **w))
        .map(|w| UnknownProperty {
            name: w.clone(),
            closest: closest(w, known),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<PropertyName> {
        [
            ("amount", "Amount"),
            ("hs_mrr", "Monthly recurring revenue"),
            ("mrr", "MRR"),
            (
                "monthly_recurring_revenue",
                "Monthly recurring revenue (custom)",
            ),
            ("dealname", "Deal name"),
            ("closedate", "Close date"),
        ]
        .map(|(n, l)| PropertyName {
            name: n.into(),
            label: l.into(),
        })
        .to_vec()
    }

    #[test]
    fn a_misspelt_name_gets_the_names_it_was_meant_to_be() {
        let got = unknown(&["mrrr".into(), "amount".into()], &known());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].name, "mrrr");
        assert_eq!(got[0].closest.first().map(String::as_str), Some("mrr"));
        assert!(got[0].message("deal").contains("closest: mrr"));
        assert_eq!(closest("close_date", &known()), ["closedate"]);
        assert_eq!(
            closest("monthly_recurring_revenu", &known())
                .first()
                .map(String::as_str),
            Some("monthly_recurring_revenue")
        );
        assert_eq!(closest("Amount", &known()), ["amount"]);
    }

    #[test]
    fn names_nobody_meant_are_not_offered() {
        assert!(closest("colour", &known()).is_empty());
        assert!(unknown(&["hs_mrr".into()], &known()).is_empty());
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
