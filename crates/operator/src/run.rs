//! `karmada-manager run`: connect to the hub, check that it serves what the operator needs, fill
//! the caches, and run the controllers until SIGTERM or Ctrl-C.

use crate::cli::RunArgs;
use crate::context::Context;
use crate::controllers::{cluster, fleet, triggers};
use crate::error::{Error, Result};
use crate::hub;
use crate::members::Members;
use crate::settings::Settings;
use karmada_manager_api::{ClusterInsight, FleetInsight, WorkloadPlacement};
use karmada_types::well_known::CLUSTER_SECRET_NAMESPACE;
use karmada_types::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterResourceBinding,
    OverridePolicy, PropagationPolicy, ResourceBinding,
};
use kube::Resource;
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject};
use kube::core::{DeserializeGuard, PartialObjectMeta};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use std::sync::Arc;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Notify;
use tracing::info;

pub async fn run(args: RunArgs) -> Result<()> {
    // Installed before anything else, so that a SIGTERM at any point is a clean shutdown.
    let shutdown = Shutdown::install()?;
    let hub_config = tokio::select! {
        connected = connect(&args) => connected?,
        () = shutdown.wait() => return Ok(()),
    };
    let client = kube::Client::try_from(hub_config.clone())?;
    let settings = Settings::from(&args.tuning);
    let (trigger_tx, trigger_rx) = futures::channel::mpsc::unbounded();
    let controller = cluster::controller(&client, trigger_rx);
    let (secrets, secrets_writer) = reflector::store();
    let (insights, insights_writer) = reflector::store();
    let (bindings, bindings_writer) = reflector::store();
    let (cluster_bindings, cluster_bindings_writer) = reflector::store();
    let (policies, policies_writer) = reflector::store();
    let (cluster_policies, cluster_policies_writer) = reflector::store();
    let (override_policies, override_policies_writer) = reflector::store();
    let (cluster_override_policies, cluster_override_policies_writer) = reflector::store();
    let ctx = Arc::new(Context {
        hub: client.clone(),
        hub_config,
        members: Members::new(trigger_tx.clone(), settings.write_interval),
        settings,
        secrets: secrets.clone(),
        insights: insights.clone(),
        clusters: controller.store(),
        bindings: bindings.clone(),
        cluster_bindings: cluster_bindings.clone(),
        policies: policies.clone(),
        cluster_policies: cluster_policies.clone(),
        override_policies: override_policies.clone(),
        cluster_override_policies: cluster_override_policies.clone(),
        fleet_changed: Notify::new(),
    });
    let secrets_api = Api::namespaced(client.clone(), CLUSTER_SECRET_NAMESPACE);
    tokio::spawn(triggers::secrets(
        secrets_api,
        secrets_writer,
        controller.store(),
        trigger_tx.clone(),
    ));
    let c = ctx.clone();
    let tx = trigger_tx.clone();
    tokio::spawn(async move {
        triggers::insights(
            Api::all(c.hub.clone()),
            insights_writer,
            tx,
            &c.fleet_changed,
        )
        .await
    });
    let (c, tx) = (ctx.clone(), trigger_tx.clone());
    tokio::spawn(async move {
        triggers::bindings::<ResourceBinding>(
            Api::all(c.hub.clone()),
            bindings_writer,
            tx,
            &c.fleet_changed,
        )
        .await
    });
    let c = ctx.clone();
    tokio::spawn(async move {
        let api = Api::all(c.hub.clone());
        triggers::bindings::<ClusterResourceBinding>(
            api,
            cluster_bindings_writer,
            trigger_tx,
            &c.fleet_changed,
        )
        .await
    });
    spawn_policy_cache::<DeserializeGuard<PropagationPolicy>>(&ctx, policies_writer);
    spawn_policy_cache::<DeserializeGuard<ClusterPropagationPolicy>>(&ctx, cluster_policies_writer);
    spawn_policy_cache::<PartialObjectMeta<OverridePolicy>>(&ctx, override_policies_writer);
    spawn_policy_cache::<PartialObjectMeta<ClusterOverridePolicy>>(
        &ctx,
        cluster_override_policies_writer,
    );
    tokio::spawn(fleet::run(ctx.clone()));

    // Reconcilers read only caches: wait until they hold the hub's state, or a Secret would
    // look missing for a moment.
    tokio::select! {
        ready = async {
            secrets.wait_until_ready().await?;
            insights.wait_until_ready().await?;
            bindings.wait_until_ready().await?;
            cluster_bindings.wait_until_ready().await?;
            policies.wait_until_ready().await?;
            cluster_policies.wait_until_ready().await?;
            override_policies.wait_until_ready().await?;
            cluster_override_policies.wait_until_ready().await
        } => ready.map_err(|_| Error::CachesNotReady)?,
        () = shutdown.wait() => return Ok(()),
    }
    info!("hub caches synced; reconciling");
    ctx.fleet_changed.notify_one();
    cluster::run(controller, ctx, async move { shutdown.wait().await }).await;
    Ok(())
}

/// Caches a kind of policy across the hub; every change wakes the FleetInsight. For override
/// policies `K` is a `PartialObjectMeta`: only their names are counted, and kube then asks the hub
/// for metadata only.
fn spawn_policy_cache<K>(ctx: &Arc<Context>, writer: reflector::store::Writer<K>)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let api = Api::<K>::all(ctx.hub.clone());
        let stream =
            reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
                .default_backoff()
                .touched_objects();
        triggers::fleet_inputs(stream, &ctx.fleet_changed).await
    });
}

/// Connects to the hub and checks that it serves what the operator reads and writes.
async fn connect(args: &RunArgs) -> Result<kube::Config> {
    let hub_config = hub::config(&args.hub).await?;
    let client = kube::Client::try_from(hub_config.clone())?;
    let version = client.apiserver_version().await?;
    info!(version = %version.git_version, "connected to the hub");
    ensure_served::<ClusterInsight>(&client).await?;
    ensure_served::<WorkloadPlacement>(&client).await?;
    ensure_served::<FleetInsight>(&client).await?;
    ensure_served::<Cluster>(&client).await?;
    ensure_served::<ResourceBinding>(&client).await?;
    let clusters = Api::<Cluster>::all(client)
        .list_metadata(&ListParams::default())
        .await?;
    info!(
        clusters = clusters.items.len(),
        "the hub serves Karmada's and karmada-manager's APIs"
    );
    Ok(hub_config)
}

/// Fails with [`Error::CrdMissing`] when the hub does not serve `K`'s resource.
async fn ensure_served<K: Resource<DynamicType = ()>>(client: &kube::Client) -> Result<()> {
    let resource = ApiResource::erase::<K>(&());
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    match api.list_metadata(&ListParams::default().limit(1)).await {
        Err(kube::Error::Api(status)) if status.code == 404 => Err(Error::CrdMissing {
            kind: resource.kind,
            group: resource.group,
        }),
        Err(err) => Err(err.into()),
        Ok(_) => Ok(()),
    }
}

/// SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C), observed from anywhere.
#[derive(Clone)]
struct Shutdown(tokio::sync::watch::Receiver<bool>);

impl Shutdown {
    fn install() -> Result<Self> {
        let mut term = signal(SignalKind::terminate()).map_err(Error::Signal)?;
        let mut int = signal(SignalKind::interrupt()).map_err(Error::Signal)?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            info!("shutdown signal received; stopping");
            let _ = tx.send(true);
        });
        Ok(Self(rx))
    }

    async fn wait(&self) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|stopping| *stopping).await;
    }
}
