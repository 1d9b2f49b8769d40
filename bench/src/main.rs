//! `tally-bench`: the figures of `make bench` (issue 7), one subcommand each.
//!
//! Every subcommand prints one JSON fragment (see `fragment.rs`) on stdout;
//! `report` merges a folder of them into `latest.json` and `latest.md`.
//! Figures are printed and saved, never asserted.

mod fig1;
mod fig2;
mod fig4;
mod fig5;
mod fig6;
mod fragment;
mod procs;
mod report;
mod sandbox_env;
mod seed;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::fragment::Fragment;

#[derive(Debug, Parser)]
#[command(
    name = "tally-bench",
    about = "Tally's benchmark figures, printed as JSON"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Figure 6a: raw and gzip sizes of the release WASM and JS.
    Sizes {
        /// The release site's pkg folder.
        #[arg(long)]
        pkg: PathBuf,
    },
    /// Figure 6b/6c: SSR requests/s of a signed-in page under wrk, RSS idle.
    Ssr {
        /// The release `tally` binary.
        #[arg(long)]
        tally: PathBuf,
        /// The release site root (holds pkg/).
        #[arg(long)]
        site: PathBuf,
        /// Scratch folder (database, logs); emptied first.
        #[arg(long)]
        work_dir: PathBuf,
        /// Page to load.
        #[arg(long, default_value = "/")]
        path: String,
        /// Seconds per wrk run.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// wrk runs (min/median/max are reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// wrk connections.
        #[arg(long, default_value_t = 32)]
        connections: u32,
        /// wrk threads.
        #[arg(long, default_value_t = 2)]
        threads: u32,
    },
    /// Figure 1: scorecard API latency on SQLite and PostgreSQL.
    Scorecard(fig1::ReadArgs),
    /// Figures 2 and 3 (and 6d): Tally's backfill from the sandbox.
    Sync(fig2::SyncArgs),
    /// Figure 5: record created in the sandbox → stored by Tally (webhook).
    Live(fig5::LiveArgs),
    /// Figure 4: Airbyte's HubSpot source against the sandbox.
    Peer(fig4::PeerArgs),
    /// A figure whose feature is not merged yet: prints a fragment that says so.
    NotMeasured {
        /// Figure number: 1, 2, 3 or 5.
        #[arg(long)]
        figure: String,
        /// Why, e.g. "sync engine not merged".
        #[arg(long)]
        reason: String,
    },
    /// Merges the fragments in a folder into latest.json and latest.md.
    Report {
        /// Folder of `*.json` fragments.
        #[arg(long)]
        fragments: PathBuf,
        #[arg(long)]
        json: PathBuf,
        #[arg(long)]
        md: PathBuf,
        /// `full` or `tiny`.
        #[arg(long, default_value = "full")]
        size: String,
        /// Wall time of the whole `make bench`, seconds.
        #[arg(long)]
        total_seconds: Option<f64>,
        /// READMEs whose bench markers get the table (repeatable).
        #[arg(long)]
        readme: Vec<PathBuf>,
        /// "step figure seconds" lines, one per figure step.
        #[arg(long)]
        step_times: Option<PathBuf>,
    },
}

fn not_measured(figure: &str, reason: &str) -> Fragment {
    match figure {
        "1" => Fragment::not_measured(
            "1",
            "Scorecard read",
            reason,
            &[
                (
                    "1a",
                    "GET /api/v1/scorecards/{id}?week= on SQLite, p50/p95/p99",
                    "p95 < 25 ms",
                ),
                (
                    "1b",
                    "GET /api/v1/scorecards/{id}?week= on PostgreSQL, p50/p95/p99",
                    "p95 < 25 ms",
                ),
            ],
        ),
        "2" => Fragment::not_measured(
            "2",
            "Sync, unthrottled sandbox",
            reason,
            &[
                (
                    "2a",
                    "backfill records/s (100,000 records)",
                    "≥ 5,000 records/s",
                ),
                (
                    "2b",
                    "API calls made ÷ minimum the page sizes allow",
                    "≤ 1.1×",
                ),
            ],
        ),
        "3" => Fragment::not_measured(
            "3",
            "Sync at HubSpot's real limits",
            reason,
            &[
                ("3a", "share of the request budget used", "≥ 90 %"),
                ("3b", "429 responses received", "0"),
            ],
        ),
        "5" => Fragment::not_measured(
            "5",
            "Live path",
            reason,
            &[(
                "5a",
                "record created → scorecard API shows it, p50/p95 over 50 events",
                "p95 < 2 s",
            )],
        ),
        "6rss" => Fragment::not_measured(
            "6",
            "Server RSS during the 1 M backfill",
            reason,
            &[("6d", "server RSS peak during the 1 M backfill", "")],
        ),
        other => Fragment::not_measured(
            other,
            &format!("figure {other}"),
            reason,
            &[(other, "every metric of this figure", "")],
        ),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Sizes { pkg } => fig6::sizes(&pkg)?.print(),
        Cmd::Ssr {
            tally,
            site,
            work_dir,
            path,
            duration,
            runs,
            connections,
            threads,
        } => fig6::ssr(&fig6::SsrOpts {
            tally,
            site_root: site,
            work_dir,
            path,
            duration_s: duration,
            runs,
            connections,
            threads,
        })
        .await?
        .print(),
        Cmd::Peer(args) => fig4::peer(&args).await?.print(),
        Cmd::Sync(args) => fig2::sync(&args).await?.print(),
        Cmd::Live(args) => fig5::live(&args).await?.print(),
        Cmd::Scorecard(args) => fig1::scorecard_read(&args).await?.print(),
        Cmd::NotMeasured { figure, reason } => not_measured(&figure, &reason).print(),
        Cmd::Report {
            fragments,
            json,
            md,
            size,
            total_seconds,
            readme,
            step_times,
        } => report::report(
            &fragments,
            &json,
            &md,
            &size,
            total_seconds,
            &readme,
            step_times.as_deref(),
        ),
    }
}
