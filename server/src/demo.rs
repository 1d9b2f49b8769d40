//! Demo mode (`TALLY_DEMO=true`), compiled only with the `demo` cargo feature
//! so a production build carries no simulator and no demo credentials.
//!
//! Ensures an organisation "Demo Sales Co" with an admin exists. The admin's
//! password is generated on first run and written to `data/demo-login.txt`
//! (mode 0600) for `make run` to print, with the simulators' Autotask and
//! Aircall API credentials to paste on the Integrations page; it never goes
//! to the log. The provider simulators are served at `/sandbox`, and
//! providers without a configured client use the simulators' client ids,
//! secrets and webhook secret.

use std::path::PathBuf;

use secrecy::SecretString;

use crate::{
    accounts::{
        password,
        service::{FirstAdmin, create_admin},
        users,
    },
    config::{Config, OAuthClientConfig},
    db::Db,
    providers::Provider,
};

/// Organisation name of the demo.
pub const ORG_NAME: &str = "Demo Sales Co";
/// Email of the demo admin.
pub const ADMIN_EMAIL: &str = "admin@demo.tally.test";

/// Where the demo login is written.
pub fn login_file(config: &Config) -> PathBuf {
    config.data_dir.join("demo-login.txt")
}

/// Creates the demo organisation and admin if missing.
pub async fn ensure(db: &Db, config: &Config) -> anyhow::Result<()> {
    let file = login_file(config);
    let exists = users::id_by_email(db, ADMIN_EMAIL).await?;
    if exists.is_some() && file.exists() {
        return Ok(());
    }
    let secret = password::one_time_password();
    match exists {
        Some(id) => {
            let hash = password::hash(SecretString::from(secret.clone())).await?;
            users::set_password(db, id, &hash).await?;
        }
        None => {
            create_admin(
                db,
                FirstAdmin {
                    org_name: ORG_NAME.into(),
                    timezone: config.default_timezone.name().into(),
                    name: "Demo Admin".into(),
                    email: ADMIN_EMAIL.into(),
                    password: SecretString::from(secret.clone()),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("creating the demo admin: {e}"))?;
        }
    }
    write_private(
        &file,
        &format!(
            "email: {ADMIN_EMAIL}\npassword: {secret}\n{}",
            sandbox_keys()
        ),
    )?;
    tracing::info!(file = %file.display(), "demo organisation ready; its login is in the file");
    Ok(())
}

/// The simulators' API credentials, for the Autotask and Aircall cards
/// (they work only against the sandbox).
fn sandbox_keys() -> String {
    use sandbox::{aircall, autotask};
    format!(
        "Autotask (sandbox) on Integrations:\n  API username: {}\n  Secret: {}\n  \
         Tracking identifier: {}\nAircall (sandbox) on Integrations:\n  API ID: {}\n  \
         API token: {}\n",
        autotask::DEMO_USERNAME,
        autotask::DEMO_SECRET,
        autotask::DEMO_INTEGRATION_CODE,
        aircall::DEMO_API_ID,
        aircall::DEMO_API_TOKEN,
    )
}

fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    crate::private_files::write(path, text, crate::private_files::Existing::Replace)
}

/// The HubSpot and Fathom simulators, whose registered redirect URIs are
/// this server's callbacks.
pub fn simulators(config: &Config) -> sandbox::Sandbox {
    let providers = crate::providers::all(config);
    sandbox::Sandbox::new(sandbox::SandboxOptions {
        redirect_uris: providers
            .iter()
            .map(|p| p.redirect_uri(&config.public_url))
            .collect(),
        public_base_url: Some(crate::providers::sandbox_base(config)),
        ..sandbox::SandboxOptions::default()
    })
}

/// The simulator's OAuth client for `provider`, if it simulates one.
pub fn oauth_client(provider: Provider) -> Option<OAuthClientConfig> {
    let options = sandbox::SandboxOptions::default();
    let (client_id, client_secret) = match provider {
        Provider::Hubspot => (options.hubspot_client_id, options.hubspot_client_secret),
        Provider::Fathom => (options.fathom_client_id, options.fathom_client_secret),
        Provider::Autotask | Provider::Aircall => return None,
    };
    Some(OAuthClientConfig {
        client_id,
        client_secret: client_secret.into(),
    })
}

/// The secret the Fathom simulator signs its webhooks with.
pub fn fathom_webhook_secret() -> String {
    sandbox::SandboxOptions::default().fathom_webhook_secret
}

/// The one inline style of the simulators' consent pages, for their CSP.
pub const CONSENT_STYLE: &str = sandbox::CONSENT_STYLE;
