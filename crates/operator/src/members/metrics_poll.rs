//! NodeMetrics of one member, polled beside its watches and never in their way: the metrics API
//! is aggregated (metrics-server behind the member's API server) and can hang while the member
//! itself answers, so every poll has a timeout and a failure only marks the figures stale.

use super::shared::MemberShared;
use crate::triggers::ClusterTriggers;
use karmada_manager_core::{NodeMetricsList, NodeUsage};
use kube::Client;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often NodeMetrics are polled; metrics-server itself refreshes about every 15 s.
const METRICS_INTERVAL: Duration = Duration::from_secs(30);
/// How long one NodeMetrics poll may take. The metrics API is aggregated (served by
/// metrics-server behind the member's API server), so it can hang while the member answers.
const METRICS_TIMEOUT: Duration = Duration::from_secs(10);

/// Polls the member's NodeMetrics every [`METRICS_INTERVAL`], each poll bounded by
/// [`METRICS_TIMEOUT`], and asks for the Cluster to be reconciled when what the insight shows of
/// them changed. A member without metrics.k8s.io (404) simply has no usage; an error or a
/// timeout keeps the last figures and marks them stale.
pub(super) async fn poll_metrics(
    client: Client,
    shared: Arc<MemberShared>,
    endpoint: String,
    triggers: ClusterTriggers,
    cluster: String,
) {
    let mut tick = tokio::time::interval(METRICS_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let polled = tokio::time::timeout(METRICS_TIMEOUT, node_metrics(&client)).await;
        let (usage, stale) = match polled {
            Ok(Ok(usage)) => (usage, false),
            Ok(Err(err)) => {
                tracing::debug!(cluster, member = %endpoint, error = %err, "polling NodeMetrics failed");
                (shared.metrics(), true)
            }
            Err(_) => {
                tracing::debug!(cluster, member = %endpoint, timeout = ?METRICS_TIMEOUT, "polling NodeMetrics timed out");
                (shared.metrics(), true)
            }
        };
        let was_stale = shared.metrics_stale.swap(stale, Ordering::Relaxed);
        let changed = match shared.metrics.lock() {
            Ok(mut metrics) => std::mem::replace(&mut *metrics, usage.clone()) != usage,
            Err(_) => return,
        };
        if (changed || was_stale != stale) && !triggers.send(&cluster) {
            return; // the controllers are gone: we are shutting down
        }
    }
}

/// The member's NodeMetrics; `None` when it does not serve metrics.k8s.io.
async fn node_metrics(client: &Client) -> Result<Option<Vec<NodeUsage>>, kube::Error> {
    let request = http::Request::get("/apis/metrics.k8s.io/v1beta1/nodes")
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    match client.request::<NodeMetricsList>(request).await {
        Ok(list) => Ok(Some(list.items)),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(None),
        Err(err) => Err(err),
    }
}
