//! The serde level of [`super`]: a `Deserializer` over [`Read`] that makes the visitor calls
//! `serde_json`'s makes for the same text, so that every `Deserialize` decodes alike. Here the
//! deserializer and what its parts share; serde's trait for it is `visit.rs`, and how arrays,
//! objects, keys and enums are walked `access.rs` (apart, so that neither file imports the
//! other's importer: `visit` → `access` → `de`).

use serde::de::{Error as _, Expected, Unexpected, Visitor};

use super::Error;
use super::read::{Number, Read, Text};

/// Arrays and objects a decode may be inside of, as with `serde_json` (a skipped value may be
/// deeper: it is not decoded).
const DEPTH: u8 = 128;

/// Decodes a `T` from JSON text that is the whole of `input` (whitespace around it aside).
pub fn from_slice<'de, T: serde::Deserialize<'de>>(input: &'de [u8]) -> Result<T, Error> {
    let mut de = Deserializer {
        read: Read::new(input),
        depth: DEPTH,
    };
    let located = |de: &Deserializer<'_>, error: Error| {
        Error::custom(format_args!("{error} at byte {}", de.read.position()))
    };
    let value = T::deserialize(&mut de).map_err(|e| located(&de, e))?;
    de.read.end().map_err(|e| located(&de, e))?;
    Ok(value)
}

pub(super) struct Deserializer<'de> {
    pub(super) read: Read<'de>,
    /// How many more arrays and objects a decode may open.
    depth: u8,
}

impl<'de> Deserializer<'de> {
    /// Runs `visit` one level deeper, refusing to go past [`DEPTH`].
    pub(super) fn nested<T>(
        &mut self,
        visit: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.depth -= 1;
        if self.depth == 0 {
            return Err(self.read.error("recursion limit exceeded"));
        }
        let result = visit(self);
        self.depth += 1;
        result
    }

    pub(super) fn end_seq(&mut self) -> Result<(), Error> {
        match self.read.peek() {
            Some(b']') => {
                self.read.bump();
                Ok(())
            }
            Some(b',') => {
                self.read.bump();
                match self.read.peek() {
                    Some(b']') => Err(self.read.error("trailing comma")),
                    _ => Err(self.read.error("trailing characters")),
                }
            }
            Some(_) => Err(self.read.error("trailing characters")),
            None => Err(self.read.error("EOF while parsing a list")),
        }
    }

    pub(super) fn end_map(&mut self) -> Result<(), Error> {
        match self.read.peek() {
            Some(b'}') => {
                self.read.bump();
                Ok(())
            }
            Some(b',') => Err(self.read.error("trailing comma")),
            Some(_) => Err(self.read.error("trailing characters")),
            None => Err(self.read.error("EOF while parsing an object")),
        }
    }

    pub(super) fn number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        match self.read.number()? {
            Number::U64(n) => visitor.visit_u64(n),
            Number::I64(n) => visitor.visit_i64(n),
            Number::F64(n) => visitor.visit_f64(n),
        }
    }

    /// At `"`.
    pub(super) fn string<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        self.read.bump();
        match self.read.string()? {
            Text::Input(s) => visitor.visit_borrowed_str(s),
            Text::Scratch(s) => visitor.visit_str(s),
        }
    }

    /// The error for a value of the wrong type: the value is read, to name it.
    #[cold]
    pub(super) fn invalid_type(&mut self, expected: &dyn Expected) -> Error {
        let unexpected = match self.read.peek() {
            Some(b'n') => self.read.literal(b"null").map(|()| Unexpected::Unit),
            Some(b't') => self.read.literal(b"true").map(|()| Unexpected::Bool(true)),
            Some(b'f') => self
                .read
                .literal(b"false")
                .map(|()| Unexpected::Bool(false)),
            Some(b'-' | b'0'..=b'9') => match self.read.number() {
                Ok(Number::U64(n)) => Ok(Unexpected::Unsigned(n)),
                Ok(Number::I64(n)) => Ok(Unexpected::Signed(n)),
                Ok(Number::F64(n)) => Ok(Unexpected::Float(n)),
                Err(error) => Err(error),
            },
            Some(b'"') => {
                self.read.bump();
                match self.read.string() {
                    Ok(Text::Input(s) | Text::Scratch(s)) => {
                        return Error::invalid_type(Unexpected::Str(s), expected);
                    }
                    Err(error) => Err(error),
                }
            }
            Some(b'[') => Ok(Unexpected::Seq),
            Some(b'{') => Ok(Unexpected::Map),
            Some(_) => Err(self.read.error("expected value")),
            None => Err(self.read.error("EOF while parsing a value")),
        };
        match unexpected {
            Ok(unexpected) => Error::invalid_type(unexpected, expected),
            Err(error) => error,
        }
    }
}
