//! The fit a member has room for, counted by the test from what the member's API server holds:
//! for `web`'s shape (250m CPU, 256Mi, no node claim), every Ready, uncordoned, untainted node
//! takes ⌊free / request⌋ of its scarcest resource, capped by its free pod slots, where free is
//! allocatable minus the requests of the pods bound to it that have not terminated.

use anyhow::Result;
use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_core::Amount;
use kube::api::{Api, ListParams};
use std::collections::BTreeMap;

/// One replica of `web`: (resource, request in milli-units).
const WEB: [(&str, i128); 2] = [("cpu", 250), ("memory", 256 * 1024 * 1024 * 1000)];

/// Replicas of `web` that fit in `member` now.
pub async fn web_fit(member: kube::Client) -> Result<i64> {
    let nodes = Api::<Node>::all(member.clone())
        .list(&ListParams::default())
        .await?;
    let pods = Api::<Pod>::all(member).list(&ListParams::default()).await?;
    let mut used: BTreeMap<String, (BTreeMap<String, i128>, i128)> = BTreeMap::new();
    for pod in &pods.items {
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        let (Some(spec), false) = (
            pod.spec.as_ref(),
            matches!(phase, Some("Succeeded" | "Failed")),
        ) else {
            continue;
        };
        let Some(node) = spec.node_name.clone() else {
            continue;
        };
        let (requests, count) = used.entry(node).or_default();
        *count += 1;
        for container in &spec.containers {
            let listed = container
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref());
            for (name, quantity) in listed.into_iter().flatten() {
                *requests.entry(name.clone()).or_default() += milli(quantity);
            }
        }
    }
    let mut total = 0;
    for node in &nodes.items {
        let ready = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        let spec = node.spec.as_ref();
        let cordoned = spec.and_then(|s| s.unschedulable).unwrap_or(false);
        let tainted = spec.and_then(|s| s.taints.as_ref()).is_some_and(|ts| {
            ts.iter()
                .any(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        });
        if !ready || cordoned || tainted {
            continue;
        }
        let allocatable = node
            .status
            .as_ref()
            .and_then(|s| s.allocatable.clone())
            .unwrap_or_default();
        let name = node.metadata.name.clone().unwrap_or_default();
        let (requests, count) = used.get(&name).cloned().unwrap_or_default();
        let slots = allocatable.get("pods").map(milli).unwrap_or(0) / 1000 - count;
        let mut fit = slots.max(0);
        for (resource, request) in WEB {
            let free = allocatable.get(resource).map(milli).unwrap_or(0)
                - requests.get(resource).copied().unwrap_or(0);
            fit = fit.min(free.max(0) / request);
        }
        total += fit;
    }
    Ok(i64::try_from(total)?)
}

fn milli(quantity: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> i128 {
    Amount::from_quantity(quantity).map_or(0, Amount::milli)
}
