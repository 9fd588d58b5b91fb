//! The Cluster controller: one `ClusterInsight` per Karmada `Cluster`. The reconciler decides how
//! to reach the member, keeps the member's watch task running with those settings, and writes the
//! status built from the member's in-memory index. It reads only caches; it writes only our CRDs.

use super::cluster_status::{Inputs, View, assemble};
use crate::cli::ConnectionMode;
use crate::context::Context;
use crate::members::{ConnectionError, MemberShared, direct_config, proxy_config};
use crate::write::apply::{apply_status_if_changed, ensure_object};
use crate::write::events::announce_ready;
use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus, InsightSource};
use karmada_manager_core::scheduled_bindings;
use karmada_manager_core::{malformed_source, stamp_status};
use karmada_types::{Cluster, SyncMode};
use kube::api::{Api, DeleteParams};
use kube::core::DeserializeGuard;
use kube::runtime::controller::{self, Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Safety net: look at every Cluster at least this often even if nothing triggers it.
const RESYNC: Duration = Duration::from_secs(300);

type Guarded = DeserializeGuard<Cluster>;

/// Runs the controller until `shutdown` resolves. It has no watch of its own: the Cluster
/// watch (`triggers::clusters`) keeps [`Context::clusters`] on every replica and, like the other
/// sources of change, sends Cluster names through `triggers`. A deleted Cluster is then missing
/// from the store, and the resulting `ObjectNotFound` is where its insight and member task are
/// cleaned up.
pub async fn run(
    ctx: Arc<Context>,
    triggers: UnboundedReceiver<String>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let idle = futures::stream::pending::<Result<Guarded, watcher::Error>>();
    Controller::for_stream(idle, ctx.clusters.clone())
        .reconcile_on(triggers.map(|name| ObjectRef::new(&name)))
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

/// Something about Cluster `name` changed (itself, its Secret). The leader reconciles it; a
/// standby only keeps the member's watch in line, so that its index is warm on taking over.
pub fn touched(ctx: &Context, name: &str) {
    if ctx.cluster_triggers.gate.is_open() {
        ctx.cluster_triggers.send(name);
    } else {
        keep_member(ctx, name);
    }
}

/// Every Cluster's member watch, in line with the caches: called once they are synced.
pub fn keep_members(ctx: &Context) {
    for cluster in ctx.clusters.state() {
        keep_member(ctx, &cluster.name_any());
    }
}

/// The part of the reconcile a standby does: run the member's watch with the connection the
/// reconcile would choose, or stop it. Writes nothing. Before the caches are synced a missing
/// Secret may only be not yet seen, so nothing is decided then.
fn keep_member(ctx: &Context, name: &str) {
    if !ctx.readiness.is_ready() {
        return;
    }
    let cluster = ctx.clusters.get(&ObjectRef::new(name));
    match cluster.as_deref().map(|guarded| &guarded.0) {
        Some(Ok(cluster)) => {
            if connect(ctx, cluster, name).is_err() {
                ctx.members.stop(name);
            }
        }
        _ => ctx.members.stop(name),
    }
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
    if let Some(wait) = ctx.insight_writes.wait(&name) {
        return Ok(Action::requeue(wait));
    }
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
        ctx.insight_writes.record(&name);
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
    let connection = connect(ctx, cluster, name);
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
    let workloads = scheduled_bindings(name, specs);
    let now = Time(k8s_openapi::jiff::Timestamp::now());
    let settings = &ctx.settings;
    let inputs = |view| Inputs {
        cluster,
        view,
        previous,
        generation,
        workloads,
        options: &settings.cluster_insight,
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
                listed: shared.listed(),
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

/// Plans the connection and keeps the member task running with it: the member's shared
/// state, the endpoint and how it is reached.
fn connect(
    ctx: &Context,
    cluster: &Cluster,
    name: &str,
) -> Result<(Arc<MemberShared>, String, InsightSource), ConnectionError> {
    let (config, source) = connection_plan(ctx, cluster, name)?;
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
    ctx.insight_writes.forget(name);
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
