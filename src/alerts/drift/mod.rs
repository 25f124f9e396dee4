//! Drift detection: judge a series against its own baseline and raise an
//! alert while it drifts.
//!
//! - [`DriftConfig`] and [`Baseline`]: validated settings (baseline rolling
//!   or frozen, minimum samples, thresholds, mean-shift bands, EWMA and
//!   CUSUM parameters, which [`DriftMethod`]s judge).
//! - [`DriftDetector`]: pure and bounded; `observe(value)` returns a
//!   [`DriftReport`] with every enabled method's score and verdict.
//! - [`DriftMonitor`]: a detector bound to the alert and metrics services.
//!   Drift raises an alert labelled with the series and the method, with
//!   the mean-shift band's severity, and resolves it when the drift ends;
//!   the `drift_score{series,method}` gauge carries each score.
//! - [`RegistrySampler`]: feeds a monitor from a live gauge or from the mean
//!   of a histogram's new observations, read at the caller's interval.
//!
//! ```
//! use observa::alerts::drift::{DriftConfig, DriftMethod, DriftMonitor};
//! use observa::Observability;
//!
//! let obs = Observability::builder().service("api", "1").build()?;
//! let mut latency = DriftMonitor::new(obs.alerts(), obs.metrics(), "checkout_latency", DriftConfig::default())?;
//! for i in 0..300 {
//!     let ms = if i < 200 { 100.0 } else { 200.0 } + (i % 5) as f64; // doubles at 200
//!     latency.observe(ms)?;
//! }
//! let open = obs.alerts().active()?;
//! assert!(open.iter().any(|a| a.labels().get("method") == Some(DriftMethod::MeanShift.as_str())));
//! assert!(obs.render(observa::metrics::Format::Prometheus)?.contains("drift_score{"));
//! # Ok::<(), observa::ObsError>(())
//! ```

mod config;
mod detector;
mod method;
mod monitor;
mod sequential;
mod source;
mod window;

pub use config::{Baseline, DriftConfig, MAX_WINDOW};
pub use detector::{DriftDetector, DriftReport};
pub use method::DriftMethod;
pub use monitor::{DriftMonitor, DRIFT_SCORE_METRIC};
pub use source::RegistrySampler;
