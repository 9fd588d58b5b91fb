//! Initial sync: how long the operator takes to list a member, against the floor of a bare
//! LIST of the same objects from the same API server, in interleaved pairs: each pair is one
//! bare LIST and one fresh operator process.

use super::operator::Operator;
use crate::paired::{Line, PairedRatio, per_pair};
use anyhow::{Context, Result};
use futures::future::try_join;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// The page size kube-runtime's watcher lists with (`watcher::Config::default()`), so the
/// floor and the operator ask the API server for the same pages.
const PAGE: u32 = 500;

#[derive(Debug, Serialize)]
pub struct SyncResult {
    #[serde(flatten)]
    pub pairs: Pairs,
    /// From starting the operator process to the ClusterInsight showing every pod.
    pub process_start_to_insight_ms: f64,
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
        // Received whole and read from its bytes with the operator's JSON reader, as the
        // operator reads a page: no copy into a `String` (kube's `request_text`), which the
        // operator does not make either, and the same cost of checking every byte.
        let request = http::Request::get(uri).body(kube::client::Body::empty())?;
        let response = client.send(request).await?;
        anyhow::ensure!(
            response.status().is_success(),
            "LIST {path}: {}",
            response.status()
        );
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await?
            .to_bytes();
        bytes += body.len();
        let page: ListMeta = karmada_manager_core::json::from_slice(&body).context("list page")?;
        match page.metadata.token.filter(|t| !t.is_empty()) {
            Some(next) => token = Some(next),
            None => return Ok(bytes),
        }
    }
}

/// A bare LIST of nodes and pods, concurrently; how long it took and the bytes.
pub async fn list_floor(member: &kube::Client) -> Result<(Duration, usize)> {
    let started = Instant::now();
    let (nodes, pods) = try_join(
        list_bytes(member, "/api/v1/nodes"),
        list_bytes(member, "/api/v1/pods"),
    )
    .await?;
    Ok((started.elapsed(), nodes + pods))
}

/// What the pairs measured.
#[derive(Debug, Serialize)]
pub struct Pairs {
    /// Bare LIST of nodes and pods (concurrently, as the operator does), one per pair.
    pub list_runs_ms: Vec<f64>,
    /// Bytes the LISTs returned.
    pub list_bytes: usize,
    /// The operator's own figure, one fresh process per pair: from starting the member's
    /// watches to nodes and pods listed (its `member listed` log line).
    pub operator_runs_ms: Vec<f64>,
    /// Operator ÷ bare LIST, per pair.
    pub operator_over_list: PairedRatio,
    pub nodes: usize,
    pub pods: usize,
}

impl Pairs {
    /// The pairs as a human reads them, against the ≤ 1.3 target.
    pub fn print(&self) {
        println!(
            "  bare LIST (nodes ‖ pods, pages of 500; {:.1} MiB), per pair: {} ms",
            self.list_bytes as f64 / (1024.0 * 1024.0),
            per_pair(&self.list_runs_ms)
        );
        println!(
            "  fresh operator, watches started → listed, per pair: {} ms",
            per_pair(&self.operator_runs_ms)
        );
        println!(
            "  operator ÷ LIST: {} — {} (target ≤ 1.3)",
            self.operator_over_list.describe(2),
            self.operator_over_list.verdict(Line::AtMost(1.3))
        );
    }
}

/// `pairs` interleaved pairs against `cluster`: a bare LIST through `member`, then a fresh
/// operator process (`binary` against the hub's `kubeconfig`) until it has listed the member.
pub async fn pairs(
    member: &kube::Client,
    binary: &Path,
    kubeconfig: &Path,
    cluster: &str,
    pairs: usize,
    log: &Path,
) -> Result<Pairs> {
    let (mut list_runs_ms, mut operator_runs_ms, mut list_bytes) = (Vec::new(), Vec::new(), 0);
    let (mut nodes, mut pods) = (0, 0);
    for pair in 1..=pairs {
        let (took, bytes) = list_floor(member).await?;
        list_bytes = bytes;
        let mut operator = Operator::start(binary, kubeconfig, log)?;
        let (ms, n, p) = member_listed(&mut operator, cluster).await?;
        operator.stop().await?;
        eprintln!(
            "bench:   pair {pair}/{pairs}: LIST {:.0} ms, operator {ms:.0} ms",
            took.as_secs_f64() * 1e3
        );
        list_runs_ms.push(took.as_secs_f64() * 1e3);
        operator_runs_ms.push(ms);
        (nodes, pods) = (n, p);
    }
    let timed: Vec<(f64, f64)> = operator_runs_ms
        .iter()
        .copied()
        .zip(list_runs_ms.iter().copied())
        .collect();
    Ok(Pairs {
        operator_over_list: PairedRatio::of(&timed).context("no pair")?,
        list_runs_ms,
        list_bytes,
        operator_runs_ms,
        nodes,
        pods,
    })
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
