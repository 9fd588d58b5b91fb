//! `kube::Resource` for the slim projections of core/v1 kinds ([`core_v1_resource!`]), so that
//! kube-runtime's watchers decode straight into them.

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
pub(crate) use core_v1_resource;
