//! Every object the benchmark writes, built before the hub starts: the ClusterInsights
//! ([`super::members`]), the WorkloadPlacements ([`super::placements`]), each member's count of
//! the workloads scheduled to it, and the FleetInsight summed from them all by the operator's
//! `fleet_insight_status`.

use std::collections::HashMap;

use anyhow::Result;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use karmada_manager_api::{
    ClusterInsightStatus, ClusterWorkloadCounts, FleetInsightStatus, PolicyCounts,
};
use karmada_manager_core::{
    FleetOptions, HubCounts, fleet_conditions, fleet_insight_status, fleet_workload_counts,
    stamp_status,
};

use super::Size;
use super::members;
use super::placements::{self, Placement};

pub struct Objects {
    pub insights: Vec<(String, ClusterInsightStatus)>,
    pub placements: Vec<Placement>,
    pub fleet: FleetInsightStatus,
}

impl Objects {
    pub fn build(size: &Size, seed: u64) -> Result<Objects> {
        let now = Time(Timestamp::now());
        let plan = members::plan(size.clusters, size.nodes, seed);
        let placements = placements::build(&plan, size.placements, size.spread, seed, &now)?;
        let scheduled = scheduled(&placements);
        let insights = plan
            .iter()
            .map(|member| {
                let mut status = members::insight(member, seed, &now)?;
                status.workloads = scheduled.get(&member.name).cloned().unwrap_or_default();
                Ok((member.name.clone(), status))
            })
            .collect::<Result<Vec<_>>>()?;
        let hub = HubCounts {
            workloads: fleet_workload_counts(placements.iter().map(|p| p.state)),
            policies: PolicyCounts {
                propagation: placements.len() as i64,
                ..PolicyCounts::default()
            },
        };
        let fleet = fleet_insight_status(
            insights
                .iter()
                .map(|(name, status)| (name.as_str(), status)),
            &hub,
            &FleetOptions::default(),
        );
        let conditions = fleet_conditions(&fleet);
        let fleet = stamp_status(fleet, None, conditions, Some(1), &now);
        Ok(Objects {
            insights,
            placements,
            fleet,
        })
    }

    /// The big member's ClusterInsight (the first).
    pub fn big(&self) -> Option<&(String, ClusterInsightStatus)> {
        self.insights.first()
    }
}

/// Bindings and replicas per cluster, as the operator counts them from the bindings.
fn scheduled(placements: &[Placement]) -> HashMap<String, ClusterWorkloadCounts> {
    let mut counts: HashMap<String, ClusterWorkloadCounts> = HashMap::new();
    for placement in placements {
        for cluster in &placement.status.clusters {
            let entry = counts.entry(cluster.name.clone()).or_default();
            entry.bindings += 1;
            entry.replicas += cluster.replicas;
        }
    }
    counts
}
