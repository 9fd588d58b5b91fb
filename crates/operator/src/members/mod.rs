//! Everything about reaching and watching member clusters: planning each member's connection
//! (`plan`, `connection`, `proxy`), the running watch tasks (`registry`, `task`) and what they
//! know of the member's health (`health`).

mod backoff;
mod client;
mod connection;
mod health;
mod metrics_poll;
mod plan;
mod proxy;
mod registry;
mod task;
mod view;

pub use connection::{ConnectionError, READ_TIMEOUT, direct_config};
pub use health::{Failure, Health};
pub use plan::Planner;
pub use proxy::proxy_config;
pub use registry::{Connection, Members, TaskSettings};
pub use task::{MemberShared, WorkloadChanges};
pub use view::with_view;
