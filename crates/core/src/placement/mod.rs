//! A binding's placement rules, read the way Karmada's scheduler reads them, so that a
//! placement shows what Karmada decided and not an approximation of it.
//!
//! - [`cluster_matches`]: whether a Karmada `Cluster` is selected by a `ClusterAffinity` (also
//!   used for the `targetCluster` of a static weight rule).
//! - [`resolve_weights`]: which [`Weighting`](karmada_manager_api::Weighting) applies and, for a
//!   static weight list, the weight of each target cluster.
//! - [`ClusterFilter`]: the first filter of Karmada's scheduler a cluster fails for a binding
//!   (affinity, eviction, taints, API enablement, spread constraint fields).
//! - [`placement_summary`]: the `placement` block of a `WorkloadPlacement` status, selectors
//!   written out the way `kubectl` prints them.
//!
//! Everything here is a pure function of the binding's `spec.placement` (Karmada's copy of the
//! policy's placement, i.e. what the scheduler actually used) and the Cluster objects.

mod affinity;
mod filter;
mod selector_text;
mod summary;
#[cfg(test)]
mod tests;
mod weights;

pub use affinity::{AffinityMiss, affinity_miss, cluster_matches};
pub use filter::{ClusterFilter, Filtered};
pub use selector_text::{field_selector_text, label_selector_text};
pub use summary::{affinity_group, effective_affinity, placement_summary};
pub use weights::{ResolvedWeights, aggregated, resolve_weights, weighting};
