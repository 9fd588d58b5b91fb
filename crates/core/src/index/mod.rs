//! A member's index: everything its watches feed, kept up to date per event, and the joins the
//! status builders read.
//!
//! - [`MemberIndex`] (`member`): a member's [`ClusterIndex`] and [`OwnerIndex`], and which
//!   workloads each event touched. Fed one watch event at a time with
//!   [`MemberIndex::apply_event`] (`watch_events`), the only public way to change it.
//! - [`ClusterIndex`] (`cluster`): nodes and pods with the figures of the member's
//!   `ClusterInsight` ([`ClusterFigures`], `totals`); what it keeps per pod ([`StoredPod`],
//!   `pods`) and its pods grouped by direct controller (`pods_by_controller`).
//! - [`OwnerIndex`] (`owners`): ReplicaSets and Jobs and the workloads that control them
//!   (Pod → ReplicaSet → Deployment, Pod → Job → CronJob).
//! - [`workload_pods`] (`workload_pods`): the pods of one workload, joining the two indexes when
//!   a status is built.
//!
//! Every event is O(1), and the result never depends on the order in which pods and their
//! ReplicaSets/Jobs arrive.

mod cluster;
mod member;
mod node_changes;
mod owners;
mod pods;
mod pods_by_controller;
#[cfg(test)]
mod tests;
mod totals;
mod watch_events;
mod workload_pods;

pub use cluster::ClusterIndex;
pub use member::{MemberIndex, TouchedWorkloads};
pub use node_changes::{NodeChanges, Position};
pub use owners::{OwnerIndex, OwnerKind};
pub use pods::StoredPod;
pub use totals::{ClusterFigures, NodeStats, NodeTally, PodTally, ResourceTotals};
pub use watch_events::MemberEvent;
pub use workload_pods::{WorkloadPod, workload_pods};
