//! Property tests of the placement logic and the `WorkloadPlacement` builder (bad input from
//! members and users): random bindings (clusters listed twice or with empty names, negative and
//! huge replicas, weights of 0 and below, invalid selectors, odd member statuses, long messages),
//! random Clusters, pods, overrides and problems. Nothing panics, and the result keeps its
//! invariants: weights follow Karmada's rule, replica totals are the sums of the parts, counts are
//! never negative, lists stay within their caps with exact `omitted` counts, conditions are well
//! formed and agree with the fleet state, the size guard's report is true, and the status
//! serializes and reads back.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use karmada_manager_api::{ClusterProblem, Weighting, WorkloadPlacementStatus};
use karmada_manager_core::{
    BindingKind, BindingSource, PermanentId, PlacementInputs, PlacementOptions, PodPhase,
    PolicyLookup, WorkIndex, WorkloadPod, WorkloadState, cluster_matches, placement_summary,
    resolve_weights, scheduled_bindings, stamp_status, workload_placement_status,
};
use karmada_types::{
    AppliedOverride, Cluster, ClusterAffinity, Placement, PropagationSpec, ReplicaSchedulingType,
    ResourceBinding, WorkOverrides,
};
use prop_json::config;
use proptest::prelude::*;
use serde_json::{Value, json};

const CLUSTERS: &[&str] = &["m1", "m2", "m3", "m4", ""];
const LABEL_KEYS: &[&str] = &["env", "tier", "region", "n"];
const LABEL_VALUES: &[&str] = &["prod", "dev", "gold", "", "5", "-3", "x"];
const OPERATORS: &[&str] = &[
    "In",
    "NotIn",
    "Exists",
    "DoesNotExist",
    "Gt",
    "Lt",
    "Bogus",
    "",
];

fn cluster_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(CLUSTERS)
}

fn names() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::collection::vec(cluster_name(), 0..3)
}

fn values() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        proptest::collection::vec(prop::sample::select(LABEL_VALUES), 0..3).prop_map(|v| json!(v)),
    ]
}

fn requirement(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    (
        prop::sample::select(keys),
        prop::sample::select(OPERATORS),
        values(),
    )
        .prop_map(
            |(key, operator, values)| json!({"key": key, "operator": operator, "values": values}),
        )
}

fn affinity() -> impl Strategy<Value = Value> {
    (
        names(),
        names(),
        proptest::option::of((
            proptest::collection::btree_map(
                prop::sample::select(LABEL_KEYS),
                prop::sample::select(LABEL_VALUES),
                0..3,
            ),
            proptest::collection::vec(requirement(LABEL_KEYS), 0..3),
        )),
        proptest::option::of(proptest::collection::vec(
            requirement(&["provider", "region", "zone", "other"]),
            0..3,
        )),
    )
        .prop_map(|(cluster_names, exclude, labels, fields)| {
            let mut affinity = json!({"clusterNames": cluster_names, "exclude": exclude});
            if let Some((match_labels, expressions)) = labels {
                affinity["labelSelector"] =
                    json!({"matchLabels": match_labels, "matchExpressions": expressions});
            }
            if let Some(expressions) = fields {
                affinity["fieldSelector"] = json!({"matchExpressions": expressions});
            }
            affinity
        })
}

fn weight() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 0i64..5, 1 => -3i64..0, 1 => any::<i64>()]
}

