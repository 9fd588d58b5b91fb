//! The process-wide interning tables as a whole: [`purge_unused`] and [`interned_counts`] over
//! every table, and [`intern_str`] / [`Interner`] for code that builds shared values itself.
//!
//! A pod holds interned strings (namespace, node, resource names) and, through the projections'
//! own tables, interned resource lists and controller references. Entries are never freed
//! implicitly: [`purge_unused`] drops the values that nothing outside the tables refers to any
//! more (nodes that left, namespaces that were deleted). The I/O shell calls it now and then,
//! e.g. after a member is removed, and a pod relist that removed pods calls it too.

use crate::interner::STRINGS;
pub use crate::interner::{Interner, intern_str};
use crate::projection::{CONTROLLERS, RESOURCE_LISTS};

/// Drops interned values nothing refers to any more, in every global table; returns how many.
///
/// Resource lists and controllers are purged first, since they hold interned strings.
pub fn purge_unused() -> usize {
    RESOURCE_LISTS.purge_unused() + CONTROLLERS.purge_unused() + STRINGS.purge_unused()
}

/// Sizes of the global tables: (strings, resource lists, controllers). For metrics.
pub fn interned_counts() -> (usize, usize, usize) {
    (STRINGS.len(), RESOURCE_LISTS.len(), CONTROLLERS.len())
}
