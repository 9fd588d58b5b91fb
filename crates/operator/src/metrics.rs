//! Prometheus metrics (`/metrics`). Counters and histograms are updated where things happen;
//! the gauges that describe state (members, clusters, fleet) are refreshed from the caches on
//! each scrape (`gauges`), so they can never drift from what the operator holds.
//!
//! `prometheus-client` is the Prometheus project's own Rust client (OpenMetrics text format,
//! typed label sets); it has no dependency on any HTTP stack.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Metric, Registry};
use std::sync::atomic::AtomicU64;
use std::time::Duration;

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
pub(crate) struct ClusterLabels {
    pub(crate) cluster: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ObjectLabels {
    pub(crate) cluster: String,
    pub(crate) kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ResourceLabels {
    pub(crate) cluster: String,
    pub(crate) resource: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct StateLabels {
    pub(crate) state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct TableLabels {
    pub(crate) table: &'static str,
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
    leader: Gauge,
    pub(crate) state: StateGauges,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut r = Registry::with_prefix("karmada_manager");
        let durations = Family::<ControllerLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 4.0, 9))
        });
        Self {
            reconciles: registered(
                &mut r,
                "reconciles",
                "Reconciles by controller and result (success or error)",
                Family::default(),
            ),
            durations: registered(
                &mut r,
                "reconcile_duration_seconds",
                "Time one reconcile took, by controller",
                durations,
            ),
            writes: registered(
                &mut r,
                "status_writes",
                "Status writes by kind and outcome (written, skipped because unchanged, failed)",
                Family::default(),
            ),
            leader: registered(
                &mut r,
                "leader",
                "1 while this replica holds the leader lease (or runs without election)",
                Gauge::default(),
            ),
            state: StateGauges::registered(&mut r),
            registry: r,
        }
    }
}

/// The gauges describing state, set at each scrape (`gauges`).
pub(crate) struct StateGauges {
    pub(crate) watch_up: Family<ClusterLabels, Gauge>,
    pub(crate) objects: Family<ObjectLabels, Gauge>,
    pub(crate) last_event_age: Family<ClusterLabels, Gauge<f64, AtomicU64>>,
    pub(crate) allocated: Family<ResourceLabels, Gauge>,
    pub(crate) fleet_clusters: Family<StateLabels, Gauge>,
    pub(crate) fleet_workloads: Family<StateLabels, Gauge>,
    pub(crate) interned: Family<TableLabels, Gauge>,
}

impl StateGauges {
    fn registered(r: &mut Registry) -> Self {
        Self {
            watch_up: registered(
                r,
                "member_watch_up",
                "1 while the member's watches are listed and healthy, else 0",
                Family::default(),
            ),
            objects: registered(
                r,
                "member_objects",
                "Objects held for a member (node, pod, replicaset, job)",
                Family::default(),
            ),
            last_event_age: registered(
                r,
                "member_last_event_age_seconds",
                "Seconds since the last watch event from the member",
                Family::default(),
            ),
            allocated: registered(
                r,
                "cluster_allocated_percent",
                "Allocated share of the member's allocatable cpu and memory, from its ClusterInsight",
                Family::default(),
            ),
            fleet_clusters: registered(
                r,
                "fleet_clusters",
                "Clusters in the fleet (total, ready)",
                Family::default(),
            ),
            fleet_workloads: registered(
                r,
                "fleet_workloads",
                "Placements by state (ready, progressing, failed)",
                Family::default(),
            ),
            interned: registered(
                r,
                "interned_values",
                "Values held by the interning tables shared by all members (strings, resource_lists, controllers)",
                Family::default(),
            ),
        }
    }
}

/// `metric`, registered under `name` (a handle: clones share the value).
fn registered<M: Metric + Clone>(registry: &mut Registry, name: &str, help: &str, metric: M) -> M {
    registry.register(name, help, metric.clone());
    metric
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

    /// The metrics in the Prometheus text format (refresh the state gauges first: `gauges`).
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
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
