//! `karmada-manager run`: connect to the hub, check that it serves what the operator needs, fill
//! the caches, and run the controllers until SIGTERM or Ctrl-C.

use crate::admin::{self, Readiness};
use crate::cli::{LeaderArgs, RunArgs};
use crate::context::{ClusterTriggers, Context, Gate, PlacementTriggers};
use crate::controllers::placement::{self, triggers as placement_triggers};
use crate::controllers::{cluster, fleet, triggers};
use crate::error::{Error, Result};
use crate::hub;
use crate::leader::{LeaderElector, LeaseSettings};
use crate::members::Members;
use crate::metrics::Metrics;
use crate::settings::FIELD_MANAGER;
use crate::settings::Settings;
use crate::write::WriteLog;
use futures::channel::mpsc;
use karmada_manager_api::{ClusterInsight, FleetInsight, WorkloadPlacement};
use karmada_manager_core::{BindingKind, BindingRef};
use karmada_types::well_known::{CLUSTER_SECRET_NAMESPACE, ClaimingPolicy};
use karmada_types::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterResourceBinding,
    OverridePolicy, PropagationPolicy, ResourceBinding,
};
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DeserializeGuard, DynamicObject, PartialObjectMeta};
use kube::runtime::events::Recorder;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Resource, ResourceExt};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Notify;
use tracing::info;

