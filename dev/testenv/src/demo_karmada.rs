//! The demo with the real Karmada (`cargo xtask dev --karmada`): the demo's members and nodes,
//! and on the hub only what a user writes, the templates and the policies of
//! [`demo_workloads`](crate::demo_workloads), plus a GPU Deployment `ml/inference`. Karmada's own
//! controllers make the bindings and Works, the members' controllers the ReplicaSets and pods,
//! kube-scheduler places them and kwok runs them.
//!
//! Every pod template asks for CPU and memory (the GPU one for GPUs), so that the members'
//! allocation reads 30 to 50%, and each member's GPU node, which only the GPU pods tolerate, is
//! hot (87% of its CPU). Two nodes of each member ail (`ailments`), the way a real cluster
//! shows it, and kwok leaves them so:
//! - kwok plays only the nodes whose Lease it holds. member1's `m1-node-3` has a Lease of its
//!   own that kwok never takes (`hold_lease`); kube-controller-manager finds it not renewed
//!   and marks the node unreachable (Ready `Unknown`), as for any node whose kubelet stopped.
//! - kwok's node stages rewrite a node's conditions only when it is not Ready (on start-up) or
//!   on a heartbeat, which needs `status.phase: Running` (kwok sets it on start-up). The
//!   environment creates its nodes Ready and without a phase, as a kubelet reports them, so the
//!   pressure written later stays: kube-controller-manager taints the node, and no new pod
//!   lands there.
//! - Cordoning (`spec.unschedulable`) is no status: nothing undoes it.
//!
//! Pressure and cordon come once every workload runs all its pods (`wait_settled`), so those
//! nodes keep their share of pods, as nodes in service do when it happens to them.
//!
//! The cluster-scoped example is a ClusterRole, not the Namespace `shop` of the plain demo:
//! Karmada's namespace sync controller already propagates every namespace with a Work of the
//! same name, so a ClusterResourceBinding for a namespace never sees its Works applied.

use crate::demo::options;
use crate::demo_workloads::{cache_policy, report_policy, web_gold_override, web_policy};
use crate::join::apply_namespace;
use crate::karmada_objects::{self as karmada, apply};
use crate::nodes::{NodeBuilder, Pressure, node};
use crate::{EnvOptions, Environment, accounts, bulk, workloads};
use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::api::rbac::v1::ClusterRole;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::discovery::ApiResource;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The extended resource of the GPU nodes, and the key of the taint that keeps other pods off.
const GPU: &str = "nvidia.com/gpu";

/// How long Karmada and the members may take to run every pod of the demo's workloads: a
/// first run on a busy 2-core machine takes about a minute.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(300);

/// The lifetime of the Lease that keeps kwok away from the unreachable node: ten years.
const GONE_LEASE_SECONDS: i32 = 10 * 365 * 24 * 3600;

/// The demo's [`options`] with Karmada's control plane running.
pub fn karmada_options() -> EnvOptions {
    EnvOptions {
        karmada: true,
        ..options()
    }
}

/// What ails a node of the demo.
#[derive(Clone, Copy, Debug)]
enum Ailment {
    /// Its kubelet is gone from the start (a node that never came back from a reboot): no pod
    /// ever lands on it.
    Gone,
    /// Its kubelet reports the pressure once the node runs its share of the pods.
    Pressure(Pressure),
    /// `kubectl cordon`ed once the node runs its share of the pods (before a drain, say).
    Cordoned,
}

/// The ailing nodes of demo member `index`, by their number in [`member_nodes`]: member1 has
/// the played demo's NotReady and memory-pressure nodes, member2 its cordoned node and one
/// under disk pressure.
fn ailments(index: usize) -> &'static [(usize, Ailment)] {
    if index == 0 {
        &[(3, Ailment::Gone), (2, Ailment::Pressure(Pressure::Memory))]
    } else {
        &[
            (1, Ailment::Cordoned),
            (3, Ailment::Pressure(Pressure::Disk)),
        ]
    }
}

/// The nodes of demo member `index`, named, placed and sized as the played demo's
/// ([`demo::member_objects`](crate::demo::member_objects)), all healthy. The GPU node is
/// tainted as GKE taints its GPU nodes, so that only the pods that need GPUs land there.
fn member_nodes(index: usize) -> Vec<NodeBuilder> {
    let zone = if index == 0 {
        "eu-west-1"
    } else {
        "us-central1-"
    };
    let mut nodes: Vec<NodeBuilder> = (0..4)
        .map(|i| {
            node(&format!("m{}-node-{i}", index + 1))
                .zone(&format!("{zone}{}", ['a', 'b'][i % 2]))
                .instance_type("m5.xlarge")
        })
        .collect();
    nodes.push(
        node(&format!("m{}-gpu-0", index + 1))
            .instance_type("p3.2xlarge")
            .resource(GPU, "4", "4")
            .taint(GPU, "NoSchedule"),
    );
    nodes
}

