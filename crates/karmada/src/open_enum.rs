//! A string enum that survives values it has never seen.
//!
//! Karmada adds enum values in minor releases (PurgeMode gained `Directly`/`Gracefully`, health
//! and division preferences may grow). A closed Rust enum would turn such a value into a decode
//! error and, in a watch, drop the whole object. [`open_enum!`] generates an enum whose extra
//! `Other(String)` variant keeps the raw value, so it can be shown to users and serialized back
//! byte-for-byte.
//!
//! The macro is the only place that implements the string mapping; every Karmada enum in
//! [`crate::enums`] is one invocation of it.

/// Declares a string-valued enum with an `Other(String)` fallback.
///
/// ```text
/// open_enum! {
///     /// How replicas are spread.
///     #[derive(Default)]
///     pub enum Example {
///         /// Doc for A.
///         #[default]
///         A => "A",
///         B => "b-wire",
///     }
/// }
/// ```
///
/// Generated: the enum (`Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord` plus whatever the
/// caller derives), `as_str`, `is_known`, `KNOWN`, `From<&str>`, `From<String>`, `FromStr`
/// (infallible), `AsRef<str>`, `Display`, `Serialize` and `Deserialize` (as a plain JSON string).
/// Matching is exact and case-sensitive, as in Go. `Other` must only be built through `From`, so
/// that a known value is never stored as `Other`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $wire:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
            /// A value this crate does not know (newer Karmada or a typo). The raw string is kept
            /// so it can be reported and written back unchanged.
            Other(::std::string::String),
        }

        impl $name {
            /// Every value this crate knows, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire value, exactly as Karmada spells it (or the raw unknown value).
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(raw) => raw.as_str(),
                }
            }

            /// `false` for a value that fell back to `Other`.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(raw: &str) -> Self {
                match raw {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(raw: ::std::string::String) -> Self {
                match raw.as_str() {
                    $($wire => $name::$variant,)+
                    _ => $name::Other(raw),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(raw: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok($name::from(raw))
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                deserializer.deserialize_str($crate::open_enum::OpenEnumVisitor::<$name>::new(
                    stringify!($name),
                ))
            }
        }
    };
}

pub(crate) use open_enum;

/// The one serde visitor behind every [`open_enum!`]: accepts any string, rejects other types.
///
/// Shared so that the generated code stays a thin mapping table.
#[doc(hidden)]
pub struct OpenEnumVisitor<T> {
    name: &'static str,
    _target: std::marker::PhantomData<fn() -> T>,
}

impl<T> OpenEnumVisitor<T> {
    #[doc(hidden)]
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            _target: std::marker::PhantomData,
        }
    }
}

impl<T> serde::de::Visitor<'_> for OpenEnumVisitor<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a string ({})", self.name)
    }

    fn visit_str<E: serde::de::Error>(self, raw: &str) -> Result<T, E> {
        Ok(T::from(raw))
    }

    fn visit_string<E: serde::de::Error>(self, raw: String) -> Result<T, E> {
        Ok(T::from(raw))
    }
}
