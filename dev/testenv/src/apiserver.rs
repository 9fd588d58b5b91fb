//! A real kube-apiserver on a free loopback port: TLS with its own CA, client-certificate and
//! bearer-token authentication, RBAC authorization, service-account token signing and the
//! aggregation layer's front-proxy identity.

use crate::certs::{FRONT_PROXY_CLIENT, ServerCerts};
use crate::kubeconfig;
use crate::process::{Supervised, free_port};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a server may take to report `/readyz` = ok.
/// How often a server whose port was taken meanwhile is moved to another one.
const PORT_MOVES: u32 = 3;
const READY_TIMEOUT: Duration = Duration::from_secs(90);

pub struct ApiServer {
    name: String,
    port: u16,
    certs: ServerCerts,
    kubeconfig: PathBuf,
    binary: PathBuf,
    args: Vec<String>,
    log: PathBuf,
    audit_log: Option<PathBuf>,
    process: Option<Supervised>,
}

impl ApiServer {
    /// Spawns the server; call [`ApiServer::wait_ready`] before using it. With `audit`, it
    /// records every request in [`ApiServer::audit_log`] (see [`crate::audit`]).
    pub fn spawn(
        name: &str,
        binary: &Path,
        etcd_url: &str,
        dir: &Path,
        audit: bool,
    ) -> Result<Self> {
        let dir = dir.join(name);
        let certs = ServerCerts::generate(name, &dir.join("pki"))?;
        let port = free_port()?;
        let kubeconfig = dir.join("kubeconfig");
        let url = format!("https://127.0.0.1:{port}");
        kubeconfig::write(
            &kubeconfig,
            name,
            &url,
            &certs.ca_pem,
            &certs.client_cert_pem,
            &certs.client_key_pem,
        )?;
        let f = &certs.files;
        let mut args = vec![
            format!("--etcd-servers={etcd_url}"),
            // One etcd serves every server of the environment; the prefix keeps them apart.
            format!("--etcd-prefix=/{name}"),
            "--bind-address=127.0.0.1".to_string(),
            "--advertise-address=127.0.0.1".to_string(),
            format!("--secure-port={port}"),
            format!("--cert-dir={}", dir.join("generated-certs").display()),
            format!("--tls-cert-file={}", f.serving_cert.display()),
            format!("--tls-private-key-file={}", f.serving_key.display()),
            format!("--client-ca-file={}", f.ca.display()),
            "--authorization-mode=RBAC".to_string(),
            format!("--service-account-issuer=https://{name}.testenv.local"),
            format!("--service-account-key-file={}", f.sa_public.display()),
            format!(
                "--service-account-signing-key-file={}",
                f.sa_private.display()
            ),
            "--service-cluster-ip-range=10.96.0.0/16".to_string(),
            // No kube-controller-manager creates `default` ServiceAccounts here, so pods could not
            // be admitted with this plugin on.
            "--disable-admission-plugins=ServiceAccount".to_string(),
            // Nothing routes to this server's Service IP; skip the endpoint bookkeeping writes.
            "--endpoint-reconciler-type=none".to_string(),
            "--allow-privileged=true".to_string(),
            // A node's kubelet (pods' logs) at its InternalIP first, as kubeadm configures it:
            // kwok's nodes report 127.0.0.1 there (see crate::kubelet_api). No
            // --kubelet-certificate-authority: the kubelet's certificate is not verified.
            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname".to_string(),
            "--profiling=false".to_string(),
            // The aggregation layer: the identity and headers it forwards to aggregated API
            // servers (karmada-aggregated-apiserver on the hub), as kubeadm configures them.
            format!(
                "--requestheader-client-ca-file={}",
                f.front_proxy_ca.display()
            ),
            format!("--requestheader-allowed-names={FRONT_PROXY_CLIENT}"),
            "--requestheader-username-headers=X-Remote-User".to_string(),
            "--requestheader-group-headers=X-Remote-Group".to_string(),
            "--requestheader-extra-headers-prefix=X-Remote-Extra-".to_string(),
            format!(
                "--proxy-client-cert-file={}",
                f.front_proxy_client_cert.display()
            ),
            format!(
                "--proxy-client-key-file={}",
                f.front_proxy_client_key.display()
            ),
        ];
        let audit_log = if audit {
            let policy = dir.join("audit-policy.yaml");
            std::fs::write(&policy, crate::audit::POLICY)?;
            let log = dir.join("audit.log");
            args.extend([
                format!("--audit-policy-file={}", policy.display()),
                format!("--audit-log-path={}", log.display()),
                "--audit-log-format=json".to_string(),
                // Never rotated (0 would mean lumberjack's 100 MB): one file holds every request.
                "--audit-log-maxsize=100000".to_string(),
                // Written before the answer is sent: a request the client saw answered is in the
                // file.
                "--audit-log-mode=blocking".to_string(),
            ]);
            Some(log)
        } else {
            None
        };
        let log = dir.join("kube-apiserver.log");
        let mut server = Self {
            name: name.to_string(),
            port,
            certs,
            kubeconfig,
            binary: binary.to_path_buf(),
            args,
            log,
            audit_log,
            process: None,
        };
        server.start_process()?;
        Ok(server)
    }

