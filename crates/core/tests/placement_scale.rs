//! A 10,000-replica Deployment over 10 members × 500 nodes, attributed through the real
//! indexes (pods → ReplicaSets → Deployment), still yields a valid, bounded WorkloadPlacement.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use karmada_manager_core::intern::intern_str;
use karmada_manager_core::{
    BindingSource, ControllerRef, MemberEvent, MemberIndex, OwnerKind, PlacementInputs,
    PlacementOptions, PodPhase, PolicyLookup, SlimPod, WatcherEvent, WorkloadKey, WorkloadPod,
    WorkloadState, workload_placement_status, workload_pods,
};
use karmada_types::{Cluster, PropagationSpec, ResourceBinding};
use serde_json::json;

const CLUSTERS: usize = 10;
const NODES: usize = 500;
const REPLICAS: usize = 10_000;
const PER_CLUSTER: usize = REPLICAS / CLUSTERS;
const GUARD: usize = 512 * 1024;

fn cluster_name(c: usize) -> String {
    format!("member-{c:02}")
}

fn binding() -> ResourceBinding {
    let clusters: Vec<_> = (0..CLUSTERS)
        .map(|c| json!({"name": cluster_name(c), "replicas": PER_CLUSTER}))
        .collect();
    let statuses: Vec<_> = (0..CLUSTERS)
        .map(|c| {
            json!({"clusterName": cluster_name(c), "applied": true, "health": "Healthy",
                   "status": {"replicas": PER_CLUSTER, "readyReplicas": PER_CLUSTER - 10,
                              "availableReplicas": PER_CLUSTER - 10, "updatedReplicas": PER_CLUSTER}})
        })
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": "web-deployment", "namespace": "shop", "generation": 2,
                     "annotations": {"propagationpolicy.karmada.io/name": "web-pp"}},
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
            "replicas": REPLICAS,
            "clusters": clusters,
            "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {"staticWeightList": [{"targetCluster": {}, "weight": 1}]}}}
        },
        "status": {
            "schedulerObservedGeneration": 2,
            "conditions": [{"type": "Scheduled", "status": "True", "reason": "Success"},
                           {"type": "FullyApplied", "status": "True", "reason": "FullyAppliedSuccess"}],
            "aggregatedStatus": statuses
        }
    }))
    .expect("binding")
}

/// One member's indexes: the Deployment's two ReplicaSets, 1,000 of its pods over 500 nodes
/// (1% failing, 1% pending), and 2,000 unrelated pods. `reverse` feeds the pods in the
/// opposite order, and the ReplicaSets after the pods.
fn member(c: usize, reverse: bool) -> MemberIndex {
    let rs = |name: &str| ObjectMeta {
        namespace: Some("shop".into()),
        name: Some(name.into()),
        owner_references: Some(vec![OwnerReference {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: "web".into(),
            uid: "u-web".into(),
            controller: Some(true),
            block_owner_deletion: None,
        }]),
        ..ObjectMeta::default()
    };
    let controller = |name: &str| {
        Arc::new(ControllerRef {
            api_version: intern_str("apps/v1"),
            kind: intern_str("ReplicaSet"),
            name: Arc::from(name),
            uid: Arc::from(format!("u-{name}")),
        })
    };
    let mut pods = Vec::new();
    for i in 0..PER_CLUSTER {
        let rs_name = if i % 10 == 0 { "web-old" } else { "web-new" };
        let mut pod = SlimPod::new("shop", &format!("{rs_name}-{c}-{i:05}"));
        pod.controller = Some(controller(rs_name));
        pod.phase = match i % 100 {
            0 => PodPhase::Failed,
            1 => PodPhase::Pending,
            _ => PodPhase::Running,
        };
        if pod.phase != PodPhase::Pending {
            pod.node_name = Some(intern_str(&format!("node-{c}-{:03}", i % NODES)));
        }
        pod.ready = pod.phase == PodPhase::Running && i % 97 != 0;
        pod.restarts = (i % 13) as i64;
        pods.push(pod);
    }
    for i in 0..2 * PER_CLUSTER {
        let mut pod = SlimPod::new("shop", &format!("api-{i}")).on_node("node-x");
        pod.controller = Some(controller("api-1"));
        pods.push(pod);
    }
    let replica_set =
        |name: &str| MemberEvent::Owner(OwnerKind::ReplicaSet, WatcherEvent::Apply(rs(name)));
    let mut index = MemberIndex::new();
    if !reverse {
        index.apply_event(replica_set("web-old"));
        index.apply_event(replica_set("web-new"));
    }
    index.apply_event(MemberEvent::Pod(WatcherEvent::Init));
    if reverse {
        pods.reverse();
    }
    for pod in pods {
        index.apply_event(MemberEvent::Pod(WatcherEvent::InitApply(pod)));
    }
    index.apply_event(MemberEvent::Pod(WatcherEvent::InitDone));
    if reverse {
        index.apply_event(replica_set("web-new"));
        index.apply_event(replica_set("web-old"));
    }
    index
}

