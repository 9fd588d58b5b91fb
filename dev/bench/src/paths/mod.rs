//! The three ways the benchmark ingests the same watch lines:
//!
//! - [`Floor`]: `serde_json` skipping every value (`IgnoredAny`): what reading the JSON at all
//!   costs, the bound no decoder built on `serde_json` can beat; and the same through the
//!   operator's own reader (`karmada_manager_core::json`), the bound for ours.
//! - [`Ours`]: the operator's path, `WatchEvent<SlimNode>` / `WatchEvent<SlimPod>` read with
//!   the operator's reader and fed into
//!   a [`karmada_manager_core::MemberIndex`] by the function `crates/operator/src/members/
//!   task.rs` calls, [`karmada_manager_core::MemberIndex::apply_event`].
//! - [`Naive`]: what an operator without projections does, full k8s-openapi `Node` / `Pod`
//!   kept in kube-runtime's `reflector::Store`.
//!
//! Each decodes one line the same way ([`Decode`]): by default from its bytes
//! (`serde_json::from_slice`, or the operator's reader for ours and the reader's floor);
//! `--decode lines` does what kube-client does instead (UTF-8 check and copy of the line, then
//! `serde_json::from_str`).

mod floor;
mod naive;
mod ours;
#[cfg(test)]
mod tests;

pub use floor::Floor;
pub use naive::Naive;
pub use ours::Ours;

use anyhow::{Result, bail};
use kube::core::WatchEvent;
use kube::runtime::watcher::Event;
use serde::de::DeserializeOwned;

use crate::generate::Kind;
use crate::results::Decode;

/// Decodes one line (its newline included or not) as `decode` says, with `serde_json`.
pub fn decode<T: DeserializeOwned>(decode: Decode, line: &[u8]) -> Result<T> {
    decode_with(decode, line, |line| serde_json::from_slice(line))
}

/// [`decode`] as the operator does: from the line's bytes with its own reader
/// ([`karmada_manager_core::json::from_slice`]).
pub fn decode_as_operator<T: DeserializeOwned>(decode: Decode, line: &[u8]) -> Result<T> {
    decode_with(decode, line, |line| {
        karmada_manager_core::json::from_slice(line)
    })
}

fn decode_with<T: DeserializeOwned>(
    decode: Decode,
    line: &[u8],
    from_slice: impl FnOnce(&[u8]) -> serde_json::Result<T>,
) -> Result<T> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    Ok(match decode {
        Decode::Slice => from_slice(line)?,
        Decode::Lines => {
            // LinesCodec: `utf8(line)?.to_string()`, one String per line.
            let line = std::str::from_utf8(line)?.to_owned();
            serde_json::from_str(&line)?
        }
    })
}

/// A member's watch streams as one ingest path consumes them.
pub trait Sink {
    /// A relist of `kind` starts (`watcher::Event::Init`, which kube-runtime's watcher emits
    /// before the first object of every initial list).
    fn init(&mut self, kind: Kind);

    /// One line of the `kind` stream.
    fn line(&mut self, kind: Kind, line: &[u8]) -> Result<()>;

    /// An initial list has been consumed: what the operator does next in the ordinary course
    /// (see [`Ours::take_touched`]).
    fn list_done(&mut self) {}
}

/// What kube-runtime's watcher turns an event of a streaming initial list into (its
/// `State::InitialWatch` arm): ADDED/MODIFIED → `InitApply`, the bookmark annotated
/// `k8s.io/initial-events-end` → `InitDone`, other bookmarks and DELETED (which the API
/// server never sends there) → nothing, an ERROR → an error.
pub fn initial_watch_event<K>(event: WatchEvent<K>) -> Result<Option<Event<K>>> {
    Ok(match event {
        WatchEvent::Added(obj) | WatchEvent::Modified(obj) => Some(Event::InitApply(obj)),
        WatchEvent::Deleted(_) => None,
        WatchEvent::Bookmark(bookmark) => bookmark
            .metadata
            .annotations
            .contains_key("k8s.io/initial-events-end")
            .then_some(Event::InitDone),
        WatchEvent::Error(status) => bail!("watch error event: {}", status.message),
    })
}
