//! Asks a member for the next page of a list while the current one is being decoded.
//!
//! kube-runtime's watcher lists a page, receives all of it, decodes it and hands out its
//! objects, and only then asks for the next page: the member's server and the operator never
//! work at the same time, so a member's first list takes its transfer time plus its decode time.
//! This layer, outermost on a member's client, sees each list page go by: when the page names a
//! next one (`metadata.continue`), it sends the request for that page at once, while the
//! watcher decodes this one, and hands the answer over when the watcher asks for exactly that
//! page. Anything else (a watch, another page, an error, a page not asked for) goes through
//! untouched; at most one page per resource path is fetched ahead, and it goes through the same
//! stack (auth, timeouts) as every request.

use bytes::Bytes;
use futures::future::BoxFuture;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use kube::client::Body;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio_util::task::AbortOnDropHandle;
use tower::{Layer, Service, ServiceExt};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type PageBody = UnsyncBoxBody<Bytes, BoxError>;

/// How far into a page its `metadata.continue` is looked for: the API server writes `kind`,
/// `apiVersion` and `metadata` before `items`.
const HEAD: usize = 4096;
/// Query parameters a continued page does not repeat (kube sends them on the first page only).
const FIRST_PAGE_ONLY: [&str; 2] = ["resourceVersion", "resourceVersionMatch"];

#[derive(Clone, Default)]
pub struct PrefetchPagesLayer;

impl<S> Layer<S> for PrefetchPagesLayer {
    type Service = PrefetchPages<S>;

    fn layer(&self, inner: S) -> PrefetchPages<S> {
        PrefetchPages {
            inner,
            ahead: Arc::default(),
        }
    }
}

#[derive(Clone)]
pub struct PrefetchPages<S> {
    inner: S,
    /// Per resource path, the page being fetched ahead.
    ahead: Arc<Mutex<HashMap<String, Ahead>>>,
}

/// A page asked for before the watcher asked.
struct Ahead {
    /// The query the watcher's request for it will carry, sorted.
    query: Vec<(String, String)>,
    page: AbortOnDropHandle<Option<Page>>,
}

/// A list page received whole.
struct Page {
    parts: http::response::Parts,
    body: Bytes,
}

impl<S, B> Service<Request<Body>> for PrefetchPages<S>
where
    S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<PageBody>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<PageBody>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let Some(list) = ListRequest::of(&request) else {
            let call = self.inner.call(request);
            return Box::pin(async move { Ok(call.await.map_err(Into::into)?.map(boxed)) });
        };
        let ahead = crate::context::lock(&self.ahead).remove(&list.path);
        // Swap in a ready clone for this call, keeping the polled service (tower's rule).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let ahead_map = self.ahead.clone();
        Box::pin(async move {
            let fetched = match ahead {
                Some(mut ahead) if ahead.query == list.query => {
                    (&mut ahead.page).await.ok().flatten()
                }
                _ => None,
            };
            let page = match fetched {
                Some(page) => page,
                None => match fetch(inner.clone(), request).await? {
                    Fetched::Page(page) => page,
                    Fetched::Other(response) => return Ok(response),
                },
            };
            if let Some(token) = continue_token(&page.body) {
                let next = list.next(&token);
                let query = sorted_query(next.uri().query());
                let handle = tokio::spawn(async move {
                    match fetch(inner, next).await {
                        Ok(Fetched::Page(page)) => Some(page),
                        _ => None,
                    }
                });
                let ahead = Ahead {
                    query,
                    page: AbortOnDropHandle::new(handle),
                };
                crate::context::lock(&ahead_map).insert(list.path, ahead);
            }
            Ok(Response::from_parts(
                page.parts,
                boxed(Full::new(page.body)),
            ))
        })
    }
}

/// A list page's answer: a page received whole (200), or anything else as it came.
enum Fetched {
    Page(Page),
    Other(Response<PageBody>),
}

async fn fetch<S, B>(service: S, request: Request<Body>) -> Result<Fetched, BoxError>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let response = service.oneshot(request).await.map_err(Into::into)?;
    if response.status() != StatusCode::OK {
        return Ok(Fetched::Other(response.map(boxed)));
    }
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(Into::into)?.to_bytes();
    Ok(Fetched::Page(Page { parts, body }))
}

fn boxed<B>(body: B) -> PageBody
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    body.map_err(Into::into).boxed_unsync()
}

/// A paginated list request: a GET with `limit` that is not a watch.
struct ListRequest {
    path: String,
    query: Vec<(String, String)>,
    uri: http::Uri,
    headers: http::HeaderMap,
}

impl ListRequest {
    fn of(request: &Request<Body>) -> Option<ListRequest> {
        let query = sorted_query(request.uri().query());
        let is_list = request.method() == http::Method::GET
            && query.iter().any(|(k, _)| k == "limit")
            && !query.iter().any(|(k, _)| k == "watch");
        is_list.then(|| ListRequest {
            path: request.uri().path().to_owned(),
            query,
            uri: request.uri().clone(),
            headers: request.headers().clone(),
        })
    }

