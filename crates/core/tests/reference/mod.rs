//! The reference the slim projections are checked against (`decode_reference.rs`).
//!
//! - this module: what a `SlimPod` / `SlimNode` must hold, computed from k8s-openapi's `Pod` and
//!   `Node` (an independent, generated model of these objects) by Kubernetes' own rules, written
//!   out plainly. It shares no code with the decoders in `src/projection/`: only the output
//!   types and [`Amount`] (exact quantity parsing and arithmetic, tested on its own) are common.
//! - `check`: one JSON text through both, and what to conclude when k8s-openapi rejects it.
//! - `generate`: proptest strategies for well-typed Pods and Nodes of every shape.
//! - `mutate`: the deterministic mutations of realistic objects for the differential run.

pub mod check;
pub mod generate;
pub mod mutate;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_manager_api::NodeProblem;
use karmada_manager_core::text::{QUOTE_LIMIT, bounded};
use karmada_manager_core::{Amount, PodPhase, ResourceList, SlimNode, SlimPod};

/// A resource list by name, in milli-units.
pub type Resources = BTreeMap<String, i128>;

/// Everything a `SlimPod` exposes, in plain types, so that two of them compare field by field
/// and a difference prints as one diff.
#[derive(Debug, PartialEq)]
pub struct PodView {
    pub metadata: ObjectMeta,
    pub name: String,
    pub namespace: String,
    pub node_name: Option<String>,
    pub phase: PodPhase,
    pub ready: bool,
    /// Reason and message of a `PodScheduled=False` condition.
    pub not_scheduled: Option<(String, String)>,
    pub restarts: i64,
    pub crash_looping: bool,
    /// apiVersion, kind, name, uid.
    pub controller: Option<[String; 4]>,
    pub requests: Resources,
}

/// Everything a `SlimNode` exposes.
#[derive(Debug, PartialEq)]
pub struct NodeView {
    pub metadata: ObjectMeta,
    pub name: String,
    pub ready: bool,
    pub unschedulable: bool,
    pub labels: Vec<(String, String)>,
    /// key, value, effect.
    pub taints: Vec<(String, String, String)>,
    pub memory_pressure: bool,
    pub disk_pressure: bool,
    pub pid_pressure: bool,
    pub network_unavailable: bool,
    pub under_pressure: bool,
    pub problems: Vec<NodeProblem>,
    pub roles: Vec<String>,
    pub zone: Option<String>,
    pub instance_type: Option<String>,
    pub kubelet_version: Option<String>,
    pub capacity: Resources,
    pub allocatable: Resources,
}

/// A decoded list as plain data; every amount also read back through `get`.
fn list_view(list: &ResourceList) -> Resources {
    let view: Resources = list
        .iter()
        .map(|entry| (entry.name.to_string(), entry.amount.milli()))
        .collect();
    for (name, milli) in &view {
        assert_eq!(list.get(name), Some(Amount::from_milli(*milli)), "{name}");
    }
    assert_eq!(view.len(), list.len(), "resource names are unique");
    view
}

/// The decoder's `SlimPod`, through its public API only.
pub fn slim_pod_view(pod: &SlimPod) -> PodView {
    PodView {
        metadata: pod.metadata().clone(),
        name: pod.name().to_owned(),
        namespace: pod.namespace().to_string(),
        node_name: pod.node_name.as_deref().map(str::to_owned),
        phase: pod.phase,
        ready: pod.ready,
        not_scheduled: pod
            .not_scheduled
            .as_deref()
            .map(|n| (n.reason.to_string(), n.message.to_string())),
        restarts: pod.restarts,
        crash_looping: pod.crash_looping,
        controller: pod
            .controller
            .as_deref()
            .map(|c| [&c.api_version, &c.kind, &c.name, &c.uid].map(|s| s.to_string())),
        requests: list_view(&pod.requests),
    }
}

