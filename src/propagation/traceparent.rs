//! The `traceparent` header: version, trace id, parent id and flags.

use std::fmt;
use std::str::FromStr;

use crate::domain::{parse_lower_hex as lower_hex, SpanId, TraceId};
use crate::error::{ObsError, Result};

/// Length of a version-00 `traceparent` value: `00-` + 32 + `-` + 16 + `-` + 2.
const VERSION_00_LEN: usize = 55;

/// The 8-bit `trace-flags` field.
///
/// Bit 0 is `sampled`; bit 1 (Trace Context Level 2) says the right-most 7
/// bytes of the trace id are random. Other bits are reserved: read as given,
/// sent as zero.
///
/// ```
/// use observa::propagation::TraceFlags;
///
/// let flags = TraceFlags::SAMPLED.with_random(true);
/// assert!(flags.is_sampled() && flags.is_random());
/// assert_eq!(flags.to_string(), "03");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TraceFlags(u8);

impl TraceFlags {
    /// No flag set: not sampled.
    pub const NONE: TraceFlags = TraceFlags(0);
    /// The `sampled` flag (bit 0).
    pub const SAMPLED: TraceFlags = TraceFlags(0x01);
    /// The Level 2 `random-trace-id` flag (bit 1).
    pub const RANDOM: TraceFlags = TraceFlags(0x02);
    /// The bits defined so far; the others are sent as zero.
    const KNOWN: u8 = 0x03;

    /// Flags from the raw byte as received (reserved bits kept).
    pub const fn from_byte(byte: u8) -> TraceFlags {
        TraceFlags(byte)
    }
    /// The raw byte.
    pub const fn to_byte(self) -> u8 {
        self.0
    }
    /// Whether the caller sampled this trace.
    pub const fn is_sampled(self) -> bool {
        self.0 & Self::SAMPLED.0 != 0
    }
    /// Whether the trace id's right-most 7 bytes are random (Level 2).
    pub const fn is_random(self) -> bool {
        self.0 & Self::RANDOM.0 != 0
    }
    /// The same flags with `sampled` set or cleared.
    #[must_use]
    pub const fn with_sampled(self, sampled: bool) -> TraceFlags {
        self.with_bit(Self::SAMPLED.0, sampled)
    }
    /// The same flags with `random-trace-id` set or cleared.
    #[must_use]
    pub const fn with_random(self, random: bool) -> TraceFlags {
        self.with_bit(Self::RANDOM.0, random)
    }
    const fn with_bit(self, bit: u8, on: bool) -> TraceFlags {
        TraceFlags(if on { self.0 | bit } else { self.0 & !bit })
    }
}

impl fmt::Display for TraceFlags {
    /// Two lowercase hex digits of the flags as sent: reserved bits cleared.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02x}", self.0 & Self::KNOWN)
    }
}

/// A parsed `traceparent`: which trace a request belongs to and which span
/// sent it.
///
/// Parsing follows the W3C Trace Context grammar strictly: lowercase hex
/// only, ids never all zero, version `ff` refused, a version-00 value exactly
/// 55 characters; a higher version is read for its version-00 fields and the
/// rest ignored. Spaces and tabs around the value are tolerated. The value is
/// always written as version `00`.
///
/// ```
/// use observa::propagation::TraceParent;
///
/// let header = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
/// let parent: TraceParent = header.parse()?;
/// assert!(parent.flags().is_sampled());
/// assert_eq!(parent.to_string(), header);
/// assert!("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01".parse::<TraceParent>().is_err());
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TraceParent {
    trace_id: TraceId,
    parent_id: SpanId,
    flags: TraceFlags,
}

