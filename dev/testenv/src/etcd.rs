//! One etcd shared by every API server of an environment (each uses its own `--etcd-prefix`).

use crate::process::{Supervised, free_port};
use anyhow::{Result, bail};
use std::path::Path;
use std::time::{Duration, Instant};

pub struct Etcd {
    pub url: String,
    process: Supervised,
}

impl Etcd {
    pub async fn start(binary: &Path, dir: &Path) -> Result<Self> {
        let client_port = free_port()?;
        let peer_port = free_port()?;
        let client = format!("http://127.0.0.1:{client_port}");
        let peer = format!("http://127.0.0.1:{peer_port}");
        let args = vec![
            "--name=testenv".to_string(),
            format!("--data-dir={}", dir.join("etcd-data").display()),
            format!("--listen-client-urls={client}"),
            format!("--advertise-client-urls={client}"),
            format!("--listen-peer-urls={peer}"),
            format!("--initial-advertise-peer-urls={peer}"),
            format!("--initial-cluster=testenv={peer}"),
            // Throw-away data: skipping fsync makes bulk creation of thousands of objects fast.
            "--unsafe-no-fsync".to_string(),
            "--quota-backend-bytes=8589934592".to_string(),
            "--log-level=warn".to_string(),
        ];
        let mut process = Supervised::spawn("etcd", binary, &args, dir.join("etcd.log"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = process.exited() {
                bail!(
                    "etcd exited during start-up ({status}):\n{}",
                    process.log_tail(20)
                );
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", client_port))
                .await
                .is_ok()
            {
                return Ok(Self {
                    url: client,
                    process,
                });
            }
            if Instant::now() > deadline {
                bail!(
                    "etcd did not listen on {client} within 30s:\n{}",
                    process.log_tail(20)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn log(&self) -> &Path {
        self.process.log()
    }
}
