//! Decoding of the wire structs (the parts of a Pod or Node the projections read), written out
//! rather than derived, because most of a watch event is keys and skipped values.
//!
//! Decoding is most of the time ingest takes, and serde's derive reads every key of an object
//! as a `&str`, which costs a UTF-8 check per key even for the hundreds of keys a Pod has that
//! we skip. [`wire_struct!`] reads keys as raw bytes instead ([`RawKey`]) and compares them
//! with the few names it knows; values it skips go to `IgnoredAny`, as before. A key that is not
//! valid UTF-8 can equal none of those names, so it is skipped like any unknown key (derive
//! made it an error with `serde_json::from_slice`; kube decodes from a `&str`, where such a key
//! cannot occur). Strings that are only compared ([`Matched`]) are read the same way.
//!
//! The rules are the ones the derived structs had, so that every input decodes as before
//! (`tests/decode_reference.rs` checks 30,000 mutated Pods and Nodes against a projection
//! written from k8s-openapi's types): absent and `null` fields take
//! their defaults, unknown keys are skipped, a repeated known key is an error, a value of the
//! wrong type is an error, and an array is read as the fields in declaration order.

use std::marker::PhantomData;

use serde::de::{Deserializer, Error, IgnoredAny, Visitor};

/// The field names of a [`wire_struct!`], looked up by a key's raw bytes.
pub(crate) trait FieldIndex {
    /// `Some(position)` of the field named `key`, `None` for any other key. The macro compares
    /// the key with each name in turn: the names being constants, each comparison compiles to a
    /// length check and a few integer compares.
    fn field_index(key: &[u8]) -> Option<usize>;
}

/// Longest key [`RawKey`] copies; longer keys are longer than any field name.
const INLINE_KEY: usize = 32;

/// A map key as raw bytes: no UTF-8 check, and no copy when the input holds it verbatim.
///
/// One visitor type for the keys of every wire struct, so that serde_json's key parsing is
/// compiled once rather than once per struct (a copy per struct showed up as instruction-cache
/// misses in the profile).
pub(crate) enum RawKey<'de> {
    /// The key as it appears in the input (no escapes).
    Borrowed(&'de [u8]),
    /// A key copied out of the input (it had escapes), or handed over as a transient string by
    /// another deserializer.
    Inline([u8; INLINE_KEY], usize),
    /// Longer than [`INLINE_KEY`]: no field has such a name.
    Long,
}

impl RawKey<'_> {
    /// The position of the field of `F` this key names.
    #[inline]
    pub(crate) fn field<F: FieldIndex>(&self) -> Option<usize> {
        match self {
            RawKey::Borrowed(key) => F::field_index(key),
            RawKey::Inline(bytes, len) => F::field_index(bytes.get(..*len)?),
            RawKey::Long => None,
        }
    }
}

impl<'de> serde::Deserialize<'de> for RawKey<'de> {
    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_bytes(RawKeyVisitor)
    }
}

struct RawKeyVisitor;

impl<'de> Visitor<'de> for RawKeyVisitor {
    type Value = RawKey<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    #[inline(always)]
    fn visit_borrowed_bytes<E: Error>(self, key: &'de [u8]) -> Result<RawKey<'de>, E> {
        Ok(RawKey::Borrowed(key))
    }

    fn visit_bytes<E: Error>(self, key: &[u8]) -> Result<RawKey<'de>, E> {
        let mut bytes = [0u8; INLINE_KEY];
        match bytes.get_mut(..key.len()) {
            Some(prefix) => {
                prefix.copy_from_slice(key);
                Ok(RawKey::Inline(bytes, key.len()))
            }
            None => Ok(RawKey::Long),
        }
    }

    fn visit_borrowed_str<E: Error>(self, key: &'de str) -> Result<RawKey<'de>, E> {
        Ok(RawKey::Borrowed(key.as_bytes()))
    }

    // Deserializers other than serde_json's (a `serde_json::Value`, kube's `DeserializeGuard`
    // buffer) hand keys over as strings.
    fn visit_str<E: Error>(self, key: &str) -> Result<RawKey<'de>, E> {
        self.visit_bytes(key.as_bytes())
    }
}

/// Records that the field at `index` of `names` was read; a second time is an error, as with
/// serde's derive.
#[inline(always)]
pub(crate) fn first_time<E: Error>(
    seen: &mut u64,
    index: usize,
    names: &'static [&'static str],
) -> Result<(), E> {
    let bit = 1u64 << (index % 64);
    if *seen & bit != 0 {
        return Err(E::duplicate_field(names.get(index).copied().unwrap_or("?")));
    }
    *seen |= bit;
    Ok(())
}

/// A value whose `null` decodes as the type's default, like an absent one (serde's `default`
/// covers only absent fields).
pub(crate) struct Nullable<T>(pub(crate) T);

impl<'de, T: Default + serde::Deserialize<'de>> serde::Deserialize<'de> for Nullable<T> {
    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Nullable(
            Option::<T>::deserialize(deserializer)?.unwrap_or_default(),
        ))
    }
}

/// A string value that is only compared, never kept: `T` is made from its raw bytes, without a
/// UTF-8 check or a copy (a value that is not UTF-8 can match none of the names compared).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Matched<T>(pub(crate) T);

