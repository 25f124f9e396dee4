//! Bridges from the Rust logging facades, so code instrumented with `log` or
//! `tracing` is captured without changes.
//!
//! - [`log`] (feature `log`): [`ObservaLogger`](self::log::ObservaLogger),
//!   a `log::Log` writing every record through the [`LogService`](crate::logs::LogService).
//! - [`tracing`] (feature `tracing`):
//!   [`ObservaLayer`](self::tracing::ObservaLayer), a `tracing_subscriber::Layer`
//!   turning tracing spans into observa [`Span`](crate::Span)s and tracing events
//!   into [`LogEntry`](crate::LogEntry) values.
//!
//! Both keep what they are handed within the entities' limits instead of
//! losing a record: a blank message is replaced, a long one cut, fields and
//! attributes past the limits of [`rules`](crate::domain::rules) are left out
//! and counted (`dropped()` on each bridge).
//!
//! Installing a global logger or subscriber is the application's decision,
//! made once at start-up; a library should only emit through the facades.
#![cfg(any(feature = "log", feature = "tracing"))]

mod fit;
#[cfg(feature = "log")]
pub mod log;
#[cfg(feature = "tracing")]
pub mod tracing;
