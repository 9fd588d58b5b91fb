//! Property tests of the Karmada object decoders (docs/reliability.md, "Bad input"): on arbitrary JSON
//! trees over the keys the types read, and on the realistic fixtures with fields replaced by
//! values of another type, every kind decodes or returns an error, never panics; decoding from
//! text and from a `Value` agree; a decoded object encodes and decodes back to itself; and the
//! helpers that read decoded objects (`replica_status`, conditions, claims, `unguard`) are total.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;
mod prop_support;

use karmada_types::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterResourceBinding,
    OverridePolicy, PropagationPolicy, ResourceBinding, ResourceBindingStatus, Work,
    well_known::ClaimingPolicy,
};
use kube::core::{DeserializeGuard, ObjectList, PartialObjectMeta, Resource, WatchEvent};
use prop_support::{KARMADA_KEYS, KARMADA_STRINGS, Mutation, apply, config, json_value, mutation};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Decodes `value` from its text and from a `Value` (the text parsed again: see
/// `crates/core/tests/properties_decode.rs` on float precision); both must agree. A decoded
/// object must encode, and decode back to itself.
fn decode<K>(value: &Value) -> Result<Option<K>, TestCaseError>
where
    K: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let text = value.to_string();
    let reparsed: Value = serde_json::from_str(&text).expect("printed JSON parses");
    let from_text = serde_json::from_str::<K>(&text);
    let from_value = serde_json::from_value::<K>(reparsed);
    let decoded = match (from_text, from_value) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(&a, &b);
            a
        }
        (Err(_), Err(_)) => return Ok(None),
        (a, b) => {
            prop_assert!(false, "from_str {:?} but from_value {:?}", a, b);
            return Ok(None);
        }
    };
    let encoded = serde_json::to_value(&decoded);
    prop_assert!(encoded.is_ok(), "{:?}", encoded);
    let again = serde_json::from_value::<K>(encoded.unwrap());
    prop_assert!(again.is_ok(), "{:?}", again);
    prop_assert_eq!(&again.unwrap(), &decoded);
    Ok(Some(decoded))
}

/// Decodes as a kube watcher would: plain, guarded (`unguard` must name the object), in a
/// watch event, in a list, as metadata only.
fn as_watched<K>(value: &Value) -> Result<Option<K>, TestCaseError>
where
    K: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug + Resource<DynamicType = ()>,
    K: Clone,
{
    let decoded = decode::<K>(value)?;
    let text = value.to_string();
    // An object that decodes must come through the guard unchanged. (The converse does not
    // hold for nonsense such as an array where an object belongs: serde's derive accepts a
    // struct as a sequence of its fields, and kube's buffered decoding checks the length of
    // such a sequence less strictly than serde_json does. Either way: a value or an error.)
    if let Ok(guard) = serde_json::from_str::<DeserializeGuard<K>>(&text) {
        match karmada_types::unguard(guard) {
            Ok(object) => {
                if let Some(decoded) = &decoded {
                    prop_assert_eq!(&object, decoded);
                }
            }
            Err(error) => {
                prop_assert!(decoded.is_none(), "guard failed on a decodable object");
                prop_assert_eq!(&error.kind, &*K::kind(&()));
                prop_assert!(!error.to_string().is_empty());
            }
        }
    }
    let event = json!({"type": "MODIFIED", "object": value}).to_string();
    let _ = serde_json::from_str::<WatchEvent<K>>(&event);
    let list = json!({"metadata": {}, "items": [value, {"metadata": {"name": "ok"}}]});
    let _ = serde_json::from_str::<ObjectList<DeserializeGuard<K>>>(&list.to_string());
    let _ = serde_json::from_str::<PartialObjectMeta<K>>(&text);
    Ok(decoded)
}

fn check_status(status: &ResourceBindingStatus) {
    let _ = status.scheduled_condition();
    let _ = status.fully_applied_condition();
    for item in &status.aggregated_status {
        if let Some(replicas) = item.replica_status() {
            let _ = replicas.ready_replicas;
        }
    }
}

/// Every kind, and the helpers on what decoded.
fn check_all(value: &Value) -> Result<(), TestCaseError> {
    if let Some(cluster) = as_watched::<Cluster>(value)? {
        let _ = cluster.status.ready_condition();
    }
    if let Some(binding) = as_watched::<ResourceBinding>(value)? {
        check_status(&binding.status);
        let _ = ClaimingPolicy::of(&binding.metadata);
        if let Some(placement) = &binding.spec.placement {
            let _ = placement.replica_scheduling_type();
        }
    }
    if let Some(binding) = as_watched::<ClusterResourceBinding>(value)? {
        check_status(&binding.status);
    }
    as_watched::<PropagationPolicy>(value)?;
    as_watched::<ClusterPropagationPolicy>(value)?;
    as_watched::<OverridePolicy>(value)?;
    as_watched::<ClusterOverridePolicy>(value)?;
    as_watched::<Work>(value)?;
    Ok(())
}

/// The fixtures, as JSON objects (watch-event and list fixtures contribute their objects).
fn fixtures() -> Vec<Value> {
    let mut objects: Vec<Value> = [
        "cluster-push.yaml",
        "cluster-pull.yaml",
        "cluster-future.json",
        "rb-deployment.yaml",
        "rb-future.json",
        "crb-namespace.yaml",
        "pp-cluster-affinities.yaml",
        "cpp-dynamic-weight.yaml",
        "work-with-overrides.yaml",
    ]
    .into_iter()
    .map(common::load_value)
    .collect();
    let list = common::load_value("rb-list-one-malformed.json");
    objects.extend(list["items"].as_array().cloned().unwrap_or_default());
    for line in common::fixture_text("rb-watch-events.jsonl").lines() {
        if let Ok(event) = serde_json::from_str::<Value>(line) {
            objects.push(event["object"].clone());
        }
    }
    objects
}

fn mutated(pick: prop::sample::Index, changes: &[Mutation]) -> Value {
    let objects = fixtures();
    let mut value = objects[pick.index(objects.len())].clone();
    for change in changes {
        apply(&mut value, change);
    }
    value
}

proptest! {
    #![proptest_config(config(300))]

    /// Arbitrary JSON trees.
    #[test]
    fn arbitrary_json_decodes_or_errors(value in json_value(KARMADA_KEYS, KARMADA_STRINGS)) {
        check_all(&value)?;
    }

    /// Arbitrary trees where each kind keeps its spec and status.
    #[test]
    fn arbitrary_specs_and_statuses_decode_or_error(
        spec in json_value(KARMADA_KEYS, KARMADA_STRINGS),
        status in json_value(KARMADA_KEYS, KARMADA_STRINGS),
        annotations in json_value(KARMADA_KEYS, KARMADA_STRINGS),
    ) {
        check_all(&json!({
            "metadata": {"name": "x", "namespace": "ns", "annotations": annotations},
            "spec": spec,
            "status": status,
        }))?;
        check_all(&json!({"spec": {"placement": spec, "clusters": status}}))?;
        check_all(&json!({"status": {"aggregatedStatus": [{"clusterName": "m1", "status": status}]}}))?;
    }

    /// The realistic fixtures with up to three nodes replaced by values of another type.
    #[test]
    fn mutated_fixtures_decode_or_error(
        pick in any::<prop::sample::Index>(),
        changes in proptest::collection::vec(mutation(KARMADA_KEYS, KARMADA_STRINGS), 1..4),
    ) {
        check_all(&mutated(pick, &changes))?;
    }
}
