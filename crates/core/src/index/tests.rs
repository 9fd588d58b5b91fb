//! Attribution of pods to their top-level workload, in any event order.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::*;
use crate::interner::intern_str;
use crate::keys::{WorkloadKey, api_group};
use crate::projection::{ControllerRef, PodPhase, SlimPod};

fn owner(api_version: &str, kind: &str, name: &str) -> OwnerReference {
    OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: name.into(),
        uid: format!("uid-{name}"),
        controller: Some(true),
        block_owner_deletion: None,
    }
}

/// ReplicaSet/Job metadata, optionally controlled by `controller`.
fn meta(namespace: &str, name: &str, controller: Option<(&str, &str, &str)>) -> ObjectMeta {
    ObjectMeta {
        namespace: Some(namespace.into()),
        name: Some(name.into()),
        uid: Some(format!("uid-{name}")),
        owner_references: controller.map(|(v, k, n)| {
            // A non-controller owner first: only `controller: true` counts.
            let mut other = owner("v1", "ConfigMap", "not-the-controller");
            other.controller = None;
            vec![other, owner(v, k, n)]
        }),
        ..ObjectMeta::default()
    }
}

fn pod(namespace: &str, name: &str, controller: Option<(&str, &str, &str)>) -> SlimPod {
    let mut pod = SlimPod::new(namespace, name).on_node("node-1");
    pod.phase = PodPhase::Running;
    pod.ready = true;
    pod.controller = controller.map(|(v, k, n)| {
        Arc::new(ControllerRef {
            api_version: intern_str(v),
            kind: intern_str(k),
            name: Arc::from(n),
            uid: Arc::from(format!("uid-{n}")),
        })
    });
    pod
}

fn deployment(namespace: &str, name: &str) -> WorkloadKey {
    WorkloadKey::new("apps/v1", "Deployment", namespace, name)
}

fn names(pods: &[WorkloadPod]) -> Vec<&str> {
    pods.iter().map(|p| &*p.name).collect()
}

const RS: Option<(&str, &str, &str)> = Some(("apps/v1", "ReplicaSet", "web-7d9"));
const RS_OLD: Option<(&str, &str, &str)> = Some(("apps/v1", "ReplicaSet", "web-5c4"));
const WEB: Option<(&str, &str, &str)> = Some(("apps/v1", "Deployment", "web"));

#[test]
fn deployment_pods_through_replicasets_in_either_order() {
    // Pods first, ReplicaSets later (a relist, or a rollout seen out of order).
    let mut index = ClusterIndex::new();
    let mut owners = OwnerIndex::new();
    index.apply_pod(pod("shop", "web-7d9-a", RS));
    index.apply_pod(pod("shop", "web-5c4-b", RS_OLD));
    index.apply_pod(pod("shop", "other", None));
    let web = deployment("shop", "web");
    // Until the ReplicaSets are known, the pods are the ReplicaSets' own.
    assert!(workload_pods(&index, &owners, &web).is_empty());
    let rs = WorkloadKey::new("apps/v1", "ReplicaSet", "shop", "web-7d9");
    assert_eq!(names(&workload_pods(&index, &owners, &rs)), ["web-7d9-a"]);

    assert!(owners.apply(OwnerKind::ReplicaSet, &meta("shop", "web-7d9", WEB)));
    assert!(owners.apply(OwnerKind::ReplicaSet, &meta("shop", "web-5c4", WEB)));
    assert!(!owners.apply(OwnerKind::ReplicaSet, &meta("shop", "web-5c4", WEB)));
    assert_eq!(
        names(&workload_pods(&index, &owners, &web)),
        ["web-5c4-b", "web-7d9-a"]
    );
    let pod_a = pod("shop", "web-7d9-a", RS);
    assert_eq!(owners.top_level_of_pod(&pod_a), Some(web.clone()));
    assert_eq!(owners.top_level_of_pod(&pod("shop", "other", None)), None);

    // ReplicaSets first, then pods: the same answer.
    let mut index2 = ClusterIndex::new();
    index2.apply_pod(pod("shop", "web-5c4-b", RS_OLD));
    index2.apply_pod(pod("shop", "web-7d9-a", RS));
    index2.apply_pod(pod("shop", "other", None));
    assert_eq!(
        workload_pods(&index2, &owners, &web),
        workload_pods(&index, &owners, &web)
    );

    // The old ReplicaSet is deleted: its pod falls back to it.
    assert!(owners.delete(OwnerKind::ReplicaSet, &meta("shop", "web-5c4", None)));
    assert!(!owners.delete_named(OwnerKind::ReplicaSet, "shop", "web-5c4"));
    assert_eq!(names(&workload_pods(&index, &owners, &web)), ["web-7d9-a"]);
    let old = WorkloadKey::new("apps/v1", "ReplicaSet", "shop", "web-5c4");
    assert_eq!(
        owners.top_level_of_pod(&pod("shop", "web-5c4-b", RS_OLD)),
        Some(old)
    );

    // A pod event for a deleted pod removes it from its workload.
    assert!(index.delete_pod_named("shop", "web-7d9-a"));
    assert!(workload_pods(&index, &owners, &web).is_empty());
}

