//! Initial sync: how long the operator takes to list a member, against the floor of a bare
//! LIST of the same objects from the same API server, measured in the same run.

use super::operator::Operator;
use anyhow::{Context, Result};
use futures::future::try_join;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::time::Instant;

/// The page size kube-runtime's watcher lists with (`watcher::Config::default()`), so the
/// floor and the operator ask the API server for the same pages.
const PAGE: u32 = 500;

#[derive(Debug, Serialize)]
pub struct SyncResult {
    /// Bare LIST of nodes and pods (concurrently, as the operator does), median of the runs.
    pub list_floor_ms: f64,
    pub list_runs_ms: Vec<f64>,
    /// Bytes the LISTs returned.
    pub list_bytes: usize,
    /// The operator's own figure: from starting the member's watches to nodes and pods listed
    /// (its `member listed` log line).
    pub operator_member_sync_ms: f64,
    /// From starting the operator process to the ClusterInsight showing every pod.
    pub process_start_to_insight_ms: f64,
    pub nodes: usize,
    pub pods: usize,
}

/// Only the continuation token: the floor reads every byte but decodes nothing else.
#[derive(Deserialize)]
struct ListMeta {
    metadata: Continue,
}

#[derive(Deserialize)]
struct Continue {
    #[serde(rename = "continue", default)]
    token: Option<String>,
}

/// One paged LIST of `path` (e.g. `/api/v1/pods`); the bytes received.
async fn list_bytes(client: &kube::Client, path: &str) -> Result<usize> {
    let mut bytes = 0;
    let mut token: Option<String> = None;
    loop {
        let mut uri = format!("{path}?limit={PAGE}");
        if let Some(t) = &token {
            uri.push_str("&continue=");
            uri.push_str(t);
        }
        let request = http::Request::get(uri).body(Vec::new())?;
        let text = client.request_text(request).await?;
        bytes += text.len();
        let page: ListMeta = serde_json::from_str(&text).context("list page")?;
        match page.metadata.token.filter(|t| !t.is_empty()) {
            Some(next) => token = Some(next),
            None => return Ok(bytes),
        }
    }
}

/// The LIST floor: `runs` times nodes and pods listed concurrently; durations and bytes.
pub async fn list_floor(member: &kube::Client, runs: usize) -> Result<(Vec<Duration>, usize)> {
    let mut durations = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let (nodes, pods) = try_join(
            list_bytes(member, "/api/v1/nodes"),
            list_bytes(member, "/api/v1/pods"),
        )
        .await?;
        durations.push(started.elapsed());
        bytes = nodes + pods;
    }
    Ok((durations, bytes))
}

/// Waits for the operator's `member listed` line for `cluster`: the member sync in ms, and
/// the node and pod counts it found.
pub async fn member_listed(operator: &mut Operator, cluster: &str) -> Result<(f64, usize, usize)> {
    let needle = format!("\"cluster\":\"{cluster}\"");
    let (_, line) = operator
        .wait_for_log(&["member listed", &needle], Duration::from_secs(600))
        .await?;
    // The operator logs JSON with the event's fields flattened into the line.
    let number = |key: &str| {
        line[key]
            .as_u64()
            .with_context(|| format!("{key} in {line}"))
    };
    Ok((
        number("elapsed_ms")? as f64,
        number("nodes")? as usize,
        number("pods")? as usize,
    ))
}
