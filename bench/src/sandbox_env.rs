//! A sandbox in this process, and a HubSpot access token from its OAuth flow.

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};
use sandbox::{RateLimits, Sandbox, SandboxOptions};
use serde_json::Value;

/// The data set and limits a figure runs against.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Generator seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Sales reps.
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    /// Weeks of history.
    #[arg(long, default_value_t = 13)]
    pub weeks: u32,
    /// Volume multiplier (1.0 ≈ 5–6k records with 5 reps × 13 weeks).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Serve without HubSpot's rate limits.
    #[arg(long)]
    pub no_rate_limits: bool,
}

impl DataArgs {
    pub fn options(&self) -> SandboxOptions {
        SandboxOptions {
            seed: self.seed,
            reps: self.reps,
            weeks: self.weeks,
            scale: self.scale,
            auto_approve: true,
            rate_limits: !self.no_rate_limits,
            access_token_ttl: 6 * 3600,
            ..Default::default()
        }
    }

    /// "seed 7, 5 reps × 13 weeks × scale 1.0, HubSpot limits 110/10 s, search 5/s".
    pub fn describe(&self) -> String {
        let l = RateLimits::default();
        format!(
            "sandbox seed {}, {} reps × {} weeks × scale {}, {}",
            self.seed,
            self.reps,
            self.weeks,
            self.scale,
            if self.no_rate_limits {
                "no rate limits".to_owned()
            } else {
                format!(
                    "HubSpot limits {}/{} s, search {}/s",
                    l.hubspot_per_window,
                    l.hubspot_window_ms / 1000,
                    l.hubspot_search_per_second
                )
            }
        )
    }
}

/// A running in-process sandbox.
#[derive(Debug)]
pub struct Running {
    pub sandbox: Sandbox,
    pub base_url: String,
    pub generate_s: f64,
}

pub async fn start(data: &DataArgs) -> anyhow::Result<Running> {
    let t = std::time::Instant::now();
    let (sandbox, base_url, _task) = sandbox::serve(data.options()).await?;
    Ok(Running {
        sandbox,
        base_url,
        generate_s: t.elapsed().as_secs_f64(),
    })
}

const REDIRECT: &str = "http://127.0.0.1:3000/oauth/hubspot/callback";
const SCOPES: &str = "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read crm.objects.owners.read";

/// Gets a HubSpot access token through authorize (auto-approved) → code → token.
pub async fn hubspot_token(r: &Running) -> anyhow::Result<String> {
    let opts = r.sandbox.options().clone();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let resp = client
        .get(format!("{}/hubspot/oauth/authorize", r.base_url))
        .query(&[
            ("client_id", opts.hubspot_client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPES),
        ])
        .send()
        .await?;
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .context("authorize did not redirect")?
        .to_str()?
        .to_owned();
    let url = reqwest::Url::parse(&location)?;
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .with_context(|| format!("no code in {location}"))?;
    let token: Value = client
        .post(format!("{}/hubspot/oauth/v1/token", r.base_url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", opts.hubspot_client_id.as_str()),
            ("client_secret", opts.hubspot_client_secret.as_str()),
            ("redirect_uri", REDIRECT),
            ("code", code.as_str()),
        ])
        .send()
        .await?
        .json()
        .await?;
    match token["access_token"].as_str() {
        Some(t) => Ok(t.to_owned()),
        None => bail!("token exchange failed: {token}"),
    }
}

/// Active records per HubSpot object, from the sandbox's truth.
pub fn active_counts(sb: &Sandbox) -> BTreeMap<String, u64> {
    let counts = sb.counts();
    let mut out = BTreeMap::new();
    if let Some(h) = counts["hubspot"].as_object() {
        for (k, v) in h {
            if let Some(n) = v["active"].as_u64() {
                out.insert(k.clone(), n);
            }
        }
    }
    out
}

/// The properties the sandbox generates for each object: what both Tally and
/// the peer are asked to read, so neither reads more than the other.
pub fn properties() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        (
            "calls",
            vec![
                "hs_timestamp",
                "hubspot_owner_id",
                "hs_call_title",
                "hs_call_status",
                "hs_call_duration",
                "hs_call_disposition",
                "hs_call_direction",
                "hs_call_body",
                "hs_createdate",
                "hs_lastmodifieddate",
            ],
        ),
        (
            "meetings",
            vec![
                "hs_timestamp",
                "hubspot_owner_id",
                "hs_meeting_title",
                "hs_meeting_start_time",
                "hs_meeting_end_time",
                "hs_meeting_outcome",
                "hs_meeting_location",
                "hs_meeting_body",
                "hs_activity_type",
                "hs_createdate",
                "hs_lastmodifieddate",
            ],
        ),
        (
            "contacts",
            vec![
                "firstname",
                "lastname",
                "email",
                "jobtitle",
                "company",
                "phone",
                "lifecyclestage",
                "hubspot_owner_id",
                "associatedcompanyid",
                "hs_buying_role",
                "createdate",
                "lastmodifieddate",
            ],
        ),
        (
            "deals",
            vec![
                "dealname",
                "amount",
                "hs_mrr",
                "mrr",
                "closedate",
                "dealstage",
                "pipeline",
                "dealtype",
                "hs_is_closed",
                "hs_is_closed_won",
                "hubspot_owner_id",
                "createdate",
                "hs_lastmodifieddate",
            ],
        ),
    ])
}

/// What the sandbox's request log says about a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallStats {
    pub hubspot_requests: usize,
    pub rate_limited_429: usize,
    pub other_errors: usize,
    pub first_ms: i64,
    pub last_ms: i64,
    pub by_route: BTreeMap<String, usize>,
}

pub fn call_stats(sb: &Sandbox) -> CallStats {
    let log = sb.request_log();
    let mut s = CallStats {
        hubspot_requests: 0,
        rate_limited_429: 0,
        other_errors: 0,
        first_ms: i64::MAX,
        last_ms: 0,
        by_route: BTreeMap::new(),
    };
    for e in log
        .iter()
        .filter(|e| e.provider == "hubspot" && !e.path.contains("/oauth/"))
    {
        s.hubspot_requests += 1;
        if e.status == 429 {
            s.rate_limited_429 += 1;
        } else if e.status >= 400 {
            s.other_errors += 1;
        }
        s.first_ms = s.first_ms.min(e.timestamp_ms);
        s.last_ms = s.last_ms.max(e.timestamp_ms);
        let route: String = e
            .path
            .split('/')
            .map(|seg| {
                if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() {
                    "{id}"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        *s.by_route
            .entry(format!("{} {} {}", e.method, route, e.status))
            .or_default() += 1;
    }
    if s.first_ms == i64::MAX {
        s.first_ms = 0;
    }
    s
}
