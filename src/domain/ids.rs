//! W3C-sized trace and span identifiers: [`TraceId`] (16 bytes) and
//! [`SpanId`] (8 bytes), never all zero, written as lowercase hex.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::random;
use crate::error::{ObsError, Result};

macro_rules! hex_id {
    ($(#[$doc:meta])* $name:ident, $len:literal, $entity:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Wraps raw bytes; all-zero bytes are rejected (W3C Trace Context forbids them).
            #[inline]
            pub fn from_bytes(bytes: [u8; $len]) -> Result<Self> {
                if bytes == [0; $len] {
                    return Err(ObsError::validation(
                        $entity,
                        "id",
                        hex(&bytes),
                        "must not be all zero",
                    ));
                }
                Ok(Self(bytes))
            }

            /// A new random id, never all zero, from this thread's fast
            /// generator (seeded once per thread from the OS; no system call
            /// per id). See [`random_uuid`](crate::domain::random_uuid) for
            /// what it guarantees.
            #[inline]
            pub fn random() -> Self {
                Self(random::with_thread_rng(|rng| random::nonzero_bytes(|| rng.next_u64())))
            }

            /// The raw bytes.
            pub fn to_bytes(self) -> [u8; $len] {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = ObsError;

            /// Parses exactly
            #[doc = concat!(stringify!($len), " bytes as lowercase hex.")]
            fn from_str(s: &str) -> Result<Self> {
                let bytes = parse_lower_hex::<$len>(s).ok_or_else(|| {
                    ObsError::validation(
                        $entity,
                        "id",
                        s,
                        concat!("must be ", stringify!($len), " bytes of lowercase hex"),
                    )
                })?;
                Self::from_bytes(bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex(&self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(super::entity_serde::de_error)
            }
        }
    };
}

hex_id!(
    /// A 16-byte trace id, as in W3C Trace Context.
    ///
    /// ```
    /// use observa::TraceId;
    ///
    /// let id: TraceId = "4bf92f3577b34da6a3ce929d0e0e4736".parse()?;
    /// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert!("00000000000000000000000000000000".parse::<TraceId>().is_err());
    /// assert!("4BF92F3577B34DA6A3CE929D0E0E4736".parse::<TraceId>().is_err());
    /// assert_ne!(TraceId::random(), TraceId::random());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    TraceId,
    16,
    "trace id"
);

hex_id!(
    /// An 8-byte span id, as in W3C Trace Context.
    ///
    /// ```
    /// use observa::SpanId;
    ///
    /// let id: SpanId = "00f067aa0ba902b7".parse()?;
    /// assert_eq!(id.to_bytes()[1], 0xf0);
    /// assert!(SpanId::from_bytes([0; 8]).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    SpanId,
    8,
    "span id"
);

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Exactly `N` bytes written as `2 * N` lowercase hex digits, or `None`.
pub(crate) fn parse_lower_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let digits = s.as_bytes();
    if digits.len() != N * 2 {
        return None;
    }
    let nibble = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wrong_lengths_and_signs_are_rejected() {
        for bad in [
            "",
            "0af7651916cd43dd8448eb211c80319",
            "+af7651916cd43dd8448eb211c80319c",
            "0af7651916cd43dd8448eb211c80319cc",
        ] {
            assert!(bad.parse::<TraceId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_round_trips_as_hex_and_validates() {
        let id = SpanId::random();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<SpanId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<SpanId>("\"0000000000000000\"").is_err());
    }

    proptest! {
        #[test]
        fn any_nonzero_bytes_round_trip(bytes in proptest::array::uniform16(any::<u8>())) {
            match TraceId::from_bytes(bytes) {
                Ok(id) => prop_assert_eq!(id.to_string().parse::<TraceId>().unwrap(), id),
                Err(_) => prop_assert_eq!(bytes, [0u8; 16]),
            }
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,40}") {
            if let Ok(id) = s.parse::<SpanId>() {
                prop_assert_eq!(id.to_string(), s);
            }
        }
    }
}
