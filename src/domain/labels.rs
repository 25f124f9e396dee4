//! [`Labels`]: a validated, sorted set of Prometheus-style label pairs.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::rules;
use crate::error::Result;

/// A sorted set of label pairs whose names follow the Prometheus label grammar
/// (`[a-zA-Z_][a-zA-Z0-9_]*`, no `__` prefix) and whose size is bounded
/// ([`rules::MAX_LABELS`](crate::domain::rules::MAX_LABELS) pairs, values up to 1,024 characters).
///
/// ```
/// use observa::Labels;
///
/// let labels = Labels::new([("region", "eu"), ("tier", "gold")])?;
/// assert_eq!(labels.get("region"), Some("eu"));
/// assert!(Labels::new([("bad-name", "x")]).is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "BTreeMap<String, String>")]
pub struct Labels(BTreeMap<String, String>);

impl Labels {
    /// The empty label set.
    ///
    /// ```
    /// assert!(observa::Labels::empty().is_empty());
    /// ```
    pub fn empty() -> Self {
        Labels(BTreeMap::new())
    }

    /// Builds a label set from pairs, validating every name and value.
    /// A name given twice keeps the last value.
    ///
    /// ```
    /// let labels = observa::Labels::new([("a", "1"), ("a", "2")])?;
    /// assert_eq!(labels.get("a"), Some("2"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn new<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let mut labels = Labels::empty();
        for (name, value) in pairs {
            labels.insert(name, value)?;
        }
        Ok(labels)
    }

    /// Adds or replaces one label, validating it and the label count.
    ///
    /// ```
    /// let mut labels = observa::Labels::empty();
    /// labels.insert("queue", "orders")?;
    /// assert_eq!(labels.len(), 1);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> Result<()> {
        let (name, value) = (name.into(), value.into());
        rules::label_name("label", &name)?;
        rules::label_value("label", &value)?;
        if !self.0.contains_key(&name) {
            rules::at_most("label", "count", self.0.len() + 1, rules::MAX_LABELS)?;
        }
        self.0.insert(name, value);
        Ok(())
    }

    /// The value of label `name`, if present.
    ///
    /// ```
    /// let labels = observa::Labels::new([("a", "1")])?;
    /// assert_eq!(labels.get("b"), None);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Whether label `name` is present.
    ///
    /// ```
    /// let labels = observa::Labels::new([("le", "1")])?;
    /// assert!(labels.contains("le"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Number of label pairs.
    ///
    /// ```
    /// assert_eq!(observa::Labels::empty().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no labels.
    ///
    /// ```
    /// assert!(observa::Labels::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs in name order.
    ///
    /// ```
    /// let labels = observa::Labels::new([("b", "2"), ("a", "1")])?;
    /// let names: Vec<_> = labels.iter().map(|(k, _)| k).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Returns a copy with every label of `defaults` that `self` does not set.
    ///
    /// ```
    /// let own = observa::Labels::new([("a", "mine")])?;
    /// let defaults = observa::Labels::new([("a", "default"), ("b", "x")])?;
    /// let merged = own.with_defaults(&defaults)?;
    /// assert_eq!((merged.get("a"), merged.get("b")), (Some("mine"), Some("x")));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_defaults(&self, defaults: &Labels) -> Result<Labels> {
        let mut merged = self.clone();
        for (name, value) in defaults.iter() {
            if !merged.contains(name) {
                merged.insert(name, value)?;
            }
        }
        Ok(merged)
    }
}

impl TryFrom<BTreeMap<String, String>> for Labels {
    type Error = crate::ObsError;

    fn try_from(map: BTreeMap<String, String>) -> Result<Self> {
        Labels::new(map)
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(d)?;
        Labels::new(map).map_err(super::entity_serde::de_error)
    }
}

impl From<Labels> for BTreeMap<String, String> {
    fn from(labels: Labels) -> Self {
        labels.0
    }
}

impl fmt::Display for Labels {
    /// Formats as `{a="1",b="2"}` with label values escaped as in Prometheus text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (name, value)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            let mut escaped = String::with_capacity(value.len());
            escape_label_value_into(&mut escaped, value);
            write!(f, "{name}=\"{escaped}\"")?;
        }
        f.write_str("}")
    }
}

/// Appends `value` with `\`, `"` and newline escaped, as the Prometheus and
/// OpenMetrics text formats require.
pub(crate) fn escape_label_value_into(out: &mut String, value: &str) {
    if !value.contains(['\\', '"', '\n']) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn label_count_is_bounded() {
        let pairs: Vec<_> = (0..rules::MAX_LABELS).map(|i| (format!("l{i}"), "v")).collect();
        let mut labels = Labels::new(pairs).unwrap();
        assert!(labels.insert("l0", "replace is fine").is_ok());
        let err = labels.insert("one_more", "v").unwrap_err();
        assert_eq!(err.code(), "validation");
    }

    #[test]
    fn deserialisation_validates() {
        assert!(serde_json::from_str::<Labels>(r#"{"ok":"1"}"#).is_ok());
        assert!(serde_json::from_str::<Labels>(r#"{"__bad":"1"}"#).is_err());
    }

    #[test]
    fn display_escapes_values() {
        let labels = Labels::new([("a", "q\"b\\n\nx")]).unwrap();
        assert_eq!(labels.to_string(), r#"{a="q\"b\\n\nx"}"#);
    }

    proptest! {
        #[test]
        fn arbitrary_pairs_never_panic_and_accepted_names_are_valid(
            pairs in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,12}"), 0..40)
        ) {
            if let Ok(labels) = Labels::new(pairs) {
                prop_assert!(labels.len() <= rules::MAX_LABELS);
                for (name, _) in labels.iter() {
                    prop_assert!(rules::label_name("label", name).is_ok());
                }
            }
        }
    }
}
