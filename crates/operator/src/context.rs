//! The one Context every controller shares: the hub client, settings, in-memory caches of hub
//! objects (reconcilers read these, never the API) and the member tasks.

use crate::members::Members;
use crate::settings::Settings;
use k8s_openapi::api::core::v1::Secret;
use karmada_manager_api::ClusterInsight;
use karmada_types::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterResourceBinding,
    OverridePolicy, PropagationPolicy, ResourceBinding,
};
use kube::core::{DeserializeGuard, PartialObjectMeta};
use kube::runtime::reflector::Store;
use tokio::sync::Notify;

pub struct Context {
    pub hub: kube::Client,
    /// How the hub client was configured: the cluster proxy reuses it.
    pub hub_config: kube::Config,
    pub settings: Settings,
    /// Secrets in `karmada-cluster`, where Karmada keeps member credentials.
    pub secrets: Store<Secret>,
    /// Our own ClusterInsights, as last seen: the previous status of each (for change detection
    /// and stable condition times) without a read.
    pub insights: Store<ClusterInsight>,
    /// Karmada Clusters (the Cluster controller's own cache).
    pub clusters: Store<DeserializeGuard<Cluster>>,
    pub bindings: Store<DeserializeGuard<ResourceBinding>>,
    pub cluster_bindings: Store<DeserializeGuard<ClusterResourceBinding>>,
    pub policies: Store<DeserializeGuard<PropagationPolicy>>,
    pub cluster_policies: Store<DeserializeGuard<ClusterPropagationPolicy>>,
    /// Override policies are only counted: metadata is enough.
    pub override_policies: Store<PartialObjectMeta<OverridePolicy>>,
    pub cluster_override_policies: Store<PartialObjectMeta<ClusterOverridePolicy>>,
    pub members: Members,
    /// Woken whenever a ClusterInsight may have changed, so the FleetInsight follows.
    pub fleet_changed: Notify,
}
