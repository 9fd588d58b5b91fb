//! `FleetInsight` status: every member's `ClusterInsight` summed, plus hub-wide counts.

#[cfg(test)]
mod tests;
mod workload_states;

pub use workload_states::{WorkloadState, fleet_workload_counts};

use std::cmp::Reverse;
use std::collections::BTreeMap;

use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{
    ClusterCounts, ClusterInsightStatus, FleetInsightStatus, FleetWorkloadCounts, NodeCounts,
    PodCounts, PolicyCounts, ResourceFigures, ResourceMap, TopCluster,
};

use crate::quantity::{ExactSum, Sign};
use crate::status::conditions::DesiredCondition;
use crate::status::{amount_of, node_counts, resource_figures};

/// Settings of the `FleetInsight` builder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetOptions {
    /// Most members listed in `topClusters` (default 10).
    pub top_clusters_limit: usize,
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            top_clusters_limit: 10,
        }
    }
}

/// Hub-wide counts that do not come from ClusterInsights (the binding and policy indexes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HubCounts {
    /// Workloads by state; `display` is recomputed.
    pub workloads: FleetWorkloadCounts,
    /// Policies by kind.
    pub policies: PolicyCounts,
}

/// The FleetInsight's conditions: Ready, saying how many clusters are ready. The fleet is a
/// sum, never stuck itself: members in trouble show on their own insights.
pub fn fleet_conditions(status: &FleetInsightStatus) -> Vec<DesiredCondition> {
    let message = format!(
        "{} of {} clusters ready",
        status.clusters.ready, status.clusters.total
    );
    vec![DesiredCondition::of(
        types::READY,
        true,
        reasons::SYNCED,
        message,
    )]
}

/// Sums the members' statuses, one `(cluster name, ClusterInsight status)` per Karmada
/// `Cluster` (pass a default status for a member without one yet: it counts as not ready).
///
/// `available` and `allocatedPercent` are recomputed from the sums; `capacity` is summed only
/// when every member listing the resource reports it (members on source `ClusterStatus` do
/// not), since a partial sum would understate it. The result is independent of the order of
/// `insights`. Conditions, observedGeneration and lastChangeTime are left to the shell.
///
/// The members' statuses are read back from the hub, where anything may have been written, so
/// nothing in them is trusted to be sane: a count below zero counts as 0, count sums saturate
/// at `i64::MAX`, resource sums are exact (clamped at the `Amount` bounds only at the end, so
/// the order of the members cannot change them) and an unparsable quantity counts as zero.
pub fn fleet_insight_status<'a>(
    insights: impl IntoIterator<Item = (&'a str, &'a ClusterInsightStatus)>,
    hub: &HubCounts,
    options: &FleetOptions,
) -> FleetInsightStatus {
    let mut clusters = (0i64, 0i64);
    let mut nodes = NodeCounts::default();
    let mut pods = PodCounts::default();
    let mut resources: BTreeMap<&str, ResourceSum> = BTreeMap::new();
    let mut top = Vec::new();
    for (name, insight) in insights {
        clusters.0 = add_count(clusters.0, 1);
        clusters.1 = add_count(clusters.1, i64::from(is_ready(insight)));
        add_nodes(&mut nodes, &insight.nodes);
        add_pods(&mut pods, &insight.pods);
        for (resource, figures) in &insight.resources {
            resources.entry(resource).or_default().add(figures);
        }
        top.push(top_cluster(name, insight));
    }
    let (top_clusters, omitted) = top_clusters(top, options.top_clusters_limit);
    let workloads = &hub.workloads;
    FleetInsightStatus {
        clusters: ClusterCounts {
            total: clusters.0,
            ready: clusters.1,
            display: format!("{}/{}", clusters.1, clusters.0),
        },
        nodes: NodeCounts {
            unschedulable: nodes.unschedulable,
            memory_pressure: nodes.memory_pressure,
            disk_pressure: nodes.disk_pressure,
            pid_pressure: nodes.pid_pressure,
            ..node_counts(nodes.total, nodes.ready)
        },
        pods,
        resources: resource_map(resources),
        workloads: FleetWorkloadCounts {
            display: format!("{}/{}", workloads.ready, workloads.total),
            ..workloads.clone()
        },
        policies: hub.policies.clone(),
        top_clusters,
        omitted_top_clusters: omitted,
        ..FleetInsightStatus::default()
    }
}

