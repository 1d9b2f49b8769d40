//! Child processes: a release `tally` on a free loopback port, RSS readings.

use std::{
    io::Write as _,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Kibibytes from a `/proc/<pid>/status` line such as `VmRSS:  12345 kB`.
pub fn proc_status_kb(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix(field).and_then(|r| r.strip_prefix(':')) {
            let kb = rest.trim().trim_end_matches("kB").trim();
            return Ok(kb.parse()?);
        }
    }
    bail!("{field} not in /proc/{pid}/status")
}

/// A running `tally serve` with its own data folder; killed on drop.
#[derive(Debug)]
pub struct Tally {
    pub child: Child,
    pub base_url: String,
}

/// How to start `tally`.
#[derive(Debug, Clone)]
pub struct TallyCmd {
    pub bin: PathBuf,
    pub site_root: PathBuf,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Extra environment (provider URLs and so on).
    pub env: Vec<(String, String)>,
}

impl TallyCmd {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("DATABASE_URL", &self.database_url)
            .env("TALLY_DATA_DIR", &self.data_dir)
            .env("TALLY_LOG", "warn")
            .env("TALLY_DEMO", "false");
        // A built folder wins over the site inside the binary, as in development.
        if self.site_root.join("pkg/build-id").is_file() {
            cmd.env("LEPTOS_SITE_ROOT", &self.site_root);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// `tally admin create`, the password on stdin.
    pub fn create_admin(&self, org: &str, email: &str, password: &str) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)?;
        let mut child = self
            .command()
            .args(["admin", "create", "--org", org, "--email", email])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        child
            .stdin
            .take()
            .context("stdin")?
            .write_all(format!("{password}\n").as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "tally admin create failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// Starts `tally serve` on a free port and waits for `/readyz`.
    pub async fn serve(&self) -> anyhow::Result<Tally> {
        std::fs::create_dir_all(&self.data_dir)?;
        let port = free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let log = std::fs::File::create(self.data_dir.join("tally.log"))?;
        let child = self
            .command()
            .arg("serve")
            .env("TALLY_ADDR", &addr)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        let mut tally = Tally {
            child,
            base_url: format!("http://{addr}"),
        };
        let client = reqwest::Client::new();
        let start = Instant::now();
        loop {
            if let Ok(r) = client
                .get(format!("{}/readyz", tally.base_url))
                .send()
                .await
                && r.status().is_success()
            {
                break;
            }
            if let Some(status) = tally.child.try_wait()? {
                bail!(
                    "tally exited with {status}; see {}",
                    self.data_dir.join("tally.log").display()
                );
            }
            if start.elapsed() > Duration::from_secs(60) {
                bail!("tally not ready after 60 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(tally)
    }
}

impl Tally {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Signs in through `POST /api/v1/session`; returns the `tally_session` cookie value.
    pub async fn session_cookie(&self, email: &str, password: &str) -> anyhow::Result<String> {
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/session", self.base_url))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("sign-in failed: {}", r.status());
        }
        for v in r.headers().get_all(reqwest::header::SET_COOKIE) {
            let v = v.to_str()?;
            let pair = v.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=')
                && name.trim().ends_with("tally_session")
            {
                return Ok(format!("{}={}", name.trim(), value.trim()));
            }
        }
        bail!("no tally_session cookie in the sign-in response")
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Size of a file in bytes.
pub fn file_len(path: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("{} is missing", path.display()))?
        .len())
}
