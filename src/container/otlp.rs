//! The container's OTLP exporter: builder setting, start-up, access.

use std::sync::Arc;

use super::{Observability, ObservabilityBuilder, ServiceInfo};
use crate::domain::Labels;
use crate::error::Result;
use crate::metrics::MetricsService;
use crate::otlp::{OtlpConfig, OtlpEncoder, OtlpExporter};
use crate::sinks::Sink;

impl ObservabilityBuilder {
    /// Exports spans, log entries and metrics over OTLP/HTTP with `config`
    /// (see [`OtlpConfig::from_env`]). The resource is the service name,
    /// version and environment, your labels and the configuration's resource
    /// attributes; when the builder sets no service or sampler, those of the
    /// configuration (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`) are used.
    /// A disabled configuration (`OTEL_SDK_DISABLED=true`) starts nothing.
    ///
    /// ```
    /// use observa::otlp::OtlpConfig;
    ///
    /// let config = OtlpConfig::from_vars([
    ///     ("OTEL_SERVICE_NAME", "checkout"),
    ///     ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
    /// ])?;
    /// # let config = config.shutdown_timeout(std::time::Duration::ZERO); // nothing listens on port 9
    /// let obs = observa::Observability::builder().otlp(config).build()?;
    /// assert_eq!(obs.info().service, "checkout");
    /// assert!(obs.otlp().is_some());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn otlp(mut self, config: OtlpConfig) -> Self {
        self.otlp = Some(config);
        self
    }
}

impl Observability {
    /// The OTLP exporter, when one was configured (and not disabled).
    ///
    /// ```
    /// let obs = observa::Observability::builder().service("shop", "1").build()?;
    /// assert!(obs.otlp().is_none());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    pub fn otlp(&self) -> Option<&OtlpExporter> {
        self.inner.otlp.as_deref()
    }
}

/// The OTLP configuration to use: none when absent or disabled.
pub(super) fn enabled(config: Option<OtlpConfig>) -> Option<OtlpConfig> {
    config.filter(|c| !c.is_disabled())
}

/// The service name and version from the configuration, when the builder has none.
pub(super) fn service_from(config: &OtlpConfig) -> Option<(String, String)> {
    let name = config
        .configured_service_name()
        .map(str::to_owned)
        .or_else(|| attribute(config, "service.name"))?;
    let version = attribute(config, "service.version").unwrap_or_else(|| "unknown".to_owned());
    Some((name, version))
}

fn attribute(config: &OtlpConfig, key: &str) -> Option<String> {
    config
        .resource
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// Starts the exporter and adds its sink to both sink lists.
pub(super) fn start(
    config: OtlpConfig,
    info: &ServiceInfo,
    labels: &Labels,
    metrics: &MetricsService,
    sinks: [&mut Vec<Box<dyn Sink>>; 2],
) -> Result<Arc<OtlpExporter>> {
    let mut attributes: Vec<(String, String)> = config.resource.clone();
    attributes.extend(labels.iter().map(|(k, v)| (k.to_owned(), v.to_owned())));
    attributes.push(("telemetry.sdk.name".into(), "observa".into()));
    attributes.push(("telemetry.sdk.language".into(), "rust".into()));
    attributes.push(("telemetry.sdk.version".into(), env!("CARGO_PKG_VERSION").into()));
    attributes.push(("service.name".into(), info.service.clone()));
    attributes.push(("service.version".into(), info.version.clone()));
    if let Some(env) = &info.environment {
        attributes.push(("deployment.environment".into(), env.clone()));
    }
    let exporter = Arc::new(OtlpExporter::start(
        config,
        OtlpEncoder::new(attributes),
        Some(metrics.clone()),
    )?);
    for list in sinks {
        list.push(Box::new(exporter.sink()));
    }
    Ok(exporter)
}
