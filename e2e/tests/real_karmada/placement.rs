//! Scenario 1: a Deployment and a Divided/Weighted PropagationPolicy on the hub. Karmada
//! schedules it and creates Works, the members run the pods; the WorkloadPlacement must agree
//! with Karmada's binding, with the member Deployments and with where kube-scheduler put the pods.

use crate::fleet::{Fleet, WAIT};
use crate::support::eventually;
use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use karmada_manager_api::{FitEstimator, WorkloadPlacementStatus};
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use testenv::karmada_objects;

pub const NAMESPACE: &str = "shop";
/// The binding Karmada names after the workload: `<name>-<kind>`.
pub const BINDING: &str = "web-deployment";

/// The hub's Deployment `shop/web`: one container requesting 250m CPU and 256Mi.
pub fn web(replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": NAMESPACE, "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{
                    "name": "app", "image": "registry.example/web:1.0",
                    "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}},
                }]},
            },
        },
    })
}

/// Applies [`web`] with `replicas` on the hub, as a user would.
pub async fn apply_web(fleet: &Fleet, replicas: i64) -> Result<()> {
    let deployments = kube::discovery::ApiResource::erase::<Deployment>(&());
    karmada_objects::apply(&fleet.hub, &deployments, &web(replicas)).await?;
    Ok(())
}

/// Applies [`web_policy`] with `weights` on the hub.
pub async fn apply_web_policy(fleet: &Fleet, weights: &[(&str, i64)]) -> Result<()> {
    let policies = karmada_objects::propagation_policies();
    karmada_objects::apply(&fleet.hub, &policies, &web_policy(weights)).await?;
    Ok(())
}

/// PropagationPolicy `shop/web-pp`: Divided, Weighted, with a static weight per member.
pub fn web_policy(weights: &[(&str, i64)]) -> Value {
    let list: Vec<Value> = weights
        .iter()
        .map(|(c, w)| json!({"targetCluster": {"clusterNames": [c]}, "weight": w}))
        .collect();
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": "web-pp", "namespace": NAMESPACE},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "placement": {
                "clusterAffinity": {"clusterNames": ["m1", "m2"]},
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                    "weightPreference": {"staticWeightList": list},
                },
            },
        },
    })
}

/// What Karmada's binding says: replicas per target cluster, once scheduled for its generation.
pub async fn binding_targets(fleet: &Fleet) -> Result<BTreeMap<String, i64>> {
    let ar = karmada_objects::resource_bindings();
    let api: Api<DynamicObject> = Api::namespaced_with(fleet.hub.clone(), NAMESPACE, &ar);
    let binding = serde_json::to_value(api.get(BINDING).await?)?;
    let scheduled =
        binding["status"]["schedulerObservedGeneration"] == binding["metadata"]["generation"];
    anyhow::ensure!(scheduled, "binding not scheduled for its generation yet");
    let clusters = binding["spec"]["clusters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(clusters
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap_or_default().to_string();
            (name, c["replicas"].as_i64().unwrap_or(0))
        })
        .collect())
}

/// How one member runs `web`: the Deployment's ready replicas and the pods per node.
#[derive(Debug, PartialEq)]
pub struct MemberTruth {
    pub ready_replicas: i64,
    pub pods: i64,
    pub ready_pods: i64,
    pub pods_per_node: BTreeMap<String, i64>,
}

pub async fn member_truth(fleet: &Fleet, member: &str) -> Result<MemberTruth> {
    let client = fleet.member(member).await?;
    let deployment = Api::<Deployment>::namespaced(client.clone(), NAMESPACE)
        .get_opt("web")
        .await?;
    let ready_replicas = deployment
        .and_then(|d| d.status)
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    let pods = Api::<Pod>::namespaced(client, NAMESPACE)
        .list(&ListParams::default().labels("app=web"))
        .await?;
    let mut truth = MemberTruth {
        ready_replicas: i64::from(ready_replicas),
        pods: 0,
        ready_pods: 0,
        pods_per_node: BTreeMap::new(),
    };
    for pod in pods
        .items
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
    {
        truth.pods += 1;
        let status = pod.status.as_ref();
        let ready = status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        truth.ready_pods += i64::from(ready);
        if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) {
            *truth.pods_per_node.entry(node).or_default() += 1;
        }
    }
    Ok(truth)
}

