//! The one error type of the crate, [`ObsError`], and its [`Result`] alias.
//!
//! Every variant names a failure class and carries what the caller needs to
//! fix the call: which entity and field, the offending value and the rule it
//! broke. [`ObsError::code`] gives a stable, machine-readable code per class.

use std::time::Duration;

/// `Result` with [`ObsError`] as the error type.
///
/// ```
/// fn parse(level: &str) -> observa::Result<observa::LogLevel> {
///     level.parse()
/// }
/// assert!(parse("info").is_ok());
/// assert!(parse("loud").is_err());
/// ```
pub type Result<T> = std::result::Result<T, ObsError>;

/// Longest offending value kept in an error, in characters; longer values are cut.
const MAX_VALUE_IN_ERROR: usize = 120;

/// Everything that can go wrong in observa, one variant per failure class.
///
/// ```
/// use observa::{Metric, ObsError};
///
/// let err = Metric::gauge("2fast", 1.0).unwrap_err();
/// assert_eq!(err.code(), "validation");
/// match err {
///     ObsError::Validation { entity, field, value, .. } => {
///         assert_eq!((entity, field, value.as_str()), ("metric", "name", "2fast"));
///     }
///     other => panic!("unexpected {other}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ObsError {
    /// An input broke a domain rule; nothing was created or changed.
    #[error("invalid {entity} {field} {value:?}: {rule}")]
    Validation {
        /// The entity or value object being built (`"metric"`, `"label"`, ...).
        entity: &'static str,
        /// The field that was rejected.
        field: &'static str,
        /// The offending value, cut to 120 characters.
        value: String,
        /// The rule that was broken, phrased so the caller can fix the call.
        rule: String,
    },
    /// No entity with that id (or key) exists.
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of entity looked up.
        entity: &'static str,
        /// The id or key that was not found.
        id: String,
    },
    /// The call conflicts with the current state (e.g. resolving a resolved alert).
    #[error("{entity} conflict: {reason}")]
    Conflict {
        /// The kind of entity involved.
        entity: &'static str,
        /// What the conflict is.
        reason: String,
    },
    /// A bounded resource is full.
    #[error("{resource} is at its limit of {limit}")]
    Capacity {
        /// The resource that is full.
        resource: String,
        /// Its configured limit.
        limit: usize,
    },
    /// A setting is missing or inconsistent.
    #[error("configuration {setting}: {reason}")]
    Configuration {
        /// The setting at fault.
        setting: &'static str,
        /// Why it is wrong.
        reason: String,
    },
    /// An I/O operation failed.
    #[error("I/O while {context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Encoding or sending data to an external system failed.
    #[error("export to {target} failed: {reason}")]
    Export {
        /// Where the data was going (`"prometheus text"`, `"http"`, ...).
        target: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// Text could not be decoded into an entity: malformed JSON, a missing
    /// field or a value of the wrong type. A decoded value that breaks a
    /// domain rule is a [`ObsError::Validation`] instead.
    #[error("cannot decode {entity}: {reason}")]
    Decode {
        /// The entity or value object being decoded (`"alert"`, `"span"`, ...).
        entity: &'static str,
        /// What the decoder reported, with its line and column.
        reason: String,
    },
    /// An operation did not finish within its time limit.
    #[error("{operation} timed out after {after:?}")]
    Timeout {
        /// The operation that timed out.
        operation: String,
        /// The limit that was exceeded.
        after: Duration,
    },
}

