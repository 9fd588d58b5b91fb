//! Property tests of the `ClusterInsight` and `FleetInsight` builders (bad input from members):
//! random members (duplicate names, pods on unknown nodes, zero, negative and huge quantities,
//! restarts of any sign, every phase) go through the incremental index and the builders; the result
//! never panics and keeps its invariants: totals equal the exact sum of the parts (clamped at the
//! `Amount` bounds), counts partition and are never negative, percentages are what `percent` says,
//! lists stay within their caps with exact `omitted` counts, the size guard's report is true, the
//! status serializes and reads back, and the same world gives the same status whatever order it
//! arrived in.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod prop_support;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use karmada_manager_api::{
    ClusterInsightStatus, FleetInsightStatus, NodeCounts, NodeDetail, NodeProblem, PodCounts,
    ResourceFigures,
};
use karmada_manager_core::{
    Amount, ClusterIndex, ClusterInsightOptions, FleetOptions, Format, HubCounts, MemberEvent,
    MemberIndex, NodeUsage, PodPhase, ResourceList, SlimNode, SlimPod, WatcherEvent,
    cluster_status_fallback, cluster_usage, fleet_insight_status, member_figures, percent,
};
use karmada_types::{Cluster, NodeSummary, ResourceSummary};
use prop_support::{CORE_KEYS, CORE_STRINGS, config, json_value};
use proptest::prelude::*;

const RESOURCES: &[&str] = &[
    "cpu",
    "memory",
    "pods",
    "nvidia.com/gpu",
    "ephemeral-storage",
    "hugepages-2Mi",
];
/// Pods request these (`pods` is counted by the index itself, never requested).
const REQUESTED: &[&str] = &["cpu", "memory", "nvidia.com/gpu", "hugepages-2Mi"];

/// Amounts with zero, negative, tiny and huge values well represented.
fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        4 => (0i128..100_000_000).prop_map(Amount::from_milli),
        1 => Just(Amount::ZERO),
        1 => (-5_000i128..0).prop_map(Amount::from_milli),
        1 => prop::sample::select(vec![
            i128::MAX, i128::MIN, i128::MAX / 2, i128::MAX - 1, i128::MIN + 1, 1, -1,
        ]).prop_map(Amount::from_milli),
        1 => any::<i128>().prop_map(Amount::from_milli),
    ]
}

fn resource_list(names: &'static [&'static str]) -> impl Strategy<Value = ResourceList> {
    proptest::collection::vec((prop::sample::select(names), amount()), 0..5)
        .prop_map(ResourceList::from_pairs)
}

#[derive(Clone, Debug)]
struct NodeSpec {
    name: usize,
    ready: bool,
    unschedulable: bool,
    memory_pressure: bool,
    disk_pressure: bool,
    pid_pressure: bool,
    network_unavailable: bool,
    capacity: ResourceList,
    allocatable: ResourceList,
}

impl NodeSpec {
    fn slim(&self) -> SlimNode {
        let mut node = SlimNode::new(&node_name(self.name));
        node.ready = self.ready;
        node.unschedulable = self.unschedulable;
        node.memory_pressure = self.memory_pressure;
        node.disk_pressure = self.disk_pressure;
        node.pid_pressure = self.pid_pressure;
        node.network_unavailable = self.network_unavailable;
        node.capacity = self.capacity.clone();
        node.allocatable = self.allocatable.clone();
        node
    }
}

fn node_name(i: usize) -> String {
    format!("node-{i}")
}

/// Nodes 0–5 exist sometimes; pods also name nodes 6–7, which never do.
fn node_spec() -> impl Strategy<Value = NodeSpec> {
    (
        0usize..6,
        prop::array::uniform6(any::<bool>()),
        resource_list(RESOURCES),
        resource_list(RESOURCES),
    )
        .prop_map(|(name, flags, capacity, allocatable)| NodeSpec {
            name,
            ready: flags[0],
            unschedulable: flags[1],
            memory_pressure: flags[2],
            disk_pressure: flags[3],
            pid_pressure: flags[4],
            network_unavailable: flags[5],
            capacity,
            allocatable,
        })
}

#[derive(Clone, Debug)]
struct PodSpec {
    namespace: usize,
    name: usize,
    node: Option<usize>,
    phase: PodPhase,
    ready: bool,
    restarts: i64,
    crash_looping: bool,
    requests: ResourceList,
}

