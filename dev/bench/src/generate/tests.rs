//! The generator must emit what an API server would: every line valid JSON that decodes into
//! the full k8s-openapi types and into the operator's slim projections, with the shape the
//! brief promises (containers, owner, node, status).

use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_core::{Amount, SlimNode, SlimPod};
use kube::core::WatchEvent;

use super::{ClusterPlan, Kind, Stream};

/// Every line of one stream (bookmark included).
fn lines(plan: &ClusterPlan, kind: Kind) -> Vec<Vec<u8>> {
    let mut stream = Stream::new(plan, kind);
    let (mut buf, mut ends) = (Vec::new(), Vec::new());
    let mut lines = Vec::new();
    loop {
        buf.clear();
        ends.clear();
        let more = stream.fill(&mut buf, &mut ends, 64 * 1024);
        let mut start = 0;
        for &end in &ends {
            assert_eq!(buf[end - 1], b'\n', "lines end with a newline");
            lines.push(buf[start..end].to_vec());
            start = end;
        }
        assert_eq!(start, buf.len(), "ends cover the whole chunk");
        if !more {
            return lines;
        }
    }
}

fn added<K>(event: WatchEvent<K>) -> K {
    match event {
        WatchEvent::Added(object) => object,
        other => panic!("expected ADDED, got {other:?}"),
    }
}

#[test]
fn pods_decode_into_full_and_slim_pods_with_their_node_and_containers() {
    let plan = ClusterPlan::new(1, 3, 50, 400);
    let node_names: Vec<String> = (0..plan.nodes).map(|i| plan.node_name(i)).collect();
    let lines = lines(&plan, Kind::Pod);
    assert_eq!(lines.len(), 401, "400 pods and the bookmark");
    let (mut running, mut unscheduled, mut crash_looping) = (0, 0, 0);
    for line in &lines[..400] {
        let pod: Pod = added(serde_json::from_slice(line).unwrap());
        let slim: SlimPod = added(serde_json::from_slice(line).unwrap());
        let spec = pod.spec.as_ref().unwrap();
        let status = pod.status.as_ref().unwrap();
        assert!((2..=3).contains(&spec.containers.len()));
        assert_eq!(spec.tolerations.as_ref().unwrap().len(), 2);
        assert!(spec.service_account_name.is_some());
        let owner = &pod.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.controller),
            ("ReplicaSet", Some(true))
        );
        assert_eq!(slim.controller.as_ref().unwrap().name.as_ref(), owner.name);
        assert_eq!(slim.name(), pod.metadata.name.as_deref().unwrap());
        assert_eq!(
            slim.namespace().as_ref(),
            pod.metadata.namespace.as_deref().unwrap()
        );
        assert_eq!(slim.node_name.as_deref(), spec.node_name.as_deref());
        match spec.node_name.as_deref() {
            Some(node) => assert!(node_names.iter().any(|n| n == node), "{node} is a node"),
            None => unscheduled += 1,
        }
        // The slim pod's requests are the sum over the (regular) containers.
        let millicores: i64 = spec
            .containers
            .iter()
            .map(|c| {
                let cpu = &c.resources.as_ref().unwrap().requests.as_ref().unwrap()["cpu"].0;
                cpu.strip_suffix('m').map_or_else(
                    || cpu.parse::<i64>().unwrap() * 1000,
                    |m| m.parse().unwrap(),
                )
            })
            .sum();
        let cpu = slim.requests.get("cpu").unwrap();
        assert_eq!(cpu, Amount::parse(&format!("{millicores}m")).unwrap());
        let ready = status
            .conditions
            .as_ref()
            .unwrap()
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        assert_eq!(slim.ready, ready);
        if status.phase.as_deref() == Some("Running") && ready {
            running += 1;
            let statuses = status.container_statuses.as_ref().unwrap();
            assert_eq!(statuses.len(), spec.containers.len());
            assert!(statuses.iter().all(|s| s.image_id.contains("@sha256:")));
            assert!(status.pod_ip.is_some() && status.start_time.is_some());
            assert!(status.qos_class.is_some());
        }
        crash_looping += usize::from(slim.crash_looping);
    }
    assert!(running > 350, "mostly running: {running}");
    assert!(unscheduled < 40 && crash_looping < 40);
    let bookmark: WatchEvent<SlimPod> = serde_json::from_slice(&lines[400]).unwrap();
    let WatchEvent::Bookmark(bookmark) = bookmark else {
        panic!("the stream ends with a bookmark");
    };
    assert!(
        bookmark
            .metadata
            .annotations
            .contains_key("k8s.io/initial-events-end")
    );
}

