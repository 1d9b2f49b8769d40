//! `tally`: parse the command line and hand over to [`server::cli::run`].

use clap::Parser as _;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match server::cli::run(server::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tally: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