impl PodSpec {
    fn key(&self) -> (String, String) {
        (
            format!("ns-{}", self.namespace),
            format!("pod-{}", self.name),
        )
    }

    fn slim(&self) -> SlimPod {
        let (namespace, name) = self.key();
        let mut pod = SlimPod::new(&namespace, &name);
        if let Some(node) = self.node {
            pod = pod.on_node(&node_name(node));
        }
        pod.phase = self.phase;
        pod.ready = self.ready;
        pod.restarts = self.restarts;
        pod.crash_looping = self.crash_looping;
        pod.requests = self.requests.clone();
        pod
    }
}

fn pod_spec() -> impl Strategy<Value = PodSpec> {
    (
        (
            0usize..3,
            0usize..8,
            proptest::option::weighted(0.8, 0usize..8),
        ),
        prop::sample::select(vec![
            PodPhase::Pending,
            PodPhase::Running,
            PodPhase::Succeeded,
            PodPhase::Failed,
            PodPhase::Unknown,
        ]),
        (any::<bool>(), any::<bool>()),
        prop_oneof![4 => 0i64..20, 1 => any::<i64>()],
        resource_list(REQUESTED),
    )
        .prop_map(
            |((namespace, name, node), phase, (ready, crash_looping), restarts, requests)| {
                PodSpec {
                    namespace,
                    name,
                    node,
                    phase,
                    ready,
                    restarts,
                    crash_looping,
                    requests,
                }
            },
        )
}

#[derive(Clone, Debug)]
enum Event {
    Node(NodeSpec),
    DeleteNode(usize),
    Pod(PodSpec),
    DeletePod(usize, usize),
    /// A node relist that mentions only these nodes.
    RelistNodes(Vec<NodeSpec>),
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    let event = prop_oneof![
        4 => node_spec().prop_map(Event::Node),
        1 => (0usize..6).prop_map(Event::DeleteNode),
        8 => pod_spec().prop_map(Event::Pod),
        1 => (0usize..3, 0usize..8).prop_map(|(ns, name)| Event::DeletePod(ns, name)),
        1 => proptest::collection::vec(node_spec(), 0..4).prop_map(Event::RelistNodes),
    ];
    proptest::collection::vec(event, 0..40)
}

/// The member after the events: the index, and the world it should hold.
struct Member {
    index: ClusterIndex,
    nodes: BTreeMap<usize, NodeSpec>,
    pods: BTreeMap<(usize, usize), PodSpec>,
}

/// Feeds one watch event to a member's index, as the operator's watches do.
fn feed(index: &mut MemberIndex, event: MemberEvent) {
    index.apply_event(event);
}

fn member(events: &[Event]) -> Member {
    let mut index = MemberIndex::new();
    let mut nodes = BTreeMap::new();
    let mut pods = BTreeMap::new();
    for event in events {
        match event {
            Event::Node(spec) => {
                feed(
                    &mut index,
                    MemberEvent::Node(WatcherEvent::Apply(spec.slim())),
                );
                nodes.insert(spec.name, spec.clone());
            }
            Event::DeleteNode(name) => {
                let node = SlimNode::new(&node_name(*name));
                feed(&mut index, MemberEvent::Node(WatcherEvent::Delete(node)));
                nodes.remove(name);
            }
            Event::Pod(spec) => {
                feed(
                    &mut index,
                    MemberEvent::Pod(WatcherEvent::Apply(spec.slim())),
                );
                pods.insert((spec.namespace, spec.name), spec.clone());
            }
            Event::DeletePod(ns, name) => {
                let pod = SlimPod::new(&format!("ns-{ns}"), &format!("pod-{name}"));
                feed(&mut index, MemberEvent::Pod(WatcherEvent::Delete(pod)));
                pods.remove(&(*ns, *name));
            }
            Event::RelistNodes(listed) => {
                feed(&mut index, MemberEvent::Node(WatcherEvent::Init));
                nodes.clear();
                for spec in listed {
                    feed(
                        &mut index,
                        MemberEvent::Node(WatcherEvent::InitApply(spec.slim())),
                    );
                    nodes.insert(spec.name, spec.clone());
                }
                feed(&mut index, MemberEvent::Node(WatcherEvent::InitDone));
            }
        }
    }
    Member {
        index: index.cluster,
        nodes,
        pods,
    }
}

