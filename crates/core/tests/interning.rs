//! Interned values do not outlive their use. Thousands of rollouts (a new ReplicaSet each),
//! CronJob runs (a new Job each) and node replacements in a member, fed to its index through
//! `MemberIndex::apply_event` as the member's watches would deliver them, leave the interning
//! tables as large as before, without a relist; values dropped without a deletion to free them
//! are purged after a bounded number of changes.
//!
//! A test binary of its own: the tables are global to the process, and no other test may add
//! to them or purge them meanwhile.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use karmada_manager_core::intern::{interned_counts, purge_due_after, purge_unused};
use karmada_manager_core::{MemberEvent, MemberIndex, OwnerKind, WatcherEvent};
use serde_json::{Value, json};

const NAMESPACE: &str = "shop";
const NODES: usize = 20;
const DEPLOYMENTS: usize = 10;
const REPLICAS: usize = 3;
const CRONJOBS: usize = 5;
/// Each round replaces one node, rolls out every Deployment and runs every CronJob once.
const ROUNDS: usize = 300;

/// Sizes of the interning tables: strings, resource lists, controllers, node label sets.
type Counts = (usize, usize, usize, usize);

fn total((strings, lists, controllers, label_sets): Counts) -> usize {
    strings + lists + controllers + label_sets
}

/// A member as its watches show it, and its index fed the way the shell feeds it: workloads
/// touched are taken after every event.
struct Member {
    index: MemberIndex,
    /// The current name of each node slot.
    nodes: Vec<String>,
    /// The current ReplicaSet of each Deployment and the pods it has.
    replica_sets: Vec<(String, Vec<Value>)>,
    /// The current Job of each CronJob and its pod.
    jobs: Vec<(String, Value)>,
    /// Largest total seen after any event.
    peak: usize,
}

impl Member {
    fn apply(&mut self, event: MemberEvent) {
        self.index.apply_event(event);
        self.index.touched.take();
        self.peak = self.peak.max(total(interned_counts()));
    }

    fn apply_pod(&mut self, pod: &Value) {
        self.apply(MemberEvent::Pod(WatcherEvent::Apply(decode(pod))));
    }

    fn delete_pod(&mut self, pod: &Value) {
        self.apply(MemberEvent::Pod(WatcherEvent::Delete(decode(pod))));
    }

    fn apply_owner(&mut self, kind: OwnerKind, meta: ObjectMeta) {
        self.apply(MemberEvent::Owner(kind, WatcherEvent::Apply(meta)));
    }

    fn delete_owner(&mut self, kind: OwnerKind, meta: ObjectMeta) {
        self.apply(MemberEvent::Owner(kind, WatcherEvent::Delete(meta)));
    }

    /// The initial list of round 0's member: every watch lists, then reports `InitDone`.
    fn listed() -> Member {
        let mut member = Member {
            index: MemberIndex::new(),
            nodes: (0..NODES).map(|slot| node_name(0, slot)).collect(),
            replica_sets: Vec::new(),
            jobs: Vec::new(),
            peak: 0,
        };
        let rs = OwnerKind::ReplicaSet;
        for event in [
            MemberEvent::Node(WatcherEvent::Init),
            MemberEvent::Pod(WatcherEvent::Init),
            MemberEvent::Owner(rs, WatcherEvent::Init),
            MemberEvent::Owner(OwnerKind::Job, WatcherEvent::Init),
        ] {
            member.apply(event);
        }
        for name in member.nodes.clone() {
            member.apply(MemberEvent::Node(WatcherEvent::InitApply(decode(&node(
                &name,
            )))));
        }
        for d in 0..DEPLOYMENTS {
            let name = format!("web{d}-0");
            member.apply(MemberEvent::Owner(
                rs,
                WatcherEvent::InitApply(replica_set(d, &name)),
            ));
            let pods: Vec<Value> = (0..REPLICAS)
                .map(|k| running_pod(&name, "ReplicaSet", &member.nodes[(d + k) % NODES], k))
                .collect();
            for pod in &pods {
                member.apply(MemberEvent::Pod(WatcherEvent::InitApply(decode(pod))));
            }
            member.replica_sets.push((name, pods));
        }
        for c in 0..CRONJOBS {
            let name = format!("backup{c}-0");
            let meta = job(c, &name);
            member.apply(MemberEvent::Owner(
                OwnerKind::Job,
                WatcherEvent::InitApply(meta),
            ));
            let mut pod = running_pod(&name, "Job", &member.nodes[c % NODES], 0);
            pod["status"]["phase"] = json!("Succeeded");
            member.apply(MemberEvent::Pod(WatcherEvent::InitApply(decode(&pod))));
            member.jobs.push((name, pod));
        }
        for event in [
            MemberEvent::Node(WatcherEvent::InitDone),
            MemberEvent::Pod(WatcherEvent::InitDone),
            MemberEvent::Owner(rs, WatcherEvent::InitDone),
            MemberEvent::Owner(OwnerKind::Job, WatcherEvent::InitDone),
        ] {
            member.apply(event);
        }
        assert!(member.index.workloads_synced());
        member
    }

