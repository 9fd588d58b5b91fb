//! Helpers shared by the e2e scenarios.
#![allow(dead_code)] // each test binary uses a different subset

pub mod chart_identity;
pub mod demo_fleet;
pub mod karmada;

use anyhow::{Context, Result, bail};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use testenv::{EnvOptions, Environment};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr};

/// Hub with Karmada's and karmada-manager's CRDs, and the given members joined.
pub async fn environment(members: &[&str]) -> Result<Environment> {
    let options = EnvOptions {
        crds: karmada_manager_api::crds(),
        ..EnvOptions::members(members)
    };
    Environment::start(options).await
}

/// The operator binary, built if needed (cargo only relinks when something changed), once per
/// test process: a scenario that restarts the operator measures the restart, not a rebuild
/// (sources may change under a long run).
pub fn operator_binary() -> Result<PathBuf> {
    static BUILT: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);
    built_once(&BUILT, "karmada-manager", "karmada-manager")
}

/// The kubectl plugin's binary, built like [`operator_binary`].
pub fn plugin_binary() -> Result<PathBuf> {
    static BUILT: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);
    built_once(&BUILT, "kubectl-karmada-insight", "kubectl-karmada_insight")
}

fn built_once(
    slot: &std::sync::Mutex<Option<PathBuf>>,
    package: &str,
    bin: &str,
) -> Result<PathBuf> {
    let mut built = slot.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.as_ref() {
        return Ok(path.clone());
    }
    let path = build(package, bin)?;
    *built = Some(path.clone());
    Ok(path)
}

fn build(package: &str, bin: &str) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let status = std::process::Command::new(cargo)
        .args(["build", "--quiet", "--package", package, "--bin", bin])
        .current_dir(&root)
        .status()?;
    anyhow::ensure!(status.success(), "building {bin} failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("debug").join(bin))
}

/// The operator running as a separate process, with its log lines readable.
///
/// Its stderr is drained by a background task from the start, so that a chatty operator
/// (`KARMADA_MANAGER_LOG=debug`) never blocks on a full pipe while the test is not reading;
/// lines reach [`Operator::log`] as they are waited for, or with [`Operator::collect`].
pub struct Operator {
    pub child: Child,
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    pub log: Vec<String>,
}

impl Operator {
    pub async fn start(args: &[&str]) -> Result<Self> {
        Self::start_with_env(args, &[]).await
    }

    /// Starts the operator with `args` and the environment variables `env` (on top of the
    /// test's own environment and JSON logs).
    pub async fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Result<Self> {
        let mut child = tokio::process::Command::new(operator_binary()?)
            .args(args)
            .env("KARMADA_MANAGER_LOG_FORMAT", "json")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stderr = child.stderr.take().context("no stderr")?;
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(drain(BufReader::new(stderr).lines(), tx));
        Ok(Self {
            child,
            lines,
            log: Vec::new(),
        })
    }

    /// Moves every line logged so far into [`Operator::log`], without waiting.
    pub fn collect(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.log.push(line);
        }
        &self.log
    }

    /// Reads log lines until one contains `needle`.
    pub async fn wait_for_log(&mut self, needle: &str, timeout: Duration) -> Result<String> {
        let found = tokio::time::timeout(timeout, async {
            while let Some(line) = self.lines.recv().await {
                self.log.push(line.clone());
                if line.contains(needle) {
                    return Ok(line);
                }
            }
            bail!("the operator exited before logging {needle:?}")
        })
        .await;
        match found {
            Ok(result) => result.with_context(|| format!("log so far:\n{}", self.log.join("\n"))),
            Err(_) => bail!(
                "no log line with {needle:?} within {timeout:?}; log so far:\n{}",
                self.log.join("\n")
            ),
        }
    }

    /// Sends SIGTERM and returns the exit status, failing if it takes longer than `timeout`.
    pub async fn terminate(&mut self, timeout: Duration) -> Result<std::process::ExitStatus> {
        let pid = self.child.id().context("already exited")?;
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()?;
        self.wait(timeout).await
    }

    /// Waits for the process to exit by itself, collecting the rest of its log.
    pub async fn wait(&mut self, timeout: Duration) -> Result<std::process::ExitStatus> {
        tokio::time::timeout(timeout, async {
            while let Some(line) = self.lines.recv().await {
                self.log.push(line);
            }
            Ok::<_, anyhow::Error>(self.child.wait().await?)
        })
        .await
        .with_context(|| format!("the operator did not exit within {timeout:?}"))?
    }
}

/// Forwards the operator's stderr lines until it closes.
async fn drain(
    mut lines: Lines<BufReader<ChildStderr>>,
    tx: tokio::sync::mpsc::UnboundedSender<String>,
) {
    while let Ok(Some(line)) = lines.next_line().await {
        if tx.send(line).is_err() {
            break;
        }
    }
}

