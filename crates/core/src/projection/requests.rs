//! The effective resource request of a pod, as the kube-scheduler computes it
//! (`k8s.io/component-helpers/resource.PodRequests`, which Karmada follows as well):
//!
//! ```text
//! requests = max( Σ app containers + Σ restartable init containers,
//!                 max over classic init containers i of
//!                     (request of i + Σ restartable init containers declared before i) )
//!            with pod-level `spec.resources.requests` replacing cpu / memory / hugepages-*
//!            + pod overhead
//! ```
//!
//! Restartable init containers (`restartPolicy: Always`, "sidecars") run for the pod's whole
//! life, so they add to the app containers; a classic init container runs alone, after the
//! sidecars declared before it have started, so it only sets a floor.
//!
//! Not modelled: in-place resize (the scheduler takes the max of spec, allocated and actuated
//! resources while a resize is in flight) and DRA claims; both are reported by the kubelet in
//! pod status and only shift figures while a resize or claim is being processed.

use super::resources::{ResourceEntry, ResourceList, ResourceSums};

/// One init container's requests and whether it is restartable (a sidecar).
pub(crate) struct InitContainer<'a> {
    pub(crate) requests: &'a [ResourceEntry],
    pub(crate) restartable: bool,
}

/// Resource names a pod-level `spec.resources.requests` may set (`IsSupportedPodLevelResource`).
fn supported_at_pod_level(name: &str) -> bool {
    name == "cpu" || name == "memory" || name.starts_with("hugepages-")
}

/// The effective requests; every input slice is sorted by name without duplicates.
///
/// A `pods` entry, which validation forbids in container requests anyway, is dropped: the index
/// counts each pod as one `pods` unit itself.
pub(crate) fn effective_requests(
    containers: &[&[ResourceEntry]],
    init_containers: &[InitContainer<'_>],
    pod_level: &[ResourceEntry],
    overhead: &[ResourceEntry],
) -> ResourceList {
    let mut requests = ResourceSums::default();
    for container in containers {
        requests.add(container);
    }
    let mut sidecars = ResourceSums::default();
    let mut init_floor = ResourceSums::default();
    for init in init_containers {
        if init.restartable {
            requests.add(init.requests);
            sidecars.add(init.requests);
            init_floor.max_with(sidecars.entries());
        } else {
            let mut running = sidecars.clone();
            running.add(init.requests);
            init_floor.max_with(running.entries());
        }
    }
    requests.max_with(init_floor.entries());
    for entry in pod_level.iter().filter(|e| supported_at_pod_level(&e.name)) {
        requests.set(entry);
    }
    requests.add(overhead);
    requests.remove("pods");
    requests.finish()
}
