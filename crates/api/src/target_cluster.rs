//! One target cluster of a workload (`WorkloadPlacement.status.clusters[]`): what the scheduler
//! assigned, what Karmada reports back from the member, and the workload's pods seen on it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The workload on one target cluster. Keyed by `name` (list-map).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterPlacement {
    /// Name of the Karmada Cluster. The list key: required, unique.
    pub name: String,
    /// The cluster's resolved static weight (the largest matching `staticWeightList` rule, 1 when
    /// none matches any cluster). Absent unless `placement.weighting` is `Static`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    /// How this cluster's share of divided replicas came about, e.g. `static weight 3 of 5`,
    /// `equal weight 1 of 3`, or for `DynamicAvailableReplicas` and `Aggregated` the estimates
    /// of the room Karmada divides by, as they are now: `by available replicas, the least of
    /// Karmada's estimates: general 6, accurate 8 now; 4 of its pods placed` (karmada-scheduler
    /// always runs its general estimator, and takes the accurate one too where
    /// karmada-scheduler-estimator runs; the workload's own placed pods took some of that room
    /// since). Absent for workloads that are not divided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// Replicas the scheduler assigned to this cluster, from the binding's
    /// `spec.clusters[].replicas` (count; 0 for workloads without replicas and for a cluster
    /// the workload is being evicted from).
    #[serde(default)]
    pub replicas: i64,
    /// Whether Karmada applied the workload to this cluster (`aggregatedStatus[].applied`).
    /// Absent until the cluster reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<bool>,
    /// Why applying failed, from `aggregatedStatus[].appliedMessage`. Absent when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_message: Option<String>,
    /// Karmada's health verdict for the workload on this cluster (`aggregatedStatus[].health`):
    /// `Healthy`, `Unhealthy` or `Unknown`. Absent until the cluster reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<WorkloadHealth>,
    /// Ready replicas reported by the member (`aggregatedStatus[].status.readyReplicas`, count).
    /// Absent for kinds without replica status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i64>,
    /// Available replicas reported by the member (`...status.availableReplicas`, count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i64>,
    /// Replicas at the latest template reported by the member (`...status.updatedReplicas`,
    /// count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_replicas: Option<i64>,
    /// Override policies applied to the workload on this cluster, from the Work's
    /// `policy.karmada.io/applied-overrides` and `applied-cluster-overrides` annotations, in
    /// application order: `OverridePolicy <namespace>/<name>` or `ClusterOverridePolicy <name>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// Present only while Karmada is evicting the workload from this cluster (a
    /// `spec.gracefulEvictionTasks[]` entry with `fromCluster` = this cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eviction: Option<EvictionInfo>,
    /// More replicas of this workload that fit on the cluster now (count), for the shape of one
    /// replica Karmada recorded in the binding's `replicaRequirements` (requests, node selector,
    /// required node affinity, tolerations), by the arithmetic of Karmada's estimators (see
    /// `estimator`; a binding with replicas but no `replicaRequirements` counts free pod slots,
    /// as the estimators do). Absent when the binding has neither, when the requirements cannot
    /// be read (`fitMessage` says why), or when nothing is known of the cluster's capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_replicas: Option<i64>,
    /// How `fitReplicas` was estimated: `Accurate` (node by node, from the member's nodes and
    /// pods) or `General` (from the Cluster's `resourceSummary`, when the member's pods cannot
    /// be seen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimator: Option<FitEstimator>,
    /// Why `fitReplicas` is absent, or 0 whatever the cluster, although the binding has
    /// `replicaRequirements`: a request that cannot be read, or a required node affinity that
    /// cannot be parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_message: Option<String>,
    /// The workload's pods on this cluster (attributed through owner references: Pod →
    /// ReplicaSet → Deployment, Pod → Job → CronJob, Pod → StatefulSet/DaemonSet). Absent when
    /// the operator cannot see the member's pods (source `ClusterStatus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<WorkloadPodCounts>,
    /// Nodes running the workload's pods, most pods first then by name, capped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodePods>,
    /// Nodes running the workload's pods that `nodes` leaves out because of the cap (count).
    #[serde(default)]
    pub omitted_nodes: i64,
    /// The workload's pods one by one, capped: problem pods first (failed, pending, not ready,
    /// most restarts), then by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_list: Vec<PodSummary>,
    /// Pods that `podList` leaves out because of the cap or the size guard (count).
    #[serde(default)]
    pub omitted_pods: i64,
    /// What karmada-manager cannot currently observe on this cluster, sorted by reason: the
    /// member is unreachable (the pod figures are then the last ones seen; reason as on the
    /// member's ClusterInsight, e.g. `MemberUnreachable`), or the Work's applied-overrides
    /// annotation is malformed (`MalformedOverrides`). Absent when everything is observed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ClusterProblem>,
}

impl ClusterPlacement {
    /// The fields observed in the member itself (its pods, its room, what cannot be seen
    /// there), by their JSON names. When replicas share the members, the replica that watches
    /// the member writes these fields of its entry, and the binding's owner all the others.
    pub const OBSERVED_FIELDS: [&str; 9] = [
        "fitReplicas",
        "estimator",
        "division",
        "pods",
        "nodes",
        "omittedNodes",
        "podList",
        "omittedPods",
        "problems",
    ];

    /// Replaces the [observed fields](Self::OBSERVED_FIELDS) with those of `published` (all
    /// absent when `None`: nothing observed yet), keeping the others.
    pub fn take_observed(&mut self, published: Option<&ClusterPlacement>) {
        let source = published.cloned().unwrap_or_default();
        self.fit_replicas = source.fit_replicas;
        self.estimator = source.estimator;
        self.division = source.division;
        self.pods = source.pods;
        self.nodes = source.nodes;
        self.omitted_nodes = source.omitted_nodes;
        self.pod_list = source.pod_list;
        self.omitted_pods = source.omitted_pods;
        self.problems = source.problems;
    }
}