/// Creates each member's demo nodes, then on the hub the namespaces, policies and templates;
/// once the members run every pod, the ailing nodes fall ill.
pub async fn seed(env: &Environment) -> Result<()> {
    let mut members = Vec::new();
    for (index, member) in env.members().iter().enumerate() {
        let client = member.client().await?;
        create_nodes(&client, index)
            .await
            .with_context(|| format!("creating the nodes of {}", member.name()))?;
        members.push((member.name(), client));
    }
    let hub = env.hub().client().await?;
    seed_hub(&hub).await?;
    // The hub's admin reaches the members through Karmada's cluster proxy (the plugin's
    // `logs`, `trace`, `cordon`), as a member grants a person.
    let (admin, groups) = accounts::proxied_identity(&hub).await?;
    for (_, client) in &members {
        accounts::grant_impersonation(client, "hub-admin-through-proxy", &admin, &groups).await?;
    }
    for (index, (name, client)) in members.iter().enumerate() {
        wait_settled(client)
            .await
            .with_context(|| format!("waiting for the demo's pods in {name}"))?;
        fall_ill(client, index)
            .await
            .with_context(|| format!("making the ailing nodes of {name} ill"))?;
    }
    Ok(())
}

/// The member's nodes; a gone node's Lease first, so that kwok never plays it.
async fn create_nodes(member: &kube::Client, index: usize) -> Result<()> {
    let mut nodes = member_nodes(index);
    for &(number, ailment) in ailments(index) {
        if matches!(ailment, Ailment::Gone) {
            hold_lease(member, nodes[number].name()).await?;
            nodes[number] = nodes[number].clone().not_ready();
        }
    }
    bulk::create_nodes(member, &nodes).await
}

/// Keeps kwok away from `node`. kwok plays only the nodes whose Lease it holds, and takes over
/// a Lease held by another only once it has expired. This one, held in the node's name as a
/// kubelet holds its own, was renewed once and lasts for years; kube-controller-manager judges
/// a node by when its Lease was last renewed, not by how long it lasts, so it declares the node
/// unreachable after its grace period.
async fn hold_lease(member: &kube::Client, node: &str) -> Result<()> {
    let namespace = "kube-node-lease";
    apply_namespace(member, namespace).await?;
    let lease = Lease {
        metadata: ObjectMeta {
            name: Some(node.to_string()),
            namespace: Some(namespace.to_string()),
            ..Default::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(node.to_string()),
            lease_duration_seconds: Some(GONE_LEASE_SECONDS),
            renew_time: Some(MicroTime(k8s_openapi::jiff::Timestamp::now())),
            ..Default::default()
        }),
    };
    Api::<Lease>::namespaced(member.clone(), namespace)
        .create(&PostParams::default(), &lease)
        .await
        .with_context(|| format!("creating the Lease of node {node}"))?;
    Ok(())
}

/// On the hub, what a user writes: namespaces, policies, templates.
async fn seed_hub(hub: &kube::Client) -> Result<()> {
    for namespace in ["shop", "batch", "ml"] {
        apply_namespace(hub, namespace).await?;
    }
    // Policies before templates, so that each template is claimed as soon as it exists.
    let propagation = karmada::propagation_policies();
    apply(hub, &propagation, &web_policy()).await?;
    apply(hub, &karmada::override_policies(), &web_gold_override()).await?;
    apply(hub, &propagation, &cache_policy()).await?;
    apply(hub, &propagation, &report_policy()).await?;
    apply(hub, &propagation, &inference_policy()).await?;
    apply(
        hub,
        &karmada::cluster_propagation_policies(),
        &cluster_role_policy(),
    )
    .await?;
    let cluster_roles = ApiResource::erase::<ClusterRole>(&());
    apply(hub, &cluster_roles, &shop_reader()).await?;
    for (kind, namespace, name, replicas, pod) in templates() {
        workloads::create_shaped(hub, kind, (namespace, name), replicas, None, &pod).await?;
    }
    Ok(())
}

