//! A member's list-and-watch, in place of kube-runtime's watcher.
//!
//! It keeps that watcher's contract: the same [`Event`]s and [`watcher::Error`]s, the same
//! requests (pages of 500 at the most recent version, then a watch with bookmarks from the
//! list's resourceVersion), a new watch when one ends and a relist after `410 Gone`. What it
//! changes is the member's first sync, which is most of the bytes an operator ever receives:
//! - a list's next page is asked for as soon as the head of the current one names it, and each
//!   page is decoded by a task of its own (`pages`): the member's server sends, the operator
//!   decodes and the index takes the objects all at once, where kube-runtime's watcher does
//!   each in turn;
//! - pages and watch lines are decoded straight from their bytes (`lines`): kube's client
//!   copies each into a `String` and checks that all of it is UTF-8 before decoding it.

mod lines;
mod pages;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt, stream};
use kube::Client;
use kube::api::{ListParams, WatchParams};
use kube::client::Body;
use kube::core::{Request, Status, WatchEvent};
use kube::runtime::watcher::{self, Event};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Objects per list page, as kube-runtime's watcher and client-go's pager ask.
const PAGE_SIZE: u32 = 500;
/// How long a watch may stay silent before it counts as dead and is opened again: the
/// server's own watch timeout (290 s, kube's default `timeoutSeconds`) and a margin.
const IDLE_TIMEOUT: Duration = Duration::from_secs(290 + 5);

/// What a member is asked to send of each object.
#[derive(Clone, Copy, Debug)]
pub enum Wire {
    /// The whole object.
    Objects,
    /// Only its metadata (`PartialObjectMetadata`): for kinds read for their owner references.
    Metadata,
}

/// Where one kind is listed and watched.
#[derive(Clone)]
struct Target {
    client: Client,
    request: Request,
    wire: Wire,
}

impl Target {
    fn list(&self, continue_token: Option<String>) -> Result<http::Request<Vec<u8>>, kube::Error> {
        let params = ListParams {
            limit: Some(PAGE_SIZE),
            continue_token,
            ..ListParams::default()
        };
        let request = match self.wire {
            Wire::Objects => self.request.list(&params),
            Wire::Metadata => self.request.list_metadata(&params),
        };
        request.map_err(kube::Error::BuildRequest)
    }

    fn watch(&self, resource_version: &str) -> Result<http::Request<Vec<u8>>, kube::Error> {
        // Bookmarks on, as by default: a quiet kind still moves its version on.
        let params = WatchParams::default();
        let request = match self.wire {
            Wire::Objects => self.request.watch(&params, resource_version),
            Wire::Metadata => self.request.watch_metadata(&params, resource_version),
        };
        request.map_err(kube::Error::BuildRequest)
    }

    /// Sends `request`; an answer that is not a success becomes the error kube's client makes
    /// of it (the `Status` the server sent, or one made of its text).
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Body>, kube::Error> {
        let response = self.client.send(request.map(Body::from)).await?;
        let code = response.status();
        if !(code.is_client_error() || code.is_server_error()) {
            return Ok(response);
        }
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await?
            .to_bytes();
        let status = serde_json::from_slice::<Status>(&body).unwrap_or_else(|_| {
            let text = String::from_utf8_lossy(&body);
            Status::failure(text.trim(), "Failed to parse error data").with_code(code.as_u16())
        });
        Err(kube::Error::Api(status.boxed()))
    }
}

/// Lists and watches every object of kind `K` in the member, as kube-runtime's `watcher` does.
pub fn list_watch<K>(
    client: Client,
    wire: Wire,
) -> impl Stream<Item = Result<Event<K>, watcher::Error>> + Send + use<K>
where
    K: Resource + DeserializeOwned + Clone + Send + 'static,
    K::DynamicType: Default,
{
    let target = Target {
        client,
        request: Request::new(K::url_path(&K::DynamicType::default(), None)),
        wire,
    };
    stream::unfold((target, State::Empty), |(target, state)| async move {
        let (event, state) = step(&target, state).await;
        Some((event, (target, state)))
    })
}

enum State<K: Clone> {
    /// Nothing listed: the next step starts a list.
    Empty,
    Listing {
        pages: pages::Pages<K>,
        objects: std::vec::IntoIter<K>,
        /// The list's resourceVersion, once its last page came.
        listed_at: Option<String>,
    },
    /// Listed or watched up to `resource_version`; the next step opens a watch from there.
    Listed { resource_version: String },
    Watching {
        resource_version: String,
        events: BoxStream<'static, Result<WatchEvent<K>, kube::Error>>,
    },
}

