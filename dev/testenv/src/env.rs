//! The environment: one etcd, a hub kube-apiserver with Karmada's CRDs, and member
//! kube-apiservers joined to it. With [`EnvOptions::karmada`], also Karmada's own control plane
//! on the hub and, in every member, the controllers and kwok that run pods. Everything stops
//! when the [`Environment`] is dropped.

use crate::apiserver::ApiServer;
use crate::crds;
use crate::etcd::Etcd;
use crate::join::{JoinOptions, Joined, Joiner, join};
use crate::karmada_control_plane::KarmadaControlPlane;
use crate::member_controllers::MemberControllers;
use crate::pull_agent::PullAgent;
use crate::upstream::{self, Binaries, KarmadaBinaries, MemberBinaries, ensure_binaries};
use anyhow::{Context, Result};
use futures::future::try_join_all;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A member to start and, unless `join` is false, register with the hub.
#[derive(Clone, Debug)]
pub struct MemberOptions {
    pub name: String,
    pub join: Option<JoinOptions>,
}

impl MemberOptions {
    pub fn joined(name: &str, options: JoinOptions) -> Self {
        Self {
            name: name.to_string(),
            join: Some(options),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct EnvOptions {
    pub members: Vec<MemberOptions>,
    /// Further CRDs for the hub, e.g. karmada-manager's own.
    pub crds: Vec<CustomResourceDefinition>,
    /// Keep files (kubeconfigs, logs, etcd data) in this directory instead of a temporary one
    /// that is removed on drop. It is emptied first.
    pub dir: Option<PathBuf>,
    /// Every API server records every request in an audit log ([`ApiServer::audit_log`],
    /// [`crate::audit`]). Off by default: it costs a line per request.
    pub audit: bool,
    /// Run the real Karmada: karmada-webhook, -controller-manager and -scheduler on the hub
    /// ([`crate::karmada_control_plane`]), kube-controller-manager, kube-scheduler and kwok in
    /// every member ([`crate::member_controllers`]), and members joined with karmadactl's
    /// identity, their Cluster status left to Karmada. Off by default: tests play Karmada's
    /// part themselves, which is faster and lets them write any state.
    pub karmada: bool,
}

impl EnvOptions {
    /// Members `names`, each joined with default options.
    pub fn members(names: &[&str]) -> Self {
        Self {
            members: names
                .iter()
                .map(|n| MemberOptions::joined(n, JoinOptions::default()))
                .collect(),
            ..Self::default()
        }
    }
}

enum Dir {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

/// Field order is drop order: servers stop before etcd, and the directory goes last.
pub struct Environment {
    /// Kept for their lifetime: each stops when dropped.
    _pull_agents: Vec<PullAgent>,
    karmada: Option<KarmadaControlPlane>,
    member_controllers: Vec<MemberControllers>,
    members: Vec<ApiServer>,
    hub: ApiServer,
    etcd: Etcd,
    joined: Vec<Joined>,
    binaries: Binaries,
    dir: Dir,
}

impl Environment {
    pub async fn start(options: EnvOptions) -> Result<Self> {
        let started = Instant::now();
        let binaries = tokio::task::spawn_blocking(ensure_binaries).await??;
        let karmada_binaries = if options.karmada {
            Some(tokio::task::spawn_blocking(real_karmada_binaries).await??)
        } else {
            None
        };
        let dir = match &options.dir {
            Some(path) => {
                let _ = std::fs::remove_dir_all(path);
                std::fs::create_dir_all(path)?;
                Dir::Kept(path.clone())
            }
            None => Dir::Temp(
                tempfile::Builder::new()
                    .prefix("karmada-manager-env-")
                    .tempdir()?,
            ),
        };
        let root = match &dir {
            Dir::Temp(t) => t.path().to_path_buf(),
            Dir::Kept(p) => p.clone(),
        };
        let etcd = Etcd::start(&binaries.etcd, &root).await?;
        let spawn = |name: &str| {
            ApiServer::spawn(
                name,
                &binaries.kube_apiserver,
                &etcd.url,
                &root,
                options.audit,
            )
        };
        let mut hub = spawn("hub")?;
        let mut members = options
            .members
            .iter()
            .map(|m| spawn(&m.name))
            .collect::<Result<Vec<_>>>()?;
        let karmada_crds = tokio::task::spawn_blocking(crds::karmada_crds);
        hub.wait_ready().await?;
        try_join_all(members.iter_mut().map(ApiServer::wait_ready)).await?;

        let mut hub_crds = karmada_crds
            .await?
            .context("reading Karmada's CRDs from its Go module")?;
        if !options.karmada {
            // The real Karmada serves Clusters from karmada-aggregated-apiserver instead.
            hub_crds.push(crds::cluster_stand_in()?);
        }
        hub_crds.extend(options.crds.iter().cloned());
        crds::install(&hub.client().await?, &hub_crds)
            .await
            .context("installing CRDs on the hub")?;

        let mut member_controllers = Vec::new();
        let mut karmada = None;
        let joiner = match &karmada_binaries {
            Some((karmada_bins, member_bins)) => {
                member_controllers = try_join_all(
                    members
                        .iter()
                        .map(|m| MemberControllers::start(m, member_bins)),
                )
                .await?;
                karmada =
                    Some(KarmadaControlPlane::start(&hub, &etcd.url, karmada_bins, &root).await?);
                Joiner::Karmada
            }
            None => Joiner::StandIn,
        };
        let joins = options
            .members
            .iter()
            .zip(&members)
            .filter_map(|(m, server)| m.join.as_ref().map(|j| join(&hub, server, j, joiner)));
        let joined = try_join_all(joins).await.context("joining members")?;
        let mut pull_agents = Vec::new();
        if karmada.is_some() {
            pull_agents = start_pull_agents(&hub, &members, &options).await?;
            let names: Vec<&str> = joined.iter().map(|j| j.cluster.as_str()).collect();
            crate::karmada_control_plane::wait_clusters_ready(&hub.client().await?, &names).await?;
        }
        eprintln!(
            "testenv: hub + {} member(s) ready in {:.1}s ({} CRDs on the hub; files in {})",
            members.len(),
            started.elapsed().as_secs_f64(),
            hub_crds.len(),
            root.display()
        );
        Ok(Self {
            _pull_agents: pull_agents,
            karmada,
            member_controllers,
            members,
            hub,
            etcd,
            joined,
            binaries,
            dir,
        })
    }

    pub fn hub(&self) -> &ApiServer {
        &self.hub
    }

    pub fn hub_mut(&mut self) -> &mut ApiServer {
        &mut self.hub
    }

    pub fn members(&self) -> &[ApiServer] {
        &self.members
    }

    /// The member called `name`; panics if there is none (a test bug).
    pub fn member(&self, name: &str) -> &ApiServer {
        self.members
            .iter()
            .find(|m| m.name() == name)
            .unwrap_or_else(|| panic!("no member {name}"))
    }

    pub fn member_mut(&mut self, name: &str) -> &mut ApiServer {
        self.members
            .iter_mut()
            .find(|m| m.name() == name)
            .unwrap_or_else(|| panic!("no member {name}"))
    }

    /// What joining member `name` produced, if it was joined.
    pub fn joined(&self, name: &str) -> Option<&Joined> {
        self.joined.iter().find(|j| j.cluster == name)
    }

    /// Karmada's control plane, if the environment runs it ([`EnvOptions::karmada`]).
    pub fn karmada(&self) -> Option<&KarmadaControlPlane> {
        self.karmada.as_ref()
    }

    /// Where kwok serves the kubelet API of member `name`'s nodes, and the log file of every
    /// container there; `None` unless the environment runs the real Karmada
    /// ([`EnvOptions::karmada`]).
    pub fn kubelet_api(&self, name: &str) -> Option<&crate::kubelet_api::KubeletApi> {
        self.member_controllers
            .iter()
            .find(|c| c.member() == name)
            .map(MemberControllers::kubelet_api)
    }

    /// The log files of every process besides the API servers (Karmada's components, the
    /// members' controllers and kwok), for a failing test to point at.
    pub fn component_logs(&self) -> Vec<PathBuf> {
        let mut logs: Vec<PathBuf> = self.karmada.iter().flat_map(|k| k.logs()).collect();
        for controllers in &self.member_controllers {
            logs.extend(controllers.logs());
        }
        logs
    }

    pub fn binaries(&self) -> &Binaries {
        &self.binaries
    }

    pub fn etcd_url(&self) -> &str {
        &self.etcd.url
    }

    /// Compacts the shared etcd at its current revision (see [`Etcd::compact`]); returns it.
    pub async fn compact_etcd(&self) -> Result<i64> {
        self.etcd.compact().await
    }

    pub fn etcd_log(&self) -> &Path {
        self.etcd.log()
    }

    pub fn dir(&self) -> &Path {
        match &self.dir {
            Dir::Temp(t) => t.path(),
            Dir::Kept(p) => p,
        }
    }

    /// `export KUBECONFIG=...` lines for a human.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for server in std::iter::once(&self.hub).chain(&self.members) {
            out.push_str(&format!(
                "# {:<6} {}\nexport KUBECONFIG={}\n",
                server.name(),
                server.url(),
                server.kubeconfig().display()
            ));
        }
        out
    }
}

/// karmada-agent's stand-in for every member joined as a Pull cluster.
async fn start_pull_agents(
    hub: &ApiServer,
    members: &[ApiServer],
    options: &EnvOptions,
) -> Result<Vec<PullAgent>> {
    let mut agents = Vec::new();
    for (member, server) in options.members.iter().zip(members) {
        if member.join.as_ref().is_some_and(|j| j.pull) {
            let (hub, member) = (hub.client().await?, server.client().await?);
            agents.push(PullAgent::start(hub, member, server.name()).await?);
        }
    }
    Ok(agents)
}

/// Karmada's components and the members' controllers; built on first use (several minutes).
fn real_karmada_binaries() -> Result<(KarmadaBinaries, MemberBinaries)> {
    let karmada = upstream::ensure_karmada().context("building Karmada's components")?;
    let members =
        upstream::ensure_member_binaries().context("building the member controllers and kwok")?;
    Ok((karmada, members))
}
