//! `closed_set!`: declares an enum for a closed set of spellings, with
//! `FromStr` (case-insensitive, aliases allowed), `Display`, `as_str`, `ALL`
//! and serde as the canonical lowercase spelling.

macro_rules! closed_set {
    (
        $(#[$doc:meta])*
        $name:ident, $entity:literal {
            $( $(#[$vdoc:meta])* $variant:ident = $canonical:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vdoc])* $variant ),+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical lowercase spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $canonical ),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ObsError;

            fn from_str(s: &str) -> $crate::Result<Self> {
                let lower = s.trim().to_ascii_lowercase();
                match lower.as_str() {
                    $( $canonical $(| $alias)* => Ok($name::$variant), )+
                    _ => Err($crate::ObsError::validation(
                        $entity,
                        "value",
                        s,
                        concat!("must be one of: " $(, $canonical, " ")+),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(super::entity_serde::de_error)
            }
        }
    };
}

pub(crate) use closed_set;
