//! The world the replicas share out: nine members, each with two nodes, a system pod and the
//! pods of two of three Deployments (Deployment → ReplicaSet → Pods), and on the hub the
//! bindings that place them as Karmada would leave them: `web` on every member, `api` on the
//! even ones, `cart` on the odd ones, and a ClusterResourceBinding of the Namespace on every
//! member. Every placement therefore has entries of members that different replicas own, and
//! `api` and `cart` have candidate clusters too.

use crate::support::apply;
use crate::support::karmada::{self, apply_binding, scheduled_status};
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use testenv::nodes::node;
use testenv::pods::{PodBuilder, pod};
use testenv::{Environment, bulk, workloads};

pub const MEMBERS: [&str; 9] = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"];
pub const NAMESPACE: &str = "shop";
/// The nodes every member starts with.
pub const NODES: [&str; 2] = ["node-a", "node-b"];

/// A Deployment placed by a ResourceBinding, `replicas` on each of its `clusters`, each
/// replica requesting `cpu`.
pub struct Workload {
    pub name: &'static str,
    pub replicas: i64,
    pub cpu: &'static str,
    pub clusters: &'static [&'static str],
}

pub const WORKLOADS: [Workload; 3] = [
    Workload {
        name: "web",
        replicas: 2,
        cpu: "250m",
        clusters: &MEMBERS,
    },
    Workload {
        name: "api",
        replicas: 1,
        cpu: "500m",
        clusters: &["m2", "m4", "m6", "m8"],
    },
    Workload {
        name: "cart",
        replicas: 1,
        cpu: "500m",
        clusters: &["m1", "m3", "m5", "m7", "m9"],
    },
];

/// The ClusterResourceBinding's ClusterWorkloadPlacement.
pub const NAMESPACE_BINDING: &str = "shop-namespace";

impl Workload {
    pub fn binding_name(&self) -> String {
        format!("{}-deployment", self.name)
    }

    /// The ReplicaSet that owns the workload's pods in every member.
    pub fn replica_set(&self) -> String {
        format!("{}-5d8f", self.name)
    }
}

/// The workloads placed on `member`.
pub fn workloads_on(member: &str) -> impl Iterator<Item = &'static Workload> + '_ {
    WORKLOADS
        .iter()
        .filter(move |w| w.clusters.contains(&member))
}

/// The seeded world: a client of every member, and the UID of every ReplicaSet (later pods
/// are owned by it).
pub struct World {
    pub members: BTreeMap<&'static str, kube::Client>,
    pub replica_sets: BTreeMap<(&'static str, &'static str), String>,
}

/// Seeds the hub and every member.
pub async fn seed(env: &Environment) -> Result<World> {
    let hub = env.hub().client().await?;
    seed_hub(&hub).await?;
    let mut world = World {
        members: BTreeMap::new(),
        replica_sets: BTreeMap::new(),
    };
    for member in MEMBERS {
        let client = env.member(member).client().await?;
        for (workload, uid) in seed_member(&client, member).await? {
            world.replica_sets.insert((member, workload), uid);
        }
        world.members.insert(member, client);
    }
    Ok(world)
}

/// Nodes, a system pod and each placed workload's controllers and ready pods; the UIDs of the
/// ReplicaSets by workload.
async fn seed_member(member: &kube::Client, name: &str) -> Result<Vec<(&'static str, String)>> {
    bulk::create_nodes(member, &NODES.map(node)).await?;
    let mut pods = vec![
        pod("kube-system", "coredns-0")
            .on_node(NODES[0])
            .requests(&[("cpu", "100m"), ("memory", "70Mi")])
            .running(),
    ];
    let mut uids = Vec::new();
    for workload in workloads_on(name) {
        let replicas = i32::try_from(workload.replicas)?;
        let deployment = workloads::create(
            member,
            "Deployment",
            NAMESPACE,
            workload.name,
            replicas,
            None,
        )
        .await?;
        let rs = workload.replica_set();
        let owner = workloads::create(
            member,
            "ReplicaSet",
            NAMESPACE,
            &rs,
            replicas,
            Some(&deployment),
        )
        .await?;
        for i in 0..workload.replicas {
            let node = NODES[usize::try_from(i)? % NODES.len()];
            pods.push(owned_pod(workload, &owner.uid, &format!("{rs}-{i}"), node).running());
        }
        uids.push((workload.name, owner.uid));
    }
    bulk::create_pods(member, &pods)
        .await
        .with_context(|| format!("seeding {name}"))?;
    Ok(uids)
}

