//! People: the Tally persons scorecards count for, linked to provider users.
//!
//! Every active Tally user is a person. A HubSpot owner, Fathom recorder,
//! Autotask resource or Aircall user
//! whose email matches a person is linked automatically, archived ones too
//! (a rep who left still made last quarter's calls); a manager can link any
//! provider user to any person (or mark it "not a person"), and manual
//! links are never overwritten. Provider users with no link are listed as
//! unmatched so a manager can sort them out, and so are owner ids that
//! records carry but the provider's user list does not know.

use app::domain::{ConnectionId, OrgId, Provider};

use crate::db::{Db, now_ms};

pub use app::domain::people::{PeopleView, Person, ProviderUser};

/// Creates a person per active user and links provider users by email.
pub async fn auto_match(db: &Db, org_id: OrgId) -> anyhow::Result<()> {
    let now = now_ms();
    let users: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, lower(email), name FROM users WHERE org_id = $1 AND active = 1")
            .bind(org_id)
            .fetch_all(&db.pool)
            .await?;
    for (user_id, email, name) in users {
        sqlx::query(
            "INSERT INTO people (org_id, name, email, user_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (org_id, email) DO NOTHING",
        )
        .bind(org_id)
        .bind(name)
        .bind(email)
        .bind(user_id)
        .bind(now)
        .execute(&db.pool)
        .await?;
    }
    let unlinked: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT o.connection_id, c.provider, o.external_id, lower(o.email) FROM owners o \
         JOIN connections c ON c.id = o.connection_id \
         WHERE o.org_id = $1 AND o.email IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM person_links l WHERE l.connection_id = o.connection_id AND l.external_id = o.external_id)",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await?;
    for (connection_id, provider, external_id, email) in unlinked {
        let person: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM people WHERE org_id = $1 AND email = $2")
                .bind(org_id)
                .bind(&email)
                .fetch_optional(&db.pool)
                .await?;
        if let Some((person_id,)) = person {
            sqlx::query(
                "INSERT INTO person_links (org_id, connection_id, provider, external_id, person_id, source, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 'auto', $6, $6) ON CONFLICT (connection_id, external_id) DO NOTHING",
            )
            .bind(org_id)
            .bind(connection_id)
            .bind(provider)
            .bind(external_id)
            .bind(person_id)
            .bind(now)
            .execute(&db.pool)
            .await?;
        }
    }
    Ok(())
}

type UserRow = (
    ConnectionId,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    i64,
);

