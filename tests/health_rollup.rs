//! One roll-up rule for recorded results and for runs of checks, a bounded
//! latest-per-component map whose evictions are counted, and a health module
//! that does not depend on the services.

use observa::health::{worst_wins, CheckOptions, HealthConfig, ProbeReport};
use observa::metrics::Format;
use observa::prelude::*;
use proptest::prelude::*;

fn obs(config: HealthConfig) -> Observability {
    Observability::builder()
        .service("orders", "1")
        .health(config)
        .build()
        .unwrap()
}

/// Registers one probe per `(status, critical)`, runs them, and returns
/// `(check_all().status(), overall())`.
fn both_answers(probes: &[(HealthStatus, bool)]) -> (HealthStatus, HealthStatus) {
    let obs = obs(HealthConfig::default());
    for (i, &(status, critical)) in probes.iter().enumerate() {
        let options = if critical {
            CheckOptions::critical()
        } else {
            CheckOptions::optional()
        };
        let report = move || ProbeReport::new(status, "as told");
        obs.health()
            .register_with(&format!("check_{i}"), options, report)
            .unwrap();
    }
    let report = obs.health().check_all();
    (report.status(), obs.health().overall())
}

#[test]
fn overall_and_check_all_agree_on_a_table_of_cases() {
    use HealthStatus::*;
    let table: &[(&[(HealthStatus, bool)], HealthStatus)] = &[
        (&[], Unknown),
        (&[(Healthy, true)], Healthy),
        (&[(Unknown, true)], Unknown),
        (&[(Unknown, true), (Healthy, true)], Healthy),
        (&[(Healthy, true), (Degraded, true)], Degraded),
        (&[(Healthy, true), (Unhealthy, false)], Degraded),
        (&[(Healthy, true), (Unhealthy, true)], Unhealthy),
        (&[(Healthy, true), (Healthy, true), (Unhealthy, true)], Unhealthy),
        (
            &[
                (Healthy, true),
                (Healthy, true),
                (Healthy, true),
                (Unhealthy, false),
            ],
            Degraded,
        ),
        (&[(Unhealthy, false), (Unhealthy, false)], Degraded),
        (&[(Degraded, false), (Unknown, true)], Degraded),
    ];
    for (probes, expected) in table {
        let (run, overall) = both_answers(probes);
        assert_eq!((run, overall), (*expected, *expected), "{probes:?}");
    }
}

fn any_status() -> impl Strategy<Value = HealthStatus> {
    prop::sample::select(HealthStatus::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn overall_and_check_all_agree_with_worst_wins(probes in prop::collection::vec((any_status(), any::<bool>()), 0..6)) {
        let (run, overall) = both_answers(&probes);
        prop_assert_eq!(run, overall);
        prop_assert_eq!(run, worst_wins(probes.iter().copied()));
    }
}

#[test]
fn the_latest_map_keeps_its_bound_and_counts_what_it_forgets() {
    const MAX: usize = 50;
    const COMPONENTS: usize = 400;
    let obs = obs(HealthConfig::default().max_components(MAX));
    for i in 0..COMPONENTS {
        let check = HealthCheck::new(format!("component_{i}"), HealthStatus::Healthy, "").unwrap();
        obs.health().record(check).unwrap();
    }
    let failing = HealthCheck::new("component_0", HealthStatus::Unhealthy, "down").unwrap();
    obs.health().record(failing).unwrap();
    let components = obs.health().components();
    assert_eq!(components.len(), MAX);
    assert!(
        obs.health().latest("component_1").is_none(),
        "the least recent is forgotten"
    );
    assert!(obs
        .health()
        .latest(&format!("component_{}", COMPONENTS - 1))
        .is_some());
    let forgotten = (COMPONENTS + 1 - MAX) as u64;
    assert_eq!(obs.health().components_evicted(), forgotten);
    assert_eq!(obs.health().overall(), HealthStatus::Unhealthy);
    let text = obs.render(Format::Prometheus).unwrap();
    let line =
        format!("observa_dropped_total{{kind=\"health_component\",reason=\"capacity\"}} {forgotten}\n");
    assert!(text.contains(&line), "{text}");
}

#[test]
fn the_default_bound_holds() {
    let obs = obs(HealthConfig::default());
    let over = observa::health::DEFAULT_MAX_COMPONENTS + 10;
    for i in 0..over {
        let check = HealthCheck::new(format!("c{i}"), HealthStatus::Healthy, "").unwrap();
        obs.health().record(check).unwrap();
    }
    assert_eq!(
        obs.health().components().len(),
        observa::health::DEFAULT_MAX_COMPONENTS
    );
}

#[test]
fn zero_bounds_are_configuration_errors() {
    for config in [
        HealthConfig::default().probe_workers(0),
        HealthConfig::default().max_components(0),
    ] {
        let built = Observability::builder()
            .service("orders", "1")
            .health(config)
            .build();
        assert_eq!(built.unwrap_err().code(), "configuration");
    }
}

/// The health module must not import the services (the services import it).
#[test]
fn the_health_module_does_not_depend_on_the_services() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/health");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for (n, line) in source.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            assert!(
                !code.contains("services"),
                "{}:{} refers to the services: {line}",
                path.display(),
                n + 1
            );
        }
    }
}
