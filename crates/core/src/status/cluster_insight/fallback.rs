//! `ClusterInsight` status for source `ClusterStatus`, the fallback: the member cannot be
//! reached, so the figures are Karmada's own `Cluster.status.nodeSummary` / `resourceSummary`.

use std::collections::BTreeSet;

use karmada_manager_api::{ClusterInsightStatus, ResourceMap};
use karmada_types::{Cluster, ResourceSummary};

use super::cluster_info;
use crate::status::{amount_of, node_counts, resource_figures};

/// The status Karmada's view of `cluster` supports: cluster info, node totals (total, ready,
/// notReady, brought into shape by `node_counts` when Karmada's are inconsistent; pressure and
/// cordon counts are unknown, hence 0), resources without `capacity`
/// (Karmada does not collect it), no pod counts and no per-node detail (`nodeDetails` is left
/// at its default: limit 0, nothing listed or omitted). [`super::cluster_insight_status`] sets
/// `source: ClusterStatus` and the conditions.
pub fn cluster_status_fallback(cluster: &Cluster) -> ClusterInsightStatus {
    let nodes = cluster
        .status
        .node_summary
        .as_ref()
        .map(|summary| node_counts(summary.total_num.into(), summary.ready_num.into()))
        .unwrap_or_else(|| node_counts(0, 0));
    ClusterInsightStatus {
        cluster: cluster_info(cluster),
        nodes,
        resources: cluster
            .status
            .resource_summary
            .as_ref()
            .map(summary_resources)
            .unwrap_or_default(),
        ..ClusterInsightStatus::default()
    }
}

fn summary_resources(summary: &ResourceSummary) -> ResourceMap {
    let names: BTreeSet<&String> = summary
        .allocatable
        .keys()
        .chain(summary.allocated.keys())
        .chain(summary.allocating.keys())
        .collect();
    let get = |map: &std::collections::BTreeMap<String, _>, name: &String| {
        map.get(name).map(amount_of).unwrap_or_default()
    };
    names
        .into_iter()
        .map(|name| {
            let figures = resource_figures(
                name,
                None,
                get(&summary.allocatable, name),
                get(&summary.allocated, name),
                get(&summary.allocating, name),
            );
            (name.clone(), figures)
        })
        .collect()
}
