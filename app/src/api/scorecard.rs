//! Scorecard server functions: the page's reads and the forms' writes.

use crate::domain::MeasurableId;
use leptos::prelude::*;

use crate::{
    domain::{
        preview::Preview,
        scorecard::{CellDetail, MeasurableDetail, PersonOption, ScorecardWeek},
    },
    error::ApiError,
};

/// The first scorecard as of `week` (the current week when empty); `None`
/// when the organisation has no scorecard yet.
#[server(prefix = "/api/fn", endpoint = "scorecard_week")]
pub async fn load_scorecard_week(week: Option<String>) -> Result<Option<ScorecardWeek>, ApiError> {
    let viewer = crate::auth::viewer()?;
    crate::services::services()?
        .scorecards
        .week(&viewer, None, week)
        .await
}

/// People who can own measurables.
#[server(prefix = "/api/fn", endpoint = "scorecard_people")]
pub async fn scorecard_people() -> Result<Vec<PersonOption>, ApiError> {
    let viewer = crate::auth::viewer()?;
    crate::services::services()?
        .scorecards
        .people(&viewer)
        .await
}

/// Everything behind one cell.
#[server(prefix = "/api/fn", endpoint = "scorecard_cell")]
pub async fn scorecard_cell(
    measurable_id: MeasurableId,
    week: String,
) -> Result<CellDetail, ApiError> {
    let viewer = crate::auth::viewer()?;
    crate::services::services()?
        .scorecards
        .cell(&viewer, measurable_id, week)
        .await
}

/// Enters, overrides (non-empty `value`) or clears (empty `value`) a cell.
#[server(prefix = "/api/fn", endpoint = "set_cell_value")]
pub async fn set_cell_value(
    measurable_id: MeasurableId,
    week: String,
    value: String,
    reason: String,
) -> Result<(), ApiError> {
    let viewer = crate::auth::viewer()?;
    let value = match value.trim() {
        "" => None,
        text => Some(
            text.replace(',', "")
                .trim_start_matches('$')
                .trim_end_matches('%')
                .trim()
                .parse::<f64>()
                .map_err(|_| ApiError::invalid("value", "must be a number"))?,
        ),
    };
    crate::services::services()?
        .scorecards
        .set_value(&viewer, measurable_id, week.clone(), value, reason)
        .await?;
    leptos_axum::redirect(&format!(
        "/scorecard/cell?measurable={measurable_id}&week={week}"
    ));
    Ok(())
}

/// Sets or clears a cell's note.
#[server(prefix = "/api/fn", endpoint = "set_cell_note")]
pub async fn set_cell_note(
    measurable_id: MeasurableId,
    week: String,
    note: String,
) -> Result<(), ApiError> {
    let viewer = crate::auth::viewer()?;
    crate::services::services()?
        .scorecards
        .set_note(&viewer, measurable_id, week.clone(), note)
        .await?;
    leptos_axum::redirect(&format!(
        "/scorecard/cell?measurable={measurable_id}&week={week}"
    ));
    Ok(())
}

/// A measurable's definition, for the editor.
#[server(prefix = "/api/fn", endpoint = "get_measurable")]
pub async fn get_measurable(id: MeasurableId) -> Result<MeasurableDetail, ApiError> {
    let viewer = crate::auth::manager()?;
    crate::services::services()?
        .scorecards
        .measurable(&viewer, id)
        .await
}

pub use crate::domain::measurable_form::MeasurableForm;

/// What the editor's fields would show, for its preview panel: 13 weeks'
/// values, the records counted in `week` (empty: this week) and what each
/// filter keeps out (managers).
#[server(prefix = "/api/fn", endpoint = "preview_measurable")]
pub async fn preview_measurable(form: MeasurableForm, week: String) -> Result<Preview, ApiError> {
    let viewer = crate::auth::manager()?;
    let request = form.preview_request(Some(week))?;
    crate::services::services()?
        .scorecards
        .preview(&viewer, request)
        .await
}

/// Creates (`id` empty) or updates a measurable (managers).
#[server(prefix = "/api/fn", endpoint = "save_measurable")]
pub async fn save_measurable(id: String, form: MeasurableForm) -> Result<(), ApiError> {
    let viewer = crate::auth::manager()?;
    let input = form.into_input()?;
    let scorecards = crate::services::services()?.scorecards;
    match id.trim() {
        "" => {
            scorecards.create_measurable(&viewer, None, input).await?;
        }
        text => {
            let id = text
                .parse()
                .map_err(|_| ApiError::invalid("id", "must be a number"))?;
            scorecards.update_measurable(&viewer, id, input).await?;
        }
    }
    leptos_axum::redirect("/");
    Ok(())
}

/// Deletes a measurable (managers).
#[server(prefix = "/api/fn", endpoint = "delete_measurable")]
pub async fn delete_measurable(id: MeasurableId) -> Result<(), ApiError> {
    let viewer = crate::auth::manager()?;
    crate::services::services()?
        .scorecards
        .delete_measurable(&viewer, id)
        .await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The template form's field for each section, in `SECTIONS` order.
pub const TEMPLATE_FIELDS: [(&str, &str); 5] = [
    ("inside_sales", "Inside sales"),
    ("outside_sales", "Outside sales"),
    ("hybrid", "Hybrid"),
    ("warm_250", "Warm 250"),
    ("reactive_operations", "Reactive operations"),
];

/// Creates the default sales scorecard; each argument is the person id who
/// owns that section (empty for nobody).
#[server(prefix = "/api/fn", endpoint = "apply_template")]
pub async fn apply_template(
    inside_sales: String,
    outside_sales: String,
    hybrid: String,
    warm_250: String,
    reactive_operations: String,
) -> Result<(), ApiError> {
    let viewer = crate::auth::manager()?;
    let picks = [
        inside_sales,
        outside_sales,
        hybrid,
        warm_250,
        reactive_operations,
    ];
    let owners = TEMPLATE_FIELDS
        .iter()
        .zip(picks)
        .map(|((_, section), person)| {
            let person = match person.trim() {
                "" => None,
                p => Some(
                    p.parse::<i64>()
                        .map_err(|_| ApiError::invalid("person_id", "must be a person"))?,
                ),
            };
            Ok(((*section).to_owned(), person))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    crate::services::services()?
        .scorecards
        .apply_template(&viewer, owners)
        .await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The dashboard tab's data (any member).
#[server(prefix = "/api/fn", endpoint = "dashboard")]
pub async fn load_dashboard() -> Result<crate::domain::scorecard::Dashboard, ApiError> {
    let viewer = crate::auth::viewer()?;
    crate::services::services()?
        .scorecards
        .dashboard(&viewer)
        .await
}
