//! Sharing the members between replicas: who is alive ([`Peers`]) and who does what
//! ([`Assignment`]).
//!
//! Every replica holds a Lease of its own and reads everyone's. A replica is alive while its
//! Lease keeps changing: it expires when its record has not changed for its lease duration,
//! measured by the reader's own clock from when the reader first saw that record — never from
//! the `renewTime` inside, which another machine's clock wrote.
//!
//! Work is assigned by rendezvous (highest random weight) hashing: each key goes to the live
//! replica with the highest score of (replica, key). Every replica that sees the same live set
//! computes the same owner without talking to the others, and when a replica joins or leaves
//! only the keys it wins or held move: about 1/N of them.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// What one Lease of the group said when last read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseRecord {
    /// The replica holding it (`holderIdentity`); empty when released.
    pub holder: String,
    /// Whatever changes when the holder renews (its `renewTime`, as written).
    pub renewed: String,
    /// How long the record holds without a change (`leaseDurationSeconds`).
    pub duration: Duration,
}

/// The Leases of the group as this replica has seen them, each with the local instant its
/// current record was first seen, and whether it was ever seen to change.
#[derive(Debug, Default)]
pub struct Peers {
    seen: HashMap<String, Seen>,
    /// How long a Lease that has not changed since this replica first saw it counts as alive;
    /// `None`: its whole duration.
    first_look: Option<Duration>,
}

#[derive(Debug)]
struct Seen {
    record: LeaseRecord,
    since: Instant,
    /// Seen to change at least once: its holder renews.
    renewed: bool,
}

impl Peers {
    /// Judges a Lease that has not changed since it was first seen dead after `first_look`
    /// (rather than after its whole duration). A replica joining after another was killed
    /// otherwise counts the dead one alive for a lease duration — the others stopped counting
    /// it long ago — and leaves what the hash would give it meanwhile without a writer. Every
    /// replica renews every retry period, so a few retry periods tell a live one; one whose
    /// renews are late is counted out until its next renew, and its members are watched twice
    /// meanwhile, never not at all.
    pub fn with_first_look(first_look: Duration) -> Self {
        Peers {
            first_look: Some(first_look),
            ..Peers::default()
        }
    }

    /// Lease `name` reads `record` at `now`. The expiry clock restarts only when the record
    /// differs from the one seen before.
    pub fn observe(&mut self, name: &str, record: LeaseRecord, now: Instant) {
        match self.seen.get_mut(name) {
            Some(seen) if seen.record == record => {}
            Some(seen) => {
                *seen = Seen {
                    record,
                    since: now,
                    renewed: true,
                }
            }
            None => {
                let seen = Seen {
                    record,
                    since: now,
                    renewed: false,
                };
                self.seen.insert(name.to_owned(), seen);
            }
        }
    }

    /// Keeps only the Leases named in `names` (the others were deleted).
    pub fn retain(&mut self, names: &BTreeSet<&str>) {
        self.seen.retain(|name, _| names.contains(name.as_str()));
    }

    /// The identities holding a Lease that has not expired at `now`, each once, sorted.
    pub fn live(&self, now: Instant) -> Vec<String> {
        let live: BTreeSet<&str> = self
            .seen
            .values()
            .filter(|seen| {
                let holds = match self.first_look {
                    Some(first_look) if !seen.renewed => first_look.min(seen.record.duration),
                    _ => seen.record.duration,
                };
                !seen.record.holder.is_empty() && now.saturating_duration_since(seen.since) < holds
            })
            .map(|seen| seen.record.holder.as_str())
            .collect();
        live.into_iter().map(str::to_owned).collect()
    }
}

impl Peers {
    /// The Leases that have not changed for `factor` times their duration at `now`: their
    /// replicas are long gone (killed, or their node lost), and the Leases can be deleted —
    /// a replica that comes back creates its Lease again.
    pub fn abandoned(&self, now: Instant, factor: u32) -> Vec<String> {
        let mut names: Vec<String> = self
            .seen
            .iter()
            .filter(|(_, seen)| {
                now.saturating_duration_since(seen.since)
                    >= seen.record.duration.saturating_mul(factor)
            })
            .map(|(name, _)| name.clone())
            .collect();
        names.sort();
        names
    }
}

/// What the replicas share, and with whom: the live identities, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignment {
    replicas: Vec<String>,
}

impl Assignment {
    pub fn new(mut replicas: Vec<String>) -> Self {
        replicas.sort();
        replicas.dedup();
        Assignment { replicas }
    }

    pub fn replicas(&self) -> &[String] {
        &self.replicas
    }

    /// The replica that owns `key`; `None` when no replica is alive.
    pub fn owner(&self, key: &str) -> Option<&str> {
        self.replicas
            .iter()
            .max_by_key(|replica| score(replica, key))
            .map(String::as_str)
    }
}

