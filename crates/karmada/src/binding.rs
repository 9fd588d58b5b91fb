//! `work.karmada.io/v1alpha2` `ResourceBinding` / `ClusterResourceBinding`: one per propagated
//! resource, holding the scheduling result and the per-member status Karmada aggregated.
//!
//! Both kinds share the spec and status types, as in Karmada. The workload status Karmada
//! collects from each member is free-form JSON (it depends on the resource kind), so it is kept
//! as a `serde_json::Value`, with [`AggregatedStatusItem::replica_status`] reading the
//! Deployment-like replica counts out of it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{NodeSelector, Toleration};
use k8s_openapi::apimachinery::pkg::{api::resource::Quantity, apis::meta::v1::Time};
use serde::{Deserialize, Serialize};

use crate::condition::{Condition, find_condition};
use crate::enums::{ConflictResolution, PurgeMode, ResourceHealth};
use crate::placement::Placement;
use crate::resource::karmada_resource;
use crate::well_known::{CONDITION_FULLY_APPLIED, CONDITION_SCHEDULED};

karmada_resource! {
    /// Binds a namespaced resource to the clusters it is scheduled to. Named
    /// [`binding_name`](crate::binding_name)`(kind, name)` in the resource's namespace.
    pub struct ResourceBinding {
        group: "work.karmada.io",
        version: "v1alpha2",
        kind: "ResourceBinding",
        plural: "resourcebindings",
        scope: Namespaced,
        spec: ResourceBindingSpec,
        status: ResourceBindingStatus,
    }
}

karmada_resource! {
    /// Binds a cluster-scoped resource (or a namespaced one claimed by a
    /// ClusterPropagationPolicy) to the clusters it is scheduled to.
    pub struct ClusterResourceBinding {
        group: "work.karmada.io",
        version: "v1alpha2",
        kind: "ClusterResourceBinding",
        plural: "clusterresourcebindings",
        scope: Cluster,
        spec: ResourceBindingSpec,
        status: ResourceBindingStatus,
    }
}

/// The part of a binding's spec the operator reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceBindingSpec {
    /// The resource template being propagated.
    pub resource: ObjectReference,
    /// Desired replicas of the resource (0 for kinds without replicas).
    pub replicas: i32,
    /// Per-replica requests, when Karmada's interpreter could extract them.
    pub replica_requirements: Option<ReplicaRequirements>,
    /// The scheduling result: target clusters and their share of replicas.
    pub clusters: Vec<TargetCluster>,
    /// A copy of the claiming policy's placement.
    pub placement: Option<Placement>,
    /// Clusters the resource is being evicted from, while the eviction is in progress.
    pub graceful_eviction_tasks: Vec<GracefulEvictionTask>,
    /// Inherited from the policy (default Abort).
    pub conflict_resolution: ConflictResolution,
    /// The scheduler responsible for this binding.
    pub scheduler_name: String,
}

/// Locates the resource template in the Karmada control plane.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectReference {
    /// API version of the resource, e.g. `apps/v1`.
    pub api_version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Namespace; empty for cluster-scoped resources.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID of the resource template.
    pub uid: String,
    /// The template's resourceVersion Karmada last saw.
    pub resource_version: String,
}

/// Resource and scheduling needs of one replica.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplicaRequirements {
    /// Where a replica may run: the pod template's node selector, required node affinity and
    /// tolerations.
    pub node_claim: Option<NodeClaim>,
    /// Requests of one replica, keyed by resource name.
    pub resource_request: BTreeMap<String, Quantity>,
    /// Namespace of the workload.
    pub namespace: String,
    /// Priority class of the workload's pods.
    pub priority_class_name: String,
}

/// The node constraints of one replica, copied by Karmada from the pod template.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeClaim {
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    pub hard_node_affinity: Option<NodeSelector>,
    /// `nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// `tolerations`.
    pub tolerations: Vec<Toleration>,
}

/// One scheduled cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TargetCluster {
    /// Cluster name.
    pub name: String,
    /// Replicas assigned to it (0 for kinds without replicas).
    pub replicas: i32,
}