pub async fn run(args: RunArgs) -> Result<()> {
    // Installed before anything else, so that a SIGTERM at any point is a clean shutdown.
    let shutdown = Shutdown::install()?;
    let address = args.admin.admin_address;
    let admin = admin::bind(address)
        .await
        .map_err(|source| Error::AdminBind { address, source })?;
    let hub_config = tokio::select! {
        connected = connect(&args) => connected?,
        () = shutdown.wait() => return Ok(()),
    };
    let client = kube::Client::try_from(hub_config.clone())?;
    let settings = Settings::from(&args.tuning);
    let (trigger_tx, trigger_rx) = mpsc::unbounded();
    let (workloads_tx, workloads_rx) = mpsc::unbounded();
    let (rb_tx, rb_rx) = mpsc::unbounded();
    let (crb_tx, crb_rx) = mpsc::unbounded();
    let gate = Gate::default();
    let cluster_triggers = ClusterTriggers {
        sender: trigger_tx,
        gate: gate.clone(),
    };
    let (clusters, clusters_writer) = reflector::store();
    let (secrets, secrets_writer) = reflector::store();
    let (insights, insights_writer) = reflector::store();
    let (bindings, bindings_writer) = reflector::store();
    let (cluster_bindings, cluster_bindings_writer) = reflector::store();
    let (placements, placements_writer) = reflector::store();
    let (cluster_placements, cluster_placements_writer) = reflector::store();
    let (policies, policies_writer) = reflector::store();
    let (cluster_policies, cluster_policies_writer) = reflector::store();
    let (override_policies, override_policies_writer) = reflector::store();
    let (cluster_override_policies, cluster_override_policies_writer) = reflector::store();
    let ctx = Arc::new(Context {
        hub: client.clone(),
        hub_config,
        members: Members::new(
            cluster_triggers.clone(),
            workloads_tx,
            settings.write_interval,
        ),
        placement_writes: WriteLog::new(settings.write_interval),
        insight_writes: WriteLog::new(settings.write_interval),
        settings,
        secrets: secrets.clone(),
        insights: insights.clone(),
        clusters,
        bindings: bindings.clone(),
        cluster_bindings: cluster_bindings.clone(),
        placements: placements.clone(),
        cluster_placements: cluster_placements.clone(),
        binding_index: Mutex::default(),
        works: Mutex::default(),
        cluster_fingerprints: Mutex::default(),
        placement_triggers: PlacementTriggers {
            bindings: rb_tx,
            cluster_bindings: crb_tx,
            gate: gate.clone(),
        },
        cluster_triggers,
        policies: policies.clone(),
        cluster_policies: cluster_policies.clone(),
        override_policies: override_policies.clone(),
        cluster_override_policies: cluster_override_policies.clone(),
        metrics: Metrics::default(),
        recorder: Recorder::new(client.clone(), FIELD_MANAGER.into()),
        readiness: Readiness::default(),
        fleet_changed: Notify::new(),
    });
    tokio::spawn(admin::serve(admin, ctx.clone()));

    spawn(&ctx, move |c| async move {
        triggers::clusters(Api::all(c.hub.clone()), clusters_writer, &c).await
    });
    spawn(&ctx, move |c| async move {
        let api = Api::namespaced(c.hub.clone(), CLUSTER_SECRET_NAMESPACE);
        triggers::secrets(api, secrets_writer, &c).await
    });
    spawn(&ctx, move |c| async move {
        triggers::insights(Api::all(c.hub.clone()), insights_writer, &c).await
    });
    spawn(&ctx, move |c| async move {
        let api = Api::all(c.hub.clone());
        triggers::bindings::<ResourceBinding>(api, bindings_writer, &c).await
    });
    spawn(&ctx, move |c| async move {
        let api = Api::all(c.hub.clone());
        triggers::bindings::<ClusterResourceBinding>(api, cluster_bindings_writer, &c).await
    });
    spawn(&ctx, move |c| async move {
        placement_triggers::placements::<ResourceBinding>(&c, placements_writer).await
    });
    spawn(&ctx, move |c| async move {
        placement_triggers::placements::<ClusterResourceBinding>(&c, cluster_placements_writer)
            .await
    });
    spawn(&ctx, |c| async move { placement_triggers::works(&c).await });
    spawn(&ctx, move |c| async move {
        placement_triggers::member_changes(&c, workloads_rx).await
    });
    spawn_policy_cache::<DeserializeGuard<PropagationPolicy>>(&ctx, policies_writer, |policy| {
        ClaimingPolicy::Propagation {
            namespace: policy.namespace().unwrap_or_default(),
            name: policy.name_any(),
        }
    });
    spawn_policy_cache::<DeserializeGuard<ClusterPropagationPolicy>>(
        &ctx,
        cluster_policies_writer,
        |policy| ClaimingPolicy::ClusterPropagation {
            name: policy.name_any(),
        },
    );
    // Override policies are only counted; their effect on placements comes through the Works.
    spawn_policy_cache::<PartialObjectMeta<OverridePolicy>>(&ctx, override_policies_writer, |_| {
        ClaimingPolicy::None
    });
    spawn_policy_cache::<PartialObjectMeta<ClusterOverridePolicy>>(
        &ctx,
        cluster_override_policies_writer,
        |_| ClaimingPolicy::None,
    );

    // Reconcilers read only caches: wait until they hold the hub's state, or a Secret would
    // look missing for a moment.
    tokio::select! {
        ready = caches_ready(&ctx) => ready.map_err(|_| Error::CachesNotReady)?,
        () = shutdown.wait() => return Ok(()),
    }
    info!("hub caches synced");
    ctx.readiness.set_ready();
    // Members are watched from now on, by standbys too: a new leader starts with warm indexes.
    cluster::keep_members(&ctx);
    let elector = args
        .leader
        .leader_elect
        .then(|| LeaderElector::new(client.clone(), lease_settings(&args.leader)));
    if let Some(elector) = &elector {
        tokio::select! {
            () = elector.acquire() => {}
            () = shutdown.wait() => return Ok(()),
        }
    }
    ctx.metrics.set_leader(true);
    info!("reconciling");
    gate.open();
    enqueue_everything(&ctx);
    tokio::spawn(fleet::run(ctx.clone()));
    ctx.fleet_changed.notify_one();
    let until = |s: &Shutdown| {
        let s = s.clone();
        async move { s.wait().await }
    };
    let controllers = async {
        tokio::join!(
            cluster::run(ctx.clone(), trigger_rx, until(&shutdown)),
            placement::run::<ResourceBinding>(ctx.clone(), rb_rx, until(&shutdown)),
            placement::run::<ClusterResourceBinding>(ctx.clone(), crb_rx, until(&shutdown)),
        )
    };
    let Some(elector) = elector else {
        controllers.await;
        return Ok(());
    };
    tokio::select! {
        _ = controllers => {}
        () = elector.keep() => return Err(Error::LeadershipLost),
    }
    if let Err(err) = elector.release().await {
        tracing::warn!(error = %err, "could not release the leader lease; it expires by itself");
    }
    Ok(())
}

/// Triggers from before the gate opened were dropped: every Cluster and binding, and every
/// object we own (an orphan among them is deleted when its source is found missing), is
/// reconciled once.
fn enqueue_everything(ctx: &Context) {
    let bindings: Vec<BindingRef> = ctx.with_bindings(|index| index.all().cloned().collect());
    ctx.placement_triggers.send(&bindings);
    let owned = |kind, namespace: Option<String>, name| BindingRef {
        kind,
        namespace: namespace.unwrap_or_default(),
        name,
    };
    let placements: Vec<BindingRef> = ctx
        .placements
        .state()
        .iter()
        .map(|p| owned(BindingKind::ResourceBinding, p.namespace(), p.name_any()))
        .chain(
            ctx.cluster_placements
                .state()
                .iter()
                .map(|p| owned(BindingKind::ClusterResourceBinding, None, p.name_any())),
        )
        .collect();
    ctx.placement_triggers.send(&placements);
    let mut clusters: BTreeSet<String> =
        ctx.clusters.state().iter().map(|c| c.name_any()).collect();
    clusters.extend(ctx.insights.state().iter().map(|i| i.name_any()));
    for name in clusters {
        ctx.cluster_triggers.send(&name);
    }
}

