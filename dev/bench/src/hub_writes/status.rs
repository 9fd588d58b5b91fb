//! The statuses the benchmark writes, built from the API types so that they are exactly what
//! the CRD validates and what a reader parses: the ClusterInsight of a 5,000-node, 20,000-pod
//! member (Karmada's published scale) as the operator would write it — conditions, counts,
//! resources, usage, headroom — with `details` entries in `nodeDetails.items` (the operator
//! lists at most 200). Only the node list varies with the size, as it does between members.
//!
//! Every write must change the object, as the operator's do (it skips unchanged statuses): an
//! unchanged apply is a no-op the hub answers without writing to etcd, and would measure less
//! than a real write.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;
use karmada_manager_api::conditions::{reasons, status as condition, types};
use karmada_manager_api::{
    ClusterInfo, ClusterInsightStatus, ClusterWorkloadCounts, Headroom, InsightSource, NodeCounts,
    NodeDetail, NodeDetails, NodePodCounts, NodeProblem, NodeResourceFigures, NodeShape, PodCounts,
    ResourceFigures, ResourceUsage, UsageFigures,
};
use std::collections::BTreeMap;

const NODES: i64 = 5_000;
const PODS: i64 = 20_000;
/// The operator's default cap on `nodeDetails.items` (`--node-detail-limit`).
const LIMIT: i32 = 200;
/// Problem nodes of the member, listed first as the operator lists them: NotReady, then memory
/// and disk pressure, then cordoned (about 2% of the nodes).
const NOT_READY: i64 = 50;
const MEMORY_PRESSURE: i64 = 15;
const DISK_PRESSURE: i64 = 10;
const CORDONED: i64 = 25;
/// 2026-12-05T10:00:00Z: `lastChangeTime` of the first write; each write moves it on.
const EPOCH_SECS: i64 = 1_796_464_800;
const ZONES: [&str; 3] = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

/// The whole status with `details` node details, stamped with change number `n`.
pub fn whole(details: usize, n: u64) -> ClusterInsightStatus {
    let at = time(n);
    let mut status = ClusterInsightStatus {
        observed_generation: Some(1),
        source: Some(InsightSource::Direct),
        last_change_time: Some(at.clone()),
        conditions: conditions(&at),
        cluster: cluster_info(),
        nodes: node_counts(),
        pods: pods(n),
        resources: resources(),
        usage: Some(usage(&at)),
        node_details: NodeDetails {
            limit: LIMIT,
            omitted: NODES - details as i64,
            items: (0..details).map(node_detail).collect(),
        },
        headroom: Some(headroom()),
        workloads: ClusterWorkloadCounts {
            bindings: 120,
            replicas: 480,
        },
    };
    touch(&mut status, n);
    status
}

/// Change number `n` of a whole status: what one changed pod moves (the pod counts, the
/// restarts of one listed node) and the change time. The size stays the same.
pub fn touch(status: &mut ClusterInsightStatus, n: u64) {
    status.pods = pods(n);
    status.last_change_time = Some(time(n));
    let items = &mut status.node_details.items;
    if !items.is_empty() {
        let i = n as usize % items.len();
        items[i].pods.restarts = restarts(n);
    }
}

/// `status.pods` alone at change number `n`: the part the `*-part` kinds write.
pub fn pods(n: u64) -> PodCounts {
    PodCounts {
        total: PODS,
        running: PODS - 260,
        pending: 100,
        succeeded: 100,
        failed: 60,
        unknown: 0,
        not_ready: 160,
        restarts: restarts(n),
        crash_looping: 12,
    }
}

/// A pod restart count that differs at every change number, of the same width for the first
/// million changes, so that a change keeps the size of the status.
fn restarts(n: u64) -> i64 {
    1_000_000 + n as i64
}

fn time(n: u64) -> Time {
    Time(Timestamp::constant(EPOCH_SECS + n as i64, 0))
}

fn conditions(at: &Time) -> Vec<Condition> {
    let condition = |type_: &str, reason: &str, message: String| Condition {
        type_: type_.into(),
        status: condition::TRUE.into(),
        reason: reason.into(),
        message,
        observed_generation: Some(1),
        last_transition_time: at.clone(),
    };
    vec![
        condition(
            types::READY,
            reasons::SYNCED,
            format!("{NODES} nodes, {PODS} pods observed"),
        ),
        condition(
            types::DEGRADED,
            reasons::NODES_DEGRADED,
            format!(
                "of {NODES} nodes: {NOT_READY} NotReady, {MEMORY_PRESSURE} under memory pressure, \
                 {DISK_PRESSURE} under disk pressure; see status.nodeDetails"
            ),
        ),
    ]
}

fn cluster_info() -> ClusterInfo {
    ClusterInfo {
        sync_mode: Some("Push".into()),
        kubernetes_version: Some("v1.35.0-eks-aeac579".into()),
        provider: Some("aws".into()),
        region: Some("eu-west-1".into()),
        zones: ZONES.iter().map(|z| z.to_string()).collect(),
        karmada_ready: Some(condition::TRUE.into()),
    }
}

fn node_counts() -> NodeCounts {
    let ready = NODES - NOT_READY;
    NodeCounts {
        total: NODES,
        ready,
        not_ready: NOT_READY,
        unschedulable: CORDONED,
        memory_pressure: MEMORY_PRESSURE,
        disk_pressure: DISK_PRESSURE,
        pid_pressure: 0,
        display: format!("{ready}/{NODES}"),
    }
}

fn quantity(text: impl Into<String>) -> Quantity {
    Quantity(text.into())
}

