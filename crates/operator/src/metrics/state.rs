//! The gauges describing state, set at each scrape (`gauges`), and their label sets.
//!
//! Every label set is bounded: per member (the fleet bounds them), per condition and reason (our
//! own constants), per placement only for the few that need attention (not Ready, replicas
//! unschedulable), capped by `gauges` at [`OBJECT_SERIES_LIMIT`] with the rest counted. The
//! placement label is `namespace/name` in one label, never `namespace`: a scrape's target labels
//! include the operator pod's `namespace`, which would rename ours to `exported_namespace`.

use super::registered;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

/// Most series per placement family (`placement_not_ready_seconds`,
/// `placement_unschedulable_replicas`): a member going down can turn thousands of placements
/// not Ready, and one series each would flood Prometheus and the pager. The counts by reason and
/// by cluster always cover them all.
pub(crate) const OBJECT_SERIES_LIMIT: usize = 100;

type FloatGauge = Gauge<f64, AtomicU64>;

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

/// One condition of a ClusterInsight: type, status and reason.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ConditionLabels {
    pub(crate) cluster: String,
    pub(crate) condition: &'static str,
    pub(crate) status: &'static str,
    pub(crate) reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ReasonLabels {
    pub(crate) reason: String,
}

/// A placement (`kind` WorkloadPlacement or ClusterWorkloadPlacement, `placement`
/// `namespace/name` or `name`) and why it is not Ready.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PlacementLabels {
    pub(crate) kind: &'static str,
    pub(crate) placement: String,
    pub(crate) reason: String,
}

/// A placement and one of its target clusters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PlacementClusterLabels {
    pub(crate) kind: &'static str,
    pub(crate) placement: String,
    pub(crate) cluster: String,
}

/// The gauges describing state, set at each scrape (`gauges`).
pub(crate) struct StateGauges {
    pub(crate) watch_up: Family<ClusterLabels, Gauge>,
    pub(crate) objects: Family<ObjectLabels, Gauge>,
    pub(crate) last_event_age: Family<ClusterLabels, FloatGauge>,
    pub(crate) data_age: Family<ClusterLabels, FloatGauge>,
    pub(crate) conditions: Family<ConditionLabels, Gauge>,
    pub(crate) allocated: Family<ResourceLabels, Gauge>,
    pub(crate) unschedulable: Family<ClusterLabels, Gauge>,
    pub(crate) fit_min: Family<ClusterLabels, Gauge>,
    pub(crate) without_headroom: Family<ClusterLabels, Gauge>,
    pub(crate) not_ready_by_reason: Family<ReasonLabels, Gauge>,
    pub(crate) not_ready: Family<PlacementLabels, FloatGauge>,
    pub(crate) placement_unschedulable: Family<PlacementClusterLabels, Gauge>,
    pub(crate) fleet_clusters: Family<StateLabels, Gauge>,
    pub(crate) fleet_workloads: Family<StateLabels, Gauge>,
    pub(crate) interned: Family<TableLabels, Gauge>,
    pub(crate) shard_replicas: Gauge,
    pub(crate) shard_members: Gauge,
}

impl StateGauges {
    pub(super) fn registered(r: &mut Registry) -> Self {
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
            data_age: registered(
                r,
                "member_data_age_seconds",
                "Age of the member's figures this replica holds: 0 while its node and pod watches are live, else seconds since they began failing",
                Family::default(),
            ),
            conditions: registered(
                r,
                "cluster_condition",
                "1 for each condition of the member's ClusterInsight, by type, status and reason",
                Family::default(),
            ),
            allocated: registered(
                r,
                "cluster_allocated_percent",
                "Allocated share of the member's allocatable cpu, memory and pods, from its ClusterInsight",
                Family::default(),
            ),
            unschedulable: registered(
                r,
                "cluster_unschedulable_replicas",
                "Pods of placed workloads that the member's scheduler did not place (PodScheduled=False), from the placements",
                Family::default(),
            ),
            fit_min: registered(
                r,
                "cluster_fit_min_replicas",
                "Fewest more replicas any workload placed on the member fits there (its largest workload's fitReplicas)",
                Family::default(),
            ),
            without_headroom: registered(
                r,
                "cluster_placements_without_headroom",
                "Placements whose workload fits not one more replica on the member (fitReplicas 0)",
                Family::default(),
            ),
            not_ready_by_reason: registered(
                r,
                "placements_not_ready",
                "Placements whose Ready condition is not True, by its reason",
                Family::default(),
            ),
            not_ready: registered(
                r,
                "placement_not_ready_seconds",
                "Seconds since the placement's Ready condition left True, for the longest not Ready (at most 100)",
                Family::default(),
            ),
            placement_unschedulable: registered(
                r,
                "placement_unschedulable_replicas",
                "Replicas of the placement assigned to the cluster that its scheduler did not place (the largest, at most 100)",
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
                "Values held by the interning tables shared by all members (strings, resource_lists, controllers, node_label_sets)",
                Family::default(),
            ),
            shard_replicas: registered(
                r,
                "shard_replicas",
                "Replicas sharing the members that this replica sees alive (1 without --sharding)",
                Gauge::default(),
            ),
            shard_members: registered(
                r,
                "shard_members",
                "Member Clusters this replica owns: it watches them and writes their figures",
                Gauge::default(),
            ),
        }
    }
}
