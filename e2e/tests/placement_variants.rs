//! WorkloadPlacement for every way Karmada schedules (Duplicated, Aggregated, dynamic weights,
//! clusterAffinities with the second group used), a ClusterWorkloadPlacement for a
//! ClusterResourceBinding, and bad input (a malformed override annotation, a binding without
//! policy annotations, an unknown kind, nonsense bindings, policies that do not decode), each
//! with a clear condition while the others stay correct. Bindings only: no member pods are
//! needed.

mod support;

#[path = "placement_variants/nonsense.rs"]
mod nonsense;
#[path = "placement_variants/policies.rs"]
mod policies;

use anyhow::Result;
use karmada_manager_api::{ClusterWorkloadPlacement, WorkloadPlacement, WorkloadPlacementStatus};
use kube::api::Api;
use serde_json::{Value, json};
use std::time::Duration;
use support::eventually;
use support::karmada::{self, apply_binding, scheduled_status};

const WAIT: Duration = Duration::from_secs(30);

/// A ResourceBinding of Deployment `name` claimed by PropagationPolicy shop/`name`-pp.
fn binding(name: &str, replicas: i64, clusters: &[(&str, i64)], placement: Value) -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
        "metadata": {
            "name": format!("{name}-deployment"), "namespace": "shop",
            "labels": {"resourcebinding.karmada.io/permanent-id": format!("{name}-id")},
            "annotations": {"propagationpolicy.karmada.io/name": format!("{name}-pp"),
                            "propagationpolicy.karmada.io/namespace": "shop"},
        },
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": name},
            "replicas": replicas,
            "clusters": clusters.iter().map(|(c, r)| json!({"name": c, "replicas": r})).collect::<Vec<_>>(),
            "placement": placement,
        },
    })
}

fn policy(name: &str, placement: Value) -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": format!("{name}-pp"), "namespace": "shop"},
        "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name}],
                 "placement": placement},
    })
}

/// Reports every cluster applied, healthy and fully ready.
fn ready_everywhere(clusters: &[(&str, i64)]) -> Vec<(String, i64, i64)> {
    clusters
        .iter()
        .map(|(c, r)| (c.to_string(), *r, *r))
        .collect()
}

async fn place(
    hub: &kube::Client,
    name: &str,
    replicas: i64,
    clusters: &[(&str, i64)],
    placement: Value,
) -> Result<()> {
    support::apply(
        hub,
        &karmada::propagation_policies(),
        Some("shop"),
        policy(name, placement.clone()),
    )
    .await?;
    let reports = ready_everywhere(clusters);
    apply_binding(hub, binding(name, replicas, clusters, placement), |g| {
        let reports: Vec<(&str, i64, i64)> = reports
            .iter()
            .map(|(c, r, x)| (c.as_str(), *r, *x))
            .collect();
        scheduled_status(g, &reports)
    })
    .await
}

async fn status(hub: &kube::Client, name: &str) -> Result<WorkloadPlacementStatus> {
    Ok(Api::<WorkloadPlacement>::namespaced(hub.clone(), "shop")
        .get(name)
        .await?
        .status
        .unwrap_or_default())
}

fn condition<'a>(s: &'a WorkloadPlacementStatus, type_: &str) -> Option<(&'a str, &'a str)> {
    s.conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.as_str(), c.reason.as_str()))
}

fn weights(s: &WorkloadPlacementStatus) -> Vec<(String, Option<i64>)> {
    s.clusters
        .iter()
        .map(|c| (c.name.clone(), c.weight))
        .collect()
}

/// `placement` as JSON, for its enum fields.
fn summary(s: &WorkloadPlacementStatus) -> Value {
    serde_json::to_value(&s.placement).unwrap_or_default()
}

