//! Assembles a `ClusterInsight` status from what the core builds plus what only the shell knows:
//! the source, the connection health, conditions and the change time. Pure, so every condition
//! rule is unit-tested without a server.

use crate::members::{ConnectionError, Failure, Health};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::conditions::{reasons, status as condition_status, types};
use karmada_manager_api::{ClusterInsightStatus, ClusterWorkloadCounts, InsightSource};
use karmada_manager_core::{
    ClusterIndex, ClusterInsightOptions, NodeUsage, cluster_insight_status,
    cluster_status_fallback, cluster_usage,
};
use karmada_manager_core::{DesiredCondition as Desired, stamp_status};
use karmada_types::{Cluster, SyncMode};
use std::time::Duration;

/// Where the figures come from.
pub enum View<'a> {
    /// A running member task.
    Live {
        index: &'a ClusterIndex,
        health: &'a Health,
        source: InsightSource,
        endpoint: &'a str,
        /// NodeMetrics, when the member serves metrics.k8s.io.
        metrics: Option<&'a [NodeUsage]>,
        /// The member's nodes and pods have been listed completely at least once (possibly by
        /// an earlier connection of the same task set). During a later relist — a reconnect
        /// with rotated credentials, a `410 Gone` — the index is not `is_synced()`, but its
        /// last figures stand in: that is no initial sync.
        listed: bool,
    },
    /// No connection is possible: figures from Karmada's own `Cluster.status`.
    Fallback {
        problem: Option<&'a ConnectionError>,
    },
}

pub struct Inputs<'a> {
    pub cluster: &'a Cluster,
    pub view: View<'a>,
    pub previous: Option<&'a ClusterInsightStatus>,
    pub generation: Option<i64>,
    pub workloads: ClusterWorkloadCounts,
    pub options: &'a ClusterInsightOptions,
    /// How long a member may be unreachable before Ready turns False.
    pub grace: Duration,
    pub now: Time,
}

/// The status, and when to look again (a grace period is running out).
pub fn assemble(inputs: Inputs<'_>) -> (ClusterInsightStatus, Option<Duration>) {
    let Inputs {
        cluster,
        view,
        previous,
        generation,
        workloads,
        options,
        grace,
        now,
    } = inputs;
    let mut requeue = None;
    let (mut status, desired) = match view {
        View::Live {
            index,
            health,
            source,
            endpoint,
            metrics,
            listed,
        } => {
            // Fault tests (issue #7) found a planned token rotation flipping Ready to False
            // (InitialSync) while the new connection relisted: a relist is not an initial sync.
            let listed = listed || index.is_synced();
            let build = cluster_insight_status(index, cluster, options);
            let mut conditions = Vec::new();
            let truncated = build.truncation.as_ref().map(|t| t.message());
            match &health.failure {
                Some(failure) if stalls_now(failure, listed, grace) => {
                    conditions.push(Desired::of(
                        types::READY,
                        false,
                        failure.reason,
                        failure.message.clone(),
                    ));
                    conditions.push(Desired::of(
                        types::STALLED,
                        true,
                        failure.reason,
                        failure.message.clone(),
                    ));
                }
                // Past the grace period, or with nothing listed yet that could stand in meanwhile.
                Some(failure) if failure.since.elapsed() >= grace || !listed => {
                    let message = if listed {
                        format!("{}; the figures are the last known ones", failure.message)
                    } else {
                        failure.message.clone()
                    };
                    // Reconciling too, as documented for MemberUnreachable: the operator retries,
                    // and kstatus (Flux, `kubectl wait`) would otherwise judge a Ready=False
                    // without Reconciling or Stalled as Current (found by the fault tests).
                    conditions.push(Desired::of(
                        types::READY,
                        false,
                        reasons::MEMBER_UNREACHABLE,
                        message.clone(),
                    ));
                    conditions.push(Desired::of(
                        types::RECONCILING,
                        true,
                        reasons::MEMBER_UNREACHABLE,
                        message,
                    ));
                }
                Some(failure) => {
                    requeue = Some(grace.saturating_sub(failure.since.elapsed()));
                    conditions.extend(healthy_conditions(&build.status, truncated));
                }
                None if !listed => {
                    let message = format!("listing nodes and pods of {endpoint}");
                    conditions.push(Desired::of(
                        types::READY,
                        false,
                        reasons::INITIAL_SYNC,
                        message.clone(),
                    ));
                    conditions.push(Desired::of(
                        types::RECONCILING,
                        true,
                        reasons::INITIAL_SYNC,
                        message,
                    ));
                }
                None => conditions.extend(healthy_conditions(&build.status, truncated)),
            }
            // A connection that does not verify the member's certificate must not look like
            // one that does: say so where people look (issue #7; the insight said nothing).
            if source == InsightSource::Direct && cluster.spec.insecure_skip_tls_verification {
                let ready = conditions
                    .iter_mut()
                    .find(|c| c.type_ == types::READY && c.status == condition_status::TRUE);
                if let Some(ready) = ready {
                    ready.message.push_str(&format!(
                        "; TLS verification of {endpoint} is skipped (spec.insecureSkipTLSVerification): the member's identity is not checked"
                    ));
                }
            }
            let mut status = build.status;
            status.source = Some(source);
            status.usage = metrics.map(|m| cluster_usage(index, m));
            (status, conditions)
        }
        View::Fallback { problem } => {
            let mut status = cluster_status_fallback(cluster);
            status.source = Some(InsightSource::ClusterStatus);
            let conditions = match problem {
                Some(err) => vec![
                    Desired::of(types::READY, false, err.reason(), err.to_string()),
                    Desired::of(types::STALLED, true, err.reason(), err.to_string()),
                ],
                None => vec![Desired::of(
                    types::READY,
                    true,
                    reasons::CLUSTER_STATUS_FALLBACK,
                    fallback_message(cluster),
                )],
            };
            (status, conditions)
        }
    };
    status.workloads = workloads;
    (
        stamp_status(status, previous, desired, generation, &now),
        requeue,
    )
}

