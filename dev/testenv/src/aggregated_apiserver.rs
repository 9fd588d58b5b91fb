//! karmada-aggregated-apiserver on the hub, as Karmada serves `clusters.cluster.karmada.io`: the
//! Clusters stored in the hub's etcd under the hub's prefix, and `clusters/<name>/proxy`, which
//! forwards a request to the member with the Cluster's impersonator token, impersonating the
//! caller.
//!
//! Registered the way Karmada registers it: its own
//! `artifacts/deploy/karmada-aggregated-apiserver-apiservice.yaml` (an APIService and an
//! `ExternalName` Service, since the hub routes to no pods), with the external name `127.0.0.1`
//! and the loopback port instead of the in-cluster DNS name. Flags follow Karmada's Helm chart,
//! except that it listens on loopback, talks to etcd without TLS (as every server here does) and
//! writes no audit log.

use crate::apiserver::ApiServer;
use crate::certs::ServingCerts;
use crate::process::{Supervised, free_port};
use crate::{upstream, versions};
use anyhow::{Context, Result, bail};
use base64::Engine;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use kube::api::{Api, Patch, PatchParams};
use std::path::Path;
use std::time::{Duration, Instant};

const NAMESPACE: &str = "karmada-system";
const SERVICE: &str = "karmada-aggregated-apiserver";
/// The name the aggregation layer checks the serving certificate against: `<service>.<namespace>.svc`.
const SERVICE_DNS: &str = "karmada-aggregated-apiserver.karmada-system.svc";
const API_SERVICE: &str = "v1alpha1.cluster.karmada.io";
/// The external name in Karmada's manifest, replaced by the loopback address.
const IN_CLUSTER_NAME: &str = "karmada-aggregated-apiserver.karmada-system.svc.cluster.local";
const READY_TIMEOUT: Duration = Duration::from_secs(90);
const FIELD_MANAGER: &str = "testenv";

/// Starts the server (logging to `<dir>/karmada-aggregated-apiserver.log`), registers it with the
/// hub and waits until the hub serves Clusters through it.
pub async fn start(
    hub: &ApiServer,
    binary: &Path,
    etcd_url: &str,
    dir: &Path,
) -> Result<Supervised> {
    let certs = ServingCerts::generate(
        SERVICE,
        &dir.join("aggregated-apiserver-pki"),
        &[SERVICE_DNS],
    )?;
    let port = free_port()?;
    let kubeconfig = hub.kubeconfig().display().to_string();
    let args = vec![
        format!("--kubeconfig={kubeconfig}"),
        format!("--authentication-kubeconfig={kubeconfig}"),
        format!("--authorization-kubeconfig={kubeconfig}"),
        format!("--etcd-servers={etcd_url}"),
        // Karmada stores Clusters in its API server's etcd under the same prefix.
        format!("--etcd-prefix=/{}", hub.name()),
        format!("--tls-cert-file={}", certs.cert.display()),
        format!("--tls-private-key-file={}", certs.key.display()),
        "--tls-min-version=VersionTLS13".into(),
        "--bind-address=127.0.0.1".into(),
        format!("--secure-port={port}"),
    ];
    let mut process = Supervised::spawn(
        SERVICE,
        binary,
        &args,
        dir.join("karmada-aggregated-apiserver.log"),
    )?;
    let client = hub.client().await?;
    register(&client, port, &certs.ca_pem).await?;
    wait_served(&client, &mut process).await?;
    Ok(process)
}

/// Applies Karmada's APIService and Service, pointed at `127.0.0.1:<port>` and trusting `ca_pem`.
async fn register(hub: &kube::Client, port: u16, ca_pem: &str) -> Result<()> {
    crate::join::apply_namespace(hub, NAMESPACE).await?;
    let module = upstream::module_dir("github.com/karmada-io/karmada", versions::KARMADA)?;
    let file = module.join("artifacts/deploy/karmada-aggregated-apiserver-apiservice.yaml");
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let params = PatchParams::apply(FIELD_MANAGER).force();
    for doc in serde_yaml_ng::Deserializer::from_str(&loopback_registration(&text, ca_pem)?) {
        let value: serde_json::Value = serde::Deserialize::deserialize(doc)?;
        match value["kind"].as_str() {
            Some("APIService") => {
                let mut api_service: APIService = serde_json::from_value(value)?;
                if let Some(service) = api_service.spec.as_mut().and_then(|s| s.service.as_mut()) {
                    service.port = Some(port.into());
                }
                Api::<APIService>::all(hub.clone())
                    .patch(API_SERVICE, &params, &Patch::Apply(&api_service))
                    .await?;
            }
            Some("Service") => {
                let service: Service = serde_json::from_value(value)?;
                Api::<Service>::namespaced(hub.clone(), NAMESPACE)
                    .patch(SERVICE, &params, &Patch::Apply(&service))
                    .await?;
            }
            other => bail!("unexpected {other:?} in {}", file.display()),
        }
    }
    Ok(())
}

/// Karmada's registration manifest with the CA filled in and the Service's external name
/// replaced by the loopback address.
fn loopback_registration(text: &str, ca_pem: &str) -> Result<String> {
    if !text.contains(IN_CLUSTER_NAME) || !text.contains("{{caBundle}}") {
        bail!(
            "Karmada's aggregated API server registration no longer has the expected placeholders"
        );
    }
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    Ok(text
        .replace(IN_CLUSTER_NAME, "127.0.0.1")
        .replace("{{caBundle}}", &ca))
}

/// Waits until the hub lists Clusters, which it can only do through the aggregated server.
async fn wait_served(hub: &kube::Client, process: &mut Supervised) -> Result<()> {
    let clusters = crate::join::cluster_api(hub);
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Some(status) = process.exited() {
            bail!(
                "karmada-aggregated-apiserver exited during start-up ({status}):\n{}",
                process.log_tail(30)
            );
        }
        let last = match clusters.list(&Default::default()).await {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        if Instant::now() > deadline {
            bail!(
                "the hub did not serve Clusters through karmada-aggregated-apiserver within {READY_TIMEOUT:?} ({last}):\n{}",
                process.log_tail(30)
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_registration_points_at_loopback() {
        let text = "spec:\n  caBundle: {{caBundle}}\n---\nspec:\n  type: ExternalName\n  externalName: karmada-aggregated-apiserver.karmada-system.svc.cluster.local\n";
        let out = super::loopback_registration(text, "CA").unwrap();
        assert!(out.contains("caBundle: Q0E="));
        assert!(out.contains("externalName: 127.0.0.1\n"));
        assert!(super::loopback_registration("spec: {}", "CA").is_err());
    }
}
