//! Figures 2 and 3 (and 6d): a release `tally` backfilling a HubSpot
//! connection from an in-process sandbox through its real sync engine.
//!
//! The connection is made the way a user makes it: `GET /oauth/hubspot/start`
//! with the session cookie, the sandbox's (auto-approved) consent, Tally's
//! callback. The run is started with `POST /api/v1/connections/{id}/sync` (or
//! is the scheduler's first run, whichever comes first) and read back from
//! `GET /api/v1/connections/{id}/runs`; the API calls come from the sandbox's
//! request log.

use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use anyhow::{Context as _, bail};
use sandbox::RateLimits;
use serde_json::{Value, json};

use crate::{
    fragment::{Fragment, Row, Spread},
    procs::{TallyCmd, proc_status_kb},
    sandbox_env::{self, DataArgs},
};

/// Settings of a sync figure.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The release `tally` binary.
    #[arg(long)]
    pub tally: PathBuf,
    /// The release site root.
    #[arg(long)]
    pub site: PathBuf,
    /// Scratch folder; emptied first.
    #[arg(long)]
    pub work_dir: PathBuf,
    /// Backfills (each into a fresh database); min/median/max are reported.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// "2" (unthrottled sandbox), "3" (HubSpot's limits) or "6d" (server
    /// memory over a large unthrottled backfill).
    #[arg(long)]
    pub figure: String,
    /// Give up on a backfill after this many seconds.
    #[arg(long, default_value_t = 900)]
    pub timeout: u64,
}

/// Search pages hold 200 records, list pages 100.
const SEARCH_PAGE: u64 = 200;
/// List pages (`GET /crm/v3/objects/{type}`) hold 100.
const LIST_PAGE: u64 = 100;
/// v4 association batch reads take up to 1,000 ids.
const ASSOC_BATCH: u64 = 1000;

/// One backfill.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Backfill {
    pub run: Value,
    pub records: i64,
    pub duration_s: f64,
    pub records_per_s: f64,
    pub calls: sandbox_env::CallStats,
    pub search_calls: usize,
    pub assoc_calls: usize,
    /// Pages of live records read by the engine's list lane.
    pub list_calls: usize,
    pub other_calls: usize,
    pub min_calls: u64,
    pub min_calls_detail: BTreeMap<String, u64>,
    pub rss_idle_kb: u64,
    pub rss_peak_kb: u64,
    pub sandbox_records: BTreeMap<String, u64>,
}

impl Backfill {
    /// "N calls: … search, … list pages, … association batch reads, … other; minimum M".
    fn calls_text(&self) -> String {
        format!(
            "{} calls: {} search, {} list pages, {} association batch reads, {} other; minimum {}",
            self.calls.hubspot_requests,
            self.search_calls,
            self.list_calls,
            self.assoc_calls,
            self.other_calls,
            self.min_calls
        )
    }
}

/// The object kind of a list-lane page: `GET …/crm/v3/objects/{kind}` of
/// live records (the archived listing, `archived=true`, is not one).
fn listed_kind(e: &sandbox::RequestLogEntry) -> Option<&str> {
    let kind = e.path.split("/crm/v3/objects/").nth(1)?;
    (e.method == "GET" && !kind.contains('/') && !e.query.contains("archived=true")).then_some(kind)
}

fn location(r: &reqwest::Response) -> anyhow::Result<String> {
    Ok(r.headers()
        .get(reqwest::header::LOCATION)
        .with_context(|| format!("no redirect ({})", r.status()))?
        .to_str()?
        .to_owned())
}

/// The engine's request budgets for this sandbox: against an unthrottled
/// sandbox the engine is told the provider does not limit (the settings a
/// private app without limits would use); against HubSpot's limits it runs
/// at its defaults (110 / 10 s, search 5 / s).
pub fn engine_limits(data: &DataArgs) -> Vec<(String, String)> {
    if data.no_rate_limits {
        vec![
            ("TALLY_HUBSPOT_RATE_LIMIT".into(), "off".into()),
            ("TALLY_HUBSPOT_SEARCH_RATE_LIMIT".into(), "off".into()),
        ]
    } else {
        Vec::new()
    }
}

