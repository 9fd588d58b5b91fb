//! [`SlimPod`]: what the operator keeps of a member's Pod, decoded straight from watch JSON.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use serde::Deserialize;
use serde::de::Deserializer;

use super::de::{IStr, WireCondition, condition_true, null_default};
use super::requests::{InitContainer, effective_requests};
use super::resources::{ResourceList, WireResources};
use crate::intern::{intern_controller, intern_str};

/// `status.phase`, with every value Kubernetes does not define mapped to [`PodPhase::Unknown`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PodPhase {
    /// Accepted, not all containers started (unscheduled, pulling images, …). Also what an
    /// absent phase means: the API server sets `Pending` on create, so only a pod that has not
    /// been through it (a hand-written fixture) lacks one.
    #[default]
    Pending,
    /// Bound, all containers created, at least one running.
    Running,
    /// All containers terminated successfully; holds no resources.
    Succeeded,
    /// All containers terminated, at least one failed; holds no resources.
    Failed,
    /// `Unknown`, or a phase this operator does not know.
    Unknown,
}

impl PodPhase {
    /// `true` for Succeeded and Failed: the scheduler no longer counts the pod's requests.
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }

    /// The phase as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Unknown => "Unknown",
        }
    }
}

impl From<&str> for PodPhase {
    fn from(value: &str) -> Self {
        match value {
            "Pending" | "" => PodPhase::Pending,
            "Running" => PodPhase::Running,
            "Succeeded" => PodPhase::Succeeded,
            "Failed" => PodPhase::Failed,
            _ => PodPhase::Unknown,
        }
    }
}

/// The pod's controller (`ownerReferences[]` entry with `controller: true`), shared by all the
/// pods of one ReplicaSet/Job/StatefulSet/DaemonSet through the interner.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ControllerRef {
    /// e.g. `apps/v1` (interned).
    pub api_version: Arc<str>,
    /// e.g. `ReplicaSet` (interned).
    pub kind: Arc<str>,
    /// The controller's name.
    pub name: Arc<str>,
    /// The controller's uid.
    pub uid: Arc<str>,
}

/// A member's Pod reduced to what the builders need.
///
/// Decoding reads only those fields and skips everything else (managedFields, env, volumes,
/// probes, …) without allocating for it; it never fails on absent or `null` fields. The
/// `kube::Resource` impl lets kube-runtime's `watcher::<SlimPod>` decode events into it directly.
#[derive(Clone, Debug, PartialEq)]
pub struct SlimPod {
    /// Only name, namespace, uid, resourceVersion and the controller owner reference: what
    /// `kube::Resource` users (watcher, `ObjectRef`) need. The index does not keep it.
    metadata: ObjectMeta,
    namespace: Arc<str>,
    /// `spec.nodeName` (interned); `None` while unscheduled.
    pub node_name: Option<Arc<str>>,
    /// `status.phase`.
    pub phase: PodPhase,
    /// The `Ready` condition is `True`.
    pub ready: bool,
    /// Sum of `restartCount` over containers and init containers (negative counts ignored).
    pub restarts: i64,
    /// Some container or init container is waiting with reason `CrashLoopBackOff`.
    pub crash_looping: bool,
    /// The controller owner reference, if any.
    pub controller: Option<Arc<ControllerRef>>,
    /// The effective requests (see the `requests` module), computed at decode time.
    pub requests: ResourceList,
}

impl SlimPod {
    /// A pod with no node, phase Pending, not ready, no requests; for tests and synthetic data.
    pub fn new(namespace: &str, name: &str) -> SlimPod {
        SlimPod {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                namespace: Some(namespace.to_owned()),
                ..ObjectMeta::default()
            },
            namespace: intern_str(namespace),
            node_name: None,
            phase: PodPhase::Pending,
            ready: false,
            restarts: 0,
            crash_looping: false,
            controller: None,
            requests: ResourceList::default(),
        }
    }

    /// `metadata.name` (empty if the object had none).
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or_default()
    }

    /// `metadata.namespace` (interned).
    pub fn namespace(&self) -> &Arc<str> {
        &self.namespace
    }

    /// The slim metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn object_meta(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn object_meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }

    /// Sets `spec.nodeName` (builder style, for tests and synthetic data).
    pub fn on_node(mut self, node: &str) -> SlimPod {
        self.node_name = Some(intern_str(node));
        self
    }
}

impl<'de> Deserialize<'de> for SlimPod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WirePod::deserialize(deserializer).map(WirePod::into_slim)
    }
}

super::core_v1_resource!(SlimPod, "Pod", "pods", NamespaceResourceScope);

