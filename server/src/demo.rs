//! The demo organisation `make run` serves.
//!
//! Ensures an organisation "Demo Sales Co" with an admin exists. The admin's
//! password is generated on first run and written to `data/demo-login.txt`
//! (mode 0600) for `make run` to print; it never goes to the log.

use std::path::PathBuf;

use secrecy::SecretString;

use crate::{
    accounts::{
        password,
        service::{FirstAdmin, create_admin},
        users,
    },
    config::Config,
    db::Db,
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
        &format!("email: {ADMIN_EMAIL}\npassword: {secret}\n"),
    )?;
    tracing::info!(file = %file.display(), "demo organisation ready; its login is in the file");
    Ok(())
}

fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    crate::private_files::write(path, text, crate::private_files::Existing::Replace)
}
