//! Conditions as builders want them, and how they become `metav1.Condition`s: a transition time
//! changes only when a condition's status changes, so an unchanged world yields a byte-identical
//! status and no write. `Reconciling` and `Stalled` are listed only while True (kstatus).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{ClusterInsightStatus, FleetInsightStatus, WorkloadPlacementStatus};

use crate::text::{CONDITION_MESSAGE_LIMIT, bounded_owned};

/// A condition before times are filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredCondition {
    /// `Ready`, `Scheduled`, `Applied`, `Reconciling`, `Stalled`, `Degraded`.
    pub type_: &'static str,
    /// `True`, `False` or `Unknown`.
    pub status: &'static str,
    /// One of the `karmada_manager_api::conditions::reasons` constants.
    pub reason: &'static str,
    /// What is wrong and what to do, for people; at most [`CONDITION_MESSAGE_LIMIT`] bytes when
    /// made by [`DesiredCondition::new`], and cut to that again by [`merge_conditions`].
    pub message: String,
}

impl DesiredCondition {
    /// A condition; a `message` over [`CONDITION_MESSAGE_LIMIT`] bytes is cut to it, with a
    /// marker.
    pub fn new(
        type_: &'static str,
        status: &'static str,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            type_,
            status,
            reason,
            message: bounded_owned(message.into(), CONDITION_MESSAGE_LIMIT),
        }
    }

    /// `True` when `ok`, else `False`.
    pub fn of(
        type_: &'static str,
        ok: bool,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::new(
            type_,
            if ok { status::TRUE } else { status::FALSE },
            reason,
            message,
        )
    }

    /// The same reason and message under another type and status.
    pub fn with_type(&self, type_: &'static str, status: &'static str) -> Self {
        Self {
            type_,
            status,
            ..self.clone()
        }
    }
}

/// The conditions to write: `desired`, in its order, with `lastTransitionTime` kept from
/// `previous` where the status did not change, and `now` where it did. Messages are cut to
/// [`CONDITION_MESSAGE_LIMIT`] bytes, whatever was appended to them after they were made.
pub fn merge_conditions(
    previous: &[Condition],
    desired: Vec<DesiredCondition>,
    generation: Option<i64>,
    now: &Time,
) -> Vec<Condition> {
    desired
        .into_iter()
        .map(|d| {
            let last_transition_time = previous
                .iter()
                .find(|p| p.type_ == d.type_ && p.status == d.status)
                .map_or_else(|| now.clone(), |p| p.last_transition_time.clone());
            Condition {
                type_: d.type_.to_string(),
                status: d.status.to_string(),
                reason: d.reason.to_string(),
                message: bounded_owned(d.message, CONDITION_MESSAGE_LIMIT),
                observed_generation: generation,
                last_transition_time,
            }
        })
        .collect()
}

/// Ready `False` and Stalled `True` with reason `MalformedSource`: the object a status describes
/// cannot be decoded. The rest of the status keeps its last values.
pub fn malformed_source(message: impl Into<String>) -> Vec<DesiredCondition> {
    let ready = DesiredCondition::of(types::READY, false, reasons::MALFORMED_SOURCE, message);
    let stalled = ready.with_type(types::STALLED, status::TRUE);
    vec![ready, stalled]
}

/// The parts every one of our statuses shares, that only the writer fills in.
pub trait StampedStatus: PartialEq {
    /// `conditions` and `lastChangeTime`, to read.
    fn stamps(&self) -> (&[Condition], Option<&Time>);
    /// `conditions`, `observedGeneration` and `lastChangeTime`, to fill in.
    fn stamps_mut(&mut self) -> (&mut Vec<Condition>, &mut Option<i64>, &mut Option<Time>);
}

