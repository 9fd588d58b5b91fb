//! Writing to the hub: server-side apply, the per-object debounce, and Events on transitions.

pub mod apply;
pub mod events;
mod log;

pub use log::WriteLog;
