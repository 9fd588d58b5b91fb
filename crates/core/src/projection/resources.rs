//! Resource lists (`{cpu: 500m, memory: 1Gi, …}`) as sorted, interned, exact amounts, and the
//! table that shares equal lists between pods.

use std::sync::{Arc, LazyLock};

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::wire::{element, key, value};
use crate::interner::{Interner, WellKnown, intern_str};
use crate::quantity::{Amount, QuantityError};

/// One resource of a list: its interned name and amount.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceEntry {
    /// Resource name, e.g. `cpu`, `memory`, `nvidia.com/gpu` (interned).
    pub name: Arc<str>,
    /// The amount, exact.
    pub amount: Amount,
}

/// Every resource list, shared: the pods of one template hold one copy of their requests.
pub(crate) static RESOURCE_LISTS: LazyLock<Interner<[ResourceEntry]>> =
    LazyLock::new(Interner::new);

/// The shared copy of a resource list.
fn intern_resources(entries: &[ResourceEntry]) -> Arc<[ResourceEntry]> {
    RESOURCE_LISTS.intern_with(entries, |e| Arc::from(e))
}

/// A resource list sorted by name with unique names, shared through the interner: the pods of
/// one template point to the same list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceList(Arc<[ResourceEntry]>);

impl Default for ResourceList {
    fn default() -> Self {
        ResourceList(intern_resources(&[]))
    }
}

impl ResourceList {
    /// Builds a list from `(name, amount)` pairs; a repeated name keeps its last amount, as a
    /// JSON object with a repeated key decodes in Go.
    pub fn from_pairs<N: AsRef<str>>(pairs: impl IntoIterator<Item = (N, Amount)>) -> Self {
        let entries = pairs
            .into_iter()
            .map(|(name, amount)| ResourceEntry {
                name: intern_str(name.as_ref()),
                amount,
            })
            .collect();
        ResourceList::from_unsorted(entries)
    }

    /// Builds a list from `(name, quantity string)` pairs; handy for fixtures and tests.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QuantityError> {
        let parsed = pairs
            .into_iter()
            .map(|(name, text)| Amount::parse(text).map(|amount| (name, amount)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ResourceList::from_pairs(parsed))
    }

    /// Sorts, keeps the last entry of each name, and interns.
    pub(crate) fn from_unsorted(mut entries: Vec<ResourceEntry>) -> Self {
        normalize(&mut entries);
        ResourceList(intern_resources(&entries))
    }

    /// Wraps entries already sorted by name without duplicates.
    pub(crate) fn from_sorted(entries: &[ResourceEntry]) -> Self {
        ResourceList(intern_resources(entries))
    }

    /// The shared list, as its table holds it (for `intern::release_node` and `release_pod`).
    pub(crate) fn shared(&self) -> &Arc<[ResourceEntry]> {
        &self.0
    }

    /// `true` when both are the one shared copy (a node whose capacity is its allocatable).
    pub(crate) fn shares_list(&self, other: &ResourceList) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The amount of `name`, if listed.
    pub fn get(&self, name: &str) -> Option<Amount> {
        self.0
            .binary_search_by(|entry| (*entry.name).cmp(name))
            .ok()
            // `index` is where `binary_search_by` found the name: in bounds.
            .map(|index| self.0[index].amount)
    }

    /// The amount of `name`, zero if not listed.
    pub fn amount(&self, name: &str) -> Amount {
        self.get(name).unwrap_or_default()
    }

    /// The entries, sorted by name.
    pub fn entries(&self) -> &[ResourceEntry] {
        &self.0
    }

    /// Iterates the entries, sorted by name.
    pub fn iter(&self) -> std::slice::Iter<'_, ResourceEntry> {
        self.0.iter()
    }

    /// Number of resources listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when no resource is listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a ResourceList {
    type Item = &'a ResourceEntry;
    type IntoIter = std::slice::Iter<'a, ResourceEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Sorts by name and keeps the last entry of each name.
fn normalize(entries: &mut Vec<ResourceEntry>) {
    // Reverse, then a stable sort: the last occurrence of a name comes first in its run and
    // survives `dedup_by`, which keeps the first of each run.
    entries.reverse();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    entries.dedup_by(|later, first| later.name == first.name);
}

/// A resource list being computed: sorted by name, mutable, not yet interned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResourceSums(Vec<ResourceEntry>);

impl ResourceSums {
    /// Adds every entry of `entries` (saturating).
    pub(crate) fn add(&mut self, entries: &[ResourceEntry]) {
        for entry in entries {
            self.update(entry, |current, new| current.saturating_add(new));
        }
    }

    /// Raises each resource to at least the amount in `entries` (adding the ones missing).
    pub(crate) fn max_with(&mut self, entries: &[ResourceEntry]) {
        for entry in entries {
            self.update(entry, Amount::max);
        }
    }

    /// Replaces (or adds) one resource.
    pub(crate) fn set(&mut self, entry: &ResourceEntry) {
        self.update(entry, |_, new| new);
    }

