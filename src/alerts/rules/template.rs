//! [`Template`]: annotation text with `{{ $value }}` and `{{ $labels.x }}`,
//! in Prometheus's syntax so the rule file carries the same text.

use crate::domain::{rules, Labels};
use crate::error::{ObsError, Result};

use super::promql::go_float;

#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    Value,
    Label(String),
}

/// Annotation text in Prometheus template syntax, restricted to the two
/// placeholders both Prometheus and the in-process evaluator fill:
/// `{{ $value }}` (printed as Go prints a float: `0.75`, `1e+06`) and
/// `{{ $labels.name }}` (an absent label prints `<no value>`, as in Go).
/// Any other `{{ … }}` action is refused.
///
/// ```
/// use observa::alerts::rules::Template;
/// use observa::Labels;
///
/// let t = Template::new("p99 is {{ $value }}s on {{ $labels.route }}")?;
/// let labels = Labels::new([("route", "/orders")])?;
/// assert_eq!(t.render(0.75, &labels), "p99 is 0.75s on /orders");
/// assert_eq!(t.source(), "p99 is {{ $value }}s on {{ $labels.route }}");
/// assert!(Template::new("{{ range . }}").is_err());
/// assert!(Template::new("unclosed {{ $value").is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

impl Template {
    /// Parses and validates `source` (at most 10,000 characters).
    pub fn new(source: impl Into<String>) -> Result<Template> {
        let source = source.into();
        rules::text("alert rule", "annotation", &source, rules::MAX_MESSAGE_LEN)?;
        let fail = |rule: &str| Err(ObsError::validation("alert rule", "annotation", &source, rule));
        let mut parts = Vec::new();
        let mut rest = source.as_str();
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find("}}") else {
                return fail("`{{` is never closed by `}}`");
            };
            let action = rest[open + 2..open + close].trim();
            if action == "$value" {
                parts.push(Part::Value);
            } else if let Some(name) = action.strip_prefix("$labels.") {
                if rules::label_name("alert rule", name).is_err() {
                    return fail("`{{ $labels.x }}` needs a valid label name");
                }
                parts.push(Part::Label(name.to_owned()));
            } else {
                return fail("only `{{ $value }}` and `{{ $labels.name }}` are supported");
            }
            rest = &rest[open + close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Template { source, parts })
    }

    /// The text as written (what the rule file carries).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The text with the placeholders filled.
    pub fn render(&self, value: f64, labels: &Labels) -> String {
        let mut out = String::with_capacity(self.source.len());
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Value => out.push_str(&go_float(value)),
                Part::Label(name) => out.push_str(labels.get(name).unwrap_or("<no value>")),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spacing_inside_the_braces_is_free_and_missing_labels_say_so() {
        let t = Template::new("{{$value}}|{{ $labels.a}}|{{$labels.b }}").unwrap();
        let labels = Labels::new([("a", "x")]).unwrap();
        assert_eq!(t.render(2.0, &labels), "2|x|<no value>");
    }

    proptest! {
        #[test]
        fn any_text_without_braces_renders_as_itself(text in "[a-z][^{}]{0,199}", value in proptest::num::f64::ANY) {
            let t = Template::new(text.clone()).unwrap();
            prop_assert_eq!(t.render(value, &Labels::empty()), text);
        }

        #[test]
        fn arbitrary_input_never_panics_and_placeholders_never_survive(source in ".{0,120}", value in proptest::num::f64::ANY) {
            if let Ok(t) = Template::new(source) {
                let labels = Labels::new([("a", "1")]).unwrap();
                prop_assert!(!t.render(value, &labels).contains("{{"), "every action was filled");
            }
        }

        #[test]
        fn values_and_labels_are_substituted(prefix in "[a-z ]{0,10}", label in "[a-z]{1,8}", value in -1e9f64..1e9) {
            let t = Template::new(format!("{prefix}{{{{ $value }}}}/{{{{ $labels.{label} }}}}")).unwrap();
            let labels = Labels::new([(label.as_str(), "v")]).unwrap();
            let rendered = t.render(value, &labels);
            prop_assert_eq!(rendered, format!("{prefix}{}/v", go_float(value)));
        }
    }
}
