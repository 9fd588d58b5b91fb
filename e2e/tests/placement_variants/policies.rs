//! Claiming policies the hub holds but the operator cannot decode.

use super::{
    WAIT, apply_binding, binding, condition, place, policy, ready, scheduled_status, status,
};
use crate::support::{self, eventually, karmada};
use anyhow::Result;
use karmada_manager_api::{ClusterWorkloadPlacement, WorkloadPlacementStatus};
use kube::api::{Api, DynamicObject};
use serde_json::{Value, json};

/// A priority beyond 32 bits: Karmada's CRD declares `priority` `integer` with `format: int32`,
/// which the API server does not enforce, so it stores the policy; a 32-bit decoder (Karmada's
/// Go types and the operator's alike) refuses it.
const TOO_BIG: i64 = 3_000_000_000;

/// A PropagationPolicy and a ClusterPropagationPolicy with a priority beyond 32 bits are stored
/// by the API server; their placements say `MalformedPolicy` (not `PolicyNotFound`), naming the
/// policy and the field, while a sane workload beside them stays Ready. Fixing the priority
/// clears it.
#[tokio::test(flavor = "multi_thread")]
async fn undecodable_policies_are_named_with_the_field() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&hub, "shop").await?;
    let placement = json!({"clusterAffinity": {"clusterNames": ["m1"]}});
    place(&hub, "sane", 1, &[("m1", 1)], placement.clone()).await?;

    let mut big = policy("big", placement.clone());
    big["spec"]["priority"] = json!(TOO_BIG);
    support::apply(&hub, &karmada::propagation_policies(), Some("shop"), big).await?;
    let stored = Api::<DynamicObject>::namespaced_with(
        hub.clone(),
        "shop",
        &karmada::propagation_policies(),
    )
    .get("big-pp")
    .await?;
    assert_eq!(
        stored.data["spec"]["priority"],
        json!(TOO_BIG),
        "the API server stores the policy as given"
    );
    apply_binding(
        &hub,
        binding("big", 1, &[("m1", 1)], placement.clone()),
        |g| scheduled_status(g, &[("m1", 1, 1)]),
    )
    .await?;

    support::apply(
        &hub,
        &karmada::cluster_propagation_policies(),
        None,
        cluster_policy(TOO_BIG),
    )
    .await?;
    apply_binding(
        &hub,
        json!({
            "apiVersion": "work.karmada.io/v1alpha2", "kind": "ClusterResourceBinding",
            "metadata": {"name": "tools-namespace",
                         "annotations": {"clusterpropagationpolicy.karmada.io/name": "big-namespaces"}},
            "spec": {"resource": {"apiVersion": "v1", "kind": "Namespace", "name": "tools"},
                     "clusters": [{"name": "m1"}], "placement": placement},
        }),
        |g| {
            let mut s = scheduled_status(g, &[]);
            s["aggregatedStatus"] =
                json!([{"clusterName": "m1", "applied": true, "health": "Healthy"}]);
            s
        },
    )
    .await?;

    let _operator = support::start_operator(&env, &[]).await?;

    let big = eventually(
        "big",
        WAIT,
        || status(&hub, "big-deployment"),
        |s| condition(s, "Stalled").is_some(),
    )
    .await?;
    assert_eq!(condition(&big, "Ready"), Some(("True", "MalformedPolicy")));
    assert_eq!(
        condition(&big, "Stalled"),
        Some(("True", "MalformedPolicy"))
    );
    let named = big.policy.as_ref().expect("policy named");
    assert_eq!(
        (
            named.kind.as_str(),
            named.namespace.as_deref(),
            named.name.as_str()
        ),
        ("PropagationPolicy", Some("shop"), "big-pp")
    );
    assert_eq!(
        (named.priority, named.conflict_resolution.as_ref()),
        (None, None)
    );
    let message = message_of(&big, "Ready");
    eprintln!("MalformedPolicy (PropagationPolicy): {message}");
    assert_eq!(
        message,
        "The binding names PropagationPolicy shop/big-pp, which exists but cannot be decoded \
         (spec.priority: Invalid value integer `3000000000`. Expected i32): the workload runs \
         as last scheduled, and status.policy shows no priority or conflict resolution. Fix \
         that field of the policy on the hub (kubectl edit propagationpolicy big-pp -n shop)."
    );

    let placements = Api::<ClusterWorkloadPlacement>::all(hub.clone());
    let tools = eventually(
        "tools",
        WAIT,
        || async {
            Ok(placements
                .get("tools-namespace")
                .await?
                .status
                .unwrap_or_default())
        },
        |s| condition(s, "Stalled").is_some(),
    )
    .await?;
    assert_eq!(
        condition(&tools, "Ready"),
        Some(("True", "MalformedPolicy"))
    );
    let message = message_of(&tools, "Stalled");
    eprintln!("MalformedPolicy (ClusterPropagationPolicy): {message}");
    assert!(
        message.starts_with(
            "The binding names ClusterPropagationPolicy big-namespaces, which exists but cannot \
             be decoded (spec.priority: "
        ),
        "{message}"
    );
    assert!(
        message.ends_with("(kubectl edit clusterpropagationpolicy big-namespaces)."),
        "{message}"
    );

    // The sane workload beside them is untouched.
    let sane = ready(&hub, "sane-deployment").await?;
    assert_eq!(condition(&sane, "Ready"), Some(("True", "WorkloadReady")));
    assert_eq!(condition(&sane, "Stalled"), None);

    // Fixed on the hub: the policy's figures come back and nothing is stalled.
    let mut fixed = policy("big", placement);
    fixed["spec"]["priority"] = json!(7);
    support::apply(&hub, &karmada::propagation_policies(), Some("shop"), fixed).await?;
    let big = eventually(
        "big fixed",
        WAIT,
        || status(&hub, "big-deployment"),
        |s| condition(s, "Stalled").is_none(),
    )
    .await?;
    assert_eq!(condition(&big, "Ready"), Some(("True", "WorkloadReady")));
    assert_eq!(big.policy.as_ref().and_then(|p| p.priority), Some(7));
    Ok(())
}

fn cluster_policy(priority: i64) -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
        "metadata": {"name": "big-namespaces"},
        "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace", "name": "tools"}],
                 "priority": priority,
                 "placement": {"clusterAffinity": {"clusterNames": ["m1"]}}},
    })
}

fn message_of<'a>(s: &'a WorkloadPlacementStatus, type_: &str) -> &'a str {
    s.conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map_or("", |c| c.message.as_str())
}
