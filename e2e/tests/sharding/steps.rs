//! The changes made to the world after every membership change, the same for the single
//! replica (to record what it writes) and for the sharded ones (to see that they write the
//! same), and what the statuses must count after each.
//!
//! Phase `i` first picks up: a node `extra-i` in every member, then on it one not-ready pod of
//! each workload placed there. Later it touches: that node goes NotReady, then those pods
//! restart once. Nodes always change first, and the pods only once every ClusterInsight shows
//! the nodes as they now are: a node change moves `fitReplicas` but triggers no placement (the
//! operator refreshes fits every minute), the pods trigger every placement of the member, so
//! every fit is computed on the new nodes whatever the timing. The pods request nothing, so
//! they move no fit of a binding they do not trigger.

use crate::statuses::Snapshot;
use crate::world::{MEMBERS, NAMESPACE, NAMESPACE_BINDING, NODES, WORKLOADS, World, workloads_on};
use anyhow::{Result, bail};
use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus};
use kube::api::{Api, DeleteParams};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use testenv::bulk;
use testenv::nodes::node;
use testenv::pods::{PodBuilder, pod};

/// Where the world is: after the pick-up of phase `index`, and after its touch if `touched`.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub index: usize,
    pub touched: bool,
}

impl Step {
    fn extra_nodes(self) -> i64 {
        i64::try_from(self.index).unwrap_or(0) + 1
    }

    /// Extra nodes NotReady, and extra pods of each workload restarted once: one per touch.
    fn touches(self) -> i64 {
        i64::try_from(self.index).unwrap_or(0) + i64::from(self.touched)
    }

    /// Nodes in every member, and how many of them are Ready.
    pub fn nodes(self) -> (i64, i64) {
        let total = i64::try_from(NODES.len()).unwrap_or(0) + self.extra_nodes();
        (total, total - self.touches())
    }
}

fn extra_node(index: usize) -> String {
    format!("extra-{index}")
}

impl World {
    /// The pick-up of phase `index`; when each member showed its node, counted from `since`.
    pub async fn pick_up(
        &self,
        hub: &kube::Client,
        index: usize,
        since: Instant,
        deadline: Instant,
    ) -> Result<BTreeMap<String, Duration>> {
        self.add_nodes(index).await?;
        let step = Step {
            index,
            touched: false,
        };
        let seen = nodes_seen(hub, step.nodes(), since, deadline).await?;
        self.add_pods(index).await?;
        Ok(seen)
    }

    /// The touch of phase `index`.
    pub async fn touch(&self, hub: &kube::Client, index: usize, deadline: Instant) -> Result<()> {
        self.fail_nodes(index).await?;
        let step = Step {
            index,
            touched: true,
        };
        nodes_seen(hub, step.nodes(), Instant::now(), deadline).await?;
        self.restart_pods(index).await
    }

    async fn add_nodes(&self, index: usize) -> Result<()> {
        for client in self.members.values() {
            bulk::create_nodes(client, &[node(&extra_node(index))]).await?;
        }
        Ok(())
    }

    async fn fail_nodes(&self, index: usize) -> Result<()> {
        let failed = node(&extra_node(index)).not_ready();
        for client in self.members.values() {
            bulk::set_node_status(&Api::<Node>::all(client.clone()), &failed).await?;
        }
        Ok(())
    }

    async fn add_pods(&self, index: usize) -> Result<()> {
        for (&member, client) in &self.members {
            bulk::create_pods(client, &self.extra_pods(member, index, 0)).await?;
        }
        Ok(())
    }

    async fn restart_pods(&self, index: usize) -> Result<()> {
        for (&member, client) in &self.members {
            let api = Api::<Pod>::namespaced(client.clone(), NAMESPACE);
            for pod in self.extra_pods(member, index, 1) {
                bulk::set_pod_status(&api, &pod).await?;
            }
        }
        Ok(())
    }

    /// Back to the seeded world: the extra pods and nodes of phases `0..phases` deleted.
    pub async fn revert(&self, phases: usize) -> Result<()> {
        for (&member, client) in &self.members {
            let pods = Api::<Pod>::namespaced(client.clone(), NAMESPACE);
            let nodes = Api::<Node>::all(client.clone());
            for index in 0..phases {
                for pod in self.extra_pods(member, index, 0) {
                    bulk::delete_pod(&pods, pod.name()).await?;
                }
                nodes
                    .delete(&extra_node(index), &DeleteParams::default())
                    .await?;
            }
        }
        Ok(())
    }

    /// One running, not-ready pod of each workload on `member`, on node `extra-<index>`.
    fn extra_pods(&self, member: &'static str, index: usize, restarts: i32) -> Vec<PodBuilder> {
        workloads_on(member)
            .map(|w| {
                let uid = &self.replica_sets[&(member, w.name)];
                let name = format!("{}-x{index}", w.replica_set());
                pod(NAMESPACE, &name)
                    .on_node(&extra_node(index))
                    .owned_by("ReplicaSet", &w.replica_set(), uid)
                    .running()
                    .ready(false)
                    .restarts(restarts)
            })
            .collect()
    }
}