/// The weight of `replica` for `key`: a hash of both that every replica computes alike,
/// whatever its build. Rust's own hashers may change between releases, and replicas of
/// different versions run side by side during an upgrade, so the hash is spelled out here:
/// 64-bit FNV-1a over the two strings (a separator between them, so `ab`+`c` and `a`+`bc`
/// differ), then the splitmix64 finalizer, which spreads FNV's weak low bits.
fn score(replica: &str, key: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let bytes = replica.bytes().chain([0xff]).chain(key.bytes());
    let hash = bytes.fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    let mut z = hash.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replicas(n: usize) -> Assignment {
        Assignment::new((0..n).map(|i| format!("karmada-manager-{i}_1")).collect())
    }

    fn keys() -> Vec<String> {
        (0..10_000).map(|i| format!("member-{i}")).collect()
    }

    #[test]
    fn every_key_has_one_owner_and_the_shares_are_even() {
        let assignment = replicas(4);
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for key in keys() {
            *counts.entry(assignment.owner(&key).unwrap()).or_default() += 1;
        }
        assert_eq!(counts.len(), 4);
        for (replica, count) in counts {
            assert!(
                (2_200..=2_800).contains(&count),
                "{replica} owns {count} of 10,000 keys"
            );
        }
        assert_eq!(Assignment::default().owner("m1"), None);
    }

    #[test]
    fn a_replica_joining_or_leaving_moves_only_its_share() {
        let before = replicas(4);
        let joined = replicas(5);
        let newcomer = joined.replicas()[4].clone();
        let mut moved = 0;
        for key in keys() {
            let (old, new) = (before.owner(&key).unwrap(), joined.owner(&key).unwrap());
            if old != new {
                assert_eq!(new, newcomer, "{key} moved between two old replicas");
                moved += 1;
            }
        }
        // One fifth of the keys, give or take the hash's spread.
        assert!((1_700..=2_300).contains(&moved), "{moved} of 10,000 moved");

        let left = Assignment::new(before.replicas()[1..].to_vec());
        let gone = &before.replicas()[0];
        for key in keys() {
            let old = before.owner(&key).unwrap();
            if old != gone.as_str() {
                assert_eq!(left.owner(&key), Some(old), "{key} moved without cause");
            }
        }
    }

    #[test]
    fn the_owner_does_not_depend_on_the_order_replicas_are_listed_in() {
        let mut names: Vec<String> = replicas(3).replicas().to_vec();
        names.reverse();
        let reversed = Assignment::new(names);
        for key in keys().iter().take(100) {
            assert_eq!(reversed.owner(key), replicas(3).owner(key));
        }
        // Spelled out, so a change of the hash (which would split a mixed-version fleet) fails.
        assert_eq!(score("a", "b"), score("a", "b"));
        assert_ne!(score("ab", "c"), score("a", "bc"));
        // The value computed independently (FNV-1a 64, then splitmix64) in Python.
        assert_eq!(score("replica-a", "m1"), 0xa365_bee7_049e_cc97);
    }

    fn record(holder: &str, renewed: &str) -> LeaseRecord {
        LeaseRecord {
            holder: holder.into(),
            renewed: renewed.into(),
            duration: Duration::from_secs(15),
        }
    }

    #[test]
    fn a_replica_is_alive_while_its_lease_changes_by_the_local_clock() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut peers = Peers::default();
        // The renewTime inside is from another clock, an hour off: it does not matter.
        peers.observe("a", record("a_1", "03:00:00"), at(0));
        peers.observe("b", record("b_1", "02:00:00"), at(0));
        assert_eq!(peers.live(at(14)), ["a_1", "b_1"]);
        // a renews, b does not.
        peers.observe("a", record("a_1", "03:00:10"), at(10));
        peers.observe("b", record("b_1", "02:00:00"), at(10));
        assert_eq!(peers.live(at(20)), ["a_1"]);
        // A released Lease (no holder) is not alive; a deleted one is forgotten.
        peers.observe("a", record("", "03:00:20"), at(20));
        assert!(peers.live(at(20)).is_empty());
        assert!(peers.abandoned(at(20), 2).is_empty());
        assert_eq!(peers.abandoned(at(30), 2), ["b"], "b unchanged for 30 s");
        peers.retain(&BTreeSet::from(["b"]));
        peers.observe("b", record("b_1", "02:00:30"), at(30));
        assert_eq!(peers.live(at(31)), ["b_1"]);
    }

    #[test]
    fn a_lease_never_seen_to_change_is_judged_after_the_first_look() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut peers = Peers::with_first_look(Duration::from_secs(3));
        // Joining: a killed replica's Lease (never changes) and a live one (renews at 1 s).
        peers.observe("dead", record("dead_1", "01:00:00"), at(0));
        peers.observe("live", record("live_1", "01:00:00"), at(0));
        assert_eq!(peers.live(at(2)), ["dead_1", "live_1"]);
        peers.observe("live", record("live_1", "01:00:01"), at(1));
        assert_eq!(
            peers.live(at(3)),
            ["live_1"],
            "the dead one after the first look"
        );
        // Seen to renew: the whole duration applies from then on.
        assert_eq!(peers.live(at(15)), ["live_1"]);
        assert!(peers.live(at(16)).is_empty());
    }
}
