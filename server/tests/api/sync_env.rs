//! Test environment for the sync engine: a small sandbox on its own port
//! (with an optional "fail every n-th request" layer), a Tally pointed at it,
//! and HubSpot and Fathom connections holding sandbox-issued tokens.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use app::domain::ConnectionStatus;
use sandbox::{Fault, FaultKind, Sandbox, SandboxOptions};
use serde_json::Value;
use server::{
    db::{Backend, now_ms},
    integrations::store::{self, ACCESS_TOKEN, NewConnection, REFRESH_TOKEN},
    sync::budget::Limits,
    vault::SecretToken,
};

use crate::helpers::{TestApp, TestUser, spawn_app, spawn_app_on};

pub const SECRET: &str = "whsec_c2FuZGJveC1mYXRob20td2ViaG9vay1zZWNyZXQtMzJi";
const REDIRECT: &str = "http://localhost:3000/oauth/hubspot/callback";
const FATHOM_REDIRECT: &str = "http://localhost:3000/oauth/fathom/callback";
const SCOPES: &str = "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read crm.objects.owners.read crm.lists.read";

/// Test limits: short windows so budgets are exercised in seconds.
pub fn test_limits() -> Limits {
    Limits {
        hubspot_max: 25,
        hubspot_window: std::time::Duration::from_millis(1000),
        search_per_second: 5,
        fathom_max: 40,
        fathom_window: std::time::Duration::from_millis(1000),
        backoff_base: std::time::Duration::from_millis(20),
        max_tries: 6,
        max_throttles: 40,
        timeout: std::time::Duration::from_secs(10),
        ..Limits::default()
    }
}

pub fn small_opts() -> SandboxOptions {
    let mut o = SandboxOptions {
        seed: 11,
        reps: 3,
        weeks: 3,
        scale: 0.15,
        ..SandboxOptions::default()
    };
    o.limits.hubspot_per_window = 25;
    o.limits.hubspot_window_ms = 1000;
    o.limits.fathom_per_window = 40;
    o.limits.fathom_window_ms = 1000;
    o
}

