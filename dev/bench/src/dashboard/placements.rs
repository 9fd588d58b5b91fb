//! The fleet's WorkloadPlacements, built by the operator's own code: a Karmada ResourceBinding
//! and the workload's pods on each target cluster go through `workload_placement_status` with
//! the operator's default options (20 nodes and 50 pods listed per cluster, problem pods first;
//! 20 candidate clusters), then `stamp_status`. The first placement is the one the workload page
//! is measured on: spread over `spread` clusters, the big member among them.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, Result};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::WorkloadPlacementStatus;
use karmada_manager_core::projection::NotScheduled;
use karmada_manager_core::{
    BindingSource, PlacementInputs, PlacementOptions, PodPhase, PolicyLookup, WorkloadPod,
    WorkloadState, stamp_status, workload_placement_status,
};
use karmada_types::{Cluster, PropagationSpec, ResourceBinding};
use prop_json::Rng;
use serde_json::json;

use super::members::{Member, node_name};

pub const NAMESPACES: &[&str] = &[
    "payments", "checkout", "catalog", "search", "identity", "billing", "shipping", "media",
];
const WORDS: &[&str] = &[
    "api", "frontend", "worker", "gateway", "consumer", "cache", "indexer",
];
/// Replicas of the measured placement on each of its clusters.
const FEATURED_REPLICAS: i64 = 100;

/// A placement to write: where, and the status the operator would give it.
pub struct Placement {
    pub namespace: String,
    pub name: String,
    pub status: WorkloadPlacementStatus,
    pub state: WorkloadState,
}

/// A workload: its namespace and name, its clusters (member index, replicas), and whether some
/// of its pods are in trouble.
struct Workload {
    namespace: &'static str,
    app: String,
    targets: Vec<(usize, i64)>,
    troubled: bool,
}

/// `count` placements: the measured one first, then workloads on 1–5 random clusters with
/// 1–30 replicas on each, 8% of them with pods in trouble.
pub fn build(
    members: &[Member],
    count: usize,
    spread: usize,
    seed: u64,
    now: &Time,
) -> Result<Vec<Placement>> {
    let clusters: Vec<Cluster> = (0..members.len())
        .map(super::members::karmada_cluster)
        .collect::<Result<_>>()?;
    let refs: Vec<&Cluster> = clusters.iter().collect();
    let mut rng = Rng::derive(seed, 0xB1AD);
    let mut placements = Vec::with_capacity(count);
    for i in 0..count {
        let workload = if i == 0 {
            Workload {
                namespace: NAMESPACES[0],
                app: "checkout-api".into(),
                targets: (0..spread.min(members.len()))
                    .map(|m| (m, FEATURED_REPLICAS))
                    .collect(),
                troubled: true,
            }
        } else {
            // Equal static weights: every cluster gets the same share.
            let replicas = rng.range(1, 30) as i64;
            let mut targets: Vec<(usize, i64)> = Vec::new();
            for _ in 0..rng.range(1, 5) {
                let member = rng.index(members.len());
                if targets.iter().all(|(m, _)| *m != member) {
                    targets.push((member, replicas));
                }
            }
            Workload {
                namespace: NAMESPACES[rng.index(NAMESPACES.len())],
                app: format!("{}-{i}", rng.pick(WORDS)),
                targets,
                troubled: rng.per_mille(80),
            }
        };
        placements.push(placement(&workload, members, &refs, &mut rng, now)?);
    }
    Ok(placements)
}

/// The page address of the measured placement: `<kind>/<namespace>/<name>`.
pub fn featured_key(placements: &[Placement]) -> Option<String> {
    placements
        .first()
        .map(|p| format!("WorkloadPlacement/{}/{}", p.namespace, p.name))
}

