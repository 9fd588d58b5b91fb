//! The pure helpers in `well_known` and `overrides`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_types::{
    AppliedOverride, ClaimingPolicy, WorkOverrides, binding_name, cluster_of_execution_namespace,
    execution_namespace, parse_applied_overrides, well_known,
};
use serde_json::json;

fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn binding_names_follow_karmada() {
    assert_eq!(binding_name("Deployment", "web"), "web-deployment");
    assert_eq!(binding_name("Namespace", "shop"), "shop-namespace");
    // Upper case anywhere is lowered, the name included.
    assert_eq!(
        binding_name("StatefulSet", "DB-Main"),
        "db-main-statefulset"
    );
    // `:` (RBAC names) becomes `.`.
    assert_eq!(
        binding_name("ClusterRole", "system:aggregate-to-edit"),
        "system.aggregate-to-edit-clusterrole"
    );
    assert_eq!(
        binding_name("ClusterRoleBinding", "a:b:c"),
        "a.b.c-clusterrolebinding"
    );
    // Dots already in a name stay.
    assert_eq!(
        binding_name("ConfigMap", "app.config"),
        "app.config-configmap"
    );
}

#[test]
fn execution_namespaces() {
    assert_eq!(execution_namespace("member-eu-1"), "karmada-es-member-eu-1");
    assert_eq!(
        cluster_of_execution_namespace("karmada-es-member-eu-1"),
        Some("member-eu-1")
    );
    assert_eq!(cluster_of_execution_namespace("karmada-es-"), None);
    assert_eq!(cluster_of_execution_namespace("shop"), None);
    assert_eq!(cluster_of_execution_namespace("karmada-system"), None);
    assert_eq!(well_known::EXECUTION_NAMESPACE_PREFIX, "karmada-es-");
    assert_eq!(well_known::CLUSTER_SECRET_NAMESPACE, "karmada-cluster");
}

#[test]
fn well_known_keys_are_spelled_like_karmada() {
    assert_eq!(
        well_known::PROPAGATION_POLICY_NAME_ANNOTATION,
        "propagationpolicy.karmada.io/name"
    );
    assert_eq!(
        well_known::PROPAGATION_POLICY_NAMESPACE_ANNOTATION,
        "propagationpolicy.karmada.io/namespace"
    );
    assert_eq!(
        well_known::CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION,
        "clusterpropagationpolicy.karmada.io/name"
    );
    assert_eq!(
        well_known::RESOURCE_BINDING_PERMANENT_ID_LABEL,
        "resourcebinding.karmada.io/permanent-id"
    );
    assert_eq!(
        well_known::CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
        "clusterresourcebinding.karmada.io/permanent-id"
    );
    assert_eq!(
        well_known::APPLIED_OVERRIDES_ANNOTATION,
        "policy.karmada.io/applied-overrides"
    );
    assert_eq!(
        well_known::APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
        "policy.karmada.io/applied-cluster-overrides"
    );
    assert_eq!(
        (
            well_known::CONDITION_READY,
            well_known::CONDITION_SCHEDULED,
            well_known::CONDITION_FULLY_APPLIED
        ),
        ("Ready", "Scheduled", "FullyApplied")
    );
}

#[test]
fn claiming_policy_from_annotations() {
    let pp = annotations(&[
        ("propagationpolicy.karmada.io/name", "web-pp"),
        ("propagationpolicy.karmada.io/namespace", "shop"),
        ("unrelated", "x"),
    ]);
    assert_eq!(
        ClaimingPolicy::from_annotations(&pp, Some("other")),
        ClaimingPolicy::Propagation {
            namespace: "shop".into(),
            name: "web-pp".into()
        }
    );

    let cpp = annotations(&[("clusterpropagationpolicy.karmada.io/name", "everywhere")]);
    assert_eq!(
        ClaimingPolicy::from_annotations(&cpp, Some("shop")),
        ClaimingPolicy::ClusterPropagation {
            name: "everywhere".into()
        }
    );

    // Both present: the namespaced policy wins.
    let both = annotations(&[
        ("propagationpolicy.karmada.io/name", "web-pp"),
        ("propagationpolicy.karmada.io/namespace", "shop"),
        ("clusterpropagationpolicy.karmada.io/name", "everywhere"),
    ]);
    assert!(matches!(
        ClaimingPolicy::from_annotations(&both, None),
        ClaimingPolicy::Propagation { .. }
    ));

    // PP name without namespace: falls back to the binding's namespace, or gives up.
    let name_only = annotations(&[("propagationpolicy.karmada.io/name", "web-pp")]);
    assert_eq!(
        ClaimingPolicy::from_annotations(&name_only, Some("shop")),
        ClaimingPolicy::Propagation {
            namespace: "shop".into(),
            name: "web-pp".into()
        }
    );
    assert_eq!(
        ClaimingPolicy::from_annotations(&name_only, None),
        ClaimingPolicy::None
    );

    // Empty values count as absent.
    let empty = annotations(&[
        ("propagationpolicy.karmada.io/name", ""),
        ("clusterpropagationpolicy.karmada.io/name", ""),
    ]);
    assert_eq!(
        ClaimingPolicy::from_annotations(&empty, Some("shop")),
        ClaimingPolicy::None
    );
    assert_eq!(
        ClaimingPolicy::from_annotations(&BTreeMap::new(), Some("shop")),
        ClaimingPolicy::None
    );
    assert_eq!(
        ClaimingPolicy::of(&ObjectMeta::default()),
        ClaimingPolicy::None
    );
}

