//! The ClusterInsight's conditions from member health given as data: every rule of
//! [`MemberReadiness`] and of the conditions, without a server or a clock.

use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use karmada_manager_api::{ClusterInsightStatus, InsightSource};
use karmada_types::{Cluster, ClusterSpec, LocalSecretReference};

use super::*;
use crate::index::ClusterIndex;
use crate::projection::{SlimNode, SlimPod};
use crate::status::conditions::stamp_status;

const GRACE: Duration = Duration::from_secs(30);

fn at(seconds: i64) -> Time {
    Time(Timestamp::from_second(seconds).unwrap())
}

fn synced_index(ready_nodes: usize, not_ready_nodes: usize) -> ClusterIndex {
    let mut index = ClusterIndex::new();
    index.begin_resync_nodes();
    for i in 0..ready_nodes + not_ready_nodes {
        let mut node = SlimNode::new(&format!("n{i}"));
        node.ready = i < ready_nodes;
        index.apply_node(node);
    }
    index.end_resync_nodes();
    index.begin_resync_pods();
    index.apply_pod(SlimPod::new("shop", "web-1").on_node("n0"));
    index.end_resync_pods();
    index
}

fn failure(reason: &'static str, age: Duration, stalled: bool) -> Option<MemberFailure> {
    Some(MemberFailure {
        reason,
        message: format!("{reason} happened"),
        age,
        stalled,
    })
}

/// Builds and stamps, as the shell does: generation 1 at `now`.
fn stamped(
    inputs: &ClusterInsightInputs<'_>,
    previous: Option<&ClusterInsightStatus>,
    now: Time,
) -> (ClusterInsightStatus, Option<Duration>) {
    let built = cluster_insight_status(inputs, &ClusterInsightOptions::default());
    let status = stamp_status(built.status, previous, built.conditions, Some(1), &now);
    (status, built.recheck_after)
}

fn live(
    index: &ClusterIndex,
    failure: &Option<MemberFailure>,
    previous: Option<&ClusterInsightStatus>,
    now: Time,
) -> (ClusterInsightStatus, Option<Duration>) {
    live_with(&Cluster::default(), index, failure, false, previous, now)
}

/// [`live`] for `cluster`, with the member listed before (`listed`) or not.
fn live_with(
    cluster: &Cluster,
    index: &ClusterIndex,
    failure: &Option<MemberFailure>,
    listed: bool,
    previous: Option<&ClusterInsightStatus>,
    now: Time,
) -> (ClusterInsightStatus, Option<Duration>) {
    let member = MemberView::Watched {
        index,
        health: MemberHealth {
            failure: failure.as_ref(),
            listed,
            waiting_for_turn: false,
        },
        source: InsightSource::Direct,
        endpoint: "https://m1",
        metrics: None,
        metrics_stale: false,
    };
    let inputs = ClusterInsightInputs {
        cluster,
        member,
        scheduled: Default::default(),
        unreachable_grace: GRACE,
    };
    stamped(&inputs, previous, now)
}

fn condition<'a>(status: &'a ClusterInsightStatus, type_: &str) -> Option<(&'a str, &'a str)> {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.as_str(), c.reason.as_str()))
}

#[test]
fn a_synced_member_is_ready_and_an_unchanged_world_changes_nothing() {
    let index = synced_index(3, 0);
    let health = None;
    let (first, requeue) = live(&index, &health, None, at(100));
    assert_eq!(condition(&first, "Ready"), Some(("True", "Synced")));
    assert_eq!(condition(&first, "Degraded"), None);
    assert_eq!(
        (first.source, first.observed_generation, requeue),
        (Some(InsightSource::Direct), Some(1), None)
    );
    assert_eq!(first.last_change_time, Some(at(100)));

    let (second, _) = live(&index, &health, Some(&first), at(200));
    assert_eq!(
        second, first,
        "same world, same status: no write, no new lastChangeTime"
    );
}

#[test]
fn not_ready_nodes_make_the_member_degraded() {
    let (status, _) = live(&synced_index(2, 1), &None, None, at(1));
    assert_eq!(
        condition(&status, "Degraded"),
        Some(("True", "NodesDegraded"))
    );
    let message = &status
        .conditions
        .iter()
        .find(|c| c.type_ == "Degraded")
        .unwrap()
        .message;
    assert!(message.contains("1 NotReady"), "{message}");
}

