//! The container image runs what the binary runs: the Dockerfile's
//! entrypoint and command parse as `tally serve`, its environment names
//! settings the binary knows, and its health check asks a route that
//! answers when Tally is ready.

use clap::Parser as _;
use server::cli::{Cli, Command};

use crate::helpers::on_each_backend;

fn dockerfile() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Dockerfile")).unwrap()
}

/// The JSON array of a Dockerfile instruction, e.g. `CMD ["serve"]`.
fn exec_form(text: &str, instruction: &str) -> Vec<String> {
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with(&format!("{instruction} ")))
        .unwrap_or_else(|| panic!("no {instruction} in the Dockerfile"));
    serde_json::from_str(line[instruction.len()..].trim()).unwrap()
}

#[test]
fn the_image_holds_the_production_binary_alone() {
    let text = dockerfile();
    let build = text
        .lines()
        .find(|l| l.contains("scripts/build-site.sh"))
        .expect("the Dockerfile builds with scripts/build-site.sh");
    // `release` without `demo`: the site inside, no simulator.
    assert!(
        build.trim_end().ends_with("scripts/build-site.sh release"),
        "{build}"
    );
    let copies: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("COPY --from="))
        .collect();
    assert_eq!(
        copies,
        ["COPY --from=build /src/target/release/tally /usr/local/bin/tally"],
        "the runtime stage takes the binary and nothing else"
    );
    assert!(
        !text.contains("LEPTOS_SITE_ROOT"),
        "the image needs no site folder"
    );
}

#[test]
fn the_image_runs_tally_serve() {
    let text = dockerfile();
    let mut argv = exec_form(&text, "ENTRYPOINT");
    argv.extend(exec_form(&text, "CMD"));
    assert_eq!(argv[0], "tally");
    let cli = Cli::try_parse_from(&argv).unwrap();
    assert!(matches!(cli.command, Some(Command::Serve)), "{argv:?}");
    // The runtime stage runs as a non-root user with its state in /data.
    let runtime = text.split("AS runtime").nth(1).unwrap();
    assert!(runtime.contains("USER tally"));
    assert!(runtime.contains("VOLUME [\"/data\"]"));
    use clap::CommandFactory as _;
    let known: Vec<String> = Cli::command()
        .get_arguments()
        .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
        .collect();
    for var in [
        "TALLY_ADDR",
        "TALLY_DATA_DIR",
        "DATABASE_URL",
        "TALLY_LOG_FORMAT",
    ] {
        assert!(
            known.iter().any(|k| k == var),
            "{var} is a setting the binary reads"
        );
        assert!(runtime.contains(&format!("{var}=")), "the image sets {var}");
    }
}

#[tokio::test]
async fn the_health_check_asks_a_route_that_answers_when_ready() {
    let text = dockerfile();
    let check = text
        .lines()
        .find(|l| l.contains("CMD curl"))
        .expect("a curl health check");
    let path = check
        .split("http://127.0.0.1:3000")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert_eq!(path, "/readyz");
    on_each_backend(|app| {
        let path = path.clone();
        async move {
            let r = reqwest::get(app.url(&path)).await.unwrap();
            assert_eq!(r.status(), 200);
        }
    })
    .await;
}