    /// Restarts the server on a newly chosen port, its kubeconfig rewritten to match.
    fn move_port(&mut self) -> Result<()> {
        let port = free_port()?;
        for arg in &mut self.args {
            if arg.starts_with("--secure-port=") {
                *arg = format!("--secure-port={port}");
            }
        }
        self.port = port;
        kubeconfig::write(
            &self.kubeconfig,
            &self.name,
            &self.url(),
            &self.certs.ca_pem,
            &self.certs.client_cert_pem,
            &self.certs.client_key_pem,
        )?;
        self.start_process()
    }

    fn start_process(&mut self) -> Result<()> {
        self.process = Some(Supervised::spawn(
            &format!("kube-apiserver {}", self.name),
            &self.binary,
            &self.args,
            self.log.clone(),
        )?);
        Ok(())
    }

    /// Waits until `/readyz` answers ok (etcd reachable, RBAC bootstrap and CRD informers done).
    pub async fn wait_ready(&mut self) -> Result<()> {
        let mut client = self.client().await?;
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut moves = 0;
        loop {
            if let Some(status) = self.process.as_mut().and_then(Supervised::exited) {
                // The port was free when chosen, but another process of a busy machine took it
                // before the server bound it: choose again.
                if moves < PORT_MOVES && self.log_tail().contains("address already in use") {
                    moves += 1;
                    self.move_port()?;
                    client = self.client().await?;
                    continue;
                }
                bail!(
                    "kube-apiserver {} exited during start-up ({status}):\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            let request = http::Request::get("/readyz").body(Vec::new())?;
            if matches!(client.request_text(request).await, Ok(body) if body.trim() == "ok") {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "kube-apiserver {} not ready within {READY_TIMEOUT:?}:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the server (SIGKILL); its data stays in etcd, so [`ApiServer::restart`] resumes it.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill();
        }
    }

    /// Starts a stopped server again on the same port with the same certificates, and waits
    /// until it is ready.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop();
        self.start_process()?;
        self.wait_ready().await
    }

    /// The process id while the server runs (e.g. to read its memory use from `/proc`).
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().and_then(Supervised::pid)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `https://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// PEM of the CA that signed the serving certificate (what a Cluster's `caBundle` holds).
    pub fn ca_pem(&self) -> &str {
        &self.certs.ca_pem
    }

    /// Kubeconfig with cluster-admin (client certificate in group `system:masters`).
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The private key that signs this server's service-account tokens (kube-controller-manager
    /// signs with it too).
    pub fn service_account_key_file(&self) -> &Path {
        &self.certs.files.sa_private
    }

    /// The CA file of this server (what kube-controller-manager puts in ServiceAccount tokens).
    pub fn ca_file(&self) -> &Path {
        &self.certs.files.ca
    }

    /// The directory of this server's files; companions (controllers, kwok) log next to it.
    pub fn dir(&self) -> &Path {
        self.kubeconfig.parent().unwrap_or(Path::new("."))
    }

    /// The audit log (JSON lines, read with [`crate::audit::read`]) if the server was started
    /// with auditing on ([`crate::EnvOptions::audit`]).
    pub fn audit_log(&self) -> Option<&Path> {
        self.audit_log.as_deref()
    }

    /// An admin client.
    pub async fn client(&self) -> Result<kube::Client> {
        let config = kubeconfig::client_config(&self.kubeconfig).await?;
        kube::Client::try_from(config)
            .with_context(|| format!("building a client for {}", self.name))
    }

    fn log_tail(&self) -> String {
        self.process
            .as_ref()
            .map(|p| p.log_tail(30))
            .unwrap_or_default()
    }
}
