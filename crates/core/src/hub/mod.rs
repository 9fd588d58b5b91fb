//! Indexes of hub objects that relate bindings to everything else (DESIGN §4: pure indexes
//! fed by watches). They answer "which bindings does this change affect?" without a scan, and
//! hold the little the placements need from Works.

mod bindings;
#[cfg(test)]
mod tests;
mod works;

pub use bindings::{BindingIndex, BindingRef, PermanentId, involved_clusters, permanent_id_label};
pub use works::{ObservedOverrides, WorkIndex};
