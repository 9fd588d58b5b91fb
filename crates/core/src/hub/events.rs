//! The hub indexes fed one watch event at a time, like a member's index: which index call each
//! event makes, and what it touched. During a relist the shell's store of bindings is filled
//! only at `InitDone`, and reconcilers read that store: what a binding relist touches is
//! therefore held back and returned at `InitDone`.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::bindings::{BindingChanges, BindingIndex, kind_slot};
use super::works::WorkIndex;
use crate::keys::{BindingKind, BindingRef, BindingSource, PermanentId};
use crate::watch::WatcherEvent;

/// A binding as its watch delivers it: decoded, or only its reference when it does not decode
/// (it exists, but points at nothing).
pub type BindingEntry<'a> = Result<BindingSource<'a>, BindingRef>;

impl BindingIndex {
    /// Applies one event of the `kind` binding watch; returns what it touched.
    pub fn apply_event(
        &mut self,
        kind: BindingKind,
        event: WatcherEvent<BindingEntry<'_>>,
    ) -> BindingChanges {
        let slot = kind_slot(kind);
        match event {
            WatcherEvent::Init => {
                self.begin_resync(kind);
                self.held[slot] = Some(BindingChanges::default());
                BindingChanges::default()
            }
            WatcherEvent::InitApply(entry) | WatcherEvent::Apply(entry) => {
                let reference = match &entry {
                    Ok(binding) => BindingRef::of(binding),
                    Err(reference) => reference.clone(),
                };
                let clusters = match &entry {
                    Ok(binding) => self.apply(binding),
                    Err(reference) => self.apply_malformed(reference.clone()),
                };
                let changes = BindingChanges {
                    clusters,
                    bindings: vec![reference],
                };
                match &mut self.held[slot] {
                    Some(held) => {
                        held.extend(changes);
                        BindingChanges::default()
                    }
                    None => changes,
                }
            }
            WatcherEvent::Delete(entry) => {
                let reference = match entry {
                    Ok(binding) => BindingRef::of(&binding),
                    Err(reference) => reference,
                };
                BindingChanges {
                    clusters: self.delete(&reference),
                    bindings: vec![reference],
                }
            }
            WatcherEvent::InitDone => {
                let (gone, clusters) = self.end_resync(kind);
                let mut changes = self.held[slot].take().unwrap_or_default();
                changes.extend(BindingChanges {
                    clusters,
                    bindings: gone,
                });
                changes
            }
        }
    }
}

impl WorkIndex {
    /// Applies one event of the Work metadata watch; returns the bindings whose overrides may
    /// have changed.
    pub fn apply_event(&mut self, event: WatcherEvent<&ObjectMeta>) -> BTreeSet<PermanentId> {
        match event {
            WatcherEvent::Init => {
                self.begin_resync();
                BTreeSet::new()
            }
            WatcherEvent::InitApply(meta) | WatcherEvent::Apply(meta) => self.apply(meta),
            WatcherEvent::Delete(meta) => self.delete(meta),
            WatcherEvent::InitDone => self.end_resync(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmada_types::ResourceBinding;

    fn binding(name: &str, clusters: &[&str]) -> ResourceBinding {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"clusters": clusters.iter().map(|c| serde_json::json!({"name": c, "replicas": 1})).collect::<Vec<_>>()},
        }))
        .unwrap()
    }

    fn touched(clusters: &[&str], bindings: &[&str]) -> BindingChanges {
        BindingChanges {
            clusters: clusters.iter().map(|c| c.to_string()).collect(),
            bindings: bindings
                .iter()
                .map(|b| BindingRef {
                    kind: BindingKind::ResourceBinding,
                    namespace: "shop".into(),
                    name: b.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_relist_triggers_at_init_done_and_reports_what_went() {
        let mut index = BindingIndex::new();
        let kind = BindingKind::ResourceBinding;
        let (old, cart, moved) = (
            binding("old", &["m3"]),
            binding("cart", &["m1"]),
            binding("cart", &["m2"]),
        );
        let source = |b| Ok(BindingSource::from(b));
        let mut apply = |event| index.apply_event(kind, event);
        assert_eq!(
            apply(WatcherEvent::Apply(source(&old))),
            touched(&["m3"], &["old"])
        );
        assert_eq!(apply(WatcherEvent::Init), touched(&[], &[]));
        assert_eq!(
            apply(WatcherEvent::InitApply(source(&cart))),
            touched(&[], &[]),
            "the store is filled only at InitDone"
        );
        assert_eq!(
            apply(WatcherEvent::InitDone),
            touched(&["m1", "m3"], &["cart", "old"])
        );
        assert_eq!(
            apply(WatcherEvent::Apply(source(&moved))),
            touched(&["m1", "m2"], &["cart"]),
            "a rescheduling touches both sides"
        );
        assert_eq!(
            apply(WatcherEvent::Delete(source(&moved))),
            touched(&["m2"], &["cart"])
        );
    }
}
