//! Sharing the members between replicas (`--sharding`), with Kubernetes as the coordinator:
//! each replica holds a Lease of its own (`lease`), follows everyone's (`peers`), and owns
//! what the rendezvous hash gives it among the live ones (`assignment`).

pub mod assignment;
pub mod lease;
pub mod peers;

pub use assignment::{Shards, member_field_manager};
