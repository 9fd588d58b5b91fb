//! Freshness: from a pod's readiness changing in a member to the ClusterInsight and the
//! WorkloadPlacement on the hub showing it, as a reader watching them sees it.

use super::fleet::{PROBE_NODE, PROBE_POD};
use super::stats::Distribution;
use anyhow::{Context, Result};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use karmada_manager_api::{ClusterInsight, WorkloadPlacement};
use kube::Resource;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use serde::Serialize;
use std::time::Duration;
use testenv::bulk;
use testenv::demo_workloads::MEMBERS;
use testenv::pods::pod;
use tokio::sync::watch;
use tokio::time::Instant;

/// The placement of the demo's `shop/web` Deployment (its binding's name).
const PLACEMENT: (&str, &str) = ("shop", "web-deployment");

#[derive(Debug, Serialize)]
pub struct FreshnessResult {
    pub cluster_insight: Distribution,
    pub workload_placement: Distribution,
}

/// A figure of one hub object, as last seen, with when it was seen.
pub type Seen = watch::Receiver<Option<(Instant, i64)>>;

/// Follows `figure` of the object `name` through a watch, from a task of its own, until every
/// receiver is dropped.
pub fn follow<K>(api: Api<K>, name: &str, figure: fn(&K) -> Option<i64>) -> Seen
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + 'static,
    K::DynamicType: Default,
{
    let (tx, rx) = watch::channel(None);
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    tokio::spawn(async move {
        // With backoff: once the hub is gone, an unpaced watcher fails at once on every poll,
        // and this task would spin and keep the runtime from shutting down.
        let objects = watcher::watcher(api, config)
            .default_backoff()
            .applied_objects();
        let mut objects = std::pin::pin!(objects);
        loop {
            // Ends with the receivers, even when the object never changes again.
            let object = tokio::select! {
                () = tx.closed() => break,
                object = objects.next() => object,
            };
            let Some(object) = object else { break };
            let Ok(object) = object else { continue };
            let value = figure(&object).map(|v| (Instant::now(), v));
            if tx.send(value).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits until `seen` shows `value`; when it was seen.
pub async fn until(seen: &mut Seen, what: &str, value: i64) -> Result<Instant> {
    let shown = tokio::time::timeout(
        Duration::from_secs(60),
        seen.wait_for(|s| s.is_some_and(|(_, v)| v == value)),
    )
    .await
    .map(|shown| shown.map(|s| *s));
    match shown {
        Ok(shown) => shown?.map(|(at, _)| at).context("no value"),
        Err(_) => {
            let last = seen.borrow().map(|(_, v)| v);
            anyhow::bail!("{what} never showed {value} (last seen: {last:?})")
        }
    }
}

/// `samples` readiness flips of the probe pod, each waited for on both objects, with a
/// varying pause between them (so changes land both inside and outside the write window).
pub async fn measure(
    hub: &kube::Client,
    member: &kube::Client,
    samples: usize,
) -> Result<FreshnessResult> {
    let member1 = MEMBERS[0];
    let mut insight = follow(Api::<ClusterInsight>::all(hub.clone()), member1, |i| {
        i.status.as_ref().map(|s| s.pods.not_ready)
    });
    let mut placement = follow(
        Api::<WorkloadPlacement>::namespaced(hub.clone(), PLACEMENT.0),
        PLACEMENT.1,
        |p| {
            let cluster = p
                .status
                .as_ref()?
                .clusters
                .iter()
                .find(|c| c.name == MEMBERS[0])?;
            cluster.pods.as_ref().map(|pods| pods.ready)
        },
    );
    let pods: Api<Pod> = Api::namespaced(member.clone(), PROBE_POD.0);
    let (mut to_insight, mut to_placement) = (Vec::new(), Vec::new());
    for i in 0..samples {
        // Read just before each flip: the expected figures are relative to what is shown now.
        let not_ready = wait_any(&mut insight).await?;
        let ready = wait_any(&mut placement).await?;
        let flipped = i % 2 == 0;
        let probe = pod(PROBE_POD.0, PROBE_POD.1)
            .on_node(PROBE_NODE)
            .running()
            .ready(!flipped);
        let changed = Instant::now();
        bulk::set_pod_status(&pods, &probe).await?;
        let delta = if flipped { 1 } else { -1 };
        let what = "the ClusterInsight's pods.notReady";
        let shown_insight = until(&mut insight, what, not_ready + delta).await?;
        let what = "the WorkloadPlacement's member1 pods.ready";
        let shown_placement = until(&mut placement, what, ready - delta).await?;
        to_insight.push(shown_insight - changed);
        to_placement.push(shown_placement - changed);
        // 0–1.5 s, spread evenly over the run.
        tokio::time::sleep(Duration::from_millis((i as u64 * 373) % 1500)).await;
    }
    Ok(FreshnessResult {
        cluster_insight: Distribution::of(&to_insight),
        workload_placement: Distribution::of(&to_placement),
    })
}

/// The first value `seen` shows.
pub async fn wait_any(seen: &mut Seen) -> Result<i64> {
    let shown = tokio::time::timeout(Duration::from_secs(120), seen.wait_for(Option::is_some))
        .await
        .context("the object never had a status")??;
    (*shown).map(|(_, v)| v).context("no value")
}
