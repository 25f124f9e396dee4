//! Property: whatever rule or SLO the constructors accept exports to a rule
//! file `promtool check rules` accepts, with label values, annotations and
//! names carried through unchanged.

mod common;

use std::process::Command;
use std::time::Duration;

use observa::alerts::rules::{AlertRule, Condition, Query, Selector};
use observa::alerts::{RuleFile, Sli, Slo};
use proptest::prelude::*;

fn rule_from(
    name: &str,
    label_value: &str,
    annotation: &str,
    threshold: f64,
    secs: u64,
) -> Option<AlertRule> {
    let selector = Selector::new("http_requests_total")
        .ok()?
        .label("route", label_value)
        .ok()?;
    let condition = match secs % 4 {
        0 => Query::gauge(selector).above(threshold).ok()?,
        1 => Query::rate(selector, Duration::from_secs(secs.max(1)))
            .ok()?
            .below(threshold)
            .ok()?,
        2 => Query::quantile(0.9, selector, Duration::from_secs(secs.max(1)))
            .ok()?
            .above(threshold)
            .ok()?,
        _ => Condition::absent(selector),
    };
    AlertRule::builder(name, condition)
        .for_duration(Duration::from_secs(secs))
        .label("team", label_value)
        .annotation("summary", annotation)
        .build()
        .ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn accepted_rules_and_slos_pass_promtool_check(
        name in "[a-zA-Z_][a-zA-Z0-9_:]{0,20}",
        label_value in "\\PC{1,24}|[\"\\\\\n\t\u{2028}\u{85} a-z]{1,12}",
        annotation in "[^{}]{1,40}|[a-z ]{0,10}\\{\\{ \\$value \\}\\}[^{}]{0,10}\\{\\{ \\$labels.route \\}\\}",
        threshold in -1e12f64..1e12,
        secs in 0u64..200_000,
        objective in 0.5f64..0.99999,
    ) {
        let Some(rule) = rule_from(&name, &label_value, &annotation, threshold, secs) else {
            return Ok(()); // refused: nothing to export
        };
        let total = Selector::new("api_requests_total").unwrap().label("job", label_value.as_str()).unwrap();
        let errors = total.clone().label("code", "500").unwrap();
        let slo = Slo::builder(format!("slo {label_value}"), Sli::errors_over_total(errors, total), objective).build();
        let mut file = RuleFile::new().group("g", None, vec![rule]).unwrap();
        if let Ok(slo) = &slo {
            file = file.slo(slo).unwrap();
        }
        let yaml = file.to_yaml();
        let Some(promtool) = common::peer("promtool") else { return Ok(()) };
        let path = std::env::temp_dir().join(format!("observa-export-{}.yml", std::process::id()));
        std::fs::write(&path, &yaml).unwrap();
        let out = Command::new(promtool).args(["check", "rules"]).arg(&path).output().unwrap();
        let _ = std::fs::remove_file(&path);
        prop_assert!(
            out.status.success(),
            "promtool refused:\n{}\n{}\n{yaml}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
