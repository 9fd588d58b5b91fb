//! Effective requests, checked case by case against the kube-scheduler rule.

use serde_json::{Value, json};

use super::*;
use crate::quantity::Amount;

fn container(requests: Value) -> Value {
    json!({"name": "c", "resources": {"requests": requests}})
}

fn sidecar(requests: Value) -> Value {
    json!({"name": "s", "restartPolicy": "Always", "resources": {"requests": requests}})
}

fn requests_of(spec: Value) -> ResourceList {
    let pod = json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": spec});
    let pod: SlimPod = serde_json::from_value(pod).expect("decodes");
    pod.requests
}

fn list(pairs: &[(&str, &str)]) -> ResourceList {
    ResourceList::parse(pairs.iter().copied()).expect("valid")
}

#[test]
fn app_containers_add_up() {
    let spec = json!({"containers": [
        container(json!({"cpu": "250m", "memory": "256Mi"})),
        container(json!({"cpu": "0.75", "memory": "768Mi", "nvidia.com/gpu": "2"})),
    ]});
    assert_eq!(
        requests_of(spec),
        list(&[("cpu", "1"), ("memory", "1Gi"), ("nvidia.com/gpu", "2")])
    );
}

#[test]
fn a_classic_init_container_sets_a_floor() {
    let spec = json!({
        "initContainers": [container(json!({"cpu": "2", "memory": "64Mi", "nvidia.com/gpu": "1"}))],
        "containers": [container(json!({"cpu": "500m", "memory": "1Gi"}))],
    });
    // Per resource: cpu max(500m, 2), memory max(1Gi, 64Mi), gpu max(0, 1).
    assert_eq!(
        requests_of(spec),
        list(&[("cpu", "2"), ("memory", "1Gi"), ("nvidia.com/gpu", "1")])
    );
}

#[test]
fn sidecars_add_to_the_app_and_to_later_init_containers_only() {
    let spec = json!({
        "initContainers": [
            container(json!({"cpu": "900m"})),           // before the sidecar: 900m alone
            sidecar(json!({"cpu": "200m", "memory": "100Mi"})),
            container(json!({"cpu": "1", "memory": "50Mi"})), // after: 1 + 200m = 1200m
        ],
        "containers": [container(json!({"cpu": "100m", "memory": "10Mi"}))],
    });
    // App + sidecar: 300m / 110Mi; init floor: max(900m, 200m, 1200m) = 1200m,
    // memory max(0, 100Mi, 150Mi) = 150Mi.
    assert_eq!(
        requests_of(spec),
        list(&[("cpu", "1200m"), ("memory", "150Mi")])
    );
}

#[test]
fn a_sidecar_declared_after_an_init_container_does_not_raise_it() {
    let spec = json!({
        "initContainers": [
            container(json!({"cpu": "1"})),
            sidecar(json!({"cpu": "500m"})),
        ],
        "containers": [container(json!({"cpu": "100m"}))],
    });
    // If the sidecar counted for the first init container the floor would be 1500m.
    assert_eq!(requests_of(spec), list(&[("cpu", "1")]));
}

#[test]
fn overhead_is_added_after_the_max() {
    let spec = json!({
        "initContainers": [container(json!({"cpu": "2"}))],
        "containers": [container(json!({"cpu": "1", "memory": "1Gi"}))],
        "overhead": {"cpu": "250m", "memory": "120Mi"},
    });
    assert_eq!(
        requests_of(spec),
        list(&[("cpu", "2250m"), ("memory", "1144Mi")])
    );
}

#[test]
fn pod_level_requests_replace_cpu_and_memory_only() {
    let spec = json!({
        "resources": {"requests": {"cpu": "3", "memory": "2Gi", "nvidia.com/gpu": "8"}},
        "containers": [container(json!({"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"}))],
        "overhead": {"cpu": "100m"},
    });
    assert_eq!(
        requests_of(spec),
        list(&[("cpu", "3100m"), ("memory", "2Gi"), ("nvidia.com/gpu", "1")])
    );
}

#[test]
fn limits_and_pods_entries_do_not_count() {
    let spec = json!({"containers": [
        {"name": "c", "resources": {"limits": {"cpu": "4", "memory": "4Gi"}}},
        container(json!({"pods": "3", "cpu": "10m"})),
    ]});
    assert_eq!(requests_of(spec), list(&[("cpu", "10m")]));
}

#[test]
fn a_repeated_key_keeps_its_last_value() {
    let pod = r#"{"metadata":{"name":"p","namespace":"ns"},"spec":{"containers":[
        {"name":"c","resources":{"requests":{"cpu":"1","cpu":"2"}}}]}}"#;
    let pod: SlimPod = serde_json::from_str(pod).expect("decodes");
    assert_eq!(pod.requests.amount("cpu"), Amount::from_units(2));
}

#[test]
fn pods_of_one_template_share_their_request_list() {
    let spec = json!({"containers": [container(json!({"cpu": "123m", "memory": "77Mi"}))]});
    let a = requests_of(spec.clone());
    let b = requests_of(spec);
    assert!(std::ptr::eq(a.entries(), b.entries()));
}

#[test]
fn phases_map_with_an_unknown_fallback() {
    for (raw, phase) in [
        ("Pending", PodPhase::Pending),
        ("Running", PodPhase::Running),
        ("Succeeded", PodPhase::Succeeded),
        ("Failed", PodPhase::Failed),
        ("Unknown", PodPhase::Unknown),
        ("Terminating", PodPhase::Unknown),
        ("", PodPhase::Pending),
    ] {
        assert_eq!(PodPhase::from(raw), phase, "{raw}");
    }
    assert!(PodPhase::Failed.is_terminal() && PodPhase::Succeeded.is_terminal());
    assert!(!PodPhase::Unknown.is_terminal() && !PodPhase::Running.is_terminal());
}
