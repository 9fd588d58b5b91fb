//! The interning machinery: [`Interner`], a sharded set of `Arc`-shared values, the global
//! string table ([`intern_str`]) and [`WellKnown`] strings.
//!
//! A member with 2,000,000 pods has perhaps a few hundred namespaces, a dozen resource names
//! and a few thousand distinct request lists and controllers. Interning makes every pod hold a
//! pointer to one shared copy instead of its own allocation. Node names are the exception:
//! each is unique to its member, which shares it between a node and its pods itself.
//!
//! Why global rather than owned by the index: the slim types are decoded by serde inside
//! kube-runtime's watcher (the `projection` module), and a `Deserialize` impl cannot be handed
//! any context, so the table it interns into has to be reachable without one. It is sharded (16
//! mutexes picked by a cheap hash) so that the decoding tasks of many members rarely contend, and a lock
//! is held only for one hash lookup.
//!
//! The tables of projection values (resource lists, controller references) are kept next to
//! their types in `projection`; the `intern` module purges and counts all of them.

use hashbrown::Equivalent;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, OnceLock, PoisonError};

const SHARDS: usize = 16;

/// A set of shared values; `intern` returns the stored `Arc` for an equal value.
pub struct Interner<T: ?Sized> {
    shards: [Mutex<Shard<T>>; SHARDS],
}

/// One shard: keyed by the process's aHash keys, as [`crate::hashing`]'s sets are, and a
/// `hashbrown` set rather than std's so that it can be searched by a borrowed form of a value
/// (`Equivalent`), with nothing built for a value it already holds.
type Shard<T> = hashbrown::HashSet<Arc<T>, ahash::RandomState>;

impl<T: ?Sized + Hash + Eq> Interner<T> {
    /// An empty interner.
    pub fn new() -> Interner<T> {
        Interner {
            shards: std::array::from_fn(|_| Mutex::new(Shard::default())),
        }
    }

    /// The shared copy of `value`, creating it with `make` the first time.
    pub fn intern_with(&self, value: &T, make: impl FnOnce(&T) -> Arc<T>) -> Arc<T> {
        self.intern_equivalent(value, make)
    }

    /// The shared copy of the value `key` stands for, creating it with `make` the first time.
    /// `key` must hash exactly as that value does (the same calls on the `Hasher`) and be
    /// equivalent to it only: then a value already held costs no copy of it.
    pub fn intern_equivalent<Q>(&self, key: &Q, make: impl FnOnce(&Q) -> Arc<T>) -> Arc<T>
    where
        Q: ?Sized + Hash + Equivalent<Arc<T>>,
    {
        let mut shard = self.shard(key);
        if let Some(existing) = shard.get(key) {
            return Arc::clone(existing);
        }
        let created = make(key);
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

    /// Drops the table's copy of `value` when the caller's copies are the only others
    /// (`held` of them), so that the value is freed as soon as the caller drops them; returns
    /// whether it did. Costs one atomic load, and one locked lookup only when the value is
    /// about to lose its last holder.
    ///
    /// Sound without a scan: while only the table and the caller hold the value, nobody can
    /// take a copy except from the table, under the shard's lock held here. A value equal to a
    /// stored one but not the stored `Arc` itself is left alone.
    pub fn release(&self, value: &Arc<T>, held: usize) -> bool {
        let last = |value: &Arc<T>| Arc::strong_count(value) == held.saturating_add(1);
        if !last(value) {
            return false;
        }
        let mut shard = self.shard(value);
        let stored = shard
            .get(&**value)
            .is_some_and(|stored| Arc::ptr_eq(stored, value));
        // Counted again under the lock: any copy handed out since came from the table.
        stored && last(value) && shard.remove(&**value)
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

    fn shard<Q: ?Sized + Hash>(&self, value: &Q) -> MutexGuard<'_, Shard<T>> {
        // `% SHARDS` keeps the index within the array.
        lock(&self.shards[ShardHasher::shard_of(value) % SHARDS])
    }
}

impl<T: ?Sized + Hash + Eq> Default for Interner<T> {
    fn default() -> Self {
        Interner::new()
    }
}

/// Picks a value's shard with a cheap unkeyed hash (FxHash's word-at-a-time multiply), so
/// that a lookup costs one keyed hash, the set's own, rather than two.
///
/// Unkeyed is safe here: names a member chooses could all be steered into one shard, which
/// costs lock contention and nothing more. Within a shard the set keeps its keyed hash
/// ([`crate::hashing`]), so the same names cannot degrade its lookups (hash flooding).
#[derive(Default)]
struct ShardHasher(u64);

impl Hasher for ShardHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            // A chunk has at most 8 bytes.
            word[..chunk.len()].copy_from_slice(chunk);
            let word = u64::from_le_bytes(word);
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl ShardHasher {
    /// The shard of `value`, from the best-mixed (high) bits of the hash.
    fn shard_of<T: ?Sized + Hash>(value: &T) -> usize {
        let mut hasher = ShardHasher::default();
        value.hash(&mut hasher);
        // `SHARDS` is 16: the top 4 bits.
        (hasher.finish() >> 60) as usize
    }
}

/// A poisoned shard still holds a consistent set (no operation panics half-way through an
/// insert we make), so recover it rather than propagate a panic from another thread.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Every interned string: namespaces, resource names, owner kinds, label values. Not node
/// names, which a member's index shares (`SlimNode::share_name`).
pub(crate) static STRINGS: LazyLock<Interner<str>> = LazyLock::new(Interner::new);

/// The shared copy of a string (namespace, resource name, owner kind, label value).
pub fn intern_str(value: &str) -> Arc<str> {
    STRINGS.intern_with(value, |v| Arc::from(v))
}

/// A few strings that recur in nearly every object (`cpu`, `memory`, the `apps` group),
/// interned once and held for good, and found by comparing bytes: no lock, no hash. The
/// interner hands out the same `Arc`s for them (they are never purged while held here).
pub(crate) struct WellKnown {
    names: &'static [&'static str],
    interned: OnceLock<Vec<Arc<str>>>,
}

