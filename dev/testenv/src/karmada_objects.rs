//! Karmada's hub objects as its controllers would leave them, for an environment without
//! Karmada's controllers (the demo): the detector's binding of a resource template to the
//! policy that claims it, karmada-scheduler's placement and status, the binding controller's
//! Works in `karmada-es-<cluster>` (with applied-overrides annotations), and the status
//! aggregator's `aggregatedStatus`.

use crate::join::apply_namespace;
use anyhow::{Context, Result};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::{Map, Value, json};

const FIELD_MANAGER: &str = "testenv";
/// Label on a ResourceBinding and its Works, with the same value.
pub const RB_PERMANENT_ID_LABEL: &str = "resourcebinding.karmada.io/permanent-id";
/// Label on a ClusterResourceBinding and its Works, with the same value.
pub const CRB_PERMANENT_ID_LABEL: &str = "clusterresourcebinding.karmada.io/permanent-id";
/// Work annotation: the OverridePolicies applied to its manifest.
pub const APPLIED_OVERRIDES: &str = "policy.karmada.io/applied-overrides";
/// Work annotation: the ClusterOverridePolicies applied to its manifest.
pub const APPLIED_CLUSTER_OVERRIDES: &str = "policy.karmada.io/applied-cluster-overrides";

/// The API of a kind no Rust type in the workspace covers (Karmada's, as the hub serves them).
pub fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: format!("{group}/{version}"),
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// A PropagationPolicy `namespace/name` that selects one object by apiVersion, kind and name
/// and places it by `placement`.
pub fn propagation_policy(
    name: &str,
    namespace: &str,
    selected: (&str, &str, &str),
    placement: Value,
) -> Value {
    let (api_version, kind, object) = selected;
    serde_json::json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "resourceSelectors": [{"apiVersion": api_version, "kind": kind, "name": object}],
            "placement": placement,
        },
    })
}

pub fn propagation_policies() -> ApiResource {
    resource(
        "policy.karmada.io",
        "v1alpha1",
        "PropagationPolicy",
        "propagationpolicies",
    )
}

pub fn cluster_propagation_policies() -> ApiResource {
    resource(
        "policy.karmada.io",
        "v1alpha1",
        "ClusterPropagationPolicy",
        "clusterpropagationpolicies",
    )
}

pub fn override_policies() -> ApiResource {
    resource(
        "policy.karmada.io",
        "v1alpha1",
        "OverridePolicy",
        "overridepolicies",
    )
}

pub fn resource_bindings() -> ApiResource {
    resource(
        "work.karmada.io",
        "v1alpha2",
        "ResourceBinding",
        "resourcebindings",
    )
}

pub fn cluster_resource_bindings() -> ApiResource {
    resource(
        "work.karmada.io",
        "v1alpha2",
        "ClusterResourceBinding",
        "clusterresourcebindings",
    )
}

pub fn works() -> ApiResource {
    resource("work.karmada.io", "v1alpha1", "Work", "works")
}

fn api(hub: &kube::Client, ar: &ApiResource, namespace: Option<&str>) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(hub.clone(), ns, ar),
        None => Api::all_with(hub.clone(), ar),
    }
}

/// Server-side applies `object` (namespaced if its metadata names a namespace) and then its
/// `status`, if it has one, through the status subresource, as the owning controller would.
/// Returns the object as stored (uid, generation).
pub async fn apply(hub: &kube::Client, ar: &ApiResource, object: &Value) -> Result<DynamicObject> {
    let name = object["metadata"]["name"].as_str().context("no name")?;
    let api = api(hub, ar, object["metadata"]["namespace"].as_str());
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let mut spec = object.clone();
    let status = spec.as_object_mut().and_then(|o| o.remove("status"));
    let mut stored = api
        .patch(name, &params, &Patch::Apply(&spec))
        .await
        .with_context(|| format!("applying {} {name}", ar.kind))?;
    if let Some(status) = status {
        let status = json!({"apiVersion": ar.api_version, "kind": ar.kind, "status": status});
        stored = api
            .patch_status(name, &params, &Patch::Apply(&status))
            .await
            .with_context(|| format!("applying the status of {} {name}", ar.kind))?;
    }
    Ok(stored)
}

