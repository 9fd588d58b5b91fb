//! The group of replicas sharing the members (`--sharding`), with Kubernetes as the
//! coordinator: each replica holds a Lease of its own (`lease`) and follows everyone's
//! (`peers`); what it owns among the live ones is in [`crate::shards`].

pub mod lease;
pub mod peers;
