//! Feeding a member's decoded watch events into its [`MemberIndex`]: which index call each
//! event makes, and what a completed relist cleans up.
//!
//! [`MemberIndex::apply_event`] is the only public way to change a member's index, and this is
//! the one copy of that logic. The operator's member task converts kube-runtime's
//! `watcher::Event`s into [`WatcherEvent`]s (the core does not depend on kube-runtime, which
//! brings a client and an async runtime) and calls [`MemberIndex::apply_event`]; the ingest
//! benchmark calls the same function, so it measures the operator's path and not a copy of it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::member::MemberIndex;
use super::owners::OwnerKind;
use crate::intern;
use crate::projection::{SlimNode, SlimPod};
use crate::watch::WatcherEvent;

/// One event of one of a member's watches.
// By value, as the watcher yields them: boxing the larger variant would add an allocation per
// pod event.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum MemberEvent {
    /// A Node event.
    Node(WatcherEvent<SlimNode>),
    /// A Pod event.
    Pod(WatcherEvent<SlimPod>),
    /// A ReplicaSet or Job event (metadata only).
    Owner(OwnerKind, WatcherEvent<ObjectMeta>),
}

impl MemberIndex {
    /// Applies one watch event. Returns `true` when the index may have changed: an applied or
    /// deleted object that changed what the index holds, or a completed relist (which may
    /// have removed objects, or completed the initial sync). `Init` changes nothing.
    ///
    /// Interned values do not outlive their use (see `intern`): a deleted Pod or Node frees the
    /// values it held last (its ReplicaSet's or Job's controller reference, its node's name)
    /// at once; a relist that removed objects purges the tables, and so does every change once
    /// as many have passed as the tables held values at the last purge, so that what a
    /// replaced object held last is freed too.
    pub fn apply_event(&mut self, event: MemberEvent) -> bool {
        // Each arm consumes its event: the purge below sees no value held by it.
        let changed = match event {
            MemberEvent::Node(event) => self.apply_node_event(event),
            MemberEvent::Pod(event) => self.apply_pod_event(event),
            MemberEvent::Owner(kind, event) => self.apply_owner_event(kind, event),
        };
        if changed {
            self.count_changes(1);
        }
        changed
    }

    fn apply_node_event(&mut self, event: WatcherEvent<SlimNode>) -> bool {
        match event {
            WatcherEvent::Init => {
                self.begin_resync_nodes();
                false
            }
            WatcherEvent::InitApply(node) | WatcherEvent::Apply(node) => self.apply_node(node),
            WatcherEvent::InitDone => {
                if self.end_resync_nodes() > 0 {
                    intern::purge_unused();
                }
                true
            }
            WatcherEvent::Delete(node) => {
                let deleted = self.delete_node(&node);
                // The stored copy is gone: the event's is the last one.
                intern::release_node(&node);
                deleted
            }
        }
    }

    fn apply_pod_event(&mut self, event: WatcherEvent<SlimPod>) -> bool {
        match event {
            WatcherEvent::Init => {
                self.begin_resync_pods();
                false
            }
            WatcherEvent::InitApply(pod) | WatcherEvent::Apply(pod) => self.apply_pod(pod),
            WatcherEvent::InitDone => {
                if self.end_resync_pods() > 0 {
                    intern::purge_unused();
                }
                true
            }
            WatcherEvent::Delete(pod) => {
                let deleted = self.delete_pod(&pod);
                intern::release_pod(&pod);
                deleted
            }
        }
    }

