use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use karmada_manager_api::{
    ClusterInsightStatus, FleetWorkloadCounts, PolicyCounts, ResourceFigures,
};
use karmada_types::ResourceBindingSpec;
use serde_json::json;

use super::*;
use crate::status::cluster_insight::scheduled_bindings;

fn q(text: &str) -> k8s_openapi::apimachinery::pkg::api::resource::Quantity {
    k8s_openapi::apimachinery::pkg::api::resource::Quantity(text.to_owned())
}

fn ready(status: &str) -> Condition {
    Condition {
        type_: "Ready".into(),
        status: status.into(),
        reason: "Synced".into(),
        message: String::new(),
        last_transition_time: Time(Default::default()),
        observed_generation: None,
    }
}

fn member(
    cpu: (&str, &str),
    memory: (&str, &str),
    capacity: bool,
    ready_status: &str,
) -> ClusterInsightStatus {
    let figures = |(allocatable, allocated): (&str, &str)| ResourceFigures {
        capacity: capacity.then(|| q(allocatable)),
        allocatable: q(allocatable),
        allocated: q(allocated),
        allocating: q("1"),
        available: q("999"),
        allocated_percent: 0,
    };
    let mut status = ClusterInsightStatus {
        conditions: vec![ready(ready_status)],
        ..ClusterInsightStatus::default()
    };
    status.resources.insert("cpu".into(), figures(cpu));
    status.resources.insert("memory".into(), figures(memory));
    let cpu_percent = crate::quantity::percent(amount_of(&q(cpu.1)), amount_of(&q(cpu.0)));
    let memory_percent = crate::quantity::percent(amount_of(&q(memory.1)), amount_of(&q(memory.0)));
    status
        .resources
        .get_mut("cpu")
        .expect("cpu")
        .allocated_percent = cpu_percent;
    status
        .resources
        .get_mut("memory")
        .expect("memory")
        .allocated_percent = memory_percent;
    status.nodes.total = 10;
    status.nodes.ready = 9;
    status.pods.running = 100;
    status.pods.total = 110;
    status
}

#[test]
fn fleet_sums_members_and_ranks_the_busiest() {
    let m1 = member(("100", "61"), ("400Gi", "200Gi"), true, "True");
    let m2 = member(("100", "20"), ("400Gi", "300Gi"), true, "True");
    let m3 = member(("50", "10"), ("100Gi", "10Gi"), false, "False");
    let hub = HubCounts {
        workloads: FleetWorkloadCounts {
            total: 42,
            ready: 39,
            progressing: 2,
            failed: 1,
            display: String::new(),
        },
        policies: PolicyCounts {
            propagation: 12,
            cluster_propagation: 2,
            overrides: 5,
            cluster_override: 1,
        },
    };
    let options = FleetOptions {
        top_clusters_limit: 2,
    };
    let insights = [("m1", &m1), ("m2", &m2), ("m3", &m3)];
    let fleet = fleet_insight_status(insights, &hub, &options);
    assert_eq!((fleet.clusters.total, fleet.clusters.ready), (3, 2));
    assert_eq!(fleet.clusters.display, "2/3");
    assert_eq!(
        (fleet.nodes.total, fleet.nodes.ready, fleet.nodes.not_ready),
        (30, 27, 3)
    );
    assert_eq!(fleet.nodes.display, "27/30");
    assert_eq!((fleet.pods.running, fleet.pods.total), (300, 330));
    assert_eq!(
        fleet.resources["cpu"],
        ResourceFigures {
            capacity: None,
            allocatable: q("250"),
            allocated: q("91"),
            allocating: q("3"),
            available: q("156"),
            allocated_percent: 36,
        }
    );
    assert_eq!(fleet.resources["memory"].allocated, q("510Gi"));
    assert_eq!(fleet.workloads.display, "39/42");
    assert_eq!(fleet.policies.overrides, 5);
    let top: Vec<(&str, i32, i32)> = fleet
        .top_clusters
        .iter()
        .map(|t| (t.name.as_str(), t.cpu_percent, t.memory_percent))
        .collect();
    assert_eq!(top, [("m2", 20, 75), ("m1", 61, 50)]);
    assert_eq!(fleet.omitted_top_clusters, 1);
    assert_eq!(fleet.top_clusters[0].pods, 100);

    // Order of the input does not matter.
    let reversed = fleet_insight_status(insights.into_iter().rev(), &hub, &options);
    assert_eq!(
        serde_json::to_string(&fleet).expect("json"),
        serde_json::to_string(&reversed).expect("json")
    );

    // With every member reporting capacity, it is summed.
    let full = fleet_insight_status([("m1", &m1), ("m2", &m2)], &hub, &options);
    assert_eq!(full.resources["cpu"].capacity, Some(q("200")));
}

