//! Property tests of the decoders (bad input from members): the slim Pod/Node projections, the
//! NodeMetrics list and the insight statuses the operator reads back from the hub. On any JSON
//! (arbitrary trees over the keys the decoders look for, realistic objects with one field replaced
//! by a value of another type, arbitrary and truncated bytes) decoding returns a value or an error,
//! never panics; decoding from text and from a `serde_json::Value` agree; and a decoded projection
//! keeps its invariants (sorted unique resources, no negative restarts, …).

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod prop_support;

use karmada_manager_api::{
    ClusterInsightStatus, FleetInsightStatus, NodeProblem, WorkloadPlacementStatus,
};
use karmada_manager_core::{NodeMetricsList, PodPhase, ResourceList, SlimNode, SlimPod};
use kube::core::{DeserializeGuard, ObjectList, WatchEvent};
use prop_support::{CORE_KEYS, CORE_STRINGS, Mutation, apply, config, json_value, mutation};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const POD_WEB: &str = include_str!("fixtures/pod-web.json");
const NODE_GPU: &str = include_str!("fixtures/node-gpu-worker.json");
const PODS_ODD: &str = include_str!("fixtures/pod-odd.jsonl");
const NODES_ODD: &str = include_str!("fixtures/node-odd.jsonl");

fn fixtures(single: &str, lines: &str) -> Vec<Value> {
    std::iter::once(single)
        .chain(lines.lines().filter(|l| !l.trim().is_empty()))
        .map(|text| serde_json::from_str(text).expect("fixture is JSON"))
        .collect()
}

fn pods() -> Vec<Value> {
    fixtures(POD_WEB, PODS_ODD)
}

fn nodes() -> Vec<Value> {
    fixtures(NODE_GPU, NODES_ODD)
}

/// Decodes `value` from its text and from a `Value`; both must agree (same value or both an
/// error). Returns the decoded value.
///
/// The `Value` is the text parsed again rather than `value` itself: without serde_json's
/// `float_roundtrip` feature, parsing a float from text may land one ULP away from the `f64`
/// it was printed from, and a float where a quantity belongs then decodes to a (correctly)
/// different amount. That is serde_json's documented trade-off, not the decoders'.
fn decode_both<T>(value: &Value) -> Result<Option<T>, TestCaseError>
where
    T: DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = value.to_string();
    let reparsed: Value = serde_json::from_str(&text).expect("printed JSON parses");
    let from_value = serde_json::from_value::<T>(reparsed);
    let from_text = serde_json::from_str::<T>(&text);
    match (from_value, from_text) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(&a, &b);
            Ok(Some(a))
        }
        (Err(_), Err(_)) => Ok(None),
        (a, b) => {
            prop_assert!(false, "from_value {:?} but from_str {:?}", a, b);
            Ok(None)
        }
    }
}

fn check_resource_list(list: &ResourceList) -> Result<(), TestCaseError> {
    let names: Vec<&str> = list.iter().map(|e| &*e.name).collect();
    prop_assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "sorted, unique: {:?}",
        names
    );
    for entry in list {
        prop_assert_eq!(list.get(&entry.name), Some(entry.amount));
    }
    Ok(())
}

/// Decodes a Pod every way the watcher can see it; checks the projection's invariants.
fn check_pod(value: &Value) -> Result<(), TestCaseError> {
    if let Some(pod) = decode_both::<SlimPod>(value)? {
        prop_assert!(pod.restarts >= 0, "restarts {}", pod.restarts);
        check_resource_list(&pod.requests)?;
        prop_assert!(
            pod.requests.get("pods").is_none(),
            "pods is counted by the index"
        );
        prop_assert_eq!(PodPhase::from(pod.phase.as_str()), pod.phase);
        prop_assert!(pod.node_name.as_deref() != Some(""));
        let meta = pod.metadata();
        prop_assert_eq!(meta.name.as_deref(), Some(pod.name()));
        prop_assert_eq!(meta.namespace.as_deref(), Some(&**pod.namespace()));
        prop_assert!(meta.owner_references.is_none());
    }
    let text = value.to_string();
    let _ = serde_json::from_str::<DeserializeGuard<SlimPod>>(&text);
    let event = json!({"type": "MODIFIED", "object": value}).to_string();
    let _ = serde_json::from_str::<WatchEvent<SlimPod>>(&event);
    let list = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [value]});
    let _ = serde_json::from_str::<ObjectList<DeserializeGuard<SlimPod>>>(&list.to_string());
    Ok(())
}

/// Decodes a Node every way the watcher can see it; checks the projection's invariants.
fn check_node(value: &Value) -> Result<(), TestCaseError> {
    if let Some(node) = decode_both::<SlimNode>(value)? {
        check_resource_list(&node.capacity)?;
        check_resource_list(&node.allocatable)?;
        prop_assert!(
            node.roles.windows(2).all(|w| w[0] < w[1]),
            "roles sorted, unique: {:?}",
            node.roles
        );
        prop_assert!(node.roles.iter().all(|r| !r.is_empty()));
        for label in [&node.zone, &node.instance_type, &node.kubelet_version] {
            prop_assert!(label.as_deref() != Some(""));
        }
        let problems = node.problems();
        prop_assert_eq!(problems.contains(&NodeProblem::NotReady), !node.ready);
        prop_assert_eq!(
            problems.contains(&NodeProblem::Cordoned),
            node.unschedulable
        );
        prop_assert_eq!(node.metadata().name.as_deref(), Some(&**node.name()));
    }
    let text = value.to_string();
    let _ = serde_json::from_str::<DeserializeGuard<SlimNode>>(&text);
    let event = json!({"type": "ADDED", "object": value}).to_string();
    let _ = serde_json::from_str::<WatchEvent<SlimNode>>(&event);
    Ok(())
}

