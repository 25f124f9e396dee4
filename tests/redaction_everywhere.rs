//! Secrets planted in log bodies, log fields, span attributes and span event
//! names never reach a sink's output (JSON or console lines), the
//! repositories, or an entity's serialised form.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use observa::sinks::{ConsoleFormat, ConsoleSink, MemorySink, Resource};
use observa::{LogEntry, LogLevel, Observability, SpanEvent, SpanStatus};
use proptest::prelude::*;

/// A `Write` whose bytes stay readable after the sink that owns it is gone.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A Luhn-valid 16-digit card number starting with 4.
fn card() -> impl Strategy<Value = String> {
    proptest::collection::vec(0u32..10, 14).prop_map(|digits| {
        let mut number: Vec<u32> = std::iter::once(4).chain(digits).collect();
        // double every second digit from the right, the check digit excluded
        let sum: u32 = number
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                if i % 2 == 0 {
                    if d * 2 > 9 {
                        d * 2 - 9
                    } else {
                        d * 2
                    }
                } else {
                    d
                }
            })
            .sum();
        number.push((10 - sum % 10) % 10);
        number.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect()
    })
}

/// One planted secret: the text to plant and the part that must vanish.
fn secret() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        "[a-z]{3,8}\\.[a-z]{2,6}@[a-z]{3,8}\\.(com|org|io)".prop_map(|s| (s.clone(), s)),
        "[A-Za-z0-9_\\-]{16,32}".prop_map(|t| (format!("Bearer {t}"), t)),
        (
            "[A-Za-z0-9_\\-]{10,20}",
            "[A-Za-z0-9_\\-]{10,40}",
            "[A-Za-z0-9_\\-]{16,43}"
        )
            .prop_map(|(h, p, s)| {
                let jwt = format!("eyJ{h}.ey{p}.{s}");
                (jwt.clone(), jwt)
            }),
        "(AKIA|ASIA)[A-Z2-7]{16}".prop_map(|s| (s.clone(), s)),
        card().prop_map(|s| (s.clone(), s)),
    ]
}

/// Filler words around the secret: letters only, so nothing joins it.
fn text_around(secret: &str) -> impl Strategy<Value = String> {
    let secret = secret.to_owned();
    (
        proptest::collection::vec("[a-z]{1,8}", 0..6),
        proptest::collection::vec("[a-z]{1,8}", 0..6),
    )
        .prop_map(move |(before, after)| {
            let mut words = before;
            words.push(secret.clone());
            words.extend(after);
            words.join(" ")
        })
}

#[derive(Debug, Clone)]
struct Case {
    body: String,
    field: String,
    attribute: String,
    event: String,
    key: &'static str,
    key_value: String,
    secrets: Vec<String>,
}

fn case() -> impl Strategy<Value = Case> {
    let keys = prop::sample::select(vec![
        "password",
        "api_key",
        "db_token",
        "X-Session-Id",
        "Authorization",
    ]);
    (secret(), secret(), secret(), secret(), keys, "[A-Za-z0-9]{12,24}").prop_flat_map(
        |(body, field, attribute, event, key, key_value)| {
            let secrets = vec![
                body.1.clone(),
                field.1.clone(),
                attribute.1.clone(),
                event.1.clone(),
                key_value.clone(),
            ];
            (
                text_around(&body.0),
                text_around(&field.0),
                text_around(&attribute.0),
                text_around(&event.0),
            )
                .prop_map(move |(b, f, a, e)| Case {
                    body: b,
                    field: f,
                    attribute: a,
                    // event names are short names: at most 128 characters
                    event: e.chars().take(128).collect(),
                    key,
                    key_value: key_value.clone(),
                    secrets: secrets.clone(),
                })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_planted_secret_leaves_the_service(case in case()) {
        let resource = Resource::new("shop", "1");
        let logs_json = MemorySink::new(resource.clone(), 100);
        let spans_json = MemorySink::new(resource.clone(), 100);
        let console = Shared::default();
        let obs = Observability::builder()
            .service("shop", "1")
            .log_sink(logs_json.clone())
            .log_sink(ConsoleSink::new(console.clone(), resource.clone(), ConsoleFormat::Pretty { colour: false }))
            .span_sink(spans_json.clone())
            .build()
            .unwrap();

        let entry = LogEntry::builder(LogLevel::Error, case.body.clone())
            .field("note", case.field.clone())
            .field(case.key, case.key_value.clone())
            .field("nested", serde_json::json!({ "inner": case.field.clone(), case.key: case.key_value.clone() }))
            .build()
            .unwrap();
        obs.logs().record(entry).unwrap();
        let span = obs.tracing().start_trace("checkout").unwrap()
            .with_attribute("note", case.attribute.clone()).unwrap()
            .with_attribute(case.key, case.key_value.clone()).unwrap()
            .with_event(SpanEvent::new(case.event.clone()).unwrap()).unwrap();
        let trace_id = span.trace_id();
        let returned = obs.tracing().finish(span, SpanStatus::Ok).unwrap();
        prop_assert!(obs.flush(Duration::from_secs(5)));

        let mut outputs = vec![
            ("log sink", logs_json.lines().join("\n")),
            ("span sink", spans_json.lines().join("\n")),
            ("console sink", String::from_utf8(console.0.lock().unwrap().clone()).unwrap()),
            ("log repository", serde_json::to_string(&obs.logs().recent(10).unwrap()).unwrap()),
            ("span repository", serde_json::to_string(&obs.tracing().spans(trace_id).unwrap()).unwrap()),
            ("finished span", serde_json::to_string(&returned).unwrap()),
        ];
        prop_assert_eq!(logs_json.lines().len(), 1);
        prop_assert_eq!(spans_json.lines().len(), 1);
        outputs.push(("rendered metrics", obs.render(observa::metrics::Format::Prometheus).unwrap()));
        for (outlet, text) in &outputs {
            for secret in &case.secrets {
                prop_assert!(!text.contains(secret.as_str()), "{} leaked {:?}:\n{}", outlet, secret, text);
            }
        }
        prop_assert!(logs_json.lines()[0].contains("[REDACTED]"));
    }
}

#[test]
fn redaction_can_be_turned_off() {
    let lines = MemorySink::new(Resource::new("shop", "1"), 10);
    let obs = Observability::builder()
        .service("shop", "1")
        .redactor(observa::redaction::Redactor::empty())
        .log_sink(lines.clone())
        .build()
        .unwrap();
    obs.logs().log(LogLevel::Info, "mail ann@example.com").unwrap();
    assert!(obs.flush(Duration::from_secs(5)));
    assert!(lines.lines()[0].contains("ann@example.com"));
}
