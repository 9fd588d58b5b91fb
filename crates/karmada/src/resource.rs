//! The top-level object shape shared by every Karmada kind in this crate.
//!
//! These are hand-written rather than `#[derive(CustomResource)]`: we never generate Karmada's
//! CRDs (and `Cluster` is not even a CRD — karmada-aggregated-apiserver serves it), and the derive
//! makes `metadata` and `spec` mandatory and forbids serde attributes on the root. Here every
//! part defaults when absent or `null`, unknown top-level fields (`apiVersion`, `kind`, and
//! anything new) are ignored, and the `kube::Resource` impl gives `Api<K>`, `watcher`,
//! `DeserializeGuard<K>` and `PartialObjectMeta<K>` everything they need.

/// The spec of kinds whose spec the operator never reads (`Work`, override policies).
///
/// Decoding skips whatever the object holds without allocating for it (the manifests inside a
/// `Work` can be megabytes), and nothing is kept in memory; it serializes as `{}`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize,
)]
pub struct IgnoredSpec {}

/// Declares a Karmada object type: the struct, `kube::Resource`, and `Serialize`.
///
/// A decode error in `spec` or `status` names the field from the object's root
/// (`spec.placement.spreadConstraints[0].maxGroups: ...`), so that the condition or log line
/// that reports a malformed object says where it is.
///
/// `Serialize` writes `apiVersion` and `kind` back (they are not stored), so an object survives
/// a decode/encode round trip in the shape the API server uses.
macro_rules! karmada_resource {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            group: $group:literal,
            version: $version:literal,
            kind: $kind:literal,
            plural: $plural:literal,
            scope: $scope:ident,
            spec: $spec:ty
            $(, status: $status:ty)?
            $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, ::serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// Standard object metadata.
            #[serde(default)]
            pub metadata: ::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
            /// The desired state, as much of it as the operator reads.
            #[serde(default, deserialize_with = "crate::de::spec")]
            pub spec: $spec,
            $(
                /// The observed state, as much of it as the operator reads.
                #[serde(default, deserialize_with = "crate::de::status")]
                pub status: $status,
            )?
        }

        impl $name {
            /// `group/version` of this kind.
            pub const API_VERSION: &'static str = concat!($group, "/", $version);
            /// API group of this kind.
            pub const GROUP: &'static str = $group;
            /// API version of this kind.
            pub const VERSION: &'static str = $version;
            /// The kind, as in `kind:`.
            pub const KIND: &'static str = $kind;
            /// The resource (plural) name used in URLs and RBAC rules.
            pub const PLURAL: &'static str = $plural;
        }

        impl ::kube::core::Resource for $name {
            type DynamicType = ();
            type Scope = $crate::resource::scope!($scope);

            fn kind(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed($kind)
            }

            fn group(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed($group)
            }

            fn version(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed($version)
            }

            fn api_version(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(Self::API_VERSION)
            }

            fn plural(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed($plural)
            }

            fn meta(&self) -> &::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }

            fn meta_mut(
                &mut self,
            ) -> &mut ::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.metadata
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeStruct as _;
                // The length is only a hint; 5 covers the status-carrying kinds.
                let mut object = serializer.serialize_struct($kind, 5)?;
                object.serialize_field("apiVersion", Self::API_VERSION)?;
                object.serialize_field("kind", $kind)?;
                object.serialize_field("metadata", &self.metadata)?;
                object.serialize_field("spec", &self.spec)?;
                $(
                    let status: &$status = &self.status;
                    object.serialize_field("status", status)?;
                )?
                object.end()
            }
        }
    };
}

/// Maps `Namespaced` / `Cluster` to kube's scope marker types.
macro_rules! scope {
    (Namespaced) => {
        ::kube::core::NamespaceResourceScope
    };
    (Cluster) => {
        ::kube::core::ClusterResourceScope
    };
}

pub(crate) use karmada_resource;
pub(crate) use scope;
