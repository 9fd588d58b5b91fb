//! `work.karmada.io/v1alpha1` `Work`: the manifests Karmada sends to one member, in namespace
//! `karmada-es-<cluster>`.
//!
//! Only metadata is used: the `resourcebinding.karmada.io/permanent-id` label links a Work to
//! its binding and the applied-overrides annotations say which override policies changed it
//! (see [`crate::overrides`]). Works carry full copies of every manifest and there is one per
//! binding per cluster, so the spec is never stored. Prefer `Api<PartialObjectMeta<Work>>` /
//! a metadata watcher, which does not even transfer the manifests; decoding a full `Work` still
//! works and drops them.

use crate::resource::{IgnoredSpec, karmada_resource};

karmada_resource! {
    /// A Karmada Work; its spec (the manifests) is skipped during decoding.
    pub struct Work {
        group: "work.karmada.io",
        version: "v1alpha1",
        kind: "Work",
        plural: "works",
        scope: Namespaced,
        spec: IgnoredSpec,
    }
}