    /// Removes one resource.
    pub(crate) fn remove(&mut self, name: &str) {
        if let Ok(index) = self.0.binary_search_by(|e| (*e.name).cmp(name)) {
            // Found by the search: in bounds.
            self.0.remove(index);
        }
    }

    /// The entries, sorted.
    pub(crate) fn entries(&self) -> &[ResourceEntry] {
        &self.0
    }

    /// The interned list.
    pub(crate) fn finish(&self) -> ResourceList {
        ResourceList::from_sorted(&self.0)
    }

    fn update(&mut self, entry: &ResourceEntry, combine: impl FnOnce(Amount, Amount) -> Amount) {
        // `Ok(index)` is a found entry (in bounds); `Err(index)` the insertion point, at most
        // `len()`, which `insert` accepts.
        match self.0.binary_search_by(|e| e.name.cmp(&entry.name)) {
            Ok(index) => {
                let current = &mut self.0[index].amount;
                *current = combine(*current, entry.amount);
            }
            Err(index) => self.0.insert(index, entry.clone()),
        }
    }
}

/// A resource map as it comes off the wire: names interned, quantities parsed.
///
/// An entry whose quantity does not parse is dropped rather than failing the whole object: the
/// API server validates quantities, so this only happens with hand-made input, and losing one
/// figure is better than losing the pod or node (and with it every other figure).
#[derive(Debug, Default)]
pub(crate) struct WireResources(pub(crate) Vec<ResourceEntry>);

impl WireResources {
    /// The sorted, deduplicated (last wins), interned list.
    pub(crate) fn into_list(self) -> ResourceList {
        ResourceList::from_unsorted(self.0)
    }

    /// Sorted and deduplicated (last wins), not interned: input to [`ResourceSums`].
    pub(crate) fn into_sorted(mut self) -> Vec<ResourceEntry> {
        normalize(&mut self.0);
        self.0
    }
}

impl<'de> Deserialize<'de> for WireResources {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(OptionalMap)
    }
}

/// `null` or a map.
struct OptionalMap;

impl<'de> Visitor<'de> for OptionalMap {
    type Value = WireResources;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of resource names to quantities")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<WireResources, E> {
        Ok(WireResources::default())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<WireResources, E> {
        Ok(WireResources::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<WireResources, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireResources, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(4).min(16));
        while let Some(name) = key::<ResourceName, A>(&mut map)? {
            if let Some(amount) = value::<WireAmount, A>(&mut map)?.0 {
                entries.push(ResourceEntry {
                    name: name.0,
                    amount,
                });
            }
        }
        Ok(WireResources(entries))
    }
}

/// Resource names most lists consist of, matched before the interner is asked: a pod's
/// requests and a node's capacity name a few of these over and over.
static WELL_KNOWN: WellKnown = WellKnown::new(&[
    "cpu",
    "memory",
    "pods",
    "ephemeral-storage",
    "hugepages-1Gi",
    "hugepages-2Mi",
    "nvidia.com/gpu",
]);

/// A resource name (a map key), interned. Read as raw bytes: a well-known name is matched
/// without a UTF-8 check; any other is checked and interned.
struct ResourceName(Arc<str>);

impl<'de> Deserialize<'de> for ResourceName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_bytes(ResourceNameVisitor)
    }
}

struct ResourceNameVisitor;

impl Visitor<'_> for ResourceNameVisitor {
    type Value = ResourceName;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a resource name")
    }

    fn visit_bytes<E: serde::de::Error>(self, name: &[u8]) -> Result<ResourceName, E> {
        if let Some(known) = WELL_KNOWN.get(name) {
            return Ok(ResourceName(known));
        }
        match std::str::from_utf8(name) {
            Ok(name) => Ok(ResourceName(intern_str(name))),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(name), &self)),
        }
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<ResourceName, E> {
        self.visit_bytes(name.as_bytes())
    }
}

/// A quantity value: normally a string; numbers are accepted as the API server's input does;
/// `null` and unparsable strings give `None`.
struct WireAmount(Option<Amount>);

impl<'de> Deserialize<'de> for WireAmount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }
}

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = WireAmount;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a quantity")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<WireAmount, E> {
        Ok(WireAmount(Amount::parse(text).ok()))
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<WireAmount, E> {
        Ok(WireAmount(Some(Amount::from_units(value))))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<WireAmount, E> {
        Ok(WireAmount(Some(Amount::from_milli(
            i128::from(value) * 1000,
        ))))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<WireAmount, E> {
        Ok(WireAmount(Amount::parse(&value.to_string()).ok()))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<WireAmount, E> {
        Ok(WireAmount(None))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<WireAmount, E> {
        Ok(WireAmount(None))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<WireAmount, E> {
        Ok(WireAmount(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireAmount, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(WireAmount(None))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<WireAmount, A::Error> {
        while element::<IgnoredAny, A>(&mut seq)?.is_some() {}
        Ok(WireAmount(None))
    }
}
