#![allow(clippy::unwrap_used)]

use clap::Parser;
use secrecy::ExposeSecret;

use super::*;

#[derive(Parser)]
struct Wrapper {
    #[command(flatten)]
    raw: RawConfig,
}

fn check(args: &[&str]) -> Result<Config, ConfigError> {
    let mut argv = vec!["tally"];
    argv.extend_from_slice(args);
    Wrapper::try_parse_from(argv).unwrap().raw.check()
}

fn message(args: &[&str]) -> String {
    check(args).unwrap_err().to_string()
}

#[test]
fn defaults_are_a_working_local_setup() {
    let config = check(&[
        "--database-url",
        "sqlite://data/tally.db",
        "--addr",
        "127.0.0.1:3000",
    ])
    .unwrap();
    assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
    assert_eq!(config.public_url, "http://127.0.0.1:3000");
    assert!(!config.secure_cookies());
    assert!(config.is_sqlite());
}

#[test]
fn bad_address_names_the_variable_and_an_example() {
    let msg = message(&["--addr", "localhost"]);
    assert_eq!(
        msg,
        "TALLY_ADDR=\"localhost\": not an IP address and port (for example TALLY_ADDR=127.0.0.1:3000)"
    );
}

#[test]
fn metrics_address_and_token_are_checked() {
    let msg = message(&["--metrics-addr", "localhost:9090"]);
    assert_eq!(
        msg,
        "TALLY_METRICS_ADDR=\"localhost:9090\": not an IP address and port (for example TALLY_METRICS_ADDR=127.0.0.1:9090)"
    );
    let msg = message(&[
        "--addr",
        "127.0.0.1:3000",
        "--metrics-addr",
        "127.0.0.1:3000",
    ]);
    assert!(msg.contains("same address as TALLY_ADDR"), "{msg}");
    let config = check(&[
        "--metrics-addr",
        "127.0.0.1:9090",
        "--metrics-token",
        "t0ken",
    ])
    .unwrap();
    assert_eq!(config.metrics_addr.unwrap().to_string(), "127.0.0.1:9090");
    assert_eq!(config.metrics_token.unwrap().expose_secret(), "t0ken");
    assert!(!format!("{:?}", check(&["--metrics-token", "t0ken"]).unwrap()).contains("t0ken"));
    let unset = check(&[]).unwrap();
    assert!(unset.metrics_addr.is_none() && unset.metrics_token.is_none());
}

#[test]
fn bad_timezone_is_refused() {
    let msg = message(&["--default-timezone", "Mars/Olympus"]);
    assert!(
        msg.starts_with("TALLY_DEFAULT_TIMEZONE=\"Mars/Olympus\": not an IANA timezone"),
        "{msg}"
    );
}

#[test]
fn database_url_problems_do_not_echo_the_url() {
    let msg = message(&["--database-url", "mysql://root:hunter2@db/tally"]);
    assert!(
        msg.starts_with("DATABASE_URL=<redacted>: must start with"),
        "{msg}"
    );
    assert!(!msg.contains("hunter2"));
}

#[test]
fn https_public_url_makes_cookies_secure() {
    let config = check(&["--public-url", "https://tally.example.com/"]).unwrap();
    assert_eq!(config.public_url, "https://tally.example.com");
    assert!(config.secure_cookies());
}

#[test]
fn public_url_without_scheme_is_refused() {
    let msg = message(&["--public-url", "tally.example.com"]);
    assert!(
        msg.contains("TALLY_PUBLIC_URL=\"tally.example.com\": not an http(s) URL"),
        "{msg}"
    );
}

#[test]
fn client_id_without_secret_is_contradictory() {
    let msg = message(&["--hubspot-client-id", "abc"]);
    assert!(
        msg.starts_with("HUBSPOT_CLIENT_SECRET=\"\": is required when HUBSPOT_CLIENT_ID is set"),
        "{msg}"
    );
}

#[test]
fn secret_and_secret_file_together_are_contradictory() {
    let msg = message(&[
        "--hubspot-client-id",
        "abc",
        "--hubspot-client-secret",
        "s3cret",
        "--hubspot-client-secret-file",
        "/nonexistent",
    ]);
    assert!(msg.contains(
        "HUBSPOT_CLIENT_SECRET=<redacted>: is set together with HUBSPOT_CLIENT_SECRET_FILE"
    ));
    assert!(!msg.contains("s3cret"));
}

