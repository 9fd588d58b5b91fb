//! The decode floor: parse the JSON, keep nothing.

use anyhow::Result;
use serde::de::IgnoredAny;

use super::{Sink, decode};
use crate::generate::Kind;
use crate::results::Decode;

/// Validates and skips every line; retains nothing.
pub struct Floor {
    decode: Decode,
}

impl Floor {
    pub fn new(decode: Decode) -> Floor {
        Floor { decode }
    }
}

impl Sink for Floor {
    fn init(&mut self, _kind: Kind) {}

    fn line(&mut self, _kind: Kind, line: &[u8]) -> Result<()> {
        decode::<IgnoredAny>(self.decode, line)?;
        Ok(())
    }
}
