//! Scenario 3: the fleet changes and karmada-manager follows. Scale the Deployment on the hub,
//! change the policy's weights, update an OverridePolicy, delete a member's nodes so its pods go
//! Pending and bring them back, while `kubectl wait --for=condition=Ready` waits the way a
//! pipeline would.

use crate::fleet::{Fleet, WAIT};
use crate::insight;
use crate::placement::{
    BINDING, NAMESPACE, apply_web, apply_web_policy, condition, targets, wait_agreement,
};
use crate::support::eventually;
use anyhow::{Context, Result, ensure};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use karmada_manager_api::WorkloadPlacementStatus;
use kube::api::Api;
use serde_json::{Value, json};
use std::time::Duration;

/// The weights after the change.
pub const NEW_WEIGHTS: [(&str, i64); 2] = [("m1", 1), ("m2", 2)];

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    scale_and_reweigh(fleet).await?;
    override_policy(fleet).await?;
    nodes_gone_and_back(fleet).await
}

async fn scale_and_reweigh(fleet: &Fleet) -> Result<()> {
    apply_web(fleet, 9).await?;
    wait_agreement(fleet, &[("m1", 2), ("m2", 1)], &targets(6, 3), "True").await?;
    apply_web_policy(fleet, &NEW_WEIGHTS).await?;
    wait_agreement(fleet, &NEW_WEIGHTS, &targets(3, 6), "True").await?;
    eprintln!("scenario 3: scaled to 9 (6/3), then weights 1:2 (3/6); the placement followed");
    Ok(())
}

/// OverridePolicy `shop/web-op`: image tag `1.1` in `clusters`.
fn override_policy_object(clusters: &[&str]) -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "OverridePolicy",
        "metadata": {"name": "web-op", "namespace": NAMESPACE},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "overrideRules": [{
                "targetCluster": {"clusterNames": clusters},
                "overriders": {"imageOverrider": [{"component": "Tag", "operator": "replace", "value": "1.1"}]},
            }],
        },
    })
}

/// The override appears in the entries of the clusters it targets, and Karmada applied it there.
async fn override_policy(fleet: &Fleet) -> Result<()> {
    for clusters in [&["m1"][..], &["m1", "m2"]] {
        let policies = testenv::karmada_objects::override_policies();
        testenv::karmada_objects::apply(&fleet.hub, &policies, &override_policy_object(clusters))
            .await?;
        eventually(
            &format!("the placement lists OverridePolicy shop/web-op on {clusters:?} only"),
            WAIT,
            || async {
                let status = fleet.placement_status(NAMESPACE, BINDING).await?;
                let mut listed = Vec::new();
                for entry in &status.clusters {
                    let has = entry
                        .overrides
                        .iter()
                        .any(|o| o == "OverridePolicy shop/web-op");
                    let image = member_image(fleet, &entry.name).await?;
                    listed.push((entry.name.clone(), has, image));
                }
                Ok(listed)
            },
            |listed| {
                listed.iter().all(|(name, has, image)| {
                    let targeted = clusters.contains(&name.as_str());
                    *has == targeted && image.ends_with(if targeted { ":1.1" } else { ":1.0" })
                })
            },
        )
        .await?;
    }
    wait_agreement(fleet, &NEW_WEIGHTS, &targets(3, 6), "True").await?;
    eprintln!("scenario 3: OverridePolicy web-op on m1, then on m1 and m2; the entries followed");
    Ok(())
}

/// The image of `web` in member `cluster`, as Karmada applied it.
async fn member_image(fleet: &Fleet, cluster: &str) -> Result<String> {
    let deployment = Api::<Deployment>::namespaced(fleet.member(cluster).await?, NAMESPACE)
        .get("web")
        .await?;
    deployment
        .spec
        .and_then(|s| s.template.spec)
        .and_then(|s| s.containers.first().and_then(|c| c.image.clone()))
        .context("no image")
}

/// The pods kube-scheduler could not place are said with its own words: `pendingReason` is
/// the `PodScheduled` condition of m2's pods as the member holds it, and the placement is
/// Degraded (`ReplicasUnschedulable`) naming m2 only.
async fn unscheduled_as_kube_scheduler_says(
    fleet: &Fleet,
    status: &WorkloadPlacementStatus,
) -> Result<()> {
    let pods: Api<Pod> = Api::namespaced(fleet.member("m2").await?, NAMESPACE);
    let member_pods = pods.list(&Default::default()).await?;
    let scheduled = member_pods
        .items
        .iter()
        .filter_map(|p| p.status.as_ref()?.conditions.as_ref())
        .filter_map(|cs| cs.iter().find(|c| c.type_ == "PodScheduled"))
        .find(|c| c.status == "False")
        .context("no pod of m2 with PodScheduled=False")?;
    let expected = format!(
        "6 pods {}: {}",
        scheduled.reason.as_deref().unwrap_or_default(),
        scheduled.message.as_deref().unwrap_or_default()
    );
    let m2 = status.clusters.iter().find(|c| c.name == "m2");
    let reason = m2.and_then(|c| c.pods.as_ref()?.pending_reason.clone());
    ensure!(
        reason.as_deref() == Some(expected.as_str()),
        "m2's pendingReason {reason:?}, kube-scheduler says {expected:?}"
    );
    let degraded = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Degraded")
        .context("no Degraded condition")?;
    ensure!(
        degraded.reason == "ReplicasUnschedulable"
            && degraded.message.contains("m2 (")
            && !degraded.message.contains("m1 ("),
        "Degraded: {degraded:?}"
    );
    eprintln!("scenario 3: m2's pendingReason: {expected}");
    Ok(())
}