fn placement() -> impl Strategy<Value = Value> {
    let scheduling = (
        prop::sample::select(vec![
            None,
            Some("Divided"),
            Some("Duplicated"),
            Some("Weird"),
        ]),
        prop::sample::select(vec![
            None,
            Some("Weighted"),
            Some("Aggregated"),
            Some("Other"),
        ]),
        proptest::option::of((
            proptest::collection::vec((affinity(), weight()), 0..4),
            prop::sample::select(vec![None, Some("AvailableReplicas"), Some("Other")]),
        )),
    )
        .prop_map(|(type_, preference, weights)| {
            let mut strategy = json!({});
            if let Some(t) = type_ {
                strategy["replicaSchedulingType"] = json!(t);
            }
            if let Some(p) = preference {
                strategy["replicaDivisionPreference"] = json!(p);
            }
            if let Some((rules, dynamic)) = weights {
                let rules: Vec<Value> = rules
                    .into_iter()
                    .map(|(target, weight)| json!({"targetCluster": target, "weight": weight}))
                    .collect();
                strategy["weightPreference"] = json!({"staticWeightList": rules});
                if let Some(d) = dynamic {
                    strategy["weightPreference"]["dynamicWeight"] = json!(d);
                }
            }
            strategy
        });
    let spread = (
        prop::sample::select(vec![None, Some("cluster"), Some("region"), Some("odd")]),
        prop::sample::select(vec!["", "tier"]),
        any::<i64>(),
        prop_oneof![0i64..4, any::<i64>()],
    )
        .prop_map(|(field, label, min, max)| {
            json!({"spreadByField": field, "spreadByLabel": label, "minGroups": min, "maxGroups": max})
        });
    (
        proptest::option::of(scheduling),
        proptest::option::of(affinity()),
        proptest::collection::vec(("[a-c]{0,2}", affinity()), 0..3),
        proptest::collection::vec(spread, 0..3),
    )
        .prop_map(|(scheduling, affinity, groups, spreads)| {
            let groups: Vec<Value> = groups
                .into_iter()
                .map(|(name, mut affinity)| {
                    affinity["affinityName"] = json!(name);
                    affinity
                })
                .collect();
            let mut placement = json!({"clusterAffinities": groups, "spreadConstraints": spreads});
            if let Some(s) = scheduling {
                placement["replicaScheduling"] = s;
            }
            if let Some(a) = affinity {
                placement["clusterAffinity"] = a;
            }
            placement
        })
}

/// Clusters with unique names from the pool (a reflector store is keyed by name).
fn clusters() -> impl Strategy<Value = Vec<Cluster>> {
    proptest::collection::vec(
        (
            proptest::collection::btree_map(
                prop::sample::select(LABEL_KEYS),
                prop::sample::select(LABEL_VALUES),
                0..3,
            ),
            prop::sample::select(vec!["", "aws", "gcp"]),
            prop::sample::select(vec!["", "eu"]),
            prop::sample::select(vec!["", "a"]),
            proptest::collection::vec(prop::sample::select(vec!["a", "b", ""]), 0..3),
            any::<bool>(),
        ),
        4,
    )
    .prop_map(|specs| {
        specs
            .into_iter()
            .zip(["m1", "m2", "m3", "m4"])
            .filter(|((.., present), _)| *present)
            .map(|((labels, provider, region, zone, zones, _), name)| {
                serde_json::from_value(json!({
                    "metadata": {"name": name, "labels": labels},
                    "spec": {"provider": provider, "region": region, "zone": zone, "zones": zones}
                }))
                .unwrap()
            })
            .collect()
    })
}

fn replicas() -> impl Strategy<Value = i32> {
    prop_oneof![4 => 0i32..12, 1 => -5i32..0, 1 => Just(i32::MAX), 1 => any::<i32>()]
}

fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z ]{0,20}",
        1 => Just(String::new()),
        1 => ("é{0,3}", 400usize..1200).prop_map(|(prefix, n)| format!("{prefix}{}", "ü".repeat(n))),
        1 => any::<String>(),
    ]
}

fn count_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0i64..12).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(json!("3")),
        1 => Just(Value::Null),
        1 => Just(json!(2.5)),
    ]
}

fn member_status() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => proptest::collection::btree_map(
            prop::sample::select(vec![
                "replicas", "readyReplicas", "availableReplicas", "updatedReplicas",
                "generation", "observedGeneration",
            ]),
            count_value(),
            0..6,
        )
        .prop_map(|m| json!(m)),
        1 => Just(json!("not an object")),
        1 => Just(json!([1, 2])),
        1 => Just(Value::Null),
    ]
}

