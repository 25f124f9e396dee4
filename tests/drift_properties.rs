//! Properties of drift detection on arbitrary input: configuration is
//! validated, nothing panics, non-finite samples are refused and counted,
//! and the scores do not depend on where the series sits (constant offset)
//! or, for the relative mean shift, on its unit (positive scale).

use observa::alerts::drift::{Baseline, DriftConfig, DriftDetector, DriftMethod};
use proptest::prelude::*;

fn any_config() -> impl Strategy<Value = DriftConfig> {
    (
        (0usize..300, any::<bool>()),
        0usize..60,
        0usize..120,
        (-1.0f64..6.0, -1.0f64..6.0),
        (-0.1f64..0.9, -0.1f64..0.9, -0.1f64..0.9),
        (-0.2f64..1.2, -1.0f64..4.0),
        (-0.5f64..2.0, -1.0f64..10.0),
    )
        .prop_map(
            |((cap, frozen), recent, min, (z, m), (l, md, h), (lambda, limit), (k, hh))| {
                let baseline = if frozen {
                    Baseline::Frozen(cap)
                } else {
                    Baseline::Rolling(cap)
                };
                DriftConfig::default()
                    .baseline(baseline)
                    .recent_window(recent)
                    .min_samples(min)
                    .z_threshold(z)
                    .robust_threshold(m)
                    .shift_bands(l, md, h)
                    .ewma(lambda, limit)
                    .cusum(k, hh)
            },
        )
}

fn sample() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -1e6f64..1e6,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(0.0),
        1 => Just(f64::MAX),
        1 => Just(-f64::MAX),
        1 => Just(f64::MIN_POSITIVE),
    ]
}

fn small_config() -> DriftConfig {
    DriftConfig::default()
        .baseline(Baseline::Rolling(40))
        .recent_window(8)
        .min_samples(10)
}

proptest! {
    #[test]
    fn any_config_is_validated_and_any_input_never_panics(
        config in any_config(),
        values in prop::collection::vec(sample(), 0..200),
    ) {
        let Ok(mut detector) = DriftDetector::new(config.clone()) else {
            prop_assert!(config.validate().is_err());
            return Ok(());
        };
        let mut refused = 0;
        for v in values {
            match detector.observe(v) {
                Ok(report) => {
                    for m in DriftMethod::ALL {
                        if let Some(score) = report.score(*m) {
                            prop_assert!(!score.is_nan(), "{m} scored NaN");
                        }
                        prop_assert!(!report.is_drifting(*m) || report.is_judged());
                    }
                }
                Err(err) => {
                    prop_assert!(!v.is_finite());
                    prop_assert_eq!(err.code(), "validation");
                    refused += 1;
                }
            }
        }
        prop_assert_eq!(detector.rejected(), refused);
    }

    #[test]
    fn scores_of_deviations_ignore_a_constant_offset(
        values in prop::collection::vec(-100.0f64..100.0, 20..120),
        offset in -1_000.0f64..1_000.0,
    ) {
        let mut plain = DriftDetector::new(small_config()).unwrap();
        let mut moved = DriftDetector::new(small_config()).unwrap();
        for v in values {
            let (a, b) = (plain.observe(v).unwrap(), moved.observe(v + offset).unwrap());
            prop_assert_eq!(a.is_judged(), b.is_judged());
            for m in [DriftMethod::ZScore, DriftMethod::RobustZ, DriftMethod::Ewma, DriftMethod::Cusum] {
                match (a.score(m), b.score(m)) {
                    (Some(x), Some(y)) => prop_assert!((x - y).abs() <= 1e-6 * (1.0 + x.abs()), "{m}: {x} vs {y}"),
                    // a spread at the edge of zero may round differently once offset
                    (x, y) => prop_assert!(x.is_none() || y.is_none()),
                }
            }
        }
    }

    #[test]
    fn the_relative_mean_shift_ignores_the_unit(
        values in prop::collection::vec(1.0f64..1_000.0, 20..120),
        scale in 1e-3f64..1e3,
    ) {
        let mut plain = DriftDetector::new(small_config()).unwrap();
        let mut scaled = DriftDetector::new(small_config()).unwrap();
        for v in values {
            let (a, b) = (plain.observe(v).unwrap(), scaled.observe(v * scale).unwrap());
            let (x, y) = (a.score(DriftMethod::MeanShift), b.score(DriftMethod::MeanShift));
            prop_assert_eq!(x.is_some(), y.is_some());
            if let (Some(x), Some(y)) = (x, y) {
                prop_assert!((x - y).abs() <= 1e-9 * (1.0 + x.abs()), "{x} vs {y}");
                prop_assert_eq!(a.band(), b.band());
            }
        }
    }

    #[test]
    fn a_constant_series_never_drifts(level in -1e9f64..1e9, len in 0usize..200) {
        let mut detector = DriftDetector::new(small_config()).unwrap();
        for _ in 0..len {
            let report = detector.observe(level).unwrap();
            prop_assert!(!report.any_drifting(), "{report:?}");
        }
    }
}