/// m2 loses its nodes: kube's pod GC removes the pods bound to them, the ReplicaSet recreates
/// them and they stay Pending. The placement turns Ready=False, the insight counts them as
/// allocating like Karmada does, and `kubectl wait` waits until the nodes come back.
async fn nodes_gone_and_back(fleet: &Fleet) -> Result<()> {
    fleet.delete_nodes("m2").await?;
    let pending = eventually(
        "m2's pods Pending and the placement not Ready",
        Duration::from_secs(180),
        || fleet.placement_status(NAMESPACE, BINDING),
        |s| {
            let m2 = s.clusters.iter().find(|c| c.name == "m2");
            let pods = m2.and_then(|c| c.pods.as_ref());
            condition(s, "Ready").is_some_and(|(status, _)| status == "False")
                && pods.is_some_and(|p| p.pending == 6 && p.total == 6 && p.unscheduled == 6)
        },
    )
    .await?;
    let ready = condition(&pending, "Ready").map(|(s, r)| format!("{s}/{r}"));
    unscheduled_as_kube_scheduler_says(fleet, &pending).await?;
    let verdicts = gitops_verdicts(fleet).await?;
    ensure!(
        verdicts == ("Progressing".to_owned(), "InProgress".to_owned()),
        "Argo CD / kstatus while pods are Pending: {verdicts:?}"
    );
    insight::wait_agreement(fleet, "m2's pods Pending").await?;
    let m2 = fleet.insight("m2").await?.status.context("no status")?;
    ensure!(
        m2.nodes.total == 0 && m2.pods.pending == 6,
        "m2: {:?} {:?}",
        m2.nodes,
        m2.pods
    );
    let karmada = crate::fleet::cluster(&fleet.hub, "m2").await?;
    eprintln!(
        "scenario 3: m2 without nodes: Karmada's resourceSummary {}, and the insight agrees",
        karmada["status"]["resourceSummary"]
    );

    let mut wait = kubectl_wait(fleet)?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    ensure!(
        wait.try_wait()?.is_none(),
        "kubectl wait returned while the placement is {ready:?}"
    );
    fleet.create_nodes("m2").await?;
    let waited = tokio::time::timeout(WAIT, wait.wait_with_output()).await??;
    ensure!(
        waited.status.success(),
        "kubectl wait: {}",
        String::from_utf8_lossy(&waited.stderr)
    );
    wait_agreement(fleet, &NEW_WEIGHTS, &targets(3, 6), "True").await?;
    let verdicts = gitops_verdicts(fleet).await?;
    ensure!(
        verdicts == ("Healthy".to_owned(), "Current".to_owned()),
        "Argo CD / kstatus once Ready: {verdicts:?}"
    );
    insight::wait_agreement(fleet, "m2's nodes back").await?;
    eprintln!(
        "scenario 3: m2's nodes deleted: placement {ready:?}, insight agrees with Karmada; nodes back: kubectl wait returned 0"
    );
    Ok(())
}

/// The verdicts of Argo CD's Lua health check and of kstatus (Flux) on the placement as served.
async fn gitops_verdicts(fleet: &Fleet) -> Result<(String, String)> {
    let object = serde_json::to_value(fleet.placement(NAMESPACE, BINDING).await?)?;
    let argo = health_checks::argocd_health(&object)?;
    let flux = tokio::task::spawn_blocking(move || health_checks::kstatus(&object)).await??;
    Ok((argo.status, flux.status))
}

/// `kubectl wait --for=condition=Ready workloadplacement/web-deployment` as a pipeline runs it.
fn kubectl_wait(fleet: &Fleet) -> Result<tokio::process::Child> {
    Ok(tokio::process::Command::new(&fleet.env.binaries().kubectl)
        .args([
            "wait",
            "--for=condition=Ready",
            &format!("workloadplacement/{BINDING}"),
        ])
        .args(["-n", NAMESPACE, "--timeout=120s", "--kubeconfig"])
        .arg(fleet.env.hub().kubeconfig())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?)
}