/// Polls `get` every 200 ms until `check` accepts its value; on timeout the error shows the last
/// value seen. Timeouts are generous: they bound a hang, they do not assert speed.
pub async fn eventually<T, F, Fut>(
    what: &str,
    timeout: Duration,
    mut get: F,
    check: impl Fn(&T) -> bool,
) -> Result<T>
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let last = match get().await {
            Ok(value) if check(&value) => return Ok(value),
            Ok(value) => format!("{value:#?}"),
            Err(err) => format!("error: {err:#}"),
        };
        if tokio::time::Instant::now() > deadline {
            bail!("{what}: not reached within {timeout:?}; last seen:\n{last}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until `api` no longer has `name` (deleted by the operator, e.g. as an orphan).
pub async fn eventually_gone<K>(what: &str, api: &Api<K>, name: &str) -> Result<()>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let timeout = Duration::from_secs(30);
    eventually(
        what,
        timeout,
        || async { Ok(api.get_opt(name).await?.is_none()) },
        |gone| *gone,
    )
    .await
    .map(|_| ())
}

/// The operator with its default settings (write interval, grace) under the hub identity in
/// `kubeconfig`, plus `extra` arguments; returns once its hub caches have synced.
// Each test binary uses a different subset.
#[allow(dead_code)]
pub async fn start_operator_as(kubeconfig: &std::path::Path, extra: &[&str]) -> Result<Operator> {
    let kubeconfig = kubeconfig.display().to_string();
    let mut args = vec![
        "run",
        "--kubeconfig",
        &kubeconfig,
        "--admin-address",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(extra);
    let mut operator = Operator::start(&args).await?;
    operator
        .wait_for_log("hub caches synced", Duration::from_secs(60))
        .await?;
    Ok(operator)
}

/// The operator against the environment's hub, with short intervals so scenarios run quickly,
/// and with the hub identity the Helm chart grants (see [`chart_identity`]), never an admin.
pub async fn start_operator(env: &Environment, extra: &[&str]) -> Result<Operator> {
    start_operator_with_env(env, extra, &[]).await
}

/// [`start_operator`] with environment variables for the operator, e.g.
/// `("KARMADA_MANAGER_LOG", "debug")`.
pub async fn start_operator_with_env(
    env: &Environment,
    extra: &[&str],
    vars: &[(&str, &str)],
) -> Result<Operator> {
    let mode = connection_mode(extra);
    let kubeconfig = chart_identity::kubeconfig(env, &mode).await?;
    let kubeconfig = kubeconfig.display().to_string();
    let mut args = vec![
        "run",
        "--kubeconfig",
        &kubeconfig,
        "--write-interval",
        "200ms",
        "--unreachable-grace",
        "4s",
        // Several operators run side by side; each gets a free port (see `admin_address`).
        "--admin-address",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(extra);
    let mut operator = Operator::start_with_env(&args, vars).await?;
    operator
        .wait_for_log("hub caches synced", Duration::from_secs(60))
        .await?;
    Ok(operator)
}

/// The `--connection-mode` among `args` (the chart grants `clusters/proxy` only for the proxy
/// modes), `direct` by default.
fn connection_mode(args: &[&str]) -> String {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if let Some(mode) = arg.strip_prefix("--connection-mode=") {
            return mode.to_owned();
        }
        if *arg == "--connection-mode" {
            return args.next().copied().unwrap_or("direct").to_owned();
        }
    }
    "direct".to_owned()
}

// Each test binary uses a different subset.
#[allow(unused_imports)]
pub use testenv::karmada_objects::resource;

/// Server-side applies `object` and, if it has one, its `status` (as the owning controller
/// would, through the status subresource).
pub async fn apply(
    client: &kube::Client,
    ar: &ApiResource,
    namespace: Option<&str>,
    object: Value,
) -> Result<()> {
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    };
    let name = object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let params = PatchParams::apply("e2e").force();
    api.patch(&name, &params, &Patch::Apply(&object))
        .await
        .with_context(|| format!("applying {} {name}", ar.kind))?;
    if let Some(status) = object.get("status") {
        let status =
            json!({"apiVersion": object["apiVersion"], "kind": object["kind"], "status": status});
        api.patch_status(&name, &params, &Patch::Apply(&status))
            .await
            .with_context(|| format!("applying the status of {} {name}", ar.kind))?;
    }
    Ok(())
}

impl Operator {
    /// Where the admin server listens, from its start-up log line.
    pub fn admin_address(&self) -> Result<String> {
        let line = self
            .log
            .iter()
            .find(|l| l.contains("admin server listening"))
            .context("no admin server log line yet")?;
        let entry: Value = serde_json::from_str(line)?;
        entry["address"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("no address in {line}"))
    }
}

/// GETs `path` from the operator's admin server.
pub async fn http_get(address: &str, path: &str) -> Result<(u16, String)> {
    testenv::http::get(address, path).await
}

/// `kubectl get <kind> <name> -n <namespace> -o yaml` against the hub, as a reader sees it.
pub async fn kubectl_get_yaml(
    env: &Environment,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Result<String> {
    let output = tokio::process::Command::new(&env.binaries().kubectl)
        .args([
            "get",
            kind,
            name,
            "-o",
            "yaml",
            "-n",
            namespace,
            "--kubeconfig",
        ])
        .arg(env.hub().kubeconfig())
        .output()
        .await?;
    anyhow::ensure!(
        output.status.success(),
        "kubectl get {kind} {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}