fn binding() -> impl Strategy<Value = Value> {
    let condition = (
        prop::sample::select(vec!["Scheduled", "FullyApplied", "Other"]),
        prop::sample::select(vec!["True", "False", "Unknown", "Weird"]),
        message(),
        message(),
    )
        .prop_map(|(type_, status, reason, message)| {
            json!({"type": type_, "status": status, "reason": reason, "message": message})
        });
    let item = (
        cluster_name(),
        any::<bool>(),
        message(),
        prop::sample::select(vec![
            None,
            Some("Healthy"),
            Some("Unhealthy"),
            Some("Unknown"),
            Some("Odd"),
        ]),
        member_status(),
    )
        .prop_map(|(cluster, applied, applied_message, health, status)| {
            json!({"clusterName": cluster, "applied": applied, "appliedMessage": applied_message,
                   "health": health, "status": status})
        });
    let eviction = (cluster_name(), message(), prop::sample::select(vec![None, Some("Gracefully"), Some("Never")]))
        .prop_map(|(from, reason, purge)| json!({"fromCluster": from, "reason": reason, "purgeMode": purge}));
    let claim = prop::sample::select(vec![
        json!({}),
        json!({"propagationpolicy.karmada.io/name": "web-pp"}),
        json!({"propagationpolicy.karmada.io/name": "web-pp", "propagationpolicy.karmada.io/namespace": "other"}),
        json!({"clusterpropagationpolicy.karmada.io/name": "cpp"}),
        json!({"propagationpolicy.karmada.io/name": ""}),
    ]);
    let resource = (
        prop::sample::select(vec![
            "apps/v1",
            "batch/v1",
            "v1",
            "",
            "argoproj.io/v1alpha1",
        ]),
        prop::sample::select(vec![
            "Deployment",
            "StatefulSet",
            "Job",
            "Pod",
            "Rollout",
            "",
        ]),
        prop::sample::select(vec!["shop", ""]),
    );
    (
        (claim, proptest::option::of(prop_oneof![0i64..5, any::<i64>()]), resource),
        (replicas(), proptest::collection::vec((cluster_name(), replicas()), 0..6)),
        proptest::option::of(placement()),
        proptest::collection::vec(eviction, 0..3),
        (prop_oneof![0i64..5, any::<i64>()], "[a-c]{0,2}"),
        proptest::collection::vec(condition, 0..4),
        proptest::collection::vec(item, 0..6),
    )
        .prop_map(
            |((claim, generation, (api, kind, namespace)), (replicas, targets), placement,
              evictions, (observed, affinity_name), conditions, items)| {
                let targets: Vec<Value> = targets
                    .into_iter()
                    .map(|(name, replicas)| json!({"name": name, "replicas": replicas}))
                    .collect();
                let mut spec = json!({
                    "resource": {"apiVersion": api, "kind": kind, "namespace": namespace, "name": "web"},
                    "replicas": replicas,
                    "clusters": targets,
                    "gracefulEvictionTasks": evictions,
                });
                if let Some(p) = placement {
                    spec["placement"] = p;
                }
                json!({
                    "metadata": {"name": "web-deployment", "namespace": "shop", "generation": generation,
                                 "annotations": claim},
                    "spec": spec,
                    "status": {"schedulerObservedGeneration": observed,
                               "schedulerObservingAffinityName": affinity_name,
                               "conditions": conditions, "aggregatedStatus": items},
                })
            },
        )
}

fn pods() -> impl Strategy<Value = BTreeMap<String, Vec<WorkloadPod>>> {
    let pod = (
        0usize..8,
        proptest::option::weighted(0.8, 0usize..4),
        prop::sample::select(vec![
            PodPhase::Pending,
            PodPhase::Running,
            PodPhase::Succeeded,
            PodPhase::Failed,
            PodPhase::Unknown,
        ]),
        any::<bool>(),
        prop_oneof![4 => 0i64..10, 1 => any::<i64>()],
    )
        .prop_map(|(name, node, phase, ready, restarts)| WorkloadPod {
            node: node.map(|n| format!("node-{n}").into()),
            phase,
            ready,
            restarts,
            ..WorkloadPod::new(&format!("web-{name}"))
        });
    proptest::collection::btree_map(
        cluster_name().prop_map(str::to_owned),
        proptest::collection::vec(pod, 0..12),
        0..4,
    )
}

fn problems() -> impl Strategy<Value = BTreeMap<String, Vec<ClusterProblem>>> {
    let problem = (
        prop::sample::select(vec!["MemberNotObserved", "MalformedOverrides"]),
        message(),
    )
        .prop_map(|(reason, message)| ClusterProblem {
            reason: reason.to_owned(),
            message,
        });
    proptest::collection::btree_map(
        cluster_name().prop_map(str::to_owned),
        proptest::collection::vec(problem, 0..3),
        0..3,
    )
}

