//! Random access to one member's objects, for the simulated member API server (`crate::sim`):
//! object `i` of a kind is generated on its own, from a generator derived from (seed, member,
//! kind, `i`), so that any page of a LIST or any changed pod can be written without the objects
//! before it. Same shapes as [`super::Stream`], not the same bytes: the stream draws every object
//! from one sequential generator, and `bench ingest` measures those bytes.

use super::Kind;
use super::fleet::{ClusterPlan, Workload};
use super::node::write_node;
use super::out::Out;
use super::pod::{PodChange, PodState, Variant, write_pod_variant};
use prop_json::Rng;

/// Streams of the per-object generators, apart from the plan's and the sequential streams'.
const OBJECT_STREAMS: u64 = 0x0B1E_C700_0000_0000;
/// Where a pod's replacement generation enters its generator's stream: above the object index
/// and the member index (bits 32–39), below the kind (bits 56–63); generations repeat after
/// 65,536, long after the pod they would repeat was deleted.
const GENERATION_SHIFT: u32 = 40;

/// One member's objects, addressable by index. Holds the plan (a few hundred bytes per
/// workload) and where each workload's pods start; nothing per pod.
pub struct MemberObjects {
    plan: ClusterPlan,
    /// `pod_starts[w]`: index of workload `w`'s first pod.
    pod_starts: Vec<usize>,
    pods: usize,
}

impl MemberObjects {
    /// Member `index` of a fleet generated from `seed`, with `nodes` nodes and `pods` pods.
    pub fn new(seed: u64, index: usize, nodes: usize, pods: usize) -> MemberObjects {
        let plan = ClusterPlan::new(seed, index, nodes, pods);
        let mut pod_starts = Vec::with_capacity(plan.workloads.len());
        let mut next = 0;
        for workload in &plan.workloads {
            pod_starts.push(next);
            next += workload.replicas;
        }
        MemberObjects {
            plan,
            pod_starts,
            pods: next,
        }
    }

    pub fn nodes(&self) -> usize {
        self.plan.nodes
    }

    pub fn pods(&self) -> usize {
        self.pods
    }

    /// The Deployments' ReplicaSets, one per workload.
    pub fn workloads(&self) -> &[Workload] {
        &self.plan.workloads
    }

    /// Writes node `i` (one JSON object, no newline) with `resourceVersion` `rv`.
    pub fn write_node(&self, buf: &mut Vec<u8>, i: usize, rv: u64) {
        let mut rng = self.rng(Kind::Node, i);
        write_node(&mut Out(buf), &mut rng, &self.plan, i, rv);
    }

    /// Writes pod `i` with `change` applied (one JSON object, no newline). A replacement
    /// (`change.generation` > 0) is drawn from a generator of its own, so it is another pod in
    /// the same slot of the same ReplicaSet.
    pub fn write_pod(&self, buf: &mut Vec<u8>, i: usize, rv: u64, change: PodChange) {
        let (workload, replica) = self.workload_of(i);
        let variant = Variant {
            replica: Some(replica),
            change,
        };
        let mut rng = self.pod_rng(i, change.generation);
        let workload = &self.plan.workloads[workload];
        write_pod_variant(&mut Out(buf), &mut rng, &self.plan, workload, rv, variant);
    }

    /// What pod `i` is doing as generated (its first draw, as in `write_pod`).
    pub fn pod_state(&self, i: usize) -> PodState {
        PodState::draw(&mut self.rng(Kind::Pod, i))
    }

    /// The workload pod `i` belongs to, and which replica of it the pod is.
    fn workload_of(&self, i: usize) -> (usize, usize) {
        let workload = self.pod_starts.partition_point(|&start| start <= i) - 1;
        (workload, i - self.pod_starts[workload])
    }

    fn rng(&self, kind: Kind, i: usize) -> Rng {
        let stream = OBJECT_STREAMS ^ ((kind as u64) << 56) ^ ((self.plan.index as u64) << 32);
        Rng::derive(self.plan.seed, stream ^ i as u64)
    }

    /// The generator of pod `i`'s `generation` (0: the pod as generated).
    fn pod_rng(&self, i: usize, generation: u32) -> Rng {
        let generation = u64::from(generation & 0xFFFF) << GENERATION_SHIFT;
        self.rng(Kind::Pod, i ^ generation as usize)
    }
}
