//! Alerts: the [`AlertService`] that raises [`Alert`](crate::Alert)s,
//! de-duplicates them by fingerprint and tracks acknowledgement and
//! resolution.

pub mod drift;
mod service;

pub use service::{AlertService, Raised};
