//! JSON Web Tokens: `eyJ<header>.ey<payload>.<signature>` in base64url.

use std::ops::Range;

use super::scan::{before, run_end};

/// Fewest characters of the header and of the payload segment.
const MIN_SEGMENT: usize = 10;
/// Segments a JWE adds after the three of a JWS.
const EXTRA_SEGMENTS: usize = 2;

/// A token whose header starts at `at` with `eyJ` (base64url of `{"`).
pub(super) fn find(text: &[u8], at: usize) -> Option<Range<usize>> {
    if before(text, at).is_some_and(is_base64url) || !text[at..].starts_with(b"eyJ") {
        return None;
    }
    let header_end = segment(text, at, b"eyJ")?;
    let payload_end = segment(text, header_end + 1, b"ey")?;
    let mut end = run_end(text, payload_end + 1, is_base64url);
    for _ in 0..EXTRA_SEGMENTS {
        if text.get(end) == Some(&b'.') && text.get(end + 1).copied().is_some_and(is_base64url) {
            end = run_end(text, end + 1, is_base64url);
        }
    }
    Some(at..end)
}

/// The end of a segment starting at `start` with `prefix`, long enough and
/// followed by a `.`.
fn segment(text: &[u8], start: usize, prefix: &[u8]) -> Option<usize> {
    let end = run_end(text, start, is_base64url);
    let ok =
        text.get(start..)?.starts_with(prefix) && end - start >= MIN_SEGMENT && text.get(end) == Some(&b'.');
    ok.then_some(end)
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

    fn found(text: &str) -> Option<&str> {
        let at = text.find("eyJ")?;
        find(text.as_bytes(), at).map(|r| &text[r])
    }

    #[test]
    fn signed_unsigned_and_encrypted_tokens_are_found() {
        assert_eq!(found(&format!("token={JWT}; path=/")), Some(JWT));
        let unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMifQ.";
        assert_eq!(found(&format!("{unsigned} end")), Some(unsigned));
        let jwe = "eyJhbGciOiJSU0EifQ.eyJlbmMiOiJBMTI4In0.iv_part.cipher-text.tag";
        assert_eq!(found(jwe), Some(jwe));
    }

    #[test]
    fn near_misses_are_not_tokens() {
        for text in [
            "eyJhbGciOiJIUzI1NiJ9",                     // header only
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx",        // no second dot
            "eyJhbG.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",   // header too short
            "eyJhbGciOiJIUzI1NiJ9.abcdefghijklmn.sig",  // payload is not JSON
            "xeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0.s", // not standing alone
            "eyJ",
        ] {
            assert_eq!(found(text), None, "{text}");
        }
    }
}
