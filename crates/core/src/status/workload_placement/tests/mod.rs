//! The `WorkloadPlacement` builder: status fields, conditions and fleet state, fed with
//! Karmada objects as the hub serves them. Each test starts from [`Fixture::new`] and states
//! only what differs from it.

mod agreement;
mod candidates;
mod clusters;
mod conditions;
mod fit;
mod pods;
mod policy;
mod replicas;
mod shared;

use std::collections::{BTreeMap, BTreeSet};

use karmada_manager_api::ClusterPlacement;
use karmada_types::{Cluster, ClusterResourceBinding, PropagationSpec, ResourceBinding};
use kube::core::DeserializeGuard;
use serde_json::{Value, json};

use super::*;
use crate::index::WorkloadPod;
use crate::projection::PodPhase;

/// `web` (Deployment, 10 replicas) in `shop`, divided 6/4 over m1/m2 by static weights 3 and
/// 2, scheduled, applied and ready everywhere, claimed by PropagationPolicy shop/web-pp.
fn web() -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha2",
        "kind": "ResourceBinding",
        "metadata": {
            "name": "web-deployment", "namespace": "shop", "generation": 3,
            "annotations": {
                "propagationpolicy.karmada.io/name": "web-pp",
                "propagationpolicy.karmada.io/namespace": "shop"
            }
        },
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop",
                         "name": "web", "uid": "u-web", "resourceVersion": "42"},
            "replicas": 10,
            "clusters": [{"name": "m2", "replicas": 4}, {"name": "m1", "replicas": 6}],
            "placement": {
                "clusterAffinity": {"labelSelector": {"matchLabels": {"env": "prod"}}},
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Weighted",
                    "weightPreference": {"staticWeightList": [
                        {"targetCluster": {"labelSelector": {"matchLabels": {"tier": "gold"}}}, "weight": 3},
                        {"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}}}, "weight": 2}
                    ]}
                },
                "spreadConstraints": [{"spreadByField": "cluster", "minGroups": 2}]
            }
        },
        "status": {
            "schedulerObservedGeneration": 3,
            "lastScheduledTime": "2025-06-01T10:00:00Z",
            "conditions": [
                {"type": "Scheduled", "status": "True", "reason": "Success",
                 "message": "Binding has been scheduled successfully."},
                {"type": "FullyApplied", "status": "True", "reason": "FullyAppliedSuccess",
                 "message": "All works have been successfully applied"}
            ],
            "aggregatedStatus": [
                {"clusterName": "m1", "applied": true, "health": "Healthy",
                 "status": {"replicas": 6, "readyReplicas": 6, "availableReplicas": 6,
                            "updatedReplicas": 6, "generation": 4, "observedGeneration": 4}},
                {"clusterName": "m2", "applied": true, "health": "Healthy",
                 "status": {"replicas": 4, "readyReplicas": 4, "availableReplicas": 4,
                            "updatedReplicas": 4}}
            ]
        }
    })
}

fn cluster(name: &str, labels: Value) -> Cluster {
    serde_json::from_value(json!({"metadata": {"name": name, "labels": labels}})).expect("cluster")
}

fn policy() -> PropagationSpec {
    serde_json::from_value(json!({"priority": 5, "conflictResolution": "Overwrite"}))
        .expect("policy")
}

fn running(name: &str, node: &str) -> WorkloadPod {
    WorkloadPod {
        node: Some(node.into()),
        phase: PodPhase::Running,
        ready: true,
        ..WorkloadPod::new(name)
    }
}

/// `count` running pods `<prefix><i>`, the i-th on node `n<i % nodes>`.
fn running_pods(count: usize, prefix: &str, nodes: usize) -> Vec<WorkloadPod> {
    (0..count)
        .map(|i| running(&format!("{prefix}{i}"), &format!("n{}", i % nodes)))
        .collect()
}

/// The decoder's message for a policy the hub holds but the operator cannot decode, as the
/// shell's cache (`DeserializeGuard`) keeps it.
fn undecodable<K: kube::Resource + serde::de::DeserializeOwned>(object: Value) -> String {
    let guard: DeserializeGuard<K> = serde_json::from_value(object).expect("a guard decodes");
    match guard.0 {
        Ok(_) => panic!("the policy decodes"),
        Err(invalid) => invalid.error,
    }
}