/// The decoder's `SlimNode`, through its public API only.
pub fn slim_node_view(node: &SlimNode) -> NodeView {
    NodeView {
        metadata: node.metadata().clone(),
        name: node.name().to_string(),
        ready: node.ready,
        unschedulable: node.unschedulable,
        labels: node
            .labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        taints: node
            .taints
            .iter()
            .map(|t| {
                (
                    t.key.to_string(),
                    t.value.to_string(),
                    t.effect.as_str().to_owned(),
                )
            })
            .collect(),
        memory_pressure: node.memory_pressure,
        disk_pressure: node.disk_pressure,
        pid_pressure: node.pid_pressure,
        network_unavailable: node.network_unavailable,
        under_pressure: node.under_pressure(),
        problems: node.problems(),
        roles: node.roles.iter().map(|r| r.to_string()).collect(),
        zone: node.zone.as_deref().map(str::to_owned),
        instance_type: node.instance_type.as_deref().map(str::to_owned),
        kubelet_version: node.kubelet_version.as_deref().map(str::to_owned),
        capacity: list_view(&node.capacity),
        allocatable: list_view(&node.allocatable),
    }
}

/// A resource list's amounts. An entry whose quantity does not parse is left out: that is the
/// projection's documented rule (the API server rejects such an object, so only hand-made input
/// has one, and one lost figure is better than a lost object).
fn amounts(list: Option<&BTreeMap<String, Quantity>>) -> Resources {
    let mut out = Resources::new();
    for (name, quantity) in list.into_iter().flatten() {
        if let Ok(amount) = Amount::from_quantity(quantity) {
            out.insert(name.clone(), amount.milli());
        }
    }
    out
}

/// `addResourceList`: adds every entry of `list` into `into`.
fn add_into(into: &mut Resources, list: &Resources) {
    for (name, milli) in list {
        let sum = into.entry(name.clone()).or_insert(0);
        *sum = sum.saturating_add(*milli);
    }
}

/// `maxResourceList`: raises every entry of `into` to at least the one in `list`, adding the
/// ones `into` lacks.
fn max_into(into: &mut Resources, list: &Resources) {
    for (name, milli) in list {
        match into.get_mut(name) {
            Some(current) if *current >= *milli => {}
            Some(current) => *current = *milli,
            None => {
                into.insert(name.clone(), *milli);
            }
        }
    }
}

/// `IsSupportedPodLevelResource`: cpu, memory and hugepages-*.
fn supported_at_pod_level(name: &str) -> bool {
    name == "cpu" || name == "memory" || name.starts_with("hugepages-")
}

fn container_requests(container: &Container) -> Resources {
    amounts(
        container
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref()),
    )
}

/// The pod's requests as Kubernetes' `k8s.io/component-helpers/resource.PodRequests` computes
/// them for the scheduler with the default options (the spec, not the in-place-resize status,
/// which the projection does not model either):
///
/// 1. the app containers' requests, summed;
/// 2. each init container in order: a restartable one (`restartPolicy: Always`, a sidecar) is
///    added to that sum and to the running sum of sidecars, and the running sum is what is in
///    use while it starts; a classic one is in use together with the sidecars declared before
///    it; the result is raised to the largest of these "in use" lists;
/// 3. if the pod-level `spec.resources.requests` names a supported resource, its supported
///    entries replace the containers' figures;
/// 4. the pod overhead is added.
///
/// Then `pods` is removed: the projection's documented choice (the index counts each pod as
/// one `pods` unit itself, and validation forbids `pods` in container requests anyway).
pub fn pod_requests(pod: &Pod) -> Resources {
    let Some(spec) = &pod.spec else {
        return Resources::new();
    };
    let mut result = Resources::new();
    for container in &spec.containers {
        add_into(&mut result, &container_requests(container));
    }
    let mut sidecars = Resources::new();
    let mut largest_init = Resources::new();
    for container in spec.init_containers.iter().flatten() {
        let own = container_requests(container);
        let in_use = if container.restart_policy.as_deref() == Some("Always") {
            add_into(&mut result, &own);
            add_into(&mut sidecars, &own);
            sidecars.clone()
        } else {
            let mut combined = own;
            add_into(&mut combined, &sidecars);
            combined
        };
        max_into(&mut largest_init, &in_use);
    }
    max_into(&mut result, &largest_init);

    let pod_level = amounts(spec.resources.as_ref().and_then(|r| r.requests.as_ref()));
    if pod_level.keys().any(|name| supported_at_pod_level(name)) {
        for (name, milli) in pod_level {
            if supported_at_pod_level(&name) {
                result.insert(name, milli);
            }
        }
    }
    add_into(&mut result, &amounts(spec.overhead.as_ref()));
    result.remove("pods");
    result
}

