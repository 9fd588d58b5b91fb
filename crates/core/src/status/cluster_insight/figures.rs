//! A `ClusterInsight`'s figures from a member's [`ClusterIndex`] and the Karmada `Cluster`.

use std::collections::BTreeSet;

use karmada_manager_api::{ClusterInfo, ClusterInsightStatus, NodeCounts, PodCounts, ResourceMap};
use karmada_types::Cluster;

use super::node_details::node_details;
use super::size_guard::enforce_size_limit;
use super::{ClusterInsightOptions, MemberFigures};
use crate::fit::{HEADROOM_SHAPE_LIMIT, headroom};
use crate::index::{ClusterFigures, ClusterIndex};
use crate::status::{node_counts, resource_figures};
use crate::text::{VALUE_LIMIT, bounded};

/// The figures of the `ClusterInsight` of `cluster` from its member's index.
///
/// Fills `cluster`, `nodes`, `pods`, `resources`, `headroom` and `nodeDetails` (capped at
/// `options.node_detail_limit`, then shrunk further if the serialized status exceeds
/// `options.max_status_bytes`). [`super::cluster_insight_status`] adds `source`, `usage`,
/// `workloads` and the conditions; the shell stamps the times.
pub fn member_figures(
    index: &ClusterIndex,
    cluster: &Cluster,
    options: &ClusterInsightOptions,
) -> MemberFigures {
    let figures = index.figures();
    let mut status = ClusterInsightStatus {
        cluster: cluster_info(cluster),
        nodes: nodes(figures),
        pods: pods(figures),
        resources: resources(figures),
        node_details: node_details(index, options.node_detail_limit),
        headroom: Some(headroom(index, HEADROOM_SHAPE_LIMIT)),
        ..ClusterInsightStatus::default()
    };
    let truncation = enforce_size_limit(&mut status, options.max_status_bytes);
    MemberFigures { status, truncation }
}

/// What the hub knows about the member, from the Karmada `Cluster`.
/// Karmada and the Cluster's author write these, so each is bounded ([`VALUE_LIMIT`]).
pub(crate) fn cluster_info(cluster: &Cluster) -> ClusterInfo {
    let value = |s: &str| bounded(s, VALUE_LIMIT);
    let non_empty = |s: &str| (!s.is_empty()).then(|| value(s));
    let zones: BTreeSet<&str> = cluster
        .spec
        .zones
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(cluster.spec.zone.as_str()))
        .filter(|zone| !zone.is_empty())
        .collect();
    ClusterInfo {
        sync_mode: cluster.spec.sync_mode.as_ref().map(|m| value(m.as_str())),
        kubernetes_version: non_empty(&cluster.status.kubernetes_version),
        provider: non_empty(&cluster.spec.provider),
        region: non_empty(&cluster.spec.region),
        zones: zones.into_iter().map(value).collect(),
        karmada_ready: cluster
            .status
            .ready_condition()
            .map(|c| value(c.status.as_str())),
    }
}

fn nodes(figures: &ClusterFigures) -> NodeCounts {
    let n = &figures.nodes;
    NodeCounts {
        unschedulable: n.unschedulable,
        memory_pressure: n.memory_pressure,
        disk_pressure: n.disk_pressure,
        pid_pressure: n.pid_pressure,
        ..node_counts(n.total, n.ready)
    }
}

fn pods(figures: &ClusterFigures) -> PodCounts {
    let p = &figures.pods;
    PodCounts {
        total: p.total,
        running: p.running,
        pending: p.pending,
        succeeded: p.succeeded,
        failed: p.failed,
        unknown: p.unknown,
        not_ready: p.not_ready,
        restarts: p.restarts,
        crash_looping: p.crash_looping,
    }
}

/// One entry per resource any node reports or any active pod requests (a request for a
/// resource no node offers shows up with allocatable 0: demand that cannot be placed).
fn resources(figures: &ClusterFigures) -> ResourceMap {
    let names: BTreeSet<&str> = figures
        .capacity
        .names()
        .chain(figures.allocatable.names())
        .chain(figures.allocated.names())
        .chain(figures.allocating.names())
        .map(|name| &**name)
        .collect();
    names
        .into_iter()
        .map(|name| {
            let resource = resource_figures(
                name,
                Some(figures.capacity.get(name)),
                figures.allocatable.get(name),
                figures.allocated.get(name),
                figures.allocating.get(name),
            );
            (name.to_owned(), resource)
        })
        .collect()
}
