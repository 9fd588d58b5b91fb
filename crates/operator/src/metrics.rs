//! Prometheus metrics (`/metrics`). Counters and histograms are updated where things happen;
//! the gauges that describe state (members, clusters, fleet) are refreshed from the caches on
//! each scrape (`gauges`), so they can never drift from what the operator holds.
//!
//! `prometheus-client` is the Prometheus project's own Rust client (OpenMetrics text format,
//! typed label sets); it has no dependency on any HTTP stack.
//!
//! The chart's alerts and recording rules (`charts/karmada-manager/templates/_rules.tpl`) and its
//! Grafana dashboard read these series; `e2e/tests/alert_metrics.rs` checks that every name and
//! label they use is served. Counters whose label values are known are created at zero, so that
//! `rate()` sees the first failure instead of a series appearing out of nowhere.

mod state;

pub(crate) use state::*;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Metric, Registry};
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

/// What a status write came to.
#[derive(Clone, Copy, Debug)]
pub enum WriteOutcome {
    Written,
    /// The computed status equals the last one: no request sent.
    Skipped,
    /// Only figures that drift changed, and the fleet's budget for such writes is spent: the
    /// write waits for its turn (counted once per turn).
    Deferred,
    Failed,
}

pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    durations: Family<ControllerLabels, Histogram>,
    writes: Family<WriteLabels, Counter>,
    leader: Gauge,
    lease_transitions: Gauge,
    shard_rebalances: Counter,
    pub(crate) state: StateGauges,
}

/// The controllers' names in the `controller` label, and the kinds each writes.
const CONTROLLERS: [&str; 4] = [
    "cluster",
    "workloadplacement",
    "clusterworkloadplacement",
    "fleet",
];
const WRITTEN_KINDS: [&str; 4] = [
    "ClusterInsight",
    "WorkloadPlacement",
    "ClusterWorkloadPlacement",
    "FleetInsight",
];

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
                "1 while this replica writes: it holds the leader lease, or with --sharding its own shard lease, or runs alone",
                Gauge::default(),
            ),
            lease_transitions: registered(
                &mut r,
                "leader_lease_transitions",
                "The leader Lease's leaseTransitions as this replica last read or wrote it (0 without election)",
                Gauge::default(),
            ),
            shard_rebalances: registered(
                &mut r,
                "shard_rebalances",
                "Times the set of live replicas this replica sees in its shard group changed since it joined (0 without --sharding); each change moves members between replicas",
                Counter::default(),
            ),
            state: StateGauges::registered(&mut r),
            registry: r,
        }
        .with_counters_at_zero()
    }
}

/// `metric`, registered under `name` (a handle: clones share the value).
fn registered<M: Metric + Clone>(registry: &mut Registry, name: &str, help: &str, metric: M) -> M {
    registry.register(name, help, metric.clone());
    metric
}

impl Metrics {
    /// Creates every counter series whose labels are known, at zero.
    fn with_counters_at_zero(self) -> Self {
        for controller in CONTROLLERS {
            for result in ["success", "error"] {
                let labels = ReconcileLabels { controller, result };
                let _ = self.reconciles.get_or_create(&labels);
            }
        }
        for kind in WRITTEN_KINDS {
            for outcome in ["written", "skipped", "failed"] {
                let kind = kind.to_owned();
                let _ = self.writes.get_or_create(&WriteLabels { kind, outcome });
            }
        }
        self
    }

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
            WriteOutcome::Deferred => "deferred",
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

    /// The gauge of the leader Lease's `leaseTransitions`, for the elector to set whenever it
    /// reads or writes the Lease: it counts takeovers across restarts of every replica, which
    /// no per-process counter can.
    pub fn lease_transitions(&self) -> Gauge {
        self.lease_transitions.clone()
    }

    /// Counts one change of the shard group's live set as this replica sees it (not its own
    /// joining): the leader Lease's transitions have no counterpart with `--sharding`, and
    /// this is what tells a group that keeps changing from one that settled.
    pub fn shard_rebalanced(&self) {
        self.shard_rebalances.inc();
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
            "karmada_manager_shard_rebalances_total 0",
            r#"karmada_manager_status_writes_total{kind="ClusterInsight",outcome="failed"} 0"#,
            r#"karmada_manager_reconciles_total{controller="workloadplacement",result="error"} 0"#,
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