fn overrides() -> impl Strategy<Value = BTreeMap<String, WorkOverrides>> {
    let list = proptest::collection::vec("[a-z]{0,6}", 0..3).prop_map(|names| {
        names
            .into_iter()
            .map(|policy_name| AppliedOverride {
                policy_name,
                overriders: Value::Null,
            })
            .collect::<Vec<_>>()
    });
    proptest::collection::btree_map(
        cluster_name().prop_map(str::to_owned),
        (list.clone(), list).prop_map(|(overrides, cluster_overrides)| WorkOverrides {
            overrides,
            cluster_overrides,
        }),
        0..3,
    )
}

fn options() -> impl Strategy<Value = PlacementOptions> {
    (
        prop_oneof![0usize..4, Just(20)],
        prop_oneof![0usize..4, Just(50)],
        prop_oneof![Just(usize::MAX), 0usize..6000, Just(512 * 1024)],
        prop_oneof![0usize..3, Just(20)],
    )
        .prop_map(
            |(node_limit, pod_limit, max_status_bytes, candidate_limit)| PlacementOptions {
                node_limit,
                pod_limit,
                max_status_bytes,
                candidate_limit,
            },
        )
}

/// The binding's targets as the builder reads them: non-empty names, replicas summed, negative
/// as 0.
fn targets(binding: &ResourceBinding) -> BTreeMap<&str, i64> {
    let mut targets = BTreeMap::new();
    for t in binding.spec.clusters.iter().filter(|t| !t.name.is_empty()) {
        *targets.entry(t.name.as_str()).or_insert(0i64) += i64::from(t.replicas.max(0));
    }
    targets
}