/// The templates: (kind, namespace, name, replicas, what each pod asks for). Memory limits
/// equal requests, so that no pod uses more than it asked for (kubelet evicts those first under
/// memory pressure); no CPU limits, as many clusters leave them out (they throttle, they do not
/// protect). Extended resources must have limits equal to their requests.
fn templates() -> [(&'static str, &'static str, &'static str, i32, Value); 4] {
    let asks = |cpu: &str, memory: &str| {
        json!({"resources": {
            "requests": {"cpu": cpu, "memory": memory},
            "limits": {"memory": memory},
        }})
    };
    let gpu = json!({
        "resources": {
            "requests": {"cpu": "1700m", "memory": "6Gi", GPU: "1"},
            "limits": {"memory": "6Gi", GPU: "1"},
        },
        "tolerations": [{"key": GPU, "operator": "Exists", "effect": "NoSchedule"}],
    });
    [
        ("Deployment", "shop", "web", 12, asks("500m", "1Gi")),
        ("StatefulSet", "shop", "cache", 2, asks("1", "4Gi")),
        ("CronJob", "batch", "report", 0, asks("250m", "256Mi")),
        ("Deployment", "ml", "inference", 2, gpu),
    ]
}

/// Waits until every workload with replicas runs all of them in the member (kwok marks them
/// ready): the demo's pods are then where kube-scheduler put them.
async fn wait_settled(member: &kube::Client) -> Result<()> {
    let deployments = ApiResource::erase::<Deployment>(&());
    let stateful_sets = ApiResource::erase::<StatefulSet>(&());
    let workloads = [
        (&deployments, "shop", "web"),
        (&stateful_sets, "shop", "cache"),
        (&deployments, "ml", "inference"),
    ];
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        let mut waiting = Vec::new();
        for (resource, namespace, name) in workloads {
            let api: Api<DynamicObject> = Api::namespaced_with(member.clone(), namespace, resource);
            let ready = api.get_opt(name).await?.is_some_and(|object| {
                let wanted = object.data["spec"]["replicas"].as_i64();
                wanted.is_some() && wanted == object.data["status"]["readyReplicas"].as_i64()
            });
            if !ready {
                waiting.push(format!("{} {namespace}/{name}", resource.kind));
            }
        }
        if waiting.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "not every pod ready within {SETTLE_TIMEOUT:?}: {}",
                waiting.join(", ")
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The pressures as their kubelets would report them, the cordons as `kubectl cordon` does.
async fn fall_ill(member: &kube::Client, index: usize) -> Result<()> {
    let nodes = member_nodes(index);
    let api: Api<Node> = Api::all(member.clone());
    for &(number, ailment) in ailments(index) {
        let node = &nodes[number];
        match ailment {
            Ailment::Gone => {}
            Ailment::Pressure(pressure) => {
                bulk::set_node_status(&api, &node.clone().pressure(pressure)).await?;
            }
            Ailment::Cordoned => {
                let cordon = json!({"spec": {"unschedulable": true}});
                api.patch(node.name(), &PatchParams::default(), &Patch::Merge(&cordon))
                    .await
                    .with_context(|| format!("cordoning node {}", node.name()))?;
            }
        }
    }
    Ok(())
}

/// PropagationPolicy `ml/inference-pp`: Deployment `inference` duplicated to every demo member.
fn inference_policy() -> Value {
    karmada::propagation_policy(
        "inference-pp",
        "ml",
        ("apps/v1", "Deployment", "inference"),
        json!({
            "clusterAffinity": {"labelSelector": {"matchLabels": {"env": "demo"}}},
            "replicaScheduling": {"replicaSchedulingType": "Duplicated"},
        }),
    )
}

/// ClusterRole `shop-reader`, a cluster-scoped resource for a ClusterResourceBinding.
fn shop_reader() -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "shop-reader"},
        "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}],
    })
}

/// ClusterPropagationPolicy `demo-cluster-roles`: ClusterRole `shop-reader` to every demo member.
fn cluster_role_policy() -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
        "metadata": {"name": "demo-cluster-roles"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "name": "shop-reader"}],
            "placement": {"clusterAffinity": {"labelSelector": {"matchLabels": {"env": "demo"}}}},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nodes_are_the_played_demos() {
        for index in 0..2 {
            let names = |nodes: &[NodeBuilder]| -> Vec<String> {
                nodes.iter().map(|n| n.name().to_string()).collect()
            };
            let (played, _) = crate::demo::member_objects(index);
            assert_eq!(names(&member_nodes(index)), names(&played));
            assert!(ailments(index).iter().all(|&(n, _)| n < played.len()));
        }
    }
}
