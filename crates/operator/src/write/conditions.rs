//! `metav1.Condition` bookkeeping shared by every status we write: a transition time changes only
//! when a condition's status changes, so an unchanged world yields a byte-identical status and no
//! write. `Reconciling` and `Stalled` are listed only while True (kstatus convention).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use karmada_manager_api::conditions::status;

/// A condition as a reconciler wants it, before times are filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Desired {
    pub type_: &'static str,
    pub status: &'static str,
    pub reason: &'static str,
    pub message: String,
}

impl Desired {
    pub fn new(
        type_: &'static str,
        ok: bool,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        let status = if ok { status::TRUE } else { status::FALSE };
        Self {
            type_,
            status,
            reason,
            message: message.into(),
        }
    }

    pub fn unknown(type_: &'static str, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            type_,
            status: status::UNKNOWN,
            reason,
            message: message.into(),
        }
    }
}

/// The conditions to write: `desired`, in its order, with `lastTransitionTime` kept from
/// `previous` where the status did not change, and `now` where it did.
pub fn merge(
    previous: &[Condition],
    desired: Vec<Desired>,
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
    use k8s_openapi::jiff::Timestamp;

    fn at(seconds: i64) -> Time {
        Time(Timestamp::from_second(seconds).unwrap())
    }

    #[test]
    fn transition_time_moves_only_when_status_changes() {
        let first = merge(
            &[],
            vec![Desired::new("Ready", false, "InitialSync", "syncing")],
            Some(1),
            &at(100),
        );
        assert_eq!(first[0].last_transition_time, at(100));

        let same = merge(
            &first,
            vec![Desired::new("Ready", false, "InitialSync", "still syncing")],
            Some(1),
            &at(200),
        );
        assert_eq!(
            same[0].last_transition_time,
            at(100),
            "same status keeps its time"
        );
        assert_eq!(same[0].message, "still syncing");

        let flipped = merge(
            &same,
            vec![Desired::new("Ready", true, "Synced", "ok")],
            Some(1),
            &at(300),
        );
        assert_eq!(flipped[0].last_transition_time, at(300));
        assert_eq!(flipped[0].status, "True");
    }

    #[test]
    fn conditions_not_desired_disappear_and_order_is_kept() {
        let previous = merge(
            &[],
            vec![
                Desired::new("Ready", false, "A", ""),
                Desired::new("Reconciling", true, "B", ""),
            ],
            Some(1),
            &at(1),
        );
        let next = merge(
            &previous,
            vec![
                Desired::new("Ready", true, "C", ""),
                Desired::new("Degraded", true, "D", ""),
            ],
            Some(2),
            &at(2),
        );
        let types: Vec<_> = next.iter().map(|c| c.type_.as_str()).collect();
        assert_eq!(types, ["Ready", "Degraded"]);
        assert!(next.iter().all(|c| c.observed_generation == Some(2)));
    }
}
