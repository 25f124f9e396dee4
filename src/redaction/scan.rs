//! The text scan: one pass over the bytes looking for the few bytes a
//! pattern can be anchored on (`@`, `b`/`B`, `e`, `A`, digits); only there
//! does a pattern's own scanner run. Each scanner looks a bounded distance
//! or over a run that cannot contain its own anchor again, so the whole
//! scan is linear in the input.

use std::ops::Range;

use super::rules::Pattern;
use super::{aws, card, credential, email, ipv4, jwt};

/// For each byte value, the patterns that can be anchored on it, and
/// [`ALNUM`] for ASCII letters and digits.
static ANCHORS: [u8; 256] = anchors();

/// Marks ASCII letters and digits in [`ANCHORS`] (no pattern uses bit 7).
const ALNUM: u8 = 1 << 7;

const fn anchors() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        if (byte as u8).is_ascii_alphanumeric() {
            table[byte] = ALNUM;
        }
        byte += 1;
    }
    table[b'@' as usize] |= Pattern::Email.bit();
    table[b'b' as usize] |= Pattern::Credential.bit();
    table[b'B' as usize] |= Pattern::Credential.bit();
    table[b'e' as usize] |= Pattern::Jwt.bit();
    table[b'A' as usize] |= Pattern::AwsAccessKeyId.bit();
    let mut digit = b'0';
    while digit <= b'9' {
        table[digit as usize] |= Pattern::CardNumber.bit() | Pattern::Ipv4.bit();
        digit += 1;
    }
    table
}

/// The first match of an `enabled` pattern starting at or after `from`; an
/// e-mail's local part may reach back before `from` but not before `floor`.
///
/// Every pattern but the e-mail address starts a word: an anchor right
/// after a letter or digit is skipped without calling its scanner.
pub(super) fn next_match(
    text: &[u8],
    from: usize,
    floor: usize,
    enabled: u8,
) -> Option<(Range<usize>, Pattern)> {
    if enabled == 0 {
        return None;
    }
    let email = Pattern::Email.bit() & enabled;
    let mut after_alnum = before(text, from).is_some_and(|b| b.is_ascii_alphanumeric());
    for (at, &byte) in text.iter().enumerate().skip(from) {
        let class = ANCHORS[usize::from(byte)];
        let candidates = class & enabled & if after_alnum { email } else { !ALNUM };
        if candidates != 0 {
            if let Some(found) = match_at(text, at, floor, candidates) {
                return Some(found);
            }
        }
        after_alnum = class & ALNUM != 0;
    }
    None
}

fn match_at(text: &[u8], at: usize, floor: usize, candidates: u8) -> Option<(Range<usize>, Pattern)> {
    let wants = |pattern: Pattern| candidates & pattern.bit() != 0;
    let found = |pattern: Pattern, range: Option<Range<usize>>| range.map(|r| (r, pattern));
    match text[at] {
        b'@' => found(Pattern::Email, email::find(text, at, floor)),
        b'b' | b'B' => found(Pattern::Credential, credential::find(text, at)),
        b'e' => found(Pattern::Jwt, jwt::find(text, at)),
        b'A' => found(Pattern::AwsAccessKeyId, aws::find(text, at)),
        _ => {
            let card = wants(Pattern::CardNumber).then(|| card::find(text, at)).flatten();
            found(Pattern::CardNumber, card).or_else(|| {
                let ip = wants(Pattern::Ipv4).then(|| ipv4::find(text, at)).flatten();
                found(Pattern::Ipv4, ip)
            })
        }
    }
}

/// `[A-Za-z0-9_]`.
pub(super) fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The byte before `at`, if any.
pub(super) fn before(text: &[u8], at: usize) -> Option<u8> {
    at.checked_sub(1).map(|i| text[i])
}

/// The end of the run of bytes satisfying `class` that starts at `at`.
pub(super) fn run_end(text: &[u8], at: usize, class: impl Fn(u8) -> bool) -> usize {
    at + text[at.min(text.len())..]
        .iter()
        .take_while(|&&b| class(b))
        .count()
}

/// Whether a number may end at `at`: no word byte follows, nor a `.` and a
/// digit (a decimal or dotted number goes on).
pub(super) fn number_ends_at(text: &[u8], at: usize) -> bool {
    match text.get(at) {
        Some(&b) if is_word(b) => false,
        Some(b'.') => !text.get(at + 1).is_some_and(u8::is_ascii_digit),
        _ => true,
    }
}
