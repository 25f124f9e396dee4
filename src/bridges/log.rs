//! [`ObservaLogger`]: the `log` facade's records as [`LogEntry`] values.
//!
//! | `log` level | observa level |
//! |---|---|
//! | `Error` | [`LogLevel::Error`] |
//! | `Warn` | [`LogLevel::Warning`] |
//! | `Info` | [`LogLevel::Info`] |
//! | `Debug` | [`LogLevel::Debug`] |
//! | `Trace` | [`LogLevel::Trace`] |
//!
//! The record's target becomes the entry's target; its module path, file and
//! line become the fields `code.namespace`, `code.filepath` and `code.lineno`
//! (the OpenTelemetry names); its key-values (`info!(order = 7; "placed")`)
//! become fields, numbers and booleans keeping their type. The span context
//! current on the thread ([`current`]) supplies the trace and span ids.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ::log::kv::{self, VisitSource, VisitValue};
use ::log::{Level, LevelFilter, Log, Metadata, Record};

use super::fit::{self, Entries};
use crate::domain::{LogEntry, LogLevel};
use crate::error::{ObsError, Result};
use crate::logs::LogService;
use crate::traces::current;
use crate::Observability;

/// The observa level of a `log` level (see the [module](self) table).
///
/// ```
/// use observa::bridges::log::map_level;
/// use observa::LogLevel;
///
/// assert_eq!(map_level(log::Level::Warn), LogLevel::Warning);
/// assert_eq!(map_level(log::Level::Trace), LogLevel::Trace);
/// ```
pub fn map_level(level: Level) -> LogLevel {
    match level {
        Level::Error => LogLevel::Error,
        Level::Warn => LogLevel::Warning,
        Level::Info => LogLevel::Info,
        Level::Debug => LogLevel::Debug,
        Level::Trace => LogLevel::Trace,
    }
}

/// The most detailed `log` level whose records `min` lets through.
fn filter_for(min: LogLevel) -> LevelFilter {
    let levels = [Level::Trace, Level::Debug, Level::Info, Level::Warn, Level::Error];
    levels
        .into_iter()
        .find(|&level| map_level(level) >= min)
        .map_or(LevelFilter::Off, |level| level.to_level_filter())
}

/// A `log::Log` writing every record through an [`Observability`]'s
/// [`LogService`], so its minimum level, redaction and sinks apply.
///
/// Cheap to clone; clones share the [`dropped`](ObservaLogger::dropped) count,
/// so keep one to read it after [`install`](ObservaLogger::install).
///
/// ```
/// use observa::bridges::log::ObservaLogger;
/// use observa::{LogLevel, Observability};
///
/// let obs = Observability::builder().service("shop", "1").min_log_level(LogLevel::Info).build()?;
/// ObservaLogger::new(&obs).install(log::LevelFilter::Trace)?;
///
/// log::info!(target: "orders", order = 7; "order placed");
/// log::debug!("below the service's minimum level");
///
/// let entries = obs.logs().recent(10)?;
/// assert_eq!(entries.len(), 1);
/// assert_eq!(entries[0].message(), "order placed");
/// assert_eq!(entries[0].target(), Some("orders"));
/// assert_eq!(entries[0].fields()["order"], 7);
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone)]
pub struct ObservaLogger {
    logs: LogService,
    dropped: Arc<AtomicU64>,
}

impl ObservaLogger {
    /// A logger recording into `obs`'s log service.
    pub fn new(obs: &Observability) -> ObservaLogger {
        ObservaLogger {
            logs: obs.logs().clone(),
            dropped: Arc::default(),
        }
    }

    /// Makes this logger the process's `log` logger, and sets `log`'s global
    /// maximum level to the more restrictive of `max_level` and the log
    /// service's minimum level (so disabled calls cost one comparison).
    ///
    /// The `log` crate takes one logger per process: when one is already
    /// installed (by this or any other crate) this is a
    /// [`ObsError::Conflict`] and nothing changes.
    ///
    /// ```
    /// use observa::bridges::log::ObservaLogger;
    ///
    /// let obs = observa::Observability::builder().service("shop", "1").build()?;
    /// let logger = ObservaLogger::new(&obs);
    /// logger.install(log::LevelFilter::Info)?;
    /// assert_eq!(log::max_level(), log::LevelFilter::Info);
    /// assert_eq!(logger.install(log::LevelFilter::Info).unwrap_err().code(), "conflict");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn install(&self, max_level: LevelFilter) -> Result<()> {
        ::log::set_boxed_logger(Box::new(self.clone())).map_err(|_| {
            ObsError::conflict(
                "logger",
                "a `log` logger is already installed in this process; `log` accepts one",
            )
        })?;
        ::log::set_max_level(max_level.min(filter_for(self.logs.min_level())));
        Ok(())
    }

    /// How many records the log service refused (they were not stored) plus
    /// how many key-values were left out to keep a record within the limits.
    /// Records below the service's minimum level are skipped before any work
    /// and not counted.
    ///
    /// ```
    /// use log::Log;
    /// use observa::bridges::log::ObservaLogger;
    ///
    /// let obs = observa::Observability::builder().service("shop", "1").build()?;
    /// let logger = ObservaLogger::new(&obs);
    /// let bad_key = "\u{7}bell";
    /// logger.log(&log::Record::builder().args(format_args!("hi")).key_values(&[(bad_key, 1)]).build());
    /// assert_eq!(logger.dropped(), 1);
    /// assert_eq!(obs.logs().recent(1)?[0].message(), "hi");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn entry(&self, record: &Record<'_>) -> std::result::Result<LogEntry, ObsError> {
        let level = map_level(record.level());
        let text = match record.args().as_str() {
            Some(text) => text.to_owned(),
            None => record.args().to_string(),
        };
        let mut fields = FieldVisitor(Entries::default());
        let _ = record.key_values().visit(&mut fields);
        let mut fields = fields.0;
        if let Some(module) = record.module_path() {
            fields.insert_json("code.namespace", module.into());
        }
        if let Some(file) = record.file() {
            fields.insert_json("code.filepath", file.into());
        }
        if let Some(line) = record.line() {
            fields.insert_json("code.lineno", line.into());
        }
        self.dropped.fetch_add(fields.dropped(), Ordering::Relaxed);
        let target = fit::short_name(record.target(), "log");
        let mut entry = LogEntry::builder(level, fit::message(text, &target)).target(target);
        for (name, value) in fields.into_entries() {
            entry = entry.field(name, value);
        }
        if let Some(context) = current() {
            entry = entry.trace(context.trace_id(), Some(context.span_id()));
        }
        entry.build()
    }
}

