//! Slim projections of member Nodes and Pods (DESIGN §5): decoded straight from watch JSON into
//! the few fields the index and builders use, with repeated strings interned.
//!
//! Neither type is ever built from a full k8s-openapi `Pod`/`Node`: a custom `Deserialize` reads
//! the wanted fields and skips the rest of the JSON without allocating for it. Both implement
//! `kube::Resource` so that kube-runtime's `watcher::<SlimPod>` / `watcher::<SlimNode>` decode
//! events into them directly (also through `DeserializeGuard`). Decoding is tolerant: absent and
//! `null` fields take their defaults, unknown enum values fall back, unparsable quantities are
//! dropped; only a type mismatch (a string where an object belongs) is an error.

mod de;
mod metrics;
mod node;
mod pod;
mod requests;
mod resources;
#[cfg(test)]
mod tests;

pub use metrics::{NodeMetricsList, NodeUsage};
pub use node::SlimNode;
pub use pod::{ControllerRef, PodPhase, SlimPod};
pub use resources::{ResourceEntry, ResourceList};