/// Polls the ClusterInsights until every member shows `(total, ready)` nodes as they now are
/// ([`shows`]); when each did, counted from `since`. Fails at `deadline` naming the members
/// that did not.
pub async fn nodes_seen(
    hub: &kube::Client,
    (total, ready): (i64, i64),
    since: Instant,
    deadline: Instant,
) -> Result<BTreeMap<String, Duration>> {
    let insights = Api::<ClusterInsight>::all(hub.clone());
    let mut seen = BTreeMap::new();
    loop {
        let mut missing = Vec::new();
        for insight in insights.list(&Default::default()).await? {
            let name = insight.metadata.name.clone().unwrap_or_default();
            match shows(insight.status.unwrap_or_default(), total, ready) {
                Ok(()) => {
                    seen.entry(name).or_insert_with(|| since.elapsed());
                }
                Err(what) if !seen.contains_key(&name) => missing.push(format!("{name} ({what})")),
                Err(_) => {}
            }
        }
        if seen.len() == MEMBERS.len() {
            return Ok(seen);
        }
        if Instant::now() > deadline {
            bail!(
                "{:.1?} after the change, these ClusterInsights do not show {total} nodes, {ready} ready and offered untainted: {}",
                since.elapsed(),
                missing.join(", ")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the insight counts `total` nodes, `ready` of them Ready and offered in its headroom
/// without a taint. A new node carries the API server's `not-ready:NoSchedule` taint until
/// testenv lifts it; a fit computed in between would stay until the next refresh.
fn shows(status: ClusterInsightStatus, total: i64, ready: i64) -> Result<(), String> {
    let (nodes, headroom) = (status.nodes, status.headroom.unwrap_or_default());
    let tainted = headroom.shapes.iter().any(|s| !s.taints.is_empty());
    if (nodes.total, nodes.ready, headroom.nodes, tainted) == (total, ready, ready, false) {
        return Ok(());
    }
    Err(format!(
        "{} nodes, {} ready, {} offered{}",
        nodes.total,
        nodes.ready,
        headroom.nodes,
        if tainted { ", some tainted" } else { "" }
    ))
}

/// Whether `snapshot` counts what the world holds at `step`; `Err` names the first figure that
/// does not. Checks the single replica's statuses before they are taken as the reference.
pub fn reflects(snapshot: &Snapshot, step: Step) -> Result<(), String> {
    let (total, ready) = step.nodes();
    for member in MEMBERS {
        let status = &snapshot_of(snapshot, &format!("ClusterInsight/{member}"))?;
        let workloads = workloads_on(member);
        let pods: i64 = 1 + workloads
            .map(|w| w.replicas + step.extra_nodes())
            .sum::<i64>();
        let restarts = step.touches() * i64::try_from(workloads_on(member).count()).unwrap_or(0);
        expect(status, &["nodes", "total"], total, member)?;
        expect(status, &["nodes", "ready"], ready, member)?;
        expect(status, &["pods", "total"], pods, member)?;
        expect(status, &["pods", "restarts"], restarts, member)?;
    }
    for workload in &WORKLOADS {
        let key = format!("WorkloadPlacement/{NAMESPACE}/{}", workload.binding_name());
        let status = snapshot_of(snapshot, &key)?;
        let entries = status["clusters"].as_array().cloned().unwrap_or_default();
        if entries.len() != workload.clusters.len() {
            return Err(format!("{key}: {} cluster entries", entries.len()));
        }
        for entry in &entries {
            let pods = workload.replicas + step.extra_nodes();
            expect(entry, &["pods", "total"], pods, &key)?;
            expect(entry, &["pods", "restarts"], step.touches(), &key)?;
        }
    }
    let namespace = snapshot_of(
        snapshot,
        &format!("ClusterWorkloadPlacement/{NAMESPACE_BINDING}"),
    )?;
    let fleet = snapshot_of(snapshot, "FleetInsight/fleet")?;
    let members = i64::try_from(MEMBERS.len()).unwrap_or(0);
    expect(&fleet, &["nodes", "total"], members * total, "fleet")?;
    match namespace["clusters"].as_array() {
        Some(entries) if entries.len() == MEMBERS.len() => Ok(()),
        _ => Err(format!("{NAMESPACE_BINDING}: not every cluster listed")),
    }
}

fn snapshot_of(snapshot: &Snapshot, key: &str) -> Result<Value, String> {
    snapshot
        .get(key)
        .filter(|s| !s.is_null())
        .cloned()
        .ok_or_else(|| format!("no status for {key}"))
}

fn expect(value: &Value, path: &[&str], wanted: i64, what: &str) -> Result<(), String> {
    let found = path.iter().fold(value, |v, key| &v[key]);
    if found.as_i64() == Some(wanted) {
        Ok(())
    } else {
        Err(format!(
            "{what}: {} is {found}, not {wanted}",
            path.join(".")
        ))
    }
}
