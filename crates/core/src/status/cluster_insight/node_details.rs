//! `status.nodeDetails`: the member's nodes one by one, problem nodes first, capped.

use std::cmp::Reverse;

use karmada_manager_api::{NodeDetail, NodeDetails, NodePodCounts, NodeResourceFigures};

use crate::index::{ClusterIndex, NodeStats};
use crate::projection::SlimNode;
use crate::quantity::{Amount, Format, percent};
use crate::text::{VALUE_LIMIT, bounded};

/// The capped, ordered node list. Only the listed nodes are turned into `NodeDetail`s, so a
/// 5,000-node member costs a sort of 5,000 small keys, not 5,000 details.
pub(crate) fn node_details(index: &ClusterIndex, limit: usize) -> NodeDetails {
    let empty = NodeStats::default();
    let mut ranked: Vec<(Rank, &SlimNode, &NodeStats)> = index
        .nodes()
        .map(|node| {
            let stats = index.node_stats(node.name()).unwrap_or(&empty);
            (Rank::of(node, stats), node, stats)
        })
        .collect();
    ranked.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let omitted = ranked.len().saturating_sub(limit);
    let items = ranked
        .into_iter()
        .take(limit)
        .map(|(_, node, stats)| node_detail(node, stats))
        .collect();
    NodeDetails {
        limit: i32::try_from(limit).unwrap_or(i32::MAX),
        omitted: i64::try_from(omitted).unwrap_or(i64::MAX),
        items,
    }
}

/// Sort key: NotReady first, then nodes under pressure (memory, disk, PID, or network
/// unavailable), then cordoned ones, then the most allocated (larger of CPU% and memory%), then
/// by name. Each tier is `true`-first; the name makes the order total, hence deterministic.
/// The derived `Ord` compares the fields in declaration order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Rank<'a> {
    not_ready: Reverse<bool>,
    pressure: Reverse<bool>,
    cordoned: Reverse<bool>,
    load: Reverse<i32>,
    name: &'a str,
}

impl<'a> Rank<'a> {
    fn of(node: &'a SlimNode, stats: &NodeStats) -> Rank<'a> {
        let cpu = usage(node, stats, "cpu").2;
        let memory = usage(node, stats, "memory").2;
        Rank {
            not_ready: Reverse(!node.ready),
            pressure: Reverse(node.under_pressure() || node.network_unavailable),
            cordoned: Reverse(node.unschedulable),
            load: Reverse(cpu.max(memory)),
            name: node.name(),
        }
    }
}

/// (allocatable, allocated, percent) of one resource on one node.
fn usage(node: &SlimNode, stats: &NodeStats, resource: &str) -> (Amount, Amount, i32) {
    let allocatable = node.allocatable.amount(resource);
    let allocated = stats.allocated.get(resource);
    (allocatable, allocated, percent(allocated, allocatable))
}

fn resource(node: &SlimNode, stats: &NodeStats, name: &str) -> NodeResourceFigures {
    let (allocatable, allocated, percent) = usage(node, stats, name);
    let format = Format::for_resource(name);
    NodeResourceFigures {
        allocatable: allocatable.to_quantity(format),
        allocated: allocated.to_quantity(format),
        percent,
    }
}

/// The member writes the node's labels and status: its texts are bounded ([`VALUE_LIMIT`]).
fn node_detail(node: &SlimNode, stats: &NodeStats) -> NodeDetail {
    let value = |s: &str| bounded(s, VALUE_LIMIT);
    NodeDetail {
        name: node.name().to_string(),
        ready: node.ready,
        schedulable: !node.unschedulable,
        roles: node.roles.iter().map(|r| value(r)).collect(),
        zone: node.zone.as_deref().map(value),
        instance_type: node.instance_type.as_deref().map(value),
        kubelet_version: node.kubelet_version.as_deref().map(value),
        problems: node.problems(),
        cpu: resource(node, stats, "cpu"),
        memory: resource(node, stats, "memory"),
        pods: NodePodCounts {
            capacity: node.allocatable.amount("pods").units_ceil_i64(),
            total: stats.pods,
            running: stats.running,
            pending: stats.pending,
            failed: stats.failed,
            restarts: stats.restarts,
        },
    }
}
