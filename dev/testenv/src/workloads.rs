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
    create_shaped(
        member,
        kind,
        (namespace, name),
        replicas,
        owner,
        &Value::Null,
    )
    .await
}

/// Like [`create`], with what the pod template asks of a node: `pod["resources"]` becomes the
/// container's `resources` and `pod["tolerations"]` the pod's, both as a manifest writes them.
pub async fn create_shaped(
    member: &kube::Client,
    kind: &str,
    (namespace, name): (&str, &str),
    replicas: i32,
    owner: Option<&Owner>,
    pod: &Value,
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
        "spec": spec(kind, name, replicas, pod),
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

fn pod_template(name: &str, restart: &str, pod: &Value) -> Value {
    let mut container = json!({"name": "app", "image": "registry.local/app:1"});
    if let Some(resources) = pod.get("resources") {
        container["resources"] = resources.clone();
    }
    let mut spec = json!({"restartPolicy": restart, "containers": [container]});
    if let Some(tolerations) = pod.get("tolerations") {
        spec["tolerations"] = tolerations.clone();
    }
    json!({"metadata": {"labels": {"app": name}}, "spec": spec})
}

fn spec(kind: &str, name: &str, replicas: i32, pod: &Value) -> Value {
    let selector = json!({"matchLabels": {"app": name}});
    let template = |restart| pod_template(name, restart, pod);
    match kind {
        "Deployment" | "ReplicaSet" => json!({
            "replicas": replicas, "selector": selector, "template": template("Always"),
        }),
        "StatefulSet" => json!({
            "replicas": replicas, "selector": selector, "serviceName": name,
            "template": template("Always"),
        }),
        "DaemonSet" => json!({"selector": selector, "template": template("Always")}),
        "Job" => json!({"parallelism": replicas, "template": template("Never")}),
        _ => json!({
            "schedule": "*/5 * * * *",
            "jobTemplate": {"spec": {"template": template("Never")}},
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_adds_resources_and_tolerations_and_nothing_else() {
        let plain = spec("Deployment", "web", 3, &Value::Null);
        assert_eq!(
            plain["template"]["spec"],
            json!({"restartPolicy": "Always", "containers": [{"name": "app", "image": "registry.local/app:1"}]})
        );
        let pod = json!({"resources": {"requests": {"cpu": "1"}}, "tolerations": [{"key": "k"}]});
        let shaped = spec("CronJob", "report", 0, &pod);
        let template = &shaped["jobTemplate"]["spec"]["template"]["spec"];
        assert_eq!(template["containers"][0]["resources"], pod["resources"]);
        assert_eq!(template["tolerations"], pod["tolerations"]);
        assert_eq!(template["restartPolicy"], "Never");
    }
}
