//! The one Context every controller shares, split by purpose: the hub connection, the caches of
//! hub objects (reconcilers read these, never the API), the indexes fed by the hub watches, the
//! member connections, where to send triggers, the writers, and the metrics.

use crate::health::Health;
use crate::members::{FirstLists, Members, Planner, TaskSettings, WorkloadChanges};
use crate::metrics::Metrics;
use crate::settings::FIELD_MANAGER;
use crate::settings::Settings;
use crate::shards::Shards;
use crate::triggers::{Queues, Triggers};
use crate::write::{DriftBudget, WriteLog};
use futures::channel::mpsc::{self, UnboundedReceiver};
use k8s_openapi::api::core::v1::Secret;
use karmada_manager_api::{
    ClusterInsight, ClusterWorkloadPlacement, FleetInsight, WorkloadPlacement,
};
use karmada_manager_core::fit::FitMarks;
use karmada_manager_core::{
    BindingIndex, BindingRef, Disagreements, HubClusters, WorkIndex, WorkloadState,
};
use karmada_types::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterResourceBinding,
    OverridePolicy, PropagationPolicy, ResourceBinding,
};
use kube::core::{DeserializeGuard, PartialObjectMeta};
use kube::runtime::events::Recorder;
use kube::runtime::reflector::{self, Store, store::Writer};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub struct Context {
    pub hub: Hub,
    pub settings: Settings,
    pub caches: Caches,
    pub indexes: Indexes,
    pub members: Members,
    /// What this replica owns: everything, or its share with `--sharding`.
    pub shards: Shards,
    pub triggers: Triggers,
    pub writers: Writers,
    pub metrics: Metrics,
    /// `/readyz`: set once the hub caches are synced.
    pub readiness: Readiness,
    /// What `/readyz` and `/livez` judge beyond that: hub watch failures, queued work.
    pub health: Health,
}

/// The hub connection.
pub struct Hub {
    pub client: kube::Client,
    /// How the client was configured: the cluster proxy reuses it.
    pub config: kube::Config,
}

/// Reflector stores of hub objects, each kept by its watch (on standbys too).
#[derive(Clone)]
pub struct Caches {
    pub clusters: Store<DeserializeGuard<Cluster>>,
    /// Secrets in `karmada-cluster`, where Karmada keeps member credentials.
    pub secrets: Store<Secret>,
    pub bindings: Store<DeserializeGuard<ResourceBinding>>,
    pub cluster_bindings: Store<DeserializeGuard<ClusterResourceBinding>>,
    pub policies: Store<DeserializeGuard<PropagationPolicy>>,
    pub cluster_policies: Store<DeserializeGuard<ClusterPropagationPolicy>>,
    /// Override policies are only counted: metadata is enough.
    pub override_policies: Store<PartialObjectMeta<OverridePolicy>>,
    pub cluster_override_policies: Store<PartialObjectMeta<ClusterOverridePolicy>>,
    /// Our own objects as last seen: the previous status of each (change detection, stable
    /// condition times) without a read, and hand edits or deletions to heal.
    pub insights: Store<ClusterInsight>,
    pub fleet: Store<FleetInsight>,
    pub placements: Store<WorkloadPlacement>,
    pub cluster_placements: Store<ClusterWorkloadPlacement>,
}

/// Indexes fed by the hub watches: they turn any change into the objects to reconcile.
#[derive(Default)]
pub struct Indexes {
    /// What every binding relates to (clusters, workload, policy, permanent id).
    pub bindings: Mutex<BindingIndex>,
    /// Applied overrides per binding and cluster, from Work metadata.
    pub works: Mutex<WorkIndex>,
    /// Every Cluster, and the fields static weights depend on.
    pub clusters: Mutex<HubClusters>,
    /// Each decoded binding's workload state, for the fleet's counts and the metrics.
    pub workload_states: Mutex<WorkloadStates>,
    /// Since when Karmada's and the members' ready counts of each workload have differed.
    pub disagreements: Mutex<Disagreements>,
    /// The fits each placement was last built with and the clusters it shows: which
    /// placements to look at again when a cluster's fits move (`controllers/placement/looks.rs`).
    pub fit_marks: Mutex<FitMarks>,
}

/// Each decoded binding's workload state (ready, progressing, failed), brought up to date by
/// the fleet for the bindings that changed since it last looked: a fleet rebuild judges
/// O(changed bindings), never every binding.
#[derive(Debug, Default)]
pub struct WorkloadStates {
    pub states: HashMap<BindingRef, WorkloadState>,
    /// Bindings whose state may have changed (the binding itself, or its policy).
    pub stale: HashSet<BindingRef>,
}

/// Writing our objects: the per-object debounce and Events.
pub struct Writers {
    /// When each placement was last written.
    pub placements: WriteLog,
    /// The same for ClusterInsights: a member's trigger is already debounced, but other
    /// sources (bindings, Secrets, our own insight's watch event) can reconcile it too.
    pub insights: WriteLog,
    /// When ClusterInsights whose only changes drift are written.
    pub drifts: Arc<DriftBudget>,
    /// Publishes Events on Ready transitions of our objects.
    pub recorder: Recorder,
}

