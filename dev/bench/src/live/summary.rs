//! "How full is this cluster?": answered by reading its ClusterInsight from the hub, against
//! the on-request approach a tool without karmada-manager takes (LIST the member's nodes and
//! pods, aggregate them), in interleaved pairs: one of each per pair.

use super::stats::Distribution;
use crate::paired::PairedRatio;
use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_api::ClusterInsight;
use karmada_manager_core::Amount;
use kube::api::{Api, ListParams, ObjectList};
use serde::Serialize;
use tokio::time::Instant;

#[derive(Debug, Serialize)]
pub struct SummaryResult {
    pub read_insight: Distribution,
    pub on_request: Distribution,
    /// On request ÷ reading the insight, per pair: how many times faster the insight is.
    pub speedup: PairedRatio,
}

/// What the on-request approach computes: the headline of `kubectl get clusterinsight`.
#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    pub nodes: usize,
    pub ready_nodes: usize,
    pub pods: usize,
    pub allocatable_cpu_milli: i128,
    pub allocated_cpu_milli: i128,
}

pub async fn measure(
    hub: &kube::Client,
    member: &kube::Client,
    cluster: &str,
    pairs: usize,
) -> Result<SummaryResult> {
    let insights: Api<ClusterInsight> = Api::all(hub.clone());
    let (mut read, mut on_request) = (Vec::new(), Vec::new());
    let mut answer = Summary::default();
    for _ in 0..pairs {
        let started = Instant::now();
        answer = std::hint::black_box(aggregate(member).await?);
        on_request.push(started.elapsed());
        let started = Instant::now();
        let insight = insights.get(cluster).await?;
        std::hint::black_box(insight.status);
        read.push(started.elapsed());
    }
    // Both ways must answer the same question about the same objects.
    let status = insights.get(cluster).await?.status.unwrap_or_default();
    anyhow::ensure!(
        (status.nodes.total, status.pods.total) == (answer.nodes as i64, answer.pods as i64),
        "the insight ({} nodes, {} pods) and the LIST ({} nodes, {} pods) disagree",
        status.nodes.total,
        status.pods.total,
        answer.nodes,
        answer.pods
    );
    let timed: Vec<(f64, f64)> = on_request
        .iter()
        .zip(&read)
        .map(|(slow, fast)| (slow.as_secs_f64(), fast.as_secs_f64()))
        .collect();
    Ok(SummaryResult {
        read_insight: Distribution::of(&read),
        on_request: Distribution::of(&on_request),
        speedup: PairedRatio::of(&timed).context("no pair to compare")?,
    })
}

/// Lists everything, in pages of 500, and adds it up.
pub async fn aggregate(member: &kube::Client) -> Result<Summary> {
    let nodes = list_all(Api::<Node>::all(member.clone())).await?;
    let pods = list_all(Api::<Pod>::all(member.clone())).await?;
    let mut summary = Summary {
        nodes: nodes.len(),
        pods: pods.len(),
        ..Summary::default()
    };
    for node in &nodes {
        let status = node.status.as_ref();
        let ready = status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        summary.ready_nodes += usize::from(ready);
        let cpu = status.and_then(|s| s.allocatable.as_ref()?.get("cpu"));
        summary.allocatable_cpu_milli += cpu.map_or(0, milli);
    }
    for pod in &pods {
        let spec = pod.spec.as_ref();
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        let bound = spec.is_some_and(|s| s.node_name.is_some());
        if !bound || matches!(phase, Some("Succeeded" | "Failed")) {
            continue;
        }
        let containers = spec.map(|s| s.containers.as_slice()).unwrap_or_default();
        summary.allocated_cpu_milli += containers
            .iter()
            .filter_map(|c| c.resources.as_ref()?.requests.as_ref()?.get("cpu"))
            .map(milli)
            .sum::<i128>();
    }
    Ok(summary)
}

fn milli(quantity: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> i128 {
    Amount::from_quantity(quantity).map_or(0, Amount::milli)
}

async fn list_all<K>(api: Api<K>) -> Result<Vec<K>>
where
    K: Clone + std::fmt::Debug + serde::de::DeserializeOwned,
{
    let mut items = Vec::new();
    let mut params = ListParams::default().limit(500);
    loop {
        let page: ObjectList<K> = api.list(&params).await?;
        items.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(items),
        }
    }
}
