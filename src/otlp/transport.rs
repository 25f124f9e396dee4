//! One OTLP/HTTP request: body encoding and compression, the POST, and what
//! its answer means (delivered, retry, or rejected for good).

use std::io::Write as _;
use std::time::Duration;

use chrono::{DateTime, Utc};
use flate2::write::GzEncoder;

use super::config::{Compression, SignalSettings};
use super::proto::{Encoding, OtlpMessage};

/// The largest response body read (a partial-success message is small).
const MAX_RESPONSE: u64 = 64 * 1024;

/// What became of one attempt.
#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    /// 2xx; `rejected` items the server refused in a partial success.
    Delivered { rejected: i64 },
    /// 429, 502, 503, 504 or no answer: try again, after `retry_after` if the server said so.
    Retry {
        retry_after: Option<Duration>,
        reason: String,
    },
    /// Any other status: the same request would fail again.
    Rejected { reason: String },
}

/// A request body ready to send.
pub(crate) struct Body {
    bytes: Vec<u8>,
    encoding: Encoding,
    compression: Compression,
}

impl Body {
    /// Encodes (and gzips, if configured) `message` for `settings`.
    pub(crate) fn new<M: OtlpMessage>(message: &M, settings: &SignalSettings) -> Body {
        let raw = settings.encoding.encode(message);
        let bytes = match settings.compression {
            Compression::None => raw,
            Compression::Gzip => gzip(&raw),
        };
        Body {
            bytes,
            encoding: settings.encoding,
            compression: settings.compression,
        }
    }
}

fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(raw.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(raw);
    encoder.finish().unwrap_or_default()
}

/// The blocking HTTP client, one per exporter thread.
pub(crate) struct Transport {
    agent: ureq::Agent,
}

impl Transport {
    pub(crate) fn new() -> Transport {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_idle_connections(4)
            .build();
        Transport {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// POSTs `body` to the signal's URL within `timeout`; `R` is the
    /// response message, read for its partial-success count.
    pub(crate) fn send<R: OtlpMessage + PartialSuccess>(
        &self,
        settings: &SignalSettings,
        body: &Body,
        timeout: Duration,
    ) -> Outcome {
        let mut request = self
            .agent
            .post(&settings.url)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("content-type", body.encoding.content_type());
        if body.compression == Compression::Gzip {
            request = request.header("content-encoding", "gzip");
        }
        for (name, value) in &settings.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut response = match request.send(&body.bytes[..]) {
            Ok(response) => response,
            Err(e) => {
                return Outcome::Retry {
                    retry_after: None,
                    reason: e.to_string(),
                }
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()));
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .unwrap_or_default();
        classify(status, retry_after, || {
            let encoding = content_type
                .as_deref()
                .and_then(Encoding::from_content_type)
                .unwrap_or(body.encoding);
            encoding.decode::<R>(&text).map(|r| r.rejected()).unwrap_or(0)
        })
    }
}

/// What a status means; `rejected` reads the partial success of a 2xx.
pub(crate) fn classify(
    status: u16,
    retry_after: Option<Duration>,
    rejected: impl FnOnce() -> i64,
) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered { rejected: rejected() },
        429 | 502 | 503 | 504 => Outcome::Retry {
            retry_after,
            reason: format!("HTTP {status}"),
        },
        _ => Outcome::Rejected {
            reason: format!("HTTP {status}"),
        },
    }
}

/// `Retry-After` as delay-seconds, or as an HTTP date (IMF-fixdate,
/// `Wed, 21 Oct 2015 07:28:00 GMT`) turned into the wait from `now` (zero
/// when the date has passed); `None` for anything else.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        date.with_timezone(&Utc)
            .signed_duration_since(now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// The rejected count of a response's partial success.
pub(crate) trait PartialSuccess {
    fn rejected(&self) -> i64;
}

macro_rules! partial_success {
    ($($ty:ident => $field:ident),*) => {
        $(impl PartialSuccess for super::proto::$ty {
            fn rejected(&self) -> i64 {
                self.partial_success.as_ref().map_or(0, |p| p.$field)
            }
        })*
    };
}

partial_success!(
    ExportTraceServiceResponse => rejected_spans,
    ExportLogsServiceResponse => rejected_log_records,
    ExportMetricsServiceResponse => rejected_data_points
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_throttling_and_gateway_errors_are_retried() {
        for status in [429, 502, 503, 504] {
            assert!(
                matches!(classify(status, None, || 0), Outcome::Retry { .. }),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 413, 500, 501] {
            assert!(
                matches!(classify(status, None, || 0), Outcome::Rejected { .. }),
                "{status}"
            );
        }
        assert_eq!(classify(200, None, || 3), Outcome::Delivered { rejected: 3 });
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = at("2015-10-21T07:27:30Z");
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means no wait"
        );
        for junk in ["", "soon", "-3", "1.5", "Wed, 32 Oct 2015 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn retry_after_never_panics(value in ".{0,64}", seconds in 0i64..4_102_444_800) {
            let now = DateTime::from_timestamp(seconds, 0).unwrap();
            let _ = parse_retry_after(&value, now);
        }

        #[test]
        fn retry_after_dates_give_the_wait_until_them(now in 0i64..4_000_000_000, wait in 0u32..100_000) {
            let now = DateTime::from_timestamp(now, 0).unwrap();
            let date = now + chrono::Duration::seconds(i64::from(wait));
            let header = date.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            proptest::prop_assert_eq!(
                parse_retry_after(&header, now),
                Some(Duration::from_secs(u64::from(wait)))
            );
        }
    }

    #[test]
    fn gzip_bodies_inflate_to_the_encoded_message() {
        use std::io::Read as _;
        let request = super::super::proto::ExportTraceServiceRequest::default();
        let mut settings = super::super::config::OtlpConfig::default()
            .compression(Compression::Gzip)
            .encoding(Encoding::Json)
            .signals[0]
            .clone();
        settings.enabled = true;
        let body = Body::new(&request, &settings);
        let mut text = String::new();
        flate2::read::GzDecoder::new(&body.bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, r#"{"resourceSpans":[]}"#);
    }
}
