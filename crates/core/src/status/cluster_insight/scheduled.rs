//! `ClusterInsight.status.workloads`: Karmada bindings scheduled to a member.

use karmada_manager_api::ClusterWorkloadCounts;
use karmada_types::ResourceBindingSpec;

/// Counts the bindings (ResourceBindings and ClusterResourceBindings alike) whose
/// `spec.clusters` names `cluster`, and sums the replicas they assign to it.
pub fn scheduled_bindings<'a>(
    cluster: &str,
    bindings: impl IntoIterator<Item = &'a ResourceBindingSpec>,
) -> ClusterWorkloadCounts {
    let mut counts = ClusterWorkloadCounts::default();
    for spec in bindings {
        let mut targeted = false;
        for target in spec.clusters.iter().filter(|t| t.name == cluster) {
            targeted = true;
            counts.replicas = counts
                .replicas
                .saturating_add(i64::from(target.replicas.max(0)));
        }
        counts.bindings = counts.bindings.saturating_add(i64::from(targeted));
    }
    counts
}
