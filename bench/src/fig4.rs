//! Figure 4: the peer (Airbyte's HubSpot source) reading the same sandbox data.

use std::{
    collections::BTreeMap,
    io::{BufRead as _, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    time::Instant,
};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use crate::{
    fragment::{Fragment, Row},
    sandbox_env::{self, DataArgs},
};

/// Settings of the peer run.
#[derive(Debug, Clone, clap::Args)]
pub struct PeerArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Python of the venv that has airbyte-source-hubspot.
    #[arg(long)]
    pub python: PathBuf,
    /// The wrapper that points the connector at the sandbox.
    #[arg(long, default_value = "bench/peer/run_airbyte.py")]
    pub wrapper: PathBuf,
    /// Folder for config, catalog and the connector's log.
    #[arg(long)]
    pub work_dir: PathBuf,
    /// Why Tally's own side is not measured (until the sync engine is merged).
    #[arg(long, default_value = "sync engine not merged")]
    pub tally_missing: String,
    /// Tally's records/s on the same data and limits, measured earlier in
    /// this run (figure 3).
    #[arg(long)]
    pub tally_records_per_s: Option<f64>,
}

/// Airbyte's stream names for the objects Tally reads.
const STREAMS: [(&str, &str); 4] = [
    ("engagements_calls", "calls"),
    ("engagements_meetings", "meetings"),
    ("contacts", "contacts"),
    ("deals", "deals"),
];

fn catalog() -> Value {
    json!({
        "streams": STREAMS.iter().map(|(name, _)| json!({
            "stream": {
                "name": name,
                "json_schema": {},
                "supported_sync_modes": ["full_refresh", "incremental"]
            },
            "sync_mode": "full_refresh",
            "destination_sync_mode": "overwrite"
        })).collect::<Vec<_>>()
    })
}

/// Result of one peer run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeerRun {
    pub records: BTreeMap<String, u64>,
    pub total_records: u64,
    pub expected: BTreeMap<String, u64>,
    pub wall_s: f64,
    pub first_request_to_end_s: f64,
    pub records_per_s: f64,
    pub calls: sandbox_env::CallStats,
    pub exit: String,
    pub errors: Vec<String>,
}

