//! Seeded synthetic latency series and the scoring of every drift method on
//! them: detection delay in samples and false alarms per 10,000 samples.
//! Shared by the `drift` benchmark (the table in docs/benchmarks.md) and by
//! `tests/drift_detection.rs` (the same goals, fewer samples).

use observa::alerts::drift::{DriftConfig, DriftDetector, DriftMethod};

/// Level of the stationary series (think milliseconds).
pub const BASE: f64 = 100.0;
/// Noise: multiplicative log-normal, exp(σ·N(0,1)) with σ = 0.1 (about ±10 %, right-skewed).
pub const NOISE_SIGMA: f64 = 0.1;
/// The 20 % drift rises linearly from 0 to +20 % over this many samples, then holds.
pub const DRIFT_RAMP: usize = 100;
/// The single spike multiplies one sample by this.
pub const SPIKE: f64 = 3.0;
/// Samples after the spike in which any flag counts against the method.
pub const AFTER_SPIKE: usize = 50;

/// xorshift64*: small, fast and seeded, so every run sees the same series.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// What happens at the change point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// Nothing: noise around the base level throughout.
    Stationary,
    /// The level doubles and stays doubled.
    Step2x,
    /// The level rises linearly by 20 % over [`DRIFT_RAMP`] samples and stays there.
    Drift20,
    /// One sample is [`SPIKE`] times the level; the rest is stationary.
    Spike,
}

/// `len` samples of `scenario` changing at `change_at`, from `seed`.
pub fn series(scenario: Scenario, len: usize, change_at: usize, seed: u64) -> Vec<f64> {
    let mut rng = XorShift::new(seed);
    (0..len)
        .map(|i| {
            let after = i.checked_sub(change_at);
            let level = match (scenario, after) {
                (_, None) | (Scenario::Stationary, _) => 1.0,
                (Scenario::Step2x, Some(_)) => 2.0,
                (Scenario::Drift20, Some(t)) => 1.0 + 0.2 * (t as f64 / DRIFT_RAMP as f64).min(1.0),
                (Scenario::Spike, Some(0)) => SPIKE,
                (Scenario::Spike, Some(_)) => 1.0,
            };
            BASE * level * (NOISE_SIGMA * rng.normal()).exp()
        })
        .collect()
}

/// Sizes of one evaluation.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Length of the stationary series the false alarms are counted on.
    pub stationary: usize,
    /// Seeds per change scenario (the delays are over these runs).
    pub seeds: u64,
    /// Samples before the change point (warm-up included).
    pub change_at: usize,
    /// Samples after the change point a detection may take.
    pub horizon: usize,
}

/// Detection delays of one method over the seeds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Delays {
    /// Delay of every run that detected, sorted.
    pub detected: Vec<usize>,
    /// Runs that did not detect within the horizon.
    pub missed: usize,
}

impl Delays {
    pub fn median(&self) -> Option<usize> {
        self.detected.get(self.detected.len() / 2).copied()
    }
    /// The worst delay, `None` if any run missed.
    pub fn worst(&self) -> Option<usize> {
        if self.missed > 0 {
            return None;
        }
        self.detected.last().copied()
    }
}

/// How one method did.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub method: DriftMethod,
    /// Flagged samples per 10,000 judged samples of the stationary series.
    pub false_alarms_per_10k: f64,
    /// Alarm episodes (runs of flagged samples) per 10,000 judged samples.
    pub episodes_per_10k: f64,
    pub step: Delays,
    pub drift: Delays,
    /// Runs in which the spike sample itself was flagged.
    pub spike_caught: u64,
    /// Mean flagged samples in the [`AFTER_SPIKE`] samples after the spike.
    pub after_spike: f64,
}

/// Every method's verdict on every sample of `values` (`None`: not judged).
fn flags(config: &DriftConfig, values: &[f64]) -> Vec<Option<[bool; 5]>> {
    let mut detector = DriftDetector::new(config.clone()).expect("valid config");
    values
        .iter()
        .map(|&v| {
            let report = detector.observe(v).expect("finite samples");
            report
                .is_judged()
                .then(|| DriftMethod::ALL.map_ok(|m| report.is_drifting(m)))
        })
        .collect()
}

trait MapMethods {
    fn map_ok(&self, f: impl Fn(DriftMethod) -> bool) -> [bool; 5];
}

impl MapMethods for [DriftMethod] {
    fn map_ok(&self, f: impl Fn(DriftMethod) -> bool) -> [bool; 5] {
        let mut out = [false; 5];
        for (slot, &m) in self.iter().enumerate() {
            out[slot] = f(m);
        }
        out
    }
}

/// Scores every method of `config` on the four scenarios.
pub fn evaluate(config: &DriftConfig, plan: Plan) -> Vec<Outcome> {
    let len = plan.change_at + plan.horizon;
    let stationary = flags(config, &series(Scenario::Stationary, plan.stationary, 0, 1));
    let runs = |scenario| -> Vec<Vec<Option<[bool; 5]>>> {
        (0..plan.seeds)
            .map(|seed| flags(config, &series(scenario, len, plan.change_at, 1_000 + seed)))
            .collect()
    };
    let (steps, drifts, spikes) = (
        runs(Scenario::Step2x),
        runs(Scenario::Drift20),
        runs(Scenario::Spike),
    );
    DriftMethod::ALL
        .iter()
        .enumerate()
        .map(|(slot, &method)| {
            let judged: Vec<bool> = stationary.iter().flatten().map(|f| f[slot]).collect();
            let per_10k = |count: usize| count as f64 * 10_000.0 / judged.len().max(1) as f64;
            let flagged = judged.iter().filter(|&&f| f).count();
            let episodes = judged.windows(2).filter(|w| w[1] && !w[0]).count()
                + usize::from(judged.first() == Some(&true));
            let spike_at = |run: &Vec<Option<[bool; 5]>>| run[plan.change_at].is_some_and(|f| f[slot]);
            let after = |run: &Vec<Option<[bool; 5]>>| {
                run[plan.change_at + 1..=plan.change_at + AFTER_SPIKE]
                    .iter()
                    .filter(|f| f.is_some_and(|f| f[slot]))
                    .count()
            };
            Outcome {
                method,
                false_alarms_per_10k: per_10k(flagged),
                episodes_per_10k: per_10k(episodes),
                step: delays(&steps, slot, plan.change_at),
                drift: delays(&drifts, slot, plan.change_at),
                spike_caught: spikes.iter().filter(|r| spike_at(r)).count() as u64,
                after_spike: spikes.iter().map(after).sum::<usize>() as f64 / plan.seeds as f64,
            }
        })
        .collect()
}

fn delays(runs: &[Vec<Option<[bool; 5]>>], slot: usize, change_at: usize) -> Delays {
    let mut out = Delays::default();
    for run in runs {
        match run[change_at..].iter().position(|f| f.is_some_and(|f| f[slot])) {
            Some(delay) => out.detected.push(delay),
            None => out.missed += 1,
        }
    }
    out.detected.sort_unstable();
    out
}
