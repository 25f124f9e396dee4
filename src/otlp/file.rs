//! [`OtlpConfig`] from a TOML file, read with serde and checked with
//! `validator` (URLs, ranges) before it is applied.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use validator::Validate;

use super::config::{join, parse_protocol, BatchConfig, OtlpConfig, Signal};
use crate::error::{ObsError, Result};
use crate::sampling::Sampler;

/// The file's shape; every key is optional, unknown keys are refused.
#[derive(Debug, Default, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[validate(length(min = 1, max = 255))]
    service_name: Option<String>,
    #[validate(url)]
    endpoint: Option<String>,
    protocol: Option<String>,
    compression: Option<String>,
    #[validate(range(min = 1, max = 600_000))]
    timeout_ms: Option<u64>,
    #[validate(range(max = 600_000))]
    shutdown_timeout_ms: Option<u64>,
    disabled: Option<bool>,
    headers: Option<BTreeMap<String, String>>,
    resource: Option<BTreeMap<String, String>>,
    #[validate(nested)]
    traces: Option<SignalFile>,
    #[validate(nested)]
    logs: Option<SignalFile>,
    #[validate(nested)]
    metrics: Option<SignalFile>,
}

/// One `[traces]`, `[logs]` or `[metrics]` table.
#[derive(Debug, Default, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
struct SignalFile {
    #[validate(url)]
    endpoint: Option<String>,
    enabled: Option<bool>,
    #[validate(range(min = 1, max = 1_000_000))]
    max_queue_size: Option<usize>,
    #[validate(range(min = 1, max = 100_000))]
    max_export_batch_size: Option<usize>,
    #[validate(range(min = 1, max = 3_600_000))]
    schedule_delay_ms: Option<u64>,
    #[validate(range(min = 1, max = 3_600_000))]
    export_timeout_ms: Option<u64>,
    #[validate(range(min = 1, max = 86_400_000))]
    export_interval_ms: Option<u64>,
    sampler: Option<String>,
    sampler_arg: Option<String>,
}

