//! Realistic Pods, built fluently: bound or pending, requests, init and sidecar containers,
//! overhead, owners, and the status a kubelet would report (phase, readiness, restarts).

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, Pod, PodCondition, PodSpec, PodStatus,
    ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Running => "Running",
            Phase::Succeeded => "Succeeded",
            Phase::Failed => "Failed",
            Phase::Unknown => "Unknown",
        }
    }
}

type Requests = BTreeMap<String, String>;

#[derive(Clone, Debug)]
struct ContainerDef {
    name: String,
    requests: Requests,
    /// Init containers with `restartPolicy: Always` are sidecars.
    sidecar: bool,
}

#[derive(Clone, Debug)]
pub struct PodBuilder {
    namespace: String,
    name: String,
    node: Option<String>,
    labels: BTreeMap<String, String>,
    owner: Option<OwnerReference>,
    containers: Vec<ContainerDef>,
    init_containers: Vec<ContainerDef>,
    overhead: Requests,
    phase: Phase,
    ready: bool,
    restarts: i32,
    crash_looping: bool,
}

/// A pending, unscheduled pod with one container `app` and no requests.
pub fn pod(namespace: &str, name: &str) -> PodBuilder {
    PodBuilder {
        namespace: namespace.to_string(),
        name: name.to_string(),
        node: None,
        labels: BTreeMap::new(),
        owner: None,
        containers: vec![ContainerDef {
            name: "app".into(),
            requests: Requests::new(),
            sidecar: false,
        }],
        init_containers: Vec::new(),
        overhead: Requests::new(),
        phase: Phase::Pending,
        ready: false,
        restarts: 0,
        crash_looping: false,
    }
}

