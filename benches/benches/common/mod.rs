//! Settings shared by every benchmark: short runs, so `make bench` ends in a
//! few minutes on a 2-core machine.

use std::time::Duration;

use criterion::Criterion;

/// 1 s warm-up, 2 s measurement, 50 samples.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}