fn is_ready(insight: &ClusterInsightStatus) -> bool {
    insight
        .conditions
        .iter()
        .find(|c| c.type_ == types::READY)
        .is_some_and(|c| c.status == status::TRUE)
}

/// `sum + max(member, 0)`, saturating: every term is non-negative, so the result is the exact
/// sum clamped at `i64::MAX` whatever the order of the terms.
fn add_count(sum: i64, member: i64) -> i64 {
    sum.saturating_add(member.max(0))
}

fn add_nodes(sum: &mut NodeCounts, member: &NodeCounts) {
    sum.total = add_count(sum.total, member.total);
    sum.ready = add_count(sum.ready, member.ready);
    sum.unschedulable = add_count(sum.unschedulable, member.unschedulable);
    sum.memory_pressure = add_count(sum.memory_pressure, member.memory_pressure);
    sum.disk_pressure = add_count(sum.disk_pressure, member.disk_pressure);
    sum.pid_pressure = add_count(sum.pid_pressure, member.pid_pressure);
}

fn add_pods(sum: &mut PodCounts, member: &PodCounts) {
    sum.total = add_count(sum.total, member.total);
    sum.running = add_count(sum.running, member.running);
    sum.pending = add_count(sum.pending, member.pending);
    sum.succeeded = add_count(sum.succeeded, member.succeeded);
    sum.failed = add_count(sum.failed, member.failed);
    sum.unknown = add_count(sum.unknown, member.unknown);
    sum.not_ready = add_count(sum.not_ready, member.not_ready);
    sum.restarts = add_count(sum.restarts, member.restarts);
    sum.crash_looping = add_count(sum.crash_looping, member.crash_looping);
}

/// One resource summed over members, exactly.
#[derive(Default)]
struct ResourceSum {
    capacity: ExactSum,
    capacity_missing: bool,
    allocatable: ExactSum,
    allocated: ExactSum,
    allocating: ExactSum,
}

impl ResourceSum {
    fn add(&mut self, figures: &ResourceFigures) {
        match &figures.capacity {
            Some(capacity) => self.capacity.add(amount_of(capacity), Sign::Add),
            None => self.capacity_missing = true,
        }
        self.allocatable
            .add(amount_of(&figures.allocatable), Sign::Add);
        self.allocated.add(amount_of(&figures.allocated), Sign::Add);
        self.allocating
            .add(amount_of(&figures.allocating), Sign::Add);
    }
}

fn resource_map(sums: BTreeMap<&str, ResourceSum>) -> ResourceMap {
    sums.into_iter()
        .map(|(name, sum)| {
            let capacity = (!sum.capacity_missing).then(|| sum.capacity.value());
            let figures = resource_figures(
                name,
                capacity,
                sum.allocatable.value(),
                sum.allocated.value(),
                sum.allocating.value(),
            );
            (name.to_owned(), figures)
        })
        .collect()
}

fn top_cluster(name: &str, insight: &ClusterInsightStatus) -> TopCluster {
    let percent = |resource: &str| {
        insight
            .resources
            .get(resource)
            .map_or(0, |r| r.allocated_percent)
    };
    TopCluster {
        name: name.to_owned(),
        cpu_percent: percent("cpu"),
        memory_percent: percent("memory"),
        nodes: insight.nodes.total.max(0),
        pods: insight.pods.running.max(0),
    }
}

/// Sort key of [`top_clusters`].
fn rank(t: &TopCluster) -> (Reverse<i32>, &str, Reverse<i32>, Reverse<i32>, i64, i64) {
    (
        Reverse(t.cpu_percent.max(t.memory_percent)),
        &t.name,
        Reverse(t.cpu_percent),
        Reverse(t.memory_percent),
        t.nodes,
        t.pods,
    )
}

/// Most allocated first (larger of CPU% and memory%), then by name; the remaining fields only
/// break ties between duplicate names, so the order is total.
fn top_clusters(mut all: Vec<TopCluster>, limit: usize) -> (Vec<TopCluster>, i64) {
    all.sort_by(|a, b| rank(a).cmp(&rank(b)));
    let omitted = all.len().saturating_sub(limit);
    all.truncate(limit);
    (all, i64::try_from(omitted).unwrap_or(i64::MAX))
}