impl OtlpConfig {
    /// Applies the settings of a TOML file over this configuration (so
    /// `OtlpConfig::from_env()?.with_file(path)?` gives the file precedence
    /// over the environment). See [`OtlpConfig::with_toml`] for the keys.
    ///
    /// ```
    /// let path = std::env::temp_dir().join("observa-otlp-doc.toml");
    /// std::fs::write(&path, "endpoint = \"http://collector:4318\"\n")?;
    /// let config = observa::otlp::OtlpConfig::default().with_file(&path)?;
    /// assert_eq!(config.url(observa::otlp::Signal::Traces), "http://collector:4318/v1/traces");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_file(self, path: impl AsRef<Path>) -> Result<OtlpConfig> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ObsError::configuration("otlp config file", format!("{}: {e}", path.display())))?;
        self.with_toml(&text).map_err(|e| match e {
            ObsError::Configuration { reason, .. } => {
                ObsError::configuration("otlp config file", format!("{}: {reason}", path.display()))
            }
            other => other,
        })
    }

    /// Applies TOML settings over this configuration. Top-level keys:
    /// `service_name`, `endpoint` (a base URL), `protocol` (`http/protobuf`,
    /// `http/json`), `compression` (`gzip`, `none`), `timeout_ms`,
    /// `shutdown_timeout_ms` (see [`OtlpConfig::shutdown_timeout`]; 0 gives
    /// up at once), `disabled`, and the tables `[headers]` and `[resource]`. Tables
    /// `[traces]`, `[logs]`, `[metrics]` take `endpoint` (a full URL),
    /// `enabled`, and: `max_queue_size`, `max_export_batch_size`,
    /// `schedule_delay_ms`, `export_timeout_ms` (traces, logs); `sampler`,
    /// `sampler_arg` (traces); `export_interval_ms` (metrics). Syntax errors,
    /// unknown keys, invalid URLs and out-of-range numbers are configuration
    /// errors naming the key.
    ///
    /// ```
    /// use observa::otlp::{OtlpConfig, Signal};
    ///
    /// let config = OtlpConfig::default().with_toml(r#"
    ///     endpoint = "https://collector.internal:4318"
    ///     protocol = "http/json"
    ///     [headers]
    ///     authorization = "Bearer t0k3n"
    ///     [traces]
    ///     sampler = "parentbased_traceidratio"
    ///     sampler_arg = "0.25"
    ///     [metrics]
    ///     export_interval_ms = 15000
    /// "#)?;
    /// assert_eq!(config.url(Signal::Metrics), "https://collector.internal:4318/v1/metrics");
    /// let err = OtlpConfig::default().with_toml("[logs]\nmax_queue_size = 0").unwrap_err();
    /// assert!(err.to_string().contains("max_queue_size"), "{err}");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn with_toml(mut self, text: &str) -> Result<OtlpConfig> {
        let bad = |reason: String| ObsError::configuration("otlp config file", reason);
        let file: FileConfig = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        file.validate().map_err(|e| bad(e.to_string()))?;
        if let Some(name) = file.service_name {
            self.service_name = Some(name);
        }
        if let Some(base) = &file.endpoint {
            for signal in Signal::ALL {
                self.signals[signal.index()].url = join(base, signal);
            }
        }
        for s in &mut self.signals {
            if let Some(protocol) = &file.protocol {
                s.encoding = parse_protocol(protocol).map_err(|e| bad(format!("protocol: {e}")))?;
            }
            if let Some(compression) = &file.compression {
                s.compression = compression
                    .parse()
                    .map_err(|e| bad(format!("compression: {e}")))?;
            }
            if let Some(ms) = file.timeout_ms {
                s.timeout = Duration::from_millis(ms);
            }
            if let Some(headers) = &file.headers {
                s.headers
                    .extend(headers.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        if let Some(ms) = file.shutdown_timeout_ms {
            self.shutdown_timeout = Duration::from_millis(ms);
        }
        if let Some(disabled) = file.disabled {
            self.disabled = disabled;
        }
        if let Some(resource) = file.resource {
            self.resource.extend(resource);
        }
        for (signal, table) in [
            (Signal::Traces, file.traces),
            (Signal::Logs, file.logs),
            (Signal::Metrics, file.metrics),
        ] {
            let Some(table) = table else { continue };
            self.apply(signal, table)
                .map_err(|reason| bad(format!("[{}] {reason}", signal.env_name().to_lowercase())))?;
        }
        self.check().map_err(|e| bad(e.to_string()))?;
        Ok(self)
    }

    fn apply(&mut self, signal: Signal, table: SignalFile) -> std::result::Result<(), String> {
        let settings = &mut self.signals[signal.index()];
        if let Some(url) = table.endpoint {
            settings.url = url;
        }
        if let Some(enabled) = table.enabled {
            settings.enabled = enabled;
        }
        let batch_keys = table.max_queue_size.is_some()
            || table.max_export_batch_size.is_some()
            || table.schedule_delay_ms.is_some()
            || table.export_timeout_ms.is_some();
        let batch: Option<&mut BatchConfig> = match signal {
            Signal::Traces => Some(&mut self.spans),
            Signal::Logs => Some(&mut self.logs),
            Signal::Metrics => None,
        };
        match batch {
            Some(batch) => {
                batch.max_queue_size = table.max_queue_size.unwrap_or(batch.max_queue_size);
                batch.max_export_batch_size =
                    table.max_export_batch_size.unwrap_or(batch.max_export_batch_size);
                if let Some(ms) = table.schedule_delay_ms {
                    batch.schedule_delay = Duration::from_millis(ms);
                }
                if let Some(ms) = table.export_timeout_ms {
                    batch.export_timeout = Duration::from_millis(ms);
                }
            }
            None if batch_keys => return Err("batch settings apply to traces and logs only".into()),
            None => {}
        }
        match (signal, table.export_interval_ms) {
            (Signal::Metrics, Some(ms)) => self.metric_interval = Duration::from_millis(ms),
            (_, Some(_)) => return Err("export_interval_ms applies to metrics only".into()),
            _ => {}
        }
        match (signal, table.sampler) {
            (Signal::Traces, Some(name)) => {
                self.sampler = Some(
                    Sampler::from_config(&name, table.sampler_arg.as_deref()).map_err(|e| e.to_string())?,
                );
            }
            (_, Some(_)) => return Err("sampler applies to traces only".into()),
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otlp::proto::Encoding;
    use crate::otlp::Compression;

    #[test]
    fn the_file_overrides_the_environment_and_methods_override_the_file() {
        let env = OtlpConfig::from_vars([
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://from-env:4318"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_SERVICE_NAME", "env-name"),
        ])
        .unwrap();
        let file = env
            .with_toml("endpoint = \"http://from-file:4318\"\nservice_name = \"file-name\"\nshutdown_timeout_ms = 250\n[logs]\nenabled = false\nschedule_delay_ms = 250")
            .unwrap();
        assert_eq!(file.shutdown_timeout, Duration::from_millis(250));
        assert_eq!(file.url(Signal::Traces), "http://from-file:4318/v1/traces");
        assert_eq!(
            file.signals[0].compression,
            Compression::Gzip,
            "kept from the environment"
        );
        assert_eq!(file.configured_service_name(), Some("file-name"));
        assert!(!file.is_enabled(Signal::Logs));
        assert_eq!(file.logs.schedule_delay, Duration::from_millis(250));
        let code = file.endpoint("http://from-code:4318").encoding(Encoding::Json);
        assert_eq!(code.url(Signal::Logs), "http://from-code:4318/v1/logs");
    }

    #[test]
    fn invalid_files_are_configuration_errors_naming_the_key() {
        for (text, key) in [
            ("endpoint = \"not a url\"", "endpoint"),
            ("timeout_ms = 0", "timeout_ms"),
            ("shutdown_timeout_ms = 600001", "shutdown_timeout_ms"),
            ("shutdown_timeout_ms = -1", "shutdown_timeout_ms"),
            ("[traces]\nmax_export_batch_size = 0", "max_export_batch_size"),
            ("[traces]\nendpoint = \"::\"", "endpoint"),
            ("protocol = \"grpc\"", "protocol"),
            ("compression = \"zstd\"", "compression"),
            ("colour = \"blue\"", "colour"),
            ("[logs]\nsampler = \"always_on\"", "sampler"),
            ("[metrics]\nmax_queue_size = 5", "batch"),
            ("[traces]\nsampler = \"sometimes\"", "sampler"),
            ("endpoint = ", "endpoint"),
        ] {
            let err = OtlpConfig::default().with_toml(text).unwrap_err();
            assert_eq!(err.code(), "configuration", "{text}");
            assert!(err.to_string().contains(key), "{text}: {err}");
        }
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let err = OtlpConfig::default()
            .with_file("/nonexistent/otlp.toml")
            .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/otlp.toml"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,60}") {
            let _ = OtlpConfig::default().with_toml(&text);
        }
    }
}
