//! [`HubClusters`]: every Karmada Cluster by name, with a fingerprint of the fields placements
//! are explained by: what static weights and cluster affinities match (labels, provider, region,
//! zones) and what Karmada's scheduler filters on (taints, served APIs, deletion). Karmada
//! rewrites a Cluster's status every few seconds; only a change of those fields re-places
//! bindings — every binding, as any of them may list the cluster among its candidates.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use karmada_types::well_known::CONDITION_COMPLETE_API_ENABLEMENTS;
use karmada_types::{Cluster, find_condition};

use crate::watch::{Resync, WatcherEvent};

/// A Cluster as its watch delivers it: `cluster` is `None` when the object does not decode.
#[derive(Clone, Copy, Debug)]
pub struct ClusterEntry<'a> {
    pub name: &'a str,
    pub cluster: Option<&'a Cluster>,
}

/// What one Cluster event touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterChanges {
    /// Clusters whose insight and member connection must be looked at again.
    pub touched: BTreeSet<String>,
    /// Clusters whose placement-relevant fields changed, that appeared or that went: every
    /// binding is re-placed (the targets' weights and the others' candidate reasons may move).
    pub placement_inputs: BTreeSet<String>,
}

#[derive(Clone, Debug)]
struct Slot {
    /// `None` while the Cluster does not decode.
    fingerprint: Option<u64>,
    epoch: u32,
}

/// Every Cluster on the hub. Fed with the Cluster watch's events ([`apply_event`]); during a
/// relist what it touches is held back and returned at `InitDone`, when the shell's store holds
/// the relisted Clusters.
///
/// [`apply_event`]: HubClusters::apply_event
#[derive(Clone, Debug, Default)]
pub struct HubClusters {
    clusters: HashMap<String, Slot>,
    resync: Resync,
    /// What the relist in progress touched so far.
    held: Option<ClusterChanges>,
}

impl HubClusters {
    /// Applies one Cluster watch event; returns what it touched.
    pub fn apply_event(&mut self, event: WatcherEvent<ClusterEntry<'_>>) -> ClusterChanges {
        match event {
            WatcherEvent::Init => {
                self.resync.begin();
                // Clusters deleted while the watch was down are among those known now.
                self.held = Some(ClusterChanges {
                    touched: self.clusters.keys().cloned().collect(),
                    placement_inputs: BTreeSet::new(),
                });
                ClusterChanges::default()
            }
            WatcherEvent::InitApply(entry) | WatcherEvent::Apply(entry) => {
                let changes = self.put(entry);
                match &mut self.held {
                    Some(held) => {
                        held.touched.extend(changes.touched);
                        held.placement_inputs.extend(changes.placement_inputs);
                        ClusterChanges::default()
                    }
                    None => changes,
                }
            }
            WatcherEvent::Delete(entry) => {
                let name = entry.name.to_owned();
                let known = self.clusters.remove(&name).is_some();
                ClusterChanges {
                    placement_inputs: known.then(|| name.clone()).into_iter().collect(),
                    touched: BTreeSet::from([name]),
                }
            }
            WatcherEvent::InitDone => {
                let mut changes = self.held.take().unwrap_or_default();
                if let Some(epoch) = self.resync.end() {
                    let gone: Vec<String> = self
                        .clusters
                        .iter()
                        .filter(|(_, slot)| slot.epoch != epoch)
                        .map(|(name, _)| name.clone())
                        .collect();
                    for name in gone {
                        self.clusters.remove(&name);
                        changes.placement_inputs.insert(name);
                    }
                }
                changes
            }
        }
    }

    /// Number of Clusters known.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// `true` when no Cluster is known.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    fn put(&mut self, entry: ClusterEntry<'_>) -> ClusterChanges {
        let fingerprint = entry.cluster.map(placement_fingerprint);
        let epoch = self.resync.epoch;
        let slot = Slot { fingerprint, epoch };
        let before = self.clusters.insert(entry.name.to_owned(), slot);
        let changed = before.is_none_or(|b| b.fingerprint != fingerprint);
        let name = entry.name.to_owned();
        ClusterChanges {
            placement_inputs: changed.then(|| name.clone()).into_iter().collect(),
            touched: BTreeSet::from([name]),
        }
    }
}

