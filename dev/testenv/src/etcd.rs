//! One etcd shared by every API server of an environment (each uses its own `--etcd-prefix`).

use crate::process::{Supervised, free_port};
use anyhow::{Context, Result, bail, ensure};
use base64::Engine;
use serde_json::{Value, json};
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

    /// The current revision of the store (one counter for every API server of the
    /// environment: they share this etcd).
    pub async fn revision(&self) -> Result<i64> {
        // Any key does: every answer carries the store's revision in its header.
        let key = base64::engine::general_purpose::STANDARD.encode("a");
        let answer = self.post("/v3/kv/range", json!({"key": key})).await?;
        let revision = &answer["header"]["revision"];
        // The gateway writes int64 as a JSON string.
        revision
            .as_str()
            .and_then(|r| r.parse().ok())
            .or_else(|| revision.as_i64())
            .with_context(|| format!("no revision in {answer}"))
    }

    /// Compacts the store at its current revision and returns it: every older revision is gone,
    /// so a watch or list resuming from one gets `410 Gone` (once the API server's watch cache
    /// cannot serve it either, e.g. after the API server restarted).
    pub async fn compact(&self) -> Result<i64> {
        let revision = self.revision().await?;
        self.post(
            "/v3/kv/compaction",
            json!({"revision": revision.to_string(), "physical": true}),
        )
        .await?;
        Ok(revision)
    }

    /// A call to etcd's v3 HTTP/JSON gateway.
    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        let address = self.url.trim_start_matches("http://");
        let (code, answer) = crate::http::post_json(address, path, &body).await?;
        ensure!(code == 200, "etcd {path} answered {code}: {answer}");
        serde_json::from_str(&answer).with_context(|| format!("etcd {path} answered {answer:?}"))
    }
}
