//! PromQL and Prometheus text helpers shared by the rule types and the rule
//! file: durations, numbers, quoted strings, and the floats Go templates print.

use std::fmt::Write as _;
use std::time::Duration;

use crate::error::{ObsError, Result};

/// Longest window or `for` duration a rule accepts (the longest SLO period).
pub const MAX_RULE_DURATION: Duration = Duration::from_secs(31 * 24 * 3600);

/// Checks that `d` is a whole number of seconds, at least `min_secs`, at most [`MAX_RULE_DURATION`].
pub(crate) fn check_duration(field: &'static str, d: Duration, min_secs: u64) -> Result<()> {
    if d.subsec_nanos() != 0 || d.as_secs() < min_secs || d > MAX_RULE_DURATION {
        return Err(ObsError::validation(
            "alert rule",
            field,
            format!("{d:?}"),
            format!("must be a whole number of seconds between {min_secs}s and 31d"),
        ));
    }
    Ok(())
}

/// `d` in Prometheus duration syntax, largest units first (`1h30m`, `3d`, `0s`).
pub(crate) fn duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if secs >= size {
            let _ = write!(out, "{}{unit}", secs / size);
            secs %= size;
        }
    }
    out
}

/// A finite number as a PromQL literal that parses back to the same `f64`.
pub(crate) fn number(value: f64) -> String {
    format!("{value}")
}

/// `value` as a PromQL double-quoted string. Control characters and
/// U+FFFD (which the PromQL lexer takes for invalid UTF-8) are written as
/// `\u` escapes.
pub(crate) fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() || c == '\u{FFFD}' => {
                let code = u32::from(c);
                let _ = if code > 0xFFFF {
                    write!(out, "\\U{code:08X}")
                } else {
                    write!(out, "\\u{code:04X}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` the way Go's `fmt` prints a `float64` with `%v` (what a
/// Prometheus template prints for `{{ $value }}`): the shortest digits that
/// read back exactly, in exponent form when the exponent is below -4 or at
/// least 6 (`1e+06`, `1.5e-05`), `NaN`, `+Inf`, `-Inf`.
///
/// ```
/// assert_eq!(observa::alerts::rules::go_float(2_500_000.0), "2.5e+06");
/// assert_eq!(observa::alerts::rules::go_float(0.25), "0.25");
/// ```
pub fn go_float(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `-1.2345e-7`.
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.abs());
    }
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_units() {
        let cases = [
            (0, "0s"),
            (59, "59s"),
            (300, "5m"),
            (5_400, "1h30m"),
            (259_200, "3d"),
            (90_061, "1d1h1m1s"),
        ];
        for (secs, text) in cases {
            assert_eq!(duration(Duration::from_secs(secs)), text);
        }
    }

    #[test]
    fn go_floats_match_fmt_v() {
        // Expected strings are what `fmt.Println(float64)` prints in Go.
        let cases = [
            (0.5, "0.5"),
            (12.0, "12"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (123456.0, "123456"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (1e21, "1e+21"),
        ];
        for (value, text) in cases {
            assert_eq!(go_float(value), text, "{value}");
        }
    }

    #[test]
    fn quoting_escapes_what_promql_needs() {
        assert_eq!(quoted("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(quoted("\u{FFFD}\t\u{85}é"), r#""\uFFFD\u0009\u0085é""#);
    }
}
