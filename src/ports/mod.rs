//! Ports: the traits services depend on, so adapters can be swapped.

mod query;
mod repository;

pub use query::{Query, Record};
pub use repository::{Evictions, Repository};
