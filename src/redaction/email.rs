//! E-mail addresses, anchored on the `@`.

use std::ops::Range;

use super::scan::run_end;

/// The address around the `@` at `at`: a local part of
/// `[A-Za-z0-9._%+-]` (no leading dot) reaching back no further than
/// `floor`, and a domain of two or more `[A-Za-z0-9-]` labels whose last
/// label (the top-level domain) is two or more letters.
pub(super) fn find(text: &[u8], at: usize, floor: usize) -> Option<Range<usize>> {
    let mut start = at;
    while start > floor && is_local(text[start - 1]) {
        start -= 1;
    }
    while start < at && text[start] == b'.' {
        start += 1;
    }
    if start == at {
        return None;
    }
    let mut labels = 0;
    let mut last_label = at + 1..at + 1;
    let mut i = at + 1;
    loop {
        let end = run_end(text, i, is_label);
        if end == i {
            break;
        }
        labels += 1;
        last_label = i..end;
        if text.get(end) == Some(&b'.') {
            i = end + 1;
        } else {
            break;
        }
    }
    let tld = &text[last_label.clone()];
    let ok = labels >= 2 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic);
    ok.then_some(start..last_label.end)
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_label(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Option<&str> {
        let at = text.find('@')?;
        find(text.as_bytes(), at, 0).map(|r| &text[r])
    }

    #[test]
    fn addresses_are_found() {
        for (text, address) in [
            ("mail ann@example.com.", "ann@example.com"),
            (
                "to=<first.last+tag@mail.example.co.uk>",
                "first.last+tag@mail.example.co.uk",
            ),
            ("from .dot@ex-ample.io", "dot@ex-ample.io"),
            ("user_1%x@sub.domain.museum;", "user_1%x@sub.domain.museum"),
        ] {
            assert_eq!(found(text), Some(address), "{text}");
        }
    }

    #[test]
    fn near_misses_are_not_addresses() {
        for text in [
            "lodash@4.17.21",
            "@example.com",
            "user@localhost",
            "user@example.c",
            "a@b..com",
            "@@",
            "user@",
            "x@1.2.3.4",
        ] {
            assert_eq!(found(text), None, "{text}");
        }
    }

    #[test]
    fn the_local_part_stops_at_the_floor() {
        let text = b"headtail@example.com";
        assert_eq!(find(text, 8, 4), Some(4..20));
        assert_eq!(find(text, 8, 0), Some(0..20));
    }
}