fn resources() -> BTreeMap<String, ResourceFigures> {
    let figures = |capacity: &str, allocatable: &str, allocated: &str, available: &str, pct| {
        ResourceFigures {
            capacity: Some(quantity(capacity)),
            allocatable: quantity(allocatable),
            allocated: quantity(allocated),
            allocating: quantity("0"),
            available: quantity(available),
            allocated_percent: pct,
        }
    };
    BTreeMap::from([
        ("cpu".into(), figures("80k", "79450", "60382", "19068", 76)),
        (
            "memory".into(),
            figures("327676Gi", "303907Gi", "203618Gi", "100289Gi", 67),
        ),
        ("pods".into(), figures("550k", "550k", "19740", "530260", 3)),
        (
            "ephemeral-storage".into(),
            figures("500T", "460T", "20T", "440T", 4),
        ),
    ])
}

fn usage(at: &Time) -> ResourceUsage {
    ResourceUsage {
        cpu: Some(UsageFigures {
            used: quantity("31780"),
            percent: 40,
        }),
        memory: Some(UsageFigures {
            used: quantity("151953Gi"),
            percent: 50,
        }),
        observed_at: Some(at.clone()),
        stale: false,
    }
}

/// Node `i` of the list: the problem nodes first, then healthy ones by name, with the fields a
/// node of an EKS pool has (zone, instance type, kubelet version; no role labels).
fn node_detail(i: usize) -> NodeDetail {
    let k = i as i64;
    let problem = match k {
        _ if k < NOT_READY => Some(NodeProblem::NotReady),
        _ if k < NOT_READY + MEMORY_PRESSURE => Some(NodeProblem::MemoryPressure),
        _ if k < NOT_READY + MEMORY_PRESSURE + DISK_PRESSURE => Some(NodeProblem::DiskPressure),
        _ if k < NOT_READY + MEMORY_PRESSURE + DISK_PRESSURE + CORDONED => {
            Some(NodeProblem::Cordoned)
        }
        _ => None,
    };
    let percent = 40 + (k * 37 % 55) as i32;
    let running = 2 + k % 5;
    NodeDetail {
        name: format!(
            "ip-10-0-{}-{}.eu-west-1.compute.internal",
            i / 250,
            i % 250 + 4
        ),
        ready: problem != Some(NodeProblem::NotReady),
        schedulable: problem != Some(NodeProblem::Cordoned),
        roles: Vec::new(),
        zone: Some(ZONES[i % ZONES.len()].into()),
        instance_type: Some("m6i.4xlarge".into()),
        kubelet_version: Some("v1.35.0-eks-aeac579".into()),
        problems: problem.into_iter().collect(),
        cpu: NodeResourceFigures {
            allocatable: quantity("15890m"),
            allocated: quantity(format!("{}m", 15_890 * i64::from(percent) / 100)),
            percent,
        },
        memory: NodeResourceFigures {
            allocatable: quantity("63734340Ki"),
            allocated: quantity(format!("{}Ki", 63_734_340 * i64::from(percent - 9) / 100)),
            percent: percent - 9,
        },
        pods: NodePodCounts {
            capacity: 110,
            total: running + 1,
            running,
            pending: 1,
            failed: 0,
            restarts: restarts(0),
        },
    }
}

/// The member's schedulable nodes as the operator groups them: one pool of one instance type in
/// three zones, in a few fill levels.
fn headroom() -> Headroom {
    let keys = [
        "node.kubernetes.io/instance-type",
        "topology.kubernetes.io/zone",
    ];
    // Free cpu (millicores) and memory on a node, and how many nodes of the zone have that.
    let fills = [
        (1_600, "6Gi", 640),
        (4_000, "16Gi", 330),
        (8_000, "30Gi", 680),
    ];
    let shapes = ZONES
        .iter()
        .flat_map(|zone| fills.map(|fill| (zone, fill)))
        .map(|(zone, (cpu_milli, memory, count))| NodeShape {
            count,
            free: BTreeMap::from([
                ("cpu".into(), quantity(format!("{cpu_milli}m"))),
                ("memory".into(), quantity(memory)),
                ("pods".into(), quantity("105")),
                ("ephemeral-storage".into(), quantity("80G")),
            ]),
            labels: BTreeMap::from([
                (keys[0].into(), "m6i.4xlarge".into()),
                (keys[1].into(), zone.to_string()),
            ]),
            taints: Vec::new(),
        })
        .collect();
    Headroom {
        nodes: NODES - NOT_READY,
        label_keys: keys.iter().map(|k| k.to_string()).collect(),
        grain: BTreeMap::new(),
        shapes,
        omitted: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_details_asked_for_and_every_change_differs() {
        let status = whole(200, 7);
        assert_eq!(status.node_details.items.len(), 200);
        assert_eq!(status.node_details.omitted, NODES - 200);
        assert_eq!(
            status.node_details.items[0].problems,
            [NodeProblem::NotReady]
        );
        assert!(status.node_details.items[199].problems.is_empty());
        let mut next = status.clone();
        touch(&mut next, 8);
        assert_ne!(next, status);
        let len = |s: &ClusterInsightStatus| serde_json::to_vec(s).unwrap().len();
        assert_eq!(len(&next), len(&status), "a change keeps the size");
        assert!(len(&whole(0, 1)) < len(&whole(50, 1)));
        assert!(len(&whole(50, 1)) < len(&status));
        let headroom = status.headroom.unwrap();
        let in_shapes: i64 = headroom.shapes.iter().map(|s| s.count).sum();
        assert_eq!(
            in_shapes, headroom.nodes,
            "every schedulable node is in a shape"
        );
    }
}