/// What a [`Matched`] string value becomes.
pub(crate) trait FromBytes: Default {
    fn from_bytes(value: &[u8]) -> Self;
}

impl<'de, T: FromBytes> serde::Deserialize<'de> for Matched<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_bytes(MatchedVisitor(PhantomData))
    }
}

struct MatchedVisitor<T>(PhantomData<T>);

impl<T: FromBytes> Visitor<'_> for MatchedVisitor<T> {
    type Value = Matched<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_bytes<E: Error>(self, value: &[u8]) -> Result<Matched<T>, E> {
        Ok(Matched(T::from_bytes(value)))
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<Matched<T>, E> {
        self.visit_bytes(value.as_bytes())
    }
}

/// `true` when the string is exactly `True` (a condition's status).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IsTrue(pub(crate) bool);

impl FromBytes for IsTrue {
    fn from_bytes(value: &[u8]) -> Self {
        IsTrue(value == b"True")
    }
}

// The helpers below call the `_seed` methods themselves: serde's `next_key`, `next_value` and
// `next_element` wrap them, and the compiler did not always inline the wrapper, which left a
// call per key on the hottest path of decoding (seen in the profile, from one build to the next).

/// The next key of a map.
#[inline(always)]
pub(crate) fn key<'de, T: serde::Deserialize<'de>, A: serde::de::MapAccess<'de>>(
    map: &mut A,
) -> Result<Option<T>, A::Error> {
    map.next_key_seed(PhantomData)
}

/// The value of the key just read.
#[inline(always)]
pub(crate) fn value<'de, T: serde::Deserialize<'de>, A: serde::de::MapAccess<'de>>(
    map: &mut A,
) -> Result<T, A::Error> {
    map.next_value_seed(PhantomData)
}

/// Skips one value (a key that is not read).
#[inline(always)]
pub(crate) fn skip<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    value::<IgnoredAny, A>(map).map(drop)
}

/// The next element of an array.
#[inline(always)]
pub(crate) fn element<'de, T: serde::Deserialize<'de>, A: serde::de::SeqAccess<'de>>(
    seq: &mut A,
) -> Result<Option<T>, A::Error> {
    seq.next_element_seed(PhantomData)
}

/// Defines a wire struct (every field `Default`) and its `Deserialize` from a JSON object:
/// `"jsonKey" => field: Type`. See the module documentation for the rules.
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $key:literal => $field:ident : $type:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Default)]
        $vis struct $name {
            // Visible to the module that decodes the parent struct.
            $( $(#[$field_meta])* pub(crate) $field: $type, )*
        }

        // `first_time` records the keys seen in one bit each of a `u64`: a 65th field would
        // share a bit with the first, and a repeated key could go unnoticed.
        const _: () = assert!(
            <[&str]>::len(&[$($key),*]) <= 64,
            concat!("wire_struct! ", stringify!($name), ": more than 64 fields")
        );

        impl $crate::projection::wire::FieldIndex for $name {
            #[allow(unused_assignments, unused_mut)]
            fn field_index(key: &[u8]) -> Option<usize> {
                let mut position = 0usize;
                $(
                    if key == $key.as_bytes() {
                        return Some(position);
                    }
                    position += 1;
                )*
                None
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const NAMES: &[&str] = &[$($key),*];

                struct FieldsVisitor;

                impl<'de> serde::de::Visitor<'de> for FieldsVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("an object (", stringify!($name), ")"))
                    }

                    #[allow(unused_assignments, unused_mut)]
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        let mut value = $name::default();
                        let mut seen = 0u64;
                        while let Some(key) = $crate::projection::wire::key::<
                            $crate::projection::wire::RawKey<'de>,
                            A,
                        >(&mut map)?
                        {
                            let Some(index) = key.field::<$name>() else {
                                $crate::projection::wire::skip(&mut map)?;
                                continue;
                            };
                            $crate::projection::wire::first_time(&mut seen, index, NAMES)?;
                            // The fields in declaration order: `index` is the position of the
                            // key in NAMES.
                            let mut position = 0usize;
                            $(
                                if index == position {
                                    value.$field = $crate::projection::wire::value::<
                                        $crate::projection::wire::Nullable<$type>,
                                        A,
                                    >(&mut map)?
                                    .0;
                                    continue;
                                }
                                position += 1;
                            )*
                            // Not reached: every index `field` returns is a field's.
                            $crate::projection::wire::skip(&mut map)?;
                        }
                        Ok(value)
                    }

                    // The fields in declaration order, as serde's derive accepts too; missing
                    // ones default.
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> Result<$name, A::Error> {
                        let mut value = $name::default();
                        $(
                            match $crate::projection::wire::element::<
                                $crate::projection::wire::Nullable<$type>,
                                A,
                            >(&mut seq)? {
                                Some(v) => value.$field = v.0,
                                None => return Ok(value),
                            }
                        )*
                        Ok(value)
                    }
                }

                deserializer.deserialize_struct(stringify!($name), NAMES, FieldsVisitor)
            }
        }
    };
}
pub(crate) use wire_struct;
