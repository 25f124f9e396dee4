//! The opt-in global container and what uses it: the free `create_*`
//! functions, `monitor`/`monitor_result`, and the [`LazyMonitor`] statics
//! that `monitored!` expands to.
//!
//! Nothing is global until [`install_global`] is called; it can be called
//! once per process. This module sits above the container: it uses the
//! container, never the other way round.

mod create;
mod lazy_monitor;
mod monitored_macro;

use std::sync::OnceLock;

pub use create::{create_alert, create_health_check, create_log_entry, create_metric, create_trace};
pub use lazy_monitor::LazyMonitor;

use crate::container::Observability;
use crate::error::{ObsError, Result};

static GLOBAL: OnceLock<Observability> = OnceLock::new();

/// Installs `obs` as the process-wide container used by the free functions
/// (`create_alert` and friends stamp its service name and default labels). A second call is a
/// conflict and leaves the first container in place.
///
/// ```
/// let obs = observa::Observability::builder().service("shop", "1.0").build()?;
/// observa::install_global(obs.clone())?;
/// let alert = observa::create_alert("Disk full", "/var at 97%", "high")?;
/// assert_eq!(alert.source(), "shop");
/// assert_eq!(observa::install_global(obs).unwrap_err().code(), "conflict");
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn install_global(obs: Observability) -> Result<()> {
    GLOBAL
        .set(obs)
        .map_err(|_| ObsError::conflict("global container", "a global container is already installed"))
}

/// The installed global container, if any.
///
/// ```
/// // nothing is global unless installed
/// assert!(observa::global().is_none());
/// ```
pub fn global() -> Option<&'static Observability> {
    GLOBAL.get()
}

/// Runs `f` as a monitored call of function `name` on the global container
/// (outcome `ok`, or `panic`). Without a global container, `f` just runs.
/// Each call resolves the function's handles (a lookup); hold a
/// [`Monitor`](crate::monitor::Monitor) or use `monitored!` on hot paths.
///
/// ```
/// let obs = observa::Observability::builder().service("jobs", "1").build()?;
/// observa::install_global(obs.clone())?;
/// let sum = observa::monitor("nightly_sum", || 2 + 2);
/// assert_eq!(sum, 4);
/// let text = obs.render(observa::metrics::Format::Prometheus)?;
/// assert!(text.contains(r#"function_calls_total{function="nightly_sum",module="",result="ok"} 1"#));
/// # Ok::<(), observa::ObsError>(())
/// ```
pub fn monitor<T>(name: &str, f: impl FnOnce() -> T) -> T {
    match global() {
        Some(obs) => obs.monitor(name).run(f),
        None => f(),
    }
}

/// Like [`monitor`], for closures returning `Result`: `Err` counts as `error`.
///
/// ```
/// let parsed: Result<u32, _> = observa::monitor_result("parse_port", || "8080".parse::<u32>());
/// assert_eq!(parsed, Ok(8080)); // no global installed here: runs unmeasured
/// ```
pub fn monitor_result<T, E>(
    name: &str,
    f: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    match global() {
        Some(obs) => obs.monitor(name).run_result(f),
        None => f(),
    }
}
