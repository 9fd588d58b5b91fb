//! A stand-in for Karmada's aggregated cluster proxy: serves
//! `/apis/cluster.karmada.io/v1alpha1/clusters/<name>/proxy/<path>` on plain HTTP on loopback and
//! forwards `<path>` (with its query, so watches work) to member `<name>`. A real Karmada serves
//! this from karmada-aggregated-apiserver, which has no CRD equivalent; tests that exercise the
//! operator's ClusterProxy mode point it here.

use anyhow::Result;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const PREFIX: &str = "/apis/cluster.karmada.io/v1alpha1/clusters/";

type ProxyBody = http_body_util::combinators::UnsyncBoxBody<
    hyper::body::Bytes,
    Box<dyn std::error::Error + Send + Sync>,
>;

/// The running proxy; stops when dropped.
pub struct ClusterProxy {
    url: String,
    task: JoinHandle<()>,
    hanging: Arc<Mutex<Vec<String>>>,
}

impl Drop for ClusterProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ClusterProxy {
    /// Serves the given members (name → admin client of the member).
    pub async fn start(members: HashMap<String, kube::Client>) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let members = Arc::new(members);
        let hanging: Arc<Mutex<Vec<String>>> = Arc::default();
        let hang = hanging.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (members, hang) = (members.clone(), hang.clone());
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request| forward(members.clone(), hang.clone(), request));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { url, task, hanging })
    }

    /// From now on, requests to a member whose path starts with `prefix` (e.g.
    /// `/apis/metrics.k8s.io/`) are accepted and never answered, as an aggregated API whose
    /// backend hangs would be; everything else is still forwarded.
    pub fn hang(&self, prefix: &str) {
        if let Ok(mut hanging) = self.hanging.lock() {
            hanging.push(prefix.to_owned());
        }
    }

    /// `http://127.0.0.1:<port>`: the base URL to give the operator.
    pub fn url(&self) -> &str {
        &self.url
    }
}

async fn forward(
    members: Arc<HashMap<String, kube::Client>>,
    hanging: Arc<Mutex<Vec<String>>>,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, std::convert::Infallible> {
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let Some((cluster, rest)) = path_and_query
        .strip_prefix(PREFIX)
        .and_then(|p| p.split_once("/proxy"))
    else {
        return Ok(text(StatusCode::NOT_FOUND, "not a cluster proxy path"));
    };
    let hangs = hanging
        .lock()
        .is_ok_and(|prefixes| prefixes.iter().any(|p| rest.starts_with(p.as_str())));
    if hangs {
        std::future::pending::<()>().await;
    }
    let Some(client) = members.get(cluster) else {
        return Ok(text(
            StatusCode::NOT_FOUND,
            &format!("no cluster {cluster}"),
        ));
    };
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(err) => return Ok(text(StatusCode::BAD_REQUEST, &err.to_string())),
    };
    let mut upstream = http::Request::builder()
        .method(parts.method)
        .uri(if rest.is_empty() { "/" } else { rest });
    for (name, value) in parts
        .headers
        .iter()
        .filter(|(n, _)| *n == http::header::ACCEPT || *n == http::header::CONTENT_TYPE)
    {
        upstream = upstream.header(name, value);
    }
    let Ok(upstream) = upstream.body(kube::client::Body::from(body)) else {
        return Ok(text(StatusCode::BAD_REQUEST, "bad request"));
    };
    match client.send(upstream).await {
        Ok(response) => Ok(response.map(|b| {
            b.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
                .boxed_unsync()
        })),
        Err(err) => Ok(text(StatusCode::BAD_GATEWAY, &err.to_string())),
    }
}

fn text(status: StatusCode, message: &str) -> Response<ProxyBody> {
    let body = http_body_util::Full::new(hyper::body::Bytes::from(message.to_string()))
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
}
