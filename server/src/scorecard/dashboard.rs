//! The dashboard tab: counts of synced contacts, companies and deals, the
//! pipeline by stage, and the newest contacts, straight from the sync tables.

use anyhow::Context as _;
use app::domain::OrgId;
use app::domain::scorecard::{ContactLine, Dashboard, StageLine};

use crate::db::Db;

async fn count(db: &Db, table: &str, org_id: OrgId) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM {table} WHERE org_id = $1 AND deleted = 0"
    ))
    .bind(org_id)
    .fetch_one(&db.pool)
    .await
    .with_context(|| format!("counting {table}"))?;
    Ok(n)
}

/// The organisation's dashboard.
pub async fn load(db: &Db, org_id: OrgId) -> anyhow::Result<Dashboard> {
    type StageRow = (Option<String>, Option<String>, i64, Option<f64>);
    let stages: Vec<StageRow> = sqlx::query_as(
        "SELECT COALESCE(p.label, d.pipeline), COALESCE(s.label, d.stage), COUNT(*), SUM(d.amount) \
         FROM deals d \
         LEFT JOIN pipelines p ON p.connection_id = d.connection_id AND p.external_id = d.pipeline AND p.deleted = 0 \
         LEFT JOIN pipeline_stages s ON s.connection_id = d.connection_id AND s.pipeline_external_id = d.pipeline \
              AND s.external_id = d.stage AND s.deleted = 0 \
         WHERE d.org_id = $1 AND d.deleted = 0 \
         GROUP BY COALESCE(p.label, d.pipeline), COALESCE(s.label, d.stage), COALESCE(p.display_order, 0), COALESCE(s.display_order, 0) \
         ORDER BY COALESCE(p.display_order, 0), 1, COALESCE(s.display_order, 0), 2",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("reading the pipeline")?;
    type ContactRow = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let contacts: Vec<ContactRow> = sqlx::query_as(
        "SELECT first_name, last_name, email, company, remote_created_at, url FROM contacts \
         WHERE org_id = $1 AND deleted = 0 ORDER BY remote_created_at DESC, id DESC LIMIT 10",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("reading recent contacts")?;
    Ok(Dashboard {
        contacts: count(db, "contacts", org_id).await?,
        companies: count(db, "companies", org_id).await?,
        deals: count(db, "deals", org_id).await?,
        stages: stages
            .into_iter()
            .map(|(pipeline, stage, count, value)| StageLine {
                pipeline: pipeline.unwrap_or_default(),
                stage: stage.unwrap_or_else(|| "(no stage)".to_owned()),
                count,
                value: value.unwrap_or(0.0),
            })
            .collect(),
        recent_contacts: contacts
            .into_iter()
            .map(|(first, last, email, company, created_at, url)| {
                let name = format!("{first} {last}").trim().to_owned();
                ContactLine {
                    name: if name.is_empty() {
                        email.clone().unwrap_or_default()
                    } else {
                        name
                    },
                    email,
                    company,
                    created_at,
                    url,
                }
            })
            .collect(),
    })
}
