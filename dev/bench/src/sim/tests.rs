//! The simulated member's protocol, checked with kube's own client and watcher over TLS:
//! pagination, watch semantics, 410 Gone, bookmarks, and the token.

use super::{Sim, SimOptions};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams, WatchEvent, WatchParams};
use kube::core::PartialObjectMeta;
use kube::runtime::watcher;
use std::collections::BTreeSet;

fn options(members: usize, nodes: usize, pods: usize) -> SimOptions {
    SimOptions {
        seed: 3,
        members,
        nodes,
        pods,
        bookmark_seconds: 1,
        history: 100,
    }
}

fn client(sim: &Sim, index: usize, token: Option<&str>) -> kube::Client {
    sim.endpoints.client_with(index, token).unwrap()
}

fn member(sim: &Sim, index: usize) -> kube::Client {
    sim.endpoints.client(index).unwrap()
}

/// Every item of a paged LIST, and the list's resourceVersion of the first page.
async fn list_all<K>(api: &Api<K>, limit: u32) -> (Vec<K>, String)
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned,
{
    let mut items = Vec::new();
    let mut params = ListParams::default().limit(limit);
    let mut first_rv = None;
    loop {
        let page = api.list(&params).await.unwrap();
        first_rv.get_or_insert(page.metadata.resource_version.clone().unwrap());
        items.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return (items, first_rv.unwrap()),
        }
    }
}

#[tokio::test]
async fn pagination_lists_every_object_once_at_one_resource_version() {
    let sim = Sim::start(&options(2, 23, 157)).await.unwrap();
    let client = member(&sim, 1);
    let pods: Api<Pod> = Api::all(client.clone());
    let mut params = ListParams::default().limit(50);
    let first = pods.list(&params).await.unwrap();
    // A change after the first page does not show in the rest of this list.
    let changed = sim.change(1, 60);
    params = params.continue_token(first.metadata.continue_.as_deref().unwrap());
    let mut names: Vec<String> = first
        .items
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    let mut rvs = BTreeSet::new();
    loop {
        let page = pods.list(&params).await.unwrap();
        assert_eq!(
            page.metadata.resource_version,
            first.metadata.resource_version
        );
        for pod in &page.items {
            names.push(pod.metadata.name.clone().unwrap());
            rvs.insert(pod.metadata.resource_version.clone().unwrap());
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!((names.len(), unique.len()), (157, 157), "each pod once");
    assert!(
        !rvs.contains(&changed.to_string()),
        "the list is at its first page's RV"
    );
    let (nodes, _) = list_all(&Api::<Node>::all(client.clone()), 10).await;
    let unique: BTreeSet<String> = nodes
        .iter()
        .map(|n| n.metadata.name.clone().unwrap())
        .collect();
    assert_eq!((nodes.len(), unique.len()), (23, 23));
    // The next list sees the change.
    let (pods, _) = list_all(&pods, 1000).await;
    assert!(
        pods.iter()
            .any(|p| p.metadata.resource_version == Some(changed.to_string()))
    );
}

#[tokio::test]
async fn a_watch_gets_exactly_the_events_after_its_resource_version() {
    let sim = Sim::start(&options(1, 5, 40)).await.unwrap();
    let pods: Api<Pod> = Api::all(member(&sim, 0));
    let after = sim.change(0, 3);
    let later = [sim.change(0, 7), sim.change(0, 3)];
    let events: Vec<_> = pods
        .watch(
            &WatchParams::default().timeout(1).disable_bookmarks(),
            &after.to_string(),
        )
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let rvs: Vec<String> = events
        .iter()
        .map(|e| match e {
            WatchEvent::Modified(pod) => pod.metadata.resource_version.clone().unwrap(),
            other => panic!("expected MODIFIED, got {other:?}"),
        })
        .collect();
    assert_eq!(rvs, later.map(|rv| rv.to_string()));
}

#[tokio::test]
async fn a_replaced_pod_is_deleted_then_another_is_added() {
    let sim = Sim::start(&options(1, 5, 40)).await.unwrap();
    let pods: Api<Pod> = Api::all(member(&sim, 0));
    let name = |pod: &Pod| pod.metadata.name.clone().unwrap();
    let (before, rv) = list_all(&pods, 15).await;
    sim.change(0, 9);
    let added = sim.replace(0, 9);
    let events: Vec<_> = pods
        .watch(&WatchParams::default().timeout(1).disable_bookmarks(), &rv)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let [
        WatchEvent::Modified(restarted),
        WatchEvent::Deleted(deleted),
        WatchEvent::Added(new),
    ] = events.as_slice()
    else {
        panic!("expected MODIFIED, DELETED and ADDED, got {events:?}");
    };
    assert_eq!(name(restarted), name(&before[9]));
    assert_eq!(name(deleted), name(&before[9]), "the old pod is deleted");
    assert_ne!(name(new), name(deleted), "its replacement is another pod");
    assert_eq!(new.metadata.resource_version, Some(added.to_string()));
    assert_eq!(
        new.status.as_ref().unwrap().phase.as_deref(),
        Some("Running")
    );
    // A list between the two events (a continuation at that RV) leaves the pod out; a list
    // after them has the new one.
    let between = ListParams::default()
        .limit(40)
        .continue_token(&format!("{}.0", added - 1));
    let between = pods.list(&between).await.unwrap();
    let (after, _) = list_all(&pods, 15).await;
    assert_eq!((between.items.len(), after.len()), (39, 40));
    let names: BTreeSet<String> = after.iter().map(name).collect();
    assert!(names.contains(&name(new)) && !names.contains(&name(deleted)));
}

#[tokio::test]
async fn an_old_resource_version_is_gone() {
    let mut options = options(1, 5, 40);
    options.history = 2;
    let sim = Sim::start(&options).await.unwrap();
    let pods: Api<Pod> = Api::all(member(&sim, 0));
    let first = pods.list(&ListParams::default().limit(10)).await.unwrap();
    let old = first.metadata.resource_version.clone().unwrap();
    for pod in 0..3 {
        sim.change(0, pod);
    }
    let mut events = pods
        .watch(&WatchParams::default().timeout(5), &old)
        .await
        .unwrap()
        .boxed();
    match events.next().await {
        Some(Ok(WatchEvent::Error(status))) => assert_eq!(status.code, 410),
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }
    let token = first.metadata.continue_.unwrap();
    let err = pods
        .list(&ListParams::default().limit(10).continue_token(&token))
        .await
        .unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(s) if s.code == 410),
        "continue too old"
    );
}

