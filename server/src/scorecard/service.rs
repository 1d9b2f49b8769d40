//! [`ScorecardService`] for server functions and the REST API: every rule
//! about who may do what to a scorecard lives here.
//!
//! A change and its audit line (and a new measurable's goal) are written in
//! one transaction: a refusal or a failure half-way stores nothing.

use std::collections::HashMap;

use app::{
    domain::{
        Viewer,
        measurable::{MeasurableInput, Source, SyncedQuery},
        measurable_rules::{check_formula, check_person},
        preview::{Preview, PreviewRequest},
        scorecard::{
            CellDetail, Dashboard, MeasurableDetail, PersonOption, ScorecardSummary, ScorecardWeek,
        },
    },
    error::ApiError,
    scorecard::{format_date, goal_for_week, parse_date},
    services::{ScorecardService, TemplateOwners},
};
use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::AnyConnection;

use app::domain::{MeasurableId, OrgId, Provider};

use super::{cell, clock::OrgClock, compute, store, template, view};
use crate::{
    db::Db,
    error::{Result, answer, invalid},
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
    async fn sync_what_it_needs(&self, org_id: OrgId, sources: &[&Source]) {
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
        org_id: OrgId,
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
        for id in store::live_connections(&self.db, org_id, Provider::Hubspot).await? {
            if needs_list || properties::unregistered(&self.db, id, &wanted).await? {
                sync.sync_now(id).await?;
            }
        }
        Ok(())
    }

    async fn changed(&self, org_id: OrgId) {
        if let Err(e) = compute::refresh(&self.db, org_id).await {
            tracing::error!(error = format!("{e:#}"), "recomputing after a change");
        }
        self.publish(org_id).await;
    }

    async fn publish(&self, org_id: OrgId) {
        let event = Event::ScorecardChanged {
            org_id,
            scorecard_id: None,
        };
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = format!("{e:#}"), "publishing a scorecard change");
        }
    }

    async fn find(&self, viewer: &Viewer, id: MeasurableId) -> Result<store::Measurable> {
        Ok(store::measurable(&self.db, viewer.org_id, id)
            .await?
            .ok_or(ApiError::NotFound)?)
    }

    /// Validates an input against the organisation: person, formula
    /// references and cycles (with `id` being the measurable edited).
    async fn check(
        &self,
        viewer: &Viewer,
        id: Option<MeasurableId>,
        input: &MeasurableInput,
    ) -> Result<()> {
        input.validate()?;
        let facts = store::org_facts(&self.db, viewer.org_id).await?;
        check_person(&facts, input.person_id)?;
        check_formula(&facts, id, &input.source)?;
        Ok(())
    }

    /// The week a goal change takes effect: the week containing
    /// `goal_effective_from`, or `default` when it is blank.
    async fn effective_week(
        &self,
        viewer: &Viewer,
        input: &MeasurableInput,
        default: impl FnOnce(&OrgClock) -> NaiveDate,
    ) -> Result<NaiveDate> {
        let text = input
            .goal_effective_from
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let clock = OrgClock::of(&self.db, viewer.org_id).await?;
        match text {
            None => Ok(default(&clock)),
            Some(text) => {
                let date =
                    parse_date(text).map_err(|e| invalid("goal_effective_from", e.to_string()))?;
                Ok(clock.week_containing(date))
            }
        }
    }

    /// Writes a checked measurable, its goal and its audit line on `conn`
    /// (the caller's transaction).
    async fn insert(
        conn: &mut AnyConnection,
        viewer: &Viewer,
        scorecard_id: i64,
        input: &MeasurableInput,
        goal_from: NaiveDate,
    ) -> Result<MeasurableId> {
        let section = store::section_id(conn, scorecard_id, input.section.trim()).await?;
        let id = store::insert_measurable(
            conn,
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
        .await?;
        store::add_goal(
            conn,
            id,
            goal_from,
            input.goal.as_ref(),
            Some(viewer.user_id),
        )
        .await?;
        store::audit(
            conn,
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
        .await?;
        Ok(id)
    }

    /// A new measurable's goal applies to its whole history unless a date
    /// says otherwise.
    fn since_always(_: &OrgClock) -> NaiveDate {
        NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
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

    async fn set_value_checked(
        &self,
        viewer: &Viewer,
        measurable_id: MeasurableId,
        week: String,
        value: Option<f64>,
        reason: String,
    ) -> Result<()> {
        let db = &self.db;
        let m = self.find(viewer, measurable_id).await?;
        let mine = view::own_people(db, viewer).await?;
        if !view::can_enter(viewer, &mine, &m) {
            return Err(ApiError::Forbidden.into());
        }
        let clock = OrgClock::of(db, viewer.org_id).await?;
        let week = view::checked_week(&clock, "week", &week)?;
        if week > clock.current_week() {
            return Err(invalid("week", "cannot enter values for future weeks"));
        }
        if value.is_some_and(|v| !v.is_finite()) {
            return Err(invalid("value", "must be a number"));
        }
        let manual = matches!(m.source, Source::Manual);
        let reason = reason.trim().to_owned();
        if !manual && value.is_some() && reason.is_empty() {
            return Err(invalid("reason", "say why you override a computed value"));
        }
        if reason.chars().count() > 500 {
            return Err(invalid("reason", "at most 500 characters"));
        }
        let key = format_date(week);
        let old = store::entry(db, m.id, &key).await?;
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
        let mut tx = db.begin_write().await?;
        store::set_entry(&mut tx, m.id, &key, new, viewer.user_id).await?;
        store::audit(
            &mut tx,
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
        .await?;
        tx.commit().await?;
        compute::recompute(db, viewer.org_id, &[week]).await?;
        self.publish(viewer.org_id).await;
        Ok(())
    }

    async fn set_note_checked(
        &self,
        viewer: &Viewer,
        measurable_id: MeasurableId,
        week: String,
        note: String,
    ) -> Result<()> {
        let db = &self.db;
        let m = self.find(viewer, measurable_id).await?;
        let clock = OrgClock::of(db, viewer.org_id).await?;
        let week = view::parse_week(&clock, Some(&week))?;
        let note = note.trim().to_owned();
        if note.chars().count() > 2000 {
            return Err(invalid("note", "at most 2000 characters"));
        }
        let key = format_date(week);
        let old = store::notes(db, viewer.org_id, &key, &key)
            .await?
            .into_iter()
            .find(|(id, _, _)| *id == m.id)
            .map(|(_, _, n)| n);
        let mut tx = db.begin_write().await?;
        store::set_note(&mut tx, m.id, &key, &note, viewer.user_id).await?;
        store::audit(
            &mut tx,
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
        .await?;
        tx.commit().await?;
        self.publish(viewer.org_id).await;
        Ok(())
    }

    async fn create_checked(
        &self,
        viewer: &Viewer,
        scorecard_id: Option<i64>,
        input: MeasurableInput,
    ) -> Result<MeasurableId> {
        viewer.check_manager()?;
        self.check(viewer, None, &input).await?;
        let from = self
            .effective_week(viewer, &input, Self::since_always)
            .await?;
        let cards = store::scorecards(&self.db, viewer.org_id).await?;
        let chosen = match scorecard_id {
            Some(id) => Some(
                cards
                    .iter()
                    .find(|c| c.0 == id)
                    .map(|c| c.0)
                    .ok_or(ApiError::NotFound)?,
            ),
            None => cards.first().map(|c| c.0),
        };
        let mut tx = self.db.begin_write().await?;
        let card = match chosen {
            Some(card) => card,
            None => store::create_scorecard(&mut tx, viewer.org_id, "Scorecard").await?,
        };
        let id = Self::insert(&mut tx, viewer, card, &input, from).await?;
        tx.commit().await?;
        self.changed(viewer.org_id).await;
        self.sync_what_it_needs(viewer.org_id, &[&input.source])
            .await;
        Ok(id)
    }

    async fn update_checked(
        &self,
        viewer: &Viewer,
        id: MeasurableId,
        input: MeasurableInput,
    ) -> Result<()> {
        viewer.check_manager()?;
        let m = self.find(viewer, id).await?;
        self.check(viewer, Some(id), &input).await?;
        let from = self
            .effective_week(viewer, &input, OrgClock::current_week)
            .await?;
        let current = OrgClock::of(&self.db, viewer.org_id).await?.current_week();
        let before = Self::input_of(&m, current);
        let mut tx = self.db.begin_write().await?;
        let section = store::section_id(&mut tx, m.scorecard_id, input.section.trim()).await?;
        store::update_measurable(
            &mut tx,
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
        .await?;
        if goal_for_week(&m.goals, from) != input.goal.as_ref() {
            store::add_goal(&mut tx, id, from, input.goal.as_ref(), Some(viewer.user_id)).await?;
        }
        store::audit(
            &mut tx,
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
        .await?;
        tx.commit().await?;
        self.changed(viewer.org_id).await;
        self.sync_what_it_needs(viewer.org_id, &[&input.source])
            .await;
        Ok(())
    }

    async fn delete_checked(&self, viewer: &Viewer, id: MeasurableId) -> Result<()> {
        viewer.check_manager()?;
        let all = store::measurables(&self.db, viewer.org_id).await?;
        if !all.iter().any(|m| m.id == id) {
            return Err(ApiError::NotFound.into());
        }
        if let Some(user) = all.iter().find(|m| {
            m.source
                .formula()
                .is_some_and(|f| f.references().contains(&id))
        }) {
            return Err(ApiError::Conflict(format!(
                "“{}” uses this measurable in its formula; change that first",
                user.name
            ))
            .into());
        }
        store::delete_measurable(&self.db, viewer.org_id, id).await?;
        self.publish(viewer.org_id).await;
        Ok(())
    }

    /// The template's scorecard and measurables, all in one transaction.
    async fn apply_template_checked(&self, viewer: &Viewer, owners: TemplateOwners) -> Result<i64> {
        viewer.check_manager()?;
        let facts = store::org_facts(&self.db, viewer.org_id).await?;
        for (section, person) in &owners {
            if !template::SECTIONS.contains(&section.as_str()) {
                return Err(invalid(
                    "section",
                    format!("{section:?} is not a template section"),
                ));
            }
            check_person(&facts, *person)?;
        }
        let from = Self::since_always(&OrgClock::of(&self.db, viewer.org_id).await?);
        let aircall = !store::live_connections(&self.db, viewer.org_id, Provider::Aircall)
            .await?
            .is_empty();
        let mut tx = self.db.begin_write().await?;
        let card = store::create_scorecard(&mut tx, viewer.org_id, "Sales scorecard").await?;
        let mut ids: HashMap<String, MeasurableId> = HashMap::new();
        let mut sources = Vec::new();
        for mut input in template::measurables() {
            input.person_id = owners
                .iter()
                .find(|(s, _)| *s == input.section)
                .and_then(|(_, p)| *p);
            if aircall && input.name == template::DIALS {
                input.source = template::aircall_dials();
            }
            if let Some((part, whole)) = template::rate_inputs(&input.name) {
                let id = |name: &str| ids.get(name).copied().unwrap_or_default();
                input.source = template::formula_refs(id(part), id(whole));
            }
            let id = Self::insert(&mut tx, viewer, card, &input, from).await?;
            ids.insert(input.name.clone(), id);
            sources.push(input.source);
        }
        tx.commit().await?;
        self.changed(viewer.org_id).await;
        let sources: Vec<&Source> = sources.iter().collect();
        self.sync_what_it_needs(viewer.org_id, &sources).await;
        Ok(card)
    }
}

#[async_trait]
impl ScorecardService for Scorecards {
    async fn list(&self, viewer: &Viewer) -> Result<Vec<ScorecardSummary>, ApiError> {
        answer(async {
            let cards = store::scorecards(&self.db, viewer.org_id).await?;
            Ok(cards
                .into_iter()
                .map(|(id, name, measurables)| ScorecardSummary {
                    id,
                    name,
                    measurables,
                })
                .collect())
        })
        .await
    }

    async fn create(&self, viewer: &Viewer, name: String) -> Result<i64, ApiError> {
        answer(async {
            viewer.check_manager()?;
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 120 {
                return Err(invalid("name", "must be 1 to 120 characters"));
            }
            let mut conn = self.db.pool.acquire().await?;
            let id = store::create_scorecard(&mut conn, viewer.org_id, name).await?;
            self.publish(viewer.org_id).await;
            Ok(id)
        })
        .await
    }

    async fn week(
        &self,
        viewer: &Viewer,
        id: Option<i64>,
        week: Option<String>,
    ) -> Result<Option<ScorecardWeek>, ApiError> {
        answer(view::week_view(&self.db, viewer, id, week.as_deref())).await
    }

    async fn people(&self, viewer: &Viewer) -> Result<Vec<PersonOption>, ApiError> {
        answer(async {
            let people = store::people(&self.db, viewer.org_id).await?;
            Ok(people
                .into_iter()
                .map(|(id, name, _)| PersonOption { id, name })
                .collect())
        })
        .await
    }

    async fn cell(
        &self,
        viewer: &Viewer,
        measurable_id: MeasurableId,
        week: String,
    ) -> Result<CellDetail, ApiError> {
        answer(async {
            let m = self.find(viewer, measurable_id).await?;
            cell::detail(&self.db, viewer, m, &week).await
        })
        .await
    }

    async fn set_value(
        &self,
        viewer: &Viewer,
        measurable_id: MeasurableId,
        week: String,
        value: Option<f64>,
        reason: String,
    ) -> Result<(), ApiError> {
        answer(self.set_value_checked(viewer, measurable_id, week, value, reason)).await
    }

    async fn set_note(
        &self,
        viewer: &Viewer,
        measurable_id: MeasurableId,
        week: String,
        note: String,
    ) -> Result<(), ApiError> {
        answer(self.set_note_checked(viewer, measurable_id, week, note)).await
    }

    async fn measurable(
        &self,
        viewer: &Viewer,
        id: MeasurableId,
    ) -> Result<MeasurableDetail, ApiError> {
        answer(async {
            let m = self.find(viewer, id).await?;
            let clock = OrgClock::of(&self.db, viewer.org_id).await?;
            Ok(MeasurableDetail {
                id: m.id,
                scorecard_id: m.scorecard_id,
                input: Self::input_of(&m, clock.current_week()),
            })
        })
        .await
    }

    async fn create_measurable(
        &self,
        viewer: &Viewer,
        scorecard_id: Option<i64>,
        input: MeasurableInput,
    ) -> Result<MeasurableId, ApiError> {
        answer(self.create_checked(viewer, scorecard_id, input)).await
    }

    async fn update_measurable(
        &self,
        viewer: &Viewer,
        id: MeasurableId,
        input: MeasurableInput,
    ) -> Result<(), ApiError> {
        answer(self.update_checked(viewer, id, input)).await
    }

    async fn delete_measurable(&self, viewer: &Viewer, id: MeasurableId) -> Result<(), ApiError> {
        answer(self.delete_checked(viewer, id)).await
    }

    async fn preview(&self, viewer: &Viewer, request: PreviewRequest) -> Result<Preview, ApiError> {
        answer(async {
            viewer.check_manager()?;
            super::preview::preview(&self.db, viewer.org_id, &request, self.sync.as_deref()).await
        })
        .await
    }

    async fn dashboard(&self, viewer: &Viewer) -> Result<Dashboard, ApiError> {
        answer(async { Ok(super::dashboard::load(&self.db, viewer.org_id).await?) }).await
    }

    async fn apply_template(
        &self,
        viewer: &Viewer,
        owners: TemplateOwners,
    ) -> Result<i64, ApiError> {
        answer(self.apply_template_checked(viewer, owners)).await
    }
}