    /// A new node in `slot`, then the old one deleted (its pods stay until their rollout).
    fn replace_node(&mut self, round: usize, slot: usize) {
        let new = node_name(round, slot);
        self.apply(MemberEvent::Node(WatcherEvent::Apply(decode(&node(&new)))));
        let old = std::mem::replace(&mut self.nodes[slot], new);
        self.apply(MemberEvent::Node(WatcherEvent::Delete(decode(&node(&old)))));
    }

    /// A new ReplicaSet whose pods are created, scheduled and started, then the old pods and
    /// the old ReplicaSet deleted, as a Deployment's rolling update leaves them.
    fn roll_out(&mut self, round: usize, d: usize) {
        let name = format!("web{d}-{round}");
        self.apply_owner(OwnerKind::ReplicaSet, replica_set(d, &name));
        let mut pods = Vec::new();
        for k in 0..REPLICAS {
            let running = running_pod(&name, "ReplicaSet", &self.nodes[(d + k) % NODES], k);
            let mut pending = running.clone();
            pending["spec"].as_object_mut().unwrap().remove("nodeName");
            pending["status"] = json!({"phase": "Pending"});
            let mut scheduled = running.clone();
            scheduled["status"] = json!({"phase": "Pending"});
            for state in [&pending, &scheduled, &running] {
                self.apply_pod(state);
            }
            pods.push(running);
        }
        let (old, old_pods) = std::mem::replace(&mut self.replica_sets[d], (name, pods));
        for pod in &old_pods {
            self.delete_pod(pod);
        }
        self.delete_owner(OwnerKind::ReplicaSet, replica_set(d, &old));
    }

    /// A new Job whose pod runs to completion, then the previous run's pod and Job deleted
    /// (the CronJob's history limit).
    fn run_cronjob(&mut self, round: usize, c: usize) {
        let name = format!("backup{c}-{round}");
        self.apply_owner(OwnerKind::Job, job(c, &name));
        let mut pod = running_pod(&name, "Job", &self.nodes[(c + round) % NODES], 0);
        self.apply_pod(&pod);
        pod["status"]["phase"] = json!("Succeeded");
        self.apply_pod(&pod);
        let (old, old_pod) = std::mem::replace(&mut self.jobs[c], (name, pod));
        self.delete_pod(&old_pod);
        self.delete_owner(OwnerKind::Job, job(c, &old));
    }
}

fn node_name(round: usize, slot: usize) -> String {
    format!("ip-10-{round}-{slot}.eu-west-1.compute.internal")
}

fn decode<T: serde::de::DeserializeOwned>(value: &Value) -> T {
    // From bytes, as the member's watch decodes them.
    serde_json::from_slice(&serde_json::to_vec(value).unwrap()).expect("decodes")
}

fn node(name: &str) -> Value {
    let resources = |cpu: &str, memory: &str| json!({"cpu": cpu, "memory": memory, "pods": "110"});
    json!({
        "metadata": {
            "name": name, "uid": format!("uid-{name}"), "resourceVersion": "7",
            "labels": {
                "kubernetes.io/hostname": name,
                "node-role.kubernetes.io/worker": "",
                "topology.kubernetes.io/zone": "eu-west-1a",
                "node.kubernetes.io/instance-type": "m5.xlarge",
            },
        },
        "status": {
            "capacity": resources("4", "16Gi"),
            "allocatable": resources("3900m", "15872Mi"),
            "conditions": [{"type": "Ready", "status": "True"}],
            "nodeInfo": {"kubeletVersion": "v1.35.4"},
        },
    })
}