async fn ready(hub: &kube::Client, name: &str) -> Result<WorkloadPlacementStatus> {
    eventually(
        name,
        WAIT,
        || status(hub, name),
        |s| condition(s, "Ready").is_some_and(|(status, _)| status == "True"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_scheduling_mode_cluster_bindings_and_bad_input() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&hub, "shop").await?;
    let both = [("m1", 2), ("m2", 2)];
    place(
        &hub,
        "dup",
        2,
        &both,
        json!({
            "clusterAffinity": {"clusterNames": ["m1", "m2"]},
            "replicaScheduling": {"replicaSchedulingType": "Duplicated"},
        }),
    )
    .await?;
    place(&hub, "agg", 4, &[("m1", 4)], json!({
        "replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Aggregated"},
    }))
    .await?;
    place(&hub, "dyn", 4, &[("m1", 3), ("m2", 1)], json!({
        "replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                              "weightPreference": {"dynamicWeight": "AvailableReplicas"}},
    }))
    .await?;
    place(&hub, "equal", 4, &both, json!({
        "replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"},
    }))
    .await?;
    // clusterAffinities: the scheduler fell back to the second group.
    let groups = json!({"clusterAffinities": [
        {"affinityName": "primary", "clusterNames": ["m9"]},
        {"affinityName": "backup", "clusterNames": ["m1", "m2"]},
    ]});
    support::apply(
        &hub,
        &karmada::propagation_policies(),
        Some("shop"),
        policy("fallback", groups.clone()),
    )
    .await?;
    apply_binding(&hub, binding("fallback", 2, &[("m2", 2)], groups), |g| {
        let mut s = scheduled_status(g, &[("m2", 2, 2)]);
        s["schedulerObservingAffinityName"] = json!("backup");
        s
    })
    .await?;

    // A Namespace, claimed by a ClusterPropagationPolicy: a ClusterResourceBinding.
    support::apply(
        &hub,
        &karmada::cluster_propagation_policies(),
        None,
        json!({
            "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
            "metadata": {"name": "namespaces"},
            "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace"}],
                     "placement": {"clusterAffinity": {"clusterNames": ["m1", "m2"]}}},
        }),
    )
    .await?;
    apply_binding(
        &hub,
        json!({
            "apiVersion": "work.karmada.io/v1alpha2", "kind": "ClusterResourceBinding",
            "metadata": {"name": "shop-namespace",
                         "labels": {"clusterresourcebinding.karmada.io/permanent-id": "ns-id"},
                         "annotations": {"clusterpropagationpolicy.karmada.io/name": "namespaces"}},
            "spec": {"resource": {"apiVersion": "v1", "kind": "Namespace", "name": "shop"},
                     "clusters": [{"name": "m1"}, {"name": "m2"}],
                     "placement": {"clusterAffinity": {"clusterNames": ["m1", "m2"]}}},
        }),
        |g| {
            let mut s = scheduled_status(g, &[]);
            s["aggregatedStatus"] = json!([
                {"clusterName": "m1", "applied": true, "health": "Healthy"},
                {"clusterName": "m2", "applied": true, "health": "Healthy"},
            ]);
            s
        },
    )
    .await?;
    karmada::apply_work(
        &hub,
        karmada::work(
            "m1",
            "shop-namespace-1",
            "clusterresourcebinding.karmada.io/permanent-id",
            "ns-id",
            None,
            Some(r#"[{"policyName":"ns-labels"}]"#),
        ),
    )
    .await?;

    // Bad input: a Work whose overrides annotation is not JSON; a binding that names no
    // policy; a kind nobody knows.
    karmada::apply_work(
        &hub,
        karmada::work(
            "m2",
            "dup-1",
            "resourcebinding.karmada.io/permanent-id",
            "dup-id",
            Some("[{\"policyName\": \"web-eu\""),
            None,
        ),
    )
    .await?;
    let mut orphan = binding("orphan", 2, &[("m1", 2)], json!({}));
    orphan["metadata"]["annotations"] = json!({});
    apply_binding(&hub, orphan, |g| scheduled_status(g, &[("m1", 2, 2)])).await?;
    let mut widget = binding("gizmo", 0, &[("m1", 0)], json!({}));
    widget["metadata"]["name"] = json!("gizmo-widget");
    widget["spec"]["resource"] = json!({"apiVersion": "example.com/v1", "kind": "Widget", "namespace": "shop", "name": "gizmo"});
    apply_binding(&hub, widget, |g| {
        let mut s = scheduled_status(g, &[]);
        s["aggregatedStatus"] =
            json!([{"clusterName": "m1", "applied": true, "health": "Unknown"}]);
        s
    })
    .await?;

    // Left over from a binding deleted while the operator was not running.
    support::apply(
        &hub,
        &support::resource(
            "insight.karmada-manager.io",
            "v1alpha1",
            "WorkloadPlacement",
            "workloadplacements",
        ),
        Some("shop"),
        json!({
            "apiVersion": "insight.karmada-manager.io/v1alpha1", "kind": "WorkloadPlacement",
            "metadata": {"name": "ghost-deployment", "namespace": "shop"}, "spec": {},
        }),
    )
    .await?;

    let _operator = support::start_operator(&env, &[]).await?;
    let placements = Api::<WorkloadPlacement>::namespaced(hub.clone(), "shop");
    support::eventually_gone("orphan deleted", &placements, "ghost-deployment").await?;

    let dup = eventually(
        "dup",
        WAIT,
        || status(&hub, "dup-deployment"),
        |s| condition(s, "Degraded").is_some(),
    )
    .await?;
    assert_eq!(summary(&dup)["replicaScheduling"], "Duplicated");
    assert_eq!(summary(&dup)["weighting"], "None");
    assert_eq!(dup.replicas.desired, 4, "2 replicas on each of 2 clusters");
    assert_eq!(weights(&dup), [("m1".into(), None), ("m2".into(), None)]);
    // The bad annotation: said on m2's entry and in Degraded; readiness is Karmada's verdict.
    assert_eq!(
        condition(&dup, "Degraded"),
        Some(("True", "MalformedOverrides"))
    );
    assert_eq!(condition(&dup, "Ready"), Some(("True", "WorkloadReady")));
    let m2 = dup.clusters.iter().find(|c| c.name == "m2").expect("m2");
    assert_eq!(m2.problems[0].reason, "MalformedOverrides");
    assert!(
        m2.problems[0].message.starts_with(
            "Work karmada-es-m2/dup-1: annotation policy.karmada.io/applied-overrides:"
        ),
        "{}",
        m2.problems[0].message
    );
    assert!(m2.overrides.is_empty());

    let agg = ready(&hub, "agg-deployment").await?;
    assert_eq!(
        (
            summary(&agg)["divisionPreference"].clone(),
            summary(&agg)["weighting"].clone()
        ),
        (json!("Aggregated"), json!("None"))
    );
    let dynamic = ready(&hub, "dyn-deployment").await?;
    assert_eq!(summary(&dynamic)["weighting"], "DynamicAvailableReplicas");
    assert_eq!(
        weights(&dynamic),
        [("m1".into(), None), ("m2".into(), None)]
    );
    let equal = ready(&hub, "equal-deployment").await?;
    assert_eq!(summary(&equal)["weighting"], "Equal");
    let fallback = ready(&hub, "fallback-deployment").await?;
    assert_eq!(summary(&fallback)["affinityName"], "backup");
    assert_eq!(fallback.clusters_display, "m2:2");

    let orphan = ready(&hub, "orphan-deployment").await?;
    assert_eq!(orphan.policy, None);
    let message = &orphan.conditions[0].message;
    assert!(
        message.contains("No propagation policy is named on the binding"),
        "{message}"
    );
    assert_eq!(condition(&orphan, "Stalled"), None);

    let widget = eventually(
        "widget",
        WAIT,
        || status(&hub, "gizmo-widget"),
        |s| !s.conditions.is_empty(),
    )
    .await?;
    assert_eq!(widget.workload.display, "Widget/gizmo");
    assert_eq!(
        condition(&widget, "Ready"),
        Some(("False", "ClustersUnhealthy"))
    );
    let message = &widget.conditions[0].message;
    assert!(message.contains("m1 Unknown"), "{message}");
    assert!(widget.clusters[0].pods.is_none(), "a Widget runs no pods");

    let namespace = eventually(
        "cluster placement",
        WAIT,
        || async {
            Ok(Api::<ClusterWorkloadPlacement>::all(hub.clone())
                .get("shop-namespace")
                .await?
                .status
                .unwrap_or_default())
        },
        |s| {
            condition(s, "Ready") == Some(("True", "WorkloadReady"))
                && !s.clusters.is_empty()
                && !s.clusters[0].overrides.is_empty()
        },
    )
    .await?;
    assert_eq!(namespace.workload.display, "Namespace/shop");
    assert_eq!(namespace.workload.namespace, None);
    let policy = namespace.policy.as_ref().expect("policy");
    assert_eq!(
        (
            policy.kind.as_str(),
            policy.name.as_str(),
            policy.namespace.as_deref()
        ),
        ("ClusterPropagationPolicy", "namespaces", None)
    );
    assert_eq!(namespace.clusters_display, "m1,m2");
    assert_eq!(
        namespace.clusters[0].overrides,
        ["ClusterOverridePolicy ns-labels"]
    );
    assert!(namespace.clusters.iter().all(|c| c.pods.is_none()));

    // Fixing the annotation clears the problem; nothing else moved meanwhile.
    karmada::apply_work(
        &hub,
        karmada::work(
            "m2",
            "dup-1",
            "resourcebinding.karmada.io/permanent-id",
            "dup-id",
            Some(r#"[{"policyName":"web-eu"}]"#),
            None,
        ),
    )
    .await?;
    let dup = eventually(
        "dup fixed",
        WAIT,
        || status(&hub, "dup-deployment"),
        |s| condition(s, "Degraded").is_none(),
    )
    .await?;
    let m2 = dup.clusters.iter().find(|c| c.name == "m2").expect("m2");
    assert_eq!(m2.overrides, ["OverridePolicy shop/web-eu"]);
    assert!(m2.problems.is_empty());
    Ok(())
}
