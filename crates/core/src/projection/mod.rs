//! Slim projections of member Nodes and Pods (DESIGN §5): decoded straight from watch JSON into
//! the few fields the index and builders use, with repeated strings interned.
//!
//! Neither type is ever built from a full k8s-openapi `Pod`/`Node`: a custom `Deserialize` reads
//! the wanted fields and skips the rest of the JSON without allocating for it. Both implement
//! `kube::Resource` so that kube-runtime's `watcher::<SlimPod>` / `watcher::<SlimNode>` decode
//! events into them directly (also through `DeserializeGuard`). Decoding is tolerant: absent and
//! `null` fields take their defaults, unknown enum values fall back, unparsable quantities are
//! dropped; only a type mismatch (a string where an object belongs) is an error.

/// `kube::Resource` for a slim projection of a core/v1 kind, so that kube-runtime's watchers can
/// decode into it directly; `meta()` is the projection's own trimmed `ObjectMeta` (the type's
/// `object_meta()`).
macro_rules! core_v1_resource {
    ($type:ty, $kind:literal, $plural:literal, $scope:ident) => {
        impl kube::core::Resource for $type {
            type DynamicType = ();
            type Scope = kube::core::$scope;

            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed($kind)
            }

            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed("")
            }

            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed("v1")
            }

            fn api_version(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed("v1")
            }

            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed($plural)
            }

            fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                self.object_meta()
            }

            fn meta_mut(
                &mut self,
            ) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                self.object_meta_mut()
            }
        }
    };
}
use core_v1_resource;

mod de;
#[cfg(test)]
mod decode_tests;
mod metrics;
mod node;
mod pod;
mod pod_owner;
mod pod_status;
mod requests;
mod resources;
#[cfg(test)]
mod tests;
mod wire;

pub use metrics::{NodeMetricsList, NodeUsage};
pub use node::SlimNode;
pub use pod::{ControllerRef, PodPhase, SlimPod};
pub use resources::{ResourceEntry, ResourceList};