#[test]
fn cronjob_pods_through_jobs_and_direct_controllers() {
    let mut index = ClusterIndex::new();
    let mut owners = OwnerIndex::new();
    let job = Some(("batch/v1", "Job", "backup-2901"));
    index.apply_pod(pod("ops", "backup-2901-x", job));
    index.apply_pod(pod("ops", "backup-2901-y", job));
    owners.apply(
        OwnerKind::Job,
        &meta(
            "ops",
            "backup-2901",
            Some(("batch/v1", "CronJob", "backup")),
        ),
    );
    let cronjob = WorkloadKey::new("batch/v1", "CronJob", "ops", "backup");
    assert_eq!(
        names(&workload_pods(&index, &owners, &cronjob)),
        ["backup-2901-x", "backup-2901-y"]
    );
    // A bare Job (no CronJob) is its own top-level workload.
    index.apply_pod(pod("ops", "once-z", Some(("batch/v1", "Job", "once"))));
    owners.apply(OwnerKind::Job, &meta("ops", "once", None));
    let once = WorkloadKey::new("batch/v1", "Job", "ops", "once");
    assert_eq!(names(&workload_pods(&index, &owners, &once)), ["once-z"]);
    assert_eq!(owners.owner_of(&once), Some(None));

    // StatefulSet and DaemonSet pods belong to them directly; other namespaces stay apart.
    let sts = Some(("apps/v1", "StatefulSet", "db"));
    index.apply_pod(pod("ops", "db-0", sts));
    index.apply_pod(pod("ops", "db-1", sts));
    index.apply_pod(pod("staging", "db-0", sts));
    index.apply_pod(pod(
        "ops",
        "agent-q",
        Some(("apps/v1", "DaemonSet", "agent")),
    ));
    let db = WorkloadKey::new("apps/v1", "StatefulSet", "ops", "db");
    assert_eq!(
        names(&workload_pods(&index, &owners, &db)),
        ["db-0", "db-1"]
    );
    let agent = WorkloadKey::new("apps/v1", "DaemonSet", "ops", "agent");
    assert_eq!(names(&workload_pods(&index, &owners, &agent)), ["agent-q"]);
    // The same kind name in another API group is another workload.
    let other_group = WorkloadKey::new("example.com/v1", "StatefulSet", "ops", "db");
    assert!(workload_pods(&index, &owners, &other_group).is_empty());
    // A propagated bare Pod is its own workload.
    index.apply_pod(pod("ops", "debug", None));
    let bare = WorkloadKey::new("v1", "Pod", "ops", "debug");
    assert_eq!(names(&workload_pods(&index, &owners, &bare)), ["debug"]);
}

