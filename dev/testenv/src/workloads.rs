//! Workload controllers in a member as Karmada's execution controller and the member's
//! kube-controller-manager would leave them: a Deployment owning a ReplicaSet, a CronJob owning
//! a Job, a StatefulSet... with real UIDs, so that pods can be owned by them
//! ([`PodBuilder::owned_by`](crate::pods::PodBuilder::owned_by)). No controller runs in the
//! members: the test creates each level itself.

use anyhow::{Context, Result, bail};
use kube::api::{Api, DynamicObject, PostParams};
use kube::discovery::ApiResource;
use serde_json::{Value, json};

use crate::join::apply_namespace;

/// A created controller, to own the next level.
#[derive(Clone, Debug)]
pub struct Owner {
    pub kind: String,
    pub name: String,
    pub uid: String,
}

/// Creates a `kind` (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob) named
/// `namespace`/`name` in the member, controlled by `owner` if given, with the smallest valid
/// spec for `replicas` pods.
pub async fn create(
    member: &kube::Client,
    kind: &str,
    namespace: &str,
    name: &str,
    replicas: i32,
    owner: Option<&Owner>,
) -> Result<Owner> {
    apply_namespace(member, namespace).await?;
    let (group, plural) = match kind {
        "Deployment" => ("apps", "deployments"),
        "ReplicaSet" => ("apps", "replicasets"),
        "StatefulSet" => ("apps", "statefulsets"),
        "DaemonSet" => ("apps", "daemonsets"),
        "Job" => ("batch", "jobs"),
        "CronJob" => ("batch", "cronjobs"),
        other => bail!("no recipe for a {other}"),
    };
    let resource = ApiResource {
        group: group.into(),
        version: "v1".into(),
        api_version: format!("{group}/v1"),
        kind: kind.into(),
        plural: plural.into(),
    };
    let mut object = json!({
        "apiVersion": resource.api_version, "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": spec(kind, name, replicas),
    });
    if let Some(owner) = owner {
        let api_version = match owner.kind.as_str() {
            "Job" | "CronJob" => "batch/v1",
            _ => "apps/v1",
        };
        object["metadata"]["ownerReferences"] = json!([{
            "apiVersion": api_version, "kind": owner.kind, "name": owner.name, "uid": owner.uid,
            "controller": true, "blockOwnerDeletion": true,
        }]);
    }
    let api: Api<DynamicObject> = Api::namespaced_with(member.clone(), namespace, &resource);
    let created = api
        .create(&PostParams::default(), &serde_json::from_value(object)?)
        .await
        .with_context(|| format!("creating {kind} {namespace}/{name}"))?;
    Ok(Owner {
        kind: kind.into(),
        name: name.into(),
        uid: created.metadata.uid.context("no uid")?,
    })
}

fn pod_template(name: &str, restart: &str) -> Value {
    json!({
        "metadata": {"labels": {"app": name}},
        "spec": {"restartPolicy": restart, "containers": [{"name": "app", "image": "registry.local/app:1"}]},
    })
}

fn spec(kind: &str, name: &str, replicas: i32) -> Value {
    let selector = json!({"matchLabels": {"app": name}});
    match kind {
        "Deployment" | "ReplicaSet" => json!({
            "replicas": replicas, "selector": selector, "template": pod_template(name, "Always"),
        }),
        "StatefulSet" => json!({
            "replicas": replicas, "selector": selector, "serviceName": name,
            "template": pod_template(name, "Always"),
        }),
        "DaemonSet" => json!({"selector": selector, "template": pod_template(name, "Always")}),
        "Job" => json!({"parallelism": replicas, "template": pod_template(name, "Never")}),
        _ => json!({
            "schedule": "*/5 * * * *",
            "jobTemplate": {"spec": {"template": pod_template(name, "Never")}},
        }),
    }
}
