//! Everything about reaching and watching member clusters.

mod backoff;
mod client;
mod connection;
mod health;
mod proxy;
mod registry;
mod task;

pub use connection::{ConnectionError, direct_config};
pub use health::{Failure, Health};
pub use proxy::proxy_config;
pub use registry::Members;
pub use task::{MemberShared, WorkloadChanges};
