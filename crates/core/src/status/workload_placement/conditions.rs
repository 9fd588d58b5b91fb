//! The conditions of a `WorkloadPlacement`, as data: type, status, reason and message, without
//! times. The shell merges them with the previous ones (keeping `lastTransitionTime` when a
//! status did not change), so an unchanged world keeps producing the same bytes.
//!
//! One pass decides everything, in this order of precedence: scheduling failed (Stalled),
//! scheduling pending, applying failed, applying pending, replicas not ready (a rollout),
//! clusters unhealthy, then Ready. The fleet counts ([`WorkloadState`]) classify the result of
//! this pass, so a workload is never "ready" in one place and "failed" in the other.

mod stages;

use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{ClusterPlacement, ClusterProblem, ReplicaCounts, WorkloadHealth};
use karmada_types::ResourceBindingStatus;
use karmada_types::well_known::ClaimingPolicy;

use super::PolicyLookup;
use super::size_guard::PlacementTruncation;
use crate::status::fleet_insight::WorkloadState;
use crate::text::{INLINE_QUOTE_LIMIT, VALUE_LIMIT, bounded};
use stages::{applied, scheduled};

/// How much of a Karmada message, or of a policy's decode error, is quoted (bytes).
const QUOTE_LIMIT: usize = INLINE_QUOTE_LIMIT;
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
    let verdicts = Verdicts::of(facts);
    let mut conditions = vec![
        ready(facts, &verdicts),
        verdicts.scheduled.clone(),
        verdicts.applied.clone(),
    ];
    // kstatus reads one of the two; Stalled is the one that needs someone to act.
    match stalled(&verdicts) {
        Some(stalled) => conditions.push(stalled),
        None => conditions.extend(reconciling(&verdicts)),
    }
    let state = WorkloadState::classify(conditions.iter().map(|c| (c.type_, c.status, c.reason)));
    (conditions, state)
}