/// The same world applied from scratch, in reverse order.
fn rebuilt(member: &Member) -> ClusterIndex {
    let mut index = MemberIndex::new();
    for spec in member.pods.values().rev() {
        feed(
            &mut index,
            MemberEvent::Pod(WatcherEvent::Apply(spec.slim())),
        );
    }
    for spec in member.nodes.values().rev() {
        feed(
            &mut index,
            MemberEvent::Node(WatcherEvent::Apply(spec.slim())),
        );
    }
    index.cluster
}

/// An exact sum of amounts, clamped into `i128` only at the end (carried in 64-bit halves).
#[derive(Clone, Copy, Default)]
struct Exact {
    high: i128,
    low: u128,
}

impl Exact {
    fn add(&mut self, amount: Amount) {
        let x = amount.milli();
        self.high += x >> 64;
        self.low += (x as u128) & u128::from(u64::MAX);
    }

    fn sub(&mut self, amount: Amount) {
        let x = amount.milli();
        self.high -= x >> 64;
        let low = (x as u128) & u128::from(u64::MAX);
        if self.low >= low {
            self.low -= low;
        } else {
            self.high -= 1;
            self.low += (1 << 64) - low;
        }
    }

    fn value(self) -> Amount {
        let high = self.high + (self.low >> 64) as i128;
        let low = (self.low & u128::from(u64::MAX)) as i128;
        let value = match high.checked_mul(1 << 64).and_then(|h| h.checked_add(low)) {
            Some(v) => v,
            None if high < 0 => i128::MIN,
            None => i128::MAX,
        };
        Amount::from_milli(value)
    }
}

fn amount_of(quantity: &Quantity) -> Amount {
    Amount::from_quantity(quantity).unwrap_or_else(|e| panic!("{quantity:?} does not parse: {e}"))
}

/// Expected per-resource figures of a member, from its world.
#[derive(Default)]
struct Expected {
    capacity: BTreeMap<String, Exact>,
    allocatable: BTreeMap<String, Exact>,
    allocated: BTreeMap<String, Exact>,
    allocating: BTreeMap<String, Exact>,
}

fn expected(member: &Member) -> Expected {
    let mut e = Expected::default();
    let add = |map: &mut BTreeMap<String, Exact>, list: &ResourceList| {
        for entry in list {
            map.entry(entry.name.to_string())
                .or_default()
                .add(entry.amount);
        }
    };
    for node in member.nodes.values() {
        add(&mut e.capacity, &node.capacity);
        add(&mut e.allocatable, &node.allocatable);
    }
    for pod in member.pods.values().filter(|p| !p.phase.is_terminal()) {
        let bucket = if pod.node.is_some() {
            &mut e.allocated
        } else {
            &mut e.allocating
        };
        add(bucket, &pod.requests);
        bucket
            .entry("pods".to_owned())
            .or_default()
            .add(Amount::from_units(1));
    }
    e
}

fn sum_of(map: &BTreeMap<String, Exact>, name: &str) -> Amount {
    map.get(name).map_or(Amount::ZERO, |e| e.value())
}

/// `allocatable − allocated − allocating`, exactly, clamped at zero and at `Amount::MAX`.
fn available(allocatable: Amount, allocated: Amount, allocating: Amount) -> Amount {
    let mut exact = Exact::default();
    exact.add(allocatable);
    exact.sub(allocated);
    exact.sub(allocating);
    exact.value().clamp_non_negative()
}

fn check_resource_figures(
    name: &str,
    figures: &ResourceFigures,
    capacity: Option<Amount>,
    allocatable: Amount,
    allocated: Amount,
    allocating: Amount,
) -> Result<(), TestCaseError> {
    let format = Format::for_resource(name);
    prop_assert_eq!(
        figures.capacity.as_ref().map(amount_of),
        capacity,
        "{} capacity",
        name
    );
    prop_assert_eq!(
        amount_of(&figures.allocatable),
        allocatable,
        "{} allocatable",
        name
    );
    prop_assert_eq!(
        amount_of(&figures.allocated),
        allocated,
        "{} allocated",
        name
    );
    prop_assert_eq!(
        amount_of(&figures.allocating),
        allocating,
        "{} allocating",
        name
    );
    prop_assert_eq!(
        amount_of(&figures.available),
        available(allocatable, allocated, allocating),
        "{} available",
        name
    );
    prop_assert!(!amount_of(&figures.available).is_negative());
    prop_assert_eq!(figures.allocated_percent, percent(allocated, allocatable));
    // Canonical spelling in the resource's format.
    prop_assert_eq!(&figures.allocatable.0, &allocatable.format(format));
    Ok(())
}

