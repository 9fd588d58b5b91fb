//! Decoding realistic and odd Pod/Node JSON into the slim projections, the way kube-runtime's
//! watcher will (plain objects, watch events, lists, `DeserializeGuard`).

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use karmada_manager_api::NodeProblem;
use karmada_manager_core::{
    Amount, MemberEvent, MemberIndex, PodPhase, ResourceList, SlimNode, SlimPod, WatcherEvent,
};
use kube::core::{DeserializeGuard, ObjectList, Resource, WatchEvent};

const POD_WEB: &str = include_str!("fixtures/pod-web.json");
const NODE_GPU: &str = include_str!("fixtures/node-gpu-worker.json");
const PODS_ODD: &str = include_str!("fixtures/pod-odd.jsonl");
const NODES_ODD: &str = include_str!("fixtures/node-odd.jsonl");

fn list(pairs: &[(&str, &str)]) -> ResourceList {
    ResourceList::parse(pairs.iter().copied()).expect("valid quantities")
}

#[test]
fn kubelet_style_pod_decodes_into_the_slim_projection() {
    let pod: SlimPod = serde_json::from_str(POD_WEB).expect("pod decodes");
    assert_eq!(pod.name(), "web-7d9f8b6c5d-x2k4q");
    assert_eq!(&**pod.namespace(), "shop");
    assert_eq!(
        pod.node_name.as_deref(),
        Some("ip-10-20-1-17.eu-west-1.compute.internal")
    );
    assert_eq!(pod.phase, PodPhase::Running);
    assert!(!pod.ready, "Ready condition is False");
    // app 3 + metrics-exporter 7 + init: migrate 1, log-shipper 2, warmup 0.
    assert_eq!(pod.restarts, 13);
    assert!(pod.crash_looping);

    let controller = pod.controller.as_deref().expect("controller");
    assert_eq!(&*controller.kind, "ReplicaSet");
    assert_eq!(&*controller.name, "web-7d9f8b6c5d");
    assert_eq!(&*controller.api_version, "apps/v1");
    assert_eq!(&*controller.uid, "c3d4e5f6-a7b8-49c0-9d1e-2f3a4b5c6d7e");

    // apps 300m/320Mi + sidecar 100m/50Mi = 400m/370Mi; init floor: migrate 1/128Mi,
    // warmup 500m+100m / 1Gi+50Mi → max = 1 / 1074Mi; + overhead 10m/16Mi.
    assert_eq!(
        pod.requests,
        list(&[
            ("cpu", "1010m"),
            ("memory", "1090Mi"),
            ("nvidia.com/gpu", "1"),
            ("ephemeral-storage", "1Gi"),
        ])
    );
}

#[test]
fn slim_pod_metadata_keeps_only_identity() {
    let pod: SlimPod = serde_json::from_str(POD_WEB).expect("pod decodes");
    let meta = pod.meta();
    assert_eq!(meta.name.as_deref(), Some("web-7d9f8b6c5d-x2k4q"));
    assert_eq!(meta.namespace.as_deref(), Some("shop"));
    assert_eq!(
        meta.uid.as_deref(),
        Some("0b6c4a52-9d51-4b43-8f8e-3d1f0c7a9e21")
    );
    assert_eq!(meta.resource_version.as_deref(), Some("918273645"));
    assert!(
        meta.owner_references.is_none(),
        "the controller is `pod.controller`"
    );
    assert!(meta.labels.is_none());
    assert!(meta.annotations.is_none());
    assert!(meta.managed_fields.is_none());
    assert!(meta.generate_name.is_none());

    assert_eq!(SlimPod::kind(&()), "Pod");
    assert_eq!(SlimPod::api_version(&()), "v1");
    assert_eq!(
        SlimPod::url_path(&(), Some("shop")),
        "/api/v1/namespaces/shop/pods"
    );
}

