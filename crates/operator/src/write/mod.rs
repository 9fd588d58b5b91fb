//! Writing to the hub: server-side apply.

pub mod apply;