impl WellKnown {
    pub(crate) const fn new(names: &'static [&'static str]) -> WellKnown {
        WellKnown {
            names,
            interned: OnceLock::new(),
        }
    }

    /// The interned copy of `value` if it is one of the names.
    pub(crate) fn get(&self, value: &[u8]) -> Option<Arc<str>> {
        let index = self
            .names
            .iter()
            .position(|name| name.as_bytes() == value)?;
        let interned = self
            .interned
            .get_or_init(|| self.names.iter().map(|name| intern_str(name)).collect());
        interned.get(index).cloned()
    }
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
    fn release_frees_a_value_with_its_last_holder() {
        let interner: Interner<str> = Interner::new();
        let node = interner.intern_with("node-1", |v| Arc::from(v));
        let pod = Arc::clone(&node);
        assert!(!interner.release(&pod, 1), "another holder left");
        drop(node);
        assert!(interner.release(&pod, 1));
        assert_eq!(interner.len(), 0);
        let again = interner.intern_with("node-1", |v| Arc::from(v));
        assert!(!Arc::ptr_eq(&pod, &again), "a new copy");

        // Two copies held by the caller (a node whose capacity is its allocatable).
        let copy = Arc::clone(&again);
        assert!(!interner.release(&again, 1));
        assert!(interner.release(&again, 2));
        drop(copy);

        // An equal value that is not the table's own is never taken for it.
        let stored = interner.intern_with("node-2", |v| Arc::from(v));
        let lookalike: Arc<str> = Arc::from("node-2");
        let extra = Arc::clone(&lookalike);
        assert!(!interner.release(&lookalike, 1));
        drop((stored, extra));
        assert_eq!(interner.len(), 1, "node-2 stays until a purge");
        assert_eq!(interner.purge_unused(), 1);
    }

    #[test]
    fn well_known_strings_are_the_interned_ones() {
        static NAMES: WellKnown = WellKnown::new(&["intern-test-cpu", "intern-test-gpu"]);
        let known = NAMES.get(b"intern-test-gpu").expect("listed");
        assert!(Arc::ptr_eq(&known, &intern_str("intern-test-gpu")));
        STRINGS.purge_unused();
        assert!(
            Arc::ptr_eq(&known, &intern_str("intern-test-gpu")),
            "held, never purged"
        );
        assert!(NAMES.get(b"intern-test").is_none());
        assert!(NAMES.get(b"").is_none());
    }

    #[test]
    fn global_string_interning_is_shared() {
        let a = intern_str("intern-test-namespace");
        let b = intern_str(&String::from("intern-test-namespace"));
        assert!(Arc::ptr_eq(&a, &b));
    }
}
