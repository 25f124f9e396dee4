//! Payment card numbers: 13 to 19 digits in groups, Luhn-checked.

use std::ops::Range;

use super::luhn::Luhn;
use super::scan::{before, is_word, number_ends_at};

const MIN_DIGITS: usize = 13;
const MAX_DIGITS: usize = 19;

/// The longest card number starting at `at`: whole digit groups joined by
/// one space or one dash (the same one throughout), 13 to 19 digits, first
/// digit 2 to 6 (the card networks: Mastercard 2-series, Amex, JCB and
/// Diners 3, Visa 4, Mastercard 5, Discover and UnionPay 6; this also keeps
/// 13-digit millisecond and 19-digit nanosecond timestamps, which start
/// with 1, out), standing alone and passing the Luhn check.
pub(super) fn find(text: &[u8], at: usize) -> Option<Range<usize>> {
    if !number_starts_at(text, at) || !(b'2'..=b'6').contains(&text[at]) {
        return None;
    }
    let mut luhn = Luhn::default();
    let mut count = 0;
    let mut separator = None;
    let mut best = None;
    let mut i = at;
    loop {
        while let Some(&b) = text.get(i).filter(|b| b.is_ascii_digit()) {
            if count == MAX_DIGITS {
                return best; // a group never splits: this window is too long
            }
            luhn.push(b - b'0');
            count += 1;
            i += 1;
        }
        if count >= MIN_DIGITS && luhn.is_valid() && number_ends_at(text, i) {
            best = Some(at..i);
        }
        match text.get(i) {
            Some(&s @ (b' ' | b'-'))
                if separator.is_none_or(|first| first == s)
                    && text.get(i + 1).is_some_and(u8::is_ascii_digit) =>
            {
                separator = Some(s);
                i += 1;
            }
            _ => return best,
        }
    }
}

/// Whether a number may start at `at`: it is not part of a word or of a
/// longer number (`x41…`, `3.14…`, `…9` before it).
fn number_starts_at(text: &[u8], at: usize) -> bool {
    match before(text, at) {
        Some(b) if is_word(b) => false,
        Some(b'.') => !before(text, at - 1).is_some_and(|b| b.is_ascii_digit()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Option<&str> {
        let at = text.find(|c: char| c.is_ascii_digit())?;
        find(text.as_bytes(), at).map(|r| &text[r])
    }

    #[test]
    fn card_numbers_in_every_layout_are_found() {
        for card in [
            "4111111111111111",
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "3782 822463 10005", // Amex, 15 digits in 4-6-5
            "5500005555555559",
            "6011000990139424",
            "2223000048400011",
            "4222222222222",       // 13 digits
            "6304000000000000018", // 19 digits
        ] {
            assert_eq!(found(&format!("card: {card}.")), Some(card), "{card}");
        }
    }

    #[test]
    fn the_longest_valid_window_wins_and_trailing_groups_stay() {
        assert_eq!(found("4111 1111 1111 1111 2024"), Some("4111 1111 1111 1111"));
        assert_eq!(found("4111111111111111-12"), Some("4111111111111111"));
        // 4222 2222 2222 2 is a valid 13-digit number, and so is it with 0018 after it
        assert_eq!(found("4222 2222 2222 2 0018"), Some("4222 2222 2222 2 0018"));
        assert_eq!(found("4222 2222 2222 2 0019"), Some("4222 2222 2222 2"));
    }

    #[test]
    fn near_misses_are_not_card_numbers() {
        for text in [
            "4111111111111112",       // fails Luhn
            "order 4111111111111113", // an order id failing Luhn
            "1700000000002",          // starts with 1 (a millisecond timestamp shape)
            "41111111111111111111",   // 20 digits in one group
            "411111111111",           // 12 digits
            "4111 1111-1111 1111",    // mixed separators
            "4111  1111 1111 1111",   // two spaces
            "x4111111111111111",      // glued to a word
            "4111111111111111x",
            "3.4111111111111111", // decimals of a number
            "4111111111111111.5",
            "7111111111111111", // starts with 7
        ] {
            assert_eq!(found(text), None, "{text}");
        }
    }
}
