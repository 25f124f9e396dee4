//! Logs: the [`LogService`] that filters [`LogEntry`](crate::LogEntry)s by
//! level and records them into their repository. JSON lines and the console
//! and file outlets are in [`sinks`](crate::sinks).

mod service;

pub use service::LogService;
