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

use crate::apiserver::ApiServer;
use crate::process::Supervised;
use crate::upstream::{self, MemberBinaries};
use crate::versions;
use anyhow::{Result, bail};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::Api;
use std::path::PathBuf;
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

/// The running controllers of one member; stopped on drop.
pub struct MemberControllers {
    member: String,
    controller_manager: Supervised,
    scheduler: Supervised,
    kwok: Supervised,
}

impl MemberControllers {
    /// Starts the three processes against `member` (admin kubeconfig) and waits until
    /// kube-controller-manager works.
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
        let kwok = Supervised::spawn(
            &format!("kwok {}", member.name()),
            &binaries.kwok,
            &kwok_args(&kubeconfig)?,
            log("kwok"),
        )?;
        let mut controllers = Self {
            member: member.name().to_string(),
            controller_manager,
            scheduler,
            kwok,
        };
        controllers.wait_ready(&member.client().await?).await?;
        Ok(controllers)
    }

    /// Log files of kube-controller-manager, kube-scheduler and kwok, for a failing test.
    pub fn logs(&self) -> [PathBuf; 3] {
        [&self.controller_manager, &self.scheduler, &self.kwok].map(|p| p.log().to_path_buf())
    }

    async fn wait_ready(&mut self, client: &kube::Client) -> Result<()> {
        let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), "default");
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
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
            if sas.get_opt("default").await?.is_some() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "kube-controller-manager of member {} made no `default` ServiceAccount within {READY_TIMEOUT:?}:\n{}",
                    self.member,
                    self.controller_manager.log_tail(30)
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

/// kwok with the stages kwokctl configures by default, read from kwok's own Go module.
fn kwok_args(kubeconfig: &str) -> Result<Vec<String>> {
    let module = upstream::module_dir("sigs.k8s.io/kwok", versions::KWOK)?;
    let mut args = vec![
        format!("--kubeconfig={kubeconfig}"),
        "--manage-all-nodes=true".into(),
        // kubelet's default; kwok renews each node's Lease like a kubelet does.
        "--node-lease-duration-seconds=40".into(),
        "--cidr=10.244.0.0/16".into(),
        "--node-ip=10.0.0.1".into(),
    ];
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
