//! The Cluster controller: one `ClusterInsight` per Karmada `Cluster`. The reconciler decides how
//! to reach the member, keeps the member's watch task running with those settings, and writes the
//! status built from the member's in-memory index. It reads only caches; it writes only our CRDs.

use super::cluster_status::{Inputs, View, assemble};
use crate::cli::ConnectionMode;
use crate::context::Context;
use crate::members::{ConnectionError, direct_config, proxy_config};
use crate::write::apply::{apply_status_if_changed, ensure_object};
use crate::write::events::announce_ready;
use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus, InsightSource};
use karmada_manager_core::cluster_workload_counts;
use karmada_manager_core::{malformed_source, stamp_status};
use karmada_types::{Cluster, SyncMode};
use kube::api::{Api, DeleteParams};
use kube::core::DeserializeGuard;
use kube::runtime::WatchStreamExt;
use kube::runtime::controller::{self, Action, Controller};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Safety net: look at every Cluster at least this often even if nothing triggers it.
const RESYNC: Duration = Duration::from_secs(300);

type Guarded = DeserializeGuard<Cluster>;

/// The controller, before it runs: its store lets trigger sources find Clusters.
///
/// It is fed `touched_objects` rather than the default `applied_objects`, so that a deleted
/// Cluster is reconciled too: it is then missing from the store, and the resulting
/// `ObjectNotFound` is where its insight and member task are cleaned up.
pub fn controller(hub: &kube::Client, triggers: UnboundedReceiver<String>) -> Controller<Guarded> {
    let (store, writer) = reflector::store();
    let api = Api::<Guarded>::all(hub.clone());
    let clusters = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff()
        .touched_objects();
    Controller::for_stream(clusters, store).reconcile_on(triggers.map(|name| ObjectRef::new(&name)))
}