/// A hash of what placements are explained by. Compared in memory only.
fn placement_fingerprint(cluster: &Cluster) -> u64 {
    let mut hasher = DefaultHasher::new();
    cluster.metadata.labels.hash(&mut hasher);
    cluster
        .metadata
        .deletion_timestamp
        .is_some()
        .hash(&mut hasher);
    let spec = &cluster.spec;
    (&spec.provider, &spec.region, &spec.zone, &spec.zones).hash(&mut hasher);
    for taint in &spec.taints {
        (&taint.key, &taint.value, taint.effect.as_str()).hash(&mut hasher);
    }
    let status = &cluster.status;
    // In a fixed order: a status update that only reorders discovery must not re-place.
    let mut apis: Vec<(&str, &str)> = status
        .api_enablements
        .iter()
        .flat_map(|api| {
            api.resources
                .iter()
                .map(|r| (api.group_version.as_str(), r.kind.as_str()))
        })
        .collect();
    apis.sort_unstable();
    apis.dedup();
    apis.hash(&mut hasher);
    find_condition(&status.conditions, CONDITION_COMPLETE_API_ENABLEMENTS)
        .map(|c| c.status.as_str())
        .hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(labels: &[(&str, &str)]) -> Cluster {
        let mut cluster = Cluster::default();
        cluster.metadata.labels = Some(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        cluster
    }

    fn names(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn only_placement_fields_re_place_and_a_relist_reports_at_its_end() {
        let mut clusters = HubClusters::default();
        let prod = cluster(&[("env", "prod")]);
        let entry = |name, cluster| ClusterEntry { name, cluster };
        let first = clusters.apply_event(WatcherEvent::Apply(entry("m1", Some(&prod))));
        assert_eq!(first.touched, names(&["m1"]));
        assert_eq!(first.placement_inputs, names(&["m1"]), "a new cluster");

        let again = clusters.apply_event(WatcherEvent::Apply(entry("m1", Some(&prod))));
        assert_eq!(again.placement_inputs, names(&[]), "a status update only");
        assert_eq!(again.touched, names(&["m1"]));

        let dev = cluster(&[("env", "dev")]);
        let relabelled = clusters.apply_event(WatcherEvent::Apply(entry("m1", Some(&dev))));
        assert_eq!(relabelled.placement_inputs, names(&["m1"]));

        clusters.apply_event(WatcherEvent::Apply(entry("m2", Some(&dev))));
        assert_eq!(
            clusters.apply_event(WatcherEvent::Init),
            ClusterChanges::default()
        );
        let during = clusters.apply_event(WatcherEvent::InitApply(entry("m1", Some(&dev))));
        assert_eq!(during, ClusterChanges::default(), "held until InitDone");
        let done = clusters.apply_event(WatcherEvent::InitDone);
        assert_eq!(
            done.touched,
            names(&["m1", "m2"]),
            "m2 went while the watch was down"
        );
        assert_eq!(done.placement_inputs, names(&["m2"]));
        assert_eq!(clusters.len(), 1);

        let gone = clusters.apply_event(WatcherEvent::Delete(entry("m1", None)));
        assert_eq!(gone.placement_inputs, names(&["m1"]));
        assert!(clusters.is_empty());
    }

    #[test]
    fn taints_apis_and_deletion_re_place_but_reordered_apis_do_not() {
        use karmada_types::{ApiEnablement, ApiResource, Taint};
        let mut clusters = HubClusters::default();
        fn entry(cluster: Option<&Cluster>) -> WatcherEvent<ClusterEntry<'_>> {
            WatcherEvent::Apply(ClusterEntry {
                name: "m1",
                cluster,
            })
        }
        let api = |group_version: &str, kind: &str| ApiEnablement {
            group_version: group_version.to_owned(),
            resources: vec![ApiResource {
                name: String::new(),
                kind: kind.to_owned(),
            }],
        };
        let mut m1 = cluster(&[]);
        m1.status.api_enablements = vec![api("apps/v1", "Deployment"), api("v1", "Pod")];
        clusters.apply_event(entry(Some(&m1)));

        m1.status.api_enablements.reverse();
        let reordered = clusters.apply_event(entry(Some(&m1)));
        assert_eq!(reordered.placement_inputs, names(&[]));

        m1.status.api_enablements.pop();
        let fewer = clusters.apply_event(entry(Some(&m1)));
        assert_eq!(fewer.placement_inputs, names(&["m1"]), "an API went");

        m1.spec.taints.push(Taint {
            key: "dedicated".to_owned(),
            ..Taint::default()
        });
        let tainted = clusters.apply_event(entry(Some(&m1)));
        assert_eq!(tainted.placement_inputs, names(&["m1"]), "a taint");

        m1.metadata.deletion_timestamp =
            Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
            ));
        let deleting = clusters.apply_event(entry(Some(&m1)));
        assert_eq!(deleting.placement_inputs, names(&["m1"]), "deletion");
    }
}
