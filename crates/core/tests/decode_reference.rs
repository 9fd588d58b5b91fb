//! The slim decoders checked against an independent reference: the same JSON text decoded by
//! the hand-written decoders (`SlimPod`, `SlimNode`, read with the operator's JSON reader, and
//! with `serde_json` to the same result) and by k8s-openapi's generated `Pod` and
//! `Node`, from which `reference/` computes every field the projections expose by Kubernetes'
//! own rules (the scheduler's effective requests, the first controller owner, the first
//! condition of a type, kubectl's node roles, …). Every field must agree, quantities exactly.
//!
//! - Generated well-typed Pods and Nodes of every shape (`reference/generate.rs`): absent,
//!   `null` and empty fields, init containers and sidecars, overhead, pod-level requests,
//!   extended resources, many containers, owners with and without `controller`, conditions in
//!   any order, repeated and of unknown types, unknown fields. k8s-openapi accepts each; the
//!   decoder must too, and agree.
//! - The same with up to three nodes replaced by values of another JSON type: where
//!   k8s-openapi rejects the object, the decoder must reject it too, or accept it only for a
//!   reason `reference/check.rs` names and checks (the wrong value is in a field the projection
//!   never reads, or is one of the decoder's documented tolerances).
//! - The differential run: 30,000 deterministic mutations of realistic Pods and Nodes
//!   (`reference/mutate.rs`), each held to the same rules.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod prop_support;
mod reference;

use std::collections::BTreeMap;
use std::time::Instant;

use k8s_openapi::api::core::v1::Pod;
use prop_json::Rng;
use prop_support::{CORE_KEYS, CORE_STRINGS, Mutation, apply, config, mutation};
use proptest::prelude::*;
use reference::check::{Outcome, check_node, check_pod};
use reference::mutate::{Target, escape_one, mutate};
use reference::{Resources, generate, pod_requests};
use serde_json::{Value, json};

const POD_WEB: &str = include_str!("fixtures/pod-web.json");
const NODE_GPU: &str = include_str!("fixtures/node-gpu-worker.json");
const PODS_ODD: &str = include_str!("fixtures/pod-odd.jsonl");
const NODES_ODD: &str = include_str!("fixtures/node-odd.jsonl");

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn lines(text: &str) -> impl Iterator<Item = Value> + '_ {
    text.lines().filter(|l| !l.trim().is_empty()).map(parse)
}

/// A Job's pod: a native sidecar before a classic init container, pod-level requests,
/// overhead, an extended resource, owners with `controller` absent, false and true, conditions
/// out of order with a repeated and an unknown type.
fn pod_job() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "nightly-28930-abcde",
            "namespace": "batch",
            "uid": "5f0e",
            "resourceVersion": "77",
            "ownerReferences": [
                {"apiVersion": "example.com/v1", "kind": "Tracker", "name": "t", "uid": "1"},
                {"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "2", "controller": false},
                {"apiVersion": "batch/v1", "kind": "Job", "name": "nightly-28930", "uid": "3",
                 "controller": true, "blockOwnerDeletion": true},
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "late", "uid": "4",
                 "controller": true}
            ]
        },
        "spec": {
            "initContainers": [
                {"name": "proxy", "restartPolicy": "Always",
                 "resources": {"requests": {"cpu": "200m", "memory": "64Mi"}}},
                {"name": "fetch", "resources": {"requests": {"cpu": "2", "memory": "32Mi",
                                                             "example.com/widget": "3"}}},
                {"name": "agent", "restartPolicy": "Always",
                 "resources": {"requests": {"cpu": "100m", "ephemeral-storage": "1Gi"}}}
            ],
            "containers": [
                {"name": "main", "resources": {"requests": {"cpu": "1", "memory": "1Gi",
                                                            "nvidia.com/gpu": "1"},
                                               "limits": {"nvidia.com/gpu": "1"}}},
                {"name": "reporter", "resources": {"requests": {"memory": "16Mi"}}},
                {"name": "bare"}
            ],
            "resources": {"requests": {"cpu": "1500m", "memory": "2Gi"}, "limits": {"memory": "4Gi"}},
            "overhead": {"cpu": "50m", "memory": "8Mi"},
            "restartPolicy": "OnFailure",
            "nodeName": "node-7"
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "PodScheduled", "status": "True"},
                {"type": "Ready", "status": "True"},
                {"type": "Ready", "status": "False"},
                {"type": "example.com/Custom", "status": "False"}
            ],
            "initContainerStatuses": [
                {"name": "proxy", "restartCount": 2, "ready": true, "image": "p", "imageID": "p",
                 "state": {"running": {"startedAt": "2025-11-03T09:20:41Z"}}},
                {"name": "fetch", "restartCount": 0, "ready": true, "image": "f", "imageID": "f",
                 "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                {"name": "agent", "restartCount": 1, "ready": false, "image": "a", "imageID": "a",
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ],
            "containerStatuses": [
                {"name": "main", "restartCount": 4, "ready": true, "image": "m", "imageID": "m",
                 "lastState": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "state": {"running": {}}}
            ]
        }
    })
}