/// How the engine's budgets were set, for a figure's inputs.
pub fn describe_engine_limits(data: &DataArgs) -> &'static str {
    if data.no_rate_limits {
        "engine told the provider does not limit (TALLY_HUBSPOT_RATE_LIMIT=off, TALLY_HUBSPOT_SEARCH_RATE_LIMIT=off)"
    } else {
        "engine budget at its defaults (110 / 10 s, search 5 / s)"
    }
}

/// A release tally connected to an in-process sandbox over OAuth.
pub struct Connected {
    pub running: sandbox_env::Running,
    pub tally: crate::procs::Tally,
    pub cookie: String,
    pub client: reqwest::Client,
    pub conn_id: i64,
}

/// Starts a sandbox and a release tally pointed at it, signs in and
/// connects HubSpot the way a user does.
pub async fn connect(
    data: &DataArgs,
    bin: &std::path::Path,
    site: &std::path::Path,
    dir: &std::path::Path,
    database_url: Option<String>,
) -> anyhow::Result<Connected> {
    let running = sandbox_env::start(data).await?;
    let sb = &running.sandbox;
    let opts = sb.options().clone();
    let _ = std::fs::remove_dir_all(dir);
    let cmd = TallyCmd {
        bin: bin.to_owned(),
        site_root: site.to_owned(),
        data_dir: dir.to_owned(),
        database_url: database_url
            .unwrap_or_else(|| format!("sqlite://{}/tally.db", dir.display())),
        env: vec![
            ("HUBSPOT_CLIENT_ID".into(), opts.hubspot_client_id.clone()),
            (
                "HUBSPOT_CLIENT_SECRET".into(),
                opts.hubspot_client_secret.clone(),
            ),
            (
                "HUBSPOT_AUTHORIZE_URL".into(),
                format!("{}/hubspot/oauth/authorize", running.base_url),
            ),
            (
                "HUBSPOT_API_BASE".into(),
                format!("{}/hubspot", running.base_url),
            ),
            ("TALLY_SYNC_INTERVAL_MINUTES".into(), "1440".into()),
        ]
        .into_iter()
        .chain(engine_limits(data))
        .collect(),
    };
    let (email, password) = ("bench@tally.example", "bench-password-0123456789");
    cmd.create_admin("Bench Org", email, password)?;
    let tally = cmd.serve().await?;
    sb.add_redirect_uri(format!("{}/oauth/hubspot/callback", tally.base_url));
    let cookie = tally.session_cookie(email, password).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    // Connect: start → sandbox consent (auto-approved) → callback.
    let r = client
        .get(format!("{}/oauth/hubspot/start", tally.base_url))
        .header("Cookie", &cookie)
        .send()
        .await?;
    let authorize = location(&r)?;
    let r = client.get(&authorize).send().await?;
    let callback = location(&r)?;
    if !callback.starts_with(&tally.base_url) {
        bail!("the sandbox did not redirect to Tally: {callback}");
    }
    sb.clear_request_log();
    let r = client
        .get(&callback)
        .header("Cookie", &cookie)
        .send()
        .await?;
    if !(r.status().is_redirection() || r.status().is_success()) {
        bail!(
            "OAuth callback answered {}: {}",
            r.status(),
            r.text().await?
        );
    }
    let conns: Value = client
        .get(format!("{}/api/v1/connections", tally.base_url))
        .header("Cookie", &cookie)
        .send()
        .await?
        .json()
        .await?;
    let conn_id = conns
        .as_array()
        .and_then(|a| a.iter().find(|c| c["provider"] == "hubspot"))
        .and_then(|c| c["id"].as_i64())
        .with_context(|| format!("no HubSpot connection after the callback: {conns}"))?;
    Ok(Connected {
        running,
        tally,
        cookie,
        client,
        conn_id,
    })
}

/// Starts a full sync and waits for it; returns the run.
pub async fn sync_and_wait(c: &Connected, timeout: u64) -> anyhow::Result<Value> {
    let (client, cookie, conn_id) = (&c.client, &c.cookie, c.conn_id);
    let base = &c.tally.base_url;
    let started: Value = client
        .post(format!("{base}/api/v1/connections/{conn_id}/sync"))
        .header("Cookie", cookie)
        .send()
        .await?
        .json()
        .await?;
    let run_id = started["run_id"].as_i64();
    let deadline = std::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let runs: Value = client
            .get(format!("{base}/api/v1/connections/{conn_id}/runs"))
            .header("Cookie", cookie)
            .send()
            .await?
            .json()
            .await?;
        let this = runs.as_array().and_then(|rs| {
            rs.iter()
                .find(|r| run_id.is_none_or(|id| r["id"].as_i64() == Some(id)))
                .cloned()
        });
        if let Some(r) = this
            && r["status"] != "running"
        {
            if r["status"] != "succeeded" {
                bail!("the backfill ended {}: {}", r["status"], r["error"]);
            }
            return Ok(r);
        }
        if std::time::Instant::now() > deadline {
            bail!("the backfill did not finish in {timeout} s");
        }
    }
}