#[test]
fn before_the_first_list_the_member_is_reconciling() {
    let (status, _) = live(&ClusterIndex::new(), &None, None, at(1));
    assert_eq!(condition(&status, "Ready"), Some(("False", "InitialSync")));
    assert_eq!(
        condition(&status, "Reconciling"),
        Some(("True", "InitialSync"))
    );
}

#[test]
fn a_member_waiting_for_a_turn_to_list_says_so_until_its_list_starts() {
    let index = ClusterIndex::new();
    let message = |waiting_for_turn| {
        let member = MemberView::Watched {
            index: &index,
            health: MemberHealth {
                failure: None,
                listed: false,
                waiting_for_turn,
            },
            source: InsightSource::Direct,
            endpoint: "https://m1",
            metrics: None,
            metrics_stale: false,
        };
        match member.readiness(&Cluster::default(), GRACE) {
            MemberReadiness::InitialSync { message } => message,
            other => panic!("not an initial sync: {other:?}"),
        }
    };
    assert_eq!(
        message(true),
        "waiting for a turn to list nodes and pods of https://m1: other members are being listed first (--member-sync-concurrency)"
    );
    assert_eq!(message(false), "listing nodes and pods of https://m1");
}

#[test]
fn an_outage_within_the_grace_keeps_ready_and_asks_to_look_again() {
    let index = synced_index(1, 0);
    let (status, requeue) = live(
        &index,
        &failure("MemberUnreachable", Duration::from_secs(5), false),
        None,
        at(1),
    );
    assert_eq!(condition(&status, "Ready"), Some(("True", "Synced")));
    let requeue = requeue.expect("requeue at the end of the grace");
    assert!(requeue <= GRACE - Duration::from_secs(5), "{requeue:?}");
}

#[test]
fn an_outage_beyond_the_grace_is_member_unreachable_with_the_last_figures() {
    let index = synced_index(2, 0);
    let (status, _) = live(
        &index,
        &failure("MemberUnreachable", GRACE + Duration::from_secs(1), false),
        None,
        at(1),
    );
    assert_eq!(
        condition(&status, "Ready"),
        Some(("False", "MemberUnreachable"))
    );
    assert_eq!(status.nodes.total, 2, "last known figures stay");
    assert!(status.conditions[0].message.contains("last known"));
}

#[test]
fn an_unreachable_member_is_reconciling_as_documented() {
    let (status, _) = live(
        &synced_index(1, 0),
        &failure("MemberUnreachable", GRACE + Duration::from_secs(1), false),
        None,
        at(1),
    );
    assert_eq!(
        condition(&status, "Reconciling"),
        Some(("True", "MemberUnreachable"))
    );
}

#[test]
fn a_relist_after_the_first_list_is_no_initial_sync() {
    let mut index = synced_index(2, 0);
    index.begin_resync_pods(); // a reconnect relists
    let health = None;
    let (status, _) = live_with(&Cluster::default(), &index, &health, true, None, at(1));
    assert_eq!(condition(&status, "Ready"), Some(("True", "Synced")));
    assert_eq!(status.nodes.total, 2, "the last figures stand in");
}

#[test]
fn skipped_tls_verification_is_said() {
    let mut cluster = Cluster::default();
    cluster.spec.insecure_skip_tls_verification = true;
    let health = None;
    let (status, _) = live_with(&cluster, &synced_index(1, 0), &health, true, None, at(1));
    assert_eq!(condition(&status, "Ready"), Some(("True", "Synced")));
    let message = &status.conditions[0].message;
    assert!(message.contains("insecureSkipTLSVerification"), "{message}");
}

#[test]
fn configuration_failures_stall_at_once() {
    let (status, _) = live(
        &synced_index(1, 0),
        &failure("Unauthorized", Duration::ZERO, true),
        None,
        at(1),
    );
    assert_eq!(condition(&status, "Ready"), Some(("False", "Unauthorized")));
    assert_eq!(
        condition(&status, "Stalled"),
        Some(("True", "Unauthorized"))
    );
}

