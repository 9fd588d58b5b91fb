//! The dashboard's HTTP server: the embedded page, and for each page kind a JSON view and a
//! server-sent event stream of it. Nothing else: no path reaches the API server, and the
//! browser never sees a credential.
//!
//! - `/`, `/app.js`, `/app.css`, `/favicon.svg`: the page (embedded in the binary).
//! - `/api/<page>` and `/events/<page>`, where `<page>` is `fleet`, `cluster/<name>` or
//!   `workload/<placement kind>/<namespace or ->/<name>`: the view once, or on every change.
//!
//! Requests must name this server in their `Host` header (a page of another site cannot reach
//! it through DNS rebinding), and only GET is served.

use super::live::{Changes, Live};
use super::{cluster_view, views, workload_view};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

type Body = BoxBody<Bytes, Infallible>;

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");
const ICON: &str = include_str!("assets/favicon.svg");

/// Changes that arrive within this of each other are sent once.
const SETTLE: Duration = Duration::from_millis(150);
/// A comment line this often keeps idle streams open through proxies and tells a closed tab.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Serves until the process ends. `hosts` are the `Host` header values accepted.
pub async fn serve(listener: TcpListener, live: Live, hosts: Vec<String>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (live, hosts) = (live.clone(), hosts.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let response = route(&live, &hosts, &request);
                async move { Ok::<_, Infallible>(response) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            // A closed tab ends its connection; nothing to report.
            let _ = connection.await;
        });
    }
}

fn route(live: &Live, hosts: &[String], request: &Request<Incoming>) -> Response<Body> {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    // Empty `hosts`: served beyond loopback on purpose (`--allow-remote`), under any name.
    if !hosts.is_empty() && !host.is_some_and(|h| hosts.iter().any(|a| a == h)) {
        return text(
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only to its own address\n",
        );
    }
    if request.method() != Method::GET {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET\n");
    }
    let path = request.uri().path();
    match path {
        "/" => asset(INDEX, "text/html; charset=utf-8"),
        "/app.js" => asset(SCRIPT, "text/javascript; charset=utf-8"),
        "/app.css" => asset(STYLE, "text/css; charset=utf-8"),
        "/favicon.svg" => asset(ICON, "image/svg+xml"),
        // Browsers ask for it whatever the page links; an empty answer, not an error.
        "/favicon.ico" => text(StatusCode::NO_CONTENT, ""),
        _ => {
            if let Some(page) = path.strip_prefix("/api/") {
                return match view(live, page) {
                    Some(json) => json_response(json),
                    None => text(StatusCode::NOT_FOUND, "no such page\n"),
                };
            }
            if let Some(page) = path.strip_prefix("/events/") {
                if Page::parse(page).is_none() {
                    return text(StatusCode::NOT_FOUND, "no such page\n");
                }
                return events(live.clone(), page.to_owned());
            }
            text(StatusCode::NOT_FOUND, "not found\n")
        }
    }
}

/// A page address.
enum Page<'a> {
    Fleet,
    Cluster(&'a str),
    Workload(&'a str),
}

impl<'a> Page<'a> {
    fn parse(page: &'a str) -> Option<Page<'a>> {
        match page.split_once('/') {
            None if page == "fleet" => Some(Page::Fleet),
            Some(("cluster", name)) if !name.is_empty() => Some(Page::Cluster(name)),
            Some(("workload", key)) if key.split('/').count() == 3 => Some(Page::Workload(key)),
            _ => None,
        }
    }
}

/// The page's view as JSON, with the watches' problems; `None` for an unknown page.
fn view(live: &Live, page: &str) -> Option<String> {
    let problems = live.changes().borrow().problems.clone();
    let view = match Page::parse(page)? {
        Page::Fleet => {
            let fleet = live.fleet();
            serde_json::to_value(views::fleet(
                &live.insights(),
                fleet.as_ref(),
                &live.placements(),
            ))
        }
        Page::Cluster(name) => {
            let found = live
                .insight(name)
                .map(|insight| cluster_view::cluster(&insight, &live.placements()));
            serde_json::to_value(found)
        }
        Page::Workload(key) => {
            let placements = live.placements();
            let found = placements.iter().find(|p| views::key(p) == key);
            serde_json::to_value(found.map(workload_view::workload))
        }
    };
    let view = view.unwrap_or(serde_json::Value::Null);
    Some(serde_json::json!({"view": view, "problems": problems}).to_string())
}

/// The page's view now and after every change that alters it, as server-sent events.
fn events(live: Live, page: String) -> Response<Body> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(4);
    tokio::spawn(async move {
        let mut changes = live.changes();
        let mut last = String::new();
        loop {
            if let Some(json) = view(&live, &page)
                && json != last
            {
                if sender
                    .send(Bytes::from(format!("data: {json}\n\n")))
                    .await
                    .is_err()
                {
                    return;
                }
                last = json;
            }
            if !next_change(&mut changes, &sender).await {
                return;
            }
        }
    });
    let frames = futures::stream::unfold(receiver, |mut receiver| async move {
        let chunk = receiver.recv().await?;
        Some((Ok::<_, Infallible>(Frame::data(chunk)), receiver))
    });
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Waits for the next change (sending keep-alives meanwhile) and lets a burst settle; `false`
/// once the browser has gone.
async fn next_change(
    changes: &mut watch::Receiver<Changes>,
    sender: &tokio::sync::mpsc::Sender<Bytes>,
) -> bool {
    loop {
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    return false;
                }
                tokio::time::sleep(SETTLE).await;
                changes.borrow_and_update();
                return true;
            }
            () = tokio::time::sleep(KEEPALIVE) => {
                if sender.send(Bytes::from_static(b": keep-alive\n\n")).await.is_err() {
                    return false;
                }
            }
        }
    }
}

fn asset(body: &'static str, content_type: &'static str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())).boxed());
    secure(&mut response, content_type);
    response
}

fn json_response(json: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(json)).boxed());
    secure(&mut response, "application/json");
    response
}

/// The page loads nothing from elsewhere and cannot be framed.
fn secure(response: &mut Response<Body>, content_type: &'static str) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())).boxed());
    *response.status_mut() = status;
    response
}
