//! What every status size guard shares: a status must stay well under etcd's object limit
//! (1.5 MiB by default), so each builder measures its serialized size and shrinks detail
//! lists until it fits.

use std::io;

use serde::Serialize;

/// Bytes of the JSON serialization, counted without building it.
pub(crate) fn serialized_len<T: Serialize>(value: &T) -> usize {
    let mut counter = ByteCounter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        // Our status types always serialize; if one ever did not, treat it as too large so
        // that the guard errs on the small side.
        Err(_) => usize::MAX,
    }
}

struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How the shrunk status compares with the size guard, for truncation messages.
pub(crate) fn guard_outcome(serialized_bytes: usize, max_status_bytes: usize) -> String {
    if serialized_bytes <= max_status_bytes {
        format!("the status is {serialized_bytes} bytes, under the {max_status_bytes}-byte guard")
    } else {
        format!(
            "the status is still {serialized_bytes} bytes, over the {max_status_bytes}-byte guard"
        )
    }
}
