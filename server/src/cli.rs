//! The `tally` command line: serve, migrate, and administration commands.
//!
//! Administration happens here rather than in a web page when it must work
//! before anyone can sign in (the first admin) or prints a secret exactly once
//! (API tokens).

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::{
    accounts::{
        api_tokens, normalise_email,
        service::{FirstAdmin, create_admin},
        users,
    },
    config::{Config, RawConfig},
    db::Db,
    startup::Application,
};

/// Tally: weekly scorecards that fill themselves from HubSpot and Fathom.
#[derive(Debug, Parser)]
#[command(name = "tally", version)]
pub struct Cli {
    #[command(flatten)]
    /// Settings shared by every command.
    pub config: RawConfig,
    #[command(subcommand)]
    /// What to do; `serve` when omitted.
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve HTTP (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage the keys secrets at rest are encrypted with.
    #[command(subcommand)]
    Keys(KeysCommand),
}

/// `tally keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every stored secret under the active (first) key of
    /// TALLY_SECRET_KEYS. Safe while Tally runs; safe to run again.
    Rotate,
}

/// `tally admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin (and the organisation if it does not exist). The
    /// password is prompted for, or read from the first line of stdin.
    Create {
        /// Organisation name.
        #[arg(long)]
        org: String,
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// The admin's display name (defaults to the email's local part).
        #[arg(long)]
        name: Option<String>,
        /// Timezone of a new organisation (defaults to TALLY_DEFAULT_TIMEZONE).
        #[arg(long)]
        timezone: Option<String>,
    },
}

/// `tally token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it once.
    Create {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long)]
        name: String,
    },
    /// Revoke a user's API token by id.
    Revoke {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// Token id (see `GET /api/v1/tokens`).
        #[arg(long)]
        id: i64,
    },
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::try_from(cli.config)?;
    crate::telemetry::init(config.log_format, &config.log_filter);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config).await?;
            tracing::info!(addr = %app.local_addr()?, "Tally is serving");
            app.run().await
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            println!("{} database is up to date", db.backend.name());
            Ok(())
        }
        Command::Admin(AdminCommand::Create {
            org,
            email,
            name,
            timezone,
        }) => {
            let db = migrated(&config).await?;
            let password = read_password()?;
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or("Admin").to_owned());
            let id = create_admin(
                &db,
                FirstAdmin {
                    org_name: org,
                    timezone: timezone.unwrap_or_else(|| config.default_timezone.name().to_owned()),
                    name,
                    email,
                    password,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created admin user {id}");
            Ok(())
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            let db = migrated(&config).await?;
            let user_id = user_id(&db, &email).await?;
            let (id, token) = api_tokens::create(&db, user_id, name.trim()).await?;
            eprintln!("token {id} created; it is shown only now:");
            println!("{token}");
            Ok(())
        }
        Command::Keys(KeysCommand::Rotate) => {
            let db = migrated(&config).await?;
            let keyring =
                crate::vault::Keyring::load(config.secret_keys.as_ref(), &config.data_dir)?;
            let vault = crate::vault::Vault::new(keyring);
            let report = crate::vault::rotate::rotate(&db, &vault).await?;
            crate::vault::rotate::check_keys(&db, &vault).await?;
            println!(
                "{} secret(s) re-encrypted under key {}; {} changed meanwhile and were already current",
                report.rotated,
                vault.keyring().active_id(),
                report.skipped
            );
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { email, id }) => {
            let db = migrated(&config).await?;
            let user_id = user_id(&db, &email).await?;
            anyhow::ensure!(
                api_tokens::revoke(&db, user_id, id).await?,
                "no live token {id} for {email}"
            );
            println!("token {id} revoked");
            Ok(())
        }
    }
}

async fn migrated(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    Ok(db)
}

async fn user_id(db: &Db, email: &str) -> anyhow::Result<i64> {
    let email = normalise_email(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
    users::id_by_email(db, &email)
        .await?
        .with_context(|| format!("no user with email {email}"))
}

fn read_password() -> anyhow::Result<SecretString> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("reading the password")?;
        let again = rpassword::prompt_password("Again: ").context("reading the password")?;
        anyhow::ensure!(first == again, "the passwords differ");
        Ok(SecretString::from(first))
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        Ok(SecretString::from(
            line.trim_end_matches(['\n', '\r']).to_owned(),
        ))
    }
}