#[test]
fn nodes_decode_into_full_and_slim_nodes_with_full_status() {
    let plan = ClusterPlan::new(1, 7, 200, 10);
    let lines = lines(&plan, Kind::Node);
    assert_eq!(lines.len(), 201);
    let mut ready = 0;
    for (i, line) in lines[..200].iter().enumerate() {
        let node: Node = added(serde_json::from_slice(line).unwrap());
        let slim: SlimNode = added(serde_json::from_slice(line).unwrap());
        assert_eq!(
            node.metadata.name.as_deref(),
            Some(plan.node_name(i).as_str())
        );
        assert_eq!(slim.name().as_ref(), plan.node_name(i));
        let zone = plan.zone(i);
        assert_eq!(
            node.metadata.labels.as_ref().unwrap()["topology.kubernetes.io/zone"],
            zone
        );
        assert_eq!(slim.zone.as_deref(), Some(zone.as_str()));
        assert_eq!(slim.roles.len(), 1);
        let status = node.status.as_ref().unwrap();
        assert_eq!(status.conditions.as_ref().unwrap().len(), 5);
        assert_eq!(status.images.as_ref().unwrap().len(), 10);
        assert_eq!(status.addresses.as_ref().unwrap().len(), 3);
        assert!(
            status
                .node_info
                .as_ref()
                .unwrap()
                .kubelet_version
                .starts_with("v1.35")
        );
        assert!(status.daemon_endpoints.is_some());
        assert!(slim.allocatable.get("cpu").unwrap() < slim.capacity.get("cpu").unwrap());
        assert_eq!(slim.capacity.get("pods"), Some(Amount::from_units(110)));
        ready += usize::from(slim.ready);
    }
    assert!(ready > 180, "mostly ready: {ready}");
}

#[test]
fn a_member_without_pods_has_nodes_and_no_pods() {
    let plan = ClusterPlan::new(1, 0, 5, 0);
    // Each stream ends with its bookmark line.
    assert_eq!(lines(&plan, Kind::Node).len(), 5 + 1);
    assert_eq!(lines(&plan, Kind::Pod).len(), 1);
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_clusters_differ() {
    let bytes = |seed, cluster| {
        let plan = ClusterPlan::new(seed, cluster, 20, 60);
        [Kind::Node, Kind::Pod]
            .into_iter()
            .flat_map(|kind| lines(&plan, kind))
            .flatten()
            .collect::<Vec<u8>>()
    };
    assert_eq!(bytes(6, 0), bytes(6, 0));
    assert_ne!(bytes(6, 0), bytes(6, 1));
    assert_ne!(bytes(6, 0), bytes(7, 0));
}

#[test]
fn objects_have_realistic_sizes() {
    let plan = ClusterPlan::new(6, 0, 100, 1000);
    let average = |kind| {
        let lines = lines(&plan, kind);
        lines.iter().map(Vec::len).sum::<usize>() / lines.len()
    };
    let (node, pod) = (average(Kind::Node), average(Kind::Pod));
    // Without managedFields, real 1.35 nodes are 5–10 KB and pods of 2–3 containers 5–9 KB.
    assert!(
        (5_000..12_000).contains(&node),
        "node lines average {node} bytes"
    );
    assert!(
        (4_000..10_000).contains(&pod),
        "pod lines average {pod} bytes"
    );
}

#[test]
fn random_access_pods_have_unique_names_and_show_their_changes() {
    use super::{MemberObjects, PodChange, PodState};
    let member = MemberObjects::new(6, 2, 40, 2_000);
    let mut names = std::collections::BTreeSet::new();
    let mut buf = Vec::new();
    for i in 0..member.pods() {
        buf.clear();
        member.write_pod(&mut buf, i, 7, PodChange::default());
        let pod: Pod = serde_json::from_slice(&buf).unwrap();
        assert!(
            names.insert(pod.metadata.name.unwrap()),
            "pod {i}'s name is unique"
        );
    }
    let running = (0..member.pods())
        .find(|&i| member.pod_state(i) == PodState::Running)
        .unwrap();
    let write = |change| {
        let mut buf = Vec::new();
        member.write_pod(&mut buf, running, 9, change);
        serde_json::from_slice::<SlimPod>(&buf).unwrap()
    };
    let (plain, restarted) = (
        write(PodChange::default()),
        write(PodChange {
            restarts: 2,
            ..Default::default()
        }),
    );
    assert!(plain.ready);
    assert_eq!(restarted.restarts, plain.restarts + 2);
    assert!(
        !write(PodChange {
            unready: true,
            ..Default::default()
        })
        .ready
    );
    let failed = write(PodChange {
        failed: true,
        ..Default::default()
    });
    assert_eq!(
        (failed.phase, failed.ready),
        (karmada_manager_core::PodPhase::Failed, false)
    );
}
