//! Fault injection: the operator against real etcd and kube-apiservers while
//! processes die, servers restart, etcd is compacted, members hang or flap, credentials rotate
//! and the hub denies writes. Each scenario checks that the operator keeps running and that
//! every status converges to what the hub and the members hold — counted object by object:
//! no duplicates, no orphans, no stale conditions — and prints the recovery times it saw
//! (figures, not assertions). See docs/reliability.md.
//!
//! `cargo test -p e2e --test faults` runs them all.

mod support;

#[path = "faults/common.rs"]
mod common;
#[path = "faults/credentials.rs"]
mod credentials;
#[path = "faults/grants.rs"]
mod grants;
#[path = "faults/hub_rbac.rs"]
mod hub_rbac;
#[path = "faults/least_privilege.rs"]
mod least_privilege;
#[path = "faults/load.rs"]
mod load;
#[path = "faults/members.rs"]
mod members;
#[path = "faults/restarts.rs"]
mod restarts;
#[path = "faults/turns.rs"]
mod turns;
