//! The opt-in global container behind the free-function API.
//!
//! Nothing is global until [`install_global`] is called; it can be called
//! once per process.

use std::sync::OnceLock;

use crate::container::Observability;
use crate::error::{ObsError, Result};

static GLOBAL: OnceLock<Observability> = OnceLock::new();

/// Installs `obs` as the process-wide container used by the free functions
/// (`create_metric` and friends stamp its default labels). A second call is a
/// conflict and leaves the first container in place.
///
/// ```
/// let obs = observa::Observability::builder().service("shop", "1.0").build()?;
/// observa::install_global(obs.clone())?;
/// let m = observa::create_metric("orders_total", 1.0, "")?;
/// assert_eq!(m.labels().get("service"), Some("shop"));
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