impl TraceParent {
    /// A `traceparent` for `trace_id`, sent by span `parent_id`.
    pub fn new(trace_id: TraceId, parent_id: SpanId, flags: TraceFlags) -> TraceParent {
        TraceParent {
            trace_id,
            parent_id,
            flags,
        }
    }
    /// The trace the request belongs to.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }
    /// The span that sent the request.
    pub fn parent_id(&self) -> SpanId {
        self.parent_id
    }
    /// The trace flags.
    pub fn flags(&self) -> TraceFlags {
        self.flags
    }
    /// The same trace continued by span `span_id`: what a service forwards
    /// after starting its own span. Flags are kept.
    #[must_use]
    pub fn child(&self, span_id: SpanId) -> TraceParent {
        TraceParent {
            parent_id: span_id,
            ..*self
        }
    }
    /// The same parent with `sampled` updated.
    #[must_use]
    pub fn with_flags(&self, flags: TraceFlags) -> TraceParent {
        TraceParent { flags, ..*self }
    }
}

fn invalid(value: &str, rule: &str) -> ObsError {
    ObsError::validation("traceparent", "value", value, rule)
}

impl FromStr for TraceParent {
    type Err = ObsError;

    fn from_str(raw: &str) -> Result<TraceParent> {
        let value = raw.trim_matches([' ', '\t']);
        if !value.is_ascii() {
            return Err(invalid(raw, "must be ASCII"));
        }
        if value.len() < VERSION_00_LEN {
            return Err(invalid(raw, "is shorter than a version-00 value (55 characters)"));
        }
        let [version] = lower_hex::<1>(&value[0..2])
            .ok_or_else(|| invalid(raw, "version must be 2 lowercase hex digits"))?;
        if version == 0xff {
            return Err(invalid(raw, "version ff is forbidden"));
        }
        let dashes_in_place = [2, 35, 52].iter().all(|&at| value.as_bytes()[at] == b'-');
        if !dashes_in_place {
            return Err(invalid(raw, "fields must be separated by single dashes"));
        }
        let ends_right = match version {
            0 => value.len() == VERSION_00_LEN,
            _ => value.len() == VERSION_00_LEN || value.as_bytes()[VERSION_00_LEN] == b'-',
        };
        if !ends_right {
            return Err(invalid(raw, "unexpected characters after the trace flags"));
        }
        let trace = lower_hex::<16>(&value[3..35])
            .ok_or_else(|| invalid(raw, "trace id must be 32 lowercase hex digits"))?;
        let parent = lower_hex::<8>(&value[36..52])
            .ok_or_else(|| invalid(raw, "parent id must be 16 lowercase hex digits"))?;
        let [flags] = lower_hex::<1>(&value[53..55])
            .ok_or_else(|| invalid(raw, "flags must be 2 lowercase hex digits"))?;
        Ok(TraceParent {
            trace_id: TraceId::from_bytes(trace)
                .map_err(|_| invalid(raw, "trace id must not be all zero"))?,
            parent_id: SpanId::from_bytes(parent)
                .map_err(|_| invalid(raw, "parent id must not be all zero"))?,
            flags: TraceFlags::from_byte(flags),
        })
    }
}

impl fmt::Display for TraceParent {
    /// The version-00 header value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "00-{}-{}-{}", self.trace_id, self.parent_id, self.flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
    const PARENT: &str = "b7ad6b7169203331";

    fn parse(value: &str) -> Result<TraceParent> {
        value.parse()
    }

    #[test]
    fn accepts_the_specification_examples() {
        for flags in ["00", "01", "02", "03", "ff"] {
            let header = format!("00-{TRACE}-{PARENT}-{flags}");
            let parsed = parse(&header).unwrap();
            assert_eq!(parsed.trace_id().to_string(), TRACE);
            assert_eq!(parsed.parent_id().to_string(), PARENT);
            assert_eq!(format!("{:02x}", parsed.flags().to_byte()), flags);
        }
    }