    /// The request for the page after this one: the same path, parameters and headers, with
    /// `continue` set to `token` and the first page's resourceVersion dropped, as kube sends it.
    fn next(&self, token: &str) -> Request<Body> {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.query {
            if key != "continue" && !FIRST_PAGE_ONLY.contains(&key.as_str()) {
                query.append_pair(key, value);
            }
        }
        query.append_pair("continue", token);
        let path_and_query = format!("{}?{}", self.path, query.finish());
        let mut uri = self.uri.clone().into_parts();
        uri.path_and_query = path_and_query.parse().ok();
        let uri = http::Uri::from_parts(uri).unwrap_or_else(|_| self.uri.clone());
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = uri;
        *request.headers_mut() = self.headers.clone();
        request
    }
}

fn sorted_query(query: Option<&str>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    pairs.sort();
    pairs
}

/// The page's `metadata.continue`, when its head names a next page. Continue tokens are plain
/// base64: one that holds an escape is left alone (no page is fetched ahead).
fn continue_token(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"continue\":\"";
    let head = &body[..body.len().min(HEAD)];
    let start = head.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let length = body[start..].iter().take(HEAD).position(|&b| b == b'"')?;
    let token = &body[start..start + length];
    if token.is_empty() || token.contains(&b'\\') {
        return None;
    }
    String::from_utf8(token.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A member serving two pages of pods, recording the `continue` of every request it gets.
    fn member(
        asked: Arc<Mutex<Vec<String>>>,
    ) -> impl Service<
        Request<Body>,
        Response = Response<Full<Bytes>>,
        Error = BoxError,
        Future = impl Send,
    > + Clone
    + Send {
        tower::service_fn(move |request: Request<Body>| {
            let asked = asked.clone();
            async move {
                let query = sorted_query(request.uri().query());
                let token = query.iter().find(|(k, _)| k == "continue");
                let token = token.map(|(_, v)| v.clone()).unwrap_or_default();
                crate::context::lock(&asked).push(token.clone());
                let page = match token.as_str() {
                    "" => r#"{"kind":"PodList","metadata":{"continue":"p2"},"items":[1]}"#,
                    _ => r#"{"kind":"PodList","metadata":{},"items":[2]}"#,
                };
                Ok::<_, BoxError>(Response::new(Full::new(Bytes::from(page))))
            }
        })
    }

    async fn body(response: Response<PageBody>) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_next_page_is_asked_for_before_the_watcher_asks() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let mut client = PrefetchPagesLayer.layer(member(asked.clone()));
        let first = Request::get("https://m1/api/v1/pods?limit=1&resourceVersion=0")
            .body(Body::empty())
            .unwrap();
        let first = client.ready().await.unwrap().call(first).await.unwrap();
        assert!(body(first).await.contains("[1]"));
        tokio::time::timeout(Duration::from_secs(5), async {
            while crate::context::lock(&asked).len() < 2 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("page 2 asked for ahead");
        let second = Request::get("https://m1/api/v1/pods?limit=1&continue=p2")
            .body(Body::empty())
            .unwrap();
        let second = client.ready().await.unwrap().call(second).await.unwrap();
        assert!(body(second).await.contains("[2]"));
        assert_eq!(
            *crate::context::lock(&asked),
            ["", "p2"],
            "page 2 was served from the page fetched ahead, not asked for again"
        );
    }

    #[test]
    fn the_next_page_is_asked_for_as_kube_asks() {
        let request = Request::get(
            "https://m1:6443/api/v1/pods?limit=500&resourceVersion=0&resourceVersionMatch=NotOlderThan&labelSelector=a%3Db",
        )
        .header("accept", "application/json")
        .body(Body::empty())
        .unwrap();
        let list = ListRequest::of(&request).expect("a list");
        let next = list.next("eyJ2IjoibWV0YS5rOHMuaW8vdjEi");
        assert_eq!(next.uri().path(), "/api/v1/pods");
        assert_eq!(
            sorted_query(next.uri().query()),
            vec![
                (
                    "continue".to_owned(),
                    "eyJ2IjoibWV0YS5rOHMuaW8vdjEi".to_owned()
                ),
                ("labelSelector".to_owned(), "a=b".to_owned()),
                ("limit".to_owned(), "500".to_owned()),
            ]
        );
        assert_eq!(next.headers()["accept"], "application/json");
    }

    #[test]
    fn watches_and_plain_gets_are_not_lists() {
        for uri in [
            "https://m1/api/v1/pods?watch=true&limit=500",
            "https://m1/api/v1/pods",
            "https://m1/api/v1/namespaces/a/pods/b",
        ] {
            let request = Request::get(uri).body(Body::empty()).unwrap();
            assert!(ListRequest::of(&request).is_none(), "{uri}");
        }
    }

    #[test]
    fn the_continue_token_is_read_from_the_head_of_the_page() {
        let page = br#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"abc123"},"items":[]}"#;
        assert_eq!(continue_token(page).as_deref(), Some("abc123"));
        let last = br#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}"#;
        assert_eq!(continue_token(last), None);
        let empty = br#"{"metadata":{"continue":""},"items":[]}"#;
        assert_eq!(continue_token(empty), None);
        let escaped = br#"{"metadata":{"continue":"a\u003db"},"items":[]}"#;
        assert_eq!(continue_token(escaped), None);
    }
}
