//! The claiming policy: named, missing, or present but undecodable.

use karmada_manager_api::conditions::{reasons, status, types};
use karmada_types::{ClusterPropagationPolicy, PropagationPolicy};
use serde_json::json;

use super::*;

#[test]
fn policy_claims() {
    // No claim annotations: no policy block, nothing stalled.
    let built = Fixture::new()
        .annotations(json!({}))
        .policy_missing()
        .build();
    assert_eq!(built.status.policy, None);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(state_of(&built, types::STALLED), ("-", "-"));

    // Claimed by a ClusterPropagationPolicy that no longer exists.
    let built = Fixture::new()
        .annotations(json!({"clusterpropagationpolicy.karmada.io/name": "global"}))
        .policy_missing()
        .build();
    let policy = built.status.policy.as_ref().expect("policy named");
    assert_eq!(
        (policy.kind.as_str(), policy.name.as_str()),
        ("ClusterPropagationPolicy", "global")
    );
    assert_eq!((policy.namespace.as_ref(), policy.priority), (None, None));
    assert_eq!(policy.conflict_resolution, None);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::POLICY_NOT_FOUND)
    );
    assert_eq!(
        state_of(&built, types::STALLED),
        (status::TRUE, reasons::POLICY_NOT_FOUND)
    );
    let message = &condition(&built, types::STALLED).expect("stalled").message;
    assert!(
        message.contains("ClusterPropagationPolicy global, which does not exist"),
        "{message}"
    );
    assert_eq!(built.state, WorkloadState::Failed);

    // A PropagationPolicy claim without the namespace annotation: the binding's namespace.
    let built = Fixture::new()
        .annotations(json!({"propagationpolicy.karmada.io/name": "web-pp"}))
        .build();
    let policy = built.status.policy.as_ref().expect("policy");
    assert_eq!(policy.namespace.as_deref(), Some("shop"));
}

#[test]
fn a_policy_that_exists_but_does_not_decode() {
    // Karmada's CRD lets a priority beyond 32 bits through (`format: int32` is not enforced).
    let error = undecodable::<PropagationPolicy>(json!({
        "metadata": {"name": "web-pp", "namespace": "shop"},
        "spec": {"priority": 3_000_000_000_u64, "conflictResolution": "Overwrite"}
    }));
    let built = Fixture::new().policy_malformed(error).build();
    // Not "not found": it exists. Named, without the figures that could not be read.
    let named = built.status.policy.as_ref().expect("policy named");
    assert_eq!(
        (
            named.kind.as_str(),
            named.namespace.as_deref(),
            named.name.as_str()
        ),
        ("PropagationPolicy", Some("shop"), "web-pp")
    );
    assert_eq!(
        (named.priority, named.conflict_resolution.as_ref()),
        (None, None)
    );
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::MALFORMED_POLICY)
    );
    assert_eq!(
        state_of(&built, types::STALLED),
        (status::TRUE, reasons::MALFORMED_POLICY)
    );
    assert_eq!(state_of(&built, types::RECONCILING), ("-", "-"));
    let message = &condition(&built, types::READY).expect("ready").message;
    assert_eq!(
        message,
        "The binding names PropagationPolicy shop/web-pp, which exists but cannot be decoded \
         (spec.priority: Invalid value integer `3000000000`. Expected i32): the workload runs as \
         last scheduled, and status.policy shows no priority or conflict resolution. Fix that \
         field of the policy on the hub (kubectl edit propagationpolicy web-pp -n shop)."
    );
    assert_eq!(
        &condition(&built, types::STALLED).expect("stalled").message,
        message
    );
    assert_eq!(built.state, WorkloadState::Failed);

    // A ClusterPropagationPolicy, deep down a list; a rollout in progress keeps Ready's reason.
    let rolling_out = Fixture::new()
        .annotations(json!({"clusterpropagationpolicy.karmada.io/name": "global"}))
        .member_status("m1", "readyReplicas", 5)
        .policy_malformed(undecodable::<ClusterPropagationPolicy>(json!({
            "metadata": {"name": "global"},
            "spec": {"placement": {"spreadConstraints": [{"maxGroups": 2}, {"maxGroups": 1e19}]}}
        })));
    let built = rolling_out.build();
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::REPLICAS_NOT_READY)
    );
    assert_eq!(
        state_of(&built, types::STALLED),
        (status::TRUE, reasons::MALFORMED_POLICY)
    );
    let message = &condition(&built, types::STALLED).expect("stalled").message;
    assert!(
        message.starts_with(
            "The binding names ClusterPropagationPolicy global, which exists but cannot be \
             decoded (spec.placement.spreadConstraints[1].maxGroups: "
        ),
        "{message}"
    );
    assert!(
        message.ends_with("(kubectl edit clusterpropagationpolicy global)."),
        "{message}"
    );

    // Fixed on the hub: the figures are back, nothing is stalled.
    let built = rolling_out
        .policy_found()
        .member_status("m1", "readyReplicas", 6)
        .build();
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(state_of(&built, types::STALLED), ("-", "-"));
    assert_eq!(
        built.status.policy.as_ref().and_then(|p| p.priority),
        Some(5)
    );
}
