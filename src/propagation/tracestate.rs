//! The `tracestate` header: vendor-specific key/value pairs, newest first.

use std::fmt;
use std::str::FromStr;

use crate::error::{ObsError, Result};

/// At most this many list members.
pub const MAX_MEMBERS: usize = 32;
/// Longest key, in characters.
const MAX_KEY_LEN: usize = 256;
/// Longest value, in characters.
const MAX_VALUE_LEN: usize = 256;
/// What a vendor must propagate at least; longer states are cut to it when sent.
pub const PROPAGATED_LEN: usize = 512;
/// Members longer than this go first when a state is cut to [`PROPAGATED_LEN`].
const LONG_MEMBER: usize = 128;

/// A validated `tracestate`: at most 32 members with unique keys, in header
/// order (the most recently updated member first).
///
/// Parsing is all or nothing: one bad member drops the whole header. Keys
/// follow the current specification text, `[a-z0-9][a-z0-9_\-*/@]{0,255}`;
/// values are 1 to 256 printable ASCII characters other than `,` and `=`,
/// not ending in a space. Empty members and spaces or tabs around members
/// are allowed; several header lines are read as one list, joined by commas.
///
/// ```
/// use observa::propagation::TraceState;
///
/// let mut state: TraceState = "rojo=00f067aa0ba902b7, congo=t61rcWkgMzE".parse()?;
/// state.insert("observa", "s1")?;                      // an update moves to the left
/// assert_eq!(state.to_string(), "observa=s1,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
/// assert_eq!(state.get("congo"), Some("t61rcWkgMzE"));
/// assert!("rojo=a,rojo=b".parse::<TraceState>().is_err()); // duplicate keys
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceState {
    members: Vec<(String, String)>,
}

fn invalid(value: &str, rule: &str) -> ObsError {
    ObsError::validation("tracestate", "value", value, rule)
}

fn is_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let first_ok = matches!(bytes.first(), Some(b'a'..=b'z' | b'0'..=b'9'));
    first_ok
        && bytes.len() <= MAX_KEY_LEN
        && bytes[1..]
            .iter()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/' | b'@'))
}

fn is_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_VALUE_LEN
        && bytes.last() != Some(&b' ')
        && bytes
            .iter()
            .all(|&b| (0x20..=0x7e).contains(&b) && b != b',' && b != b'=')
}

impl TraceState {
    /// An empty state.
    pub fn new() -> TraceState {
        TraceState::default()
    }

    /// Parses the header lines of one request as one list (RFC 9110 joins
    /// repeated fields with commas).
    ///
    /// ```
    /// use observa::propagation::TraceState;
    ///
    /// let state = TraceState::from_headers(["foo=1", "bar=2"])?;
    /// assert_eq!(state.to_string(), "foo=1,bar=2");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn from_headers<'a>(lines: impl IntoIterator<Item = &'a str>) -> Result<TraceState> {
        lines.into_iter().collect::<Vec<_>>().join(",").parse()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The members in header order.
    pub fn members(&self) -> impl Iterator<Item = (&str, &str)> {
        self.members.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Sets `key` to `value` and moves it to the front, as the specification
    /// asks of a vendor updating its entry; past 32 members the right-most is
    /// dropped. An invalid key or value is refused and nothing changes.
    pub fn insert(&mut self, key: &str, value: &str) -> Result<()> {
        if !is_key(key) {
            return Err(ObsError::validation(
                "tracestate",
                "key",
                key,
                "must match [a-z0-9][a-z0-9_-*/@]{0,255}",
            ));
        }
        if !is_value(value) {
            return Err(ObsError::validation(
                "tracestate",
                "value",
                value,
                "must be 1-256 printable ASCII characters other than ',' and '=', not ending in a space",
            ));
        }
        self.members.retain(|(k, _)| k != key);
        self.members.insert(0, (key.to_owned(), value.to_owned()));
        self.members.truncate(MAX_MEMBERS);
        Ok(())
    }

    /// Removes `key`; returns its value if it was present.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let at = self.members.iter().position(|(k, _)| k == key)?;
        Some(self.members.remove(at).1)
    }

    /// The header value to send: the whole list when it fits in 512
    /// characters; otherwise whole members are removed, those over 128
    /// characters first, then from the right, until it fits.
    ///
    /// ```
    /// use observa::propagation::TraceState;
    ///
    /// let mut state = TraceState::new();
    /// for i in 0..32 {
    ///     state.insert(&format!("k{i}"), &"v".repeat(20))?;
    /// }
    /// assert!(state.header_value().len() <= 512);
    /// assert!(state.header_value().starts_with("k31="), "the newest member survives");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn header_value(&self) -> String {
        let width = |(k, v): &(String, String)| k.len() + 1 + v.len();
        let mut kept: Vec<&(String, String)> = self.members.iter().collect();
        let total = |kept: &[&(String, String)]| {
            kept.iter().map(|m| width(m)).sum::<usize>() + kept.len().saturating_sub(1)
        };
        while total(&kept) > PROPAGATED_LEN {
            match kept.iter().rposition(|m| width(m) > LONG_MEMBER) {
                Some(long) => kept.remove(long),
                None => kept.pop().expect("a non-empty list is over the limit"),
            };
        }
        join(kept.into_iter())
    }
}

