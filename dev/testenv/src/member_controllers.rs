//! What turns a member API server into a cluster that runs pods, for the real-Karmada
//! environment: kube-controller-manager (Deployments → ReplicaSets → Pods, pod garbage
//! collection, node lifecycle), kube-scheduler (binds pods to nodes) and kwok, which plays every
//! node's kubelet (heartbeats and Leases, pods driven to Running and Ready).
//!
//! Deviations from a kubeadm cluster, all because nothing here runs containers:
//! - kwok manages every Node of the member (`--manage-all-nodes`); the environment creates them.
//! - The API server keeps the `ServiceAccount` admission plugin off (see [`crate::apiserver`]),
//!   so pods get no token volume that no kubelet would mount.
//! - No serving ports: both controllers run with `--secure-port=0`, leader election off.
//! - kwok serves the kubelet API (container logs) on a loopback port of its own, and every
//!   container logs what one file holds ([`crate::kubelet_api`]).

use crate::apiserver::ApiServer;
use crate::kubelet_api::KubeletApi;
use crate::process::Supervised;
use crate::upstream::{self, MemberBinaries};
use crate::versions;
use anyhow::{Result, bail};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::Api;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// kwok's own stage definitions (from its Go module) that kwokctl installs by default: nodes
/// become Ready and renew their Leases; pods on a node become Running and Ready, finish when
/// their containers would, and go away when deleted.
const KWOK_STAGES: &[&str] = &[
    "kustomize/stage/node/fast/node-initialize.yaml",
    "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "kustomize/stage/pod/fast/pod-ready.yaml",
    "kustomize/stage/pod/fast/pod-complete.yaml",
    "kustomize/stage/pod/fast/pod-delete.yaml",
];

/// How long kube-controller-manager may take to create the `default` ServiceAccount, our sign
/// that its controllers run.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// How often kwok is moved to another port when the one chosen was taken before it bound it.
const PORT_MOVES: u32 = 3;

/// The running controllers of one member; stopped on drop.
pub struct MemberControllers {
    member: String,
    controller_manager: Supervised,
    scheduler: Supervised,
    kwok: Supervised,
    kwok_binary: PathBuf,
    kubeconfig: String,
    kubelet_api: KubeletApi,
}

impl MemberControllers {
    /// Starts the three processes against `member` (admin kubeconfig) and waits until
    /// kube-controller-manager works and kwok serves the kubelet API.
    pub async fn start(member: &ApiServer, binaries: &MemberBinaries) -> Result<Self> {
        let kubeconfig = member.kubeconfig().display().to_string();
        let log = |name: &str| member.dir().join(format!("{name}.log"));
        let controller_manager = Supervised::spawn(
            &format!("kube-controller-manager {}", member.name()),
            &binaries.kube_controller_manager,
            &controller_manager_args(member, &kubeconfig),
            log("kube-controller-manager"),
        )?;
        let scheduler = Supervised::spawn(
            &format!("kube-scheduler {}", member.name()),
            &binaries.kube_scheduler,
            &[
                format!("--kubeconfig={kubeconfig}"),
                format!("--authentication-kubeconfig={kubeconfig}"),
                format!("--authorization-kubeconfig={kubeconfig}"),
                "--leader-elect=false".into(),
                "--secure-port=0".into(),
            ],
            log("kube-scheduler"),
        )?;
        let kubelet_api = KubeletApi::prepare(member.dir())?;
        let kwok = spawn_kwok(
            member.name(),
            (&binaries.kwok, &kubeconfig),
            &kubelet_api,
            log("kwok"),
        )?;
        let mut controllers = Self {
            member: member.name().to_string(),
            controller_manager,
            scheduler,
            kwok,
            kwok_binary: binaries.kwok.clone(),
            kubeconfig,
            kubelet_api,
        };
        controllers.wait_ready(&member.client().await?).await?;
        Ok(controllers)
    }

    /// Log files of kube-controller-manager, kube-scheduler and kwok, for a failing test.
    pub fn logs(&self) -> [PathBuf; 3] {
        [&self.controller_manager, &self.scheduler, &self.kwok].map(|p| p.log().to_path_buf())
    }