fn is_pressure(problem: &NodeProblem) -> bool {
    matches!(
        problem,
        NodeProblem::MemoryPressure
            | NodeProblem::DiskPressure
            | NodeProblem::PidPressure
            | NodeProblem::NetworkUnavailable
    )
}

/// The documented order of `nodeDetails`, computed from a listed detail alone.
fn rank(detail: &NodeDetail) -> (bool, bool, bool, Reverse<i32>, &str) {
    (
        detail.ready,
        !detail.problems.iter().any(is_pressure),
        detail.schedulable,
        Reverse(detail.cpu.percent.max(detail.memory.percent)),
        &detail.name,
    )
}

fn check_cluster_insight(
    member: &Member,
    status: &ClusterInsightStatus,
    options: &ClusterInsightOptions,
) -> Result<(), TestCaseError> {
    let nodes: Vec<&NodeSpec> = member.nodes.values().collect();
    let pods: Vec<&PodSpec> = member.pods.values().collect();
    let count = |n: usize| i64::try_from(n).unwrap();

    // Nodes.
    let n = &status.nodes;
    prop_assert_eq!(n.total, count(nodes.len()));
    prop_assert_eq!(n.ready, count(nodes.iter().filter(|s| s.ready).count()));
    prop_assert_eq!(n.not_ready, n.total - n.ready);
    prop_assert_eq!(
        n.unschedulable,
        count(nodes.iter().filter(|s| s.unschedulable).count())
    );
    prop_assert_eq!(
        n.memory_pressure,
        count(nodes.iter().filter(|s| s.memory_pressure).count())
    );
    prop_assert_eq!(&n.display, &format!("{}/{}", n.ready, n.total));

    // Pods: the phases partition the total.
    let p = &status.pods;
    let phase = |phase: PodPhase| count(pods.iter().filter(|s| s.phase == phase).count());
    prop_assert_eq!(p.total, count(pods.len()));
    prop_assert_eq!(
        (p.running, p.pending, p.succeeded, p.failed, p.unknown),
        (
            phase(PodPhase::Running),
            phase(PodPhase::Pending),
            phase(PodPhase::Succeeded),
            phase(PodPhase::Failed),
            phase(PodPhase::Unknown)
        )
    );
    prop_assert_eq!(
        p.running + p.pending + p.succeeded + p.failed + p.unknown,
        p.total
    );
    prop_assert!(p.not_ready <= p.running && p.not_ready >= 0);
    let restarts: i64 = pods
        .iter()
        .map(|s| s.restarts.clamp(0, i64::from(u32::MAX)))
        .sum();
    prop_assert_eq!(p.restarts, restarts);
    prop_assert_eq!(
        p.crash_looping,
        count(pods.iter().filter(|s| s.crash_looping).count())
    );

    // Resources: exact sums of the parts.
    let e = expected(member);
    let names: BTreeSet<&String> = e
        .capacity
        .keys()
        .chain(e.allocatable.keys())
        .chain(e.allocated.keys())
        .chain(e.allocating.keys())
        .collect();
    prop_assert_eq!(
        status.resources.keys().collect::<Vec<_>>(),
        names.iter().copied().collect::<Vec<_>>()
    );
    for (name, figures) in &status.resources {
        check_resource_figures(
            name,
            figures,
            Some(sum_of(&e.capacity, name)),
            sum_of(&e.allocatable, name),
            sum_of(&e.allocated, name),
            sum_of(&e.allocating, name),
        )?;
    }

    // Node details: capped, counted, ordered, per-node figures right.
    let details = &status.node_details;
    prop_assert_eq!(
        i64::from(details.limit),
        count(options.node_detail_limit.min(i32::MAX as usize))
    );
    prop_assert!(details.items.len() <= options.node_detail_limit);
    prop_assert_eq!(
        count(details.items.len()) + details.omitted,
        count(nodes.len())
    );
    prop_assert!(
        details.items.windows(2).all(|w| rank(&w[0]) < rank(&w[1])),
        "ordered"
    );
    for detail in &details.items {
        let spec = nodes.iter().find(|s| node_name(s.name) == detail.name);
        prop_assert!(spec.is_some(), "{} is not a node", detail.name);
        let spec = spec.unwrap();
        prop_assert_eq!(detail.ready, spec.ready);
        prop_assert_eq!(
            detail.problems.contains(&NodeProblem::NotReady),
            !spec.ready
        );
        let on_node: Vec<&&PodSpec> = pods.iter().filter(|p| p.node == Some(spec.name)).collect();
        prop_assert_eq!(detail.pods.total, count(on_node.len()));
        prop_assert!(
            detail.pods.running + detail.pods.pending + detail.pods.failed <= detail.pods.total
        );
        prop_assert!(detail.pods.restarts >= 0);
        for (figures, resource) in [(&detail.cpu, "cpu"), (&detail.memory, "memory")] {
            let allocatable = spec.allocatable.amount(resource);
            let mut allocated = Exact::default();
            for pod in on_node.iter().filter(|p| !p.phase.is_terminal()) {
                allocated.add(pod.requests.amount(resource));
            }
            prop_assert_eq!(amount_of(&figures.allocatable), allocatable);
            prop_assert_eq!(amount_of(&figures.allocated), allocated.value());
            prop_assert_eq!(figures.percent, percent(allocated.value(), allocatable));
        }
        prop_assert_eq!(
            detail.pods.capacity,
            spec.allocatable.amount("pods").units_ceil_i64()
        );
    }
    Ok(())
}

