//! Fast random numbers for ids: one small generator per thread, seeded once
//! from the operating system, so an id costs a few multiplications instead of
//! a system call.
//!
//! The generator is wyrand (64-bit state, one 128-bit multiply per output).
//! It is not cryptographic: ids must be unique and unpredictable enough to
//! never collide by accident, not secret. Two threads seed independently
//! from the OS, so their sequences differ.
//!
//! A process that calls `fork` and keeps using observa in the child shares
//! the parent's generator state at the moment of the fork, so both would
//! produce the same ids. The state is not reseeded after a fork (detecting it
//! costs a system call per id); fork-then-continue programs should build ids
//! in the child only from a freshly spawned thread, whose generator seeds anew.

use std::cell::Cell;

use uuid::Uuid;

/// wyrand's additive constant.
const INCREMENT: u64 = 0xa076_1d64_78bd_642f;
/// wyrand's mixing constant.
const MIX: u64 = 0xe703_7ed1_a0b4_28db;

/// A wyrand generator; [`with_thread_rng`] lends out the thread's own.
#[derive(Clone, Debug)]
pub(crate) struct WyRand {
    state: u64,
}

impl WyRand {
    /// A generator starting from `seed` (any value, zero included).
    pub(crate) fn from_seed(seed: u64) -> Self {
        WyRand { state: seed }
    }

    /// The next 64 random bits.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(INCREMENT);
        let product = u128::from(self.state) * u128::from(self.state ^ MIX);
        ((product >> 64) as u64) ^ (product as u64)
    }
}

thread_local! {
    /// This thread's generator state; `None` until the first id is made.
    static THREAD_STATE: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Runs `f` with this thread's generator, seeding it from the OS on first use.
#[inline]
pub(crate) fn with_thread_rng<R>(f: impl FnOnce(&mut WyRand) -> R) -> R {
    THREAD_STATE.with(|cell| {
        let mut rng = WyRand::from_seed(cell.get().unwrap_or_else(os_seed));
        let out = f(&mut rng);
        cell.set(Some(rng.state));
        out
    })
}

/// 64 bits from the OS generator; if it is unavailable, the clock, the
/// thread's stack address and a process-wide counter, mixed.
fn os_seed() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        use std::sync::atomic::{AtomicU64, Ordering};
        static FALLBACKS: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let local = 0u8;
        let address = std::ptr::addr_of!(local) as u64;
        let count = FALLBACKS.fetch_add(1, Ordering::Relaxed);
        WyRand::from_seed(nanos ^ address.rotate_left(32) ^ count).next_u64()
    })
}

/// `N` (8 or 16) random bytes, never all zero, from `next` (called until
/// they are not).
#[inline]
pub(crate) fn nonzero_bytes<const N: usize>(mut next: impl FnMut() -> u64) -> [u8; N] {
    const { assert!(N == 8 || N == 16, "ids are 8 or 16 bytes") };
    loop {
        let low = u128::from(next());
        let high = if N == 16 { u128::from(next()) } else { 0 };
        let wide = high << 64 | low;
        if wide != 0 {
            let mut bytes = [0u8; N];
            bytes.copy_from_slice(&wide.to_le_bytes()[..N]);
            return bytes;
        }
    }
}

/// A version 4 (random) UUID built from `rng`.
pub(crate) fn uuid_from(rng: &mut WyRand) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A fresh random (version 4) UUID from this thread's fast generator, as every
/// entity id is made; no system call per id.
///
/// Trace ids, span ids and entity ids come from one small generator per
/// thread (wyrand), seeded once from the OS. It is not cryptographic: use it
/// for ids that must not collide, not for secrets. After a `fork`, a thread
/// continuing in the child shares the parent's generator state and repeats
/// its ids; the state is not reseeded (detecting a fork costs a system call
/// per id), so a forked child should make ids on threads it spawns itself.
///
/// ```
/// let id = observa::domain::random_uuid();
/// assert_eq!(id.get_version(), Some(uuid::Version::Random));
/// assert_ne!(id, observa::domain::random_uuid());
/// ```
pub fn random_uuid() -> Uuid {
    with_thread_rng(uuid_from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_source_of_zeros_is_retried_until_the_bytes_are_not_zero() {
        let mut outputs = [0u64, 0, 0, 7].into_iter();
        let bytes: [u8; 16] = nonzero_bytes(|| outputs.next().unwrap());
        assert_ne!(bytes, [0; 16]);
        let mut outputs = [0u64, 9].into_iter();
        let bytes: [u8; 8] = nonzero_bytes(|| outputs.next().unwrap());
        assert_eq!(bytes, 9u64.to_le_bytes());
    }

    #[test]
    fn each_thread_seeds_its_own_generator() {
        let draw = || with_thread_rng(|rng| (0..4).map(|_| rng.next_u64()).collect::<Vec<_>>());
        let here = draw();
        let there = std::thread::spawn(draw).join().unwrap();
        assert_ne!(here, there);
        assert_ne!(here, draw(), "the thread's state advances");
    }

    proptest! {
        #[test]
        fn any_seed_gives_nonzero_ids_and_v4_uuids(seed in any::<u64>()) {
            let mut rng = WyRand::from_seed(seed);
            for _ in 0..64 {
                let trace: [u8; 16] = nonzero_bytes(|| rng.next_u64());
                let span: [u8; 8] = nonzero_bytes(|| rng.next_u64());
                prop_assert_ne!(trace, [0; 16]);
                prop_assert_ne!(span, [0; 8]);
                let uuid = uuid_from(&mut rng);
                prop_assert_eq!(uuid.get_version(), Some(uuid::Version::Random));
                prop_assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
            }
        }

        #[test]
        fn outputs_do_not_repeat_within_a_run(seed in any::<u64>()) {
            let mut rng = WyRand::from_seed(seed);
            let mut seen: Vec<u64> = (0..4_096).map(|_| rng.next_u64()).collect();
            seen.sort_unstable();
            seen.dedup();
            prop_assert_eq!(seen.len(), 4_096);
        }
    }
}
