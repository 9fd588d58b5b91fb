//! Follows the shard group's Leases and keeps [`Shards`](crate::shards::Shards) in line with the
//! replicas alive: every retry period the Leases as last watched are judged
//! ([`Peers`]); when the live set changes, this replica starts watching the members it
//! gained, stops those it lost, and reconciles everything once (what it owns is written, the
//! rest skipped), so each status has a writer again within a tick. Each change is counted
//! (`karmada_manager_shard_rebalances_total`), for the alert on a group that keeps changing.

use crate::context::Context;
use crate::metrics::Metrics;
use crate::shards::{Shards, Update};
use crate::sources;
use futures::StreamExt;
use k8s_openapi::api::coordination::v1::Lease;
use karmada_manager_core::shard::{Assignment, LeaseRecord, Peers};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How this replica follows its group.
pub struct Following {
    /// The Leases' namespace.
    pub api: Api<Lease>,
    /// The group's label selector.
    pub selector: String,
    /// This replica's identity (its Lease's holder).
    pub identity: String,
    /// How often the Leases are judged.
    pub tick: Duration,
}

/// Runs until the process ends.
pub async fn follow(ctx: Arc<Context>, following: Following) {
    let (store, writer) = reflector::store::<Lease>();
    let config = watcher::Config::default().labels(&following.selector);
    let events = reflector::reflector(writer, watcher::watcher(following.api.clone(), config))
        .default_backoff();
    tokio::spawn(events.for_each(|event| async move {
        if let Err(err) = event {
            tracing::warn!(error = %err, "watching the shard group's leases failed; retrying");
        }
    }));
    if store.wait_until_ready().await.is_err() {
        return;
    }
    // Three renews of a live replica (every retry period) tell it from a dead one.
    let mut peers = Peers::with_first_look(following.tick.saturating_mul(3));
    let mut ticks = tokio::time::interval(following.tick);
    loop {
        ticks.tick().await;
        let now = Instant::now();
        let live = judge(&store, &mut peers, now);
        for name in peers.abandoned(now, ABANDONED_AFTER) {
            remove_abandoned(&following.api, &name).await;
        }
        if take(&ctx.shards, &ctx.metrics, &following.identity, live) {
            rebalance(&ctx);
        }
    }
}

/// Takes the replicas judged alive this tick as the live set, counting a change of the group;
/// returns whether this replica must rebalance (the set changed, or it is the first).
fn take(shards: &Shards, metrics: &Metrics, identity: &str, live: Vec<String>) -> bool {
    // Until its own Lease is seen, this replica does not know the group it is part of.
    if !live.iter().any(|replica| replica == identity) {
        return false;
    }
    match shards.set(Assignment::new(live)) {
        Update::Unchanged => false,
        // Learning the group is not a change of it: counted, every restart would look like
        // churn.
        Update::Joined => true,
        Update::Changed => {
            metrics.shard_rebalanced();
            true
        }
    }
}

/// A Lease unchanged for this many lease durations belongs to a replica that is gone for
/// good (a process killed outside Kubernetes leaves its Lease behind): it is deleted.
const ABANDONED_AFTER: u32 = 10;

async fn remove_abandoned(api: &Api<Lease>, name: &str) {
    let params = DeleteParams::default();
    match tokio::time::timeout(Duration::from_secs(10), api.delete(name, &params)).await {
        Ok(Ok(_)) => tracing::info!(lease = name, "deleted the lease of a replica gone for good"),
        Ok(Err(kube::Error::Api(status))) if status.code == 404 => {}
        Ok(Err(err)) => {
            tracing::warn!(lease = name, error = %err, "could not delete an abandoned shard lease")
        }
        Err(_) => tracing::warn!(
            lease = name,
            "deleting an abandoned shard lease got no answer in time"
        ),
    }
}

/// The identities alive at `now`, from the Leases in `store`.
fn judge(store: &Store<Lease>, peers: &mut Peers, now: Instant) -> Vec<String> {
    let leases = store.state();
    let names: BTreeSet<String> = leases.iter().map(|l| l.name_any()).collect();
    peers.retain(&names.iter().map(String::as_str).collect());
    for lease in &leases {
        let spec = lease.spec.clone().unwrap_or_default();
        let record = LeaseRecord {
            holder: spec.holder_identity.unwrap_or_default(),
            renewed: spec.renew_time.map(|t| t.0.to_string()).unwrap_or_default(),
            duration: Duration::from_secs(
                spec.lease_duration_seconds
                    .and_then(|s| u64::try_from(s).ok())
                    .unwrap_or(0),
            ),
        };
        peers.observe(&lease.name_any(), record, now);
    }
    peers.live(now)
}

/// The live set changed: watch exactly the members now owned, and reconcile everything once.
fn rebalance(ctx: &Context) {
    let (members, _) = sources::member_share(ctx);
    tracing::info!(
        replicas = ctx.shards.replicas(),
        members,
        fleet = ctx.shards.owns_fleet(),
        "shard membership changed"
    );
    sources::keep_members(ctx);
    sources::share_drift_budget(ctx);
    sources::reconcile_everything(ctx);
    ctx.triggers.fleet.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counter as `/metrics` serves it.
    fn rebalances(metrics: &Metrics) -> String {
        let text = metrics.render();
        let line = text
            .lines()
            .find(|l| l.starts_with("karmada_manager_shard_rebalances_total "));
        line.unwrap_or_default()
            .trim_start_matches("karmada_manager_shard_rebalances_total ")
            .to_owned()
    }

    #[test]
    fn only_changes_of_the_live_set_are_counted() {
        let (shards, metrics) = (Shards::sharded("a_1"), Metrics::default());
        let look = |replicas: &[&str]| {
            let live = replicas.iter().map(|r| (*r).to_owned()).collect();
            take(&shards, &metrics, "a_1", live)
        };
        assert!(!look(&["b_1"]), "its own Lease not seen yet: nothing known");
        assert!(look(&["a_1", "b_1"]), "joined: it rebalances");
        assert_eq!(
            rebalances(&metrics),
            "0",
            "joining is no change of the group"
        );
        assert!(!look(&["b_1", "a_1"]), "the same set in another order");
        assert!(!look(&["a_1", "b_1", "a_1"]), "the same set, a Lease twice");
        assert_eq!(rebalances(&metrics), "0");
        assert!(look(&["a_1", "b_1", "c_1"]), "c joined");
        assert!(look(&["a_1", "c_1"]), "b left");
        assert!(!look(&["a_1", "c_1"]), "settled");
        assert!(
            !look(&["c_1"]),
            "its own Lease missed for a tick: kept as it was"
        );
        assert!(
            !look(&["a_1", "c_1"]),
            "back, and nothing changed meanwhile"
        );
        assert_eq!(rebalances(&metrics), "2");
    }
}