pub struct Env {
    pub app: TestApp,
    pub sb: Sandbox,
    pub sb_base: String,
    pub admin: TestUser,
    pub hubspot: app::domain::ConnectionId,
    pub fathom: app::domain::ConnectionId,
    /// Every n-th provider request fails with 503 when set (0 = off).
    pub fail_every: Arc<AtomicUsize>,
    /// Every provider request whose path and query contain this fails with 503.
    pub fail_matching: Arc<Mutex<Option<String>>>,
    /// Every provider request whose path and query contain this waits, unanswered,
    /// until the pattern is cleared: a run that needs it cannot end meanwhile.
    pub stall_matching: Arc<Mutex<Option<String>>>,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn query_value(location: &str, key: &str) -> String {
    let q = location.split_once('?').map(|x| x.1).unwrap_or("");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap();
    pairs.into_iter().find(|(k, _)| k == key).unwrap().1
}

pub(crate) async fn hubspot_token(base: &str) -> Value {
    let c = client();
    let r = c
        .post(format!("{base}/hubspot/oauth/authorize"))
        .form(&[
            ("client_id", "sandbox-hubspot-client"),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPES),
            ("state", "s1"),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    let code = query_value(r.headers()["location"].to_str().unwrap(), "code");
    c.post(format!("{base}/hubspot/oauth/v1/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-hubspot-client"),
            ("client_secret", "sandbox-hubspot-secret"),
            ("redirect_uri", REDIRECT),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn fathom_token(base: &str) -> Value {
    let c = client();
    let r = c
        .post(format!("{base}/fathom/external/v1/oauth2/authorize"))
        .form(&[
            ("client_id", "sandbox-fathom-client"),
            ("redirect_uri", FATHOM_REDIRECT),
            ("scope", "public_api"),
            ("response_type", "code"),
            ("state", "f1"),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    let code = query_value(r.headers()["location"].to_str().unwrap(), "code");
    c.post(format!("{base}/fathom/external/v1/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-fathom-client"),
            ("client_secret", "sandbox-fathom-secret"),
            ("redirect_uri", FATHOM_REDIRECT),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Serves the sandbox behind a layer that fails every n-th provider request,
/// and every one matching `fail_matching`, and holds every one matching
/// `stall_matching` until that is cleared.
async fn serve(
    sb: &Sandbox,
    fail_every: Arc<AtomicUsize>,
    fail_matching: Arc<Mutex<Option<String>>>,
    stall_matching: Arc<Mutex<Option<String>>>,
) -> String {
    let seen = Arc::new(AtomicUsize::new(0));
    let sb2 = sb.clone();
    let router = sb.router().layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let fail_every = fail_every.clone();
            let fail_matching = fail_matching.clone();
            let stall_matching = stall_matching.clone();
            let seen = seen.clone();
            let sb = sb2.clone();
            async move {
                let p = req.uri().path().to_owned();
                let provider = p.starts_with("/hubspot/crm")
                    || p.starts_with("/hubspot/calling")
                    || p.starts_with("/fathom/external/v1/meetings")
                    || p.starts_with("/fathom/external/v1/recordings");
                let n = fail_every.load(Ordering::SeqCst);
                let matching = fail_matching.lock().unwrap().clone();
                let target = req.uri().to_string();
                let stalled = || {
                    let pattern = stall_matching.lock().unwrap();
                    provider
                        && pattern
                            .as_ref()
                            .is_some_and(|m| target.contains(m.as_str()))
                };
                while stalled() {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                let matched = matching.is_some_and(|m| target.contains(&m));
                if provider
                    && (matched || (n > 0 && seen.fetch_add(1, Ordering::SeqCst) % n == n - 1))
                {
                    sb.inject_fault(Fault {
                        kind: FaultKind::Status { status: 503 },
                        count: Some(1),
                        until_ms: None,
                        provider: None,
                    });
                }
                next.run(req).await
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{addr}")
}

/// Tally's flags for a sandbox at `sb_base`.
fn app_args(sb_base: &str) -> Vec<String> {
    let hubspot_base = format!("{sb_base}/hubspot");
    let fathom_base = format!("{sb_base}/fathom/external/v1");
    let fathom_token_url = format!("{fathom_base}/oauth2/token");
    [
        "--hubspot-client-id",
        "sandbox-hubspot-client",
        "--hubspot-client-secret",
        "sandbox-hubspot-secret",
        "--hubspot-api-base",
        &hubspot_base,
        "--fathom-client-id",
        "sandbox-fathom-client",
        "--fathom-client-secret",
        "sandbox-fathom-secret",
        "--fathom-api-base",
        &fathom_base,
        "--fathom-token-url",
        &fathom_token_url,
        "--fathom-webhook-secret",
        SECRET,
        "--sync-interval-minutes",
        "0",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

impl Env {
    /// Stops this Tally as a crash would and starts a new one on the same
    /// database and sandbox.
    pub async fn restart(self) -> Env {
        let Env {
            app,
            sb,
            sb_base,
            admin,
            hubspot,
            fathom,
            fail_every,
            fail_matching,
            stall_matching,
        } = self;
        let db = app.stop();
        let args = app_args(&sb_base);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let app = spawn_app_on(db, &args).await;
        app.state.sync.budgets().set_limits(test_limits());
        Env {
            app,
            sb,
            sb_base,
            admin,
            hubspot,
            fathom,
            fail_every,
            fail_matching,
            stall_matching,
        }
    }
}

/// Starts a sandbox and a Tally with both providers connected.
pub async fn env(backend: Backend, opts: SandboxOptions) -> Option<Env> {
    let portal = opts.portal_id.to_string();
    let sb = Sandbox::new(opts);
    // The seeded data ends at "now", so a small data set may hold no open
    // deal on some days; the tests that update one need it to exist.
    sb.create_record(
        sandbox::ObjectKind::Deals,
        [
            ("dealname", "Fixture deal"),
            ("amount", "1000"),
            ("pipeline", "default"),
            ("dealstage", "appointmentscheduled"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        vec![],
    )
    .expect("a fixture deal");
    let fail_every = Arc::new(AtomicUsize::new(0));
    let fail_matching = Arc::new(Mutex::new(None));
    let stall_matching = Arc::new(Mutex::new(None));
    let sb_base = serve(
        &sb,
        fail_every.clone(),
        fail_matching.clone(),
        stall_matching.clone(),
    )
    .await;
    let args = app_args(&sb_base);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let app = spawn_app(backend, &args).await?;
    app.state.sync.budgets().set_limits(test_limits());
    let owners = truth(&sb_base, "owners").await;
    let first_rep = owners[0]["email"].as_str().unwrap().to_lowercase();
    // The admin is the first rep, so people auto-match them.
    let admin = app.admin("Acme", &first_rep).await;
    let h = hubspot_token(&sb_base).await;
    let f = fathom_token(&sb_base).await;
    let scopes: Vec<String> = SCOPES.split(' ').map(str::to_owned).collect();
    let hubspot = store::upsert(
        app.db(),
        &app.state.vault,
        NewConnection {
            org_id: admin.org_id,
            provider: app::domain::Provider::Hubspot,
            account_id: &portal,
            account_name: "Sandbox portal",
            account_user: &first_rep,
            status: ConnectionStatus::Connected,
            scopes: &scopes,
            user_id: admin.id,
            access_expires_at: Some(now_ms() + 1_800_000),
            secrets: vec![
                (
                    ACCESS_TOKEN,
                    SecretToken::new(h["access_token"].as_str().unwrap()),
                ),
                (
                    REFRESH_TOKEN,
                    SecretToken::new(h["refresh_token"].as_str().unwrap()),
                ),
            ],
            api_base: None,
        },
    )
    .await
    .unwrap();
    let fathom = store::upsert(
        app.db(),
        &app.state.vault,
        NewConnection {
            org_id: admin.org_id,
            provider: app::domain::Provider::Fathom,
            account_id: &first_rep,
            account_name: "Sales",
            account_user: &first_rep,
            status: ConnectionStatus::Connected,
            scopes: &["public_api".to_owned()],
            user_id: admin.id,
            access_expires_at: Some(now_ms() + 1_800_000),
            secrets: vec![
                (
                    ACCESS_TOKEN,
                    SecretToken::new(f["access_token"].as_str().unwrap()),
                ),
                (
                    REFRESH_TOKEN,
                    SecretToken::new(f["refresh_token"].as_str().unwrap()),
                ),
            ],
            api_base: None,
        },
    )
    .await
    .unwrap();
    Some(Env {
        app,
        sb,
        sb_base,
        admin,
        hubspot,
        fathom,
        fail_every,
        fail_matching,
        stall_matching,
    })
}

/// `GET /_sandbox/truth/{what}` results.
pub async fn truth(base: &str, what: &str) -> Vec<Value> {
    let v: Value = reqwest::get(format!("{base}/_sandbox/truth/{what}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["results"].as_array().unwrap().clone()
}
