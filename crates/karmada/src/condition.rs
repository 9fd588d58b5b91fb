//! A tolerant `metav1.Condition`.
//!
//! k8s-openapi's `Condition` makes `lastTransitionTime`, `reason`, `message`, `status` and `type`
//! mandatory, so one condition written by an old or buggy controller would make the whole
//! `Cluster` or binding undecodable. This one defaults every field and keeps unknown statuses.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde::{Deserialize, Serialize};

use crate::enums::ConditionStatus;

/// One entry of `status.conditions`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Condition {
    /// The condition type, e.g. `Ready`, `Scheduled`, `FullyApplied`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: ConditionStatus,
    /// Machine-readable reason, e.g. `ClusterReady`, `Success`.
    pub reason: String,
    /// Human-readable detail.
    pub message: String,
    /// When `status` last changed.
    pub last_transition_time: Option<Time>,
    /// The object generation the condition was computed from.
    pub observed_generation: Option<i64>,
}

impl Condition {
    /// `true` when `status` is `True`.
    pub fn is_true(&self) -> bool {
        self.status == ConditionStatus::True
    }
}

/// The condition of the given type, if present.
///
/// Lists are searched front to back; Karmada never writes duplicates, but if it did the first
/// wins, as in `meta.FindStatusCondition`.
pub fn find_condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}
