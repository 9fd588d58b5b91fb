//! Scenario 8: Karmada's view goes stale and the placement says so. With
//! karmada-controller-manager paused (SIGSTOP), the binding's aggregated status stops following
//! the members; the member's copy of scenario 7's Deployment is scaled to 0 there, so Karmada
//! still reports its ready replicas while the member has none. After the grace the placement
//! names the cluster with both counts (`ReadyCountsDisagree`, Degraded); once Karmada runs
//! again and catches up, the problem goes.

use crate::fleet::Fleet;
use crate::support::eventually;
use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::Deployment;
use karmada_manager_api::WorkloadPlacementStatus;
use karmada_manager_api::conditions::reasons;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use std::time::{Duration, Instant};

const NAMESPACE: &str = "division";
const PLACEMENT: &str = "dynamic-deployment";

fn disagreement(status: &WorkloadPlacementStatus, cluster: &str) -> Option<String> {
    status
        .clusters
        .iter()
        .find(|c| c.name == cluster)?
        .problems
        .iter()
        .find(|p| p.reason == reasons::READY_COUNTS_DISAGREE)
        .map(|p| p.message.clone())
}

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    let before = fleet.placement_status(NAMESPACE, PLACEMENT).await?;
    let target = before
        .clusters
        .iter()
        .filter(|c| c.replicas > 0)
        .map(|c| (c.name.clone(), c.replicas))
        .min()
        .context("scenario 7's workload has no target")?;
    let (cluster, replicas) = target;
    let karmada = fleet
        .env
        .karmada()
        .context("the fleet runs the real Karmada")?;
    let paused = karmada.pause("karmada-controller-manager")?;
    let started = Instant::now();
    Api::<Deployment>::namespaced(fleet.member(&cluster).await?, NAMESPACE)
        .patch(
            "dynamic",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 0}})),
        )
        .await?;
    let shown = eventually(
        &format!("{PLACEMENT}: {cluster}'s ready counts disagree"),
        Duration::from_secs(200),
        || fleet.placement_status(NAMESPACE, PLACEMENT),
        |s| disagreement(s, &cluster).is_some(),
    )
    .await?;
    let after = started.elapsed();
    let message = disagreement(&shown, &cluster).unwrap_or_default();
    let expected = format!(
        "Karmada reports {replicas} ready replicas here, karmada-manager sees 0 ready pods"
    );
    anyhow::ensure!(message.starts_with(&expected), "{message}");
    let degraded = shown
        .conditions
        .iter()
        .find(|c| c.type_ == "Degraded")
        .map(|c| c.reason.clone());
    anyhow::ensure!(
        degraded.as_deref() == Some(reasons::READY_COUNTS_DISAGREE),
        "Degraded: {degraded:?}"
    );

    drop(paused);
    let resumed = Instant::now();
    eventually(
        &format!("{PLACEMENT}: {cluster} agrees again once Karmada runs"),
        Duration::from_secs(120),
        || fleet.placement_status(NAMESPACE, PLACEMENT),
        |s| disagreement(s, &cluster).is_none(),
    )
    .await?;
    eprintln!(
        "scenario 8: karmada-controller-manager paused; {cluster} scaled to 0 in the member: ReadyCountsDisagree after {:.0} s ({message}); gone {:.0} s after Karmada resumed",
        after.as_secs_f64(),
        resumed.elapsed().as_secs_f64()
    );
    Ok(())
}
