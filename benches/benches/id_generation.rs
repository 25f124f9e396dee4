//! `id_generation`: one trace id, span id or entity UUID.
//!
//! - `observa`: `TraceId::random`, `SpanId::random`, `observa::domain::random_uuid`
//!   (a thread-local wyrand seeded once from the OS).
//! - `getrandom`: the same bytes from `getrandom::fill`, one system call per id
//!   (how observa made ids before; `uuid::Uuid::new_v4` does the same).
//! - `uuid_new_v4`: `uuid::Uuid::new_v4()` with its default getrandom source.
//! - `rand_thread_rng`: `rand::rng()` (rand 0.9's thread-local, reseeding
//!   ChaCha12), what fastrace and the OpenTelemetry SDK draw their ids from.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use observa::{SpanId, TraceId};
use rand::Rng;

fn os_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).unwrap();
    bytes
}

fn id_generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("span_id");
    group.bench_function("observa", |b| b.iter(|| black_box(SpanId::random())));
    group.bench_function("getrandom", |b| b.iter(|| black_box(os_bytes::<8>())));
    group.bench_function("rand_thread_rng", |b| {
        b.iter(|| black_box(rand::rng().random::<u64>()))
    });
    group.finish();

    let mut group = c.benchmark_group("trace_id");
    group.bench_function("observa", |b| b.iter(|| black_box(TraceId::random())));
    group.bench_function("getrandom", |b| b.iter(|| black_box(os_bytes::<16>())));
    group.bench_function("rand_thread_rng", |b| {
        b.iter(|| black_box(rand::rng().random::<u128>()))
    });
    group.finish();

    let mut group = c.benchmark_group("uuid");
    group.bench_function("observa", |b| {
        b.iter(|| black_box(observa::domain::random_uuid()))
    });
    group.bench_function("uuid_new_v4", |b| b.iter(|| black_box(uuid::Uuid::new_v4())));
    group.bench_function("rand_thread_rng", |b| {
        b.iter(|| {
            let bytes = rand::rng().random::<u128>().to_le_bytes();
            black_box(uuid::Builder::from_random_bytes(bytes).into_uuid())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = id_generation
}
criterion_main!(benches);
