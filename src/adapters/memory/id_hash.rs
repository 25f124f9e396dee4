//! [`IdHashing`]: a cheap keyed hasher for the repository's id index.
//!
//! The index key is a 16-byte UUID. SipHash, the standard library's
//! default, spends a few hundred instructions on it; this folds the bytes
//! into a 64-bit state with one widening multiply per 8 bytes. Every byte
//! counts (time-ordered UUIDs share their leading bytes), and the state
//! starts from a per-map random seed, so ids chosen from outside cannot be
//! lined up to collide without knowing it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// An odd constant with well-spread bits (the golden ratio's fraction).
const SPREAD: u64 = 0x9e37_79b9_7f4a_7c15;

/// Builds [`IdHasher`]s sharing one random seed.
#[derive(Clone, Debug)]
pub(super) struct IdHashing {
    seed: u64,
}

impl IdHashing {
    /// A builder with a fresh random seed.
    pub(super) fn new() -> IdHashing {
        IdHashing {
            seed: RandomState::new().hash_one(SPREAD),
        }
    }
}

impl BuildHasher for IdHashing {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher { state: self.seed }
    }
}

/// Folds each 8-byte word into the state with a widening multiply.
pub(super) struct IdHasher {
    state: u64,
}

impl IdHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        let product = u128::from(self.state ^ word) * u128::from(SPREAD);
        self.state = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buf = [0; 8];
            buf.copy_from_slice(word);
            self.mix(u64::from_le_bytes(buf));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut buf = [0; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;
    use uuid::Uuid;

    fn hash(hashing: &IdHashing, id: Uuid) -> u64 {
        hashing.hash_one(id)
    }

    #[test]
    fn ids_differing_in_any_single_byte_hash_apart() {
        let hashing = IdHashing::new();
        let base = Uuid::from_u128(0x0192_3456_789a_7bcd_8ef0_1234_5678_9abc);
        let mut seen = HashSet::new();
        seen.insert(hash(&hashing, base));
        for byte in 0..16 {
            let mut bytes = *base.as_bytes();
            bytes[byte] ^= 0x01;
            assert!(
                seen.insert(hash(&hashing, Uuid::from_bytes(bytes))),
                "byte {byte}"
            );
        }
    }

    #[test]
    fn sequential_ids_spread_over_buckets() {
        // Time-ordered and counter-like ids differ only in a few bits; the
        // low bits (the bucket) and the top 7 (the tag) must still vary.
        let hashing = IdHashing::new();
        let hashes: Vec<u64> = (0..4096u128)
            .map(|i| hash(&hashing, Uuid::from_u128(i << 64)))
            .collect();
        let buckets: HashSet<u64> = hashes.iter().map(|h| h & 4095).collect();
        let tags: HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        assert!(buckets.len() > 2_000, "{} buckets", buckets.len());
        assert_eq!(tags.len(), 128);
    }

    #[test]
    fn seeds_differ_between_maps() {
        let id = Uuid::new_v4();
        let hashes: HashSet<u64> = (0..8).map(|_| hash(&IdHashing::new(), id)).collect();
        assert!(hashes.len() > 1);
    }

    proptest! {
        #[test]
        fn equal_ids_hash_equal(raw in any::<u128>()) {
            let hashing = IdHashing::new();
            prop_assert_eq!(hash(&hashing, Uuid::from_u128(raw)), hash(&hashing, Uuid::from_u128(raw)));
        }

        #[test]
        fn byte_strings_of_any_length_differ_from_their_zero_padding(bytes in proptest::collection::vec(any::<u8>(), 1..24)) {
            let hashing = IdHashing::new();
            let mut padded = bytes.clone();
            padded.push(0);
            let mut a = hashing.build_hasher();
            a.write(&bytes);
            let mut b = hashing.build_hasher();
            b.write(&padded);
            prop_assert_ne!(a.finish(), b.finish());
        }
    }
}
