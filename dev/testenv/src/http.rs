//! Plain HTTP over loopback: GET for the operator's admin server (`/metrics`, `/readyz`), and a
//! JSON POST for etcd's v3 gateway (compaction). They speak nothing else, and a client library
//! would be more code than this.

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// GETs `path` from `address` (`host:port`); the status code and the body.
pub async fn get(address: &str, path: &str) -> Result<(u16, String)> {
    exchange(
        address,
        format!("GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n"),
    )
    .await
}

/// POSTs `body` as JSON to `path` at `address` (`host:port`); the status code and the body.
pub async fn post_json(
    address: &str,
    path: &str,
    body: &serde_json::Value,
) -> Result<(u16, String)> {
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(address, request).await
}

/// Sends one HTTP/1.0 request (the server closes the connection after answering) and splits
/// the answer.
async fn exchange(address: &str, request: String) -> Result<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .with_context(|| format!("no status in {head:?}"))?;
    Ok((code, body.to_owned()))
}
