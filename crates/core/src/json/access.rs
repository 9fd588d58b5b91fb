//! How serde walks what the reader reads: the elements of an array, the keys and values of an
//! object, a key on its own, and the two ways JSON spells an enum.
//!
//! The steps from one item to the next are `inline(always)`: they run for every key a visitor
//! reads, and a build where the compiler left them as calls decoded pods 8–11% slower.

use serde::de::{
    self, DeserializeSeed, EnumAccess, Error as _, MapAccess, SeqAccess, Unexpected, VariantAccess,
    Visitor,
};
use serde::forward_to_deserialize_any;

use super::Error;
use super::de::Deserializer;
use super::read::Text;

pub(super) struct Seq<'a, 'de> {
    pub(super) de: &'a mut Deserializer<'de>,
    pub(super) first: bool,
}

impl<'de> SeqAccess<'de> for Seq<'_, 'de> {
    type Error = Error;

    #[inline(always)]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let read = &mut self.de.read;
        if !read.next_item(&mut self.first, b']')? {
            return Ok(None);
        }
        match read.peek() {
            Some(b']') => Err(read.error("trailing comma")),
            Some(_) => seed.deserialize(&mut *self.de).map(Some),
            None => Err(read.error("EOF while parsing a value")),
        }
    }
}

pub(super) struct Map<'a, 'de> {
    pub(super) de: &'a mut Deserializer<'de>,
    pub(super) first: bool,
}

impl<'de> MapAccess<'de> for Map<'_, 'de> {
    type Error = Error;

    #[inline(always)]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let read = &mut self.de.read;
        if !read.next_item(&mut self.first, b'}')? {
            return Ok(None);
        }
        match read.peek() {
            Some(b'"') => seed.deserialize(Key { de: &mut *self.de }).map(Some),
            Some(b'}') => Err(read.error("trailing comma")),
            Some(_) => Err(read.error("key must be a string")),
            None => Err(read.error("EOF while parsing a value")),
        }
    }

    #[inline(always)]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.de.read.expect(b':', "expected `:`")?;
        seed.deserialize(&mut *self.de)
    }
}

/// A map's key (at its opening quote): a string, or raw bytes for a visitor that asks.
pub(super) struct Key<'a, 'de> {
    pub(super) de: &'a mut Deserializer<'de>,
}

impl<'de> de::Deserializer<'de> for Key<'_, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.de.string(visitor)
    }

    #[inline(always)]
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let read = &mut self.de.read;
        read.bump();
        match read.bytes()? {
            Text::Input(b) => visitor.visit_borrowed_bytes(b),
            Text::Scratch(b) => visitor.visit_bytes(b),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_enum(&mut *self.de, name, variants, visitor)
    }

    // Keys are strings: numbers in them are not read as numbers (no type here has such keys).
    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string unit unit_struct
        seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An enum written as `{"Variant": value}`.
pub(super) struct Variant<'a, 'de> {
    pub(super) de: &'a mut Deserializer<'de>,
}

impl<'de> EnumAccess<'de> for Variant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let variant = seed.deserialize(&mut *self.de)?;
        self.de.read.expect(b':', "expected `:`")?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        serde::Deserialize::deserialize(self.de)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self.de)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self.de, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self.de, "", fields, visitor)
    }
}

/// An enum written as its variant's name.
pub(super) struct UnitVariant<'a, 'de> {
    pub(super) de: &'a mut Deserializer<'de>,
}

impl<'de> EnumAccess<'de> for UnitVariant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let variant = seed.deserialize(&mut *self.de)?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for UnitVariant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, Error> {
        Err(Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, Error> {
        Err(Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Error> {
        Err(Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}
