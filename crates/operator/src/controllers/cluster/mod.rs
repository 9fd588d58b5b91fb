//! The Cluster controller: one `ClusterInsight` per Karmada `Cluster`. The reconciler gathers
//! what the insight is built from (`inputs`: the Cluster, the member's connection and index, the
//! bindings scheduled to it), has the core build the status and its conditions, and writes it
//! when it changed. It reads only caches; it writes only our CRDs. Member connections are
//! planned by the Cluster and Secret watches (`members`), not here.

mod inputs;

use crate::context::Context;
use crate::health::Queue;
use crate::metrics::WriteOutcome;
use crate::write::apply::{apply_status_if_changed, ensure_object};
use crate::write::events::announce_ready;
use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus};
use karmada_manager_core::{
    ClusterInsightBuild, InsightChange, insight_change, malformed_source, stamp_status,
};
use karmada_types::Cluster;
use kube::api::{Api, DeleteParams};
use kube::core::DeserializeGuard;
use kube::runtime::controller::{self, Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use std::sync::Arc;
use std::time::Duration;

/// Safety net: look at every Cluster at least this often even if nothing triggers it.
const RESYNC: Duration = Duration::from_secs(300);

type Guarded = DeserializeGuard<Cluster>;

/// Runs the controller until `shutdown` resolves. It has no watch of its own: the Cluster
/// watch keeps the Cluster cache on every replica and, like the other sources of change
/// (`sources`), sends Cluster names through `triggers`. A deleted Cluster is then missing from
/// the store, and the resulting `ObjectNotFound` is where its insight is deleted.
pub async fn run(
    ctx: Arc<Context>,
    triggers: UnboundedReceiver<String>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let idle = futures::stream::pending::<Result<Guarded, watcher::Error>>();
    Controller::for_stream(idle, ctx.caches.clusters.clone())
        .reconcile_on(triggers.map(|name| ObjectRef::new(&name)))
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx.clone())
        .for_each(|result| {
            let ctx = ctx.clone();
            async move {
                match result {
                    Ok(_) => {}
                    Err(controller::Error::ObjectNotFound(gone)) => {
                        // Handled without a reconcile: progress all the same.
                        ctx.health.progress.started(Queue::Cluster);
                        remove_insight(&ctx, &gone.name).await
                    }
                    Err(err) => tracing::warn!(error = %err, "cluster controller"),
                }
            }
        })
        .await;
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("writing ClusterInsight {name}: {source}")]
    Write { name: String, source: kube::Error },
}

async fn reconcile(guarded: Arc<Guarded>, ctx: Arc<Context>) -> Result<Action, ReconcileError> {
    ctx.health.progress.started(Queue::Cluster);
    let started = std::time::Instant::now();
    let result = reconcile_cluster(&guarded, &ctx).await;
    ctx.metrics
        .reconciled("cluster", result.is_ok(), started.elapsed());
    result
}

async fn reconcile_cluster(guarded: &Guarded, ctx: &Context) -> Result<Action, ReconcileError> {
    let name = guarded.name_any();
    // Another replica watches this member and writes its insight (`--sharding`); this one is
    // asked again when what it owns changes.
    if !ctx.shards.owns_member(&name) {
        return Ok(Action::await_change());
    }
    if let Some(wait) = ctx.writers.insights.wait(&name) {
        return Ok(Action::requeue(wait));
    }
    let built = match &guarded.0 {
        Ok(cluster) => inputs::build(ctx, cluster, &name),
        Err(invalid) => {
            write_malformed(ctx, guarded, undecodable_message(&invalid.error)).await?;
            return Ok(Action::requeue(RESYNC));
        }
    };
    // The Cluster and Secret watches plan every member's connection; one that is not planned
    // yet (its Cluster just arrived) is looked at again in a moment.
    let Some(built) = built else {
        return Ok(Action::requeue(Duration::from_secs(1)));
    };
    let (previous, generation) = existing_or_created(ctx, guarded).await?;
    let previous_status = previous.as_ref().and_then(|p| p.status.as_ref());
    if taken_over_while_listing(ctx, previous_status, &built) {
        return Ok(Action::requeue(Duration::from_secs(1)));
    }
    let now = Time(k8s_openapi::jiff::Timestamp::now());
    let status = stamp_status(
        built.status,
        previous_status,
        built.conditions,
        generation,
        &now,
    );
    if let Some(wait) = drift_wait(ctx, &name, previous_status, &status) {
        return Ok(Action::requeue(wait));
    }
    let api = insights(ctx);
    let written = apply_status_if_changed(&api, &name, previous_status, &status, &ctx.metrics)
        .await
        .map_err(|source| ReconcileError::Write {
            name: name.clone(),
            source,
        })?;
    if written {
        ctx.writers.insights.record(&name);
        ctx.writers.drifts.settled(&name);
        tracing::debug!(cluster = %name, "ClusterInsight status written");
        ctx.triggers.fleet.notify_one();
        let before = previous_status
            .map(|s| s.conditions.as_slice())
            .unwrap_or_default();
        announce_ready::<ClusterInsight>(
            &ctx.writers.recorder,
            None,
            &name,
            before,
            &status.conditions,
        )
        .await;
    }
    Ok(Action::requeue(built.recheck_after.unwrap_or(RESYNC)))
}