#[tokio::test]
async fn without_the_token_every_request_is_unauthorized() {
    let sim = Sim::start(&options(1, 5, 10)).await.unwrap();
    for token in [None, Some("wrong")] {
        let nodes: Api<Node> = Api::all(client(&sim, 0, token));
        let err = nodes.list(&ListParams::default()).await.unwrap_err();
        assert!(
            matches!(err, kube::Error::Api(s) if s.code == 401),
            "{token:?}"
        );
    }
}

#[tokio::test]
async fn kube_runtime_watcher_lists_then_follows_changes_with_bookmarks() {
    let sim = Sim::start(&options(1, 30, 1_234)).await.unwrap();
    let client = member(&sim, 0);
    let pods = watcher::watcher(Api::<Pod>::all(client.clone()), watcher::Config::default());
    let mut pods = pods.boxed();
    let mut listed = 0;
    while let Some(event) = pods.try_next().await.unwrap() {
        match event {
            watcher::Event::InitApply(_) => listed += 1,
            watcher::Event::InitDone => break,
            _ => {}
        }
    }
    assert_eq!(listed, 1_234);
    sim.probe(0, true).unwrap();
    let event = pods.try_next().await.unwrap().unwrap();
    let watcher::Event::Apply(pod) = event else {
        panic!("expected the probe's change, got {event:?}");
    };
    assert_eq!(pod.status.unwrap().phase.as_deref(), Some("Failed"));

    // Bookmarks come when asked for (every second here).
    let nodes: Api<Node> = Api::all(client.clone());
    let rv = nodes.list(&ListParams::default().limit(1)).await.unwrap();
    let params = WatchParams {
        bookmarks: true,
        ..WatchParams::default().timeout(3)
    };
    let mut stream = nodes
        .watch(&params, rv.metadata.resource_version.as_deref().unwrap())
        .await
        .unwrap()
        .boxed();
    assert!(matches!(
        stream.next().await,
        Some(Ok(WatchEvent::Bookmark(_)))
    ));

    // Owners as metadata; no Jobs; no metrics API.
    let replica_sets: Api<PartialObjectMeta<ReplicaSet>> = Api::all(client.clone());
    let (owners, _) = list_all(&replica_sets, 100).await;
    assert!(!owners.is_empty());
    assert!(
        owners
            .iter()
            .all(|rs| rs.metadata.owner_references.as_ref().unwrap()[0].kind == "Deployment")
    );
    let jobs: Api<PartialObjectMeta<Job>> = Api::all(client.clone());
    assert!(
        jobs.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let metrics = http::Request::get("/apis/metrics.k8s.io/v1beta1/nodes")
        .body(Vec::new())
        .unwrap();
    let err = client.request_text(metrics).await.unwrap_err();
    assert!(matches!(err, kube::Error::Api(s) if s.code == 404));
}