macro_rules! stamped {
    ($($status:ty),*) => {$(
        impl StampedStatus for $status {
            fn stamps(&self) -> (&[Condition], Option<&Time>) {
                (&self.conditions, self.last_change_time.as_ref())
            }
            fn stamps_mut(&mut self) -> (&mut Vec<Condition>, &mut Option<i64>, &mut Option<Time>) {
                (&mut self.conditions, &mut self.observed_generation, &mut self.last_change_time)
            }
        }
    )*};
}
stamped!(
    ClusterInsightStatus,
    FleetInsightStatus,
    WorkloadPlacementStatus
);

/// Completes a built status for writing: conditions merged with `previous` ones (see
/// [`merge_conditions`]), `observedGeneration`, and `lastChangeTime` — kept from `previous`
/// when nothing else changed, `now` when something did. The result equals `previous` exactly
/// when the world did not change, which is what lets the writer skip the write.
pub fn stamp_status<S: StampedStatus>(
    mut status: S,
    previous: Option<&S>,
    desired: Vec<DesiredCondition>,
    generation: Option<i64>,
    now: &Time,
) -> S {
    let (previous_conditions, previous_time) = previous.map_or((&[][..], None), S::stamps);
    let merged = merge_conditions(previous_conditions, desired, generation, now);
    let (conditions, observed, changed) = status.stamps_mut();
    *conditions = merged;
    *observed = generation;
    *changed = previous_time.cloned();
    if previous != Some(&status) {
        *status.stamps_mut().2 = Some(now.clone());
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    type Desired = DesiredCondition;
    use k8s_openapi::jiff::Timestamp;

    fn at(seconds: i64) -> Time {
        Time(Timestamp::from_second(seconds).unwrap())
    }

    #[test]
    fn transition_time_moves_only_when_status_changes() {
        let first = merge_conditions(
            &[],
            vec![Desired::of("Ready", false, "InitialSync", "syncing")],
            Some(1),
            &at(100),
        );
        assert_eq!(first[0].last_transition_time, at(100));

        let same = merge_conditions(
            &first,
            vec![Desired::of("Ready", false, "InitialSync", "still syncing")],
            Some(1),
            &at(200),
        );
        assert_eq!(
            same[0].last_transition_time,
            at(100),
            "same status keeps its time"
        );
        assert_eq!(same[0].message, "still syncing");

        let flipped = merge_conditions(
            &same,
            vec![Desired::of("Ready", true, "Synced", "ok")],
            Some(1),
            &at(300),
        );
        assert_eq!(flipped[0].last_transition_time, at(300));
        assert_eq!(flipped[0].status, "True");
    }

    #[test]
    fn messages_are_cut_to_the_condition_limit() {
        let long = "é".repeat(CONDITION_MESSAGE_LIMIT);
        let made = Desired::of("Ready", false, "MalformedSource", long.clone());
        assert!(made.message.len() <= CONDITION_MESSAGE_LIMIT);
        assert!(made.message.ends_with(" bytes cut)"), "{}", made.message);
        // Text appended after the condition was made is cut when it is merged.
        let mut appended = Desired::of("Ready", true, "Synced", "ok");
        appended.message.push_str(&long);
        let merged = merge_conditions(&[], vec![appended, made], Some(1), &at(1));
        assert!(
            merged
                .iter()
                .all(|c| c.message.len() <= CONDITION_MESSAGE_LIMIT && c.message.contains("… ("))
        );
        let short = Desired::of("Ready", true, "Synced", "3 nodes");
        assert_eq!(short.message, "3 nodes");
    }

    #[test]
    fn conditions_not_desired_disappear_and_order_is_kept() {
        let previous = merge_conditions(
            &[],
            vec![
                Desired::of("Ready", false, "A", ""),
                Desired::of("Reconciling", true, "B", ""),
            ],
            Some(1),
            &at(1),
        );
        let next = merge_conditions(
            &previous,
            vec![
                Desired::of("Ready", true, "C", ""),
                Desired::of("Degraded", true, "D", ""),
            ],
            Some(2),
            &at(2),
        );
        let types: Vec<_> = next.iter().map(|c| c.type_.as_str()).collect();
        assert_eq!(types, ["Ready", "Degraded"]);
        assert!(next.iter().all(|c| c.observed_generation == Some(2)));
    }
}
