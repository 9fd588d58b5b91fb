//! `fitReplicas` for one placement: how many more replicas of the binding's shape fit on a
//! cluster, asked lazily by the builder for the clusters its status shows.

use crate::context::Context;
use crate::locks::lock;
use crate::members::Connection;
use karmada_manager_api::FitEstimator;
use karmada_manager_core::fit::{FitShape, HeadroomFit};
use karmada_manager_core::{BindingSource, Fit, FitSource};
use karmada_types::Cluster;
use kube::runtime::reflector::ObjectRef;
use std::collections::HashMap;

/// The fit of one binding's shape, node by node from the member's index once it has listed
/// everything (accurate), else from the Cluster object (general: its resource models or its
/// `resourceSummary`, as karmada-scheduler estimates).
pub struct MemberFits<'a> {
    ctx: &'a Context,
    /// `None` when the binding has neither replicas nor requirements, or unreadable ones (the
    /// builder says why): no fit anywhere.
    shape: Option<FitShape>,
    clusters: HashMap<&'a str, &'a Cluster>,
}

impl<'a> MemberFits<'a> {
    pub fn new(ctx: &'a Context, binding: &BindingSource<'_>, clusters: &[&'a Cluster]) -> Self {
        let shape = match binding
            .spec
            .replica_requirements
            .as_ref()
            .map(FitShape::new)
        {
            Some(Ok(shape)) => Some(shape),
            // Replicas that request nothing: Karmada's estimators count free pod slots.
            None if binding.spec.replicas > 0 => Some(FitShape::default()),
            _ => None,
        };
        let clusters = clusters
            .iter()
            .filter_map(|c| Some((c.metadata.name.as_deref()?, *c)))
            .collect();
        MemberFits {
            ctx,
            shape,
            clusters,
        }
    }
}

impl MemberFits<'_> {
    /// With sharding, a member another replica watches: the accurate estimate its watcher
    /// published, read back from its ClusterInsight's headroom when that is exact (the
    /// headroom is rounded for members with many kinds of nodes, and cannot tell for workloads
    /// that select nodes by labels it does not publish: then the general estimate stands).
    fn published(&self, name: &str, shape: &FitShape) -> Option<u64> {
        if self.ctx.shards.owns_member(name) {
            return None;
        }
        let insight = self.ctx.caches.insights.get(&ObjectRef::new(name))?;
        let headroom = insight.status.as_ref()?.headroom.as_ref()?;
        match shape.in_headroom(headroom) {
            HeadroomFit::Exact(replicas) => Some(replicas),
            HeadroomFit::AtLeast(_) | HeadroomFit::Unknown(_) => None,
        }
    }
}

impl std::fmt::Debug for MemberFits<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberFits")
            .field("shape", &self.shape)
            .finish_non_exhaustive()
    }
}

impl FitSource for MemberFits<'_> {
    fn fit(&self, name: &str) -> Option<Fit> {
        let shape = self.shape.as_ref()?;
        let accurate = match self.ctx.members.connection(name) {
            Some(Connection::Watched { shared, .. }) => {
                let index = crate::locks::read(&shared.index);
                index
                    .cluster
                    .is_synced()
                    .then(|| lock(&shared.fit).fit(&index.cluster, shape))
            }
            _ => self.published(name, shape),
        };
        let general = self
            .clusters
            .get(name)
            .and_then(|cluster| shape.in_cluster(cluster));
        match (accurate, general) {
            (Some(replicas), general) => Some(Fit {
                replicas,
                estimator: FitEstimator::Accurate,
                general,
            }),
            (None, Some(replicas)) => Some(Fit {
                replicas,
                estimator: FitEstimator::General,
                general: Some(replicas),
            }),
            (None, None) => None,
        }
    }
}
