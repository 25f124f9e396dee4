//! [`SpanName`]: a span's operation or service name, checked once and shared;
//! [`NameCache`]: a small bounded memory of names already checked, so a writer
//! that builds many spans with the same few names checks each name once.

use std::fmt;
use std::sync::Arc;

use crate::domain::rules;
use crate::error::Result;

/// An operation or service name that passed the short-name rule
/// ([`rules::short_name`]): non-blank, at most
/// [`MAX_SHORT_NAME_LEN`](rules::MAX_SHORT_NAME_LEN) characters, no control
/// characters. The only way to make one is [`SpanName::new`] (or a copy of
/// one), so a span holding it needs no second check. Cloning shares the text.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SpanName(Arc<str>);

impl SpanName {
    /// Checks `name` as the span's `field` (`"operation"` or `"service"`).
    pub(crate) fn new(field: &'static str, name: &str) -> Result<SpanName> {
        rules::short_name("span", field, name)?;
        Ok(SpanName(Arc::from(name)))
    }

    /// Checks an owned `name`, keeping its text.
    pub(crate) fn from_string(field: &'static str, name: String) -> Result<SpanName> {
        rules::short_name("span", field, &name)?;
        Ok(SpanName(Arc::from(name)))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SpanName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// How many names a [`NameCache`] remembers.
const SLOTS: usize = 64;

/// Names already checked, by their text: a direct-mapped table of
/// [`SLOTS`] entries (a name takes the slot of its hash, replacing whatever
/// was there), so it never grows. A name is found only when its text is
/// equal to the remembered one, and the rule depends on the text alone, so
/// a name is refused exactly when [`SpanName::new`] refuses it. Refused
/// names are not remembered.
pub(crate) struct NameCache {
    slots: Box<[Option<SpanName>]>,
}

impl Default for NameCache {
    fn default() -> Self {
        NameCache {
            slots: vec![None; SLOTS].into_boxed_slice(),
        }
    }
}

impl NameCache {
    /// The checked name for `name` as the span's `field`: the remembered
    /// one, or a new one checked now and remembered.
    #[inline]
    pub(crate) fn get(&mut self, field: &'static str, name: &str) -> Result<SpanName> {
        let slot = &mut self.slots[slot_of(name.as_bytes())];
        match slot {
            Some(known) if known.as_str() == name => Ok(known.clone()),
            _ => {
                let checked = SpanName::new(field, name)?;
                *slot = Some(checked.clone());
                Ok(checked)
            }
        }
    }
}

/// The slot of a name: a multiplicative hash of its bytes, eight at a time.
fn slot_of(name: &[u8]) -> usize {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut hash = name.len() as u64;
    let mut chunks = name.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        hash = (hash.rotate_left(23) ^ word).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    let mut tail = [0u8; 8];
    tail[..rest.len()].copy_from_slice(rest);
    hash = (hash.rotate_left(23) ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    (hash >> (64 - SLOTS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_remembered_name_is_shared_not_copied() {
        let mut cache = NameCache::default();
        let first = cache.get("operation", "checkout").unwrap();
        let second = cache.get("operation", "checkout").unwrap();
        assert!(Arc::ptr_eq(&first.0, &second.0));
    }

    #[test]
    fn a_refused_name_keeps_the_field_it_was_checked_as() {
        let mut cache = NameCache::default();
        let err = cache.get("service", " ").unwrap_err();
        assert_eq!((err.entity(), err.field()), (Some("span"), Some("service")));
    }

    #[test]
    fn slots_stay_in_bounds_for_every_length() {
        for len in 0..40 {
            assert!(slot_of(&vec![0xFF; len]) < SLOTS);
        }
    }

    /// Names that are often valid, sometimes blank, too long or with a
    /// control character, drawn from a small pool so they repeat.
    fn names() -> impl Strategy<Value = Vec<String>> {
        let name = prop_oneof![
            "[a-z ]{0,6}",
            "\\PC{0,3}[\\x00-\\x1f]?",
            "x{120,135}",
            "é{126,130}",
            Just(String::new()),
        ];
        proptest::collection::vec(name, 1..12).prop_flat_map(|pool| {
            let n = pool.len();
            proptest::collection::vec(0..n, 0..200)
                .prop_map(move |picks| picks.into_iter().map(|i| pool[i].clone()).collect())
        })
    }

    proptest! {
        #[test]
        fn a_cached_name_is_refused_exactly_when_the_rule_refuses_it(names in names()) {
            let mut cache = NameCache::default();
            for name in &names {
                let cached = cache.get("operation", name);
                let uncached = rules::short_name("span", "operation", name);
                prop_assert_eq!(cached.is_ok(), uncached.is_ok(), "{:?}", name);
                match (cached, uncached) {
                    (Ok(checked), Ok(())) => prop_assert_eq!(checked.as_str(), name.as_str()),
                    (Err(cached), Err(uncached)) => prop_assert_eq!(cached.to_string(), uncached.to_string()),
                    _ => unreachable!(),
                }
            }
        }
    }
}
