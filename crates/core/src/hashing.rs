//! The hash maps and sets keyed by names a member or a user chooses (nodes, pods, namespaces,
//! workloads), on the ingest path of every watch event.
//!
//! They use aHash rather than std's SipHash: keyed per process from the OS's random source, so
//! the names cannot be chosen to collide (hash flooding), and several times cheaper on short
//! keys. SipHash was about 8% of the ingest benchmark's time.

/// A hash map keyed by member- or user-chosen names.
pub type Map<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
/// A hash set of member- or user-chosen names.
pub type Set<T> = std::collections::HashSet<T, ahash::RandomState>;
