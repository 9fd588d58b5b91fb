//! A member that hangs: a TCP listener on loopback that accepts every connection and never
//! answers (not even the TLS handshake), as a wedged API server or a black-holing load balancer
//! would. Register it as a Cluster with [`register`](crate::join::register); a client must time
//! out on it rather than wait forever.

use anyhow::Result;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct Hanging {
    url: String,
    held: Arc<Mutex<Vec<TcpStream>>>,
    task: JoinHandle<()>,
}

impl Drop for Hanging {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hanging {
    pub async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("https://{}", listener.local_addr()?);
        let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let keep = held.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                // Kept open and never read: the client's bytes sit in the socket buffer.
                if let Ok(mut held) = keep.lock() {
                    held.push(stream);
                }
            }
        });
        Ok(Self { url, held, task })
    }

    /// `https://127.0.0.1:<port>`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Connections accepted so far (each still held open).
    pub fn connections(&self) -> usize {
        self.held.lock().map(|h| h.len()).unwrap_or_default()
    }
}