/// Every way Karmada's binding differs from `expected`, and the placement from Karmada's
/// binding and the members (empty: all agree).
pub async fn disagreements(
    fleet: &Fleet,
    weights: &[(&str, i64)],
    expected: &BTreeMap<String, i64>,
) -> Result<Vec<String>> {
    let targets = binding_targets(fleet).await?;
    let status = fleet.placement_status(NAMESPACE, BINDING).await?;
    let mut out = Vec::new();
    if &targets != expected {
        out.push(format!(
            "Karmada scheduled {targets:?}, not yet {expected:?}"
        ));
    }
    let ours: BTreeMap<String, i64> = status
        .clusters
        .iter()
        .map(|c| (c.name.clone(), c.replicas))
        .collect();
    if ours != targets {
        out.push(format!(
            "replicas per cluster: ours {ours:?}, Karmada's {targets:?}"
        ));
    }
    for entry in &status.clusters {
        let weight = weights.iter().find(|(c, _)| *c == entry.name).map(|w| w.1);
        if entry.weight != weight {
            out.push(format!(
                "{}: weight {:?}, policy says {weight:?}",
                entry.name, entry.weight
            ));
        }
        let truth = member_truth(fleet, &entry.name).await?;
        if entry.ready_replicas != Some(truth.ready_replicas) {
            out.push(format!(
                "{}: readyReplicas {:?}, member Deployment {}",
                entry.name, entry.ready_replicas, truth.ready_replicas
            ));
        }
        let pods = entry.pods.as_ref();
        let counted = (pods.map(|p| p.total), pods.map(|p| p.ready));
        if counted != (Some(truth.pods), Some(truth.ready_pods)) {
            out.push(format!(
                "{}: pods (total, ready) {counted:?}, member has ({}, {})",
                entry.name, truth.pods, truth.ready_pods
            ));
        }
        let fit = crate::fit::web_fit(fleet.member(&entry.name).await?).await?;
        if (entry.fit_replicas, entry.estimator) != (Some(fit), Some(FitEstimator::Accurate)) {
            out.push(format!(
                "{}: fitReplicas {:?} ({:?}), the member has room for {fit}",
                entry.name, entry.fit_replicas, entry.estimator
            ));
        }
        let nodes: BTreeMap<String, i64> = entry
            .nodes
            .iter()
            .map(|n| (n.name.clone(), n.pods))
            .collect();
        if nodes != truth.pods_per_node {
            out.push(format!(
                "{}: pods per node {nodes:?}, kube-scheduler placed {:?}",
                entry.name, truth.pods_per_node
            ));
        }
    }
    Ok(out)
}

pub fn condition<'a>(
    status: &'a WorkloadPlacementStatus,
    type_: &str,
) -> Option<(&'a str, &'a str)> {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.as_str(), c.reason.as_str()))
}

/// Replicas per member.
pub fn targets(m1: i64, m2: i64) -> BTreeMap<String, i64> {
    BTreeMap::from([("m1".to_string(), m1), ("m2".to_string(), m2)])
}

/// Waits until Karmada has scheduled `expected` replicas per member, the placement agrees with
/// Karmada and the members, and says Ready=`ready`.
pub async fn wait_agreement(
    fleet: &Fleet,
    weights: &[(&str, i64)],
    expected: &BTreeMap<String, i64>,
    ready: &str,
) -> Result<()> {
    eventually(
        &format!("Karmada schedules {expected:?}, the placement agrees with Karmada and the members (Ready={ready})"),
        WAIT,
        || async {
            let problems = disagreements(fleet, weights, expected).await?;
            let status = fleet.placement_status(NAMESPACE, BINDING).await?;
            Ok((problems, condition(&status, "Ready").map(|(s, r)| (s.to_owned(), r.to_owned()))))
        },
        |(problems, condition)| {
            problems.is_empty() && condition.as_ref().is_some_and(|(s, _)| s == ready)
        },
    )
    .await
    .map(|_| ())
}

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    let weights = [("m1", 2), ("m2", 1)];
    testenv::join::apply_namespace(&fleet.hub, NAMESPACE).await?;
    apply_web_policy(fleet, &weights).await?;
    apply_web(fleet, 6).await?;
    wait_agreement(fleet, &weights, &targets(4, 2), "True")
        .await
        .with_context(|| crate::fleet::logs_hint(&fleet.env))?;
    let targets = binding_targets(fleet).await?;
    let status = fleet.placement_status(NAMESPACE, BINDING).await?;
    let policy = status.policy.as_ref().context("no policy")?;
    assert_eq!(
        (policy.kind.as_str(), policy.name.as_str()),
        ("PropagationPolicy", "web-pp")
    );
    assert_eq!(status.replicas.display, "6/6");
    eprintln!(
        "scenario 1: fitReplicas {:?}",
        status
            .clusters
            .iter()
            .map(|c| (c.name.as_str(), c.fit_replicas, c.estimator))
            .collect::<Vec<_>>()
    );
    eprintln!(
        "scenario 1: Karmada placed web {targets:?}; the placement agrees, pods per node {:?}",
        status
            .clusters
            .iter()
            .map(|c| (
                c.name.as_str(),
                c.nodes
                    .iter()
                    .map(|n| (n.name.as_str(), n.pods))
                    .collect::<Vec<_>>()
            ))
            .collect::<Vec<_>>()
    );
    Ok(())
}
