//! Figure 5: the live path. A call created through the sandbox fires a
//! signed HubSpot webhook at a release tally, whose sync engine fetches the
//! record. Until the scorecard API is merged, the figure ends when Tally's
//! webhook-triggered sync run has stored the record (a lower bound of the
//! time to the scorecard).

use std::{
    collections::BTreeMap,
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::bail;
use sandbox::{ObjectKind, WebhookTargets};
use serde_json::{Value, json};

use crate::{
    fig2::{connect, sync_and_wait},
    fragment::{Fragment, Row, percentile},
    sandbox_env::DataArgs,
};

/// Settings of the live-path figure.
#[derive(Debug, Clone, clap::Args)]
pub struct LiveArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long)]
    pub tally: PathBuf,
    #[arg(long)]
    pub site: PathBuf,
    #[arg(long)]
    pub work_dir: PathBuf,
    /// Records created, one at a time.
    #[arg(long, default_value_t = 50)]
    pub events: usize,
    /// Why the figure stops at "stored" rather than "on the scorecard".
    #[arg(long, default_value = "scorecard API not merged")]
    pub scorecard_missing: String,
    /// Also wait for `GET /api/v1/scorecards/{id}?week=` to show each call.
    #[arg(long)]
    pub scorecard: bool,
}

/// The current week's value of the row named `name`.
fn row_value(week: &Value, name: &str) -> Option<f64> {
    week["sections"].as_array()?.iter().find_map(|s| {
        s["rows"]
            .as_array()?
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| r["this_week"]["value"].as_f64().unwrap_or(0.0))
    })
}

