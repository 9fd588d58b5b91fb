//! The admin HTTP server: `/metrics` (Prometheus text); `/livez`, failing while a controller has
//! had work queued for longer than `--wedged-after` without starting a reconcile; `/readyz`,
//! ready once the hub caches are synced and while no hub watch has been failing for longer than
//! `--hub-unready-after` (see `health`). Plain hyper: three read-only routes need no framework.
//! It exposes no Secret data: only counts, names of clusters, kinds and states.

use crate::context::Context;
use crate::gauges;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;

/// Binds `address` (failing at start-up, with a clear error, if it is taken).
pub async fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
    let listener = TcpListener::bind(address).await?;
    tracing::info!(address = %listener.local_addr()?, "admin server listening (/metrics, /livez, /readyz)");
    Ok(listener)
}

/// Serves until the task is dropped.
pub async fn serve(listener: TcpListener, ctx: Arc<Context>) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                tracing::warn!(error = %err, "admin server: accept failed");
                continue;
            }
        };
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let ctx = ctx.clone();
                async move { Ok::<_, std::convert::Infallible>(route(&ctx, &request)) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "admin server: connection ended");
            }
        });
    }
}

fn route(ctx: &Context, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    if request.method() != Method::GET {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET\n".into());
    }
    match request.uri().path() {
        "/metrics" => {
            gauges::refresh(&ctx.metrics.state, ctx);
            let mut response = text(StatusCode::OK, ctx.metrics.render());
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            response
        }
        "/livez" => match ctx.health.wedged(Instant::now()) {
            None => text(StatusCode::OK, "ok\n".into()),
            Some(why) => text(StatusCode::SERVICE_UNAVAILABLE, why),
        },
        "/readyz" => readyz(ctx),
        _ => text(StatusCode::NOT_FOUND, "not found\n".into()),
    }
}

/// Ready once the caches are synced, unless a hub watch has been failing for too long; the
/// body says why not.
fn readyz(ctx: &Context) -> Response<Full<Bytes>> {
    let failing = ctx.health.unready(Instant::now());
    match (ctx.readiness.is_ready(), failing) {
        (true, None) => text(StatusCode::OK, "ok\n".into()),
        (true, Some(why)) => text(StatusCode::SERVICE_UNAVAILABLE, why),
        (false, why) => text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("hub caches not synced yet\n{}", why.unwrap_or_default()),
        ),
    }
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
}
