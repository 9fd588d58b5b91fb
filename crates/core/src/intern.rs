//! The process-wide interning tables as a whole: [`purge_unused`] and [`interned_counts`] over
//! every table, and [`intern_str`] / [`Interner`] for code that builds shared values itself.
//!
//! A pod holds interned strings (namespace, resource names) and, through the projections'
//! own tables, interned resource lists and controller references. A value that nothing outside
//! the tables refers to any more is freed in two ways, so that a member's churn (a ReplicaSet
//! per rollout, a Job per CronJob run, new nodes in an autoscaled fleet) never makes the
//! tables creep:
//!
//! - **When its last holder goes.** A member's index applies a Pod or Node deletion, then
//!   hands the deleted object to `release_pod` / `release_node`: each value it holds that
//!   only the table and the event still hold is dropped from its table (O(1): one atomic load
//!   per value, and a locked lookup only for a value that is going). This frees the controller
//!   of a ReplicaSet's or Job's last pod, a request list no pod uses any more, the kubelet
//!   version of a node that left.
//! - **By a purge** ([`purge_unused`]): a scan of every table that drops whatever only the
//!   tables hold. It catches what the first way cannot see: a value dropped when a stored object
//!   was replaced (an in-place resize's old request list, a node's old kubelet version), or one
//!   still held for a moment elsewhere when its last object was deleted (the namespace of a
//!   workload key the shell has not taken yet). A member's index runs it after as many changes
//!   as the tables held values after the last purge ([`purge_due_after`]), so that its cost,
//!   proportional to the tables, is O(1) per change amortized. A relist that removed objects
//!   runs it too, and so does the shell when a member is removed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::interner::STRINGS;
pub use crate::interner::{Interner, intern_str};
use crate::projection::{
    CONTROLLERS, ControllerRef, LABEL_SETS, Label, RESOURCE_LISTS, ResourceList, SlimNode, SlimPod,
};

/// Fewest changes between two purges: below it a purge's fixed cost (locking every shard of
/// the three tables) would dominate.
const MIN_CHANGES_BETWEEN_PURGES: usize = 1024;

/// Changes after which the next purge is due: the values the tables held after the last purge,
/// at least [`MIN_CHANGES_BETWEEN_PURGES`].
static PURGE_DUE_AFTER: AtomicUsize = AtomicUsize::new(MIN_CHANGES_BETWEEN_PURGES);

/// Drops interned values nothing refers to any more, in every global table; returns how many.
///
/// Resource lists, controllers and node label sets are purged first, since they hold interned
/// strings.
pub fn purge_unused() -> usize {
    let purged = RESOURCE_LISTS.purge_unused()
        + CONTROLLERS.purge_unused()
        + LABEL_SETS.purge_unused()
        + STRINGS.purge_unused();
    let (strings, lists, controllers, label_sets) = interned_counts();
    let kept = strings + lists + controllers + label_sets;
    PURGE_DUE_AFTER.store(due_after(kept), Ordering::Relaxed);
    purged
}

/// How many changes a member's index lets pass before it runs [`purge_unused`]: as many as the
/// tables held values after the last purge, so a purge costs at most about one value visited
/// per change.
pub fn purge_due_after() -> usize {
    PURGE_DUE_AFTER.load(Ordering::Relaxed)
}

fn due_after(kept: usize) -> usize {
    kept.max(MIN_CHANGES_BETWEEN_PURGES)
}

/// Sizes of the global tables: (strings, resource lists, controllers, node label sets). For
/// metrics.
pub fn interned_counts() -> (usize, usize, usize, usize) {
    (
        STRINGS.len(),
        RESOURCE_LISTS.len(),
        CONTROLLERS.len(),
        LABEL_SETS.len(),
    )
}

/// Frees the values of a pod that was just deleted from an index, where `pod` (the deletion
/// event's copy) is their last holder besides the tables: they go when `pod` is dropped.
pub(crate) fn release_pod(pod: &SlimPod) {
    if let Some(controller) = &pod.controller {
        release_controller(controller);
    }
    release_list(&pod.requests, 1);
    // Its node's name is not interned (`SlimNode::share_name`).
    STRINGS.release(pod.namespace(), 1);
}

/// Frees the values of a node that was just deleted from an index, as [`release_pod`] does.
/// A node holds some strings more than once (its zone is also a label value): each is released
/// once, with all of the node's holds. The labels it shares with other nodes count among its
/// holds only when it was the last node to share them. Its name, also the value of
/// `kubernetes.io/hostname`, is not interned (`SlimNode::share_name`).
pub(crate) fn release_node(node: &SlimNode) {
    let shared = node.labels.shared();
    let shared: &[Label] = if LABEL_SETS.release(shared, 1) {
        shared
    } else {
        &[]
    };
    let hostname_key = node.labels.own().map(|(key, _)| key);
    let labels = shared.iter().flat_map(|(key, value)| [key, value]);
    let mut texts: Vec<&Arc<str>> = hostname_key
        .into_iter()
        .chain(&node.roles)
        .chain(&node.zone)
        .chain(&node.instance_type)
        .chain(&node.kubelet_version)
        .chain(labels)
        .chain(node.taints.iter().flat_map(|t| [&t.key, &t.value]))
        .collect();
    texts.sort_unstable_by_key(|text| Arc::as_ptr(text).cast::<u8>());
    for group in texts.chunk_by(|a, b| Arc::ptr_eq(a, b)) {
        STRINGS.release(group[0], group.len());
    }
    if node.capacity.shares_list(&node.allocatable) {
        release_list(&node.capacity, 2);
    } else {
        release_list(&node.capacity, 1);
        release_list(&node.allocatable, 1);
    }
}

fn release_controller(controller: &Arc<ControllerRef>) {
    if CONTROLLERS.release(controller, 1) {
        // Freed with the controller: the strings it holds lose that holder.
        STRINGS.release(&controller.api_version, 1);
        STRINGS.release(&controller.kind, 1);
    }
}

fn release_list(list: &ResourceList, held: usize) {
    let shared = list.shared();
    if RESOURCE_LISTS.release(shared, held) {
        for entry in shared.iter() {
            STRINGS.release(&entry.name, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purge_is_due_after_as_many_changes_as_values_kept() {
        assert_eq!(due_after(0), MIN_CHANGES_BETWEEN_PURGES);
        assert_eq!(due_after(50_000), 50_000);
    }
}
