//! One Node as a kubelet on a cloud VM reports it (Kubernetes 1.35): labels and annotations
//! of a managed node group, full status with capacity, allocatable, five conditions,
//! addresses, nodeInfo, ten images, runtime handlers and features. No managedFields (the
//! operator's watches do not ask for them to be dropped, but they are the one part whose size
//! varies wildly between clusters; leaving them out makes the bytes a conservative floor).

use super::fleet::ClusterPlan;
use super::out::{Out, w};
use prop_json::Rng;

/// Base time of the synthetic fleet (2025-06-01T12:34:56Z).
pub const NOW: u64 = 1_748_781_296;

/// (instance type, cores, memory KiB, allocatable millicores, allocatable memory KiB, GPUs).
const INSTANCE_TYPES: &[(&str, u32, u64, u32, u64, u32)] = &[
    ("m6i.2xlarge", 8, 32_329_416, 7_910, 31_312_584, 0),
    ("m6i.4xlarge", 16, 64_751_172, 15_890, 63_734_340, 0),
    ("c6i.8xlarge", 32, 64_751_172, 31_850, 63_734_340, 0),
    ("r6i.2xlarge", 8, 65_039_636, 7_910, 64_022_804, 0),
    ("m6i.8xlarge", 32, 130_364_180, 31_850, 129_347_348, 0),
];
const GPU_INSTANCE: (&str, u32, u64, u32, u64, u32) =
    ("g5.2xlarge", 8, 32_329_416, 7_910, 31_312_584, 1);

/// Images every node has pulled: (repository, tag, size).
const SYSTEM_IMAGES: &[(&str, &str, u64)] = &[
    (
        "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni",
        "v1.19.2-eksbuild.1",
        44_871_033,
    ),
    (
        "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy",
        "v1.35.0-minimal-eksbuild.2",
        32_194_211,
    ),
    (
        "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/aws-ebs-csi-driver",
        "v1.38.1",
        68_234_876,
    ),
    (
        "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns",
        "v1.11.4-eksbuild.2",
        18_441_992,
    ),
    ("quay.io/prometheus/node-exporter", "v1.8.2", 11_937_452),
    ("cr.fluentbit.io/fluent/fluent-bit", "3.2.4", 36_120_775),
    ("docker.io/istio/proxyv2", "1.24.2", 99_348_016),
    (
        "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/pause",
        "3.10",
        318_731,
    ),
];

/// How this node is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeState {
    Ready,
    /// The kubelet stopped posting status: every condition `Unknown`.
    NotReady,
    Cordoned,
    MemoryPressure,
}

impl NodeState {
    /// 98.5% ready, 0.5% each of the others.
    pub fn draw(rng: &mut Rng) -> NodeState {
        match rng.below(1000) {
            0..5 => NodeState::NotReady,
            5..10 => NodeState::Cordoned,
            10..15 => NodeState::MemoryPressure,
            _ => NodeState::Ready,
        }
    }
}

