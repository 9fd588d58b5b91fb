//! The serde level of [`super`]: a `Deserializer` over [`Read`] that makes the visitor calls
//! `serde_json`'s makes for the same text, so that every `Deserialize` decodes alike (how
//! arrays, objects, keys and enums are walked is `access.rs`).

use serde::de::{self, Error as _, Expected, Unexpected, Visitor};

use super::Error;
use super::access::{Map, Seq, UnitVariant, Variant};
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

    /// At `[`: the visitor's sequence, which must then end.
    fn seq<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        self.read.bump();
        self.nested(|de| {
            let value = visitor.visit_seq(Seq { de, first: true })?;
            de.end_seq().map(|()| value)
        })
    }

    /// At `{`: the visitor's map, which must then end.
    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        self.read.bump();
        self.nested(|de| {
            let value = visitor.visit_map(Map { de, first: true })?;
            de.end_map().map(|()| value)
        })
    }

    fn end_seq(&mut self) -> Result<(), Error> {
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

    fn end_map(&mut self) -> Result<(), Error> {
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

    fn number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
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
    fn invalid_type(&mut self, expected: &dyn Expected) -> Error {
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

/// Deserializer methods that read a number as `deserialize_i64` does.
macro_rules! numbers_as_i64 {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_i64(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'n') => {
                self.read.literal(b"null")?;
                visitor.visit_unit()
            }
            Some(b't') => {
                self.read.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.read.literal(b"false")?;
                visitor.visit_bool(false)
            }
            Some(b'-' | b'0'..=b'9') => self.number(visitor),
            Some(b'"') => self.string(visitor),
            Some(b'[') => self.seq(visitor),
            Some(b'{') => self.map(visitor),
            Some(_) => Err(self.read.error("expected value")),
            None => Err(self.read.error("EOF while parsing a value")),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b't' | b'f') => self.deserialize_any(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    // Every other number as `serde_json` reads one: the visitor is handed a u64, i64 or f64.
    numbers_as_i64! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_u8 deserialize_u16
        deserialize_u32 deserialize_u64 deserialize_f32 deserialize_f64
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'"') => self.string(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'"') => {
                self.read.bump();
                match self.read.bytes()? {
                    Text::Input(b) => visitor.visit_borrowed_bytes(b),
                    Text::Scratch(b) => visitor.visit_bytes(b),
                }
            }
            Some(b'[') => self.seq(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.read.peek() == Some(b'n') {
            self.read.literal(b"null")?;
            return visitor.visit_none();
        }
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.read.peek() == Some(b'n') {
            self.read.literal(b"null")?;
            return visitor.visit_unit();
        }
        Err(self.invalid_type(&visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'[') => self.seq(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'{') => self.map(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'[') => self.seq(visitor),
            Some(b'{') => self.map(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'{') => {
                self.read.bump();
                let value = self.nested(|de| visitor.visit_enum(Variant { de }))?;
                match self.read.peek() {
                    Some(b'}') => {
                        self.read.bump();
                        Ok(value)
                    }
                    Some(_) => Err(self.read.error("expected value")),
                    None => Err(self.read.error("EOF while parsing an object")),
                }
            }
            Some(b'"') => visitor.visit_enum(UnitVariant { de: self }),
            Some(_) => Err(self.read.error("expected value")),
            None => Err(self.read.error("EOF while parsing a value")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.read.skip()?;
        visitor.visit_unit()
    }
}
