//! [`OtlpConfig`] from the standard `OTEL_*` environment variables.

use std::collections::HashMap;
use std::time::Duration;

use super::config::{join, parse_protocol, BatchConfig, OtlpConfig, Signal};
use crate::error::{ObsError, Result};
use crate::sampling::Sampler;

impl OtlpConfig {
    /// Reads the process environment; see [`OtlpConfig::from_vars`].
    ///
    /// ```
    /// let config = observa::otlp::OtlpConfig::from_env()?;
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn from_env() -> Result<OtlpConfig> {
        OtlpConfig::from_vars(std::env::vars())
    }

    /// Reads the standard variables from `vars` (the process environment, or
    /// a map in tests): `OTEL_SDK_DISABLED`, `OTEL_SERVICE_NAME`,
    /// `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_{ENDPOINT, HEADERS,
    /// TIMEOUT, COMPRESSION, PROTOCOL}` and their per-signal forms
    /// (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, …: a per-signal endpoint is used
    /// as is, the base endpoint gets `/v1/traces` etc. appended),
    /// `OTEL_{TRACES,LOGS,METRICS}_EXPORTER` (`otlp` or `none`),
    /// `OTEL_TRACES_SAMPLER` and `_ARG`, `OTEL_BSP_*`, `OTEL_BLRP_*`
    /// (`SCHEDULE_DELAY`, `EXPORT_TIMEOUT`, `MAX_QUEUE_SIZE`,
    /// `MAX_EXPORT_BATCH_SIZE`) and `OTEL_METRIC_EXPORT_INTERVAL`. Times are
    /// milliseconds. A value that cannot be used is an error naming the variable.
    ///
    /// ```
    /// use observa::otlp::{OtlpConfig, Signal};
    ///
    /// let config = OtlpConfig::from_vars([
    ///     ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
    ///     ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://loki:3100/otlp/v1/logs"),
    ///     ("OTEL_SERVICE_NAME", "checkout"),
    /// ])?;
    /// assert_eq!(config.url(Signal::Traces), "http://collector:4318/v1/traces");
    /// assert_eq!(config.url(Signal::Logs), "http://loki:3100/otlp/v1/logs");
    /// assert_eq!(config.configured_service_name(), Some("checkout"));
    /// let grpc = OtlpConfig::from_vars([("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]);
    /// assert!(grpc.unwrap_err().to_string().contains("OTEL_EXPORTER_OTLP_PROTOCOL"));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<OtlpConfig> {
        let vars: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        let env = Env(&vars);
        let mut config = OtlpConfig {
            disabled: env
                .get("OTEL_SDK_DISABLED")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
            service_name: env.get("OTEL_SERVICE_NAME").map(|s| s.trim().to_owned()),
            ..OtlpConfig::default()
        };
        if let Some(list) = env.get("OTEL_RESOURCE_ATTRIBUTES") {
            config.resource = env.pairs("OTEL_RESOURCE_ATTRIBUTES", list)?;
        }
        for signal in Signal::ALL {
            let s = &mut config.signals[signal.index()];
            let name = signal.env_name();
            let specific = |key: &str| format!("OTEL_EXPORTER_OTLP_{name}_{key}");
            if let Some(url) = env.get(&specific("ENDPOINT")) {
                s.url = url.trim().to_owned();
            } else if let Some(base) = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") {
                s.url = join(base.trim(), signal);
            }
            for key in ["HEADERS", "TIMEOUT", "COMPRESSION", "PROTOCOL"] {
                let var = specific(key);
                let (var, value) = match env.get(&var) {
                    Some(v) => (var, v),
                    None => match env.get(&format!("OTEL_EXPORTER_OTLP_{key}")) {
                        Some(v) => (format!("OTEL_EXPORTER_OTLP_{key}"), v),
                        None => continue,
                    },
                };
                let wrap = |e: ObsError| env.error(&var, e.to_string());
                match key {
                    "HEADERS" => s.headers = env.pairs(&var, value)?,
                    "TIMEOUT" => s.timeout = env.millis(&var, value)?,
                    "COMPRESSION" => s.compression = value.parse().map_err(wrap)?,
                    _ => s.encoding = parse_protocol(value).map_err(wrap)?,
                }
            }
            let exporter = format!("OTEL_{name}_EXPORTER");
            if let Some(value) = env.get(&exporter) {
                s.enabled = match value.trim().to_ascii_lowercase().as_str() {
                    "otlp" => true,
                    "none" => false,
                    _ => return Err(env.error(&exporter, "must be otlp or none")),
                };
            }
        }
        if let Some(name) = env.get("OTEL_TRACES_SAMPLER") {
            let arg = env.get("OTEL_TRACES_SAMPLER_ARG");
            config.sampler = Some(
                Sampler::from_config(name, arg)
                    .map_err(|e| env.error("OTEL_TRACES_SAMPLER", e.to_string()))?,
            );
        }
        env.batch("OTEL_BSP", &mut config.spans)?;
        env.batch("OTEL_BLRP", &mut config.logs)?;
        if let Some(v) = env.get("OTEL_METRIC_EXPORT_INTERVAL") {
            config.metric_interval = env.millis("OTEL_METRIC_EXPORT_INTERVAL", v)?;
        }
        config.check()?;
        Ok(config)
    }
}

