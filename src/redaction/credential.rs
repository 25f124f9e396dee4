//! `Bearer <token>` and `Basic <base64>` credentials.

use std::ops::Range;

use super::scan::{before, is_word, run_end};

/// Fewest characters (padding excluded) a credential has.
const MIN_TOKEN: usize = 8;

/// The credential after a `Bearer` or `Basic` scheme word anchored at `at`
/// (case-insensitive, standing alone, followed by spaces or tabs).
pub(super) fn find(text: &[u8], at: usize) -> Option<Range<usize>> {
    if before(text, at).is_some_and(is_word) {
        return None;
    }
    let rest = &text[at..];
    let (scheme_len, basic) = if starts_with_ignore_case(rest, b"bearer") {
        (6, false)
    } else if starts_with_ignore_case(rest, b"basic") {
        (5, true)
    } else {
        return None;
    };
    let blank = at + scheme_len;
    let start = run_end(text, blank, |b| b == b' ' || b == b'\t');
    if start == blank {
        return None;
    }
    let body = run_end(text, start, if basic { is_base64 } else { is_b64token });
    let max_padding = if basic { 2 } else { usize::MAX };
    let end = body
        + text[body..]
            .iter()
            .take(max_padding)
            .take_while(|&&b| b == b'=')
            .count();
    let long_enough = body - start >= MIN_TOKEN;
    // base64 of `user:password` is padded to whole 4-character blocks
    let well_formed = !basic || (end - start) % 4 == 0;
    (long_enough && well_formed).then_some(start..end)
}

fn starts_with_ignore_case(text: &[u8], word: &[u8]) -> bool {
    text.get(..word.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(word))
}

/// RFC 6750 `b64token` characters, padding excluded.
fn is_b64token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Option<&str> {
        let at = text.find(['b', 'B'])?;
        find(text.as_bytes(), at).map(|r| &text[r])
    }

    #[test]
    fn bearer_and_basic_credentials_are_found() {
        assert_eq!(found("Bearer abc.DEF-123_~+/=="), Some("abc.DEF-123_~+/=="));
        assert_eq!(
            found("authorization: bearer\t\tmF_9.B5f-4.1JqM"),
            Some("mF_9.B5f-4.1JqM")
        );
        assert_eq!(found("Basic dXNlcjpwYXNzd29yZA=="), Some("dXNlcjpwYXNzd29yZA=="));
        assert_eq!(
            found("BASIC YWxhZGRpbjpvcGVuc2VzYW1l, next"),
            Some("YWxhZGRpbjpvcGVuc2VzYW1l")
        );
    }

    #[test]
    fn near_misses_are_not_credentials() {
        for text in [
            "Bearer token",          // too short
            "Bearer:abcdefghijk",    // no blank after the scheme
            "subearer abcdefghijk",  // not a word of its own
            "Basic authentication",  // not whole base64 blocks
            "basic dXNlcjpwYXNz===", // three padding characters
            "Basic",                 // nothing after
            "bear abcdefghijkl",
        ] {
            assert_eq!(found(text), None, "{text}");
        }
    }
}
