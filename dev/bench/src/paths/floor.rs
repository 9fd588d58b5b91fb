//! The decode floors: parse the JSON, keep nothing; with `serde_json`, or with the reader the
//! operator decodes with.

use anyhow::Result;
use serde::de::IgnoredAny;

use super::{Sink, decode, decode_as_operator};
use crate::generate::Kind;
use crate::results::Decode;

/// Validates and skips every line; retains nothing.
pub struct Floor {
    decode: Decode,
    /// Through the operator's reader rather than `serde_json`.
    reader: bool,
}

impl Floor {
    pub fn new(decode: Decode) -> Floor {
        Floor {
            decode,
            reader: false,
        }
    }

    pub fn with_reader(decode: Decode) -> Floor {
        Floor {
            decode,
            reader: true,
        }
    }
}

impl Sink for Floor {
    fn init(&mut self, _kind: Kind) {}

    fn line(&mut self, _kind: Kind, line: &[u8]) -> Result<()> {
        if self.reader {
            decode_as_operator::<IgnoredAny>(self.decode, line)?;
        } else {
            decode::<IgnoredAny>(self.decode, line)?;
        }
        Ok(())
    }
}
