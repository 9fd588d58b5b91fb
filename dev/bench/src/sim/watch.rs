//! WATCH of one resource of a simulated member: the events after the requested
//! resourceVersion, then new ones as churn makes them, one JSON line each (chunked), bookmarks
//! when asked for, and the end after `timeoutSeconds`. A resourceVersion older than the kept
//! history gets the API server's answer: an `ERROR` event with a 410 `Status`, then the end.

use super::render::{self, Body, Resource};
use super::state::{Gone, Member};
use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Starts the watch in a task of its own; the response body it feeds. The task ends when the
/// timeout passes or the client goes away.
pub fn stream(
    member: Arc<Member>,
    resource: Resource,
    from: Option<u64>,
    bookmarks: Option<Duration>,
    timeout: Duration,
) -> Body {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    tokio::spawn(async move {
        let _open = (resource == Resource::Pods).then(|| Open::new(&member));
        let ends = Instant::now() + timeout;
        tokio::select! {
            () = feed(&tx, &member, resource, from, bookmarks) => {}
            () = tokio::time::sleep_until(ends) => {}
            () = tx.closed() => {}
        }
    });
    let frames = futures::stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((Ok::<_, Infallible>(Frame::data(chunk)), rx))
    });
    StreamBody::new(frames).boxed()
}

/// Sends events until the client is gone or the history no longer reaches back far enough.
async fn feed(
    tx: &mpsc::Sender<Bytes>,
    member: &Member,
    resource: Resource,
    from: Option<u64>,
    bookmarks: Option<Duration>,
) {
    let mut latest = member.subscribe();
    // Without a resourceVersion, a watch starts at the current one.
    let mut cursor = from.unwrap_or_else(|| member.current_rv());
    // Without bookmarks the timer is never polled; a day keeps its arithmetic in range.
    let every = bookmarks.unwrap_or(Duration::from_secs(86_400));
    let mut ticks = tokio::time::interval_at(Instant::now() + every, every);
    loop {
        let mut buf = Vec::new();
        match member.events_after(cursor) {
            Ok(events) => {
                for (event, pod) in &events {
                    // Only pods change; other watches move on without an event, as a watch of
                    // one resource skips the others' revisions.
                    if resource == Resource::Pods {
                        render::pod_event(&mut buf, member, *event, pod);
                    }
                    cursor = pod.rv;
                }
            }
            Err(Gone { oldest }) => {
                let message = format!("too old resource version: {cursor} ({oldest})");
                render::error_event(&mut buf, 410, "Expired", &message);
                let _ = tx.send(Bytes::from(buf)).await;
                return;
            }
        }
        if !buf.is_empty() && tx.send(Bytes::from(buf)).await.is_err() {
            return;
        }
        tokio::select! {
            changed = latest.changed() => if changed.is_err() { return },
            _ = ticks.tick(), if bookmarks.is_some() => {
                // At the last delivered revision: events after it may still be on their way.
                let mut buf = Vec::new();
                render::bookmark(&mut buf, resource, cursor);
                if tx.send(Bytes::from(buf)).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Counts an open pod watch for as long as it lives.
struct Open<'a>(&'a Member);

impl<'a> Open<'a> {
    fn new(member: &'a Member) -> Open<'a> {
        member.pod_watches.fetch_add(1, Ordering::Relaxed);
        Open(member)
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.pod_watches.fetch_sub(1, Ordering::Relaxed);
    }
}
