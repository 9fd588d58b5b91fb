//! Every member's connection, kept in line with the hub: the Cluster and Secret watches call
//! [`Members::keep`] whenever a Cluster or its Secret changes (on every replica, so a standby's
//! indexes are warm), which plans the connection and starts, restarts or stops the member's
//! watch task. The Cluster controller and the placements only read the outcome
//! ([`Members::connection`]). A restart (new endpoint or credentials) keeps the member's index,
//! so the last known data stays visible until the new connection has relisted.

use super::ConnectionError;
use super::client::member_client;
use super::first_lists::FirstLists;
use super::health::Health;
use super::plan::Planner;
use super::shared::MemberShared;
use super::task::watch_member;
use super::trigger::{Trigger, WorkloadChanges};
use crate::triggers::ClusterTriggers;
use crate::write::DriftBudget;
use futures::channel::mpsc::UnboundedSender;
use karmada_manager_api::InsightSource;
use karmada_types::Cluster;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// How a member is reached, as the Cluster controller and the placements see it.
#[derive(Clone)]
pub enum Connection {
    /// Its watch task runs.
    Watched {
        shared: Arc<MemberShared>,
        /// The URL it is reached at (the cluster proxy's for `ClusterProxy`).
        endpoint: String,
        source: InsightSource,
    },
    /// No connection can be made, and why.
    Unwatched(ConnectionError),
}

struct Running {
    fingerprint: u64,
    shared: Arc<MemberShared>,
    task: JoinHandle<()>,
    endpoint: String,
    source: InsightSource,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

enum Entry {
    Watched(Running),
    Unwatched(ConnectionError),
}

/// What member tasks report to, and how often.
pub struct TaskSettings {
    /// Where to ask for the Cluster to be reconciled.
    pub cluster_triggers: ClusterTriggers,
    /// Where to report the workloads whose pods changed.
    pub workloads: UnboundedSender<WorkloadChanges>,
    /// At most one trigger per interval: bounds status writes under churn.
    pub trigger_interval: Duration,
    /// How long a member may be unreachable before it counts as not observed.
    pub unreachable_grace: Duration,
    /// Turns for a member's first list.
    pub first_lists: FirstLists,
    /// The fleet's budget for insight writes that only drift.
    pub drifts: Arc<DriftBudget>,
}

pub struct Members {
    entries: Mutex<HashMap<String, Entry>>,
    planner: Planner,
    tasks: TaskSettings,
}

impl Members {
    pub fn new(planner: Planner, tasks: TaskSettings) -> Self {
        Self {
            entries: Mutex::default(),
            planner,
            tasks,
        }
    }

    /// Brings member `name` in line with its Cluster (`None`: deleted, or not decodable): plans
    /// the connection, and starts, restarts or stops its watch task. Returns `true` when what
    /// the member's readers see changed kind: watched or not, or why not.
    pub fn keep(&self, name: &str, cluster: Option<&Cluster>) -> bool {
        let before = self.outcome(name);
        match cluster {
            None => self.stop(name),
            Some(cluster) => match self.planner.plan(cluster, name) {
                Ok(plan) => {
                    let started = self.ensure(name, plan.config, &plan.proxy_headers, plan.source);
                    if let Err(problem) = started {
                        self.set_unwatched(name, problem);
                    }
                }
                Err(problem) => self.set_unwatched(name, problem),
            },
        }
        self.outcome(name) != before
    }

    /// How member `name` is reached; `None` when its Cluster is gone or not decodable.
    pub fn connection(&self, name: &str) -> Option<Connection> {
        self.lock().get(name).map(|entry| match entry {
            Entry::Watched(r) => Connection::Watched {
                shared: r.shared.clone(),
                endpoint: r.endpoint.clone(),
                source: r.source,
            },
            Entry::Unwatched(problem) => Connection::Unwatched(problem.clone()),
        })
    }

    /// Every watched member, for the metrics.
    pub fn all(&self) -> Vec<(String, Arc<MemberShared>)> {
        self.lock()
            .iter()
            .filter_map(|(name, entry)| match entry {
                Entry::Watched(r) => Some((name.clone(), r.shared.clone())),
                Entry::Unwatched(_) => None,
            })
            .collect()
    }

