//! The `tally` binary itself: start-up refusals and the admin commands.

use std::process::{Command, Stdio};

fn tally() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tally"));
    for var in [
        "DATABASE_URL",
        "TALLY_ADDR",
        "TALLY_DEMO",
        "HUBSPOT_CLIENT_ID",
        "FATHOM_CLIENT_ID",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn a_bad_setting_stops_start_up_with_one_clear_line() {
    let out = tally()
        .env("TALLY_ADDR", "localhost:3000")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "tally: TALLY_ADDR=\"localhost:3000\": not an IP address and port (for example TALLY_ADDR=127.0.0.1:3000)"
    );
}

#[test]
fn admin_and_token_commands_work_from_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let run = |args: &[&str], stdin: &str| {
        let mut child = tally()
            .env("DATABASE_URL", &url)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let migrate = run(&["migrate"], "");
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let weak = run(
        &[
            "admin",
            "create",
            "--org",
            "Acme",
            "--email",
            "ann@acme.test",
        ],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(
        String::from_utf8_lossy(&weak.stderr).contains("password: must be at least 12 characters")
    );
    let ok = run(
        &[
            "admin",
            "create",
            "--org",
            "Acme",
            "--email",
            "ann@acme.test",
        ],
        "a long enough password\n",
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let token = run(
        &[
            "token",
            "create",
            "--email",
            "ann@acme.test",
            "--name",
            "ci",
        ],
        "",
    );
    assert!(token.status.success());
    let printed = String::from_utf8(token.stdout).unwrap();
    assert!(printed.trim().starts_with("tally_") && printed.trim().len() > 40);
    let revoke = run(
        &["token", "revoke", "--email", "ann@acme.test", "--id", "1"],
        "",
    );
    assert!(revoke.status.success());
    let again = run(
        &["token", "revoke", "--email", "ann@acme.test", "--id", "1"],
        "",
    );
    assert!(!again.status.success(), "revoking twice says so");
}