struct Env<'a>(&'a HashMap<String, String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn error(&self, var: &str, reason: impl std::fmt::Display) -> ObsError {
        ObsError::configuration("environment", format!("{var}: {reason}"))
    }

    fn millis(&self, var: &str, value: &str) -> Result<Duration> {
        match value.trim().parse::<u64>() {
            Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
            _ => Err(self.error(
                var,
                format!("{value:?} must be a positive number of milliseconds"),
            )),
        }
    }

    fn count(&self, var: &str, value: &str) -> Result<usize> {
        match value.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(self.error(var, format!("{value:?} must be a positive integer"))),
        }
    }

    /// `key=value,key2=value2`, keys and values percent-decoded.
    fn pairs(&self, var: &str, list: &str) -> Result<Vec<(String, String)>> {
        list.split(',')
            .filter(|item| !item.trim().is_empty())
            .map(|item| {
                let (key, value) = item
                    .split_once('=')
                    .ok_or_else(|| self.error(var, format!("{item:?} is not key=value")))?;
                let key =
                    percent_decode(key.trim()).ok_or_else(|| self.error(var, "bad percent-encoding"))?;
                let value =
                    percent_decode(value.trim()).ok_or_else(|| self.error(var, "bad percent-encoding"))?;
                if key.is_empty() {
                    return Err(self.error(var, format!("{item:?} has an empty key")));
                }
                Ok((key, value))
            })
            .collect()
    }

    fn batch(&self, prefix: &str, batch: &mut BatchConfig) -> Result<()> {
        let var = |key: &str| format!("{prefix}_{key}");
        if let Some(v) = self.get(&var("SCHEDULE_DELAY")) {
            batch.schedule_delay = self.millis(&var("SCHEDULE_DELAY"), v)?;
        }
        if let Some(v) = self.get(&var("EXPORT_TIMEOUT")) {
            batch.export_timeout = self.millis(&var("EXPORT_TIMEOUT"), v)?;
        }
        if let Some(v) = self.get(&var("MAX_QUEUE_SIZE")) {
            batch.max_queue_size = self.count(&var("MAX_QUEUE_SIZE"), v)?;
        }
        if let Some(v) = self.get(&var("MAX_EXPORT_BATCH_SIZE")) {
            batch.max_export_batch_size = self.count(&var("MAX_EXPORT_BATCH_SIZE"), v)?;
        }
        Ok(())
    }
}

/// `%XX` sequences decoded as UTF-8; `None` when malformed.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otlp::proto::Encoding;
    use crate::otlp::Compression;

    #[test]
    fn per_signal_settings_override_the_general_ones() {
        let config = OtlpConfig::from_vars([
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318"),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://m:9/x"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b,tenant=t1"),
            ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "only=traces"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json"),
            ("OTEL_LOGS_EXPORTER", "none"),
        ])
        .unwrap();
        let [traces, logs, metrics] = &config.signals;
        assert_eq!(traces.url, "https://collector:4318/v1/traces");
        assert_eq!(metrics.url, "http://m:9/x");
        assert_eq!(traces.headers, vec![("only".to_owned(), "traces".to_owned())]);
        assert_eq!(logs.headers[0], ("api-key".to_owned(), "a b".to_owned()));
        assert_eq!(metrics.timeout, Duration::from_millis(2500));
        assert_eq!(metrics.compression, Compression::Gzip);
        assert_eq!(
            (logs.encoding, traces.encoding),
            (Encoding::Json, Encoding::Protobuf)
        );
        assert!(!logs.enabled && traces.enabled);
    }

    #[test]
    fn batch_sampler_interval_resource_and_disabled_are_read() {
        let config = OtlpConfig::from_vars([
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "64"),
            ("OTEL_BSP_SCHEDULE_DELAY", "200"),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "4096"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "15000"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=prod,team=pay%2Cments",
            ),
            ("OTEL_SDK_DISABLED", "TRUE"),
        ])
        .unwrap();
        assert_eq!(config.spans.max_export_batch_size, 64);
        assert_eq!(config.spans.schedule_delay, Duration::from_millis(200));
        assert_eq!(config.logs.max_queue_size, 4096);
        assert_eq!(config.metric_interval, Duration::from_secs(15));
        assert!(config
            .sampler
            .unwrap()
            .description()
            .contains("TraceIdRatioBased{0.500000}"));
        assert_eq!(config.resource[1], ("team".to_owned(), "pay,ments".to_owned()));
        assert!(config.disabled);
    }

    #[test]
    fn unusable_values_are_errors_naming_the_variable() {
        for (var, value) in [
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "novalue"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "0"),
            ("OTEL_TRACES_SAMPLER", "jaeger_remote"),
            ("OTEL_METRICS_EXPORTER", "prometheus"),
        ] {
            let err = OtlpConfig::from_vars([(var, value)]).unwrap_err();
            assert_eq!(err.code(), "configuration", "{var}");
            assert!(err.to_string().contains(var), "{err}");
        }
        let err = OtlpConfig::from_vars([("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]).unwrap_err();
        assert!(err.to_string().contains("http://"), "{err}");
    }

    #[test]
    fn empty_environment_gives_the_defaults() {
        let config = OtlpConfig::from_vars(Vec::<(String, String)>::new()).unwrap();
        assert_eq!(config.url(Signal::Metrics), "http://localhost:4318/v1/metrics");
        assert!(!config.disabled && config.sampler.is_none());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_values_never_panic(key in "OTEL_[A-Z_]{0,30}", value in "\\PC{0,20}") {
            let _ = OtlpConfig::from_vars([(key, value)]);
        }
    }
}
