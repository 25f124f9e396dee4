//! Dotted-quad IPv4 addresses.

use std::ops::Range;

use super::scan::{before, is_word, number_ends_at};

/// An address starting at `at`: four octets 0 to 255 without leading zeros,
/// not glued to a word or to more dotted numbers (`1.2.3.4.5` and `v1.2.3.4`
/// are left alone; a bare `1.2.3.4` cannot be told from an address and is
/// redacted).
pub(super) fn find(text: &[u8], at: usize) -> Option<Range<usize>> {
    if before(text, at).is_some_and(|b| is_word(b) || b == b'.') {
        return None;
    }
    let mut i = at;
    for octet in 0..4 {
        if octet > 0 {
            if text.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        i = octet_end(text, i)?;
    }
    number_ends_at(text, i).then_some(at..i)
}

fn octet_end(text: &[u8], start: usize) -> Option<usize> {
    let digits = text
        .get(start..)?
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let octet = &text[start..start + digits];
    let value = octet.iter().fold(0u32, |v, &d| v * 10 + u32::from(d - b'0'));
    let ok = (1..=3).contains(&digits) && value <= 255 && !(digits > 1 && octet[0] == b'0');
    ok.then_some(start + digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Option<&str> {
        let at = text.find(|c: char| c.is_ascii_digit())?;
        find(text.as_bytes(), at).map(|r| &text[r])
    }

    #[test]
    fn addresses_are_found() {
        for (text, address) in [
            ("from 10.0.0.1:8080", "10.0.0.1"),
            ("ip=192.168.255.254.", "192.168.255.254"),
            ("0.0.0.0", "0.0.0.0"),
            ("::ffff:255.255.255.255]", "255.255.255.255"),
            ("version 1.2.3.4", "1.2.3.4"), // indistinguishable, redacted
        ] {
            assert_eq!(found(text), Some(address), "{text}");
        }
    }

    #[test]
    fn near_misses_are_not_addresses() {
        for text in [
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "v1.2.3.4",
            "01.2.3.4",
            "1.2.3.4000",
            "1.2.3.4x",
            "1..2.3.4",
            "1.2.3.",
        ] {
            assert_eq!(found(text), None, "{text}");
        }
    }
}
