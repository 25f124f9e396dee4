//! Alerts: the [`AlertService`] that raises [`Alert`](crate::Alert)s,
//! de-duplicates them by fingerprint and tracks acknowledgement and
//! resolution; [`notify`] tells someone when one fires or resolves.

pub mod notify;
mod service;

pub use service::{AlertService, Raised};
