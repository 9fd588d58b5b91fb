//! Timing the `ClusterInsight` builder on a member's index, with the options the operator
//! starts with (`ClusterInsightOptions::default()`: 200 node details, 512 KiB guard).

use std::time::Instant;

use anyhow::{Context, Result};
use karmada_manager_core::{ClusterInsightOptions, MemberIndex, member_figures};
use karmada_types::Cluster;
use serde_json::json;

use crate::results::StatusBuild;

/// Builds the status `runs` times (after one warm-up) and reports the spread.
pub fn measure(index: &MemberIndex, runs: usize) -> Result<StatusBuild> {
    let cluster = karmada_cluster()?;
    let options = ClusterInsightOptions::default();
    // Warm-up, and the one result whose size we report.
    let build = member_figures(&index.cluster, &cluster, &options);
    let status_bytes = serde_json::to_vec(&build.status)?.len();
    let mut times_ms: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let started = Instant::now();
            let build = member_figures(&index.cluster, &cluster, &options);
            let elapsed = started.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(build);
            elapsed
        })
        .collect();
    times_ms.sort_by(f64::total_cmp);
    Ok(StatusBuild {
        nodes: index.cluster.node_count() as u64,
        pods: index.cluster.pod_count() as u64,
        runs: times_ms.len(),
        median_ms: times_ms[times_ms.len() / 2],
        min_ms: times_ms[0],
        max_ms: times_ms[times_ms.len() - 1],
        status_bytes,
        node_details: build.status.node_details.items.len(),
        truncated: build.truncated(),
    })
}

/// The Karmada `Cluster` of the measured member, as the hub would have it.
fn karmada_cluster() -> Result<Cluster> {
    serde_json::from_value(json!({
        "apiVersion": "cluster.karmada.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {"name": "member-000"},
        "spec": {
            "syncMode": "Push", "apiEndpoint": "https://member-000.example.com:6443",
            "provider": "aws", "region": "eu-west-1",
            "zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
        },
        "status": {
            "kubernetesVersion": "v1.35.0-eks-aeac579",
            "conditions": [{"type": "Ready", "status": "True", "reason": "ClusterReady"}]
        }
    }))
    .context("the benchmark's Cluster fixture")
}