/// Now, to the second, as Kubernetes writes times.
pub fn now() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The resource template a binding propagates, as created on the hub.
#[derive(Clone, Debug)]
pub struct Template {
    pub api_version: String,
    pub kind: String,
    /// `None` for cluster-scoped templates (their binding is a ClusterResourceBinding).
    pub namespace: Option<String>,
    pub name: String,
    pub uid: String,
}

impl Template {
    /// The name Karmada gives its binding: lowercase `<name>-<kind>`.
    pub fn binding_name(&self) -> String {
        format!("{}-{}", self.name.replace(':', "."), self.kind).to_lowercase()
    }
}

/// The claim annotations the detector puts on a binding for `policy` (a PropagationPolicy or
/// ClusterPropagationPolicy as JSON).
pub fn claim_annotations(policy: &Value) -> Map<String, Value> {
    let name = policy["metadata"]["name"].clone();
    let mut annotations = Map::new();
    if policy["kind"] == "ClusterPropagationPolicy" {
        annotations.insert("clusterpropagationpolicy.karmada.io/name".into(), name);
    } else {
        annotations.insert("propagationpolicy.karmada.io/name".into(), name);
        annotations.insert(
            "propagationpolicy.karmada.io/namespace".into(),
            policy["metadata"]["namespace"].clone(),
        );
    }
    annotations
}

/// The binding of `template` claimed by `policy`, placed by the scheduler on `clusters`
/// (`(name, replicas)`; 0 replicas for kinds without replicas), without status. A namespaced
/// template gets a ResourceBinding, a cluster-scoped one a ClusterResourceBinding; either is
/// owned by the template and copies the policy's placement, as Karmada's detector does.
pub fn binding(
    template: &Template,
    policy: &Value,
    permanent_id: &str,
    replicas: i64,
    clusters: &[(&str, i64)],
) -> Value {
    let (kind, label) = match template.namespace {
        Some(_) => ("ResourceBinding", RB_PERMANENT_ID_LABEL),
        None => ("ClusterResourceBinding", CRB_PERMANENT_ID_LABEL),
    };
    let mut metadata = json!({
        "name": template.binding_name(),
        "labels": {label: permanent_id},
        "annotations": claim_annotations(policy),
        "ownerReferences": [{
            "apiVersion": template.api_version, "kind": template.kind, "name": template.name,
            "uid": template.uid, "controller": true, "blockOwnerDeletion": true,
        }],
    });
    let mut resource = json!({
        "apiVersion": template.api_version, "kind": template.kind, "name": template.name,
        "uid": template.uid,
    });
    if let Some(namespace) = &template.namespace {
        metadata["namespace"] = json!(namespace);
        resource["namespace"] = json!(namespace);
    }
    let targets: Vec<Value> = clusters
        .iter()
        .map(|(name, replicas)| match replicas {
            0 => json!({"name": name}),
            n => json!({"name": name, "replicas": n}),
        })
        .collect();
    let mut spec = json!({
        "resource": resource,
        "clusters": targets,
        "placement": policy["spec"]["placement"],
        "conflictResolution": policy["spec"].get("conflictResolution").cloned().unwrap_or(json!("Abort")),
    });
    if replicas > 0 {
        spec["replicas"] = json!(replicas);
    }
    json!({"apiVersion": "work.karmada.io/v1alpha2", "kind": kind, "metadata": metadata, "spec": spec})
}

/// What one member reports for a binding: an `aggregatedStatus` item.
#[derive(Clone, Debug)]
pub struct MemberReport {
    pub cluster: String,
    /// `Healthy`, `Unhealthy` or `Unknown`, Karmada's health interpretation.
    pub health: String,
    /// The workload's status on the member, as Karmada's status interpreter reflects it.
    pub status: Option<Value>,
}

impl MemberReport {
    /// Applied and healthy, no status.
    pub fn healthy(cluster: &str) -> Self {
        MemberReport {
            cluster: cluster.into(),
            health: "Healthy".into(),
            status: None,
        }
    }

