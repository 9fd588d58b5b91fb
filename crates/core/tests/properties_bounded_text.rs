//! Property test of the bounds on text that others control (`karmada_manager_core::text`):
//! megabyte-long values in every text the builders quote — a binding's `appliedMessage`,
//! Karmada's condition reasons and messages, graceful eviction tasks, the claimed policy's
//! names and decode error, Work override annotations (through the `WorkIndex`), member failure
//! and connection messages, endpoints, a Cluster's spec and status, a node's labels and
//! version — never make a condition message, a problem message or a bounded status field longer
//! than its limit; every cut is marked; and the whole status stays small.
//!
//! Few cases: each one carries megabytes.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use karmada_manager_api::{
    ClusterInsightStatus, ClusterProblem, ClusterWorkloadCounts, InsightSource,
    WorkloadPlacementStatus,
};
use karmada_manager_core::text::{
    CONDITION_MESSAGE_LIMIT, PROBLEM_MESSAGE_LIMIT, QUOTE_LIMIT, VALUE_LIMIT,
};
use karmada_manager_core::{
    BindingKind, BindingSource, ClusterInsightInputs, ClusterInsightOptions, ConnectionProblem,
    DesiredCondition, MemberEvent, MemberFailure, MemberHealth, MemberIndex, MemberView,
    PermanentId, PlacementInputs, PlacementOptions, PolicyLookup, SlimNode, SlimPod, WatcherEvent,
    WorkIndex, cluster_insight_status, not_observed, permanent_id_label, stamp_status,
    workload_placement_status,
};
use karmada_types::{Cluster, ResourceBinding};
use prop_json::config;
use proptest::prelude::*;
use serde_json::json;

/// What a cut leaves at its end.
const MARKER: &str = " bytes cut)";
/// Far more than a status with these few clusters and nodes needs, far less than one input.
const STATUS_BYTES: usize = 64 * 1024;

/// A text of one to two MiB: `unit` repeated to `len` bytes, ending on a character boundary.
/// The case holds the recipe, not the text, so that a failure prints a few bytes.
#[derive(Clone, Debug)]
struct Huge {
    unit: &'static str,
    len: usize,
}

impl Huge {
    fn text(&self) -> String {
        let mut text = self.unit.repeat(self.len / self.unit.len() + 1);
        let mut end = self.len;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text
    }
}

fn huge() -> impl Strategy<Value = Huge> {
    (
        prop::sample::select(vec!["x", "é", "€", "😀", "ab😀é", "denied ", "\"q\" \\ "]),
        (1usize << 20)..(2usize << 20),
    )
        .prop_map(|(unit, len)| Huge { unit, len })
}

/// Eight huge texts per case, handed out to the inputs in turn.
fn texts() -> impl Strategy<Value = Vec<Huge>> {
    proptest::collection::vec(huge(), 8)
}

fn made(texts: &[Huge]) -> Vec<String> {
    texts.iter().map(Huge::text).collect()
}

fn at(seconds: i64) -> Time {
    Time(Timestamp::from_second(seconds).unwrap())
}

fn conditions_fit(conditions: &[DesiredCondition]) -> Result<(), TestCaseError> {
    for c in conditions {
        prop_assert!(
            c.message.len() <= CONDITION_MESSAGE_LIMIT,
            "{} {}: {} bytes",
            c.type_,
            c.reason,
            c.message.len()
        );
    }
    Ok(())
}

fn stamped_fit(conditions: &[Condition]) -> Result<(), TestCaseError> {
    for c in conditions {
        prop_assert!(c.message.len() <= CONDITION_MESSAGE_LIMIT);
    }
    Ok(())
}

fn value_fits(value: &str) -> Result<(), TestCaseError> {
    prop_assert!(value.len() <= VALUE_LIMIT, "{} bytes", value.len());
    Ok(())
}

/// The stage the binding is at, which decides the Karmada text the conditions quote.
#[derive(Clone, Copy, Debug)]
enum Stage {
    /// `Scheduled=False`: its reason and message.
    SchedulingFailed,
    /// Scheduled, one cluster reports `applied: false` with a message.
    ApplyFailed,
    /// Applied everywhere, Karmada's `FullyApplied=False` lags: its reason and message.
    FullyAppliedLags,
    /// Applied everywhere: the claimed policy's problem is on Ready.
    Applied,
}

