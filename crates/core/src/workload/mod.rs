//! Which member pods belong to which propagated workload (DESIGN §1: Pod → ReplicaSet →
//! Deployment, Pod → Job → CronJob, Pod → StatefulSet/DaemonSet/other).
//!
//! Two per-member indexes cooperate, so that every pod event stays O(1) and the result never
//! depends on the order in which pods and their ReplicaSets/Jobs arrive:
//!
//! - [`ClusterIndex`](crate::ClusterIndex) groups pods by their *direct* controller (known from
//!   the pod alone) as they arrive.
//! - [`OwnerIndex`] records, from metadata-only ReplicaSet and Job events, which workload
//!   controls each ReplicaSet/Job, and the reverse.
//!
//! [`workload_pods`] joins them when a status is built: the workload's own pod group plus the
//! groups of its ReplicaSets/Jobs. Attributing each pod to its top-level workload when the pod
//! event arrives would have been wrong whenever a pod arrived before its ReplicaSet (common
//! during a relist, and for every pod of a new rollout), and repairing that would have cost a
//! rescan per ReplicaSet event.

mod attribution;
mod member;
mod pods;
#[cfg(test)]
mod tests;
mod watch_events;

pub use attribution::{OwnerIndex, OwnerKind, WorkloadKey, api_group};
pub use member::{MemberIndex, TouchedWorkloads};
pub(crate) use pods::PodsByController;
pub use pods::{WorkloadPod, workload_pods};
pub use watch_events::{MemberEvent, WatcherEvent};
