//! The value patterns a [`Redactor`](super::Redactor) can look for, and the
//! count of what it redacted, per rule.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{ObsError, Result};

/// A kind of secret or personal data found inside free text.
///
/// ```
/// use observa::redaction::Pattern;
///
/// assert_eq!(Pattern::CardNumber.to_string(), "card_number");
/// assert_eq!("ipv4".parse::<Pattern>()?, Pattern::Ipv4);
/// assert!(!Pattern::Ipv4.is_default());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pattern {
    /// An e-mail address: `local@domain.tld` (ASCII; the top-level domain is
    /// two or more letters, so `pkg@1.2.3` is not one).
    Email,
    /// The credential after an HTTP `Bearer` (8+ characters of RFC 6750's
    /// `b64token`) or `Basic` (8+ characters of padded base64) scheme; the
    /// scheme word itself is kept.
    Credential,
    /// A JSON Web Token: `eyJ…` header, `ey…` payload (10+ characters each),
    /// signature (possibly empty), and up to two more segments (JWE).
    Jwt,
    /// An AWS access key id: `AKIA`, `ASIA`, `ABIA`, `ACCA` or `A3T?` and 16
    /// characters of `[A-Z2-7]`, standing alone.
    AwsAccessKeyId,
    /// A payment card number: 13 to 19 digits starting with 2 to 6, in
    /// groups joined by one space or one dash (the same separator
    /// throughout), passing the Luhn check, standing alone.
    CardNumber,
    /// A dotted-quad IPv4 address (octets 0 to 255, no leading zeros),
    /// standing alone. Off by default.
    Ipv4,
}

impl Pattern {
    /// Every pattern, in a stable order.
    ///
    /// ```
    /// assert_eq!(observa::redaction::Pattern::ALL.len(), 6);
    /// ```
    pub const ALL: [Pattern; 6] = [
        Pattern::Email,
        Pattern::Credential,
        Pattern::Jwt,
        Pattern::AwsAccessKeyId,
        Pattern::CardNumber,
        Pattern::Ipv4,
    ];

    /// The stable name, usable as a metric label value.
    ///
    /// ```
    /// assert_eq!(observa::redaction::Pattern::AwsAccessKeyId.name(), "aws_access_key_id");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Pattern::Email => "email",
            Pattern::Credential => "credential",
            Pattern::Jwt => "jwt",
            Pattern::AwsAccessKeyId => "aws_access_key_id",
            Pattern::CardNumber => "card_number",
            Pattern::Ipv4 => "ipv4",
        }
    }

    /// Whether a default [`Redactor`](super::Redactor) looks for it (all but
    /// [`Pattern::Ipv4`]).
    ///
    /// ```
    /// assert!(observa::redaction::Pattern::Email.is_default());
    /// ```
    pub const fn is_default(self) -> bool {
        !matches!(self, Pattern::Ipv4)
    }

    pub(super) const fn bit(self) -> u8 {
        1 << self as u8
    }

    pub(super) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Pattern {
    type Err = ObsError;

    fn from_str(name: &str) -> Result<Pattern> {
        Pattern::ALL
            .into_iter()
            .find(|pattern| pattern.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                ObsError::validation(
                    "redaction",
                    "pattern",
                    name,
                    "must be one of email, credential, jwt, aws_access_key_id, card_number, ipv4",
                )
            })
    }
}

/// How many values a [`Redactor`](super::Redactor) has redacted so far, by
/// rule: whole values under a sensitive key, and matches of each pattern.
///
/// ```
/// use observa::redaction::{Pattern, Redactor};
///
/// let redactor = Redactor::default();
/// redactor.redact_value("password", "hunter2");
/// redactor.redact_text("mail ann@example.com or bob@example.org");
/// let counts = redactor.counts();
/// assert_eq!(counts.keys(), 1);
/// assert_eq!(counts.pattern(Pattern::Email), 2);
/// assert_eq!(counts.total(), 3);
/// let by_rule: Vec<_> = counts.iter().filter(|(_, n)| *n > 0).collect();
/// assert_eq!(by_rule, [("key", 1), ("email", 2)]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RedactionCounts {
    keys: u64,
    patterns: [u64; Pattern::ALL.len()],
}

impl RedactionCounts {
    /// Values replaced whole because their key matched a key rule.
    ///
    /// ```
    /// let redactor = observa::redaction::Redactor::default();
    /// redactor.redact_value("Cookie", "sid=1");
    /// assert_eq!(redactor.counts().keys(), 1);
    /// ```
    pub fn keys(&self) -> u64 {
        self.keys
    }

    /// Matches of `pattern` replaced inside text.
    ///
    /// ```
    /// use observa::redaction::{Pattern, Redactor};
    ///
    /// let redactor = Redactor::default();
    /// redactor.redact_text("card 4111-1111-1111-1111");
    /// assert_eq!(redactor.counts().pattern(Pattern::CardNumber), 1);
    /// assert_eq!(redactor.counts().pattern(Pattern::Email), 0);
    /// ```
    pub fn pattern(&self, pattern: Pattern) -> u64 {
        self.patterns[pattern.index()]
    }

    /// Everything redacted.
    ///
    /// ```
    /// let redactor = observa::redaction::Redactor::default();
    /// redactor.redact_text("ann@example.com AKIAIOSFODNN7EXAMPLE");
    /// assert_eq!(redactor.counts().total(), 2);
    /// ```
    pub fn total(&self) -> u64 {
        self.keys + self.patterns.iter().sum::<u64>()
    }

    /// `(rule, count)` pairs: `"key"` then each pattern's [name](Pattern::name),
    /// ready to report as labelled counters.
    ///
    /// ```
    /// let counts = observa::redaction::Redactor::default().counts();
    /// let rules: Vec<&str> = counts.iter().map(|(rule, _)| rule).collect();
    /// assert_eq!(rules, ["key", "email", "credential", "jwt", "aws_access_key_id", "card_number", "ipv4"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        std::iter::once(("key", self.keys))
            .chain(Pattern::ALL.into_iter().map(|p| (p.name(), self.pattern(p))))
    }
}

/// The live counters behind [`RedactionCounts`].
#[derive(Debug, Default)]
pub(super) struct Counters {
    keys: AtomicU64,
    patterns: [AtomicU64; Pattern::ALL.len()],
}

impl Counters {
    pub(super) fn key(&self) {
        self.keys.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn pattern(&self, pattern: Pattern) {
        self.patterns[pattern.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> RedactionCounts {
        RedactionCounts {
            keys: self.keys.load(Ordering::Relaxed),
            patterns: std::array::from_fn(|i| self.patterns[i].load(Ordering::Relaxed)),
        }
    }
}
