//! What each page shows, computed from karmada-manager's resources alone: pure functions from
//! the statuses to small JSON views, so that a page never ships a whole object and the figures
//! on the page are the resources' own (the browser test compares them).

use crate::placement::Placement;
use crate::render::ready;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus, FleetInsight, ResourceMap};
use serde::Serialize;
use std::sync::Arc;

/// Most workloads listed on the fleet page and on a cluster page; the rest are counted.
pub const LISTED_WORKLOADS: usize = 50;

/// The fleet page: a tile per cluster, the fleet's totals, the workloads that are not Ready.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetView {
    pub clusters: Vec<ClusterTile>,
    pub totals: Totals,
    pub unready: Vec<WorkloadLine>,
    pub omitted_unready: usize,
}

/// The fleet's totals, from the FleetInsight.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub clusters: String,
    pub nodes: String,
    pub pods: Pods,
    pub workloads: String,
    pub bars: Vec<Bar>,
}

/// One cluster's tile.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterTile {
    pub name: String,
    pub ready: bool,
    /// The Ready condition's reason, e.g. `Synced`, `MemberUnreachable`.
    pub reason: String,
    pub nodes_ready: i64,
    pub nodes_total: i64,
    /// Nodes with a problem (not ready, under pressure, cordoned).
    pub problem_nodes: i64,
    pub pods: Pods,
    pub bars: Vec<Bar>,
}

/// Pods by phase.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pods {
    pub running: i64,
    pub pending: i64,
    pub failed: i64,
    pub succeeded: i64,
    pub not_ready: i64,
}

/// One resource's allocation (and usage, where the member serves metrics).
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bar {
    pub resource: String,
    pub percent: i32,
    pub allocated: String,
    pub allocatable: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_percent: Option<i32>,
}

/// A condition as the pages show it.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionLine {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

impl ConditionLine {
    pub fn all(conditions: &[Condition]) -> Vec<ConditionLine> {
        conditions
            .iter()
            .map(|c| ConditionLine {
                type_: c.type_.clone(),
                status: c.status.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
            })
            .collect()
    }
}

/// A workload in a list, linking to its page.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadLine {
    /// `Deployment/web`.
    pub workload: String,
    pub namespace: Option<String>,
    /// The page's address: `<placement kind>/<namespace or ->/<placement name>`.
    pub key: String,
    pub replicas: String,
    pub ready: bool,
    pub reason: String,
    pub message: String,
}

pub fn fleet(
    insights: &[Arc<ClusterInsight>],
    fleet: Option<&FleetInsight>,
    placements: &[Placement],
) -> FleetView {
    let mut clusters: Vec<ClusterTile> = insights.iter().map(|i| tile(i)).collect();
    clusters.sort_by(|a, b| a.ready.cmp(&b.ready).then_with(|| a.name.cmp(&b.name)));
    let mut unready: Vec<WorkloadLine> = placements
        .iter()
        .map(workload_line)
        .filter(|w| !w.ready)
        .collect();
    unready.sort_by(|a, b| a.key.cmp(&b.key));
    let omitted_unready = unready.len().saturating_sub(LISTED_WORKLOADS);
    unready.truncate(LISTED_WORKLOADS);
    let totals = fleet
        .and_then(|f| f.status.as_ref())
        .map(|s| Totals {
            clusters: s.clusters.display.clone(),
            nodes: s.nodes.display.clone(),
            pods: pods(&s.pods),
            workloads: s.workloads.display.clone(),
            bars: bars(&s.resources, None),
        })
        .unwrap_or_default();
    FleetView {
        clusters,
        totals,
        unready,
        omitted_unready,
    }
}

fn tile(insight: &ClusterInsight) -> ClusterTile {
    let name = insight.metadata.name.clone().unwrap_or_default();
    let Some(status) = &insight.status else {
        return ClusterTile {
            name,
            reason: "NoStatusYet".into(),
            ..ClusterTile::default()
        };
    };
    let condition = ready(&status.conditions);
    let n = &status.nodes;
    ClusterTile {
        name,
        ready: condition.is_some_and(|c| c.status == "True"),
        reason: condition.map(|c| c.reason.clone()).unwrap_or_default(),
        nodes_ready: n.ready,
        nodes_total: n.total,
        problem_nodes: n.not_ready
            + n.unschedulable
            + n.memory_pressure
            + n.disk_pressure
            + n.pid_pressure,
        pods: pods(&status.pods),
        bars: bars(&status.resources, Some(status)),
    }
}

fn pods(p: &karmada_manager_api::PodCounts) -> Pods {
    Pods {
        running: p.running,
        pending: p.pending,
        failed: p.failed,
        succeeded: p.succeeded,
        not_ready: p.not_ready,
    }
}

/// cpu, memory and pods, then any GPU-like resource the fleet has; usage where known.
pub fn bars(resources: &ResourceMap, status: Option<&ClusterInsightStatus>) -> Vec<Bar> {
    let usage = status.and_then(|s| s.usage.as_ref());
    let used = |name: &str| match name {
        "cpu" => usage.and_then(|u| u.cpu.as_ref()).map(|f| f.percent),
        "memory" => usage.and_then(|u| u.memory.as_ref()).map(|f| f.percent),
        _ => None,
    };
    let wanted = |name: &str| matches!(name, "cpu" | "memory" | "pods") || name.contains("gpu");
    resources
        .iter()
        .filter(|(name, _)| wanted(name))
        .map(|(name, r)| Bar {
            resource: name.clone(),
            percent: r.allocated_percent,
            allocated: r.allocated.0.clone(),
            allocatable: r.allocatable.0.clone(),
            used_percent: used(name),
        })
        .collect()
}

/// The placement as a line of a list.
pub fn workload_line(placement: &Placement) -> WorkloadLine {
    let status = &placement.status;
    let condition = ready(&status.conditions);
    WorkloadLine {
        workload: format!("{}/{}", status.workload.kind, status.workload.name),
        namespace: placement.namespace.clone(),
        key: key(placement),
        replicas: status.replicas.display.clone(),
        ready: condition.is_some_and(|c| c.status == "True"),
        reason: condition.map(|c| c.reason.clone()).unwrap_or_default(),
        message: condition.map(|c| c.message.clone()).unwrap_or_default(),
    }
}

/// `<placement kind>/<namespace or ->/<name>`: how pages and links address a placement.
pub fn key(placement: &Placement) -> String {
    format!(
        "{}/{}/{}",
        placement.kind,
        placement.namespace.as_deref().unwrap_or("-"),
        placement.name
    )
}
