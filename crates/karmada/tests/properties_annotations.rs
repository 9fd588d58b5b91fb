//! Property tests of the parsers of free text (docs/reliability.md, "Bad input"): the applied-overrides
//! annotations of Works, the claim annotations of bindings, the naming conventions and the open
//! enums. Any string gives a value or an error, never a panic, and the values obey the rules
//! the docs state.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod prop_support;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_types::well_known::{
    APPLIED_CLUSTER_OVERRIDES_ANNOTATION, APPLIED_OVERRIDES_ANNOTATION,
    CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION, PROPAGATION_POLICY_NAME_ANNOTATION,
    PROPAGATION_POLICY_NAMESPACE_ANNOTATION,
};
use karmada_types::{
    ClaimingPolicy, ConditionStatus, ConflictResolution, DynamicWeightFactor, PreemptionBehavior,
    PurgeMode, ReplicaDivisionPreference, ReplicaSchedulingType, ResourceHealth, SpreadByField,
    SyncMode, TaintEffect, WorkOverrides, binding_name, cluster_of_execution_namespace,
    execution_namespace, parse_applied_overrides,
};
use prop_support::{KARMADA_KEYS, KARMADA_STRINGS, config, json_value};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Annotation values: arbitrary text, arbitrary JSON, and lists of override entries whose
/// fields have arbitrary types.
fn annotation_value() -> impl Strategy<Value = String> {
    let entry = (
        prop_oneof![
            json_value(KARMADA_KEYS, KARMADA_STRINGS),
            "[a-z-]{0,12}".prop_map(Value::String),
        ],
        json_value(KARMADA_KEYS, KARMADA_STRINGS),
        any::<bool>(),
    )
        .prop_map(|(name, overriders, with_name)| {
            if with_name {
                json!({"policyName": name, "overriders": overriders})
            } else {
                json!({"overriders": overriders})
            }
        });
    prop_oneof![
        2 => any::<String>(),
        1 => Just(String::new()),
        1 => Just("null".to_owned()),
        1 => "[ \t\n]{0,3}",
        2 => json_value(KARMADA_KEYS, KARMADA_STRINGS).prop_map(|v| v.to_string()),
        4 => proptest::collection::vec(entry, 0..4).prop_map(|list| Value::Array(list).to_string()),
        // Valid JSON cut short: a syntax error.
        1 => (proptest::collection::vec("[a-z]{1,8}", 1..3), any::<prop::sample::Index>()).prop_map(|(names, cut)| {
            let text = Value::Array(names.into_iter().map(|n| json!({"policyName": n})).collect()).to_string();
            let end = cut.index(text.len());
            text[..end].to_owned()
        }),
    ]
}

