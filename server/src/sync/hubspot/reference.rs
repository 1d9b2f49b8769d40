//! Reference data synced whole each run: owners, deal pipelines, call
//! dispositions, lists and their memberships.

use super::*;

impl Ctx {
    /// Stage map from the stored pipelines.
    pub async fn stages(&self) -> anyhow::Result<Stages> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT pipeline_external_id, external_id, closed_won FROM pipeline_stages WHERE connection_id = $1",
        )
        .bind(self.connection_id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows.into_iter().map(|(p, s, w)| ((p, s), w == 1)).collect())
    }

    /// Disposition labels from the stored ones.
    pub async fn dispositions(&self) -> anyhow::Result<Dispositions> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT external_id, label FROM call_dispositions WHERE connection_id = $1",
        )
        .bind(self.connection_id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Owners, active and archived. Returns whether anything changed.
    pub async fn owners(&self) -> anyhow::Result<bool> {
        let now = now_ms();
        let mut all = Vec::new();
        for archived in [false, true] {
            all.extend(
                self.all_results(&format!("/crm/v3/owners?limit=100&archived={archived}"))
                    .await?,
            );
        }
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        for o in &all {
            let Some(id) = o["id"].as_str() else { continue };
            let first = o["firstName"].as_str().unwrap_or_default();
            let last = o["lastName"].as_str().unwrap_or_default();
            let row = Row::new("owners", self.connection_id)
                .key("external_id", id)
                .col("org_id", self.org_id)
                .col("email", o["email"].as_str().map(str::to_lowercase))
                .col("first_name", first)
                .col("last_name", last)
                .col("name", format!("{first} {last}").trim().to_owned())
                .col("properties", o.to_string())
                .col("deleted", o["archived"].as_bool().unwrap_or(false))
                .col("synced_at", now);
            changes.push(records::upsert(&mut tx, &row).await?);
        }
        let changed = self.publish_tally("owners", &changes, 0, &mut tx).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Deal pipelines and stages; closed won = closed with probability 1.0.
    pub async fn pipelines(&self) -> anyhow::Result<bool> {
        let now = now_ms();
        let v = self
            .api
            .get("/crm/v3/pipelines/deals", Bucket::Hubspot)
            .await?;
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        for p in v["results"].as_array().cloned().unwrap_or_default() {
            let Some(pid) = p["id"].as_str() else {
                continue;
            };
            changes.push(
                records::upsert(
                    &mut tx,
                    &Row::new("pipelines", self.connection_id)
                        .key("object_type", "deals")
                        .key("external_id", pid)
                        .col("org_id", self.org_id)
                        .col("label", p["label"].as_str().unwrap_or_default())
                        .col("display_order", p["displayOrder"].as_i64().unwrap_or(0))
                        .col("deleted", p["archived"].as_bool().unwrap_or(false))
                        .col("synced_at", now),
                )
                .await?,
            );
            for s in p["stages"].as_array().cloned().unwrap_or_default() {
                let Some(sid) = s["id"].as_str() else {
                    continue;
                };
                let closed = s["metadata"]["isClosed"].as_str() == Some("true");
                let probability = s["metadata"]["probability"]
                    .as_str()
                    .and_then(|p| p.parse::<f64>().ok());
                let won = closed && probability.is_some_and(|p| (p - 1.0).abs() < 1e-9);
                records::upsert(
                    &mut tx,
                    &Row::new("pipeline_stages", self.connection_id)
                        .key("pipeline_external_id", pid)
                        .key("external_id", sid)
                        .col("org_id", self.org_id)
                        .col("label", s["label"].as_str().unwrap_or_default())
                        .col("display_order", s["displayOrder"].as_i64().unwrap_or(0))
                        .col("probability", probability)
                        .col("is_closed", closed)
                        .col("closed_won", won)
                        .col("deleted", s["archived"].as_bool().unwrap_or(false))
                        .col("synced_at", now),
                )
                .await?;
            }
        }
        let changed = self
            .publish_tally("pipelines", &changes, 0, &mut tx)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Call dispositions (GUID -> label); relabels stored calls.
    pub async fn dispositions_sync(&self) -> anyhow::Result<bool> {
        let now = now_ms();
        let v = self
            .api
            .get("/calling/v1/dispositions", Bucket::Hubspot)
            .await?;
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        for d in v.as_array().cloned().unwrap_or_default() {
            let (Some(id), Some(label)) = (d["id"].as_str(), d["label"].as_str()) else {
                continue;
            };
            changes.push(
                records::upsert(
                    &mut tx,
                    &Row::new("call_dispositions", self.connection_id)
                        .key("external_id", id)
                        .col("org_id", self.org_id)
                        .col("label", label)
                        .col("deleted", d["deleted"].as_bool().unwrap_or(false))
                        .col("synced_at", now),
                )
                .await?,
            );
        }
        sqlx::query(
            "UPDATE activities SET disposition_label = (SELECT d.label FROM call_dispositions d \
             WHERE d.connection_id = activities.connection_id AND d.external_id = activities.call_disposition) \
             WHERE connection_id = $1 AND kind = 'call' AND call_disposition IS NOT NULL",
        )
        .bind(self.connection_id)
        .execute(&mut *tx)
        .await?;
        let changed = self
            .publish_tally("call_dispositions", &changes, 0, &mut tx)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Every contact list by name, and the memberships of `wanted` names.
    pub async fn lists(&self, wanted: &[String]) -> anyhow::Result<bool> {
        let now = now_ms();
        let mut lists = Vec::new();
        let mut offset = 0_i64;
        loop {
            let v = self
                .api
                .post(
                    "/crm/v3/lists/search",
                    &json!({"query": "", "offset": offset, "count": 500, "objectTypeId": "0-1"}),
                    Bucket::Hubspot,
                )
                .await?;
            let page = v["lists"].as_array().cloned().unwrap_or_default();
            let n = page.len() as i64;
            lists.extend(page);
            if !v["hasMore"].as_bool().unwrap_or(false) || n == 0 {
                break;
            }
            offset = v["offset"].as_i64().unwrap_or(offset + n);
        }
        let wanted: HashSet<String> = wanted.iter().map(|w| w.to_lowercase()).collect();
        let mut changed = false;
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        let mut members_of = Vec::new();
        for l in &lists {
            let id = match &l["listId"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            let name = l["name"].as_str().unwrap_or_default().to_owned();
            if wanted.contains(&name.to_lowercase()) {
                members_of.push(id.clone());
            }
            changes.push(
                records::upsert(
                    &mut tx,
                    &Row::new("lists", self.connection_id)
                        .key("external_id", id)
                        .col("org_id", self.org_id)
                        .col("name", name)
                        .col(
                            "object_type_id",
                            l["objectTypeId"].as_str().unwrap_or("0-1"),
                        )
                        .col(
                            "processing_type",
                            l["processingType"].as_str().map(str::to_owned),
                        )
                        .col(
                            "size",
                            l["additionalProperties"]["hs_list_size"]
                                .as_str()
                                .and_then(|s| s.parse::<i64>().ok()),
                        )
                        .col("properties", l.to_string())
                        .col("deleted", false)
                        .col("synced_at", now),
                )
                .await?,
            );
        }
        changed |= self.publish_tally("lists", &changes, 0, &mut tx).await?;
        tx.commit().await?;
        for list_id in members_of {
            changed |= self.memberships(&list_id).await?;
        }
        Ok(changed)
    }

    pub(crate) async fn memberships(&self, list_id: &str) -> anyhow::Result<bool> {
        let now = now_ms();
        let mut seen: BTreeMap<String, Option<i64>> = BTreeMap::new();
        let path = format!("/crm/v3/lists/{list_id}/memberships?limit=250");
        for m in self.all_results(&path).await? {
            let rid = match &m["recordId"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            seen.insert(rid, ts(m["membershipTimestamp"].as_str()));
        }
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        for (rid, added_at) in &seen {
            changes.push(
                records::upsert(
                    &mut tx,
                    &Row::new("list_memberships", self.connection_id)
                        .key("list_external_id", list_id)
                        .key("record_external_id", rid.clone())
                        .col("org_id", self.org_id)
                        .col("added_at", *added_at)
                        .col("deleted", false)
                        .col("synced_at", now),
                )
                .await?,
            );
        }
        let stored: Vec<(String,)> = sqlx::query_as(
            "SELECT record_external_id FROM list_memberships WHERE connection_id = $1 \
             AND list_external_id = $2 AND deleted = 0",
        )
        .bind(self.connection_id)
        .bind(list_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut removed = 0_i64;
        for (rid,) in stored {
            if !seen.contains_key(&rid) {
                removed += i64::try_from(
                    sqlx::query(
                        "UPDATE list_memberships SET deleted = 1, synced_at = $1 WHERE connection_id = $2 \
                         AND list_external_id = $3 AND record_external_id = $4",
                    )
                    .bind(now)
                    .bind(self.connection_id)
                    .bind(list_id)
                    .bind(rid)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                )
                .unwrap_or(0);
            }
        }
        let changed = self
            .publish_tally("list_memberships", &changes, removed, &mut tx)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }
}