fn check_placement(
    binding: &ResourceBinding,
    clusters: &[Cluster],
    pods: &BTreeMap<String, Vec<WorkloadPod>>,
    options: &PlacementOptions,
    status: &WorkloadPlacementStatus,
) -> Result<(), TestCaseError> {
    let targets = targets(binding);
    let evicted: BTreeSet<&str> = binding
        .spec
        .graceful_eviction_tasks
        .iter()
        .map(|t| t.from_cluster.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    let names: Vec<&str> = status.clusters.iter().map(|c| c.name.as_str()).collect();
    let expected: BTreeSet<&str> = targets
        .keys()
        .copied()
        .chain(evicted.iter().copied())
        .collect();
    prop_assert_eq!(
        names,
        expected.iter().copied().collect::<Vec<_>>(),
        "one entry per cluster, by name"
    );

    // Replicas.
    let r = &status.replicas;
    let placement = binding.spec.placement.clone().unwrap_or_default();
    let per_copy = i64::from(binding.spec.replicas.max(0));
    let desired = if placement.replica_scheduling_type() == ReplicaSchedulingType::Duplicated {
        per_copy * i64::try_from(targets.len()).unwrap()
    } else {
        per_copy
    };
    prop_assert_eq!(r.desired, desired);
    prop_assert_eq!(r.scheduled, targets.values().sum::<i64>());
    let target_entries: Vec<_> = status
        .clusters
        .iter()
        .filter(|c| targets.contains_key(c.name.as_str()))
        .collect();
    prop_assert_eq!(
        r.ready,
        target_entries
            .iter()
            .filter_map(|c| c.ready_replicas)
            .sum::<i64>()
    );
    prop_assert_eq!(
        r.available,
        target_entries
            .iter()
            .filter_map(|c| c.available_replicas)
            .sum::<i64>()
    );
    prop_assert_eq!(
        r.updated,
        target_entries
            .iter()
            .filter_map(|c| c.updated_replicas)
            .sum::<i64>()
    );
    prop_assert_eq!(&r.display, &format!("{}/{}", r.ready, r.desired));
    let display_parts = status
        .clusters_display
        .split(',')
        .filter(|p| !p.is_empty())
        .count();
    prop_assert!(display_parts <= 11 && display_parts <= targets.len().min(10) + 1);

    // Weights: Karmada's rule, from the public matcher.
    let resolved = resolve_weights(&placement, targets.keys().copied(), clusters.iter());
    for entry in &status.clusters {
        let target = targets.get(entry.name.as_str());
        prop_assert_eq!(entry.replicas, target.copied().unwrap_or(0));
        if resolved.weighting == Weighting::Static && target.is_some() {
            prop_assert!(entry.weight.is_some_and(|w| w >= 0));
        } else {
            prop_assert_eq!(entry.weight, None);
        }
        for count in [
            entry.ready_replicas,
            entry.available_replicas,
            entry.updated_replicas,
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(count >= 0);
        }
        if let Some(message) = &entry.applied_message {
            prop_assert!(
                message.len() <= 1024 + '…'.len_utf8(),
                "{} bytes",
                message.len()
            );
        }
        for problem in &entry.problems {
            prop_assert!(problem.message.len() <= 512 + '…'.len_utf8());
        }

        // Pods: exact counts, capped lists with exact omitted counts.
        match (pods.get(&entry.name), &entry.pods) {
            (None, counts) => prop_assert!(counts.is_none()),
            (Some(list), Some(counts)) => {
                let n = i64::try_from(list.len()).unwrap();
                prop_assert_eq!(counts.total, n);
                for part in [counts.running, counts.ready, counts.pending, counts.failed] {
                    prop_assert!((0..=n).contains(&part));
                }
                prop_assert!(counts.restarts >= 0);
                prop_assert!(entry.pod_list.len() <= options.pod_limit);
                prop_assert!(entry.omitted_pods >= 0);
                let truncated = entry.pod_list.len() < list.len().min(options.pod_limit);
                if !truncated {
                    prop_assert_eq!(
                        i64::try_from(entry.pod_list.len()).unwrap() + entry.omitted_pods,
                        n
                    );
                }
                let distinct_nodes: BTreeSet<&str> =
                    list.iter().filter_map(|p| p.node.as_deref()).collect();
                prop_assert!(entry.nodes.len() <= options.node_limit);
                prop_assert!(
                    i64::try_from(entry.nodes.len()).unwrap() + entry.omitted_nodes
                        >= i64::try_from(distinct_nodes.len().min(options.node_limit)).unwrap()
                );
                prop_assert!(entry.nodes.windows(2).all(|w| (
                    std::cmp::Reverse(w[0].pods),
                    &w[0].name
                ) < (
                    std::cmp::Reverse(w[1].pods),
                    &w[1].name
                )));
                prop_assert!(entry.nodes.iter().map(|p| p.pods).sum::<i64>() <= n);
                prop_assert!(entry.pod_list.iter().all(|p| p.restarts >= 0));
            }
            (Some(_), None) => prop_assert!(false, "{} has pods but no counts", entry.name),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1000))]

    /// The WorkloadPlacement builder on random bindings and worlds.
    #[test]
    fn workload_placement_keeps_its_invariants(
        binding in binding(),
        clusters in clusters(),
        pods in pods(),
        problems in problems(),
        overrides in overrides(),
        options in options(),
        policy_state in 0..3u8,
        cluster_scoped in any::<bool>(),
    ) {
        let binding: ResourceBinding = serde_json::from_value(binding).expect("well-typed binding");
        let policy: PropagationSpec = PropagationSpec::default();
        let cluster_refs: Vec<&Cluster> = clusters.iter().collect();
        let source = BindingSource {
            kind: if cluster_scoped { BindingKind::ClusterResourceBinding } else { BindingKind::ResourceBinding },
            ..BindingSource::from(&binding)
        };
        let inputs = PlacementInputs {
            binding: source,
            policy: match policy_state {
                0 => PolicyLookup::Missing,
                1 => PolicyLookup::Found(&policy),
                _ => PolicyLookup::Malformed("spec.priority: Invalid value integer `3000000000`. Expected i32"),
            },
            clusters: &cluster_refs,
            overrides: &overrides,
            pods: &pods,
            problems: &problems,
            fits: &BTreeMap::new(),
            shared: None,
        };
        let build = workload_placement_status(&inputs, &options);
        let status = &build.status;
        check_placement(&binding, &clusters, &pods, &options, status)?;

        // Conditions: Ready, Scheduled, Applied first; each type once; kstatus statuses; the
        // fleet state is the classification of exactly these conditions.
        let types: Vec<&str> = build.conditions.iter().map(|c| c.type_).collect();
        prop_assert_eq!(&types[..3], &["Ready", "Scheduled", "Applied"]);
        prop_assert_eq!(types.iter().collect::<BTreeSet<_>>().len(), types.len());
        for c in &build.conditions {
            prop_assert!(matches!(c.status, "True" | "False" | "Unknown"));
            prop_assert!(!c.reason.is_empty() && !c.message.is_empty());
            prop_assert!(c.message.len() < 16 * 1024, "{} bytes", c.message.len());
        }
        prop_assert_eq!(build.state, WorkloadState::classify(build.conditions.iter().map(|c| (c.type_, c.status, c.reason))));
        prop_assert!(!(types.contains(&"Stalled") && types.contains(&"Reconciling")));

        // Size guard.
        let bytes = serde_json::to_vec(status).unwrap().len();
        match &build.truncation {
            None => prop_assert!(bytes <= options.max_status_bytes),
            Some(t) => {
                prop_assert_eq!(t.serialized_bytes, bytes);
                prop_assert_eq!(t.fits(), bytes <= options.max_status_bytes);
                let listed: usize = status.clusters.iter().map(|c| c.pod_list.len()).sum();
                prop_assert_eq!(t.pods_listed, listed);
                if !t.fits() {
                    prop_assert!(status.clusters.iter().all(|c| c.pod_list.is_empty() && c.nodes.is_empty()));
                }
            }
        }
        let back: WorkloadPlacementStatus = serde_json::from_slice(&serde_json::to_vec(status).unwrap()).unwrap();
        prop_assert_eq!(&back, status);

        // Stamping: the same build stamped again over what was written is unchanged (no
        // write), whatever the time.
        let at = |s: i64| Time(k8s_openapi::jiff::Timestamp::from_second(s).unwrap());
        let generation = binding.metadata.generation;
        let written = stamp_status(status.clone(), None, build.conditions.clone(), generation, &at(10));
        let again = stamp_status(status.clone(), Some(&written), build.conditions.clone(), generation, &at(20));
        prop_assert_eq!(&again, &written);

        // The order of a cluster's pods does not matter.
        let reversed: BTreeMap<String, Vec<WorkloadPod>> = pods
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().rev().cloned().collect()))
            .collect();
        let again = workload_placement_status(&PlacementInputs { pods: &reversed, ..inputs }, &options);
        prop_assert_eq!(&again, &build);

        // The member's workload counts agree with the placement's targets.
        for entry in status.clusters.iter().filter(|c| c.name.len() > 1) {
            let counts = scheduled_bindings(&entry.name, [&binding.spec]);
            let targeted = targets(&binding).contains_key(entry.name.as_str());
            prop_assert_eq!(counts.bindings, i64::from(targeted));
            prop_assert_eq!(counts.replicas, if targeted { entry.replicas } else { 0 });
        }
    }

    /// Static weights follow Karmada's rule: the largest weight among the matching rules (0 for
    /// none, negative as 0), every candidate 1 when all are 0; duplicates count once; the
    /// result does not depend on the order of the candidates.
    #[test]
    fn static_weights_follow_karmadas_rule(
        placement in placement(),
        candidates in proptest::collection::vec(cluster_name(), 0..6),
        clusters in clusters(),
    ) {
        let placement: Placement = serde_json::from_value(placement).expect("well-typed placement");
        let resolved = resolve_weights(&placement, candidates.iter().copied(), clusters.iter());
        let reversed = resolve_weights(&placement, candidates.iter().rev().copied(), clusters.iter().rev());
        prop_assert_eq!(&reversed, &resolved);
        if resolved.weighting != Weighting::Static {
            prop_assert!(resolved.weights.is_empty());
            return Ok(());
        }
        let unique: BTreeSet<&str> = candidates.iter().copied().collect();
        prop_assert_eq!(resolved.weights.keys().map(String::as_str).collect::<BTreeSet<_>>(), unique.clone());
        let rules = &placement.replica_scheduling.as_ref().unwrap().weight_preference.as_ref().unwrap().static_weight_list;
        let mut raw = BTreeMap::new();
        for name in &unique {
            let fallback = Cluster { metadata: ObjectMeta { name: Some((*name).to_owned()), ..ObjectMeta::default() }, ..Cluster::default() };
            let cluster = clusters.iter().find(|c| c.metadata.name.as_deref() == Some(name)).unwrap_or(&fallback);
            let weight = rules.iter().filter(|r| cluster_matches(cluster, &r.target_cluster)).map(|r| r.weight.max(0)).max().unwrap_or(0);
            raw.insert((*name).to_owned(), weight);
        }
        if raw.values().all(|w| *w == 0) {
            raw.values_mut().for_each(|w| *w = 1);
        }
        prop_assert_eq!(&resolved.weights, &raw);
    }

    /// Cluster selection is total; `exclude` always wins; an empty affinity matches all.
    #[test]
    fn cluster_matching_is_total(affinity in affinity(), clusters in clusters()) {
        let affinity: ClusterAffinity = serde_json::from_value(affinity).expect("well-typed affinity");
        for cluster in &clusters {
            let matched = cluster_matches(cluster, &affinity);
            let name = cluster.metadata.name.as_deref().unwrap_or_default();
            if affinity.exclude.iter().any(|e| e == name) {
                prop_assert!(!matched);
            }
            prop_assert!(cluster_matches(cluster, &ClusterAffinity::default()));
        }
    }

    /// The placement summary is total: spread bounds positive or absent, the affinity name
    /// kept only when set, selectors printed deterministically.
    #[test]
    fn placement_summary_is_total(placement in placement(), affinity_name in "[a-c]{0,2}") {
        let placement: Placement = serde_json::from_value(placement).expect("well-typed placement");
        let summary = placement_summary(&placement, &affinity_name);
        prop_assert_eq!(summary.affinity_name.as_deref(), (!affinity_name.is_empty()).then_some(affinity_name.as_str()));
        prop_assert_eq!(summary.spread_constraints.len(), placement.spread_constraints.len());
        for spread in &summary.spread_constraints {
            prop_assert!(spread.min_groups.is_none_or(|n| n > 0));
            prop_assert!(spread.max_groups.is_none_or(|n| n > 0));
        }
        prop_assert!(summary.weighting.is_some());
        prop_assert_eq!(placement_summary(&placement, &affinity_name), summary);
    }

    /// Works with random metadata: the override index never panics, reports a problem for
    /// every malformed annotation, and does not depend on the order of the events.
    #[test]
    fn work_index_is_total_and_order_independent(
        works in proptest::collection::vec(
            (
                prop::sample::select(vec!["karmada-es-m1", "karmada-es-m2", "karmada-es-", "shop", ""]),
                0usize..4,
                prop::sample::select(vec![None, Some("id-1"), Some("id-2"), Some("")]),
                any::<bool>(),
                prop_oneof![
                    Just(r#"[{"policyName":"a"}]"#.to_owned()),
                    Just("[{".to_owned()),
                    Just("null".to_owned()),
                    any::<String>(),
                ],
            ),
            0..8,
        ),
    ) {
        let metas: Vec<ObjectMeta> = works
            .iter()
            .map(|(namespace, name, id, cluster_label, annotation)| {
                let label = if *cluster_label {
                    "clusterresourcebinding.karmada.io/permanent-id"
                } else {
                    "resourcebinding.karmada.io/permanent-id"
                };
                serde_json::from_value(json!({
                    "namespace": namespace,
                    "name": format!("w{name}"),
                    "labels": id.map(|id| json!({label: id})),
                    "annotations": {"policy.karmada.io/applied-overrides": annotation},
                }))
                .unwrap()
            })
            .collect();
        // Only the last event per Work counts; apply them once forwards, once with the last
        // version of each Work only, in reverse.
        let mut forward = WorkIndex::new();
        for meta in &metas {
            forward.apply(meta);
        }
        let mut last: BTreeMap<(String, String), &ObjectMeta> = BTreeMap::new();
        for meta in &metas {
            last.insert((meta.namespace.clone().unwrap_or_default(), meta.name.clone().unwrap_or_default()), meta);
        }
        let mut backward = WorkIndex::new();
        for meta in last.values().rev() {
            backward.apply(meta);
        }
        for kind in [BindingKind::ResourceBinding, BindingKind::ClusterResourceBinding] {
            for id in ["id-1", "id-2"] {
                let id = PermanentId { kind, id: id.to_owned() };
                prop_assert_eq!(forward.overrides_of(&id), backward.overrides_of(&id));
            }
        }
        prop_assert_eq!(forward.len(), last.len());
        for meta in &metas {
            forward.delete(meta);
        }
        prop_assert!(forward.is_empty());
    }
}
