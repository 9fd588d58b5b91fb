//! What this replica owns. Without `--sharding` it owns everything, as a single writer does.
//! With it, a member, a binding's summary or the FleetInsight is this replica's when the
//! core's rendezvous hash gives it to this replica among the live ones
//! ([`karmada_manager_core::shard`]); until the first live set is known, nothing is.

use karmada_manager_core::BindingRef;
use karmada_manager_core::shard::Assignment;
use std::sync::{Arc, RwLock};

/// The field manager of the observed fields of member `cluster`'s entries in placements: one
/// manager per member, whichever replica watches it, so that a new watcher's apply replaces
/// what the old one wrote (a manager's apply removes the fields it no longer sets).
pub fn member_field_manager(cluster: &str) -> String {
    format!("{}-member-{cluster}", crate::settings::FIELD_MANAGER)
}

/// What a new live set is to this replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    /// The same replicas as before (or no sharding).
    Unchanged,
    /// The first live set: this replica has just learned the group it joined.
    Joined,
    /// Replicas joined or left since the set before.
    Changed,
}

pub struct Shards {
    /// `None` without sharding: everything is this replica's.
    sharded: Option<Sharded>,
}

struct Sharded {
    identity: String,
    assignment: RwLock<Arc<Assignment>>,
}

impl Shards {
    /// A replica that does everything (no `--sharding`).
    pub fn single() -> Self {
        Shards { sharded: None }
    }

    /// A replica that shares the work with the replicas it sees alive, as `identity` (its
    /// Lease's holder).
    pub fn sharded(identity: &str) -> Self {
        Shards {
            sharded: Some(Sharded {
                identity: identity.to_owned(),
                assignment: RwLock::default(),
            }),
        }
    }

    pub fn is_sharded(&self) -> bool {
        self.sharded.is_some()
    }

    /// Whether this replica watches member `cluster` and writes its ClusterInsight and the
    /// observed fields of its placement entries.
    pub fn owns_member(&self, cluster: &str) -> bool {
        self.owns(&format!("Cluster/{cluster}"))
    }

    /// Whether this replica writes the summary of `binding`'s placement (all but the observed
    /// fields of its entries), creates it and deletes it.
    pub fn owns_binding(&self, binding: &BindingRef) -> bool {
        let BindingRef {
            kind,
            namespace,
            name,
        } = binding;
        self.owns(&format!("{}/{namespace}/{name}", kind.as_str()))
    }

    /// Whether this replica writes the FleetInsight.
    pub fn owns_fleet(&self) -> bool {
        self.owns("FleetInsight")
    }

    /// The live replicas this one knows of (1 without sharding).
    pub fn replicas(&self) -> usize {
        self.sharded
            .as_ref()
            .map_or(1, |s| s.current().replicas().len())
    }

    /// Takes a new live set; says how it differs from the one before.
    pub fn set(&self, assignment: Assignment) -> Update {
        let Some(sharded) = &self.sharded else {
            return Update::Unchanged;
        };
        let mut current = crate::locks::write(&sharded.assignment);
        if **current == assignment {
            return Update::Unchanged;
        }
        // The assignment starts empty, and a live set is taken only once it holds this replica
        // (`shard_group::peers`): an empty one before means this is the first.
        let update = if current.replicas().is_empty() {
            Update::Joined
        } else {
            Update::Changed
        };
        *current = Arc::new(assignment);
        update
    }

    fn owns(&self, key: &str) -> bool {
        match &self.sharded {
            None => true,
            Some(sharded) => sharded.current().owner(key) == Some(sharded.identity.as_str()),
        }
    }
}

impl Sharded {
    fn current(&self) -> Arc<Assignment> {
        crate::locks::read(&self.assignment).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmada_manager_core::BindingKind;

    #[test]
    fn a_single_replica_owns_everything_and_a_sharded_one_only_its_share() {
        let single = Shards::single();
        assert!(single.owns_member("m1") && single.owns_fleet());
        let a = Shards::sharded("a_1");
        assert!(!a.owns_member("m1"), "nothing before the first live set");
        let alone = || Assignment::new(vec!["a_1".into()]);
        assert_eq!(a.set(alone()), Update::Joined);
        assert_eq!(a.set(alone()), Update::Unchanged);
        assert!(a.owns_member("m1") && a.owns_fleet());
        let b = Shards::sharded("b_1");
        let both = Assignment::new(vec!["a_1".into(), "b_1".into()]);
        assert_eq!(a.set(both.clone()), Update::Changed);
        assert_eq!(b.set(both), Update::Joined);
        let binding = BindingRef {
            kind: BindingKind::ResourceBinding,
            namespace: "shop".into(),
            name: "web".into(),
        };
        for owned in [
            |s: &Shards| s.owns_member("m1"),
            |s: &Shards| s.owns_fleet(),
        ] {
            assert_ne!(owned(&a), owned(&b), "exactly one owner");
        }
        assert_ne!(a.owns_binding(&binding), b.owns_binding(&binding));
        assert_eq!(a.replicas(), 2);
    }
}
