//! The JSON reader every member object is decoded with: a serde `Deserializer` over the bytes
//! of a list page or a watch line, in place of `serde_json`'s.
//!
//! Why our own: most of what a member sends is skipped (a Pod's managedFields, env, volumes,
//! probes), and the rest is read key by key. Here a value is skipped sixteen bytes at a time
//! up to the next quote, backslash or control character, on a stack of its own, and a key is
//! handed to the visitor straight from the input; `serde_json` goes byte by byte through more
//! layers. The wire structs' visitors are unchanged: they decode from either reader.
//!
//! What it accepts and what each visitor is handed are `serde_json`'s (`from_slice`), checked by
//! `tests/json_parity.rs` on generated, mutated and damaged JSON: the same text is valid or
//! not, numbers are typed the same (`-0` and integers beyond 64 bits are floats, read by
//! `serde_json` itself), strings are checked for UTF-8 and unescaped the same, and decodes are
//! refused past the same depth. Errors are `serde_json::Error`s (so the shell's `kube::Error`
//! keeps its kind), with the byte where decoding stopped. Two differences, which no type decoded
//! from a member meets: a map key is never read as a number, and `serde_json`'s `RawValue` is
//! not supported.
//!
//! - `read`: the bytes: whitespace, literals, strings, numbers; `skip`: a whole value skipped;
//!   `unescape`: strings with escapes.
//! - `de`: the serde side: the deserializer; `visit`: the visitor calls for each kind of
//!   value; `access`: arrays, objects, keys and enums as serde walks them.

mod access;
mod de;
mod read;
mod skip;
mod unescape;
mod visit;

pub use de::from_slice;

/// A decoding error: `serde_json`'s type, with its message.
pub type Error = serde_json::Error;
