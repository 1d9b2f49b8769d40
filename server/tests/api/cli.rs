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

#[tokio::test]
async fn keys_rotate_re_encrypts_and_start_up_refuses_unknown_keys() {
    use server::{
        accounts::service::{FirstAdmin, create_admin},
        db::Db,
        integrations::store,
        vault::{Keyring, SecretToken, Vault},
    };
    const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let user = create_admin(
        &db,
        FirstAdmin {
            org_name: "Acme".into(),
            timezone: "UTC".into(),
            name: "Ann".into(),
            email: "ann@acme.test".into(),
            password: "correct horse battery".to_owned().into(),
        },
    )
    .await
    .unwrap();
    let old = Vault::new(Keyring::parse(&format!("old:{K1}")).unwrap());
    let id = store::upsert(
        &db,
        &old,
        store::NewConnection {
            org_id: app::domain::OrgId(1),
            provider: app::domain::Provider::Hubspot,
            account_id: "42",
            account_name: "acme",
            account_user: "ann@acme.test",
            status: app::domain::ConnectionStatus::Connected,
            scopes: &[],
            user_id: user,
            access_expires_at: None,
            secrets: vec![
                (store::ACCESS_TOKEN, SecretToken::new("at-1")),
                (store::REFRESH_TOKEN, SecretToken::new("rt-1")),
            ],
            api_base: None,
        },
    )
    .await
    .unwrap();
    let run = |keys: String, args: &[&str]| {
        tally()
            .env("DATABASE_URL", &url)
            .env("TALLY_ADDR", "127.0.0.1:0")
            .env("TALLY_DATA_DIR", dir.path())
            .env("TALLY_SECRET_KEYS", keys)
            .env_remove("TALLY_SECRET_KEYS_FILE")
            .args(args)
            .output()
            .unwrap()
    };

    // Start-up refuses a keyring without the key in use, naming the fix.
    let out = run(format!("new:{K2}"), &["serve"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("old") && stderr.contains("tally keys rotate"),
        "{stderr}"
    );
    assert!(!stderr.contains(K2) && !stderr.contains(K1));

    let both = format!("new:{K2},old:{K1}");
    let out = run(both.clone(), &["keys", "rotate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("2 secret(s) re-encrypted under key new"),
        "{stdout}"
    );
    let out = run(both, &["keys", "rotate"]);
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("0 secret(s)")
    );

    let new = Vault::new(Keyring::parse(&format!("new:{K2}")).unwrap());
    let conn = store::get(&db, id).await.unwrap().unwrap();
    let token = store::secret(&db, &new, &conn, store::REFRESH_TOKEN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.expose(), "rt-1");
}