/// Owner ids that live records carry but no synced owner has, with their
/// record counts and any link: (connection, provider, id, records, person,
/// link source).
type UnknownRow = (
    ConnectionId,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

async fn unknown_owners(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<UnknownRow>> {
    Ok(sqlx::query_as(
        "SELECT r.connection_id, c.provider, r.owner_external_id, COUNT(*), l.person_id, l.source FROM \
         (SELECT connection_id, owner_external_id FROM activities WHERE org_id = $1 AND deleted = 0 \
          UNION ALL SELECT connection_id, owner_external_id FROM deals WHERE org_id = $1 AND deleted = 0 \
          UNION ALL SELECT connection_id, owner_external_id FROM tickets WHERE org_id = $1 AND deleted = 0 \
          UNION ALL SELECT connection_id, owner_external_id FROM time_entries WHERE org_id = $1 AND deleted = 0) r \
         JOIN connections c ON c.id = r.connection_id \
         LEFT JOIN person_links l ON l.connection_id = r.connection_id AND l.external_id = r.owner_external_id \
         WHERE r.owner_external_id IS NOT NULL AND r.owner_external_id <> '' AND NOT EXISTS \
         (SELECT 1 FROM owners o WHERE o.connection_id = r.connection_id AND o.external_id = r.owner_external_id) \
         GROUP BY r.connection_id, c.provider, r.owner_external_id, l.person_id, l.source \
         ORDER BY r.connection_id, r.owner_external_id",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await?)
}

/// People and unmatched provider users of an organisation.
pub async fn view(db: &Db, org_id: OrgId) -> anyhow::Result<PeopleView> {
    let people: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, email FROM people WHERE org_id = $1 ORDER BY name, id")
            .bind(org_id)
            .fetch_all(&db.pool)
            .await?;
    let users: Vec<UserRow> = sqlx::query_as(
        "SELECT o.connection_id, c.provider, o.external_id, o.name, o.email, l.person_id, l.source, o.deleted \
         FROM owners o JOIN connections c ON c.id = o.connection_id \
         LEFT JOIN person_links l ON l.connection_id = o.connection_id AND l.external_id = o.external_id \
         WHERE o.org_id = $1 ORDER BY o.deleted, o.name, o.external_id",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await?;
    let mut out: Vec<Person> = people
        .into_iter()
        .map(|(id, name, email)| Person {
            id,
            name,
            email,
            links: Vec::new(),
        })
        .collect();
    let mut unmatched = Vec::new();
    let unknown = unknown_owners(db, org_id).await?;
    let users = users
        .into_iter()
        .filter_map(
            |(connection_id, provider, external_id, name, email, person_id, source, deleted)| {
                let user = ProviderUser {
                    connection_id,
                    provider: Provider::parse(&provider)?,
                    external_id,
                    name,
                    email,
                    source: source.clone(),
                    archived: deleted == 1,
                    unknown_records: None,
                };
                Some((user, person_id, source))
            },
        )
        .chain(unknown.into_iter().filter_map(
            |(connection_id, provider, external_id, records, person_id, source)| {
                let user = ProviderUser {
                    connection_id,
                    provider: Provider::parse(&provider)?,
                    name: format!("Owner {external_id}"),
                    external_id,
                    email: None,
                    source: source.clone(),
                    archived: false,
                    unknown_records: Some(records),
                };
                Some((user, person_id, source))
            },
        ));
    for (user, person_id, source) in users {
        match (person_id, source) {
            (Some(pid), _) => {
                if let Some(p) = out.iter_mut().find(|p| p.id == pid) {
                    p.links.push(user);
                }
            }
            (None, Some(_)) => {}
            (None, None) => unmatched.push(user),
        }
    }
    Ok(PeopleView {
        people: out,
        unmatched,
        can_manage: false,
    })
}

/// Creates a person by hand; returns its id.
pub async fn create(db: &Db, org_id: OrgId, name: &str, email: &str) -> anyhow::Result<i64> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO people (org_id, name, email, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(email.to_lowercase())
    .bind(now)
    .fetch_one(&db.pool)
    .await?;
    Ok(id)
}

/// Sets a manual link (person `None`: "not a person"). False when the
/// provider user or the person is not in the organisation.
pub async fn link(
    db: &Db,
    org_id: OrgId,
    connection_id: ConnectionId,
    external_id: &str,
    person_id: Option<i64>,
) -> anyhow::Result<bool> {
    // A synced owner, or an owner id live records carry.
    let owner: Option<(String,)> = sqlx::query_as(
        "SELECT c.provider FROM connections c WHERE c.org_id = $1 AND c.id = $2 AND ( \
         EXISTS (SELECT 1 FROM owners o WHERE o.connection_id = c.id AND o.external_id = $3) \
         OR EXISTS (SELECT 1 FROM activities a WHERE a.connection_id = c.id AND a.owner_external_id = $3) \
         OR EXISTS (SELECT 1 FROM deals d WHERE d.connection_id = c.id AND d.owner_external_id = $3))",
    )
    .bind(org_id)
    .bind(connection_id)
    .bind(external_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((provider,)) = owner else {
        return Ok(false);
    };
    if let Some(pid) = person_id {
        let ok: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM people WHERE id = $1 AND org_id = $2")
                .bind(pid)
                .bind(org_id)
                .fetch_optional(&db.pool)
                .await?;
        if ok.is_none() {
            return Ok(false);
        }
    }
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM person_links WHERE connection_id = $1 AND external_id = $2")
        .bind(connection_id)
        .bind(external_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO person_links (org_id, connection_id, provider, external_id, person_id, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'manual', $6, $6)",
    )
    .bind(org_id)
    .bind(connection_id)
    .bind(provider)
    .bind(external_id)
    .bind(person_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// [`app::services::PeopleService`] over the database.
#[derive(Debug, Clone)]
pub struct People {
    /// Database.
    pub db: Db,
    /// Where a relinked owner's recomputed scorecard is announced.
    pub events: crate::events::EventBus,
}

impl People {
    /// A link decides whose records are whose: every value is recomputed
    /// at once, so the person who linked sees the numbers move.
    async fn relinked(&self, org_id: OrgId) -> anyhow::Result<()> {
        crate::scorecard::compute::refresh(&self.db, org_id).await?;
        self.events
            .publish(crate::events::Event::ScorecardChanged {
                org_id,
                scorecard_id: None,
            })
            .await
    }
}

#[async_trait::async_trait]
impl app::services::PeopleService for People {
    async fn people(
        &self,
        viewer: &app::domain::Viewer,
    ) -> Result<PeopleView, app::error::ApiError> {
        crate::error::answer(async {
            auto_match(&self.db, viewer.org_id).await?;
            let mut v = view(&self.db, viewer.org_id).await?;
            v.can_manage = viewer.role.can_manage();
            Ok(v)
        })
        .await
    }

    async fn link(
        &self,
        viewer: &app::domain::Viewer,
        connection_id: ConnectionId,
        external_id: &str,
        person_id: Option<i64>,
    ) -> Result<(), app::error::ApiError> {
        crate::error::answer(async {
            viewer.check_manager()?;
            let linked = link(
                &self.db,
                viewer.org_id,
                connection_id,
                external_id,
                person_id,
            )
            .await?;
            if !linked {
                return Err(app::error::ApiError::NotFound.into());
            }
            Ok(self.relinked(viewer.org_id).await?)
        })
        .await
    }
}
