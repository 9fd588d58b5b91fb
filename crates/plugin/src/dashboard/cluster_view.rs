//! The cluster page: a heatmap cell per node the ClusterInsight lists (and the count it leaves
//! out), its conditions with their messages, the workloads with the most replicas there.

use super::views::{Bar, ConditionLine, LISTED_WORKLOADS, WorkloadLine, bars, workload_line};
use crate::placement::Placement;
use crate::render::wire_name;
use karmada_manager_api::ClusterInsight;
use serde::Serialize;

#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterView {
    pub name: String,
    pub source: String,
    pub conditions: Vec<ConditionLine>,
    pub bars: Vec<Bar>,
    pub nodes: Vec<NodeCell>,
    /// Nodes the ClusterInsight does not list (its cap, or the size guard).
    pub omitted_nodes: i64,
    pub nodes_total: i64,
    pub workloads: Vec<ClusterWorkload>,
    pub omitted_workloads: usize,
}

/// One node of the heatmap.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeCell {
    pub name: String,
    pub cpu: i32,
    pub memory: i32,
    pub pods: String,
    /// The largest of the cpu, memory and pod-slot allocations: what colours the cell.
    pub hottest: i32,
    /// `NotReady`, `MemoryPressure`, …, `Cordoned`; empty for a healthy node.
    pub problems: Vec<String>,
}

/// A workload with replicas on this cluster.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterWorkload {
    #[serde(flatten)]
    pub line: WorkloadLine,
    /// Replicas Karmada assigned here.
    pub here: i64,
    /// Ready pods the operator sees here, when it sees the member's pods.
    pub ready_here: Option<i64>,
}

/// The page of the cluster `insight` describes.
pub fn cluster(insight: &ClusterInsight, placements: &[Placement]) -> ClusterView {
    let name = insight.metadata.name.as_deref().unwrap_or_default();
    let mut view = ClusterView {
        name: name.to_owned(),
        ..ClusterView::default()
    };
    if let Some(status) = &insight.status {
        view.source = status.source.map(|s| wire_name(&s)).unwrap_or_default();
        view.conditions = ConditionLine::all(&status.conditions);
        view.bars = bars(&status.resources, Some(status));
        view.nodes = status.node_details.items.iter().map(cell).collect();
        view.omitted_nodes = status.node_details.omitted;
        view.nodes_total = status.nodes.total;
    }
    let mut workloads: Vec<ClusterWorkload> = placements
        .iter()
        .filter_map(|p| {
            let here = p.status.clusters.iter().find(|c| c.name == name)?;
            Some(ClusterWorkload {
                line: workload_line(p),
                here: here.replicas,
                ready_here: here.pods.as_ref().map(|pods| pods.ready),
            })
        })
        .collect();
    workloads.sort_by(|a, b| {
        b.here
            .cmp(&a.here)
            .then_with(|| a.line.key.cmp(&b.line.key))
    });
    view.omitted_workloads = workloads.len().saturating_sub(LISTED_WORKLOADS);
    workloads.truncate(LISTED_WORKLOADS);
    view.workloads = workloads;
    view
}

fn cell(node: &karmada_manager_api::NodeDetail) -> NodeCell {
    let pods = &node.pods;
    let slots = if pods.capacity > 0 {
        i32::try_from(pods.total.saturating_mul(100) / pods.capacity).unwrap_or(100)
    } else {
        0
    };
    NodeCell {
        name: node.name.clone(),
        cpu: node.cpu.percent,
        memory: node.memory.percent,
        pods: format!("{}/{}", pods.total, pods.capacity),
        hottest: node.cpu.percent.max(node.memory.percent).max(slots),
        problems: node.problems.iter().map(wire_name).collect(),
    }
}