/// Annotations maps: the keys the parsers read, other keys, arbitrary values.
fn annotations() -> impl Strategy<Value = BTreeMap<String, String>> {
    let key = prop_oneof![
        3 => prop::sample::select(vec![
            APPLIED_OVERRIDES_ANNOTATION,
            APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
            PROPAGATION_POLICY_NAME_ANNOTATION,
            PROPAGATION_POLICY_NAMESPACE_ANNOTATION,
            CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION,
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    let value = prop_oneof![
        annotation_value(),
        prop::sample::select(vec!["", "web-pp", "shop"]).prop_map(str::to_owned),
    ];
    proptest::collection::btree_map(key, value, 0..6)
}

proptest! {
    #![proptest_config(config(2000))]

    /// The applied-overrides parser: an error for anything but an empty value, `null` or a
    /// list of objects each with a string `policyName`; the error says where; syntax errors
    /// only for text that is not JSON.
    #[test]
    fn applied_overrides_parse_or_error(raw in annotation_value()) {
        let parsed = parse_applied_overrides(&raw);
        let json: Option<Value> = serde_json::from_str(&raw).ok();
        match &parsed {
            Ok(list) => {
                let expected = if raw.trim().is_empty() { Some(0) } else {
                    match &json {
                        Some(Value::Null) => Some(0),
                        Some(Value::Array(items)) => Some(items.len()),
                        _ => None,
                    }
                };
                prop_assert_eq!(Some(list.len()), expected, "{:?}", raw);
                if let Some(Value::Array(items)) = &json {
                    for (item, parsed) in items.iter().zip(list) {
                        prop_assert_eq!(item.get("policyName").and_then(Value::as_str), Some(parsed.policy_name.as_str()));
                    }
                }
            }
            Err(error) => {
                prop_assert!(!raw.trim().is_empty());
                prop_assert!(error.line() >= 1);
                prop_assert!(!error.to_string().is_empty());
                prop_assert_eq!(error.annotation(), None);
                if json.is_some() {
                    prop_assert!(!error.is_syntax(), "valid JSON is a shape error: {}", error);
                } else {
                    prop_assert!(error.is_syntax(), "not JSON is a syntax error: {}", error);
                }
            }
        }
    }

    /// Both annotations of a Work: parsed when both parse, else the first error, naming its
    /// annotation.
    #[test]
    fn work_overrides_parse_or_error(annotations in annotations()) {
        let parsed = WorkOverrides::from_annotations(&annotations);
        let one = |key: &str| annotations.get(key).map(|raw| parse_applied_overrides(raw));
        let namespaced = one(APPLIED_OVERRIDES_ANNOTATION);
        let cluster = one(APPLIED_CLUSTER_OVERRIDES_ANNOTATION);
        match parsed {
            Ok(overrides) => {
                prop_assert_eq!(overrides.overrides.len(), namespaced.map_or(0, |r| r.unwrap().len()));
                prop_assert_eq!(overrides.cluster_overrides.len(), cluster.map_or(0, |r| r.unwrap().len()));
            }
            Err(error) => {
                let expected = if namespaced.as_ref().is_some_and(Result::is_err) {
                    APPLIED_OVERRIDES_ANNOTATION
                } else {
                    prop_assert!(cluster.as_ref().is_some_and(Result::is_err));
                    APPLIED_CLUSTER_OVERRIDES_ANNOTATION
                };
                prop_assert_eq!(error.annotation(), Some(expected));
                prop_assert!(error.to_string().contains(expected));
            }
        }
    }

    /// The claim annotations: total, and what the rule says (PropagationPolicy first, empty
    /// values absent, the binding's namespace as the fallback).
    #[test]
    fn claims_follow_the_rule(annotations in annotations(), namespace in proptest::option::of("[a-z]{0,5}")) {
        let claim = ClaimingPolicy::from_annotations(&annotations, namespace.as_deref());
        let get = |key: &str| annotations.get(key).filter(|v| !v.is_empty());
        let pp_namespace = get(PROPAGATION_POLICY_NAMESPACE_ANNOTATION)
            .cloned()
            .or(namespace.clone().filter(|n| !n.is_empty()));
        let expected = match (get(PROPAGATION_POLICY_NAME_ANNOTATION), pp_namespace) {
            (Some(name), Some(namespace)) => ClaimingPolicy::Propagation { namespace, name: name.clone() },
            _ => match get(CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION) {
                Some(name) => ClaimingPolicy::ClusterPropagation { name: name.clone() },
                None => ClaimingPolicy::None,
            },
        };
        prop_assert_eq!(&claim, &expected);
        let meta = ObjectMeta { annotations: Some(annotations), namespace, ..ObjectMeta::default() };
        prop_assert_eq!(ClaimingPolicy::of(&meta), claim);
    }

    /// Naming conventions on any string.
    #[test]
    fn names_are_total(kind in any::<String>(), name in any::<String>(), cluster in any::<String>()) {
        let binding = binding_name(&kind, &name);
        // As Karmada's GenerateBindingName, only the name's `:` are replaced (kinds have none).
        prop_assert_eq!(binding.contains(':'), kind.contains(':'));
        prop_assert_eq!(binding.to_lowercase(), binding.clone());
        let namespace = execution_namespace(&cluster);
        let back = cluster_of_execution_namespace(&namespace);
        prop_assert_eq!(back, (!cluster.is_empty()).then_some(cluster.as_str()));
        let _ = cluster_of_execution_namespace(&cluster);
    }

    /// Every open enum: any string is kept verbatim (known values map to their variant); any
    /// other JSON type is an error.
    #[test]
    fn open_enums_keep_any_string(raw in prop_oneof![
        prop::sample::select(KARMADA_STRINGS).prop_map(str::to_owned),
        any::<String>(),
    ], other in json_value(KARMADA_KEYS, KARMADA_STRINGS)) {
        fn check<E>(raw: &str, other: &Value) -> Result<(), TestCaseError>
        where
            E: for<'a> From<&'a str> + AsRef<str> + serde::de::DeserializeOwned + serde::Serialize
                + PartialEq + std::fmt::Debug,
        {
            let value = E::from(raw);
            prop_assert_eq!(value.as_ref(), raw);
            let decoded: E = serde_json::from_value(json!(raw)).unwrap();
            prop_assert_eq!(&decoded, &value);
            prop_assert_eq!(serde_json::to_value(&decoded).unwrap(), json!(raw));
            let from_other = serde_json::from_value::<E>(other.clone());
            prop_assert_eq!(from_other.is_ok(), other.is_string());
            Ok(())
        }
        check::<SyncMode>(&raw, &other)?;
        check::<ResourceHealth>(&raw, &other)?;
        check::<PurgeMode>(&raw, &other)?;
        check::<ConflictResolution>(&raw, &other)?;
        check::<PreemptionBehavior>(&raw, &other)?;
        check::<ReplicaSchedulingType>(&raw, &other)?;
        check::<ReplicaDivisionPreference>(&raw, &other)?;
        check::<DynamicWeightFactor>(&raw, &other)?;
        check::<SpreadByField>(&raw, &other)?;
        check::<ConditionStatus>(&raw, &other)?;
        check::<TaintEffect>(&raw, &other)?;
    }
}
