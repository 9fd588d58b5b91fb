//! A node's labels as the index keeps them. Nodes of one pool carry the same labels but one
//! (zone, instance type, image, node group, ...: 17 of a cloud node's 18), so those are held
//! once for every node that has them, through an interning table, and the label unique to each
//! node, `kubernetes.io/hostname`, is kept beside them. As a list of their own, a cloud node's
//! labels cost 576 bytes: 2.9 MiB of a 5,000-node member, the largest single part of its index
//! in a heap profile of the operator at fleet scale.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use hashbrown::Equivalent;

use crate::interner::{Interner, intern_str};

/// The label whose value is unique to each node.
const HOSTNAME: &str = "kubernetes.io/hostname";

/// One label: key and value, interned.
pub type Label = (Arc<str>, Arc<str>);

/// Every set of node labels but the hostname, shared: the nodes of one pool hold one copy.
pub(crate) static LABEL_SETS: LazyLock<Interner<[Label]>> = LazyLock::new(Interner::new);

/// A node's labels, sorted by key with unique keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeLabelSet {
    /// Every label but the hostname, sorted by key; shared through [`LABEL_SETS`].
    shared: Arc<[Label]>,
    /// `kubernetes.io/hostname`, when the node has it.
    hostname: Option<Label>,
}

impl Default for NodeLabelSet {
    fn default() -> Self {
        NodeLabelSet::from_text(Vec::new())
    }
}

impl NodeLabelSet {
    /// From labels in any order; of a repeated key the last value, as a map keeps it.
    pub fn from_pairs(labels: impl IntoIterator<Item = Label>) -> Self {
        let labels: Vec<Label> = labels.into_iter().collect();
        NodeLabelSet::from_text(labels.iter().map(|(k, v)| (&**k, &**v)).collect())
    }

    /// From labels in any order, as the decoder read them; of a repeated key the last value.
    /// A set some node already has is found from this text, and its strings are interned only
    /// the first time: a pool's 17 shared labels cost one lookup, not 34.
    pub(crate) fn from_text(mut labels: Vec<(&str, &str)>) -> Self {
        // An API server writes a map's keys sorted, so labels mostly come in order and unique.
        if !labels.is_sorted_by(|a, b| a.0 < b.0) {
            labels.reverse();
            // Stable: of equal keys the last one given comes first, and dedup keeps it.
            labels.sort_by(|a, b| a.0.cmp(b.0));
            labels.dedup_by(|later, kept| later.0 == kept.0);
        }
        // Its value is unique to the node, as its name is: kept as the node's own copy, not
        // interned (see `SlimNode::share_name`).
        let hostname = labels
            .iter()
            .position(|(key, _)| *key == HOSTNAME)
            .map(|at| labels.remove(at))
            .map(|(key, value)| (intern_str(key), Arc::from(value)));
        let shared = LABEL_SETS.intern_equivalent(&LabelsText(&labels), |text| {
            text.0
                .iter()
                .map(|(key, value)| (intern_str(key), intern_str(value)))
                .collect()
        });
        NodeLabelSet { shared, hostname }
    }

    /// The value of label `key`, if the node has it.
    pub fn get(&self, key: &str) -> Option<&Arc<str>> {
        if key == HOSTNAME {
            return self.hostname.as_ref().map(|(_, value)| value);
        }
        self.shared
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|at| &self.shared[at].1)
    }

    /// Every label, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        let split = self.shared.partition_point(|(key, _)| &**key < HOSTNAME);
        let (before, after) = self.shared.split_at(split);
        before.iter().chain(&self.hostname).chain(after)
    }

    pub fn len(&self) -> usize {
        self.shared.len() + usize::from(self.hostname.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shared part, for releasing it from its table.
    pub(crate) fn shared(&self) -> &Arc<[Label]> {
        &self.shared
    }

    /// The node's own label, for releasing its strings.
    pub(crate) fn own(&self) -> Option<&Label> {
        self.hostname.as_ref()
    }

    /// Makes the hostname's value `name` itself when it is the same text, as it usually is:
    /// one copy of a node's name for the node, its hostname and its pods.
    pub(crate) fn share_hostname(&mut self, name: &Arc<str>) {
        if let Some((_, value)) = &mut self.hostname
            && **value == **name
        {
            *value = Arc::clone(name);
        }
    }
}

/// Labels as text, standing for the `[Label]` of the same strings in [`LABEL_SETS`]: a slice
/// of string pairs hashes as the interned slice does (its length, then each string), and
/// compares string by string.
struct LabelsText<'a>(&'a [(&'a str, &'a str)]);