#[test]
fn applied_overrides_parse() {
    let parsed = parse_applied_overrides(
        r#"[{"policyName":"a","overriders":{"plaintext":[{"path":"/x","operator":"remove"}]},"future":1},
            {"policyName":"b"}]"#,
    )
    .unwrap();
    assert_eq!(
        parsed,
        vec![
            AppliedOverride {
                policy_name: "a".into(),
                overriders: json!({"plaintext":[{"path":"/x","operator":"remove"}]}),
            },
            AppliedOverride {
                policy_name: "b".into(),
                overriders: serde_json::Value::Null,
            },
        ]
    );
    assert!(parse_applied_overrides("").unwrap().is_empty());
    assert!(parse_applied_overrides("  \n").unwrap().is_empty());
    assert!(parse_applied_overrides("null").unwrap().is_empty());
    assert!(parse_applied_overrides("[]").unwrap().is_empty());
}

#[test]
fn malformed_applied_overrides_are_precise_errors() {
    // Cut short.
    let err = parse_applied_overrides(r#"[{"policyName":"a""#).unwrap_err();
    assert!(err.is_syntax());
    assert_eq!((err.line(), err.column()), (1, 18));
    assert!(err.to_string().contains("EOF"), "{err}");

    // Not JSON.
    let err = parse_applied_overrides("web-eu-registry").unwrap_err();
    assert!(err.is_syntax());
    assert!(err.to_string().contains("line 1 column 1"), "{err}");

    // Regression (property `applied_overrides_parse_or_error`): text that starts like JSON of
    // the wrong shape but is not JSON at all was reported as a shape error ("invalid type:
    // integer `0`, expected a sequence"), so `is_syntax` was false for "0f".
    for text in [
        "0f",
        "{\"policyName\":\"a\"} trailing",
        "[{\"policyName\":1}",
    ] {
        let err = parse_applied_overrides(text).unwrap_err();
        assert!(err.is_syntax(), "{text:?}: {err}");
    }
    let err = parse_applied_overrides("0f").unwrap_err();
    assert_eq!((err.line(), err.column()), (1, 2), "{err}");

    // JSON of the wrong shape.
    let err = parse_applied_overrides(r#"{"policyName":"a"}"#).unwrap_err();
    assert!(!err.is_syntax());
    assert!(err.to_string().contains("expected a sequence"), "{err}");

    let err = parse_applied_overrides(r#"[{"overriders":{}}]"#).unwrap_err();
    assert!(
        err.to_string().contains("missing field `policyName`"),
        "{err}"
    );

    // Regression (property `applied_overrides_parse_or_error`): an entry written as a list of
    // the fields in order was accepted as an entry (`[[""]]` gave one nameless override).
    for text in [r#"[[""]]"#, r#"[["web-eu", {}]]"#] {
        let err = parse_applied_overrides(text).unwrap_err();
        assert!(
            err.to_string()
                .contains("expected an object with a policyName"),
            "{text}: {err}"
        );
    }

    let err = parse_applied_overrides(r#"[{"policyName":42}]"#).unwrap_err();
    assert!(
        err.to_string().contains("invalid type: integer `42`"),
        "{err}"
    );
    assert_eq!(err.annotation(), None);
}

#[test]
fn work_overrides_name_the_bad_annotation() {
    let good = r#"[{"policyName":"ok","overriders":{}}]"#;
    let ann = annotations(&[
        ("policy.karmada.io/applied-overrides", good),
        ("policy.karmada.io/applied-cluster-overrides", "[{"),
    ]);
    let err = WorkOverrides::from_annotations(&ann).unwrap_err();
    assert_eq!(
        err.annotation(),
        Some("policy.karmada.io/applied-cluster-overrides")
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("annotation policy.karmada.io/applied-cluster-overrides: "),
        "{msg}"
    );
    assert!(msg.contains("line 1 column 2"), "{msg}");

    let only_ns = annotations(&[("policy.karmada.io/applied-overrides", good)]);
    let parsed = WorkOverrides::from_annotations(&only_ns).unwrap();
    assert_eq!(parsed.overrides.len(), 1);
    assert!(parsed.cluster_overrides.is_empty());
    assert_eq!(
        WorkOverrides::from_annotations(&BTreeMap::new()).unwrap(),
        WorkOverrides::default()
    );
}
