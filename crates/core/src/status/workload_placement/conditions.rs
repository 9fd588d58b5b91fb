//! The conditions of a `WorkloadPlacement`, as data: type, status, reason and message, without
//! times. The shell merges them with the previous ones (keeping `lastTransitionTime` when a
//! status did not change), so an unchanged world keeps producing the same bytes.
//!
//! One pass decides everything, in this order of precedence: scheduling failed (Stalled),
//! scheduling pending, applying failed, applying pending, replicas not ready (a rollout),
//! clusters unhealthy, then Ready. The fleet counts ([`WorkloadState`]) classify the result of
//! this pass, so a workload is never "ready" in one place and "failed" in the other.

use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{ClusterPlacement, ClusterProblem, ReplicaCounts, WorkloadHealth};
use karmada_types::well_known::ClaimingPolicy;
use karmada_types::{Condition, ConditionStatus, ResourceBindingStatus};

use super::size_guard::PlacementTruncation;
use super::{PolicyLookup, bounded};
use crate::status::fleet_insight::WorkloadState;

/// How much of a Karmada message is quoted (bytes).
const QUOTE_LIMIT: usize = 512;
/// How many clusters a message names before it says "and N more".
const NAMES_LIMIT: usize = 5;

pub use crate::status::conditions::DesiredCondition;

/// What the conditions are computed from.
pub(super) struct Facts<'a> {
    /// The binding's `metadata.generation` (0 when unknown).
    pub(super) generation: i64,
    pub(super) status: &'a ResourceBindingStatus,
    /// The entries of the target clusters (`spec.clusters`), by name.
    pub(super) targets: Vec<&'a ClusterPlacement>,
    pub(super) replicas: &'a ReplicaCounts,
    /// The kind reports ready replicas, so they must reach the desired count.
    pub(super) replica_kind: bool,
    /// Target clusters whose copy has not observed its latest generation yet.
    pub(super) lagging: Vec<&'a str>,
    pub(super) claim: &'a ClaimingPolicy,
    /// What the hub holds of the claimed policy.
    pub(super) policy: PolicyLookup<'a>,
    pub(super) truncation: Option<&'a PlacementTruncation>,
}

/// How far one stage got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Done,
    Pending,
    Failed,
}

/// The conditions, in the order Ready, Scheduled, Applied, then Reconciling and Stalled when
/// true, and the state the fleet counts the workload in.
pub(super) fn conditions(facts: &Facts<'_>) -> (Vec<DesiredCondition>, WorkloadState) {
    let (scheduled, scheduling) = scheduled(facts);
    let (applied, applying) = applied(facts);
    let rollout = rollout(facts);
    let unhealthy = unhealthy(facts);
    let policy_problem = policy_problem(facts);

    let ready = if scheduling != Stage::Done {
        scheduled.with_type(types::READY, status::FALSE)
    } else if applying != Stage::Done {
        applied.with_type(types::READY, status::FALSE)
    } else if let Some(rollout) = rollout.as_ref().filter(|r| r.short || unhealthy.is_some()) {
        let mut message = rollout.message.clone();
        if let Some(unhealthy) = &unhealthy {
            message.push_str(&format!(" Karmada reports {unhealthy}."));
        }
        DesiredCondition::new(
            types::READY,
            status::FALSE,
            reasons::REPLICAS_NOT_READY,
            message,
        )
    } else if let Some(unhealthy) = &unhealthy {
        DesiredCondition::new(
            types::READY,
            status::FALSE,
            reasons::CLUSTERS_UNHEALTHY,
            format!(
                "Karmada reports {unhealthy}. Look at the workload on those clusters \
                 (status.clusters[])."
            ),
        )
    } else if let Some((reason, message)) = &policy_problem {
        DesiredCondition::new(types::READY, status::TRUE, reason, message)
    } else if let Some(truncation) = facts.truncation {
        DesiredCondition::new(
            types::READY,
            status::TRUE,
            reasons::STATUS_TRUNCATED,
            truncation.message(),
        )
    } else {
        DesiredCondition::new(
            types::READY,
            status::TRUE,
            reasons::WORKLOAD_READY,
            ready_message(facts),
        )
    };

    let mut conditions = vec![ready, scheduled.clone(), applied.clone()];
    let reconciling = match (scheduling, applying) {
        (Stage::Failed, _) | (_, Stage::Failed) => None,
        (Stage::Pending, _) => Some(scheduled.with_type(types::RECONCILING, status::TRUE)),
        (_, Stage::Pending) => Some(applied.with_type(types::RECONCILING, status::TRUE)),
        (Stage::Done, Stage::Done) => rollout.map(|r| {
            DesiredCondition::new(
                types::RECONCILING,
                status::TRUE,
                reasons::REPLICAS_NOT_READY,
                r.message,
            )
        }),
    };
    let stalled = if scheduling == Stage::Failed {
        Some(scheduled.with_type(types::STALLED, status::TRUE))
    } else {
        policy_problem.map(|(reason, message)| {
            DesiredCondition::new(types::STALLED, status::TRUE, reason, message)
        })
    };
    // kstatus reads one of the two; Stalled is the one that needs someone to act.
    match stalled {
        Some(stalled) => conditions.push(stalled),
        None => conditions.extend(reconciling),
    }
    let state = WorkloadState::classify(conditions.iter().map(|c| (c.type_, c.status, c.reason)));
    (conditions, state)
}

