//! [`ScorecardService`] for server functions and the REST API: every rule
//! about who may do what to a scorecard lives here.

use std::collections::{BTreeSet, HashMap};

use app::{
    domain::{
        Viewer,
        measurable::{FieldError, MeasurableInput, Source, SyncedQuery},
        preview::{Preview, PreviewRequest},
        scorecard::{
            CellDetail, Dashboard, MeasurableDetail, PersonOption, ScorecardSummary, ScorecardWeek,
        },
    },
    error::ApiError,
    scorecard::{find_cycle, format_date, goal_for_week},
    services::{ScorecardService, TemplateOwners},
};
use async_trait::async_trait;
use chrono::NaiveDate;

use super::{cell, clock::OrgClock, compute, store, template, view};
use crate::{
    db::Db,
    error::{answer, internal},
    events::{Event, EventBus},
    sync::properties,
};

/// The scorecard service.
#[derive(Clone)]
pub struct Scorecards {
    db: Db,
    events: EventBus,
    /// Starts HubSpot runs when a measurable filters on a list not synced yet.
    sync: Option<std::sync::Arc<dyn crate::integrations::SyncEngine>>,
}

impl std::fmt::Debug for Scorecards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorecards")
            .field("syncs_new_lists", &self.sync.is_some())
            .finish_non_exhaustive()
    }
}

fn invalid(e: FieldError) -> ApiError {
    ApiError::invalid(&e.field, e.message)
}

