//! A deal's properties, including the three MRR-like ones that disagree in untidy data.
//!
//! Exists so the deal's definitions stay together: `amount`, HubSpot's calculated `hs_mrr`
//! and the custom `mrr` and legacy `monthly_recurring_revenue` are told apart only here.

use super::PropType::{Bool, Datetime, Enumeration, Number, String as Str};
use super::builder::{header, owner};
use super::{Options, PropDef};

/// The group of deal properties, and of those created through the control API.
pub(super) const GROUP: &str = "dealinformation";

/// The record-header properties of a deal.
pub(super) const HEADER: [PropDef; 5] = header(GROUP);

/// The properties the generator sets or may set on a deal.
pub(super) const PROPERTIES: &[PropDef] = &[
    PropDef::new(
        "dealname",
        "Deal Name",
        Str,
        "text",
        GROUP,
        "The name given to this deal.",
    ),
    PropDef::new(
        "amount",
        "Amount",
        Number,
        "number",
        GROUP,
        "The total amount of the deal",
    ),
    PropDef::new(
        "hs_mrr",
        "Monthly recurring revenue",
        Number,
        "number",
        GROUP,
        "The monthly recurring revenue (MRR) of the line items associated with this deal.",
    )
    .calculated(),
    PropDef::new(
        "mrr",
        "MRR",
        Number,
        "number",
        GROUP,
        "Monthly recurring revenue as our sales team quotes it.",
    )
    .custom(),
    PropDef::new(
        "monthly_recurring_revenue",
        "Monthly Recurring Revenue (legacy)",
        Number,
        "number",
        GROUP,
        "MRR field imported from the previous CRM. Kept for reporting history.",
    )
    .custom(),
    PropDef::new(
        "closedate",
        "Close Date",
        Datetime,
        "date",
        GROUP,
        "Date the deal was closed. Set automatically by HubSpot.",
    ),
    PropDef::new(
        "dealstage",
        "Deal Stage",
        Enumeration,
        "radio",
        GROUP,
        "The stage of the deal. Deal stages allow you to categorize and track the progress of the deals that you are working on.",
    )
    .options(Options::DealStages),
    PropDef::new(
        "pipeline",
        "Pipeline",
        Enumeration,
        "select",
        GROUP,
        "The pipeline the deal is in. This determines which stages are options for the deal.",
    )
    .options(Options::Pipelines),
    owner(GROUP),
    PropDef::new(
        "dealtype",
        "Deal Type",
        Enumeration,
        "radio",
        GROUP,
        "The type of deal. By default, categorize your deal as either New Business or Existing Business.",
    )
    .options(Options::Fixed(&[
        ("newbusiness", "New Business"),
        ("existingbusiness", "Existing Business"),
    ])),
    PropDef::new(
        "hs_is_closed",
        "Is Deal Closed?",
        Bool,
        "booleancheckbox",
        GROUP,
        "True if the deal was won or lost.",
    )
    .options(Options::Bool)
    .calculated(),
    PropDef::new(
        "hs_is_closed_won",
        "Is Closed Won",
        Bool,
        "booleancheckbox",
        GROUP,
        "True if the deal is in the closed won state, false otherwise",
    )
    .options(Options::Bool)
    .calculated(),
    PropDef::new(
        "description",
        "Deal Description",
        Str,
        "textarea",
        GROUP,
        "Description of the deal",
    ),
];
