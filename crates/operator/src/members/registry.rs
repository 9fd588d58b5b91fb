//! The set of running member tasks, one per Cluster, started, restarted and stopped by the
//! Cluster reconciler. A restart (new endpoint or credentials) keeps the member's index, so the
//! last known data stays visible until the new connection has relisted.

use super::client::{ClientError, member_client};
use super::task::{MemberShared, Trigger, WorkloadChanges, watch_member};
use crate::context::ClusterTriggers;
use futures::channel::mpsc::UnboundedSender;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

struct Running {
    fingerprint: u64,
    shared: Arc<MemberShared>,
    task: JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub struct Members {
    running: Mutex<HashMap<String, Running>>,
    trigger: ClusterTriggers,
    workloads: UnboundedSender<WorkloadChanges>,
    trigger_interval: Duration,
}

impl Members {
    /// Member tasks will send Cluster names to `trigger` and touched workloads to `workloads`,
    /// each at most once per `trigger_interval`.
    pub fn new(
        trigger: ClusterTriggers,
        workloads: UnboundedSender<WorkloadChanges>,
        trigger_interval: Duration,
    ) -> Self {
        Self {
            running: Mutex::default(),
            trigger,
            workloads,
            trigger_interval,
        }
    }

    /// Makes sure member `name` is watched with `config`; restarts its task when the connection
    /// settings changed. Returns the member's shared state.
    pub fn ensure(
        &self,
        name: &str,
        config: kube::Config,
        proxy_headers: &BTreeMap<String, String>,
    ) -> Result<Arc<MemberShared>, ClientError> {
        let fingerprint = fingerprint(&config, proxy_headers);
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(current) = running.get(name).filter(|r| r.fingerprint == fingerprint) {
            return Ok(current.shared.clone());
        }
        let endpoint = config.cluster_url.to_string();
        let client = member_client(config, proxy_headers)?;
        let shared = match running.remove(name) {
            Some(previous) => {
                tracing::info!(cluster = name, endpoint = %endpoint, "member connection settings changed; reconnecting");
                let shared = previous.shared.clone();
                if let Ok(mut health) = shared.health.lock() {
                    *health = Default::default();
                }
                shared
            }
            None => {
                tracing::info!(cluster = name, endpoint = %endpoint, "watching member");
                Arc::default()
            }
        };
        let trigger = Trigger {
            sender: self.trigger.clone(),
            workloads: self.workloads.clone(),
            cluster: name.to_string(),
            interval: self.trigger_interval,
        };
        let task = tokio::spawn(watch_member(client, endpoint, shared.clone(), trigger));
        running.insert(
            name.to_string(),
            Running {
                fingerprint,
                shared: shared.clone(),
                task,
            },
        );
        Ok(shared)
    }

    /// The member's state while its task runs.
    pub fn get(&self, name: &str) -> Option<Arc<MemberShared>> {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .map(|r| r.shared.clone())
    }

    /// Every running member, for the metrics.
    pub fn all(&self) -> Vec<(String, Arc<MemberShared>)> {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running
            .iter()
            .map(|(name, r)| (name.clone(), r.shared.clone()))
            .collect()
    }

    /// Stops watching member `name` (Cluster deleted, or no way to connect any more).
    pub fn stop(&self, name: &str) {
        let stopped = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        if stopped.is_some() {
            drop(stopped);
            // Strings only this member used (node names, namespaces, request lists) are freed
            // here, or at a later purge once the aborted task has let go of its index.
            karmada_manager_core::intern::purge_unused();
            tracing::info!(cluster = name, "stopped watching member");
        }
    }
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