fn placement(
    workload: &Workload,
    members: &[Member],
    clusters: &[&Cluster],
    rng: &mut Rng,
    now: &Time,
) -> Result<Placement> {
    let hash = format!("{:09x}", rng.below(1 << 36));
    let pods: BTreeMap<String, Vec<WorkloadPod>> = workload
        .targets
        .iter()
        .map(|&(m, replicas)| {
            let member = &members[m];
            let pods = (0..replicas)
                .map(|_| pod(workload, &hash, member, rng))
                .collect();
            (member.name.clone(), pods)
        })
        .collect();
    let binding = binding(workload, &pods)?;
    let policy = PropagationSpec::default();
    let build = workload_placement_status(
        &PlacementInputs {
            binding: BindingSource::from(&binding),
            policy: PolicyLookup::Found(&policy),
            clusters,
            overrides: &BTreeMap::new(),
            pods: &pods,
            problems: &BTreeMap::new(),
            fits: &BTreeMap::new(),
            shared: None,
        },
        &PlacementOptions::default(),
    );
    Ok(Placement {
        namespace: workload.namespace.to_owned(),
        name: binding_name(workload),
        state: build.state,
        status: stamp_status(build.status, None, build.conditions, Some(2), now),
    })
}

fn binding_name(workload: &Workload) -> String {
    format!("{}-deployment", workload.app)
}

/// One pod, named as a ReplicaSet names them. A troubled workload has 4% of its pods pending
/// (unschedulable), 3% running but not ready and restarting, 1% failed.
fn pod(workload: &Workload, hash: &str, member: &Member, rng: &mut Rng) -> WorkloadPod {
    let suffix: String = (0..5)
        .map(|_| char::from(*rng.pick(b"bcdfghjklmnpqrstvwxz2456789")))
        .collect();
    let mut pod = WorkloadPod::new(&format!("{}-{hash}-{suffix}", workload.app));
    let roll = if workload.troubled {
        rng.below(100)
    } else {
        99
    };
    pod.phase = match roll {
        0..4 => PodPhase::Pending,
        4..5 => PodPhase::Failed,
        _ => PodPhase::Running,
    };
    if pod.phase == PodPhase::Pending {
        pod.not_scheduled = Some(Arc::new(NotScheduled {
            reason: Arc::from("Unschedulable"),
            message: Arc::from(format!(
                "0/{} nodes are available: {} Insufficient cpu.",
                member.nodes, member.nodes
            )),
        }));
    } else {
        pod.node = Some(Arc::from(node_name(member.index, rng.index(member.nodes))));
    }
    pod.ready = pod.phase == PodPhase::Running && !(4..7).contains(&roll);
    if !pod.ready {
        pod.restarts = rng.range(1, 30) as i64;
    }
    pod
}

/// The ResourceBinding Karmada would have: scheduled and applied, divided by static weight over
/// the clusters its affinity names, with the members' reported replica counts matching the
/// pods (so that no disagreement is reported).
fn binding(
    workload: &Workload,
    pods: &BTreeMap<String, Vec<WorkloadPod>>,
) -> Result<ResourceBinding> {
    let names: Vec<&String> = pods.keys().collect();
    let total: i64 = workload.targets.iter().map(|(_, r)| r).sum();
    let clusters: Vec<_> = workload
        .targets
        .iter()
        .map(|&(m, replicas)| json!({"name": super::members::name(m), "replicas": replicas}))
        .collect();
    let statuses: Vec<_> = pods
        .iter()
        .map(|(cluster, pods)| {
            let ready = pods.iter().filter(|p| p.ready).count();
            json!({"clusterName": cluster, "applied": true, "health": "Healthy",
                   "status": {"replicas": pods.len(), "readyReplicas": ready,
                              "availableReplicas": ready, "updatedReplicas": pods.len()}})
        })
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": binding_name(workload), "namespace": workload.namespace, "generation": 2,
                     "annotations": {"propagationpolicy.karmada.io/name": format!("{}-pp", workload.app),
                                     "propagationpolicy.karmada.io/namespace": workload.namespace}},
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment",
                         "namespace": workload.namespace, "name": workload.app},
            "replicas": total,
            "clusters": clusters,
            "placement": {
                "clusterAffinity": {"clusterNames": names},
                "replicaScheduling": {"replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Weighted",
                    "weightPreference": {"staticWeightList": [
                        {"targetCluster": {"clusterNames": names}, "weight": 1}]}}}
        },
        "status": {
            "schedulerObservedGeneration": 2,
            "conditions": [{"type": "Scheduled", "status": "True", "reason": "Success"},
                           {"type": "FullyApplied", "status": "True", "reason": "FullyAppliedSuccess"}],
            "aggregatedStatus": statuses
        }
    }))
    .context("the benchmark's ResourceBinding fixture")
}
