//! Everything about reaching and watching member clusters: planning each member's connection
//! (`plan`, `connection`, `proxy`), the running watch tasks (`registry`, `task`, `updates`, `metrics_poll`),
//! their turns for a first list (`first_lists`), what they share (`shared`) and what they know
//! of the member's health (`health`).

mod backoff;
mod client;
mod connection;
mod first_lists;
mod health;
mod list_watch;
mod metrics_poll;
mod plan;
mod proxy;
mod registry;
mod shared;
mod task;
mod trigger;
mod updates;
mod view;

pub use connection::{ConnectionError, READ_TIMEOUT, direct_config};
pub use first_lists::FirstLists;
pub use health::{Failure, Health};
pub use plan::Planner;
pub use proxy::proxy_config;
pub use registry::{Connection, Members, TaskSettings};
pub use shared::MemberShared;
pub use trigger::WorkloadChanges;
pub use view::with_view;