    fn apply_owner_event(&mut self, kind: OwnerKind, event: WatcherEvent<ObjectMeta>) -> bool {
        match event {
            WatcherEvent::Init => {
                self.begin_resync_owners(kind);
                false
            }
            WatcherEvent::InitApply(meta) | WatcherEvent::Apply(meta) => {
                self.apply_owner(kind, &meta)
            }
            WatcherEvent::InitDone => {
                if self.end_resync_owners(kind) > 0 {
                    intern::purge_unused();
                }
                true
            }
            WatcherEvent::Delete(meta) => self.delete_owner(kind, &meta),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

    use super::*;
    use crate::interner::intern_str;
    use crate::keys::WorkloadKey;
    use crate::projection::{ControllerRef, PodPhase};

    fn node(name: &str, ready: bool) -> SlimNode {
        let mut node = SlimNode::new(name);
        node.ready = ready;
        node
    }

    fn pod(name: &str, replica_set: &str) -> SlimPod {
        let mut pod = SlimPod::new("shop", name).on_node("n1");
        pod.phase = PodPhase::Running;
        pod.controller = Some(Arc::new(ControllerRef {
            api_version: intern_str("apps/v1"),
            kind: intern_str("ReplicaSet"),
            name: Arc::from(replica_set),
            uid: Arc::from(format!("uid-{replica_set}")),
        }));
        pod
    }

    fn replica_set(name: &str, deployment: &str) -> ObjectMeta {
        ObjectMeta {
            namespace: Some("shop".into()),
            name: Some(name.into()),
            uid: Some(format!("uid-{name}")),
            owner_references: Some(vec![OwnerReference {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: deployment.into(),
                uid: format!("uid-{deployment}"),
                controller: Some(true),
                block_owner_deletion: None,
            }]),
            ..ObjectMeta::default()
        }
    }

    /// A complete relist of every kind, in the order the watches might deliver it.
    fn listed() -> MemberIndex {
        let mut index = MemberIndex::new();
        let rs = OwnerKind::ReplicaSet;
        for event in [
            MemberEvent::Node(WatcherEvent::Init),
            MemberEvent::Pod(WatcherEvent::Init),
            MemberEvent::Node(WatcherEvent::InitApply(node("n1", true))),
            MemberEvent::Pod(WatcherEvent::InitApply(pod("web-1", "web-abc"))),
            MemberEvent::Pod(WatcherEvent::InitApply(pod("web-2", "web-abc"))),
            MemberEvent::Node(WatcherEvent::InitDone),
            MemberEvent::Pod(WatcherEvent::InitDone),
            MemberEvent::Owner(rs, WatcherEvent::Init),
            MemberEvent::Owner(rs, WatcherEvent::InitApply(replica_set("web-abc", "web"))),
            MemberEvent::Owner(rs, WatcherEvent::InitDone),
            MemberEvent::Owner(OwnerKind::Job, WatcherEvent::Init),
            MemberEvent::Owner(OwnerKind::Job, WatcherEvent::InitDone),
        ] {
            index.apply_event(event);
        }
        index
    }

    #[test]
    fn a_relist_of_every_kind_fills_and_syncs_the_index() {
        let mut index = listed();
        assert_eq!(index.cluster.node_count(), 1);
        assert_eq!(index.cluster.pod_count(), 2);
        assert_eq!(index.cluster.figures().nodes.ready, 1);
        assert_eq!(index.cluster.figures().pods.running, 2);
        assert!(index.cluster.is_synced() && index.workloads_synced());
        assert!(
            index.touched.take().all,
            "the first full sync touches everything"
        );
    }

    #[test]
    fn init_changes_nothing_and_init_done_reports_a_change() {
        let mut index = listed();
        assert!(!index.apply_event(MemberEvent::Node(WatcherEvent::Init)));
        assert!(!index.cluster.is_synced(), "a relist is in progress");
        assert_eq!(
            index.cluster.node_count(),
            1,
            "nodes stay counted meanwhile"
        );
        assert!(index.apply_event(MemberEvent::Node(WatcherEvent::InitDone)));
        assert_eq!(
            index.cluster.node_count(),
            0,
            "the relist did not mention n1"
        );
        assert!(index.cluster.is_synced());
        let owners = MemberEvent::Owner(OwnerKind::Job, WatcherEvent::Init);
        assert!(!index.apply_event(owners));
        let owners = MemberEvent::Owner(OwnerKind::Job, WatcherEvent::InitDone);
        assert!(index.apply_event(owners));
    }

    #[test]
    fn applies_and_deletes_report_whether_the_index_changed() {
        let mut index = listed();
        index.touched.take();
        let same = MemberEvent::Node(WatcherEvent::Apply(node("n1", true)));
        assert!(!index.apply_event(same), "an identical node is no change");
        let cordoned = MemberEvent::Node(WatcherEvent::Apply(node("n1", false)));
        assert!(index.apply_event(cordoned));
        assert_eq!(index.cluster.figures().nodes.ready, 0);

        let again = MemberEvent::Pod(WatcherEvent::Apply(pod("web-1", "web-abc")));
        assert!(!index.apply_event(again));
        let gone = MemberEvent::Pod(WatcherEvent::Delete(pod("web-1", "web-abc")));
        assert!(index.apply_event(gone));
        assert_eq!(index.cluster.pod_count(), 1);
        let touched = index.touched.take();
        assert!(
            touched
                .keys
                .contains(&WorkloadKey::new("apps/v1", "Deployment", "shop", "web"))
        );

        let unknown = MemberEvent::Pod(WatcherEvent::Delete(pod("nope", "web-abc")));
        assert!(!index.apply_event(unknown));
        let unknown = MemberEvent::Node(WatcherEvent::Delete(node("nope", true)));
        assert!(!index.apply_event(unknown));
    }

    #[test]
    fn owner_events_move_pods_between_workloads() {
        let mut index = listed();
        index.touched.take();
        let rs = OwnerKind::ReplicaSet;
        let same = MemberEvent::Owner(rs, WatcherEvent::Apply(replica_set("web-abc", "web")));
        assert!(!index.apply_event(same), "same controller: no change");
        let adopted = replica_set("web-abc", "api");
        assert!(index.apply_event(MemberEvent::Owner(rs, WatcherEvent::Apply(adopted))));
        let touched = index.touched.take().keys;
        for deployment in ["web", "api"] {
            let key = WorkloadKey::new("apps/v1", "Deployment", "shop", deployment);
            assert!(touched.contains(&key), "{deployment}");
        }
        let deleted = MemberEvent::Owner(rs, WatcherEvent::Delete(replica_set("web-abc", "api")));
        assert!(index.apply_event(deleted));
    }

    #[test]
    fn a_pod_relist_that_removes_pods_touches_every_workload() {
        let mut index = listed();
        index.touched.take();
        index.apply_event(MemberEvent::Pod(WatcherEvent::Init));
        let kept = MemberEvent::Pod(WatcherEvent::InitApply(pod("web-1", "web-abc")));
        index.apply_event(kept);
        assert!(index.apply_event(MemberEvent::Pod(WatcherEvent::InitDone)));
        assert_eq!(index.cluster.pod_count(), 1, "web-2 is gone");
        assert!(index.touched.take().all);
    }
}