#[test]
fn kubelet_style_node_decodes_into_the_slim_projection() {
    let node: SlimNode = serde_json::from_str(NODE_GPU).expect("node decodes");
    assert_eq!(&**node.name(), "ip-10-20-1-17.eu-west-1.compute.internal");
    assert!(node.ready);
    assert!(node.unschedulable);
    assert!(node.disk_pressure);
    assert!(!node.memory_pressure && !node.pid_pressure && !node.network_unavailable);
    let roles: Vec<&str> = node.roles.iter().map(|r| &**r).collect();
    assert_eq!(roles, ["gpu", "worker"]);
    assert_eq!(node.zone.as_deref(), Some("eu-west-1a"));
    assert_eq!(node.instance_type.as_deref(), Some("p3.2xlarge"));
    assert_eq!(node.kubelet_version.as_deref(), Some("v1.33.1-eks-1234567"));
    assert_eq!(
        node.allocatable,
        list(&[
            ("cpu", "7910m"),
            ("ephemeral-storage", "93478772582"),
            ("hugepages-1Gi", "0"),
            ("hugepages-2Mi", "0"),
            ("memory", "61810180Ki"),
            ("nvidia.com/gpu", "1"),
            ("pods", "58"),
        ])
    );
    assert_eq!(
        node.capacity.amount("memory"),
        Amount::parse("62827012Ki").expect("q")
    );
    assert_eq!(node.capacity.amount("cpu"), Amount::from_units(8));
    assert_eq!(
        node.problems(),
        [NodeProblem::DiskPressure, NodeProblem::Cordoned]
    );

    let meta = node.meta();
    assert_eq!(
        meta.uid.as_deref(),
        Some("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d")
    );
    assert_eq!(meta.resource_version.as_deref(), Some("918270001"));
    assert!(meta.labels.is_none() && meta.managed_fields.is_none());
    assert_eq!(SlimNode::url_path(&(), None), "/api/v1/nodes");
}

#[test]
fn odd_pods_decode_with_defaults() {
    let pods: Vec<SlimPod> = PODS_ODD
        .lines()
        .map(|line| serde_json::from_str(line).expect("odd pod decodes"))
        .collect();
    let [bare, nulls, weird, future, empty] = &pods[..] else {
        panic!("five fixtures");
    };

    assert_eq!((bare.name(), &**bare.namespace()), ("bare", "default"));
    assert_eq!(bare.phase, PodPhase::Pending);
    assert!(bare.node_name.is_none() && bare.requests.is_empty() && bare.controller.is_none());

    assert_eq!(nulls.name(), "nulls");
    assert!(nulls.requests.is_empty() && nulls.node_name.is_none());

    assert_eq!(weird.phase, PodPhase::Unknown, "unknown phase falls back");
    assert!(
        weird.node_name.is_none(),
        "empty nodeName means unscheduled"
    );
    assert!(
        weird.controller.is_none(),
        "controller: null is not a controller"
    );
    assert_eq!(weird.restarts, 0, "negative restart counts are ignored");
    assert!(!weird.ready && !weird.crash_looping);
    assert_eq!(
        weird.requests,
        list(&[("memory", "1Gi")]),
        "unparsable and null quantities are dropped, the rest kept"
    );
    assert!(weird.meta().uid.is_none());

    assert_eq!(future.requests, list(&[("cpu", "1"), ("memory", "512Mi")]));
    assert_eq!(future.phase, PodPhase::Pending);

    assert_eq!((empty.name(), &**empty.namespace()), ("", ""));
}

#[test]
fn odd_nodes_decode_with_defaults() {
    let nodes: Vec<SlimNode> = NODES_ODD
        .lines()
        .map(|line| serde_json::from_str(line).expect("odd node decodes"))
        .collect();
    let [bare, nulls, partial, empty] = &nodes[..] else {
        panic!("four fixtures");
    };
    assert_eq!(bare.problems(), [NodeProblem::NotReady]);
    assert!(nulls.capacity.is_empty() && nulls.roles.is_empty() && !nulls.unschedulable);

    let roles: Vec<&str> = partial.roles.iter().map(|r| &**r).collect();
    assert_eq!(roles, ["infra"], "empty role names are ignored");
    assert_eq!(
        partial.zone.as_deref(),
        Some("z-old"),
        "falls back to the beta label"
    );
    assert_eq!(partial.instance_type.as_deref(), Some("old-type"));
    assert_eq!(partial.capacity, list(&[("cpu", "4")]));
    assert_eq!(
        partial.problems(),
        [
            NodeProblem::NotReady,
            NodeProblem::MemoryPressure,
            NodeProblem::PidPressure,
            NodeProblem::NetworkUnavailable,
        ]
    );
    assert!(partial.kubelet_version.is_none());
    assert_eq!(&**empty.name(), "");
}

