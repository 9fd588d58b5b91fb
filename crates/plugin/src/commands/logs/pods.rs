//! The pods of a workload in a member: those its copy there selects, read through Karmada's
//! cluster proxy.

use super::through_proxy;
use crate::error::{PluginError, Result};
use crate::hub::Hub;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, ListParams};
use kube::core::Selector;

/// The kinds whose pods a label selector finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodOwner {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
}

impl PodOwner {
    pub fn of(kind: &str, display: &str) -> Result<PodOwner> {
        Ok(match kind {
            "Deployment" => PodOwner::Deployment,
            "StatefulSet" => PodOwner::StatefulSet,
            "DaemonSet" => PodOwner::DaemonSet,
            "ReplicaSet" => PodOwner::ReplicaSet,
            "Job" => PodOwner::Job,
            _ => {
                return Err(PluginError::Usage(format!(
                    "{display} has no pods of its own: logs reads the pods of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job"
                )));
            }
        })
    }

    /// The resource, as RBAC names it.
    pub fn resource(self) -> &'static str {
        match self {
            PodOwner::Deployment => "deployments",
            PodOwner::StatefulSet => "statefulsets",
            PodOwner::DaemonSet => "daemonsets",
            PodOwner::ReplicaSet => "replicasets",
            PodOwner::Job => "jobs",
        }
    }
}

/// A pod found in a member, with its containers in spec order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberPod {
    pub cluster: String,
    pub name: String,
    pub containers: Vec<String>,
}

/// The pods that the member's copy of the workload selects, by name.
pub async fn pods_on(
    hub: &Hub,
    cluster: &str,
    owner: PodOwner,
    (namespace, name): (&str, &str),
) -> Result<Vec<MemberPod>> {
    let client = hub.member_client(cluster)?;
    let selector = selector_of(&client, owner, namespace, name)
        .await
        .map_err(|e| through_proxy(e, cluster, "get", owner.resource()))?
        .ok_or_else(|| {
            PluginError::NotFound(format!(
                "cluster {cluster}: no {} {namespace}/{name} there (Karmada has not applied it yet?)",
                owner.resource()
            ))
        })?;
    let selector = label_selector(selector)
        .map_err(|why| PluginError::Api(format!("cluster {cluster}: {namespace}/{name} {why}")))?;
    let listed = Api::<Pod>::namespaced(client, namespace)
        .list(&ListParams::default().labels_from(&selector))
        .await
        .map_err(|e| through_proxy(e, cluster, "list", "pods"))?;
    let mut pods: Vec<MemberPod> = listed
        .items
        .into_iter()
        .filter_map(|pod| {
            Some(MemberPod {
                cluster: cluster.to_owned(),
                name: pod.metadata.name?,
                containers: pod.spec?.containers.into_iter().map(|c| c.name).collect(),
            })
        })
        .collect();
    pods.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(pods)
}

/// The selector of the member's copy of the workload; `None` when the member has none.
async fn selector_of(
    client: &kube::Client,
    owner: PodOwner,
    namespace: &str,
    name: &str,
) -> Result<Option<LabelSelector>, kube::Error> {
    let client = client.clone();
    Ok(match owner {
        PodOwner::Deployment => Api::<Deployment>::namespaced(client, namespace)
            .get_opt(name)
            .await?
            .map(|o| o.spec.unwrap_or_default().selector),
        PodOwner::StatefulSet => Api::<StatefulSet>::namespaced(client, namespace)
            .get_opt(name)
            .await?
            .map(|o| o.spec.unwrap_or_default().selector),
        PodOwner::DaemonSet => Api::<DaemonSet>::namespaced(client, namespace)
            .get_opt(name)
            .await?
            .map(|o| o.spec.unwrap_or_default().selector),
        PodOwner::ReplicaSet => Api::<ReplicaSet>::namespaced(client, namespace)
            .get_opt(name)
            .await?
            .map(|o| o.spec.unwrap_or_default().selector),
        PodOwner::Job => Api::<Job>::namespaced(client, namespace)
            .get_opt(name)
            .await?
            .map(|o| o.spec.and_then(|s| s.selector).unwrap_or_default()),
    })
}

/// The selector as a list query; an empty one would select every pod of the namespace.
pub fn label_selector(selector: LabelSelector) -> Result<Selector, String> {
    let selector = Selector::try_from(selector)
        .map_err(|e| format!("has a selector that is not valid: {e}"))?;
    if selector.to_string().is_empty() {
        return Err("has an empty selector: it would select every pod of the namespace".into());
    }
    Ok(selector)
}
