//! Tunables of the controllers, from the command line (`RunArgs`).

use crate::cli::{ConnectionMode, TuningArgs};
use karmada_manager_core::{ClusterInsightOptions, FleetOptions, PlacementOptions};
use std::time::Duration;

/// The field manager of every server-side apply karmada-manager makes.
pub const FIELD_MANAGER: &str = "karmada-manager";

#[derive(Clone, Debug)]
pub struct Settings {
    pub cluster_insight: ClusterInsightOptions,
    pub fleet: FleetOptions,
    pub placement: PlacementOptions,
    /// Placements reconciled at the same time.
    pub placement_concurrency: u16,
    /// Members doing their first list at the same time (0: no limit).
    pub member_sync_concurrency: u16,
    /// Minimum time between two status writes of one object.
    pub write_interval: Duration,
    /// The fleet's budget for ClusterInsight writes that only drift, KiB a second (0: none).
    pub drift_writes_kib_per_second: u32,
    /// How often the placements showing a cluster whose fits moved are looked at again.
    pub fit_refresh_interval: Duration,
    /// How long a member may be unreachable before its insight turns Ready=False.
    pub unreachable_grace: Duration,
    /// How long a hub watch may fail before `/readyz` says unready.
    pub hub_unready_after: Duration,
    /// How long a controller may have work queued without starting a reconcile before `/livez`
    /// fails.
    pub wedged_after: Duration,
    pub connection_mode: ConnectionMode,
    /// Base URL of the cluster proxy, when not the hub's own.
    pub cluster_proxy_url: Option<http::Uri>,
}

impl From<&TuningArgs> for Settings {
    fn from(args: &TuningArgs) -> Self {
        Self {
            cluster_insight: ClusterInsightOptions {
                node_detail_limit: args.node_detail_limit,
                max_status_bytes: args.max_status_bytes,
            },
            fleet: FleetOptions {
                top_clusters_limit: args.top_clusters_limit,
            },
            placement: PlacementOptions {
                node_limit: args.placement_node_limit,
                pod_limit: args.placement_pod_limit,
                max_status_bytes: args.max_status_bytes,
                ..PlacementOptions::default()
            },
            placement_concurrency: args.placement_concurrency,
            member_sync_concurrency: args.member_sync_concurrency,
            write_interval: args.write_interval.into(),
            drift_writes_kib_per_second: args.drift_writes_kib_per_second,
            fit_refresh_interval: args.fit_refresh_interval.into(),
            unreachable_grace: args.unreachable_grace.into(),
            hub_unready_after: args.hub_unready_after.into(),
            wedged_after: args.wedged_after.into(),
            connection_mode: args.connection_mode,
            cluster_proxy_url: args.cluster_proxy_url.clone(),
        }
    }
}
