//! `tally-sandbox`: serves the HubSpot and Fathom simulators and prints the environment
//! that points Tally at them.

use std::net::SocketAddr;

use clap::Parser;
use sandbox::{Sandbox, SandboxOptions, serve_sandbox};

/// Wire-faithful HubSpot and Fathom simulators for Tally.
#[derive(Debug, Parser)]
#[command(name = "tally-sandbox", version)]
struct Args {
    /// Seed of the data generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4010")]
    addr: SocketAddr,
    /// Skip the consent pages.
    #[arg(long)]
    auto_approve: bool,
    /// Number of sales reps.
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Weeks of history.
    #[arg(long, default_value_t = 13)]
    weeks: u32,
    /// Volume multiplier.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Registered redirect URI (repeatable; replaces the defaults when given).
    #[arg(long = "redirect-uri")]
    redirect_uri: Vec<String>,
    /// Disable rate limiting.
    #[arg(long)]
    no_rate_limits: bool,
    /// Public base URL, when the sandbox sits behind a proxy or prefix.
    #[arg(long)]
    public_base_url: Option<String>,
    /// HubSpot webhook target URL.
    #[arg(long)]
    hubspot_webhook_url: Option<String>,
    /// Fathom webhook target URL.
    #[arg(long)]
    fathom_webhook_url: Option<String>,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 1800)]
    access_token_ttl: u64,
    /// The portal's time zone (IANA name).
    #[arg(long, default_value = sandbox::options::DEFAULT_TIMEZONE, value_parser = parse_timezone)]
    timezone: String,
}

/// Accepts only IANA names chrono-tz knows.
fn parse_timezone(s: &str) -> Result<String, String> {
    s.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber_init();
    let args = Args::parse();
    let mut opts = SandboxOptions {
        seed: args.seed,
        reps: args.reps,
        weeks: args.weeks,
        scale: args.scale,
        auto_approve: args.auto_approve,
        access_token_ttl: args.access_token_ttl,
        timezone: args.timezone.clone(),
        public_base_url: args.public_base_url.clone(),
        hubspot_webhook_url: args.hubspot_webhook_url.clone(),
        fathom_webhook_url: args.fathom_webhook_url.clone(),
        ..SandboxOptions::default()
    };
    opts.rate_limits = !args.no_rate_limits;
    if !args.redirect_uri.is_empty() {
        opts.redirect_uris = args.redirect_uri.clone();
    }
    let started = std::time::Instant::now();
    let sandbox = Sandbox::new(opts);
    let generated = started.elapsed();
    let (addr, handle) = serve_sandbox(&sandbox, args.addr).await?;
    let base = args
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let o = sandbox.options();
    eprintln!(
        "# tally-sandbox: {} records generated in {:.2?}; listening on http://{addr}",
        sandbox.total_records(),
        generated
    );
    println!("export HUBSPOT_CLIENT_ID={}", o.hubspot_client_id);
    println!("export HUBSPOT_CLIENT_SECRET={}", o.hubspot_client_secret);
    println!("export HUBSPOT_AUTHORIZE_URL={base}/hubspot/oauth/authorize");
    println!("export HUBSPOT_API_BASE={base}/hubspot");
    println!("export FATHOM_CLIENT_ID={}", o.fathom_client_id);
    println!("export FATHOM_CLIENT_SECRET={}", o.fathom_client_secret);
    println!("export FATHOM_AUTHORIZE_URL={base}/fathom/external/v1/oauth2/authorize");
    println!("export FATHOM_TOKEN_URL={base}/fathom/external/v1/oauth2/token");
    println!("export FATHOM_API_BASE={base}/fathom/external/v1");
    println!("# control API: {base}/_sandbox/truth");
    tokio::select! {
        _ = handle => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

/// Logs to stderr, filtered by `RUST_LOG` (default `sandbox=info`). Request paths are
/// logged with tokens redacted; bodies and secrets never are.
fn tracing_subscriber_init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("sandbox=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