/// Writes node `i` of `plan` (one JSON object, no newline).
pub fn write_node(out: &mut Out<'_>, rng: &mut Rng, plan: &ClusterPlan, i: usize, rv: u64) {
    let state = NodeState::draw(rng);
    let gpu = rng.per_mille(20);
    let instance = if gpu {
        GPU_INSTANCE
    } else {
        *rng.pick(INSTANCE_TYPES)
    };
    let name = plan.node_name(i);
    let zone = plan.zone(i);
    let region = plan.region;
    let [a, b, c] = plan.node_ip_octets(i);
    let ip = format!("10.{a}.{b}.{c}");
    let created = NOW - rng.below(90 * 86_400);
    let instance_id = {
        let mut id = Vec::new();
        Out(&mut id).hex(rng, 17);
        String::from_utf8_lossy(&id).into_owned()
    };

    out.raw(r#"{"kind":"Node","apiVersion":"v1","metadata":{"#);
    w!(out, r#""name":"{name}","uid":""#);
    out.uid(rng);
    w!(out, r#"","resourceVersion":"{rv}","creationTimestamp":""#);
    out.time(created);
    let (itype, cores, memory, alloc_cpu, alloc_memory, gpus) = instance;
    w!(
        out,
        r#"","labels":{{"beta.kubernetes.io/arch":"amd64","beta.kubernetes.io/instance-type":"{itype}","beta.kubernetes.io/os":"linux","eks.amazonaws.com/capacityType":"ON_DEMAND","eks.amazonaws.com/nodegroup":"workers-{itype}","eks.amazonaws.com/nodegroup-image":"ami-0{img}","failure-domain.beta.kubernetes.io/region":"{region}","failure-domain.beta.kubernetes.io/zone":"{zone}","k8s.io/cloud-provider-aws":"{cp}","kubernetes.io/arch":"amd64","kubernetes.io/hostname":"{name}","kubernetes.io/os":"linux","node-role.kubernetes.io/worker":"","node.kubernetes.io/instance-type":"{itype}","topology.ebs.csi.aws.com/zone":"{zone}","topology.k8s.aws/zone-id":"euw1-az{az}","topology.kubernetes.io/region":"{region}","topology.kubernetes.io/zone":"{zone}"}},"#,
        img = 0x1d2c_3b4a_u64 + (i as u64 % 3),
        cp = plan.index,
        az = i % 3 + 1,
    );
    w!(
        out,
        r#""annotations":{{"alpha.kubernetes.io/provided-node-ip":"{ip}","csi.volume.kubernetes.io/nodeid":"{{\"ebs.csi.aws.com\":\"i-{instance_id}\"}}","node.alpha.kubernetes.io/ttl":"0","volumes.kubernetes.io/controller-managed-attach-detach":"true"}}}},"#
    );
    let pod_cidr = format!("100.{}.{}.0/24", 64 + (i / 256) % 64, i % 256);
    w!(
        out,
        r#""spec":{{"podCIDR":"{pod_cidr}","podCIDRs":["{pod_cidr}"],"providerID":"aws:///{zone}/i-{instance_id}""#
    );
    match state {
        NodeState::Cordoned => out.raw(
            r#","unschedulable":true,"taints":[{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule","timeAdded":"2025-05-31T22:10:00Z"}]"#,
        ),
        NodeState::NotReady => out.raw(
            r#","taints":[{"key":"node.kubernetes.io/unreachable","effect":"NoSchedule","timeAdded":"2025-06-01T12:01:40Z"},{"key":"node.kubernetes.io/unreachable","effect":"NoExecute","timeAdded":"2025-06-01T12:01:45Z"}]"#,
        ),
        NodeState::MemoryPressure => out.raw(
            r#","taints":[{"key":"node.kubernetes.io/memory-pressure","effect":"NoSchedule","timeAdded":"2025-06-01T12:20:13Z"}]"#,
        ),
        NodeState::Ready => {}
    }
    out.raw(r#"},"status":{"#);
    let gpu_field = |count: u32| {
        if count > 0 {
            format!(r#","nvidia.com/gpu":"{count}""#)
        } else {
            String::new()
        }
    };
    w!(
        out,
        r#""capacity":{{"cpu":"{cores}","ephemeral-storage":"104845292Ki","hugepages-1Gi":"0","hugepages-2Mi":"0","memory":"{memory}Ki"{g},"pods":"110"}},"allocatable":{{"cpu":"{alloc_cpu}m","ephemeral-storage":"95551679124","hugepages-1Gi":"0","hugepages-2Mi":"0","memory":"{alloc_memory}Ki"{g},"pods":"110"}},"#,
        g = gpu_field(gpus),
    );
    write_conditions(out, state, created);
    w!(
        out,
        r#","addresses":[{{"type":"InternalIP","address":"{ip}"}},{{"type":"InternalDNS","address":"{name}"}},{{"type":"Hostname","address":"{name}"}}],"daemonEndpoints":{{"kubeletEndpoint":{{"Port":10250}}}},"nodeInfo":{{"machineID":""#
    );
    out.hex(rng, 32);
    out.raw(r#"","systemUUID":"ec2"#);
    out.hex(rng, 5);
    out.raw("-");
    out.hex(rng, 4);
    out.raw("-");
    out.hex(rng, 4);
    out.raw("-");
    out.hex(rng, 4);
    out.raw("-");
    out.hex(rng, 12);
    out.raw(r#"","bootID":""#);
    out.uid(rng);
    out.raw(
        r#"","kernelVersion":"6.1.119-129.201.amzn2023.x86_64","osImage":"Amazon Linux 2023.6.20250107","containerRuntimeVersion":"containerd://1.7.25","kubeletVersion":"v1.35.0-eks-aeac579","kubeProxyVersion":"v1.35.0-eks-aeac579","operatingSystem":"linux","architecture":"amd64","swap":{}},"images":["#,
    );
    write_images(out, rng, plan);
    out.raw(
        r#","runtimeHandlers":[{"name":"runc","features":{"recursiveReadOnlyMounts":true,"userNamespaces":true}},{"name":"","features":{"recursiveReadOnlyMounts":true,"userNamespaces":true}}],"features":{"supplementalGroupsPolicy":true}}}"#,
    );
}

/// The five conditions, kubelet's four and the CNI's NetworkUnavailable.
fn write_conditions(out: &mut Out<'_>, state: NodeState, created: u64) {
    let heartbeat = NOW - 20;
    // (type, status when fine, reason when fine, message when fine)
    let kinds = [
        (
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        (
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
        ),
        (
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
        ),
        (
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
        ),
    ];
    out.raw(r#""conditions":["#);
    w!(
        out,
        r#"{{"type":"NetworkUnavailable","status":"False","lastHeartbeatTime":"#
    );
    time_value(out, created + 30);
    out.raw(r#","lastTransitionTime":"#);
    time_value(out, created + 30);
    out.raw(r#","reason":"RouteCreated","message":"RouteController created a route"},"#);
    for (type_, status, reason, message) in kinds {
        let (status, reason, message) = match (state, type_) {
            (NodeState::NotReady, _) => (
                "Unknown",
                "NodeStatusUnknown",
                "Kubelet stopped posting node status.",
            ),
            (NodeState::MemoryPressure, "MemoryPressure") => (
                "True",
                "KubeletHasInsufficientMemory",
                "kubelet has insufficient memory available",
            ),
            _ => (status, reason, message),
        };
        w!(
            out,
            r#"{{"type":"{type_}","status":"{status}","lastHeartbeatTime":"#
        );
        time_value(out, heartbeat);
        out.raw(r#","lastTransitionTime":"#);
        time_value(out, created + 45);
        w!(out, r#","reason":"{reason}","message":"{message}"}},"#);
    }
    out.close_list("]");
}

fn time_value(out: &mut Out<'_>, unix: u64) {
    out.raw("\"");
    out.time(unix);
    out.raw("\"");
}

/// Ten images: the system ones and two application images of this cluster's workloads (none
/// when it runs no workloads: a member sized with no pods).
fn write_images(out: &mut Out<'_>, rng: &mut Rng, plan: &ClusterPlan) {
    for (repository, tag, size) in SYSTEM_IMAGES {
        image(out, repository, tag, *size);
    }
    let app_images = if plan.workloads.is_empty() { 0 } else { 2 };
    for _ in 0..app_images {
        let workload = rng.pick(&plan.workloads);
        let app = &workload.template.containers[0];
        let size = rng.range(40_000_000, 900_000_000);
        w!(
            out,
            r#"{{"names":["{r}@sha256:{d}","{r}:{t}"],"sizeBytes":{size}}},"#,
            r = app.repository,
            d = app.digest,
            t = app.tag,
        );
    }
    out.close_list("]");
}

fn image(out: &mut Out<'_>, repository: &str, tag: &str, size: u64) {
    w!(out, r#"{{"names":["{repository}@sha256:"#);
    // One digest per image, the same on every node.
    out.hex(&mut Rng::from_name(repository), 64);
    w!(out, r#"","{repository}:{tag}"],"sizeBytes":{size}}},"#);
}
