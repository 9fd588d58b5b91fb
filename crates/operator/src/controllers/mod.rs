//! The controllers: each reads in-memory caches and indexes, and writes only our own objects.

pub mod cluster;
mod cluster_status;
pub mod fleet;
pub mod placement;
pub mod triggers;
mod workloads;
