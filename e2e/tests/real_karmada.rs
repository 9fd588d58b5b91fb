//! Against the real Karmada: Karmada's own karmada-controller-manager,
//! karmada-scheduler and karmada-webhook run on the hub; each member runs kube-controller-manager,
//! kube-scheduler and kwok, so Deployments become ReplicaSets and pods that kube-scheduler binds
//! and kwok drives to Running. Karmada produces the Clusters' status, the bindings, the
//! scheduling results, the Works and the member workloads; karmada-manager reports on them, and
//! the scenarios check that its statuses agree with Karmada and with the members.
//!
//! One fleet serves every scenario, in order (starting it costs more than any scenario):
//! `cargo test -p e2e --test real_karmada -- --nocapture` shows the figures it measures.

mod support;

#[path = "real_karmada/changes.rs"]
mod changes;
#[path = "real_karmada/division.rs"]
mod division;
#[path = "real_karmada/estimator.rs"]
mod estimator;
#[path = "real_karmada/fit.rs"]
mod fit;
#[path = "real_karmada/fleet.rs"]
mod fleet;
#[path = "real_karmada/freshness.rs"]
mod freshness;
#[path = "real_karmada/insight.rs"]
mod insight;
#[path = "real_karmada/logs.rs"]
mod logs;
#[path = "real_karmada/placement.rs"]
mod placement;
#[path = "real_karmada/stale.rs"]
mod stale;
#[path = "real_karmada/what_if.rs"]
mod what_if;
#[path = "real_karmada/why.rs"]
mod why;

use anyhow::Result;

#[tokio::test(flavor = "multi_thread")]
async fn karmada_manager_agrees_with_the_real_karmada() -> Result<()> {
    let fleet = fleet::Fleet::start().await?;
    placement::scenario(&fleet).await?;
    insight::scenario(&fleet).await?;
    changes::scenario(&fleet).await?;
    freshness::scenario(&fleet).await?;
    estimator::scenario(&fleet).await?;
    why::scenario(&fleet).await?;
    division::scenario(&fleet).await?;
    stale::scenario(&fleet).await?;
    logs::scenario(&fleet).await?;
    Ok(())
}