/// The writing ends of the reflector stores in [`Caches`], one per hub watch.
pub struct CacheWriters {
    pub clusters: Writer<DeserializeGuard<Cluster>>,
    pub secrets: Writer<Secret>,
    pub bindings: Writer<DeserializeGuard<ResourceBinding>>,
    pub cluster_bindings: Writer<DeserializeGuard<ClusterResourceBinding>>,
    pub policies: Writer<DeserializeGuard<PropagationPolicy>>,
    pub cluster_policies: Writer<DeserializeGuard<ClusterPropagationPolicy>>,
    pub override_policies: Writer<PartialObjectMeta<OverridePolicy>>,
    pub cluster_override_policies: Writer<PartialObjectMeta<ClusterOverridePolicy>>,
    pub insights: Writer<ClusterInsight>,
    pub fleet: Writer<FleetInsight>,
    pub placements: Writer<WorkloadPlacement>,
    pub cluster_placements: Writer<ClusterWorkloadPlacement>,
}

impl Caches {
    /// Empty caches, and the writers their watches fill them through.
    pub fn new() -> (Caches, CacheWriters) {
        let (clusters, clusters_w) = reflector::store();
        let (secrets, secrets_w) = reflector::store();
        let (bindings, bindings_w) = reflector::store();
        let (cluster_bindings, cluster_bindings_w) = reflector::store();
        let (policies, policies_w) = reflector::store();
        let (cluster_policies, cluster_policies_w) = reflector::store();
        let (override_policies, override_policies_w) = reflector::store();
        let (cluster_override_policies, cluster_override_policies_w) = reflector::store();
        let (insights, insights_w) = reflector::store();
        let (fleet, fleet_w) = reflector::store();
        let (placements, placements_w) = reflector::store();
        let (cluster_placements, cluster_placements_w) = reflector::store();
        let caches = Caches {
            clusters,
            secrets,
            bindings,
            cluster_bindings,
            policies,
            cluster_policies,
            override_policies,
            cluster_override_policies,
            insights,
            fleet,
            placements,
            cluster_placements,
        };
        let writers = CacheWriters {
            clusters: clusters_w,
            secrets: secrets_w,
            bindings: bindings_w,
            cluster_bindings: cluster_bindings_w,
            policies: policies_w,
            cluster_policies: cluster_policies_w,
            override_policies: override_policies_w,
            cluster_override_policies: cluster_override_policies_w,
            insights: insights_w,
            fleet: fleet_w,
            placements: placements_w,
            cluster_placements: cluster_placements_w,
        };
        (caches, writers)
    }
}

impl Context {
    /// The Context of a `run` with `settings` and `shards`, the writers of its caches, the controllers'
    /// queues and the channel member tasks report touched workloads on.
    pub fn new(
        settings: Settings,
        client: kube::Client,
        hub_config: kube::Config,
        shards: Shards,
    ) -> (
        Context,
        CacheWriters,
        Queues,
        UnboundedReceiver<WorkloadChanges>,
    ) {
        let health = Health::new(settings.hub_unready_after, settings.wedged_after);
        let (triggers, queues) = Triggers::new(health.progress.clone());
        let (workloads_tx, workloads_rx) = mpsc::unbounded();
        let (caches, writers) = Caches::new();
        let planner = Planner {
            hub_config: hub_config.clone(),
            mode: settings.connection_mode,
            cluster_proxy_url: settings.cluster_proxy_url.clone(),
            secrets: caches.secrets.clone(),
        };
        let drifts = Arc::new(DriftBudget::new(settings.drift_writes_kib_per_second));
        let tasks = TaskSettings {
            cluster_triggers: triggers.clusters.clone(),
            workloads: workloads_tx,
            trigger_interval: settings.write_interval,
            unreachable_grace: settings.unreachable_grace,
            first_lists: FirstLists::new(settings.member_sync_concurrency.into()),
            drifts: drifts.clone(),
        };
        let ctx = Context {
            hub: Hub {
                client: client.clone(),
                config: hub_config,
            },
            caches,
            indexes: Indexes::default(),
            members: Members::new(planner, tasks),
            shards,
            triggers,
            writers: Writers {
                placements: WriteLog::new(settings.write_interval),
                insights: WriteLog::new(settings.write_interval),
                drifts: drifts.clone(),
                recorder: Recorder::new(client, FIELD_MANAGER.into()),
            },
            settings,
            metrics: Metrics::default(),
            readiness: Readiness::default(),
            health,
        };
        (ctx, writers, queues, workloads_rx)
    }
}

/// Whether `/readyz` says ready; set once the hub caches are synced.
#[derive(Default)]
pub struct Readiness(AtomicBool);

impl Readiness {
    pub fn set_ready(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}
