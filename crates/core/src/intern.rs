//! Process-wide interning of repeated values (`Arc`-shared).
//!
//! A member with 2,000,000 pods has perhaps a few hundred namespaces, a few thousand nodes, a
//! dozen resource names and a few thousand distinct request lists and controllers. Interning
//! makes every pod hold a pointer to one shared copy instead of its own allocation.
//!
//! Why global rather than owned by the index: the slim types are decoded by serde inside
//! kube-runtime's watcher ([`crate::projection`]), and a `Deserialize` impl cannot be handed
//! any context, so the table it interns into has to be reachable without one. It is sharded (16
//! mutexes picked by hash) so that the decoding tasks of many members rarely contend, and a lock
//! is held only for one hash lookup.
//!
//! Entries are never freed implicitly: [`purge_unused`] drops the values that nothing outside the
//! tables refers to any more (nodes that left, namespaces that were deleted). The I/O shell calls
//! it now and then, e.g. after a member is removed or a relist completes.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use crate::projection::{ControllerRef, ResourceEntry};

const SHARDS: usize = 16;

/// A set of shared values; `intern` returns the stored `Arc` for an equal value.
pub struct Interner<T: ?Sized> {
    hasher: RandomState,
    shards: [Mutex<HashSet<Arc<T>>>; SHARDS],
}

impl<T: ?Sized + Hash + Eq> Interner<T> {
    /// An empty interner.
    pub fn new() -> Interner<T> {
        Interner {
            hasher: RandomState::new(),
            shards: std::array::from_fn(|_| Mutex::new(HashSet::new())),
        }
    }

    /// The shared copy of `value`, creating it with `make` the first time.
    pub fn intern_with(&self, value: &T, make: impl FnOnce(&T) -> Arc<T>) -> Arc<T> {
        let mut shard = self.shard(value);
        if let Some(existing) = shard.get(value) {
            return Arc::clone(existing);
        }
        let created = make(value);
        shard.insert(Arc::clone(&created));
        created
    }

    /// Number of distinct values held.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).len()).sum()
    }

    /// `true` when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the values only the interner itself still holds; returns how many.
    pub fn purge_unused(&self) -> usize {
        let mut purged = 0;
        for shard in &self.shards {
            let mut set = lock(shard);
            let before = set.len();
            set.retain(|value| Arc::strong_count(value) > 1);
            // `retain` only removes: no underflow.
            purged += before - set.len();
        }
        purged
    }

    fn shard(&self, value: &T) -> MutexGuard<'_, HashSet<Arc<T>>> {
        // The low bits feed the HashSet's buckets; the high bits pick the shard.
        let index = (self.hasher.hash_one(value) >> 60) as usize % SHARDS;
        // `% SHARDS` keeps the index within the array.
        lock(&self.shards[index])
    }
}

impl<T: ?Sized + Hash + Eq> Default for Interner<T> {
    fn default() -> Self {
        Interner::new()
    }
}

/// A poisoned shard still holds a consistent set (no operation panics half-way through an
/// insert we make), so recover it rather than propagate a panic from another thread.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

static STRINGS: LazyLock<Interner<str>> = LazyLock::new(Interner::new);
static RESOURCE_LISTS: LazyLock<Interner<[ResourceEntry]>> = LazyLock::new(Interner::new);
static CONTROLLERS: LazyLock<Interner<ControllerRef>> = LazyLock::new(Interner::new);

/// The shared copy of a string (namespace, node name, resource name, owner kind, label value).
pub fn intern_str(value: &str) -> Arc<str> {
    STRINGS.intern_with(value, |v| Arc::from(v))
}

/// The shared copy of a resource list (pods of one template share their requests).
pub(crate) fn intern_resources(entries: &[ResourceEntry]) -> Arc<[ResourceEntry]> {
    RESOURCE_LISTS.intern_with(entries, |e| Arc::from(e))
}

/// The shared copy of a controller reference (pods of one ReplicaSet share it).
pub(crate) fn intern_controller(controller: ControllerRef) -> Arc<ControllerRef> {
    CONTROLLERS.intern_with(&controller, |c| Arc::new(c.clone()))
}

/// Drops interned values nothing refers to any more, in every global table; returns how many.
///
/// Resource lists and controllers are purged first, since they hold interned strings.
pub fn purge_unused() -> usize {
    RESOURCE_LISTS.purge_unused() + CONTROLLERS.purge_unused() + STRINGS.purge_unused()
}

/// Sizes of the global tables: (strings, resource lists, controllers). For metrics.
pub fn interned_counts() -> (usize, usize, usize) {
    (STRINGS.len(), RESOURCE_LISTS.len(), CONTROLLERS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_one_allocation() {
        let interner: Interner<str> = Interner::new();
        let a = interner.intern_with("kube-system", |v| Arc::from(v));
        let owned = String::from("kube-system");
        let b = interner.intern_with(&owned, |v| Arc::from(v));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(interner.len(), 1);
        let c = interner.intern_with("default", |v| Arc::from(v));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(interner.len(), 2);
    }

    #[test]
    fn purge_drops_only_unreferenced_values() {
        let interner: Interner<str> = Interner::new();
        let kept = interner.intern_with("node-1", |v| Arc::from(v));
        drop(interner.intern_with("node-2", |v| Arc::from(v)));
        assert_eq!(interner.purge_unused(), 1);
        assert_eq!(interner.len(), 1);
        let again = interner.intern_with("node-1", |v| Arc::from(v));
        assert!(Arc::ptr_eq(&kept, &again));
    }

    #[test]
    fn global_string_interning_is_shared() {
        let a = intern_str("intern-test-namespace");
        let b = intern_str(&String::from("intern-test-namespace"));
        assert!(Arc::ptr_eq(&a, &b));
    }
}
