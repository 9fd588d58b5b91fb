//! Full status documents, one per kind (`tests/fixtures/`), deserialize into the Rust types
//! and serialize back to the same document.

use karmada_manager_api::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const CLUSTER_INSIGHT: &str = include_str!("../fixtures/cluster_insight.yaml");
const WORKLOAD_PLACEMENT: &str = include_str!("../fixtures/workload_placement.yaml");
const CLUSTER_WORKLOAD_PLACEMENT: &str =
    include_str!("../fixtures/cluster_workload_placement.yaml");
const FLEET_INSIGHT: &str = include_str!("../fixtures/fleet_insight.yaml");

/// Drops empty lists, which the types leave out when serializing (`problems: []`).
fn without_empty_lists(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !matches!(v, Value::Array(items) if items.is_empty()))
                .map(|(k, v)| (k, without_empty_lists(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_empty_lists).collect()),
        other => other,
    }
}

/// Parses `yaml` as `T`, checks that serializing gives the same document back and that parsing
/// that again gives the same value; returns the parsed value for further checks.
fn round_trip<T>(yaml: &str) -> T
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let document: Value = serde_yaml_ng::from_str(yaml).unwrap();
    let typed: T = serde_yaml_ng::from_str(yaml).unwrap();
    let written = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        written,
        without_empty_lists(document),
        "serialized form differs from the fixture"
    );
    let reread: T = serde_json::from_value(written).unwrap();
    assert_eq!(reread, typed);
    typed
}

#[test]
fn cluster_insight_example() {
    let insight: ClusterInsight = round_trip(CLUSTER_INSIGHT);
    let status = insight.status.unwrap();
    assert_eq!(status.source, Some(InsightSource::Direct));
    assert_eq!(status.nodes.display, "48/50");
    assert_eq!(status.resources["cpu"].allocated_percent, 61);
    assert_eq!(status.resources["nvidia.com/gpu"].available.0, "6");
    let node = &status.node_details.items[0];
    assert_eq!(
        node.problems,
        [
            NodeProblem::NotReady,
            NodeProblem::MemoryPressure,
            NodeProblem::Cordoned
        ]
    );
    assert!(status.node_details.items[1].problems.is_empty());
    assert_eq!(status.conditions[0].type_, conditions::types::READY);
    assert_eq!(
        status.conditions[1].reason,
        conditions::reasons::NODES_DEGRADED
    );
}

#[test]
fn workload_placement_example() {
    let placement: WorkloadPlacement = round_trip(WORKLOAD_PLACEMENT);
    let status = placement.status.unwrap();
    assert_eq!(status.workload.display, "Deployment/web");
    let rules = status.placement.unwrap();
    assert_eq!(rules.replica_scheduling, ReplicaScheduling::Divided);
    assert_eq!(rules.weighting, Some(Weighting::Static));
    assert_eq!(
        rules.cluster_affinity.unwrap().label_selector.as_deref(),
        Some("env=prod")
    );
    assert_eq!(status.clusters.len(), 2);
    let m1 = &status.clusters[0];
    assert_eq!(
        (m1.name.as_str(), m1.weight, m1.replicas),
        ("m1", Some(2), 6)
    );
    assert_eq!(m1.health, Some(WorkloadHealth::Healthy));
    assert_eq!(
        m1.eviction.as_ref().unwrap().purge_mode.as_deref(),
        Some("Gracefully")
    );
    assert_eq!(status.clusters[1].pod_list[0].node, None);
    assert_eq!(status.clusters_display, "m1:6,m2:4");
}

#[test]
fn cluster_workload_placement_example() {
    let placement: ClusterWorkloadPlacement = round_trip(CLUSTER_WORKLOAD_PLACEMENT);
    let status = placement.status.unwrap();
    assert_eq!(status.workload.namespace, None);
    let rules = status.placement.unwrap();
    assert_eq!(rules.replica_scheduling, ReplicaScheduling::Duplicated);
    assert_eq!(rules.weighting, Some(Weighting::Unweighted));
    assert!(status.clusters.iter().all(|c| c.pods.is_none()));
    assert_eq!(status.policy.unwrap().namespace, None);
}

#[test]
fn fleet_insight_example() {
    let fleet: FleetInsight = round_trip(FLEET_INSIGHT);
    assert_eq!(fleet.metadata.name.as_deref(), Some(FLEET_INSIGHT_NAME));
    let status = fleet.status.unwrap();
    assert_eq!(status.policies.overrides, 5);
    assert_eq!(status.resources["cpu"].capacity, None);
    assert_eq!(status.top_clusters[0].name, "member1");
    assert_eq!(status.omitted_top_clusters, 1);
    assert_eq!(status.workloads.display, "39/42");
}

/// Readers must survive statuses written by another version of the operator: missing fields
/// take their defaults and unknown fields are ignored.
#[test]
fn statuses_from_other_versions_still_parse() {
    let status: ClusterInsightStatus = serde_json::from_value(serde_json::json!({
        "nodes": {"total": 3},
        "nodeDetails": {"items": [{"name": "n1", "futureField": 1}]},
        "somethingNew": {"a": 1},
    }))
    .unwrap();
    assert_eq!(status.nodes.total, 3);
    assert_eq!(status.nodes.ready, 0);
    assert_eq!(status.node_details.items[0].name, "n1");

    let status: WorkloadPlacementStatus =
        serde_json::from_value(serde_json::json!({"clusters": [{"name": "m1"}]})).unwrap();
    assert_eq!(status.clusters[0].applied, None);

    let empty: FleetInsightStatus = serde_json::from_value(serde_json::json!({})).unwrap();
    assert_eq!(empty, FleetInsightStatus::default());
}

/// A fresh object serializes without empty optional parts, so the first status write is small.
#[test]
fn defaults_serialize_compactly() {
    let value = serde_json::to_value(WorkloadPlacementStatus::default()).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["binding", "clustersDisplay", "replicas", "workload"]);
}

/// Absent means absent: no optional field serializes as `null`, which a server-side apply
/// would store and `kubectl get -o yaml` print.
#[test]
fn optional_fields_are_left_out_not_null() {
    use karmada_manager_api::{CandidateCluster, CandidateClusters, ClusterPlacement};
    let values = [
        serde_json::to_value(ClusterPlacement::default()).unwrap(),
        serde_json::to_value(CandidateCluster::default()).unwrap(),
        serde_json::to_value(CandidateClusters::default()).unwrap(),
        serde_json::to_value(WorkloadPlacementStatus::default()).unwrap(),
    ];
    for value in values {
        assert!(!value.to_string().contains("null"), "{value}");
    }
}