fn stage() -> impl Strategy<Value = Stage> {
    prop::sample::select(vec![
        Stage::SchedulingFailed,
        Stage::ApplyFailed,
        Stage::FullyAppliedLags,
        Stage::Applied,
    ])
}

fn binding(t: &[String], stage: Stage, cluster_policy: bool) -> ResourceBinding {
    let annotations = if cluster_policy {
        json!({"clusterpropagationpolicy.karmada.io/name": t[0]})
    } else {
        json!({"propagationpolicy.karmada.io/name": t[0], "propagationpolicy.karmada.io/namespace": t[1]})
    };
    let scheduled = match stage {
        Stage::SchedulingFailed => {
            json!({"type": "Scheduled", "status": "False", "reason": t[2], "message": t[3]})
        }
        _ => json!({"type": "Scheduled", "status": "True", "reason": t[2], "message": t[3]}),
    };
    let fully_applied = match stage {
        Stage::FullyAppliedLags => {
            json!({"type": "FullyApplied", "status": "False", "reason": "", "message": t[4]})
        }
        _ => {
            json!({"type": "FullyApplied", "status": "True", "reason": "FullyAppliedSuccess", "message": ""})
        }
    };
    let m1_applied = !matches!(stage, Stage::ApplyFailed);
    serde_json::from_value(json!({
        "metadata": {"name": "web-deployment", "namespace": "shop", "generation": 2, "annotations": annotations},
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
            "replicas": 4,
            "clusters": [{"name": "m1", "replicas": 2}, {"name": "m2", "replicas": 2}],
            "gracefulEvictionTasks": [{
                "fromCluster": "m3", "reason": t[5], "message": t[6], "producer": t[7], "purgeMode": t[4],
            }],
        },
        "status": {
            "schedulerObservedGeneration": 2,
            "conditions": [scheduled, fully_applied],
            "aggregatedStatus": [
                {"clusterName": "m1", "applied": m1_applied, "appliedMessage": t[6], "health": "Healthy",
                 "status": {"readyReplicas": 2, "replicas": 2}},
                {"clusterName": "m2", "applied": true, "appliedMessage": t[7], "health": "Healthy",
                 "status": {"readyReplicas": 2, "replicas": 2}},
                {"clusterName": "m3", "applied": true, "appliedMessage": t[5]},
            ],
        },
    }))
    .unwrap()
}

/// The Works of the binding: valid overrides with huge names on m1, a malformed annotation that
/// quotes a huge value on m2.
fn works(t: &[String], id: &PermanentId) -> WorkIndex {
    let label = permanent_id_label(id.kind);
    let overrides = json!([{"policyName": t[1]}]).to_string();
    let cluster_overrides = json!([{"policyName": t[2]}]).to_string();
    let malformed = json!([t[3]]).to_string();
    let mut index = WorkIndex::new();
    for (namespace, annotations) in [
        (
            "karmada-es-m1",
            json!({
                "policy.karmada.io/applied-overrides": overrides,
                "policy.karmada.io/applied-cluster-overrides": cluster_overrides,
            }),
        ),
        (
            "karmada-es-m2",
            json!({"policy.karmada.io/applied-overrides": malformed}),
        ),
    ] {
        let meta: ObjectMeta = serde_json::from_value(json!({
            "namespace": namespace,
            "name": "web-deployment-1",
            "labels": {label: id.id},
            "annotations": annotations,
        }))
        .unwrap();
        index.apply(&meta);
    }
    index
}

/// A member whose only node has huge roles, zone, instance type and kubelet version.
fn member(t: &[String]) -> MemberIndex {
    let mut node = SlimNode::new("n1");
    node.ready = true;
    node.roles = vec![Arc::from(t[0].as_str())];
    node.zone = Some(Arc::from(t[1].as_str()));
    node.instance_type = Some(Arc::from(t[2].as_str()));
    node.kubelet_version = Some(Arc::from(t[3].as_str()));
    let mut index = MemberIndex::new();
    index.apply_event(MemberEvent::Node(WatcherEvent::Init));
    index.apply_event(MemberEvent::Node(WatcherEvent::InitApply(node)));
    index.apply_event(MemberEvent::Node(WatcherEvent::InitDone));
    index.apply_event(MemberEvent::Pod(WatcherEvent::Init));
    index.apply_event(MemberEvent::Pod(WatcherEvent::InitApply(
        SlimPod::new("shop", "web-1").on_node("n1"),
    )));
    index.apply_event(MemberEvent::Pod(WatcherEvent::InitDone));
    index
}

