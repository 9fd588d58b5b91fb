//! Karmada's objects as its controllers leave them on the hub: the test plays karmada-scheduler
//! (binding `spec.clusters`, scheduler status), the binding controller (Works with override
//! annotations) and the status aggregator (`aggregatedStatus`).

use super::apply;
use anyhow::{Context, Result};
use kube::api::{Api, DeleteParams, DynamicObject};
use kube::discovery::ApiResource;
use serde_json::{Value, json};

// Each test binary uses a different subset.
#[allow(unused_imports)]
pub use testenv::karmada_objects::{
    cluster_propagation_policies, cluster_resource_bindings, propagation_policies,
    resource_bindings, works,
};

/// A scheduled, fully applied binding's status: `Scheduled` and `FullyApplied` True, the
/// scheduler caught up with `generation`, and one report per `(cluster, replicas, ready)`.
pub fn scheduled_status(generation: i64, reports: &[(&str, i64, i64)]) -> Value {
    let condition = |type_: &str, reason: &str| {
        json!({"type": type_, "status": "True", "reason": reason, "message": "",
               "lastTransitionTime": "2026-01-01T00:00:00Z"})
    };
    json!({
        "schedulerObservedGeneration": generation,
        "lastScheduledTime": "2026-01-01T00:00:00Z",
        "conditions": [condition("Scheduled", "Success"), condition("FullyApplied", "FullyAppliedSuccess")],
        "aggregatedStatus": reports.iter().map(|(cluster, replicas, ready)| json!({
            "clusterName": cluster, "applied": true, "health": "Healthy",
            "status": {"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready,
                       "updatedReplicas": replicas},
        })).collect::<Vec<_>>(),
    })
}

/// Applies a binding (spec and metadata), then its status with `schedulerObservedGeneration`
/// set to the generation the hub gave the spec: as karmada-scheduler does once it has placed
/// it. `status` is built for that generation by `status_for`.
pub async fn apply_binding(
    hub: &kube::Client,
    mut binding: Value,
    status_for: impl FnOnce(i64) -> Value,
) -> Result<()> {
    let namespace = binding["metadata"]["namespace"].as_str().map(str::to_owned);
    let ar = if namespace.is_some() {
        resource_bindings()
    } else {
        cluster_resource_bindings()
    };
    let name = binding["metadata"]["name"]
        .as_str()
        .context("binding name")?
        .to_owned();
    if let Some(object) = binding.as_object_mut() {
        object.remove("status");
    }
    apply(hub, &ar, namespace.as_deref(), binding.clone()).await?;
    let api = dynamic(hub, &ar, namespace.as_deref());
    let generation = api.get(&name).await?.metadata.generation.unwrap_or(1);
    binding["status"] = status_for(generation);
    apply(hub, &ar, namespace.as_deref(), binding).await
}

/// A Work in `karmada-es-<cluster>` belonging to the binding with `permanent_id`, with the
/// applied-overrides annotations given as raw strings (so tests can also write bad ones).
pub fn work(
    cluster: &str,
    name: &str,
    permanent_id_label: &str,
    permanent_id: &str,
    overrides: Option<&str>,
    cluster_overrides: Option<&str>,
) -> Value {
    let mut annotations = serde_json::Map::new();
    if let Some(raw) = overrides {
        annotations.insert("policy.karmada.io/applied-overrides".into(), json!(raw));
    }
    if let Some(raw) = cluster_overrides {
        annotations.insert(
            "policy.karmada.io/applied-cluster-overrides".into(),
            json!(raw),
        );
    }
    json!({
        "apiVersion": "work.karmada.io/v1alpha1", "kind": "Work",
        "metadata": {
            "name": name, "namespace": format!("karmada-es-{cluster}"),
            "labels": {permanent_id_label: permanent_id},
            "annotations": annotations,
        },
        "spec": {"workload": {"manifests": []}},
    })
}

pub async fn apply_work(hub: &kube::Client, work: Value) -> Result<()> {
    let namespace = work["metadata"]["namespace"]
        .as_str()
        .context("work namespace")?
        .to_owned();
    testenv::join::apply_namespace(hub, &namespace).await?;
    apply(hub, &works(), Some(&namespace), work).await
}

pub async fn delete(
    hub: &kube::Client,
    ar: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<()> {
    dynamic(hub, ar, namespace)
        .delete(name, &DeleteParams::default())
        .await
        .with_context(|| format!("deleting {} {name}", ar.kind))?;
    Ok(())
}

fn dynamic(hub: &kube::Client, ar: &ApiResource, namespace: Option<&str>) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(hub.clone(), ns, ar),
        None => Api::all_with(hub.clone(), ar),
    }
}