fn join<'a>(members: impl Iterator<Item = &'a (String, String)>) -> String {
    let mut out = String::new();
    for (i, (key, value)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

impl FromStr for TraceState {
    type Err = ObsError;

    fn from_str(header: &str) -> Result<TraceState> {
        let mut members: Vec<(String, String)> = Vec::new();
        for member in header.split(',').map(|m| m.trim_matches([' ', '\t'])) {
            if member.is_empty() {
                continue;
            }
            if members.len() == MAX_MEMBERS {
                return Err(invalid(header, "has more than 32 members"));
            }
            let Some((key, value)) = member.split_once('=') else {
                return Err(invalid(header, "a member has no '='"));
            };
            if !is_key(key) {
                return Err(invalid(
                    header,
                    "a key breaks the grammar [a-z0-9][a-z0-9_-*/@]{0,255}",
                ));
            }
            if !is_value(value) {
                return Err(invalid(
                    header,
                    "a value breaks the grammar (1-256 printable ASCII, no ',' or '=')",
                ));
            }
            if members.iter().any(|(k, _)| k == key) {
                return Err(invalid(header, "a key appears twice"));
            }
            members.push((key.to_owned(), value.to_owned()));
        }
        Ok(TraceState { members })
    }
}

impl fmt::Display for TraceState {
    /// Every member, comma-separated (see [`TraceState::header_value`] for
    /// the length-limited value to send).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&join(self.members.iter()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(header: &str) -> Result<TraceState> {
        header.parse()
    }

    #[test]
    fn member_count_limit_is_32() {
        let members = |n: usize| (0..n).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join(",");
        assert_eq!(parse(&members(32)).unwrap().len(), 32);
        assert!(parse(&members(33)).is_err());
    }

    #[test]
    fn key_length_limit_is_256() {
        assert!(parse(&format!("{}=v", "k".repeat(256))).is_ok());
        assert!(parse(&format!("{}=v", "k".repeat(257))).is_err());
    }

    #[test]
    fn key_grammar() {
        for good in ["foo", "0foo", "foo_bar-baz*x/y", "tenant@system", "t@s@x", "9"] {
            assert!(parse(&format!("{good}=v")).is_ok(), "{good} refused");
        }
        for bad in ["Foo", "_foo", "foo.bar", "foo bar", "", "@foo", "föo"] {
            assert!(parse(&format!("{bad}=v")).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn value_grammar() {
        assert!(parse(&format!("foo={}", "v".repeat(256))).is_ok());
        assert!(parse(&format!("foo={}", "v".repeat(257))).is_err());
        assert!(parse("foo= bar").is_ok(), "a leading space is a value character");
        for bad in ["foo=bar=baz", "foo=", "foo=b\u{7f}", "foo=é", "foo"] {
            assert!(parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn empty_members_and_spaces_are_allowed() {
        assert_eq!(parse("").unwrap().len(), 0);
        assert_eq!(parse(" , foo=1 ,\t, bar=2 ,").unwrap().to_string(), "foo=1,bar=2");
    }

    #[test]
    fn repeated_header_lines_are_one_list() {
        let state = TraceState::from_headers(["foo=1", "", "bar=2"]).unwrap();
        assert_eq!(state.to_string(), "foo=1,bar=2");
        assert!(
            TraceState::from_headers(["foo=1", "foo=2"]).is_err(),
            "duplicate across lines"
        );
    }

    #[test]
    fn insert_moves_left_and_caps_at_32() {
        let mut state = parse("a=1,b=2,c=3").unwrap();
        state.insert("c", "9").unwrap();
        assert_eq!(state.to_string(), "c=9,a=1,b=2");
        for i in 0..40 {
            state.insert(&format!("n{i}"), "x").unwrap();
        }
        assert_eq!(state.len(), 32);
        assert_eq!(state.members().next(), Some(("n39", "x")));
        assert!(state.insert("Bad", "x").is_err());
        assert!(state.insert("ok", "a,b").is_err());
        assert_eq!(state.len(), 32, "a refused insert changes nothing");
    }

    #[test]
    fn long_members_go_first_when_cut() {
        let mut state = TraceState::new();
        state.insert("tail", "t").unwrap();
        state.insert("long", &"x".repeat(200)).unwrap();
        for i in 0..12 {
            state.insert(&format!("k{i:02}"), &"v".repeat(30)).unwrap();
        }
        let sent = state.header_value();
        assert!(sent.len() <= PROPAGATED_LEN, "{} characters", sent.len());
        assert!(
            !sent.contains("long="),
            "the member over 128 characters went first"
        );
        assert!(
            sent.contains("tail=t"),
            "short members stay while long ones can go"
        );
    }

    proptest! {
        #[test]
        fn round_trips(members in proptest::collection::btree_map("[a-z0-9][a-z0-9_*/@-]{0,20}", "[!-+\\--<>-~][ !-+\\--<>-~]{0,20}[!-+\\--<>-~]", 0..32)) {
            let header = members.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
            let state = parse(&header).unwrap();
            prop_assert_eq!(state.len(), members.len());
            prop_assert_eq!(parse(&state.to_string()).unwrap(), state.clone());
            prop_assert!(state.header_value().len() <= PROPAGATED_LEN);
            prop_assert_eq!(parse(&state.header_value()).is_ok(), true);
        }

        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            if let Ok(state) = parse(&text) {
                prop_assert!(state.len() <= MAX_MEMBERS);
                prop_assert_eq!(parse(&state.to_string()).unwrap(), state);
            }
        }
    }
}
