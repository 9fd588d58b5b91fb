use super::lines::watch_events;
use super::pages::continue_token_in_head;
use super::*;
use bytes::Bytes;
use k8s_openapi::api::core::v1::ConfigMap;

fn chunks(
    parts: &[&str],
) -> impl Stream<Item = Result<Bytes, kube::Error>> + Send + Unpin + 'static {
    let parts: Vec<_> = parts
        .iter()
        .map(|p| Ok(Bytes::from(p.to_string())))
        .collect();
    stream::iter(parts)
}

fn added(name: &str, version: &str) -> String {
    format!(
        r#"{{"type":"ADDED","object":{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}","resourceVersion":"{version}"}}}}}}"#
    )
}

async fn names(parts: &[&str]) -> Vec<Result<String, String>> {
    watch_events::<ConfigMap, _>(chunks(parts))
        .map(|event| match event {
            Ok(WatchEvent::Added(object)) => Ok(object.name_any()),
            Ok(other) => Err(format!("{other:?}")),
            Err(err) => Err(err.to_string()),
        })
        .collect()
        .await
}

#[tokio::test]
async fn lines_split_anywhere_across_chunks_decode_as_sent() {
    let stream = format!(
        "{}\n\n{}\n{}",
        added("a", "1"),
        added("b", "2"),
        added("c", "3")
    );
    // Every split point of the answer into two chunks, and one byte a chunk.
    for at in 0..=stream.len() {
        let got = names(&[&stream[..at], &stream[at..]]).await;
        assert_eq!(
            got,
            [Ok("a".into()), Ok("b".into()), Ok("c".into())],
            "split at {at}"
        );
    }
    let bytes: Vec<String> = stream.chars().map(String::from).collect();
    let bytes: Vec<&str> = bytes.iter().map(String::as_str).collect();
    assert_eq!(names(&bytes).await.len(), 3);
}

#[tokio::test]
async fn a_status_line_is_the_servers_error_and_garbage_a_decoding_error() {
    let status = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}"#;
    let got = watch_events::<ConfigMap, _>(chunks(&[&format!("{status}\nnot json\n")]))
        .collect::<Vec<_>>()
        .await;
    assert!(
        matches!(&got[0], Err(kube::Error::Api(s)) if s.code == 410),
        "{got:?}"
    );
    assert!(
        matches!(&got[1], Err(kube::Error::SerdeError(_))),
        "{got:?}"
    );
    assert_eq!(got.len(), 2);
}

#[tokio::test]
async fn a_last_line_cut_short_is_dropped_as_kubes_client_drops_it() {
    let cut = &added("b", "2")[..20];
    let got = watch_events::<ConfigMap, _>(chunks(&[&format!("{}\n{cut}", added("a", "1"))]))
        .collect::<Vec<_>>()
        .await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].is_ok(), "{got:?}");
}

#[tokio::test]
async fn an_error_in_the_answer_ends_the_events() {
    let parts = vec![
        Ok(Bytes::from(format!("{}\n", added("a", "1")))),
        Err(kube::Error::Service("connection reset".into())),
        Ok(Bytes::from(format!("{}\n", added("b", "2")))),
    ];
    let got = watch_events::<ConfigMap, _>(stream::iter(parts))
        .collect::<Vec<_>>()
        .await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(matches!(&got[1], Err(kube::Error::Service(_))));
}

fn config_map(version: &str) -> ConfigMap {
    let mut object = ConfigMap::default();
    object.metadata.name = Some("a".into());
    object.metadata.resource_version = Some(version.into());
    object
}

fn watched_once(
    next: Option<Result<WatchEvent<ConfigMap>, kube::Error>>,
) -> (Told<ConfigMap>, State<ConfigMap>) {
    watched(next, "5".into(), stream::empty().boxed())
}

fn watching_at(state: &State<ConfigMap>) -> Option<&str> {
    match state {
        State::Watching {
            resource_version, ..
        } => Some(resource_version),
        _ => None,
    }
}

#[test]
fn a_watched_object_moves_the_version_on_and_a_bookmark_tells_nothing() {
    let (told, state) = watched_once(Some(Ok(WatchEvent::Modified(config_map("7")))));
    assert!(matches!(told, Some(Ok(Event::Apply(_)))));
    assert_eq!(watching_at(&state), Some("7"));

    let (told, state) = watched_once(Some(Ok(WatchEvent::Deleted(config_map("8")))));
    assert!(matches!(told, Some(Ok(Event::Delete(_)))));
    assert_eq!(watching_at(&state), Some("8"));

    let bookmark = serde_json::from_str(
        r#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"9"}}}"#,
    )
    .unwrap();
    let (told, state) = watched_once(Some(Ok(bookmark)));
    assert!(told.is_none());
    assert_eq!(watching_at(&state), Some("9"));
}

