//! Writing to the hub: server-side apply, the per-object debounce, the fleet's budget for
//! writes that only drift, and Events on transitions.

pub mod apply;
mod budget;
pub mod events;
mod log;

pub use budget::DriftBudget;
pub use log::WriteLog;
