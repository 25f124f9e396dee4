//! Serde helpers for the OTLP/JSON mapping: ids as lowercase hex, other
//! bytes as base64, 64-bit integers as decimal strings (numbers accepted on
//! input), non-finite doubles as `"NaN"`, `"Infinity"`, `"-Infinity"`.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::Deserialize;

/// Trace and span ids: lowercase hex (OTLP/JSON's exception to base64).
pub(crate) mod hex_bytes {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            out.push(DIGITS[usize::from(b >> 4)] as char);
            out.push(DIGITS[usize::from(b & 0xf)] as char);
        }
        s.serialize_str(&out)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        decode(&text).ok_or_else(|| de::Error::custom(format!("invalid hex id {text:?}")))
    }

    fn decode(text: &str) -> Option<Vec<u8>> {
        if text.len() % 2 != 0 {
            return None;
        }
        let nibble = |c: u8| (c as char).to_digit(16).map(|v| v as u8);
        text.as_bytes()
            .chunks(2)
            .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
            .collect()
    }
}

/// Other bytes values: standard base64, as the protobuf JSON mapping says.
pub(crate) mod base64_bytes {
    use super::*;
    use base64::Engine as _;

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text.as_bytes()))
            .map_err(|e| de::Error::custom(format!("invalid base64: {e}")))
    }
}

/// A 64-bit integer written as a decimal string or a JSON number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Int64<T> {
    Number(T),
    Text(String),
}

fn int64<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + std::str::FromStr,
{
    match Int64::<T>::deserialize(d)? {
        Int64::Number(n) => Ok(n),
        Int64::Text(text) => text
            .parse()
            .map_err(|_| de::Error::custom(format!("invalid 64-bit integer {text:?}"))),
    }
}

/// `fixed64`/`uint64` fields.
pub(crate) mod u64_string {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        int64(d)
    }
}

/// `int64`/`sfixed64` fields.
pub(crate) mod i64_string {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        int64(d)
    }
}

/// `repeated fixed64`/`repeated uint64` fields.
pub(crate) mod vec_u64_string {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[u64], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for n in v {
            seq.serialize_element(&n.to_string())?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        struct Items;
        impl<'de> Visitor<'de> for Items {
            type Value = Vec<u64>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of 64-bit integers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(Int64Seed(n)) = seq.next_element()? {
                    out.push(n);
                }
                Ok(out)
            }
        }
        struct Int64Seed(u64);
        impl<'de> Deserialize<'de> for Int64Seed {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                int64(d).map(Int64Seed)
            }
        }
        d.deserialize_seq(Items)
    }
}

/// A double: a JSON number, or one of the strings `NaN`, `Infinity`, `-Infinity`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Double {
    Number(f64),
    Text(String),
}

fn parse_double<E: de::Error>(v: Double) -> Result<f64, E> {
    match v {
        Double::Number(n) => Ok(n),
        Double::Text(t) => match t.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            other => other
                .parse()
                .map_err(|_| E::custom(format!("invalid double {other:?}"))),
        },
    }
}

fn write_double<S: Serializer>(v: f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_nan() {
        s.serialize_str("NaN")
    } else if v.is_infinite() {
        s.serialize_str(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        s.serialize_f64(v)
    }
}

/// `double` fields.
pub(crate) mod f64_json {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        write_double(*v, s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        parse_double(Double::deserialize(d)?)
    }
}

/// `optional double` fields.
pub(crate) mod opt_f64_json {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => write_double(*v, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<Double>::deserialize(d)?.map(parse_double).transpose()
    }
}

/// Whether a scalar holds its default value (protobuf JSON omits those).
pub(crate) fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}
