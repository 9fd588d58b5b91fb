//! The dashboard's live copy of karmada-manager's resources: one watch per kind (ClusterInsights,
//! WorkloadPlacements of every namespace the user may list, ClusterWorkloadPlacements, the
//! FleetInsight), shared by every page and browser tab, and a counter per kind that moves on
//! each change, which the pages' event streams wait on. No request is made per page view.

use crate::placement::Placement;
use futures::StreamExt;
use karmada_manager_api::{
    ClusterInsight, ClusterWorkloadPlacement, FleetInsight, WorkloadPlacement,
};
use kube::Resource;
use kube::api::Api;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// The resource kinds a page can depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Insights,
    Placements,
    Fleet,
}

/// How many changes each kind has seen, and the last watch error of each, if it is failing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub insights: u64,
    pub placements: u64,
    pub fleet: u64,
    pub problems: Vec<String>,
}

/// The stores, kept current by background watches.
#[derive(Clone)]
pub struct Live {
    insights: Store<ClusterInsight>,
    placements: Store<WorkloadPlacement>,
    cluster_placements: Store<ClusterWorkloadPlacement>,
    fleet: Store<FleetInsight>,
    changes: watch::Receiver<Changes>,
}

impl Live {
    /// Starts the watches with `client` (the user's own credentials); the WorkloadPlacements of
    /// `namespace` only, when given.
    pub fn start(client: &kube::Client, namespace: Option<&str>) -> Live {
        let (sender, changes) = watch::channel(Changes::default());
        let sender = Arc::new(Mutex::new(sender));
        let placements = match namespace {
            Some(ns) => Api::namespaced(client.clone(), ns),
            None => Api::all(client.clone()),
        };
        Live {
            insights: follow(Api::all(client.clone()), Kind::Insights, &sender),
            placements: follow(placements, Kind::Placements, &sender),
            cluster_placements: follow(Api::all(client.clone()), Kind::Placements, &sender),
            fleet: follow(Api::all(client.clone()), Kind::Fleet, &sender),
            changes,
        }
    }

    /// A receiver of the change counters, for one event stream.
    pub fn changes(&self) -> watch::Receiver<Changes> {
        self.changes.clone()
    }

    /// Every ClusterInsight, by name; shared with the store, not copied.
    pub fn insights(&self) -> Vec<Arc<ClusterInsight>> {
        let mut insights = self.insights.state();
        insights.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        insights
    }

    /// The ClusterInsight named `name`.
    pub fn insight(&self, name: &str) -> Option<Arc<ClusterInsight>> {
        self.insights.get(&ObjectRef::new(name))
    }

    /// Every placement that has a status: namespaced ones, then cluster-scoped ones.
    pub fn placements(&self) -> Vec<Placement> {
        let namespaced = self.placements.state().into_iter().filter_map(|p| {
            let p = (*p).clone();
            Placement::of("WorkloadPlacement", p.metadata, p.status)
        });
        let cluster_wide = self.cluster_placements.state().into_iter().filter_map(|p| {
            let p = (*p).clone();
            Placement::of("ClusterWorkloadPlacement", p.metadata, p.status)
        });
        namespaced.chain(cluster_wide).collect()
    }

    /// The FleetInsight, once karmada-manager has written it.
    pub fn fleet(&self) -> Option<FleetInsight> {
        self.fleet.state().first().map(|f| (**f).clone())
    }
}

/// A store of `api`'s objects, kept by a watch that bumps `kind`'s counter on every change and
/// records its errors (it retries with backoff).
fn follow<K>(api: Api<K>, kind: Kind, sender: &Arc<Mutex<watch::Sender<Changes>>>) -> Store<K>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync,
    K: 'static,
{
    let (reader, writer) = reflector::store();
    let sender = Arc::clone(sender);
    let plural = K::plural(&()).to_string();
    let stream =
        reflector::reflector(writer, watcher(api, watcher::Config::default())).default_backoff();
    tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            let problem = event
                .as_ref()
                .err()
                .map(|e| format!("watching {plural}: {e}"));
            let moved = matches!(
                event,
                Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_) | watcher::Event::InitDone)
            );
            let sender = sender.lock().unwrap_or_else(|e| e.into_inner());
            sender.send_if_modified(|changes| {
                let before = changes.problems.len();
                changes
                    .problems
                    .retain(|p| !p.starts_with(&format!("watching {plural}:")));
                let mut modified = before != changes.problems.len();
                if let Some(problem) = problem {
                    changes.problems.push(problem);
                    modified = true;
                }
                if moved {
                    let counter = match kind {
                        Kind::Insights => &mut changes.insights,
                        Kind::Placements => &mut changes.placements,
                        Kind::Fleet => &mut changes.fleet,
                    };
                    *counter += 1;
                    modified = true;
                }
                modified
            });
        }
    });
    reader
}