fn manager(viewer: &Viewer) -> Result<(), ApiError> {
    if viewer.role.can_manage() {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

fn value_text(value: Option<f64>) -> Option<String> {
    value.map(|v| v.to_string())
}

impl Scorecards {
    /// A service over a database and event bus.
    pub fn new(db: Db, events: EventBus) -> Self {
        Self {
            db,
            events,
            sync: None,
        }
    }

    /// The same service, starting syncs for new list filters.
    pub fn with_sync(mut self, sync: std::sync::Arc<dyn crate::integrations::SyncEngine>) -> Self {
        self.sync = Some(sync);
        self
    }

    /// A measurable filtering on a list with no synced members yet, or
    /// naming a property a HubSpot connection has not fetched, starts a run
    /// of those connections: runs keep every filtered list's memberships and
    /// re-read a kind for a new property. Failures are logged: the
    /// definition is saved either way, and the next run picks it up.
    async fn sync_what_it_needs(&self, org_id: i64, sources: &[&Source]) {
        let Some(sync) = &self.sync else {
            return;
        };
        let queries: Vec<SyncedQuery> = sources
            .iter()
            .filter_map(|s| match s {
                Source::Synced(q) => Some((**q).clone()),
                _ => None,
            })
            .collect();
        if queries.is_empty() {
            return;
        }
        if let Err(e) = self
            .start_needed_runs(sync.as_ref(), org_id, &queries)
            .await
        {
            tracing::warn!(error = format!("{e:#}"), "syncing what a definition needs");
        }
    }

    async fn start_needed_runs(
        &self,
        sync: &dyn crate::integrations::SyncEngine,
        org_id: i64,
        queries: &[SyncedQuery],
    ) -> anyhow::Result<()> {
        let mut needs_list = false;
        for list in queries
            .iter()
            .filter_map(|q| q.filters.contact_in_list.as_deref().map(str::trim))
        {
            needs_list |= !store::list_has_members(&self.db, org_id, list).await?;
        }
        let wanted = properties::named(queries);
        for id in store::hubspot_connections(&self.db, org_id).await? {
            if needs_list || properties::unregistered(&self.db, id, &wanted).await? {
                sync.sync_now(id).await?;
            }
        }
        Ok(())
    }

    async fn changed(&self, org_id: i64) {
        if let Err(e) = compute::refresh(&self.db, org_id).await {
            tracing::error!(error = format!("{e:#}"), "recomputing after a change");
        }
        self.publish(org_id).await;
    }

    async fn publish(&self, org_id: i64) {
        let event = Event::ScorecardChanged {
            org_id,
            scorecard_id: None,
        };
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = format!("{e:#}"), "publishing a scorecard change");
        }
    }

    async fn find(&self, viewer: &Viewer, id: i64) -> Result<store::Measurable, ApiError> {
        store::measurable(&self.db, viewer.org_id, id)
            .await
            .map_err(internal)?
            .ok_or(ApiError::NotFound)
    }

    /// Validates an input against the organisation: person, formula
    /// references and cycles (with `id` being the measurable edited).
    async fn check(
        &self,
        viewer: &Viewer,
        id: Option<i64>,
        input: &MeasurableInput,
    ) -> Result<(), ApiError> {
        input.validate().map_err(invalid)?;
        if let Some(person) = input.person_id {
            let people = store::people(&self.db, viewer.org_id)
                .await
                .map_err(internal)?;
            if !people.iter().any(|(p, _, _)| *p == person) {
                return Err(ApiError::invalid(
                    "person_id",
                    "is not a person of this organisation",
                ));
            }
        }
        if let Some(formula) = input.source.formula() {
            let all = store::measurables(&self.db, viewer.org_id)
                .await
                .map_err(internal)?;
            let known: BTreeSet<i64> = all.iter().map(|m| m.id).collect();
            if let Some(bad) = formula
                .references()
                .into_iter()
                .find(|r| !known.contains(r))
            {
                return Err(ApiError::invalid(
                    "source.formula",
                    format!("m:{bad} is not a measurable of this organisation"),
                ));
            }
            let me = id.unwrap_or(0);
            let mut graph: HashMap<i64, Vec<i64>> = all
                .iter()
                .map(|m| {
                    (
                        m.id,
                        m.source
                            .formula()
                            .map(|f| f.references())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            graph.insert(me, formula.references());
            if let Some(cycle) = find_cycle(&graph) {
                let path: Vec<String> = cycle.iter().map(|c| format!("m:{c}")).collect();
                return Err(ApiError::invalid(
                    "source.formula",
                    format!(
                        "formulas would refer to each other in a cycle: {}",
                        path.join(" → ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn effective_week(clock: &OrgClock, input: &MeasurableInput) -> Result<NaiveDate, ApiError> {
        match input
            .goal_effective_from
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(clock.current_week()),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| clock.week_containing(d))
                .map_err(|_| {
                    ApiError::invalid("goal_effective_from", "must be a date, YYYY-MM-DD")
                }),
        }
    }

    async fn insert(
        &self,
        viewer: &Viewer,
        scorecard_id: i64,
        input: &MeasurableInput,
    ) -> Result<i64, ApiError> {
        let db = &self.db;
        // Everything is checked before anything is written: a refused goal
        // date must not leave a measurable without its goal or audit.
        // A new measurable's goal applies to its whole history.
        let from = match input.goal_effective_from.as_deref() {
            Some(text) if !text.trim().is_empty() => {
                let clock = OrgClock::of(db, viewer.org_id).await.map_err(internal)?;
                Self::effective_week(&clock, input)?
            }
            _ => NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default(),
        };
        let section = store::section_id(db, scorecard_id, input.section.trim())
            .await
            .map_err(internal)?;
        let id = store::insert_measurable(
            db,
            viewer.org_id,
            scorecard_id,
            &store::MeasurableRow {
                section_id: section,
                name: input.name.trim(),
                person_id: input.person_id,
                unit: input.unit,
                decimals: input.decimals,
                source: &input.source,
            },
        )
        .await
        .map_err(internal)?;
        store::add_goal(db, id, from, input.goal.as_ref(), Some(viewer.user_id))
            .await
            .map_err(internal)?;
        store::audit(
            db,
            store::Audit {
                org_id: viewer.org_id,
                measurable_id: id,
                week: None,
                action: "create",
                old_value: None,
                new_value: serde_json::to_string(input).ok(),
                reason: "",
                user_id: viewer.user_id,
                user_name: &viewer.name,
            },
        )
        .await
        .map_err(internal)?;
        Ok(id)
    }

    fn input_of(m: &store::Measurable, current: NaiveDate) -> MeasurableInput {
        MeasurableInput {
            section: m.section.clone(),
            name: m.name.clone(),
            person_id: m.person_id,
            unit: m.unit,
            decimals: m.decimals,
            goal: goal_for_week(&m.goals, current).cloned(),
            goal_effective_from: None,
            source: m.source.clone(),
        }
    }
}

#[async_trait]
impl ScorecardService for Scorecards {
    async fn list(&self, viewer: &Viewer) -> Result<Vec<ScorecardSummary>, ApiError> {
        Ok(store::scorecards(&self.db, viewer.org_id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(id, name, measurables)| ScorecardSummary {
                id,
                name,
                measurables,
            })
            .collect())
    }

    async fn create(&self, viewer: &Viewer, name: String) -> Result<i64, ApiError> {
        manager(viewer)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(ApiError::invalid("name", "must be 1 to 120 characters"));
        }
        let id = store::create_scorecard(&self.db, viewer.org_id, name)
            .await
            .map_err(internal)?;
        self.publish(viewer.org_id).await;
        Ok(id)
    }

    async fn week(
        &self,
        viewer: &Viewer,
        id: Option<i64>,
        week: Option<String>,
    ) -> Result<Option<ScorecardWeek>, ApiError> {
        view::week_view(&self.db, viewer, id, week.as_deref()).await
    }

    async fn people(&self, viewer: &Viewer) -> Result<Vec<PersonOption>, ApiError> {
        Ok(store::people(&self.db, viewer.org_id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(id, name, _)| PersonOption { id, name })
            .collect())
    }

    async fn cell(
        &self,
        viewer: &Viewer,
        measurable_id: i64,
        week: String,
    ) -> Result<CellDetail, ApiError> {
        let m = self.find(viewer, measurable_id).await?;
        answer(cell::detail(&self.db, viewer, m, &week)).await
    }

    async fn set_value(
        &self,
        viewer: &Viewer,
        measurable_id: i64,
        week: String,
        value: Option<f64>,
        reason: String,
    ) -> Result<(), ApiError> {
        let db = &self.db;
        let m = self.find(viewer, measurable_id).await?;
        let mine = view::own_people(db, viewer).await.map_err(internal)?;
        if !view::can_enter(viewer, &mine, &m) {
            return Err(ApiError::Forbidden);
        }
        let clock = OrgClock::of(db, viewer.org_id).await.map_err(internal)?;
        let date = NaiveDate::parse_from_str(week.trim(), "%Y-%m-%d")
            .map_err(|_| ApiError::invalid("week", "must be a date, YYYY-MM-DD"))?;
        let week = clock.week_containing(date);
        if week > clock.current_week() {
            return Err(ApiError::invalid(
                "week",
                "cannot enter values for future weeks",
            ));
        }
        if value.is_some_and(|v| !v.is_finite()) {
            return Err(ApiError::invalid("value", "must be a number"));
        }
        let manual = matches!(m.source, Source::Manual);
        let reason = reason.trim().to_owned();
        if !manual && value.is_some() && reason.is_empty() {
            return Err(ApiError::invalid(
                "reason",
                "say why you override a computed value",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(ApiError::invalid("reason", "at most 500 characters"));
        }
        let key = format_date(week);
        let old = store::entry(db, m.id, &key).await.map_err(internal)?;
        let action = match (value, manual) {
            (None, _) => "clear",
            (Some(_), true) => "entry",
            (Some(_), false) => "override",
        };
        let new = if manual || value.is_some() {
            value.map(|v| (Some(v), reason.as_str()))
        } else {
            None
        };
        store::set_entry(db, m.id, &key, new, viewer.user_id)
            .await
            .map_err(internal)?;
        store::audit(
            db,
            store::Audit {
                org_id: viewer.org_id,
                measurable_id: m.id,
                week: Some(&key),
                action,
                old_value: old.and_then(|(v, _)| value_text(v)),
                new_value: value_text(value),
                reason: &reason,
                user_id: viewer.user_id,
                user_name: &viewer.name,
            },
        )
        .await
        .map_err(internal)?;
        compute::recompute(db, viewer.org_id, &[week])
            .await
            .map_err(internal)?;
        self.publish(viewer.org_id).await;
        Ok(())
    }

    async fn set_note(
        &self,
        viewer: &Viewer,
        measurable_id: i64,
        week: String,
        note: String,
    ) -> Result<(), ApiError> {
        let db = &self.db;
        let m = self.find(viewer, measurable_id).await?;
        let clock = OrgClock::of(db, viewer.org_id).await.map_err(internal)?;
        let week = view::parse_week(&clock, Some(&week))?;
        let note = note.trim().to_owned();
        if note.chars().count() > 2000 {
            return Err(ApiError::invalid("note", "at most 2000 characters"));
        }
        let key = format_date(week);
        let old = store::notes(db, viewer.org_id, &key, &key)
            .await
            .map_err(internal)?
            .into_iter()
            .find(|(id, _, _)| *id == m.id)
            .map(|(_, _, n)| n);
        store::set_note(db, m.id, &key, &note, viewer.user_id)
            .await
            .map_err(internal)?;
        store::audit(
            db,
            store::Audit {
                org_id: viewer.org_id,
                measurable_id: m.id,
                week: Some(&key),
                action: "note",
                old_value: old,
                new_value: Some(note).filter(|n| !n.is_empty()),
                reason: "",
                user_id: viewer.user_id,
                user_name: &viewer.name,
            },
        )
        .await
        .map_err(internal)?;
        self.publish(viewer.org_id).await;
        Ok(())
    }

    async fn measurable(&self, viewer: &Viewer, id: i64) -> Result<MeasurableDetail, ApiError> {
        let m = self.find(viewer, id).await?;
        let clock = OrgClock::of(&self.db, viewer.org_id)
            .await
            .map_err(internal)?;
        Ok(MeasurableDetail {
            id: m.id,
            scorecard_id: m.scorecard_id,
            input: Self::input_of(&m, clock.current_week()),
        })
    }

    async fn create_measurable(
        &self,
        viewer: &Viewer,
        scorecard_id: Option<i64>,
        input: MeasurableInput,
    ) -> Result<i64, ApiError> {
        manager(viewer)?;
        self.check(viewer, None, &input).await?;
        let db = &self.db;
        let cards = store::scorecards(db, viewer.org_id)
            .await
            .map_err(internal)?;
        let card = match scorecard_id {
            Some(id) => cards
                .iter()
                .find(|c| c.0 == id)
                .map(|c| c.0)
                .ok_or(ApiError::NotFound)?,
            None => match cards.first() {
                Some(c) => c.0,
                None => store::create_scorecard(db, viewer.org_id, "Scorecard")
                    .await
                    .map_err(internal)?,
            },
        };
        let id = self.insert(viewer, card, &input).await?;
        self.changed(viewer.org_id).await;
        self.sync_what_it_needs(viewer.org_id, &[&input.source])
            .await;
        Ok(id)
    }

    async fn update_measurable(
        &self,
        viewer: &Viewer,
        id: i64,
        input: MeasurableInput,
    ) -> Result<(), ApiError> {
        manager(viewer)?;
        let db = &self.db;
        let m = self.find(viewer, id).await?;
        self.check(viewer, Some(id), &input).await?;
        let clock = OrgClock::of(db, viewer.org_id).await.map_err(internal)?;
        let from = Self::effective_week(&clock, &input)?;
        let before = Self::input_of(&m, clock.current_week());
        let section = store::section_id(db, m.scorecard_id, input.section.trim())
            .await
            .map_err(internal)?;
        store::update_measurable(
            db,
            viewer.org_id,
            id,
            &store::MeasurableRow {
                section_id: section,
                name: input.name.trim(),
                person_id: input.person_id,
                unit: input.unit,
                decimals: input.decimals,
                source: &input.source,
            },
        )
        .await
        .map_err(internal)?;
        if goal_for_week(&m.goals, from) != input.goal.as_ref() {
            store::add_goal(db, id, from, input.goal.as_ref(), Some(viewer.user_id))
                .await
                .map_err(internal)?;
        }
        store::audit(
            db,
            store::Audit {
                org_id: viewer.org_id,
                measurable_id: id,
                week: None,
                action: "definition",
                old_value: serde_json::to_string(&before).ok(),
                new_value: serde_json::to_string(&input).ok(),
                reason: "",
                user_id: viewer.user_id,
                user_name: &viewer.name,
            },
        )
        .await
        .map_err(internal)?;
        self.changed(viewer.org_id).await;
        self.sync_what_it_needs(viewer.org_id, &[&input.source])
            .await;
        Ok(())
    }

    async fn delete_measurable(&self, viewer: &Viewer, id: i64) -> Result<(), ApiError> {
        manager(viewer)?;
        let all = store::measurables(&self.db, viewer.org_id)
            .await
            .map_err(internal)?;
        if !all.iter().any(|m| m.id == id) {
            return Err(ApiError::NotFound);
        }
        if let Some(user) = all.iter().find(|m| {
            m.source
                .formula()
                .is_some_and(|f| f.references().contains(&id))
        }) {
            return Err(ApiError::Conflict(format!(
                "“{}” uses this measurable in its formula; change that first",
                user.name
            )));
        }
        store::delete_measurable(&self.db, viewer.org_id, id)
            .await
            .map_err(internal)?;
        self.publish(viewer.org_id).await;
        Ok(())
    }

    async fn preview(&self, viewer: &Viewer, request: PreviewRequest) -> Result<Preview, ApiError> {
        manager(viewer)?;
        super::preview::preview(&self.db, viewer.org_id, &request, self.sync.as_deref()).await
    }

    async fn dashboard(&self, viewer: &Viewer) -> Result<Dashboard, ApiError> {
        super::dashboard::load(&self.db, viewer.org_id)
            .await
            .map_err(internal)
    }

    async fn apply_template(
        &self,
        viewer: &Viewer,
        owners: TemplateOwners,
    ) -> Result<i64, ApiError> {
        manager(viewer)?;
        let db = &self.db;
        let people: BTreeSet<i64> = store::people(db, viewer.org_id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        for (section, person) in &owners {
            if !template::SECTIONS.contains(&section.as_str()) {
                return Err(ApiError::invalid(
                    "section",
                    format!("{section:?} is not a template section"),
                ));
            }
            if person.is_some_and(|p| !people.contains(&p)) {
                return Err(ApiError::invalid(
                    "person_id",
                    "is not a person of this organisation",
                ));
            }
        }
        let card = store::create_scorecard(db, viewer.org_id, "Sales scorecard")
            .await
            .map_err(internal)?;
        let mut ids: HashMap<String, i64> = HashMap::new();
        let mut sources = Vec::new();
        for mut input in template::measurables() {
            input.person_id = owners
                .iter()
                .find(|(s, _)| *s == input.section)
                .and_then(|(_, p)| *p);
            if input.name == template::CLOSE_RATE {
                let same_day = ids.get("Tickets closed the same day").copied().unwrap_or(0);
                let closed = ids.get("Tickets closed").copied().unwrap_or(0);
                input.source = template::formula_refs(same_day, closed);
            }
            let id = self.insert(viewer, card, &input).await?;
            ids.insert(input.name.clone(), id);
            sources.push(input.source);
        }
        self.changed(viewer.org_id).await;
        let sources: Vec<&Source> = sources.iter().collect();
        self.sync_what_it_needs(viewer.org_id, &sources).await;
        Ok(card)
    }
}