fn cluster() -> Cluster {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": "member"},
        "spec": {"syncMode": "Push", "zone": "b", "zones": ["a", "", "b"]},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}
    }))
    .unwrap()
}

fn serialized_len<T: serde::Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).unwrap().len()
}

fn build_options() -> impl Strategy<Value = ClusterInsightOptions> {
    (
        prop_oneof![0usize..8, Just(200)],
        prop_oneof![Just(usize::MAX), 0usize..4096, Just(512 * 1024)],
    )
        .prop_map(
            |(node_detail_limit, max_status_bytes)| ClusterInsightOptions {
                node_detail_limit,
                max_status_bytes,
            },
        )
}

proptest! {
    #![proptest_config(config(400))]

    /// The ClusterInsight status of a random member: exact figures, bounded lists, a true
    /// size-guard report, a status that serializes and reads back, and the same status from
    /// the same world applied in another order.
    #[test]
    fn cluster_insight_keeps_its_invariants(events in events(), options in build_options()) {
        let member = member(&events);
        let build = member_figures(&member.index, &cluster(), &options);
        let status = &build.status;
        check_cluster_insight(&member, status, &options)?;

        let bytes = serialized_len(status);
        match &build.truncation {
            None => {
                prop_assert!(bytes <= options.max_status_bytes);
                prop_assert_eq!(status.node_details.items.len(), member.nodes.len().min(options.node_detail_limit));
            }
            Some(t) => {
                prop_assert_eq!(t.serialized_bytes, bytes);
                prop_assert_eq!(t.fits(), bytes <= options.max_status_bytes);
                prop_assert!(t.fits() || status.node_details.items.is_empty());
                prop_assert_eq!(t.listed, status.node_details.items.len());
                prop_assert_eq!(t.listed + t.dropped, member.nodes.len().min(options.node_detail_limit));
                prop_assert!(!t.message().is_empty());
            }
        }
        let text = serde_json::to_string(status).unwrap();
        let back: ClusterInsightStatus = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, status);

        let again = member_figures(&rebuilt(&member), &cluster(), &options);
        prop_assert_eq!(&again, &build);
    }

    /// Measured usage over random metrics: only nodes the index knows count; the sums are
    /// exact; percentages are `percent` of the sums; the newest parsable timestamp wins.
    #[test]
    fn usage_is_summed_over_known_nodes(
        events in events(),
        metrics in proptest::collection::vec(
            (0usize..8, proptest::option::of(amount()), proptest::option::of(amount()),
             proptest::option::of(prop_oneof![
                 Just("2026-01-01T00:00:10Z".to_owned()),
                 Just("2026-01-01T00:00:20Z".to_owned()),
                 Just("garbage".to_owned()),
                 any::<String>(),
             ])),
            0..8,
        ),
    ) {
        let member = member(&events);
        let usages: Vec<NodeUsage> = metrics
            .iter()
            .map(|(node, cpu, memory, timestamp)| NodeUsage {
                name: node_name(*node),
                cpu: *cpu,
                memory: *memory,
                timestamp: timestamp.clone(),
            })
            .collect();
        let usage = cluster_usage(&member.index, &usages);
        for (resource, figures) in [("cpu", &usage.cpu), ("memory", &usage.memory)] {
            let mut used = Exact::default();
            let mut allocatable = Exact::default();
            for u in usages.iter().filter(|u| member.index.node(&u.name).is_some()) {
                let value = if resource == "cpu" { u.cpu } else { u.memory };
                if let Some(value) = value {
                    used.add(value);
                    allocatable.add(member.index.node(&u.name).unwrap().allocatable.amount(resource));
                }
            }
            let (used, allocatable) = (used.value(), allocatable.value());
            match figures {
                Some(f) => {
                    prop_assert!(allocatable > Amount::ZERO);
                    prop_assert_eq!(amount_of(&f.used), used);
                    prop_assert_eq!(f.percent, percent(used, allocatable));
                }
                None => prop_assert!(allocatable <= Amount::ZERO),
            }
        }
        if let Some(at) = &usage.observed_at {
            let printed = at.0.to_string();
            prop_assert!(usages.iter().any(|u| u.timestamp.as_deref().is_some_and(|t| t.parse::<k8s_openapi::jiff::Timestamp>().is_ok_and(|ts| ts.to_string() == printed))));
        }
    }
}

