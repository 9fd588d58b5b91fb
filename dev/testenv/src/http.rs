//! Plain HTTP over loopback: GET for the operator's admin server (`/metrics`, `/readyz`), a
//! JSON POST for etcd's v3 gateway (compaction), and WebDriver's JSON commands for ChromeDriver
//! ([`webdriver`]). They speak nothing else, and a client library would be more code than this.

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

/// One WebDriver command (`GET`, `POST` with a JSON body, or `DELETE`). ChromeDriver answers
/// HTTP/1.1 only, with a `Content-Length`, and keeps the connection open after it.
pub async fn webdriver(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<(u16, String)> {
    let body = body.map(ToString::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut received = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = stream.read(&mut buffer).await?;
        received.extend_from_slice(&buffer[..read]);
        if let Some((code, body)) = complete(&received)? {
            return Ok((code, body));
        }
        anyhow::ensure!(read > 0, "the connection closed mid-answer");
    }
}

/// The status and body once `received` holds the whole answer (by its `Content-Length`).
fn complete(received: &[u8]) -> Result<Option<(u16, String)>> {
    let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&received[..end])?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .context("no Content-Length")?;
    let body = &received[end + 4..];
    if body.len() < length {
        return Ok(None);
    }
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .with_context(|| format!("no status in {head:?}"))?;
    Ok(Some((code, String::from_utf8(body[..length].to_vec())?)))
}
