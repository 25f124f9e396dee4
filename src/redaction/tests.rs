//! Whole-redactor tests: planted secrets never survive, clean text is
//! untouched, and adversarial inputs stay linear.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

/// A piece of generated text: what is written and what must come out.
#[derive(Clone, Debug)]
struct Piece {
    text: String,
    /// The secret itself (empty for clean text).
    core: String,
    expected: String,
    pattern: Option<Pattern>,
}

fn clean(text: String) -> Piece {
    Piece {
        expected: text.clone(),
        text,
        core: String::new(),
        pattern: None,
    }
}

fn secret(pattern: Pattern, prefix: &str, core: String) -> Piece {
    Piece {
        text: format!("{prefix}{core}"),
        core,
        expected: format!("{prefix}{DEFAULT_REPLACEMENT}"),
        pattern: Some(pattern),
    }
}

/// Everyday log words that hold no secret: words, numbers glued to a unit,
/// versions, timestamps, handles, punctuation, non-ASCII text.
fn filler() -> impl Strategy<Value = Piece> {
    prop_oneof![
        "[a-zA-Z]{1,12}",
        "[0-9]{1,4}(ms|kb|x)",
        "v[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z",
        "@[a-z]{1,8}",
        "[,:;=()\"'/#!?*-]",
        "(été|日本語|żółw|ñandú)",
    ]
    .prop_map(clean)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            let c = if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            };
            out.push(char::from(c));
        }
    }
    out
}

fn card() -> impl Strategy<Value = String> {
    (
        2u8..=6,
        proptest::collection::vec(0u8..10, 11..=17),
        prop_oneof![Just(""), Just(" "), Just("-")],
    )
        .prop_map(|(first, rest, separator)| {
            let mut digits = vec![first];
            digits.extend(rest);
            digits.push(luhn::check_digit(&digits));
            let text: Vec<String> = digits
                .chunks(4)
                .map(|g| g.iter().map(|d| d.to_string()).collect())
                .collect();
            text.join(separator)
        })
}

fn secrets() -> impl Strategy<Value = Piece> {
    prop_oneof![
        "[a-z0-9][a-z0-9._+-]{0,11}@[a-z0-9]{1,8}(\\.[a-z0-9-]{1,8}){0,2}\\.[a-z]{2,6}".prop_map(|s| secret(
            Pattern::Email,
            "",
            s
        )),
        "[A-Za-z0-9._~+/-]{8,40}=?".prop_map(|s| secret(Pattern::Credential, "Bearer ", s)),
        proptest::collection::vec(any::<u8>(), 6..30).prop_map(|b| secret(
            Pattern::Credential,
            "authorization: basic ",
            base64(&b)
        )),
        "eyJ[A-Za-z0-9_-]{7,30}\\.ey[A-Za-z0-9_-]{8,30}\\.[A-Za-z0-9_-]{0,40}".prop_map(|s| secret(
            Pattern::Jwt,
            "",
            s
        )),
        "(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}".prop_map(|s| secret(Pattern::AwsAccessKeyId, "", s)),
        card().prop_map(|s| secret(Pattern::CardNumber, "", s)),
    ]
}

/// What joins the pieces. Not a lone space or dash: a card number joined
/// that way to a following number is ambiguous (see the module docs), and
/// the redactor then takes the longer run.
fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("\n"),
        Just("\t"),
        Just(", "),
        Just("; "),
        Just(" | "),
        Just("  ")
    ]
}

fn join(pieces: &[Piece], separators: &[&str]) -> (String, String) {
    let mut text = String::new();
    let mut expected = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            let sep = separators[i % separators.len()];
            text.push_str(sep);
            expected.push_str(sep);
        }
        text.push_str(&piece.text);
        expected.push_str(&piece.expected);
    }
    (text, expected)
}

proptest! {
    #[test]
    fn planted_secrets_never_survive(
        pieces in proptest::collection::vec(prop_oneof![3 => filler(), 1 => secrets()], 1..40),
        separators in proptest::collection::vec(separator(), 1..4),
    ) {
        let redactor = Redactor::default();
        let (text, expected) = join(&pieces, &separators);
        let redacted = redactor.redact_text(&text);
        prop_assert_eq!(redacted.as_ref(), expected.as_str());
        for piece in pieces.iter().filter(|p| p.pattern.is_some()) {
            prop_assert!(!redacted.contains(&piece.core), "{} survived", piece.core);
        }
        for pattern in Pattern::ALL {
            let planted = pieces.iter().filter(|p| p.pattern == Some(pattern)).count() as u64;
            prop_assert_eq!(redactor.counts().pattern(pattern), planted, "{}", pattern);
        }
    }

    #[test]
    fn text_without_secrets_is_borrowed_unchanged(
        pieces in proptest::collection::vec(filler(), 0..60),
        separators in proptest::collection::vec(separator(), 1..4),
    ) {
        let redactor = Redactor::default().with_pattern(Pattern::Ipv4);
        let (text, _) = join(&pieces, &separators);
        prop_assert!(matches!(redactor.redact_text(&text), Cow::Borrowed(t) if t == text));
        prop_assert_eq!(redactor.counts().total(), 0);
    }

    #[test]
    fn planted_addresses_never_survive_when_ipv4_is_on(
        octets in proptest::array::uniform4(any::<u8>()),
        before in filler(),
        after in filler(),
    ) {
        let redactor = Redactor::default().with_pattern(Pattern::Ipv4);
        let address = octets.map(|o| o.to_string()).join(".");
        let text = format!("{} {address} {}", before.text, after.text);
        let expected = format!("{} {DEFAULT_REPLACEMENT} {}", before.text, after.text);
        prop_assert_eq!(redactor.redact_text(&text), expected);
    }

    #[test]
    fn arbitrary_text_never_panics_and_is_kept_when_nothing_matches(text in "\\PC{0,200}") {
        let redactor = Redactor::default().with_pattern(Pattern::Ipv4);
        let redacted = redactor.redact_text(&text);
        if redactor.counts().total() == 0 {
            prop_assert_eq!(redacted.as_ref(), text.as_str());
        }
    }
}

