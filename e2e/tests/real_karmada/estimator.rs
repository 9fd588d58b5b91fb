//! Scenario 5: `fitReplicas` against the peer. karmada-scheduler-estimator, built from the same
//! Karmada module, runs for each member; m1 gains the nodes the shapes are about (a tainted GPU
//! node, labelled SSD nodes, a cordoned node, a node with 4 pod slots, a nearly full node).
//! Deployments of 14 shapes are propagated to both members (Duplicated, one replica each); once
//! their pods have settled, for every shape and member the placement's `fitReplicas` must equal
//! what the estimator answers for the binding's own `replicaRequirements`.

use crate::fleet::{Fleet, WAIT};
use crate::support::eventually;
use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Pod;
use karmada_manager_api::{FitEstimator, WorkloadPlacement};
use kube::api::{Api, DynamicObject, PostParams};
use serde_json::{Value, json};
use testenv::estimator::Estimator;
use testenv::karmada_objects::{self, propagation_policies, resource_bindings};
use testenv::nodes::node;
use testenv::pods::pod;
use testenv::{bulk, join::apply_namespace};

const NAMESPACE: &str = "fit";

/// `(name, pod spec fragment)`: what each shape's single container (and pod) asks for.
fn shapes() -> Vec<(&'static str, Value)> {
    let requests = |r: Value| json!({"containers": [{"name": "app", "image": "app", "resources": {"requests": r}}]});
    let with = |mut spec: Value, key: &str, value: Value| {
        spec[key] = value;
        spec
    };
    let cpu = |q: &str| requests(json!({"cpu": q}));
    // Extended resources cannot be overcommitted: the API server wants the limit too.
    let gpu = |r: Value| json!({"containers": [{"name": "app", "image": "app", "resources": {"requests": r, "limits": {"nvidia.com/gpu": "1"}}}]});
    vec![
        ("plain", requests(json!({"cpu": "250m", "memory": "256Mi"}))),
        (
            "no-requests",
            json!({"containers": [{"name": "app", "image": "app"}]}),
        ),
        (
            "gpu-tolerating",
            with(
                gpu(json!({"cpu": "1", "nvidia.com/gpu": "1"})),
                "tolerations",
                json!([{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]),
            ),
        ),
        ("gpu-untolerating", gpu(json!({"nvidia.com/gpu": "1"}))),
        (
            "selector",
            with(cpu("500m"), "nodeSelector", json!({"disktype": "ssd"})),
        ),
        (
            "affinity-in",
            with(
                cpu("1"),
                "affinity",
                affinity(
                    json!([{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["m1-zone-a", "m2-zone-a"]}]),
                ),
            ),
        ),
        (
            "affinity-not-in",
            with(
                cpu("1"),
                "affinity",
                affinity(json!([{"key": "disktype", "operator": "NotIn", "values": ["ssd"]}])),
            ),
        ),
        (
            "affinity-gt",
            with(
                cpu("1"),
                "affinity",
                affinity(json!([{"key": "generation", "operator": "Gt", "values": ["4"]}])),
            ),
        ),
        (
            "tolerates-everything",
            with(cpu("2"), "tolerations", json!([{"operator": "Exists"}])),
        ),
        ("big", cpu("3500m")),
        ("memory-heavy", requests(json!({"memory": "6Gi"}))),
        ("ephemeral", requests(json!({"ephemeral-storage": "30Gi"}))),
        (
            "init-and-sidecar",
            json!({
                "initContainers": [
                    {"name": "migrate", "image": "app", "resources": {"requests": {"cpu": "2"}}},
                    {"name": "proxy", "image": "app", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
                ],
                "containers": [{"name": "app", "image": "app", "resources": {"requests": {"cpu": "500m"}}}],
            }),
        ),
        (
            "selector-and-toleration",
            with(
                with(cpu("1"), "nodeSelector", json!({"accelerator": "nvidia"})),
                "tolerations",
                json!([{"key": "dedicated", "operator": "Exists"}]),
            ),
        ),
    ]
}

fn affinity(expressions: Value) -> Value {
    json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": expressions}]}}})
}

/// m1's extra nodes: what the shapes select, tolerate or run out of.
async fn shape_the_world(fleet: &Fleet) -> Result<()> {
    let m1 = fleet.member("m1").await?;
    let nodes = [
        node("m1-gpu-1")
            .cpu("16")
            .memory("64Gi")
            .resource("nvidia.com/gpu", "4", "4")
            .label("accelerator", "nvidia")
            .label("generation", "5")
            .taint("dedicated", "NoSchedule"),
        node("m1-ssd-1")
            .label("disktype", "ssd")
            .label("generation", "5"),
        node("m1-ssd-2")
            .label("disktype", "ssd")
            .label("generation", "3"),
        node("m1-cordoned-1").cordoned(),
        node("m1-slots-1").max_pods(4),
        node("m1-full-1"),
    ];
    bulk::create_nodes(&m1, &nodes).await?;
    // Takes most of m1-full-1's 3900m: the shapes see 400m there.
    // Bound by name and left to kwok, which runs it: writing its status here as well would
    // race kwok's own status writes.
    let filler = pod("default", "filler")
        .on_node("m1-full-1")
        .requests(&[("cpu", "3500m"), ("memory", "8Gi")]);
    Api::<Pod>::namespaced(m1, "default")
        .create(&PostParams::default(), &filler.build())
        .await?;
    Ok(())
}

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    shape_the_world(fleet).await?;
    let binary = tokio::task::spawn_blocking(testenv::upstream::ensure_karmada)
        .await??
        .scheduler_estimator;
    let mut estimators = Vec::new();
    for member in ["m1", "m2"] {
        estimators.push(Estimator::start(fleet.env.member(member), &binary).await?);
    }
    apply_namespace(&fleet.hub, NAMESPACE).await?;
    let names: Vec<&str> = shapes().iter().map(|(name, _)| *name).collect();
    karmada_objects::apply(&fleet.hub, &propagation_policies(), &policy(&names)).await?;
    let deployments =
        kube::discovery::ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&());
    for (name, spec) in shapes() {
        karmada_objects::apply(&fleet.hub, &deployments, &deployment(name, spec)).await?;
    }

    let bindings =
        Api::<DynamicObject>::namespaced_with(fleet.hub.clone(), NAMESPACE, &resource_bindings());
    let placements = Api::<WorkloadPlacement>::namespaced(fleet.hub.clone(), NAMESPACE);
    let mut table = Vec::new();
    for name in &names {
        let binding_name = format!("{name}-deployment");
        let rows = eventually(
            &format!("fitReplicas of {name} equal karmada-scheduler-estimator's"),
            WAIT,
            || async {
                let binding = bindings.get(&binding_name).await?;
                let requirements = binding.data["spec"]["replicaRequirements"].clone();
                let placement = placements.get(&binding_name).await?;
                let status = placement.status.context("no placement status")?;
                let mut rows = Vec::new();
                for (member, estimator) in ["m1", "m2"].iter().zip(&estimators) {
                    let entry = status.clusters.iter().find(|c| c.name == *member);
                    let ours = entry.and_then(|c| {
                        c.fit_replicas
                            .filter(|_| c.estimator == Some(FitEstimator::Accurate))
                    });

                    let theirs = estimator.max_replicas(&requirements).await?;
                    rows.push((*member, ours, theirs));
                }
                Ok(rows)
            },
            |rows| rows.iter().all(|(_, ours, theirs)| *ours == Some(*theirs)),
        )
        .await
        .with_context(|| {
            format!(
                "estimator logs: {:?}",
                estimators.iter().map(Estimator::log).collect::<Vec<_>>()
            )
        })?;
        table.push(format!(
            "{name}: {}",
            rows.iter()
                .map(|(m, ours, _)| format!("{m} {}", ours.unwrap_or(-1)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    eprintln!(
        "scenario 5: fitReplicas = karmada-scheduler-estimator's MaxAvailableReplicas for {} shapes: {}",
        names.len(),
        table.join("; ")
    );
    let manifests: Vec<(&str, Value)> = shapes()
        .into_iter()
        .map(|(name, spec)| (name, deployment(name, spec)))
        .collect();
    crate::what_if::check(fleet, &manifests, &bindings, &estimators).await
}

fn deployment(name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"shape": name}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"shape": name}},
            "template": {"metadata": {"labels": {"shape": name}}, "spec": spec},
        },
    })
}

fn policy(names: &[&str]) -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": "shapes", "namespace": NAMESPACE},
        "spec": {
            "resourceSelectors": names.iter().map(|n| json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": n})).collect::<Vec<_>>(),
            "placement": {
                "clusterAffinity": {"clusterNames": ["m1", "m2"]},
                "replicaScheduling": {"replicaSchedulingType": "Duplicated"},
            },
        },
    })
}