#[test]
fn secret_file_is_read_and_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    std::fs::write(&path, "from-a-file\n").unwrap();
    let config = check(&[
        "--fathom-client-id",
        "fid",
        "--fathom-client-secret-file",
        path.to_str().unwrap(),
    ])
    .unwrap();
    let fathom = config.fathom.unwrap();
    assert_eq!(fathom.client_secret.expose_secret(), "from-a-file");
    assert!(
        !format!("{fathom:?}").contains("from-a-file"),
        "Debug must redact secrets"
    );
}

#[test]
fn missing_secret_file_is_named() {
    let msg = message(&["--secret-keys-file", "/nonexistent/keys"]);
    assert!(
        msg.starts_with("TALLY_SECRET_KEYS_FILE=\"/nonexistent/keys\": cannot read the file"),
        "{msg}"
    );
}

#[test]
fn session_ttl_must_be_sane() {
    assert!(message(&["--session-ttl-hours", "0"]).starts_with("TALLY_SESSION_TTL_HOURS=\"0\""));
    assert!(
        message(&["--session-ttl-hours", "two"]).starts_with("TALLY_SESSION_TTL_HOURS=\"two\"")
    );
}

#[test]
fn log_format_and_demo_flag_are_checked() {
    assert!(
        message(&["--log-format", "xml"])
            .starts_with("TALLY_LOG_FORMAT=\"xml\": must be `text` or `json`")
    );
    assert!(
        message(&["--demo", "maybe"]).starts_with("TALLY_DEMO=\"maybe\": must be true or false")
    );
    assert_eq!(
        check(&["--log-format", "JSON"]).unwrap().log_format,
        LogFormat::Json
    );
}

#[test]
fn sync_limits_default_to_hubspots_public_app_limits() {
    let limits = check(&[]).unwrap().sync_limits;
    assert_eq!(limits.hubspot_max, 110);
    assert_eq!(limits.hubspot_window, Duration::from_secs(10));
    assert_eq!(limits.search_per_second, 5);
    let private = check(&["--hubspot-rate-limit", "190/10s"]).unwrap();
    assert_eq!(private.sync_limits.hubspot_max, 190);
    let off = check(&[
        "--hubspot-rate-limit",
        "off",
        "--hubspot-search-rate-limit",
        "off",
    ])
    .unwrap();
    assert_eq!(
        (
            off.sync_limits.hubspot_max,
            off.sync_limits.search_per_second
        ),
        (0, 0)
    );
    assert!(
        message(&["--hubspot-rate-limit", "lots"]).starts_with("TALLY_HUBSPOT_RATE_LIMIT=\"lots\"")
    );
    assert!(
        message(&["--hubspot-search-rate-limit", "50/10s"]).starts_with(
            "TALLY_HUBSPOT_SEARCH_RATE_LIMIT=\"50/10s\": HubSpot's search limit is per second"
        )
    );
}

#[test]
fn hubspot_token_url_derives_from_api_base() {
    let config = check(&["--hubspot-api-base", "http://127.0.0.1:9/sandbox/hubspot/"]).unwrap();
    assert_eq!(
        config.hubspot_urls.api_base,
        "http://127.0.0.1:9/sandbox/hubspot"
    );
    assert_eq!(
        config.hubspot_urls.token_url,
        "http://127.0.0.1:9/sandbox/hubspot/oauth/v1/token"
    );
}

/// The README's configuration table lists exactly the variables the code reads.
#[test]
fn readme_table_matches_the_code() {
    use clap::CommandFactory;
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let command = Wrapper::command();
    let mut missing = Vec::new();
    for arg in command.get_arguments() {
        let Some(env) = arg.get_env() else { continue };
        let env = env.to_str().unwrap();
        if !readme.contains(&format!("| `{env}` |")) {
            missing.push(env.to_owned());
        }
    }
    assert!(missing.is_empty(), "README config table lacks: {missing:?}");
    let documented = readme
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains("` |"))
        .count();
    let in_code = command
        .get_arguments()
        .filter(|a| a.get_env().is_some())
        .count();
    assert_eq!(
        documented, in_code,
        "README table rows vs. settings in code"
    );
}

#[test]
fn demo_mode_needs_a_build_with_the_sandbox() {
    let result = check(&["--demo", "true"]);
    if cfg!(feature = "demo") {
        assert!(result.unwrap().demo);
    } else {
        let msg = result.unwrap_err().to_string();
        assert!(
            msg.starts_with("TALLY_DEMO=\"true\": this binary was built without"),
            "{msg}"
        );
    }
}
