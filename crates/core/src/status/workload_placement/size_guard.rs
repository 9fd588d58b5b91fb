//! The size guard of a `WorkloadPlacement` status, which must stay well under etcd's object
//! limit: per-cluster pod lists shrink first (the longest part: 10 clusters × hundreds of pods),
//! then node lists. Counts and the cluster entries themselves are never dropped.

use karmada_manager_api::WorkloadPlacementStatus;

use crate::status::size::{guard_outcome, serialized_len};

/// How the size guard shortened a `WorkloadPlacement` status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementTruncation {
    /// Pods still listed, over all clusters.
    pub pods_listed: usize,
    /// Pods the guard removed from `podList`s (on top of those the cap left out).
    pub pods_dropped: usize,
    /// Nodes still listed, over all clusters.
    pub nodes_listed: usize,
    /// Nodes the guard removed from `nodes` lists.
    pub nodes_dropped: usize,
    /// Serialized size of the status after shrinking (bytes).
    pub serialized_bytes: usize,
    /// The guard (bytes).
    pub max_status_bytes: usize,
}

impl PlacementTruncation {
    /// `false` when even empty pod and node lists leave the status above the guard.
    pub fn fits(&self) -> bool {
        self.serialized_bytes <= self.max_status_bytes
    }

    /// A condition message for the `StatusTruncated` reason.
    pub fn message(&self) -> String {
        let outcome = guard_outcome(self.serialized_bytes, self.max_status_bytes);
        format!(
            "clusters[].podList lists {} pods and clusters[].nodes {} nodes: {} more pods and {} \
             more nodes were left out to keep the status small; {outcome}. Counts are exact; \
             raise the size guard or lower the pod and node limits.",
            self.pods_listed, self.nodes_listed, self.pods_dropped, self.nodes_dropped
        )
    }
}

/// Halves the longest pod list allowed (every cluster's `podList` cut to the same length) until
/// the serialized status fits `max_bytes`, then does the same with the node lists, moving what
/// it removes into the `omitted` counts. `None` when nothing had to be removed.
pub(super) fn enforce_size_limit(
    status: &mut WorkloadPlacementStatus,
    max_bytes: usize,
) -> Option<PlacementTruncation> {
    let mut size = serialized_len(status);
    if size <= max_bytes {
        return None;
    }
    let pods_before = listed(status, |c| c.pod_list.len());
    let nodes_before = listed(status, |c| c.nodes.len());

    let mut cap = status.clusters.iter().map(|c| c.pod_list.len()).max();
    while size > max_bytes && cap.is_some_and(|c| c > 0) {
        let keep = cap.unwrap_or_default() / 2;
        for cluster in &mut status.clusters {
            let dropped = cluster.pod_list.len().saturating_sub(keep);
            cluster.pod_list.truncate(keep);
            cluster.omitted_pods = cluster.omitted_pods.saturating_add(as_count(dropped));
        }
        cap = Some(keep);
        size = serialized_len(status);
    }
    let mut cap = status.clusters.iter().map(|c| c.nodes.len()).max();
    while size > max_bytes && cap.is_some_and(|c| c > 0) {
        let keep = cap.unwrap_or_default() / 2;
        for cluster in &mut status.clusters {
            let dropped = cluster.nodes.len().saturating_sub(keep);
            cluster.nodes.truncate(keep);
            cluster.omitted_nodes = cluster.omitted_nodes.saturating_add(as_count(dropped));
        }
        cap = Some(keep);
        size = serialized_len(status);
    }

    // The loops above only truncate lists, so the `*_before - *_listed` below cannot underflow.
    let pods_listed = listed(status, |c| c.pod_list.len());
    let nodes_listed = listed(status, |c| c.nodes.len());
    Some(PlacementTruncation {
        pods_listed,
        pods_dropped: pods_before - pods_listed,
        nodes_listed,
        nodes_dropped: nodes_before - nodes_listed,
        serialized_bytes: size,
        max_status_bytes: max_bytes,
    })
}

fn listed(
    status: &WorkloadPlacementStatus,
    len: impl Fn(&karmada_manager_api::ClusterPlacement) -> usize,
) -> usize {
    status.clusters.iter().map(len).sum()
}

fn as_count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
