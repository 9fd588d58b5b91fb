//! Write amplification: sustained pod status churn across the members, and what reaches the
//! hub. The operator's own counters say how many status writes it sent and skipped as
//! unchanged; a watch on the hub counts what readers saw, per object.

use super::operator::{Operator, sum};
use anyhow::Result;
use futures::{StreamExt, stream};
use k8s_openapi::api::core::v1::Pod;
use karmada_manager_api::{ClusterInsight, WorkloadPlacement};
use kube::api::{Api, ListParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use testenv::bulk;
use testenv::pods::{PodBuilder, pod};
use tokio::time::Instant;

/// Requests in flight at most; beyond that the achieved rate drops and is reported as such.
const IN_FLIGHT: usize = 128;

#[derive(Debug, Serialize)]
pub struct ChurnResult {
    pub target_updates_per_s: f64,
    pub achieved_updates_per_s: f64,
    pub updates: usize,
    pub failed_updates: usize,
    pub seconds: f64,
    pub kinds: Vec<KindWrites>,
}

/// What one kind of our objects saw during the churn.
#[derive(Debug, Serialize)]
pub struct KindWrites {
    pub kind: &'static str,
    /// Status writes sent (`karmada_manager_status_writes_total{outcome="written"}`).
    pub written: f64,
    /// Writes skipped because the status had not changed.
    pub skipped: f64,
    pub skipped_share: f64,
    pub writes_per_s: f64,
    /// Changes readers saw on the busiest object, per second (from a watch on the hub, over
    /// the churn and the few seconds after it).
    pub busiest_object_changes_per_s: f64,
    pub busiest_object: String,
    /// The shortest time between two changes in a row of any one object, as the watch saw
    /// them; `None` when no object changed twice.
    pub shortest_gap_ms: Option<f64>,
}

/// A pod to update, and where.
pub struct Target {
    pub api: Api<Pod>,
    pub pod: PodBuilder,
}

/// Every load pod of every member, and the demo's `shop/web` pods (so that a placement is
/// churned too): one in ten updates goes to those.
pub async fn targets(
    members: &[(kube::Client, Vec<PodBuilder>)],
) -> Result<(Vec<Target>, Vec<Target>)> {
    let mut load = Vec::new();
    let mut web = Vec::new();
    for (client, pods) in members {
        for builder in pods {
            load.push(Target {
                api: Api::namespaced(client.clone(), builder.namespace()),
                pod: builder.clone(),
            });
        }
        let shop: Api<Pod> = Api::namespaced(client.clone(), "shop");
        for existing in shop.list(&ListParams::default()).await? {
            let node = existing.spec.as_ref().and_then(|s| s.node_name.as_deref());
            if let (true, Some(node)) = (existing.name_any().starts_with("web-"), node) {
                web.push(Target {
                    api: shop.clone(),
                    pod: pod("shop", &existing.name_any()).on_node(node).running(),
                });
            }
        }
    }
    Ok((load, web))
}

/// What a watch saw of one object's changes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Changes {
    pub count: usize,
    last: Option<Instant>,
    /// The shortest time between two changes in a row: the write interval bounds it from
    /// below, give or take the hub's latency.
    pub shortest_gap: Option<Duration>,
}

impl Changes {
    fn saw(&mut self, at: Instant) {
        if let Some(last) = self.last {
            let gap = at - last;
            self.shortest_gap = Some(self.shortest_gap.map_or(gap, |g| g.min(gap)));
        }
        self.last = Some(at);
        self.count += 1;
    }
}

/// Per object (`namespace/name`), the changes a watch saw.
pub type Counts = Arc<Mutex<BTreeMap<String, Changes>>>;

/// Counts, per object, the changes a reader watching `api` sees, until the counts are dropped
/// (noticed at the watch's next event).
pub fn count_changes<K>(api: Api<K>) -> Counts
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + 'static,
    K::DynamicType: Default,
{
    let counts: Counts = Arc::default();
    let shared = counts.clone();
    tokio::spawn(async move {
        // With backoff, so that a watch failing at once (the hub gone) does not spin.
        let events = watcher::watcher(api, watcher::Config::default()).default_backoff();
        let mut events = std::pin::pin!(events);
        while let Some(event) = events.next().await {
            // The caller dropped the counts: nobody reads them any more, and the watch would
            // otherwise outlive the measurement (benchmarks that measure many windows).
            if Arc::strong_count(&shared) == 1 {
                return;
            }
            if let Ok(watcher::Event::Apply(object)) = event {
                let key = format!(
                    "{}/{}",
                    object.namespace().unwrap_or_default(),
                    object.name_any()
                );
                shared
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(key)
                    .or_default()
                    .saw(Instant::now());
            }
        }
    });
    counts
}