    /// Makes sure member `name` is watched with `config`; restarts its task when the connection
    /// settings changed.
    fn ensure(
        &self,
        name: &str,
        config: kube::Config,
        proxy_headers: &BTreeMap<String, String>,
        source: InsightSource,
    ) -> Result<(), ConnectionError> {
        let fingerprint = fingerprint(&config, proxy_headers);
        let mut entries = self.lock();
        if let Some(Entry::Watched(current)) = entries.get(name)
            && current.fingerprint == fingerprint
        {
            return Ok(());
        }
        let endpoint = config.cluster_url.to_string();
        let client =
            member_client(config, proxy_headers).map_err(|e| ConnectionError::ClientSetup {
                endpoint: endpoint.clone(),
                problem: e.to_string(),
            })?;
        let shared = match entries.remove(name) {
            Some(Entry::Watched(previous)) => {
                tracing::info!(cluster = name, endpoint = %endpoint, "member connection settings changed; reconnecting");
                previous.shared.clone()
            }
            _ => {
                tracing::info!(cluster = name, endpoint = %endpoint, "watching member");
                Arc::default()
            }
        };
        if let Ok(mut health) = shared.health.lock() {
            *health = Health {
                through_proxy: source == InsightSource::ClusterProxy,
                ..Health::default()
            };
        }
        let trigger = Trigger {
            sender: self.tasks.cluster_triggers.clone(),
            workloads: self.tasks.workloads.clone(),
            cluster: name.to_string(),
            interval: self.tasks.trigger_interval,
            unreachable_grace: self.tasks.unreachable_grace,
            first_lists: self.tasks.first_lists.clone(),
            drifts: self.tasks.drifts.clone(),
        };
        // Said before the task runs, so that the status written now does not claim a list.
        let waits = self.tasks.first_lists.limited() && !shared.listed();
        shared.waiting_for_turn.store(waits, Ordering::Relaxed);
        let task = tokio::spawn(watch_member(
            client,
            endpoint.clone(),
            shared.clone(),
            trigger,
        ));
        entries.insert(
            name.to_string(),
            Entry::Watched(Running {
                fingerprint,
                shared,
                task,
                endpoint,
                source,
            }),
        );
        Ok(())
    }

    fn set_unwatched(&self, name: &str, problem: ConnectionError) {
        let previous = self
            .lock()
            .insert(name.to_owned(), Entry::Unwatched(problem));
        if let Some(Entry::Watched(running)) = previous {
            drop(running);
            stopped(name);
        }
    }

    /// Stops watching member `name` and forgets it.
    fn stop(&self, name: &str) {
        let removed = self.lock().remove(name);
        if let Some(Entry::Watched(running)) = removed {
            drop(running);
            stopped(name);
        }
    }

    /// Watched or not, and the reason when not: what [`keep`](Self::keep) compares.
    fn outcome(&self, name: &str) -> Option<Result<(), &'static str>> {
        self.lock().get(name).map(|entry| match entry {
            Entry::Watched(_) => Ok(()),
            Entry::Unwatched(problem) => Err(problem.reason()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        crate::locks::lock(&self.entries)
    }
}

/// A member's task was stopped: strings only it used (node names, namespaces, request lists)
/// are freed here, or at a later purge once the aborted task has let go of its index.
fn stopped(name: &str) {
    karmada_manager_core::intern::purge_unused();
    tracing::info!(cluster = name, "stopped watching member");
}

/// Identifies connection settings without keeping them: a hash of URL, credentials, trust and
/// proxy. Only compared in memory, never logged.
fn fingerprint(config: &kube::Config, proxy_headers: &BTreeMap<String, String>) -> u64 {
    use secrecy::ExposeSecret;
    let mut hasher = DefaultHasher::new();
    config.cluster_url.to_string().hash(&mut hasher);
    config
        .auth_info
        .token
        .as_ref()
        .map(|t| t.expose_secret().to_string())
        .hash(&mut hasher);
    config.root_cert.hash(&mut hasher);
    config.accept_invalid_certs.hash(&mut hasher);
    config
        .proxy_url
        .as_ref()
        .map(ToString::to_string)
        .hash(&mut hasher);
    proxy_headers.hash(&mut hasher);
    hasher.finish()
}
