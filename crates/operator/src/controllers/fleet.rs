//! The single `FleetInsight/fleet`: rebuilt from all ClusterInsights, each binding's workload
//! state and the policy caches whenever one of them changes, at most once per write interval,
//! and written only when it differs from what was last written.

use crate::context::Context;
use crate::controllers::placement::state_of;
use crate::locks::lock;
use crate::write::apply::{apply_status_if_changed, ensure_object};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::PolicyCounts;
use karmada_manager_api::{FLEET_INSIGHT_NAME, FleetInsight, FleetInsightStatus};
use karmada_manager_core::stamp_status;
use karmada_manager_core::{
    HubCounts, fleet_conditions, fleet_insight_status, fleet_workload_counts,
};
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::reflector::ObjectRef;
use std::sync::Arc;
use std::time::Duration;

pub async fn run(ctx: Arc<Context>) {
    let api: Api<FleetInsight> = Api::all(ctx.hub.client.clone());
    loop {
        ctx.triggers.fleet.notified().await;
        // Coalesce a burst of member changes into one write.
        tokio::time::sleep(ctx.settings.write_interval).await;
        // With sharding, one replica writes it: the others are told when that changes.
        if !ctx.shards.owns_fleet() {
            continue;
        }
        let started = std::time::Instant::now();
        let result = write(&ctx, &api).await;
        ctx.metrics
            .reconciled("fleet", result.is_ok(), started.elapsed());
        if let Err(err) = result {
            tracing::warn!(object = FLEET_INSIGHT_NAME, error = %err, "writing FleetInsight failed; retrying");
            tokio::time::sleep(Duration::from_secs(5)).await;
            ctx.triggers.fleet.notify_one();
        }
    }
}

/// Builds the fleet's status and writes it when it differs from the FleetInsight as last seen
/// (the cache), creating the object when it does not exist (first start, or deleted by hand).
async fn write(ctx: &Context, api: &Api<FleetInsight>) -> Result<(), kube::Error> {
    let existing = ctx.caches.fleet.get(&ObjectRef::new(FLEET_INSIGHT_NAME));
    let generation = match &existing {
        Some(fleet) => fleet.metadata.generation,
        None => ensure_object(api, FLEET_INSIGHT_NAME, None)
            .await?
            .or(Some(1)),
    };
    let previous = existing.as_ref().and_then(|f| f.status.as_ref());
    let status = build(ctx, previous, generation);
    apply_status_if_changed(api, FLEET_INSIGHT_NAME, previous, &status, &ctx.metrics).await?;
    Ok(())
}

fn build(
    ctx: &Context,
    previous: Option<&FleetInsightStatus>,
    generation: Option<i64>,
) -> FleetInsightStatus {
    let insights = ctx.caches.insights.state();
    let named: Vec<_> = insights
        .iter()
        .filter_map(|i| i.status.as_ref().map(|s| (i.name_any(), s)))
        .collect();
    let status = fleet_insight_status(
        named.iter().map(|(n, s)| (n.as_str(), *s)),
        &hub_counts(ctx),
        &ctx.settings.fleet,
    );
    let now = Time(k8s_openapi::jiff::Timestamp::now());
    let conditions = fleet_conditions(&status);
    stamp_status(status, previous, conditions, generation, &now)
}

/// Workload states (one per decoded binding; those that changed are judged again now) and
/// policy counts from the caches.
fn hub_counts(ctx: &Context) -> HubCounts {
    let states: Vec<_> = {
        let mut workloads = lock(&ctx.indexes.workload_states);
        for binding in std::mem::take(&mut workloads.stale) {
            match state_of(ctx, &binding) {
                Some(state) => workloads.states.insert(binding, state),
                None => workloads.states.remove(&binding),
            };
        }
        workloads.states.values().copied().collect()
    };
    let caches = &ctx.caches;
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    HubCounts {
        workloads: fleet_workload_counts(states),
        policies: PolicyCounts {
            propagation: count(caches.policies.len()),
            cluster_propagation: count(caches.cluster_policies.len()),
            overrides: count(caches.override_policies.len()),
            cluster_override: count(caches.cluster_override_policies.len()),
        },
    }
}
