//! The Luhn (mod 10) check of payment card numbers, computed as digits
//! arrive so a scanner can test every prefix length in constant time.

/// A running Luhn sum over the digits pushed so far (most significant first).
///
/// The digits doubled are those at an odd distance from the last digit,
/// which depends on the final length: both parities are kept, and the one
/// matching the current length is read.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Luhn {
    /// Digits at even indexes doubled, odd indexes as they are.
    even_doubled: u32,
    /// Digits at odd indexes doubled, even indexes as they are.
    odd_doubled: u32,
    len: usize,
}

impl Luhn {
    pub(super) fn push(&mut self, digit: u8) {
        let digit = u32::from(digit);
        let doubled = if digit * 2 > 9 { digit * 2 - 9 } else { digit * 2 };
        if self.len % 2 == 0 {
            self.even_doubled += doubled;
            self.odd_doubled += digit;
        } else {
            self.even_doubled += digit;
            self.odd_doubled += doubled;
        }
        self.len += 1;
    }

    /// Whether the digits pushed so far end with their check digit.
    pub(super) fn is_valid(&self) -> bool {
        // with an even length the digits at even indexes are at odd distances from the end
        let sum = if self.len % 2 == 0 {
            self.even_doubled
        } else {
            self.odd_doubled
        };
        self.len > 0 && sum % 10 == 0
    }
}

/// Whether `digits` (values 0 to 9) pass the Luhn check.
#[cfg(test)]
pub(super) fn is_valid(digits: &[u8]) -> bool {
    let mut luhn = Luhn::default();
    digits.iter().for_each(|&d| luhn.push(d));
    luhn.is_valid()
}

/// The check digit that makes `payload` followed by it valid.
#[cfg(test)]
pub(super) fn check_digit(payload: &[u8]) -> u8 {
    (0..10)
        .find(|&d| is_valid(&[payload, &[d]].concat()))
        .expect("one check digit in ten is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn digits(text: &str) -> Vec<u8> {
        text.bytes().map(|b| b - b'0').collect()
    }

    /// The textbook definition, right to left, for comparison.
    fn reference(digits: &[u8]) -> bool {
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                let d = u32::from(d) * if i % 2 == 1 { 2 } else { 1 };
                d / 10 + d % 10
            })
            .sum();
        !digits.is_empty() && sum % 10 == 0
    }

    #[test]
    fn known_numbers() {
        for valid in [
            "4111111111111111",
            "5500005555555559",
            "378282246310005",
            "79927398713",
            "0",
        ] {
            assert!(is_valid(&digits(valid)), "{valid}");
        }
        for invalid in ["4111111111111112", "79927398710", "1234567812345678", ""] {
            assert!(!is_valid(&digits(invalid)), "{invalid}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_textbook_definition(number in proptest::collection::vec(0u8..10, 0..25)) {
            prop_assert_eq!(is_valid(&number), reference(&number));
        }

        #[test]
        fn exactly_one_check_digit_is_valid(payload in proptest::collection::vec(0u8..10, 0..19)) {
            let valid = (0..10).filter(|&d| is_valid(&[payload.as_slice(), &[d]].concat())).count();
            prop_assert_eq!(valid, 1);
        }
    }
}
