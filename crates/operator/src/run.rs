//! `karmada-manager run`: connect to the hub, check that it serves what the operator needs, and
//! run until SIGTERM or Ctrl-C.

use crate::cli::RunArgs;
use crate::error::{Error, Result};
use crate::hub;
use karmada_manager_api::{ClusterInsight, FleetInsight, WorkloadPlacement};
use karmada_types::{Cluster, ResourceBinding};
use kube::Resource;
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject};
use tokio::signal::unix::{SignalKind, signal};
use tracing::info;

pub async fn run(args: RunArgs) -> Result<()> {
    let client = hub::client(&args.hub).await?;
    let version = client.apiserver_version().await?;
    info!(version = %version.git_version, "connected to the hub");
    ensure_served::<ClusterInsight>(&client).await?;
    ensure_served::<WorkloadPlacement>(&client).await?;
    ensure_served::<FleetInsight>(&client).await?;
    ensure_served::<Cluster>(&client).await?;
    ensure_served::<ResourceBinding>(&client).await?;
    let clusters = Api::<Cluster>::all(client.clone())
        .list_metadata(&ListParams::default())
        .await?;
    info!(
        clusters = clusters.items.len(),
        "the hub serves Karmada's and karmada-manager's APIs"
    );

    shutdown_signal().await?;
    info!("shutdown signal received; stopping");
    Ok(())
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

/// Resolves on SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C).
async fn shutdown_signal() -> Result<()> {
    let mut term = signal(SignalKind::terminate()).map_err(Error::Signal)?;
    tokio::select! {
        _ = term.recv() => {}
        result = tokio::signal::ctrl_c() => result.map_err(Error::Signal)?,
    }
    Ok(())
}
