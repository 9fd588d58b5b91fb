//! [`SlimNode`]: what the operator keeps of a member's Node, decoded straight from watch JSON.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_manager_api::NodeProblem;
use serde::Deserialize;
use serde::de::Deserializer;

use super::de::{ConditionType, Conditions, IStr, SharedStr};
use super::kube_resource::core_v1_resource;
use super::label_set::NodeLabelSet;
use super::node_labels::{self, NodeLabels, Taint, WireTaints};
use super::resources::{ResourceList, WireResources};
use super::wire::wire_struct;

/// A member's Node reduced to what the builders need. See [`super::SlimPod`] for how decoding
/// works; the same rules apply.
#[derive(Clone, Debug, PartialEq)]
pub struct SlimNode {
    /// Only name, uid and resourceVersion, for the watcher (which resumes from the
    /// resourceVersion of the last event). Dropped once the node is stored
    /// ([`SlimNode::without_metadata`]): ~600 bytes a node, 3 of a member's 13 MiB at 5,000 nodes.
    metadata: Option<Box<ObjectMeta>>,
    name: Arc<str>,
    /// The `Ready` condition is `True`.
    pub ready: bool,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// `metadata.labels`, sorted by key (keys and values interned, but the hostname's value,
    /// which is the node's name): what a pod's node selector and required node affinity match.
    pub labels: NodeLabelSet,
    /// `spec.taints`.
    pub taints: Vec<Taint>,
    /// The `MemoryPressure` condition is `True`.
    pub memory_pressure: bool,
    /// The `DiskPressure` condition is `True`.
    pub disk_pressure: bool,
    /// The `PIDPressure` condition is `True`.
    pub pid_pressure: bool,
    /// The `NetworkUnavailable` condition is `True`.
    pub network_unavailable: bool,
    /// Roles from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label,
    /// sorted, without duplicates (interned).
    pub roles: Vec<Arc<str>>,
    /// `topology.kubernetes.io/zone`, else `failure-domain.beta.kubernetes.io/zone`.
    pub zone: Option<Arc<str>>,
    /// `node.kubernetes.io/instance-type`, else `beta.kubernetes.io/instance-type`.
    pub instance_type: Option<Arc<str>>,
    /// `status.nodeInfo.kubeletVersion`.
    pub kubelet_version: Option<Arc<str>>,
    /// `status.capacity`.
    pub capacity: ResourceList,
    /// `status.allocatable`.
    pub allocatable: ResourceList,
}

impl SlimNode {
    /// A node with the given name, not ready, with no resources; for tests and synthetic data.
    pub fn new(name: &str) -> SlimNode {
        SlimNode {
            metadata: Some(Box::new(ObjectMeta {
                name: Some(name.to_owned()),
                ..ObjectMeta::default()
            })),
            name: Arc::from(name),
            ready: false,
            unschedulable: false,
            labels: NodeLabelSet::default(),
            taints: Vec::new(),
            memory_pressure: false,
            disk_pressure: false,
            pid_pressure: false,
            network_unavailable: false,
            roles: Vec::new(),
            zone: None,
            instance_type: None,
            kubelet_version: None,
            capacity: ResourceList::default(),
            allocatable: ResourceList::default(),
        }
    }

    /// `metadata.name`: in a member's index, the same `Arc` as the `nodeName` of its pods.
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// Takes `name`, the same text as its own name, as its name and hostname: the copy a
    /// member's index already holds for the node.
    ///
    /// Node names are not interned: a name is unique to its node within a member, and the
    /// process-wide table would hold every node of the fleet, hundreds of thousands of names
    /// that no two members share, and make every lookup in it miss the cache. The member's
    /// index shares one copy between a node and its pods instead.
    pub(crate) fn share_name(&mut self, name: &Arc<str>) {
        debug_assert_eq!(*self.name, **name);
        self.name = Arc::clone(name);
        self.labels.share_hostname(name);
    }

    /// The slim metadata; empty once [`SlimNode::without_metadata`] dropped it.
    pub fn metadata(&self) -> &ObjectMeta {
        self.object_meta()
    }

