//! The one way this crate takes a `std::sync` lock.
//!
//! A lock taken here is also taken after a panic elsewhere poisoned it: no lock is held across
//! an await, and every update made under one leaves its data consistent, so the data is still
//! good. (The member task alone treats a poisoned index as the end of its member: it is the
//! writer whose update a panic would have cut short.)

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Locks `mutex`.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Takes `lock` to read.
pub fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

/// Takes `lock` to write.
pub fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}