/// `Degraded` while some cluster entries carry problems: `MemberNotObserved` when a member
/// cannot be watched, otherwise the entries' own reason (`MalformedOverrides`).
pub(super) fn degraded(clusters: &[ClusterPlacement]) -> Option<DesiredCondition> {
    let problems: Vec<(&str, &ClusterProblem)> = clusters
        .iter()
        .flat_map(|c| c.problems.iter().map(move |p| (c.name.as_str(), p)))
        .collect();
    if problems.is_empty() {
        return None;
    }
    let reason = if problems
        .iter()
        .all(|(_, p)| p.reason == reasons::MALFORMED_OVERRIDES)
    {
        reasons::MALFORMED_OVERRIDES
    } else {
        reasons::MEMBER_NOT_OBSERVED
    };
    let listed: Vec<String> = problems
        .iter()
        .map(|(cluster, p)| format!("{cluster} ({}: {})", p.reason, p.message))
        .collect();
    let message = format!(
        "karmada-manager cannot observe everything on {}. See status.clusters[].problems.",
        names(&listed)
    );
    Some(DesiredCondition::new(
        types::DEGRADED,
        status::TRUE,
        reason,
        message,
    ))
}

/// `Scheduled`, from the binding's `Scheduled` condition and scheduler generation.
///
/// Karmada's scheduler sets `schedulerObservedGeneration` only when it succeeds, so a `False`
/// condition is checked first: it is the failure of the current generation, not a stale one.
fn scheduled(facts: &Facts<'_>) -> (DesiredCondition, Stage) {
    let karmada = facts.status.scheduled_condition();
    let observed = facts.status.scheduler_observed_generation;
    let new = |status, reason, message: String| {
        DesiredCondition::new(types::SCHEDULED, status, reason, message)
    };
    if let Some(failed) = karmada.filter(|c| c.status == ConditionStatus::False) {
        let message = format!(
            "karmada-scheduler cannot place the binding ({}). Fix the policy's placement, or \
             the clusters' labels, taints or capacity.",
            karmada_says(failed)
        );
        return (
            new(status::FALSE, reasons::SCHEDULING_FAILED, message),
            Stage::Failed,
        );
    }
    if observed < facts.generation {
        let message = if observed > 0 {
            format!(
                "Generation {} of the binding waits for karmada-scheduler, which last placed \
                 generation {observed}. If this persists, check that karmada-scheduler is running.",
                facts.generation
            )
        } else {
            "The binding waits for karmada-scheduler to place it. If this persists, check that \
             karmada-scheduler is running."
                .to_owned()
        };
        return (
            new(status::FALSE, reasons::SCHEDULING_PENDING, message),
            Stage::Pending,
        );
    }
    match karmada.filter(|c| c.is_true()) {
        Some(done) => {
            let message = format!(
                "karmada-scheduler placed generation {} on {} ({}).",
                observed,
                plural(facts.targets.len(), "cluster"),
                karmada_says(done)
            );
            (
                new(status::TRUE, reasons::BINDING_SCHEDULED, message),
                Stage::Done,
            )
        }
        None => (
            new(
                status::UNKNOWN,
                reasons::SCHEDULING_PENDING,
                "karmada-scheduler has not reported on the binding yet. If this persists, check \
                 that karmada-scheduler is running."
                    .to_owned(),
            ),
            Stage::Pending,
        ),
    }
}

