//! The state gauges of `/metrics` (members watched, objects held, how old their figures are,
//! the ClusterInsights' conditions and allocation, the placements' readiness, unschedulable
//! replicas and fit, fleet counts, interned values), set from the caches at each scrape so they
//! can never drift from what the operator holds. Nothing here computes a status or calls an
//! API: it counts what the core computed and the watches hold.

mod placements;

use crate::context::Context;
use crate::locks::lock;
use crate::metrics::{
    ClusterLabels, ConditionLabels, ObjectLabels, ResourceLabels, StateGauges, StateLabels,
    TableLabels,
};
use k8s_openapi::jiff::Timestamp;
use karmada_manager_api::ClusterInsight;
use karmada_manager_api::conditions::{status, types};
use karmada_manager_core::WorkloadState;
use kube::ResourceExt;
use placements::PlacementFigures;
use std::sync::Arc;
use std::time::Instant;

/// Sets every state gauge from what `ctx` holds now.
pub(crate) fn refresh(gauges: &StateGauges, ctx: &Context) {
    refresh_members(gauges, ctx);
    let insights = ctx.caches.insights.state();
    refresh_insights(gauges, &insights);
    refresh_placements(gauges, ctx, &insights);
    refresh_fleet(gauges, ctx, &insights);
    let (strings, lists, controllers, label_sets) = karmada_manager_core::intern::interned_counts();
    for (table, count) in [
        ("strings", strings),
        ("resource_lists", lists),
        ("controllers", controllers),
        ("node_label_sets", label_sets),
    ] {
        gauges
            .interned
            .get_or_create(&TableLabels { table })
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }
}

/// The member tasks: watches up, objects held, the age of their figures; and this replica's
/// share of the members.
fn refresh_members(gauges: &StateGauges, ctx: &Context) {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    gauges.shard_replicas.set(count(ctx.shards.replicas()));
    let (owned, _) = crate::sources::member_share(ctx);
    gauges.shard_members.set(count(owned));
    gauges.watch_up.clear();
    gauges.objects.clear();
    gauges.last_event_age.clear();
    gauges.data_age.clear();
    let now = Instant::now();
    for (name, shared) in ctx.members.all() {
        let cluster = || ClusterLabels {
            cluster: name.clone(),
        };
        let health = shared.health();
        let index = crate::locks::read(&shared.index);
        let up = health.failure.is_none() && index.cluster.is_synced();
        gauges.watch_up.get_or_create(&cluster()).set(i64::from(up));
        // A live watch that delivers nothing is current (nothing changed): only a failure ages
        // the figures, from when it began.
        let age = health.failure.as_ref().map_or(0.0, |f| {
            now.saturating_duration_since(f.since).as_secs_f64()
        });
        gauges.data_age.get_or_create(&cluster()).set(age);
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
                .set(now.duration_since(last).as_secs_f64());
        }
    }
}

/// The ClusterInsights as last written: conditions and allocation per member.
fn refresh_insights(gauges: &StateGauges, insights: &[Arc<ClusterInsight>]) {
    gauges.allocated.clear();
    gauges.conditions.clear();
    for insight in insights {
        let Some(insight_status) = &insight.status else {
            continue;
        };
        for condition in &insight_status.conditions {
            let Some(labels) = condition_labels(&insight.name_any(), condition) else {
                continue;
            };
            gauges.conditions.get_or_create(&labels).set(1);
        }
        for resource in ["cpu", "memory", "pods"] {
            if let Some(figures) = insight_status.resources.get(resource) {
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
}

/// The labels of one of our conditions; `None` for a type or status we do not write (a hand
/// edit, healed at the next reconcile), so that no label value comes from outside.
fn condition_labels(
    cluster: &str,
    condition: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition,
) -> Option<ConditionLabels> {
    let known = |value: &str, of: &[&'static str]| of.iter().copied().find(|v| *v == value);
    let kinds = [
        types::READY,
        types::RECONCILING,
        types::STALLED,
        types::DEGRADED,
    ];
    let statuses = [status::TRUE, status::FALSE, status::UNKNOWN];
    Some(ConditionLabels {
        cluster: cluster.to_owned(),
        condition: known(&condition.type_, &kinds)?,
        status: known(&condition.status, &statuses)?,
        reason: condition.reason.clone(),
    })
}

/// The placements as last written, counted by `placements`.
fn refresh_placements(gauges: &StateGauges, ctx: &Context, insights: &[Arc<ClusterInsight>]) {
    let now = Timestamp::now();
    let mut figures = PlacementFigures::with_clusters(insights.iter().map(|i| i.name_any()));
    for placement in ctx.caches.placements.state() {
        if let Some(status) = &placement.status {
            let name = format!(
                "{}/{}",
                placement.namespace().unwrap_or_default(),
                placement.name_any()
            );
            figures.add("WorkloadPlacement", name, status, now);
        }
    }
    for placement in ctx.caches.cluster_placements.state() {
        if let Some(status) = &placement.status {
            figures.add(
                "ClusterWorkloadPlacement",
                placement.name_any(),
                status,
                now,
            );
        }
    }
    figures.set(gauges);
}

fn refresh_fleet(gauges: &StateGauges, ctx: &Context, insights: &[Arc<ClusterInsight>]) {
    let ready = insights
        .iter()
        .filter_map(|i| i.status.as_ref())
        .filter(|s| {
            s.conditions
                .iter()
                .any(|c| c.type_ == types::READY && c.status == status::TRUE)
        })
        .count();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let total = insights.len();
    for (state, count) in [("total", count(total)), ("ready", count(ready))] {
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