/// A control-plane node: legacy role label, only the beta zone, a blank GA instance type,
/// conditions out of order with a repeated type.
fn node_control_plane() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": "cp-1",
            "uid": "9a",
            "resourceVersion": "5",
            "labels": {
                "node-role.kubernetes.io/control-plane": "",
                "kubernetes.io/role": "master",
                "failure-domain.beta.kubernetes.io/zone": "z1",
                "node.kubernetes.io/instance-type": "",
                "beta.kubernetes.io/instance-type": "n2-standard-4"
            }
        },
        "spec": {
            "taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
        },
        "status": {
            "capacity": {"cpu": "4", "memory": "16393872Ki", "pods": "110"},
            "allocatable": {"cpu": "3800m", "memory": "15242896Ki", "pods": "110"},
            "conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "PIDPressure", "status": "True"},
                {"type": "PIDPressure", "status": "False"},
                {"type": "NetworkUnavailable", "status": "False"}
            ],
            "nodeInfo": {"kubeletVersion": "v1.35.0", "osImage": "COS"}
        }
    })
}

fn base_pods() -> Vec<Value> {
    let mut pods = vec![parse(POD_WEB), pod_job()];
    pods.extend(lines(PODS_ODD));
    pods
}

fn base_nodes() -> Vec<Value> {
    let mut nodes = vec![parse(NODE_GPU), node_control_plane()];
    nodes.extend(lines(NODES_ODD));
    nodes
}

fn resources(pairs: &[(&str, i128)]) -> Resources {
    pairs.iter().map(|(n, m)| ((*n).to_owned(), *m)).collect()
}

/// The reference itself, on hand-computed answers: it must not merely agree with the decoder.
#[test]
fn the_reference_computes_requests_as_the_scheduler_does() {
    let web: Pod = serde_json::from_str(POD_WEB).unwrap();
    // Apps 250m+50m, 256Mi+64Mi, plus the sidecar log-shipper 100m/50Mi: 400m, 370Mi.
    // Init floor: migrate alone 1/128Mi (declared before the sidecar); warmup 500m/1Gi plus
    // the sidecar 100m/50Mi. Max: 1 CPU, 1074Mi. Plus overhead 10m/16Mi.
    let mi = 1024 * 1024 * 1000;
    assert_eq!(
        pod_requests(&web),
        resources(&[
            ("cpu", 1010),
            ("memory", 1090 * mi),
            ("nvidia.com/gpu", 1000),
            ("ephemeral-storage", 1024 * mi),
        ])
    );

    let job: Pod = serde_json::from_value(pod_job()).unwrap();
    // Apps: cpu 1, memory 1Gi+16Mi, gpu 1. Sidecars: proxy 200m/64Mi, agent 100m/1Gi storage
    // → cpu 1300m, memory 1104Mi, storage 1Gi. Init floor: fetch 2 + proxy 200m = 2200m,
    // 32Mi + 64Mi, widget 3. Max: cpu 2200m, memory 1104Mi, widget 3. Pod level replaces cpu
    // (1500m) and memory (2Gi). Plus overhead 50m/8Mi.
    assert_eq!(
        pod_requests(&job),
        resources(&[
            ("cpu", 1550),
            ("memory", 2056 * mi),
            ("nvidia.com/gpu", 1000),
            ("ephemeral-storage", 1024 * mi),
            ("example.com/widget", 3000),
        ])
    );
}

