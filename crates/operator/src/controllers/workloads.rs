//! Workload states and policy counts for the FleetInsight, from the hub caches.
//!
//! Each binding is judged by the same pure builder that will write its WorkloadPlacement, so the
//! fleet and the placements agree on what "ready", "progressing" and "failed" mean. Member pods are
//! not needed for the state: readiness comes from Karmada's aggregated status.

use super::placement::{Claimed, claimed_policy};
use crate::context::Context;
use karmada_manager_api::PolicyCounts;
use karmada_manager_core::{
    BindingSource, HubCounts, PlacementInputs, PlacementOptions, WorkloadState,
    fleet_workload_counts, workload_placement_status,
};
use karmada_types::Cluster;
use karmada_types::well_known::ClaimingPolicy;
use std::collections::BTreeMap;

pub fn hub_counts(ctx: &Context) -> HubCounts {
    let clusters = ctx.clusters.state();
    let clusters: Vec<&Cluster> = clusters.iter().filter_map(|c| c.0.as_ref().ok()).collect();
    let bindings = ctx.bindings.state();
    let cluster_bindings = ctx.cluster_bindings.state();
    let sources = bindings
        .iter()
        .filter_map(|b| {
            b.0.as_ref()
                .ok()
                .map(|b| (BindingSource::from(b), &b.metadata))
        })
        .chain(cluster_bindings.iter().filter_map(|b| {
            b.0.as_ref()
                .ok()
                .map(|b| (BindingSource::from(b), &b.metadata))
        }));
    let states: Vec<WorkloadState> = sources
        .map(|(source, meta)| state(ctx, source, meta, &clusters))
        .collect();
    HubCounts {
        workloads: fleet_workload_counts(states),
        policies: PolicyCounts {
            propagation: ctx.policies.state().len() as i64,
            cluster_propagation: ctx.cluster_policies.state().len() as i64,
            overrides: ctx.override_policies.state().len() as i64,
            cluster_override: ctx.cluster_override_policies.state().len() as i64,
        },
    }
}

fn state(
    ctx: &Context,
    binding: BindingSource<'_>,
    meta: &kube::core::ObjectMeta,
    clusters: &[&Cluster],
) -> WorkloadState {
    let policy = claimed_policy(ctx, &ClaimingPolicy::of(meta));
    let inputs = PlacementInputs {
        binding,
        policy: Claimed::lookup(policy.as_ref()),
        clusters,
        overrides: &BTreeMap::new(),
        pods: &BTreeMap::new(),
        problems: &BTreeMap::new(),
    };
    workload_placement_status(&inputs, &PlacementOptions::default()).state
}