#[test]
fn gone_lists_again_and_other_errors_keep_watching() {
    let status = |code| Status::failure("x", "y").with_code(code).boxed();
    let (told, state) = watched_once(Some(Ok(WatchEvent::Error(status(410)))));
    assert!(matches!(told, Some(Err(watcher::Error::WatchError(_)))));
    assert!(matches!(state, State::Empty));

    let (told, state) = watched_once(Some(Ok(WatchEvent::Error(status(500)))));
    assert!(matches!(told, Some(Err(watcher::Error::WatchError(_)))));
    assert_eq!(watching_at(&state), Some("5"));

    let failed = Some(Err(kube::Error::Service("reset".into())));
    let (told, state) = watched_once(failed);
    assert!(matches!(told, Some(Err(watcher::Error::WatchFailed(_)))));
    assert_eq!(watching_at(&state), Some("5"));
}

#[test]
fn an_ended_watch_is_opened_again_and_an_object_without_a_version_relists() {
    let (told, state) = watched_once(None);
    assert!(told.is_none());
    assert!(matches!(state, State::Listed { resource_version } if resource_version == "5"));

    let (told, state) = watched_once(Some(Ok(WatchEvent::Added(config_map("")))));
    assert!(matches!(told, Some(Err(watcher::Error::NoResourceVersion))));
    assert!(matches!(state, State::Empty));
}

#[test]
fn the_continue_token_is_read_from_the_head_of_the_page() {
    let page = br#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"abc123"},"items":[]}"#;
    assert_eq!(continue_token_in_head(page).as_deref(), Some("abc123"));
    let last =
        br#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}"#;
    assert_eq!(continue_token_in_head(last), None);
    let empty = br#"{"metadata":{"continue":""},"items":[]}"#;
    assert_eq!(continue_token_in_head(empty), None);
    let escaped = br#"{"metadata":{"continue":"a\u003db"},"items":[]}"#;
    assert_eq!(continue_token_in_head(escaped), None);
}

#[tokio::test]
async fn requests_are_the_ones_kube_runtimes_watcher_sends() {
    let client_free = |wire| Target {
        client: kube::Client::new(
            tower::service_fn(|_| async {
                Err::<http::Response<Body>, kube::Error>(kube::Error::Service("unused".into()))
            }),
            "default",
        ),
        request: Request::new("/api/v1/pods"),
        wire,
    };
    let target = client_free(Wire::Objects);
    let first = target.list(None).unwrap();
    assert_eq!(first.uri(), "/api/v1/pods?&limit=500");
    let next = target.list(Some("t0k".into())).unwrap();
    assert_eq!(next.uri(), "/api/v1/pods?&limit=500&continue=t0k");
    let watch = target.watch("42").unwrap();
    assert_eq!(
        watch.uri(),
        "/api/v1/pods?&watch=true&timeoutSeconds=290&allowWatchBookmarks=true&resourceVersion=42"
    );
    let metadata = client_free(Wire::Metadata).list(None).unwrap();
    let accept = metadata.headers()[http::header::ACCEPT].to_str().unwrap();
    assert!(accept.contains("as=PartialObjectMetadataList"), "{accept}");
}

/// A member in memory: list pages by their `continue` token, and watch answers by the
/// resourceVersion they start from. Records every request's query in order.
struct FakeMember {
    pages: Vec<(&'static str, String)>,
    watches: Vec<(&'static str, String)>,
    asked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakeMember {
    fn new(pages: Vec<(&'static str, String)>, watches: Vec<(&'static str, String)>) -> Self {
        FakeMember {
            pages,
            watches,
            asked: Default::default(),
        }
    }

    fn client(self) -> (Client, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let asked = self.asked.clone();
        let member = std::sync::Arc::new(self);
        let service = tower::service_fn(move |request: http::Request<Body>| {
            let member = member.clone();
            async move { Ok::<_, kube::Error>(member.answer(&request)) }
        });
        (Client::new(service, "default"), asked)
    }

    fn answer(&self, request: &http::Request<Body>) -> http::Response<Body> {
        // Values as sent, still percent-encoded.
        let query = request.uri().query().unwrap_or_default();
        let value = |key: &str| {
            let pairs = query.split('&').filter_map(|pair| pair.split_once('='));
            let found = pairs.into_iter().find(|(k, _)| *k == key);
            found.map(|(_, v)| v.to_owned()).unwrap_or_default()
        };
        let (kind, key, answers) = match value("watch").as_str() {
            "true" => ("watch", value("resourceVersion"), &self.watches),
            _ => ("list", value("continue"), &self.pages),
        };
        self.asked.lock().unwrap().push(format!("{kind} {key}"));
        match answers.iter().find(|(k, _)| *k == key) {
            Some((_, body)) => http::Response::new(Body::from(body.clone().into_bytes())),
            None => {
                let status = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"boom","code":500}"#;
                let mut response = http::Response::new(Body::from(status.as_bytes().to_vec()));
                *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
                response
            }
        }
    }
}

fn page(names: &[&str], continue_token: &str, version: &str) -> String {
    let items: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"metadata":{{"name":"{n}","resourceVersion":"{version}"}}}}"#))
        .collect();
    format!(
        r#"{{"kind":"ConfigMapList","apiVersion":"v1","metadata":{{"resourceVersion":"{version}","continue":"{continue_token}"}},"items":[{}]}}"#,
        items.join(",")
    )
}

