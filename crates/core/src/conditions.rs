//! Conditions as builders want them, and how they become `metav1.Condition`s: a transition time
//! changes only when a condition's status changes, so an unchanged world yields a byte-identical
//! status and no write. `Reconciling` and `Stalled` are listed only while True (kstatus).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use karmada_manager_api::conditions::status;

/// A condition before times are filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredCondition {
    /// `Ready`, `Scheduled`, `Applied`, `Reconciling`, `Stalled`, `Degraded`.
    pub type_: &'static str,
    /// `True`, `False` or `Unknown`.
    pub status: &'static str,
    /// One of the `karmada_manager_api::conditions::reasons` constants.
    pub reason: &'static str,
    /// What is wrong and what to do, for people.
    pub message: String,
}

impl DesiredCondition {
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
            message: message.into(),
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
/// `previous` where the status did not change, and `now` where it did.
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
                message: d.message,
                observed_generation: generation,
                last_transition_time,
            }
        })
        .collect()
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
