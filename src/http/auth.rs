//! The bearer token check: the scheme in any case (RFC 9110 §11.1), the
//! token compared in constant time.

use subtle::ConstantTimeEq;

/// Whether an `Authorization` header value carries `token` as a bearer token.
///
/// The comparison takes the same time wherever the first differing byte is,
/// so response timing does not reveal a prefix of the token.
pub(crate) fn bearer_matches(header: Option<&[u8]>, token: &str) -> bool {
    let Some(value) = header.and_then(|h| std::str::from_utf8(h).ok()) else {
        return false;
    };
    let value = value.trim();
    let Some((scheme, given)) = value.split_once([' ', '\t']) else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer") && bool::from(given.trim().as_bytes().ct_eq(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_in_any_case_and_exact_token() {
        let cases: [(Option<&str>, bool); 11] = [
            (Some("Bearer s3cret"), true),
            (Some("bearer s3cret"), true),
            (Some("BEARER s3cret"), true),
            (Some("bEaReR   s3cret "), true),
            (Some("Bearer\ts3cret"), true),
            (Some("Bearer s3cre"), false),
            (Some("Bearer s3cret2"), false),
            (Some("Basic s3cret"), false),
            (Some("s3cret"), false),
            (Some("Bearer"), false),
            (None, false),
        ];
        for (header, expected) in cases {
            assert_eq!(
                bearer_matches(header.map(str::as_bytes), "s3cret"),
                expected,
                "{header:?}"
            );
        }
        assert!(!bearer_matches(Some(b"Bearer \xff\xfe"), "s3cret"));
    }
}
