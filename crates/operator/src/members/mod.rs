//! Everything about reaching member clusters.

mod connection;

pub use connection::{ConnectionError, direct_config};
