//! serde's `Deserializer` trait for [`Deserializer`]: for each kind of value a visitor asks
//! for, the calls `serde_json` makes.

use serde::de::{self, Visitor};

use super::Error;
use super::access::{Map, Seq, UnitVariant, Variant};
use super::de::Deserializer;
use super::read::Text;

impl<'de> Deserializer<'de> {
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

// The methods the wire structs call for each value are `#[inline]`, as `serde_json` marks its
// own: they are a peek and a dispatch around the reader's work.
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

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'"') => self.string(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    #[inline]
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

    #[inline]
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

    #[inline]
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

    #[inline]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read.peek() {
            Some(b'{') => self.map(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    #[inline]
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

    #[inline]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.read.skip()?;
        visitor.visit_unit()
    }
}