/// Everything the builder reads, owned: by default [`web`] with its policy found, Clusters m1
/// (`env=prod`, `tier=gold`), m2 (`env=prod`) and m3 (`env=dev`), no overrides, pods or
/// problems, and the default options. Each setter replaces one part.
#[derive(Clone)]
struct Fixture {
    binding: Value,
    /// The claimed policy as the shell's cache holds it: absent, decoded, or the decoder's
    /// message.
    policy: Option<Result<PropagationSpec, String>>,
    clusters: Vec<Cluster>,
    overrides: BTreeMap<String, WorkOverrides>,
    pods: BTreeMap<String, Vec<WorkloadPod>>,
    problems: BTreeMap<String, Vec<ClusterProblem>>,
    fits: BTreeMap<String, Fit>,
    /// When replicas share the members: the clusters watched here, and the entries as
    /// published.
    shared: Option<(BTreeSet<String>, Vec<ClusterPlacement>)>,
    options: PlacementOptions,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            binding: web(),
            policy: Some(Ok(policy())),
            clusters: vec![
                cluster("m1", json!({"env": "prod", "tier": "gold"})),
                cluster("m2", json!({"env": "prod"})),
                cluster("m3", json!({"env": "dev"})),
            ],
            overrides: BTreeMap::new(),
            pods: BTreeMap::new(),
            problems: BTreeMap::new(),
            fits: BTreeMap::new(),
            shared: None,
            options: PlacementOptions::default(),
        }
    }

    /// Decodes the binding (a `ClusterResourceBinding` when its kind says so) and builds.
    fn build(&self) -> WorkloadPlacementBuild {
        if self.binding["kind"] == "ClusterResourceBinding" {
            let binding: ClusterResourceBinding =
                serde_json::from_value(self.binding.clone()).expect("binding decodes");
            self.build_from(BindingSource::from(&binding))
        } else {
            let binding: ResourceBinding =
                serde_json::from_value(self.binding.clone()).expect("binding decodes");
            self.build_from(BindingSource::from(&binding))
        }
    }

    fn build_from(&self, binding: BindingSource<'_>) -> WorkloadPlacementBuild {
        let clusters: Vec<&Cluster> = self.clusters.iter().collect();
        workload_placement_status(
            &PlacementInputs {
                binding,
                policy: match &self.policy {
                    None => PolicyLookup::Missing,
                    Some(Ok(spec)) => PolicyLookup::Found(spec),
                    Some(Err(error)) => PolicyLookup::Malformed(error),
                },
                clusters: &clusters,
                overrides: &self.overrides,
                pods: &self.pods,
                problems: &self.problems,
                fits: &self.fits,
                shared: self
                    .shared
                    .as_ref()
                    .map(|(watched_here, published)| SharedObservation {
                        watched_here,
                        published,
                    }),
            },
            &self.options,
        )
    }

    // The binding.

    /// Sets the binding's field at a JSON pointer (`/spec/replicas`), adding it if absent.
    fn set(mut self, pointer: &str, value: Value) -> Fixture {
        let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
        let parent = self.binding.pointer_mut(parent).expect("parent exists");
        match parent {
            Value::Array(items) => items[key.parse::<usize>().expect("an index")] = value,
            other => other[key] = value,
        }
        self
    }

    /// Removes the binding's field at a JSON pointer.
    fn remove(mut self, pointer: &str) -> Fixture {
        let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
        self.binding
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .expect("parent object")
            .remove(key);
        self
    }

    fn generation(self, generation: i64) -> Fixture {
        self.set("/metadata/generation", json!(generation))
    }

    /// The claim annotations (replacing all annotations).
    fn annotations(self, annotations: Value) -> Fixture {
        self.set("/metadata/annotations", annotations)
    }

    fn resource(self, resource: Value) -> Fixture {
        self.set("/spec/resource", resource)
    }

    fn placement(self, placement: Value) -> Fixture {
        self.set("/spec/placement", placement)
    }

    /// `spec.clusters`, the scheduler's result.
    fn targets(self, targets: Value) -> Fixture {
        self.set("/spec/clusters", targets)
    }

    /// The status of Karmada's condition of that type (`Scheduled`, `FullyApplied`).
    fn karmada_condition_status(mut self, type_: &str, status: &str) -> Fixture {
        let condition = self.binding["status"]["conditions"]
            .as_array_mut()
            .expect("conditions")
            .iter_mut()
            .find(|c| c["type"] == type_)
            .expect("condition");
        condition["status"] = json!(status);
        self
    }

    /// Replaces Karmada's `Scheduled` condition.
    fn scheduled_condition(self, condition: Value) -> Fixture {
        self.set("/status/conditions/0", condition)
    }

    /// `status.aggregatedStatus`, what the members report.
    fn members(self, members: Value) -> Fixture {
        self.set("/status/aggregatedStatus", members)
    }

    /// Replaces the first `aggregatedStatus` entry of `cluster`.
    fn member(mut self, cluster: &str, entry: Value) -> Fixture {
        *self.member_mut(cluster) = entry;
        self
    }

    fn member_health(mut self, cluster: &str, health: &str) -> Fixture {
        self.member_mut(cluster)["health"] = json!(health);
        self
    }

    /// One count (`readyReplicas`, `generation`) in the workload status `cluster` reports.
    fn member_status(mut self, cluster: &str, field: &str, value: i64) -> Fixture {
        self.member_mut(cluster)["status"][field] = json!(value);
        self
    }

    fn member_mut(&mut self, cluster: &str) -> &mut Value {
        self.binding["status"]["aggregatedStatus"]
            .as_array_mut()
            .expect("aggregatedStatus")
            .iter_mut()
            .find(|m| m["clusterName"] == cluster)
            .expect("member entry")
    }

    // Everything else the builder reads.

    fn policy_missing(mut self) -> Fixture {
        self.policy = None;
        self
    }

    /// The claimed policy exists, but does not decode: the decoder's message.
    fn policy_malformed(mut self, error: String) -> Fixture {
        self.policy = Some(Err(error));
        self
    }

    fn policy_found(mut self) -> Fixture {
        self.policy = Some(Ok(policy()));
        self
    }

    fn no_cluster_objects(mut self) -> Fixture {
        self.clusters.clear();
        self
    }

    /// The applied overrides of the Work on `cluster`, from its annotations.
    fn overrides(mut self, cluster: &str, annotations: &[(&str, &str)]) -> Fixture {
        let annotations: BTreeMap<String, String> = annotations
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let overrides = WorkOverrides::from_annotations(&annotations).expect("annotations");
        self.overrides.insert(cluster.into(), overrides);
        self
    }

    /// The workload's pods on `cluster` (replacing those given before).
    /// Builds as a replica that watches only `watched_here`, reading the other clusters'
    /// observed fields from `published`.
    fn shared(mut self, watched_here: &[&str], published: Vec<ClusterPlacement>) -> Fixture {
        let watched = watched_here.iter().map(|c| (*c).to_owned()).collect();
        self.shared = Some((watched, published));
        self
    }

    fn pods(mut self, cluster: &str, pods: Vec<WorkloadPod>) -> Fixture {
        self.pods.insert(cluster.into(), pods);
        self
    }

    /// The problems on `cluster` (replacing those given before).
    fn problems(mut self, cluster: &str, problems: Vec<ClusterProblem>) -> Fixture {
        self.problems.insert(cluster.into(), problems);
        self
    }

    fn no_problems(mut self) -> Fixture {
        self.problems.clear();
        self
    }

    fn node_limit(mut self, limit: usize) -> Fixture {
        self.options.node_limit = limit;
        self
    }

    fn pod_limit(mut self, limit: usize) -> Fixture {
        self.options.pod_limit = limit;
        self
    }

    fn max_status_bytes(mut self, max: usize) -> Fixture {
        self.options.max_status_bytes = max;
        self
    }
}

fn condition<'a>(built: &'a WorkloadPlacementBuild, type_: &str) -> Option<&'a DesiredCondition> {
    built.conditions.iter().find(|c| c.type_ == type_)
}

/// `(status, reason)` of a condition, `("-", "-")` when absent.
fn state_of(built: &WorkloadPlacementBuild, type_: &str) -> (&'static str, &'static str) {
    condition(built, type_).map_or(("-", "-"), |c| (c.status, c.reason))
}

fn entry<'a>(built: &'a WorkloadPlacementBuild, name: &str) -> &'a ClusterPlacement {
    built
        .status
        .clusters
        .iter()
        .find(|c| c.name == name)
        .expect("cluster entry")
}

fn types_of(built: &WorkloadPlacementBuild) -> Vec<&str> {
    built.conditions.iter().map(|c| c.type_).collect()
}

/// The names of the cluster entries, in order.
fn names_of(built: &WorkloadPlacementBuild) -> Vec<&str> {
    built
        .status
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .collect()
}