#[test]
fn workload_counts_cover_bindings_targeting_the_member() {
    let spec = |targets: &[(&str, i32)]| -> ResourceBindingSpec {
        serde_json::from_value(json!({
            "clusters": targets.iter().map(|(n, r)| json!({"name": n, "replicas": r})).collect::<Vec<_>>()
        }))
        .expect("spec")
    };
    let specs = [
        spec(&[("m1", 3), ("m2", 2)]),
        spec(&[("m2", 5)]),
        spec(&[("m1", 0)]),
        spec(&[]),
    ];
    let counts = scheduled_bindings("m1", &specs);
    assert_eq!((counts.bindings, counts.replicas), (2, 3));
    let counts = scheduled_bindings("m2", specs.iter());
    assert_eq!((counts.bindings, counts.replicas), (2, 7));
}

/// Regression (property `fleet_insight_keeps_its_invariants`): member statuses are read back
/// from the hub, and two ClusterInsights claiming `nodes.total: 9223372036854775807` made the
/// fleet sum overflow (a panic in debug builds, a silent wrap in release); a member with
/// `ready: 1, total: 0` gave `notReady: -1`.
#[test]
fn fleet_counts_saturate_and_never_go_negative() {
    let mut huge = ClusterInsightStatus::default();
    huge.nodes.total = i64::MAX;
    huge.nodes.ready = i64::MAX;
    huge.pods.restarts = i64::MAX;
    let mut odd = ClusterInsightStatus::default();
    odd.nodes.ready = 1;
    odd.nodes.total = 0;
    odd.pods.total = -7;
    odd.nodes.unschedulable = i64::MIN;
    let fleet = fleet_insight_status(
        [("a", &huge), ("b", &huge), ("c", &odd)],
        &HubCounts::default(),
        &FleetOptions::default(),
    );
    assert_eq!(
        (fleet.nodes.total, fleet.nodes.ready, fleet.nodes.not_ready),
        (i64::MAX, i64::MAX, 0)
    );
    assert_eq!((fleet.pods.restarts, fleet.pods.total), (i64::MAX, 0));
    assert_eq!(fleet.nodes.unschedulable, 0);

    let odd_only = fleet_insight_status(
        [("c", &odd)],
        &HubCounts::default(),
        &FleetOptions::default(),
    );
    assert_eq!(
        (
            odd_only.nodes.total,
            odd_only.nodes.ready,
            odd_only.nodes.not_ready
        ),
        (0, 0, 0)
    );
    assert_eq!(odd_only.nodes.display, "0/0");
}

/// Regression (property `fleet_insight_keeps_its_invariants`): resource sums saturated step by
/// step, so with members at the `Amount` bounds the result depended on the order of the
/// members (MAX + 1m − 1m gave MAX − 1m one way round and MAX the other).
#[test]
fn fleet_resource_sums_are_exact_in_any_order() {
    let with_cpu = |allocatable: &str| {
        let mut status = ClusterInsightStatus::default();
        status.resources.insert(
            "cpu".into(),
            ResourceFigures {
                allocatable: q(allocatable),
                allocated: q("0"),
                allocating: q("0"),
                ..ResourceFigures::default()
            },
        );
        status
    };
    let max = with_cpu("170141183460469231731687303715884105727m");
    let plus = with_cpu("1m");
    let minus = with_cpu("-1m");
    let options = FleetOptions::default();
    let one_way = fleet_insight_status(
        [("a", &max), ("b", &plus), ("c", &minus)],
        &HubCounts::default(),
        &options,
    );
    let other_way = fleet_insight_status(
        [("c", &minus), ("b", &plus), ("a", &max)],
        &HubCounts::default(),
        &options,
    );
    assert_eq!(one_way, other_way);
    assert_eq!(
        one_way.resources["cpu"].allocatable,
        q("170141183460469231731687303715884105727m")
    );
}
