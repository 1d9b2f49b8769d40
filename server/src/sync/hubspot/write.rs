//! Writing what was read: a page of records with their associations and
//! cursor in one transaction, archived records, webhook-named ids.

use super::*;
use app::domain::{ConnectionId, OrgId};

impl Ctx {
    pub(crate) async fn write_page(
        &self,
        k: Kind,
        results: &[Value],
        stages: &Stages,
        dispositions: &Dispositions,
        cursor: Option<String>,
    ) -> anyhow::Result<bool> {
        let mut seen = HashSet::new();
        let ids: Vec<String> = results
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_owned))
            .filter(|id| seen.insert(id.clone()))
            .collect();
        let assoc = if k.activity || k.name == "deal" {
            self.associations(k, &ids).await?
        } else {
            HashMap::new()
        };
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        let rows: Vec<Row> = results
            .iter()
            .filter_map(|r| {
                row_of(
                    k,
                    r,
                    self.connection_id,
                    self.org_id,
                    &self.portal,
                    stages,
                    dispositions,
                    now,
                )
            })
            .collect();
        let changes = records::upsert_many(&mut tx, &rows).await?;
        let with_assoc: Vec<(&str, &Contacts)> = ids
            .iter()
            .filter_map(|id| assoc.get(id).map(|c| (id.as_str(), c.as_slice())))
            .collect();
        write_associations(
            &mut tx,
            self.connection_id,
            self.org_id,
            k.name,
            &with_assoc,
            now,
        )
        .await?;
        if let Some(c) = cursor {
            records::set_cursor(&mut tx, self.connection_id, k.plural, &c, now).await?;
        }
        let changed = self.publish_tally(k.plural, &changes, 0, &mut tx).await?;
        tx.commit().await?;
        self.announce(k.plural, changed).await;
        Ok(changed)
    }

    /// Publishes a committed batch: records changed (when they did) and progress.
    pub(crate) async fn announce(&self, object: &str, changed: bool) {
        let (org_id, connection_id) = (self.org_id, self.connection_id);
        if changed {
            let event = Event::RecordsChanged {
                org_id,
                connection_id,
                objects: vec![object.to_owned()],
            };
            if let Err(e) = self.events.publish(event).await {
                tracing::warn!(error = format!("{e:#}"), "publishing records changed");
            }
        }
        let event = Event::SyncProgress {
            org_id,
            connection_id,
            run_id: self.run_id,
        };
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = format!("{e:#}"), "publishing sync progress");
        }
    }

    /// Contact associations of `ids` (v4 batch read, up to 1,000 a call).
    pub(crate) async fn associations(
        &self,
        k: Kind,
        ids: &[String],
    ) -> anyhow::Result<HashMap<String, Vec<(String, Option<String>)>>> {
        let mut out: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
        for chunk in ids.chunks(1000) {
            if chunk.is_empty() {
                continue;
            }
            let inputs: Vec<Value> = chunk.iter().map(|id| json!({"id": id})).collect();
            let v = self
                .api
                .post(
                    &format!("/crm/v4/associations/{}/contacts/batch/read", k.plural),
                    &json!({"inputs": inputs}),
                    Bucket::Hubspot,
                )
                .await?;
            for id in chunk {
                out.entry(id.clone()).or_default();
            }
            for r in v["results"].as_array().cloned().unwrap_or_default() {
                let from = match &r["from"]["id"] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                let to = r["to"].as_array().cloned().unwrap_or_default();
                let list = out.entry(from).or_default();
                for t in to {
                    let tid = match &t["toObjectId"] {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => continue,
                    };
                    let label = t["associationTypes"][0]["label"]
                        .as_str()
                        .map(str::to_owned);
                    list.push((tid, label));
                }
            }
        }
        Ok(out)
    }

    /// Marks records archived upstream as deleted.
    pub(crate) async fn archived(&self, k: Kind) -> anyhow::Result<bool> {
        let path = format!(
            "/crm/v3/objects/{}?archived=true&limit=100&properties={}",
            k.plural, k.modified
        );
        let ids: Vec<String> = self
            .all_results(&path)
            .await?
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_owned))
            .collect();
        self.delete_ids(k, &ids).await
    }

    /// Marks `ids` of a kind deleted; returns whether any changed.
    pub async fn delete_ids(&self, k: Kind, ids: &[String]) -> anyhow::Result<bool> {
        if ids.is_empty() {
            return Ok(false);
        }
        let (table, kind) = table_of(k);
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        let n = records::mark_deleted(&mut tx, table, self.connection_id, kind, ids, now).await?;
        let n = i64::try_from(n).unwrap_or(0);
        let changed = self.publish_tally(k.plural, &[], n, &mut tx).await?;
        tx.commit().await?;
        self.announce(k.plural, changed).await;
        Ok(changed)
    }

    /// Reads just `ids` (a webhook's records) with batch read, 100 a call.
    pub async fn fetch_ids(&self, k: Kind, ids: &[String]) -> anyhow::Result<bool> {
        let stages = self.stages().await?;
        let dispositions = self.dispositions().await?;
        let mut changed = false;
        for chunk in ids.chunks(100) {
            let inputs: Vec<Value> = chunk.iter().map(|id| json!({"id": id})).collect();
            let v = self
                .api
                .post(
                    &format!("/crm/v3/objects/{}/batch/read", k.plural),
                    &json!({"inputs": inputs, "properties": self.properties(k)}),
                    Bucket::Hubspot,
                )
                .await?;
            let results = v["results"].as_array().cloned().unwrap_or_default();
            let found: HashSet<&str> = results.iter().filter_map(|r| r["id"].as_str()).collect();
            let missing: Vec<String> = chunk
                .iter()
                .filter(|id| !found.contains(id.as_str()))
                .cloned()
                .collect();
            changed |= self
                .write_page(k, &results, &stages, &dispositions, None)
                .await?;
            changed |= self.delete_ids(k, &missing).await?;
        }
        Ok(changed)
    }
}

/// Replaces the contact associations of each `(record, contacts)`.
pub(crate) async fn write_associations(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    connection_id: ConnectionId,
    org_id: OrgId,
    from_kind: &str,
    records: &[(&str, &Contacts)],
    now: i64,
) -> anyhow::Result<()> {
    let sqlite = records::is_sqlite(tx);
    for chunk in records.chunks(1000) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|i| records::mark(sqlite, i + 4))
            .collect();
        let sql = format!(
            "UPDATE associations SET deleted = 1, synced_at = {} WHERE connection_id = {} \
             AND from_kind = {} AND to_kind = 'contact' AND deleted = 0 \
             AND from_external_id IN ({})",
            records::mark(sqlite, 1),
            records::mark(sqlite, 2),
            records::mark(sqlite, 3),
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(now)
            .bind(connection_id)
            .bind(from_kind.to_owned());
        for (id, _) in chunk {
            q = q.bind((*id).to_owned());
        }
        q.execute(&mut **tx).await?;
    }
    let rows: Vec<Row> = records
        .iter()
        .flat_map(|(from_id, contacts)| {
            contacts.iter().map(move |(to, label)| {
                Row::new("associations", connection_id)
                    .key("from_kind", from_kind.to_owned())
                    .key("from_external_id", (*from_id).to_owned())
                    .key("to_kind", "contact")
                    .key("to_external_id", to.clone())
                    .col("org_id", org_id)
                    .col("label", label.clone())
                    .col("deleted", false)
                    .col("synced_at", now)
            })
        })
        .collect();
    records::upsert_many(tx, &rows).await?;
    Ok(())
}