fn requests(pairs: &[(&str, &str)]) -> Requests {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl PodBuilder {
    /// Bound to a node (`spec.nodeName`), as the scheduler would.
    pub fn on_node(mut self, node: &str) -> Self {
        self.node = Some(node.to_string());
        self
    }

    /// Requests of the first container, e.g. `&[("cpu", "500m"), ("memory", "1Gi")]`.
    pub fn requests(mut self, pairs: &[(&str, &str)]) -> Self {
        self.containers[0].requests = requests(pairs);
        self
    }

    /// Adds an application container.
    pub fn container(mut self, name: &str, pairs: &[(&str, &str)]) -> Self {
        self.containers.push(ContainerDef {
            name: name.to_string(),
            requests: requests(pairs),
            sidecar: false,
        });
        self
    }

    /// Adds a classic init container (runs to completion before the app containers).
    pub fn init_container(mut self, name: &str, pairs: &[(&str, &str)]) -> Self {
        self.init_containers.push(ContainerDef {
            name: name.to_string(),
            requests: requests(pairs),
            sidecar: false,
        });
        self
    }

    /// Adds a restartable init container (`restartPolicy: Always`, a native sidecar).
    pub fn sidecar(mut self, name: &str, pairs: &[(&str, &str)]) -> Self {
        self.init_containers.push(ContainerDef {
            name: name.to_string(),
            requests: requests(pairs),
            sidecar: true,
        });
        self
    }

    /// Pod overhead. As in a real cluster it comes from a RuntimeClass: the pod names one
    /// ([`PodBuilder::runtime_class`]) and the RuntimeClass admission plugin copies its overhead
    /// into the pod; `bulk::create_pods` creates the RuntimeClass.
    pub fn overhead(mut self, pairs: &[(&str, &str)]) -> Self {
        self.overhead = requests(pairs);
        self
    }

    /// The RuntimeClass carrying this pod's overhead, if it has one: name and overhead.
    pub fn runtime_class(&self) -> Option<(String, BTreeMap<String, Quantity>)> {
        if self.overhead.is_empty() {
            return None;
        }
        let mut name = String::from("overhead");
        for (resource, quantity) in &self.overhead {
            name.push('-');
            name.push_str(resource);
            name.push('-');
            name.push_str(quantity);
        }
        let name = name
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-");
        Some((name, to_quantities(&self.overhead)))
    }

    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.insert(key.to_string(), value.to_string());
        self
    }

    /// Controller owner reference (`ReplicaSet`, `Job`, `StatefulSet`, `DaemonSet`, ...).
    pub fn owned_by(mut self, kind: &str, name: &str, uid: &str) -> Self {
        let api_version = match kind {
            "Job" | "CronJob" => "batch/v1",
            "ReplicaSet" | "Deployment" | "StatefulSet" | "DaemonSet" => "apps/v1",
            _ => "v1",
        };
        self.owner = Some(OwnerReference {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            uid: uid.to_string(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        });
        self
    }

    pub fn phase(mut self, phase: Phase) -> Self {
        self.phase = phase;
        self
    }

    /// Running and ready: what most pods of a healthy cluster are.
    pub fn running(self) -> Self {
        self.phase(Phase::Running).ready(true)
    }

    pub fn ready(mut self, ready: bool) -> Self {
        self.ready = ready;
        self
    }

    /// Restart count of the first container.
    pub fn restarts(mut self, restarts: i32) -> Self {
        self.restarts = restarts;
        self
    }

    /// The first container waits in `CrashLoopBackOff` (not ready).
    pub fn crash_looping(mut self) -> Self {
        self.crash_looping = true;
        self.ready = false;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }

    /// The pod as created (spec and metadata; the API server resets status on create).
    pub fn build(&self) -> Pod {
        let container = |def: &ContainerDef| Container {
            name: def.name.clone(),
            image: Some("registry.example/app:1.0".into()),
            resources: (!def.requests.is_empty()).then(|| ResourceRequirements {
                requests: Some(to_quantities(&def.requests)),
                // Extended resources (`vendor/name`) cannot be overcommitted: the API server
                // requires their limit to equal the request.
                limits: Some(to_quantities(&def.requests))
                    .map(|all| {
                        all.into_iter()
                            .filter(|(name, _)| name.contains('/'))
                            .collect::<BTreeMap<_, _>>()
                    })
                    .filter(|extended| !extended.is_empty()),
                ..Default::default()
            }),
            restart_policy: def.sidecar.then(|| "Always".to_string()),
            ..Default::default()
        };
        Pod {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                namespace: Some(self.namespace.clone()),
                labels: (!self.labels.is_empty()).then(|| self.labels.clone()),
                owner_references: self.owner.clone().map(|o| vec![o]),
                ..Default::default()
            },
            spec: Some(PodSpec {
                node_name: self.node.clone(),
                containers: self.containers.iter().map(container).collect(),
                init_containers: (!self.init_containers.is_empty())
                    .then(|| self.init_containers.iter().map(container).collect()),
                runtime_class_name: self.runtime_class().map(|(name, _)| name),
                ..Default::default()
            }),
            status: None,
        }
    }

    /// The status a kubelet (or, for a pending pod, the scheduler) would report.
    pub fn status(&self) -> PodStatus {
        let now = Time(k8s_openapi::jiff::Timestamp::now());
        let condition = |type_: &str, ok: bool, reason: Option<&str>| PodCondition {
            type_: type_.to_string(),
            status: if ok { "True" } else { "False" }.to_string(),
            reason: reason.map(str::to_string),
            last_transition_time: Some(now.clone()),
            ..Default::default()
        };
        let scheduled = self.node.is_some();
        let mut conditions = vec![condition(
            "PodScheduled",
            scheduled,
            (!scheduled).then_some("Unschedulable"),
        )];
        if scheduled {
            let started = self.phase != Phase::Pending;
            conditions.push(condition("Initialized", started, None));
            conditions.push(condition(
                "ContainersReady",
                self.ready,
                (!self.ready).then_some("ContainersNotReady"),
            ));
            conditions.push(condition(
                "Ready",
                self.ready,
                (!self.ready).then_some("ContainersNotReady"),
            ));
        }
        let container_statuses = scheduled.then(|| {
            self.containers
                .iter()
                .enumerate()
                .map(|(i, def)| self.container_status(def, i == 0, &now))
                .collect()
        });
        PodStatus {
            phase: Some(self.phase.as_str().to_string()),
            conditions: Some(conditions),
            container_statuses,
            host_ip: scheduled.then(|| "10.0.0.10".to_string()),
            start_time: scheduled.then(|| now.clone()),
            ..Default::default()
        }
    }

    fn container_status(&self, def: &ContainerDef, first: bool, now: &Time) -> ContainerStatus {
        let state = match self.phase {
            _ if first && self.crash_looping => ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("CrashLoopBackOff".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            Phase::Running => ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(now.clone()),
                }),
                ..Default::default()
            },
            Phase::Succeeded | Phase::Failed => ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: if self.phase == Phase::Succeeded { 0 } else { 1 },
                    reason: Some(
                        if self.phase == Phase::Succeeded {
                            "Completed"
                        } else {
                            "Error"
                        }
                        .into(),
                    ),
                    ..Default::default()
                }),
                ..Default::default()
            },
            Phase::Pending | Phase::Unknown => ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("ContainerCreating".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        };
        ContainerStatus {
            name: def.name.clone(),
            image: "registry.example/app:1.0".into(),
            image_id: String::new(),
            ready: self.ready,
            restart_count: if first { self.restarts } else { 0 },
            started: Some(self.phase == Phase::Running),
            state: Some(state),
            ..Default::default()
        }
    }
}

fn to_quantities(requests: &Requests) -> BTreeMap<String, Quantity> {
    requests
        .iter()
        .map(|(k, v)| (k.clone(), Quantity(v.clone())))
        .collect()
}