// ---- Karmada's own summaries (source ClusterStatus) ----

fn quantity_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => amount().prop_map(|a| a.format(Format::BinarySi)),
        1 => Just("garbage".to_owned()),
        1 => Just("1e40".to_owned()),
        1 => Just(String::new()),
        1 => "[-+]?[0-9.]{0,6}[eEinumkKMGTP]{0,2}[0-9]{0,2}",
    ]
}

fn quantity_map() -> impl Strategy<Value = BTreeMap<String, Quantity>> {
    proptest::collection::btree_map(
        prop::sample::select(RESOURCES).prop_map(str::to_owned),
        quantity_text().prop_map(Quantity),
        0..4,
    )
}

fn karmada_cluster() -> impl Strategy<Value = Cluster> {
    (
        proptest::option::of((any::<i32>(), any::<i32>())),
        proptest::option::of((quantity_map(), quantity_map(), quantity_map())),
    )
        .prop_map(|(nodes, resources)| {
            let mut cluster = cluster();
            cluster.status.node_summary = nodes.map(|(total_num, ready_num)| NodeSummary {
                total_num,
                ready_num,
            });
            cluster.status.resource_summary =
                resources.map(|(allocatable, allocated, allocating)| ResourceSummary {
                    allocatable,
                    allocated,
                    allocating,
                    ..ResourceSummary::default()
                });
            cluster
        })
}

fn parsed_or_zero(map: Option<&BTreeMap<String, Quantity>>, name: &str) -> Amount {
    map.and_then(|m| m.get(name))
        .and_then(|q| Amount::from_quantity(q).ok())
        .unwrap_or_default()
}

fn check_counts(nodes: &NodeCounts, pods: &PodCounts) -> Result<(), TestCaseError> {
    for count in [
        nodes.total,
        nodes.ready,
        nodes.not_ready,
        nodes.unschedulable,
        nodes.memory_pressure,
        nodes.disk_pressure,
        nodes.pid_pressure,
        pods.total,
        pods.running,
        pods.pending,
        pods.succeeded,
        pods.failed,
        pods.unknown,
        pods.not_ready,
        pods.restarts,
        pods.crash_looping,
    ] {
        prop_assert!(count >= 0, "negative count in {:?} {:?}", nodes, pods);
    }
    prop_assert!(nodes.ready <= nodes.total, "{:?}", nodes);
    prop_assert_eq!(nodes.not_ready, nodes.total - nodes.ready);
    prop_assert_eq!(&nodes.display, &format!("{}/{}", nodes.ready, nodes.total));
    Ok(())
}

proptest! {
    #![proptest_config(config(500))]

    /// The fallback status from Karmada's summaries: counts never negative and consistent,
    /// unparsable quantities as zero, figures consistent.
    #[test]
    fn fallback_status_keeps_its_invariants(cluster in karmada_cluster()) {
        let status = cluster_status_fallback(&cluster);
        check_counts(&status.nodes, &status.pods)?;
        if let Some(summary) = &cluster.status.node_summary {
            prop_assert_eq!(status.nodes.total, i64::from(summary.total_num.max(0)));
        }
        let summary = cluster.status.resource_summary.as_ref();
        for (name, figures) in &status.resources {
            check_resource_figures(
                name,
                figures,
                None,
                parsed_or_zero(summary.map(|s| &s.allocatable), name),
                parsed_or_zero(summary.map(|s| &s.allocated), name),
                parsed_or_zero(summary.map(|s| &s.allocating), name),
            )?;
        }
        prop_assert!(status.node_details.items.is_empty());
        serde_json::to_string(&status).unwrap();
    }
}

