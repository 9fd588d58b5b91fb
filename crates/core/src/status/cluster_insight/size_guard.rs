//! The ClusterInsight size guard: the node list shrinks until the status stays well under
//! etcd's object limit.

use karmada_manager_api::ClusterInsightStatus;

use crate::status::size::{guard_outcome, serialized_len};

/// How the size guard shortened a status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truncation {
    /// Nodes still listed in `nodeDetails.items`.
    pub listed: usize,
    /// Nodes the guard removed (on top of those the cap left out).
    pub dropped: usize,
    /// Serialized size of the status after shrinking (bytes).
    pub serialized_bytes: usize,
    /// The guard (bytes).
    pub max_status_bytes: usize,
}

impl Truncation {
    /// `false` when even an empty node list leaves the status above the guard.
    pub fn fits(&self) -> bool {
        self.serialized_bytes <= self.max_status_bytes
    }

    /// A condition message for the `StatusTruncated` reason.
    pub fn message(&self) -> String {
        let outcome = guard_outcome(self.serialized_bytes, self.max_status_bytes);
        format!(
            "nodeDetails lists {} nodes: {} more were left out to keep the status small; {outcome}. \
             Counts are exact; raise the size guard or lower the node detail limit.",
            self.listed, self.dropped
        )
    }
}

/// Halves `nodeDetails.items` until the serialized status fits `max_bytes` (or the list is
/// empty), moving the removed nodes into `omitted`. `None` when nothing had to be removed.
pub(crate) fn enforce_size_limit(
    status: &mut ClusterInsightStatus,
    max_bytes: usize,
) -> Option<Truncation> {
    let mut size = serialized_len(status);
    if size <= max_bytes {
        return None;
    }
    let before = status.node_details.items.len();
    while size > max_bytes && !status.node_details.items.is_empty() {
        let details = &mut status.node_details;
        // keep ≤ len, and the list only shrinks from `before`: no subtraction here underflows.
        let keep = details.items.len() / 2;
        let dropped = details.items.len() - keep;
        details.items.truncate(keep);
        details.omitted = details
            .omitted
            .saturating_add(i64::try_from(dropped).unwrap_or(i64::MAX));
        size = serialized_len(status);
    }
    Some(Truncation {
        listed: status.node_details.items.len(),
        dropped: before - status.node_details.items.len(),
        serialized_bytes: size,
        max_status_bytes: max_bytes,
    })
}
