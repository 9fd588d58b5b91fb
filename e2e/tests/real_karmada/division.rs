//! Scenario 7: a division by available replicas follows the figures the operator shows.
//! karmada-scheduler divides a `DynamicWeight: AvailableReplicas` workload by its built-in
//! (general) estimate of each cluster's room — here from the Clusters' resource models, which
//! Karmada fills in by default — with the Webster method. The test reads the Clusters once the
//! fleet is quiet, estimates each one's room with the operator's own general estimator, divides
//! the replicas the way Karmada does, and requires the scheduler's division to be that one;
//! then the placement's `division` must name the same estimator's figure for each cluster.

use crate::fleet::{Fleet, WAIT};
use crate::support::eventually;
use anyhow::{Context, Result};
use karmada_manager_api::WorkloadPlacement;
use karmada_manager_core::fit::FitShape;
use karmada_types::{Cluster, ReplicaRequirements};
use kube::api::{Api, DynamicObject};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use testenv::join::apply_namespace;
use testenv::karmada_objects::{self, propagation_policies, resource_bindings};

const NAMESPACE: &str = "division";
const MEMBERS: [&str; 2] = ["m1", "m2"];

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    apply_namespace(&fleet.hub, NAMESPACE).await?;
    let requirements: ReplicaRequirements =
        serde_json::from_value(json!({"resourceRequest": {"cpu": "1"}}))?;
    let shape = FitShape::new(&requirements).map_err(anyhow::Error::msg)?;
    let room = quiet_room(fleet, &shape).await?;
    let total: i64 = room.values().sum();
    let replicas = (total / 2).clamp(2, 20);
    anyhow::ensure!(
        total >= replicas,
        "no room for {replicas} replicas: {room:?}"
    );

    let placement = json!({
        "clusterAffinity": {"clusterNames": MEMBERS},
        "replicaScheduling": {
            "replicaSchedulingType": "Divided",
            "replicaDivisionPreference": "Weighted",
            "weightPreference": {"dynamicWeight": "AvailableReplicas"},
        },
    });
    let selected = ("apps/v1", "Deployment", "dynamic");
    let policy = karmada_objects::propagation_policy("dynamic", NAMESPACE, selected, placement);
    karmada_objects::apply(&fleet.hub, &propagation_policies(), &policy).await?;
    let deployments =
        kube::discovery::ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&());
    karmada_objects::apply(&fleet.hub, &deployments, &deployment(replicas)).await?;

    let bindings =
        Api::<DynamicObject>::namespaced_with(fleet.hub.clone(), NAMESPACE, &resource_bindings());
    let divided = eventually(
        "Karmada divides dynamic",
        WAIT,
        || async {
            let binding = bindings.get("dynamic-deployment").await?;
            let mut split = BTreeMap::new();
            for target in binding.data["spec"]["clusters"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let name = target["name"].as_str().unwrap_or_default().to_owned();
                split.insert(name, target["replicas"].as_i64().unwrap_or(0));
            }
            Ok(split)
        },
        |split| split.values().sum::<i64>() == replicas,
    )
    .await?;
    let expected = webster(replicas, &room);
    anyhow::ensure!(
        expected.contains(&divided),
        "karmada-scheduler divided {replicas} replicas as {divided:?}; the general estimates {room:?} give {expected:?}"
    );

    // The placement names the same estimator's figure, as it is now, for each target.
    let placements = Api::<WorkloadPlacement>::namespaced(fleet.hub.clone(), NAMESPACE);
    let shown = eventually(
        "the placement's division names the general estimate of each target",
        WAIT,
        || async {
            let status = placements
                .get("dynamic-deployment")
                .await?
                .status
                .context("no placement status yet")?;
            let mut rows = Vec::new();
            for entry in &status.clusters {
                let cluster = cluster(fleet, &entry.name).await?;
                let now = shape.in_cluster(&cluster).context("no resourceSummary")?;
                rows.push((entry.division.clone().unwrap_or_default(), now));
            }
            Ok(rows)
        },
        |rows| {
            rows.len() == divided.len()
                && rows
                    .iter()
                    .all(|(division, now)| division.contains(&format!("general {now}")))
        },
    )
    .await?;
    let yaml = crate::support::kubectl_get_yaml(
        &fleet.env,
        "workloadplacement",
        NAMESPACE,
        "dynamic-deployment",
    )
    .await?;
    eprintln!("scenario 7: kubectl get -o yaml:\n{yaml}");
    eprintln!(
        "scenario 7: general estimates {room:?} before; karmada-scheduler divided {replicas} as {divided:?}; the placement shows {shown:?}"
    );
    Ok(())
}

/// Each member's room by the general estimator, once two readings of the Clusters 12 s apart
/// (Karmada refreshes their status every 10 s) agree: the earlier scenarios' pods have settled.
async fn quiet_room(fleet: &Fleet, shape: &FitShape) -> Result<BTreeMap<String, i64>> {
    let read = || async {
        let mut room = BTreeMap::new();
        for member in MEMBERS {
            let cluster = cluster(fleet, member).await?;
            let fit = shape.in_cluster(&cluster).context("no resourceSummary")?;
            room.insert(member.to_owned(), i64::try_from(fit)?);
        }
        anyhow::Ok(room)
    };
    let mut last = read().await?;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_secs(12)).await;
        let now = read().await?;
        if now == last {
            return Ok(now);
        }
        last = now;
    }
    anyhow::bail!("the Clusters' status kept changing: last {last:?}")
}

async fn cluster(fleet: &Fleet, name: &str) -> Result<Cluster> {
    Ok(serde_json::from_value(
        crate::fleet::cluster(&fleet.hub, name).await?,
    )?)
}

/// Karmada's Webster division of `seats` by `votes` (`AllocateWebsterSeats`): one seat at a
/// time to the largest votes / (2 × seats + 1); on a tie the party with fewer seats, then by
/// name, ascending or descending as a hash of the binding's UID decides — so both are returned.
fn webster(seats: i64, votes: &BTreeMap<String, i64>) -> Vec<BTreeMap<String, i64>> {
    let mut results = Vec::new();
    for ascending in [true, false] {
        let mut given: BTreeMap<String, i64> = votes.keys().map(|k| (k.clone(), 0)).collect();
        for _ in 0..seats {
            let before = |a: &String, b: &String| {
                // a/(2s+1) against b/(2t+1), exactly.
                let left = votes[a] * (2 * given[b] + 1);
                let right = votes[b] * (2 * given[a] + 1);
                if left != right {
                    return left > right;
                }
                if given[a] != given[b] {
                    return given[a] < given[b];
                }
                (a < b) == ascending
            };
            let mut best: Option<&String> = None;
            for name in votes.keys() {
                if best.is_none_or(|current| before(name, current)) {
                    best = Some(name);
                }
            }
            if let Some(name) = best.cloned() {
                *given.entry(name).or_default() += 1;
            }
        }
        given.retain(|_, seats| *seats > 0);
        if !results.contains(&given) {
            results.push(given);
        }
    }
    results
}

fn deployment(replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "dynamic", "namespace": NAMESPACE, "labels": {"app": "dynamic"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "dynamic"}},
            "template": {"metadata": {"labels": {"app": "dynamic"}}, "spec": {"containers": [
                {"name": "app", "image": "app", "resources": {"requests": {"cpu": "1"}}}]}},
        },
    })
}