// ---- FleetInsight ----

fn count() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 0i64..1000,
        1 => Just(i64::MAX),
        1 => Just(i64::MAX / 2 + 1),
        1 => any::<i64>(),
    ]
}

fn ready_condition() -> impl Strategy<Value = Vec<Condition>> {
    let condition = |type_: &str, status: &str| Condition {
        type_: type_.to_owned(),
        status: status.to_owned(),
        reason: "R".to_owned(),
        message: String::new(),
        last_transition_time: Time(Default::default()),
        observed_generation: None,
    };
    prop_oneof![
        Just(vec![]),
        Just(vec![condition("Ready", "True")]),
        Just(vec![condition("Ready", "False")]),
        Just(vec![
            condition("Ready", "Unknown"),
            condition("Ready", "True")
        ]),
        Just(vec![
            condition("Reconciling", "True"),
            condition("Ready", "True")
        ]),
    ]
}

fn member_insight() -> impl Strategy<Value = ClusterInsightStatus> {
    let figures = (
        proptest::option::of(quantity_text()),
        quantity_text(),
        quantity_text(),
        quantity_text(),
        any::<i32>(),
    )
        .prop_map(
            |(capacity, allocatable, allocated, allocating, allocated_percent)| ResourceFigures {
                capacity: capacity.map(Quantity),
                allocatable: Quantity(allocatable),
                allocated: Quantity(allocated),
                allocating: Quantity(allocating),
                available: Quantity("0".to_owned()),
                allocated_percent,
            },
        );
    (
        prop::array::uniform7(count()),
        prop::array::uniform9(count()),
        proptest::collection::btree_map(
            prop::sample::select(RESOURCES).prop_map(str::to_owned),
            figures,
            0..4,
        ),
        ready_condition(),
    )
        .prop_map(|(n, p, resources, conditions)| ClusterInsightStatus {
            conditions,
            nodes: NodeCounts {
                total: n[0],
                ready: n[1],
                not_ready: n[2],
                unschedulable: n[3],
                memory_pressure: n[4],
                disk_pressure: n[5],
                pid_pressure: n[6],
                display: String::new(),
            },
            pods: PodCounts {
                total: p[0],
                running: p[1],
                pending: p[2],
                succeeded: p[3],
                failed: p[4],
                unknown: p[5],
                not_ready: p[6],
                restarts: p[7],
                crash_looping: p[8],
            },
            resources,
            ..ClusterInsightStatus::default()
        })
}

/// `Σ max(x, 0)`, clamped into `i64`.
fn count_sum(values: impl IntoIterator<Item = i64>) -> i64 {
    let sum: i128 = values.into_iter().map(|v| i128::from(v.max(0))).sum();
    i64::try_from(sum).unwrap_or(i64::MAX)
}

