//! The two stages Karmada reports on a binding, `Scheduled` and `Applied`, each as a condition
//! and how far the stage got.

use karmada_manager_api::conditions::{reasons, status, types};
use karmada_types::{Condition, ConditionStatus};

use super::{DesiredCondition, Facts, QUOTE_LIMIT, Stage, names, plural};
use crate::text::bounded;

/// `Scheduled`, from the binding's `Scheduled` condition and scheduler generation.
///
/// Karmada's scheduler sets `schedulerObservedGeneration` only when it succeeds, so a `False`
/// condition is checked first: it is the failure of the current generation, not a stale one.
pub(super) fn scheduled(facts: &Facts<'_>) -> (DesiredCondition, Stage) {
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
pub(super) fn applied(facts: &Facts<'_>) -> (DesiredCondition, Stage) {
    apply_failed(facts)
        .or_else(|| members_pending(facts))
        .unwrap_or_else(|| fully_applied(facts))
}

fn applied_condition(
    status: &'static str,
    reason: &'static str,
    message: String,
) -> DesiredCondition {
    DesiredCondition::new(types::APPLIED, status, reason, message)
}

/// `ApplyFailed` when some target cluster reports `applied: false` with a message.
fn apply_failed(facts: &Facts<'_>) -> Option<(DesiredCondition, Stage)> {
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
    if failed.is_empty() {
        return None;
    }
    let message = format!(
        "Karmada could not apply the workload on {}. Fix the manifest, or the overrides that \
         break it on those clusters.",
        names(&failed)
    );
    Some((
        applied_condition(status::FALSE, reasons::APPLY_FAILED, message),
        Stage::Failed,
    ))
}

/// `ApplyPending` when there is no target cluster yet, or some has not reported the workload
/// applied.
fn members_pending(facts: &Facts<'_>) -> Option<(DesiredCondition, Stage)> {
    if facts.targets.is_empty() {
        let message = "No target cluster yet: the workload is applied once it is scheduled.";
        return Some((
            applied_condition(status::UNKNOWN, reasons::APPLY_PENDING, message.to_owned()),
            Stage::Pending,
        ));
    }
    let waiting: Vec<String> = facts
        .targets
        .iter()
        .filter(|c| c.applied != Some(true))
        .map(|c| c.name.clone())
        .collect();
    if waiting.is_empty() {
        return None;
    }
    let message = format!(
        "Waiting for {} to report the workload applied. If this persists, check the \
         Works in the clusters' karmada-es-<cluster> namespaces.",
        names(&waiting)
    );
    Some((
        applied_condition(status::UNKNOWN, reasons::APPLY_PENDING, message),
        Stage::Pending,
    ))
}

/// Every target cluster reports the workload applied: done, unless Karmada's `FullyApplied`
/// condition still says `False`.
fn fully_applied(facts: &Facts<'_>) -> (DesiredCondition, Stage) {
    let karmada = facts.status.fully_applied_condition();
    match karmada.filter(|c| c.status == ConditionStatus::False) {
        Some(lagging) => {
            let message = format!(
                "Every target cluster reports the workload applied; waiting for Karmada's \
                 FullyApplied condition to follow ({}).",
                karmada_says(lagging)
            );
            (
                applied_condition(status::UNKNOWN, reasons::APPLY_PENDING, message),
                Stage::Pending,
            )
        }
        None => {
            let message = format!(
                "Applied on all {}.",
                plural(facts.targets.len(), "target cluster")
            );
            (
                applied_condition(status::TRUE, reasons::FULLY_APPLIED, message),
                Stage::Done,
            )
        }
    }
}

/// `Reason: message` of a Karmada condition, at most [`QUOTE_LIMIT`] bytes: the message is cut
/// to what the reason (itself at most half of that) leaves.
fn karmada_says(condition: &Condition) -> String {
    let reason = bounded(condition.reason.trim(), QUOTE_LIMIT / 2);
    let message = condition.message.trim();
    match (reason.is_empty(), message.is_empty()) {
        (false, false) => {
            let prefix = format!("{reason}: ");
            let room = QUOTE_LIMIT.saturating_sub(prefix.len());
            prefix + &bounded(message, room)
        }
        (false, true) => reason,
        (true, false) => bounded(message, QUOTE_LIMIT),
        (true, true) => "no reason given".to_owned(),
    }
}
