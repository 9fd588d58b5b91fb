//! Simulated member API servers: many members in one process, each behind a TLS listener of
//! its own with the run's CA and bearer token, serving LIST (paginated, at a consistent
//! resourceVersion) and WATCH of Nodes, Pods, ReplicaSets (metadata) and Jobs, generated on the
//! fly from the seeded generator (`crate::generate::MemberObjects`): a 5,000-node, 20,000-pod
//! member costs its plan and the pods changed since, not its JSON.
//!
//! Churn changes a fleet-wide share of pods per minute; a probe marks one reserved pod per
//! member `Failed` (or back), a change churn never makes, for freshness measurements.
//!
//! In-process with [`Sim::start`], or in a process of its own with `bench sim`
//! ([`process`]), so that its CPU does not count against whoever it serves.

mod churn;
pub mod process;
mod render;
mod server;
mod state;
#[cfg(test)]
mod tests;
mod tls;
mod watch;

use anyhow::{Context, Result};
use churn::Churn;
pub use churn::ChurnMix;
use serde::{Deserialize, Serialize};
use state::Member;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::task::AbortHandle;

/// What to simulate.
#[derive(Clone, Debug, clap::Args)]
pub struct SimOptions {
    /// Seed of the generated fleet.
    #[arg(long, default_value_t = 6)]
    pub seed: u64,
    /// Member clusters.
    #[arg(long, default_value_t = 4)]
    pub members: usize,
    /// Nodes per member.
    #[arg(long, default_value_t = 1_000)]
    pub nodes: usize,
    /// Pods per member.
    #[arg(long, default_value_t = 4_000)]
    pub pods: usize,
    /// Seconds between watch bookmarks (kube-apiserver sends one about every minute).
    #[arg(long, default_value_t = 60)]
    pub bookmark_seconds: u64,
    /// Pod events each member keeps for watches; older resourceVersions get 410 Gone.
    #[arg(long, default_value_t = 100_000)]
    pub history: usize,
}

/// How to reach the simulated members: the same for all but the URL.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Endpoints {
    pub ca_pem: String,
    pub token: String,
    pub members: Vec<Endpoint>,
}

impl Endpoints {
    /// A kube client of member `index`, trusting the run's CA and sending its token (or
    /// `token`, to test refusals).
    pub fn client_with(&self, index: usize, token: Option<&str>) -> Result<kube::Client> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let member = self
            .members
            .get(index)
            .with_context(|| format!("no member {index}"))?;
        let mut config = kube::Config::new(member.url.parse().context("member URL")?);
        let ca = CertificateDer::from_pem_slice(self.ca_pem.as_bytes()).context("the run's CA")?;
        config.root_cert = Some(vec![ca.to_vec()]);
        config.auth_info.token = token.map(|t| t.to_owned().into());
        // A page of 500 pods takes milliseconds; a stalled answer is a failure, not a wait.
        config.read_timeout = Some(Duration::from_secs(60));
        kube::Client::try_from(config).context("a member client")
    }

    pub fn client(&self, index: usize) -> Result<kube::Client> {
        self.client_with(index, Some(&self.token))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Endpoint {
    pub name: String,
    pub url: String,
    pub nodes: usize,
    pub pods: usize,
}

/// Running simulated members; they stop when this is dropped.
pub struct Sim {
    pub endpoints: Endpoints,
    members: Vec<Arc<Member>>,
    churn: Arc<Churn>,
    tasks: Vec<AbortHandle>,
}

impl Sim {
    /// Starts every member's listener and the (idle) churn, in the current tokio runtime.
    pub async fn start(options: &SimOptions) -> Result<Sim> {
        let tls = tls::generate()?;
        let token = run_token();
        let mut members = Vec::new();
        let mut endpoints = Vec::new();
        let mut tasks = Vec::new();
        for index in 0..options.members {
            let name = format!("sim-{index:03}");
            let objects = crate::generate::MemberObjects::new(
                options.seed,
                index,
                options.nodes,
                options.pods,
            );
            let member = Arc::new(Member::new(objects, options.history));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .context("binding a member listener")?;
            let url = format!("https://{}", listener.local_addr()?);
            let context = Arc::new(server::Context {
                member: member.clone(),
                authorization: format!("Bearer {token}"),
                bookmark_interval: Duration::from_secs(options.bookmark_seconds.max(1)),
            });
            let acceptor = tls.acceptor.clone();
            tasks.push(tokio::spawn(server::serve(listener, acceptor, context)).abort_handle());
            endpoints.push(Endpoint {
                name,
                url,
                nodes: member.objects.nodes(),
                pods: member.objects.pods(),
            });
            members.push(member);
        }
        let churn = Arc::new(Churn::default());
        let task = churn::run(members.clone(), churn.clone(), options.seed);
        tasks.push(tokio::spawn(task).abort_handle());
        Ok(Sim {
            endpoints: Endpoints {
                ca_pem: tls.ca_pem,
                token,
                members: endpoints,
            },
            members,
            churn,
            tasks,
        })
    }

    /// Churn from now on (`ChurnMix::default()`: none).
    pub fn set_churn(&self, mix: ChurnMix) {
        self.churn.set(mix);
    }

    /// Pod changes churn has made so far.
    pub fn churn_changes(&self) -> u64 {
        self.churn.changes.load(Ordering::Relaxed)
    }

    /// Marks member `index`'s probe pod `Failed` (or running again); the new resourceVersion.
    /// The change is visible to watches when this returns.
    pub fn probe(&self, index: usize, failed: bool) -> Result<u64> {
        let member = self
            .members
            .get(index)
            .with_context(|| format!("no member {index}"))?;
        Ok(member.change_pod(member.probe_pod, |change| change.failed = failed))
    }

    /// Adds `restarts` to member `index`'s probe pod's first container (a figure that drifts);
    /// the new resourceVersion.
    pub fn restart_probe(&self, index: usize, restarts: u32) -> Result<u64> {
        let member = self
            .members
            .get(index)
            .with_context(|| format!("no member {index}"))?;
        Ok(member.change_pod(member.probe_pod, |change| {
            change.restarts = change.restarts.saturating_add(restarts)
        }))
    }

    /// Pod watches open on member `index`.
    pub fn pod_watches(&self, index: usize) -> Result<usize> {
        let member = self
            .members
            .get(index)
            .with_context(|| format!("no member {index}"))?;
        Ok(member.pod_watches.load(Ordering::Relaxed))
    }

    /// Changes pod `pod` of member `index` (tests drive the events themselves).
    #[cfg(test)]
    fn change(&self, index: usize, pod: usize) -> u64 {
        self.members[index].change_pod(pod, |change| change.restarts += 1)
    }

    /// Replaces pod `pod` of member `index`.
    #[cfg(test)]
    fn replace(&self, index: usize, pod: usize) -> u64 {
        self.members[index].replace_pod(pod)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A bearer token of the run: 32 hex digits from the clock and the process id, unguessable
/// enough for a local benchmark (nothing else listens on these ports' CA).
fn run_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut rng = prop_json::Rng::derive(nanos, u64::from(std::process::id()));
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}
