//! [`PodsByController`]: the pod names a member's index groups by direct controller, so that
//! the pods of one workload are found without a scan.

use std::sync::Arc;

use crate::hashing::{Map, Set};
use crate::keys::WorkloadKey;
use crate::projection::ControllerRef;

/// Pod names grouped by direct controller; maintained by `ClusterIndex` on every pod event
/// (O(1): one hash insert or remove, and only when a pod appears, disappears or changes
/// controller). Pods without a controller are not grouped. Names are the `Arc`s the index
/// already keys its pods by, so a grouped pod costs a pointer, not a copy of its name.
#[derive(Clone, Debug, Default)]
pub(crate) struct PodsByController(Map<WorkloadKey, Set<Arc<str>>>);

impl PodsByController {
    pub(crate) fn add(
        &mut self,
        namespace: &Arc<str>,
        controller: Option<&ControllerRef>,
        name: &Arc<str>,
    ) {
        if let Some(controller) = controller {
            let key = WorkloadKey::of_controller(namespace, controller);
            self.0.entry(key).or_default().insert(Arc::clone(name));
        }
    }

    pub(crate) fn remove(
        &mut self,
        namespace: &Arc<str>,
        controller: Option<&ControllerRef>,
        name: &str,
    ) {
        let Some(controller) = controller else { return };
        let key = WorkloadKey::of_controller(namespace, controller);
        if let Some(names) = self.0.get_mut(&key) {
            names.remove(name);
            if names.is_empty() {
                self.0.remove(&key);
            }
        }
    }

    /// The names of the pods `controller` controls.
    pub(crate) fn names(&self, controller: &WorkloadKey) -> impl Iterator<Item = &Arc<str>> {
        self.0.get(controller).into_iter().flatten()
    }

    /// Every group, for consistency checks.
    #[cfg(test)]
    pub(crate) fn groups(&self) -> &Map<WorkloadKey, Set<Arc<str>>> {
        &self.0
    }
}
