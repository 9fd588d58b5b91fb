//! [`SlimPod`]: what the operator keeps of a member's Pod, decoded straight from watch JSON.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde::de::Deserializer;

use super::de::{IStr, SharedStr};
use super::kube_resource::core_v1_resource;
use super::pod_owner::{Controller, ControllerRef};
use super::pod_status::{NotScheduled, PodPhase, WireStatus};
use super::requests::{InitContainer, effective_requests};
use super::resources::{ResourceList, WireResources};
use super::wire::{FromBytes, Matched, wire_struct};
use crate::interner::intern_str;

/// A member's Pod reduced to what the builders need.
///
/// Decoding reads only those fields and skips everything else (managedFields, env, volumes,
/// probes, …) without allocating for it; it never fails on absent or `null` fields. The
/// `kube::Resource` impl lets kube-runtime's `watcher::<SlimPod>` decode events into it directly.
#[derive(Clone, Debug, PartialEq)]
pub struct SlimPod {
    /// Only name, namespace, uid and resourceVersion: what `kube::Resource` users (watcher,
    /// `ObjectRef`) need. The index does not keep it. The controller is `controller`, decoded
    /// once: a copy here cost each pod five allocations.
    metadata: ObjectMeta,
    namespace: Arc<str>,
    /// `spec.nodeName`; `None` while unscheduled. Decoded into the pod's own copy: the
    /// member's index swaps it for the name it shares with the node (`ClusterIndex::store_pod`).
    pub node_name: Option<Arc<str>>,
    /// `status.phase`.
    pub phase: PodPhase,
    /// The `Ready` condition is `True`.
    pub ready: bool,
    /// Why the pod is not scheduled, when its `PodScheduled` condition is `False`.
    pub not_scheduled: Option<Arc<NotScheduled>>,
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
            not_scheduled: None,
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
        // Its own copy, as decoding gives it: node names are not interned.
        self.node_name = Some(Arc::from(node));
        self
    }
}

impl<'de> Deserialize<'de> for SlimPod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WirePod::deserialize(deserializer).map(WirePod::into_slim)
    }
}

core_v1_resource!(SlimPod, "Pod", "pods", NamespaceResourceScope);

wire_struct! {
    struct WirePod {
        "metadata" => metadata: WireMeta,
        "spec" => spec: WireSpec,
        "status" => status: WireStatus,
    }
}

wire_struct! {
    struct WireMeta {
        "name" => name: String,
        "namespace" => namespace: Option<IStr>,
        "uid" => uid: String,
        "resourceVersion" => resource_version: String,
        "ownerReferences" => controller: Controller,
    }
}

wire_struct! {
    struct WireSpec {
        "nodeName" => node_name: Option<SharedStr>,
        "containers" => containers: Vec<WireContainer>,
        "initContainers" => init_containers: Vec<WireContainer>,
        "overhead" => overhead: WireResources,
        "resources" => resources: WireRequirements,
    }
}

wire_struct! {
    struct WireContainer {
        "resources" => resources: WireRequirements,
        /// `restartPolicy: Always`: a restartable init container (a sidecar).
        "restartPolicy" => restartable: Matched<IsAlways>,
    }
}

wire_struct! {
    /// `resources`: only `requests` (limits never count towards allocation).
    struct WireRequirements {
        "requests" => requests: WireResources,
    }
}

/// `true` for the string `Always`.
#[derive(Clone, Copy, Default)]
struct IsAlways(bool);

impl FromBytes for IsAlways {
    fn from_bytes(value: &[u8]) -> Self {
        IsAlways(value == b"Always")
    }
}

impl WirePod {
    fn into_slim(self) -> SlimPod {
        let WirePod {
            metadata,
            mut spec,
            status,
        } = self;
        let controller = metadata.controller.0.clone();
        let node_name = SharedStr::non_empty(spec.node_name.take());
        let requests = spec.into_requests();
        let (apps, inits) = (status.containers, status.init_containers);
        let namespace = metadata
            .namespace
            .clone()
            .map_or_else(|| intern_str(""), |ns| ns.0);
        SlimPod {
            metadata: metadata.slim(&namespace),
            namespace,
            node_name,
            phase: status.phase.0,
            ready: status.conditions.ready,
            not_scheduled: status.conditions.not_scheduled,
            // Sums of non-negative counts: saturating them apart, then together, is the same.
            restarts: apps.restarts.saturating_add(inits.restarts),
            crash_looping: apps.crash_looping || inits.crash_looping,
            controller,
            requests,
        }
    }
}

impl WireMeta {
    fn slim(self, namespace: &str) -> ObjectMeta {
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        ObjectMeta {
            name: Some(self.name),
            namespace: Some(namespace.to_owned()),
            uid: non_empty(self.uid),
            resource_version: non_empty(self.resource_version),
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
            .map(|c| c.restartable.0.0)
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
