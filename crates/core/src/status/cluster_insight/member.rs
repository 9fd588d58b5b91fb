//! Whether a member's figures can be trusted right now, decided from what the shell knows of its
//! connection, passed in as data (failure ages, not clock readings). One rule serves the
//! ClusterInsight's `Ready` condition and the placements that show a member as not observed, so
//! the two never disagree about a member.

use std::time::Duration;

use karmada_manager_api::conditions::reasons;
use karmada_manager_api::{ClusterProblem, InsightSource};
use karmada_types::{Cluster, SyncMode};

use crate::index::ClusterIndex;
use crate::projection::NodeUsage;
use crate::text::{CONDITION_MESSAGE_LIMIT, VALUE_LIMIT, bounded};

/// The current failure of a member's watches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFailure {
    /// Condition reason, e.g. `MemberUnreachable`, `Unauthorized`, `Forbidden`.
    pub reason: &'static str,
    /// What is wrong and what to do.
    pub message: String,
    /// How long the same failure has lasted.
    pub age: Duration,
    /// Configuration that cannot work without a change (wrong token, wrong CA): reported at
    /// once, without waiting for the unreachable grace period.
    pub stalled: bool,
}

/// What the shell knows of a member whose watches run.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemberHealth<'a> {
    /// The current, unresolved failure.
    pub failure: Option<&'a MemberFailure>,
    /// Nodes and pods have been listed completely at least once (possibly by an earlier
    /// connection). During a later relist — a reconnect with rotated credentials, a `410 Gone`
    /// — the index is not synced, but its last figures stand in: that is no initial sync.
    pub listed: bool,
    /// Not listed yet, and waiting for a turn: only a few members do their first list at once.
    pub waiting_for_turn: bool,
}

/// Why no connection to a member can be made (the shell's connection planning said so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionProblem {
    /// Condition reason, e.g. `SecretNotFound`, `InvalidEndpoint`.
    pub reason: &'static str,
    /// What is wrong and how to fix it; never Secret data.
    pub message: String,
    /// The Cluster has no endpoint or no Secret reference at all: normal for a Pull cluster.
    pub settings_absent: bool,
}

/// Where a ClusterInsight's figures come from.
#[derive(Clone, Copy, Debug)]
pub enum MemberView<'a> {
    /// A running watch task and its index.
    Watched {
        index: &'a ClusterIndex,
        health: MemberHealth<'a>,
        /// `Direct` or `ClusterProxy`.
        source: InsightSource,
        /// The URL the member is reached at, for messages.
        endpoint: &'a str,
        /// NodeMetrics, when the member serves metrics.k8s.io.
        metrics: Option<&'a [NodeUsage]>,
        /// The last poll of metrics.k8s.io failed or timed out: `metrics` are the last ones
        /// measured, if any.
        metrics_stale: bool,
    },
    /// No connection can be made: figures from Karmada's own `Cluster.status`. `problem` is
    /// why, `None` when there was nothing to connect to in the first place.
    Unwatched {
        problem: Option<&'a ConnectionProblem>,
    },
}

/// How far a member's figures can be trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberReadiness {
    /// Live figures. `recheck_after`: a failure is inside its grace period, which ends then.
    Ready { recheck_after: Option<Duration> },
    /// Nothing listed yet: the figures are not there.
    InitialSync { message: String },
    /// Unreachable past the grace period (or before anything was listed); the operator
    /// keeps retrying, and the last figures stand.
    Unreachable { message: String },
    /// Cannot work until someone changes the configuration.
    Stalled {
        reason: &'static str,
        message: String,
    },
    /// Reached through Karmada's `Cluster.status` only, as expected for this cluster.
    ClusterStatusOnly,
}