/// Pod `k` of ReplicaSet or Job `owner`, running and ready on `node`.
fn running_pod(owner: &str, kind: &str, node: &str, k: usize) -> Value {
    let api_version = if kind == "Job" { "batch/v1" } else { "apps/v1" };
    let name = format!("{owner}-{k}");
    json!({
        "metadata": {
            "name": name, "namespace": NAMESPACE, "uid": format!("uid-{name}"),
            "resourceVersion": "3",
            "ownerReferences": [{
                "apiVersion": api_version, "kind": kind, "name": owner,
                "uid": format!("uid-{owner}"), "controller": true,
            }],
        },
        "spec": {
            "nodeName": node,
            "containers": [{"name": "app", "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}}],
        },
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    })
}

fn owned_meta(name: &str, api_version: &str, kind: &str, owner: &str) -> ObjectMeta {
    ObjectMeta {
        namespace: Some(NAMESPACE.into()),
        name: Some(name.into()),
        uid: Some(format!("uid-{name}")),
        owner_references: Some(vec![OwnerReference {
            api_version: api_version.into(),
            kind: kind.into(),
            name: owner.into(),
            uid: format!("uid-{owner}"),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }]),
        ..ObjectMeta::default()
    }
}

fn replica_set(d: usize, name: &str) -> ObjectMeta {
    owned_meta(name, "apps/v1", "Deployment", &format!("web{d}"))
}

fn job(c: usize, name: &str) -> ObjectMeta {
    owned_meta(name, "batch/v1", "CronJob", &format!("backup{c}"))
}

#[test]
fn churn_leaves_the_interning_tables_as_they_were() {
    let mut member = Member::listed();
    // What the listed objects hold, and nothing else.
    purge_unused();
    let baseline = interned_counts();
    member.peak = total(baseline);

    for round in 1..=ROUNDS {
        member.replace_node(round, round % NODES);
        for d in 0..DEPLOYMENTS {
            member.roll_out(round, d);
        }
        for c in 0..CRONJOBS {
            member.run_cronjob(round, c);
        }
        // Every value the previous round's objects held alone is gone already: the deletions
        // freed them, not a purge (one runs only every `purge_due_after()` changes).
        assert_eq!(interned_counts(), baseline, "after round {round}");
    }
    let index = &member.index;
    assert_eq!(index.cluster.node_count(), NODES);
    assert_eq!(index.cluster.pod_count(), DEPLOYMENTS * REPLICAS + CRONJOBS);
    assert_eq!(index.owners.len(), DEPLOYMENTS + CRONJOBS);
    eprintln!(
        "interning: {} rollouts, {} CronJob runs, {} node replacements: tables {baseline:?} \
         (strings, resource lists, controllers, node label sets) before and after, peak total {} (baseline {})",
        ROUNDS * DEPLOYMENTS,
        ROUNDS * CRONJOBS,
        ROUNDS,
        member.peak,
        total(baseline),
    );

    ephemeral_namespaces_are_purged_after_a_bounded_number_of_changes(&mut member, baseline);
}

/// A namespace per preview environment, created and deleted: the namespace is still held (by
/// the workloads touched, until the shell takes them) when its last pod is deleted, so it is
/// freed by the next purge, which comes after a bounded number of changes.
fn ephemeral_namespaces_are_purged_after_a_bounded_number_of_changes(
    member: &mut Member,
    baseline: Counts,
) {
    const RUNS: usize = 3000;
    let due = purge_due_after();
    let mut worst = 0;
    let mut purges_seen = 0;
    let mut previous = 0;
    for run in 0..RUNS {
        let mut pod = running_pod(&format!("preview{run}"), "Job", &member.nodes[0], 0);
        pod["metadata"]["namespace"] = json!(format!("preview-{run}"));
        member
            .index
            .apply_event(MemberEvent::Pod(WatcherEvent::Apply(decode(&pod))));
        member.index.touched.take();
        member
            .index
            .apply_event(MemberEvent::Pod(WatcherEvent::Delete(decode(&pod))));
        member.index.touched.take();
        let excess = total(interned_counts()) - total(baseline);
        purges_seen += usize::from(excess < previous);
        previous = excess;
        worst = worst.max(excess);
    }
    // Two changes a run, and each run leaves its namespace to a purge (its Job's controller
    // reference went with the pod).
    assert!(
        worst <= due / 2 + 1,
        "at most {due} changes between purges, one namespace per 2 changes: {worst} values held"
    );
    assert!(purges_seen >= RUNS * 2 / due - 1, "{purges_seen} purges");
    eprintln!(
        "interning: {RUNS} ephemeral namespaces: at most {worst} values awaiting a purge (one every {due} changes), {purges_seen} purges"
    );
}
