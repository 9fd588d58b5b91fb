use super::*;
use crate::members::{Failure, Health};
use k8s_openapi::jiff::Timestamp;
use karmada_manager_core::{SlimNode, SlimPod};
use karmada_types::{ClusterSpec, LocalSecretReference};
use std::time::Instant;

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

fn failure(reason: &'static str, age: Duration, stalled: bool) -> Health {
    let since = Instant::now().checked_sub(age).unwrap();
    Health {
        failure: Some(Failure {
            reason,
            message: format!("{reason} happened"),
            since,
            stalled,
        }),
        owner_failure: None,
    }
}

fn live(
    index: &ClusterIndex,
    health: &Health,
    previous: Option<&ClusterInsightStatus>,
    now: Time,
) -> (ClusterInsightStatus, Option<Duration>) {
    live_with(&Cluster::default(), index, health, false, previous, now)
}

/// [`live`] for `cluster`, with the member listed before (`listed`) or not.
fn live_with(
    cluster: &Cluster,
    index: &ClusterIndex,
    health: &Health,
    listed: bool,
    previous: Option<&ClusterInsightStatus>,
    now: Time,
) -> (ClusterInsightStatus, Option<Duration>) {
    let view = View::Live {
        index,
        health,
        source: InsightSource::Direct,
        endpoint: "https://m1",
        metrics: None,
        listed,
    };
    let options = ClusterInsightOptions::default();
    assemble(Inputs {
        cluster,
        view,
        previous,
        generation: Some(1),
        workloads: Default::default(),
        options: &options,
        grace: GRACE,
        now,
    })
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
    let health = Health::default();
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
    let (status, _) = live(&synced_index(2, 1), &Health::default(), None, at(1));
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
    let (status, _) = live(&ClusterIndex::new(), &Health::default(), None, at(1));
    assert_eq!(condition(&status, "Ready"), Some(("False", "InitialSync")));
    assert_eq!(
        condition(&status, "Reconciling"),
        Some(("True", "InitialSync"))
    );
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
    let health = Health::default();
    let (status, _) = live_with(&Cluster::default(), &index, &health, true, None, at(1));
    assert_eq!(condition(&status, "Ready"), Some(("True", "Synced")));
    assert_eq!(status.nodes.total, 2, "the last figures stand in");
}

#[test]
fn skipped_tls_verification_is_said() {
    let mut cluster = Cluster::default();
    cluster.spec.insecure_skip_tls_verification = true;
    let health = Health::default();
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

    let (status, _) = live(
        &synced_index(1, 0),
        &failure("Forbidden", GRACE + Duration::from_secs(1), true),
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
    let problem = ConnectionError::SecretNotFound {
        namespace: "karmada-cluster".into(),
        name: "m1".into(),
    };
    let options = ClusterInsightOptions::default();
    let inputs = |problem| Inputs {
        cluster: &cluster,
        view: View::Fallback { problem },
        previous: None,
        generation: Some(1),
        workloads: Default::default(),
        options: &options,
        grace: GRACE,
        now: at(1),
    };
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