    /// Deployment-like replica counts: `replicas` (all updated), of which `ready` are ready
    /// and available.
    pub fn replicas(mut self, replicas: i64, ready: i64) -> Self {
        self.status = Some(json!({
            "replicas": replicas, "readyReplicas": ready, "availableReplicas": ready,
            "updatedReplicas": replicas, "generation": 1, "observedGeneration": 1,
        }));
        self
    }

    pub fn status(mut self, status: Value) -> Self {
        self.status = Some(status);
        self
    }
}

/// A scheduled, fully applied binding's status: karmada-scheduler placed `generation`
/// (`Scheduled` True), every member applied it (`FullyApplied` True) and reports `reports`.
pub fn scheduled_status(generation: i64, reports: &[MemberReport]) -> Value {
    let now = now();
    let condition = |type_: &str, reason: &str, message: &str| {
        json!({"type": type_, "status": "True", "reason": reason, "message": message,
               "lastTransitionTime": now})
    };
    json!({
        "schedulerObservedGeneration": generation,
        "lastScheduledTime": now,
        "conditions": [
            condition("Scheduled", "Success", "Binding has been scheduled successfully."),
            condition("FullyApplied", "FullyAppliedSuccess", "All works have been successfully applied"),
        ],
        "aggregatedStatus": reports.iter().map(|r| {
            let mut item = json!({"clusterName": r.cluster, "applied": true, "health": r.health});
            if let Some(status) = &r.status {
                item["status"] = status.clone();
            }
            item
        }).collect::<Vec<_>>(),
    })
}

/// Applies a binding (spec and metadata), then its status with `schedulerObservedGeneration`
/// set to the generation the hub gave the spec, as karmada-scheduler does once it has placed
/// it: `status_for` builds the status for that generation.
pub async fn apply_binding(
    hub: &kube::Client,
    binding: &Value,
    status_for: impl FnOnce(i64) -> Value,
) -> Result<DynamicObject> {
    let ar = match binding["kind"].as_str() {
        Some("ClusterResourceBinding") => cluster_resource_bindings(),
        _ => resource_bindings(),
    };
    let stored = apply(hub, &ar, binding).await?;
    let mut binding = binding.clone();
    binding["status"] = status_for(stored.metadata.generation.unwrap_or(1));
    apply(hub, &ar, &binding).await
}

/// The Work of `binding` in `karmada-es-<cluster>`, named `name` (Karmada appends a hash to the
/// resource's name), labelled with the binding's permanent id, with `annotations` (e.g.
/// [`APPLIED_OVERRIDES`]) and reported applied. The manifest is only a stub of the template
/// (nothing executes Works here; the members' objects are created directly).
pub fn work(binding: &Value, cluster: &str, name: &str, annotations: &[(&str, &str)]) -> Value {
    let resource = &binding["spec"]["resource"];
    let mut manifest = json!({
        "apiVersion": resource["apiVersion"], "kind": resource["kind"],
        "metadata": {"name": resource["name"]},
    });
    if let Some(namespace) = resource.get("namespace") {
        manifest["metadata"]["namespace"] = namespace.clone();
    }
    let annotations: Map<String, Value> = annotations
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "apiVersion": "work.karmada.io/v1alpha1", "kind": "Work",
        "metadata": {
            "name": name, "namespace": format!("karmada-es-{cluster}"),
            "labels": binding["metadata"]["labels"], "annotations": annotations,
        },
        "spec": {"workload": {"manifests": [manifest]}},
        "status": {"conditions": [{
            "type": "Applied", "status": "True", "reason": "AppliedSuccessful",
            "message": "Manifest has been successfully applied", "lastTransitionTime": now(),
        }]},
    })
}

/// Applies a Work, creating its execution namespace first.
pub async fn apply_work(hub: &kube::Client, work: &Value) -> Result<()> {
    let namespace = work["metadata"]["namespace"]
        .as_str()
        .context("work namespace")?;
    apply_namespace(hub, namespace).await?;
    apply(hub, &works(), work).await.map(drop)
}
