//! Key rules: a value whose key contains one of these fragments
//! (ASCII case-insensitively) is replaced whole.

use super::key_automaton::KeyAutomaton;
use crate::error::{ObsError, Result};

/// The key fragments of a default [`Redactor`](super::Redactor).
///
/// ```
/// use observa::redaction::{Redactor, DEFAULT_KEYS};
///
/// assert!(Redactor::default().key_rules().eq(DEFAULT_KEYS.iter().copied()));
/// ```
pub const DEFAULT_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "authorization",
    "auth",
    "api_key",
    "apikey",
    "api-key",
    "cookie",
    "set-cookie",
    "session",
    "credential",
    "private_key",
    "private-key",
    "privatekey",
    "access_key",
    "access-key",
    "bearer",
    "jwt",
];

/// Most key rules a redactor holds.
///
/// ```
/// use observa::redaction::{Redactor, MAX_KEY_RULES};
///
/// let mut redactor = Redactor::empty();
/// for i in 0..MAX_KEY_RULES {
///     redactor = redactor.with_key(&format!("k{i}"))?;
/// }
/// assert_eq!(redactor.with_key("more").unwrap_err().code(), "capacity");
/// # Ok::<(), observa::ObsError>(())
/// ```
pub const MAX_KEY_RULES: usize = 256;
/// Longest key fragment, in bytes.
///
/// ```
/// use observa::redaction::{Redactor, MAX_KEY_LEN};
///
/// assert!(Redactor::default().with_key(&"k".repeat(MAX_KEY_LEN + 1)).is_err());
/// ```
pub const MAX_KEY_LEN: usize = 64;

/// The set of key fragments, stored ASCII-lowercased, and the automaton
/// that finds them (rebuilt on every change: configuration time only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct KeyRules {
    fragments: Vec<Box<[u8]>>,
    automaton: KeyAutomaton,
}

impl KeyRules {
    pub(super) fn empty() -> KeyRules {
        KeyRules::from_fragments(Vec::new())
    }

    pub(super) fn defaults() -> KeyRules {
        let fragments = DEFAULT_KEYS.iter().map(|k| k.as_bytes().into()).collect();
        KeyRules::from_fragments(fragments)
    }

    fn from_fragments(fragments: Vec<Box<[u8]>>) -> KeyRules {
        let automaton = KeyAutomaton::new(fragments.iter().map(|f| &f[..]));
        KeyRules { fragments, automaton }
    }

    /// Adds a fragment; a fragment already present is not added twice.
    pub(super) fn add(&mut self, fragment: &str) -> Result<()> {
        if fragment.is_empty() || fragment.len() > MAX_KEY_LEN {
            return Err(ObsError::validation(
                "redaction",
                "key",
                fragment,
                format!("must be 1 to {MAX_KEY_LEN} bytes"),
            ));
        }
        let lower = fragment.to_ascii_lowercase().into_bytes().into_boxed_slice();
        if self.fragments.contains(&lower) {
            return Ok(());
        }
        if self.fragments.len() >= MAX_KEY_RULES {
            return Err(ObsError::Capacity {
                resource: "redaction key rules".to_owned(),
                limit: MAX_KEY_RULES,
            });
        }
        self.fragments.push(lower);
        *self = KeyRules::from_fragments(std::mem::take(&mut self.fragments));
        Ok(())
    }

    /// Removes a fragment (compared case-insensitively); true when it was there.
    pub(super) fn remove(&mut self, fragment: &str) -> bool {
        let before = self.fragments.len();
        self.fragments
            .retain(|f| !f.eq_ignore_ascii_case(fragment.as_bytes()));
        let removed = self.fragments.len() != before;
        if removed {
            *self = KeyRules::from_fragments(std::mem::take(&mut self.fragments));
        }
        removed
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        self.fragments
            .iter()
            .map(|f| std::str::from_utf8(f).expect("fragments come from &str"))
    }

    pub(super) fn matches(&self, key: &str) -> bool {
        self.automaton.matches(key.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keys_match_as_case_insensitive_substrings() {
        let rules = KeyRules::defaults();
        for key in [
            "password",
            "DB_PASSWORD",
            "userPwd",
            "client_secret",
            "X-Auth-Token",
            "Authorization",
            "x-api-key",
            "APIKEY",
            "Set-Cookie",
            "sessionId",
            "aws_access_key_id",
            "credentials",
            "ssh.private_key",
        ] {
            assert!(rules.matches(key), "{key}");
        }
        for key in ["user", "email", "path", "keyboard", "pw", "order_id", ""] {
            assert!(!rules.matches(key), "{key}");
        }
    }

    #[test]
    fn rules_can_be_added_and_removed() {
        let mut rules = KeyRules::defaults();
        assert!(!rules.matches("ssn"));
        rules.add("SSN").unwrap();
        assert!(rules.matches("customer_ssn"));
        assert!(rules.remove("ssn"));
        assert!(!rules.matches("customer_ssn"));
        assert!(!rules.remove("ssn"));
        // removing `auth` keeps `authorization`, a rule of its own
        rules.remove("auth");
        assert!(!rules.matches("oauth_provider"));
        assert!(rules.matches("Authorization"));
    }

    #[test]
    fn bad_rules_are_rejected_and_the_set_is_bounded() {
        let mut rules = KeyRules::empty();
        assert_eq!(rules.add("").unwrap_err().code(), "validation");
        assert_eq!(
            rules.add(&"k".repeat(MAX_KEY_LEN + 1)).unwrap_err().code(),
            "validation"
        );
        for i in 0..MAX_KEY_RULES {
            rules.add(&format!("key{i}")).unwrap();
        }
        rules.add("key0").unwrap(); // a duplicate is not a new rule
        assert_eq!(rules.add("one-more").unwrap_err().code(), "capacity");
    }

    #[test]
    fn non_ascii_keys_are_compared_bytewise() {
        let mut rules = KeyRules::empty();
        rules.add("mot_de_passe_é").unwrap();
        assert!(rules.matches("MOT_DE_PASSE_é"));
        assert!(!rules.matches("mot_de_passe_e"));
    }
}