#[derive(Default, Deserialize)]
#[serde(default)]
struct WirePod {
    #[serde(deserialize_with = "null_default")]
    metadata: WireMeta,
    #[serde(deserialize_with = "null_default")]
    spec: WireSpec,
    #[serde(deserialize_with = "null_default")]
    status: WireStatus,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireMeta {
    #[serde(deserialize_with = "null_default")]
    name: String,
    namespace: Option<IStr>,
    #[serde(deserialize_with = "null_default")]
    uid: String,
    #[serde(deserialize_with = "null_default")]
    resource_version: String,
    #[serde(deserialize_with = "null_default")]
    owner_references: Vec<WireOwnerReference>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireOwnerReference {
    #[serde(deserialize_with = "null_default")]
    api_version: String,
    #[serde(deserialize_with = "null_default")]
    kind: String,
    #[serde(deserialize_with = "null_default")]
    name: String,
    #[serde(deserialize_with = "null_default")]
    uid: String,
    controller: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireSpec {
    node_name: Option<IStr>,
    #[serde(deserialize_with = "null_default")]
    containers: Vec<WireContainer>,
    #[serde(deserialize_with = "null_default")]
    init_containers: Vec<WireContainer>,
    overhead: WireResources,
    #[serde(deserialize_with = "null_default")]
    resources: WireRequirements,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireContainer {
    #[serde(deserialize_with = "null_default")]
    resources: WireRequirements,
    restart_policy: Option<String>,
}

/// `resources`: only `requests` (limits never count towards allocation).
#[derive(Default, Deserialize)]
#[serde(default)]
struct WireRequirements {
    requests: WireResources,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireStatus {
    phase: Option<String>,
    #[serde(deserialize_with = "null_default")]
    conditions: Vec<WireCondition>,
    #[serde(deserialize_with = "null_default")]
    container_statuses: Vec<WireContainerStatus>,
    #[serde(deserialize_with = "null_default")]
    init_container_statuses: Vec<WireContainerStatus>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireContainerStatus {
    #[serde(deserialize_with = "null_default")]
    restart_count: i64,
    #[serde(deserialize_with = "null_default")]
    state: WireContainerState,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct WireContainerState {
    waiting: Option<WireWaiting>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct WireWaiting {
    #[serde(deserialize_with = "null_default")]
    reason: String,
}

impl WirePod {
    fn into_slim(self) -> SlimPod {
        let WirePod {
            metadata,
            mut spec,
            status,
        } = self;
        let controller = metadata.controller();
        let node_name = IStr::non_empty(spec.node_name.take());
        let requests = spec.into_requests();
        let statuses = || {
            status
                .container_statuses
                .iter()
                .chain(&status.init_container_statuses)
        };
        let restarts = statuses().fold(0i64, |sum, s| sum.saturating_add(s.restart_count.max(0)));
        let crash_looping = statuses().any(|s| {
            s.state
                .waiting
                .as_ref()
                .is_some_and(|w| w.reason == "CrashLoopBackOff")
        });
        let namespace = metadata
            .namespace
            .clone()
            .map_or_else(|| intern_str(""), |ns| ns.0);
        SlimPod {
            metadata: metadata.slim(&namespace, controller.as_deref()),
            namespace,
            node_name,
            phase: PodPhase::from(status.phase.as_deref().unwrap_or_default()),
            ready: condition_true(&status.conditions, "Ready"),
            restarts,
            crash_looping,
            controller,
            requests,
        }
    }
}

impl WireMeta {
    fn controller(&self) -> Option<Arc<ControllerRef>> {
        let owner = self
            .owner_references
            .iter()
            .find(|o| o.controller == Some(true))?;
        Some(intern_controller(ControllerRef {
            api_version: intern_str(&owner.api_version),
            kind: intern_str(&owner.kind),
            name: Arc::from(owner.name.as_str()),
            uid: Arc::from(owner.uid.as_str()),
        }))
    }

    fn slim(self, namespace: &str, controller: Option<&ControllerRef>) -> ObjectMeta {
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        ObjectMeta {
            name: Some(self.name),
            namespace: Some(namespace.to_owned()),
            uid: non_empty(self.uid),
            resource_version: non_empty(self.resource_version),
            owner_references: controller.map(|c| {
                vec![OwnerReference {
                    api_version: c.api_version.to_string(),
                    kind: c.kind.to_string(),
                    name: c.name.to_string(),
                    uid: c.uid.to_string(),
                    controller: Some(true),
                    block_owner_deletion: None,
                }]
            }),
            ..ObjectMeta::default()
        }
    }
}

impl WireSpec {
    /// Consumes the spec (its request lists move into the computation, no copies).
    fn into_requests(self) -> ResourceList {
        let sorted = |c: WireContainer| c.resources.requests.into_sorted();
        let restartable: Vec<bool> = self
            .init_containers
            .iter()
            .map(|c| c.restart_policy.as_deref() == Some("Always"))
            .collect();
        let containers: Vec<_> = self.containers.into_iter().map(sorted).collect();
        let inits: Vec<_> = self.init_containers.into_iter().map(sorted).collect();
        let container_refs: Vec<&[_]> = containers.iter().map(Vec::as_slice).collect();
        let init_refs: Vec<InitContainer<'_>> = inits
            .iter()
            .zip(restartable)
            .map(|(requests, restartable)| InitContainer {
                requests,
                restartable,
            })
            .collect();
        let pod_level = self.resources.requests.into_sorted();
        let overhead = self.overhead.into_sorted();
        effective_requests(&container_refs, &init_refs, &pod_level, &overhead)
    }
}