#[test]
fn type_mismatches_are_errors_not_panics() {
    for text in [
        r#"{"metadata":"oops"}"#,
        r#"{"spec":{"containers":{"a":1}}}"#,
        r#"{"status":{"containerStatuses":[{"restartCount":"three"}]}}"#,
        r#"{"spec":{"containers":[{"resources":{"requests":["cpu"]}}]}}"#,
        r#"[1,2,3]"#,
        r#"{"metadata":{"name":"x"}"#,
    ] {
        assert!(serde_json::from_str::<SlimPod>(text).is_err(), "{text}");
    }
    for text in [
        r#"{"metadata":{"labels":["a"]}}"#,
        r#"{"status":{"capacity":"8"}}"#,
    ] {
        assert!(serde_json::from_str::<SlimNode>(text).is_err(), "{text}");
    }
}

#[test]
fn watch_events_lists_and_guards_decode() {
    let event = format!(r#"{{"type":"MODIFIED","object":{POD_WEB}}}"#);
    match serde_json::from_str::<WatchEvent<SlimPod>>(&event).expect("event decodes") {
        WatchEvent::Modified(pod) => assert_eq!(pod.name(), "web-7d9f8b6c5d-x2k4q"),
        other => panic!("unexpected {other:?}"),
    }

    let list_json = format!(
        r#"{{"apiVersion":"v1","kind":"NodeList","metadata":{{"resourceVersion":"42"}},"items":[{NODE_GPU},{{"metadata":{{"name":"n2"}}}}]}}"#
    );
    let nodes: ObjectList<SlimNode> = serde_json::from_str(&list_json).expect("list decodes");
    assert_eq!(nodes.items.len(), 2);
    assert_eq!(&**nodes.items[1].name(), "n2");

    let good: DeserializeGuard<SlimPod> = serde_json::from_str(POD_WEB).expect("guard");
    assert!(good.0.is_ok());
    let bad: DeserializeGuard<SlimPod> = serde_json::from_str(
        r#"{"metadata":{"name":"broken","namespace":"ns"},"spec":{"containers":7}}"#,
    )
    .expect("a guard never fails on a well-formed object envelope");
    let invalid = bad.0.expect_err("spec is malformed");
    assert_eq!(invalid.metadata.name.as_deref(), Some("broken"));
}

#[test]
fn node_names_are_shared_between_nodes_and_pods() {
    use std::sync::Arc;
    // The decoder gives a pod its own copy of its node's name, and a node its own; a member's
    // index keeps one, whichever of the two it is told of first.
    let pod: SlimPod = serde_json::from_str(POD_WEB).expect("pod");
    let node: SlimNode = serde_json::from_str(NODE_GPU).expect("node");
    let (node_first, pod_first) = (
        [
            MemberEvent::Node(WatcherEvent::Apply(node.clone())),
            MemberEvent::Pod(WatcherEvent::Apply(pod.clone())),
        ],
        [
            MemberEvent::Pod(WatcherEvent::Apply(pod.clone())),
            MemberEvent::Node(WatcherEvent::Apply(node.clone())),
        ],
    );
    for events in [node_first, pod_first] {
        let mut index = MemberIndex::new();
        for event in events {
            index.apply_event(event);
        }
        let stored = index.cluster.pod("shop", pod.name()).expect("stored");
        let on = stored.node_name.as_ref().expect("bound");
        let held = index.cluster.node(node.name()).expect("stored");
        let hostname = held.label("kubernetes.io/hostname").expect("labelled");
        assert!(Arc::ptr_eq(on, held.name()), "one copy of the node's name");
        assert!(Arc::ptr_eq(hostname, held.name()), "its hostname too");
    }

    let again: SlimPod = serde_json::from_str(POD_WEB).expect("pod");
    assert!(Arc::ptr_eq(pod.namespace(), again.namespace()));
    assert!(Arc::ptr_eq(
        pod.controller.as_ref().expect("c"),
        again.controller.as_ref().expect("c")
    ));
}

/// What kube-runtime's `watcher::<K>` and `Api::<K>` require of `K`.
fn assert_watchable<K>()
where
    K: Resource<DynamicType = ()> + Clone + std::fmt::Debug + serde::de::DeserializeOwned,
    K: Send + Sync + 'static,
{
}

#[test]
fn slim_types_can_be_watched() {
    assert_watchable::<SlimPod>();
    assert_watchable::<SlimNode>();
    assert_watchable::<DeserializeGuard<SlimPod>>();
}
