//! A minimal HTTP CONNECT proxy on loopback that records the headers of every CONNECT request,
//! so tests can check what a client sends to its proxy (a Cluster's `spec.proxyHeader`).

use anyhow::Result;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One CONNECT request: its target and headers (names lowercased).
#[derive(Clone, Debug, Default)]
pub struct Connect {
    pub target: String,
    pub headers: Vec<(String, String)>,
}

pub struct ConnectProxy {
    url: String,
    seen: Arc<Mutex<Vec<Connect>>>,
    task: JoinHandle<()>,
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ConnectProxy {
    pub async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let seen: Arc<Mutex<Vec<Connect>>> = Arc::default();
        let record = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(tunnel(stream, record.clone()));
            }
        });
        Ok(Self { url, seen, task })
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The CONNECT requests received so far.
    pub fn seen(&self) -> Vec<Connect> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

async fn tunnel(mut client: TcpStream, seen: Arc<Mutex<Vec<Connect>>>) -> Result<()> {
    // Read the request head byte by byte: nothing after it may be consumed, it belongs to TLS.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = client.read_u8().await?;
        head.push(byte);
        anyhow::ensure!(head.len() < 16 * 1024, "request head too large");
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let mut lines = text.split("\r\n");
    let target = lines
        .next()
        .and_then(|l| l.strip_prefix("CONNECT "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_default()
        .to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    if let Ok(mut seen) = seen.lock() {
        seen.push(Connect {
            target: target.clone(),
            headers,
        });
    }
    let mut upstream = TcpStream::connect(&target).await?;
    client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
