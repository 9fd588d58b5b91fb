//! One module per command; each reads the hub through `Hub` and prints through `render`.

pub mod fit;
pub mod logs;
pub mod nodes;
pub mod status;
pub mod top;
pub mod trace;
pub mod wait;
pub mod what_if;
pub mod where_;
pub mod why;
