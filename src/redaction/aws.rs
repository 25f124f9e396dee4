//! AWS access key ids: a four-character prefix and 16 characters of `[A-Z2-7]`.

use std::ops::Range;

use super::scan::before;

const LEN: usize = 20;
const PREFIXES: [&[u8; 4]; 4] = [b"AKIA", b"ASIA", b"ABIA", b"ACCA"];

/// A key id starting at `at`, not glued to other letters or digits.
pub(super) fn find(text: &[u8], at: usize) -> Option<Range<usize>> {
    if before(text, at).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let candidate = text.get(at..at + LEN)?;
    let (prefix, body) = candidate.split_at(4);
    let a3t = prefix.starts_with(b"A3T") && (prefix[3].is_ascii_uppercase() || prefix[3].is_ascii_digit());
    let prefix_ok = a3t || PREFIXES.iter().any(|p| p.as_slice() == prefix);
    let body_ok = body
        .iter()
        .all(|&b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    let alone = !text.get(at + LEN).is_some_and(|b| b.is_ascii_alphanumeric());
    (prefix_ok && body_ok && alone).then_some(at..at + LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Option<&str> {
        let at = text.find('A')?;
        find(text.as_bytes(), at).map(|r| &text[r])
    }

    #[test]
    fn key_ids_are_found() {
        for key in [
            "AKIAIOSFODNN7EXAMPLE",
            "ASIAY34FZKBOKMUTVV7A",
            "A3T2ABCDEFGHIJKLMNOP",
            "ACCAZZZZ2222777AAAAA",
        ] {
            assert_eq!(found(&format!("key={key}.")), Some(key), "{key}");
        }
    }

    #[test]
    fn near_misses_are_not_key_ids() {
        for text in [
            "AKIAIOSFODNN7EXAMPL",   // 15 characters after the prefix
            "AKIAIOSFODNN7EXAMPLEX", // 17
            "AKIAIOSFODNN1EXAMPLE",  // 1 is not in [A-Z2-7]
            "AKIAiosfodnn7example",  // lowercase
            "AXIAIOSFODNN7EXAMPLE",  // unknown prefix
            "XAKIAIOSFODNN7EXAMPLE",
        ] {
            let at = text.find('A').unwrap();
            assert_eq!(find(text.as_bytes(), at), None, "{text}");
        }
    }
}
