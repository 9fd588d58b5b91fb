//! The state gauges of `/metrics` (members watched, objects held, allocation, fleet counts,
//! interned values), set from the caches at each scrape so they can never drift from what the
//! operator holds.

use crate::context::{Context, lock};
use crate::metrics::{
    ClusterLabels, ObjectLabels, ResourceLabels, StateGauges, StateLabels, TableLabels,
};
use karmada_manager_api::conditions::{status, types};
use karmada_manager_core::WorkloadState;
use kube::ResourceExt;
use std::time::Instant;

/// Sets every state gauge from what `ctx` holds now.
pub(crate) fn refresh(gauges: &StateGauges, ctx: &Context) {
    gauges.watch_up.clear();
    gauges.objects.clear();
    gauges.last_event_age.clear();
    for (name, shared) in ctx.members.all() {
        let cluster = || ClusterLabels {
            cluster: name.clone(),
        };
        let health = shared.health();
        let index = shared.index.read().unwrap_or_else(|e| e.into_inner());
        let up = health.failure.is_none() && index.cluster.is_synced();
        gauges.watch_up.get_or_create(&cluster()).set(i64::from(up));
        for (kind, count) in [
            ("node", index.cluster.node_count()),
            ("pod", index.cluster.pod_count()),
            (
                "replicaset",
                index
                    .owners
                    .count(karmada_manager_core::OwnerKind::ReplicaSet),
            ),
            (
                "job",
                index.owners.count(karmada_manager_core::OwnerKind::Job),
            ),
        ] {
            let labels = ObjectLabels {
                cluster: name.clone(),
                kind,
            };
            gauges
                .objects
                .get_or_create(&labels)
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
        if let Some(last) = shared.last_event() {
            gauges
                .last_event_age
                .get_or_create(&cluster())
                .set(Instant::now().duration_since(last).as_secs_f64());
        }
    }
    refresh_fleet(gauges, ctx);
    let (strings, lists, controllers) = karmada_manager_core::intern::interned_counts();
    for (table, count) in [
        ("strings", strings),
        ("resource_lists", lists),
        ("controllers", controllers),
    ] {
        gauges
            .interned
            .get_or_create(&TableLabels { table })
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }
}

fn refresh_fleet(gauges: &StateGauges, ctx: &Context) {
    gauges.allocated.clear();
    let insights = ctx.caches.insights.state();
    let mut ready = 0;
    for insight in &insights {
        let Some(status) = &insight.status else {
            continue;
        };
        let is_ready = status
            .conditions
            .iter()
            .any(|c| c.type_ == types::READY && c.status == status::TRUE);
        ready += i64::from(is_ready);
        for resource in ["cpu", "memory"] {
            if let Some(figures) = status.resources.get(resource) {
                let labels = ResourceLabels {
                    cluster: insight.name_any(),
                    resource,
                };
                gauges
                    .allocated
                    .get_or_create(&labels)
                    .set(i64::from(figures.allocated_percent));
            }
        }
    }
    let total = i64::try_from(insights.len()).unwrap_or(i64::MAX);
    for (state, count) in [("total", total), ("ready", ready)] {
        gauges
            .fleet_clusters
            .get_or_create(&StateLabels { state })
            .set(count);
    }
    let mut states = [0i64; 3];
    for state in lock(&ctx.indexes.workload_states).states.values() {
        let slot = match state {
            WorkloadState::Ready => 0,
            WorkloadState::Progressing => 1,
            WorkloadState::Failed => 2,
        };
        states[slot] += 1;
    }
    for (state, count) in ["ready", "progressing", "failed"].into_iter().zip(states) {
        gauges
            .fleet_workloads
            .get_or_create(&StateLabels { state })
            .set(count);
    }
}
