//! Figure 6: client bundle size, SSR requests/s, server RSS.

use std::{
    collections::BTreeMap,
    io::Write as _,
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use anyhow::{Context as _, bail};
use flate2::{Compression, write::GzEncoder};
use serde_json::{Value, json};

use crate::{
    fragment::{Fragment, Row, Spread},
    procs::{TallyCmd, file_len, proc_status_kb},
};

const GZIP_BUDGET_BYTES: u64 = 300 * 1024;
const SSR_BUDGET_RPS: f64 = 1000.0;
const RSS_IDLE_BUDGET_KB: u64 = 40 * 1024;

fn gzip_len(path: &Path) -> anyhow::Result<u64> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(&bytes)?;
    Ok(enc.finish()?.len() as u64)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// Raw and gzip -9 bytes of one file, or of files added up (each file is
/// fetched, and compressed, on its own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Size {
    raw: u64,
    gz: u64,
}

impl std::ops::Add for Size {
    type Output = Size;
    fn add(self, o: Size) -> Size {
        Size {
            raw: self.raw + o.raw,
            gz: self.gz + o.gz,
        }
    }
}

/// What a first visit to one page downloads besides the HTML and CSS.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PageSize {
    /// The lazy route, e.g. `scorecard_route`.
    page: String,
    /// Chunk files the page loads (its own and those it shares).
    chunks: usize,
    /// Those chunks alone.
    chunk_size: Size,
    /// Main module + JS glue + chunk loader + chunks.
    total: Size,
}

/// The file the split WASM loads its chunks through (fetched once a page needs one).
const SPLIT_LOADER: &str = "__wasm_split.______________________.js";
/// Which chunks each lazy route needs, written by `tally-wasm-split`.
const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";

/// `__scorecard_route_view_1304…` (the split point's name) -> `scorecard_route`.
fn page_name(split: &str) -> String {
    let name = split.trim_start_matches('_');
    let name = name.rsplit_once('_').map_or(name, |(head, tail)| {
        if tail.chars().all(|c| c.is_ascii_digit()) {
            head
        } else {
            name
        }
    });
    name.strip_suffix("_view").unwrap_or(name).to_owned()
}