fn fallback_message(cluster: &Cluster) -> String {
    let mode = match cluster.spec.sync_mode {
        Some(SyncMode::Pull) => "a Pull-mode cluster",
        _ => "a cluster",
    };
    format!(
        "{mode} without an API endpoint karmada-manager can reach: figures come from Karmada's Cluster status; no per-node detail"
    )
}

/// Ready=True, plus Degraded while some nodes are NotReady or under pressure.
fn healthy_conditions(status: &ClusterInsightStatus, truncated: Option<String>) -> Vec<Desired> {
    let n = &status.nodes;
    let message = format!("{} nodes, {} pods observed", n.total, status.pods.total);
    let mut conditions = vec![match truncated {
        Some(note) => Desired::of(
            types::READY,
            true,
            reasons::STATUS_TRUNCATED,
            format!("{message}; {note}"),
        ),
        None => Desired::of(types::READY, true, reasons::SYNCED, message),
    }];
    let mut problems = Vec::new();
    for (count, what) in [
        (n.not_ready, "NotReady"),
        (n.memory_pressure, "under memory pressure"),
        (n.disk_pressure, "under disk pressure"),
        (n.pid_pressure, "under PID pressure"),
    ] {
        if count > 0 {
            problems.push(format!("{count} {what}"));
        }
    }
    if !problems.is_empty() {
        let message = format!(
            "of {} nodes: {}; see status.nodeDetails",
            n.total,
            problems.join(", ")
        );
        conditions.push(Desired::of(
            types::DEGRADED,
            true,
            reasons::NODES_DEGRADED,
            message,
        ));
    }
    conditions
}

/// Whether `failure` is reported as `Stalled` now. Configuration failures stall at once, except
/// a 403 from a member that has already served these figures: a kube-apiserver answers 403 while
/// it restarts, until its RBAC caches are filled (the fault tests saw every restart of a
/// flapping member reported as a broken grant). That one waits out the grace period like an
/// outage, with the last figures standing in.
fn stalls_now(failure: &Failure, listed: bool, grace: Duration) -> bool {
    let maybe_restarting = failure.reason == reasons::FORBIDDEN && listed;
    failure.stalled && (!maybe_restarting || failure.since.elapsed() >= grace)
}

#[cfg(test)]
mod tests;