/// The Lease and this replica's identity: the pod name (unique per replica) plus the process
/// id, so that two processes on one host are two candidates.
fn lease_settings(args: &LeaderArgs) -> LeaseSettings {
    let host = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "karmada-manager".into());
    LeaseSettings {
        namespace: args
            .leader_election_namespace
            .clone()
            .or_else(|| std::env::var("POD_NAMESPACE").ok())
            .unwrap_or_else(|| "karmada-system".into()),
        name: args.leader_election_lease_name.clone(),
        identity: format!("{host}_{}", std::process::id()),
        lease_duration: args.leader_election_lease_duration.into(),
        renew_deadline: args.leader_election_renew_deadline.into(),
        retry_period: args.leader_election_retry_period.into(),
    }
}

/// Runs `task` with the context on the runtime.
fn spawn<F, Fut>(ctx: &Arc<Context>, task: F)
where
    F: FnOnce(Arc<Context>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(task(ctx.clone()));
}

async fn caches_ready(ctx: &Context) -> Result<(), reflector::store::WriterDropped> {
    async fn ready<K>(store: &Store<K>) -> Result<(), reflector::store::WriterDropped>
    where
        K: Resource + Clone + 'static,
        K::DynamicType: Eq + std::hash::Hash + Clone,
    {
        store.wait_until_ready().await
    }
    ready(&ctx.clusters).await?;
    ready(&ctx.secrets).await?;
    ready(&ctx.insights).await?;
    ready(&ctx.bindings).await?;
    ready(&ctx.cluster_bindings).await?;
    ready(&ctx.placements).await?;
    ready(&ctx.cluster_placements).await?;
    ready(&ctx.policies).await?;
    ready(&ctx.cluster_policies).await?;
    ready(&ctx.override_policies).await?;
    ready(&ctx.cluster_override_policies).await
}

/// Caches a kind of policy across the hub; every change wakes the FleetInsight and re-places
/// the bindings the policy claims (`claim` names it as bindings do). For override policies `K`
/// is a `PartialObjectMeta`: only their names are counted, and kube then asks the hub for
/// metadata only.
fn spawn_policy_cache<K>(
    ctx: &Arc<Context>,
    writer: reflector::store::Writer<K>,
    claim: fn(&K) -> ClaimingPolicy,
) where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    spawn(ctx, move |ctx| async move {
        let api = Api::<K>::all(ctx.hub.clone());
        let stream =
            reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
                .default_backoff()
                .touched_objects();
        triggers::policies(stream, &ctx.fleet_changed, |policy| {
            let claim = claim(policy);
            if claim != ClaimingPolicy::None {
                placement_triggers::policy_changed(&ctx, &claim);
            }
        })
        .await
    });
}

/// Connects to the hub and checks that it serves what the operator reads and writes.
async fn connect(args: &RunArgs) -> Result<kube::Config> {
    let hub_config = hub::config(&args.hub).await?;
    let client = kube::Client::try_from(hub_config.clone())?;
    let version = client.apiserver_version().await?;
    info!(version = %version.git_version, "connected to the hub");
    ensure_served::<ClusterInsight>(&client).await?;
    ensure_served::<WorkloadPlacement>(&client).await?;
    ensure_served::<FleetInsight>(&client).await?;
    ensure_served::<Cluster>(&client).await?;
    ensure_served::<ResourceBinding>(&client).await?;
    let clusters = Api::<Cluster>::all(client)
        .list_metadata(&ListParams::default())
        .await?;
    info!(
        clusters = clusters.items.len(),
        "the hub serves Karmada's and karmada-manager's APIs"
    );
    Ok(hub_config)
}

/// Fails with [`Error::CrdMissing`] when the hub does not serve `K`'s resource.
async fn ensure_served<K: Resource<DynamicType = ()>>(client: &kube::Client) -> Result<()> {
    let resource = ApiResource::erase::<K>(&());
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    match api.list_metadata(&ListParams::default().limit(1)).await {
        Err(kube::Error::Api(status)) if status.code == 404 => Err(Error::CrdMissing {
            kind: resource.kind,
            group: resource.group,
        }),
        Err(err) => Err(err.into()),
        Ok(_) => Ok(()),
    }
}

/// SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C), observed from anywhere.
#[derive(Clone)]
struct Shutdown(tokio::sync::watch::Receiver<bool>);

impl Shutdown {
    fn install() -> Result<Self> {
        let mut term = signal(SignalKind::terminate()).map_err(Error::Signal)?;
        let mut int = signal(SignalKind::interrupt()).map_err(Error::Signal)?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            info!("shutdown signal received; stopping");
            let _ = tx.send(true);
        });
        Ok(Self(rx))
    }

    async fn wait(&self) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|stopping| *stopping).await;
    }
}
