//! The three paths must consume the same streams completely, and ours must agree with what the
//! full objects say (so the benchmark measures a path that gets the answer right).

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::runtime::reflector::store::Writer;

use super::{Floor, Naive, Ours, Sink};
use crate::generate::{ClusterPlan, Kind, Stream};
use crate::results::Decode;

fn feed(sink: &mut impl Sink, plan: &ClusterPlan) {
    for kind in [Kind::Node, Kind::Pod] {
        sink.init(kind);
        let mut stream = Stream::new(plan, kind);
        let (mut buf, mut ends) = (Vec::new(), Vec::new());
        let more = stream.fill(&mut buf, &mut ends, usize::MAX);
        assert!(!more, "one chunk holds the whole small stream");
        let mut start = 0;
        for end in ends {
            sink.line(kind, &buf[start..end]).unwrap();
            start = end;
        }
        sink.list_done();
    }
}

#[test]
fn ours_agrees_with_the_full_objects() {
    let plan = ClusterPlan::new(11, 2, 300, 1_500);
    let mut ours = Ours::new(Decode::Slice);
    feed(&mut ours, &plan);
    let mut naive = Naive::new(Decode::Lines);
    feed(&mut naive, &plan);
    feed(&mut Floor::new(Decode::Slice), &plan);
    feed(&mut Floor::new(Decode::Lines), &plan);
    assert_eq!(naive.counts(), (300, 1_500));

    let (nodes, pods) = naive.stores();
    let condition = |conditions: Option<&Vec<_>>, type_: &str| {
        conditions.is_some_and(|cs: &Vec<k8s_openapi::api::core::v1::PodCondition>| {
            cs.iter().any(|c| c.type_ == type_ && c.status == "True")
        })
    };
    let pods = pods.as_reader().state();
    let status = |p: &Pod| p.status.clone().unwrap_or_default();
    let running = pods
        .iter()
        .filter(|p| status(p).phase.as_deref() == Some("Running"))
        .count();
    let pending = pods
        .iter()
        .filter(|p| status(p).phase.as_deref() == Some("Pending"))
        .count();
    let not_ready = pods
        .iter()
        .filter(|p| {
            status(p).phase.as_deref() == Some("Running")
                && !condition(status(p).conditions.as_ref(), "Ready")
        })
        .count();
    let restarts: i32 = pods
        .iter()
        .flat_map(|p| status(p).container_statuses.unwrap_or_default())
        .map(|s| s.restart_count)
        .sum();
    let ready_nodes = ready_nodes(nodes);

    ours.with_index(|index| {
        let figures = index.cluster.figures();
        assert_eq!(index.cluster.node_count(), 300);
        assert_eq!(index.cluster.pod_count(), 1_500);
        assert!(index.cluster.is_synced(), "the bookmarks ended both lists");
        assert_eq!(figures.nodes.ready, ready_nodes as i64);
        assert_eq!(figures.pods.running, running as i64);
        assert_eq!(figures.pods.pending, pending as i64);
        assert_eq!(figures.pods.not_ready, not_ready as i64);
        assert_eq!(figures.pods.restarts, i64::from(restarts));
        assert!(
            pending > 0 && not_ready > 0 && restarts > 0,
            "the mix has problems in it"
        );
    });
}

fn ready_nodes(nodes: &Writer<Node>) -> usize {
    nodes
        .as_reader()
        .state()
        .iter()
        .filter(|n| {
            n.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        })
        .count()
}
