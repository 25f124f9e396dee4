use super::*;
use crate::{AlertSeverity, AlertStatus};
use proptest::prelude::*;

fn alert_with(labels: &BTreeMap<String, String>, annotations: &BTreeMap<String, String>) -> Option<Alert> {
    let mut builder = Alert::builder("Disk full", "/var at 97%", AlertSeverity::High);
    for (name, value) in labels {
        builder = builder.label(name, value);
    }
    for (name, value) in annotations {
        builder = builder.annotation(name, value);
    }
    builder.build().ok()
}

proptest! {
    #[test]
    fn every_item_is_valid_api_v2_json_with_all_labels_and_annotations(
        labels in proptest::collection::btree_map("[a-z][a-z0-9_]{0,8}", "\\PC{0,20}", 0..6),
        annotations in proptest::collection::btree_map("[a-z][a-z0-9_]{0,8}", "[a-z\"\\\\]\\PC{0,20}", 0..4),
        resolved in any::<bool>(),
        generator in proptest::option::of("http://[a-z]{1,10}/x"),
    ) {
        let Some(mut alert) = alert_with(&labels, &annotations) else { return Ok(()) };
        if resolved {
            alert = alert.with_status(AlertStatus::Resolved, Utc::now()).unwrap();
        }
        let valid_until = Utc::now() + Duration::from_secs(240);
        let text = payload(&[&alert], valid_until, generator.as_deref()).to_string();
        let value: Value = serde_json::from_str(&text).unwrap();
        let item = &value.as_array().unwrap()[0];
        for (name, value) in alert.labels().iter() {
            prop_assert_eq!(item["labels"][name].as_str(), Some(value));
        }
        let alertname = labels.get("alertname").map_or("Disk full", String::as_str);
        prop_assert_eq!(item["labels"]["alertname"].as_str(), Some(alertname));
        for (name, value) in alert.annotations() {
            prop_assert_eq!(item["annotations"][name].as_str(), Some(value.as_str()));
        }
        let starts: DateTime<Utc> = item["startsAt"].as_str().unwrap().parse().unwrap();
        let ends: DateTime<Utc> = item["endsAt"].as_str().unwrap().parse().unwrap();
        prop_assert!(ends >= starts);
        let expected_end = alert.ends_at().unwrap_or(valid_until);
        prop_assert!((ends - expected_end).num_milliseconds().abs() <= 1);
        prop_assert_eq!(item["generatorURL"].as_str(), generator.as_deref());
    }
}

#[test]
fn firing_alerts_are_remembered_until_resolved_and_stay_bounded() {
    let mut am = AlertmanagerNotifier::new("http://127.0.0.1:9").unwrap();
    let first = Alert::new("a", "m", AlertSeverity::Low).unwrap();
    am.remember(&first);
    am.remember(&first);
    assert_eq!(am.firing.len(), 1);
    am.forget(first.id());
    assert!(am.firing.is_empty() && am.starts.is_empty());
    for i in 0..MAX_FIRING + 5 {
        am.remember(&Alert::new(format!("a{i}"), "m", AlertSeverity::Low).unwrap());
    }
    assert_eq!(am.firing.len(), MAX_FIRING);
    assert_eq!(am.starts.len(), MAX_FIRING);
}
