//! The HTTP side of one simulated member: a TLS listener of its own, the bearer token checked
//! on every request, LIST with `limit`/`continue` at a consistent resourceVersion, WATCH
//! (`watch.rs`), `/version`, and a 404 `Status` for everything else (metrics.k8s.io included:
//! what a member without metrics-server answers).

use super::render::{self, Body, Resource};
use super::state::{Gone, Member};
use super::watch;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// How long a client may take for its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A watch without `timeoutSeconds` ends after this long (kube-apiserver picks 30–60 min).
const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);

/// What every request of one member needs.
pub struct Context {
    pub member: Arc<Member>,
    /// `Bearer <token>`, as the Authorization header must read.
    pub authorization: String,
    pub bookmark_interval: Duration,
}

/// Accepts connections until the task is aborted; aborting it ends every connection too.
pub async fn serve(listener: TcpListener, acceptor: TlsAcceptor, context: Arc<Context>) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((tcp, _)) = listener.accept().await else {
            // Out of file descriptors and the like: wait rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let (acceptor, context) = (acceptor.clone(), context.clone());
        connections.spawn(async move {
            let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
            else {
                return;
            };
            let service = service_fn(move |request| {
                let context = context.clone();
                async move { Ok::<_, Infallible>(handle(&request, &context)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

fn handle(request: &Request<Incoming>, context: &Context) -> Response<Body> {
    let authorized = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .is_some_and(|value| value.as_bytes() == context.authorization.as_bytes());
    if !authorized {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized");
    }
    if request.method() != Method::GET {
        let message = "the simulated member only serves reads";
        return error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", message);
    }
    let path = request.uri().path();
    if path == "/version" {
        return json(Bytes::from_static(VERSION.as_bytes()));
    }
    let Some(resource) = Resource::from_path(path) else {
        let message = format!("the server could not find the requested resource ({path})");
        return error(StatusCode::NOT_FOUND, "NotFound", &message);
    };
    let query = Query::parse(request.uri().query().unwrap_or(""));
    if query.watch {
        let timeout = query.timeout.unwrap_or(DEFAULT_WATCH_TIMEOUT);
        let bookmarks = query.bookmarks.then_some(context.bookmark_interval);
        let from = query.resource_version.filter(|rv| *rv != 0);
        let body = watch::stream(context.member.clone(), resource, from, bookmarks, timeout);
        return Response::builder()
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .unwrap_or_else(|_| Response::new(empty()));
    }
    list(&context.member, resource, &query)
}

/// kube-apiserver 1.35's answer to `/version`.
const VERSION: &str = r#"{"major":"1","minor":"35","emulationMajor":"1","emulationMinor":"35","minCompatibilityMajor":"1","minCompatibilityMinor":"34","gitVersion":"v1.35.0","gitCommit":"0000000000000000000000000000000000000000","gitTreeState":"clean","buildDate":"2025-12-17T00:00:00Z","goVersion":"go1.25.5","compiler":"gc","platform":"linux/amd64"}"#;

/// One page: from the continuation's position at its resourceVersion, or from the start at
/// the current one.
fn list(member: &Member, resource: Resource, query: &Query) -> Response<Body> {
    let (at, start) = match query.continue_token.as_deref() {
        Some(token) => match parse_continue(token) {
            Some(position) => position,
            None => {
                let message = format!("invalid continue token {token:?}");
                return error(StatusCode::BAD_REQUEST, "BadRequest", &message);
            }
        },
        None => (member.current_rv(), 0),
    };
    let total = resource.len(member);
    let start = start.min(total);
    let end = query
        .limit
        .map_or(total, |limit| (start + limit.max(1)).min(total));
    let token = (end < total).then(|| format!("{at}.{end}"));
    let mut buf = Vec::with_capacity((end - start) * 8 * 1024 + 256);
    render::list_head(
        &mut buf,
        resource,
        at,
        token.as_deref().map(|t| (t, total - end)),
    );
    match resource {
        Resource::Nodes => (start..end).for_each(|i| render::node_item(&mut buf, member, i)),
        Resource::Pods => match member.pods_at(start..end, at) {
            Ok(pods) => pods
                .iter()
                .for_each(|pod| render::pod_item(&mut buf, member, pod)),
            Err(Gone { oldest }) => {
                let message = format!(
                    "The provided continue parameter is too old to display a consistent list result (resourceVersion {at} < {oldest})"
                );
                return error(StatusCode::GONE, "Expired", &message);
            }
        },
        Resource::ReplicaSets => {
            (start..end).for_each(|j| render::replica_set_item(&mut buf, member, j))
        }
        Resource::Jobs => {}
    }
    render::list_tail(&mut buf);
    json(Bytes::from(buf))
}

/// `<resourceVersion>.<next index>`: opaque to clients, like the API server's.
fn parse_continue(token: &str) -> Option<(u64, usize)> {
    let (rv, next) = token.split_once('.')?;
    Some((rv.parse().ok()?, next.parse().ok()?))
}

/// The query parameters of a LIST or WATCH that the simulation honours.
#[derive(Debug, Default)]
struct Query {
    watch: bool,
    resource_version: Option<u64>,
    limit: Option<usize>,
    continue_token: Option<String>,
    timeout: Option<Duration>,
    bookmarks: bool,
}

impl Query {
    fn parse(query: &str) -> Query {
        let mut parsed = Query::default();
        for (key, value) in query.split('&').filter_map(|pair| pair.split_once('=')) {
            match key {
                "watch" => parsed.watch = value == "true" || value == "1",
                "resourceVersion" => parsed.resource_version = value.parse().ok(),
                "limit" => parsed.limit = value.parse().ok(),
                // Our tokens are digits and a dot: nothing to percent-decode.
                "continue" if !value.is_empty() => parsed.continue_token = Some(value.to_owned()),
                "timeoutSeconds" => {
                    parsed.timeout = value.parse().ok().map(Duration::from_secs);
                }
                "allowWatchBookmarks" => parsed.bookmarks = value == "true",
                _ => {}
            }
        }
        parsed
    }
}

fn json(body: Bytes) -> Response<Body> {
    Response::builder()
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body).boxed())
        .unwrap_or_else(|_| Response::new(empty()))
}

fn error(code: StatusCode, reason: &str, message: &str) -> Response<Body> {
    let mut buf = Vec::new();
    render::status(&mut buf, code.as_u16(), reason, message);
    let mut response = json(Bytes::from(buf));
    *response.status_mut() = code;
    response
}

fn empty() -> Body {
    Full::new(Bytes::new()).boxed()
}
