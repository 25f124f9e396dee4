use super::*;

const SAMPLED: TraceFlags = TraceFlags::SAMPLED;
const NOT_SAMPLED: TraceFlags = TraceFlags::NONE;

fn trace(low_half: &str) -> TraceId {
    format!("0af7651916cd43dd{low_half}").parse().unwrap()
}

#[test]
fn parent_based_cases_follow_the_specification() {
    use Decision::{Drop, RecordAndSample as Sample};
    let id = trace("8448eb211c80319c");
    let default = Sampler::default();
    let off_root = Sampler::parent_based(Sampler::always_off());
    let inverted: Sampler = ParentBased::new(Sampler::always_on())
        .remote_sampled(Sampler::always_off())
        .remote_not_sampled(Sampler::always_on())
        .local_sampled(Sampler::always_off())
        .local_not_sampled(Sampler::always_on())
        .into();
    // (parent, default, root off, every parent case inverted)
    let table = [
        (None, Sample, Drop, Sample),
        (Some((SAMPLED, true)), Sample, Sample, Drop),
        (Some((NOT_SAMPLED, true)), Drop, Drop, Sample),
        (Some((SAMPLED, false)), Sample, Sample, Drop),
        (Some((NOT_SAMPLED, false)), Drop, Drop, Sample),
        // other flag bits do not matter, only `sampled`
        (Some((TraceFlags::RANDOM, true)), Drop, Drop, Sample),
        (
            Some((TraceFlags::RANDOM.with_sampled(true), false)),
            Sample,
            Sample,
            Drop,
        ),
    ];
    for (parent, want_default, want_off_root, want_inverted) in table {
        assert_eq!(
            default.should_sample(parent, id, "op"),
            want_default,
            "{parent:?}"
        );
        assert_eq!(
            off_root.should_sample(parent, id, "op"),
            want_off_root,
            "{parent:?}"
        );
        assert_eq!(
            inverted.should_sample(parent, id, "op"),
            want_inverted,
            "{parent:?}"
        );
    }
}

#[test]
fn ratio_sampler_ignores_the_parent() {
    let half = Sampler::trace_id_ratio(0.5).unwrap();
    let (kept, dropped) = (trace("7fffffffffffffff"), trace("8000000000000000"));
    for parent in [None, Some((SAMPLED, true)), Some((NOT_SAMPLED, false))] {
        assert_eq!(half.should_sample(parent, kept, "op"), Decision::RecordAndSample);
        assert_eq!(half.should_sample(parent, dropped, "op"), Decision::Drop);
    }
}

#[test]
fn parent_based_ratio_applies_the_ratio_to_roots_only() {
    let sampler = Sampler::from_config("parentbased_traceidratio", Some("0")).unwrap();
    let id = trace("0000000000000001");
    assert_eq!(sampler.should_sample(None, id, "op"), Decision::Drop);
    assert_eq!(
        sampler.should_sample(Some((SAMPLED, true)), id, "op"),
        Decision::RecordAndSample
    );
}

#[test]
fn configuration_names_map_to_samplers() {
    let on = Sampler::always_on();
    let off = Sampler::always_off();
    let ratio = |r| Sampler::trace_id_ratio(r).unwrap();
    let cases = [
        ("always_on", None, on.clone()),
        ("ALWAYS_OFF", Some("0.3"), off.clone()),
        (" traceidratio ", Some("0.3"), ratio(0.3)),
        ("traceidratio", None, ratio(1.0)),
        ("parentbased_always_on", None, Sampler::parent_based(on)),
        ("parentbased_always_off", None, Sampler::parent_based(off)),
        (
            "parentbased_traceidratio",
            Some(" 0.25"),
            Sampler::parent_based(ratio(0.25)),
        ),
    ];
    for (name, argument, want) in cases {
        assert_eq!(Sampler::from_config(name, argument).unwrap(), want, "{name}");
    }
    assert_eq!(
        "parentbased_always_on".parse::<Sampler>().unwrap(),
        Sampler::default()
    );
}

#[test]
fn invalid_configuration_is_a_clear_error() {
    for (name, argument, mentions) in [
        ("traceidratio", Some("NaN"), "ratio"),
        ("traceidratio", Some("-0.5"), "ratio"),
        ("parentbased_traceidratio", Some("2"), "ratio"),
        ("parentbased_traceidratio", Some("often"), "ratio"),
        ("parentbased_jaeger_remote", None, "must be one of"),
        ("", None, "must be one of"),
    ] {
        let err = Sampler::from_config(name, argument).unwrap_err();
        assert_eq!(err.code(), "validation");
        assert!(err.to_string().contains(mentions), "{name}: {err}");
    }
}

#[test]
fn descriptions_match_the_sdk_style() {
    assert_eq!(
        Sampler::trace_id_ratio(0.0001).unwrap().description(),
        "TraceIdRatioBased{0.000100}"
    );
    assert_eq!(
        Sampler::trace_id_ratio(1.0).unwrap().description(),
        "TraceIdRatioBased{1.000000}"
    );
    let rates = PerOperation::new(Sampler::always_off())
        .rate("b", 0.5)
        .unwrap()
        .rate("a", 1.0)
        .unwrap();
    assert_eq!(
        Sampler::per_operation(rates).description(),
        "PerOperation{default:AlwaysOffSampler,operations:{a:TraceIdRatioBased{1.000000},\
         b:TraceIdRatioBased{0.500000}}}"
    );
}

#[test]
fn per_operation_uses_the_default_for_unknown_names() {
    let rates = PerOperation::new(Sampler::always_on())
        .rate("noisy", 0.0)
        .unwrap();
    let sampler = Sampler::per_operation(rates);
    let id = TraceId::random();
    assert_eq!(sampler.should_sample(None, id, "noisy"), Decision::Drop);
    assert_eq!(
        sampler.should_sample(None, id, "Noisy"),
        Decision::RecordAndSample
    );
    assert_eq!(
        sampler.should_sample(None, id, "other"),
        Decision::RecordAndSample
    );
}

#[test]
fn per_operation_rates_are_bounded_and_validated() {
    let mut rates = PerOperation::new(Sampler::always_on());
    for i in 0..MAX_OPERATIONS {
        rates = rates.rate(format!("op{i}"), 0.5).unwrap();
    }
    // replacing an existing name is still allowed at the cap
    let rates = rates.rate("op0", 0.1).unwrap();
    let err = rates.clone().rate("one more", 0.5).unwrap_err();
    assert_eq!(err.code(), "capacity");
    assert_eq!(rates.len(), MAX_OPERATIONS);
    assert!(PerOperation::new(Sampler::always_on()).rate("", 0.5).is_err());
    assert!(PerOperation::new(Sampler::always_on())
        .rate("x", f64::NAN)
        .is_err());
}
