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
use karmada_types::{Cluster, ClusterResourceBinding, ResourceBinding};
use kube::Resource;
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector;
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
    ensure_served::<WorkloadPlacement>(&client).await?;
    ensure_served::<FleetInsight>(&client).await?;
    ensure_served::<Cluster>(&client).await?;
    ensure_served::<ResourceBinding>(&client).await?;

    let settings = Settings::from(&args.tuning);
    let (trigger_tx, trigger_rx) = futures::channel::mpsc::unbounded();
    let (secrets, secrets_writer) = reflector::store();
    let (insights, insights_writer) = reflector::store();
    let (bindings, bindings_writer) = reflector::store();
    let (cluster_bindings, cluster_bindings_writer) = reflector::store();
    let ctx = Arc::new(Context {
        hub: client.clone(),
        hub_config,
        members: Members::new(trigger_tx.clone(), settings.write_interval),
        settings,
        secrets: secrets.clone(),
        insights: insights.clone(),
        bindings: bindings.clone(),
        cluster_bindings: cluster_bindings.clone(),
        fleet_changed: Notify::new(),
    });
    let controller = cluster::controller(&client, trigger_rx);
    tokio::spawn(triggers::secrets(
        Api::namespaced(client.clone(), CLUSTER_SECRET_NAMESPACE),
        secrets_writer,
        controller.store(),
        trigger_tx.clone(),
    ));
    let for_insights = ctx.clone();
    let insight_triggers = trigger_tx.clone();
    tokio::spawn(async move {
        triggers::insights(
            Api::all(for_insights.hub.clone()),
            insights_writer,
            insight_triggers,
            &for_insights.fleet_changed,
        )
        .await
    });
    tokio::spawn(triggers::bindings::<ResourceBinding>(
        Api::all(client.clone()),
        bindings_writer,
        trigger_tx.clone(),
    ));
    tokio::spawn(triggers::bindings::<ClusterResourceBinding>(
        Api::all(client.clone()),
        cluster_bindings_writer,
        trigger_tx,
    ));
    tokio::spawn(fleet::run(ctx.clone()));

    // Reconcilers read only caches: wait until they hold the hub's state, or a Secret would
    // look missing for a moment.
    tokio::select! {
        ready = async {
            secrets.wait_until_ready().await?;
            insights.wait_until_ready().await?;
            bindings.wait_until_ready().await?;
            cluster_bindings.wait_until_ready().await
        } => ready.map_err(|_| Error::CachesNotReady)?,
        () = shutdown.wait() => return Ok(()),
    }
    info!("hub caches synced; reconciling");
    ctx.fleet_changed.notify_one();
    cluster::run(controller, ctx, async move { shutdown.wait().await }).await;
    Ok(())
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
