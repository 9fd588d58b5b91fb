//! The controllers: each reads in-memory caches and indexes, has the core build a status, and
//! writes only our own objects. They have no watches of their own: `sources` feeds their queues.

pub mod cluster;
pub mod fleet;
pub mod placement;
