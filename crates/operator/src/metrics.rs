//! Prometheus metrics (`/metrics`). Counters and histograms are updated where things happen;
//! the gauges that describe state (members, clusters, fleet) are refreshed from the caches on
//! each scrape, so they can never drift from what the operator holds.
//!
//! `prometheus-client` is the Prometheus project's own Rust client (OpenMetrics text format,
//! typed label sets); it has no dependency on any HTTP stack.

use crate::context::Context;
use karmada_manager_api::conditions::{status, types};
use karmada_manager_core::WorkloadState;
use kube::ResourceExt;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReconcileLabels {
    pub controller: &'static str,
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ControllerLabels {
    pub controller: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WriteLabels {
    pub kind: String,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClusterLabels {
    cluster: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ObjectLabels {
    cluster: String,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResourceLabels {
    cluster: String,
    resource: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

/// What a status write came to.
#[derive(Clone, Copy, Debug)]
pub enum WriteOutcome {
    Written,
    /// The computed status equals the last one: no request sent.
    Skipped,
    Failed,
}

pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    durations: Family<ControllerLabels, Histogram>,
    writes: Family<WriteLabels, Counter>,
    watch_up: Family<ClusterLabels, Gauge>,
    objects: Family<ObjectLabels, Gauge>,
    last_event_age: Family<ClusterLabels, Gauge<f64, AtomicU64>>,
    allocated: Family<ResourceLabels, Gauge>,
    fleet_clusters: Family<StateLabels, Gauge>,
    fleet_workloads: Family<StateLabels, Gauge>,
    leader: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("karmada_manager");
        let reconciles = Family::<ReconcileLabels, Counter>::default();
        registry.register(
            "reconciles",
            "Reconciles by controller and result (success or error)",
            reconciles.clone(),
        );
        let durations = Family::<ControllerLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 4.0, 9))
        });
        registry.register(
            "reconcile_duration_seconds",
            "Time one reconcile took, by controller",
            durations.clone(),
        );
        let writes = Family::<WriteLabels, Counter>::default();
        registry.register(
            "status_writes",
            "Status writes by kind and outcome (written, skipped because unchanged, failed)",
            writes.clone(),
        );
        let watch_up = Family::<ClusterLabels, Gauge>::default();
        registry.register(
            "member_watch_up",
            "1 while the member's watches are listed and healthy, else 0",
            watch_up.clone(),
        );
        let objects = Family::<ObjectLabels, Gauge>::default();
        registry.register(
            "member_objects",
            "Objects held for a member (node, pod, replicaset, job)",
            objects.clone(),
        );
        let last_event_age = Family::<ClusterLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "member_last_event_age_seconds",
            "Seconds since the last watch event from the member",
            last_event_age.clone(),
        );
        let allocated = Family::<ResourceLabels, Gauge>::default();
        registry.register(
            "cluster_allocated_percent",
            "Allocated share of the member's allocatable cpu and memory, from its ClusterInsight",
            allocated.clone(),
        );
        let fleet_clusters = Family::<StateLabels, Gauge>::default();
        registry.register(
            "fleet_clusters",
            "Clusters in the fleet (total, ready)",
            fleet_clusters.clone(),
        );
        let fleet_workloads = Family::<StateLabels, Gauge>::default();
        registry.register(
            "fleet_workloads",
            "Placements by state (ready, progressing, failed)",
            fleet_workloads.clone(),
        );
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this replica holds the leader lease (or runs without election)",
            leader.clone(),
        );
        Self {
            registry,
            reconciles,
            durations,
            writes,
            watch_up,
            objects,
            last_event_age,
            allocated,
            fleet_clusters,
            fleet_workloads,
            leader,
        }
    }
}

impl Metrics {
    /// Counts one reconcile of `controller` that took `elapsed`.
    pub fn reconciled(&self, controller: &'static str, ok: bool, elapsed: Duration) {
        let result = if ok { "success" } else { "error" };
        self.reconciles
            .get_or_create(&ReconcileLabels { controller, result })
            .inc();
        self.durations
            .get_or_create(&ControllerLabels { controller })
            .observe(elapsed.as_secs_f64());
    }

    pub fn write(&self, kind: &str, outcome: WriteOutcome) {
        let outcome = match outcome {
            WriteOutcome::Written => "written",
            WriteOutcome::Skipped => "skipped",
            WriteOutcome::Failed => "failed",
        };
        self.writes
            .get_or_create(&WriteLabels {
                kind: kind.to_owned(),
                outcome,
            })
            .inc();
    }

