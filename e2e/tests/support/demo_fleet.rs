//! The demo fleet of `cargo xtask dev` with karmada-manager running, settled: what the plugin
//! and dashboard tests look at.

use super::{Operator, eventually, start_operator};
use anyhow::Result;
use karmada_manager_api::WorkloadPlacement;
use kube::api::Api;
use std::time::Duration;
use testenv::{EnvOptions, Environment};

/// The running fleet; the operator stops when it is dropped.
pub struct DemoFleet {
    pub env: Environment,
    pub hub: kube::Client,
    /// The WorkloadPlacements of namespace `shop`.
    pub placements: Api<WorkloadPlacement>,
    _operator: Operator,
}

/// Starts the fleet and waits until `web`'s placement lists pods on both members.
pub async fn start(wait: Duration) -> Result<DemoFleet> {
    let env = Environment::start(EnvOptions {
        crds: karmada_manager_api::crds(),
        ..testenv::demo::options()
    })
    .await?;
    testenv::demo::seed(&env).await?;
    let operator = start_operator(&env, &[]).await?;
    let hub = env.hub().client().await?;
    let placements = Api::<WorkloadPlacement>::namespaced(hub.clone(), "shop");
    eventually(
        "web's placement lists its pods on both members",
        wait,
        || async { Ok(placements.get("web-deployment").await?) },
        |p| {
            p.status.as_ref().is_some_and(|s| {
                s.clusters.len() == 2 && s.clusters.iter().all(|c| !c.pod_list.is_empty())
            })
        },
    )
    .await?;
    Ok(DemoFleet {
        env,
        hub,
        placements,
        _operator: operator,
    })
}