    pub fn member(&self) -> &str {
        &self.member
    }

    /// Where kwok serves the member's kubelet API, and the log file of its containers.
    pub fn kubelet_api(&self) -> &KubeletApi {
        &self.kubelet_api
    }

    /// Waits until kube-controller-manager works and kwok serves the kubelet API.
    async fn wait_ready(&mut self, client: &kube::Client) -> Result<()> {
        let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), "default");
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut moves = 0;
        loop {
            // The port was free when chosen, but another process of a busy machine took it
            // before kwok bound it: choose again.
            if self.kwok.exited().is_some()
                && moves < PORT_MOVES
                && self.kwok.log_tail(30).contains("address already in use")
            {
                moves += 1;
                self.kubelet_api.move_port()?;
                self.kwok = spawn_kwok(
                    &self.member,
                    (&self.kwok_binary, &self.kubeconfig),
                    &self.kubelet_api,
                    self.kwok.log().to_path_buf(),
                )?;
            }
            for process in [
                &mut self.controller_manager,
                &mut self.scheduler,
                &mut self.kwok,
            ] {
                if let Some(status) = process.exited() {
                    bail!(
                        "a controller of member {} exited during start-up ({status}):\n{}",
                        self.member,
                        process.log_tail(30)
                    );
                }
            }
            let serving = tokio::net::TcpStream::connect(("127.0.0.1", self.kubelet_api.port))
                .await
                .is_ok();
            if serving && sas.get_opt("default").await?.is_some() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "member {}: no `default` ServiceAccount from kube-controller-manager, or no kubelet API from kwok on port {}, within {READY_TIMEOUT:?}:\n{}\n{}",
                    self.member,
                    self.kubelet_api.port,
                    self.controller_manager.log_tail(30),
                    self.kwok.log_tail(10)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// kube-controller-manager as kubeadm runs it, minus what needs a cloud or cluster signing
/// certificates: every default controller, signing service-account tokens with the API
/// server's key.
fn controller_manager_args(member: &ApiServer, kubeconfig: &str) -> Vec<String> {
    vec![
        format!("--kubeconfig={kubeconfig}"),
        format!("--authentication-kubeconfig={kubeconfig}"),
        format!("--authorization-kubeconfig={kubeconfig}"),
        "--controllers=*".into(),
        "--leader-elect=false".into(),
        "--secure-port=0".into(),
        "--use-service-account-credentials=false".into(),
        format!(
            "--service-account-private-key-file={}",
            member.service_account_key_file().display()
        ),
        format!("--root-ca-file={}", member.ca_file().display()),
    ]
}

/// kwok for `member`, run as `(binary, kubeconfig)`, logging to `log`.
fn spawn_kwok(
    member: &str,
    (binary, kubeconfig): (&Path, &str),
    kubelet_api: &KubeletApi,
    log: PathBuf,
) -> Result<Supervised> {
    Supervised::spawn(
        &format!("kwok {member}"),
        binary,
        &kwok_args(kubeconfig, kubelet_api)?,
        log,
    )
}

/// kwok with the stages kwokctl configures by default, read from kwok's own Go module, and the
/// kubelet API of [`KubeletApi`].
fn kwok_args(kubeconfig: &str, kubelet_api: &KubeletApi) -> Result<Vec<String>> {
    let module = upstream::module_dir("sigs.k8s.io/kwok", versions::KWOK)?;
    let mut args = vec![
        format!("--kubeconfig={kubeconfig}"),
        "--manage-all-nodes=true".into(),
        // kubelet's default; kwok renews each node's Lease like a kubelet does.
        "--node-lease-duration-seconds=40".into(),
        "--cidr=10.244.0.0/16".into(),
    ];
    args.extend(kubelet_api.kwok_args());
    for stage in KWOK_STAGES {
        let path = module.join(stage);
        if !path.is_file() {
            bail!(
                "kwok {} has no stage file {stage}; the recipe no longer fits",
                versions::KWOK
            );
        }
        args.push(format!("--config={}", path.display()));
    }
    Ok(args)
}