impl ObsError {
    /// A stable, machine-readable code for the failure class.
    ///
    /// ```
    /// let err = observa::ObsError::not_found("alert", "42");
    /// assert_eq!(err.code(), "not_found");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ObsError::Validation { .. } => "validation",
            ObsError::NotFound { .. } => "not_found",
            ObsError::Conflict { .. } => "conflict",
            ObsError::Capacity { .. } => "capacity",
            ObsError::Configuration { .. } => "configuration",
            ObsError::Io { .. } => "io",
            ObsError::Export { .. } => "export",
            ObsError::Timeout { .. } => "timeout",
            ObsError::Decode { .. } => "decode",
        }
    }

    /// The entity or value object the error is about (`"metric"`, `"alert"`,
    /// ...), for validation, not-found, conflict and decode errors.
    ///
    /// ```
    /// use observa::{LogEntry, LogLevel};
    ///
    /// let err = LogEntry::new(LogLevel::Info, "  ").unwrap_err();
    /// assert_eq!(err.entity(), Some("log entry"));
    /// assert_eq!(err.field(), Some("message"));
    /// assert_eq!(err.value(), Some("  "));
    /// assert_eq!(err.rule(), Some("must not be blank"));
    /// assert_eq!(err.code(), "validation");
    ///
    /// let timeout = observa::ObsError::Timeout { operation: "probe".into(), after: std::time::Duration::from_secs(1) };
    /// assert_eq!((timeout.entity(), timeout.field(), timeout.value(), timeout.rule()), (None, None, None, None));
    /// ```
    pub fn entity(&self) -> Option<&str> {
        match self {
            ObsError::Validation { entity, .. }
            | ObsError::NotFound { entity, .. }
            | ObsError::Conflict { entity, .. }
            | ObsError::Decode { entity, .. } => Some(entity),
            _ => None,
        }
    }

    /// The field that was rejected (validation errors), or the setting at
    /// fault (configuration errors).
    ///
    /// ```
    /// let err = observa::Metric::gauge("up", f64::NAN).unwrap_err();
    /// assert_eq!(err.field(), Some("value"));
    /// let err = observa::ObsError::configuration("capacity", "must be at least 1");
    /// assert_eq!(err.field(), Some("capacity"));
    /// ```
    pub fn field(&self) -> Option<&str> {
        match self {
            ObsError::Validation { field, .. } => Some(field),
            ObsError::Configuration { setting, .. } => Some(setting),
            _ => None,
        }
    }

    /// The offending value (validation errors, cut to 120 characters) or the
    /// id that was looked up (not-found errors).
    ///
    /// ```
    /// let err = observa::ObsError::not_found("alert", "42");
    /// assert_eq!(err.value(), Some("42"));
    /// ```
    pub fn value(&self) -> Option<&str> {
        match self {
            ObsError::Validation { value, .. } => Some(value),
            ObsError::NotFound { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The rule that was broken (validation errors), or why the call
    /// conflicts with the current state or the configuration is wrong.
    ///
    /// ```
    /// let err = observa::ObsError::conflict("alert", "already resolved");
    /// assert_eq!(err.rule(), Some("already resolved"));
    /// ```
    pub fn rule(&self) -> Option<&str> {
        match self {
            ObsError::Validation { rule, .. } => Some(rule),
            ObsError::Conflict { reason, .. } | ObsError::Configuration { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// Builds a [`ObsError::Validation`], cutting long offending values.
    ///
    /// ```
    /// let err = observa::ObsError::validation("metric", "value", "NaN", "must be finite");
    /// assert_eq!(err.to_string(), "invalid metric value \"NaN\": must be finite");
    /// ```
    pub fn validation(
        entity: &'static str,
        field: &'static str,
        value: impl std::fmt::Display,
        rule: impl Into<String>,
    ) -> Self {
        let mut value = value.to_string();
        if let Some((cut, _)) = value.char_indices().nth(MAX_VALUE_IN_ERROR) {
            value.truncate(cut);
            value.push('…');
        }
        ObsError::Validation {
            entity,
            field,
            value,
            rule: rule.into(),
        }
    }

    /// Builds a [`ObsError::NotFound`].
    ///
    /// ```
    /// let err = observa::ObsError::not_found("span", "00f0");
    /// assert_eq!(err.to_string(), "span 00f0 not found");
    /// ```
    pub fn not_found(entity: &'static str, id: impl std::fmt::Display) -> Self {
        ObsError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// Builds a [`ObsError::Conflict`].
    ///
    /// ```
    /// let err = observa::ObsError::conflict("alert", "already resolved");
    /// assert_eq!(err.code(), "conflict");
    /// ```
    pub fn conflict(entity: &'static str, reason: impl Into<String>) -> Self {
        ObsError::Conflict {
            entity,
            reason: reason.into(),
        }
    }

    /// Builds a [`ObsError::Configuration`].
    ///
    /// ```
    /// let err = observa::ObsError::configuration("capacity", "must be at least 1");
    /// assert_eq!(err.code(), "configuration");
    /// ```
    pub fn configuration(setting: &'static str, reason: impl Into<String>) -> Self {
        ObsError::Configuration {
            setting,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_in_errors() {
        let long = "x".repeat(500);
        let ObsError::Validation { value, .. } = ObsError::validation("log", "message", &long, "r") else {
            unreachable!()
        };
        assert_eq!(value.chars().count(), MAX_VALUE_IN_ERROR + 1);
        assert!(value.ends_with('…'));
    }

    #[test]
    fn every_class_has_a_distinct_code() {
        let errors = [
            ObsError::validation("a", "b", "c", "d"),
            ObsError::not_found("a", "b"),
            ObsError::conflict("a", "b"),
            ObsError::Capacity {
                resource: "r".into(),
                limit: 1,
            },
            ObsError::configuration("a", "b"),
            ObsError::Io {
                context: "c".into(),
                source: std::io::Error::other("x"),
            },
            ObsError::Export {
                target: "t",
                reason: "r".into(),
            },
            ObsError::Timeout {
                operation: "o".into(),
                after: Duration::from_secs(1),
            },
            ObsError::Decode {
                entity: "e",
                reason: "r".into(),
            },
        ];
        let mut codes: Vec<_> = errors.iter().map(ObsError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn accessors_return_what_the_variant_carries() {
        let err = ObsError::validation("metric", "name", "2fast", "must match");
        assert_eq!(
            (err.entity(), err.field(), err.value(), err.rule()),
            (Some("metric"), Some("name"), Some("2fast"), Some("must match"))
        );
        let err = ObsError::Decode {
            entity: "alert",
            reason: "EOF".into(),
        };
        assert_eq!(
            (err.entity(), err.field(), err.code()),
            (Some("alert"), None, "decode")
        );
        let err = ObsError::Capacity {
            resource: "series".into(),
            limit: 3,
        };
        assert_eq!(
            (err.entity(), err.field(), err.value(), err.rule()),
            (None, None, None, None)
        );
    }
}