impl Hash for LabelsText<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Equivalent<Arc<[Label]>> for LabelsText<'_> {
    fn equivalent(&self, interned: &Arc<[Label]>) -> bool {
        self.0.len() == interned.len()
            && (self.0.iter().zip(interned.iter()))
                .all(|((key, value), (k, v))| *key == &**k && *value == &**v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool_node(hostname: &str, zone: &str) -> NodeLabelSet {
        NodeLabelSet::from_pairs(
            [
                ("topology.kubernetes.io/zone", zone),
                (HOSTNAME, hostname),
                ("kubernetes.io/arch", "amd64"),
                ("node.kubernetes.io/instance-type", "m5.large"),
            ]
            .map(|(k, v)| (intern_str(k), intern_str(v))),
        )
    }

    #[test]
    fn nodes_of_one_pool_share_their_labels_but_the_hostname() {
        let (a, b, other) = (
            pool_node("a", "z1"),
            pool_node("b", "z1"),
            pool_node("c", "z2"),
        );
        assert!(Arc::ptr_eq(a.shared(), b.shared()));
        assert!(!Arc::ptr_eq(a.shared(), other.shared()));
        assert_ne!(a, b);
        assert_eq!(a, pool_node("a", "z1"));

        assert_eq!(a.get(HOSTNAME).map(|v| &**v), Some("a"));
        assert_eq!(a.get("kubernetes.io/arch").map(|v| &**v), Some("amd64"));
        assert_eq!(a.get("nope"), None);
        let keys: Vec<&str> = a.iter().map(|(k, _)| &**k).collect();
        assert_eq!(
            keys,
            [
                "kubernetes.io/arch",
                HOSTNAME,
                "node.kubernetes.io/instance-type",
                "topology.kubernetes.io/zone"
            ]
        );
        assert_eq!(a.len(), 4);
    }

    #[test]
    fn a_set_is_found_from_its_text_as_interned_from_its_labels() {
        let labels: Vec<Label> = [("a.example/x", "1"), ("b.example/y", "2")]
            .map(|(k, v)| (intern_str(k), intern_str(v)))
            .into();
        let interned = LABEL_SETS.intern_with(&labels, |l| Arc::from(l));
        let from_text = NodeLabelSet::from_text(vec![("b.example/y", "2"), ("a.example/x", "1")]);
        assert!(Arc::ptr_eq(&interned, from_text.shared()), "the same entry");
        let other = NodeLabelSet::from_text(vec![("a.example/x", "1"), ("b.example/y", "3")]);
        assert!(!Arc::ptr_eq(&interned, other.shared()));
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let labels = NodeLabelSet::from_pairs(
            [
                ("k", "first"),
                ("k", "last"),
                (HOSTNAME, "h1"),
                (HOSTNAME, "h2"),
            ]
            .map(|(k, v)| (intern_str(k), intern_str(v))),
        );
        assert_eq!(labels.get("k").map(|v| &**v), Some("last"));
        assert_eq!(labels.get(HOSTNAME).map(|v| &**v), Some("h2"));
        assert_eq!(labels.len(), 2);
        assert!(NodeLabelSet::default().is_empty());
    }
}
