//! Configuring a [`Redactor`]: key rules, patterns and the replacement.

use super::{Pattern, Redactor, MAX_REPLACEMENT_LEN};
use crate::error::{ObsError, Result};

impl Redactor {
    /// Adds a key rule: values under keys containing `fragment` (ASCII
    /// case-insensitively) are replaced whole. Errors on an empty or too long
    /// fragment, or beyond [`MAX_KEY_RULES`](super::MAX_KEY_RULES).
    ///
    /// ```
    /// let redactor = observa::redaction::Redactor::default().with_key("IBAN")?;
    /// assert!(redactor.is_sensitive_key("payer_iban"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_key(mut self, fragment: &str) -> Result<Redactor> {
        self.keys.add(fragment)?;
        Ok(self)
    }

    /// Removes a key rule (compared case-insensitively); no-op when absent.
    ///
    /// ```
    /// let redactor = observa::redaction::Redactor::default().without_key("session");
    /// assert!(!redactor.is_sensitive_key("session_count"));
    /// ```
    #[must_use]
    pub fn without_key(mut self, fragment: &str) -> Redactor {
        self.keys.remove(fragment);
        self
    }

    /// Looks for `pattern` in text too.
    ///
    /// ```
    /// use observa::redaction::{Pattern, Redactor};
    ///
    /// let redactor = Redactor::default().with_pattern(Pattern::Ipv4);
    /// assert!(redactor.patterns().any(|p| p == Pattern::Ipv4));
    /// ```
    #[must_use]
    pub fn with_pattern(mut self, pattern: Pattern) -> Redactor {
        self.patterns |= pattern.bit();
        self
    }

    /// Stops looking for `pattern`.
    ///
    /// ```
    /// use observa::redaction::{Pattern, Redactor};
    ///
    /// let redactor = Redactor::default().without_pattern(Pattern::Email);
    /// assert_eq!(redactor.redact_text("ann@example.com"), "ann@example.com");
    /// ```
    #[must_use]
    pub fn without_pattern(mut self, pattern: Pattern) -> Redactor {
        self.patterns &= !pattern.bit();
        self
    }

    /// Sets the replacement text (at most [`MAX_REPLACEMENT_LEN`] bytes).
    ///
    /// ```
    /// let redactor = observa::redaction::Redactor::default().with_replacement("****")?;
    /// assert_eq!(redactor.redact_value("token", "abc"), "****");
    /// assert!(observa::redaction::Redactor::default().with_replacement("x".repeat(300)).is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_replacement(mut self, replacement: impl Into<String>) -> Result<Redactor> {
        let replacement = replacement.into();
        if replacement.len() > MAX_REPLACEMENT_LEN {
            return Err(ObsError::validation(
                "redaction",
                "replacement",
                replacement,
                format!("must be at most {MAX_REPLACEMENT_LEN} bytes"),
            ));
        }
        self.replacement = replacement.into();
        Ok(self)
    }

    /// The key rules, lowercased.
    ///
    /// ```
    /// assert!(observa::redaction::Redactor::default().key_rules().any(|k| k == "password"));
    /// ```
    pub fn key_rules(&self) -> impl Iterator<Item = &str> {
        self.keys.iter()
    }

    /// The patterns looked for.
    ///
    /// ```
    /// use observa::redaction::{Pattern, Redactor};
    ///
    /// assert_eq!(Redactor::default().patterns().count(), Pattern::ALL.len() - 1);
    /// ```
    pub fn patterns(&self) -> impl Iterator<Item = Pattern> + '_ {
        Pattern::ALL.into_iter().filter(|p| self.patterns & p.bit() != 0)
    }

    /// The replacement text.
    ///
    /// ```
    /// assert_eq!(observa::redaction::Redactor::default().replacement(), "[REDACTED]");
    /// ```
    pub fn replacement(&self) -> &str {
        &self.replacement
    }
}
