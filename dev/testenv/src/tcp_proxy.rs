//! A TCP proxy on loopback in front of one address, that can be frozen: from then on it
//! forwards nothing in either direction and keeps every connection open, as a network that
//! black-holes one client's traffic would. Only the clients pointed at it are affected; TLS
//! passes through untouched (the certificate names 127.0.0.1 whatever the port).

use anyhow::Result;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct TcpProxy {
    address: SocketAddr,
    frozen: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TcpProxy {
    /// Forwards every connection made to [`TcpProxy::address`] to `target`.
    pub async fn start(target: SocketAddr) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (frozen, watch) = watch::channel(false);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(client, target, watch.clone()));
            }
        });
        Ok(Self {
            address,
            frozen,
            task,
        })
    }

    /// `127.0.0.1:<port>`.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// From now on nothing is forwarded, on open and new connections alike; nothing is closed.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }
}

/// Copies both ways between `client` and a new connection to `target` until either side
/// closes; once frozen, copies nothing more and holds both connections open.
async fn forward(mut client: TcpStream, target: SocketAddr, mut frozen: watch::Receiver<bool>) {
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
        () = async { drop(frozen.wait_for(|frozen| *frozen).await) } => std::future::pending::<()>().await,
    }
}