/// `None` for an absent or empty string: Kubernetes writes "unset" as either.
fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

/// Whether the first condition of `type_` has status `True` (`GetPodCondition` /
/// `GetNodeCondition` return the first match).
fn first_condition_true<'a>(
    mut conditions: impl Iterator<Item = (&'a str, &'a str)>,
    type_: &str,
) -> bool {
    conditions
        .find(|(t, _)| *t == type_)
        .is_some_and(|(_, status)| status == "True")
}

fn restarts(statuses: Option<&Vec<ContainerStatus>>) -> i64 {
    statuses
        .into_iter()
        .flatten()
        .map(|s| i64::from(s.restart_count.max(0)))
        .sum()
}

fn crash_looping(statuses: Option<&Vec<ContainerStatus>>) -> bool {
    statuses.into_iter().flatten().any(|s| {
        s.state
            .as_ref()
            .and_then(|state| state.waiting.as_ref())
            .and_then(|waiting| waiting.reason.as_deref())
            == Some("CrashLoopBackOff")
    })
}

/// `status.phase`; absent or empty is `Pending` (the API server sets `Pending` on create, and Go
/// cannot tell "" from absent), a value Kubernetes does not define is `Unknown`.
fn phase(value: Option<&str>) -> PodPhase {
    match value.unwrap_or_default() {
        "" | "Pending" => PodPhase::Pending,
        "Running" => PodPhase::Running,
        "Succeeded" => PodPhase::Succeeded,
        "Failed" => PodPhase::Failed,
        _ => PodPhase::Unknown,
    }
}

/// What the decoder must make of `pod`.
pub fn reference_pod(pod: &Pod) -> PodView {
    let meta = &pod.metadata;
    let name = meta.name.clone().unwrap_or_default();
    let namespace = meta.namespace.clone().unwrap_or_default();
    // `metav1.GetControllerOf`: the first owner reference with `controller: true`.
    let controller = meta
        .owner_references
        .iter()
        .flatten()
        .find(|owner| owner.controller == Some(true));
    let status = pod.status.as_ref();
    let conditions = status.and_then(|s| s.conditions.as_ref());
    let app_statuses = status.and_then(|s| s.container_statuses.as_ref());
    let init_statuses = status.and_then(|s| s.init_container_statuses.as_ref());
    PodView {
        // The slim metadata: identity, nothing else.
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(namespace.clone()),
            uid: non_empty(meta.uid.as_deref()),
            resource_version: non_empty(meta.resource_version.as_deref()),
            ..ObjectMeta::default()
        },
        name,
        namespace,
        node_name: non_empty(pod.spec.as_ref().and_then(|s| s.node_name.as_deref())),
        phase: phase(status.and_then(|s| s.phase.as_deref())),
        ready: first_condition_true(
            conditions
                .into_iter()
                .flatten()
                .map(|c| (c.type_.as_str(), c.status.as_str())),
            "Ready",
        ),
        // The first PodScheduled entry decides; only `False` (exactly) means not scheduled.
        not_scheduled: conditions
            .into_iter()
            .flatten()
            .find(|c| c.type_ == "PodScheduled")
            .filter(|c| c.status == "False")
            .map(|c| {
                let message = c.message.as_deref().unwrap_or_default();
                (
                    c.reason.clone().unwrap_or_default(),
                    bounded(message, QUOTE_LIMIT),
                )
            }),
        restarts: restarts(app_statuses) + restarts(init_statuses),
        crash_looping: crash_looping(app_statuses) || crash_looping(init_statuses),
        controller: controller.map(|owner| {
            [&owner.api_version, &owner.kind, &owner.name, &owner.uid].map(|s| s.clone())
        }),
        requests: pod_requests(pod),
    }
}

