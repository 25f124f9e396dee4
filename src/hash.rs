//! FNV-1a (64-bit): a tiny, stable hash for short strings. Used for alert
//! fingerprints (stable across runs and builds) and series lookups (fast on
//! short label values).

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// An FNV-1a hasher fed with byte strings; `separate` marks a boundary so
/// `("ab", "c")` and `("a", "bc")` hash differently.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    #[inline]
    pub(crate) fn new() -> Self {
        Fnv(OFFSET)
    }

    #[inline]
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }

    /// Feeds a byte that never occurs in UTF-8 text, as a field boundary.
    #[inline]
    pub(crate) fn separate(&mut self, marker: u8) {
        debug_assert!(marker >= 0xf8, "marker must not occur in UTF-8");
        self.write(&[marker]);
    }

    #[inline]
    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// The hash of a list of strings, each followed by a boundary.
#[inline]
pub(crate) fn hash_strs<S: AsRef<str>>(parts: &[S]) -> u64 {
    let mut h = Fnv::new();
    for part in parts {
        h.write(part.as_ref().as_bytes());
        h.separate(0xff);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_matter_and_known_vector_holds() {
        assert_ne!(hash_strs(&["ab", "c"]), hash_strs(&["a", "bc"]));
        let mut h = Fnv::new();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c, "FNV-1a test vector for \"a\"");
    }
}
