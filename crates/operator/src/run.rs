//! `karmada-manager run`: connect to the hub, check that it serves what the operator needs, fill
//! the caches, and run the controllers until SIGTERM or Ctrl-C.

use crate::admin;
use crate::cli::{LeaderArgs, RunArgs};
use crate::context::{Caches, Context};
use crate::controllers::{cluster, fleet, placement};
use crate::error::{Error, Result};
use crate::hub_client;
use crate::hub_watches;
use crate::leader::{LeaderElector, LeaseSettings};
use crate::settings::Settings;
use crate::shard_group::lease::ShardLease;
use crate::shard_group::peers::{self, Following};
use crate::shards::Shards;
use crate::sources;
use crate::triggers::Queues;
use karmada_manager_api::{ClusterInsight, FleetInsight, WorkloadPlacement};
use karmada_types::{Cluster, ClusterResourceBinding, ResourceBinding};
use kube::Resource;
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector::{self, Store};
use std::sync::Arc;
use std::time::Instant;
use tokio::signal::unix::{SignalKind, signal};
use tracing::info;

pub async fn run(args: RunArgs) -> Result<()> {
    // Installed before anything else, so that a SIGTERM at any point is a clean shutdown.
    let shutdown = Shutdown::install()?;
    let identity = replica_identity();
    let leader = &args.leader;
    let lease = (leader.leader_elect || leader.sharding).then(|| lease_settings(leader, &identity));
    if let Some(lease) = &lease {
        lease.validate()?;
    }
    let address = args.admin.admin_address;
    let admin = admin::bind(address)
        .await
        .map_err(|source| Error::AdminBind { address, source })?;
    let mut hub_config = tokio::select! {
        connected = connect(&args) => connected?,
        () = shutdown.wait() => return Ok(()),
    };
    // The hub's audit log then says which replica made each request.
    let agent = format!("karmada-manager/{} ({identity})", env!("CARGO_PKG_VERSION"));
    if let Ok(agent) = http::HeaderValue::from_str(&agent) {
        hub_config.headers.push((http::header::USER_AGENT, agent));
    }
    let client = kube::Client::try_from(hub_config.clone())?;
    let settings = Settings::from(&args.tuning);
    let shards = if leader.sharding {
        Shards::sharded(&identity)
    } else {
        Shards::single()
    };
    let (ctx, writers, queues, workload_changes) =
        Context::new(settings, client.clone(), hub_config, shards);
    let ctx = Arc::new(ctx);
    tokio::spawn(admin::serve(admin, ctx.clone()));
    hub_watches::start(&ctx, writers, workload_changes);

    // Reconcilers read only caches: wait until they hold the hub's state, or a Secret would
    // look missing for a moment.
    tokio::select! {
        ready = caches_ready(&ctx.caches) => ready.map_err(|_| Error::CachesNotReady)?,
        () = shutdown.wait() => return Ok(()),
    }
    // Ready before it says so: whoever reads the line finds `/readyz` ok.
    ctx.readiness.set_ready();
    info!("hub caches synced");
    // Members are watched from now on, by standbys too: a new leader starts with warm indexes.
    // With sharding, only those this replica owns, once it knows the group.
    sources::keep_members(&ctx);
    let hold = match lease {
        None => Hold::Nothing,
        Some(lease) if leader.sharding => {
            let lease = ShardLease::new(client, lease);
            let joined = tokio::select! {
                joined = lease.join() => joined,
                () = shutdown.wait() => return Ok(()),
            };
            let following = Following {
                api: Api::namespaced(ctx.hub.client.clone(), &lease_namespace(leader)),
                selector: lease.selector(),
                identity: identity.clone(),
                tick: leader.leader_election_retry_period.into(),
            };
            tokio::spawn(peers::follow(ctx.clone(), following));
            Hold::Shard(lease, joined)
        }
        Some(lease) => {
            let elector = LeaderElector::new(client, lease)
                .with_transitions_gauge(ctx.metrics.lease_transitions());
            let acquired = tokio::select! {
                acquired = elector.acquire() => acquired,
                () = shutdown.wait() => return Ok(()),
            };
            Hold::Leader(elector, acquired)
        }
    };
    lead(ctx, queues, hold, shutdown).await
}