/// What each stage and check concluded, from which the conditions are assembled.
struct Verdicts {
    scheduled: DesiredCondition,
    scheduling: Stage,
    applied: DesiredCondition,
    applying: Stage,
    rollout: Option<Rollout>,
    /// "m1 Unhealthy and m2 Unknown", when some target cluster is not Healthy.
    unhealthy: Option<String>,
    /// Reason and message when the claimed policy cannot be read.
    policy_problem: Option<(&'static str, String)>,
}

impl Verdicts {
    fn of(facts: &Facts<'_>) -> Verdicts {
        let (scheduled, scheduling) = scheduled(facts);
        let (applied, applying) = applied(facts);
        Verdicts {
            scheduled,
            scheduling,
            applied,
            applying,
            rollout: rollout(facts),
            unhealthy: unhealthy(facts),
            policy_problem: policy_problem(facts),
        }
    }
}

/// `Ready`: the first stage not done (scheduling, then applying), else how the workload itself
/// is doing.
fn ready(facts: &Facts<'_>, verdicts: &Verdicts) -> DesiredCondition {
    if verdicts.scheduling != Stage::Done {
        verdicts.scheduled.with_type(types::READY, status::FALSE)
    } else if verdicts.applying != Stage::Done {
        verdicts.applied.with_type(types::READY, status::FALSE)
    } else {
        ready_once_applied(facts, verdicts)
    }
}

/// `Ready` of a scheduled and applied workload: `False` while a rollout leaves it short (or
/// explains unhealthy clusters) or clusters are unhealthy; otherwise `True`, with the policy
/// problem, the truncation or the plain ready message, in that order.
fn ready_once_applied(facts: &Facts<'_>, verdicts: &Verdicts) -> DesiredCondition {
    let unhealthy = &verdicts.unhealthy;
    if let Some(rollout) = verdicts
        .rollout
        .as_ref()
        .filter(|r| r.short || unhealthy.is_some())
    {
        let mut message = rollout.message.clone();
        if let Some(unhealthy) = unhealthy {
            message.push_str(&format!(" Karmada reports {unhealthy}."));
        }
        return DesiredCondition::new(
            types::READY,
            status::FALSE,
            reasons::REPLICAS_NOT_READY,
            message,
        );
    }
    if let Some(unhealthy) = unhealthy {
        return DesiredCondition::new(
            types::READY,
            status::FALSE,
            reasons::CLUSTERS_UNHEALTHY,
            format!(
                "Karmada reports {unhealthy}. Look at the workload on those clusters \
                 (status.clusters[])."
            ),
        );
    }
    let (reason, message) = if let Some((reason, message)) = &verdicts.policy_problem {
        (*reason, message.clone())
    } else if let Some(truncation) = facts.truncation {
        (reasons::STATUS_TRUNCATED, truncation.message())
    } else {
        (reasons::WORKLOAD_READY, ready_message(facts))
    };
    DesiredCondition::new(types::READY, status::TRUE, reason, message)
}

/// `Reconciling` while scheduling or applying is pending, or, once both are done, while a
/// rollout is in progress; never while a stage failed.
fn reconciling(verdicts: &Verdicts) -> Option<DesiredCondition> {
    match (verdicts.scheduling, verdicts.applying) {
        (Stage::Failed, _) | (_, Stage::Failed) => None,
        (Stage::Pending, _) => Some(
            verdicts
                .scheduled
                .with_type(types::RECONCILING, status::TRUE),
        ),
        (_, Stage::Pending) => Some(verdicts.applied.with_type(types::RECONCILING, status::TRUE)),
        (Stage::Done, Stage::Done) => verdicts.rollout.as_ref().map(|r| {
            DesiredCondition::new(
                types::RECONCILING,
                status::TRUE,
                reasons::REPLICAS_NOT_READY,
                r.message.clone(),
            )
        }),
    }
}

/// `Stalled` when scheduling failed, or else when the claimed policy cannot be read.
fn stalled(verdicts: &Verdicts) -> Option<DesiredCondition> {
    if verdicts.scheduling == Stage::Failed {
        Some(verdicts.scheduled.with_type(types::STALLED, status::TRUE))
    } else {
        verdicts.policy_problem.as_ref().map(|(reason, message)| {
            DesiredCondition::new(types::STALLED, status::TRUE, reason, message.clone())
        })
    }
}

/// `Degraded` while some cluster entries carry problems: `MemberNotObserved` when a member
/// cannot be watched, otherwise the entries' own reason (`MalformedOverrides`). With everything
/// observed, `ReplicasUnschedulable` while a member's scheduler leaves pods unscheduled.
pub(super) fn degraded(clusters: &[ClusterPlacement]) -> Option<DesiredCondition> {
    let problems: Vec<(&str, &ClusterProblem)> = clusters
        .iter()
        .flat_map(|c| c.problems.iter().map(move |p| (c.name.as_str(), p)))
        .collect();
    if problems.is_empty() {
        return unscheduled(clusters);
    }
    // A reason of its own when every problem is of one kind that is not about observing.
    let only = |reason: &str| problems.iter().all(|(_, p)| p.reason == reason);
    let reason = [reasons::MALFORMED_OVERRIDES, reasons::READY_COUNTS_DISAGREE]
        .into_iter()
        .find(|r| only(r))
        .unwrap_or(reasons::MEMBER_NOT_OBSERVED);
    let listed: Vec<String> = problems
        .iter()
        .map(|(cluster, p)| format!("{cluster} ({}: {})", p.reason, p.message))
        .collect();
    let message = if reason == reasons::READY_COUNTS_DISAGREE {
        format!(
            "Karmada's status of the workload and the member disagree on {}. See status.clusters[].problems.",
            names(&listed)
        )
    } else {
        format!(
            "karmada-manager cannot observe everything on {}. See status.clusters[].problems.",
            names(&listed)
        )
    };
    Some(DesiredCondition::new(
        types::DEGRADED,
        status::TRUE,
        reason,
        message,
    ))
}

/// `Degraded` (`ReplicasUnschedulable`) naming each cluster where pods of the workload are not
/// scheduled, with the most common reason there.
fn unscheduled(clusters: &[ClusterPlacement]) -> Option<DesiredCondition> {
    let held: Vec<String> = clusters
        .iter()
        .filter_map(|c| {
            let pods = c.pods.as_ref().filter(|p| p.unscheduled > 0)?;
            let why = pods.pending_reason.as_deref().unwrap_or_default();
            Some(format!("{} ({why})", c.name))
        })
        .collect();
    if held.is_empty() {
        return None;
    }
    let message = format!(
        "Replicas assigned by Karmada cannot start: pods are not scheduled on {}. See status.clusters[].pods.pendingReason.",
        names(&held)
    );
    Some(DesiredCondition::new(
        types::DEGRADED,
        status::TRUE,
        reasons::REPLICAS_UNSCHEDULABLE,
        message,
    ))
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
    // The names come from the binding's annotations, which anyone may edit.
    let value = |text: &str| bounded(text, VALUE_LIMIT);
    let (policy, edit) = match facts.claim {
        ClaimingPolicy::Propagation { namespace, name } => {
            let (namespace, name) = (value(namespace), value(name));
            (
                format!("PropagationPolicy {namespace}/{name}"),
                format!("kubectl edit propagationpolicy {name} -n {namespace}"),
            )
        }
        ClaimingPolicy::ClusterPropagation { name } => {
            let name = value(name);
            (
                format!("ClusterPropagationPolicy {name}"),
                format!("kubectl edit clusterpropagationpolicy {name}"),
            )
        }
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