fn fleet_pods(reverse: bool) -> BTreeMap<String, Vec<WorkloadPod>> {
    let key = WorkloadKey::new("apps/v1", "Deployment", "shop", "web");
    (0..CLUSTERS)
        .map(|c| {
            let member = member(c, reverse);
            let pods = workload_pods(&member.cluster, &member.owners, &key);
            (cluster_name(c), pods)
        })
        .collect()
}

fn build(
    pods: &BTreeMap<String, Vec<WorkloadPod>>,
    options: &PlacementOptions,
) -> karmada_manager_core::WorkloadPlacementBuild {
    let binding = binding();
    let clusters: Vec<Cluster> = (0..CLUSTERS)
        .map(|c| serde_json::from_value(json!({"metadata": {"name": cluster_name(c)}})).unwrap())
        .collect();
    let refs: Vec<&Cluster> = clusters.iter().collect();
    let policy = PropagationSpec::default();
    workload_placement_status(
        &PlacementInputs {
            binding: BindingSource::from(&binding),
            policy: PolicyLookup::Found(&policy),
            clusters: &refs,
            overrides: &BTreeMap::new(),
            pods,
            problems: &BTreeMap::new(),
            fits: &BTreeMap::new(),
            shared: None,
        },
        options,
    )
}

#[test]
fn ten_thousand_replicas_fit_under_the_guard() {
    let started = Instant::now();
    let pods = fleet_pods(false);
    assert!(
        pods.values().all(|p| p.len() == PER_CLUSTER),
        "only web's pods"
    );
    let attributed = started.elapsed();
    let built = build(&pods, &PlacementOptions::default());
    let status = &built.status;
    assert!(built.truncation.is_none(), "default caps fit easily");
    let json = serde_json::to_vec(status).expect("json");
    assert!(json.len() < GUARD, "{} bytes", json.len());
    assert_eq!(status.replicas.desired, REPLICAS as i64);
    assert_eq!(status.replicas.scheduled, REPLICAS as i64);
    assert_eq!(status.replicas.ready, (REPLICAS - 10 * CLUSTERS) as i64);
    assert_eq!(status.clusters.len(), CLUSTERS);
    for cluster in &status.clusters {
        let counts = cluster.pods.as_ref().expect("pods visible");
        assert_eq!(counts.total, PER_CLUSTER as i64);
        assert_eq!(counts.failed, (PER_CLUSTER / 100) as i64);
        assert_eq!(counts.pending, (PER_CLUSTER / 100) as i64);
        assert_eq!(cluster.pod_list.len(), 50);
        assert_eq!(cluster.omitted_pods, (PER_CLUSTER - 50) as i64);
        assert_eq!(cluster.nodes.len(), 20);
        // 990 bound pods over 495 nodes (the pending pods' 5 nodes get none).
        assert_eq!(cluster.omitted_nodes, (NODES - 5 - 20) as i64);
        assert_eq!(cluster.weight, Some(1));
        // Problem pods first: the 10 failed, then the 10 pending.
        assert!(cluster.pod_list[..10].iter().all(|p| p.phase == "Failed"));
        assert!(
            cluster.pod_list[10..20]
                .iter()
                .all(|p| p.phase == "Pending")
        );
    }
    assert_eq!(
        built.state,
        WorkloadState::Progressing,
        "990 of 1,000 ready per cluster"
    );
    eprintln!(
        "attributed {REPLICAS} pods in {attributed:?}, built {} bytes in {:?}",
        json.len(),
        started.elapsed() - attributed
    );
}

#[test]
fn listing_every_pod_trips_the_guard_and_still_fits() {
    let pods = fleet_pods(false);
    let options = PlacementOptions {
        node_limit: NODES,
        pod_limit: PER_CLUSTER,
        max_status_bytes: GUARD,
        ..PlacementOptions::default()
    };
    let built = build(&pods, &options);
    let truncation = built
        .truncation
        .as_ref()
        .expect("10,000 pods exceed 512 KiB");
    assert!(truncation.fits(), "{truncation:?}");
    let json = serde_json::to_vec(&built.status).expect("json");
    assert!(json.len() <= GUARD);
    assert_eq!(json.len(), truncation.serialized_bytes);
    let mut listed = 0;
    for cluster in &built.status.clusters {
        assert_eq!(
            cluster.pod_list.len() as i64 + cluster.omitted_pods,
            PER_CLUSTER as i64,
            "counts stay exact"
        );
        assert_eq!(
            cluster.nodes.len() as i64 + cluster.omitted_nodes,
            (NODES - 5) as i64
        );
        listed += cluster.pod_list.len();
    }
    assert_eq!(truncation.pods_listed, listed);
    assert_eq!(truncation.pods_dropped, REPLICAS - listed);
    let ready = built
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .expect("ready");
    assert_eq!(
        ready.status, "False",
        "replicas not ready wins over truncation"
    );
    assert!(truncation.message().contains("more pods"));
    eprintln!("size guard: {truncation:?}");
}

#[test]
fn an_unchanged_world_builds_byte_identical_statuses() {
    let options = PlacementOptions::default();
    let first = serde_json::to_string(&build(&fleet_pods(false), &options).status).expect("json");
    // Pods and ReplicaSets fed in the opposite order, indexes built from scratch.
    let second = serde_json::to_string(&build(&fleet_pods(true), &options).status).expect("json");
    assert!(first == second, "statuses differ");
}
