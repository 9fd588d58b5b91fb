//! karmada-manager: keeps `ClusterInsight`, `WorkloadPlacement` and `FleetInsight` resources on a
//! Karmada hub up to date from the hub's own objects and every member's Nodes and Pods.
//!
//! This crate is the I/O shell: the command line, the hub connection, member connections and the
//! controllers. The types it publishes live in `karmada-manager-api`; the Karmada objects it reads
//! in `karmada-types`.

pub mod admin;
pub mod cli;
pub mod context;
pub mod controllers;
pub mod error;
pub mod gauges;
pub mod health;
pub mod hub_client;
pub mod hub_watches;
pub mod leader;
pub mod locks;
pub mod members;
pub mod metrics;
pub mod run;
pub mod settings;
pub mod shard_group;
pub mod shards;
pub mod sources;
pub mod telemetry;
pub mod triggers;
pub mod watch;
pub mod write;

pub use error::{Error, Result};