impl MemberView<'_> {
    /// The member's readiness under an unreachable `grace` period.
    pub fn readiness(&self, cluster: &Cluster, grace: Duration) -> MemberReadiness {
        match self {
            MemberView::Watched {
                index,
                health,
                endpoint,
                ..
            } => watched_readiness(health, health.listed || index.is_synced(), endpoint, grace),
            MemberView::Unwatched { problem: None } => MemberReadiness::ClusterStatusOnly,
            MemberView::Unwatched {
                problem: Some(problem),
            } => {
                let pull = cluster.spec.sync_mode == Some(SyncMode::Pull);
                if pull && problem.settings_absent {
                    MemberReadiness::ClusterStatusOnly
                } else {
                    MemberReadiness::Stalled {
                        reason: problem.reason,
                        message: bounded(&problem.message, CONDITION_MESSAGE_LIMIT),
                    }
                }
            }
        }
    }
}

fn watched_readiness(
    health: &MemberHealth<'_>,
    listed: bool,
    endpoint: &str,
    grace: Duration,
) -> MemberReadiness {
    // The shell's messages quote what the member answered: never more than a condition holds.
    let message = |failure: &MemberFailure| bounded(&failure.message, CONDITION_MESSAGE_LIMIT);
    match health.failure {
        Some(failure) if stalls_now(failure, listed, grace) => MemberReadiness::Stalled {
            reason: failure.reason,
            message: message(failure),
        },
        // Past the grace period, or with nothing listed yet that could stand in meanwhile.
        Some(failure) if failure.age >= grace || !listed => {
            let message = if listed {
                format!("{}; the figures are the last known ones", message(failure))
            } else {
                message(failure)
            };
            MemberReadiness::Unreachable { message }
        }
        Some(failure) => MemberReadiness::Ready {
            recheck_after: Some(grace.saturating_sub(failure.age)),
        },
        None if !listed && health.waiting_for_turn => MemberReadiness::InitialSync {
            message: format!(
                "waiting for a turn to list nodes and pods of {}: other members are being listed first (--member-sync-concurrency)",
                bounded(endpoint, VALUE_LIMIT)
            ),
        },
        None if !listed => MemberReadiness::InitialSync {
            message: format!(
                "listing nodes and pods of {}",
                bounded(endpoint, VALUE_LIMIT)
            ),
        },
        None => MemberReadiness::Ready {
            recheck_after: None,
        },
    }
}

/// Whether `failure` is reported as `Stalled` now. Configuration failures stall at once, except
/// a 403 from a member that has already served these figures: a kube-apiserver answers 403 while
/// it restarts, until its RBAC caches are filled (the fault tests saw every restart of a
/// flapping member reported as a broken grant, and on a loaded machine the refusals outlasted
/// one grace period). That one is an outage for [`RESTART_REFUSAL_GRACES`] grace periods (the
/// last figures stand in for the first) before it reads as a broken grant.
fn stalls_now(failure: &MemberFailure, listed: bool, grace: Duration) -> bool {
    let maybe_restarting = failure.reason == reasons::FORBIDDEN && listed;
    failure.stalled
        && (!maybe_restarting || failure.age >= grace.saturating_mul(RESTART_REFUSAL_GRACES))
}

/// How many grace periods a 403 from a member that served before counts as an outage.
const RESTART_REFUSAL_GRACES: u32 = 4;

/// What a placement shows for a target member whose pods are not being observed live: the
/// reason and message of the member's ClusterInsight `Ready=False`. `None` while the member is
/// ready, and during the initial sync, when its pods are simply absent.
pub fn not_observed(cluster: &str, readiness: &MemberReadiness) -> Option<ClusterProblem> {
    let (reason, message) = match readiness {
        MemberReadiness::Unreachable { message } => (reasons::MEMBER_UNREACHABLE, message),
        MemberReadiness::Stalled { reason, message } => (*reason, message),
        MemberReadiness::Ready { .. }
        | MemberReadiness::InitialSync { .. }
        | MemberReadiness::ClusterStatusOnly => return None,
    };
    // The placement cuts problems further; bounded here so a huge message is never copied.
    Some(ClusterProblem {
        reason: reason.to_owned(),
        message: format!(
            "ClusterInsight {cluster} is not Ready: {}",
            bounded(message, CONDITION_MESSAGE_LIMIT)
        ),
    })
}