/// Runs the controller until `shutdown` resolves.
pub async fn run(
    controller: Controller<Guarded>,
    ctx: Arc<Context>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    controller
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx.clone())
        .for_each(|result| {
            let ctx = ctx.clone();
            async move {
                match result {
                    Ok(_) => {}
                    Err(controller::Error::ObjectNotFound(gone)) => {
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
    let started = std::time::Instant::now();
    let result = reconcile_cluster(&guarded, &ctx).await;
    ctx.metrics
        .reconciled("cluster", result.is_ok(), started.elapsed());
    result
}

async fn reconcile_cluster(guarded: &Guarded, ctx: &Context) -> Result<Action, ReconcileError> {
    let name = guarded.name_any();
    let cluster = match &guarded.0 {
        Ok(cluster) => cluster,
        Err(invalid) => {
            ctx.members.stop(&name);
            let message = format!(
                "the Cluster cannot be decoded: {}; fix its spec on the hub",
                invalid.error
            );
            write_malformed(ctx, guarded, message).await?;
            return Ok(Action::requeue(RESYNC));
        }
    };
    // New labels or topology fields change the placements' static weights.
    super::placement::triggers::cluster_seen(ctx, &name, Some(cluster));
    let (previous, generation) = existing_or_created(ctx, guarded).await?;
    let previous_status = previous.as_ref().and_then(|p| p.status.as_ref());
    let (status, requeue) = build_status(ctx, cluster, &name, previous_status, generation);
    let api = insights(ctx);
    let written = apply_status_if_changed(&api, &name, previous_status, &status, &ctx.metrics)
        .await
        .map_err(|source| ReconcileError::Write {
            name: name.clone(),
            source,
        })?;
    if written {
        tracing::debug!(cluster = %name, "ClusterInsight status written");
        ctx.fleet_changed.notify_one();
        let before = previous_status
            .map(|s| s.conditions.as_slice())
            .unwrap_or_default();
        announce_ready::<ClusterInsight>(&ctx.recorder, None, &name, before, &status.conditions)
            .await;
    }
    Ok(Action::requeue(requeue.unwrap_or(RESYNC)))
}

/// Decides the connection, keeps the member task in line with it, and assembles the status.
fn build_status(
    ctx: &Context,
    cluster: &Cluster,
    name: &str,
    previous: Option<&ClusterInsightStatus>,
    generation: Option<i64>,
) -> (ClusterInsightStatus, Option<Duration>) {
    let connection = connection_plan(ctx, cluster, name).and_then(|(config, source)| {
        let endpoint = config.cluster_url.to_string();
        // Proxy headers belong to the Cluster's own proxyURL, not to the hub's cluster proxy.
        let no_headers = BTreeMap::new();
        let headers = if source == InsightSource::Direct {
            &cluster.spec.proxy_header
        } else {
            &no_headers
        };
        ctx.members
            .ensure(name, config, headers)
            .map(|shared| (shared, endpoint.clone(), source))
            .map_err(|e| ConnectionError::ClientSetup {
                endpoint,
                problem: e.to_string(),
            })
    });
    let bindings = ctx.bindings.state();
    let cluster_bindings = ctx.cluster_bindings.state();
    let specs = bindings
        .iter()
        .filter_map(|b| b.0.as_ref().ok().map(|b| &b.spec))
        .chain(
            cluster_bindings
                .iter()
                .filter_map(|b| b.0.as_ref().ok().map(|b| &b.spec)),
        );
    let workloads = cluster_workload_counts(name, specs);
    let now = Time(k8s_openapi::jiff::Timestamp::now());
    let settings = &ctx.settings;
    let inputs = |view| Inputs {
        cluster,
        view,
        previous,
        generation,
        workloads,
        options: &settings.build,
        grace: settings.unreachable_grace,
        now,
    };
    match connection {
        Ok((shared, endpoint, source)) => {
            let health = shared.health();
            let metrics = shared.metrics();
            let index = shared.index.read().unwrap_or_else(|e| e.into_inner());
            assemble(inputs(View::Live {
                index: &index.cluster,
                health: &health,
                source,
                endpoint: &endpoint,
                metrics: metrics.as_deref(),
            }))
        }
        Err(problem) => {
            ctx.members.stop(name);
            // A Pull cluster without endpoint or Secret is normal, not a problem to report.
            let expected = cluster.spec.sync_mode == Some(SyncMode::Pull)
                && matches!(
                    problem,
                    ConnectionError::NoEndpoint | ConnectionError::NoSecretRef
                );
            assemble(inputs(View::Fallback {
                problem: (!expected).then_some(&problem),
            }))
        }
    }
}

/// How to reach the member under the configured connection mode (DESIGN §1: Direct, else
/// ClusterProxy when allowed, else the ClusterStatus fallback chosen by the caller on `Err`).
fn connection_plan(
    ctx: &Context,
    cluster: &Cluster,
    name: &str,
) -> Result<(kube::Config, InsightSource), ConnectionError> {
    let proxy = || {
        proxy_config(
            &ctx.hub_config,
            ctx.settings.cluster_proxy_url.as_ref(),
            name,
        )
        .map(|c| (c, InsightSource::ClusterProxy))
    };
    if ctx.settings.connection_mode == ConnectionMode::Proxy {
        return proxy();
    }
    let secret = cluster.spec.secret_ref.as_ref().and_then(|r| {
        ctx.secrets
            .get(&ObjectRef::new(&r.name).within(&r.namespace))
    });
    match direct_config(&cluster.spec, secret.as_deref()) {
        Ok(config) => Ok((config, InsightSource::Direct)),
        Err(_) if ctx.settings.connection_mode == ConnectionMode::DirectThenProxy => proxy(),
        Err(problem) => Err(problem),
    }
}

/// The Cluster's insight as last seen (`None` if it did not exist) and its generation, creating
/// the insight, owned by the Cluster, when it does not exist yet.
async fn existing_or_created(
    ctx: &Context,
    cluster: &Guarded,
) -> Result<(Option<Arc<ClusterInsight>>, Option<i64>), ReconcileError> {
    let name = cluster.name_any();
    if let Some(existing) = ctx.insights.get(&ObjectRef::new(&name)) {
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

/// The Cluster is gone: stop watching the member and delete its insight.
async fn remove_insight(ctx: &Context, name: &str) {
    ctx.members.stop(name);
    super::placement::triggers::cluster_seen(ctx, name, None);
    if ctx.insights.get(&ObjectRef::new(name)).is_none() {
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
    ctx.fleet_changed.notify_one();
}

fn error_policy(cluster: Arc<Guarded>, error: &ReconcileError, _ctx: Arc<Context>) -> Action {
    tracing::warn!(cluster = %cluster.name_any(), error = %error, "reconcile failed; retrying");
    Action::requeue(Duration::from_secs(5))
}

fn insights(ctx: &Context) -> Api<ClusterInsight> {
    Api::all(ctx.hub.clone())
}
