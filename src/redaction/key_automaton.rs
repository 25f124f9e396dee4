//! A small Aho-Corasick automaton over the key fragments: one table lookup
//! per key byte decides whether any fragment occurs in the key, ASCII
//! case-insensitively.

/// A deterministic automaton: `next[state * classes + class]`. With the
/// limits of [`MAX_KEY_RULES`](super::MAX_KEY_RULES) and
/// [`MAX_KEY_LEN`](super::MAX_KEY_LEN) it has at most 16,385 states; the
/// default rules need 116 states of 24 classes (5.4 KiB).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct KeyAutomaton {
    /// Byte → class; 0 is every byte no fragment contains. Both cases of an
    /// ASCII letter share a class.
    class_of: Box<[u8; 256]>,
    classes: usize,
    next: Vec<u16>,
    accepting: Vec<bool>,
}

impl KeyAutomaton {
    /// Builds the automaton of `fragments` (ASCII-lowercase, non-empty,
    /// at most `u16::MAX - 1` bytes in all).
    pub(super) fn new<'a>(fragments: impl Iterator<Item = &'a [u8]> + Clone) -> KeyAutomaton {
        let mut class_of = Box::new([0u8; 256]);
        let mut classes = 1;
        for byte in fragments.clone().flatten().copied() {
            if class_of[usize::from(byte)] == 0 {
                // UTF-8 never holds 0xC0, 0xC1 or 0xF5..=0xFF: at most 243 distinct bytes
                let class = u8::try_from(classes).expect("at most 243 distinct fragment bytes");
                class_of[usize::from(byte)] = class;
                class_of[usize::from(byte.to_ascii_uppercase())] = class;
                classes += 1;
            }
        }
        // the trie, with `NONE` for a missing edge
        const NONE: u16 = u16::MAX;
        let mut next = vec![NONE; classes];
        let mut accepting = vec![false];
        for fragment in fragments {
            let mut state = 0usize;
            for &byte in fragment {
                let edge = state * classes + usize::from(class_of[usize::from(byte)]);
                if next[edge] == NONE {
                    next[edge] = u16::try_from(accepting.len()).expect("fragment bytes are bounded");
                    next.extend(std::iter::repeat_n(NONE, classes));
                    accepting.push(false);
                }
                state = usize::from(next[edge]);
            }
            accepting[state] = true;
        }
        // breadth-first: fill missing edges from the failure state
        let mut failure = vec![0u16; accepting.len()];
        let mut queue = std::collections::VecDeque::new();
        for edge in &mut next[..classes] {
            match *edge {
                NONE => *edge = 0,
                child => queue.push_back(child),
            }
        }
        while let Some(state) = queue.pop_front() {
            let state = usize::from(state);
            let fail = usize::from(failure[state]);
            accepting[state] |= accepting[fail];
            for class in 0..classes {
                let edge = state * classes + class;
                let fallback = next[fail * classes + class];
                if next[edge] == NONE {
                    next[edge] = fallback;
                } else {
                    failure[usize::from(next[edge])] = fallback;
                    queue.push_back(next[edge]);
                }
            }
        }
        KeyAutomaton {
            class_of,
            classes,
            next,
            accepting,
        }
    }

    /// Whether any fragment occurs in `key`.
    pub(super) fn matches(&self, key: &[u8]) -> bool {
        let mut state = 0usize;
        for &byte in key {
            let class = usize::from(self.class_of[usize::from(byte)]);
            state = usize::from(self.next[state * self.classes + class]);
            if self.accepting[state] {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(key: &[u8], fragments: &[Vec<u8>]) -> bool {
        fragments
            .iter()
            .any(|f| key.windows(f.len()).any(|w| w.eq_ignore_ascii_case(f)))
    }

    #[test]
    fn overlapping_fragments_are_found_through_failure_links() {
        let fragments: Vec<&[u8]> = vec![b"abcd", b"bce", b"ce"];
        let automaton = KeyAutomaton::new(fragments.iter().copied());
        assert!(automaton.matches(b"xabce"));
        assert!(automaton.matches(b"ABCD"));
        assert!(automaton.matches(b"xCE"));
        assert!(!automaton.matches(b"abc"));
        assert!(!automaton.matches(b""));
        assert!(!KeyAutomaton::new(std::iter::empty()).matches(b"anything"));
    }

    #[test]
    fn default_rules_stay_small() {
        let automaton = KeyAutomaton::new(crate::redaction::DEFAULT_KEYS.iter().map(|k| k.as_bytes()));
        assert!(automaton.next.len() * 2 <= 8 * 1024);
    }

    proptest! {
        #[test]
        fn agrees_with_a_naive_search(
            fragments in proptest::collection::vec("[a-d_é]{1,4}", 0..6),
            key in "[a-dA-D_é]{0,16}",
        ) {
            let fragments: Vec<Vec<u8>> = fragments.into_iter().map(|f| f.into_bytes()).collect();
            let automaton = KeyAutomaton::new(fragments.iter().map(Vec::as_slice));
            prop_assert_eq!(automaton.matches(key.as_bytes()), naive(key.as_bytes(), &fragments));
        }
    }
}