    pub fn set_leader(&self, leader: bool) {
        self.leader.set(i64::from(leader));
    }

    /// The metrics in the Prometheus text format, state gauges refreshed from `ctx`.
    pub fn render(&self, ctx: &Context) -> String {
        self.refresh(ctx);
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }

    fn refresh(&self, ctx: &Context) {
        self.watch_up.clear();
        self.objects.clear();
        self.last_event_age.clear();
        for (name, shared) in ctx.members.all() {
            let cluster = || ClusterLabels {
                cluster: name.clone(),
            };
            let health = shared.health();
            let index = shared.index.read().unwrap_or_else(|e| e.into_inner());
            let up = health.failure.is_none() && index.cluster.is_synced();
            self.watch_up.get_or_create(&cluster()).set(i64::from(up));
            for (kind, count) in [
                ("node", index.cluster.node_count()),
                ("pod", index.cluster.pod_count()),
                (
                    "replicaset",
                    index
                        .owners
                        .count(karmada_manager_core::OwnerKind::ReplicaSet),
                ),
                (
                    "job",
                    index.owners.count(karmada_manager_core::OwnerKind::Job),
                ),
            ] {
                let labels = ObjectLabels {
                    cluster: name.clone(),
                    kind,
                };
                self.objects
                    .get_or_create(&labels)
                    .set(i64::try_from(count).unwrap_or(i64::MAX));
            }
            if let Some(last) = shared.last_event() {
                self.last_event_age
                    .get_or_create(&cluster())
                    .set(Instant::now().duration_since(last).as_secs_f64());
            }
        }
        self.refresh_fleet(ctx);
    }

    fn refresh_fleet(&self, ctx: &Context) {
        self.allocated.clear();
        let insights = ctx.insights.state();
        let mut ready = 0;
        for insight in &insights {
            let Some(status) = &insight.status else {
                continue;
            };
            let is_ready = status
                .conditions
                .iter()
                .any(|c| c.type_ == types::READY && c.status == status::TRUE);
            ready += i64::from(is_ready);
            for resource in ["cpu", "memory"] {
                if let Some(figures) = status.resources.get(resource) {
                    let labels = ResourceLabels {
                        cluster: insight.name_any(),
                        resource,
                    };
                    self.allocated
                        .get_or_create(&labels)
                        .set(i64::from(figures.allocated_percent));
                }
            }
        }
        let total = i64::try_from(insights.len()).unwrap_or(i64::MAX);
        for (state, count) in [("total", total), ("ready", ready)] {
            self.fleet_clusters
                .get_or_create(&StateLabels { state })
                .set(count);
        }
        let mut states = [0i64; 3];
        let placements = ctx.placements.state();
        let cluster_placements = ctx.cluster_placements.state();
        let all = placements
            .iter()
            .map(|p| p.status.as_ref())
            .chain(cluster_placements.iter().map(|p| p.status.as_ref()));
        for status in all {
            let slot = match WorkloadState::of_status(status) {
                WorkloadState::Ready => 0,
                WorkloadState::Progressing => 1,
                WorkloadState::Failed => 2,
            };
            states[slot] += 1;
        }
        for (state, count) in ["ready", "progressing", "failed"].into_iter().zip(states) {
            self.fleet_workloads
                .get_or_create(&StateLabels { state })
                .set(count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_with_their_labels() {
        let metrics = Metrics::default();
        metrics.reconciled("cluster", true, Duration::from_millis(3));
        metrics.reconciled("cluster", false, Duration::from_millis(3));
        metrics.write("WorkloadPlacement", WriteOutcome::Skipped);
        metrics.set_leader(true);
        let mut text = String::new();
        encode(&mut text, &metrics.registry).unwrap();
        for line in [
            r#"karmada_manager_reconciles_total{controller="cluster",result="success"} 1"#,
            r#"karmada_manager_reconciles_total{controller="cluster",result="error"} 1"#,
            r#"karmada_manager_reconcile_duration_seconds_count{controller="cluster"} 2"#,
            r#"karmada_manager_status_writes_total{kind="WorkloadPlacement",outcome="skipped"} 1"#,
            "karmada_manager_leader 1",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