pub async fn live(a: &LiveArgs) -> anyhow::Result<Fragment> {
    let _ = std::fs::remove_dir_all(&a.work_dir);
    std::fs::create_dir_all(&a.work_dir)?;
    let c = connect(&a.data, &a.tally, &a.site, &a.work_dir.join("tally"), None).await?;
    let backfill = sync_and_wait(&c, 600).await?;
    let sb = &c.running.sandbox;
    let mut targets: WebhookTargets = sb.webhook_targets();
    targets.hubspot_url = Some(format!("{}/webhooks/hubspot", c.tally.base_url));
    sb.set_webhook_targets(targets);
    let base = &c.tally.base_url;
    let runs_url = format!("{base}/api/v1/connections/{}/runs", c.conn_id);
    let mut seen: i64 = c
        .client
        .get(&runs_url)
        .header("Cookie", &c.cookie)
        .send()
        .await?
        .json::<Value>()
        .await?
        .as_array()
        .and_then(|r| r.iter().filter_map(|r| r["id"].as_i64()).max())
        .unwrap_or(0);

    // A scorecard row counting this week's calls (no owner: every call).
    let mut card: Option<(String, f64)> = None;
    if a.scorecard {
        let api = format!("{base}/api/v1");
        let r = c
            .client
            .post(format!("{api}/scorecards/template"))
            .header("Cookie", &c.cookie)
            .json(&json!({}))
            .send()
            .await?;
        if !r.status().is_success() {
            bail!(
                "POST /scorecards/template: {} {}",
                r.status(),
                r.text().await?
            );
        }
        let id = r.json::<Value>().await?["id"].as_i64().unwrap_or(0);
        let r = c
            .client
            .post(format!("{api}/scorecards/{id}/measurables"))
            .header("Cookie", &c.cookie)
            .json(&json!({ "section": "Bench", "name": "Live calls", "source": { "type": "synced", "kind": "call" } }))
            .send()
            .await?;
        if !r.status().is_success() {
            bail!(
                "adding the live measurable: {} {}",
                r.status(),
                r.text().await?
            );
        }
        let url = format!("{api}/scorecards/{id}");
        let week: Value = c
            .client
            .get(&url)
            .header("Cookie", &c.cookie)
            .send()
            .await?
            .json()
            .await?;
        let v = row_value(&week, "Live calls").unwrap_or(0.0);
        card = Some((url, v));
    }
    let mut card_ms = Vec::new();
    let mut latencies_ms = Vec::new();
    let mut failures = Vec::new();
    for i in 0..a.events {
        let now = chrono::Utc::now();
        let props = BTreeMap::from([
            (
                "hs_timestamp".to_owned(),
                now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            ),
            ("hs_call_direction".to_owned(), "OUTBOUND".to_owned()),
            ("hs_call_title".to_owned(), format!("Bench live call {i}")),
        ]);
        let t0 = Instant::now();
        if let Err(e) = sb.create_record(ObjectKind::Calls, props, vec![]) {
            bail!("creating a call in the sandbox: {e:?}");
        }
        // Wait for a webhook-triggered run newer than the last one that
        // stored a record, and (with --scorecard) for the scorecard to count it.
        let deadline = t0 + Duration::from_secs(20);
        let mut done = false;
        let mut on_card = card.is_none();
        while Instant::now() < deadline && !(done && on_card) {
            if !done {
                let runs: Value = c
                    .client
                    .get(&runs_url)
                    .header("Cookie", &c.cookie)
                    .send()
                    .await?
                    .json()
                    .await?;
                let hit = runs.as_array().and_then(|rs| {
                    rs.iter()
                        .filter(|r| {
                            r["id"].as_i64().unwrap_or(0) > seen && r["trigger"] == "webhook"
                        })
                        .find(|r| {
                            r["status"] == "succeeded" && r["records"].as_i64().unwrap_or(0) > 0
                        })
                        .cloned()
                });
                if let Some(r) = hit {
                    latencies_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
                    seen = r["id"].as_i64().unwrap_or(seen);
                    done = true;
                }
            }
            if !on_card && let Some((url, before)) = card.as_mut() {
                let week: Value = c
                    .client
                    .get(url.as_str())
                    .header("Cookie", &c.cookie)
                    .send()
                    .await?
                    .json()
                    .await?;
                if let Some(v) = row_value(&week, "Live calls")
                    && v > *before
                {
                    card_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
                    *before = v;
                    on_card = true;
                }
            }
            if !(done && on_card) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        if !done {
            failures.push(i);
        }
        // Keep the events apart so each is its own webhook and run.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let deliveries = sb.deliveries();
    let failed_deliveries = deliveries.iter().filter(|d| !d.ok).count();
    let (p50, p95, p99) = (
        percentile(&latencies_ms, 0.5),
        percentile(&latencies_ms, 0.95),
        percentile(&latencies_ms, 0.99),
    );
    let result = if latencies_ms.is_empty() {
        format!(
            "not measured: no webhook run stored a record within 20 s ({} deliveries, {failed_deliveries} failed)",
            deliveries.len()
        )
    } else {
        format!(
            "to stored: p50 {p50:.0} ms / p95 {p95:.0} ms / p99 {p99:.0} ms ({} of {} events; {} missed 20 s)",
            latencies_ms.len(),
            a.events,
            failures.len()
        )
    };
    Ok(Fragment {
        figure: "5".into(),
        title: "Live path".into(),
        status: if a.scorecard { "measured" } else { "partial" }.into(),
        reason: (!a.scorecard)
            .then(|| format!("ends at \"stored by Tally\": {}", a.scorecard_missing)),
        rows: vec![
            Row {
                id: "5a".into(),
                metric: "call created in the sandbox → stored by Tally's webhook-triggered sync"
                    .into(),
                inputs: format!(
                    "{} calls created one at a time through the sandbox (object.creation webhook, v3-signed) → release tally /webhooks/hubspot → sync run; polled every 20 ms on GET /api/v1/connections/{{id}}/runs; after a backfill of {} records; {}",
                    a.events,
                    backfill["records"],
                    a.data.describe()
                ),
                result,
                values: json!({ "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "events": latencies_ms.len(), "missed": failures.len() }),
                budget: "p95 < 2 s (to the scorecard API)".into(),
                met: None,
            },
            if a.scorecard && !card_ms.is_empty() {
                let (b50, b95, b99) = (
                    percentile(&card_ms, 0.5),
                    percentile(&card_ms, 0.95),
                    percentile(&card_ms, 0.99),
                );
                Row {
                    id: "5b".into(),
                    metric: "call created → GET /api/v1/scorecards/{id}?week= shows it".into(),
                    inputs: format!(
                        "same events; a synced measurable counting this week's calls on the default template scorecard, polled every 20 ms; {} of {} events seen on the scorecard within 20 s",
                        card_ms.len(),
                        a.events
                    ),
                    result: format!("p50 {b50:.0} ms / p95 {b95:.0} ms / p99 {b99:.0} ms"),
                    values: json!({ "p50_ms": b50, "p95_ms": b95, "p99_ms": b99, "events": card_ms.len() }),
                    budget: "p95 < 2 s".into(),
                    met: Some(card_ms.len() == a.events && b95 < 2000.0),
                }
            } else {
                Row {
                    id: "5b".into(),
                    metric: "call created → GET /api/v1/scorecards/{id}?week= shows it".into(),
                    inputs: "—".into(),
                    result: format!(
                        "not measured: {}",
                        if a.scorecard {
                            "the scorecard never showed a created call within 20 s"
                        } else {
                            a.scorecard_missing.as_str()
                        }
                    ),
                    values: Value::Null,
                    budget: "p95 < 2 s".into(),
                    met: if a.scorecard { Some(false) } else { None },
                }
            },
        ],
        details: json!({ "latencies_ms": latencies_ms, "scorecard_ms": card_ms, "deliveries": deliveries.len(), "failed_deliveries": failed_deliveries }),
    })
}