/// Each lazy route's download, heaviest first. `base` is what every page
/// loads (main module + JS glue), `loader` the chunk loader, `files` the size
/// of every chunk by file stem.
fn page_sizes(
    manifest: &BTreeMap<String, Vec<String>>,
    base: Size,
    loader: Size,
    files: &BTreeMap<String, Size>,
) -> anyhow::Result<Vec<PageSize>> {
    let mut pages = manifest
        .iter()
        .map(|(split, chunks)| {
            let mut chunk_size = Size::default();
            for c in chunks {
                chunk_size = chunk_size
                    + *files.get(c).with_context(|| {
                        format!("{split} needs {c}.wasm, which is not in the pkg")
                    })?;
            }
            Ok(PageSize {
                page: page_name(split),
                chunks: chunks.len(),
                chunk_size,
                total: base + loader + chunk_size,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    pages.sort_by(|a, b| {
        b.total
            .gz
            .cmp(&a.total.gz)
            .then_with(|| a.page.cmp(&b.page))
    });
    Ok(pages)
}

fn file_size(path: &Path) -> anyhow::Result<Size> {
    Ok(Size {
        raw: file_len(path)?,
        gz: gzip_len(path)?,
    })
}

/// `tally-bench sizes`: raw and gzip -9 sizes of the release bundle.
///
/// The release WASM is split at its lazy routes (`scripts/build-site.sh`):
/// the main module and JS glue load on every page, and each page then loads
/// the chunk loader and its chunks. 6a is the heaviest page's first visit;
/// 6a' everything in the pkg folder, which a visitor of every page ends up
/// with. Without a split manifest (an unsplit build) 6a is main + JS.
pub fn sizes(pkg: &Path) -> anyhow::Result<Fragment> {
    let wasm = file_size(&pkg.join("tally_bg.wasm"))?;
    let js = file_size(&pkg.join("tally.js"))?;
    let css = file_size(&pkg.join("tally.css"))?;
    let base = wasm + js;

    let mut chunks = BTreeMap::new();
    let mut every_file = Size::default();
    for entry in std::fs::read_dir(pkg).with_context(|| format!("reading {}", pkg.display()))? {
        let path = entry?.path();
        // Only what the browser fetches: not the precompressed siblings the
        // server picks from, nor the build id.
        let name = path.file_name().and_then(|s| s.to_str()).unwrap_or("");
        if name == "build-id" || name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        every_file = every_file + file_size(&path)?;
        if let (Some(stem), Some("wasm")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) && stem != "tally_bg"
        {
            chunks.insert(stem.to_owned(), file_size(&path)?);
        }
    }
    let all_chunks = chunks.values().fold(Size::default(), |a, &b| a + b);

    let manifest_path = pkg.join(SPLIT_MANIFEST);
    let (pages, loader) = if manifest_path.exists() {
        let text = std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}", manifest_path.display()))?;
        let manifest: BTreeMap<String, Vec<String>> = serde_json::from_str(&text)
            .with_context(|| format!("parsing {}", manifest_path.display()))?;
        let loader = file_size(&pkg.join(SPLIT_LOADER))?;
        (page_sizes(&manifest, base, loader, &chunks)?, loader)
    } else {
        (Vec::new(), Size::default())
    };

    let inputs = format!(
        "{}; release (wasm-release profile, split at lazy routes, \
         wasm-opt -Oz per file); gzip level 9 per file",
        pkg.display()
    );
    let (result, heaviest) = match (pages.first(), pages.last()) {
        (Some(h), Some(l)) => (
            format!(
                "{} gzip ({} raw), heaviest page {} = main wasm {} + js {} + chunk loader {} + \
                 {} chunks {}; lightest page {} {} gzip",
                kb(h.total.gz),
                kb(h.total.raw),
                h.page,
                kb(wasm.gz),
                kb(js.gz),
                kb(loader.gz),
                h.chunks,
                kb(h.chunk_size.gz),
                l.page,
                kb(l.total.gz),
            ),
            h.total,
        ),
        _ => (
            format!(
                "{} gzip ({} raw): wasm {} gzip / {} raw, js {} gzip / {} raw (not split)",
                kb(base.gz),
                kb(base.raw),
                kb(wasm.gz),
                kb(wasm.raw),
                kb(js.gz),
                kb(js.raw),
            ),
            base,
        ),
    };
    let rows = vec![
        Row {
            id: "6a".into(),
            metric: "WASM + JS of the heaviest page's first visit, gzip".into(),
            inputs: inputs.clone(),
            result,
            values: json!({
                "gzip_bytes": heaviest.gz,
                "raw_bytes": heaviest.raw,
                "main_wasm_gzip_bytes": wasm.gz,
                "js_gzip_bytes": js.gz,
            }),
            budget: "< 300 KB gzip".into(),
            met: Some(heaviest.gz < GZIP_BUDGET_BYTES),
        },
        Row {
            id: "6a'".into(),
            metric: "whole pkg: every chunk, loader, CSS (information)".into(),
            inputs,
            result: format!(
                "{} gzip ({} raw): main wasm + js {} gzip, {} chunks {} gzip / {} raw, css {} gzip",
                kb(every_file.gz),
                kb(every_file.raw),
                kb(base.gz),
                chunks.len(),
                kb(all_chunks.gz),
                kb(all_chunks.raw),
                kb(css.gz),
            ),
            values: json!({ "gzip_bytes": every_file.gz, "raw_bytes": every_file.raw }),
            budget: String::new(),
            met: None,
        },
    ];
    let details = json!({
        "tally_bg.wasm": { "raw_bytes": wasm.raw, "gzip_bytes": wasm.gz },
        "tally.js": { "raw_bytes": js.raw, "gzip_bytes": js.gz },
        "tally.css": { "raw_bytes": css.raw, "gzip_bytes": css.gz },
        "chunk_loader": { "raw_bytes": loader.raw, "gzip_bytes": loader.gz },
        "chunks": { "count": chunks.len(), "raw_bytes": all_chunks.raw, "gzip_bytes": all_chunks.gz },
        "pages": pages.iter().map(|p| json!({
            "page": p.page,
            "chunks": p.chunks,
            "chunk_gzip_bytes": p.chunk_size.gz,
            "gzip_bytes": p.total.gz,
            "raw_bytes": p.total.raw,
        })).collect::<Vec<_>>(),
    });
    Ok(Fragment {
        figure: "6".into(),
        title: "Client bundle size".into(),
        status: "measured".into(),
        reason: None,
        rows,
        details,
    })
}

/// Settings of the SSR load test.
#[derive(Debug, Clone)]
pub struct SsrOpts {
    pub tally: PathBuf,
    pub site_root: PathBuf,
    pub work_dir: PathBuf,
    pub path: String,
    pub duration_s: u64,
    pub runs: usize,
    pub connections: u32,
    pub threads: u32,
}

/// One parsed wrk run.
#[derive(Debug, Clone, serde::Serialize)]
struct WrkRun {
    requests_per_s: f64,
    requests: u64,
    non_2xx_3xx: u64,
    socket_errors: String,
    latency_ms: serde_json::Map<String, Value>,
}

fn parse_duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, mul) = if let Some(v) = s.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = s.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = s.strip_suffix('m') {
        (v, 60_000.0)
    } else if let Some(v) = s.strip_suffix('s') {
        (v, 1000.0)
    } else {
        return None;
    };
    num.parse::<f64>().ok().map(|n| n * mul)
}

fn parse_wrk(out: &str) -> anyhow::Result<WrkRun> {
    let mut run = WrkRun {
        requests_per_s: f64::NAN,
        requests: 0,
        non_2xx_3xx: 0,
        socket_errors: String::new(),
        latency_ms: serde_json::Map::new(),
    };
    let mut in_dist = false;
    for line in out.lines() {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("Requests/sec:") {
            run.requests_per_s = v.trim().parse()?;
        } else if let Some(v) = t.strip_prefix("Non-2xx or 3xx responses:") {
            run.non_2xx_3xx = v.trim().parse()?;
        } else if let Some(v) = t.strip_prefix("Socket errors:") {
            run.socket_errors = v.trim().into();
        } else if t.contains(" requests in ") {
            run.requests = t.split_whitespace().next().unwrap_or("0").parse()?;
        } else if t.starts_with("Latency Distribution") {
            in_dist = true;
        } else if in_dist {
            let mut parts = t.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some(p), Some(v)) if p.ends_with('%') => {
                    if let Some(ms) = parse_duration_ms(v) {
                        run.latency_ms
                            .insert(format!("p{}", p.trim_end_matches('%')), json!(ms));
                    }
                }
                _ => in_dist = false,
            }
        }
    }
    if run.requests_per_s.is_nan() {
        bail!("could not read wrk's output:\n{out}");
    }
    Ok(run)
}