#[test]
fn adoption_and_release_move_pods_between_workloads() {
    let mut index = ClusterIndex::new();
    let mut owners = OwnerIndex::new();
    index.apply_pod(pod("shop", "p", RS));
    owners.apply(OwnerKind::ReplicaSet, &meta("shop", "web-7d9", WEB));
    let web = deployment("shop", "web");
    let api = deployment("shop", "api");
    assert_eq!(workload_pods(&index, &owners, &web).len(), 1);
    // The ReplicaSet is adopted by another Deployment.
    assert!(owners.apply(
        OwnerKind::ReplicaSet,
        &meta("shop", "web-7d9", Some(("apps/v1", "Deployment", "api")))
    ));
    assert!(workload_pods(&index, &owners, &web).is_empty());
    assert_eq!(workload_pods(&index, &owners, &api).len(), 1);
    assert_eq!(owners.children(&web).count(), 0);
    // The pod is released by its ReplicaSet (label change): it is an orphan.
    let mut released = pod("shop", "p", None);
    released.restarts = 1;
    index.apply_pod(released);
    assert!(workload_pods(&index, &owners, &api).is_empty());
    // And adopted back.
    index.apply_pod(pod("shop", "p", RS));
    assert_eq!(workload_pods(&index, &owners, &api).len(), 1);
}

#[test]
fn a_relist_removes_only_unlisted_objects_of_its_kind() {
    let mut owners = OwnerIndex::new();
    assert!(!owners.is_synced());
    owners.apply(OwnerKind::ReplicaSet, &meta("shop", "web-1", WEB));
    owners.apply(OwnerKind::ReplicaSet, &meta("shop", "web-2", WEB));
    owners.apply(
        OwnerKind::Job,
        &meta("ops", "backup-1", Some(("batch/v1", "CronJob", "backup"))),
    );
    owners.begin_resync(OwnerKind::ReplicaSet);
    owners.apply(OwnerKind::ReplicaSet, &meta("shop", "web-2", WEB));
    assert_eq!(owners.len(), 3, "nothing removed while the relist runs");
    assert_eq!(owners.end_resync(OwnerKind::ReplicaSet), 1);
    assert_eq!(
        owners.end_resync(OwnerKind::ReplicaSet),
        0,
        "no relist running"
    );
    assert_eq!(owners.len(), 2);
    assert!(owners.synced(OwnerKind::ReplicaSet));
    assert!(!owners.synced(OwnerKind::Job));
    let web = deployment("shop", "web");
    let children: Vec<_> = owners.children(&web).map(|k| k.name.to_string()).collect();
    assert_eq!(children, ["web-2"]);
    owners.begin_resync(OwnerKind::Job);
    assert_eq!(owners.end_resync(OwnerKind::Job), 1);
    assert!(owners.is_synced());
    assert_eq!(owners.len(), 1);
    // Metadata without a name is ignored rather than recorded under "".
    assert!(!owners.apply(OwnerKind::Job, &ObjectMeta::default()));
    owners.clear();
    assert!(owners.is_empty());
}

#[test]
fn keys_and_groups() {
    assert_eq!(api_group("apps/v1"), "apps");
    assert_eq!(api_group("v1"), "");
    assert_eq!(api_group("argoproj.io/v1alpha1"), "argoproj.io");
    assert_eq!(
        deployment("shop", "web"),
        WorkloadKey::new("apps/v1beta2", "Deployment", "shop", "web"),
        "versions of one group name the same workload"
    );
    assert_eq!(
        deployment("shop", "web").to_string(),
        "Deployment.apps shop/web"
    );
    assert_eq!(
        WorkloadKey::new("v1", "Namespace", "", "shop").to_string(),
        "Namespace shop"
    );
}

mod member {
    //! [`MemberIndex`]: which workloads each member event touches.

    use super::*;

    fn touched(index: &mut MemberIndex) -> (bool, Vec<String>) {
        let touched = index.touched.take();
        let mut keys: Vec<String> = touched.keys.iter().map(ToString::to_string).collect();
        keys.sort();
        (touched.all, keys)
    }

    fn synced(index: &mut MemberIndex) {
        index.begin_resync_nodes();
        index.end_resync_nodes();
        index.begin_resync_pods();
        index.end_resync_pods();
        for kind in OwnerKind::ALL {
            index.begin_resync_owners(kind);
            index.end_resync_owners(kind);
        }
    }

