//! karmada-scheduler-estimator for one member, built from the pinned Karmada module and started
//! as Karmada's chart starts it (`--kubeconfig` of the member, `--cluster-name`, a gRPC port; here
//! on loopback and without TLS, which the estimator allows when no certificate is given), and
//! asked MaxAvailableReplicas by the checker in `dev/testenv/go/estimator-check`, the way
//! karmada-scheduler asks it.

use crate::apiserver::ApiServer;
use crate::process::{Supervised, free_port};
use crate::upstream;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running estimator; stopped on drop.
pub struct Estimator {
    process: Supervised,
    address: String,
    cluster: String,
    checker: PathBuf,
}

impl Estimator {
    /// Starts the estimator of `member` (logging into the member's directory) and waits until
    /// it answers.
    pub async fn start(member: &ApiServer, binary: &Path) -> Result<Estimator> {
        let checker = tokio::task::spawn_blocking(upstream::ensure_estimator_check).await??;
        let port = free_port()?;
        let args = vec![
            format!("--kubeconfig={}", member.kubeconfig().display()),
            format!("--cluster-name={}", member.name()),
            format!("--server-port={port}"),
            format!("--metrics-bind-address=127.0.0.1:{}", free_port()?),
            format!("--health-probe-bind-address=127.0.0.1:{}", free_port()?),
        ];
        let log = member.dir().join("karmada-scheduler-estimator.log");
        let process = Supervised::spawn(
            &format!("karmada-scheduler-estimator {}", member.name()),
            binary,
            &args,
            log,
        )?;
        let mut estimator = Estimator {
            process,
            address: format!("127.0.0.1:{port}"),
            cluster: member.name().to_owned(),
            checker,
        };
        estimator.wait_ready().await?;
        Ok(estimator)
    }

    async fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.process.exited() {
                bail!(
                    "karmada-scheduler-estimator {} exited ({status}):\n{}",
                    self.cluster,
                    self.process.log_tail(30)
                );
            }
            let last = match self.max_replicas(&json!({})).await {
                Ok(_) => return Ok(()),
                Err(err) => err,
            };
            if Instant::now() > deadline {
                bail!(
                    "karmada-scheduler-estimator {} did not answer within {READY_TIMEOUT:?} ({last:#}):\n{}",
                    self.cluster,
                    self.process.log_tail(30)
                );
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// The estimator's MaxAvailableReplicas for `requirements` (a binding's
    /// `spec.replicaRequirements`).
    pub async fn max_replicas(&self, requirements: &Value) -> Result<i64> {
        let request = json!({
            "address": self.address, "cluster": self.cluster, "requirements": requirements,
        });
        let mut child = tokio::process::Command::new(&self.checker)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.checker.display()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(&serde_json::to_vec(&request)?).await?;
        }
        let output = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
            .await
            .context("the estimator checker did not finish")??;
        if !output.status.success() {
            bail!(
                "estimator-check: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let answer: Value = serde_json::from_slice(&output.stdout)?;
        answer["maxReplicas"]
            .as_i64()
            .with_context(|| format!("no maxReplicas in {answer}"))
    }

    /// The estimator's log, for a failing test.
    pub fn log(&self) -> &Path {
        self.process.log()
    }
}
