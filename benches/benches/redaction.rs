//! `redaction`: scanning log text for secrets and personal data.
//!
//! - `observa`: `observa::redaction::Redactor::redact_text` with the default
//!   rules (e-mail, Bearer/Basic credentials, JWT, AWS access key ids,
//!   Luhn-checked card numbers).
//! - `regex`: one `regex::Regex` alternation of the same patterns (ASCII word
//!   boundaries, its fastest configuration) and `replace_all`, with the Luhn
//!   check done in the replacement closure as the regex cannot express it.
//!
//! `redaction_keys`: deciding whether ten typical attribute keys (one of
//! them sensitive) are sensitive: `Redactor::is_sensitive_key` against a
//! case-insensitive alternation of the same default
//! key fragments with `Regex::is_match`.
//!
//! Two inputs of about 4 KiB: log lines with nothing to redact (the common
//! case, where both return the text borrowed), and the same lines with a
//! secret of each kind planted.

mod common;

use std::borrow::Cow;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use observa::redaction::Redactor;
use regex::{Captures, Regex};

const CLEAN_LINES: &[&str] = &[
    "2026-11-22T07:44:11.123Z INFO checkout order=81723 items=3 total=129.95 EUR region=eu-west-1",
    "GET /api/v1/orders/81723?expand=items HTTP/1.1 200 OK in 12.4ms user_agent=\"Mozilla/5.0\"",
    "retrying payment provider call attempt 2 of 5 after 250ms backoff (status 503 Service Unavailable)",
    "cache miss for key product:4471:price, loading from database shard 7 took 3.2ms",
    "Élève Zoë a reçu la facture n° 2026-000912 — montant 42,00 € — merci de votre confiance",
    "worker pool resized from 8 to 12 threads; queue depth 1024, p99 latency 87ms, build 1.4.2",
];

const SECRETS: &[&str] = &[
    "notify ann.smith+orders@example.com about the refund",
    "Authorization: Bearer mF_9.B5f-4.1JqM2Kf8s7",
    "session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "using key AKIAIOSFODNN7EXAMPLE for the upload",
    "charged card 4111 1111 1111 1111 for 129.95 EUR",
];

fn text(with_secrets: bool) -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.len() < 4096 {
        out.push_str(CLEAN_LINES[i % CLEAN_LINES.len()]);
        out.push('\n');
        if with_secrets && i % 6 == 5 {
            out.push_str(SECRETS[(i / 6) % SECRETS.len()]);
            out.push('\n');
        }
        i += 1;
    }
    out
}

/// The same rules as `Redactor::default()`, as one regex.
fn regex_redactor() -> impl Fn(&str) -> Cow<'_, str> {
    let regex = Regex::new(concat!(
        r"(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",
        r"|(?P<scheme>(?i-u:\b(?:bearer|basic))[ \t]+)[A-Za-z0-9._~+/-]{8,}=*",
        r"|(?-u:\b)eyJ[A-Za-z0-9_-]{7,}\.ey[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
        r"|(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}(?-u:\b)",
        r"|(?-u:\b)(?P<card>[2-6][0-9](?:[ -]?[0-9]){11,17})(?-u:\b)",
    ))
    .unwrap();
    move |text| {
        regex.replace_all(text, |caps: &Captures| {
            if let Some(card) = caps.name("card") {
                let digits: Vec<u32> = card
                    .as_str()
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .map(|b| u32::from(b - b'0'))
                    .collect();
                if !luhn(&digits) {
                    return card.as_str().to_owned();
                }
            }
            let scheme = caps.name("scheme").map_or("", |m| m.as_str());
            format!("{scheme}[REDACTED]")
        })
    }
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = if i % 2 == 1 { d * 2 } else { d };
            d / 10 + d % 10
        })
        .sum();
    sum % 10 == 0
}

fn redaction(c: &mut Criterion) {
    let observa = Redactor::default();
    let regex = regex_redactor();
    for (name, with_secrets) in [("clean_4k", false), ("secrets_4k", true)] {
        let input = text(with_secrets);
        // both redact the same way before they are timed
        assert_eq!(observa.redact_text(&input), regex(&input), "{name}");
        let mut group = c.benchmark_group(format!("redaction_{name}"));
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function("observa", |b| {
            b.iter(|| observa.redact_text(black_box(&input)).len())
        });
        group.bench_function("regex", |b| b.iter(|| regex(black_box(&input)).len()));
        group.finish();
    }
}

const KEYS: &[&str] = &[
    "http.request.method",
    "url.path",
    "http.response.status_code",
    "user_agent.original",
    "server.address",
    "db.system",
    "db.statement",
    "messaging.destination.name",
    "http.request.header.authorization",
    "exception.message",
];

fn key_rules(c: &mut Criterion) {
    let observa = Redactor::default();
    let pattern = observa::redaction::DEFAULT_KEYS
        .iter()
        .map(|k| regex::escape(k))
        .collect::<Vec<_>>()
        .join("|");
    let regex = Regex::new(&format!("(?i-u:{pattern})")).unwrap();
    let sensitive = |is: &dyn Fn(&str) -> bool| KEYS.iter().filter(|k| is(k)).count();
    assert_eq!(sensitive(&|k| observa.is_sensitive_key(k)), 1);
    assert_eq!(sensitive(&|k| regex.is_match(k)), 1);
    let mut group = c.benchmark_group("redaction_keys");
    group.throughput(Throughput::Elements(KEYS.len() as u64));
    group.bench_function("observa", |b| {
        b.iter(|| {
            black_box(KEYS)
                .iter()
                .filter(|k| observa.is_sensitive_key(k))
                .count()
        })
    });
    group.bench_function("regex", |b| {
        b.iter(|| black_box(KEYS).iter().filter(|k| regex.is_match(k)).count())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = redaction, key_rules
}
criterion_main!(benches);
