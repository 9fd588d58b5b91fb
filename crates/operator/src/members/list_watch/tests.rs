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