#[test]
fn a_forbidden_member_that_served_before_is_held_for_the_grace_period() {
    // A restarting kube-apiserver answers 403 until its RBAC caches are filled.
    let (status, requeue) = live(
        &synced_index(1, 0),
        &failure("Forbidden", Duration::from_secs(1), true),
        None,
        at(1),
    );
    assert_eq!(condition(&status, "Ready"), Some(("True", "Synced")));
    assert_eq!(condition(&status, "Stalled"), None);
    assert!(requeue.is_some_and(|r| r <= GRACE), "{requeue:?}");

    // Past one grace period: an outage, as a restart that is taking long.
    let (status, _) = live(
        &synced_index(1, 0),
        &failure("Forbidden", GRACE + Duration::from_secs(1), true),
        None,
        at(1),
    );
    assert_eq!(
        condition(&status, "Ready"),
        Some(("False", "MemberUnreachable"))
    );
    assert_eq!(condition(&status, "Stalled"), None);

    // Past four: a broken grant.
    let (status, _) = live(
        &synced_index(1, 0),
        &failure("Forbidden", GRACE * 4 + Duration::from_secs(1), true),
        None,
        at(1),
    );
    assert_eq!(condition(&status, "Ready"), Some(("False", "Forbidden")));
    assert_eq!(condition(&status, "Stalled"), Some(("True", "Forbidden")));
}

#[test]
fn a_forbidden_member_never_listed_stalls_at_once() {
    let (status, _) = live(
        &ClusterIndex::new(),
        &failure("Forbidden", Duration::ZERO, true),
        None,
        at(1),
    );
    assert_eq!(condition(&status, "Ready"), Some(("False", "Forbidden")));
    assert_eq!(condition(&status, "Stalled"), Some(("True", "Forbidden")));
}

#[test]
fn without_a_connection_figures_come_from_karmadas_cluster_status() {
    let cluster = Cluster {
        spec: ClusterSpec {
            api_endpoint: "https://m1".into(),
            secret_ref: Some(LocalSecretReference {
                namespace: "karmada-cluster".into(),
                name: "m1".into(),
            }),
            ..ClusterSpec::default()
        },
        ..Cluster::default()
    };
    let problem = ConnectionProblem {
        reason: "SecretNotFound",
        message: "Secret karmada-cluster/m1 named by spec.secretRef does not exist; create it with keys `token` and `caBundle`".into(),
        settings_absent: false,
    };
    let inputs = |problem| ClusterInsightInputs {
        cluster: &cluster,
        member: MemberView::Unwatched { problem },
        scheduled: Default::default(),
        unreachable_grace: GRACE,
    };
    let assemble = |inputs: ClusterInsightInputs<'_>| stamped(&inputs, None, at(1));
    let (status, _) = assemble(inputs(Some(&problem)));
    assert_eq!(status.source, Some(InsightSource::ClusterStatus));
    assert_eq!(
        condition(&status, "Ready"),
        Some(("False", "SecretNotFound"))
    );
    assert_eq!(
        condition(&status, "Stalled"),
        Some(("True", "SecretNotFound"))
    );
    assert!(status.conditions[0].message.contains("karmada-cluster/m1"));

    let (status, _) = assemble(inputs(None));
    assert_eq!(
        condition(&status, "Ready"),
        Some(("True", "ClusterStatusFallback"))
    );
    assert_eq!(condition(&status, "Stalled"), None);
}

#[test]
fn placements_see_a_member_not_observed_exactly_when_its_insight_is_not_ready() {
    let index = synced_index(1, 0);
    let cluster = Cluster::default();
    let readiness = |failure: &Option<MemberFailure>, listed| {
        let member = MemberView::Watched {
            index: &index,
            health: MemberHealth {
                failure: failure.as_ref(),
                listed,
                waiting_for_turn: false,
            },
            source: InsightSource::Direct,
            endpoint: "https://m1",
            metrics: None,
            metrics_stale: false,
        };
        member.readiness(&cluster, GRACE)
    };
    let unreachable = failure("MemberUnreachable", GRACE + Duration::from_secs(1), false);
    let problem = not_observed("m1", &readiness(&unreachable, true)).expect("a problem");
    assert_eq!(problem.reason, "MemberUnreachable");
    assert_eq!(
        problem.message,
        "ClusterInsight m1 is not Ready: MemberUnreachable happened; the figures are the last known ones"
    );
    let within_grace = failure("MemberUnreachable", Duration::from_secs(1), false);
    assert_eq!(not_observed("m1", &readiness(&within_grace, true)), None);
    let unauthorized = failure("Unauthorized", Duration::ZERO, true);
    let problem = not_observed("m1", &readiness(&unauthorized, true)).expect("a problem");
    assert_eq!(problem.reason, "Unauthorized");
    let syncing = MemberView::Watched {
        index: &ClusterIndex::new(),
        health: MemberHealth::default(),
        source: InsightSource::Direct,
        endpoint: "https://m1",
        metrics: None,
        metrics_stale: false,
    };
    assert_eq!(
        not_observed("m1", &syncing.readiness(&cluster, GRACE)),
        None,
        "during the initial sync pods are simply absent"
    );
}