    /// The node as the index keeps it: what the builders read, without the metadata only the
    /// watcher needs. Two events that differ in nothing else then compare equal, so a heartbeat
    /// that changes only the resourceVersion triggers no recomputation.
    pub fn without_metadata(mut self) -> SlimNode {
        self.metadata = None;
        self
    }

    fn object_meta(&self) -> &ObjectMeta {
        static NONE: std::sync::LazyLock<ObjectMeta> =
            std::sync::LazyLock::new(ObjectMeta::default);
        self.metadata.as_deref().unwrap_or(&NONE)
    }

    fn object_meta_mut(&mut self) -> &mut ObjectMeta {
        self.metadata.get_or_insert_with(Box::default)
    }

    /// The value of label `key`, if the node has it.
    pub fn label(&self, key: &str) -> Option<&Arc<str>> {
        self.labels.get(key)
    }

    /// Memory, disk or PID pressure.
    pub fn under_pressure(&self) -> bool {
        self.memory_pressure || self.disk_pressure || self.pid_pressure
    }

    /// What is wrong with the node, in the order the API reports problems.
    pub fn problems(&self) -> Vec<NodeProblem> {
        [
            (!self.ready, NodeProblem::NotReady),
            (self.memory_pressure, NodeProblem::MemoryPressure),
            (self.disk_pressure, NodeProblem::DiskPressure),
            (self.pid_pressure, NodeProblem::PidPressure),
            (self.network_unavailable, NodeProblem::NetworkUnavailable),
            (self.unschedulable, NodeProblem::Cordoned),
        ]
        .into_iter()
        .filter_map(|(present, problem)| present.then_some(problem))
        .collect()
    }
}

impl<'de> Deserialize<'de> for SlimNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WireNode::deserialize(deserializer).map(WireNode::into_slim)
    }
}

core_v1_resource!(SlimNode, "Node", "nodes", ClusterResourceScope);

wire_struct! {
    struct WireNode {
        "metadata" => metadata: WireMeta,
        "spec" => spec: WireSpec,
        "status" => status: WireStatus,
    }
}

wire_struct! {
    struct WireMeta {
        "name" => name: Option<SharedStr>,
        "uid" => uid: String,
        "resourceVersion" => resource_version: String,
        "labels" => labels: NodeLabels,
    }
}

wire_struct! {
    struct WireSpec {
        "unschedulable" => unschedulable: bool,
        "taints" => taints: WireTaints,
    }
}

wire_struct! {
    struct WireStatus {
        "capacity" => capacity: WireResources,
        "allocatable" => allocatable: WireResources,
        "conditions" => conditions: Conditions,
        "nodeInfo" => node_info: WireNodeInfo,
    }
}

wire_struct! {
    struct WireNodeInfo {
        "kubeletVersion" => kubelet_version: Option<IStr>,
    }
}

impl WireNode {
    fn into_slim(self) -> SlimNode {
        let WireNode {
            metadata,
            spec,
            status,
        } = self;
        let name = metadata.name.map_or_else(|| Arc::from(""), |n| n.0);
        let mut labels = metadata.labels.into_set();
        labels.share_hostname(&name);
        let conditions = status.conditions;
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        SlimNode {
            metadata: Some(Box::new(ObjectMeta {
                name: Some(name.to_string()),
                uid: non_empty(metadata.uid),
                resource_version: non_empty(metadata.resource_version),
                ..ObjectMeta::default()
            })),
            name,
            ready: conditions.is_true(ConditionType::Ready),
            unschedulable: spec.unschedulable,
            taints: spec.taints.0,
            memory_pressure: conditions.is_true(ConditionType::MemoryPressure),
            disk_pressure: conditions.is_true(ConditionType::DiskPressure),
            pid_pressure: conditions.is_true(ConditionType::PidPressure),
            network_unavailable: conditions.is_true(ConditionType::NetworkUnavailable),
            roles: node_labels::roles(&labels),
            zone: node_labels::zone(&labels),
            instance_type: node_labels::instance_type(&labels),
            labels,
            kubelet_version: IStr::non_empty(status.node_info.kubelet_version),
            capacity: status.capacity.into_list(),
            allocatable: status.allocatable.into_list(),
        }
    }
}
