//! Writing to the hub: server-side apply, and the per-object debounce.

pub mod apply;
mod log;

pub use log::WriteLog;