/// Something karmada-manager cannot observe about a workload on one cluster.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterProblem {
    /// A condition reason (see the `Degraded` condition), e.g. `MemberUnreachable` or
    /// `MalformedOverrides`.
    pub reason: String,
    /// What is wrong and what to do.
    #[serde(default)]
    pub message: String,
}

/// How a `fitReplicas` figure was estimated, after Karmada's two estimators.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum FitEstimator {
    /// karmada-scheduler-estimator's node-by-node arithmetic, over the member's nodes and pods
    /// as karmada-manager watches them.
    Accurate,
    /// karmada-scheduler's general estimate from the Cluster's `resourceSummary` (whole-member
    /// free resources), used when the member's pods cannot be seen.
    General,
}

/// Karmada's `aggregatedStatus[].health`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum WorkloadHealth {
    /// Karmada's health interpreter judges the workload healthy on the cluster.
    Healthy,
    /// Karmada's health interpreter judges the workload unhealthy on the cluster.
    Unhealthy,
    /// Karmada cannot tell (no interpreter for the kind, or the member did not report).
    Unknown,
}

/// A graceful eviction in progress.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct EvictionInfo {
    /// Why Karmada evicts, copied from the eviction task, e.g. `TaintUntolerated`.
    #[serde(default)]
    pub reason: String,
    /// How the old copy is removed, copied from the eviction task's `purgeMode` (e.g.
    /// `Immediately`, `Gracefully`, `Never`; the set depends on the Karmada release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_mode: Option<String>,
}

/// The workload's pods on one cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct WorkloadPodCounts {
    /// Pods of the workload, in any phase (count).
    #[serde(default)]
    pub total: i64,
    /// Pods in phase `Running` (count).
    #[serde(default)]
    pub running: i64,
    /// Pods whose `Ready` condition is `True` (count).
    #[serde(default)]
    pub ready: i64,
    /// Pods in phase `Pending` (count).
    #[serde(default)]
    pub pending: i64,
    /// Pods the member's scheduler has not placed: their `PodScheduled` condition is `False`
    /// (count; a subset of `pending`).
    #[serde(default)]
    pub unscheduled: i64,
    /// Why pods are not scheduled, from their `PodScheduled` conditions: the most common reason
    /// and message with the number of pods that share it, e.g. `3 pods Unschedulable: 0/5 nodes
    /// are available: 5 Insufficient cpu.`, then how many others have other reasons. Absent when
    /// every pod is scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_reason: Option<String>,
    /// Pods in phase `Failed` (count).
    #[serde(default)]
    pub failed: i64,
    /// Sum of container restart counts over these pods (count).
    #[serde(default)]
    pub restarts: i64,
}

/// How many of the workload's pods run on one node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct NodePods {
    /// Node name.
    pub name: String,
    /// The workload's pods bound to this node, in any phase (count).
    #[serde(default)]
    pub pods: i64,
}

/// One pod of the workload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct PodSummary {
    /// Pod name (in the workload's namespace on the member).
    pub name: String,
    /// Node the pod is bound to (`spec.nodeName`). Absent while unscheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Pod phase as the member reports it: `Pending`, `Running`, `Succeeded`, `Failed` or
    /// `Unknown`.
    #[serde(default)]
    pub phase: String,
    /// Whether the pod's `Ready` condition is `True`.
    #[serde(default)]
    pub ready: bool,
    /// Sum of the restart counts of the pod's containers (count).
    #[serde(default)]
    pub restarts: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn entry(name: &str, n: i64) -> ClusterPlacement {
        ClusterPlacement {
            name: name.into(),
            weight: Some(n),
            division: Some(format!("static weight {n} of 5")),
            replicas: n,
            applied: Some(true),
            applied_message: Some(format!("applied {n}")),
            health: Some(WorkloadHealth::Healthy),
            ready_replicas: Some(n),
            available_replicas: Some(n),
            updated_replicas: Some(n),
            overrides: vec![format!("OverridePolicy shop/o{n}")],
            eviction: Some(EvictionInfo::default()),
            fit_replicas: Some(n),
            estimator: Some(FitEstimator::Accurate),
            fit_message: Some(format!("fit {n}")),
            pods: Some(WorkloadPodCounts {
                total: n,
                ..WorkloadPodCounts::default()
            }),
            nodes: vec![NodePods::default()],
            omitted_nodes: n,
            pod_list: vec![PodSummary::default()],
            omitted_pods: n,
            problems: vec![ClusterProblem::default()],
        }
    }

    fn fields(entry: &ClusterPlacement) -> serde_json::Map<String, Value> {
        match json!(entry) {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn taking_the_observed_fields_changes_exactly_the_fields_listed() {
        let (ours, theirs) = (entry("m1", 1), entry("m1", 2));
        let mut taken = ours.clone();
        taken.take_observed(Some(&theirs));
        let (before, after, source) = (fields(&ours), fields(&taken), fields(&theirs));
        assert_eq!(
            before.len(),
            21,
            "every field is set, so every field is compared"
        );
        for (key, value) in &after {
            let observed = ClusterPlacement::OBSERVED_FIELDS.contains(&key.as_str());
            let expected = if observed { &source[key] } else { &before[key] };
            assert_eq!(value, expected, "{key}");
        }
        let mut cleared = ours.clone();
        cleared.take_observed(None);
        for key in ClusterPlacement::OBSERVED_FIELDS {
            let value = fields(&cleared).get(key).cloned();
            assert!(
                value.is_none() || value == Some(json!(0)),
                "{key} left as {value:?}"
            );
        }
    }
}