    #[test]
    fn refuses_what_the_grammar_forbids() {
        let cases = [
            (
                "uppercase trace id",
                format!("00-{}-{PARENT}-01", TRACE.to_uppercase()),
            ),
            ("uppercase flags", format!("00-{TRACE}-{PARENT}-0A")),
            ("all-zero trace id", format!("00-{}-{PARENT}-01", "0".repeat(32))),
            ("all-zero parent id", format!("00-{TRACE}-{}-01", "0".repeat(16))),
            ("version ff", format!("ff-{TRACE}-{PARENT}-01")),
            ("3-digit version", format!("000-{TRACE}-{PARENT}-01")),
            ("1-digit version", format!("0-{TRACE}-{PARENT}-01")),
            ("33-digit trace id", format!("00-{TRACE}0-{PARENT}-01")),
            ("31-digit trace id", format!("00-{}-{PARENT}-01", &TRACE[1..])),
            ("15-digit parent id", format!("00-{TRACE}-{}-01", &PARENT[1..])),
            ("illegal flag character", format!("00-{TRACE}-{PARENT}-.0")),
            ("3-digit flags", format!("00-{TRACE}-{PARENT}-001")),
            ("1-digit flags", format!("00-{TRACE}-{PARENT}-0")),
            (
                "trailing text on version 00",
                format!("00-{TRACE}-{PARENT}-01-extra"),
            ),
            ("trailing dot on version 00", format!("00-{TRACE}-{PARENT}-01.")),
            (
                "higher version, flags glued to text",
                format!("cc-{TRACE}-{PARENT}-01.what-the-future-will-be-like"),
            ),
            ("non-hex in trace id", format!("00-{}g-{PARENT}-01", &TRACE[1..])),
            ("non-ASCII", format!("00-{TRACE}-{PARENT}-0é")),
            ("empty", String::new()),
        ];
        for (why, header) in cases {
            assert!(parse(&header).is_err(), "{why}: {header:?} was accepted");
        }
    }

    #[test]
    fn higher_versions_keep_the_known_fields() {
        let longer = parse(&format!("cc-{TRACE}-{PARENT}-01-what-the-future-will-be-like")).unwrap();
        assert_eq!(longer.trace_id().to_string(), TRACE);
        assert_eq!(
            longer.to_string(),
            format!("00-{TRACE}-{PARENT}-01"),
            "sent downgraded to 00"
        );
        assert!(parse(&format!("cc-{TRACE}-{PARENT}-01")).is_ok());
    }

    #[test]
    fn surrounding_spaces_and_tabs_are_tolerated() {
        let parsed = parse(&format!(" \t00-{TRACE}-{PARENT}-01\t ")).unwrap();
        assert_eq!(parsed.to_string(), format!("00-{TRACE}-{PARENT}-01"));
    }

    #[test]
    fn reserved_flag_bits_are_read_but_not_sent() {
        let parsed = parse(&format!("00-{TRACE}-{PARENT}-ff")).unwrap();
        assert!(parsed.flags().is_sampled() && parsed.flags().is_random());
        assert!(parsed.to_string().ends_with("-03"));
    }

    #[test]
    fn a_child_keeps_trace_and_flags() {
        let parent = parse(&format!("00-{TRACE}-{PARENT}-02")).unwrap();
        let span: SpanId = "00f067aa0ba902b7".parse().unwrap();
        let child = parent.child(span);
        assert_eq!(child.to_string(), format!("00-{TRACE}-00f067aa0ba902b7-02"));
    }

    proptest! {
        #[test]
        fn round_trips(trace in any::<[u8; 16]>(), parent in any::<[u8; 8]>(), flags in 0u8..4) {
            prop_assume!(trace != [0; 16] && parent != [0; 8]);
            let value = TraceParent::new(
                TraceId::from_bytes(trace).unwrap(),
                SpanId::from_bytes(parent).unwrap(),
                TraceFlags::from_byte(flags),
            );
            prop_assert_eq!(parse(&value.to_string()).unwrap(), value);
        }

        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,80}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_near_the_grammar(text in "[0-9a-fA-F\\- .\t]{50,70}") {
            if let Ok(parsed) = parse(&text) {
                // whatever is accepted is emitted as a valid version-00 value
                prop_assert_eq!(parse(&parsed.to_string()).unwrap(), parsed);
            }
        }
    }
}
