//! A map from a key to a set of values, dropping a key when its set empties (so that the
//! reverse indexes never keep empty sets of long-gone keys).

use crate::hashing::{Map, Set};
use std::borrow::Borrow;
use std::hash::Hash;

#[derive(Clone, Debug)]
pub(crate) struct MultiMap<K, V>(Map<K, Set<V>>);

impl<K, V> Default for MultiMap<K, V> {
    fn default() -> Self {
        MultiMap(Map::default())
    }
}

impl<K: Hash + Eq, V: Hash + Eq> MultiMap<K, V> {
    pub(crate) fn insert(&mut self, key: K, value: V) {
        self.0.entry(key).or_default().insert(value);
    }

    pub(crate) fn remove<Q>(&mut self, key: &Q, value: &V)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(set) = self.0.get_mut(key) {
            set.remove(value);
            if set.is_empty() {
                self.0.remove(key);
            }
        }
    }

    /// The values of `key`, in no particular order.
    pub(crate) fn get<Q>(&self, key: &Q) -> impl Iterator<Item = &V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.get(key).into_iter().flatten()
    }
}
