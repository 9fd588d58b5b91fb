//! The dashboard under test: the release plugin binary's `dashboard --port 0`, run as its own
//! process against the hub, as a user runs it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;
use tokio::time::Instant;

use crate::memory::{self, Memory};

/// How often the dashboard is asked whether it lists everything: every answer computes a whole
/// view, so asking much more often would slow down what is being timed.
const POLL: Duration = Duration::from_millis(50);

/// Builds `target/release/kubectl-karmada_insight` (cargo only relinks when something changed),
/// so that `cargo run -p bench` and this build leave each other's artifacts fresh:
/// - together with `bench`, as `cargo xtask bench` builds it: alone, the plugin's dependencies
///   get other features than `cargo run -p bench` gives them;
/// - without the variables `cargo run` set for this crate (`CARGO_MANIFEST_DIR`, ...): ring's
///   build script is rerun when `CARGO_MANIFEST_DIR` changes.
///
/// Otherwise each command rebuilds ring, kube and everything above them for the other (minutes).
pub fn build(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("bench: building the kubectl plugin (release)");
    let mut command = std::process::Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let of_this_crate = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || matches!(
                &*name,
                "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
            );
        if of_this_crate {
            command.env_remove(&*name);
        }
    }
    let status = command
        .args(["build", "--release", "--package", "bench"])
        .args(["--package", "kubectl-karmada-insight"])
        .current_dir(root)
        .status()?;
    ensure!(status.success(), "building kubectl-karmada-insight failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/kubectl-karmada_insight"))
}

pub struct Dashboard {
    child: Child,
    pid: u32,
    /// `127.0.0.1:<port>`.
    pub address: String,
    /// `http://127.0.0.1:<port>/`.
    pub url: String,
}

impl Dashboard {
    /// Starts `dashboard --port 0` and reads the address it prints; its stderr goes to `log`.
    pub async fn start(binary: &Path, kubeconfig: &Path, log: &Path) -> Result<Dashboard> {
        let log =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = tokio::process::Command::new(binary)
            .args(["dashboard", "--port", "0", "--kubeconfig"])
            .arg(kubeconfig)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("starting the dashboard")?;
        let pid = child.id().context("the dashboard has no pid")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let line = tokio::time::timeout(Duration::from_secs(30), async {
            BufReader::new(stdout).lines().next_line().await
        })
        .await
        .context("the dashboard printed no address within 30 s")??
        .context("the dashboard exited before printing its address")?;
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .with_context(|| format!("no address in {line:?}"))?
            .to_owned();
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        Ok(Dashboard {
            child,
            pid,
            address,
            url,
        })
    }

    /// The body of `path`, which must answer 200.
    pub async fn get(&self, path: &str) -> Result<String> {
        let (code, body) = testenv::http::get(&self.address, path).await?;
        ensure!(code == 200, "GET {path}: {code} {body:.200}");
        Ok(body)
    }

    /// Waits until `/api/<page>`'s view satisfies `done`; when it first did.
    pub async fn wait_for(
        &self,
        page: &str,
        done: impl Fn(&serde_json::Value) -> bool,
        timeout: Duration,
    ) -> Result<Instant> {
        let deadline = Instant::now() + timeout;
        loop {
            let body = self.get(&format!("/api/{page}")).await?;
            let answer: serde_json::Value = serde_json::from_str(&body)?;
            if done(&answer["view"]) {
                return Ok(Instant::now());
            }
            if Instant::now() > deadline {
                bail!("/api/{page} was not complete within {timeout:?}: {body:.300}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Its resident memory now, and at its peak so far.
    pub fn memory(&self) -> Result<Memory> {
        memory::of(self.pid)
    }

    pub async fn stop(mut self) -> Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }
}