/// What this replica must keep holding to write, and since when it last renewed it.
enum Hold {
    /// Nothing: the only replica.
    Nothing,
    /// The leader Lease (`--leader-elect`).
    Leader(LeaderElector, Instant),
    /// Its own Lease in the shard group (`--sharding`).
    Shard(ShardLease, Instant),
}

/// Runs the controllers while this replica holds what it must (until shutdown when nothing).
async fn lead(ctx: Arc<Context>, queues: Queues, hold: Hold, shutdown: Shutdown) -> Result<()> {
    ctx.metrics.set_leader(true);
    info!("reconciling");
    ctx.triggers.gate.open();
    sources::reconcile_everything(&ctx);
    tokio::spawn(fleet::run(ctx.clone()));
    tokio::spawn(placement::run_looks(ctx.clone()));
    ctx.triggers.fleet.notify_one();
    let until = |s: &Shutdown| {
        let s = s.clone();
        async move { s.wait().await }
    };
    let controllers = async {
        tokio::join!(
            cluster::run(ctx.clone(), queues.clusters, until(&shutdown)),
            placement::run::<ResourceBinding>(ctx.clone(), queues.bindings, until(&shutdown)),
            placement::run::<ClusterResourceBinding>(
                ctx.clone(),
                queues.cluster_bindings,
                until(&shutdown)
            ),
        )
    };
    // Losing the Lease drops the controllers (and their writes in flight) here, and the
    // process exits: it never writes once another replica may have taken over.
    match hold {
        Hold::Nothing => {
            controllers.await;
        }
        Hold::Leader(elector, acquired) => {
            tokio::select! {
                _ = controllers => {}
                () = elector.keep(acquired) => return Err(Error::LeadershipLost),
            }
            if let Err(err) = elector.release().await {
                tracing::warn!(error = %err, "could not release the leader lease; it expires by itself");
            }
        }
        Hold::Shard(lease, joined) => {
            tokio::select! {
                _ = controllers => {}
                () = lease.keep(joined) => return Err(Error::ShardLeaseLost),
            }
            if let Err(err) = lease.leave().await {
                tracing::warn!(error = %err, "could not delete this replica's shard lease; it expires by itself");
            }
        }
    }
    Ok(())
}

/// This replica's identity: the pod name (unique per replica) plus the process id, so that
/// two processes on one host are two candidates. Its Lease holder name and User-Agent.
fn replica_identity() -> String {
    let host = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "karmada-manager".into());
    format!("{host}_{}", std::process::id())
}

/// The Lease: its name and namespace, and the timings of `--leader-election-*`.
fn lease_settings(args: &LeaderArgs, identity: &str) -> LeaseSettings {
    LeaseSettings {
        namespace: lease_namespace(args),
        name: args.leader_election_lease_name.clone(),
        identity: identity.to_owned(),
        lease_duration: args.leader_election_lease_duration.into(),
        renew_deadline: args.leader_election_renew_deadline.into(),
        retry_period: args.leader_election_retry_period.into(),
    }
}

/// `--leader-election-namespace`, else the pod's namespace, else `karmada-system`.
fn lease_namespace(args: &LeaderArgs) -> String {
    args.leader_election_namespace
        .clone()
        .or_else(|| std::env::var("POD_NAMESPACE").ok())
        .unwrap_or_else(|| "karmada-system".into())
}

async fn caches_ready(caches: &Caches) -> Result<(), reflector::store::WriterDropped> {
    async fn ready<K>(store: &Store<K>) -> Result<(), reflector::store::WriterDropped>
    where
        K: Resource + Clone + 'static,
        K::DynamicType: Eq + std::hash::Hash + Clone,
    {
        store.wait_until_ready().await
    }
    ready(&caches.clusters).await?;
    ready(&caches.secrets).await?;
    ready(&caches.insights).await?;
    ready(&caches.fleet).await?;
    ready(&caches.bindings).await?;
    ready(&caches.cluster_bindings).await?;
    ready(&caches.placements).await?;
    ready(&caches.cluster_placements).await?;
    ready(&caches.policies).await?;
    ready(&caches.cluster_policies).await?;
    ready(&caches.override_policies).await?;
    ready(&caches.cluster_override_policies).await
}

/// Connects to the hub and checks that it serves what the operator reads and writes.
async fn connect(args: &RunArgs) -> Result<kube::Config> {
    let hub_config = hub_client::config(&args.hub).await?;
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
