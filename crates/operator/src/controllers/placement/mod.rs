//! The placement controllers: one `WorkloadPlacement` per ResourceBinding and one
//! `ClusterWorkloadPlacement` per ClusterResourceBinding, by one generic controller.
//!
//! A controller has no watch of its own: the binding watches keep the stores and, like every
//! other source of change (member pods and health, policies, Works, Clusters, our own
//! placements: see `sources`), send the affected bindings through `triggers`. The
//! reconciler reads only caches, writes only the placement's status, at most once per write
//! interval per object, and only when it changed. A binding that is gone surfaces as
//! `ObjectNotFound`, where its placement is deleted.

mod fits;
mod inputs;
mod kinds;
mod looks;
mod parts;
mod refresh;

pub use inputs::{Claimed, claimed_policy, state_of};
pub use kinds::MirroredBinding;
pub use looks::run as run_looks;

use crate::context::Context;
use crate::health::Queue;
use crate::locks::lock;
use crate::write::apply::ensure_object;
use crate::write::events::announce_ready;
use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::WorkloadPlacementStatus;
use karmada_manager_core::{
    BindingRef, DISAGREEMENT_GRACE, SharedObservation, malformed_source, stamp_status,
};
use kube::api::DeleteParams;
use kube::core::DeserializeGuard;
use kube::runtime::controller::{self, Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::{Resource, ResourceExt};
use parts::Roles;
use std::sync::Arc;
use std::time::Duration;

/// Safety net: look at every binding at least this often even if nothing triggers it.
const RESYNC: Duration = Duration::from_secs(600);

/// Runs the placement controller of binding kind `B` until `shutdown` resolves. `triggers`
/// carries the bindings to reconcile.
pub async fn run<B: MirroredBinding>(
    ctx: Arc<Context>,
    triggers: UnboundedReceiver<ObjectRef<DeserializeGuard<B>>>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    // The stores are filled by the binding watches; the controller only needs their reader.
    let idle =
        futures::stream::pending::<Result<DeserializeGuard<B>, kube::runtime::watcher::Error>>();
    let concurrency = ctx.settings.placement_concurrency;
    Controller::for_stream(idle, B::bindings(&ctx).clone())
        .with_config(controller::Config::default().concurrency(concurrency))
        .reconcile_on(triggers)
        .graceful_shutdown_on(shutdown)
        .run(reconcile::<B>, error_policy::<B>, ctx.clone())
        .for_each(|result| {
            let ctx = ctx.clone();
            async move {
                match result {
                    Ok(_) => {}
                    Err(controller::Error::ObjectNotFound(gone)) => {
                        // Handled without a reconcile: progress all the same.
                        ctx.health.progress.started(Queue::placement(B::KIND));
                        let namespace = gone.namespace.clone().unwrap_or_default();
                        remove_placement::<B>(&ctx, &namespace, &gone.name).await
                    }
                    Err(err) => tracing::warn!(kind = %B::KIND.as_str(), error = %err, "placement controller"),
                }
            }
        })
        .await;
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("writing the placement of {kind} {key}: {source}")]
    Write {
        kind: &'static str,
        key: String,
        source: kube::Error,
    },
}

async fn reconcile<B: MirroredBinding>(
    guarded: Arc<DeserializeGuard<B>>,
    ctx: Arc<Context>,
) -> Result<Action, ReconcileError> {
    ctx.health.progress.started(Queue::placement(B::KIND));
    let started = std::time::Instant::now();
    let result = reconcile_binding::<B>(&guarded, &ctx).await;
    let controller = B::Placement::kind(&()).to_string();
    ctx.metrics.reconciled(
        controller_label(&controller),
        result.is_ok(),
        started.elapsed(),
    );
    result
}

/// The controller label of the placement kind (static, as metric labels are).
fn controller_label(kind: &str) -> &'static str {
    if kind == "ClusterWorkloadPlacement" {
        "clusterworkloadplacement"
    } else {
        "workloadplacement"
    }
}

async fn reconcile_binding<B: MirroredBinding>(
    guarded: &DeserializeGuard<B>,
    ctx: &Context,
) -> Result<Action, ReconcileError> {
    let (namespace, name) = (guarded.namespace().unwrap_or_default(), guarded.name_any());
    let key = log_key::<B>(&namespace, &name);
    if let Some(wait) = ctx.writers.placements.wait(&key) {
        return Ok(Action::requeue(wait));
    }
    let write_error = |source| ReconcileError::Write {
        kind: B::KIND.as_str(),
        key: key.clone(),
        source,
    };
    let api = B::placement_api(ctx.hub.client.clone(), &namespace);
    let previous = B::placements(ctx).get(&B::placement_ref(&namespace, &name));
    let previous_status = previous.as_deref().and_then(B::status);
    let binding = BindingRef {
        kind: B::KIND,
        namespace: namespace.clone(),
        name: name.clone(),
    };
    let triggered = ctx.triggers.placements.take_pending(&binding);
    let roles = Roles::of(ctx, guarded, &binding, previous_status);
    if roles.is_empty()
        || !triggered && fits_unchanged(ctx, &binding, &key, guarded, previous_status)
    {
        return Ok(next_look(ctx, &key));
    }
    // Until this build is written, the next look builds again (a failed write is retried).
    lock(&ctx.indexes.fit_marks).invalidate(&binding);
    let generation = match (&previous, roles.summary) {
        (Some(placement), _) => placement.meta().generation,
        (None, true) => ensure_object(&api, &name, guarded.controller_owner_ref(&()))
            .await
            .map_err(write_error)?,
        // The binding's owner creates it; its watch event brings this replica back.
        (None, false) => return Ok(next_look(ctx, &key)),
    };
    let status = placement_status(ctx, guarded, previous_status, generation, &roles);
    let written = parts::write::<B>(ctx, &api, &name, previous.as_deref(), &status, &roles)
        .await
        .map_err(write_error)?;
    if written {
        ctx.writers.placements.record(&key);
        tracing::debug!(kind = B::KIND.as_str(), binding = %key, "placement status written");
    }
    if let Ok(decoded) = &guarded.0 {
        refresh::record(ctx, &binding, &decoded.source(), &status);
    }
    if written && roles.summary {
        let before = previous_status
            .map(|s| s.conditions.as_slice())
            .unwrap_or_default();
        let ns = Some(namespace.as_str());
        let recorder = &ctx.writers.recorder;
        announce_ready::<B::Placement>(recorder, ns, &name, before, &status.conditions).await;
    }
    Ok(next_look(ctx, &key))
}

