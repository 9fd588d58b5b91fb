//! Writing to the hub: condition bookkeeping and server-side apply.

pub mod apply;
pub mod conditions;