fn cluster(t: &[String]) -> Cluster {
    serde_json::from_value(json!({
        "metadata": {"name": "m1"},
        "spec": {
            "apiEndpoint": t[4], "syncMode": t[5], "provider": t[6], "region": t[7],
            "zone": t[0], "zones": [t[1], t[2]], "insecureSkipTLSVerification": true,
        },
        "status": {
            "kubernetesVersion": t[3],
            "conditions": [{"type": "Ready", "status": t[4], "reason": t[5], "message": t[6]}],
        },
    }))
    .unwrap()
}

/// What the shell knows of the member's connection.
#[derive(Clone, Debug)]
enum Connection {
    /// Watched, maybe failing (reason, age, stalled), maybe listed before.
    Watched {
        failure: Option<(&'static str, u64, bool)>,
        listed: bool,
    },
    /// No connection can be made.
    Unwatched { reason: &'static str },
}

fn connection() -> impl Strategy<Value = Connection> {
    prop_oneof![
        (
            proptest::option::of((
                prop::sample::select(vec!["MemberUnreachable", "Forbidden", "Unauthorized"]),
                prop::sample::select(vec![0u64, 3600]),
                any::<bool>(),
            )),
            any::<bool>(),
        )
            .prop_map(|(failure, listed)| Connection::Watched { failure, listed }),
        prop::sample::select(vec!["InvalidEndpoint", "SecretNotFound", "InvalidCABundle"])
            .prop_map(|reason| Connection::Unwatched { reason }),
    ]
}

/// Runs `f` with the member as the builders take it, failure messages and endpoint huge.
fn with_member<T>(
    t: &[String],
    index: &MemberIndex,
    connection: &Connection,
    f: impl FnOnce(MemberView<'_>) -> T,
) -> T {
    match connection {
        Connection::Watched { failure, listed } => {
            let failure = failure.map(|(reason, age, stalled)| MemberFailure {
                reason,
                message: t[5].clone(),
                age: Duration::from_secs(age),
                stalled,
            });
            f(MemberView::Watched {
                index: &index.cluster,
                health: MemberHealth {
                    failure: failure.as_ref(),
                    listed: *listed,
                    waiting_for_turn: false,
                },
                source: InsightSource::Direct,
                endpoint: &t[4],
                metrics: None,
                metrics_stale: false,
            })
        }
        Connection::Unwatched { reason } => {
            let problem = ConnectionProblem {
                reason,
                message: t[6].clone(),
                settings_absent: false,
            };
            f(MemberView::Unwatched {
                problem: Some(&problem),
            })
        }
    }
}

const GRACE: Duration = Duration::from_secs(60);

proptest! {
    #![proptest_config(config(16))]

    /// A ClusterInsight built from huge member messages, endpoint, Cluster spec and status and
    /// node texts: every condition message and every quoted field within its limit, the Ready
    /// message marked as cut, the whole status small.
    #[test]
    fn cluster_insight_text_is_bounded(texts in texts(), connection in connection()) {
        let t = made(&texts);
        let cluster = cluster(&t);
        let index = member(&t);
        let built = with_member(&t, &index, &connection, |member| {
            cluster_insight_status(
                &ClusterInsightInputs {
                    cluster: &cluster,
                    member,
                    scheduled: ClusterWorkloadCounts::default(),
                    unreachable_grace: GRACE,
                },
                &ClusterInsightOptions::default(),
            )
        });
        conditions_fit(&built.conditions)?;
        let ready = built.conditions.iter().find(|c| c.type_ == "Ready").unwrap();
        // Every path quotes something huge here: a failure or connection message, or the
        // endpoint (while listing, or as the TLS note of a Ready=True).
        prop_assert!(ready.message.contains(MARKER), "{} {}", ready.reason, ready.message);

        let info = &built.status.cluster;
        for value in [&info.sync_mode, &info.kubernetes_version, &info.provider, &info.region, &info.karmada_ready]
            .into_iter()
            .flatten()
            .chain(&info.zones)
        {
            value_fits(value)?;
        }
        for node in &built.status.node_details.items {
            for value in node.roles.iter()
                .chain(&node.zone)
                .chain(&node.instance_type)
                .chain(&node.kubelet_version)
            {
                value_fits(value)?;
                prop_assert!(value.ends_with(MARKER));
            }
        }

        let status = stamp_status(built.status, None::<&ClusterInsightStatus>, built.conditions, Some(1), &at(1));
        stamped_fit(&status.conditions)?;
        let bytes = serde_json::to_vec(&status).unwrap().len();
        prop_assert!(bytes <= STATUS_BYTES, "{bytes} bytes");
    }

    /// A placement built from a binding with huge Karmada texts, eviction task, claim names
    /// and policy error, huge Work annotations through the `WorkIndex`, and huge member
    /// problems (through `not_observed`, as the shell gathers them): every condition message,
    /// problem message and quoted field within its limit, the whole status small.
    #[test]
    fn placement_text_is_bounded(
        texts in texts(),
        stage in stage(),
        cluster_policy in any::<bool>(),
        malformed_policy in any::<bool>(),
        connection in connection(),
    ) {
        let t = made(&texts);
        let binding = binding(&t, stage, cluster_policy);
        let kind = if cluster_policy { BindingKind::ClusterResourceBinding } else { BindingKind::ResourceBinding };
        let id = PermanentId { kind, id: "id-1".to_owned() };
        let works = works(&t, &id);
        let observed = works.overrides_of(&id);
        for problems in observed.problems.values() {
            for problem in problems {
                prop_assert!(problem.message.len() <= PROBLEM_MESSAGE_LIMIT, "{} bytes", problem.message.len());
                prop_assert!(problem.message.contains(MARKER));
            }
        }
        for found in observed.overrides.values() {
            for o in found.overrides.iter().chain(&found.cluster_overrides) {
                value_fits(&o.policy_name)?;
            }
        }

        // The member problems the shell adds: the member's readiness, and a huge one as is.
        let cluster = cluster(&t);
        let index = member(&t);
        let readiness = with_member(&t, &index, &connection, |member| member.readiness(&cluster, GRACE));
        let mut problems = observed.problems.clone();
        problems.entry("m1".to_owned()).or_default().extend(not_observed("m1", &readiness));
        problems.entry("m2".to_owned()).or_default().push(ClusterProblem {
            reason: "MemberUnreachable".to_owned(),
            message: t[7].clone(),
        });

        let policy = if malformed_policy { PolicyLookup::Malformed(&t[3]) } else { PolicyLookup::Missing };
        let inputs = PlacementInputs {
            binding: BindingSource { kind, ..BindingSource::from(&binding) },
            policy,
            clusters: &[],
            overrides: &observed.overrides,
            pods: &BTreeMap::new(),
            problems: &problems,
            fits: &BTreeMap::new(),
            shared: None,
        };
        let build = workload_placement_status(&inputs, &PlacementOptions::default());
        conditions_fit(&build.conditions)?;

        let status = &build.status;
        if let Some(policy) = &status.policy {
            value_fits(&policy.name)?;
            if let Some(namespace) = &policy.namespace {
                value_fits(namespace)?;
            }
        }
        for entry in &status.clusters {
            if let Some(message) = &entry.applied_message {
                prop_assert!(message.len() <= QUOTE_LIMIT, "{} bytes", message.len());
                prop_assert!(message.ends_with(MARKER));
            }
            for problem in &entry.problems {
                prop_assert!(problem.message.len() <= PROBLEM_MESSAGE_LIMIT, "{} bytes", problem.message.len());
            }
            if let Some(eviction) = &entry.eviction {
                value_fits(&eviction.reason)?;
                if let Some(mode) = &eviction.purge_mode {
                    value_fits(mode)?;
                }
            }
            for name in &entry.overrides {
                value_fits(name)?;
            }
        }
        // Whatever the stage, some condition quotes a huge text.
        prop_assert!(build.conditions.iter().any(|c| c.message.contains(MARKER)));

        let status = stamp_status(build.status, None::<&WorkloadPlacementStatus>, build.conditions, Some(2), &at(1));
        stamped_fit(&status.conditions)?;
        let bytes = serde_json::to_vec(&status).unwrap().len();
        prop_assert!(bytes <= STATUS_BYTES, "{bytes} bytes");
    }
}
