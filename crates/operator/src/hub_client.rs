//! The connection to the hub (the Karmada API server).

use crate::cli::HubArgs;
use crate::error::Result;
use crate::members::READ_TIMEOUT;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// The hub's client configuration from `--kubeconfig`/`--context`, else the usual inference
/// (`$KUBECONFIG`, `~/.kube/config`, in-cluster), with a read timeout. Kept, because the cluster
/// proxy reaches members with the same credentials.
pub async fn config(args: &HubArgs) -> Result<kube::Config> {
    let options = KubeConfigOptions {
        context: args.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = match &args.kubeconfig {
        Some(path) => {
            kube::Config::from_custom_kubeconfig(Kubeconfig::read_from(path)?, &options).await?
        }
        None if args.context.is_some() => kube::Config::from_kubeconfig(&options).await?,
        None => kube::Config::infer().await?,
    };
    let mut config = config;
    // The cluster proxy's member clients are copies of this one, and inherit it.
    config.read_timeout = Some(READ_TIMEOUT);
    tracing::info!(hub = %config.cluster_url, "connecting to the hub");
    Ok(config)
}
