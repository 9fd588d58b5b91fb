//! Plays karmada-agent for a Pull member of the real-Karmada environment (no agent is built): the
//! duties Karmada's hub controllers rely on, done from a task of the test process.
//! - The Cluster's status: Ready, with the member's Kubernetes version (the agent's cluster status
//!   controller; nothing richer, since no test reads more of a Pull cluster's status).
//! - The Cluster's Lease `karmada-cluster/<cluster>`, renewed every 10 s (the agent's default of
//!   a quarter of its 40 s lease); without it Karmada's cluster controller turns Ready Unknown.
//! - The Works in `karmada-es-<cluster>` applied to the member, as the agent's execution
//!   controller does: the unified-auth controller's impersonation ClusterRole and binding reach
//!   the member this way.

use crate::join::{KARMADA_CLUSTER_NAMESPACE, cluster_api};
use crate::karmada_objects::works;
use anyhow::{Context, Result};
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::{Scope, pinned_kind};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use tokio::task::JoinHandle;

const FIELD_MANAGER: &str = "karmada-agent";
const LEASE_SECONDS: i32 = 40;
const RENEW_EVERY: Duration = Duration::from_secs(10);
const APPLY_EVERY: Duration = Duration::from_secs(1);

/// The running stand-in; stops when dropped.
pub struct PullAgent {
    task: JoinHandle<()>,
}

impl Drop for PullAgent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PullAgent {
    /// Reports `cluster` Ready, then keeps its Lease renewed and its Works applied.
    pub async fn start(hub: kube::Client, member: kube::Client, cluster: &str) -> Result<Self> {
        let version = member.apiserver_version().await?.git_version;
        crate::join::set_cluster_ready(&hub, cluster, &version).await?;
        renew_lease(&hub, cluster).await?;
        let cluster = cluster.to_owned();
        let task = tokio::spawn(async move {
            let mut renewed = tokio::time::Instant::now();
            let mut applied = HashMap::new();
            loop {
                tokio::time::sleep(APPLY_EVERY).await;
                if renewed.elapsed() >= RENEW_EVERY {
                    if let Err(err) = renew_lease(&hub, &cluster).await {
                        eprintln!("testenv: pull agent of {cluster}: renewing the lease: {err:#}");
                    }
                    renewed = tokio::time::Instant::now();
                }
                if let Err(err) = apply_works(&hub, &member, &cluster, &mut applied).await {
                    eprintln!("testenv: pull agent of {cluster}: applying Works: {err:#}");
                }
            }
        });
        Ok(Self { task })
    }
}

/// Creates or renews Lease `karmada-cluster/<cluster>`, owned by the Cluster as the agent's is.
async fn renew_lease(hub: &kube::Client, cluster: &str) -> Result<()> {
    let uid = cluster_api(hub)
        .get(cluster)
        .await?
        .metadata
        .uid
        .context("Cluster without uid")?;
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    let lease: Lease = serde_json::from_value(json!({
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {
            "name": cluster, "namespace": KARMADA_CLUSTER_NAMESPACE,
            "ownerReferences": [{"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
                                 "name": cluster, "uid": uid}],
        },
        "spec": {"holderIdentity": cluster, "leaseDurationSeconds": LEASE_SECONDS, "renewTime": now},
    }))?;
    Api::<Lease>::namespaced(hub.clone(), KARMADA_CLUSTER_NAMESPACE)
        .patch(
            cluster,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&lease),
        )
        .await?;
    Ok(())
}

/// Server-side applies every manifest of every Work in the cluster's execution namespace that
/// changed since it was last applied (`applied`: Work name → resourceVersion).
async fn apply_works(
    hub: &kube::Client,
    member: &kube::Client,
    cluster: &str,
    applied: &mut HashMap<String, String>,
) -> Result<()> {
    let namespace = format!("karmada-es-{cluster}");
    let list = Api::<DynamicObject>::namespaced_with(hub.clone(), &namespace, &works())
        .list(&ListParams::default())
        .await?;
    for work in list {
        let name = work.metadata.name.clone().unwrap_or_default();
        let version = work.metadata.resource_version.clone().unwrap_or_default();
        if applied.get(&name) == Some(&version) {
            continue;
        }
        let manifests = work.data["spec"]["workload"]["manifests"]
            .as_array()
            .cloned();
        for manifest in manifests.unwrap_or_default() {
            apply_manifest(member, manifest).await?;
        }
        applied.insert(name, version);
    }
    Ok(())
}

async fn apply_manifest(member: &kube::Client, manifest: Value) -> Result<()> {
    let object: DynamicObject = serde_json::from_value(manifest)?;
    let types = object
        .types
        .as_ref()
        .context("manifest without apiVersion/kind")?;
    let gvk = GroupVersionKind::try_from(types)?;
    let (resource, capabilities) = pinned_kind(member, &gvk).await?;
    let name = object
        .metadata
        .name
        .clone()
        .context("manifest without name")?;
    let api = match (&capabilities.scope, object.metadata.namespace.as_deref()) {
        (Scope::Namespaced, Some(ns)) => Api::namespaced_with(member.clone(), ns, &resource),
        _ => Api::<DynamicObject>::all_with(member.clone(), &resource),
    };
    api.patch(
        &name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&object),
    )
    .await?;
    Ok(())
}