/// What the decoder must make of `node`.
pub fn reference_node(node: &Node) -> NodeView {
    let meta = &node.metadata;
    let name = meta.name.clone().unwrap_or_default();
    let labels = meta.labels.clone().unwrap_or_default();
    let label = |key: &str| non_empty(labels.get(key).map(String::as_str));
    // kubectl's `findNodeRoles`: the suffix of every `node-role.kubernetes.io/<role>` label
    // and the value of `kubernetes.io/role`, non-empty, sorted, each once.
    let mut roles: Vec<String> = Vec::new();
    for (key, value) in &labels {
        if let Some(role) = key.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.push(role.to_owned());
            }
        } else if key == "kubernetes.io/role" && !value.is_empty() {
            roles.push(value.clone());
        }
    }
    roles.sort();
    roles.dedup();
    let status = node.status.as_ref();
    let conditions: Vec<(&str, &str)> = status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .map(|c| (c.type_.as_str(), c.status.as_str()))
        .collect();
    let is_true = |type_: &str| first_condition_true(conditions.iter().copied(), type_);
    let ready = is_true("Ready");
    let unschedulable = node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true);
    let memory_pressure = is_true("MemoryPressure");
    let disk_pressure = is_true("DiskPressure");
    let pid_pressure = is_true("PIDPressure");
    let network_unavailable = is_true("NetworkUnavailable");
    let problems = [
        (!ready, NodeProblem::NotReady),
        (memory_pressure, NodeProblem::MemoryPressure),
        (disk_pressure, NodeProblem::DiskPressure),
        (pid_pressure, NodeProblem::PidPressure),
        (network_unavailable, NodeProblem::NetworkUnavailable),
        (unschedulable, NodeProblem::Cordoned),
    ]
    .into_iter()
    .filter(|(present, _)| *present)
    .map(|(_, problem)| problem)
    .collect();
    NodeView {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            uid: non_empty(meta.uid.as_deref()),
            resource_version: non_empty(meta.resource_version.as_deref()),
            ..ObjectMeta::default()
        },
        name,
        ready,
        unschedulable,
        // A BTreeMap: sorted by key.
        labels: labels.clone().into_iter().collect(),
        taints: node
            .spec
            .iter()
            .flat_map(|s| s.taints.iter().flatten())
            .map(|t| {
                let effect = match t.effect.as_str() {
                    known @ ("NoSchedule" | "PreferNoSchedule" | "NoExecute") => known,
                    _ => "",
                };
                (
                    t.key.clone(),
                    t.value.clone().unwrap_or_default(),
                    effect.to_owned(),
                )
            })
            .collect(),
        memory_pressure,
        disk_pressure,
        pid_pressure,
        network_unavailable,
        under_pressure: memory_pressure || disk_pressure || pid_pressure,
        problems,
        roles,
        zone: label("topology.kubernetes.io/zone")
            .or_else(|| label("failure-domain.beta.kubernetes.io/zone")),
        instance_type: label("node.kubernetes.io/instance-type")
            .or_else(|| label("beta.kubernetes.io/instance-type")),
        kubelet_version: non_empty(
            status
                .and_then(|s| s.node_info.as_ref())
                .map(|info| info.kubelet_version.as_str()),
        ),
        capacity: amounts(status.and_then(|s| s.capacity.as_ref())),
        allocatable: amounts(status.and_then(|s| s.allocatable.as_ref())),
    }
}
