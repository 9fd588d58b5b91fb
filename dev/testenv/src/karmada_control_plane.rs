//! Karmada's own control plane on the hub: karmada-aggregated-apiserver (see
//! [`crate::aggregated_apiserver`]), karmada-webhook, karmada-controller-manager and
//! karmada-scheduler, built from Karmada's Go module at [`versions::KARMADA`] and started with
//! the flags of Karmada's Helm chart (`charts/karmada/templates/*.yaml`, default values).
//!
//! Deviations from the chart, because everything runs as processes on loopback:
//! - Every component listens on 127.0.0.1 on free ports instead of `$(POD_IP)` and fixed ports.
//! - The webhook configurations are Karmada's own (`artifacts/deploy/webhook-configuration.yaml`)
//!   with `clientConfig.url` pointing at the loopback webhook instead of its Service.
//! - The components use the hub's admin kubeconfig; the chart gives them Karmada's admin
//!   certificate, which is the same in effect.

use crate::aggregated_apiserver;
use crate::apiserver::ApiServer;
use crate::certs::ServingCerts;
use crate::process::{Supervised, free_port};
use crate::upstream::{self, KarmadaBinaries};
use crate::versions;
use anyhow::{Context, Result, bail};
use base64::Engine;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use kube::api::{Api, Patch, PatchParams};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The namespace the chart installs Karmada into; leader-election Leases live there.
pub const SYSTEM_NAMESPACE: &str = "karmada-system";

/// The Service address Karmada's webhook configurations point at.
const WEBHOOK_SERVICE_URL: &str = "https://karmada-webhook.karmada-system.svc:443/";

const READY_TIMEOUT: Duration = Duration::from_secs(90);
const FIELD_MANAGER: &str = "testenv";

/// One running Karmada component and how to tell that it serves.
struct Component {
    name: &'static str,
    probe: Probe,
    process: Supervised,
}

enum Probe {
    /// `GET /healthz` on the health-probe address answers 200.
    Healthz(String),
    /// The address accepts connections: the webhook's TLS server listens (its own `/readyz/`
    /// is behind TLS; its health-probe server is up before the webhook server is).
    Listens(String),
}

impl Probe {
    async fn passes(&self) -> bool {
        match self {
            Self::Healthz(address) => {
                matches!(crate::http::get(address, "/healthz").await, Ok((200, _)))
            }
            Self::Listens(address) => tokio::net::TcpStream::connect(address).await.is_ok(),
        }
    }
}

/// The running control plane; stopped on drop.
pub struct KarmadaControlPlane {
    aggregated_apiserver: Supervised,
    components: Vec<Component>,
}

impl KarmadaControlPlane {
    /// Starts the aggregated API server (the hub then serves Clusters), the webhook (and
    /// registers it), then the controller manager and the scheduler, and waits until each one's
    /// health probe answers.
    pub async fn start(
        hub: &ApiServer,
        etcd_url: &str,
        binaries: &KarmadaBinaries,
        dir: &Path,
    ) -> Result<Self> {
        let dir = dir.join("karmada");
        std::fs::create_dir_all(&dir)?;
        let hub_client = hub.client().await?;
        crate::join::apply_namespace(&hub_client, SYSTEM_NAMESPACE).await?;
        let aggregated_apiserver =
            aggregated_apiserver::start(hub, &binaries.aggregated_apiserver, etcd_url, &dir)
                .await?;
        let kubeconfig = format!("--kubeconfig={}", hub.kubeconfig().display());
        let leader_namespace = format!("--leader-elect-resource-namespace={SYSTEM_NAMESPACE}");

        let webhook_port = free_port()?;
        let webhook_ca = webhook_certs(&dir)?;
        let mut plane = Self {
            aggregated_apiserver,
            components: Vec::new(),
        };
        plane.spawn(
            "karmada-webhook",
            &binaries.webhook,
            &dir,
            Some(Probe::Listens(format!("127.0.0.1:{webhook_port}"))),
            vec![
                kubeconfig.clone(),
                "--bind-address=127.0.0.1".into(),
                format!("--secure-port={webhook_port}"),
                format!("--cert-dir={}", dir.join("webhook-certs").display()),
            ],
        )?;
        plane.wait_ready().await?;
        register_webhooks(&hub_client, webhook_port, &webhook_ca).await?;

        plane.spawn(
            "karmada-controller-manager",
            &binaries.controller_manager,
            &dir,
            None,
            vec![
                kubeconfig.clone(),
                "--cluster-status-update-frequency=10s".into(),
                leader_namespace.clone(),
                // One instance; and a paused one (`pause`) must not lose a lease and exit.
                "--leader-elect=false".into(),
                "--v=2".into(),
            ],
        )?;
        plane.spawn(
            "karmada-scheduler",
            &binaries.scheduler,
            &dir,
            None,
            vec![kubeconfig, leader_namespace],
        )?;
        plane.wait_ready().await?;
        Ok(plane)
    }

    /// Stops component `name` (`karmada-controller-manager`, `karmada-scheduler`, ...) with
    /// SIGSTOP until the returned guard is dropped: Karmada's view of the members freezes while
    /// they go on.
    pub fn pause(&self, name: &str) -> Result<Paused> {
        let component = self
            .components
            .iter()
            .find(|c| c.name == name)
            .with_context(|| format!("no Karmada component {name}"))?;
        let pid = component
            .process
            .pid()
            .with_context(|| format!("{name} is not running"))?;
        signal(pid, "STOP")?;
        Ok(Paused { pid })
    }

    /// Log files of the components, for a failing test.
    pub fn logs(&self) -> Vec<PathBuf> {
        std::iter::once(&self.aggregated_apiserver)
            .chain(self.components.iter().map(|c| &c.process))
            .map(|process| process.log().to_path_buf())
            .collect()
    }