/// `Applied`, from what each target cluster reports (`aggregatedStatus`), cross-checked with
/// Karmada's `FullyApplied` condition. `applied: false` with a message is a failure (the
/// Work's `Applied` condition is False); without one, the member has not reported yet.
fn applied(facts: &Facts<'_>) -> (DesiredCondition, Stage) {
    let new = |status, reason, message: String| {
        DesiredCondition::new(types::APPLIED, status, reason, message)
    };
    let failed: Vec<String> = facts
        .targets
        .iter()
        .filter(|c| c.applied == Some(false))
        .filter_map(|c| {
            let message = c.applied_message.as_deref()?;
            Some(format!(
                "{} (\"{}\")",
                c.name,
                bounded(message, QUOTE_LIMIT)
            ))
        })
        .collect();
    if !failed.is_empty() {
        let message = format!(
            "Karmada could not apply the workload on {}. Fix the manifest, or the overrides that \
             break it on those clusters.",
            names(&failed)
        );
        return (
            new(status::FALSE, reasons::APPLY_FAILED, message),
            Stage::Failed,
        );
    }
    if facts.targets.is_empty() {
        let message = "No target cluster yet: the workload is applied once it is scheduled.";
        return (
            new(status::UNKNOWN, reasons::APPLY_PENDING, message.to_owned()),
            Stage::Pending,
        );
    }
    let waiting: Vec<String> = facts
        .targets
        .iter()
        .filter(|c| c.applied != Some(true))
        .map(|c| c.name.clone())
        .collect();
    let karmada = facts.status.fully_applied_condition();
    if !waiting.is_empty() {
        let message = format!(
            "Waiting for {} to report the workload applied. If this persists, check the \
             Works in the clusters' karmada-es-<cluster> namespaces.",
            names(&waiting)
        );
        return (
            new(status::UNKNOWN, reasons::APPLY_PENDING, message),
            Stage::Pending,
        );
    }
    match karmada.filter(|c| c.status == ConditionStatus::False) {
        Some(lagging) => {
            let message = format!(
                "Every target cluster reports the workload applied; waiting for Karmada's \
                 FullyApplied condition to follow ({}).",
                karmada_says(lagging)
            );
            (
                new(status::UNKNOWN, reasons::APPLY_PENDING, message),
                Stage::Pending,
            )
        }
        None => {
            let message = format!(
                "Applied on all {}.",
                plural(facts.targets.len(), "target cluster")
            );
            (
                new(status::TRUE, reasons::FULLY_APPLIED, message),
                Stage::Done,
            )
        }
    }
}

/// A rollout in progress, for workloads that report replicas.
struct Rollout {
    /// Fewer ready replicas than desired.
    short: bool,
    message: String,
}

fn rollout(facts: &Facts<'_>) -> Option<Rollout> {
    if !facts.replica_kind {
        return None;
    }
    let r = facts.replicas;
    let short = r.ready < r.desired;
    let updated_reported = facts.targets.iter().any(|c| c.updated_replicas.is_some());
    let not_updated = updated_reported && r.updated < r.desired;
    if !short && !not_updated && facts.lagging.is_empty() {
        return None;
    }
    let mut message = format!("{} of {} replicas ready", r.ready, r.desired);
    if updated_reported {
        message.push_str(&format!(", {} updated", r.updated));
    }
    let behind: Vec<String> = facts
        .targets
        .iter()
        .filter(|c| c.ready_replicas.unwrap_or(0) < c.replicas)
        .map(|c| {
            format!(
                "{} {}/{}",
                c.name,
                c.ready_replicas.unwrap_or(0),
                c.replicas
            )
        })
        .collect();
    if !behind.is_empty() {
        message.push_str(&format!(" ({})", names(&behind)));
    }
    message.push('.');
    if !facts.lagging.is_empty() {
        let lagging: Vec<String> = facts.lagging.iter().map(|s| (*s).to_owned()).collect();
        message.push_str(&format!(
            " The copy on {} has not observed its latest generation yet.",
            names(&lagging)
        ));
    }
    message.push_str(
        " Wait for the rollout; if it does not progress, look at status.clusters[].podList.",
    );
    Some(Rollout { short, message })
}