/// Advances until there is something to tell: an event or an error.
async fn step<K>(
    target: &Target,
    mut state: State<K>,
) -> (Result<Event<K>, watcher::Error>, State<K>)
where
    K: Resource + DeserializeOwned + Clone + Send + 'static,
{
    loop {
        state = match state {
            State::Empty => {
                let listing = State::Listing {
                    pages: pages::Pages::list(target.clone()),
                    objects: Vec::new().into_iter(),
                    listed_at: None,
                };
                return (Ok(Event::Init), listing);
            }
            State::Listing {
                pages,
                objects,
                listed_at,
            } => match listing(pages, objects, listed_at).await {
                (Some(told), state) => return (told, state),
                (None, state) => state,
            },
            State::Listed { resource_version } => match open_watch(target, &resource_version).await
            {
                Ok(events) => State::Watching {
                    resource_version,
                    events,
                },
                Err(err) => {
                    return (
                        Err(watcher::Error::WatchStartFailed(err)),
                        State::Listed { resource_version },
                    );
                }
            },
            State::Watching {
                resource_version,
                mut events,
            } => {
                let next = tokio::time::timeout(IDLE_TIMEOUT, events.next())
                    .await
                    .ok()
                    .flatten();
                match watched(next, resource_version, events) {
                    (Some(told), state) => return (told, state),
                    (None, state) => state,
                }
            }
        };
    }
}

/// One step of a list: its next object, its end, or its next page.
async fn listing<K>(
    mut pages: pages::Pages<K>,
    mut objects: std::vec::IntoIter<K>,
    listed_at: Option<String>,
) -> (Told<K>, State<K>)
where
    K: DeserializeOwned + Clone + Send + 'static,
{
    if let Some(object) = objects.next() {
        let state = State::Listing {
            pages,
            objects,
            listed_at,
        };
        return (Some(Ok(Event::InitApply(object))), state);
    }
    if let Some(resource_version) = listed_at {
        return (
            Some(Ok(Event::InitDone)),
            State::Listed { resource_version },
        );
    }
    let page = match pages.next().await {
        Some(Ok(page)) => page,
        Some(Err(err)) => {
            return (
                Some(Err(watcher::Error::InitialListFailed(err))),
                State::Empty,
            );
        }
        // The list's task ended before its last page: it panicked. List again.
        None => return (None, State::Empty),
    };
    // The last page's version is where the watch starts: a list without one cannot be watched.
    let listed_at = match (page.continue_token, page.resource_version) {
        (Some(_), _) => None,
        (None, Some(version)) => Some(version),
        (None, None) => return (Some(Err(watcher::Error::NoResourceVersion)), State::Empty),
    };
    let state = State::Listing {
        pages,
        objects: page.items.into_iter(),
        listed_at,
    };
    (None, state)
}

async fn open_watch<K>(
    target: &Target,
    resource_version: &str,
) -> Result<BoxStream<'static, Result<WatchEvent<K>, kube::Error>>, kube::Error>
where
    K: DeserializeOwned + Clone + Send + 'static,
{
    let mut request = target.watch(resource_version)?;
    // As kube's client does: a watch is one long answer, never compressed.
    request.headers_mut().insert(
        http::header::ACCEPT_ENCODING,
        http::HeaderValue::from_static("identity"),
    );
    let response = target.send(request).await?;
    let chunks = http_body_util::BodyExt::into_data_stream(response.into_body());
    Ok(lines::watch_events(chunks).boxed())
}

type Told<K> = Option<Result<Event<K>, watcher::Error>>;

/// What one item of a watch (`None`: it ended or stayed silent too long) tells, and the state
/// after it.
fn watched<K>(
    next: Option<Result<WatchEvent<K>, kube::Error>>,
    resource_version: String,
    events: BoxStream<'static, Result<WatchEvent<K>, kube::Error>>,
) -> (Told<K>, State<K>)
where
    K: Resource + Clone,
{
    let no_version = || (Some(Err(watcher::Error::NoResourceVersion)), State::Empty);
    let (told, resource_version) = match next {
        None => return (None, State::Listed { resource_version }),
        Some(Ok(WatchEvent::Added(object) | WatchEvent::Modified(object))) => {
            let Some(version) = version_of(&object) else {
                return no_version();
            };
            (Some(Ok(Event::Apply(object))), version)
        }
        Some(Ok(WatchEvent::Deleted(object))) => {
            let Some(version) = version_of(&object) else {
                return no_version();
            };
            (Some(Ok(Event::Delete(object))), version)
        }
        Some(Ok(WatchEvent::Bookmark(bookmark))) => (None, bookmark.metadata.resource_version),
        // The version is too old to watch from: list again.
        Some(Ok(WatchEvent::Error(status))) if status.code == 410 => {
            return (Some(Err(watcher::Error::WatchError(status))), State::Empty);
        }
        Some(Ok(WatchEvent::Error(status))) => (
            Some(Err(watcher::Error::WatchError(status))),
            resource_version,
        ),
        Some(Err(err)) => (
            Some(Err(watcher::Error::WatchFailed(err))),
            resource_version,
        ),
    };
    (
        told,
        State::Watching {
            resource_version,
            events,
        },
    )
}

fn version_of<K: Resource>(object: &K) -> Option<String> {
    object
        .resource_version()
        .filter(|version| !version.is_empty())
}

#[cfg(test)]
mod tests;