pub async fn measure(
    hub: &kube::Client,
    operator: &Operator,
    (load, web): (Vec<Target>, Vec<Target>),
    rate: f64,
    duration: Duration,
) -> Result<ChurnResult> {
    let insights = count_changes(Api::<ClusterInsight>::all(hub.clone()));
    let placements = count_changes(Api::<WorkloadPlacement>::all(hub.clone()));
    // Let the watches list before counting starts.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let reset = |c: &Counts| c.lock().unwrap_or_else(|e| e.into_inner()).clear();
    reset(&insights);
    reset(&placements);
    let before = operator.metrics().await?;
    let period = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let deadline = started + duration;
    let sent = std::sync::atomic::AtomicUsize::new(0);
    // Updates are due every `period`; when the API servers cannot keep up, at most
    // IN_FLIGHT wait and the rest start late: the achieved rate is what is reported.
    let failed = stream::iter(0..)
        .take_while(|_| std::future::ready(Instant::now() < deadline))
        .map(|k: usize| {
            // A fixed stride walks all load pods; every tenth update goes to a web pod.
            let target = if k % 10 == 9 && !web.is_empty() {
                &web[(k / 10) % web.len()]
            } else {
                &load[(k * 7919) % load.len().max(1)]
            };
            let due = started + period.mul_f64(k as f64);
            let sent = &sent;
            async move {
                tokio::time::sleep_until(due).await;
                sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // Restarts grow with every update, so every update changes the member's figures.
                let status = target
                    .pod
                    .clone()
                    .restarts((k / 3) as i32)
                    .ready(!k.is_multiple_of(4));
                bulk::set_pod_status(&target.api, &status).await.is_err()
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    let total = sent.into_inner();
    let seconds = started.elapsed().as_secs_f64();
    // What the last updates triggered is written within the write interval.
    tokio::time::sleep(Duration::from_secs(3)).await;
    // The watches counted changes all along, the tail included.
    let counted_seconds = started.elapsed().as_secs_f64();
    let after = operator.metrics().await?;
    let kinds = [
        ("ClusterInsight", &insights),
        ("WorkloadPlacement", &placements),
    ]
    .into_iter()
    .map(|(kind, counts)| {
        let delta = |outcome: &str| {
            let labels = [format!("kind=\"{kind}\""), format!("outcome=\"{outcome}\"")];
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            let name = "karmada_manager_status_writes_total";
            sum(&after, name, &labels) - sum(&before, name, &labels)
        };
        let (written, skipped) = (delta("written"), delta("skipped"));
        let counts = counts.lock().unwrap_or_else(|e| e.into_inner());
        let (busiest, changes) = counts
            .iter()
            .max_by_key(|(_, c)| c.count)
            .map(|(k, c)| (k.clone(), c.count))
            .unwrap_or_default();
        let shortest_gap = counts.values().filter_map(|c| c.shortest_gap).min();
        KindWrites {
            kind,
            written,
            skipped,
            skipped_share: skipped / (written + skipped).max(1.0),
            writes_per_s: written / seconds,
            busiest_object_changes_per_s: changes as f64 / counted_seconds,
            busiest_object: busiest,
            shortest_gap_ms: shortest_gap.map(|g| g.as_secs_f64() * 1e3),
        }
    })
    .collect();
    Ok(ChurnResult {
        target_updates_per_s: rate,
        achieved_updates_per_s: total as f64 / seconds,
        updates: total,
        failed_updates: failed,
        seconds,
        kinds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortest_gap_is_between_two_changes_in_a_row() {
        let start = Instant::now();
        let mut changes = Changes::default();
        changes.saw(start);
        assert_eq!(changes.shortest_gap, None, "one change has no gap");
        for ms in [1_000, 1_900, 3_000] {
            changes.saw(start + Duration::from_millis(ms));
        }
        assert_eq!(changes.count, 4);
        assert_eq!(changes.shortest_gap, Some(Duration::from_millis(900)));
    }
}