fn asked(log: &std::sync::Mutex<Vec<String>>) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[tokio::test]
async fn every_page_is_asked_for_before_the_one_before_is_taken() {
    let member = FakeMember::new(
        vec![
            ("", page(&["a"], "p2", "7")),
            ("p2", page(&["b"], "p3", "7")),
            ("p3", page(&["c"], "", "9")),
        ],
        vec![],
    );
    let (client, log) = member.client();
    let target = Target {
        client,
        request: Request::new("/api/v1/configmaps"),
        wire: Wire::Objects,
    };
    let mut pages = pages::Pages::<ConfigMap>::list(target);
    // Nothing taken yet: one page waits decoded, the list's task holds the next, and the last
    // was asked for ahead.
    tokio::time::timeout(Duration::from_secs(5), async {
        while asked(&log).len() < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("every page asked for before any was taken");
    assert_eq!(asked(&log), ["list ", "list p2", "list p3"]);
    let mut names = Vec::new();
    let mut last = None;
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        names.extend(page.items.iter().map(|o| o.name_any()));
        last = Some((page.continue_token, page.resource_version));
    }
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(last, Some((None, Some("9".into()))));
    assert_eq!(asked(&log).len(), 3, "no page asked for twice");
}

#[tokio::test]
async fn an_escaped_token_is_followed_as_decoded() {
    let escaped = page(&["a"], r"p\u003d2", "7");
    let member = FakeMember::new(
        vec![("", escaped), ("p%3D2", page(&["b"], "", "8"))],
        vec![],
    );
    let (client, log) = member.client();
    let events: Vec<_> = list_watch::<ConfigMap>(client, Wire::Objects)
        .take(4)
        .collect()
        .await;
    assert!(matches!(events[3], Ok(Event::InitDone)), "{events:?}");
    assert_eq!(asked(&log), ["list ", "list p%3D2"]);
}

/// The first `n` things a list-and-watch of `client` tells, in short.
async fn first_told(client: Client, n: usize) -> Vec<String> {
    list_watch::<ConfigMap>(client, Wire::Objects)
        .take(n)
        .map(|event| told(&event))
        .collect()
        .await
}

/// What a stream of events says, in short.
fn told(event: &Result<Event<ConfigMap>, watcher::Error>) -> String {
    match event {
        Ok(Event::Init) => "init".into(),
        Ok(Event::InitApply(o)) => format!("init-apply {}", o.name_any()),
        Ok(Event::InitDone) => "init-done".into(),
        Ok(Event::Apply(o)) => format!("apply {}", o.name_any()),
        Ok(Event::Delete(o)) => format!("delete {}", o.name_any()),
        Err(watcher::Error::WatchError(status)) => format!("watch error {}", status.code),
        Err(watcher::Error::InitialListFailed(kube::Error::Api(status))) => {
            format!("list failed {}", status.code)
        }
        Err(other) => format!("{other}"),
    }
}

#[tokio::test]
async fn lists_then_watches_from_the_version_reached_and_relists_when_it_is_gone() {
    let bookmark = r#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"11"}}}"#;
    let gone = r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}}"#;
    let member = FakeMember::new(
        vec![("", page(&["a", "b"], "", "9"))],
        vec![
            ("9", format!("{}\n{bookmark}\n", added("d", "10"))),
            ("11", format!("{gone}\n")),
        ],
    );
    let (client, log) = member.client();
    let events = first_told(client, 8).await;
    assert_eq!(
        events,
        [
            "init",
            "init-apply a",
            "init-apply b",
            "init-done",
            "apply d",
            "watch error 410",
            "init",
            "init-apply a",
        ]
    );
    assert_eq!(asked(&log)[..4], ["list ", "watch 9", "watch 11", "list "]);
}

#[tokio::test]
async fn a_failed_page_fails_the_list_with_the_members_status() {
    let member = FakeMember::new(vec![("", page(&["a"], "p2", "7"))], vec![]);
    let (client, _log) = member.client();
    let events = first_told(client, 4).await;
    // The first page's objects are told; the list then fails and starts again.
    assert_eq!(events, ["init", "init-apply a", "list failed 500", "init"]);
}