    #[test]
    fn pod_events_touch_the_top_level_workload_and_the_direct_controller() {
        let mut index = MemberIndex::new();
        synced(&mut index);
        assert_eq!(touched(&mut index), (true, vec![]), "first full list");
        assert!(index.workloads_synced());

        let rs = Some(("apps/v1", "Deployment", "web"));
        index.apply_owner(OwnerKind::ReplicaSet, &meta("shop", "web-7d9", rs));
        assert_eq!(
            touched(&mut index),
            (
                false,
                vec![
                    "Deployment.apps shop/web".into(),
                    "ReplicaSet.apps shop/web-7d9".into()
                ]
            )
        );
        assert_eq!(
            (
                index.owners.count(OwnerKind::ReplicaSet),
                index.owners.count(OwnerKind::Job)
            ),
            (1, 0)
        );
        let owned = Some(("apps/v1", "ReplicaSet", "web-7d9"));
        assert!(index.apply_pod(pod("shop", "web-7d9-a", owned)));
        assert_eq!(
            touched(&mut index).1,
            ["Deployment.apps shop/web", "ReplicaSet.apps shop/web-7d9"]
        );
        // An unchanged pod touches nothing.
        assert!(!index.apply_pod(pod("shop", "web-7d9-a", owned)));
        assert_eq!(touched(&mut index), (false, vec![]));
        // A bare pod is its own workload.
        index.apply_pod(pod("shop", "debug", None));
        assert_eq!(touched(&mut index).1, ["Pod shop/debug"]);
        // Released by its ReplicaSet and adopted by a StatefulSet: both sides.
        index.apply_pod(pod(
            "shop",
            "web-7d9-a",
            Some(("apps/v1", "StatefulSet", "db")),
        ));
        assert_eq!(
            touched(&mut index).1,
            [
                "Deployment.apps shop/web",
                "ReplicaSet.apps shop/web-7d9",
                "StatefulSet.apps shop/db"
            ]
        );
        assert!(index.delete_owner(OwnerKind::ReplicaSet, &meta("shop", "web-7d9", rs)));
        assert_eq!(index.owners.count(OwnerKind::ReplicaSet), 0);
        touched(&mut index);
        assert!(index.delete_pod(&pod("shop", "debug", None)));
        assert_eq!(touched(&mut index).1, ["Pod shop/debug"]);
        assert!(!index.delete_pod(&pod("shop", "gone", None)));
        assert_eq!(touched(&mut index), (false, vec![]));
    }

    #[test]
    fn pods_of_a_list_touch_nothing_until_its_end_touches_everything() {
        let mut index = MemberIndex::new();
        index.begin_resync_nodes();
        index.end_resync_nodes();
        for kind in OwnerKind::ALL {
            index.begin_resync_owners(kind);
            index.end_resync_owners(kind);
        }
        let owned = Some(("apps/v1", "ReplicaSet", "web-7d9"));
        for round in ["first list", "relist"] {
            index.begin_resync_pods();
            index.apply_pod(pod("shop", "web-7d9-a", owned));
            index.apply_pod(pod("shop", round, None));
            assert_eq!(touched(&mut index), (false, vec![]), "{round}: under way");
            index.end_resync_pods();
            assert_eq!(touched(&mut index), (true, vec![]), "{round}: complete");
        }
        index.apply_pod(pod("shop", "after", None));
        assert_eq!(
            touched(&mut index).1,
            ["Pod shop/after"],
            "one by one again"
        );
    }

    #[test]
    fn removals_in_a_relist_touch_everything() {
        let mut index = MemberIndex::new();
        synced(&mut index);
        index.apply_pod(pod("shop", "a", None));
        index.touched.take();
        index.begin_resync_pods();
        assert!(!index.workloads_synced());
        assert_eq!(index.end_resync_pods(), 1);
        assert_eq!(touched(&mut index), (true, vec![]));
        assert!(index.touched.is_empty());
    }
}