#[test]
fn near_misses_pass_through() {
    let redactor = Redactor::default();
    for text in [
        "order 4111111111111113 shipped",       // a 16-digit id failing Luhn
        "order id 1700000000123 at 1700000000", // millisecond timestamps
        "released lodash@4.17.21 and v1.2.3.4",
        "Bearer token expired",
        "Basic authentication required",
        "the AKIA prefix alone",
        "eyJhbGciOiJIUzI1NiJ9 is a header only",
        "mail me at ann at example dot com",
        "client 10.1.2.3", // IPv4 is off by default
    ] {
        assert_eq!(redactor.redact_text(text), text);
    }
    assert_eq!(redactor.counts().total(), 0);
}

#[test]
fn key_rules_come_before_patterns_and_are_counted_apart() {
    let redactor = Redactor::default();
    assert_eq!(redactor.redact_value("API-KEY", "plain"), DEFAULT_REPLACEMENT);
    assert_eq!(
        redactor.redact_value("contact", "ann@example.com"),
        DEFAULT_REPLACEMENT
    );
    assert_eq!(redactor.redact_value("contact", "nobody"), "nobody");
    let counts = redactor.counts();
    assert_eq!((counts.keys(), counts.pattern(Pattern::Email)), (1, 1));
}

#[test]
fn an_empty_redactor_changes_nothing() {
    let redactor = Redactor::empty();
    let text = "password ann@example.com 4111111111111111 AKIAIOSFODNN7EXAMPLE";
    assert_eq!(redactor.redact_value("password", text), text);
    assert_eq!(redactor.key_rules().count(), 0);
}

#[test]
fn adjacent_matches_are_all_replaced() {
    let redactor = Redactor::default();
    assert_eq!(
        redactor.redact_text("a@example.com,b@example.org AKIAIOSFODNN7EXAMPLE 4111111111111111"),
        "[REDACTED],[REDACTED] [REDACTED] [REDACTED]"
    );
}

/// Inputs that make a backtracking matcher or a careless scanner quadratic.
#[test]
fn one_mebibyte_adversarial_inputs_finish_fast() {
    const MIB: usize = 1 << 20;
    let redactor = Redactor::default().with_pattern(Pattern::Ipv4);
    let repeat = |unit: &str| unit.repeat(MIB / unit.len());
    let inputs = [
        repeat("a"),
        repeat("a@"),
        repeat("a.a@"),
        format!("{}@example.com", repeat("x")),
        format!("eyJ{}", repeat("a")),
        repeat("eyJaaaaaaaaaaaa."),
        repeat("Bearer "),
        format!("Bearer {}", repeat(" ")),
        repeat("4 "),
        repeat("41-"),
        repeat("1.1."),
        repeat("AKIA"),
        repeat("4111111111111111 "),
        repeat("lorem ipsum 2026-11-22 dolor, "),
    ];
    for input in &inputs {
        let started = Instant::now();
        let redacted = redactor.redact_text(input);
        let took = started.elapsed();
        // linear scans take well under a second even unoptimised; a quadratic
        // one on 1 MiB takes minutes
        assert!(
            took < Duration::from_secs(10),
            "{:?}… took {took:?}",
            &input[..16]
        );
        assert!(redacted.len() <= input.len() + MIB * DEFAULT_REPLACEMENT.len());
    }
}

/// A JSON document of random shape: secrets as string values, as values of
/// sensitive keys (any JSON type), and card numbers as integers.
fn document() -> impl Strategy<Value = (serde_json::Value, Vec<String>)> {
    let leaf = prop_oneof![
        filler().prop_map(|p| (serde_json::Value::from(p.text), Vec::new())),
        secrets().prop_map(|p| (serde_json::Value::from(p.text), vec![p.core])),
        (2u64..=6, 0u64..10u64.pow(14)).prop_map(|(first, rest)| {
            let payload: Vec<u8> = format!("{first}{rest:014}").bytes().map(|b| b - b'0').collect();
            let card = format!("{first}{rest:014}{}", luhn::check_digit(&payload));
            (serde_json::Value::from(card.parse::<u64>().unwrap()), vec![card])
        }),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        let key = prop_oneof!["[a-z_.]{1,10}", "(password|Authorization|x-api-key|session_id)"];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(|items| {
                let secrets = items.iter().flat_map(|(_, s)| s.clone()).collect();
                (
                    serde_json::Value::Array(items.into_iter().map(|(v, _)| v).collect()),
                    secrets,
                )
            }),
            proptest::collection::vec((key, inner), 0..5).prop_map(|members| {
                let secrets = members.iter().flat_map(|(_, (_, s))| s.clone()).collect();
                let object = members.into_iter().map(|(k, (v, _))| (k, v)).collect();
                (serde_json::Value::Object(object), secrets)
            }),
        ]
    })
}

proptest! {
    #[test]
    fn planted_secrets_never_reach_serialised_json((mut document, secrets) in document()) {
        Redactor::default().redact_json(&mut document);
        let bytes = serde_json::to_string(&document).unwrap();
        for secret in &secrets {
            // JSON escapes `/` nowhere and `+`, `=`, `~` never: the text is comparable as is
            prop_assert!(!bytes.contains(secret.as_str()), "{} survived in {}", secret, bytes);
        }
    }
}