/// `tally-bench ssr`: requests/s of a signed-in SSR page under wrk, plus idle RSS.
pub async fn ssr(o: &SsrOpts) -> anyhow::Result<Fragment> {
    let _ = std::fs::remove_dir_all(&o.work_dir);
    std::fs::create_dir_all(&o.work_dir)?;
    let cmd = TallyCmd {
        bin: o.tally.clone(),
        site_root: o.site_root.clone(),
        data_dir: o.work_dir.clone(),
        database_url: format!("sqlite://{}/tally.db", o.work_dir.display()),
        env: vec![],
    };
    let (email, password) = ("bench@tally.example", "bench-password-0123456789");
    cmd.create_admin("Bench Org", email, password)?;
    let tally = cmd.serve().await?;
    let pid = tally.pid();
    let rss_start_kb = proc_status_kb(pid, "VmRSS")?;
    let cookie = tally.session_cookie(email, password).await?;
    let url = format!("{}{}", tally.base_url, o.path);

    // The page must really be the signed-in page: 200, not a redirect to /login.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    // Give the page a scorecard to render: the default template, when the
    // scorecard API is there (404 before it is merged).
    let template = client
        .post(format!("{}/api/v1/scorecards/template", tally.base_url))
        .header("Cookie", &cookie)
        .json(&json!({}))
        .send()
        .await?
        .status();
    let page_content = if template.is_success() {
        "the default template scorecard (no synced data)"
    } else {
        "no scorecard (scorecard API not merged)"
    };
    let anon = client.get(&url).send().await?.status();
    let mut page_bytes = 0;
    for _ in 0..20 {
        let r = client.get(&url).header("Cookie", &cookie).send().await?;
        let status = r.status();
        let body = r.text().await?;
        if status != reqwest::StatusCode::OK || body.contains("action=\"/login\"") {
            bail!(
                "GET {} as the admin answered {status}, not the signed-in page",
                o.path
            );
        }
        page_bytes = body.len();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle_kb = proc_status_kb(pid, "VmRSS")?;

    if which("wrk").is_none() {
        bail!("wrk is not installed (apt-get install wrk)");
    }
    let mut runs = Vec::new();
    for _ in 0..o.runs {
        let out = Command::new("wrk")
            .args([
                format!("-t{}", o.threads),
                format!("-c{}", o.connections),
                format!("-d{}s", o.duration_s),
                "--latency".into(),
                "-H".into(),
                format!("Cookie: {cookie}"),
                url.clone(),
            ])
            .output()
            .context("running wrk")?;
        if !out.status.success() {
            bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        runs.push(parse_wrk(&String::from_utf8_lossy(&out.stdout))?);
    }
    let rss_after_kb = proc_status_kb(pid, "VmRSS")?;
    let rss_peak_kb = proc_status_kb(pid, "VmHWM")?;
    drop(tally);

    let rps: Vec<f64> = runs.iter().map(|r| r.requests_per_s).collect();
    let spread = Spread::of(&rps);
    let errors: u64 = runs.iter().map(|r| r.non_2xx_3xx).sum();
    let p99: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.latency_ms.get("p99").and_then(Value::as_f64))
        .collect();
    let inputs = format!(
        "GET {} signed in as admin (SSR, {} bytes), {}, SQLite; wrk -t{} -c{} -d{}s on loopback, sharing the {} cores with tally",
        o.path,
        page_bytes,
        page_content,
        o.threads,
        o.connections,
        o.duration_s,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let mut result = spread.text(0, "req/s");
    if !p99.is_empty() {
        result.push_str(&format!(
            "; p99 latency median {:.1} ms",
            Spread::of(&p99).median
        ));
    }
    if errors > 0 {
        result.push_str(&format!("; {errors} non-2xx/3xx responses"));
    }
    let rows = vec![
        Row {
            id: "6b".into(),
            metric: "SSR page requests/s".into(),
            inputs,
            result,
            values: json!({ "requests_per_s": spread, "non_2xx_3xx": errors }),
            budget: "≥ 1,000 req/s".into(),
            met: Some(spread.median >= SSR_BUDGET_RPS && errors == 0),
        },
        Row {
            id: "6c".into(),
            metric: "server RSS idle".into(),
            inputs: "release tally, SQLite, after start-up, sign-in and 20 page loads, 1 s quiet"
                .into(),
            result: format!(
                "{:.1} MB (just after start-up {:.1} MB)",
                rss_idle_kb as f64 / 1024.0,
                rss_start_kb as f64 / 1024.0
            ),
            values: json!({ "rss_idle_kb": rss_idle_kb, "rss_start_kb": rss_start_kb }),
            budget: "< 40 MB".into(),
            met: Some(rss_idle_kb < RSS_IDLE_BUDGET_KB),
        },
        Row {
            id: "6c'".into(),
            metric: "server RSS peak under the SSR load (information)".into(),
            inputs: "VmHWM after the wrk runs above".into(),
            result: format!(
                "peak {:.1} MB, after the load {:.1} MB",
                rss_peak_kb as f64 / 1024.0,
                rss_after_kb as f64 / 1024.0
            ),
            values: json!({ "rss_peak_kb": rss_peak_kb, "rss_after_kb": rss_after_kb }),
            budget: String::new(),
            met: None,
        },
    ];
    Ok(Fragment {
        figure: "6".into(),
        title: "Server: SSR requests/s and RSS".into(),
        status: "measured".into(),
        reason: None,
        rows,
        details: json!({ "wrk_runs": runs, "anonymous_status": anon.as_u16() }),
    })
}

/// The path of a program on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_page_by_its_lazy_route() {
        assert_eq!(
            page_name("__scorecard_route_view_13041908539100427149"),
            "scorecard_route"
        );
        assert_eq!(
            page_name("__measurable_editor_route_view_42"),
            "measurable_editor_route"
        );
        assert_eq!(page_name("plain"), "plain");
    }

    #[test]
    fn a_page_downloads_main_loader_and_its_chunks_heaviest_first() {
        let s = |raw, gz| Size { raw, gz };
        let files: BTreeMap<String, Size> = [
            ("chunk_1", s(100, 40)),
            ("chunk_2", s(300, 90)),
            ("split_a", s(50, 20)),
            ("split_b", s(500, 200)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let manifest: BTreeMap<String, Vec<String>> = [
            ("__a_route_view_1", vec!["chunk_1", "split_a"]),
            ("__b_route_view_1", vec!["chunk_1", "chunk_2", "split_b"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
        .collect();
        let pages = page_sizes(&manifest, s(1000, 400), s(10, 3), &files).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].page, "b_route");
        assert_eq!(pages[0].chunks, 3);
        assert_eq!(pages[0].chunk_size, s(900, 330));
        assert_eq!(pages[0].total, s(1910, 733));
        assert_eq!(pages[1].page, "a_route");
        assert_eq!(pages[1].total, s(1160, 463));
    }

    #[test]
    fn a_chunk_missing_from_the_pkg_is_an_error_naming_it() {
        let manifest: BTreeMap<String, Vec<String>> =
            [("__a_route_view_1".to_owned(), vec!["chunk_9".to_owned()])].into();
        let err = page_sizes(
            &manifest,
            Size::default(),
            Size::default(),
            &BTreeMap::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("chunk_9.wasm"), "{err}");
    }

    #[test]
    fn parses_wrk_output() {
        let out = "Running 10s test @ http://127.0.0.1:3000/\n  2 threads and 32 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency     5.12ms    1.23ms  20.00ms   80.00%\n    Req/Sec     3.12k   200.00     3.50k    70.00%\n  Latency Distribution\n     50%  812.00us\n     75%    5.90ms\n     90%    7.00ms\n     99%    1.20s \n  62345 requests in 10.00s, 100.00MB read\n  Non-2xx or 3xx responses: 12\nRequests/sec:   6234.50\nTransfer/sec:     10.00MB\n";
        let r = parse_wrk(out).unwrap();
        assert_eq!(r.requests_per_s, 6234.5);
        assert_eq!(r.requests, 62345);
        assert_eq!(r.non_2xx_3xx, 12);
        assert_eq!(r.latency_ms["p50"], json!(0.812));
        assert_eq!(r.latency_ms["p99"], json!(1200.0));
    }
}
