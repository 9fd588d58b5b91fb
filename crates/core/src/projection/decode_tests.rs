//! The hand-written decoders ([`super::wire`] and the accumulators built on it): the rules of
//! serde's derive they replace, on the edges the fixtures in `tests/decode.rs` do not reach.

use std::sync::Arc;

use serde_json::json;

use super::de::{ConditionType, Conditions};
use super::pod_status::ContainerStatuses;
use super::wire::{IsTrue, Matched, wire_struct};
use super::*;
use crate::interner::intern_str;

wire_struct! {
    struct Probe {
        "name" => name: String,
        "count" => count: i64,
        "ready" => ready: Matched<IsTrue>,
    }
}

fn probe(text: &str) -> Result<Probe, serde_json::Error> {
    serde_json::from_str(text)
}

#[test]
fn wire_structs_skip_unknown_keys_and_default_missing_or_null_fields() {
    let p = probe(r#"{"extra":{"deep":[1,{"name":"no"}]},"count":3,"more":null}"#).unwrap();
    assert_eq!((p.name.as_str(), p.count, p.ready.0.0), ("", 3, false));
    let p = probe(r#"{"name":null,"count":null,"ready":null}"#).unwrap();
    assert_eq!((p.name.as_str(), p.count, p.ready.0.0), ("", 0, false));
    let p = probe(r#"{"ready":"True","name":"a"}"#).unwrap();
    assert_eq!((p.name.as_str(), p.ready.0.0), ("a", true));
}

#[test]
fn wire_structs_match_escaped_and_reject_long_keys() {
    // `\u0063ount` is `count`: serde_json copies an escaped key, which takes the inline path.
    assert_eq!(probe(r#"{"\u0063ount":7}"#).unwrap().count, 7);
    let long = format!(r#"{{"{}":1,"count":2}}"#, "count".repeat(10));
    assert_eq!(probe(&long).unwrap().count, 2, "a long key is just unknown");
    // From a `serde_json::Value`, keys arrive as strings.
    let value = json!({"count": 5, "name": "v", "other": [1]});
    let p: Probe = serde_json::from_value(value).unwrap();
    assert_eq!((p.name.as_str(), p.count), ("v", 5));
}

#[test]
fn wire_structs_read_the_positional_form_as_derive_did() {
    let p = probe(r#"["n",4]"#).unwrap();
    assert_eq!((p.name.as_str(), p.count, p.ready.0.0), ("n", 4, false));
    assert!(probe(r#"["n",4,"True","surplus"]"#).is_err());
}

#[test]
fn wire_structs_reject_malformed_input_without_panicking() {
    for text in [
        r#"{"count":1,"count":2}"#, // a repeated field, as with derive
        r#"{"count":"three"}"#,     // wrong type
        r#"{"name":5}"#,            // wrong type
        r#"{"ready":true}"#,        // a compared string that is not a string
        r#"{"ready":["True"]}"#,    // nor a list
        r#"{"count":1"#,            // truncated
        r#"{"count" 1}"#,           // no colon
        r#"{1:2}"#,                 // a key that is not a string
        r#""a string""#,            // not an object
        r#"null"#,                  // the struct itself cannot be null
        "",
    ] {
        assert!(probe(text).is_err(), "{text}");
    }
    // A key that is not UTF-8 is unknown, not an error (it can match no field name).
    let bytes = b"{\"co\xffnt\":1,\"count\":2}";
    let p: Probe = serde_json::from_slice(bytes).unwrap();
    assert_eq!(p.count, 2);
}

fn conditions(value: serde_json::Value) -> Result<Conditions, serde_json::Error> {
    serde_json::from_value(value)
}

#[test]
fn conditions_keep_the_first_entry_of_each_type() {
    let c = conditions(json!([
        {"type": "Ready", "status": "False"},
        {"type": "Ready", "status": "True"},
        {"type": "DiskPressure", "status": "True", "reason": "x"},
        {"type": "SomethingNew", "status": "True"},
        {"status": "True"},
        {"type": "PIDPressure"},
    ]))
    .unwrap();
    assert!(!c.is_true(ConditionType::Ready), "the first Ready decides");
    assert!(c.is_true(ConditionType::DiskPressure));
    assert!(
        !c.is_true(ConditionType::PidPressure),
        "no status is not True"
    );
    assert!(!c.is_true(ConditionType::MemoryPressure), "absent");
    assert!(conditions(json!([])).unwrap() == Conditions::default());
    for bad in [
        json!({"type": "Ready"}),
        json!([null]),
        json!([{"type": 1}]),
        json!("Ready"),
    ] {
        assert!(conditions(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn container_statuses_sum_restarts_and_spot_crash_loops() {
    let statuses: ContainerStatuses = serde_json::from_value(json!([
        {"name": "a", "restartCount": 3, "state": {"running": {}}},
        {"name": "b", "restartCount": -9, "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
        {"name": "c", "restartCount": i64::MAX, "state": null},
        {"name": "d", "state": {"waiting": null}},
    ]))
    .unwrap();
    assert_eq!(
        statuses.restarts,
        i64::MAX,
        "negative ignored, sum saturates"
    );
    assert!(statuses.crash_looping);
    let none: ContainerStatuses = serde_json::from_value(json!([{"restartCount": 1}])).unwrap();
    assert_eq!((none.restarts, none.crash_looping), (1, false));
    let bad = json!([{"restartCount": 1.5}]);
    assert!(serde_json::from_value::<ContainerStatuses>(bad).is_err());
}

fn pod(value: serde_json::Value) -> SlimPod {
    serde_json::from_value(value).unwrap()
}

#[test]
fn the_first_controller_owner_is_kept_and_interned() {
    let owners = json!([
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "u0"},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1", "controller": false},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u2", "controller": true},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-2", "uid": "u3", "controller": true},
    ]);
    let p = pod(json!({"metadata": {"name": "p", "namespace": "ns", "ownerReferences": owners}}));
    let controller = p.controller.clone().unwrap();
    assert_eq!((&*controller.name, &*controller.uid), ("web-1", "u2"));
    assert!(Arc::ptr_eq(&controller.api_version, &intern_str("apps/v1")));
    assert!(Arc::ptr_eq(&controller.kind, &intern_str("ReplicaSet")));
    let again = pod(json!({"metadata": {"ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u2", "controller": true}
    ]}}));
    assert!(Arc::ptr_eq(&controller, &again.controller.unwrap()));
    // Found from its text as the reference built whole would be: the same hash and equality.
    let built = intern_controller(ControllerRef {
        api_version: intern_str("apps/v1"),
        kind: intern_str("ReplicaSet"),
        name: Arc::from("web-1"),
        uid: Arc::from("u2"),
    });
    assert!(Arc::ptr_eq(&controller, &built));
    let long = "a".repeat(300);
    let named_long = pod(json!({"metadata": {"ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": long, "uid": "u4", "controller": true}
    ]}}));
    assert_eq!(&*named_long.controller.unwrap().name, long);
    let rare = pod(json!({"metadata": {"ownerReferences": [
        {"apiVersion": "example.com/v1", "kind": "Thing", "controller": true}
    ]}}));
    let rare = rare.controller.unwrap();
    assert_eq!((&*rare.kind, &*rare.name, &*rare.uid), ("Thing", "", ""));
    let bad = json!({"metadata": {"ownerReferences": [{"kind": 3, "controller": true}]}});
    assert!(serde_json::from_value::<SlimPod>(bad).is_err());
}

#[test]
fn well_known_resource_names_are_the_interned_ones() {
    let p = pod(json!({"spec": {"containers": [
        {"resources": {"requests": {"cpu": "1", "example.com/dongle": "2"}}}
    ]}}));
    let names: Vec<&Arc<str>> = p.requests.iter().map(|e| &e.name).collect();
    assert!(Arc::ptr_eq(names[0], &intern_str("cpu")));
    assert!(Arc::ptr_eq(names[1], &intern_str("example.com/dongle")));
    // A resource name is kept, so it must be UTF-8: an error, not a panic.
    let bytes = b"{\"spec\":{\"overhead\":{\"cp\xffu\":\"1\"}}}";
    assert!(serde_json::from_slice::<SlimPod>(bytes).is_err());
}

#[test]
fn phases_and_restart_policies_are_compared_in_place() {
    let p = pod(json!({
        "spec": {"initContainers": [
            {"restartPolicy": "Always", "resources": {"requests": {"cpu": "1"}}},
            {"restartPolicy": "always", "resources": {"requests": {"cpu": "5"}}},
        ]},
        "status": {"phase": "Failed"},
    }));
    assert_eq!(p.phase, PodPhase::Failed);
    // The sidecar (1) runs alongside; `always` is no restart policy, so that one is a classic
    // init container: max(1, 1 + 5) = 6.
    assert_eq!(p.requests.amount("cpu"), crate::Amount::from_units(6));
    assert_eq!(
        pod(json!({"status": {"phase": null}})).phase,
        PodPhase::Pending
    );
    assert!(serde_json::from_value::<SlimPod>(json!({"status": {"phase": 1}})).is_err());
}

#[test]
fn node_labels_are_read_as_bytes() {
    let node: SlimNode = serde_json::from_value(json!({"metadata": {"name": "n", "labels": {
        "node-role.kubernetes.io/gpu": "",
        "topology.kubernetes.io/zone": "z1",
        "unrelated": "x",
    }}}))
    .unwrap();
    assert_eq!(node.roles.iter().map(|r| &**r).collect::<Vec<_>>(), ["gpu"]);
    assert_eq!(node.zone.as_deref(), Some("z1"));
    let bytes = b"{\"metadata\":{\"labels\":{\"node-role.kubernetes.io/g\xffu\":\"\"}}}";
    assert!(
        serde_json::from_slice::<SlimNode>(bytes).is_err(),
        "a role must be UTF-8"
    );
}
