//! The hub's side of a large fleet, as Karmada's controllers leave it: Clusters, and for each
//! workload a PropagationPolicy, the ResourceBinding the detector made and the scheduler
//! placed on two clusters (with the members' aggregated status), and one Work per cluster.
//! Written through the testenv helpers the e2e suite uses for the same objects.

use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt, stream};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};
use testenv::karmada_objects::{
    self as karmada, MemberReport, Template, apply, apply_binding, propagation_policy,
};

/// Namespaces the workloads are spread over.
const NAMESPACES: usize = 50;
/// Replicas per workload, split evenly over its two clusters.
const REPLICAS: i64 = 4;

/// One workload of the fleet: which one, where it runs.
#[derive(Clone, Debug)]
pub struct Workload {
    pub namespace: String,
    pub name: String,
    pub clusters: [String; 2],
}

impl Workload {
    /// Workload `i` of a fleet with `clusters` clusters: the same name on every hub, so that two
    /// hubs' first N workloads are alike.
    pub fn nth(i: usize, clusters: usize) -> Workload {
        let first = i % clusters;
        let second = (first + 1 + i / clusters % (clusters - 1).max(1)) % clusters;
        Workload {
            namespace: format!("team-{:02}", i % NAMESPACES),
            name: format!("app-{i:05}"),
            clusters: [cluster_name(first), cluster_name(second)],
        }
    }

    /// The binding's name, as the detector names it.
    pub fn binding_name(&self) -> String {
        self.template().binding_name()
    }

    fn template(&self) -> Template {
        Template {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: Some(self.namespace.clone()),
            name: self.name.clone(),
            uid: format!("00000000-0000-4000-8000-{:012}", fnv1a(&self.name)),
        }
    }

    fn policy(&self) -> Value {
        propagation_policy(
            &self.name,
            &self.namespace,
            ("apps/v1", "Deployment", &self.name),
            json!({
                "clusterAffinity": {"clusterNames": self.clusters},
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Weighted",
                },
            }),
        )
    }

    fn binding(&self) -> Value {
        let half = REPLICAS / 2;
        let clusters = [
            (self.clusters[0].as_str(), half),
            (self.clusters[1].as_str(), half),
        ];
        karmada::binding(
            &self.template(),
            &self.policy(),
            &format!("id-{}", self.name),
            REPLICAS,
            &clusters,
        )
    }

    /// The scheduled status, with `ready` replicas ready on the first cluster.
    pub fn status(&self, generation: i64, ready: i64) -> Value {
        let half = REPLICAS / 2;
        karmada::scheduled_status(
            generation,
            &[
                MemberReport::healthy(&self.clusters[0]).replicas(half, ready),
                MemberReport::healthy(&self.clusters[1]).replicas(half, half),
            ],
        )
    }
}

pub fn cluster_name(i: usize) -> String {
    format!("member-{i:03}")
}

/// Creates `clusters` Ready Clusters with no way in (Pull mode, no Secret): the operator then
/// reads them from `Cluster.status`, which keeps this benchmark about the hub.
pub async fn create_clusters(hub: &kube::Client, clusters: usize) -> Result<()> {
    for i in 0..clusters {
        let name = cluster_name(i);
        let cluster = json!({
            "apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
            "metadata": {"name": name},
            "spec": {"syncMode": "Pull"},
        });
        apply(hub, &testenv::join::cluster_resource(), &cluster).await?;
        testenv::join::set_cluster_ready(hub, &name, "v1.34.0").await?;
    }
    Ok(())
}

/// Creates workloads `range` (namespaces, policies, bindings with status, Works),
/// `concurrency` workloads at a time.
pub async fn create_workloads(
    hub: &kube::Client,
    range: std::ops::Range<usize>,
    clusters: usize,
    concurrency: usize,
) -> Result<()> {
    for n in 0..NAMESPACES.min(range.end) {
        testenv::join::apply_namespace(hub, &format!("team-{n:02}")).await?;
    }
    for c in 0..clusters {
        testenv::join::apply_namespace(hub, &format!("karmada-es-{}", cluster_name(c))).await?;
    }
    stream::iter(range)
        .map(|i| create_workload(hub, Workload::nth(i, clusters)))
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await
}

async fn create_workload(hub: &kube::Client, workload: Workload) -> Result<()> {
    apply(hub, &karmada::propagation_policies(), &workload.policy()).await?;
    let binding = workload.binding();
    let half = REPLICAS / 2;
    apply_binding(hub, &binding, |generation| {
        workload.status(generation, half)
    })
    .await?;
    for cluster in &workload.clusters {
        let name = format!("{}-{:08x}", workload.name, fnv1a(cluster) as u32);
        let work = karmada::work(&binding, cluster, &name, &[]);
        apply(hub, &karmada::works(), &work).await?;
    }
    Ok(())
}

/// Sets how many replicas of `workload` are ready on its first cluster: the change the
/// members' status aggregation makes to a binding when a pod turns ready or not.
pub async fn set_ready(hub: &kube::Client, workload: &Workload, ready: i64) -> Result<()> {
    let api: Api<DynamicObject> = Api::namespaced_with(
        hub.clone(),
        &workload.namespace,
        &karmada::resource_bindings(),
    );
    let name = workload.binding_name();
    let status = workload.status(1, ready);
    let patch = json!({"status": {"aggregatedStatus": status["aggregatedStatus"]}});
    api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .with_context(|| format!("updating the status of binding {name}"))?;
    Ok(())
}

/// A small stable hash for made-up ids (FNV-1a).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_use_two_distinct_clusters() {
        for clusters in [2, 3, 10] {
            for i in 0..200 {
                let w = Workload::nth(i, clusters);
                assert_ne!(w.clusters[0], w.clusters[1], "workload {i} of {clusters}");
            }
        }
        assert_eq!(Workload::nth(7, 10).binding_name(), "app-00007-deployment");
    }
}
