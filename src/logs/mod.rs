//! Logs: the [`LogService`] that filters [`LogEntry`](crate::LogEntry)s by
//! level, fills their trace and correlation ids, redacts them and hands them
//! to their repository and sinks. JSON lines and the console and file
//! outlets are in [`sinks`](crate::sinks).

mod correlation;
mod outlet;
mod service;

pub use correlation::correlation_id;
pub use service::LogService;
