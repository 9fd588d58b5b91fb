//! `ClusterInsight` status: from a member's index (`figures`), or from Karmada's own
//! `Cluster.status` when the member cannot be reached (`fallback`), with the bindings scheduled
//! to the member, measured usage and the size guard.

mod fallback;
mod figures;
mod node_details;
mod scheduled;
mod size_guard;
#[cfg(test)]
mod tests;
mod usage;

use karmada_manager_api::ClusterInsightStatus;

pub use fallback::cluster_status_fallback;
pub(crate) use figures::cluster_info;
pub use figures::cluster_insight_status;
pub use scheduled::scheduled_bindings;
pub use size_guard::Truncation;
pub use usage::cluster_usage;

/// Settings of the `ClusterInsight` builder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterInsightOptions {
    /// Most nodes listed in `status.nodeDetails.items` (default 200).
    pub node_detail_limit: usize,
    /// Size guard on the serialized status built here (default 512 KiB); above it the node
    /// list is halved until it fits. Leave headroom for what the shell adds (conditions).
    pub max_status_bytes: usize,
}

impl Default for ClusterInsightOptions {
    fn default() -> Self {
        ClusterInsightOptions {
            node_detail_limit: 200,
            max_status_bytes: 512 * 1024,
        }
    }
}

/// A built `ClusterInsight` status, and whether the size guard had to shorten it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterInsightBuild {
    /// The status, without conditions, observedGeneration, source or lastChangeTime.
    pub status: ClusterInsightStatus,
    /// Set when the node list was cut below `node_detail_limit` to fit `max_status_bytes`:
    /// the shell reports it with the Ready reason `StatusTruncated`.
    pub truncation: Option<Truncation>,
}

impl ClusterInsightBuild {
    /// `true` when the size guard shortened the status.
    pub fn truncated(&self) -> bool {
        self.truncation.is_some()
    }
}