/// NodeMetrics as polled: a list, or one item.
fn check_metrics(value: &Value) -> Result<(), TestCaseError> {
    decode_both::<NodeMetricsList>(value)?;
    decode_both::<NodeMetricsList>(&json!({"items": [value]}))?;
    Ok(())
}

/// The insight statuses, as the operator's reflectors read them back from the hub.
fn check_statuses(value: &Value) -> Result<(), TestCaseError> {
    decode_both::<ClusterInsightStatus>(value)?;
    decode_both::<FleetInsightStatus>(value)?;
    decode_both::<WorkloadPlacementStatus>(value)?;
    Ok(())
}

fn mutated(objects: Vec<Value>, pick: prop::sample::Index, changes: &[Mutation]) -> Value {
    let mut value = objects[pick.index(objects.len())].clone();
    for change in changes {
        apply(&mut value, change);
    }
    value
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(CORE_KEYS, CORE_STRINGS), 1..4)
}

proptest! {
    #![proptest_config(config(400))]

    /// Arbitrary JSON trees: a Pod, a Node, a metrics list, or an error.
    #[test]
    fn arbitrary_json_decodes_or_errors(value in json_value(CORE_KEYS, CORE_STRINGS)) {
        check_pod(&value)?;
        check_node(&value)?;
        check_metrics(&value)?;
        check_statuses(&value)?;
    }

    /// Arbitrary trees placed where the decoders look: `spec`, `status`, `metadata`,
    /// containers, resource lists, labels.
    #[test]
    fn arbitrary_parts_of_pods_and_nodes_decode_or_error(
        part in json_value(CORE_KEYS, CORE_STRINGS),
        slot in 0usize..8,
    ) {
        let value = match slot {
            0 => json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": part}),
            1 => json!({"metadata": {"name": "p"}, "status": part}),
            2 => json!({"metadata": part}),
            3 => json!({"spec": {"containers": [{"resources": {"requests": part}}]}}),
            4 => json!({"spec": {"initContainers": [part, {"restartPolicy": "Always", "resources": part}]}}),
            5 => json!({"metadata": {"name": "n", "labels": part}}),
            6 => json!({"status": {"capacity": part, "allocatable": part, "nodeInfo": part}}),
            _ => json!({"status": {"containerStatuses": [part], "conditions": [part]}}),
        };
        check_pod(&value)?;
        check_node(&value)?;
    }

    /// The realistic Pods of the fixtures with up to three nodes of the JSON replaced by values
    /// of another type.
    #[test]
    fn mutated_pods_decode_or_error(pick in any::<prop::sample::Index>(), changes in mutations()) {
        check_pod(&mutated(pods(), pick, &changes))?;
    }

    /// The same for Nodes.
    #[test]
    fn mutated_nodes_decode_or_error(pick in any::<prop::sample::Index>(), changes in mutations()) {
        check_node(&mutated(nodes(), pick, &changes))?;
    }

    /// The statuses the builders produce (as JSON), mutated, read back.
    #[test]
    fn mutated_statuses_decode_or_error(changes in mutations()) {
        let status = json!({
            "nodes": {"total": 3, "ready": 2, "notReady": 1, "display": "2/3"},
            "pods": {"total": 10, "running": 9, "restarts": 4},
            "resources": {"cpu": {"allocatable": "4", "allocated": "3200m", "allocating": "0",
                                  "available": "800m", "allocatedPercent": 80}},
            "nodeDetails": {"limit": 200, "omitted": 0, "items": [{"name": "n1", "ready": true,
                "schedulable": true, "problems": ["Cordoned"],
                "cpu": {"allocatable": "4", "allocated": "1", "percent": 25},
                "memory": {"allocatable": "1Gi", "allocated": "0", "percent": 0},
                "pods": {"capacity": 110, "total": 1}}]},
            "clusters": [{"name": "m1", "replicas": 2, "pods": {"total": 2}}],
            "conditions": [{"type": "Ready", "status": "True", "reason": "R", "message": "",
                            "lastTransitionTime": "2026-01-01T00:00:00Z"}],
        });
        let mut value = status;
        for change in &changes {
            apply(&mut value, change);
        }
        check_statuses(&value)?;
    }

    /// Arbitrary bytes, and the fixtures cut short or with one byte changed: an error (or,
    /// rarely, a value), never a panic.
    #[test]
    fn arbitrary_and_damaged_bytes_decode_or_error(
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
        which in 0usize..2,
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let _ = serde_json::from_slice::<SlimPod>(&bytes);
        let _ = serde_json::from_slice::<SlimNode>(&bytes);
        let text = if which == 0 { POD_WEB } else { NODE_GPU };
        let mut damaged = text.as_bytes().to_vec();
        let at = flip.index(damaged.len());
        damaged[at] = byte;
        damaged.truncate(cut.index(damaged.len() + 1));
        let _ = serde_json::from_slice::<SlimPod>(&damaged);
        let _ = serde_json::from_slice::<SlimNode>(&damaged);
        let _ = serde_json::from_slice::<DeserializeGuard<SlimPod>>(&damaged);
    }
}