#[test]
fn the_fixtures_agree_with_the_reference() {
    for pod in base_pods() {
        let outcome = check_pod(&pod.to_string()).unwrap_or_else(|e| panic!("{e}"));
        // `pod-odd`'s `weird` pod has a `null` quantity: a documented tolerance.
        assert!(
            matches!(outcome, Outcome::Compared | Outcome::Normalised),
            "{outcome:?}: {pod}"
        );
    }
    for node in base_nodes() {
        let outcome = check_node(&node.to_string()).unwrap_or_else(|e| panic!("{e}"));
        // `node-odd`'s `partial` node has a `null` label value.
        assert!(
            matches!(outcome, Outcome::Compared | Outcome::Normalised),
            "{outcome:?}: {node}"
        );
    }
}

fn mutated(mut value: Value, changes: &[Mutation]) -> String {
    for change in changes {
        apply(&mut value, change);
    }
    value.to_string()
}

fn wrong_types() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(CORE_KEYS, CORE_STRINGS), 1..4)
}

proptest! {
    #![proptest_config(config(300))]

    /// Well-typed Pods of every shape: both decode, and agree on every field.
    #[test]
    fn generated_pods_agree_with_the_reference(pod in generate::pod()) {
        let outcome = check_pod(&pod.to_string());
        prop_assert_eq!(outcome, Ok(Outcome::Compared));
    }

    /// Well-typed Nodes of every shape.
    #[test]
    fn generated_nodes_agree_with_the_reference(node in generate::node()) {
        let outcome = check_node(&node.to_string());
        prop_assert_eq!(outcome, Ok(Outcome::Compared));
    }

    /// The same Pods with up to three values of the wrong JSON type: agreement, or a
    /// rejection by both, or a named and checked reason.
    #[test]
    fn pods_with_wrong_types_agree_or_are_rejected(pod in generate::pod(), changes in wrong_types()) {
        let text = mutated(pod, &changes);
        if let Err(e) = check_pod(&text) {
            prop_assert!(false, "{}", e);
        }
    }

    /// The same for Nodes.
    #[test]
    fn nodes_with_wrong_types_agree_or_are_rejected(node in generate::node(), changes in wrong_types()) {
        let text = mutated(node, &changes);
        if let Err(e) = check_node(&text) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// Variants in the differential run.
const VARIANTS: usize = 30_000;

/// The differential run: `VARIANTS` mutations of the realistic Pods and Nodes (half each),
/// seeded, sent compact or indented, a third with a key or value escaped, each checked against
/// the reference. Prints what became of them
/// (`-- --nocapture`).
#[test]
fn differential_run_over_mutated_pods_and_nodes() {
    let started = Instant::now();
    let (pods, nodes) = (base_pods(), base_nodes());
    let mut rng = Rng::new(0x6b61_726d_6164_6121);
    let mut outcomes: BTreeMap<(&str, Outcome), usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for variant in 0..VARIANTS {
        let (kind, target, bases) = if variant % 2 == 0 {
            ("pod", Target::Pod, &pods)
        } else {
            ("node", Target::Node, &nodes)
        };
        let mut value = rng.pick(bases).clone();
        mutate(&mut value, target, &mut rng);
        let mut text = if rng.index(8) == 0 {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            value.to_string()
        };
        if rng.index(3) == 0 {
            let escaped = escape_one(&text, &mut rng);
            let same = |t: &str| serde_json::from_str::<Value>(t).ok();
            assert_eq!(same(&escaped), same(&text), "an escape changes nothing");
            text = escaped;
        }
        let checked = match target {
            Target::Pod => check_pod(&text),
            Target::Node => check_node(&text),
        };
        match checked {
            Ok(outcome) => *outcomes.entry((kind, outcome)).or_default() += 1,
            Err(error) => failures.push(format!("variant {variant}: {error}")),
        }
    }
    eprintln!(
        "differential run: {VARIANTS} variants in {:.2?}: {outcomes:?}",
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {VARIANTS} variants disagree; the first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Most variants must be compared field by field, or the run proves little.
    for kind in ["pod", "node"] {
        let compared = outcomes
            .get(&(kind, Outcome::Compared))
            .copied()
            .unwrap_or(0);
        assert!(
            compared * 2 > VARIANTS / 2,
            "only {compared} {kind}s compared: {outcomes:?}"
        );
    }
}
