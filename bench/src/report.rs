//! Merges the figures' JSON fragments into `latest.json` and `latest.md`.

use std::{fmt::Write as _, path::Path, process::Command};

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::fragment::Fragment;

fn cmd_out(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Date, machine and commit of this run.
pub fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let dirty = !cmd_out("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
    json!({
        "date": chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        "arch": cmd_out("uname", &["-m"]),
        "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu,
        "memory_gib": (mem_gib * 10.0).round() / 10.0,
        "kernel": cmd_out("uname", &["-r"]),
        "commit": cmd_out("git", &["rev-parse", "--short", "HEAD"]),
        "branch": cmd_out("git", &["rev-parse", "--abbrev-ref", "HEAD"]),
        "worktree_dirty": dirty,
        "load_average_at_report": std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    })
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Reads every `*.json` fragment in `dir` (sorted by name) and writes the report.
pub fn report(
    dir: &Path,
    out_json: &Path,
    out_md: &Path,
    size: &str,
    total_s: Option<f64>,
    readmes: &[std::path::PathBuf],
    step_times: Option<&Path>,
) -> anyhow::Result<()> {
    // "name figure seconds" lines written by scripts/bench.sh.
    let steps: Vec<(String, String, u64)> = step_times
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((
                it.next()?.to_owned(),
                it.next()?.to_owned(),
                it.next()?.parse().ok()?,
            ))
        })
        .collect();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    let mut fragments = Vec::new();
    for p in &names {
        let text = std::fs::read_to_string(p)?;
        match serde_json::from_str::<Fragment>(&text) {
            Ok(f) => fragments.push(f),
            Err(e) => eprintln!("skipping {}: {e}", p.display()),
        }
    }
    fragments.sort_by(|a, b| a.figure.cmp(&b.figure));
    let machine = machine();
    let all = json!({
        "machine": machine,
        "size": size,
        "total_seconds": total_s,
        "step_seconds": steps.iter().map(|(n, f, t)| json!({"step": n, "figure": f, "seconds": t})).collect::<Vec<_>>(),
        "figures": fragments,
    });
    std::fs::write(out_json, serde_json::to_string_pretty(&all)? + "\n")?;

    let mut md = String::new();
    writeln!(md, "# Tally benchmark results")?;
    writeln!(md)?;
    writeln!(
        md,
        "{} · `{}` · {} cores · {} · {} GiB RAM · commit `{}`{} · size `{}`{}",
        machine["date"].as_str().unwrap_or(""),
        machine["arch"].as_str().unwrap_or(""),
        machine["nproc"],
        machine["cpu"].as_str().unwrap_or(""),
        machine["memory_gib"],
        machine["commit"].as_str().unwrap_or(""),
        if machine["worktree_dirty"] == true {
            " (+ uncommitted changes)"
        } else {
            ""
        },
        size,
        total_s
            .map(|s| format!(" · `make bench` took {:.0} s", s))
            .unwrap_or_default()
    )?;
    writeln!(md)?;
    writeln!(md, "| figure | metric | inputs | result | budget | met? |")?;
    writeln!(md, "|---|---|---|---|---|---|")?;
    let mut missed = Vec::new();
    let mut unmeasured = Vec::new();
    for f in &fragments {
        for r in &f.rows {
            let met = match r.met {
                Some(true) => "yes",
                Some(false) => {
                    missed.push(format!(
                        "{} {}: {} (budget {})",
                        r.id, r.metric, r.result, r.budget
                    ));
                    "**no**"
                }
                None if r.result.starts_with("not measured") => {
                    unmeasured.push(format!("{} {}: {}", r.id, r.metric, r.result));
                    "—"
                }
                None => "—",
            };
            writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                md_cell(&r.id),
                md_cell(&r.metric),
                md_cell(&r.inputs),
                md_cell(&r.result),
                md_cell(if r.budget.is_empty() {
                    "—"
                } else {
                    &r.budget
                }),
                met
            )?;
        }
    }
    writeln!(md)?;
    if !missed.is_empty() {
        writeln!(md, "**Budgets missed:**")?;
        writeln!(md)?;
        for m in &missed {
            writeln!(md, "- {}", md_cell(m))?;
        }
        writeln!(md)?;
    }
    if !unmeasured.is_empty() {
        writeln!(md, "**Not measured in this run:**")?;
        writeln!(md)?;
        for m in &unmeasured {
            writeln!(md, "- {}", md_cell(m))?;
        }
        writeln!(md)?;
    }
    if !steps.is_empty() {
        let list: Vec<String> = steps
            .iter()
            .map(|(n, f, t)| format!("{n} (figure {f}) {t} s"))
            .collect();
        writeln!(md, "Time per step: {}.", list.join(" · "))?;
        writeln!(md)?;
    }
    writeln!(
        md,
        "Raw samples, request logs and tool output are in `latest.json` beside this file. Load average when the report was written: {}.",
        machine["load_average_at_report"].as_str().unwrap_or("")
    )?;
    std::fs::write(out_md, &md)?;
    for readme in readmes {
        splice_readme(readme, &md)?;
    }
    print!("{md}");
    Ok(())
}

const BEGIN: &str = "<!-- bench:begin (written by make bench) -->";
const END: &str = "<!-- bench:end -->";

/// Replaces the text between the bench markers of a README with the table
/// (its title dropped: the README has its own heading).
fn splice_readme(readme: &Path, md: &str) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(readme).with_context(|| format!("reading {}", readme.display()))?;
    let (Some(b), Some(e)) = (text.find(BEGIN), text.find(END)) else {
        eprintln!("{} has no bench markers; left alone", readme.display());
        return Ok(());
    };
    let body = md
        .split_once('\n')
        .map(|(_, rest)| rest.trim_start())
        .unwrap_or(md);
    let new = format!("{}{BEGIN}\n{body}{}", &text[..b], &text[e..]);
    std::fs::write(readme, new)?;
    Ok(())
}
