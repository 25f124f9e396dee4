//! Adapters: concrete implementations of the ports.

mod memory;

pub use memory::InMemoryRepository;