pub async fn peer(a: &PeerArgs) -> anyhow::Result<Fragment> {
    std::fs::create_dir_all(&a.work_dir)?;
    let running = sandbox_env::start(&a.data).await?;
    let token = sandbox_env::hubspot_token(&running).await?;
    let counts = sandbox_env::active_counts(&running.sandbox);
    let expected: BTreeMap<String, u64> = STREAMS
        .iter()
        .map(|(_, obj)| ((*obj).to_owned(), counts.get(*obj).copied().unwrap_or(0)))
        .collect();
    let config = json!({
        "start_date": "2000-01-01T00:00:00Z",
        "credentials": { "credentials_title": "Private App Credentials", "access_token": token },
        "enable_experimental_streams": false
    });
    let config_path = a.work_dir.join("config.json");
    let catalog_path = a.work_dir.join("catalog.json");
    let props_path = a.work_dir.join("properties.json");
    std::fs::write(&config_path, serde_json::to_vec_pretty(&config)?)?;
    std::fs::write(&catalog_path, serde_json::to_vec_pretty(&catalog())?)?;
    std::fs::write(
        &props_path,
        serde_json::to_vec_pretty(&sandbox_env::properties())?,
    )?;
    running.sandbox.clear_request_log();

    let stderr = std::fs::File::create(a.work_dir.join("airbyte.stderr.log"))?;
    let start = Instant::now();
    let mut child = Command::new(&a.python)
        .arg(&a.wrapper)
        .args(["read", "--config"])
        .arg(&config_path)
        .arg("--catalog")
        .arg(&catalog_path)
        .env("PEER_HUBSPOT_BASE", format!("{}/hubspot", running.base_url))
        .env("PEER_PROPERTIES", &props_path)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("starting {}", a.python.display()))?;
    let stdout = child.stdout.take().context("stdout")?;
    // Read the connector's messages on a thread; the sandbox keeps serving on tokio.
    let reader = std::thread::spawn(move || {
        let mut records: BTreeMap<String, u64> = BTreeMap::new();
        let mut errors = Vec::new();
        let mut other = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            match msg["type"].as_str() {
                Some("RECORD") => {
                    let s = msg["record"]["stream"].as_str().unwrap_or("?").to_owned();
                    *records.entry(s).or_default() += 1;
                }
                Some("TRACE") if msg["trace"]["type"] == "ERROR" => {
                    errors.push(
                        msg["trace"]["error"]["message"]
                            .as_str()
                            .unwrap_or("")
                            .to_owned(),
                    );
                }
                Some("LOG") if msg["log"]["level"] == "ERROR" || msg["log"]["level"] == "FATAL" => {
                    other.push(
                        msg["log"]["message"]
                            .as_str()
                            .unwrap_or("")
                            .chars()
                            .take(300)
                            .collect::<String>(),
                    );
                }
                _ => {}
            }
        }
        errors.extend(other.into_iter().take(5));
        (records, errors)
    });
    let status = tokio::task::spawn_blocking(move || child.wait()).await??;
    let wall_s = start.elapsed().as_secs_f64();
    let (records, errors) = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reader thread panicked"))?;
    let calls = sandbox_env::call_stats(&running.sandbox);
    let records: BTreeMap<String, u64> = STREAMS
        .iter()
        .map(|(stream, obj)| {
            (
                (*obj).to_owned(),
                records.get(*stream).copied().unwrap_or(0),
            )
        })
        .collect();
    let total: u64 = records.values().sum();
    let expected_total: u64 = expected.values().sum();
    let run = PeerRun {
        total_records: total,
        records_per_s: total as f64 / wall_s,
        first_request_to_end_s: if calls.hubspot_requests > 0 {
            (calls.last_ms - calls.first_ms) as f64 / 1000.0
        } else {
            0.0
        },
        records: records.clone(),
        expected: expected.clone(),
        wall_s,
        calls: calls.clone(),
        exit: status.to_string(),
        errors,
    };
    let complete = total == expected_total && status.success();
    let inputs = format!(
        "airbyte-source-hubspot {} (full refresh, default num_workers 3) via bench/peer/run_airbyte.py; calls, meetings, contacts, deals = {} records; {}",
        peer_version(&a.python).unwrap_or_else(|| "?".into()),
        expected_total,
        a.data.describe()
    );
    let peer_result = format!(
        "{:.0} records/s ({} of {} records in {:.1} s wall incl. start-up; {:.0} records/s from its first to its last API request, {:.1} s; {} API calls, {} × 429){}",
        run.records_per_s,
        total,
        expected_total,
        wall_s,
        if run.first_request_to_end_s > 0.0 {
            total as f64 / run.first_request_to_end_s
        } else {
            0.0
        },
        run.first_request_to_end_s,
        calls.hubspot_requests,
        calls.rate_limited_429,
        if complete {
            String::new()
        } else {
            format!("; INCOMPLETE: exit {}", run.exit)
        }
    );
    if total == 0 && !run.errors.is_empty() {
        bail!("the peer read nothing: {:?}", run.errors);
    }
    let rows = vec![
        Row {
            id: "4a".into(),
            metric: "peer records/s (Airbyte HubSpot source)".into(),
            inputs: inputs.clone(),
            result: peer_result,
            values: serde_json::to_value(&run)?,
            budget: String::new(),
            met: None,
        },
        match a.tally_records_per_s {
            Some(t) if complete => Row {
                id: "4b".into(),
                metric: "Tally records/s ÷ peer records/s, same run".into(),
                inputs: format!(
                    "Tally: figure 3's backfill of the same sandbox data at the same limits ({t:.0} records/s over its sync run); peer: row 4a (wall time incl. start-up)"
                ),
                result: format!(
                    "{:.2}× (Tally {t:.0} records/s, peer {:.0} records/s)",
                    t / run.records_per_s,
                    run.records_per_s
                ),
                values: json!({ "ratio": t / run.records_per_s, "tally_records_per_s": t, "peer_records_per_s": run.records_per_s }),
                budget: "goal ≥ 3×".into(),
                met: Some(t / run.records_per_s >= 3.0),
            },
            _ => Row {
                id: "4b".into(),
                metric: "Tally records/s ÷ peer records/s, same run".into(),
                inputs,
                result: format!(
                    "not measured: {}",
                    if complete {
                        a.tally_missing.as_str()
                    } else {
                        "the peer did not read every record"
                    }
                ),
                values: Value::Null,
                budget: "goal ≥ 3×".into(),
                met: None,
            },
        },
    ];
    Ok(Fragment {
        figure: "4".into(),
        title: "Peer: Airbyte's HubSpot source on the same sandbox".into(),
        status: if a.tally_records_per_s.is_some() {
            "measured"
        } else {
            "partial"
        }
        .into(),
        reason: a
            .tally_records_per_s
            .is_none()
            .then(|| format!("Tally side: {}", a.tally_missing)),
        rows,
        details: json!({ "generate_s": running.generate_s, "complete": complete }),
    })
}

fn peer_version(python: &PathBuf) -> Option<String> {
    let out = Command::new(python)
        .args(["-c", "import importlib.metadata as m; print(m.version('airbyte-source-hubspot'), 'cdk', m.version('airbyte-cdk'))"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