/// A pod of `workload`'s ReplicaSet on `node`, requesting what the binding says a replica does.
pub fn owned_pod(workload: &Workload, uid: &str, name: &str, node: &str) -> PodBuilder {
    pod(NAMESPACE, name)
        .on_node(node)
        .owned_by("ReplicaSet", &workload.replica_set(), uid)
        .requests(&[("cpu", workload.cpu), ("memory", "128Mi")])
}

async fn seed_hub(hub: &kube::Client) -> Result<()> {
    testenv::join::apply_namespace(hub, NAMESPACE).await?;
    let policies = karmada::propagation_policies();
    apply(
        hub,
        &policies,
        Some(NAMESPACE),
        json!({
            "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
            "metadata": {"name": "shop-pp", "namespace": NAMESPACE},
            "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
                     "placement": {"clusterAffinity": {"clusterNames": MEMBERS}}},
        }),
    )
    .await?;
    let cluster_policies = karmada::cluster_propagation_policies();
    apply(
        hub,
        &cluster_policies,
        None,
        json!({
            "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
            "metadata": {"name": "namespaces"},
            "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace"}],
                     "placement": {"clusterAffinity": {"clusterNames": MEMBERS}}},
        }),
    )
    .await?;
    for workload in &WORKLOADS {
        let reports: Vec<(&str, i64, i64)> = workload
            .clusters
            .iter()
            .map(|c| (*c, workload.replicas, workload.replicas))
            .collect();
        apply_binding(hub, binding(workload), |g| scheduled_status(g, &reports)).await?;
    }
    apply_binding(hub, namespace_binding(), |g| {
        let mut status = scheduled_status(g, &[]);
        status["aggregatedStatus"] = MEMBERS
            .iter()
            .map(|c| json!({"clusterName": c, "applied": true, "health": "Healthy"}))
            .collect();
        status
    })
    .await
}

/// The workload's ResourceBinding, scheduled with equal weights over its clusters; each replica
/// requests what its pods do, so `fitReplicas` is counted node by node.
fn binding(workload: &Workload) -> Value {
    let clusters: Vec<Value> = workload
        .clusters
        .iter()
        .map(|c| json!({"name": c, "replicas": workload.replicas}))
        .collect();
    json!({
        "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
        "metadata": {
            "name": workload.binding_name(), "namespace": NAMESPACE,
            "annotations": {"propagationpolicy.karmada.io/name": "shop-pp",
                            "propagationpolicy.karmada.io/namespace": NAMESPACE},
        },
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": NAMESPACE, "name": workload.name},
            "replicas": workload.replicas * i64::try_from(clusters.len()).unwrap_or(0),
            "replicaRequirements": {"resourceRequest": {"cpu": workload.cpu, "memory": "128Mi"}},
            "clusters": clusters,
            "placement": {
                "clusterAffinity": {"clusterNames": workload.clusters},
                "replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"},
            },
        },
    })
}

fn namespace_binding() -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha2", "kind": "ClusterResourceBinding",
        "metadata": {"name": NAMESPACE_BINDING,
                     "annotations": {"clusterpropagationpolicy.karmada.io/name": "namespaces"}},
        "spec": {"resource": {"apiVersion": "v1", "kind": "Namespace", "name": NAMESPACE},
                 "clusters": MEMBERS.iter().map(|c| json!({"name": c})).collect::<Vec<_>>(),
                 "placement": {"clusterAffinity": {"clusterNames": MEMBERS}}},
    })
}