/// A look (no change asked for it) at a decoded binding whose fits have not moved since its
/// last build: nothing to build ([`refresh`]).
fn fits_unchanged<B: MirroredBinding>(
    ctx: &Context,
    binding: &BindingRef,
    key: &str,
    guarded: &DeserializeGuard<B>,
    previous: Option<&WorkloadPlacementStatus>,
) -> bool {
    guarded
        .0
        .as_ref()
        .is_ok_and(|b| refresh::unchanged(ctx, binding, key, &b.source(), previous, RESYNC))
}

/// When to look at the binding again without a trigger: once a ready-count disagreement being
/// timed has outlasted its grace (nothing else would show it), else the safety net. Moves of
/// its clusters' fits bring it back sooner (`looks`).
fn next_look(ctx: &Context, key: &str) -> Action {
    if lock(&ctx.indexes.disagreements).timing(key) {
        Action::requeue(DISAGREEMENT_GRACE + Duration::from_secs(1))
    } else {
        Action::requeue(RESYNC)
    }
}

/// The placement's status to write: built from the caches, or the previous one marked
/// `MalformedSource` when the binding does not decode. With sharding, the observed fields of
/// the clusters another replica watches are those the placement holds ([`Roles`]).
fn placement_status<B: MirroredBinding>(
    ctx: &Context,
    guarded: &DeserializeGuard<B>,
    previous: Option<&WorkloadPlacementStatus>,
    generation: Option<i64>,
    roles: &Roles,
) -> WorkloadPlacementStatus {
    let now = Time(k8s_openapi::jiff::Timestamp::now());
    match &guarded.0 {
        Ok(binding) => {
            let shared = ctx.shards.is_sharded().then(|| SharedObservation {
                watched_here: &roles.members,
                published: previous.map_or(&[][..], |p| p.clusters.as_slice()),
            });
            let built = inputs::build(ctx, binding.source(), &ctx.settings.placement, shared);
            stamp_status(built.status, previous, built.conditions, generation, &now)
        }
        Err(invalid) => {
            // The decoder's error may quote the offending value.
            let message = format!(
                "the {} cannot be decoded: {}; fix it on the hub",
                B::KIND.as_str(),
                karmada_manager_core::bounded(
                    &invalid.error,
                    karmada_manager_core::text::QUOTE_LIMIT
                )
            );
            let kept = previous.cloned().unwrap_or_default();
            stamp_status(kept, previous, malformed_source(message), generation, &now)
        }
    }
}

/// The binding is gone: delete its placement, if there is one.
async fn remove_placement<B: MirroredBinding>(ctx: &Context, namespace: &str, name: &str) {
    let key = log_key::<B>(namespace, name);
    let binding = BindingRef {
        kind: B::KIND,
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    };
    ctx.writers.placements.forget(&key);
    lock(&ctx.indexes.disagreements).forget(&key);
    lock(&ctx.indexes.fit_marks).forget(&binding);
    if !ctx.shards.owns_binding(&binding) {
        return;
    }
    if B::placements(ctx)
        .get(&B::placement_ref(namespace, name))
        .is_none()
    {
        return;
    }
    let api = B::placement_api(ctx.hub.client.clone(), namespace);
    match api.delete(name, &DeleteParams::default()).await {
        Ok(_) => tracing::info!(
            kind = B::KIND.as_str(),
            binding = %key,
            "binding deleted; removed its placement"
        ),
        Err(kube::Error::Api(status)) if status.code == 404 => {}
        Err(err) => tracing::warn!(
            kind = B::KIND.as_str(),
            binding = %key,
            error = %err,
            "could not delete orphaned placement"
        ),
    }
}

fn error_policy<B: MirroredBinding>(
    binding: Arc<DeserializeGuard<B>>,
    error: &ReconcileError,
    _ctx: Arc<Context>,
) -> Action {
    tracing::warn!(
        kind = B::KIND.as_str(),
        binding = %log_key::<B>(&binding.namespace().unwrap_or_default(), &binding.name_any()),
        error = %error,
        "reconcile failed; retrying"
    );
    Action::requeue(Duration::from_secs(5))
}

/// `<kind>/<namespace>/<name>` (no namespace part when cluster-scoped): the debounce key and
/// how logs name the binding.
fn log_key<B: MirroredBinding>(namespace: &str, name: &str) -> String {
    binding_key(B::KIND.as_str(), namespace, name)
}

/// [`log_key`] from the kind's name.
fn binding_key(kind: &str, namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}/{namespace}/{name}")
    }
}