/// An in-progress eviction of the resource from one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GracefulEvictionTask {
    /// The cluster being evicted from.
    pub from_cluster: String,
    /// Why, e.g. `TaintUntolerated`, `ApplicationFailure`.
    pub reason: String,
    /// How the old copy is removed; absent on older tasks.
    pub purge_mode: Option<PurgeMode>,
    /// Human-readable detail.
    pub message: String,
    /// The controller that started the eviction, e.g. `TaintManager`.
    pub producer: String,
}

/// The part of a binding's status the operator reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceBindingStatus {
    /// The binding generation the scheduler last acted on; below `metadata.generation` means
    /// scheduling is pending.
    pub scheduler_observed_generation: i64,
    /// The `clusterAffinities` group the current result is based on. (Karmada's Go field is
    /// `SchedulerObservedAffinityName`; the JSON name is `schedulerObservingAffinityName`.)
    pub scheduler_observing_affinity_name: String,
    /// When the scheduler last succeeded.
    pub last_scheduled_time: Option<Time>,
    /// `Scheduled`, `FullyApplied`, …
    pub conditions: Vec<Condition>,
    /// Per-cluster apply result, health and workload status.
    pub aggregated_status: Vec<AggregatedStatusItem>,
}

impl ResourceBindingStatus {
    /// The `Scheduled` condition, if present.
    pub fn scheduled_condition(&self) -> Option<&Condition> {
        find_condition(&self.conditions, CONDITION_SCHEDULED)
    }

    /// The `FullyApplied` condition, if present.
    pub fn fully_applied_condition(&self) -> Option<&Condition> {
        find_condition(&self.conditions, CONDITION_FULLY_APPLIED)
    }
}

/// The resource's state in one member cluster.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AggregatedStatusItem {
    /// The member cluster.
    pub cluster_name: String,
    /// Whether the manifest was applied to the member.
    pub applied: bool,
    /// Usually the apply error, when `applied` is false.
    pub applied_message: String,
    /// Karmada's health verdict; absent until the status is collected.
    pub health: Option<ResourceHealth>,
    /// The status Karmada reflected from the member; its shape depends on the resource kind.
    pub status: Option<serde_json::Value>,
}

impl AggregatedStatusItem {
    /// The Deployment-like replica counts inside `status`, or `None` when there is no status
    /// object.
    ///
    /// Each count is read on its own and is `None` when absent or not an integer in `i32`
    /// range, so one odd field never hides the others. Karmada reflects Go structs whose
    /// integer fields are `omitempty`: for a kind that has replicas, an absent count means 0.
    pub fn replica_status(&self) -> Option<ReplicaStatus> {
        let object = self.status.as_ref()?.as_object()?;
        let int32 = |key: &str| {
            object
                .get(key)
                .and_then(serde_json::Value::as_i64)
                .and_then(|n| i32::try_from(n).ok())
        };
        let int64 = |key: &str| object.get(key).and_then(serde_json::Value::as_i64);
        Some(ReplicaStatus {
            replicas: int32("replicas"),
            ready_replicas: int32("readyReplicas"),
            available_replicas: int32("availableReplicas"),
            updated_replicas: int32("updatedReplicas"),
            observed_generation: int64("observedGeneration"),
            generation: int64("generation"),
            resource_template_generation: int64("resourceTemplateGeneration"),
        })
    }
}

/// Replica counts of a Deployment-like workload in one member, read from
/// [`AggregatedStatusItem::status`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// `replicas`: pods targeted by the workload.
    pub replicas: Option<i32>,
    /// `readyReplicas`.
    pub ready_replicas: Option<i32>,
    /// `availableReplicas`.
    pub available_replicas: Option<i32>,
    /// `updatedReplicas`.
    pub updated_replicas: Option<i32>,
    /// `observedGeneration` of the workload in the member.
    pub observed_generation: Option<i64>,
    /// `generation` of the workload in the member (added by Karmada's status reflection).
    pub generation: Option<i64>,
    /// The template generation the member copy was built from (added by Karmada), to tell a
    /// stale member copy from an up-to-date one.
    pub resource_template_generation: Option<i64>,
}
