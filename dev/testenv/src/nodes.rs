//! Realistic Nodes, built fluently: capacity and allocatable, conditions as a kubelet reports
//! them, labels (roles, zone, instance type), taints and cordoning.

use k8s_openapi::api::core::v1::{
    Node, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// Kubelet conditions that report pressure when True.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pressure {
    Memory,
    Disk,
    Pid,
}

impl Pressure {
    fn condition_type(self) -> &'static str {
        match self {
            Pressure::Memory => "MemoryPressure",
            Pressure::Disk => "DiskPressure",
            Pressure::Pid => "PIDPressure",
        }
    }
}

#[derive(Clone, Debug)]
pub struct NodeBuilder {
    name: String,
    /// resource → (capacity, allocatable)
    resources: BTreeMap<String, (String, String)>,
    labels: BTreeMap<String, String>,
    taints: Vec<Taint>,
    ready: bool,
    pressure: Vec<Pressure>,
    unschedulable: bool,
    kubelet_version: String,
}

/// A Ready worker node with 4 CPUs (3900m allocatable), 16Gi memory (15872Mi allocatable), 110
/// pods and 100Gi ephemeral storage: allocatable is lower where kubelet reserves some.
pub fn node(name: &str) -> NodeBuilder {
    NodeBuilder {
        name: name.to_string(),
        resources: [
            ("cpu", "4", "3900m"),
            ("memory", "16Gi", "15872Mi"),
            ("pods", "110", "110"),
            ("ephemeral-storage", "100Gi", "100Gi"),
        ]
        .into_iter()
        .map(|(k, c, a)| (k.to_string(), (c.to_string(), a.to_string())))
        .collect(),
        labels: BTreeMap::from([
            ("kubernetes.io/hostname".to_string(), name.to_string()),
            ("kubernetes.io/os".to_string(), "linux".to_string()),
            ("node-role.kubernetes.io/worker".to_string(), String::new()),
        ]),
        taints: Vec::new(),
        ready: true,
        pressure: Vec::new(),
        unschedulable: false,
        kubelet_version: crate::versions::KUBERNETES.to_string(),
    }
}

impl NodeBuilder {
    /// Sets capacity and allocatable of a resource (e.g. `nvidia.com/gpu`).
    pub fn resource(mut self, resource: &str, capacity: &str, allocatable: &str) -> Self {
        self.resources.insert(
            resource.to_string(),
            (capacity.to_string(), allocatable.to_string()),
        );
        self
    }

    /// CPU capacity and allocatable both `quantity`.
    pub fn cpu(self, quantity: &str) -> Self {
        self.resource("cpu", quantity, quantity)
    }

    /// Memory capacity and allocatable both `quantity`.
    pub fn memory(self, quantity: &str) -> Self {
        self.resource("memory", quantity, quantity)
    }

    pub fn max_pods(self, pods: u32) -> Self {
        self.resource("pods", &pods.to_string(), &pods.to_string())
    }

    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.insert(key.to_string(), value.to_string());
        self
    }

    /// Replaces the default `worker` role.
    pub fn role(mut self, role: &str) -> Self {
        self.labels
            .retain(|k, _| !k.starts_with("node-role.kubernetes.io/"));
        self.labels
            .insert(format!("node-role.kubernetes.io/{role}"), String::new());
        self
    }

    pub fn zone(self, zone: &str) -> Self {
        self.label("topology.kubernetes.io/zone", zone)
    }

    pub fn instance_type(self, instance_type: &str) -> Self {
        self.label("node.kubernetes.io/instance-type", instance_type)
    }

    pub fn taint(mut self, key: &str, effect: &str) -> Self {
        self.taints.push(Taint {
            key: key.to_string(),
            effect: effect.to_string(),
            ..Default::default()
        });
        self
    }

    pub fn not_ready(mut self) -> Self {
        self.ready = false;
        self
    }

    pub fn pressure(mut self, pressure: Pressure) -> Self {
        self.pressure.push(pressure);
        self
    }

    /// Cordoned: `spec.unschedulable`, as `kubectl cordon` sets it.
    pub fn cordoned(mut self) -> Self {
        self.unschedulable = true;
        self
    }

    pub fn kubelet_version(mut self, version: &str) -> Self {
        self.kubelet_version = version.to_string();
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node's own taints plus those kube-controller-manager's node lifecycle controller
    /// keeps on it for its conditions and cordon (`NoSchedule`: not-ready, the pressures,
    /// unschedulable), in that order.
    pub fn lifecycle_taints(&self) -> Vec<Taint> {
        let mut taints = self.taints.clone();
        let mut add = |key: &str| {
            taints.push(Taint {
                key: format!("node.kubernetes.io/{key}"),
                effect: "NoSchedule".to_string(),
                ..Default::default()
            })
        };
        if !self.ready {
            add("not-ready");
        }
        for pressure in &self.pressure {
            add(match pressure {
                Pressure::Memory => "memory-pressure",
                Pressure::Disk => "disk-pressure",
                Pressure::Pid => "pid-pressure",
            });
        }
        if self.unschedulable {
            add("unschedulable");
        }
        taints
    }

    pub fn build(&self) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                labels: Some(self.labels.clone()),
                ..Default::default()
            },
            spec: Some(NodeSpec {
                unschedulable: self.unschedulable.then_some(true),
                taints: (!self.taints.is_empty()).then(|| self.taints.clone()),
                ..Default::default()
            }),
            status: Some(self.status()),
        }
    }

    /// The status a kubelet would report for this node.
    pub fn status(&self) -> NodeStatus {
        let capacity = self
            .resources
            .iter()
            .map(|(k, (c, _))| (k.clone(), Quantity(c.clone())))
            .collect();
        let allocatable = self
            .resources
            .iter()
            .map(|(k, (_, a))| (k.clone(), Quantity(a.clone())))
            .collect();
        let now = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            k8s_openapi::jiff::Timestamp::now(),
        );
        let condition = |type_: &str, status: bool, reason: &str| NodeCondition {
            type_: type_.to_string(),
            status: if status { "True" } else { "False" }.to_string(),
            reason: Some(reason.to_string()),
            last_heartbeat_time: Some(now.clone()),
            last_transition_time: Some(now.clone()),
            ..Default::default()
        };
        let mut conditions = vec![condition(
            "Ready",
            self.ready,
            if self.ready {
                "KubeletReady"
            } else {
                "KubeletNotReady"
            },
        )];
        for pressure in [Pressure::Memory, Pressure::Disk, Pressure::Pid] {
            let on = self.pressure.contains(&pressure);
            let reason = format!(
                "Kubelet{}{}",
                if on { "Has" } else { "HasNo" },
                pressure.condition_type().replace("PID", "Pid")
            );
            conditions.push(condition(pressure.condition_type(), on, &reason));
        }
        NodeStatus {
            capacity: Some(capacity),
            allocatable: Some(allocatable),
            conditions: Some(conditions),
            node_info: Some(NodeSystemInfo {
                kubelet_version: self.kubelet_version.clone(),
                kube_proxy_version: String::new(),
                architecture: "amd64".into(),
                operating_system: "linux".into(),
                os_image: "Debian GNU/Linux 12 (bookworm)".into(),
                kernel_version: "6.1.0".into(),
                container_runtime_version: "containerd://2.0.0".into(),
                boot_id: String::new(),
                machine_id: String::new(),
                system_uuid: String::new(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}
