//! Creating and updating many Nodes and Pods quickly: requests run concurrently, and status is
//! written through the status subresource the way kubelet writes it.

use crate::join::apply_namespace;
use crate::nodes::NodeBuilder;
use crate::pods::PodBuilder;
use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt, stream};
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::node::v1::RuntimeClass;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// Requests in flight at once; well under kube-apiserver's default inflight limits.
const CONCURRENCY: usize = 48;

/// Creates the nodes and reports their kubelet status.
pub async fn create_nodes(client: &kube::Client, nodes: &[NodeBuilder]) -> Result<()> {
    let api: Api<Node> = Api::all(client.clone());
    stream::iter(nodes)
        .map(|node| {
            let api = api.clone();
            async move {
                let created = api
                    .create(&PostParams::default(), &node.build())
                    .await
                    .with_context(|| format!("creating node {}", node.name()))?;
                set_node_status(&api, node).await?;
                set_lifecycle_taints(&api, node, &created).await
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect::<()>()
        .await
}

/// The API server's `TaintNodesByCondition` admission gives every new node the taint
/// `node.kubernetes.io/not-ready:NoSchedule`; kube-controller-manager's node lifecycle
/// controller then keeps the taints in line with the node's conditions (lifting that one once
/// the node is Ready, adding pressure and cordon taints). Members without that controller (the
/// played environment) would keep the admission's taint forever, and no pod without a
/// toleration would fit anywhere; so the taints are set as the controller leaves them.
async fn set_lifecycle_taints(api: &Api<Node>, node: &NodeBuilder, created: &Node) -> Result<()> {
    let wanted = node.lifecycle_taints();
    let now = created
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    if now == wanted {
        return Ok(());
    }
    api.patch(
        node.name(),
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"taints": wanted}})),
    )
    .await
    .with_context(|| format!("setting the lifecycle taints of node {}", node.name()))?;
    Ok(())
}

/// Writes a node's status as kubelet would (after changing the builder, e.g. `.not_ready()`).
pub async fn set_node_status(api: &Api<Node>, node: &NodeBuilder) -> Result<()> {
    api.patch_status(
        node.name(),
        &PatchParams::default(),
        &Patch::Merge(json!({"status": node.status()})),
    )
    .await
    .with_context(|| format!("updating status of node {}", node.name()))?;
    Ok(())
}

/// Creates the pods (and their namespaces) and reports their status.
pub async fn create_pods(client: &kube::Client, pods: &[PodBuilder]) -> Result<()> {
    let namespaces: BTreeSet<_> = pods.iter().map(PodBuilder::namespace).collect();
    for namespace in namespaces {
        apply_namespace(client, namespace).await?;
    }
    let runtime_classes: BTreeMap<_, _> =
        pods.iter().filter_map(PodBuilder::runtime_class).collect();
    for (name, overhead) in runtime_classes {
        let class = json!({
            "apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass",
            "metadata": {"name": name}, "handler": "runc", "overhead": {"podFixed": overhead},
        });
        Api::<RuntimeClass>::all(client.clone())
            .patch(
                &name,
                &PatchParams::apply("testenv").force(),
                &Patch::Apply(&class),
            )
            .await
            .with_context(|| format!("applying RuntimeClass {name}"))?;
    }
    stream::iter(pods)
        .map(|pod| {
            let api: Api<Pod> = Api::namespaced(client.clone(), pod.namespace());
            async move {
                api.create(&PostParams::default(), &pod.build())
                    .await
                    .with_context(|| format!("creating pod {}/{}", pod.namespace(), pod.name()))?;
                set_pod_status(&api, pod).await
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect::<()>()
        .await
}

/// Writes a pod's status as kubelet would (after changing the builder, e.g. `.running()`).
pub async fn set_pod_status(api: &Api<Pod>, pod: &PodBuilder) -> Result<()> {
    api.patch_status(
        pod.name(),
        &PatchParams::default(),
        &Patch::Merge(json!({"status": pod.status()})),
    )
    .await
    .with_context(|| format!("updating status of pod {}/{}", pod.namespace(), pod.name()))?;
    Ok(())
}

/// Deletes a pod the way it ends when kubelet has stopped it: immediately (grace period 0). A
/// bound pod deleted with a grace period would wait for a kubelet that does not exist here.
pub async fn delete_pod(api: &Api<Pod>, name: &str) -> Result<()> {
    api.delete(name, &kube::api::DeleteParams::default().grace_period(0))
        .await
        .with_context(|| format!("deleting pod {name}"))?;
    Ok(())
}
