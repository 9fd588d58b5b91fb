//! Indexes of hub objects that relate bindings to everything else, fed by the hub's watches and
//! free of I/O like the rest of the core. They answer "which bindings does this change affect?"
//! without a scan, and hold the little the placements need from Works.

mod bindings;
mod clusters;
mod events;
#[cfg(test)]
mod tests;
mod works;

pub use bindings::{BindingChanges, BindingIndex, involved_clusters};
pub use clusters::{ClusterChanges, ClusterEntry, HubClusters};
pub use events::BindingEntry;
pub use works::{ObservedOverrides, WorkIndex};