fn check_fleet(
    members: &[(String, ClusterInsightStatus)],
    fleet: &FleetInsightStatus,
    options: &FleetOptions,
) -> Result<(), TestCaseError> {
    let n = i64::try_from(members.len()).unwrap();
    let ready = members
        .iter()
        .filter(|(_, s)| {
            s.conditions
                .iter()
                .find(|c| c.type_ == "Ready")
                .is_some_and(|c| c.status == "True")
        })
        .count();
    prop_assert_eq!(fleet.clusters.total, n);
    prop_assert_eq!(fleet.clusters.ready, i64::try_from(ready).unwrap());
    check_counts(&fleet.nodes, &fleet.pods)?;
    let nodes = |f: fn(&NodeCounts) -> i64| count_sum(members.iter().map(|(_, s)| f(&s.nodes)));
    prop_assert_eq!(fleet.nodes.total, nodes(|c| c.total));
    prop_assert_eq!(fleet.nodes.unschedulable, nodes(|c| c.unschedulable));
    let pods = |f: fn(&PodCounts) -> i64| count_sum(members.iter().map(|(_, s)| f(&s.pods)));
    prop_assert_eq!(fleet.pods.total, pods(|c| c.total));
    prop_assert_eq!(fleet.pods.restarts, pods(|c| c.restarts));

    for (name, figures) in &fleet.resources {
        let listing: Vec<&ResourceFigures> = members
            .iter()
            .filter_map(|(_, s)| s.resources.get(name))
            .collect();
        prop_assert!(!listing.is_empty());
        let sum = |f: fn(&ResourceFigures) -> &Quantity| {
            let mut exact = Exact::default();
            for figures in &listing {
                exact.add(Amount::from_quantity(f(figures)).unwrap_or_default());
            }
            exact.value()
        };
        let capacity = listing.iter().all(|f| f.capacity.is_some()).then(|| {
            let mut exact = Exact::default();
            for figures in &listing {
                exact.add(
                    figures
                        .capacity
                        .as_ref()
                        .and_then(|q| Amount::from_quantity(q).ok())
                        .unwrap_or_default(),
                );
            }
            exact.value()
        });
        check_resource_figures(
            name,
            figures,
            capacity,
            sum(|f| &f.allocatable),
            sum(|f| &f.allocated),
            sum(|f| &f.allocating),
        )?;
    }
    let names: BTreeSet<&String> = members
        .iter()
        .flat_map(|(_, s)| s.resources.keys())
        .collect();
    prop_assert_eq!(fleet.resources.keys().collect::<BTreeSet<_>>(), names);

    let top = &fleet.top_clusters;
    prop_assert_eq!(top.len(), members.len().min(options.top_clusters_limit));
    prop_assert_eq!(
        i64::try_from(top.len()).unwrap() + fleet.omitted_top_clusters,
        n
    );
    let key = |t: &karmada_manager_api::TopCluster| {
        (Reverse(t.cpu_percent.max(t.memory_percent)), t.name.clone())
    };
    prop_assert!(
        top.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
        "most allocated first"
    );
    for t in top {
        let percent_of = |s: &ClusterInsightStatus, resource: &str| {
            s.resources.get(resource).map_or(0, |r| r.allocated_percent)
        };
        let listed = members.iter().any(|(name, s)| {
            *name == t.name
                && percent_of(s, "cpu") == t.cpu_percent
                && percent_of(s, "memory") == t.memory_percent
        });
        prop_assert!(listed, "{:?} is a member", t);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(500))]

    /// FleetInsight over random member statuses — also garbage ones (huge and negative counts,
    /// unparsable quantities), since they are read back from the hub where anyone with access
    /// could have written them: exact sums, never negative counts, capped top list, and the
    /// same result in any order.
    #[test]
    fn fleet_insight_keeps_its_invariants(
        members in proptest::collection::vec(("[a-c]", member_insight()), 0..6),
        limit in 0usize..5,
    ) {
        let options = FleetOptions { top_clusters_limit: limit };
        let hub = HubCounts::default();
        let fleet = fleet_insight_status(members.iter().map(|(n, s)| (n.as_str(), s)), &hub, &options);
        check_fleet(&members, &fleet, &options)?;
        let reversed = fleet_insight_status(members.iter().rev().map(|(n, s)| (n.as_str(), s)), &hub, &options);
        prop_assert_eq!(&reversed, &fleet);
        serde_json::to_string(&fleet).unwrap();
    }

    /// FleetInsight over statuses decoded from arbitrary JSON, as the operator reads them.
    #[test]
    fn fleet_insight_of_decoded_statuses_never_panics(
        values in proptest::collection::vec(json_value(CORE_KEYS, CORE_STRINGS), 0..4),
    ) {
        let members: Vec<(String, ClusterInsightStatus)> = values
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .enumerate()
            .map(|(i, s)| (format!("m{i}"), s))
            .collect();
        let options = FleetOptions::default();
        let fleet = fleet_insight_status(members.iter().map(|(n, s)| (n.as_str(), s)), &HubCounts::default(), &options);
        check_counts(&fleet.nodes, &fleet.pods)?;
    }

    /// The fleet of real ClusterInsight statuses equals the members' figures summed.
    #[test]
    fn fleet_of_built_insights_sums_them(
        a in events(), b in events(),
    ) {
        let statuses: Vec<(String, ClusterInsightStatus)> = [("a", &a), ("b", &b)]
            .into_iter()
            .map(|(name, events)| {
                let status = member_figures(&member(events).index, &cluster(), &ClusterInsightOptions::default()).status;
                (name.to_owned(), status)
            })
            .collect();
        let options = FleetOptions::default();
        let fleet = fleet_insight_status(statuses.iter().map(|(n, s)| (n.as_str(), s)), &HubCounts::default(), &options);
        check_fleet(&statuses, &fleet, &options)?;
    }
}