/// "m1 Unhealthy and m2 Unknown", or `None` when every target cluster reports Healthy.
fn unhealthy(facts: &Facts<'_>) -> Option<String> {
    let unhealthy: Vec<String> = facts
        .targets
        .iter()
        .filter(|c| c.health != Some(WorkloadHealth::Healthy))
        .map(|c| match c.health {
            Some(WorkloadHealth::Unhealthy) => format!("{} Unhealthy", c.name),
            Some(_) => format!("{} Unknown", c.name),
            None => format!("{} without a health verdict", c.name),
        })
        .collect();
    (!unhealthy.is_empty()).then(|| names(&unhealthy))
}

/// The claimed policy, when it cannot be read: `PolicyNotFound` when the hub does not have it,
/// `MalformedPolicy` when it has it but it does not decode. Either way the workload runs as
/// last scheduled, and the reason and message go on Ready (`True`) and Stalled.
fn policy_problem(facts: &Facts<'_>) -> Option<(&'static str, String)> {
    let (policy, edit) = match facts.claim {
        ClaimingPolicy::Propagation { namespace, name } => (
            format!("PropagationPolicy {namespace}/{name}"),
            format!("kubectl edit propagationpolicy {name} -n {namespace}"),
        ),
        ClaimingPolicy::ClusterPropagation { name } => (
            format!("ClusterPropagationPolicy {name}"),
            format!("kubectl edit clusterpropagationpolicy {name}"),
        ),
        ClaimingPolicy::None => return None,
    };
    match facts.policy {
        PolicyLookup::Found(_) => None,
        PolicyLookup::Missing => Some((
            reasons::POLICY_NOT_FOUND,
            format!(
                "The binding names {policy}, which does not exist: the workload runs as last \
                 scheduled, but Karmada will not re-place it when clusters change. Recreate the \
                 policy or let another policy claim the workload."
            ),
        )),
        PolicyLookup::Malformed(error) => Some((
            reasons::MALFORMED_POLICY,
            format!(
                "The binding names {policy}, which exists but cannot be decoded ({}): the \
                 workload runs as last scheduled, and status.policy shows no priority or \
                 conflict resolution. Fix that field of the policy on the hub ({edit}).",
                bounded(error.trim(), QUOTE_LIMIT)
            ),
        )),
    }
}

fn ready_message(facts: &Facts<'_>) -> String {
    let clusters = plural(facts.targets.len(), "cluster");
    let mut message = if facts.replica_kind && facts.replicas.desired > 0 {
        format!(
            "{} of {} replicas ready on {clusters}, applied and healthy everywhere.",
            facts.replicas.ready, facts.replicas.desired
        )
    } else {
        format!("Applied and healthy on {clusters}.")
    };
    if *facts.claim == ClaimingPolicy::None {
        // Normal for a dependency Karmada propagates along with its workload; otherwise the
        // claiming policy was removed.
        message.push_str(
            " No propagation policy is named on the binding (no propagationpolicy.karmada.io \
             or clusterpropagationpolicy.karmada.io annotation).",
        );
    }
    message
}

/// `Reason: message` of a Karmada condition, shortened.
fn karmada_says(condition: &Condition) -> String {
    let reason = condition.reason.trim();
    let message = condition.message.trim();
    let text = match (reason.is_empty(), message.is_empty()) {
        (false, false) => format!("{reason}: {message}"),
        (false, true) => reason.to_owned(),
        (true, false) => message.to_owned(),
        (true, true) => "no reason given".to_owned(),
    };
    bounded(&text, QUOTE_LIMIT)
}

/// "a, b and c", or "a, b, c, d, e and 3 more".
fn names(items: &[String]) -> String {
    // shown ≤ len: the subtraction and the slice below cannot fail.
    let shown = items.len().min(NAMES_LIMIT);
    let rest = items.len() - shown;
    if rest > 0 {
        return format!("{} and {rest} more", items[..shown].join(", "));
    }
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} and {last}", init.join(", ")),
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