/// How long a status whose only changes are figures that drift waits for its turn in the
/// fleet's budget for such writes (`write::DriftBudget`); `None` when it is written now.
fn drift_wait(
    ctx: &Context,
    name: &str,
    previous: Option<&ClusterInsightStatus>,
    status: &ClusterInsightStatus,
) -> Option<Duration> {
    let InsightChange::Drift { bytes } = insight_change(previous, status) else {
        return None;
    };
    let wait = ctx.writers.drifts.wait(name, bytes)?;
    if wait.new_turn {
        ctx.metrics
            .write(ClusterInsight::kind(&()).as_ref(), WriteOutcome::Deferred);
        tracing::debug!(
            cluster = name,
            bytes,
            wait_ms = wait.left.as_millis() as u64,
            "only drifting figures changed; written at the turn the budget gives"
        );
    }
    Some(wait.left)
}

/// With sharding, a member this replica just took over is not said to be in its initial sync
/// while the insight its previous watcher wrote is Ready: those figures are at most a lease
/// duration old, and stand until this replica's first list is done (which triggers the
/// insight again).
fn taken_over_while_listing(
    ctx: &Context,
    previous: Option<&ClusterInsightStatus>,
    built: &ClusterInsightBuild,
) -> bool {
    let listing = built
        .conditions
        .iter()
        .any(|c| c.type_ == types::READY && c.reason == reasons::INITIAL_SYNC);
    let was_ready = previous.is_some_and(|p| {
        p.conditions
            .iter()
            .any(|c| c.type_ == types::READY && c.status == status::TRUE)
    });
    ctx.shards.is_sharded() && listing && was_ready
}

/// What a ClusterInsight says of a Cluster that does not decode. The decoder's error may quote
/// the offending value, so it is bounded.
pub fn undecodable_message(error: &str) -> String {
    format!(
        "the Cluster cannot be decoded: {}; fix its spec on the hub",
        karmada_manager_core::bounded(error, karmada_manager_core::text::QUOTE_LIMIT)
    )
}

/// The Cluster's insight as last seen (`None` if it did not exist) and its generation, creating
/// the insight, owned by the Cluster, when it does not exist yet.
async fn existing_or_created(
    ctx: &Context,
    cluster: &Guarded,
) -> Result<(Option<Arc<ClusterInsight>>, Option<i64>), ReconcileError> {
    let name = cluster.name_any();
    if let Some(existing) = ctx.caches.insights.get(&ObjectRef::new(&name)) {
        let generation = existing.meta().generation;
        return Ok((Some(existing), generation));
    }
    let generation = ensure_object(&insights(ctx), &name, cluster.controller_owner_ref(&()))
        .await
        .map_err(|source| ReconcileError::Write { name, source })?;
    Ok((None, generation))
}

/// A Cluster that cannot be decoded still gets an insight, saying so.
async fn write_malformed(
    ctx: &Context,
    guarded: &Guarded,
    message: String,
) -> Result<(), ReconcileError> {
    let name = guarded.name_any();
    let api = insights(ctx);
    let write = |source| ReconcileError::Write {
        name: name.clone(),
        source,
    };
    let (previous, generation) = existing_or_created(ctx, guarded).await?;
    let previous_status = previous.as_ref().and_then(|p| p.status.as_ref());
    let status = previous_status.cloned().unwrap_or_default();
    let now = Time(k8s_openapi::jiff::Timestamp::now());
    let status = stamp_status(
        status,
        previous_status,
        malformed_source(message),
        generation,
        &now,
    );
    apply_status_if_changed(&api, &name, previous_status, &status, &ctx.metrics)
        .await
        .map_err(write)?;
    Ok(())
}

/// The Cluster is gone (its member task was stopped by the Cluster watch): delete its insight.
async fn remove_insight(ctx: &Context, name: &str) {
    ctx.writers.insights.forget(name);
    ctx.writers.drifts.settled(name);
    let mine = ctx.shards.owns_member(name);
    if !mine || ctx.caches.insights.get(&ObjectRef::new(name)).is_none() {
        return;
    }
    match insights(ctx).delete(name, &DeleteParams::default()).await {
        Ok(_) => tracing::info!(
            cluster = name,
            "Cluster deleted; removed its ClusterInsight"
        ),
        Err(kube::Error::Api(status)) if status.code == 404 => {}
        Err(err) => {
            tracing::warn!(cluster = name, error = %err, "could not delete orphaned ClusterInsight")
        }
    }
    ctx.triggers.fleet.notify_one();
}

fn error_policy(cluster: Arc<Guarded>, error: &ReconcileError, _ctx: Arc<Context>) -> Action {
    tracing::warn!(cluster = %cluster.name_any(), error = %error, "reconcile failed; retrying");
    Action::requeue(Duration::from_secs(5))
}

fn insights(ctx: &Context) -> Api<ClusterInsight> {
    Api::all(ctx.hub.client.clone())
}
