//! `ClusterInsight` status, built like the placements': plain inputs in (the Karmada
//! `Cluster`, what the shell knows of the member's connection, the member's index), the status
//! and its conditions out, for the shell to stamp with times and write.
//!
//! - `member`: whether the member's figures can be trusted now ([`MemberReadiness`]), the one
//!   rule the placements use too.
//! - `figures`: nodes, pods, resources and per-node detail from the member's index;
//!   `fallback`: the same from Karmada's `Cluster.status` when the member cannot be reached.
//! - `scheduled`: the bindings scheduled to the member; `usage`: measured CPU and memory.
//! - `conditions`: Ready, Reconciling, Stalled, Degraded; `size_guard`: the node list shrinks
//!   to keep the status small.
//! - `drift`: whether a new status only moves figures that drift, which the shell may write
//!   later.

mod conditions;
mod drift;
mod fallback;
mod figures;
mod member;
mod node_details;
mod scheduled;
mod size_guard;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_conditions;
mod usage;

use std::time::Duration;

use karmada_manager_api::{
    ClusterInsightStatus, ClusterWorkloadCounts, InsightSource, ResourceUsage,
};

use crate::index::ClusterIndex;
use crate::projection::NodeUsage;
use karmada_types::Cluster;

use crate::status::conditions::DesiredCondition;

pub use drift::{InsightChange, insight_change};
pub use fallback::cluster_status_fallback;
pub(crate) use figures::cluster_info;
pub use figures::member_figures;
pub use member::{
    ConnectionProblem, MemberFailure, MemberHealth, MemberReadiness, MemberView, not_observed,
};
pub use scheduled::scheduled_bindings;
pub use size_guard::Truncation;
pub use usage::cluster_usage;

/// Everything one ClusterInsight status is built from.
#[derive(Clone, Debug)]
pub struct ClusterInsightInputs<'a> {
    /// The Karmada Cluster the insight mirrors.
    pub cluster: &'a Cluster,
    /// The member's index and connection, or why there is none.
    pub member: MemberView<'a>,
    /// The bindings scheduled to the member ([`scheduled_bindings`]).
    pub scheduled: ClusterWorkloadCounts,
    /// How long a member may be unreachable before Ready turns False.
    pub unreachable_grace: Duration,
}

/// A built ClusterInsight status and its conditions.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterInsightBuild {
    /// The status, without conditions, observedGeneration or lastChangeTime.
    pub status: ClusterInsightStatus,
    /// Ready, then Reconciling or Stalled while true, then Degraded; for the shell to merge
    /// with the previous conditions (times) and write.
    pub conditions: Vec<DesiredCondition>,
    /// Set when the size guard shortened the node list (then Ready, if True, has reason
    /// `StatusTruncated`).
    pub truncation: Option<Truncation>,
    /// Build again after this long even if nothing changes: a member failure's grace period
    /// ends then.
    pub recheck_after: Option<Duration>,
}

/// Builds the status of the `ClusterInsight` of `inputs.cluster`: every field but
/// `observedGeneration` and `lastChangeTime`, and the conditions as data.
pub fn cluster_insight_status(
    inputs: &ClusterInsightInputs<'_>,
    options: &ClusterInsightOptions,
) -> ClusterInsightBuild {
    let cluster = inputs.cluster;
    let readiness = inputs.member.readiness(cluster, inputs.unreachable_grace);
    let (mut status, truncation) = match inputs.member {
        MemberView::Watched {
            index,
            source,
            metrics,
            metrics_stale,
            ..
        } => {
            let figures = member_figures(index, cluster, options);
            let mut status = figures.status;
            status.source = Some(source);
            status.usage = usage(index, metrics, metrics_stale);
            (status, figures.truncation)
        }
        MemberView::Unwatched { .. } => {
            let mut status = cluster_status_fallback(cluster);
            status.source = Some(InsightSource::ClusterStatus);
            (status, None)
        }
    };
    status.workloads = inputs.scheduled.clone();
    let truncated = truncation.as_ref().map(Truncation::message);
    let mut conditions = conditions::conditions(&readiness, &status, truncated, cluster);
    if let MemberView::Watched {
        source, endpoint, ..
    } = inputs.member
    {
        conditions::note_skipped_tls(&mut conditions, cluster, source, endpoint);
    }
    let recheck_after = match readiness {
        MemberReadiness::Ready { recheck_after } => recheck_after,
        _ => None,
    };
    ClusterInsightBuild {
        status,
        conditions,
        truncation,
        recheck_after,
    }
}

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

/// The figures of a member's index, and whether the size guard had to shorten them.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberFigures {
    /// The status, without conditions, observedGeneration, source, lastChangeTime, usage or
    /// workloads.
    pub status: ClusterInsightStatus,
    /// Set when the node list was cut below `node_detail_limit` to fit `max_status_bytes`:
    /// the shell reports it with the Ready reason `StatusTruncated`.
    pub truncation: Option<Truncation>,
}

impl MemberFigures {
    /// `true` when the size guard shortened the status.
    pub fn truncated(&self) -> bool {
        self.truncation.is_some()
    }
}

/// The usage block: measured figures when metrics.k8s.io answered, marked stale while it does
/// not; a block saying only `stale` when it never answered; none when the member does not serve
/// the API.
fn usage(
    index: &ClusterIndex,
    metrics: Option<&[NodeUsage]>,
    stale: bool,
) -> Option<ResourceUsage> {
    match metrics {
        Some(metrics) => Some(ResourceUsage {
            stale,
            ..cluster_usage(index, metrics)
        }),
        None if stale => Some(ResourceUsage {
            stale,
            ..ResourceUsage::default()
        }),
        None => None,
    }
}
