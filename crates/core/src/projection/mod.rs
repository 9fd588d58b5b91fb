//! Slim projections of member Nodes and Pods: decoded straight from watch JSON into the few
//! fields the index and builders use, with repeated strings interned, so that a member with
//! millions of pods costs a few hundred bytes per pod rather than a whole object each.
//!
//! Neither type is ever built from a full k8s-openapi `Pod`/`Node`: a custom `Deserialize` reads
//! the wanted fields and skips the rest of the JSON without allocating for it. Both implement
//! `kube::Resource` so that kube-runtime's `watcher::<SlimPod>` / `watcher::<SlimNode>` decode
//! events into them directly (also through `DeserializeGuard`). Decoding is tolerant: absent and
//! `null` fields take their defaults, unknown enum values fall back, unparsable quantities are
//! dropped; only a type mismatch (a string where an object belongs) is an error.
//!
//! - `node`, `pod`: [`SlimNode`] and [`SlimPod`] and their wire structs.
//! - `pod_owner`, `pod_status`: the parts of a Pod with types of their own ([`ControllerRef`],
//!   [`PodPhase`]), decoded while reduced.
//! - `requests`: a pod's effective resource request, as the kube-scheduler computes it.
//! - `resources`: [`ResourceList`], sorted and interned exact amounts.
//! - `metrics`: [`NodeMetricsList`], measured usage from `metrics.k8s.io`.
//! - `wire`, `de`: the hand-written decoding the wire structs share.
//! - `kube_resource`: `kube::Resource` for the slim types.

mod de;
#[cfg(test)]
mod decode_tests;
mod kube_resource;
mod label_set;
mod metrics;
mod node;
mod node_labels;
mod pod;
mod pod_owner;
mod pod_status;
mod requests;
mod resources;
#[cfg(test)]
mod tests;
mod wire;

pub(crate) use label_set::LABEL_SETS;
pub use label_set::{Label, NodeLabelSet};
pub use metrics::{NodeMetricsList, NodeUsage};
pub use node::SlimNode;
pub use node_labels::{Taint, TaintEffect};
pub use pod::SlimPod;
pub(crate) use pod_owner::CONTROLLERS;
pub use pod_owner::ControllerRef;
#[cfg(test)]
pub(crate) use pod_owner::intern_controller;
pub use pod_status::{NotScheduled, PodPhase};
pub(crate) use resources::RESOURCE_LISTS;
pub use resources::{ResourceEntry, ResourceList};
