//! The operator under test: the release binary, run as its own process against the hub with
//! default settings (only the admin address is chosen, to find `/metrics`), unless a benchmark
//! asks for more ([`Launch`]).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;
use tokio::sync::mpsc;
use tokio::time::Instant;

pub struct Operator {
    child: Child,
    /// Log lines with the moment they were read.
    lines: mpsc::UnboundedReceiver<(Instant, String)>,
    pub started: Instant,
    admin: String,
}

/// What a benchmark adds to the default settings: `run` arguments and environment variables.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// The operator's command: the binary itself, or run under the profiler named by
/// `BENCH_OPERATOR_WRAPPER` (e.g. `heaptrack`, which writes its profile to the working
/// directory). The sampled RSS and CPU are then the wrapper's process, not the operator's.
fn command(binary: &Path) -> tokio::process::Command {
    match std::env::var_os("BENCH_OPERATOR_WRAPPER") {
        Some(wrapper) => {
            let mut command = tokio::process::Command::new(wrapper);
            command.arg(binary);
            command
        }
        None => tokio::process::Command::new(binary),
    }
}

/// Builds `target/release/karmada-manager` (cargo only relinks when something changed).
pub fn build(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("bench: building the operator (release)");
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "--package", "karmada-manager"])
        .current_dir(root)
        .status()?;
    anyhow::ensure!(status.success(), "building karmada-manager failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/karmada-manager"))
}

impl Operator {
    /// Starts the operator; its log is also copied to `log`.
    pub fn start(binary: &Path, kubeconfig: &Path, log: &Path) -> Result<Operator> {
        Operator::start_with(binary, kubeconfig, log, &Launch::default())
    }

    /// Starts the operator with `launch`'s arguments and environment added.
    pub fn start_with(
        binary: &Path,
        kubeconfig: &Path,
        log: &Path,
        launch: &Launch,
    ) -> Result<Operator> {
        let port = testenv::free_port()?;
        let admin = format!("127.0.0.1:{port}");
        let started = Instant::now();
        let mut child = command(binary)
            .arg("run")
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["--admin-address", &admin])
            .args(&launch.args)
            .env("KARMADA_MANAGER_LOG_FORMAT", "json")
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting the operator")?;
        let stderr = child.stderr.take().context("no stderr")?;
        let (tx, lines) = mpsc::unbounded_channel();
        // The log sits beside the result, whose directory a first run has not made yet.
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut copy =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        tokio::spawn(async move {
            use std::io::Write;
            let mut reader = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let _ = writeln!(copy, "{line}");
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Ok(Operator {
            child,
            lines,
            started,
            admin,
        })
    }

    /// The first log line (read from now on) containing every one of `needles`, and when it
    /// was read.
    pub async fn wait_for_log(
        &mut self,
        needles: &[&str],
        timeout: Duration,
    ) -> Result<(Instant, serde_json::Value)> {
        let found = tokio::time::timeout(timeout, async {
            while let Some((at, line)) = self.lines.recv().await {
                if needles.iter().all(|n| line.contains(n)) {
                    return Ok((at, serde_json::from_str(&line)?));
                }
            }
            bail!("the operator exited before logging {needles:?}")
        })
        .await;
        match found {
            Ok(result) => result,
            Err(_) => bail!("no log line with {needles:?} within {timeout:?}"),
        }
    }

    /// The log lines read since the last call (or [`Operator::wait_for_log`]), with when
    /// each was read, without waiting.
    pub fn drain_log(&mut self) -> Vec<(Instant, String)> {
        std::iter::from_fn(|| self.lines.try_recv().ok()).collect()
    }

    /// `/metrics`, parsed into `name{labels} → value`.
    pub async fn metrics(&self) -> Result<Vec<(String, f64)>> {
        let (code, text) = testenv::http::get(&self.admin, "/metrics").await?;
        anyhow::ensure!(code == 200, "/metrics answered {code}");
        Ok(text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (series, value) = l.rsplit_once(' ')?;
                Some((series.to_owned(), value.parse().ok()?))
            })
            .collect())
    }

    /// How the process ended, once it has.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The process id, to read its memory and CPU time from `/proc`.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub async fn stop(mut self) -> Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }
}

/// Sum of the series named `name` whose labels contain every one of `labels`.
pub fn sum(metrics: &[(String, f64)], name: &str, labels: &[&str]) -> f64 {
    metrics
        .iter()
        .filter(|(series, _)| {
            series.split('{').next() == Some(name) && labels.iter().all(|l| series.contains(l))
        })
        .map(|(_, v)| v)
        .sum()
}
