//! FleetInsight counts workloads and policies from the hub, and each ClusterInsight counts the
//! bindings scheduled to its member. The test plays Karmada's scheduler and controllers: it
//! writes the bindings' placement and status itself.

mod support;

use anyhow::Result;
use karmada_manager_api::{ClusterInsight, FleetInsight, FleetInsightStatus};
use kube::api::Api;
use serde_json::{Value, json};
use std::time::Duration;
use support::{apply, eventually, resource};

const WAIT: Duration = Duration::from_secs(30);

/// A ResourceBinding as Karmada leaves it once scheduled (`clusters`) and applied.
fn binding(name: &str, clusters: &[(&str, i64)], scheduled: bool) -> Value {
    let scheduled_condition = if scheduled {
        json!({"type": "Scheduled", "status": "True", "reason": "Success", "message": "Binding has been scheduled successfully.", "lastTransitionTime": "2026-01-01T00:00:00Z"})
    } else {
        json!({"type": "Scheduled", "status": "False", "reason": "NoClusterFit", "message": "0/2 clusters are available: 2 cluster(s) did not match the placement cluster affinity constraint.", "lastTransitionTime": "2026-01-01T00:00:00Z"})
    };
    let aggregated: Vec<Value> = clusters
        .iter()
        .map(|(c, r)| json!({"clusterName": c, "applied": true, "health": "Healthy", "status": {"replicas": r, "readyReplicas": r, "availableReplicas": r, "updatedReplicas": r}}))
        .collect();
    let mut conditions = vec![scheduled_condition];
    if scheduled {
        conditions.push(json!({"type": "FullyApplied", "status": "True", "reason": "FullyAppliedSuccess", "message": "All works have been successfully applied", "lastTransitionTime": "2026-01-01T00:00:00Z"}));
    }
    json!({
        "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
        "metadata": {"name": format!("{name}-deployment"), "namespace": "shop", "annotations": {
            "propagationpolicy.karmada.io/name": "web-pp", "propagationpolicy.karmada.io/namespace": "shop"}},
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": name},
            "replicas": clusters.iter().map(|(_, r)| r).sum::<i64>().max(2),
            "clusters": clusters.iter().map(|(c, r)| json!({"name": c, "replicas": r})).collect::<Vec<_>>(),
            "placement": {"clusterAffinity": {"clusterNames": ["m1", "m2"]}, "replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"}},
        },
        "status": {"schedulerObservedGeneration": 1, "conditions": conditions, "aggregatedStatus": aggregated},
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fleet_counts_workloads_and_policies_and_insights_count_bindings() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&hub, "shop").await?;
    let policy = resource(
        "policy.karmada.io",
        "v1alpha1",
        "PropagationPolicy",
        "propagationpolicies",
    );
    apply(&hub, &policy, Some("shop"), json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy", "metadata": {"name": "web-pp", "namespace": "shop"},
        "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}], "placement": {"clusterAffinity": {"clusterNames": ["m1", "m2"]}}},
    })).await?;
    let overrides = resource(
        "policy.karmada.io",
        "v1alpha1",
        "OverridePolicy",
        "overridepolicies",
    );
    apply(&hub, &overrides, Some("shop"), json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "OverridePolicy", "metadata": {"name": "web-eu", "namespace": "shop"},
        "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}], "overrideRules": []},
    })).await?;
    let bindings = resource(
        "work.karmada.io",
        "v1alpha2",
        "ResourceBinding",
        "resourcebindings",
    );
    apply(
        &hub,
        &bindings,
        Some("shop"),
        binding("web", &[("m1", 3), ("m2", 1)], true),
    )
    .await?;
    apply(
        &hub,
        &bindings,
        Some("shop"),
        binding("cart", &[("m1", 2)], true),
    )
    .await?;
    apply(&hub, &bindings, Some("shop"), binding("stuck", &[], false)).await?;

    let _operator = support::start_operator(&env, &[]).await?;
    let fleet = Api::<FleetInsight>::all(hub.clone());
    let get_fleet = || async {
        Ok::<FleetInsightStatus, anyhow::Error>(
            fleet.get("fleet").await?.status.unwrap_or_default(),
        )
    };
    let f = eventually("fleet workloads", WAIT, get_fleet, |f| {
        f.workloads.total == 3
    })
    .await?;
    assert_eq!(
        (
            f.workloads.ready,
            f.workloads.progressing,
            f.workloads.failed
        ),
        (2, 0, 1),
        "{:?}",
        f.workloads
    );
    assert_eq!(
        (
            f.policies.propagation,
            f.policies.cluster_propagation,
            f.policies.overrides,
            f.policies.cluster_override
        ),
        (1, 0, 1, 0)
    );

    let insights = Api::<ClusterInsight>::all(hub.clone());
    let m1 = eventually(
        "m1 bindings",
        WAIT,
        || async { Ok(insights.get("m1").await?.status.unwrap_or_default()) },
        |s| s.workloads.bindings == 2,
    )
    .await?;
    assert_eq!(m1.workloads.replicas, 5);
    let m2 = eventually(
        "m2 bindings",
        WAIT,
        || async { Ok(insights.get("m2").await?.status.unwrap_or_default()) },
        |s| s.workloads.bindings == 1,
    )
    .await?;
    assert_eq!(m2.workloads.replicas, 1);

    // Rescheduling moves cart from m1 to m2: both insights follow.
    apply(
        &hub,
        &bindings,
        Some("shop"),
        binding("cart", &[("m2", 2)], true),
    )
    .await?;
    eventually(
        "cart moved",
        WAIT,
        || async { Ok(insights.get("m2").await?.status.unwrap_or_default()) },
        |s| s.workloads.bindings == 2 && s.workloads.replicas == 3,
    )
    .await?;
    eventually(
        "m1 lost cart",
        WAIT,
        || async { Ok(insights.get("m1").await?.status.unwrap_or_default()) },
        |s| s.workloads.bindings == 1 && s.workloads.replicas == 3,
    )
    .await?;
    Ok(())
}