async fn backfill(a: &SyncArgs, n: usize) -> anyhow::Result<Backfill> {
    let dir = a.work_dir.join(format!("run{n}"));
    let c = connect(&a.data, &a.tally, &a.site, &dir, None).await?;
    let pid = c.tally.pid();
    let sb = &c.running.sandbox;
    let rss_idle_kb = proc_status_kb(pid, "VmRSS")?;
    let run = sync_and_wait(&c, a.timeout).await?;
    let rss_peak_kb = proc_status_kb(pid, "VmHWM")?;
    let records = run["records"].as_i64().unwrap_or(0);
    let t0 = run["started_at"].as_i64().unwrap_or(0);
    let t1 = run["finished_at"].as_i64().unwrap_or(t0);
    let duration_s = ((t1 - t0) as f64 / 1000.0).max(0.001);

    // Calls made by the run (OAuth excluded), and the minimum the page sizes allow.
    let log: Vec<_> = sb
        .request_log()
        .into_iter()
        .filter(|e| e.provider == "hubspot" && !e.path.contains("/oauth/"))
        .collect();
    let calls = sandbox_env::call_stats(sb);
    let counts = sandbox_env::active_counts(sb);
    let mut min_detail = BTreeMap::new();
    let mut search_calls = 0;
    let mut assoc_calls = 0;
    let mut list_calls = 0;
    let mut other_routes = std::collections::BTreeSet::new();
    for e in &log {
        if let Some(kind) = e
            .path
            .strip_suffix("/search")
            .and_then(|p| p.rsplit('/').next())
            .filter(|_| e.path.contains("/crm/v3/objects/"))
        {
            search_calls += 1;
            let n = counts.get(kind).copied().unwrap_or(0);
            min_detail
                .entry(format!("search {kind} ({n} records / {SEARCH_PAGE})"))
                .or_insert_with(|| n.div_ceil(SEARCH_PAGE).max(1));
        } else if let Some(from) = e
            .path
            .split("/crm/v4/associations/")
            .nth(1)
            .filter(|_| e.path.ends_with("/batch/read"))
            .and_then(|rest| rest.split('/').next())
        {
            assoc_calls += 1;
            let n = counts.get(from).copied().unwrap_or(0);
            min_detail
                .entry(format!(
                    "associations of {from} ({n} records / {ASSOC_BATCH})"
                ))
                .or_insert_with(|| n.div_ceil(ASSOC_BATCH).max(1));
        } else if let Some(kind) = listed_kind(e) {
            // A page of the list lane (live records): 100 a page.
            list_calls += 1;
            let n = counts.get(kind).copied().unwrap_or(0);
            min_detail
                .entry(format!("list {kind} ({n} records / {LIST_PAGE})"))
                .or_insert_with(|| n.div_ceil(LIST_PAGE).max(1));
        } else {
            // Every other endpoint (owners, pipelines, lists, archived
            // checks…) needs at least one call per distinct path.
            other_routes.insert(e.path.clone());
        }
    }
    let other_calls = log.len() - search_calls - assoc_calls - list_calls;
    min_detail.insert(
        format!(
            "other endpoints, 1 call per distinct path ({})",
            other_routes.len()
        ),
        other_routes.len() as u64,
    );
    let min_calls = min_detail.values().sum();
    Ok(Backfill {
        run,
        records,
        duration_s,
        records_per_s: records as f64 / duration_s,
        calls,
        search_calls,
        assoc_calls,
        list_calls,
        other_calls,
        min_calls,
        min_calls_detail: min_detail,
        rss_idle_kb,
        rss_peak_kb,
        sandbox_records: counts,
    })
}