impl std::fmt::Debug for ObservaLogger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObservaLogger")
            .field("min_level", &self.logs.min_level())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl Log for ObservaLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.logs.enabled(map_level(metadata.level()))
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let stored = self.entry(record).and_then(|entry| self.logs.record(entry));
        if stored.is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn flush(&self) {}
}

/// Collects key-values into log fields, keeping numbers and booleans typed.
struct FieldVisitor(Entries<serde_json::Value>);

impl<'kvs> VisitSource<'kvs> for FieldVisitor {
    fn visit_pair(
        &mut self,
        key: kv::Key<'kvs>,
        value: kv::Value<'kvs>,
    ) -> std::result::Result<(), kv::Error> {
        let mut typed = TypedValue(None);
        let _ = value.visit(&mut typed);
        let json = typed.0.unwrap_or_else(|| value.to_string().into());
        self.0.insert_json(key.as_str(), json);
        Ok(())
    }
}

/// One key-value's value as JSON.
struct TypedValue(Option<serde_json::Value>);

impl<'v> VisitValue<'v> for TypedValue {
    fn visit_any(&mut self, value: kv::Value<'_>) -> std::result::Result<(), kv::Error> {
        self.0 = Some(value.to_string().into());
        Ok(())
    }
    fn visit_null(&mut self) -> std::result::Result<(), kv::Error> {
        self.0 = Some(serde_json::Value::Null);
        Ok(())
    }
    fn visit_u64(&mut self, value: u64) -> std::result::Result<(), kv::Error> {
        self.0 = Some(value.into());
        Ok(())
    }
    fn visit_i64(&mut self, value: i64) -> std::result::Result<(), kv::Error> {
        self.0 = Some(value.into());
        Ok(())
    }
    fn visit_f64(&mut self, value: f64) -> std::result::Result<(), kv::Error> {
        // Non-finite numbers have no JSON form: keep their text.
        self.0 =
            Some(serde_json::Number::from_f64(value).map_or_else(|| value.to_string().into(), Into::into));
        Ok(())
    }
    fn visit_bool(&mut self, value: bool) -> std::result::Result<(), kv::Error> {
        self.0 = Some(value.into());
        Ok(())
    }
    fn visit_str(&mut self, value: &str) -> std::result::Result<(), kv::Error> {
        self.0 = Some(value.into());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_filter_matches_the_service_minimum() {
        assert_eq!(filter_for(LogLevel::Trace), LevelFilter::Trace);
        assert_eq!(filter_for(LogLevel::Info), LevelFilter::Info);
        assert_eq!(filter_for(LogLevel::Success), LevelFilter::Warn);
        assert_eq!(filter_for(LogLevel::Error), LevelFilter::Error);
        assert_eq!(filter_for(LogLevel::Critical), LevelFilter::Off);
    }

    #[test]
    fn key_values_keep_their_type_and_bad_keys_are_counted() {
        let obs = Observability::builder().service("t", "1").build().unwrap();
        let logger = ObservaLogger::new(&obs);
        let kvs: [(&str, kv::Value<'_>); 5] = [
            ("count", kv::Value::from(3u64)),
            ("ratio", kv::Value::from(0.5f64)),
            ("ok", kv::Value::from(true)),
            ("name", kv::Value::from("ada")),
            ("", kv::Value::from(1i64)),
        ];
        let record = Record::builder()
            .level(Level::Warn)
            .args(format_args!(""))
            .target("db")
            .key_values(&kvs)
            .build();
        logger.log(&record);
        let entry = &obs.logs().recent(1).unwrap()[0];
        assert_eq!(entry.level(), LogLevel::Warning);
        assert_eq!(entry.message(), "db", "a blank message is replaced by the target");
        let fields = entry.fields();
        assert_eq!(
            (fields["count"].as_u64(), fields["ratio"].as_f64()),
            (Some(3), Some(0.5))
        );
        assert_eq!(
            (fields["ok"].as_bool(), fields["name"].as_str()),
            (Some(true), Some("ada"))
        );
        assert_eq!(logger.dropped(), 1, "the blank key was left out");
    }
}
