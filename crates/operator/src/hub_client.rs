//! The connection to the hub (the Karmada API server).

use crate::cli::HubArgs;
use crate::error::Result;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// The hub's client configuration from `--kubeconfig`/`--context`, else the usual inference
/// (`$KUBECONFIG`, `~/.kube/config`, in-cluster). Kept, because the cluster proxy reaches members
/// with the same credentials.
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
    tracing::info!(hub = %config.cluster_url, "connecting to the hub");
    Ok(config)
}