    /// Starts `name` with `args` plus its metrics and health-probe addresses on free loopback
    /// ports; `probe` overrides the `/healthz` readiness check.
    fn spawn(
        &mut self,
        name: &'static str,
        binary: &Path,
        dir: &Path,
        probe: Option<Probe>,
        mut args: Vec<String>,
    ) -> Result<()> {
        let health = format!("127.0.0.1:{}", free_port()?);
        args.push(format!("--metrics-bind-address=127.0.0.1:{}", free_port()?));
        args.push(format!("--health-probe-bind-address={health}"));
        let process = Supervised::spawn(name, binary, &args, dir.join(format!("{name}.log")))?;
        self.components.push(Component {
            name,
            probe: probe.unwrap_or(Probe::Healthz(health)),
            process,
        });
        Ok(())
    }

    /// Waits until every component passes its probe.
    async fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        for component in &mut self.components {
            loop {
                if let Some(status) = component.process.exited() {
                    bail!(
                        "{} exited during start-up ({status}):\n{}",
                        component.name,
                        component.process.log_tail(30)
                    );
                }
                if component.probe.passes().await {
                    break;
                }
                if Instant::now() > deadline {
                    bail!(
                        "{} not healthy within {READY_TIMEOUT:?}:\n{}",
                        component.name,
                        component.process.log_tail(30)
                    );
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        Ok(())
    }
}

/// Waits until Karmada's cluster status controller reports every one of `clusters` Ready (and
/// so its cluster controller has lifted the not-ready taint): until then Karmada's scheduler
/// leaves the cluster out, and does not come back to a workload it placed without it.
pub async fn wait_clusters_ready(hub: &kube::Client, clusters: &[&str]) -> Result<()> {
    let api = crate::join::cluster_api(hub);
    let deadline = Instant::now() + READY_TIMEOUT;
    for name in clusters {
        loop {
            let cluster = serde_json::to_value(api.get(name).await?)?;
            let ready = cluster["status"]["conditions"]
                .as_array()
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                });
            let tainted = cluster["spec"]["taints"]
                .as_array()
                .is_some_and(|ts| !ts.is_empty());
            if ready && !tainted {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "Karmada did not report Cluster {name} Ready and untainted within {READY_TIMEOUT:?}: {}",
                    cluster["status"]
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(())
}

/// A CA and a 127.0.0.1 serving certificate for the webhook, as `tls.crt`/`tls.key` in
/// `webhook-certs/` (controller-runtime's file names); returns the CA's PEM.
fn webhook_certs(dir: &Path) -> Result<String> {
    Ok(ServingCerts::generate("karmada-webhook", &dir.join("webhook-certs"), &[])?.ca_pem)
}

/// Karmada's mutating and validating webhook configurations of the pinned release, pointed at
/// the loopback webhook.
async fn register_webhooks(hub: &kube::Client, port: u16, ca_pem: &str) -> Result<()> {
    let module = upstream::module_dir("github.com/karmada-io/karmada", versions::KARMADA)?;
    let file = module.join("artifacts/deploy/webhook-configuration.yaml");
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let text = loopback_webhooks(&text, port, ca_pem)?;
    let params = PatchParams::apply(FIELD_MANAGER).force();
    for doc in serde_yaml_ng::Deserializer::from_str(&text) {
        let value: serde_json::Value = serde::Deserialize::deserialize(doc)?;
        let name = value["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match value["kind"].as_str() {
            Some("MutatingWebhookConfiguration") => {
                let config: MutatingWebhookConfiguration = serde_json::from_value(value)?;
                Api::<MutatingWebhookConfiguration>::all(hub.clone())
                    .patch(&name, &params, &Patch::Apply(&config))
                    .await?;
            }
            Some("ValidatingWebhookConfiguration") => {
                let config: ValidatingWebhookConfiguration = serde_json::from_value(value)?;
                Api::<ValidatingWebhookConfiguration>::all(hub.clone())
                    .patch(&name, &params, &Patch::Apply(&config))
                    .await?;
            }
            other => bail!("unexpected {other:?} in {}", file.display()),
        }
    }
    Ok(())
}

/// The webhook configuration text with the Service URL replaced by the loopback address and the
/// `{{caBundle}}` placeholder by the CA.
fn loopback_webhooks(text: &str, port: u16, ca_pem: &str) -> Result<String> {
    if !text.contains(WEBHOOK_SERVICE_URL) || !text.contains("{{caBundle}}") {
        bail!("Karmada's webhook configuration no longer has the expected placeholders");
    }
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    Ok(text
        .replace(WEBHOOK_SERVICE_URL, &format!("https://127.0.0.1:{port}/"))
        .replace("{{caBundle}}", &ca))
}

/// A paused Karmada component; resumed (SIGCONT) on drop.
pub struct Paused {
    pid: u32,
}

impl Drop for Paused {
    fn drop(&mut self) {
        let _ = signal(self.pid, "CONT");
    }
}

fn signal(pid: u32, name: &str) -> Result<()> {
    let status = std::process::Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .context("running kill")?;
    anyhow::ensure!(status.success(), "kill -{name} {pid}: {status}");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn webhooks_point_at_loopback() {
        let text = "clientConfig:\n  url: https://karmada-webhook.karmada-system.svc:443/mutate-work\n  caBundle: {{caBundle}}\n";
        let out = super::loopback_webhooks(text, 1234, "CA").unwrap();
        assert!(out.contains("url: https://127.0.0.1:1234/mutate-work"));
        assert!(out.contains("caBundle: Q0E="));
        assert!(super::loopback_webhooks("url: https://elsewhere/", 1, "CA").is_err());
    }
}