/// "1.0 M-record" or "98205-record": how a row names its backfill.
fn size_words(records: i64) -> String {
    if records >= 500_000 {
        format!("{:.1} M-record", records as f64 / 1e6)
    } else {
        format!("{records}-record")
    }
}

/// How much of HubSpot's two budgets one run used.
struct Shares {
    search: f64,
    general: f64,
    general_calls: usize,
    /// Both together: what the run left unused of what it could send.
    combined: f64,
}

impl Shares {
    fn of(r: &Backfill) -> Shares {
        let limits = RateLimits::default();
        let search_capacity = limits.hubspot_search_per_second as f64 * r.duration_s;
        let general_capacity = limits.hubspot_per_window as f64
            * (r.duration_s * 1000.0 / limits.hubspot_window_ms as f64);
        let general_calls = r.other_calls + r.assoc_calls + r.list_calls;
        Shares {
            search: r.search_calls as f64 / search_capacity,
            general: general_calls as f64 / general_capacity,
            general_calls,
            combined: (r.search_calls + general_calls) as f64
                / (search_capacity + general_capacity),
        }
    }
}

pub async fn sync(a: &SyncArgs) -> anyhow::Result<Fragment> {
    let _ = std::fs::remove_dir_all(&a.work_dir);
    std::fs::create_dir_all(&a.work_dir)?;
    let mut runs = Vec::new();
    for n in 0..a.runs.max(1) {
        runs.push(backfill(a, n).await?);
    }
    let rps = Spread::of(&runs.iter().map(|r| r.records_per_s).collect::<Vec<_>>());
    let last = runs.last().context("no run")?;
    let total_sandbox: u64 = last.sandbox_records.values().sum();
    let inputs = format!(
        "release tally (SQLite), HubSpot backfill of {} records through the sync engine; {}; {}",
        last.records,
        a.data.describe(),
        describe_engine_limits(&a.data)
    );
    let calls_ratio = last.calls.hubspot_requests as f64 / last.min_calls.max(1) as f64;
    let mut rows = Vec::new();
    let mut details = json!({ "backfills": runs, "sandbox_total_records": total_sandbox });
    if a.figure == "2" {
        rows.push(Row {
            id: "2a".into(),
            metric: "backfill records/s, unthrottled sandbox".into(),
            inputs: inputs.clone(),
            result: format!(
                "{} ({} records in {:.1} s, last run)",
                rps.text(0, "records/s"),
                last.records,
                last.duration_s
            ),
            values: json!({ "records_per_s": rps }),
            budget: "≥ 5,000 records/s".into(),
            met: Some(rps.median >= 5000.0),
        });
        rows.push(Row {
            id: "2b".into(),
            metric: "API calls made ÷ minimum the page sizes allow".into(),
            inputs: format!(
                "same run; minimum = Σ ceil(records / {SEARCH_PAGE}) per searched object + ceil(records / {LIST_PAGE}) per listed object + ceil(records / {ASSOC_BATCH}) per association batch read + 1 per other endpoint"
            ),
            result: format!("{calls_ratio:.2}× ({})", last.calls_text()),
            values: json!({ "ratio": calls_ratio, "calls": last.calls.hubspot_requests, "minimum": last.min_calls }),
            budget: "≤ 1.1×".into(),
            met: Some(calls_ratio <= 1.1),
        });
    } else if a.figure == "6d" {
        rows.push(Row {
            id: "6d".into(),
            metric: format!("server RSS peak during a {} backfill", size_words(last.records)),
            inputs: format!(
                "VmHWM of the release tally (SQLite) over a HubSpot backfill of {} records through the sync engine (start-up to the run's end); {}; {}",
                last.records,
                a.data.describe(),
                describe_engine_limits(&a.data)
            ),
            result: format!(
                "peak {:.1} MB (before the run {:.1} MB)",
                last.rss_peak_kb as f64 / 1024.0,
                last.rss_idle_kb as f64 / 1024.0
            ),
            values: json!({ "rss_peak_kb": last.rss_peak_kb, "rss_idle_kb": last.rss_idle_kb }),
            budget: String::new(),
            met: None,
        });
        rows.push(Row {
            id: "6d'".into(),
            metric: "the same backfill: records/s and calls (information)".into(),
            inputs: "same run; minimum calls as in 2b".into(),
            result: format!(
                "{:.0} records/s ({} records in {:.0} s); {calls_ratio:.2}× the minimum calls ({})",
                last.records_per_s,
                last.records,
                last.duration_s,
                last.calls_text()
            ),
            values: json!({ "records_per_s": last.records_per_s, "calls_ratio": calls_ratio }),
            budget: String::new(),
            met: None,
        });
    } else {
        // Which lane reaches which kind first varies from run to run, so
        // the share is judged on the median run of several.
        let shares: Vec<Shares> = runs.iter().map(Shares::of).collect();
        let combined_pct = Spread::of(
            &shares
                .iter()
                .map(|s| s.combined * 100.0)
                .collect::<Vec<_>>(),
        );
        let mut order: Vec<usize> = (0..runs.len()).collect();
        order.sort_by(|x, y| shares[*x].combined.total_cmp(&shares[*y].combined));
        let mid = order[order.len() / 2];
        let (m, s) = (&runs[mid], &shares[mid]);
        details["search_share"] = json!(s.search);
        details["general_share"] = json!(s.general);
        details["combined_share_pct"] = json!(combined_pct);
        details["median_run"] = json!(mid);
        let runs_429: usize = runs.iter().map(|r| r.calls.rate_limited_429).sum();
        rows.push(Row {
            id: "3a".into(),
            metric: "share of the request budget used".into(),
            inputs: format!(
                "release tally (SQLite), HubSpot backfill of {} records through the sync engine, {} runs; {}; {}",
                m.records,
                runs.len(),
                a.data.describe(),
                describe_engine_limits(&a.data)
            ),
            result: format!(
                "{} of both budgets together; median run: search {:.0} % of 5/s ({} calls in {:.1} s), general budget {:.1} % of 110/10 s ({} calls: {} list pages, {} association reads, {} other), {:.0} records/s; records/s of every run: {}",
                combined_pct.text(0, "%"),
                s.search * 100.0,
                m.search_calls,
                m.duration_s,
                s.general * 100.0,
                s.general_calls,
                m.list_calls,
                m.assoc_calls,
                m.other_calls,
                m.records_per_s,
                rps.text(0, "records/s")
            ),
            values: json!({ "combined_share_pct": combined_pct, "search_share": s.search, "general_share": s.general, "records_per_s": m.records_per_s, "records_per_s_runs": rps }),
            budget: "≥ 90 % used".into(),
            met: Some(combined_pct.median >= 90.0),
        });
        rows.push(Row {
            id: "3b".into(),
            metric: "429 responses received".into(),
            inputs: "same runs, from the sandbox's request log".into(),
            result: format!("{runs_429} × 429 over {} runs", runs.len()),
            values: json!({ "rate_limited_429": runs_429 }),
            budget: "0".into(),
            met: Some(runs_429 == 0),
        });
    }
    Ok(Fragment {
        figure: a.figure.clone(),
        title: match a.figure.as_str() {
            "2" => "Sync, unthrottled sandbox",
            "6d" => "Server memory during a 1 M backfill",
            _ => "Sync at HubSpot's limits",
        }
        .into(),
        status: "measured".into(),
        reason: None,
        rows,
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(method: &str, path: &str, query: &str) -> sandbox::RequestLogEntry {
        sandbox::RequestLogEntry {
            provider: "hubspot".into(),
            method: method.into(),
            path: path.into(),
            query: query.into(),
            status: 200,
            timestamp: String::new(),
            timestamp_ms: 0,
            rate_limited: false,
            fault: None,
        }
    }

    #[test]
    fn only_live_record_pages_count_as_the_list_lane() {
        let listed = |m, p, q| listed_kind(&entry(m, p, q)).map(str::to_owned);
        assert_eq!(
            listed(
                "GET",
                "/hubspot/crm/v3/objects/contacts",
                "limit=100&archived=false&properties=email"
            ),
            Some("contacts".into())
        );
        assert_eq!(
            listed(
                "GET",
                "/hubspot/crm/v3/objects/calls",
                "archived=true&limit=100"
            ),
            None
        );
        assert_eq!(
            listed("POST", "/hubspot/crm/v3/objects/calls/search", ""),
            None
        );
        assert_eq!(listed("GET", "/hubspot/crm/v3/objects/calls/123", ""), None);
        assert_eq!(listed("GET", "/hubspot/crm/v3/owners", "limit=100"), None);
    }
}
